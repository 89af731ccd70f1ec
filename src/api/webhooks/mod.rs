//! `/v1/identity/webhook-endpoints` (permission `webhooks:manage`): register, list, read,
//! change and remove the endpoints deliveries go to, and rotate their signing secrets
//! ([`endpoints`]); see and redeliver an endpoint's deliveries ([`deliveries`]). The rules
//! are the dashboard's: both call [`crate::service::webhooks`].

pub mod deliveries;
pub mod endpoints;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use uuid::Uuid;

use super::error::ApiError;
use crate::app::AppState;
use crate::domain::webhooks::EVENT_TYPES;
use crate::service::webhooks::Reach;

/// Where endpoints live.
pub const PATH: &str = "/v1/identity/webhook-endpoints";

/// Where deliveries may go, as this server was configured.
fn reach(state: &AppState) -> Reach {
    Reach {
        allow_insecure: state.config.webhook_allow_insecure,
        allow_private: state.config.webhook_allow_private,
    }
}

/// Reads a path segment as a UUID, naming the parameter when it is not one (the scope's
/// path error handler names `id`, right for every other route).
fn path_id(raw: &str, name: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        ApiError::bad_request("invalid_id", format!("{name} must be a UUID")).parameter(name)
    })
}

/// A port, 0 to 65535.
const PORT: &str =
    "(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

/// The `url` member: what the document promises the server takes (with
/// `WEBHOOK_ALLOW_INSECURE` and `WEBHOOK_ALLOW_PRIVATE` off, the host must also resolve to
/// public addresses only, which no schema can say): `https://`, a host name whose last
/// label starts with a letter, an optional port, a path and an optional query, without
/// credentials, fragment or characters that would be percent-encoded.
fn url_schema() -> RefOr<Schema> {
    let path = "(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*";
    let query = "(?:[A-Za-z0-9._~!$&()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*";
    let pattern = format!(
        "^https://(?:[A-Za-z0-9-]+\\.)*[A-Za-z][A-Za-z0-9-]*(?::{PORT})?/{path}(?:\\?{query})?$"
    );
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
            "uri".to_owned(),
        )))
        .pattern(Some(pattern))
        .max_length(Some(2048))
        .description(Some(
            "Where deliveries go: an https URL with a host name, a path (at least `/`) and an optional query; no credentials or fragment; at most 2,048 characters. Its host must resolve to no loopback, private or link-local address (unless the server runs with `WEBHOOK_ALLOW_PRIVATE=true`); `http://` is taken only with `WEBHOOK_ALLOW_INSECURE=true`.",
        ))
        .into()
}

/// The `description` member: at most 500 characters as sent, no control characters once
/// trimmed; null or blank for none.
fn description_schema() -> RefOr<Schema> {
    super::schema::plain_text(
        500,
        true,
        "What it is for: at most 500 characters, no control characters; null or blank for none.",
    )
}

/// The `events` member: one or more event types, or null for every event.
fn events_schema() -> RefOr<Schema> {
    let item = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(EVENT_TYPES.iter().copied()));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(item)
        .min_items(Some(1))
        .description(Some(
            "The event types the endpoint receives (at least one; repeats are dropped), or null for every event.",
        ))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_the_pattern_takes_is_one_the_server_takes() {
        let RefOr::T(Schema::Object(o)) = url_schema() else {
            panic!("an object schema");
        };
        let re = regex::Regex::new(&o.pattern.unwrap()).unwrap();
        for url in [
            "https://example.com/",
            "https://hooks.example.com:8443/in?x=1&y=a%20b",
            "https://a-b.c0.example/p/a;b=c/@x:~!$*+,()'",
            "https://x/",
        ] {
            assert!(re.is_match(url), "{url}");
            assert!(
                crate::domain::webhooks::check_url(url, false).is_ok(),
                "{url}"
            );
        }
        for url in [
            "http://example.com/",
            "https://example.com",
            "https://1.2.3.4/",
            "https://u:p@example.com/",
            "https://example.com/#f",
            "https://example.com:65536/",
            "https://example.com/%zz",
            "https://example.com/a b",
        ] {
            assert!(!re.is_match(url), "{url}");
        }
    }
}
