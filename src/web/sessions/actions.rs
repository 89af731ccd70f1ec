//! The case page's forms: decisions, assignment and notes (personal data: [`super::edit`]). Each goes
//! through the same services as the API, then back to the case with a flash message
//! (post/redirect/get). A conflict says who got there first.

use actix_session::Session;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::detail::{Refused, render_case};
use super::next::{Puller, next_after};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::DeclineReason;
use crate::domain::status::Action;
use crate::error::{AppError, Conflict};
use crate::service::casework;
use crate::service::overrides;
use crate::service::transitions::{self, Request, past_tense};
use crate::service::verifications::FingerprintKey;
use crate::web::auth::{CaseWorker, CurrentUser};
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page;

/// The case page's URL, keeping the queue it was opened from.
pub(super) fn case_url(id: Uuid, queue: &str) -> String {
    if queue.is_empty() {
        format!("/sessions/{id}")
    } else {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("queue", queue)
            .finish();
        format!("/sessions/{id}?{q}")
    }
}

/// A session id from the path; anything else is no such session.
pub(super) fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound("session"))
}

/// A refused write as the case page shows it: a flash starting with `prefix` (what did not
/// happen) for a conflict or invalid input, and any other error as it is. Every write to a
/// redacted session meets [`Conflict::Redacted`]: the dashboard answers it with a 409 page
/// (the case page of a redacted session offers no forms, so only a stale tab or a crafted
/// request gets here), not with the usual flash and redirect.
pub(super) fn flash_refusal(session: &Session, prefix: &str, e: AppError) -> Result<(), AppError> {
    match e {
        AppError::Conflict(Conflict::Redacted) => Err(e),
        AppError::Conflict(c) => {
            cookie::flash(session, "error", format!("{prefix}: {c}."));
            Ok(())
        }
        AppError::Validation(errors) => {
            let text = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            cookie::flash(session, "error", format!("{prefix}: {text}."));
            Ok(())
        }
        e => Err(e),
    }
}

/// Explains a lost race in the words a reviewer needs: who decided, and when — all of it
/// carried by the conflict the service answered.
fn conflict_message(conflict: &Conflict) -> String {
    match conflict {
        Conflict::WrongStatus {
            decided: Some(d), ..
        } => format!(
            "Nothing was changed: this session was already {} by {} at {}.",
            d.outcome,
            d.by.as_deref().unwrap_or("an integration"),
            d.at.map(format::exact).unwrap_or_default()
        ),
        other => format!("Nothing was changed: {other}."),
    }
}

/// Where a decision leads: back to the case, or on to the next case of its queue
/// ("Approve & next", Shift+Enter).
pub(super) fn after_decision(id: Uuid, queue: &str, then: &str, succeeded: bool) -> String {
    if succeeded && then == "next" {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("queue", queue)
            .finish();
        format!("/sessions/{id}/next?{q}")
    } else {
        case_url(id, queue)
    }
}

/// The flash kind of a successful action: only an approval is good news in green.
fn success_kind(action: Action) -> &'static str {
    match action {
        Action::Approve => "success",
        _ => "info",
    }
}

pub(super) async fn transition(
    pool: &DbPool,
    session: &Session,
    id: Uuid,
    queue: &str,
    (then, puller): (&str, Option<Puller>),
    request: Request,
) -> Result<HttpResponse, PageError> {
    let action = request.action;
    let result = db::with_conn(pool, move |conn| transitions::apply(conn, id, &request)).await;
    let succeeded = result.is_ok();
    let (location, nothing_left) = next_after(pool, puller, id, queue, then, succeeded).await;
    match result {
        Ok(_) => cookie::flash(
            session,
            success_kind(action),
            format!(
                "Session {}.{}",
                past_tense(action),
                nothing_left.unwrap_or("")
            ),
        ),
        Err(AppError::Conflict(conflict)) if conflict != Conflict::Redacted => {
            cookie::flash(session, "error", conflict_message(&conflict));
        }
        Err(AppError::Validation(errors)) => {
            let text = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            cookie::flash(session, "error", format!("Nothing was changed: {text}."));
        }
        Err(e) => flash_refusal(session, "Nothing was changed", e)?,
    }
    Ok(page::see_other(&location))
}

/// The decision forms.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    comment: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    queue: String,
    /// `next`: open the next case of the queue once decided.
    #[serde(default)]
    then: String,
}

