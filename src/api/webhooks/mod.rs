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

/// A string schema allowing exactly `values`, nullable when `nullable`, described by
/// `description` (a field's doc comment is lost when its schema is built by hand).
fn string_enum(values: &[&str], nullable: bool, description: &str) -> RefOr<Schema> {
    let kind = match nullable {
        true => SchemaType::from_iter([Type::String, Type::Null]),
        false => SchemaType::from(Type::String),
    };
    let mut values: Vec<Option<&str>> = values.iter().copied().map(Some).collect();
    if nullable {
        values.push(None);
    }
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some(values))
        .description(Some(description))
        .into()
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
