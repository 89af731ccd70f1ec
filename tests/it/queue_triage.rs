//! Issue 20, items 6 and 7 over HTTP: waiting rows say why and since when (not since
//! creation), failed sessions have a tab, and the search finds two-letter surnames, full and
//! short session ids, across every status unless narrowed.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::sessions;
use uuid::Uuid;

use crate::helpers::spawn_app;
use crate::queue::{listed, make, unescape};

/// A failed `verification/idv` whose `mrz_check_digits` check failed.
fn fail_check(conn: &mut PgConnection, session: Uuid) {
    diesel::sql_query(
        "WITH d AS (INSERT INTO documents (session_id, kind, document_type, status) \
             VALUES ($1, 'document/idv', 'passport', 'processed') RETURNING id), \
         v AS (INSERT INTO verifications (session_id, document_id, kind, status) \
             SELECT $1, d.id, 'verification/idv', 'failed' FROM d RETURNING id) \
         INSERT INTO verification_checks (verification_id, position, name, status, requirement) \
             SELECT v.id, 0, 'mrz_check_digits', 'failed', 'required' FROM v",
    )
    .bind::<diesel::sql_types::Uuid, _>(session)
    .execute(conn)
    .unwrap();
}

/// The row of `id` in the queue's HTML.
pub fn row_of(html: &str, id: Uuid) -> String {
    let at = html
        .find(&format!("/sessions/{id}?"))
        .expect("the row is listed");
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    unescape(&html[start..end])
}

#[tokio::test]
async fn waiting_rows_say_why_and_since_when_and_failed_sessions_have_a_tab() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let lena = app.create_user("lena", Role::Reviewer);
    let mut conn = app.conn();
    let now = Utc::now();
    let created = now - Duration::days(10);
    let marked = make(
        &mut conn,
        "Ana",
        "Marked",
        "crm_1",
        S::MarkedForReview,
        created,
        None,
    );
    let failed = make(&mut conn, "Bo", "Failed", "crm_2", S::Failed, created, None);
    let fresh = make(
        &mut conn,
        "Cy",
        "Fresh",
        "crm_3",
        S::Completed,
        created,
        None,
    );
    // Created ten days ago, but waiting for three days, one day and one hour.
    for (id, waited) in [
        (marked.id, Duration::days(3)),
        (failed.id, Duration::days(1)),
        (fresh.id, Duration::hours(1)),
    ] {
        diesel::update(sessions::table.find(id))
            .set(sessions::waiting_since.eq(now - waited))
            .execute(&mut conn)
            .unwrap();
    }
    diesel::sql_query(
        "INSERT INTO events (session_id, actor_type, actor_id, action, from_status, to_status, details) \
         VALUES ($1, 'user', $2, 'session.marked_for_review', 'completed', 'marked_for_review', \
         '{\"reason\": \"glare\"}')",
    )
    .bind::<diesel::sql_types::Uuid, _>(marked.id)
    .bind::<diesel::sql_types::Uuid, _>(lena.id)
    .execute(&mut conn)
    .unwrap();
    fail_check(&mut conn, failed.id);
    fail_check(&mut conn, marked.id);

    let html = browser.get("/sessions").await.text().await.unwrap();
    // The work queue: longest waiting first, by the waiting time (all three were created
    // at the same moment).
    assert_eq!(listed(&html), vec![marked.id, fresh.id]);
    let row = row_of(&html, marked.id);
    assert!(
        row.contains("Marked for review by lena Tester: glare"),
        "{row}"
    );
    assert!(row.contains("Failed: MRZ check digits"), "{row}");
    assert!(row.contains("waiting 3 d"), "{row}");
    assert!(row.contains("created 10 d ago"), "{row}");
    assert!(
        row.contains("breached 2 d ago"),
        "past its 24-hour service level: {row}"
    );
    let row = row_of(&html, fresh.id);
    assert!(
        row.contains("Ready for a decision: no failed check"),
        "{row}"
    );
    assert!(row.contains("waiting 1 h"), "{row}");
    assert!(
        !row.contains("breached") && row.contains("due in 23 h"),
        "waiting since creation would be breached: {row}"
    );
    assert!(
        html.contains("Service level: 1 day in every waiting status"),
        "the targets in words"
    );

    // The Failed tab lists the failed session, saying which check failed; it shows its
    // count like the Mine and Unassigned tabs.
    let tab = "/sessions?status=failed&sort=waiting&redacted=exclude";
    assert!(
        unescape(&html).contains(&format!(
            "href=\"{tab}\" class=\"tab\">Failed <span class=\"tab-count\">1</span><"
        )),
        "a Failed tab with its count"
    );
    let html = browser.get(tab).await.text().await.unwrap();
    assert_eq!(listed(&html), vec![failed.id]);
    let row = row_of(&html, failed.id);
    assert!(row.contains("Failed: MRZ check digits"), "{row}");
    assert!(row.contains("waiting 24 h"), "{row}");
}

