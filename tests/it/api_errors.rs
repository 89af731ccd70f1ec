//! Every kind of bad input gets a 4xx JSON:API error that points at the member or parameter
//! at fault, and leaves the database exactly as it was.

use serde_json::json;

use crate::helpers::spawn_app;

/// Where an error must point.
#[derive(Debug, Clone, Copy)]
enum At {
    Pointer(&'static str),
    Parameter(&'static str),
    Header(&'static str),
}

struct Case {
    what: &'static str,
    method: &'static str,
    /// `{account}`, `{session}` (created) and `{completed}` are filled in.
    path: &'static str,
    content_type: Option<&'static str>,
    body: String,
    status: u16,
    code: &'static str,
    at: At,
}

fn case(
    what: &'static str,
    method: &'static str,
    path: &'static str,
    body: serde_json::Value,
    status: u16,
    code: &'static str,
    at: At,
) -> Case {
    Case {
        what,
        method,
        path,
        content_type: Some("application/vnd.api+json"),
        body: body.to_string(),
        status,
        code,
        at,
    }
}

#[allow(clippy::too_many_arguments)]
fn raw(
    what: &'static str,
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: &str,
    status: u16,
    code: &'static str,
    at: At,
) -> Case {
    Case {
        what,
        method,
        path,
        content_type,
        body: body.to_owned(),
        status,
        code,
        at,
    }
}

fn session_doc(attributes: serde_json::Value, account: &str) -> serde_json::Value {
    json!({"data": {"type": "session", "attributes": attributes,
        "relationships": {"account": {"data": {"type": "account", "id": account}}}}})
}

fn patch(attributes: serde_json::Value) -> serde_json::Value {
    json!({"data": {"type": "session", "attributes": attributes}})
}

fn cases() -> Vec<Case> {
    use At::*;
    const ACCOUNTS: &str = "/v1/identity/accounts";
    const SESSIONS: &str = "/v1/identity/sessions";
    const SESSION: &str = "/v1/identity/sessions/{session}";
    let long = "x".repeat(101);
    vec![
        raw(
            "malformed JSON",
            "POST",
            ACCOUNTS,
            Some("application/json"),
            r#"{"data": {"type": "account""#,
            400,
            "malformed_json",
            Pointer("/data"),
        ),
        raw(
            "trailing garbage",
            "POST",
            ACCOUNTS,
            Some("application/json"),
            r#"{"data": {"type": "account"}} {}"#,
            400,
            "malformed_json",
            Pointer(""),
        ),
        raw(
            "not JSON at all",
            "POST",
            ACCOUNTS,
            Some("text/plain"),
            "external_id=1",
            415,
            "unsupported_media_type",
            Header("Content-Type"),
        ),
        raw(
            "an array for a document",
            "POST",
            ACCOUNTS,
            Some("application/json"),
            r#"[{"type": "account"}]"#,
            400,
            "invalid_document",
            Pointer(""),
        ),
        raw(
            "no content type",
            "POST",
            ACCOUNTS,
            None,
            r#"{"data": {"type": "account"}}"#,
            415,
            "unsupported_media_type",
            Header("Content-Type"),
        ),
        raw(
            "an empty body",
            "POST",
            ACCOUNTS,
            Some("application/vnd.api+json"),
            "",
            400,
            "missing_body",
            Pointer(""),
        ),
        raw(
            "an oversized body",
            "POST",
            ACCOUNTS,
            Some("application/vnd.api+json"),
            &format!(
                r#"{{"data": {{"type": "account", "attributes": {{"external_id": "{}"}}}}}}"#,
                "x".repeat(100_000)
            ),
            413,
            "payload_too_large",
            Pointer("-"),
        ),
        case(
            "an unknown attribute",
            "POST",
            ACCOUNTS,
            json!({"data": {"type": "account", "attributes": {"nickname": "x"}}}),
            400,
            "unknown_field",
            Pointer("/data/attributes/nickname"),
        ),
        case(
            "an unknown top-level member",
            "POST",
            ACCOUNTS,
            json!({"data": {"type": "account"}, "included": []}),
            400,
            "unknown_field",
            Pointer("/included"),
        ),
        case(
            "a wrong type",
            "POST",
            ACCOUNTS,
            json!({"data": {"type": "account", "attributes": {"external_id": 5}}}),
            422,
            "invalid_value",
            Pointer("/data/attributes/external_id"),
        ),
        case(
            "an overlong external id",
            "POST",
            ACCOUNTS,
            json!({"data": {"type": "account", "attributes": {"external_id": "x".repeat(256)}}}),
            422,
            "invalid_value",
            Pointer("/data/attributes/external_id"),
        ),
        case(
            "the wrong resource type",
            "POST",
            ACCOUNTS,
            json!({"data": {"type": "session"}}),
            409,
            "type_mismatch",
            Pointer("/data/type"),
        ),
        case(
            "no data",
            "POST",
            ACCOUNTS,
            json!({}),
            422,
            "missing_field",
            Pointer("/data"),
        ),
        case(
            "a bad UUID in a body",
            "POST",
            SESSIONS,
            session_doc(json!({}), "not-a-uuid"),
            422,
            "invalid_value",
            Pointer("/data/relationships/account/data/id"),
        ),
        case(
            "an account that does not exist",
            "POST",
            SESSIONS,
            session_doc(json!({}), "00000000-0000-4000-8000-000000000000"),
            404,
            "not_found",
            Pointer("/data/relationships/account/data/id"),
        ),
        case(
            "no account",
            "POST",
            SESSIONS,
            json!({"data": {"type": "session"}}),
            422,
            "missing_field",
            Pointer("/data/relationships"),
        ),
        case(
            "an unknown verification kind",
            "POST",
            SESSIONS,
            session_doc(
                json!({"required_verifications": ["verification/idv", "verification/face"]}),
                "{account}",
            ),
            422,
            "invalid_value",
            Pointer("/data/attributes/required_verifications/1"),
        ),
        case(
            "no verification kinds",
            "POST",
            SESSIONS,
            session_doc(json!({"required_verifications": []}), "{account}"),
            422,
            "invalid_value",
            Pointer("/data/attributes/required_verifications"),
        ),
        case(
            "an unknown entity type",
            "POST",
            SESSIONS,
            session_doc(json!({"entity_type": "company"}), "{account}"),
            422,
            "invalid_value",
            Pointer("/data/attributes/entity_type"),
        ),
        case(
            "an overlong name at creation",
            "POST",
            SESSIONS,
            session_doc(json!({"person": {"name": {"first": long}}}), "{account}"),
            422,
            "invalid_value",
            Pointer("/data/attributes/person/name/first"),
        ),
        case(
            "an unknown member in a nested object",
            "POST",
            SESSIONS,
            session_doc(json!({"person": {"name": {"nick": "A"}}}), "{account}"),
            400,
            "unknown_field",
            Pointer("/data/attributes/person/name/nick"),
        ),
        case(
            "a bad country code",
            "PATCH",
            SESSION,
            patch(json!({"address": {"country_code": "XX"}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/address/country_code"),
        ),
        case(
            "an impossible birth date",
            "PATCH",
            SESSION,
            patch(json!({"person": {"birth_date": "1974-02-30"}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/person/birth_date"),
        ),
        case(
            "a birth date that is a number",
            "PATCH",
            SESSION,
            patch(json!({"person": {"birth_date": 19740812}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/person/birth_date"),
        ),
        case(
            "a bad email",
            "PATCH",
            SESSION,
            patch(json!({"contact": {"email": "anna@@example.org"}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/contact/email"),
        ),
        case(
            "a bad phone",
            "PATCH",
            SESSION,
            patch(json!({"contact": {"phone": "0701234567"}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/contact/phone"),
        ),
        case(
            "an unknown identity class",
            "PATCH",
            SESSION,
            patch(json!({"identity_number": {"class": "visa"}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/identity_number/class"),
        ),
        case(
            "control characters in a name",
            "PATCH",
            SESSION,
            patch(json!({"person": {"name": {"last": "Eriks\u{0}son"}}})),
            422,
            "invalid_value",
            Pointer("/data/attributes/person/name/last"),
        ),
        case(
            "an attribute PATCH does not take",
            "PATCH",
            SESSION,
            patch(json!({"status": "approved"})),
            400,
            "unknown_field",
            Pointer("/data/attributes/status"),
        ),
        case(
            "another session's id",
            "PATCH",
            SESSION,
            json!({"data": {"type": "session", "id": "00000000-0000-4000-8000-000000000000"}}),
            409,
            "type_mismatch",
            Pointer("/data/id"),
        ),
        case(
            "an unknown platform",
            "POST",
            "/v1/identity/sessions/{session}/start",
            json!({"data": {"type": "session_device", "attributes": {"platform": "amiga"}}}),
            422,
            "invalid_value",
            Pointer("/data/attributes/platform"),
        ),
        case(
            "an unknown device attribute",
            "POST",
            "/v1/identity/sessions/{session}/start",
            json!({"data": {"type": "session_device", "attributes": {"gps": "59.3,18.0"}}}),
            400,
            "unknown_field",
            Pointer("/data/attributes/gps"),
        ),
        case(
            "a device that is not one",
            "POST",
            "/v1/identity/sessions/{session}/start",
            json!({"data": {"type": "decision"}}),
            409,
            "type_mismatch",
            Pointer("/data/type"),
        ),
        case(
            "an unknown decline reason",
            "POST",
            "/v1/identity/sessions/{completed}/decline",
            json!({"data": {"type": "decision", "attributes": {"reason": "bored"}}}),
            422,
            "invalid_value",
            Pointer("/data/attributes/reason"),
        ),
        case(
            "a reason on an approval",
            "POST",
            "/v1/identity/sessions/{completed}/approve",
            json!({"data": {"type": "decision", "attributes": {"reason": "other"}}}),
            422,
            "invalid_value",
            Pointer("/data/attributes/reason"),
        ),
        case(
            "an overlong comment",
            "POST",
            "/v1/identity/sessions/{completed}/approve",
            json!({"data": {"type": "decision", "attributes": {"comment": "x".repeat(2001)}}}),
            422,
            "invalid_value",
            Pointer("/data/attributes/comment"),
        ),
        raw(
            "a bad UUID in a path",
            "GET",
            "/v1/identity/sessions/not-a-uuid",
            None,
            "",
            400,
            "invalid_id",
            Parameter("id"),
        ),
        raw(
            "a bad UUID in an action path",
            "POST",
            "/v1/identity/sessions/123/start",
            None,
            "",
            400,
            "invalid_id",
            Parameter("id"),
        ),
        raw(
            "a bad account id in a path",
            "GET",
            "/v1/identity/accounts/xyz",
            None,
            "",
            400,
            "invalid_id",
            Parameter("id"),
        ),
        raw(
            "a page size of 0",
            "GET",
            "/v1/identity/sessions?page[size]=0",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[size]"),
        ),
        raw(
            "a page size of 101",
            "GET",
            "/v1/identity/accounts?page%5Bsize%5D=101",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[size]"),
        ),
        raw(
            "a page size that is not a number",
            "GET",
            "/v1/identity/sessions?page[size]=ten",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[size]"),
        ),
        raw(
            "a forged cursor",
            "GET",
            "/v1/identity/sessions?page[after]=bm90LWEtY3Vyc29y",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[after]"),
        ),
        raw(
            "a garbage cursor",
            "GET",
            "/v1/identity/accounts?page[before]=%21%21%21",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[before]"),
        ),
        raw(
            "both cursors",
            "GET",
            "/v1/identity/sessions?page[after]=MTcwMDAwMDAwMDAwMDAwMC4wMDAwMDAwMDAwMDA0MDAwODAwMDAwMDAwMDAwMDAwMA&page[before]=MTcwMDAwMDAwMDAwMDAwMC4wMDAwMDAwMDAwMDA0MDAwODAwMDAwMDAwMDAwMDAwMA",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[before]"),
        ),
        raw(
            "an unknown status filter",
            "GET",
            "/v1/identity/sessions?filter[status]=completed,bogus",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[status]"),
        ),
        raw(
            "a bad account filter",
            "GET",
            "/v1/identity/sessions?filter[account]=nope",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[account]"),
        ),
        raw(
            "a bad time filter",
            "GET",
            "/v1/identity/sessions?filter[created_at_from]=yesterday",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[created_at_from]"),
        ),
        raw(
            "an unknown filter",
            "GET",
            "/v1/identity/sessions?filter[name]=anna",
            None,
            "",
            400,
            "unknown_parameter",
            Parameter("filter[name]"),
        ),
        raw(
            "a negative page size",
            "GET",
            "/v1/identity/verifications?page[size]=-1",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[size]"),
        ),
        raw(
            "a blank page size",
            "GET",
            "/v1/identity/accounts?page[size]=",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[size]"),
        ),
        raw(
            "a blank account filter",
            "GET",
            "/v1/identity/sessions?filter[account]=",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[account]"),
        ),
        raw(
            "a session filter that is not a UUID",
            "GET",
            "/v1/identity/verifications?filter[session]=not-a-uuid",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[session]"),
        ),
        raw(
            "a blank session filter",
            "GET",
            "/v1/identity/verifications?filter[session]=%20",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[session]"),
        ),
        raw(
            "a status list with an empty item",
            "GET",
            "/v1/identity/sessions?filter[status]=completed,,failed",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("filter[status]"),
        ),
        raw(
            "a method a collection does not have",
            "DELETE",
            "/v1/identity/sessions",
            None,
            "",
            405,
            "method_not_allowed",
            Pointer("-"),
        ),
        raw(
            "a method a resource does not have",
            "PUT",
            "/v1/identity/sessions/{session}",
            Some("application/vnd.api+json"),
            r#"{"data": {"type": "session"}}"#,
            405,
            "method_not_allowed",
            Pointer("-"),
        ),
        raw(
            "GET on a path that only creates",
            "GET",
            "/v1/identity/documents/idvs",
            None,
            "",
            405,
            "method_not_allowed",
            Pointer("-"),
        ),
        raw(
            "a bad page[total]",
            "GET",
            "/v1/identity/sessions?page[total]=yes",
            None,
            "",
            400,
            "invalid_parameter",
            Parameter("page[total]"),
        ),
    ]
}

#[tokio::test]
async fn every_bad_input_gets_a_4xx_pointing_at_it_and_writes_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await.to_string();
    let session = app
        .api_session(&key, account.parse().unwrap())
        .await
        .id()
        .to_string();
    let completed = app.api_session(&key, account.parse().unwrap()).await.id();
    app.set_status(completed, "completed");
    let completed = completed.to_string();
    let fill = |s: &str| {
        s.replace("{account}", &account)
            .replace("{session}", &session)
            .replace("{completed}", &completed)
    };
    let mut failures = Vec::new();
    for c in cases() {
        let before = app.fingerprint();
        let r = app
            .api_raw(
                c.method,
                &fill(c.path),
                Some(&key),
                c.content_type,
                fill(&c.body).into_bytes(),
            )
            .await;
        let found = match c.at {
            At::Pointer("-") => None,
            At::Pointer(_) => r.pointer().map(str::to_owned),
            At::Parameter(_) => r.parameter().map(str::to_owned),
            At::Header(_) => r.body["errors"][0]["source"]["header"]
                .as_str()
                .map(str::to_owned),
        };
        let expected = match c.at {
            At::Pointer("-") => None,
            At::Pointer(p) | At::Parameter(p) | At::Header(p) => Some(p.to_owned()),
        };
        let wrong = r.status != c.status
            || r.code() != c.code
            || found != expected
            || !r.content_type.starts_with("application/vnd.api+json")
            || r.body["errors"][0]["status"].as_str() != Some(c.status.to_string().as_str())
            || r.body["errors"][0]["detail"]
                .as_str()
                .is_none_or(str::is_empty);
        if wrong {
            failures.push(format!(
                "{}: expected {} {} at {:?}, got {} {}",
                c.what, c.status, c.code, c.at, r.status, r.body
            ));
        }
        if app.fingerprint() != before {
            failures.push(format!("{}: the database changed", c.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_bad_field_of_one_request_is_reported() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let id = app.api_session(&key, account).await.id();
    let r = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{id}"),
            &key,
            Some(patch(json!({
                "person": {"name": {"first": "Anna"}, "birth_date": "1974-02-30"},
                "contact": {"email": "anna@@example.org"},
                "address": {"country_code": "XX"}}))),
        )
        .await;
    assert_eq!(r.status, 422);
    let pointers: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        vec![
            "/data/attributes/person/birth_date",
            "/data/attributes/contact/email",
            "/data/attributes/address/country_code"
        ]
    );
}
