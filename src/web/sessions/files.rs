//! `GET /sessions/{id}/files/{file_id}`: a document file for the viewer. Reviewers and
//! admins only; the type comes from the stored bytes, never from the uploader; each view
//! is an audit event.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde_json::json;
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::files::sniff;
use crate::error::AppError;
use crate::store::documents;
use crate::store::events::{self, NewEvent};
use crate::web::auth::CaseWorker;
use crate::web::error::PageError;

/// Serves one file of one session.
#[get("/sessions/{id}/files/{file_id}")]
pub async fn show(
    CaseWorker(user): CaseWorker,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, file_id) = path.into_inner();
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound("file"))?;
    let file_id = Uuid::parse_str(&file_id).map_err(|_| AppError::NotFound("file"))?;
    let found = db::with_conn(&pool, move |conn| {
        let found = documents::file_of_session(conn, id, file_id)?;
        if let Some((meta, Some(_))) = &found {
            let event = NewEvent::new(Actor::User(user.id), "document.viewed", Some(id)).details(
                json!({ "document_id": meta.document_id, "file_id": meta.id, "side": meta.side }),
            );
            events::insert(conn, &event)?;
        }
        Ok(found)
    })
    .await?;
    let Some((meta, content)) = found else {
        return Err(PageError::from(AppError::NotFound("file")));
    };
    let Some(bytes) = content else {
        return Ok(HttpResponse::Gone()
            .content_type("text/plain; charset=utf-8")
            .body("This file was removed when the session's personal data was redacted."));
    };
    let Some(content_type) = sniff(&bytes) else {
        return Err(PageError::from(AppError::Unexpected(anyhow::anyhow!(
            "stored file {} is of no accepted type",
            meta.id
        ))));
    };
    let disposition = if content_type == "application/pdf" {
        "attachment"
    } else {
        "inline"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename=\"{}-{}\"",
                meta.side,
                meta.id.simple()
            ),
        ))
        // A file is shown, never run: no scripts, no plugins, no framing, even if opened
        // directly.
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; img-src 'self'; sandbox",
        ))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn types_come_from_magic_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.4"), Some("application/pdf"));
        assert_eq!(sniff(b"<html><script>"), None);
    }
}
