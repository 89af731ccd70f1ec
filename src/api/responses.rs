//! The error responses the OpenAPI document lists for each kind of route, written once:
//! every error is the same JSON:API error document, and what differs between routes is
//! only which statuses they can answer.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// What each error status means anywhere in the API.
fn description(status: u16) -> &'static str {
    match status {
        400 => "Bad request: an unreadable parameter, header or JSON document",
        401 => "No valid, unrevoked `X-Api-Key`",
        403 => "The key lacks the permission this route needs",
        404 => "No such resource",
        409 => {
            "Conflict: a document `type` or `id` not taken by this route, a taken unique value, a redacted or final session, or a transition the session's status does not allow"
        }
        413 => "Body too large",
        415 => {
            "Unsupported media type: the body is not `application/vnd.api+json` (or `application/json`), or a file is not of a type taken"
        }
        422 => {
            "Invalid value (the error's `source.pointer` names the field), or an `Idempotency-Key` reused with a different body"
        }
        503 => "The database cannot be reached, or every connection is busy: try again",
        _ => "Error",
    }
}

/// The responses for `statuses`, each an `ErrorDocument` as `application/vnd.api+json`.
fn errors(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|status| {
            let content = ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name("ErrorDocument"))))
                .build();
            let response = ResponseBuilder::new()
                .description(description(*status))
                .content(crate::api::envelope::CONTENT_TYPE, content)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

macro_rules! error_set {
    ($(#[$meta:meta])* $name:ident: $($status:literal),+) => {
        $(#[$meta])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                errors(&[$($status),+])
            }
        }
    };
}

error_set!(
    /// A list: unreadable parameters, no key, no permission.
    ListErrors: 400, 401, 403, 503
);
error_set!(
    /// One resource read (or removed, or acted on without a body) by id.
    ReadErrors: 400, 401, 403, 404, 503
);
error_set!(
    /// A create with a body; 404 when a resource it links to does not exist.
    CreateErrors: 400, 401, 403, 404, 409, 413, 415, 422, 503
);
error_set!(
    /// A write with a body on a resource named in the path.
    WriteErrors: 400, 401, 403, 404, 409, 413, 415, 422, 503
);
error_set!(
    /// A lifecycle action without a body on a resource named in the path.
    ActionErrors: 400, 401, 403, 404, 409, 422, 503
);
