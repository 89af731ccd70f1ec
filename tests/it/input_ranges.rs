//! Dates and cursors from the URL are range-checked (1900-01-01 to 9999-12-31) before they
//! reach date arithmetic or Postgres: the queue names the value it left out, the API answers
//! 400 naming the parameter. A property test feeds arbitrary text to every parameter of the
//! queue, the audit log and the API lists and sees no 5xx.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use sessiondesk::domain::kinds::Role;
use sessiondesk::store::queue::Cursor;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};

/// A cursor as the server encodes it, for a row created on `year`-01-01.
fn cursor_in_year(year: i32) -> String {
    let created_at = NaiveDate::from_ymd_opt(year, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    Cursor {
        created_at,
        id: Uuid::new_v4(),
    }
    .encode()
}

async fn queue_page(browser: &Browser, query: &str) -> String {
    let r = browser.get(&format!("/sessions?{query}")).await;
    assert_eq!(r.status(), 200, "/sessions?{query}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_queue_names_dates_and_cursors_out_of_range_and_leaves_them_out() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    for (query, label) in [
        ("created_to=%2B262142-12-31", "Created to"),
        ("created_from=%2B262142-12-31", "Created from"),
        ("created_from=-5000-01-01", "Created from"),
        ("created_to=-5000-01-01", "Created to"),
        ("created_from=1899-12-31", "Created from"),
    ] {
        let html = queue_page(&browser, query).await;
        assert!(
            html.contains(label) && html.contains("1900-01-01") && html.contains("9999-12-31"),
            "{query}: no message naming {label} and the range"
        );
    }
    // A five-digit year is not read as a date at all.
    let html = queue_page(&browser, "created_to=10000-01-01").await;
    assert!(html.contains("Created to") && html.contains("was not applied"));
    for year in [-5000, 1, 1899, 12_000, 262_000] {
        let c = cursor_in_year(year);
        for param in ["after", "before"] {
            let html = queue_page(&browser, &format!("status=pending&{param}={c}")).await;
            assert!(
                html.contains("That page link is not valid"),
                "{param} of year {year}: no message"
            );
        }
    }
    // The ends of the range are still accepted.
    let html = queue_page(&browser, "created_from=1900-01-01&created_to=9999-12-31").await;
    assert!(!html.contains("was not applied"), "the ends of the range");
}

#[tokio::test]
async fn api_lists_refuse_dates_and_cursors_out_of_range_naming_the_parameter() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    for list in ["/v1/identity/sessions", "/v1/identity/verifications"] {
        for param in ["filter[created_at_from]", "filter[created_at_to]"] {
            for value in [
                "-5000-01-01",
                "%2B262142-12-31",
                "1899-12-31",
                "0001-01-01T00:00:00Z",
                "10000-01-01",
            ] {
                let path = format!("{list}?{param}={value}");
                let r = app.api("GET", &path, &key, None).await;
                assert_eq!(r.status, 400, "{path}: {:?}", r.body);
                assert_eq!(r.code(), "invalid_parameter", "{path}");
                assert_eq!(r.parameter(), Some(param), "{path}");
            }
            let edge = if param.ends_with("from]") {
                "1900-01-01"
            } else {
                "9999-12-31T23:59:59Z"
            };
            let r = app
                .api("GET", &format!("{list}?{param}={edge}"), &key, None)
                .await;
            assert_eq!(r.status, 200, "{param}={edge}: {:?}", r.body);
        }
    }
    for list in [
        "/v1/identity/sessions",
        "/v1/identity/verifications",
        "/v1/identity/accounts",
    ] {
        for year in [-5000, 1, 1899, 12_000, 262_000] {
            let c = cursor_in_year(year);
            for param in ["page[after]", "page[before]"] {
                let path = format!("{list}?{param}={c}");
                let r = app.api("GET", &path, &key, None).await;
                assert_eq!(r.status, 400, "{path} (year {year}): {:?}", r.body);
                assert_eq!(r.parameter(), Some(param), "{path}");
            }
        }
    }
}