/// Approves the session.
#[post("/sessions/{id}/approve")]
pub async fn approve(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let f = form.0;
    let comment = Some(f.comment).filter(|c| !c.trim().is_empty());
    let request = Request::approve(Actor::User(user.id), comment);
    let key = FingerprintKey::derive(&state.config.session_key);
    let k = key.clone();
    let result = db::with_conn(&pool, move |conn| {
        overrides::approve(conn, id, &request, &k)
    })
    .await;
    match result {
        Ok(_) => {
            let puller = Some(Puller::of(&user, &state));
            let (location, nothing_left) =
                next_after(&pool, puller, id, &f.queue, &f.then, true).await;
            let message = format!("Session approved.{}", nothing_left.unwrap_or(""));
            cookie::flash(&session, "success", &message);
            Ok(page::see_other(&location))
        }
        // An override without its reason: the case again, the form open with why.
        Err(AppError::Validation(errors)) if errors.iter().any(|e| e.field == "comment") => {
            let message = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            render_case(
                &pool,
                &state,
                &session,
                &user,
                id,
                f.queue,
                None,
                Some(Refused::Approve(message)),
            )
            .await
        }
        Err(AppError::Conflict(conflict)) if conflict != Conflict::Redacted => {
            cookie::flash(&session, "error", conflict_message(&conflict));
            Ok(page::see_other(&case_url(id, &f.queue)))
        }
        Err(e) => {
            flash_refusal(&session, "Nothing was changed", e)?;
            Ok(page::see_other(&case_url(id, &f.queue)))
        }
    }
}

/// Declines the session with a reason code.
#[post("/sessions/{id}/decline")]
pub async fn decline(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let f = form.0;
    let Ok(reason) = f.reason.parse::<DeclineReason>() else {
        cookie::flash(
            &session,
            "error",
            "Nothing was changed: choose a reason for the decline.",
        );
        return Ok(page::see_other(&case_url(id, &f.queue)));
    };
    let comment = Some(f.comment).filter(|c| !c.trim().is_empty());
    if state.config.four_eyes.decline {
        return request_decline(&pool, &session, &user, id, &f.queue, reason, comment).await;
    }
    transition(
        &pool,
        &session,
        id,
        &f.queue,
        (&f.then, Some(Puller::of(&user, &state))),
        Request::decline(Actor::User(user.id), reason, comment),
    )
    .await
}

/// With `FOUR_EYES` naming declines: the decline becomes a request another reviewer
/// approves; the case stays as it is until then.
async fn request_decline(
    pool: &DbPool,
    session: &Session,
    user: &CurrentUser,
    id: Uuid,
    queue: &str,
    reason: DeclineReason,
    comment: Option<String>,
) -> Result<HttpResponse, PageError> {
    use crate::service::approvals::{self, Ask};
    let by = user.worker();
    let now = Utc::now();
    let asked = db::with_conn(pool, move |conn| {
        approvals::request(conn, id, by, Ask::Decline { reason, comment }, now)
    })
    .await;
    match asked {
        Ok(_) => cookie::flash(
            session,
            "info",
            "Decline requested: another reviewer must approve it; the case stays open until then.",
        ),
        Err(AppError::Conflict(conflict)) => {
            cookie::flash(
                session,
                "error",
                format!("Nothing was changed: {conflict}."),
            );
        }
        Err(e) => flash_refusal(session, "Nothing was changed", e)?,
    }
    Ok(page::see_other(&case_url(id, queue)))
}

/// A form carrying only the queue context.
#[derive(Deserialize)]
pub struct QueueOnly {
    /// The queue the case was opened from.
    #[serde(default)]
    pub(super) queue: String,
}

/// Expires the session.
#[post("/sessions/{id}/expire")]
pub async fn expire(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    form: CsrfForm<QueueOnly>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    transition(
        &pool,
        &session,
        id,
        &form.0.queue,
        ("", None),
        Request::new(Action::Expire, Actor::User(user.id)),
    )
    .await
}

/// The assignment form: `me`, a user id, or empty for nobody.
#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    queue: String,
}

/// Assigns or unassigns the session.
#[post("/sessions/{id}/assign")]
pub async fn assign(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    form: CsrfForm<AssignForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let f = form.0;
    let assignee = match f.assignee.trim() {
        "" => None,
        "me" => Some(user.id),
        other => Some(
            Uuid::parse_str(other).map_err(|_| AppError::field("assignee", "is not a user id"))?,
        ),
    };
    let by = user.worker();
    match db::with_conn(&pool, move |conn| casework::assign(conn, id, assignee, by)).await {
        Ok(a) if a.assignee.is_some() => cookie::flash(&session, "success", "Session assigned."),
        Ok(_) => cookie::flash(&session, "success", "Session unassigned."),
        Err(e) => flash_refusal(&session, "Nothing was changed", e)?,
    }
    Ok(page::see_other(&case_url(id, &f.queue)))
}

/// The note form.
#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    queue: String,
}

/// Adds a note.
#[post("/sessions/{id}/notes")]
pub async fn add_note(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    form: CsrfForm<NoteForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let f = form.0;
    let author = user.id;
    let body = f.body.clone();
    match db::with_conn(&pool, move |conn| {
        casework::add_note(conn, id, author, &body)
    })
    .await
    {
        Ok(_) => cookie::flash(&session, "success", "Note added."),
        Err(e) => flash_refusal(&session, "The note was not added", e)?,
    }
    // Back where the reviewer was: the notes, newest first.
    Ok(page::see_other(&format!(
        "{}#notes",
        case_url(id, &f.queue)
    )))
}
