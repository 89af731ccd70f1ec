//! The OpenAPI 3.1 document of the Identity API, derived from the handlers' `#[utoipa::path]`
//! attributes and the request and response types themselves, served without a key at
//! `GET /v1/openapi.json`.

use actix_web::{HttpResponse, get};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{RefOr, Required};
use utoipa::{Modify, OpenApi};

use super::documents::files::UploadEncoding;
use super::{accounts, auth, documents, session_devices, sessions, verifications, webhooks};

/// Adds the `X-Api-Key` security scheme every route uses.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                auth::HEADER,
                "An API key (`sk_<env>_<random>`) created by an admin in the dashboard; each route needs one `resource:action` permission.",
            ))),
        );
    }
}

/// Makes a request body declared `Option<T>` (start, approve) what it is: not required,
/// and a `T` when sent. utoipa would also let its schema be JSON `null`, which the server
/// rightly refuses as a document.
struct OptionalBodies;

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let Some(body) = operation.request_body.as_mut() else {
                    continue;
                };
                if body.required == Some(Required::True) {
                    continue;
                }
                body.required = Some(Required::False);
                for content in body.content.values_mut() {
                    if let Some(RefOr::T(Schema::OneOf(one))) = &content.schema {
                        let mut rest: Vec<RefOr<Schema>> =
                            one.items.iter().filter(|s| !is_null(s)).cloned().collect();
                        if rest.len() == 1 {
                            content.schema = rest.pop();
                        }
                    }
                }
            }
        }
    }
}

/// The Identity API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Session Desk Identity API",
        description = "JSON:API over `/v1/identity`: accounts, sessions, documents and verifications, and the webhook endpoints events are pushed to, authenticated by `X-Api-Key`."
    ),
    paths(
        accounts::create,
        accounts::list,
        accounts::show,
        sessions::crud::create,
        sessions::list::list,
        sessions::crud::show,
        sessions::crud::update,
        sessions::actions::start,
        sessions::actions::submit,
        sessions::actions::approve,
        sessions::actions::decline,
        sessions::review::mark_for_review,
        sessions::actions::expire,
        sessions::capture::create,
        sessions::resubmission::request,
        crate::api::redaction::redact_session,
        crate::api::redaction::redact_account,
        session_devices::show,
        documents::list::list,
        documents::create::create_idv,
        documents::create::create_address,
        documents::files::upload,
        documents::show,
        verifications::create,
        verifications::list::list,
        verifications::show,
        webhooks::endpoints::create,
        webhooks::endpoints::list,
        webhooks::endpoints::show,
        webhooks::endpoints::update,
        webhooks::endpoints::remove,
        webhooks::endpoints::rotate_secret,
        webhooks::deliveries::list,
        webhooks::deliveries::show,
        webhooks::deliveries::redeliver,
    ),
    components(schemas(super::error::ErrorDocument)),
    modifiers(&ApiKeyScheme, &OptionalBodies, &UploadEncoding),
    security(("api_key" = [])),
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The members of an OpenAPI Link object that utoipa 5 writes in snake case, and their
/// names in the specification.
const LINK_MEMBERS: &[(&str, &str)] = &[
    ("operation_id", "operationId"),
    ("operation_ref", "operationRef"),
    ("request_body", "requestBody"),
];

/// Renames the members of every response link to the specification's spelling, so that
/// clients (and stateful testers) can follow them from one operation to the next.
fn fix_links(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let operations = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut());
    let links = operations
        .filter_map(|op| op.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links").and_then(|l| l.as_object_mut()))
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        for (from, to) in LINK_MEMBERS {
            if let Some(value) = link.remove(*from) {
                link.insert((*to).to_owned(), value);
            }
        }
    }
}

/// `GET /v1/openapi.json`: the document, to anyone.
#[get("/v1/openapi.json")]
pub async fn serve() -> HttpResponse {
    match serde_json::to_value(document()) {
        Ok(mut doc) => {
            fix_links(&mut doc);
            HttpResponse::Ok().json(doc)
        }
        Err(_) => HttpResponse::Ok().json(document()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_spelt_as_openapi_spells_them() {
        let mut doc = serde_json::to_value(document()).unwrap();
        fix_links(&mut doc);
        let link = &doc["paths"]["/v1/identity/webhook-endpoints"]["post"]["responses"]["201"]["links"]
            ["getWebhookEndpoint"];
        assert_eq!(link["operationId"], "getWebhookEndpoint");
        assert!(link.get("operation_id").is_none());
        assert_eq!(link["parameters"]["id"], "$response.body#/data/id");
    }
}
