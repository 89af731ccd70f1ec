//! The webhooks admin page in a browser: an admin reaches it from the admin pages, adds an
//! endpoint through the form and sees its signing secret once, with a working copy button.

use sessiondesk::domain::kinds::Role;
use sessiondesk::store::webhooks as store;

use super::start;

#[tokio::test]
async fn an_admin_adds_an_endpoint_through_the_form_and_sees_its_secret_once() {
    let Some(ui) = start().await else { return };
    ui.sign_in(Role::Admin).await;
    let chrome = &ui.chrome;

    // From the admin pages' navigation.
    chrome.goto("/admin/users").await;
    chrome
        .click_through("nav.subnav a[href='/admin/webhooks']")
        .await;
    assert_eq!(chrome.path().await, "/admin/webhooks");
    assert_eq!(chrome.title().await, "Webhooks · Session Desk");

    chrome
        .find("#hook-url")
        .await
        .send_keys("https://203.0.113.10/hooks/desk")
        .await;
    chrome
        .find("#hook-description")
        .await
        .send_keys("Onboarding CRM")
        .await;
    chrome
        .find("#add-endpoint input[name=events][value=some]")
        .await
        .click()
        .await;
    for event in ["session.approved", "session.declined"] {
        chrome
            .find(&format!("#add-endpoint input[name=event][value='{event}']"))
            .await
            .click()
            .await;
    }
    chrome
        .click_through("#add-endpoint button[type=submit]")
        .await;

    assert_eq!(
        chrome.find("#secret-title").await.text().await,
        "Webhook endpoint added"
    );
    let secret = chrome.find("#secret-value").await.text().await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    let all = store::all_endpoints(&mut ui.app.conn()).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].secret, secret, "the secret shown is the one stored");
    assert_eq!(all[0].description, "Onboarding CRM");
    assert_eq!(
        all[0].events,
        Some(vec![
            "session.approved".to_owned(),
            "session.declined".to_owned()
        ])
    );

    // The copy button, hidden without script, is shown and answers a click.
    let copy = chrome.find("button[data-copy=secret-value]").await;
    assert!(copy.displayed().await, "the copy button is shown");
    copy.click().await;
    chrome
        .wait_until(
            "the copy button to answer",
            "document.querySelector('button[data-copy]').textContent !== 'Copy'",
        )
        .await;

    // Never again: the endpoint's page and the list hold no secret.
    chrome
        .click_through("a.btn-primary[href^='/admin/webhooks/']")
        .await;
    assert!(chrome.path().await.starts_with("/admin/webhooks/"));
    assert!(!chrome.source().await.contains(&secret));
    assert_eq!(chrome.find("#endpoint-state").await.text().await, "enabled");
    chrome.goto("/admin/webhooks").await;
    let list = chrome.source().await;
    assert!(!list.contains(&secret) && list.contains("https://203.0.113.10/hooks/desk"));

    ui.finish().await;
}
