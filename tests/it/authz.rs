//! The authorization matrix: every dashboard route x {anonymous, reviewer, manager, admin}
//! and the status each must get. One table, one test that walks it; every new route is
//! added here.

use sessiondesk::domain::kinds::Role;
use sessiondesk::store::accounts::{self, NewAccount};

use crate::helpers::{Browser, spawn_app};

/// Expected statuses for [anonymous, reviewer, manager, admin].
type Outcomes = [u16; 4];

struct Route {
    method: &'static str,
    /// `{victim}` becomes the id of a user created for this row, `{account}` the id of an
    /// account created for this row. In a form, `{short}` becomes the short id of the
    /// session in the path (what the redaction confirmation asks for).
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    expect: Outcomes,
}

const ANON_REDIRECT: u16 = 303;

#[rustfmt::skip]
const MATRIX: &[Route] = &[
    Route { method: "GET",  path: "/healthz", form: &[], expect: [200, 200, 200, 200] },
    Route { method: "GET",  path: "/readyz", form: &[], expect: [200, 200, 200, 200] },
    Route { method: "GET",  path: "/static/app.css", form: &[], expect: [200, 200, 200, 200] },
    Route { method: "GET",  path: "/", form: &[], expect: [303, 303, 303, 303] },
    Route { method: "GET",  path: "/login", form: &[], expect: [200, 303, 303, 303] },
    Route { method: "GET",  path: "/account", form: &[], expect: [ANON_REDIRECT, 200, 200, 200] },
    Route { method: "POST", path: "/account/password", form: &[("current", "wrong"), ("new", "x"), ("confirm", "y")], expect: [ANON_REDIRECT, 422, 422, 422] },
    Route { method: "GET",  path: "/queues", form: &[], expect: [ANON_REDIRECT, 403, 200, 200] },
    Route { method: "GET",  path: "/accounts/{account}", form: &[], expect: [ANON_REDIRECT, 200, 200, 200] },
    Route { method: "GET",  path: "/audit", form: &[], expect: [ANON_REDIRECT, 403, 403, 200] },
    Route { method: "GET",  path: "/admin/users", form: &[], expect: [ANON_REDIRECT, 403, 403, 200] },
    Route { method: "POST", path: "/admin/users", form: &[("username", "{fresh}"), ("display_name", "New Person"), ("role", "reviewer"), ("password", "a long enough password")], expect: [ANON_REDIRECT, 403, 403, 303] },
    Route { method: "POST", path: "/admin/users/{victim}/role", form: &[("role", "manager")], expect: [ANON_REDIRECT, 403, 403, 303] },
    Route { method: "POST", path: "/admin/users/{victim}/disable", form: &[], expect: [ANON_REDIRECT, 403, 403, 303] },
    Route { method: "POST", path: "/admin/users/{victim}/enable", form: &[], expect: [ANON_REDIRECT, 403, 403, 303] },
    Route { method: "POST", path: "/admin/users/{victim}/reset-password", form: &[], expect: [ANON_REDIRECT, 403, 403, 200] },
    Route { method: "GET",  path: "/admin/api-keys", form: &[], expect: [ANON_REDIRECT, 403, 403, 200] },
    Route { method: "POST", path: "/admin/api-keys", form: &[("name", "Matrix key"), ("permission", "sessions:read")], expect: [ANON_REDIRECT, 403, 403, 200] },
    Route { method: "POST", path: "/admin/api-keys/{api_key}/revoke", form: &[], expect: [ANON_REDIRECT, 403, 403, 303] },
    Route { method: "GET",  path: "/sessions", form: &[], expect: [ANON_REDIRECT, 200, 200, 200] },
    Route { method: "GET",  path: "/sessions?status=completed&q=anna", form: &[], expect: [ANON_REDIRECT, 200, 200, 200] },
    Route { method: "GET",  path: "/sessions/new", form: &[], expect: [ANON_REDIRECT, 200, 403, 200] },
    Route { method: "POST", path: "/sessions", form: &[("account", "crm_{fresh}"), ("first_name", "Matrix")], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "GET",  path: "/sessions/{completed}", form: &[], expect: [ANON_REDIRECT, 200, 200, 200] },
    Route { method: "GET",  path: "/sessions/{completed}/files/{file}", form: &[], expect: [ANON_REDIRECT, 200, 403, 200] },
    Route { method: "GET",  path: "/sessions/{completed}/next", form: &[], expect: [ANON_REDIRECT, 303, 303, 303] },
    Route { method: "POST", path: "/sessions/{completed}/approve", form: &[], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/{review}/decline", form: &[("reason", "other")], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/{failed}/mark-for-review", form: &[], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/{started}/expire", form: &[], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/{completed}/assign", form: &[("assignee", "me")], expect: [ANON_REDIRECT, 303, 303, 303] },
    Route { method: "POST", path: "/sessions/{completed}/notes", form: &[("body", "matrix note")], expect: [ANON_REDIRECT, 303, 303, 303] },
    Route { method: "POST", path: "/sessions/{completed}/person", form: &[("first_name", "Matrix")], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/{completed}/use-document", form: &[("field", "last_name")], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/{completed}/redact", form: &[("confirm", "{short}")], expect: [ANON_REDIRECT, 403, 403, 303] },
    Route { method: "GET",  path: "/bulk", form: &[], expect: [ANON_REDIRECT, 200, 200, 200] },
    Route { method: "POST", path: "/sessions/bulk", form: &[("action", "mark_for_review"), ("ids", "00000000-0000-0000-0000-000000000000")], expect: [ANON_REDIRECT, 303, 403, 303] },
    Route { method: "POST", path: "/sessions/bulk", form: &[("action", "unassign")], expect: [ANON_REDIRECT, 422, 422, 422] },
    Route { method: "POST", path: "/logout", form: &[], expect: [303, 303, 303, 303] },
];

