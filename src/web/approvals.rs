//! Four eyes in the dashboard: the case page's panel of requests waiting for a second
//! person, `/approvals` (every pending request the viewer may decide, and their own), and
//! the approve, reject and withdraw forms.

use actix_session::Session;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::approvals::{self, ApprovalKind};
use crate::domain::kinds::DeclineReason;
use crate::service::approvals as service;
use crate::store::approvals::{self as store, Listed};
use crate::web::auth::CurrentUser;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page::{self, Page};

/// A pending request as the page shows it.
pub struct PendingView {
    /// The request's id.
    pub id: Uuid,
    /// The session's id.
    pub session_id: Uuid,
    /// "Redaction", "Decline (document expired)".
    pub what: String,
    /// `redaction` or `decline`.
    pub kind: &'static str,
    /// Who asked.
    pub requester: String,
    /// How long ago.
    pub age: String,
    /// When it lapses, exactly.
    pub expires: String,
    /// A decline's comment; hidden from managers.
    pub comment: Option<String>,
    /// The viewer may approve or reject it.
    pub may_decide: bool,
    /// The viewer asked for it (and may withdraw it).
    pub mine: bool,
}

/// What the case page shows of four eyes.
pub struct Panel {
    /// Requests waiting on this session.
    pub pending: Vec<PendingView>,
    /// A redaction from this page becomes a request.
    pub redaction_needs_second: bool,
    /// A decline from this page becomes a request.
    pub decline_needs_second: bool,
}

fn what(l: &Listed) -> String {
    match l.request.kind {
        ApprovalKind::Redaction => "Redaction".to_owned(),
        ApprovalKind::Decline => match l
            .request
            .reason
            .as_deref()
            .and_then(|r| r.parse::<DeclineReason>().ok())
        {
            Some(r) => format!("Decline ({})", r.label()),
            None => "Decline".to_owned(),
        },
    }
}

fn view(l: &Listed, user: &CurrentUser, now: DateTime<Utc>) -> PendingView {
    let r = &l.request;
    PendingView {
        id: r.id,
        session_id: r.session_id,
        what: what(l),
        kind: r.kind.as_str(),
        requester: l.requester.clone(),
        age: format::age(r.created_at, now),
        expires: format::exact(r.expires_at),
        comment: r.comment.as_ref().map(|c| {
            if user.sees_masked_data() {
                "(hidden from managers)".to_owned()
            } else {
                c.clone()
            }
        }),
        may_decide: approvals::may_decide(r.kind, r.requested_by, user.id, user.role),
        mine: r.requested_by == user.id,
    }
}

/// The case page's panel.
pub fn panel(pending: &[Listed], user: &CurrentUser, state: &AppState) -> Panel {
    let now = Utc::now();
    Panel {
        pending: pending.iter().map(|l| view(l, user, now)).collect(),
        redaction_needs_second: state.config.four_eyes.redaction,
        decline_needs_second: state.config.four_eyes.decline,
    }
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    page: Page,
    decide: Vec<PendingView>,
    mine: Vec<PendingView>,
    four_eyes: String,
}

/// Every pending request the viewer may decide, and their own.
#[get("/approvals")]
pub async fn index(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let now = Utc::now();
    let all = db::with_conn(&pool, move |conn| Ok(store::pending(conn, None, now)?)).await?;
    let views: Vec<PendingView> = all.iter().map(|l| view(l, &user, now)).collect();
    let (mine, rest): (Vec<_>, Vec<_>) = views.into_iter().partition(|v| v.mine);
    let decide = rest.into_iter().filter(|v| v.may_decide).collect();
    let f = state.config.four_eyes;
    let four_eyes = match (f.redaction, f.decline) {
        (true, true) => "Redactions and declines need a second person's approval.",
        (true, false) => "Redactions need a second admin's approval.",
        (false, true) => "Declines need a second reviewer's approval.",
        (false, false) => "Four eyes is off (FOUR_EYES=off): nothing waits for a second person.",
    };
    page::render(&ApprovalsPage {
        page: Page::new(&session, Some(&user), "approvals", "Approvals"),
        decide,
        mine,
        four_eyes: four_eyes.to_owned(),
    })
}

/// The forms' queue context, to land back where the reviewer came from.
#[derive(Deserialize)]
pub struct BackForm {
    #[serde(default)]
    back: String,
}

/// Only a path of ours is followed back; anything else goes to `/approvals`.
fn back_to(raw: &str) -> &str {
    if raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\') {
        raw
    } else {
        "/approvals"
    }
}

async fn decide(
    user: &CurrentUser,
    session: &Session,
    pool: &DbPool,
    id: Uuid,
    back: &str,
    step: &'static str,
) -> Result<HttpResponse, PageError> {
    let by = user.worker();
    let now = Utc::now();
    let result = db::with_conn(pool, move |conn| match step {
        "approve" => service::approve(conn, id, by, now),
        "reject" => service::reject(conn, id, by, now),
        _ => service::withdraw(conn, id, by, now),
    })
    .await;
    match result {
        Ok(r) => {
            let kind = r.kind.as_str();
            let message = match step {
                "approve" => match r.kind {
                    ApprovalKind::Redaction => {
                        "Approved: the personal data is redacted.".to_owned()
                    }
                    ApprovalKind::Decline => "Approved: the session is declined.".to_owned(),
                },
                "reject" => format!("Rejected: the {kind} will not happen."),
                _ => format!("Withdrawn: the {kind} request is closed."),
            };
            cookie::flash(session, "success", message);
        }
        Err(crate::error::AppError::Conflict(c)) => {
            cookie::flash(session, "error", format!("Nothing was changed: {c}."));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(page::see_other(back_to(back)))
}

/// Approves (and carries out), rejects or withdraws a request: `step` is `approve`,
/// `reject` or `withdraw`.
#[post("/approvals/{id}/{step}")]
pub async fn decide_request(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<(Uuid, String)>,
    form: CsrfForm<BackForm>,
) -> Result<HttpResponse, PageError> {
    let (id, step) = path.into_inner();
    let step = match step.as_str() {
        "approve" => "approve",
        "reject" => "reject",
        "withdraw" => "withdraw",
        _ => return Err(crate::error::AppError::NotFound("page").into()),
    };
    decide(&user, &session, &pool, id, &form.0.back, step).await
}
