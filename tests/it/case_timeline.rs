//! The case page's timeline: the newest 200 events, then a link to the older ones, paged
//! on (created_at, id) so backdated events land where their time puts them.

use chrono::{Duration, Utc};
use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::store::events::{self, NewEvent};

use crate::helpers::spawn_app;
use crate::queue::{make, unescape};

/// The lines of the page's timeline.
fn timeline(html: &str) -> Vec<String> {
    let start = html
        .find("<ol class=\"timeline\">")
        .expect("the page has a timeline");
    let end = start + html[start..].find("</ol>").expect("the timeline ends");
    html[start..end]
        .split("<li>")
        .skip(1)
        .map(str::to_owned)
        .collect()
}

fn older_link(html: &str) -> Option<String> {
    let marker = "\" rel=\"next\"";
    let end = html.find(marker)?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(unescape(&html[start..end]))
}

#[tokio::test]
async fn a_long_timeline_shows_the_newest_200_and_links_to_the_rest() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let now = Utc::now();
    let m = make(
        &mut conn,
        "Anna",
        "Eriksson",
        "crm_long",
        SessionStatus::Completed,
        // Within the service level, so the breach job adds no event of its own.
        now - Duration::hours(6),
        None,
    );
    // 250 checks, written in an order unrelated to their times: the timeline follows time.
    let batch: Vec<NewEvent> = (0..250)
        .map(|k| (k * 7) % 250)
        .map(|i: i64| {
            let mut e = NewEvent::new(Actor::System, "verification.completed", Some(m.id))
                .details(serde_json::json!({ "kind": format!("check_{i:03}") }));
            e.created_at = Some(now - Duration::minutes(300 - i));
            e
        })
        .collect();
    events::insert_many(&mut conn, &batch).unwrap();
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let html = browser
        .get(&format!("/sessions/{}", m.id))
        .await
        .text()
        .await
        .unwrap();
    let first = timeline(&html);
    assert_eq!(first.len(), 200);
    assert!(first[0].contains("ran check_249"), "{}", first[0]);
    assert!(first[199].contains("ran check_050"), "{}", first[199]);
    let older = older_link(&html).expect("a link to the older events");
    assert!(older.contains("events_before="), "{older}");

    let r = browser.get(&older).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let rest = timeline(&html);
    assert_eq!(rest.len(), 50);
    assert!(rest[0].contains("ran check_049"), "{}", rest[0]);
    assert!(rest[49].contains("ran check_000"), "{}", rest[49]);
    assert!(older_link(&html).is_none());
    // A link back to the newest events.
    assert!(html.contains("Newest events"));

    // A broken cursor is a clear 4xx naming it, not a 500.
    let r = browser
        .get(&format!("/sessions/{}?events_before=nonsense", m.id))
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("events_before"));
}

#[tokio::test]
async fn a_short_timeline_has_no_older_link() {
    let app = spawn_app().await;
    let m = make(
        &mut app.conn(),
        "Anna",
        "Eriksson",
        "crm_short",
        SessionStatus::Completed,
        // Within the service level, so the breach job adds no event of its own.
        Utc::now() - Duration::hours(2),
        None,
    );
    events::insert(
        &mut app.conn(),
        &NewEvent::new(Actor::System, "session.completed", Some(m.id)),
    )
    .unwrap();
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let html = browser
        .get(&format!("/sessions/{}", m.id))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(timeline(&html).len(), 1);
    assert!(older_link(&html).is_none());
}
