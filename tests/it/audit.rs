//! The audit log: each filter returns exactly the matching events, keyset paging visits
//! every event once in both directions, and bad filter values are a message, not a 500.

use diesel::prelude::*;
use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::{api_keys, events};
use sessiondesk::store::events::{self as event_store, NewEvent};
use uuid::Uuid;

use crate::helpers::{Browser, spawn_app};
use crate::lifecycle::session_in;

/// The event ids of the rows on an audit page, top to bottom.
fn rows(html: &str) -> Vec<i64> {
    html.split("data-event=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The href of the link with `rel` ("next" = older, "prev" = newer), unescaped.
fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind("<a ")?;
    let tag = &html[tag_start..];
    let href = tag.find("href=\"")? + 6;
    let end = tag[href..].find('"')? + href;
    Some(tag[href..end].replace("&amp;", "&").replace("&#38;", "&"))
}

async fn page(browser: &Browser, path: &str) -> String {
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

/// Every event id matching `filter`, newest first, straight from the database.
fn expected(
    conn: &mut PgConnection,
    filter: impl FnOnce(
        events::BoxedQuery<'static, diesel::pg::Pg>,
    ) -> events::BoxedQuery<'static, diesel::pg::Pg>,
) -> Vec<i64> {
    filter(events::table.into_boxed())
        .order(events::id.desc())
        .select(events::id)
        .load(conn)
        .unwrap()
}

fn api_key(conn: &mut PgConnection, name: &str) -> Uuid {
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::name.eq(name),
            api_keys::prefix.eq("sd_test"),
            api_keys::secret_hash.eq(Uuid::new_v4().as_bytes().to_vec()),
        ))
        .returning(api_keys::id)
        .get_result(conn)
        .unwrap()
}

#[tokio::test]
async fn the_actor_filter_takes_a_username_a_user_id_or_an_api_key_id() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let (_, _other) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let key = api_key(&mut conn, "Onboarding flow (demo)");
    let session = session_in(&mut conn, SessionStatus::Created);
    for action in [
        "session.created",
        "session.person_updated",
        "document.created",
    ] {
        event_store::insert(
            &mut conn,
            &NewEvent::new(Actor::ApiKey(key), action, Some(session)),
        )
        .unwrap();
    }
    let all = expected(&mut conn, |q| q);

    let by_reviewer = expected(&mut conn, |q| q.filter(events::actor_id.eq(reviewer.id)));
    assert!(!by_reviewer.is_empty() && by_reviewer.len() < all.len());
    let html = page(&admin, &format!("/audit?actor={}", reviewer.username)).await;
    assert_eq!(rows(&html), by_reviewer);
    assert!(html.contains(&reviewer.display_name));
    let html = page(&admin, &format!("/audit?actor={}", reviewer.id)).await;
    assert_eq!(rows(&html), by_reviewer);

    let by_key = expected(&mut conn, |q| q.filter(events::actor_id.eq(key)));
    assert_eq!(by_key.len(), 3);
    let html = page(&admin, &format!("/audit?actor={key}")).await;
    assert_eq!(rows(&html), by_key);
    assert!(
        html.contains("API key &#34;Onboarding flow (demo)&#34;")
            || html.contains("API key &quot;Onboarding flow (demo)&quot;"),
        "{html}"
    );

    // Unfiltered, the page shows every event (there are fewer than 50).
    assert_eq!(rows(&page(&admin, "/audit").await), all);
}

