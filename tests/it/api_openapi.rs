//! The OpenAPI document at `GET /v1/openapi.json`: served without a key, OpenAPI 3.1, and
//! every operation it lists is routed and answers with a status it declares.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn fetch_document(app: &TestApp) -> Value {
    let response = app.get("/v1/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200, "served without a key");
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("the document is JSON")
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_names_the_api() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1"), "openapi is {version}");
    assert_eq!(doc["info"]["title"], "Session Desk Identity API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let scheme = &doc["components"]["securitySchemes"]["api_key"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "X-Api-Key");
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 28, "every route of the API is documented");
    for (path, item) in paths {
        assert!(path.starts_with("/v1/identity/"), "{path}");
        for (method, op) in item.as_object().expect("path item") {
            let description = op["description"].as_str().unwrap_or("");
            assert!(description.contains("permission"), "{method} {path}");
            assert!(op["security"].is_array() || doc["security"].is_array());
        }
    }
}

/// A body each route can read far enough to answer as documented.
fn minimal_body(path: &str) -> Value {
    if path == "/v1/identity/accounts" {
        json!({"data": {"type": "account"}})
    } else {
        json!({"data": {"type": "placeholder"}})
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_answers_as_documented() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let key = app.full_api_key();
    let placeholder = uuid::Uuid::new_v4().to_string();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let declared: Vec<u16> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(|s| s.parse().expect("a numeric status"))
                .collect();
            let url = path.replace("{id}", &placeholder);
            let upper = method.to_uppercase();
            let content = op["requestBody"]["content"].as_object();
            let response = match content {
                Some(c) if c.contains_key("multipart/form-data") => {
                    app.api_raw(
                        &upper,
                        &url,
                        Some(&key),
                        Some("multipart/form-data; boundary=x"),
                        b"--x--\r\n".to_vec(),
                    )
                    .await
                }
                Some(_) => app.api(&upper, &url, &key, Some(minimal_body(path))).await,
                None => app.api(&upper, &url, &key, None).await,
            };
            let status = response.status;
            assert!(
                declared.contains(&status),
                "{upper} {path} answered {status}, not one of {declared:?}: {}",
                response.body
            );
            assert_ne!(status, 405, "{upper} {path}");
            assert!(status < 500, "{upper} {path} answered {status}");
            let detail = response.body["errors"][0]["detail"].as_str().unwrap_or("");
            assert!(
                !detail.contains("No such route"),
                "{upper} {path} is not routed"
            );
            operations += 1;
        }
    }
    assert_eq!(operations, 35, "every handler is documented");
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").values())
        .map(|op| op["operationId"].as_str().expect("operationId"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), operations, "operation ids are unique");
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];

/// A documented path with its `{...}` parameters filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.starts_with('{') {
            true => uuid::Uuid::new_v4().to_string(),
            false => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn a_method_a_path_lacks_is_405_with_the_methods_it_has() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let key = app.full_api_key();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let documented: Vec<String> = item
            .as_object()
            .expect("path item")
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        let url = format!("{}{}", app.address, concrete(path));
        for method in METHODS
            .iter()
            .filter(|m| !documented.iter().any(|d| d == *m))
        {
            let response = app
                .client
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    &url,
                )
                .header("X-Api-Key", &key)
                .send()
                .await
                .expect("request is sent");
            assert_eq!(response.status().as_u16(), 405, "{method} {path}");
            let allow = response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let mut allowed: Vec<&str> = allow.split(", ").collect();
            allowed.sort_unstable();
            let mut expected: Vec<&str> = documented.iter().map(String::as_str).collect();
            expected.sort_unstable();
            assert_eq!(allowed, expected, "Allow of {method} {path}");
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                content_type.starts_with("application/vnd.api+json"),
                "{content_type}"
            );
            let body: Value = response.json().await.expect("a JSON:API error");
            assert_eq!(body["errors"][0]["status"], "405");
            assert_eq!(body["errors"][0]["code"], "method_not_allowed");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} methods checked");

    // The key is still checked first, and a path the API does not have is still a 404.
    let r = app
        .api_raw("DELETE", "/v1/identity/sessions", None, None, Vec::new())
        .await;
    assert_eq!(r.status, 401);
    let r = app.api("DELETE", "/v1/identity/nowhere", &key, None).await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    // A literal path is its own: GET /documents/idvs is not a document with the id "idvs".
    let r = app
        .api("GET", "/v1/identity/documents/idvs", &key, None)
        .await;
    assert_eq!((r.status, r.code()), (405, "method_not_allowed"));
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/documents/{}", uuid::Uuid::new_v4()),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

