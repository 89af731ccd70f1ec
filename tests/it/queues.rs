//! The manager overview, `GET /queues`: counts per status, the oldest waiting sessions,
//! waiting sessions by age, masking for managers, and who may see the page at all. The
//! decisions chart and the per-assignee counts are in `people`.

mod people;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::person::mask;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::sessions;
use sessiondesk::store::stats;
use uuid::Uuid;

use crate::helpers::{Browser, spawn_app};
use crate::lifecycle::session_in;

async fn overview(browser: &Browser) -> String {
    let r = browser.get("/queues").await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The text content right after the element carrying `id="<id>"`.
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{marker} is not on the page"));
    let start = html[at..].find('>').unwrap() + at + 1;
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].trim()
}

fn backdate(conn: &mut PgConnection, id: Uuid, by: Duration) {
    diesel::update(sessions::table.find(id))
        .set(sessions::created_at.eq(Utc::now() - by))
        .execute(conn)
        .unwrap();
}

fn waiting_since(conn: &mut PgConnection, status: SessionStatus, by: Duration) -> Uuid {
    let id = session_in(conn, status);
    backdate(conn, id, by);
    id
}

/// A session decided `outcome` at `at` by `by` (a user, or an API key when `by_type` says so).
fn decided(
    conn: &mut PgConnection,
    outcome: &str,
    by_type: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Uuid {
    let id = session_in(conn, SessionStatus::Completed);
    let reason = (outcome == "declined").then_some("data_mismatch");
    diesel::update(sessions::table.find(id))
        .set((
            sessions::status.eq(outcome),
            sessions::decision.eq(outcome),
            sessions::decision_reason.eq(reason),
            sessions::decided_by_type.eq(by_type),
            sessions::decided_by.eq(by),
            sessions::decisioned_at.eq(at),
        ))
        .execute(conn)
        .unwrap();
    id
}

fn named(conn: &mut PgConnection, id: Uuid, first: &str, last: &str) {
    diesel::update(sessions::table.find(id))
        .set((sessions::first_name.eq(first), sessions::last_name.eq(last)))
        .execute(conn)
        .unwrap();
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

#[tokio::test]
async fn counts_per_status_are_right_and_each_links_to_its_queue_oldest_first() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    use SessionStatus as S;
    let arranged = [
        (S::Created, 1),
        (S::Pending, 2),
        (S::Completed, 3),
        (S::MarkedForReview, 2),
        (S::Failed, 1),
        (S::Expired, 1),
    ];
    for (status, n) in arranged {
        for _ in 0..n {
            session_in(&mut conn, status);
        }
    }
    let someone = app.create_user("decider", Role::Reviewer).id;
    for outcome in ["approved", "approved", "declined"] {
        decided(&mut conn, outcome, "user", someone, Utc::now());
    }
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    let expected = [
        ("created", "1"),
        ("started", "0"),
        ("pending", "2"),
        ("completed", "3"),
        ("failed", "1"),
        ("marked_for_review", "2"),
        ("approved", "2"),
        ("declined", "1"),
        ("expired", "1"),
    ];
    for (status, count) in expected {
        assert_eq!(
            text_of(&html, &format!("count-{status}")),
            count,
            "{status}"
        );
        assert!(
            html.contains(&format!(
                "href=\"/sessions?status={status}&amp;sort=oldest\""
            )),
            "no queue link for {status}"
        );
    }
}

#[tokio::test]
async fn every_count_stops_at_its_limit() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    for _ in 0..3 {
        session_in(&mut conn, SessionStatus::Completed);
    }
    let counts = stats::status_counts(
        &mut conn,
        &[SessionStatus::Completed, SessionStatus::Pending],
        2,
    )
    .unwrap();
    let counts: Vec<(String, i64)> = counts
        .into_iter()
        .map(|c| (c.status.to_string(), c.n))
        .collect();
    assert_eq!(
        counts,
        vec![("completed".to_owned(), 2), ("pending".to_owned(), 0)]
    );
    let buckets =
        stats::age_buckets(&mut conn, &[SessionStatus::Completed], Utc::now(), 2).unwrap();
    assert_eq!(buckets.under_hour, 2);
    let loads = stats::per_assignee(&mut conn, &[SessionStatus::Completed], 2).unwrap();
    assert_eq!(loads.last().map(|l| (l.user_id, l.n)), Some((None, 2)));
}

#[tokio::test]
async fn a_count_past_the_cap_reads_100_000_plus() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let seed = session_in(&mut conn, SessionStatus::Completed);
    // The search-text trigger only slows this bulk insert down; this database is the test's own.
    diesel::sql_query("ALTER TABLE sessions DISABLE TRIGGER sessions_search_text")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(
        "INSERT INTO sessions (account_id, status, creator_type) \
         SELECT account_id, 'pending', 'system' FROM sessions, generate_series(1, 100001) \
         WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(seed)
    .execute(&mut conn)
    .unwrap();
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert_eq!(text_of(&html, "count-pending"), "100,000+");
    assert_eq!(text_of(&html, "count-completed"), "1");
}

