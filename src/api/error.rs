//! JSON:API errors: `{"errors": [{"status", "code", "title", "detail", "source"}]}`, the API's
//! rendering of [`AppError`] and of every request that cannot be read.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use super::envelope::CONTENT_TYPE;
use crate::error::AppError;

/// Where in the request an error lies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorSource {
    /// A JSON Pointer (RFC 6901) into the request document: `/data/attributes/reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The query (or path) parameter at fault: `page[size]`, `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// The request header at fault: `X-Api-Key`, `Content-Type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

/// One JSON:API error object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorObject {
    /// The HTTP status, as a string as JSON:API wants it.
    pub status: String,
    /// A stable, machine-readable code (`invalid_value`, `not_found`).
    pub code: String,
    /// The status's short, unchanging summary.
    pub title: String,
    /// What went wrong with this request, in words.
    pub detail: String,
    /// Where, when it can be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
}

/// The error document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDocument {
    /// One object per problem found.
    pub errors: Vec<ErrorObject>,
}

/// An API failure: a status and its error objects. Handlers return it; `?` turns an
/// [`AppError`] into one.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    errors: Vec<ErrorObject>,
    retry_after: Option<u64>,
    allow: Option<String>,
    cause: Option<AppError>,
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_owned()
}

/// The pointer a service's field name stands for in a request document: relationships for
/// the resources a request links to, attributes (dots becoming slashes) for the rest.
pub fn pointer_for(field: &str) -> String {
    match field {
        "account" | "session" | "document" => format!("/data/relationships/{field}/data/id"),
        _ => format!("/data/attributes/{}", field.replace('.', "/")),
    }
}

impl ApiError {
    /// One error with `status`, `code` and `detail`.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            errors: vec![ErrorObject {
                status: status.as_u16().to_string(),
                code: code.to_owned(),
                title: title(status),
                detail: detail.into(),
                source: None,
            }],
            retry_after: None,
            allow: None,
            cause: None,
        }
    }

    fn with_source(mut self, f: impl Fn(&mut ErrorSource)) -> Self {
        for e in &mut self.errors {
            f(e.source.get_or_insert_with(ErrorSource::default));
        }
        self
    }

    /// Points the error at a member of the request document.
    pub fn pointer(self, pointer: &str) -> Self {
        self.with_source(|s| s.pointer = Some(pointer.to_owned()))
    }

    /// Points the error at a query or path parameter.
    pub fn parameter(self, name: &str) -> Self {
        self.with_source(|s| s.parameter = Some(name.to_owned()))
    }

    /// Points the error at a request header.
    pub fn header(self, name: &str) -> Self {
        self.with_source(|s| s.header = Some(name.to_owned()))
    }

    /// 400 with `code`, for a request that cannot be read as it stands.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 400 for a query parameter that cannot be used.
    pub fn bad_parameter(name: &str, detail: impl Into<String>) -> Self {
        Self::bad_request("invalid_parameter", detail).parameter(name)
    }

    /// 422 for one attribute or relationship that breaks a rule.
    pub fn invalid(pointer: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", detail).pointer(pointer)
    }

    /// 409 when the document's `type` or `id` is not the one this route takes.
    pub fn mismatch(pointer: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "type_mismatch", detail).pointer(pointer)
    }

    /// 405 for a method the path does not have; `allow` lists those it has, for `Allow`.
    pub fn method_not_allowed(allow: &str) -> Self {
        let mut out = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("This path takes {allow} only."),
        );
        out.allow = Some(allow.to_owned());
        out
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error objects, for tests and logs.
    pub fn errors(&self) -> &[ErrorObject] {
        &self.errors
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let details: Vec<&str> = self.errors.iter().map(|e| e.detail.as_str()).collect();
        write!(f, "{}: {}", self.status.as_u16(), details.join("; "))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = e.status();
        let mut out = match &e {
            AppError::Validation(fields)
                if !fields.is_empty() && fields.iter().all(|f| f.missing) =>
            {
                let status = StatusCode::NOT_FOUND;
                let mut out = ApiError::new(status, "not_found", "");
                out.errors = fields
                    .iter()
                    .map(|f| ErrorObject {
                        status: status.as_u16().to_string(),
                        code: "not_found".to_owned(),
                        title: title(status),
                        detail: format!("{}: {}", f.field, f.message),
                        source: Some(ErrorSource {
                            pointer: Some(pointer_for(&f.field)),
                            ..ErrorSource::default()
                        }),
                    })
                    .collect();
                out
            }
            AppError::Validation(fields) => {
                let mut out = ApiError::new(status, "invalid_value", "");
                out.errors = fields
                    .iter()
                    .map(|f| ErrorObject {
                        status: status.as_u16().to_string(),
                        code: "invalid_value".to_owned(),
                        title: title(status),
                        detail: format!("{}: {}", f.field, f.message),
                        source: Some(ErrorSource {
                            pointer: Some(pointer_for(&f.field)),
                            ..ErrorSource::default()
                        }),
                    })
                    .collect();
                out
            }
            AppError::NotFound(what) => {
                ApiError::new(status, "not_found", format!("No such {what}."))
            }
            AppError::Unauthenticated => ApiError::new(
                status,
                "unauthenticated",
                "A valid, unrevoked API key is required in the X-Api-Key header.",
            )
            .header("X-Api-Key"),
            AppError::Forbidden | AppError::BadCsrf => {
                ApiError::new(status, "forbidden", "This API key may not do this.")
            }
            AppError::Conflict(conflict) => ApiError::new(status, "conflict", conflict.to_string()),
            AppError::LimitReached(message) => {
                ApiError::new(status, "limit_reached", message.clone())
            }
            AppError::TooManyRequests { retry_after } => {
                let mut out = ApiError::new(status, "too_many_requests", "Too many requests.");
                out.retry_after = Some(*retry_after);
                out
            }
            AppError::Unavailable => ApiError::new(status, "unavailable", e.public_message()),
            AppError::Unexpected(_) => ApiError::new(status, "internal_error", e.public_message()),
        };
        out.cause = Some(e);
        out
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            cause.log();
        }
        let mut builder = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after {
            builder.insert_header(("Retry-After", seconds.to_string()));
        }
        if let Some(allow) = &self.allow {
            builder.insert_header((actix_web::http::header::ALLOW, allow.as_str()));
        }
        builder
            .insert_header(("Cache-Control", "no-store"))
            .content_type(CONTENT_TYPE)
            .json(ErrorDocument {
                errors: self.errors.clone(),
            })
    }
}

