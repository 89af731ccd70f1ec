//! Several instances on one database (issue 19): the background jobs' tick runs on one of
//! them each interval, not on every one, and what one instance (or anyone) writes is what
//! every other one shows on the next page: counts and signed-in users are cached per
//! instance, and dropped when Postgres says the table changed.

use std::sync::{Arc, Barrier};
use std::time::Duration as StdDuration;

use chrono::Utc;
use diesel::prelude::*;
use sessiondesk::config::Config;
use sessiondesk::schema::job_ticks;
use sessiondesk::startup::Application;
use sessiondesk::store::job_ticks as ticks;

use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;

use crate::helpers::{TestApp, TestDb, spawn_app_with};
use crate::queue::make;

#[test]
fn two_instances_claiming_one_tick_at_the_same_moment_let_exactly_one_run_it() {
    let db = TestDb::new();
    let spacing = StdDuration::from_secs(60);
    for round in 0..5 {
        let now = Utc::now() + chrono::Duration::minutes(2 * round);
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|instance| {
                let barrier = barrier.clone();
                let mut conn = db.conn();
                std::thread::spawn(move || {
                    barrier.wait();
                    ticks::claim(&mut conn, "maintenance", instance, now, spacing).unwrap()
                })
            })
            .collect();
        let won: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "round {round}: {won:?}"
        );
        // Within the interval, nobody runs it again.
        let again = ticks::claim(&mut db.conn(), "maintenance", "c", now, spacing).unwrap();
        assert!(!again);
    }
    let runs: i64 = job_ticks::table
        .find("maintenance")
        .select(job_ticks::runs)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(runs, 5);
}

#[tokio::test]
async fn two_running_instances_share_one_tick_per_interval() {
    let interval = StdDuration::from_millis(300);
    let app = spawn_app_with(|c| c.expiry_interval = interval).await;
    let mut config = Config::for_database(&app.db.url);
    config.expiry_interval = interval;
    let other = Application::build(config).expect("a second instance builds");
    tokio::spawn(other.run_until_stopped());
    // Both loops run from here; measure over three seconds from a known count.
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let runs = |app: &crate::helpers::TestApp| -> i64 {
        job_ticks::table
            .find("maintenance")
            .select(job_ticks::runs)
            .first(&mut app.conn())
            .unwrap()
    };
    let start = runs(&app);
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    let ran = runs(&app) - start;
    // One per interval (less a tenth) at most: 3 s / 270 ms, plus the one under way. Two
    // instances each running their own would make about twenty.
    assert!(ran <= 12, "{ran} ticks in 3 s with two instances");
    assert!(ran >= 3, "{ran} ticks in 3 s");
}

/// Two instances on one database, sharing the cookie key as a balanced pair would: the
/// test app (A) and the address of a second instance (B).
pub(crate) async fn pair() -> (TestApp, String) {
    let mut key = vec![0u8; 64];
    for (i, b) in key.iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    let shared = key.clone();
    let a = spawn_app_with(move |c| c.session_key = shared).await;
    let mut config = Config::for_database(&a.db.url);
    config.session_key = key;
    config.require_mfa = sessiondesk::config::RequireMfa::Off;
    let b = Application::build(config).expect("a second instance builds");
    let address = format!("http://127.0.0.1:{}", b.port());
    tokio::spawn(b.run_until_stopped());
    // Both change listeners connect (until then nothing is cached at all, and the tests
    // below would prove nothing).
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    (a, address)
}

