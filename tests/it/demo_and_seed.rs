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
    // The demo's every shape of case, read as the case page reads it, is what the
    // single-table functions read.
    every_case_file_is_what_its_tables_hold(&mut conn);
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

/// [`case_file::load`] (one statement, rows as JSON) against the functions that read each
/// table on its own, for every session of the database: the same rows, the same order, the
/// same values to the microsecond; and a timeline read in pages of three, through cursors,
/// as a timeline read in one.
fn every_case_file_is_what_its_tables_hold(conn: &mut PgConnection) {
    use sessiondesk::store::case_file;
    use sessiondesk::store::events::TimelineCursor;
    use sessiondesk::store::{
        accounts, approvals, capture_links, devices, documents, events as ev, notes,
        sessions as ss, verifications,
    };
    let hidden = &["session.viewed"];
    let now = chrono::Utc::now();
    // What the demo has none of: capture links (their hash is bytes, every byte value
    // among them) and approval requests, pending, lapsed and decided, with text to escape.
    diesel::sql_query(
        "WITH chosen AS (SELECT id FROM sessions ORDER BY id LIMIT 3), \
         admin AS (SELECT id FROM users WHERE role = 'admin' LIMIT 1) \
         INSERT INTO capture_links (session_id, token_hash, created_by_type, created_at, \
           expires_at, revoked_at, consent_version, entered_fields) \
         SELECT id, decode(repeat('00ff7f80', 4), 'hex') || substr(sha256(id::text::bytea), 1, 16), 'user', now() - interval '2 days', \
           now() + interval '1 day', now() - interval '1 day', NULL, '{}'::text[] FROM chosen \
         UNION ALL SELECT id, sha256(id::text::bytea), 'system', now() - interval '1 hour', \
           now() + interval '2 days', NULL, 'v2 \"quoted\" — ünïcode', '{first_name,email}'::text[] FROM chosen",
    )
    .execute(conn)
    .unwrap();
    diesel::sql_query(
        "WITH chosen AS (SELECT id FROM sessions ORDER BY id LIMIT 3), \
         admin AS (SELECT id FROM users WHERE role = 'admin' LIMIT 1) \
         INSERT INTO approval_requests (kind, session_id, requested_by, created_at, expires_at, \
           reason, comment, status) \
         SELECT 'decline', chosen.id, admin.id, now() - interval '1 hour', now() + interval '6 days', \
           'suspected_fraud', E'line one\\nline \"two\" <b>&amp;</b> ✓', 'pending' FROM chosen, admin \
         UNION ALL SELECT 'redaction', chosen.id, admin.id, now() - interval '8 days', \
           now() - interval '1 day', NULL, NULL, 'pending' FROM chosen, admin \
         UNION ALL SELECT 'redaction', chosen.id, admin.id, now() - interval '2 hours', \
           now() + interval '6 days', NULL, NULL, 'approved' FROM chosen, admin",
    )
    .execute(conn)
    .unwrap();
    let ids: Vec<uuid::Uuid> = sessions::table.select(sessions::id).load(conn).unwrap();
    let mut compared = (0, 0, 0, 0, 0, 0, 0);
    for id in ids {
        let query = case_file::CaseQuery {
            id,
            before: None,
            except: hidden,
            size: 200,
            now,
            recorded: None,
        };
        let file = case_file::load(conn, &query).unwrap().unwrap();
        let session = ss::find(conn, id).unwrap().unwrap();
        assert_eq!(format!("{:?}", file.session), format!("{session:?}"));
        let account = accounts::find(conn, session.account_id).unwrap().unwrap();
        assert_eq!(format!("{:?}", file.account), format!("{account:?}"));
        let docs = documents::for_session(conn, id).unwrap();
        assert_eq!(format!("{:?}", file.documents), format!("{docs:?}"));
        let doc_ids: Vec<_> = docs.iter().map(|d| d.id).collect();
        let files = documents::files_for(conn, &doc_ids).unwrap();
        assert_eq!(format!("{:?}", file.files), format!("{files:?}"));
        let vers = verifications::for_session(conn, id).unwrap();
        assert_eq!(format!("{:?}", file.verifications), format!("{vers:?}"));
        let ver_ids: Vec<_> = vers.iter().map(|v| v.id).collect();
        let checks = verifications::checks_for(conn, &ver_ids).unwrap();
        assert_eq!(format!("{:?}", file.checks), format!("{checks:?}"));
        let device = devices::for_session(conn, id).unwrap();
        assert_eq!(format!("{:?}", file.device), format!("{device:?}"));
        let notes = notes::for_session(conn, id).unwrap();
        assert_eq!(format!("{:?}", file.notes), format!("{notes:?}"));
        let timeline = ev::timeline_page(conn, id, None, hidden, 200).unwrap();
        assert_eq!(format!("{:?}", file.events), format!("{timeline:?}"));
        let link = capture_links::latest_for_session(conn, id).unwrap();
        assert_eq!(format!("{:?}", file.capture_link), format!("{link:?}"));
        let pending = approvals::pending(conn, Some(id), now).unwrap();
        assert_eq!(format!("{:?}", file.pending), format!("{pending:?}"));
        // The timeline again, three events a page.
        let mut before = None;
        let mut paged = Vec::new();
        loop {
            let query = case_file::CaseQuery {
                before,
                size: 3,
                ..query
            };
            let page = case_file::load(conn, &query).unwrap().unwrap().events;
            let last = page.rows.last().map(|e| TimelineCursor {
                created_at: e.created_at,
                id: e.id,
            });
            paged.extend(page.rows);
            if !page.more {
                break;
            }
            before = last;
        }
        assert_eq!(format!("{paged:?}"), format!("{:?}", timeline.rows));
        compared.0 += usize::from(!docs.is_empty());
        compared.1 += usize::from(!checks.is_empty());
        compared.2 += usize::from(device.is_some());
        compared.3 += usize::from(!notes.is_empty());
        compared.4 += usize::from(link.is_some());
        compared.5 += usize::from(timeline.rows.len() > 3);
        compared.6 += pending.len();
    }
    // Each kind of row was there to compare somewhere.
    let (docs, checks, devices, notes, links, long, pending) = compared;
    assert!(docs > 0 && checks > 0 && devices > 0, "{compared:?}");
    assert!(notes > 0 && links == 3 && long > 0, "{compared:?}");
    assert!(
        pending >= 3,
        "one pending request each, the lapsed ones left out: {pending}"
    );
    // Whether a view is already recorded: the same answer as `events::happened_since`.
    let (first, admin): (uuid::Uuid, uuid::Uuid) = (
        sessions::table.select(sessions::id).first(conn).unwrap(),
        users::table
            .filter(users::role.eq("admin"))
            .select(users::id)
            .first(conn)
            .unwrap(),
    );
    let (view, since) = sessiondesk::service::reads::case_view(admin, first);
    let asked = |conn: &mut PgConnection, event: &ev::NewEvent, since| {
        let query = case_file::CaseQuery {
            id: first,
            before: None,
            except: hidden,
            size: 200,
            now,
            recorded: Some((event, since)),
        };
        let file = case_file::load(conn, &query).unwrap().unwrap().recorded;
        let single = ev::happened_since(conn, event, since, false, None).unwrap();
        assert_eq!(file, single);
        file
    };
    assert!(!asked(conn, &view, since), "not viewed yet");
    ev::insert(conn, &view).unwrap();
    assert!(asked(conn, &view, since), "viewed within the interval");
    let later = chrono::Utc::now() + chrono::Duration::seconds(5);
    assert!(!asked(conn, &view, later), "only an earlier view");
    let (other, _) = sessiondesk::service::reads::case_view(uuid::Uuid::new_v4(), first);
    assert!(!asked(conn, &other, since), "another user's view");
    let nobody = case_file::CaseQuery {
        id: uuid::Uuid::new_v4(),
        before: None,
        except: hidden,
        size: 200,
        now,
        recorded: None,
    };
    assert!(case_file::load(conn, &nobody).unwrap().is_none());
}
