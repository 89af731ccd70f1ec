//! `POST /v1/identity/documents/{id}/files` (`documents:write`): one file as
//! multipart/form-data, fields `file` and `side`.
//!
//! The body is streamed: every chunk is counted (and hashed, for `Idempotency-Key`) as it
//! arrives, and the request is answered 413 the moment the file passes 10 MiB, so an
//! endless upload is cut off rather than buffered. The type is read from the bytes.

use super::{DocumentAttributes, DocumentRelationships};
use crate::api::envelope::Resource;
use std::cell::RefCell;
use std::rc::Rc;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::with_files;
use crate::api::auth::{Authorized, grant};
use crate::api::envelope::Document;
use crate::api::error::{ApiError, too_large};
use crate::api::idempotency::{self, IdempotencyKey};
use crate::db::{self, DbPool};
use crate::domain::files::sniff;
use crate::domain::kinds::FileSide;
use crate::error::AppError;
use crate::service::documents::{self as service, KIND_ADDRESS, MAX_FILE_BYTES, SIDES, Upload};
use crate::store::documents as store;

/// Room for the multipart framing and the `side` field around the file.
const FRAMING_BYTES: usize = 64 * 1024;
/// The longest non-file field read.
const MAX_FIELD_BYTES: usize = 1024;

/// What the raw body stream has seen.
#[derive(Default)]
struct Tally {
    bytes: usize,
    overflow: bool,
    hasher: Sha256,
}

fn unsupported(detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        detail,
    )
    .parameter("file")
}

fn malformed(tally: &Rc<RefCell<Tally>>, e: MultipartError) -> ApiError {
    if tally.borrow().overflow {
        return too_large(MAX_FILE_BYTES);
    }
    if let MultipartError::Payload(PayloadError::Overflow) = e {
        return too_large(MAX_FILE_BYTES);
    }
    ApiError::bad_request(
        "malformed_multipart",
        format!("The multipart body could not be read: {e}."),
    )
}

/// Reads a field up to `limit` bytes; `None` once it passes the limit.
async fn read_field(
    field: &mut Field,
    limit: usize,
    tally: &Rc<RefCell<Tally>>,
) -> Result<Option<Vec<u8>>, ApiError> {
    let mut out = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| malformed(tally, e))?;
        if out.len() + chunk.len() > limit {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out))
}

/// What the form held.
struct Form {
    file: Option<(Vec<u8>, Option<String>)>,
    side: Option<String>,
}

async fn read_form(mut multipart: Multipart, tally: &Rc<RefCell<Tally>>) -> Result<Form, ApiError> {
    let mut form = Form {
        file: None,
        side: None,
    };
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| malformed(tally, e))?;
        let (name, filename) = match field.content_disposition() {
            Some(cd) => (
                cd.get_name().unwrap_or("").to_owned(),
                cd.get_filename().map(str::to_owned),
            ),
            None => (String::new(), None),
        };
        match name.as_str() {
            "file" if form.file.is_none() => {
                let bytes = read_field(&mut field, MAX_FILE_BYTES, tally)
                    .await?
                    .ok_or_else(|| too_large(MAX_FILE_BYTES).parameter("file"))?;
                form.file = Some((bytes, filename));
            }
            "side" if form.side.is_none() => {
                let bytes = read_field(&mut field, MAX_FIELD_BYTES, tally)
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid("/data/attributes/side", "side is too long")
                            .parameter("side")
                    })?;
                form.side = Some(String::from_utf8_lossy(&bytes).trim().to_owned());
            }
            "file" | "side" => {
                return Err(ApiError::bad_request(
                    "duplicate_field",
                    format!("Send one {name} field."),
                )
                .parameter(&name));
            }
            _ => {
                return Err(ApiError::bad_request(
                    "unknown_field",
                    "The form takes the fields file and side only.",
                )
                .parameter(&name));
            }
        }
    }
    Ok(form)
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("multipart/form-data")
        })
}