/// Replaces `{completed}`, `{review}`, `{failed}`, `{started}` with a fresh session in
/// that status, and `{file}` with a document file of the `{completed}` one.
fn with_sessions(app: &crate::helpers::TestApp, path: &str) -> String {
    use sessiondesk::domain::status::SessionStatus as S;
    let mut path = path.to_owned();
    if path.contains("{completed}") {
        let (id, file) = crate::case::with_document(app, S::Completed);
        path = path
            .replace("{completed}", &id.to_string())
            .replace("{file}", &file.to_string());
    }
    for (placeholder, status) in [
        ("{review}", S::MarkedForReview),
        ("{failed}", S::Failed),
        ("{started}", S::Started),
    ] {
        if path.contains(placeholder) {
            let m = crate::queue::make(
                &mut app.conn(),
                "Matrix",
                "Case",
                "crm_matrix",
                status,
                chrono::Utc::now(),
                None,
            );
            path = path.replace(placeholder, &m.id.to_string());
        }
    }
    path
}

/// Replaces `{api_key}` with the id of a fresh API key.
fn with_api_key(app: &crate::helpers::TestApp, path: &str) -> String {
    if !path.contains("{api_key}") {
        return path.to_owned();
    }
    let input = sessiondesk::service::api_keys::NewApiKeyInput {
        name: "Matrix".to_owned(),
        permissions: vec![sessiondesk::domain::kinds::Permission::SessionsRead],
    };
    let created = sessiondesk::service::api_keys::create(
        &mut app.conn(),
        &input,
        "test",
        sessiondesk::domain::actor::Actor::System,
    )
    .unwrap();
    path.replace("{api_key}", &created.key.id.to_string())
}

/// The first 8 hex digits of the session id in a `/sessions/{id}/...` path.
fn short_id_in(path: &str) -> String {
    path.split('/')
        .find_map(|segment| uuid::Uuid::parse_str(segment).ok())
        .map(|id| id.simple().to_string()[..8].to_owned())
        .unwrap_or_default()
}

async fn token_of(browser: &Browser, signed_in: bool) -> String {
    browser
        .csrf(if signed_in { "/account" } else { "/login" })
        .await
}

#[tokio::test]
async fn every_dashboard_route_answers_each_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let mut failures = Vec::new();
    for (n, route) in MATRIX.iter().enumerate() {
        let victim = app.create_user(&format!("victim{n}"), Role::Reviewer);
        let account = accounts::insert(&mut app.conn(), &NewAccount::default()).unwrap();
        for (column, role) in [
            None,
            Some(Role::Reviewer),
            Some(Role::Manager),
            Some(Role::Admin),
        ]
        .into_iter()
        .enumerate()
        {
            // A fresh browser per cell: earlier cells (sign-out, role changes) cannot leak.
            let browser = match role {
                None => app.browser(),
                Some(role) => app.signed_in(role).await.0,
            };
            let path = route
                .path
                .replace("{victim}", &victim.id.to_string())
                .replace("{account}", &account.id.to_string());
            let path = with_sessions(&app, &path);
            let path = with_api_key(&app, &path);
            let fresh = format!("fresh{n}c{column}");
            let short = short_id_in(&path);
            let form: Vec<(&str, String)> = route
                .form
                .iter()
                .map(|(k, v)| (*k, v.replace("{fresh}", &fresh).replace("{short}", &short)))
                .collect();
            let status = if route.method == "GET" {
                browser.get(&path).await.status().as_u16()
            } else {
                let token = token_of(&browser, role.is_some()).await;
                let fields: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                browser.post(&path, &fields, &token).await.status().as_u16()
            };
            let expected = route.expect[column];
            if status != expected {
                let who = role.map(|r| r.as_str()).unwrap_or("anonymous");
                failures.push(format!(
                    "{} {} as {who}: got {status}, expected {expected}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix violations:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_403_page_keeps_the_navigation_and_names_the_role_needed() {
    let app = spawn_app().await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let r = reviewer.get("/admin/users").await;
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(page.contains("class=\"topbar\""), "no navigation: {page}");
    assert!(page.contains("This page is for admins."), "{page}");
    assert!(page.contains(", a reviewer."), "{page}");
    let page = reviewer.get("/queues").await.text().await.unwrap();
    assert!(
        page.contains("This page is for managers and admins."),
        "{page}"
    );
}