/// One query value: text to be percent-encoded, or raw text put in the URL as it is.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Raw(String),
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Hostile values: any text, dates with signs and huge years, times, percent-encoded
/// junk, unicode, control characters (NUL among them), numbers, forged cursors over any
/// timestamp, and the words the filters know.
fn value() -> impl Strategy<Value = Piece> {
    use base64::Engine as _;
    let b64 = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    prop_oneof![
        any::<String>().prop_map(Piece::Text),
        "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}".prop_map(Piece::Text),
        "[+-]?[0-9]{4,6}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"
            .prop_map(Piece::Text),
        "(%[0-9A-Fa-f]{2}|[+&=;a-z0-9]){1,16}".prop_map(Piece::Raw),
        "\\PC{0,24}".prop_map(Piece::Text),
        "[a-z]{0,4}[\\x00-\\x1f\\x7f][a-z@.]{3,8}".prop_map(Piece::Text),
        "[+-]?[0-9]{1,22}".prop_map(Piece::Text),
        (any::<i64>(), any::<u128>())
            .prop_map(move |(micros, id)| Piece::Text(b64(format!("{micros}.{id:032x}")))),
        (-300_000i64..300_000, any::<u128>()).prop_map(move |(years, id)| {
            let micros = years.saturating_mul(31_556_952_000_000);
            Piece::Text(b64(format!("{micros}.{id:032x}")))
        }),
        prop::sample::select(vec![
            "",
            "true",
            "false",
            "me",
            "unassigned",
            "newest",
            "oldest",
            "only",
            "exclude",
            "completed",
            "pending",
            "person",
            "0",
            "101",
            "-1",
        ])
        .prop_map(|s| Piece::Text(s.to_owned())),
    ]
}

/// `cases` query strings over `params`, each with up to six of them, each at most once
/// (a repeated parameter would hide the earlier value).
fn queries(params: &'static [&'static str], cases: usize) -> Vec<String> {
    let mut runner = TestRunner::new(Config::default());
    let strategy = prop::sample::subsequence(params.to_vec(), 0..=params.len().min(6))
        .prop_flat_map(|names| {
            let n = names.len();
            (Just(names), prop::collection::vec(value(), n))
        })
        .prop_map(|(names, values)| names.into_iter().zip(values).collect::<Vec<_>>());
    (0..cases)
        .map(|_| {
            let pairs = strategy
                .new_tree(&mut runner)
                .expect("the strategy generates")
                .current();
            pairs
                .iter()
                .map(|(name, piece)| match piece {
                    Piece::Text(v) => format!("{}={}", encode(name), encode(v)),
                    Piece::Raw(v) => format!("{}={v}", encode(name)),
                })
                .collect::<Vec<_>>()
                .join("&")
        })
        .collect()
}

const CASES: usize = 64;

async fn no_5xx_from_the_dashboard(browser: &Browser, path: &str, params: &'static [&'static str]) {
    for query in queries(params, CASES) {
        let url = format!("{path}?{query}");
        let r = browser.get(&url).await;
        assert!(r.status().as_u16() < 500, "{url}: {}", r.status());
    }
}

async fn no_5xx_from_the_api(
    app: &TestApp,
    key: &str,
    path: &str,
    params: &'static [&'static str],
) {
    for query in queries(params, CASES) {
        let url = format!("{path}?{query}");
        let r = app.api("GET", &url, key, None).await;
        assert!(r.status < 500, "{url}: {} {:?}", r.status, r.body);
    }
}

#[tokio::test]
async fn no_query_string_makes_the_queue_the_audit_log_or_an_api_list_answer_5xx() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    // Something to list, so that filters and cursors reach real rows.
    let account = app.api_account(&key).await;
    app.api_session(&key, account).await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    no_5xx_from_the_dashboard(
        &reviewer,
        "/sessions",
        &[
            "status",
            "q",
            "account",
            "assignee",
            "created_from",
            "created_to",
            "sort",
            "redacted",
            "after",
            "before",
        ],
    )
    .await;
    no_5xx_from_the_dashboard(
        &admin,
        "/audit",
        &["actor", "action", "session", "before", "after"],
    )
    .await;
    no_5xx_from_the_api(
        &app,
        &key,
        "/v1/identity/sessions",
        &[
            "filter[status]",
            "filter[account]",
            "filter[entity_type]",
            "filter[session_device]",
            "filter[created_at_from]",
            "filter[created_at_to]",
            "page[size]",
            "page[after]",
            "page[before]",
            "page[total]",
        ],
    )
    .await;
    no_5xx_from_the_api(
        &app,
        &key,
        "/v1/identity/accounts",
        &["page[size]", "page[after]", "page[before]", "page[total]"],
    )
    .await;
    no_5xx_from_the_api(
        &app,
        &key,
        "/v1/identity/verifications",
        &[
            "filter[status]",
            "filter[session]",
            "filter[created_at_from]",
            "filter[created_at_to]",
            "page[size]",
            "page[after]",
            "page[before]",
            "page[total]",
        ],
    )
    .await;
}

#[tokio::test]
async fn nul_and_control_characters_in_text_filters_are_no_5xx() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    for url in [
        "/sessions?q=ann%00a",
        "/sessions?account=crm%00x",
        "/sessions?assignee=jane%00doe",
        "/sessions?q=%1b%5b31m",
        "/audit?actor=jane%00doe",
        "/audit?action=session.%00",
        "/audit?session=%00",
    ] {
        let r = admin.get(url).await;
        assert!(r.status().as_u16() < 500, "{url}: {}", r.status());
    }
}