#[tokio::test]
async fn the_oldest_waiting_sessions_show_their_age_and_link_to_the_case() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let html = overview(&admin).await;
    assert_eq!(text_of(&html, "oldest-completed"), "Nothing is waiting.");
    assert_eq!(
        text_of(&html, "oldest-marked_for_review"),
        "Nothing is waiting."
    );

    let mut conn = app.conn();
    let minutes = |d: i64, h: i64, m: i64| Duration::minutes((d * 24 + h) * 60 + m);
    let oldest = waiting_since(&mut conn, SessionStatus::Completed, minutes(4, 3, 10));
    named(&mut conn, oldest, "Anna", "Eriksson");
    let newer = waiting_since(&mut conn, SessionStatus::Completed, minutes(0, 1, 0));
    let review = waiting_since(&mut conn, SessionStatus::MarkedForReview, minutes(1, 2, 5));
    let not_waiting = waiting_since(&mut conn, SessionStatus::Pending, minutes(30, 0, 0));

    let html = overview(&admin).await;
    assert_eq!(text_of(&html, "oldest-completed"), "4 d 3 h");
    assert_eq!(text_of(&html, "oldest-marked_for_review"), "1 d 2 h");
    assert!(html.contains(&format!("href=\"/sessions/{oldest}\"")));
    assert!(html.contains(&format!("href=\"/sessions/{review}\"")));
    assert!(html.contains("Anna Eriksson"), "admins see the plain name");
    assert!(
        html.contains("(no name yet)"),
        "the nameless session says so"
    );
    for other in [newer, not_waiting] {
        assert!(!html.contains(&format!("/sessions/{other}")));
    }
}

#[tokio::test]
async fn waiting_sessions_are_counted_in_the_right_age_bucket() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    use SessionStatus as S;
    let arranged = [
        (S::Completed, Duration::minutes(10)),
        (S::MarkedForReview, Duration::minutes(50)),
        (S::Completed, Duration::hours(5)),
        (S::Completed, Duration::hours(30)),
        (S::MarkedForReview, Duration::hours(50)),
        (S::Completed, Duration::hours(71)),
        (S::MarkedForReview, Duration::days(10)),
        // Not waiting: never counted, however old.
        (S::Pending, Duration::minutes(10)),
        (S::Failed, Duration::days(10)),
        (S::Created, Duration::days(10)),
    ];
    for (status, age) in arranged {
        waiting_since(&mut conn, status, age);
    }
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert_eq!(text_of(&html, "bucket-hour-count"), "2");
    assert_eq!(text_of(&html, "bucket-day-count"), "1");
    assert_eq!(text_of(&html, "bucket-3days-count"), "3");
    assert_eq!(text_of(&html, "bucket-older-count"), "1");
    // Bars are drawn to scale: the largest bucket fills the track.
    let widths: Vec<&str> = html
        .match_indices("class=\"hbar-fill\" x=\"0\" y=\"0\" width=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(widths, vec!["133", "67", "200", "67"]);
}

#[tokio::test]
async fn managers_see_masked_names_admins_plain_and_redacted_sessions_no_name() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let id = waiting_since(&mut conn, SessionStatus::Completed, Duration::hours(3));
    named(&mut conn, id, "Anna", "Eriksson");
    let redacted = waiting_since(
        &mut conn,
        SessionStatus::MarkedForReview,
        Duration::hours(2),
    );
    named(&mut conn, redacted, "Zofia", "Nowak");
    sessiondesk::service::redaction::redact_session(
        &mut conn,
        redacted,
        sessiondesk::domain::actor::Actor::System,
    )
    .unwrap();

    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert!(html.contains(&mask("Anna Eriksson")), "masked name shown");
    for plain in ["Anna", "Eriksson", "Zofia", "Nowak", "Z**** N****"] {
        assert!(!html.contains(plain), "a manager saw {plain}");
    }
    assert!(html.contains("(redacted)"));

    let (admin, _) = app.signed_in(Role::Admin).await;
    let html = overview(&admin).await;
    assert!(html.contains("Anna Eriksson"));
    assert!(!html.contains("Zofia"));
    assert!(html.contains("(redacted)"));
}

#[tokio::test]
async fn reviewers_are_refused_and_anonymous_visitors_sent_to_sign_in() {
    let app = spawn_app().await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    assert_eq!(reviewer.get("/queues").await.status(), 403);
    let r = app.browser().get("/queues").await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").unwrap(),
        "/login?next=%2Fqueues"
    );
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert!(html.contains("href=\"/queues\" aria-current=\"page\""));
}
