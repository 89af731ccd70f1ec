//! Reading a JSON:API request body: bounded in size, JSON by its content type, and decoded
//! with the path of whatever does not fit, so every error points at its member
//! (`/data/attributes/person/name/first`).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::error::Category;

use super::error::{ApiError, not_json, too_large};

/// The largest JSON body the API reads; anything longer is cut off with a 413 while it
/// arrives, never buffered whole.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A required JSON:API request document of type `T`, and the raw body it was read from
/// (what an `Idempotency-Key` retry is compared by).
#[derive(Debug)]
pub struct JsonApi<T>(pub T, pub web::Bytes);

/// An optional one: an empty body is `None`; a non-empty one must be a valid `T`.
#[derive(Debug)]
pub struct OptionalJsonApi<T>(pub Option<T>);

/// For `Option<Option<T>>` members: absent stays `None` (with `#[serde(default)]`), `null`
/// becomes `Some(None)`, a value `Some(Some(v))`. PATCH tells "leave alone" from "clear".
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A serde_json message without its " at line 1 column 7" tail.
pub fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => text,
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", escape(key))),
            Segment::Enum { variant } => out.push_str(&format!("/{}", escape(variant))),
            Segment::Unknown => {}
        }
    }
    out
}

/// A member's name for a message: `first`, or `required_verifications[1]` for an item.
fn name_of(pointer: &str) -> String {
    let mut parts = pointer.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(last), Some(parent)) if last.parse::<usize>().is_ok() => format!("{parent}[{last}]"),
        (Some(last), _) if !last.is_empty() => last.to_owned(),
        _ => "value".to_owned(),
    }
}

/// The text between the first pair of backticks: the field a serde message names.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = message[start..].find('`')? + start;
    Some(&message[start..end])
}

fn from_serde(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let mut pointer = pointer_of(e.path());
    let inner = e.inner();
    let message = without_position(inner);
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {message}."),
        )
        .pointer(&pointer),
        Category::Data if message.starts_with("unknown field") => {
            // serde names the unknown member but stops at the object holding it.
            if let Some(field) = quoted(&message) {
                let own = format!("/{}", escape(field));
                if !pointer.ends_with(&own) {
                    pointer.push_str(&own);
                }
            }
            ApiError::bad_request("unknown_field", message).pointer(&pointer)
        }
        Category::Data if message.starts_with("missing field") => {
            if let Some(field) = quoted(&message) {
                pointer.push_str(&format!("/{}", escape(field)));
            }
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_field", message)
                .pointer(&pointer)
        }
        Category::Data => ApiError::invalid(&pointer, format!("{}: {message}", name_of(&pointer))),
    }
}

/// Decodes a whole body as `T`, trailing garbage included in what is refused. A document
/// is a JSON object: serde would also read a struct from an array, positionally.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::bad_request(
            "invalid_document",
            "A JSON:API document is a JSON object: {\"data\": {...}}.",
        )
        .pointer(""));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(from_serde)?;
    de.end().map_err(|e| {
        ApiError::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {}.", without_position(&e)),
        )
        .pointer("")
    })?;
    Ok(value)
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/vnd.api+json" || essence == "application/json"
}

type BodyFuture = Pin<Box<dyn Future<Output = Result<Option<web::Bytes>, ApiError>>>>;

/// Reads the body under the scope's `PayloadConfig` limit; `None` when it is empty.
fn read(req: &HttpRequest, payload: &mut Payload) -> BodyFuture {
    let bytes = web::Bytes::from_request(req, payload);
    let json = is_json(req);
    Box::pin(async move {
        let body = bytes
            .await
            .map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => too_large(MAX_JSON_BYTES),
                _ => {
                    ApiError::bad_request("unreadable_body", "The request body could not be read.")
                }
            })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        if !json {
            return Err(not_json());
        }
        Ok(Some(body))
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonApi<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read(req, payload);
        Box::pin(async move {
            match body.await? {
                Some(bytes) => decode(&bytes).map(|v| JsonApi(v, bytes)),
                None => Err(ApiError::bad_request(
                    "missing_body",
                    "This request needs a JSON:API document: {\"data\": {...}}.",
                )
                .pointer("")),
            }
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJsonApi<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read(req, payload);
        Box::pin(async move {
            match body.await? {
                Some(bytes) => decode(&bytes).map(|v| OptionalJsonApi(Some(v))),
                None => Ok(OptionalJsonApi(None)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        data: Data,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Data {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        ids: Vec<uuid::Uuid>,
        #[serde(default, deserialize_with = "nullable")]
        note: Option<Option<String>>,
    }

    fn pointer(body: &str) -> (u16, String, String) {
        let e = decode::<Doc>(body.as_bytes()).unwrap_err();
        let o = &e.errors()[0];
        let p = o.source.as_ref().and_then(|s| s.pointer.clone()).unwrap();
        (e.status().as_u16(), o.code.clone(), p)
    }

    #[test]
    fn errors_point_at_the_member_at_fault() {
        assert_eq!(
            pointer(r#"{"data": {"type": "x", "bogus": 1}}"#),
            (400, "unknown_field".into(), "/data/bogus".into())
        );
        assert_eq!(
            pointer(r#"{"data": {}}"#),
            (422, "missing_field".into(), "/data/type".into())
        );
        assert_eq!(
            pointer(r#"{"data": {"type": 7}}"#),
            (422, "invalid_value".into(), "/data/type".into())
        );
        assert_eq!(
            pointer(r#"{"data": {"type": "x", "ids": ["not-a-uuid"]}}"#),
            (422, "invalid_value".into(), "/data/ids/0".into())
        );
        assert_eq!(pointer(r#"{"data": {"type": "x""#).0, 400);
        assert_eq!(
            pointer(r#" [{"type": "x"}]"#),
            (400, "invalid_document".into(), "".into())
        );
        assert_eq!(name_of("/data/ids/0"), "ids[0]");
        assert_eq!(name_of("/data/type"), "type");
        assert_eq!(
            pointer(r#"{"data": {"type": "x"}} trailing"#).1,
            "malformed_json"
        );
    }

    #[test]
    fn null_and_absent_differ() {
        let d: Doc = decode(br#"{"data": {"type": "x", "note": null}}"#).unwrap();
        assert_eq!(d.data.note, Some(None));
        let d: Doc = decode(br#"{"data": {"type": "x"}}"#).unwrap();
        assert_eq!(d.data.note, None);
    }
}
