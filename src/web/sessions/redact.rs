//! `POST /sessions/{id}/redact` (admins): erases a session's personal data after the admin
//! has typed the session's short id, the one the case page shows, into `confirm`. A missing
//! or wrong confirmation writes nothing and shows the case page again (422) with the
//! message beside the field; success lands back on the case page with a flash.

use actix_session::Session;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;

use super::actions::{case_url, parse_id};
use super::detail::{Refused, render_case};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::service::redaction;
use crate::web::auth::Admin;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page;

/// The redaction form.
#[derive(Deserialize)]
pub struct RedactForm {
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    queue: String,
}

/// Why a confirmation does not count, or `None` when it matches `short_id` (case and
/// surrounding spaces aside).
pub fn confirmation_problem(typed: &str, short_id: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        Some(format!(
            "confirm: type this session's id, {short_id}, to confirm the redaction"
        ))
    } else if !typed.eq_ignore_ascii_case(short_id) {
        Some(format!(
            "confirm: does not match this session's id, {short_id}"
        ))
    } else {
        None
    }
}

/// Redacts the session once the confirmation matches.
#[post("/sessions/{id}/redact")]
pub async fn redact(
    Admin(user): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    path: web::Path<String>,
    form: CsrfForm<RedactForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let RedactForm { confirm, queue } = form.0;
    if let Some(problem) = confirmation_problem(&confirm, &format::short_id(&id)) {
        let refused = Some(Refused::Redaction(problem));
        return render_case(&pool, &state, &session, &user, id, queue, None, refused).await;
    }
    if state.config.four_eyes.redaction {
        let by = user.worker();
        let now = chrono::Utc::now();
        db::with_conn(&pool, move |conn| {
            crate::service::approvals::request(
                conn,
                id,
                by,
                crate::service::approvals::Ask::Redaction,
                now,
            )
        })
        .await?;
        cookie::flash(
            &session,
            "info",
            "Redaction requested: another admin must approve it within 7 days; nothing is removed until then.",
        );
        return Ok(page::see_other(&case_url(id, &queue)));
    }
    let actor = Actor::User(user.id);
    let redacted = db::with_conn(&pool, move |conn| {
        redaction::redact_session(conn, id, actor)
    })
    .await?;
    if redacted.newly {
        cookie::flash(&session, "success", "Personal data redacted.");
    } else {
        cookie::flash(
            &session,
            "info",
            "This session's personal data had already been redacted.",
        );
    }
    Ok(page::see_other(&case_url(id, &queue)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_short_id_confirms() {
        assert!(
            confirmation_problem("", "1a2b3c4d")
                .unwrap()
                .starts_with("confirm:")
        );
        assert!(confirmation_problem("1a2b3c4e", "1a2b3c4d").is_some());
        assert!(confirmation_problem("1a2b3c4d-", "1a2b3c4d").is_some());
        assert_eq!(confirmation_problem(" 1A2B3C4D ", "1a2b3c4d"), None);
    }
}
