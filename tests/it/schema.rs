//! What Postgres itself guarantees: constrained statuses and kinds, an append-only audit
//! log, a search text kept by triggers, and migrations that go down as well as up.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use sessiondesk::db::MIGRATIONS;

use crate::helpers::TestDb;

/// One row in every table, so that each constrained column can be tried.
const FIXTURE: &str = r#"
INSERT INTO users (id, username, display_name, role, password_hash)
  VALUES ('00000000-0000-0000-0000-000000000001', 'jane', 'Jane Doe', 'reviewer', 'x');
INSERT INTO accounts (id, external_id) VALUES ('00000000-0000-0000-0000-000000000002', 'user_1');
INSERT INTO sessions (id, account_id, creator_type, first_name, last_name, email)
  VALUES ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000002', 'system',
          'Zoë', 'Müller-Lüdenscheidt', 'zoe@example.org');
INSERT INTO session_devices (session_id, platform) VALUES ('00000000-0000-0000-0000-000000000003', 'web');
INSERT INTO documents (id, session_id, kind, document_type)
  VALUES ('00000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000003', 'document/idv', 'passport');
INSERT INTO document_files (document_id, side, content_type, byte_size, sha256, content)
  VALUES ('00000000-0000-0000-0000-000000000004', 'front', 'image/png', 3, repeat('a', 64), '\x010203');
INSERT INTO verifications (id, session_id, document_id, kind)
  VALUES ('00000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000003',
          '00000000-0000-0000-0000-000000000004', 'verification/idv');
INSERT INTO verification_checks (verification_id, position, name, status, requirement)
  VALUES ('00000000-0000-0000-0000-000000000005', 0, 'mrz_format', 'passed', 'required');
INSERT INTO api_keys (name, prefix, secret_hash, permissions) VALUES ('k', 'sk_test_ab', '\x00', '{sessions:read}');
INSERT INTO notes (session_id, author_id, body)
  VALUES ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000001', 'hello');
INSERT INTO events (session_id, actor_type, action) VALUES ('00000000-0000-0000-0000-000000000003', 'system', 'session.created');
"#;

#[test]
fn postgres_refuses_any_status_or_kind_outside_the_spec() {
    let db = TestDb::new();
    let mut conn = db.conn();
    conn.batch_execute(FIXTURE).unwrap();
    let columns = [
        ("sessions", "status"),
        ("sessions", "entity_type"),
        ("sessions", "creator_type"),
        ("sessions", "decision"),
        ("sessions", "decision_reason"),
        ("sessions", "identity_number_class"),
        ("accounts", "status"),
        ("accounts", "entity_type"),
        ("documents", "kind"),
        ("documents", "document_type"),
        ("documents", "status"),
        ("document_files", "side"),
        ("document_files", "content_type"),
        ("verifications", "kind"),
        ("verifications", "status"),
        ("verification_checks", "status"),
        ("verification_checks", "requirement"),
        ("verification_checks", "name"),
        ("users", "role"),
        ("session_devices", "platform"),
    ];
    for (table, column) in columns {
        let result = conn.batch_execute(&format!("UPDATE {table} SET {column} = 'bogus'"));
        let err = result.expect_err(&format!("{table}.{column} = 'bogus' was accepted"));
        assert!(
            err.to_string().contains("check constraint"),
            "{table}.{column}: {err}"
        );
    }
    for array in [
        ("sessions", "required_verifications"),
        ("api_keys", "permissions"),
    ] {
        let result =
            conn.batch_execute(&format!("UPDATE {} SET {} = '{{bogus}}'", array.0, array.1));
        assert!(
            result.is_err(),
            "{}.{} accepted a bogus element",
            array.0,
            array.1
        );
    }
    let bogus_actor = conn.batch_execute(
        "INSERT INTO events (actor_type, action) VALUES ('bogus', 'session.created')",
    );
    assert!(bogus_actor.is_err());
    // A passport is not an address document.
    let mismatch = conn.batch_execute("UPDATE documents SET document_type = 'utility_bill'");
    assert!(mismatch.is_err());
}

/// A stored value no enum knows (written by a newer version, or past a dropped constraint)
/// fails the read with an error naming the enum and the value; it is never read as another.
#[test]
fn a_stored_value_no_enum_knows_fails_the_read() {
    let db = TestDb::new();
    let mut conn = db.conn();
    conn.batch_execute(FIXTURE).unwrap();
    conn.batch_execute(
        "ALTER TABLE sessions DROP CONSTRAINT sessions_status_check; \
         UPDATE sessions SET status = 'on_hold'",
    )
    .unwrap();
    let id = uuid::Uuid::from_u128(3);
    match sessiondesk::store::sessions::find(&mut conn, id) {
        Err(diesel::result::Error::DeserializationError(e)) => {
            assert!(e.to_string().contains("'status'"), "{e}");
            let why = std::error::Error::source(e.as_ref()).map(ToString::to_string);
            assert!(
                why.as_deref()
                    .is_some_and(|w| w.contains(r#"SessionStatus in the database is "on_hold""#)),
                "{why:?}"
            );
        }
        other => panic!("read as {other:?}"),
    }
}

#[test]
fn the_audit_log_cannot_be_changed_or_deleted() {
    let db = TestDb::new();
    let mut conn = db.conn();
    conn.batch_execute(FIXTURE).unwrap();
    let update = conn.batch_execute("UPDATE events SET action = 'session.approved'");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(conn.batch_execute("DELETE FROM events").is_err());
}

#[derive(QueryableByName, Debug)]
struct Search {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    search_text: Option<String>,
}

#[test]
fn the_search_text_follows_names_email_and_the_accounts_external_id() {
    let db = TestDb::new();
    let mut conn = db.conn();
    conn.batch_execute(FIXTURE).unwrap();
    let read = |conn: &mut PgConnection| -> String {
        diesel::sql_query("SELECT search_text FROM sessions")
            .get_result::<Search>(conn)
            .unwrap()
            .search_text
            .unwrap()
    };
    let text = read(&mut conn);
    assert!(text.contains("zoe"), "{text}");
    assert!(text.contains("muller-ludenscheidt"), "{text}");
    assert!(text.contains("user_1"), "{text}");
    conn.batch_execute(
        "UPDATE accounts SET external_id = 'crm_77'; UPDATE sessions SET email = 'z@new.example'",
    )
    .unwrap();
    let text = read(&mut conn);
    assert!(
        text.contains("crm_77") && text.contains("z@new.example") && !text.contains("user_1"),
        "{text}"
    );
    // The application cannot write it: whatever it sets is recomputed.
    conn.batch_execute("UPDATE sessions SET search_text = 'forged'")
        .unwrap();
    assert!(read(&mut conn).contains("crm_77"));
}

#[test]
fn migrations_revert_cleanly_and_apply_again() {
    let db = TestDb::new();
    let mut conn = db.conn();
    conn.revert_all_migrations(MIGRATIONS)
        .expect("every down.sql runs");
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let left = diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(&mut conn)
    .unwrap();
    assert_eq!(left.n, 0, "tables left after reverting every migration");
    conn.run_pending_migrations(MIGRATIONS)
        .expect("migrations apply again");
}