#[tokio::test]
async fn two_letter_surnames_full_and_short_ids_are_found_in_every_status() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let t = Utc::now() - Duration::days(2);
    let li = make(&mut conn, "Wei", "Li", "crm_li", S::Approved, t, None);
    let lin = make(&mut conn, "Mei", "Lin", "crm_lin", S::Completed, t, None);
    let wu = make(&mut conn, "Jun", "Wu", "crm_wu", S::Declined, t, None);
    let other = make(
        &mut conn,
        "Ola",
        "Nordmann",
        "crm_no",
        S::Completed,
        t,
        None,
    );

    // Searched from the work queue (its statuses carried by the form): every status.
    let work = "status=completed&status=marked_for_review&sort=waiting&redacted=exclude";
    for (q, expected) in [
        ("Li", vec![li.id]),
        ("li", vec![li.id]),
        ("Wu", vec![wu.id]),
        (&li.id.to_string(), vec![li.id]),
        (&wu.id.simple().to_string()[..8], vec![wu.id]),
        (&other.id.to_string().to_uppercase(), vec![other.id]),
    ] {
        let html = browser
            .get(&format!("/sessions?{work}&q={q}&every_status=1"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(listed(&html), expected, "q={q}");
        assert!(!html.contains("flash-warning"), "q={q}: no message");
    }
    // Narrowed (the box unchecked), the work queue's statuses hold: the approved Li is
    // not waiting, and "Li" is not the start of "Lin".
    let html = browser
        .get(&format!("/sessions?{work}&q=Li"))
        .await
        .text()
        .await
        .unwrap();
    assert!(listed(&html).is_empty(), "narrowed to the work queue");
    let html = browser.get("/sessions?q=Lin").await.text().await.unwrap();
    assert_eq!(listed(&html), vec![lin.id]);
    // One letter is still too short.
    let html = browser.get("/sessions?q=L").await.text().await.unwrap();
    assert!(html.contains("at least 3 characters, or a two-letter surname"));
}

#[tokio::test]
async fn a_verification_recorded_on_a_waiting_session_shows_on_the_next_queue_load() {
    use crate::api_verifications::{Passport, passport_document, verify};
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let session = app.api_session(&key, account).await.id();
    let expired = Passport {
        expiry: Utc::now().date_naive() - Duration::days(40),
        ..Passport::lindqvist()
    };
    let doc = passport_document(&app, &key, session, &expired, true).await;
    app.set_status(session, "marked_for_review");
    let html = browser.get("/sessions").await.text().await.unwrap();
    let row = row_of(&html, session);
    assert!(row.contains("Marked for review"), "{row}");
    assert!(!row.contains("Failed:"), "{row}");

    // Recorded on the marked session, which stays marked: its reasons as read a moment
    // ago (kept by this server) are stale, and the next load says what failed.
    let v = verify(&app, &key, session, doc, false).await;
    assert_eq!(v.status, 201, "{:?}", v.body);
    assert_eq!(v.attributes()["status"], "failed");
    let html = browser.get("/sessions").await.text().await.unwrap();
    let row = row_of(&html, session);
    assert!(row.contains("Marked for review"), "still marked: {row}");
    assert!(row.contains("Failed: "), "{row}");
}