#[tokio::test]
async fn the_action_and_session_filters_return_exactly_the_matching_events() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let _ = app.signed_in(Role::Manager).await;
    let mut conn = app.conn();
    let (one, two) = (
        session_in(&mut conn, SessionStatus::Completed),
        session_in(&mut conn, SessionStatus::Completed),
    );
    let declined = NewEvent::new(Actor::System, "session.declined", Some(one))
        .transition(SessionStatus::Completed, SessionStatus::Declined)
        .details(serde_json::json!({ "reason": "document_expired" }));
    event_store::insert(&mut conn, &declined).unwrap();
    event_store::insert(
        &mut conn,
        &NewEvent::new(Actor::System, "note.added", Some(one)),
    )
    .unwrap();
    event_store::insert(
        &mut conn,
        &NewEvent::new(Actor::System, "note.added", Some(two)),
    )
    .unwrap();
    let approved = NewEvent::new(Actor::System, "session.approved", Some(two))
        .transition(SessionStatus::Completed, SessionStatus::Approved);
    event_store::insert(&mut conn, &approved).unwrap();

    let sign_ins = expected(&mut conn, |q| q.filter(events::action.eq("user.signed_in")));
    assert_eq!(sign_ins.len(), 2);
    let html = page(&admin, "/audit?action=user.signed_in").await;
    assert_eq!(rows(&html), sign_ins);
    assert!(html.contains("<option value=\"user.signed_in\" selected>"));

    let notes = expected(&mut conn, |q| q.filter(events::action.eq("note.added")));
    assert_eq!(rows(&page(&admin, "/audit?action=note.added").await), notes);

    let of_one = expected(&mut conn, |q| q.filter(events::session_id.eq(one)));
    assert_eq!(of_one.len(), 2);
    let html = page(&admin, &format!("/audit?session={one}")).await;
    assert_eq!(rows(&html), of_one);
    assert!(html.contains("declined the session (document expired)"));
    assert!(html.contains(&format!("href=\"/sessions/{one}\"")));
    assert!(html.contains(&format!(">{}</a>", &one.simple().to_string()[..8])));
    assert!(html.contains("badge-completed") && html.contains("badge-declined"));
    assert!(!html.contains(&two.to_string()));

    let both = expected(&mut conn, |q| {
        q.filter(events::session_id.eq(two))
            .filter(events::action.eq("note.added"))
    });
    assert_eq!(both.len(), 1);
    let html = page(&admin, &format!("/audit?session={two}&action=note.added")).await;
    assert_eq!(rows(&html), both);
}

/// Follows `rel` links from `start` to the end; returns each page's rows.
async fn walk(browser: &Browser, start: &str, rel: &str) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut next = Some(start.to_owned());
    while let Some(path) = next {
        assert!(pages.len() < 20, "paging does not end: {path} {pages:?}");
        let html = page(browser, &path).await;
        pages.push(rows(&html));
        next = link(&html, rel);
    }
    pages
}

#[tokio::test]
async fn paging_forward_then_back_visits_every_event_exactly_once() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let mut conn = app.conn();
    let (one, two) = (
        session_in(&mut conn, SessionStatus::Completed),
        session_in(&mut conn, SessionStatus::Completed),
    );
    // Interleaved, so that the session filter has to skip events within each page.
    let batch: Vec<NewEvent> = (0..130)
        .map(|i| {
            NewEvent::new(
                Actor::System,
                "note.added",
                Some(if i % 2 == 0 { one } else { two }),
            )
        })
        .collect();
    event_store::insert_many(&mut conn, &batch).unwrap();

    for (start, all) in [
        ("/audit".to_owned(), expected(&mut conn, |q| q)),
        (
            format!("/audit?session={two}"),
            expected(&mut conn, |q| q.filter(events::session_id.eq(two))),
        ),
    ] {
        assert!(all.len() > 60, "{start}: {} events", all.len());
        let forward = walk(&admin, &start, "next").await;
        assert_eq!(forward[0].len(), 50, "{start}");
        assert!(
            forward.iter().all(|p| !p.is_empty() && p.len() <= 50),
            "{start}"
        );
        assert_eq!(
            forward.concat(),
            all,
            "{start}: forward visits each event once, in order"
        );

        // Back from the last page: the same pages, in reverse.
        let html = page(&admin, &start).await;
        let mut last = link(&html, "next").unwrap();
        while let Some(older) = link(&page(&admin, &last).await, "next") {
            last = older;
        }
        let mut backward = walk(&admin, &last, "prev").await;
        backward.reverse();
        assert_eq!(backward, forward, "{start}: back visits the same pages");
    }
}

#[tokio::test]
async fn invalid_filter_values_show_a_message_and_no_events_never_a_500() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    assert!(!rows(&page(&admin, "/audit").await).is_empty());
    let unknown = Uuid::new_v4();
    // The page answers 400 (the request cannot be answered as asked) with the message.
    for (query, message) in [
        ("session=not-a-uuid", "not a session id"),
        ("actor=nobody-here", "no user has this username"),
        (
            &format!("actor={unknown}") as &str,
            "no user or API key has this id",
        ),
        ("action=DROP%20TABLE", "not an action name"),
        ("before=abc", "paging link is broken"),
    ] {
        let response = admin.get(&format!("/audit?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{query}: no message in {html}");
        assert!(rows(&html).is_empty(), "{query}: rows shown");
    }
}
