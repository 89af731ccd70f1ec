//! Bulk changes from the queue (issue 18): each session changed through the same service
//! as one at a time, with its own event; refusals listed with their reasons; bad input a
//! 4xx naming the field that writes nothing; long changes in the background, surviving a
//! restart without repeating a session.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::config::Config;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::{bulk_change_items, bulk_changes, notes, sessions};
use sessiondesk::startup::Application;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};
use crate::queue::make;

fn waiting(app: &TestApp, n: usize, status: S) -> Vec<Uuid> {
    let mut conn = app.conn();
    (0..n)
        .map(|i| {
            make(
                &mut conn,
                "Bo",
                &format!("Bulk{i}"),
                &format!("acct-{i}"),
                status,
                Utc::now() - Duration::hours(2) + Duration::seconds(i as i64),
                None,
            )
            .id
        })
        .collect()
}

fn changes(app: &TestApp) -> i64 {
    bulk_changes::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// Posts the bulk bar's form.
async fn post(b: &Browser, token: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token)];
    form.extend_from_slice(fields);
    b.post_raw("/sessions/bulk", &form).await
}

/// Posts the bulk bar's form with `ids` ticked.
async fn post_ticked(
    b: &Browser,
    token: &str,
    fields: &[(&str, &str)],
    ids: &[Uuid],
) -> reqwest::Response {
    let strings: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let mut all = fields.to_vec();
    all.extend(strings.iter().map(|s| ("ids", s.as_str())));
    post(b, token, &all).await
}

/// Marks a session as decided by `by` a moment ago, as a decision on its case page would.
pub fn decided_by(conn: &mut diesel::PgConnection, session: Uuid, by: Uuid) {
    diesel::update(sessions::table.find(session))
        .set((
            sessions::decided_by.eq(by),
            sessions::decided_by_type.eq("user"),
            sessions::decisioned_at.eq(Utc::now()),
        ))
        .execute(conn)
        .unwrap();
}

fn change_id(r: &reqwest::Response) -> Uuid {
    let location = r
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    let id = location.strip_prefix("/bulk/").expect("to the result page");
    Uuid::parse_str(id).unwrap()
}

/// A bulk change's result page.
async fn result_page(b: &Browser, id: Uuid) -> String {
    b.get(&format!("/bulk/{id}")).await.text().await.unwrap()
}

