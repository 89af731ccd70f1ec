//! The demo data and the bulk seed: realistic, spread over every status, and consistent
//! with the lifecycle's own rules.

use diesel::prelude::*;
use sessiondesk::config::Config;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::{document_files, events, sessions, users};
use sessiondesk::service::passwords;
use sessiondesk::{demo, seed};

use crate::helpers::TestDb;

#[test]
fn the_demo_covers_every_status_with_documents_and_three_working_logins() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let config = Config::for_database(&db.url);
    let logins = demo::load(&mut conn, &config).unwrap();
    let roles: Vec<&str> = logins.iter().map(|l| l.role).collect();
    assert_eq!(roles, vec!["reviewer", "manager", "admin"]);
    for login in &logins {
        let hash: String = users::table
            .filter(users::username.eq(login.username))
            .select(users::password_hash)
            .first(&mut conn)
            .unwrap();
        assert!(
            passwords::verify(&login.password, &hash),
            "{} cannot sign in",
            login.username
        );
    }
    let total: i64 = sessions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total, demo::DEMO_SESSIONS as i64);
    for status in SessionStatus::ALL {
        let n: i64 = sessions::table
            .filter(sessions::status.eq(status.as_str()))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert!(n > 0, "no demo session is {status}");
    }
    // Every ID image decodes; every decision has its event.
    let pngs: Vec<Option<Vec<u8>>> = document_files::table
        .filter(document_files::content_type.eq("image/png"))
        .select(document_files::content)
        .limit(5)
        .load(&mut conn)
        .unwrap();
    assert!(!pngs.is_empty());
    for png in pngs {
        assert!(image::load_from_memory(&png.unwrap()).is_ok());
    }
    let decided: i64 = sessions::table
        .filter(sessions::decision.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    let decision_events: i64 = events::table
        .filter(events::action.eq_any(["session.approved", "session.declined"]))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(decided, decision_events);
    // Running it again keeps the data and gives new passwords.
    let again = demo::load(&mut conn, &config).unwrap();
    assert_ne!(again[0].password, logins[0].password);
    let total_again: i64 = sessions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total_again, total);
}

#[test]
fn seeding_adds_the_requested_sessions_over_many_statuses() {
    let db = TestDb::new();
    let mut conn = db.conn();
    seed::generate(&db.url, 2_000).unwrap();
    let total: i64 = sessions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total, 2_000);
    let statuses: Vec<String> = sessions::table
        .select(sessions::status)
        .distinct()
        .load(&mut conn)
        .unwrap();
    assert_eq!(statuses.len(), SessionStatus::ALL.len(), "{statuses:?}");
    let unnamed: i64 = sessions::table
        .filter(sessions::status.ne("created"))
        .filter(sessions::search_text.is_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(unnamed, 0);
    // Seeding is additive.
    seed::generate(&db.url, 100).unwrap();
    let total: i64 = sessions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total, 2_100);
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Index {
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// Every index of `sessions` and `accounts`, by name.
fn indexes(conn: &mut PgConnection) -> Vec<Index> {
    diesel::sql_query(
        "SELECT indexdef AS definition FROM pg_indexes \
         WHERE tablename IN ('sessions', 'accounts') ORDER BY indexname",
    )
    .load(conn)
    .unwrap()
}

fn pending(conn: &mut PgConnection) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM seed_pending_indexes")
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

#[test]
fn an_interrupted_bulk_load_has_its_indexes_built_by_the_next_seed() {
    use diesel::connection::SimpleConnection;
    let db = TestDb::new();
    let mut conn = db.conn();
    let before = indexes(&mut conn);
    // What a load killed between its steps leaves: two indexes dropped (a trigram one
    // among them), their definitions pending.
    conn.batch_execute(
        "INSERT INTO seed_pending_indexes (name, definition) \
         SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'sessions' \
           AND indexname IN ('sessions_status_search_idx', 'sessions_status_created_idx'); \
         DROP INDEX sessions_status_search_idx; DROP INDEX sessions_status_created_idx;",
    )
    .unwrap();
    assert_eq!(pending(&mut conn), 2);
    assert_eq!(indexes(&mut conn).len(), before.len() - 2);
    // The next seed, even a small one, builds them first.
    seed::generate(&db.url, 10).unwrap();
    assert_eq!(indexes(&mut conn), before);
    assert_eq!(pending(&mut conn), 0);
}

#[test]
fn a_bulk_load_ends_with_every_index_it_dropped_built_again() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let before = indexes(&mut conn);
    assert!(before.len() > 10, "{before:?}");
    // An empty table doubled: a bulk load, its secondary indexes dropped and rebuilt.
    seed::generate(&db.url, 10_000).unwrap();
    assert_eq!(indexes(&mut conn), before);
    assert_eq!(pending(&mut conn), 0, "nothing left pending");
    let total: i64 = sessions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total, 10_000);
    // The rebuilt trigram index answers a search as before.
    let found: i64 =
        diesel::sql_query("SELECT count(*) AS n FROM sessions WHERE search_text LIKE '%ohansson%'")
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n;
    assert!(found > 0);
    // Loaded without the triggers: the search text is the trigger's, and every session's
    // account exists.
    for (what, sql) in [
        (
            "search text",
            "SELECT count(*) AS n FROM sessions s \
             WHERE search_text IS DISTINCT FROM sd_session_search_text(s)",
        ),
        (
            "account",
            "SELECT count(*) AS n FROM sessions s \
             WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id)",
        ),
    ] {
        let n = diesel::sql_query(sql)
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n;
        assert_eq!(n, 0, "{what}");
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