/// 413 for a body over the limit.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The request body is larger than {limit} bytes."),
    )
}

/// 415 for a body that is not JSON.
pub fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Send the body as application/vnd.api+json (or application/json).",
    )
    .header("Content-Type")
}

/// The `web::JsonConfig` error handler of the API scope, for any `web::Json` extractor.
pub fn json_config_error(e: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    match e {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => too_large(limit).into(),
        JsonPayloadError::ContentType => not_json().into(),
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request("malformed_json", super::body::without_position(&e))
                .pointer("")
                .into()
        }
        other => ApiError::bad_request("unreadable_body", other.to_string()).into(),
    }
}

/// The `web::QueryConfig` error handler of the API scope.
pub fn query_config_error(e: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("invalid_parameter", e.to_string()).into()
}

/// The `web::PathConfig` error handler of the API scope: every API path names one
/// resource by its `{id}`, so a path that does not parse is a bad `id`.
pub fn path_config_error(e: PathError, _: &HttpRequest) -> actix_web::Error {
    let detail = match e {
        PathError::Deserialize(_) => "id must be a UUID".to_owned(),
        other => other.to_string(),
    };
    ApiError::bad_request("invalid_id", detail)
        .parameter("id")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::person::FieldError;

    #[test]
    fn validation_fields_become_pointers() {
        let e = ApiError::from(AppError::Validation(vec![
            FieldError::new("person.name.first", "too long"),
            FieldError::new("account", "no such account"),
        ]));
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let pointers: Vec<_> = e
            .errors()
            .iter()
            .map(|o| o.source.as_ref().and_then(|s| s.pointer.clone()).unwrap())
            .collect();
        assert_eq!(
            pointers,
            vec![
                "/data/attributes/person/name/first",
                "/data/relationships/account/data/id"
            ]
        );
    }

    #[test]
    fn every_app_error_has_a_code() {
        let cases = [
            (AppError::NotFound("session"), 404, "not_found"),
            (AppError::Unauthenticated, 401, "unauthenticated"),
            (AppError::Forbidden, 403, "forbidden"),
            (AppError::conflict("x"), 409, "conflict"),
            (AppError::LimitReached("x".into()), 409, "limit_reached"),
            (AppError::Unavailable, 503, "unavailable"),
        ];
        for (e, status, code) in cases {
            let e = ApiError::from(e);
            assert_eq!(e.status().as_u16(), status);
            assert_eq!(e.errors()[0].code, code);
            assert_eq!(e.errors()[0].status, status.to_string());
        }
    }
}
