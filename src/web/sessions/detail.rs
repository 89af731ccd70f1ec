//! `GET /sessions/{id}`: the case page. Everything needed for a decision on one screen:
//! the document beside the data it must match, the checks, the history, and only the
//! actions the status and the role allow.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::case;
use super::case_parts::{
    ApplicantPanel, NoteView, TimelineItem, applicant_name, applicant_panel, capitalize, claim,
    concern_words, due_words, events_link, older_events_link, queue_param,
};
use super::view::{self, Actions, DataRow, DocView, VerificationView};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::kinds::{ActorType, CheckStatus, DeclineReason, IdentityClass, ReviewReason};
use crate::domain::person::{FIELDS, Field, FieldError};
use crate::domain::status::SessionStatus;
use crate::error::AppError;
use crate::service::overrides;
use crate::service::person::PersonForm;
use crate::service::reads;
use crate::service::verifications::FingerprintKey;
use crate::store::events::TimelineCursor;
use crate::web::auth::CurrentUser;
use crate::web::error::PageError;
use crate::web::events::{ActorNames, describe};
use crate::web::format;
use crate::web::page::{self, Page};

use super::facts::{self, Fact};
pub use super::refused::Refused;
use super::refused::Shown;

#[derive(Template)]
#[template(path = "sessions/detail.html")]
struct CasePage {
    page: Page,
    id: Uuid,
    short_id: String,
    queue: String,
    queue_param: String,
    applicant: String,
    account: String,
    account_href: String,
    status: SessionStatus,
    status_label: &'static str,
    created_age: String,
    created_exact: String,
    /// Four eyes: requests waiting on this session, and whether a redaction or a decline
    /// from this page becomes one.
    approvals: crate::web::approvals::Panel,
    /// When and by whom, for the printed case file's footnote.
    printed_at: String,
    printed_by: String,
    /// Someone else holds the case: "Assign to me" becomes "Take over".
    held_by_other: bool,
    /// Against its service level, while it waits: (words, exact due time, standing).
    due: Option<(String, String, &'static str)>,
    assignee: Option<String>,
    decision: Option<String>,
    redacted: Option<String>,
    masked: bool,
    can_see_files: bool,
    docs: Vec<DocView>,
    data_rows: Vec<DataRow>,
    verifications: Vec<VerificationView>,
    facts: Vec<Fact>,
    device: Vec<Fact>,
    notes: Vec<NoteView>,
    timeline: Vec<TimelineItem>,
    /// The next page of the timeline, when there are older events.
    older_events: Option<String>,
    /// The first page of the timeline, when this is not it.
    newest_events: Option<String>,
    /// Admins get a link to the audit log's list of who opened this case.
    can_audit: bool,
    actions: Actions,
    reasons: &'static [DeclineReason],
    classes: &'static [IdentityClass],
    assignable: Vec<(String, String, bool)>,
    form: PersonForm,
    errors: Vec<FieldError>,
    edit_open: bool,
    can_redact: bool,
    redact_error: Option<String>,
    /// The applicant link and the resubmission form.
    applicant_side: ApplicantPanel,
    /// What approving would override (failed or stale required checks), in words.
    concerns: Vec<String>,
    /// Why the last approval was refused, shown in the open approve form.
    approve_error: Option<String>,
    /// Why the last mark for review was refused, beside its reason field.
    review_error: Option<String>,
    /// The mark-for-review form's reasons, in words.
    review_reasons: &'static [ReviewReason],
    /// Any verification is stale: "Re-run checks" is offered first.
    any_stale: bool,
    /// The page shows a refused form: decide.js focuses its error summary.
    refused: bool,
}

impl CasePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    /// The edit form's typed fields, in declaration order; the template draws the
    /// identity number's class as a list of its own.
    fn person_inputs(&self) -> Vec<&'static Field> {
        FIELDS.iter().filter(|f| f.input != "select").collect()
    }
}

/// What a manager sees instead of a note or a decision comment: free text written by a
/// reviewer may quote the applicant, and masking cannot know which words do.
pub const HIDDEN: &str = "(hidden from managers)";

