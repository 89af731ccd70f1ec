//! The case page and its actions: each form works, each is refused without its CSRF token,
//! a lost race says who won, and managers never get a document file.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::{DocumentKind, DocumentType, FileSide, Role};
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::{events, notes, sessions};
use sessiondesk::store::documents::{self, NewDocument, NewFile};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::queue::{listed, make};

/// An action, the status it starts from, its form, and the status it leads to.
type DecisionCase = (
    &'static str,
    SessionStatus,
    &'static [(&'static str, &'static str)],
    &'static str,
);

fn status_of(app: &TestApp, id: Uuid) -> String {
    sessions::table
        .find(id)
        .select(sessions::status)
        .first(&mut app.conn())
        .unwrap()
}

fn event_count(app: &TestApp, id: Uuid) -> i64 {
    events::table
        .filter(events::session_id.eq(id))
        .filter(events::action.ne_all(crate::helpers::READ_AUDIT.to_vec()))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A session with an ID document whose front is a real PNG.
pub fn with_document(app: &TestApp, status: SessionStatus) -> (Uuid, Uuid) {
    let mut conn = app.conn();
    let m = make(
        &mut conn,
        "Anna",
        "Eriksson",
        "crm_doc",
        status,
        Utc::now() - Duration::hours(3),
        None,
    );
    let doc = documents::insert(
        &mut conn,
        &NewDocument {
            session_id: m.id,
            kind: DocumentKind::Idv,
            document_type: DocumentType::Passport,
            status: None,
            mrz: None,
            reported: None,
            created_at: None,
        },
    )
    .unwrap();
    let mrz = vec!["P<UTOERIKSSON<<ANNA".to_owned()];
    let png = sessiondesk::demo::images::id_card_png(
        &sessiondesk::demo::images::CardData {
            title: "PASSPORT",
            country: "UTO",
            surname: "ERIKSSON",
            given_names: "ANNA",
            birth_date: "1974-08-12",
            expiry_date: "2031-01-01",
            number: "L898902C3",
            mrz: &mrz,
            tint: 10,
        },
        true,
    );
    let file = documents::insert_file(
        &mut conn,
        &NewFile {
            document_id: doc.id,
            side: FileSide::Front,
            filename: Some("front.png".into()),
            content_type: "image/png".into(),
            byte_size: png.len() as i32,
            sha256: "0".repeat(64),
            content: Some(png),
            created_at: None,
        },
    )
    .unwrap();
    (m.id, file.id)
}

#[tokio::test]
async fn each_decision_works_from_its_form_and_is_refused_without_csrf() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    use SessionStatus as S;
    let cases: [DecisionCase; 4] = [
        (
            "approve",
            S::Completed,
            &[("comment", "looks right")],
            "approved",
        ),
        (
            "decline",
            S::MarkedForReview,
            &[("reason", "document_expired"), ("comment", "")],
            "declined",
        ),
        ("mark-for-review", S::Failed, &[], "marked_for_review"),
        ("expire", S::Started, &[], "expired"),
    ];
    for (action, from, form, to) in cases {
        let m = make(&mut conn, "Case", action, "crm", from, Utc::now(), None);
        let path = format!("/sessions/{}/{action}", m.id);
        let refused = browser.post_raw(&path, form).await;
        assert_eq!(refused.status(), 403, "{action} without a token");
        assert_eq!(
            status_of(&app, m.id),
            from.as_str(),
            "{action} changed the session without a token"
        );
        assert_eq!(event_count(&app, m.id), 0);
        let token = browser.csrf(&format!("/sessions/{}", m.id)).await;
        let done = browser.post(&path, form, &token).await;
        assert_eq!(done.status(), 303, "{action}");
        assert!(location(&done).starts_with(&format!("/sessions/{}", m.id)));
        assert_eq!(status_of(&app, m.id), to, "{action}");
        assert_eq!(event_count(&app, m.id), 1, "{action}");
        let page = browser.get(&location(&done)).await.text().await.unwrap();
        assert!(
            // Only an approval is good news in green; the others' flash is neutral.
            page.contains("class=\"flash flash-success\"")
                || page.contains("class=\"flash flash-info\""),
            "{action}: no flash message"
        );
    }
    // The approval recorded its decider and comment apart from the status.
    let (decided_by, comment): (Option<Uuid>, Option<String>) = sessions::table
        .filter(sessions::status.eq("approved"))
        .select((sessions::decided_by, sessions::decision_comment))
        .first(&mut conn)
        .unwrap();
    assert_eq!(decided_by, Some(me.id));
    assert_eq!(comment.as_deref(), Some("looks right"));
}

