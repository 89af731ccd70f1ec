//! Issue 20, item 5 over HTTP: mark-for-review takes an optional reason code, from the API
//! and from the case page; the queue row says it in words; an unknown code is a 422 naming
//! the field and writes nothing. And item 3's "use the document's value" on a mismatched
//! row of the data check.

use diesel::prelude::*;
use serde_json::json;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::{events, sessions};
use uuid::Uuid;

use crate::decide::verified_session;
use crate::helpers::{TestApp, spawn_app};
use crate::queue::{make, unescape};
use crate::queue_triage::row_of;

fn mark_reasons(app: &TestApp, session: Uuid) -> Vec<serde_json::Value> {
    events::table
        .filter(events::session_id.eq(session))
        .filter(events::action.eq("session.marked_for_review"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap()
}

fn status_of(app: &TestApp, id: Uuid) -> String {
    sessions::table
        .find(id)
        .select(sessions::status)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_api_marks_with_a_reason_code_shown_in_words_on_the_queue() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let now = chrono::Utc::now();
    let glare = make(&mut conn, "Ana", "Glare", "crm_1", S::Completed, now, None);
    let plain = make(&mut conn, "Bo", "Plain", "crm_2", S::Failed, now, None);
    let bad = make(&mut conn, "Cy", "Bad", "crm_3", S::Completed, now, None);

    let body = json!({"data": {"type": "review", "attributes": {"reason": "glare"}}});
    let path = |id: Uuid| format!("/v1/identity/sessions/{id}/mark-for-review");
    let r = app.api("POST", &path(glare.id), &key, Some(body)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.attributes()["status"], "marked_for_review");
    assert_eq!(
        mark_reasons(&app, glare.id),
        vec![json!({"reason": "glare"})]
    );
    // No body, and a null reason: marked without one.
    let r = app.api("POST", &path(plain.id), &key, None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(mark_reasons(&app, plain.id), vec![json!({})]);

    // An unknown code (free text, or a decline's code) is a 422 on the reason; nothing is
    // written.
    for reason in [json!("Anna's photo is dark"), json!("underage"), json!(7)] {
        let before = app.fingerprint();
        let body = json!({"data": {"type": "review", "attributes": {"reason": reason}}});
        let r = app.api("POST", &path(bad.id), &key, Some(body)).await;
        assert_eq!(r.status, 422, "{reason}: {:?}", r.body);
        assert_eq!(r.pointer(), Some("/data/attributes/reason"), "{reason}");
        assert_eq!(app.fingerprint(), before, "{reason}: nothing was written");
    }
    // The wrong type is the usual 409.
    let body = json!({"data": {"type": "decision", "attributes": {"reason": "glare"}}});
    let r = app.api("POST", &path(bad.id), &key, Some(body)).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.pointer(), Some("/data/type"));
    assert_eq!(status_of(&app, bad.id), "completed");
    assert!(mark_reasons(&app, bad.id).is_empty());

    // The work queue says why, in words from the code.
    let html = browser.get("/sessions").await.text().await.unwrap();
    let row = row_of(&html, glare.id);
    assert!(
        row.contains("Marked for review by an API key: glare on the document"),
        "{row}"
    );
    let row = row_of(&html, plain.id);
    assert!(row.contains("Marked for review by an API key"), "{row}");
    assert!(!row.contains("Marked for review by an API key:"), "{row}");
    // And so does the timeline.
    let page = browser
        .get(&format!("/sessions/{}", glare.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        unescape(&page).contains("marked the session for review (glare on the document)"),
        "the timeline says why"
    );
}

#[tokio::test]
async fn the_case_page_marks_with_a_reason_and_refuses_an_unknown_one_beside_the_field() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let now = chrono::Utc::now();
    let m = make(&mut conn, "Dag", "Case", "crm_4", S::Failed, now, None);
    let case = format!("/sessions/{}", m.id);
    let page = browser.get(&case).await.text().await.unwrap();
    assert!(page.contains("<option value=\"blurry_photo\">Blurry photo</option>"));
    assert!(page.contains("<option value=\"\">No reason given</option>"));

    let token = browser.csrf(&case).await;
    let action = format!("{case}/mark-for-review");
    let before = app.fingerprint();
    let r = browser
        .post(&action, &[("reason", "Photo of Dag is dark")], &token)
        .await;
    assert_eq!(r.status(), 422);
    let html = unescape(&r.text().await.unwrap());
    assert!(
        html.contains("id=\"review-reason-error\">choose a reason from the list, or none<"),
        "the message beside the field"
    );
    assert!(html.contains("id=\"review-panel\" data-shortcut=\"r\" open"));
    assert_eq!(app.fingerprint(), before, "nothing was written");
    assert_eq!(status_of(&app, m.id), "failed");

    let r = browser
        .post(&action, &[("reason", "blurry_photo")], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, m.id), "marked_for_review");
    assert_eq!(
        mark_reasons(&app, m.id),
        vec![json!({"reason": "blurry_photo"})]
    );
    let html = browser.get("/sessions").await.text().await.unwrap();
    let row = row_of(&html, m.id);
    assert!(
        row.contains(&format!(
            "Marked for review by {}: blurry photo",
            me.display_name
        )),
        "{row}"
    );
}

/// The data check's Last name row of `html`.
fn last_name_row(html: &str) -> String {
    let at = html
        .find("<th scope=\"row\">Last name</th>")
        .expect("a last name row");
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    unescape(&html[start..end])
}

#[tokio::test]
async fn use_the_documents_value_fixes_a_mismatched_row_through_the_edit() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    // Entered "Lindkvist"; the passport says Lindqvist: the data check fails.
    let (session, _) = verified_session(&app, &key, "Lindkvist").await;
    let case = format!("/sessions/{session}");

    // A manager sees the mismatch but no button.
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = manager.get(&case).await.text().await.unwrap();
    assert!(last_name_row(&html).contains("dc-mismatch"));
    assert!(!html.contains("use-document"), "not offered to a manager");

    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let html = browser.get(&case).await.text().await.unwrap();
    let row = last_name_row(&html);
    assert!(row.contains("dc-mismatch"), "{row}");
    assert!(row.contains("name=\"field\" value=\"last_name\""), "{row}");
    // Matching rows have no button.
    assert_eq!(html.matches("data-use-document=").count(), 1);

    // The form names the row only; an unknown row writes nothing.
    let token = browser.csrf(&case).await;
    let action = format!("{case}/use-document");
    let before = app.fingerprint();
    let r = browser.post(&action, &[("field", "email")], &token).await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.fingerprint(), before);

    let edits = app.count_events("session.person_updated");
    let reruns = app.count_events("verification.completed");
    let r = browser
        .post(&action, &[("field", "last_name")], &token)
        .await;
    assert_eq!(r.status(), 303);
    let last: Option<String> = sessions::table
        .find(session)
        .select(sessions::last_name)
        .first(&mut app.conn())
        .unwrap();
    // What the data check shows as the document's (the engine writes names in title case).
    assert_eq!(last.as_deref(), Some("Lindqvist"));
    // The same event as an edit, naming the field and not its value.
    assert_eq!(app.count_events("session.person_updated"), edits + 1);
    let details: serde_json::Value = events::table
        .filter(events::session_id.eq(session))
        .filter(events::action.eq("session.person_updated"))
        .order(events::id.desc())
        .select(events::details)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(details, json!({"fields": ["person.name.last"]}));
    // And the same automatic re-run of the text-judged check it made stale.
    assert_eq!(app.count_events("verification.completed"), reruns + 1);

    let html = browser.get(&case).await.text().await.unwrap();
    let row = last_name_row(&html);
    assert!(row.contains("dc-match"), "{row}");
    assert!(row.contains('✓'), "{row}");
    assert!(!html.contains("data-use-document="), "nothing left to fix");
    // The newest verification (shown first) is the re-run one, and current; the one
    // before it compared the old name and says so.
    let newest = html
        .split("<div class=\"verification\">")
        .nth(1)
        .expect("a verification");
    assert!(!newest.contains("data-stale"), "the newest is current");
    assert!(newest.contains("badge-passed"), "and passed");
}