/// Uploads one file of a document: 201 with the document and its files.
#[utoipa::path(
    post,
    path = "/v1/identity/documents/{id}/files",
    operation_id = "uploadDocumentFile",
    tag = "documents",
    summary = "Upload one file of a document (multipart `file` and `side`)",
    description = "Needs the `documents:write` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
        crate::api::idempotency::IdempotencyHeader,
    ),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The document with its files", body = Document<Resource<DocumentAttributes, DocumentRelationships>>, content_type = "application/vnd.api+json",
            headers(
                ("Location" = String, description = "The new resource's path"),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`"),
            ),
            links(
                ("getDocument" = (operation_id = "getDocument", parameters(("id" = "$response.body#/data/id")))),
                ("uploadDocumentFile" = (operation_id = "uploadDocumentFile", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::WriteErrors,
    ),
)]
#[post("/documents/{id}/files")]
pub async fn upload(
    auth: Authorized<grant::DocumentsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    if !is_multipart(&req) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the file as multipart/form-data with the fields file and side.",
        )
        .header("Content-Type"));
    }
    let document = db::with_conn(&pool, move |conn| {
        store::find(conn, id)?.ok_or(AppError::NotFound("document"))
    })
    .await?;

    let tally = Rc::new(RefCell::new(Tally::default()));
    let counter = Rc::clone(&tally);
    let limit = MAX_FILE_BYTES + FRAMING_BYTES;
    let stream = payload.map(move |chunk| {
        let chunk = chunk?;
        let mut t = counter.borrow_mut();
        t.bytes += chunk.len();
        if t.bytes > limit {
            t.overflow = true;
            return Err(PayloadError::Overflow);
        }
        t.hasher.update(&chunk);
        Ok(chunk)
    });
    let multipart = Multipart::new(req.headers(), stream);
    let form = read_form(multipart, &tally).await?;

    let (bytes, filename) = form.file.ok_or_else(|| {
        ApiError::invalid(
            "/data/attributes/file",
            "file: send the file in a field named file",
        )
        .parameter("file")
    })?;
    let Ok(side) = form.side.unwrap_or_default().parse::<FileSide>() else {
        return Err(ApiError::invalid(
            "/data/attributes/side",
            format!("side: must be one of {}", SIDES.join(", ")),
        )
        .parameter("side"));
    };
    if bytes.is_empty() {
        return Err(
            ApiError::invalid("/data/attributes/file", "file: the file is empty").parameter("file"),
        );
    }
    let content_type =
        sniff(&bytes).ok_or_else(|| unsupported("The file is not a JPEG, PNG, WebP or PDF."))?;
    if content_type == "application/pdf" && document.kind != KIND_ADDRESS {
        return Err(unsupported(
            "PDF files are accepted for address documents only; send a JPEG, PNG or WebP image.",
        ));
    }
    let hash = {
        let t = tally.replace(Tally::default());
        let mut h = Sha256::new();
        h.update(b"POST\n");
        h.update(req.path().as_bytes());
        h.update(b"\n");
        h.update(t.hasher.finalize());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    };
    let keyed = idempotency.scope_with_hash(auth.key.id, hash);
    let upload = Upload {
        side,
        filename: filename.as_deref().and_then(service::sanitize_filename),
        content_type,
        bytes,
    };
    let actor = auth.actor();
    idempotency::respond(
        &pool,
        keyed,
        move |conn| {
            let (document, _) = service::add_file(conn, id, &upload, actor)?;
            let data = with_files(conn, &document)?;
            let concerns = idempotency::Concerns {
                session: Some(document.session_id),
                account: None,
            };
            idempotency::created(&Document { data }, concerns)
        },
        |e| match e {
            AppError::Validation(fields) if fields.iter().any(|f| f.field == "file") => {
                unsupported("PDF files are accepted for address documents only.")
            }
            other => other.into(),
        },
    )
    .await
}

/// The multipart form of `POST /v1/identity/documents/{id}/files`, as the OpenAPI document
/// describes it (serde's attribute gives it `additionalProperties: false`: another field
/// is a 400); the handler reads the stream itself.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileUpload {
    /// The file: JPEG, PNG or WebP (PDF too for address documents), at most 10 MiB; its type
    /// is read from its bytes, whatever its name or declared type.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Which side of the document: `front`, `back`, `portrait` or `page`.
    #[schema(schema_with = side_schema)]
    pub side: String,
}

fn side_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::api::schema::string_enum(
        SIDES,
        false,
        "Which side of the document: `front`, `back`, `portrait` or `page`.",
    )
}

/// The types every document takes, as the form's `encoding` of `file` names them (an
/// address document takes `application/pdf` too).
pub const IMAGE_TYPES: &str = "image/jpeg, image/png, image/webp";

/// Names the types `file` may be in the OpenAPI document's multipart `encoding`, which
/// utoipa's attributes cannot say.
pub struct UploadEncoding;

impl utoipa::Modify for UploadEncoding {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let path = format!("{}/{{id}}/files", super::PATH);
        let content = openapi
            .paths
            .paths
            .get_mut(&path)
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.request_body.as_mut())
            .and_then(|body| body.content.get_mut("multipart/form-data"));
        if let Some(content) = content {
            let encoding = utoipa::openapi::encoding::EncodingBuilder::new()
                .content_type(Some(IMAGE_TYPES))
                .build();
            content.encoding.insert("file".to_owned(), encoding);
        }
    }
}