/// The schema of the query parameter `name` of `method path`.
fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} documents {name}"))
}

#[tokio::test]
async fn lists_declare_their_bounds_and_uuid_filters_and_keep_to_them() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let key = app.full_api_key();
    let lists = [
        "/v1/identity/accounts",
        "/v1/identity/sessions",
        "/v1/identity/verifications",
        "/v1/identity/webhook-endpoints",
    ];
    for list in lists {
        let size = parameter(&doc, list, "get", "page[size]");
        assert_eq!(size["type"], "integer", "{list}");
        assert_eq!(
            (size["minimum"].as_i64(), size["maximum"].as_i64()),
            (Some(1), Some(100)),
            "{list}"
        );
        for (value, status) in [
            ("1", 200),
            ("100", 200),
            ("0", 400),
            ("101", 400),
            ("", 400),
            ("2.5", 400),
        ] {
            let r = app
                .api("GET", &format!("{list}?page%5Bsize%5D={value}"), &key, None)
                .await;
            assert_eq!(r.status, status, "{list} page[size]={value}: {}", r.body);
            if status == 400 {
                assert_eq!(r.parameter(), Some("page[size]"), "{list}");
            }
        }
    }
    for (list, filter) in [
        ("/v1/identity/sessions", "filter[account]"),
        ("/v1/identity/sessions", "filter[session_device]"),
        ("/v1/identity/verifications", "filter[session]"),
    ] {
        let schema = parameter(&doc, list, "get", filter);
        assert_eq!(
            (schema["type"].as_str(), schema["format"].as_str()),
            (Some("string"), Some("uuid")),
            "{list} {filter}"
        );
        let encoded = filter.replace('[', "%5B").replace(']', "%5D");
        for bad in ["nope", "", "123", "00000000-0000-4000-8000-00000000000g"] {
            let r = app
                .api("GET", &format!("{list}?{encoded}={bad}"), &key, None)
                .await;
            assert_eq!(
                (r.status, r.code()),
                (400, "invalid_parameter"),
                "{list} {filter}={bad}"
            );
            assert_eq!(r.parameter(), Some(filter), "{list} {filter}={bad}");
        }
        let r = app
            .api(
                "GET",
                &format!("{list}?{encoded}={}", uuid::Uuid::new_v4()),
                &key,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{list} {filter}: {}", r.body);
    }
    let statuses = parameter(&doc, "/v1/identity/sessions", "get", "filter[status]");
    assert_eq!(statuses["type"], "array");
    assert!(
        statuses["items"]["enum"]
            .as_array()
            .is_some_and(|e| e.iter().any(|v| v == "completed"))
    );
}

/// `schema` with a `$ref` to a component replaced by the component.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().expect("a component name");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[tokio::test]
async fn request_bodies_name_their_type_and_take_no_other_members() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Some(schema) =
                op["requestBody"]["content"]["application/vnd.api+json"].get("schema")
            else {
                continue;
            };
            let document = resolve(&doc, schema);
            assert_eq!(document["additionalProperties"], false, "{method} {path}");
            assert!(
                document["oneOf"].is_null(),
                "{method} {path}: a body, never null"
            );
            let data = resolve(&doc, &document["properties"]["data"]);
            let shapes: Vec<&Value> = match data["oneOf"].as_array() {
                Some(options) => options.iter().map(|o| resolve(&doc, o)).collect(),
                None => vec![data],
            };
            for shape in shapes {
                assert_eq!(shape["additionalProperties"], false, "{method} {path}");
                let kind = &shape["properties"]["type"];
                let values = kind["enum"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {path}: data.type is an enum"));
                assert_eq!(values.len(), 1, "{method} {path}: one type per shape");
                assert!(
                    shape["required"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|m| m == "type")),
                    "{method} {path}: data.type is required"
                );
            }
            bodies += 1;
        }
    }
    assert_eq!(bodies, 13, "every JSON body");
}

#[tokio::test]
async fn every_operation_declares_the_errors_it_can_answer() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let responses = op["responses"].as_object().expect("responses");
            let mut must = vec!["400", "401", "403", "503"];
            if path.contains('{') {
                must.push("404");
            }
            if op["requestBody"].is_object() {
                must.extend(["413", "415", "422"]);
            }
            for status in must {
                let response = &responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} declares {status}"));
                let schema = &response["content"]["application/vnd.api+json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ErrorDocument",
                    "{method} {path} {status}"
                );
            }
        }
    }
}
