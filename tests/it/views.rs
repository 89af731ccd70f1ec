//! Saved views (issue 18, item 2): a queue's filters and sort saved under a name, private
//! or shared; shown in the queue's navigation with a capped count; renamed, reordered and
//! deleted by their owner; pinned for everyone by managers. Bad input names the field and
//! writes nothing; a view never keeps a search for a person.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::queue::make;

fn views_of(app: &TestApp, owner: Uuid) -> Vec<(Uuid, String, String, bool, bool)> {
    use sessiondesk::schema::saved_views as v;
    v::table
        .filter(v::owner_id.eq(owner))
        .order(v::position.asc())
        .select((v::id, v::name, v::query, v::shared, v::pinned))
        .load(&mut app.conn())
        .unwrap()
}

async fn save(b: &Browser, name: &str, query: &str, shared: bool) -> reqwest::Response {
    let token = b.csrf("/sessions").await;
    let mut form = vec![("name", name), ("query", query)];
    if shared {
        form.push(("shared", "on"));
    }
    b.post("/views", &form, &token).await
}

/// The saved-view tabs of the queue page: (label, count).
async fn tabs(b: &Browser) -> Vec<String> {
    let html = b.get("/sessions").await.text().await.unwrap();
    html.split("data-saved-view>")
        .skip(1)
        .map(|rest| {
            let inner = rest.split("</a>").next().unwrap_or_default();
            let text: String = inner
                .replace("<span class=\"tab-count\">", "")
                .replace("</span>", "")
                .replace("<span class=\"visually-hidden\">", "")
                .replace("<span class=\"pin\" aria-hidden=\"true\">◆", "");
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

fn arrange(app: &TestApp) {
    let mut conn = app.conn();
    let now = Utc::now();
    for (i, status) in [S::Failed, S::Failed, S::Completed, S::Approved]
        .into_iter()
        .enumerate()
    {
        make(
            &mut conn,
            "Ada",
            &format!("Viewed{i}"),
            &format!("acct-view-{i}"),
            status,
            now - Duration::hours(30 + i as i64),
            None,
        );
    }
}

#[tokio::test]
async fn a_saved_view_shows_in_the_navigation_with_its_count_and_opens_its_queue() {
    let app = spawn_app().await;
    arrange(&app);
    let (alice, me) = app.signed_in(Role::Reviewer).await;
    let r = save(
        &alice,
        "Failed, newest",
        "status=failed&sort=newest&after=abc",
        false,
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        to, "/sessions?status=failed&sort=newest",
        "paging is not kept"
    );
    let saved = views_of(&app, me.id);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].2, "status=failed&sort=newest");
    let page = alice.get(&to).await.text().await.unwrap();
    assert!(page.contains("Saved the view"), "the flash says so");
    assert_eq!(tabs(&alice).await, ["Failed, newest 2"]);
    assert!(
        page.contains("aria-current=\"page\" data-saved-view>Failed, newest"),
        "the view's tab is the current one"
    );

    // Private: a colleague sees nothing of it, and cannot touch it.
    let (bob, _) = app.signed_in(Role::Reviewer).await;
    assert!(tabs(&bob).await.is_empty());
    let token = bob.csrf("/views").await;
    let id = saved[0].0;
    let r = bob
        .post(
            &format!("/views/{id}/rename"),
            &[("name", "Mine now")],
            &token,
        )
        .await;
    assert_eq!(
        r.status(),
        404,
        "a private view is not even there for others"
    );

    // Shared: the colleague sees it with their own count, but cannot rename it.
    let token = alice.csrf("/views").await;
    let r = alice
        .post(&format!("/views/{id}/share"), &[("to", "on")], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(tabs(&bob).await, ["Failed, newest 2"]);
    let token = bob.csrf("/views").await;
    let r = bob
        .post(
            &format!("/views/{id}/rename"),
            &[("name", "Mine now")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = bob.post(&format!("/views/{id}/delete"), &[], &token).await;
    assert_eq!(r.status(), 403, "a reviewer deletes only their own");
    assert_eq!(views_of(&app, me.id)[0].1, "Failed, newest");
}

#[tokio::test]
async fn bad_names_are_refused_naming_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let (alice, me) = app.signed_in(Role::Reviewer).await;
    for (name, says) in [
        ("   ", "is required"),
        (&"x".repeat(61) as &str, "at most 60"),
        ("tab\u{7}bell", "control characters"),
    ] {
        let r = save(&alice, name, "status=failed", false).await;
        assert_eq!(r.status(), 422, "{name:?}");
        let body = r.text().await.unwrap();
        assert!(
            body.contains("name") && body.contains(says),
            "{name:?}: {body}"
        );
    }
    assert!(views_of(&app, me.id).is_empty());
    assert_eq!(
        save(&alice, "Failed", "status=failed", false)
            .await
            .status(),
        303
    );
    let r = save(&alice, "failed", "status=completed", false).await;
    assert_eq!(
        r.status(),
        422,
        "names are unique per person, whatever the case"
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("already have a view named")
    );
    assert_eq!(views_of(&app, me.id).len(), 1);
    let token = alice.csrf("/views").await;
    let id = views_of(&app, me.id)[0].0;
    let r = alice
        .post(
            &format!("/views/{id}/move"),
            &[("direction", "sideways")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("direction"));
    let r = alice.post("/views/not-a-uuid/delete", &[], &token).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_view_keeps_filters_but_never_a_search_for_a_person() {
    let app = spawn_app().await;
    let (alice, me) = app.signed_in(Role::Reviewer).await;
    let r = save(
        &alice,
        "Searched",
        "status=completed&q=Viewed0&account=crm-7&sort=oldest",
        false,
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, _, query, _, _) = views_of(&app, me.id).remove(0);
    assert_eq!(query, "status=completed&sort=oldest");
    let page = alice
        .get(r.headers()["location"].to_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("not the search"),
        "the flash says the search was left out"
    );
}

#[tokio::test]
async fn owners_reorder_and_delete_and_managers_pin_shared_views_for_everyone() {
    let app = spawn_app().await;
    arrange(&app);
    let (alice, me) = app.signed_in(Role::Reviewer).await;
    for (name, q) in [
        ("One", "status=failed"),
        ("Two", "status=completed"),
        ("Three", "status=approved"),
    ] {
        assert_eq!(save(&alice, name, q, name != "One").await.status(), 303);
    }
    assert_eq!(tabs(&alice).await, ["One 2", "Two 1", "Three 1"]);
    let three = views_of(&app, me.id)[2].0;
    let token = alice.csrf("/views").await;
    let r = alice
        .post(
            &format!("/views/{three}/move"),
            &[("direction", "up")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(tabs(&alice).await, ["One 2", "Three 1", "Two 1"]);

    // A reviewer cannot pin; a manager pins a shared view, which then comes first for all.
    let r = alice
        .post(&format!("/views/{three}/pin"), &[("to", "on")], &token)
        .await;
    assert_eq!(r.status(), 403);
    let (manager, _) = app.signed_in(Role::Manager).await;
    let one = views_of(&app, me.id)[0].0;
    let token = manager.csrf("/views").await;
    let r = manager
        .post(&format!("/views/{one}/pin"), &[("to", "on")], &token)
        .await;
    assert_eq!(r.status(), 404, "a private view is nobody else's to pin");
    let r = manager
        .post(&format!("/views/{three}/pin"), &[("to", "on")], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(tabs(&alice).await, ["Pinned: Three 1", "One 2", "Two 1"]);
    assert_eq!(tabs(&manager).await, ["Pinned: Three 1", "Two 1"]);
    let listing = manager.get("/views").await.text().await.unwrap();
    assert!(listing.contains("Everyone, pinned"));

    // Making it private unpins it; the owner deletes their own.
    let token = alice.csrf("/views").await;
    let r = alice
        .post(&format!("/views/{three}/share"), &[("to", "off")], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert!(!views_of(&app, me.id)[1].4, "unshared means unpinned");
    let r = alice
        .post(&format!("/views/{three}/delete"), &[], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(tabs(&alice).await, ["One 2", "Two 1"]);
}
