//! Managers see personal data masked, and must not be able to recover it another way: a
//! search or an external-id filter that narrows the queue, or a note or decision comment
//! that quotes the applicant.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::sessions;
use sessiondesk::store::notes::{self, NewNote};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::queue::{Made, listed, make};

const REFUSED: &str = "Managers cannot search by name, email or external id";

/// Two applicants on two accounts.
fn two(app: &TestApp) -> (Made, Made) {
    let mut conn = app.conn();
    let now = Utc::now();
    let anna = make(
        &mut conn,
        "Anna",
        "Eriksson",
        "crm_anna",
        SessionStatus::Completed,
        now - Duration::hours(2),
        None,
    );
    let zofia = make(
        &mut conn,
        "Zofia",
        "Nowak",
        "crm_zofia",
        SessionStatus::Completed,
        now - Duration::hours(1),
        None,
    );
    (anna, zofia)
}

async fn page(browser: &Browser, query: &str) -> (BTreeSet<Uuid>, String) {
    let r = browser.get(&format!("/sessions?{query}")).await;
    assert_eq!(r.status(), 200, "{query}");
    let html = r.text().await.unwrap();
    (listed(&html).into_iter().collect(), html)
}

#[tokio::test]
async fn a_managers_search_by_surname_email_or_external_id_does_not_narrow_the_queue() {
    let app = spawn_app().await;
    let (anna, zofia) = two(&app);
    let (manager, _) = app.signed_in(Role::Manager).await;
    let (everything, html) = page(&manager, "sort=newest").await;
    assert_eq!(everything, BTreeSet::from([anna.id, zofia.id]));
    assert!(!html.contains(REFUSED));
    for query in [
        "sort=newest&q=Eriksson".to_owned(),
        "sort=newest&q=Anna+E".to_owned(),
        format!("sort=newest&q={}", anna.email),
        format!("sort=newest&account={}", anna.external_id),
        format!("sort=newest&q={}", anna.external_id),
    ] {
        let (rows, html) = page(&manager, &query).await;
        assert_eq!(rows, everything, "{query} narrowed the manager's queue");
        assert!(html.contains(REFUSED), "{query}: no message");
        // The links of the page do not carry the refused search on.
        assert!(!html.contains("Eriksson"), "{query}");
        assert!(!html.contains("crm_anna"), "{query}");
    }
    // An account id is not personal data: it still narrows.
    let (rows, html) = page(
        &manager,
        &format!("sort=newest&account={}", anna.account_id),
    )
    .await;
    assert_eq!(rows, BTreeSet::from([anna.id]));
    assert!(!html.contains(REFUSED));
    // "Next session" of a searched queue does not follow the search either: in a queue
    // searched for Eriksson, Anna would be the last; refused, Zofia follows her.
    let queue = "sort=oldest&q=Eriksson";
    let r = manager
        .get(&format!(
            "/sessions/{}/next?queue={}",
            anna.id,
            url::form_urlencoded::byte_serialize(queue.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/sessions/{}", zofia.id)),
        "{location}"
    );
    assert!(!location.contains("Eriksson"), "{location}");
}

#[tokio::test]
async fn a_manager_gets_no_search_box_but_a_reviewer_still_searches() {
    let app = spawn_app().await;
    let (anna, _zofia) = two(&app);
    let (manager, _) = app.signed_in(Role::Manager).await;
    let (_, html) = page(&manager, "sort=newest").await;
    let input = html
        .split("<input id=\"q\"")
        .nth(1)
        .map(|rest| rest.split('>').next().unwrap_or(""))
        .unwrap_or("");
    assert!(
        input.is_empty() || input.contains("disabled"),
        "a manager's search box is usable: {input}"
    );
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    for query in [
        "sort=newest&q=Eriksson".to_owned(),
        format!("sort=newest&q={}", anna.email),
        format!("sort=newest&account={}", anna.external_id),
    ] {
        let (rows, html) = page(&reviewer, &query).await;
        assert_eq!(rows, BTreeSet::from([anna.id]), "{query}");
        assert!(!html.contains(REFUSED));
    }
}

#[tokio::test]
async fn a_manager_sees_neither_notes_nor_the_decision_comment_but_a_reviewer_does() {
    let app = spawn_app().await;
    let (anna, _) = two(&app);
    let reviewer_user = app.create_user("rita", Role::Reviewer);
    let mut conn = app.conn();
    let note = "Applicant says her maiden name is Lindqvist";
    let comment = "Passport photo matches Anna Eriksson of Uppsala";
    notes::insert(
        &mut conn,
        &NewNote {
            session_id: anna.id,
            author_id: reviewer_user.id,
            body: Some(note.to_owned()),
            created_at: None,
        },
    )
    .unwrap();
    diesel::update(sessions::table.find(anna.id))
        .set((
            sessions::status.eq("approved"),
            sessions::decision.eq("approved"),
            sessions::decision_comment.eq(comment),
            sessions::decided_by_type.eq("user"),
            sessions::decided_by.eq(reviewer_user.id),
            sessions::decisioned_at.eq(Utc::now()),
        ))
        .execute(&mut conn)
        .unwrap();
    let path = format!("/sessions/{}", anna.id);

    let (manager, _) = app.signed_in(Role::Manager).await;
    let r = manager.get(&path).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("Lindqvist"),
        "a note's text reached a manager"
    );
    assert!(
        !html.contains("Uppsala"),
        "the decision comment reached a manager"
    );
    assert!(html.contains("(hidden from managers)"));
    assert!(html.contains("Approved by rita Tester"));

    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let html = reviewer.get(&path).await.text().await.unwrap();
    assert!(html.contains(note));
    assert!(html.contains(comment));
    let (admin, _) = app.signed_in(Role::Admin).await;
    let html = admin.get(&path).await.text().await.unwrap();
    assert!(html.contains(note));
    assert!(html.contains(comment));
}
