//! `POST /sessions/{id}/use-document`: "use the document's value" on a mismatched row of
//! the case page's data check. The value comes from the stored verification, not the form;
//! the edit goes through the same service as the personal data form, with the same event,
//! and the same automatic re-run of the checks it made stale.

use actix_session::Session;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use serde::Deserialize;

use super::actions::{case_url, flash_refusal, parse_id};
use super::edit::rerun_after_edit;
use super::view::field_words;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::service::person::from_document::{DocumentField, use_document_value};
use crate::service::verifications::FingerprintKey;
use crate::web::auth::CaseWorker;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page;

/// The row to fix, with the queue context.
#[derive(Deserialize)]
pub struct UseDocumentForm {
    /// A [`DocumentField`] code (`last_name`).
    #[serde(default)]
    field: String,
    #[serde(default)]
    queue: String,
}

/// Sets the entered value of one data-check row to what the document says.
#[post("/sessions/{id}/use-document")]
pub async fn use_document(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<UseDocumentForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let UseDocumentForm { field, queue } = form.0;
    let field = DocumentField::parse(field.trim()).ok_or_else(|| {
        AppError::field(
            "field",
            "must be given_names, last_name, birth_date or document_number",
        )
    })?;
    let actor = Actor::User(user.id);
    let today = Utc::now().date_naive();
    let result = db::with_conn(&pool, move |conn| {
        use_document_value(conn, id, field, actor, today)
    })
    .await;
    match result {
        Ok((_, fields)) if fields.is_empty() => {
            cookie::flash(&session, "info", "Nothing had changed.")
        }
        Ok((_, fields)) => {
            let words: Vec<&str> = fields.iter().map(|f| field_words(f)).collect();
            let key = FingerprintKey::derive(&state.config.session_key);
            let reran = rerun_after_edit(&pool, &state, &key, id, actor).await;
            cookie::flash(
                &session,
                "success",
                format!("Saved from the document: {}.{reran}", words.join(", ")),
            )
        }
        Err(e) => flash_refusal(&session, "Nothing was saved", e)?,
    }
    Ok(page::see_other(&case_url(id, &queue)))
}
