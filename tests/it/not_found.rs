//! Unknown paths answer with the product's 404 (the dashboard's page, or JSON:API under
//! `/v1`), and the shortcut setting at `/account` takes only `on` or `off`.

use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::users;

use crate::helpers::spawn_app;

#[tokio::test]
async fn unknown_paths_get_the_products_404() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let r = browser.get("/no-such-page").await;
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("Not found"), "{html}");
    assert!(html.contains("/static/app.css"), "the product's page");

    // Under /v1 the answer is JSON:API (without a key, the API's 401 comes first).
    let r = browser.get("/v1/identity/no-such-thing").await;
    let status = r.status().as_u16();
    assert!(status == 404 || status == 401, "{status}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], status.to_string(), "{body}");
}

#[tokio::test]
async fn the_shortcut_setting_takes_on_or_off_and_nothing_else() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in(Role::Reviewer).await;
    let enabled = || -> bool {
        users::table
            .find(me.id)
            .select(users::shortcuts_enabled)
            .first(&mut app.conn())
            .unwrap()
    };
    assert!(enabled(), "on by default");
    let token = browser.csrf("/account").await;
    let r = browser
        .post("/account/shortcuts", &[("enabled", "sometimes")], &token)
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("enabled"));
    assert!(enabled(), "nothing written");
    let r = browser
        .post("/account/shortcuts", &[("enabled", "off")], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert!(!enabled());
    let page = browser.get("/sessions").await.text().await.unwrap();
    assert!(page.contains("data-shortcuts=\"off\""));
}
