//! Invisible format characters (Unicode category Cf: bidi overrides, zero-width marks, the
//! soft hyphen, BOM) are refused in personal data, notes and decision comments, from the
//! API and the dashboard alike, with a message naming the field; nothing is stored.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::{notes, sessions};

use crate::helpers::spawn_app;
use crate::queue::{Made, make};

#[tokio::test]
async fn an_api_patch_with_a_bidi_override_in_a_name_is_422_naming_the_field() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let session = app.api_session(&key, account).await.id();
    let path = format!("/v1/identity/sessions/{session}");
    for (attributes, pointer) in [
        (
            json!({"person": {"name": {"first": "Anna\u{202E}nnA"}}}),
            "/data/attributes/person/name/first",
        ),
        (
            json!({"person": {"name": {"last": "Eriks\u{200B}son"}}}),
            "/data/attributes/person/name/last",
        ),
        (
            json!({"address": {"line1": "Storgatan\u{2066} 1"}}),
            "/data/attributes/address/line1",
        ),
        (
            json!({"contact": {"email": "anna\u{00AD}@example.org"}}),
            "/data/attributes/contact/email",
        ),
        (
            json!({"identity_number": {"number": "\u{FEFF}AB123"}}),
            "/data/attributes/identity_number/number",
        ),
    ] {
        let body = json!({"data": {"type": "session", "id": session, "attributes": attributes}});
        let r = app.api("PATCH", &path, &key, Some(body)).await;
        assert_eq!(r.status, 422, "{attributes}: {:?}", r.body);
        assert_eq!(r.pointer(), Some(pointer), "{attributes}: {:?}", r.body);
    }
    let stored: (Option<String>, Option<String>) = sessions::table
        .find(session)
        .select((sessions::first_name, sessions::last_name))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(stored, (None, None), "nothing was stored");
    // Letters of any script are still names.
    let body = json!({"data": {"type": "session", "id": session,
        "attributes": {"person": {"name": {"first": "Zoë", "last": "محمد"}}}}});
    assert_eq!(app.api("PATCH", &path, &key, Some(body)).await.status, 200);
}

/// A completed session, ready for a reviewer's note or decision.
fn completed_session(app: &crate::helpers::TestApp) -> Made {
    make(
        &mut app.conn(),
        "Anna",
        "Eriksson",
        "crm_fmt",
        SessionStatus::Completed,
        Utc::now(),
        None,
    )
}

#[tokio::test]
async fn a_dashboard_note_with_a_right_to_left_mark_is_refused_and_not_stored() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let m = completed_session(&app);
    let path = format!("/sessions/{}", m.id);
    let token = browser.csrf(&path).await;
    let r = browser
        .post(
            &format!("{path}/notes"),
            &[("body", "Looks fine\u{200F} to me")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = browser.get(&path).await.text().await.unwrap();
    assert!(
        page.contains("The note was not added") && page.contains("invisible formatting"),
        "no message naming the note"
    );
    let count: i64 = notes::table
        .filter(notes::session_id.eq(m.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 0, "the note was stored");
}

#[tokio::test]
async fn a_decline_comment_with_a_format_character_is_refused_on_the_dashboard_and_the_api() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let status_of = |id| -> String {
        sessions::table
            .find(id)
            .select(sessions::status)
            .first(&mut app.conn())
            .unwrap()
    };
    let m = completed_session(&app);
    let path = format!("/sessions/{}", m.id);
    let token = browser.csrf(&path).await;
    let r = browser
        .post(
            &format!("{path}/decline"),
            &[("reason", "other"), ("comment", "blurry\u{200F} photo")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = browser.get(&path).await.text().await.unwrap();
    assert!(
        page.contains("comment: must not contain invisible formatting"),
        "no message naming the comment"
    );
    assert_eq!(status_of(m.id), "completed", "the decline was taken");

    let key = app.full_api_key();
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{}/decline", m.id),
            &key,
            Some(json!({"data": {"type": "decision", "attributes":
                {"reason": "other", "comment": "blurry\u{202E} photo"}}})),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(
        r.pointer(),
        Some("/data/attributes/comment"),
        "{:?}",
        r.body
    );
    assert_eq!(status_of(m.id), "completed", "the decline was taken");
}