#[tokio::test]
async fn a_decision_on_a_decided_session_says_who_won_and_writes_nothing() {
    let app = spawn_app().await;
    let (first, first_user) = app.signed_in(Role::Reviewer).await;
    let (second, _) = app.signed_in(Role::Reviewer).await;
    let m = make(
        &mut app.conn(),
        "Race",
        "Case",
        "crm",
        SessionStatus::Completed,
        Utc::now(),
        None,
    );
    let path = format!("/sessions/{}", m.id);
    // Both open the case; the first approves.
    let t1 = first.csrf(&path).await;
    let t2 = second.csrf(&path).await;
    assert_eq!(
        first
            .post(&format!("{path}/approve"), &[], &t1)
            .await
            .status(),
        303
    );
    let events_after_first = event_count(&app, m.id);
    let lost = second
        .post(&format!("{path}/decline"), &[("reason", "other")], &t2)
        .await;
    assert_eq!(lost.status(), 303);
    let page = second.get(&location(&lost)).await.text().await.unwrap();
    assert!(page.contains("already approved by"), "no conflict message");
    assert!(
        page.contains(&first_user.display_name),
        "the winner is not named"
    );
    assert_eq!(status_of(&app, m.id), "approved");
    assert_eq!(event_count(&app, m.id), events_after_first);
}

#[tokio::test]
async fn assignment_and_notes_work_from_their_forms_and_need_csrf() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in(Role::Reviewer).await;
    let m = make(
        &mut app.conn(),
        "Assign",
        "Me",
        "crm",
        SessionStatus::Completed,
        Utc::now(),
        None,
    );
    let path = format!("/sessions/{}", m.id);
    assert_eq!(
        browser
            .post_raw(&format!("{path}/assign"), &[("assignee", "me")])
            .await
            .status(),
        403
    );
    assert_eq!(
        browser
            .post_raw(&format!("{path}/notes"), &[("body", "hello")])
            .await
            .status(),
        403
    );
    let token = browser.csrf(&path).await;
    assert_eq!(
        browser
            .post(&format!("{path}/assign"), &[("assignee", "me")], &token)
            .await
            .status(),
        303
    );
    let assigned: Option<Uuid> = sessions::table
        .find(m.id)
        .select(sessions::assigned_to)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(assigned, Some(me.id));
    // A reviewer cannot hand a case to someone else.
    let other = app.create_user("omar", Role::Reviewer);
    browser
        .post(
            &format!("{path}/assign"),
            &[("assignee", &other.id.to_string())],
            &token,
        )
        .await;
    let assigned: Option<Uuid> = sessions::table
        .find(m.id)
        .select(sessions::assigned_to)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(assigned, Some(me.id));
    assert_eq!(
        browser
            .post(
                &format!("{path}/notes"),
                &[("body", "Asked for a clearer photo.")],
                &token
            )
            .await
            .status(),
        303
    );
    let bodies: Vec<Option<String>> = notes::table
        .filter(notes::session_id.eq(m.id))
        .select(notes::body)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(bodies, vec![Some("Asked for a clearer photo.".to_owned())]);
    let page = browser.get(&path).await.text().await.unwrap();
    assert!(page.contains("Asked for a clearer photo."));
    // A manager may give the case to anyone.
    let (manager, _) = app.signed_in(Role::Manager).await;
    let mt = manager.csrf(&path).await;
    assert_eq!(
        manager
            .post(
                &format!("{path}/assign"),
                &[("assignee", &other.id.to_string())],
                &mt
            )
            .await
            .status(),
        303
    );
    let assigned: Option<Uuid> = sessions::table
        .find(m.id)
        .select(sessions::assigned_to)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(assigned, Some(other.id));
}

#[tokio::test]
async fn an_invalid_edit_names_each_field_and_changes_nothing() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let m = make(
        &mut app.conn(),
        "Edit",
        "Me",
        "crm",
        SessionStatus::Completed,
        Utc::now(),
        None,
    );
    let path = format!("/sessions/{}", m.id);
    let token = browser.csrf(&path).await;
    let bad = [
        ("first_name", "Edith"),
        ("birth_date", "1990-02-30"),
        ("email", "no-at-sign"),
        ("address_country_code", "XX"),
    ];
    assert_eq!(
        browser
            .post_raw(&format!("{path}/person"), &bad)
            .await
            .status(),
        403
    );
    let r = browser.post(&format!("{path}/person"), &bad, &token).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"e-birth_date\""),
        "no error beside the birth date"
    );
    assert!(html.contains("id=\"e-email\""), "no error beside the email");
    assert!(html.contains("id=\"e-address_country_code\""));
    assert!(
        html.contains("value=\"no-at-sign\""),
        "what was typed is lost"
    );
    let first: Option<String> = sessions::table
        .find(m.id)
        .select(sessions::first_name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(first.as_deref(), Some("Edit"));
    // A valid edit saves, and its event names the fields only.
    let good = [("first_name", "Edith"), ("email", "edith@example.org")];
    assert_eq!(
        browser
            .post(&format!("{path}/person"), &good, &token)
            .await
            .status(),
        303
    );
    let first: Option<String> = sessions::table
        .find(m.id)
        .select(sessions::first_name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(first.as_deref(), Some("Edith"));
    let details: serde_json::Value = events::table
        .filter(events::session_id.eq(m.id))
        .filter(events::action.eq("session.person_updated"))
        .select(events::details)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        details,
        serde_json::json!({ "fields": ["person.name.first", "contact.email"] })
    );
}

