//! `GET /sessions/{id}/files/{file_id}`: a document file for the viewer, and
//! `GET .../preview`: a PDF's first pages rendered to one PNG, so that a proof of address
//! is seen on the case page without a download. Reviewers and admins only; the type comes
//! from the stored bytes, never from the uploader; views are audit events, one per user
//! and document per ten minutes.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::domain::files::sniff;
use crate::error::AppError;
use crate::service::pdf_preview::{self, RenderError};
use crate::service::reads;
use crate::store::documents::{self, FileMeta};
use crate::web::auth::CaseWorker;
use crate::web::error::PageError;

/// What a file's route found: its metadata and, unless redacted, its bytes.
enum Found {
    File(FileMeta, Vec<u8>),
    Redacted,
}

/// Reads one file of one session and records the view (when there is something to see).
async fn load(user: Uuid, pool: &DbPool, path: (String, String)) -> Result<Found, PageError> {
    let (id, file_id) = path;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound("file"))?;
    let file_id = Uuid::parse_str(&file_id).map_err(|_| AppError::NotFound("file"))?;
    let found = db::with_conn(pool, move |conn| {
        let found = documents::file_of_session(conn, id, file_id)?;
        if let Some((meta, Some(_))) = &found {
            reads::document_viewed(conn, user, id, meta)?;
        }
        Ok(found)
    })
    .await?;
    match found {
        None => Err(PageError::from(AppError::NotFound("file"))),
        Some((_, None)) => Ok(Found::Redacted),
        Some((meta, Some(bytes))) => Ok(Found::File(meta, bytes)),
    }
}

fn gone() -> HttpResponse {
    HttpResponse::Gone()
        .content_type("text/plain; charset=utf-8")
        .body("This file was removed when the session's personal data was redacted.")
}

/// A file's download name: what it is and its extension, nothing of the applicant's.
pub fn download_name(meta: &FileMeta, content_type: &str) -> String {
    let ext = match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "bin",
    };
    format!("document-{}.{ext}", meta.side)
}

/// A file is shown, never run: no scripts, no plugins, no framing, even if opened
/// directly.
const FILE_CSP: &str = "default-src 'none'; img-src 'self'; sandbox";

/// Serves one file of one session (a PDF as a download with a real file name).
#[get("/sessions/{id}/files/{file_id}")]
pub async fn show(
    CaseWorker(user): CaseWorker,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (meta, bytes) = match load(user.id, &pool, path.into_inner()).await? {
        Found::File(meta, bytes) => (meta, bytes),
        Found::Redacted => return Ok(gone()),
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
                "{disposition}; filename=\"{}\"",
                download_name(&meta, content_type)
            ),
        ))
        .insert_header(("Content-Security-Policy", FILE_CSP))
        .body(bytes))
}

/// Serves a PDF file's first pages as one PNG, rendered off the request's database
/// connection with a bounded number of renders at once.
#[get("/sessions/{id}/files/{file_id}/preview")]
pub async fn preview(
    CaseWorker(user): CaseWorker,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (meta, bytes) = match load(user.id, &pool, path.into_inner()).await? {
        Found::File(meta, bytes) => (meta, bytes),
        Found::Redacted => return Ok(gone()),
    };
    if sniff(&bytes) != Some("application/pdf") {
        return Err(PageError::from(AppError::NotFound("preview")));
    }
    let permit = pdf_preview::RENDERS
        .acquire()
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let rendered = web::block(move || pdf_preview::render(&bytes))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("the render thread failed: {e}")))?;
    drop(permit);
    let png = match rendered {
        Ok(png) => png,
        Err(RenderError::Refused) => {
            return Ok(HttpResponse::UnprocessableEntity()
                .content_type("text/plain; charset=utf-8")
                .body("This PDF cannot be shown; download it instead."));
        }
        Err(e @ (RenderError::Timeout | RenderError::Unavailable(_))) => {
            tracing::warn!(file_id = %meta.id, error = %e, "a PDF preview was not rendered");
            return Err(PageError::from(AppError::Unavailable));
        }
        Err(e) => return Err(PageError::from(AppError::Unexpected(e.into()))),
    };
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"document-{}-preview.png\"", meta.side),
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .insert_header(("Content-Security-Policy", FILE_CSP))
        .body(png))
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
