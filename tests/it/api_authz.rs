//! The API's permission matrix: every route x {no key, a key with every permission but the
//! one the route needs, a key with only that one} and the status each must get. Every new
//! API route is added here.

use serde_json::json;
use sessiondesk::domain::kinds::Permission;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

struct Route {
    method: &'static str,
    /// `{account}` becomes a fresh account, `{created}`, `{started}`, `{completed}` and
    /// `{failed}` a fresh session in that status, `{device}` the device of a fresh session
    /// started over the API.
    path: &'static str,
    body: Option<&'static str>,
    needs: Permission,
    /// The status the key with the permission gets.
    ok: u16,
}

#[rustfmt::skip]
const MATRIX: &[Route] = &[
    Route { method: "POST",  path: "/v1/identity/accounts", body: Some(r#"{"data": {"type": "account"}}"#), needs: Permission::AccountsWrite, ok: 201 },
    Route { method: "GET",   path: "/v1/identity/accounts", body: None, needs: Permission::AccountsRead, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/accounts/{account}", body: None, needs: Permission::AccountsRead, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions", body: Some(r#"{"data": {"type": "session", "relationships": {"account": {"data": {"type": "account", "id": "{account}"}}}}}"#), needs: Permission::SessionsWrite, ok: 201 },
    Route { method: "GET",   path: "/v1/identity/sessions", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/sessions/{created}", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "PATCH", path: "/v1/identity/sessions/{created}", body: Some(r#"{"data": {"type": "session", "attributes": {"person": {"name": {"first": "Matrix"}}}}}"#), needs: Permission::SessionsWrite, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{created}/start", body: None, needs: Permission::SessionsWrite, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{started}/submit", body: None, needs: Permission::SessionsWrite, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{completed}/approve", body: None, needs: Permission::SessionsDecide, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{completed}/decline", body: Some(r#"{"data": {"type": "decision", "attributes": {"reason": "other"}}}"#), needs: Permission::SessionsDecide, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{failed}/mark-for-review", body: None, needs: Permission::SessionsDecide, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{created}/expire", body: None, needs: Permission::SessionsWrite, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/sessions/{completed}/redact", body: None, needs: Permission::SessionsRedact, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/accounts/{account}/redact", body: None, needs: Permission::SessionsRedact, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/documents/idvs", body: Some(r#"{"data": {"type": "document/idv", "attributes": {"document_type": "passport"}, "relationships": {"session": {"data": {"type": "session", "id": "{created}"}}}}}"#), needs: Permission::DocumentsWrite, ok: 201 },
    Route { method: "POST",  path: "/v1/identity/documents/addresses", body: Some(r#"{"data": {"type": "document/address", "attributes": {"document_type": "utility_bill"}, "relationships": {"session": {"data": {"type": "session", "id": "{created}"}}}}}"#), needs: Permission::DocumentsWrite, ok: 201 },
    Route { method: "POST",  path: "/v1/identity/documents/{document}/files", body: Some(MULTIPART_WEBP), needs: Permission::DocumentsWrite, ok: 201 },
    Route { method: "GET",   path: "/v1/identity/documents/{document}", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/documents?filter[session]={created}", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/session-devices/{device}", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/verifications", body: Some(r#"{"data": {"type": "verification/idv", "relationships": {"document": {"data": {"type": "document/idv", "id": "{idv_document}"}}, "session": {"data": {"type": "session", "id": "{idv_session}"}}}}}"#), needs: Permission::VerificationsWrite, ok: 201 },
    Route { method: "GET",   path: "/v1/identity/verifications", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/verifications/{verification}", body: None, needs: Permission::SessionsRead, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/webhook-endpoints", body: Some(r#"{"data": {"type": "webhook_endpoint", "attributes": {"url": "https://93.184.216.34/matrix", "events": ["session.approved"]}}}"#), needs: Permission::WebhooksManage, ok: 201 },
    Route { method: "GET",   path: "/v1/identity/webhook-endpoints", body: None, needs: Permission::WebhooksManage, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/webhook-endpoints/{endpoint}", body: None, needs: Permission::WebhooksManage, ok: 200 },
    Route { method: "PATCH", path: "/v1/identity/webhook-endpoints/{endpoint}", body: Some(r#"{"data": {"type": "webhook_endpoint", "attributes": {"description": "matrix", "enabled": false}}}"#), needs: Permission::WebhooksManage, ok: 200 },
    Route { method: "DELETE", path: "/v1/identity/webhook-endpoints/{endpoint}", body: None, needs: Permission::WebhooksManage, ok: 204 },
    Route { method: "POST",  path: "/v1/identity/webhook-endpoints/{endpoint}/rotate-secret", body: None, needs: Permission::WebhooksManage, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/webhook-endpoints/{endpoint}/deliveries", body: None, needs: Permission::WebhooksManage, ok: 200 },
    Route { method: "GET",   path: "/v1/identity/webhook-endpoints/{endpoint_delivery}", body: None, needs: Permission::WebhooksManage, ok: 200 },
    Route { method: "POST",  path: "/v1/identity/webhook-endpoints/{endpoint_delivery}/redeliver", body: None, needs: Permission::WebhooksManage, ok: 202 },
];

/// The boundary of [`MULTIPART_WEBP`].
const BOUNDARY: &str = "matrixboundary";
/// A multipart upload of a (tiny, all-ASCII) WebP header as the front side.
const MULTIPART_WEBP: &str = "--matrixboundary\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\nfront\r\n--matrixboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.webp\"\r\nContent-Type: image/webp\r\n\r\nRIFF0000WEBPVP8 \r\n--matrixboundary--\r\n";

async fn fill(app: &TestApp, admin_key: &str, text: &str) -> String {
    let mut out = text.to_owned();
    if out.contains("{account}") {
        let account = app.api_account(admin_key).await;
        out = out.replace("{account}", &account.to_string());
    }
    for (placeholder, status) in [
        ("{created}", "created"),
        ("{started}", "started"),
        ("{completed}", "completed"),
        ("{failed}", "failed"),
    ] {
        if out.contains(placeholder) {
            let account = app.api_account(admin_key).await;
            let id: Uuid = app.api_session(admin_key, account).await.id();
            app.set_status(id, status);
            out = out.replace(placeholder, &id.to_string());
        }
    }
    if out.contains("{idv_document}") || out.contains("{verification}") {
        let account = app.api_account(admin_key).await;
        let session: Uuid = app.api_session(admin_key, account).await.id();
        let r = app
            .api(
                "POST",
                "/v1/identity/documents/idvs",
                admin_key,
                Some(json!({"data": {"type": "document/idv", "attributes": {"document_type": "passport"},
                    "relationships": {"session": {"data": {"type": "session", "id": session}}}}})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let document = r.id();
        if out.contains("{verification}") {
            let v = app
                .api(
                    "POST",
                    "/v1/identity/verifications",
                    admin_key,
                    Some(
                        json!({"data": {"type": "verification/idv", "relationships": {
                        "document": {"data": {"type": "document/idv", "id": document}},
                        "session": {"data": {"type": "session", "id": session}}}}}),
                    ),
                )
                .await;
            assert_eq!(v.status, 201, "{:?}", v.body);
            out = out.replace("{verification}", &v.id().to_string());
        }
        out = out
            .replace("{idv_document}", &document.to_string())
            .replace("{idv_session}", &session.to_string());
    }
    if out.contains("{device}") {
        let account = app.api_account(admin_key).await;
        let session: Uuid = app.api_session(admin_key, account).await.id();
        let r = app
            .api(
                "POST",
                &format!("/v1/identity/sessions/{session}/start"),
                admin_key,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let device = r.body["data"]["relationships"]["session_device"]["data"]["id"]
            .as_str()
            .expect("a device")
            .to_owned();
        out = out.replace("{device}", &device);
    }
    if out.contains("{endpoint}") {
        out = out.replace("{endpoint}", &endpoint(app, admin_key).await.to_string());
    }
    if out.contains("{endpoint_delivery}") {
        let endpoint = endpoint(app, admin_key).await;
        let delivery = failed_delivery(app, endpoint);
        out = out.replace(
            "{endpoint_delivery}",
            &format!("{endpoint}/deliveries/{delivery}"),
        );
    }
    if out.contains("{document}") {
        let account = app.api_account(admin_key).await;
        let session: Uuid = app.api_session(admin_key, account).await.id();
        let r = app
            .api(
                "POST",
                "/v1/identity/documents/idvs",
                admin_key,
                Some(json!({"data": {"type": "document/idv", "attributes": {"document_type": "passport"},
                    "relationships": {"session": {"data": {"type": "session", "id": session}}}}})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        out = out.replace("{document}", &r.id().to_string());
    }
    out
}

/// A webhook endpoint registered through the API (for session approvals only, which the
/// matrix makes before it reaches the webhook routes).
async fn endpoint(app: &TestApp, admin_key: &str) -> Uuid {
    let r = app
        .api(
            "POST",
            "/v1/identity/webhook-endpoints",
            admin_key,
            Some(json!({"data": {"type": "webhook_endpoint", "attributes": {
                "url": "https://93.184.216.34/matrix", "events": ["session.approved"]}}})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

/// A finished (failed) delivery to `endpoint`, written directly: the matrix has no receiver.
fn failed_delivery(app: &TestApp, endpoint: Uuid) -> Uuid {
    use diesel::prelude::*;
    use sessiondesk::schema::webhook_deliveries as d;
    diesel::insert_into(d::table)
        .values((
            d::endpoint_id.eq(endpoint),
            d::event_id.eq(format!("evt_{}", Uuid::new_v4().simple())),
            d::event_type.eq("session.approved"),
            d::payload.eq(json!({"type": "session.approved"})),
            d::status.eq("failed"),
            d::attempts.eq(8),
        ))
        .returning(d::id)
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn every_api_route_refuses_a_missing_key_and_a_missing_permission() {
    // No delivery worker: a redelivery the matrix queues must not dial the public address
    // its endpoints name.
    let app = spawn_app_with(|c| c.webhook_deliver = false).await;
    let admin_key = app.full_api_key();
    let mut failures = Vec::new();
    for route in MATRIX {
        let all_but: Vec<Permission> = Permission::ALL
            .iter()
            .copied()
            .filter(|p| *p != route.needs)
            .collect();
        let cells = [
            ("no key", None, 401),
            ("a key without it", Some(app.api_key(&all_but)), 403),
            (
                "a key with only it",
                Some(app.api_key(&[route.needs])),
                route.ok,
            ),
        ];
        for (who, key, expected) in cells {
            // Fresh resources per cell: a refused cell must not be what lets the next pass.
            let path = fill(&app, &admin_key, route.path).await;
            let body = match route.body {
                Some(b) => fill(&app, &admin_key, b).await.into_bytes(),
                None => Vec::new(),
            };
            let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
            let ct = route.body.map(|b| match b.starts_with("--") {
                true => multipart.as_str(),
                false => "application/vnd.api+json",
            });
            let before = app.fingerprint();
            let r = app
                .api_raw(route.method, &path, key.as_deref(), ct, body)
                .await;
            if r.status != expected {
                failures.push(format!(
                    "{} {} with {who}: got {}, expected {expected}: {}",
                    route.method, route.path, r.status, r.body
                ));
            }
            if expected >= 400 {
                if !r.content_type.starts_with("application/vnd.api+json") {
                    failures.push(format!(
                        "{} {}: error is not JSON:API",
                        route.method, route.path
                    ));
                }
                if route.method != "GET" && app.fingerprint() != before {
                    failures.push(format!("{} {} with {who}: wrote", route.method, route.path));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "API permission matrix violations:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_403_names_the_missing_permission() {
    let app = spawn_app().await;
    let key = app.api_key(&[Permission::AccountsRead]);
    let r = app
        .api(
            "POST",
            "/v1/identity/accounts",
            &key,
            Some(json!({"data": {"type": "account"}})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.code(), "forbidden");
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("accounts:write")
    );
    // The permission is decided before the body or the path is read.
    let r = app
        .api_raw(
            "POST",
            "/v1/identity/accounts",
            Some(&key),
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api_raw(
            "GET",
            "/v1/identity/sessions/not-a-uuid",
            Some(&key),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api_raw(
            "GET",
            "/v1/identity/sessions/not-a-uuid",
            None,
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 401);
}
