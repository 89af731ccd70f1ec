//! `/admin/webhooks` over HTTP against the real server: an admin adds an endpoint and sees
//! its secret once; other roles are refused; a refused URL is named beside its field and
//! nothing is written; edit, disable, enable, rotate and delete; a test event, an outage, a
//! redelivery and a replay reach a real receiver on loopback; and the admins' banner.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::{events, webhook_deliveries, webhook_endpoints};
use sessiondesk::store::webhooks::{self as store, Endpoint};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::webhooks::{Received, Receiver, register, spawn_delivering_app};

/// The secret shown once on the page.
fn secret_in(html: &str) -> Option<String> {
    let marker = "<code id=\"secret-value\">";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_owned())
}

/// The message beside a field (`<p class="field-error" id="{id}">`), if any.
fn field_error(html: &str, id: &str) -> Option<String> {
    let marker = format!("<p class=\"field-error\" id=\"{id}\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find("</p>")? + start;
    Some(html[start..end].to_owned())
}

/// The rows of the deliveries table, each as its HTML.
fn delivery_rows(html: &str) -> Vec<&str> {
    html.split("<tr data-delivery=\"").skip(1).collect()
}

/// Every endpoint, oldest first.
fn endpoints(app: &TestApp) -> Vec<Endpoint> {
    store::all_endpoints(&mut app.conn()).unwrap()
}

fn endpoint(app: &TestApp, id: Uuid) -> Endpoint {
    store::find_endpoint(&mut app.conn(), id).unwrap().unwrap()
}

/// The details of every event with `action`.
fn event_details(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    events::table
        .filter(events::action.eq(action))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap()
}

/// Posts a form of the endpoint's page (the token read from that page).
async fn post_on(
    browser: &Browser,
    id: Uuid,
    action: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let page = format!("/admin/webhooks/{id}");
    let token = browser.csrf(&page).await;
    let path = if action.is_empty() {
        page
    } else {
        format!("{page}/{action}")
    };
    browser.post(&path, form, &token).await
}

/// Follows a 303 and returns the page it leads to.
async fn follow(browser: &Browser, r: reqwest::Response) -> String {
    if r.status() != 303 {
        panic!(
            "{} instead of 303: {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
    }
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    browser.get(&location).await.text().await.unwrap()
}

/// Waits until every delivery of the test's database is in `status` (bringing retries
/// forward when `hurry`: the schedule's minutes become a poll's wait).
async fn deliveries_settle(app: &TestApp, status: &str, hurry: bool) {
    let started = Instant::now();
    loop {
        if hurry {
            // Rows a worker has claimed are due within its minute's claim: left alone.
            diesel::sql_query(
                "UPDATE webhook_deliveries SET next_attempt_at = now() \
                 WHERE status = 'pending' AND next_attempt_at > now() + interval '90 seconds'",
            )
            .execute(&mut app.conn())
            .unwrap();
        }
        let states: Vec<String> = webhook_deliveries::table
            .select(webhook_deliveries::status)
            .load(&mut app.conn())
            .unwrap();
        if !states.is_empty() && states.iter().all(|s| s == status) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "deliveries never all {status}: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until every delivery has `n` attempts recorded.
async fn attempts_recorded(app: &TestApp, n: i32) {
    let started = Instant::now();
    loop {
        let attempts: Vec<i32> = webhook_deliveries::table
            .select(webhook_deliveries::attempts)
            .load(&mut app.conn())
            .unwrap();
        if !attempts.is_empty() && attempts.iter().all(|a| *a == n) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{attempts:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_admin_adds_an_endpoint_and_sees_its_secret_once() {
    let app = spawn_app().await;
    let (admin, me) = app.signed_in(Role::Admin).await;
    let list = admin.get("/admin/webhooks").await;
    assert_eq!(list.status(), 200);
    let html = list.text().await.unwrap();
    for t in sessiondesk::domain::webhooks::EVENT_TYPES {
        assert!(html.contains(&format!("value=\"{t}\"")), "no box for {t}");
    }
    assert!(html.contains("No endpoints yet"));
    // The admin pages link to one another.
    let users = admin.get("/admin/users").await.text().await.unwrap();
    assert!(users.contains("<a href=\"/admin/webhooks\""));

    let token = admin.csrf("/admin/webhooks").await;
    let created = admin
        .post(
            "/admin/webhooks",
            &[
                // A public address, written as one: nothing is looked up.
                ("url", "https://203.0.113.10/hooks/desk"),
                ("description", "CRM sync"),
                ("events", "some"),
                ("event", "session.approved"),
                ("event", "session.declined"),
            ],
            &token,
        )
        .await;
    assert_eq!(created.status(), 200);
    assert_eq!(
        created.headers()["cache-control"].to_str().unwrap(),
        "no-store",
        "the secret page is never cached"
    );
    let html = created.text().await.unwrap();
    let secret = secret_in(&html).expect("the secret is shown");
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    assert!(html.contains("data-copy=\"secret-value\""), "a copy button");

    let all = endpoints(&app);
    assert_eq!(all.len(), 1);
    let e = &all[0];
    assert_eq!(e.url, "https://203.0.113.10/hooks/desk");
    assert_eq!(e.description, "CRM sync");
    assert_eq!(
        e.events.as_deref(),
        Some(&["session.approved".to_owned(), "session.declined".to_owned()][..])
    );
    assert_eq!(e.secret, secret);
    assert_eq!(
        (e.created_by_type.as_str(), e.created_by),
        ("user", Some(me.id))
    );
    let details = event_details(&app, "webhook_endpoint.created");
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["endpoint_id"], e.id.to_string());
    assert!(!details[0].to_string().contains(&secret));

    // Never shown again: neither the list nor the endpoint's page holds it.
    for path in [
        "/admin/webhooks".to_owned(),
        format!("/admin/webhooks/{}", e.id),
    ] {
        let r = admin.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(!html.contains(&secret), "{path} shows the secret");
        assert!(!html.contains("whsec_"), "{path} shows a secret");
        assert!(html.contains("https://203.0.113.10/hooks/desk"), "{path}");
    }
    let list = admin.get("/admin/webhooks").await.text().await.unwrap();
    assert!(list.contains("CRM sync") && list.contains("session.declined"));
    assert!(list.contains("badge-enabled"));

    // Without "only these", every event.
    let token = admin.csrf("/admin/webhooks").await;
    let r = admin
        .post(
            "/admin/webhooks",
            &[("url", "https://203.0.113.11/"), ("events", "all")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("all events"));
    assert_eq!(endpoints(&app)[1].events, None);
}

#[tokio::test]
async fn reviewers_and_managers_are_refused_every_webhook_page_and_form() {
    let app = spawn_app().await;
    let (id, _) = register(&app, "https://203.0.113.10/", None);
    let delivery = Uuid::new_v4();
    for role in [Role::Reviewer, Role::Manager] {
        let (browser, _) = app.signed_in(role).await;
        for path in [
            "/admin/webhooks".to_owned(),
            format!("/admin/webhooks/{id}"),
            format!("/admin/webhooks/{id}/deliveries/{delivery}"),
        ] {
            assert_eq!(
                browser.get(&path).await.status(),
                403,
                "{role:?} GET {path}"
            );
        }
        let token = browser.csrf("/account").await;
        for (path, form) in [
            (
                "/admin/webhooks".to_owned(),
                vec![("url", "https://203.0.113.12/")],
            ),
            (
                format!("/admin/webhooks/{id}"),
                vec![("url", "https://203.0.113.12/")],
            ),
            (format!("/admin/webhooks/{id}/disable"), vec![]),
            (format!("/admin/webhooks/{id}/rotate-secret"), vec![]),
            (format!("/admin/webhooks/{id}/test"), vec![]),
            (
                format!("/admin/webhooks/{id}/replay"),
                vec![("since", "2026-01-01T00:00")],
            ),
            (
                format!("/admin/webhooks/{id}/delete"),
                vec![("confirm", "yes")],
            ),
            (
                format!("/admin/webhooks/{id}/deliveries/{delivery}/redeliver"),
                vec![],
            ),
        ] {
            let r = browser.post(&path, &form, &token).await;
            assert_eq!(r.status(), 403, "{role:?} POST {path}");
        }
    }
    let e = endpoint(&app, id);
    assert!(e.enabled && e.url == "https://203.0.113.10/");
    assert_eq!(endpoints(&app).len(), 1);
    let n: i64 = webhook_deliveries::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 0);
    assert!(event_details(&app, "webhook_endpoint.updated").is_empty());

    // An admin without the form's token is refused too.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let r = admin
        .post_raw("/admin/webhooks", &[("url", "https://203.0.113.12/")])
        .await;
    assert_eq!(r.status(), 403);
    let r = admin
        .post_raw(
            &format!("/admin/webhooks/{id}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(endpoints(&app).len(), 1);
    // A malformed or unknown id is a page that does not exist.
    assert_eq!(admin.get("/admin/webhooks/not-an-id").await.status(), 404);
    let unknown = Uuid::new_v4();
    assert_eq!(
        admin
            .get(&format!("/admin/webhooks/{unknown}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        admin
            .get(&format!("/admin/webhooks/{id}/deliveries/{delivery}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_refused_url_is_named_beside_its_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let before = app.fingerprint();
    for (url, says) in [
        ("http://example.com/hooks", "must use https"),
        ("https://127.0.0.1:5432/", "loopback, private or link-local"),
        (
            "https://169.254.169.254/latest",
            "loopback, private or link-local",
        ),
        ("https://[::1]/", "loopback, private or link-local"),
        ("example.com/hooks", "must be an absolute URL"),
        ("", "must be an absolute URL"),
    ] {
        let token = admin.csrf("/admin/webhooks").await;
        let r = admin
            .post(
                "/admin/webhooks",
                &[
                    ("url", url),
                    ("description", "Typed <b>description</b>"),
                    ("events", "some"),
                    ("event", "session.expired"),
                ],
                &token,
            )
            .await;
        assert_eq!(r.status(), 422, "{url}");
        let html = r.text().await.unwrap();
        let message = field_error(&html, "hook-url-error").unwrap_or_default();
        assert!(message.contains(says), "{url}: {message}");
        // What was typed is kept, escaped.
        assert!(
            html.contains("Typed &#60;b&#62;description&#60;/b&#62;")
                || html.contains("Typed &lt;b&gt;description&lt;/b&gt;"),
            "{url}"
        );
        assert!(html.contains("value=\"session.expired\" checked"), "{url}");
        assert!(secret_in(&html).is_none());
    }
    // "Only these" with nothing ticked names the events.
    let token = admin.csrf("/admin/webhooks").await;
    let r = admin
        .post(
            "/admin/webhooks",
            &[("url", "https://203.0.113.10/"), ("events", "some")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(field_error(&html, "hook-events-error").is_some_and(|m| m.contains("at least one")));
    assert!(html.contains("value=\"https://203.0.113.10/\""));
    assert_eq!(app.fingerprint(), before, "nothing was written");
}

#[tokio::test]
async fn an_admin_edits_disables_enables_rotates_and_deletes_an_endpoint() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (id, first_secret) = register(&app, "https://203.0.113.10/a", None);

    // Edit: every field.
    let r = post_on(
        &admin,
        id,
        "",
        &[
            ("url", "https://203.0.113.11/b"),
            ("description", "Billing"),
            ("events", "some"),
            ("event", "session.approved"),
        ],
    )
    .await;
    let html = follow(&admin, r).await;
    assert!(html.contains("Endpoint saved."));
    let e = endpoint(&app, id);
    assert_eq!(e.url, "https://203.0.113.11/b");
    assert_eq!(e.description, "Billing");
    assert_eq!(e.events, Some(vec!["session.approved".to_owned()]));
    let updated = event_details(&app, "webhook_endpoint.updated");
    assert_eq!(updated.len(), 1);
    assert_eq!(
        updated[0]["fields"],
        serde_json::json!(["url", "description", "events"])
    );

    // The same values again change nothing and write nothing.
    let r = post_on(
        &admin,
        id,
        "",
        &[
            ("url", "https://203.0.113.11/b"),
            ("description", "Billing"),
            ("events", "some"),
            ("event", "session.approved"),
        ],
    )
    .await;
    assert!(follow(&admin, r).await.contains("Nothing was changed."));
    assert_eq!(event_details(&app, "webhook_endpoint.updated").len(), 1);

    // A refused URL: named, the typed values kept, nothing saved.
    let r = post_on(
        &admin,
        id,
        "",
        &[
            ("url", "ftp://203.0.113.11/b"),
            ("description", "Billing v2"),
            ("events", "all"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(field_error(&html, "hook-url-error").is_some_and(|m| m.contains("https")));
    assert!(
        html.contains("value=\"ftp://203.0.113.11/b\"") && html.contains("value=\"Billing v2\"")
    );
    let e = endpoint(&app, id);
    assert_eq!(
        (e.url.as_str(), e.description.as_str()),
        ("https://203.0.113.11/b", "Billing")
    );

    // Disable, then enable.
    let html = follow(&admin, post_on(&admin, id, "disable", &[]).await).await;
    assert!(html.contains("Endpoint disabled."));
    assert!(html.contains("disabled by an admin"));
    let e = endpoint(&app, id);
    assert_eq!(
        (e.enabled, e.disabled_reason.as_deref()),
        (false, Some("admin"))
    );
    let html = follow(&admin, post_on(&admin, id, "enable", &[]).await).await;
    assert!(html.contains("Endpoint enabled."));
    let e = endpoint(&app, id);
    assert_eq!((e.enabled, e.disabled_reason), (true, None));
    assert_eq!(app.count_events("webhook_endpoint.disabled"), 1);
    assert_eq!(app.count_events("webhook_endpoint.enabled"), 1);

    // Rotate: the new secret shown once, the old one signing alongside.
    let r = post_on(&admin, id, "rotate-secret", &[]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let secret = secret_in(&html).expect("the new secret is shown");
    assert_ne!(secret, first_secret);
    assert!(html.contains("24 hours"), "the overlap is explained");
    let e = endpoint(&app, id);
    assert_eq!(e.secret, secret);
    assert_eq!(e.previous_secret.as_deref(), Some(first_secret.as_str()));
    let page = admin
        .get(&format!("/admin/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains(&secret) && !page.contains(&first_secret));
    assert!(page.contains("the previous secret also signs until"));

    // Delete: refused without the tick, done with it.
    let r = post_on(&admin, id, "delete", &[]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(field_error(&html, "delete-confirm-error").is_some());
    assert_eq!(endpoints(&app).len(), 1);
    let r = post_on(&admin, id, "delete", &[("confirm", "yes")]).await;
    assert_eq!(r.headers()["location"], "/admin/webhooks");
    let html = follow(&admin, r).await;
    assert!(html.contains("Deleted the endpoint https://203.0.113.11/b"));
    assert!(endpoints(&app).is_empty());
    assert_eq!(app.count_events("webhook_endpoint.deleted"), 1);
    assert_eq!(
        admin.get(&format!("/admin/webhooks/{id}")).await.status(),
        404
    );

    // The audit log tells it in words.
    let audit = admin.get("/audit").await.text().await.unwrap();
    let short = &id.simple().to_string()[..8];
    for words in [
        format!("changed webhook endpoint {short}: url, description, events"),
        format!("disabled webhook endpoint {short}"),
        format!("enabled webhook endpoint {short}"),
        format!("rotated the signing secret of webhook endpoint {short}"),
        format!("deleted webhook endpoint {short}"),
    ] {
        assert!(audit.contains(&words), "the audit log lacks {words:?}");
    }
}

/// Adds an endpoint through the form; its id and the secret shown.
async fn add_through_form(
    app: &TestApp,
    admin: &Browser,
    url: &str,
    events: &[&str],
) -> (Uuid, String) {
    let token = admin.csrf("/admin/webhooks").await;
    let mut form = vec![
        ("url", url),
        ("events", if events.is_empty() { "all" } else { "some" }),
    ];
    form.extend(events.iter().map(|e| ("event", *e)));
    let r = admin.post("/admin/webhooks", &form, &token).await;
    assert_eq!(r.status(), 200);
    let secret = secret_in(&r.text().await.unwrap()).expect("the secret is shown");
    let id = endpoints(app)
        .into_iter()
        .find(|e| e.secret == secret)
        .expect("the endpoint is stored")
        .id;
    (id, secret)
}

#[tokio::test]
async fn send_a_test_event_reaches_the_real_receiver_signed_with_the_secret_shown() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(200);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (id, secret) = add_through_form(&app, &admin, &receiver.url(), &[]).await;

    let html = follow(&admin, post_on(&admin, id, "test", &[]).await).await;
    assert!(html.contains("Test event queued"));
    let got = receiver
        .wait_for(Duration::from_secs(10), |got| !got.is_empty())
        .await;
    assert_eq!(got.len(), 1);
    let body = got[0].json();
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["data"]["id"], id.to_string());
    standardwebhooks::Webhook::new(&secret)
        .unwrap()
        .verify(&got[0].body, &got[0].header_map())
        .expect("signed with the secret the page showed");
    assert_eq!(app.count_events("webhook_endpoint.test_sent"), 1);

    // The endpoint's page lists it: succeeded at the first attempt, 200.
    deliveries_settle(&app, "succeeded", false).await;
    let html = admin
        .get(&format!("/admin/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let rows = delivery_rows(&html);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("webhook.test") && rows[0].contains(body["id"].as_str().unwrap()));
    assert!(rows[0].contains("badge-succeeded"));
    assert!(rows[0].contains("1 of 8"));
    assert!(rows[0].contains("<span class=\"mono\">200</span>"));
    assert!(rows[0].contains(" ms</td>"), "the latency");

    // A disabled endpoint takes no test event: said, nothing queued.
    follow(&admin, post_on(&admin, id, "disable", &[]).await).await;
    let html = follow(&admin, post_on(&admin, id, "test", &[]).await).await;
    assert!(html.contains("the endpoint is disabled"), "{html}");
    let n: i64 = webhook_deliveries::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn after_an_outage_the_page_shows_each_attempt_and_a_redelivery_arrives_again() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(503);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (id, _) = add_through_form(&app, &admin, &receiver.url(), &["session.created"]).await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    for _ in 0..2 {
        app.api_session(&key, account).await;
    }
    // The first attempt of each fails at once, the second about 5 s later.
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| got.len() >= 4)
        .await;
    assert_eq!(got.len(), 4);
    attempts_recorded(&app, 2).await;

    let html = admin
        .get(&format!("/admin/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("failing since"),
        "the run of failures is shown"
    );
    let rows = delivery_rows(&html);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(row.contains("session.created"));
        assert!(row.contains("badge-pending"), "{row}");
        assert!(row.contains("2 of 8"), "{row}");
        assert!(row.contains("<span class=\"mono\">503</span>"), "{row}");
        // The backoff: the third attempt is due in about 5 minutes.
        assert!(
            ["in 3 min", "in 4 min", "in 5 min"]
                .iter()
                .any(|w| row.contains(w)),
            "{row}"
        );
    }
    let list = admin.get("/admin/webhooks").await.text().await.unwrap();
    assert!(list.contains("badge-pending") && list.contains("503"));

    // The receiver is back; the third attempt is brought forward.
    receiver.answer(200);
    deliveries_settle(&app, "succeeded", true).await;
    let html = admin
        .get(&format!("/admin/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let rows = delivery_rows(&html);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(
            row.contains("badge-succeeded") && row.contains("3 of 8"),
            "{row}"
        );
        assert!(row.contains("<span class=\"mono\">200</span>"), "{row}");
    }
    // A delivery's own page: the body, and every attempt with its status code.
    let delivery: Uuid = rows[0][..36].parse().unwrap();
    let page = admin
        .get(&format!("/admin/webhooks/{id}/deliveries/{delivery}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("answer-bad\">503<").count(), 2, "two 503s");
    assert_eq!(page.matches("answer-ok\">200<").count(), 1, "then a 200");
    assert!(page.contains("Attempts (3 of 8)"));
    assert!(
        page.contains("  &#34;type&#34;: &#34;session.created&#34;")
            || page.contains("  &quot;type&quot;: &quot;session.created&quot;"),
        "the body, pretty and escaped"
    );
    assert!(
        page.contains("id=\"response-body\"><code>ok</code>"),
        "the answer's body"
    );
    assert_eq!(
        page.matches("<summary class=\"muted small\">Answer body</summary><pre class=\"code\"><code>ok</code>").count(),
        3,
        "each attempt keeps its own answer: {page}"
    );
    let event_id: String = webhook_deliveries::table
        .find(delivery)
        .select(webhook_deliveries::event_id)
        .first(&mut app.conn())
        .unwrap();

    // Redeliver: a new delivery of the same event, which arrives.
    let token = admin
        .csrf(&format!("/admin/webhooks/{id}/deliveries/{delivery}"))
        .await;
    let r = admin
        .post(
            &format!("/admin/webhooks/{id}/deliveries/{delivery}/redeliver"),
            &[],
            &token,
        )
        .await;
    let html = follow(&admin, r).await;
    assert!(html.contains("Queued again as a new delivery of the same event"));
    let taken = |got: &[Received]| {
        got.iter()
            .filter(|r| r.answered == 200 && r.headers["webhook-id"] == event_id)
            .count()
    };
    let got = receiver
        .wait_for(Duration::from_secs(10), |got| taken(got) >= 2)
        .await;
    assert_eq!(taken(&got), 2, "the event arrived again, with its id");
    assert_eq!(app.count_events("webhook_delivery.redelivered"), 1);
    let n: i64 = webhook_deliveries::table
        .filter(webhook_deliveries::event_id.eq(&event_id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 2);
}

/// Whether the admins' banner is on `path` for `browser`.
async fn banner_on(browser: &Browser, path: &str) -> bool {
    let html = browser.get(path).await.text().await.unwrap();
    html.contains("id=\"webhook-banner\"")
}

#[tokio::test]
async fn a_410_disables_the_endpoint_the_admins_see_a_banner_and_a_replay_delivers_the_rest() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(410);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let (manager, _) = app.signed_in(Role::Manager).await;
    let (id, _) = add_through_form(&app, &admin, &receiver.url(), &["session.created"]).await;
    assert!(!banner_on(&admin, "/sessions").await);

    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    app.api_session(&key, account).await;
    deliveries_settle(&app, "failed", false).await;
    let e = endpoint(&app, id);
    assert_eq!(
        (e.enabled, e.disabled_reason.as_deref()),
        (false, Some("gone"))
    );

    // The banner shows on every page for admins (the count is kept a few seconds).
    let started = Instant::now();
    while !banner_on(&admin, "/sessions").await {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no banner for the admin"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for path in ["/queues", "/audit", "/admin/users", "/account"] {
        assert!(banner_on(&admin, path).await, "no banner on {path}");
    }
    let html = admin.get("/sessions").await.text().await.unwrap();
    assert!(html.contains("A webhook endpoint was disabled"));
    assert!(html.contains("<a href=\"/admin/webhooks\">Review</a>"));
    for (who, browser) in [("reviewer", &reviewer), ("manager", &manager)] {
        for path in ["/sessions", "/account"] {
            assert!(
                !banner_on(browser, path).await,
                "a banner for the {who} on {path}"
            );
        }
    }
    // The pages say why.
    let list = admin.get("/admin/webhooks").await.text().await.unwrap();
    assert!(list.contains("disabled by the system") && list.contains("410 Gone"));
    let page = admin
        .get(&format!("/admin/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"disabled-notice\"") && page.contains("the receiver answered 410 Gone")
    );
    let audit = admin.get("/audit").await.text().await.unwrap();
    assert!(audit.contains("it answered 410 Gone"));

    // The receiver is fixed; the admin enables the endpoint: the banner goes at once.
    receiver.answer(200);
    let html = follow(&admin, post_on(&admin, id, "enable", &[]).await).await;
    assert!(
        !html.contains("id=\"webhook-banner\""),
        "the banner is gone"
    );

    // A bad time is named beside the field; then the replay queues the failed delivery.
    let r = post_on(&admin, id, "replay", &[("since", "last tuesday")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(field_error(&html, "replay-since-error").is_some());
    assert!(html.contains("value=\"last tuesday\""));
    let since = (chrono::Utc::now() - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let html = follow(
        &admin,
        post_on(&admin, id, "replay", &[("since", &since)]).await,
    )
    .await;
    assert!(html.contains("Queued 1 failed delivery since"), "{html}");
    let got = receiver
        .wait_for(Duration::from_secs(10), |got| {
            got.iter().any(|r| r.answered == 200)
        })
        .await;
    assert_eq!(got.len(), 2, "the 410, then the replay");
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
    assert_eq!(app.count_events("webhook_endpoint.replayed"), 1);
    // Replaying again finds nothing left to queue.
    let html = follow(
        &admin,
        post_on(&admin, id, "replay", &[("since", &since)]).await,
    )
    .await;
    assert!(html.contains("No failed delivery since"), "{html}");
    let n: i64 = webhook_endpoints::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 1);
}
