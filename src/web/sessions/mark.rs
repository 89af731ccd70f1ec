//! `POST /sessions/{id}/mark-for-review`: the case page's mark-for-review form, with an
//! optional reason chosen from [`ReviewReason`]'s codes. An unknown code is shown beside
//! the field (422) and nothing is written.

use actix_session::Session;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;

use super::actions::{parse_id, transition};
use super::detail::{Refused, render_case};
use crate::app::AppState;
use crate::db::DbPool;
use crate::domain::actor::Actor;
use crate::domain::kinds::ReviewReason;
use crate::service::transitions::Request;
use crate::web::auth::CaseWorker;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;

/// The mark-for-review form.
#[derive(Deserialize)]
pub struct MarkForm {
    /// A [`ReviewReason`] code, or blank for none.
    #[serde(default)]
    reason: String,
    #[serde(default)]
    queue: String,
}

/// Reads the form's reason: blank is none, a code is that reason, anything else is the
/// message shown beside the field.
pub fn parse_reason(raw: &str) -> Result<Option<ReviewReason>, String> {
    match raw.trim() {
        "" => Ok(None),
        code => code
            .parse::<ReviewReason>()
            .map(Some)
            .map_err(|_| "choose a reason from the list, or none".to_owned()),
    }
}

/// Marks the session for review, with the reason chosen, if any.
#[post("/sessions/{id}/mark-for-review")]
pub async fn mark_for_review(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<MarkForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let MarkForm { reason, queue } = form.0;
    let reason = match parse_reason(&reason) {
        Ok(r) => r,
        Err(message) => {
            return render_case(
                &pool,
                &state,
                &session,
                &user,
                id,
                queue,
                None,
                Some(Refused::Review(message)),
            )
            .await;
        }
    };
    transition(
        &pool,
        &session,
        id,
        &queue,
        ("", None),
        Request::mark_for_review(Actor::User(user.id), reason),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_no_reason_and_only_codes_are_reasons() {
        assert_eq!(parse_reason(""), Ok(None));
        assert_eq!(parse_reason(" glare "), Ok(Some(ReviewReason::Glare)));
        assert!(parse_reason("Glare").is_err());
        assert!(parse_reason("the photo of Anna").is_err());
    }
}