/// GET `path` from `address` with exactly `cookie`, redirects not followed.
pub(crate) async fn get_on(address: &str, path: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{address}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// Marks `session` for review from its case page, as `who`.
pub(crate) async fn mark_for_review(who: &crate::helpers::Browser, session: uuid::Uuid) {
    let token = who.csrf(&format!("/sessions/{session}")).await;
    let r = who
        .post(
            &format!("/sessions/{session}/mark-for-review"),
            &[("reason", "")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
}

/// The count on the queue's chip for `status`.
fn chip(html: &str, status: &str) -> String {
    let at = html
        .find(&format!("chip chip-{status}"))
        .unwrap_or_else(|| panic!("no chip for {status}"));
    let rest = &html[at..];
    let marker = "class=\"chip-count\">";
    let start = rest.find(marker).expect("a chip count") + marker.len();
    let end = rest[start..].find('<').expect("the count ends") + start;
    rest[start..end].to_owned()
}

#[tokio::test]
async fn a_change_through_one_instance_is_in_the_others_counts_on_the_next_page() {
    let (a, b) = pair().await;
    let (me, _) = a.signed_in(Role::Reviewer).await;
    let (colleague, _) = a.signed_in(Role::Reviewer).await;
    let now = Utc::now();
    let hours = |h| now - chrono::Duration::hours(h);
    let (first, second) = {
        let mut conn = a.conn();
        let one = make(
            &mut conn,
            "Ann",
            "One",
            "ext-1",
            SessionStatus::Completed,
            hours(3),
            None,
        );
        let two = make(
            &mut conn,
            "Bo",
            "Two",
            "ext-2",
            SessionStatus::Completed,
            hours(2),
            None,
        );
        (one.id, two.id)
    };
    // Signing in was a write of this reviewer's: for a little while every instance reads
    // afresh for them whatever it has cached. Wait that out, so that B does cache.
    tokio::time::sleep(sessiondesk::app::fresh::CLOCK_MARGIN + StdDuration::from_millis(300)).await;
    let cookie = me.cookie_header();
    let queue = "/sessions?status=marked_for_review&sort=newest";
    // B counts, and remembers the counts (for up to five seconds were nothing to change).
    for _ in 0..2 {
        let html = get_on(&b, queue, &cookie).await.text().await.unwrap();
        assert_eq!(chip(&html, "marked_for_review"), "0");
        assert_eq!(chip(&html, "completed"), "2");
    }

    // A colleague marks one through A: B hears it from Postgres within milliseconds.
    mark_for_review(&colleague, first).await;
    let started = std::time::Instant::now();
    loop {
        let html = get_on(&b, queue, &cookie).await.text().await.unwrap();
        if chip(&html, "marked_for_review") == "1" {
            assert_eq!(chip(&html, "completed"), "1");
            break;
        }
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "B still shows the counts from before A's change"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }

    // The reviewer's own change through A, and at once their next page from B.
    mark_for_review(&me, second).await;
    let cookie = me.cookie_header();
    let html = get_on(&b, queue, &cookie).await.text().await.unwrap();
    assert_eq!(chip(&html, "marked_for_review"), "2");
    assert_eq!(chip(&html, "completed"), "0");
}

#[tokio::test]
async fn a_user_disabled_anywhere_is_signed_out_of_every_instance() {
    let (a, b) = pair().await;
    let (browser, user) = a.signed_in(Role::Reviewer).await;
    tokio::time::sleep(sessiondesk::app::fresh::CLOCK_MARGIN + StdDuration::from_millis(300)).await;
    let cookie = browser.cookie_header();
    // B reads the user, and remembers them.
    for _ in 0..2 {
        assert_eq!(get_on(&b, "/sessions", &cookie).await.status(), 200);
    }
    // An admin disables them (here straight in SQL: a change made anywhere).
    diesel::update(sessiondesk::schema::users::table.find(user.id))
        .set(sessiondesk::schema::users::disabled.eq(true))
        .execute(&mut a.conn())
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let r = get_on(&b, "/sessions", &cookie).await;
        if r.status() == 303 {
            let to = r.headers()["location"].to_str().unwrap().to_owned();
            assert!(to.starts_with("/login"), "{to}");
            break;
        }
        assert_eq!(r.status(), 200);
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "B still lets the disabled user in"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // And A, which never cached them after the change, refuses them too.
    assert_eq!(get_on(&a.address, "/sessions", &cookie).await.status(), 303);
}

#[tokio::test]
async fn a_view_shared_anywhere_is_in_the_other_instances_navigation_on_the_next_page() {
    let (a, b) = pair().await;
    let (browser, _) = a.signed_in(Role::Reviewer).await;
    let (_, colleague) = a.signed_in(Role::Reviewer).await;
    tokio::time::sleep(sessiondesk::app::fresh::CLOCK_MARGIN + StdDuration::from_millis(300)).await;
    let cookie = browser.cookie_header();
    // B reads the reviewer's views (none), and remembers them.
    for _ in 0..2 {
        let html = get_on(&b, "/sessions", &cookie).await.text().await.unwrap();
        assert!(!html.contains("Pending approvals view"), "{html}");
    }
    // A colleague shares a view (here straight in SQL: a change made anywhere).
    diesel::insert_into(sessiondesk::schema::saved_views::table)
        .values((
            sessiondesk::schema::saved_views::owner_id.eq(colleague.id),
            sessiondesk::schema::saved_views::name.eq("Pending approvals view"),
            sessiondesk::schema::saved_views::query.eq("status=marked_for_review"),
            sessiondesk::schema::saved_views::shared.eq(true),
        ))
        .execute(&mut a.conn())
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let html = get_on(&b, "/sessions", &cookie).await.text().await.unwrap();
        if html.contains("Pending approvals view") {
            break;
        }
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "B still shows the views from before the colleague shared one"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Whether the queue page at `address` names an account `external_id`.
async fn queue_names(address: &str, cookie: &str, external_id: &str) -> bool {
    let r = get_on(
        address,
        "/sessions?status=marked_for_review&sort=newest",
        cookie,
    )
    .await;
    assert_eq!(r.status(), 200);
    r.text()
        .await
        .unwrap()
        .contains(&format!(">{external_id}<"))
}

/// Polls B's queue for up to a second until it does (or does not) name `external_id`.
async fn until_named(address: &str, cookie: &str, external_id: &str, named: bool) {
    let started = std::time::Instant::now();
    while queue_names(address, cookie, external_id).await != named {
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "B still {} {external_id}",
            if named { "does not name" } else { "names" }
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_account_renamed_or_redacted_anywhere_is_named_anew_on_every_instance() {
    let (a, b) = pair().await;
    let (me, _) = a.signed_in(Role::Reviewer).await;
    let session = {
        let mut conn = a.conn();
        make(
            &mut conn,
            "Ann",
            "Account",
            "crm_before",
            SessionStatus::MarkedForReview,
            Utc::now(),
            None,
        )
    };
    tokio::time::sleep(sessiondesk::app::fresh::CLOCK_MARGIN + StdDuration::from_millis(300)).await;
    let cookie = me.cookie_header();
    // B reads the account's id once and keeps it.
    assert!(queue_names(&b, &cookie, "crm_before").await);
    assert!(queue_names(&b, &cookie, "crm_before").await);
    let rename = |to: Option<&str>, notify: bool| {
        let mut conn = a.conn();
        if !notify {
            // Triggers off for this connection only: a change no instance hears of.
            diesel::sql_query("SET session_replication_role = replica")
                .execute(&mut conn)
                .unwrap();
        }
        diesel::sql_query("UPDATE accounts SET external_id = $1 WHERE id = $2")
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(to)
            .bind::<diesel::sql_types::Uuid, _>(session.account_id)
            .execute(&mut conn)
            .unwrap();
    };
    // Kept, not read per page: a change Postgres does not announce is not seen...
    rename(Some("crm_unheard"), false);
    assert!(queue_names(&b, &cookie, "crm_before").await);
    // ...and an announced one is, on the next page (renamed, then redacted).
    rename(Some("crm_renamed"), true);
    until_named(&b, &cookie, "crm_renamed", true).await;
    rename(None, true);
    until_named(&b, &cookie, "crm_renamed", false).await;
    assert!(!queue_names(&b, &cookie, "crm_before").await);
}