/// Waits for a change to finish, reading its progress as the result page does.
async fn finished(b: &Browser, id: Uuid) -> serde_json::Value {
    for _ in 0..300 {
        let p: serde_json::Value = b
            .get(&format!("/bulk/{id}/progress"))
            .await
            .json()
            .await
            .unwrap();
        if p["finished"] == true {
            return p;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("the bulk change did not finish");
}

#[tokio::test]
async fn ticked_sessions_are_assigned_one_by_one_and_a_decided_one_is_refused_with_who_decided() {
    let app = spawn_app().await;
    let lena = app.create_user("lena", Role::Reviewer);
    let omar = app.create_user("omar", Role::Reviewer);
    let ids = waiting(&app, 4, S::Completed);
    let approved = {
        let mut conn = app.conn();
        let m = make(
            &mut conn,
            "Ada",
            "Approved",
            "acct-a",
            S::Approved,
            Utc::now() - Duration::hours(1),
            None,
        );
        decided_by(&mut conn, m.id, omar.id);
        m.id
    };
    let (admin, _) = app.signed_in(Role::Admin).await;
    let token = admin.csrf("/sessions").await;
    let lena_id = lena.id.to_string();
    let mut fields = vec![("action", "assign"), ("assignee", lena_id.as_str())];
    let all: Vec<String> = ids
        .iter()
        .chain(std::iter::once(&approved))
        .map(Uuid::to_string)
        .collect();
    for id in &all {
        fields.push(("ids", id.as_str()));
    }
    fields.push(("query", "status=completed&sort=newest"));
    let r = post(&admin, &token, &fields).await;
    assert_eq!(r.status(), 303);
    let id = change_id(&r);

    // Made while the admin waited: the result page has the outcome at once.
    let html = result_page(&admin, id).await;
    assert!(html.contains("Assign 5 sessions to lena Tester"), "{html}");
    assert!(html.contains("<strong>4</strong> changed"), "{html}");
    assert!(html.contains("<strong>1</strong> refused"), "{html}");
    assert!(
        html.contains("already approved by omar Tester at "),
        "the refusal names who decided: {html}"
    );
    assert!(html.contains(&format!("/sessions/{approved}")));
    assert!(
        html.contains("/sessions?status=completed&amp;sort=newest")
            || html.contains("/sessions?status=completed&#38;sort=newest")
    );

    let mut conn = app.conn();
    for s in &ids {
        let holder: Option<Uuid> = sessions::table
            .find(s)
            .select(sessions::assigned_to)
            .first(&mut conn)
            .unwrap();
        assert_eq!(holder, Some(lena.id));
    }
    let holder: Option<Uuid> = sessions::table
        .find(approved)
        .select(sessions::assigned_to)
        .first(&mut conn)
        .unwrap();
    assert_eq!(holder, None);
    // One event per session changed, as from the case page, and the change's own two.
    assert_eq!(app.count_events("session.assigned"), 4);
    assert_eq!(app.count_events("bulk.requested"), 1);
    assert_eq!(app.count_events("bulk.finished"), 1);

    // Sending the same sessions again changes nothing more: each is already so.
    let r = post(&admin, &token, &fields).await;
    let again = change_id(&r);
    let html = result_page(&admin, again).await;
    assert!(html.contains("<strong>0</strong> changed"), "{html}");
    assert!(html.contains("<strong>4</strong> already so"), "{html}");
    assert_eq!(app.count_events("session.assigned"), 4);

    // The list of bulk changes shows both; a reviewer who asked for neither sees neither.
    let html = admin.get("/bulk").await.text().await.unwrap();
    assert_eq!(html.matches("href=\"/bulk/").count(), 2);
    assert_eq!(html.matches("Assign 5 sessions to lena Tester").count(), 2);
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    assert_eq!(reviewer.get(&format!("/bulk/{id}")).await.status(), 404);
    assert_eq!(
        reviewer.get(&format!("/bulk/{id}/progress")).await.status(),
        404
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let lena = app.create_user("lena", Role::Reviewer);
    let ids = waiting(&app, 2, S::Completed);
    let first = ids[0].to_string();
    let lena_id = lena.id.to_string();
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let token = reviewer.csrf("/sessions").await;
    for (fields, status, field) in [
        (vec![("action", "assign"), ("assignee", "me")], 422, "ids"),
        (
            vec![
                ("action", "assign"),
                ("assignee", "me"),
                ("ids", "nonsense"),
            ],
            422,
            "ids",
        ),
        (vec![("action", "approve"), ("ids", &first)], 422, "action"),
        (vec![("action", "decline"), ("ids", &first)], 422, "action"),
        (
            vec![("action", "frobnicate"), ("ids", &first)],
            422,
            "action",
        ),
        (vec![("action", "assign"), ("ids", &first)], 422, "assignee"),
        // A reviewer gives cases only to themselves.
        (
            vec![
                ("action", "assign"),
                ("assignee", &lena_id),
                ("ids", &first),
            ],
            422,
            "assignee",
        ),
        (
            vec![("action", "note"), ("note", "   "), ("ids", &first)],
            422,
            "note",
        ),
        (
            vec![("action", "note"), ("note", "a\u{0007}b"), ("ids", &first)],
            422,
            "note",
        ),
        // "All matching" under a filter that cannot be read.
        (
            vec![
                ("action", "unassign"),
                ("all", "1"),
                ("query", "status=nonsense"),
            ],
            422,
            "filter",
        ),
    ] {
        let r = post(&reviewer, &token, &fields).await;
        assert_eq!(r.status(), status, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("Nothing was changed: {field}: ")),
            "{fields:?}: {html}"
        );
    }
    // A manager does not expire or mark cases.
    let (manager, _) = app.signed_in(Role::Manager).await;
    let mtoken = manager.csrf("/sessions").await;
    for action in ["expire", "mark_for_review"] {
        let r = post(
            &manager,
            &mtoken,
            &[("action", action), ("ids", &first), ("confirm", "1")],
        )
        .await;
        assert_eq!(r.status(), 403, "{action}");
    }
    // No token: 403 before anything is read.
    let r = reviewer
        .post_raw("/sessions/bulk", &[("action", "unassign"), ("ids", &first)])
        .await;
    assert_eq!(r.status(), 403);

    assert_eq!(changes(&app), 0);
    for action in [
        "bulk.requested",
        "session.assigned",
        "session.unassigned",
        "note.added",
        "session.expired",
        "session.marked_for_review",
    ] {
        assert_eq!(app.count_events(action), 0, "{action}");
    }
}

#[tokio::test]
async fn expiring_asks_first_and_all_matching_runs_in_the_background() {
    let app = spawn_app().await;
    let completed = waiting(&app, 30, S::Completed);
    let other = waiting(&app, 3, S::Started);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let token = admin.csrf("/sessions").await;

    // Expiring ticked sessions: a confirmation first, nothing written until confirmed.
    let two = [other[0].to_string(), other[1].to_string()];
    let r = post(
        &admin,
        &token,
        &[("action", "expire"), ("ids", &two[0]), ("ids", &two[1])],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Expire 2 sessions?"), "{html}");
    assert!(html.contains("Expiring is final"));
    assert_eq!(changes(&app), 0);
    let r = post(
        &admin,
        &token,
        &[
            ("action", "expire"),
            ("ids", &two[0]),
            ("ids", &two[1]),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count_events("session.expired"), 2);

    // A note on every completed session: the count is confirmed, then it runs in the
    // background; the note's text is not kept on the change once it is done.
    let query = "status=completed&sort=oldest";
    let r = post(
        &admin,
        &token,
        &[
            ("action", "note"),
            ("note", "Checked against the sanctions list"),
            ("all", "1"),
            ("query", query),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Add a note to 30 sessions?")
    );
    let r = post(
        &admin,
        &token,
        &[
            ("action", "note"),
            ("note", "Checked against the sanctions list"),
            ("all", "1"),
            ("query", query),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let id = change_id(&r);
    let p = finished(&admin, id).await;
    assert_eq!(p["total"], 30);
    assert_eq!(p["changed"], 30);
    assert_eq!(p["refused"], 0);
    let mut conn = app.conn();
    let noted: i64 = notes::table
        .filter(notes::session_id.eq_any(&completed))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(noted, 30);
    assert_eq!(app.count_events("note.added"), 30);
    // In the queue's order: the oldest first.
    let first: Uuid = bulk_change_items::table
        .filter(bulk_change_items::change_id.eq(id))
        .order(bulk_change_items::position)
        .select(bulk_change_items::session_id)
        .first(&mut conn)
        .unwrap();
    assert_eq!(first, completed[0]);
    let kept: Option<String> = bulk_changes::table
        .find(id)
        .select(bulk_changes::note)
        .first(&mut conn)
        .unwrap();
    assert_eq!(kept, None);
}

/// A second instance of the application on the same database.
async fn second_instance(app: &TestApp) {
    let mut config = Config::for_database(&app.db.url);
    config.require_mfa = sessiondesk::config::RequireMfa::Off;
    config.bulk_poll = StdDuration::from_millis(100);
    let other = Application::build(config).expect("application builds");
    tokio::spawn(other.run_until_stopped());
}

#[tokio::test]
async fn a_change_left_by_a_stopped_instance_is_resumed_where_it_stopped_without_repeats() {
    // This instance works nothing in the background, and only two sessions while asked.
    let app = spawn_app_with(|c| {
        c.bulk_work = false;
        c.bulk_inline_max = 2;
    })
    .await;
    let ids = waiting(&app, 7, S::Completed);
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let token = reviewer.csrf("/sessions").await;
    let r = post_ticked(&reviewer, &token, &[("action", "mark_for_review")], &ids).await;
    assert_eq!(r.status(), 303);
    let id = change_id(&r);
    let html = result_page(&reviewer, id).await;
    assert!(html.contains("In progress"), "{html}");
    assert!(html.contains("0 of 7 sessions settled"), "{html}");
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert_eq!(app.count_events("session.marked_for_review"), 0);

    // As if a worker had settled the first three and then died with its lease.
    {
        let mut conn = app.conn();
        diesel::update(bulk_changes::table.find(id))
            .set((
                bulk_changes::done.eq(3),
                bulk_changes::changed.eq(3),
                bulk_changes::lease_token.eq(Uuid::new_v4()),
                bulk_changes::lease_until.eq(Utc::now() - Duration::seconds(1)),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    second_instance(&app).await;
    let p = finished(&reviewer, id).await;
    assert_eq!(p["done"], 7);
    assert_eq!(p["changed"], 7);
    // Only the four left were changed, each once.
    assert_eq!(app.count_events("session.marked_for_review"), 4);
    let mut conn = app.conn();
    let marked: Vec<Uuid> = sessions::table
        .filter(sessions::status.eq("marked_for_review"))
        .select(sessions::id)
        .order(sessions::created_at)
        .load(&mut conn)
        .unwrap();
    assert_eq!(marked, ids[3..].to_vec());
    let html = result_page(&reviewer, id).await;
    assert!(html.contains("Done"), "{html}");
}

#[tokio::test]
async fn a_running_change_can_be_cancelled_and_the_rest_stays_as_it_was() {
    let app = spawn_app_with(|c| {
        c.bulk_work = false;
        c.bulk_inline_max = 1;
    })
    .await;
    let ids = waiting(&app, 3, S::Completed);
    let (reviewer, me) = app.signed_in(Role::Reviewer).await;
    let token = reviewer.csrf("/sessions").await;
    let fields = [("action", "assign"), ("assignee", "me")];
    let id = change_id(&post_ticked(&reviewer, &token, &fields, &ids).await);
    let r = reviewer
        .post(&format!("/bulk/{id}/cancel"), &[], &token)
        .await;
    assert_eq!(r.status(), 303);
    let html = result_page(&reviewer, id).await;
    assert!(html.contains("Cancelled"), "{html}");
    assert!(html.contains("<strong>3</strong> not reached"), "{html}");
    assert_eq!(app.count_events("bulk.cancelled"), 1);
    assert_eq!(app.count_events("bulk.finished"), 1);
    // A worker coming later finds nothing to do.
    second_instance(&app).await;
    tokio::time::sleep(StdDuration::from_millis(600)).await;
    assert_eq!(app.count_events("session.assigned"), 0);
    let held: i64 = sessions::table
        .filter(sessions::assigned_to.eq(me.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(held, 0);
    // Cancelling again: nothing to cancel.
    let r = reviewer
        .post(&format!("/bulk/{id}/cancel"), &[], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count_events("bulk.cancelled"), 1);
}