#[tokio::test]
async fn a_reviewer_gets_the_document_file_and_a_manager_never_does() {
    let app = spawn_app().await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let (manager, _) = app.signed_in(Role::Manager).await;
    let (id, file) = with_document(&app, SessionStatus::Completed);
    let url = format!("/sessions/{id}/files/{file}");
    let r = reviewer.get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-type").unwrap(), "image/png");
    assert_eq!(
        r.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let bytes = r.bytes().await.unwrap();
    assert!(image::load_from_memory(&bytes).is_ok());
    assert_eq!(app.count_events("document.viewed"), 1);
    assert_eq!(manager.get(&url).await.status(), 403);
    let page = manager
        .get(&format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/files/"), "the manager's page links a file");
    let reviewer_page = reviewer
        .get(&format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        reviewer_page.contains(&url),
        "the reviewer's page does not show the image"
    );
    // Another session's id with this file is not a way in.
    let (other, _) = with_document(&app, SessionStatus::Completed);
    assert_eq!(
        reviewer
            .get(&format!("/sessions/{other}/files/{file}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn next_session_continues_through_the_queue_with_its_filters() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let now = Utc::now();
    let a = make(
        &mut conn,
        "First",
        "One",
        "crm",
        SessionStatus::Completed,
        now - Duration::hours(3),
        None,
    );
    let b = make(
        &mut conn,
        "Second",
        "Two",
        "crm",
        SessionStatus::Completed,
        now - Duration::hours(2),
        None,
    );
    make(
        &mut conn,
        "Skipped",
        "Three",
        "crm",
        SessionStatus::Pending,
        now - Duration::minutes(90),
        None,
    );
    let c = make(
        &mut conn,
        "Third",
        "Four",
        "crm",
        SessionStatus::Completed,
        now - Duration::hours(1),
        None,
    );
    let queue = "status=completed&sort=oldest";
    let html = browser
        .get(&format!("/sessions?{queue}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(listed(&html), vec![a.id, b.id, c.id]);
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("queue", queue)
        .finish();
    // Approve the first, then go on.
    let token = browser.csrf(&format!("/sessions/{}?{q}", a.id)).await;
    browser
        .post(
            &format!("/sessions/{}/approve", a.id),
            &[("queue", queue)],
            &token,
        )
        .await;
    let r = browser.get(&format!("/sessions/{}/next?{q}", a.id)).await;
    assert!(
        location(&r).starts_with(&format!("/sessions/{}?", b.id)),
        "{}",
        location(&r)
    );
    let r = browser.get(&format!("/sessions/{}/next?{q}", b.id)).await;
    assert!(location(&r).starts_with(&format!("/sessions/{}?", c.id)));
    let r = browser.get(&format!("/sessions/{}/next?{q}", c.id)).await;
    assert!(
        location(&r).starts_with("/sessions?"),
        "the end of the queue goes back to it"
    );
}

#[tokio::test]
async fn a_session_created_by_hand_opens_on_its_case_page() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let token = browser.csrf("/sessions/new").await;
    let bad = browser
        .post("/sessions", &[("account", ""), ("email", "nope")], &token)
        .await;
    assert_eq!(bad.status(), 422);
    let count: i64 = sessions::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0);
    let r = browser
        .post(
            "/sessions",
            &[
                ("account", "crm_new_42"),
                ("first_name", "Zofia"),
                ("last_name", "Nowak"),
                ("require_address", "1"),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = browser.get(&location(&r)).await.text().await.unwrap();
    assert!(page.contains("Zofia Nowak") && page.contains("crm_new_42"));
    let kinds: Vec<String> = sessions::table
        .select(sessions::required_verifications)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(kinds, vec!["verification/address", "verification/idv"]);
}

#[tokio::test]
async fn an_expired_case_says_when_and_why() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    // Closed by a reviewer: the banner names them.
    let by_hand = make(
        &mut conn,
        "Ada",
        "Hand",
        "crm",
        SessionStatus::Started,
        Utc::now(),
        None,
    );
    let case = format!("/sessions/{}", by_hand.id);
    let token = browser.csrf(&case).await;
    let done = browser.post(&format!("{case}/expire"), &[], &token).await;
    assert_eq!(done.status(), 303);
    let page = browser.get(&case).await.text().await.unwrap();
    assert!(
        page.contains("class=\"flash flash-expired\" id=\"decision\">Expired at ")
            && page.contains(&format!("by {}.", me.display_name)),
        "{page}"
    );
    // Closed by the expiry job: the banner says its time passed, and in which status.
    let lapsed = make(
        &mut conn,
        "Bo",
        "Lapse",
        "crm",
        SessionStatus::Started,
        Utc::now(),
        None,
    );
    diesel::update(sessions::table.find(lapsed.id))
        .set(sessions::expires_at.eq(Utc::now() - Duration::minutes(5)))
        .execute(&mut conn)
        .unwrap();
    sessiondesk::service::expiry::expire_batch(&mut conn, 100).unwrap();
    let page = browser
        .get(&format!("/sessions/{}", lapsed.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("its expiry time passed while it was still started."),
        "{page}"
    );
}