/// The queue a case was opened from, carried through its links.
#[derive(Debug, Default, Deserialize)]
pub struct QueueContext {
    /// The queue's filter query string.
    #[serde(default)]
    pub queue: String,
    /// The timeline's page: events older than this cursor ([`TimelineCursor::encode`]).
    #[serde(default)]
    pub events_before: Option<String>,
}

/// Renders the case page, with the form that was refused, if any.
#[allow(clippy::too_many_arguments)]
pub async fn render_case(
    pool: &DbPool,
    state: &web::Data<AppState>,
    session: &Session,
    user: &CurrentUser,
    id: Uuid,
    queue: String,
    events_before: Option<TimelineCursor>,
    refused: Option<Refused>,
) -> Result<HttpResponse, PageError> {
    let shown = Shown::from(refused);
    // The page shows a refused form: 422, and decide.js focuses its error summary.
    let refused = shown.any();
    let Shown {
        edit: failed_edit,
        redact: redact_error,
        approve: approve_error,
        review: review_error,
    } = shown;
    let viewer = user.id;
    let key = &FingerprintKey::derive(&state.config.session_key);
    let k = key.clone();
    let shared = state.clone();
    let wrote = super::counts::wrote_at(session);
    let (case, names, concerns) = db::read_now(pool, move |conn| {
        let case = case::load(conn, id, events_before, &shared, wrote, viewer)?;
        let f = &case.file;
        reads::case_viewed(conn, viewer, &f.session, f.recorded)?;
        let names = ActorNames::among(&case.names, &f.events.rows);
        let concerns = overrides::concerns_among(&f.session, &k, &f.verifications, &f.checks);
        Ok((case, names, concerns))
    })
    .await?;
    let concerns: Vec<String> = concerns.iter().map(concern_words).collect();
    let now = Utc::now();
    let file = &case.file;
    let s = &file.session;
    let masked = user.sees_masked_data();
    // Who did it, in words: a user by name, an API key, or the system's own `fallback`.
    let by = |kind: Option<ActorType>, id: Option<Uuid>, fallback: &str| match kind {
        Some(ActorType::User) => id
            .and_then(|i| case.user_names.get(&i).cloned())
            .unwrap_or_else(|| "someone".to_owned()),
        Some(ActorType::ApiKey) => "an API key".to_owned(),
        _ => fallback.to_owned(),
    };
    let decision = s.decision.map(|d| {
        let who = by(s.decided_by_type, s.decided_by, "Session Desk");
        let when = s.decisioned_at.map(format::exact).unwrap_or_default();
        let reason = s
            .decision_reason
            .map(|r| format!(" — {}", r.label()))
            .unwrap_or_default();
        let comment = s
            .decision_comment
            .as_deref()
            .map(|c| format!(": “{}”", if masked { HIDDEN } else { c }))
            .unwrap_or_default();
        format!(
            "{} by {who} at {when}{reason}{comment}",
            capitalize(d.as_str())
        )
    });
    // An expired case says when, and why: a person closed it, or its expiry time passed
    // while it was still open.
    let decision = decision.or_else(|| {
        let at = s.expired_at?;
        let closing = file
            .events
            .rows
            .iter()
            .find(|e| e.to_status == Some(SessionStatus::Expired));
        let why = match closing.map(|e| e.actor_type) {
            Some(ActorType::System) | None => format!(
                "its expiry time passed while it was still {}",
                closing
                    .and_then(|e| e.from_status)
                    .map_or("open", |f| f.label())
            ),
            Some(_) => format!(
                "by {}",
                closing.map_or_else(String::new, |e| names.actor(e))
            ),
        };
        Some(format!("Expired at {}: {why}.", format::exact(at)))
    });
    let redacted = s.redacted_at.map(|t| {
        let who = by(s.redacted_by_type, s.redacted_by, "the retention policy");
        format!(
            "Personal data redacted on {} by {who}.",
            t.format("%Y-%m-%d")
        )
    });
    let facts = facts::person(s, masked);
    let device = file
        .device
        .as_ref()
        .map(|d| facts::device(d, masked))
        .unwrap_or_default();
    let notes = file
        .notes
        .iter()
        .map(|n| NoteView {
            author: case
                .user_names
                .get(&n.author_id)
                .cloned()
                .unwrap_or_else(|| "someone".into()),
            when: format::ago(n.created_at, now),
            exact: format::exact(n.created_at),
            body: match &n.body {
                None => "(redacted)".to_owned(),
                // A manager's own notes hide nothing from them.
                Some(_) if masked && n.author_id != user.id => HIDDEN.to_owned(),
                Some(body) => body.clone(),
            },
        })
        .collect();
    let older_events = older_events_link(&file.events, id, &queue);
    let newest_events = events_before.map(|_| events_link(id, &queue, None));
    let timeline = file
        .events
        .rows
        .iter()
        .map(|e| TimelineItem {
            when: format::ago(e.created_at, now),
            exact: format::exact(e.created_at),
            actor: names.actor(e),
            what: describe(e, &names),
        })
        .collect();
    let actions = view::actions(&case, user);
    let assignable = case
        .assignable
        .iter()
        .map(|(uid, n)| (uid.to_string(), n.clone(), s.assigned_to == Some(*uid)))
        .collect();
    let (form, errors) = failed_edit.unwrap_or_else(|| (view::person_form(&case), Vec::new()));
    let edit_open = !errors.is_empty();
    let verifications = view::verifications(&case, now, key, masked);
    let any_stale = verifications.iter().any(|v| !v.stale.is_empty());
    let can_redact = user.is_admin() && s.redacted_at.is_none();
    let template = CasePage {
        page: Page::new(
            session,
            Some(user),
            "queue",
            format!("Case {}", format::short_id(&id)),
        ),
        id,
        short_id: format::short_id(&id),
        queue_param: queue_param(&queue),
        queue,
        applicant: applicant_name(s, masked),
        account: format::shown(file.account.external_id.as_deref(), masked),
        account_href: format!("/accounts/{}", file.account.id),
        status: s.status,
        status_label: s.status.label(),
        created_age: format::ago(s.created_at, now),
        created_exact: format::exact(s.created_at),
        due: due_words(s, &state.config.sla, now),
        held_by_other: s.assigned_to.is_some_and(|a| a != user.id),
        approvals: crate::web::approvals::panel(&file.pending, user, state),
        printed_at: format::exact(now),
        printed_by: user.display_name.clone(),
        assignee: s
            .assigned_to
            .map(|u| by(Some(ActorType::User), Some(u), "someone") + &claim(s, now)),
        decision,
        redacted,
        masked,
        can_see_files: user.can_work_cases(),
        docs: view::documents(&case, id),
        data_rows: view::data_rows(&case, masked),
        verifications,
        facts,
        device,
        notes,
        timeline,
        older_events,
        newest_events,
        can_audit: user.is_admin(),
        actions,
        reasons: DeclineReason::ALL,
        classes: IdentityClass::ALL,
        assignable,
        form,
        errors,
        edit_open,
        can_redact,
        redact_error,
        applicant_side: applicant_panel(&case, user, now),
        concerns,
        approve_error,
        review_error,
        review_reasons: ReviewReason::ALL,
        any_stale,
        refused,
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page::render_status(status, &template)
}

/// The case page.
#[get("/sessions/{id}")]
pub async fn show(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    ctx: web::Query<QueueContext>,
) -> Result<HttpResponse, PageError> {
    let id = Uuid::parse_str(&path).map_err(|_| AppError::NotFound("session"))?;
    let ctx = ctx.into_inner();
    let events_before = match ctx.events_before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(TimelineCursor::decode(raw).ok_or_else(|| {
            AppError::field(
                "events_before",
                "this link to older events is broken; open the case again",
            )
        })?),
    };
    render_case(
        &pool,
        &state,
        &session,
        &user,
        id,
        ctx.queue,
        events_before,
        None,
    )
    .await
}
