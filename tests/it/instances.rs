//! Several instances on one database (issue 19): the background jobs' tick runs on one of
//! them each interval, not on every one.

use std::sync::{Arc, Barrier};
use std::time::Duration as StdDuration;

use chrono::Utc;
use diesel::prelude::*;
use sessiondesk::config::Config;
use sessiondesk::schema::job_ticks;
use sessiondesk::startup::Application;
use sessiondesk::store::job_ticks as ticks;

use crate::helpers::{TestDb, spawn_app_with};

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
