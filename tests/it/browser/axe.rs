//! axe-core on the dashboard's main pages, light and dark: no violation of impact
//! `serious` or `critical`. axe.min.js comes from npm (`.ci/run` installs it); the path is
//! `SESSIONDESK_AXE` (default `/var/tmp/axe/node_modules/axe-core/axe.min.js`). Without it
//! the test says so and passes, unless `SESSIONDESK_REQUIRE_BROWSER=1`.

use serde_json::{Value, json};
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;

use super::webdriver::Chrome;
use super::{required, start};
use crate::case::with_document;
use crate::documents_view::with_address_pdf;

const DEFAULT_AXE: &str = "/var/tmp/axe/node_modules/axe-core/axe.min.js";

/// axe.min.js's source, or `None` (a panic when the browser tests are required).
pub(super) fn axe_source() -> Option<String> {
    let path = std::env::var("SESSIONDESK_AXE").unwrap_or_else(|_| DEFAULT_AXE.to_owned());
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) if required() => panic!(
            "axe-core is required but {path} cannot be read ({e}): \
             npm install --prefix /var/tmp/axe axe-core@4"
        ),
        Err(e) => {
            eprintln!("AXE CHECKS SKIPPED: {path}: {e}");
            None
        }
    }
}

/// Injects axe into the current page, runs it, and returns its serious and critical
/// violations, one line each.
pub async fn serious_violations(chrome: &Chrome, axe: &str) -> Vec<String> {
    chrome
        .execute(&format!("{axe}\n;return typeof window.axe;"), vec![])
        .await;
    let v = chrome
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe.run(document, { resultTypes: ['violations'] }).then(r => done(
               r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' +
                   v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '))
             ), e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await;
    v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s: &Value| s.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn axe_finds_no_serious_violation_light_or_dark() {
    let Some(ui) = start().await else { return };
    let Some(axe) = axe_source() else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    with_address_pdf(&ui.app, id);
    let admin = ui.sign_in(Role::Admin).await;
    {
        // A saved view and a redaction waiting for this admin, so both pages have content.
        use sessiondesk::service::{approvals, views};
        let mut conn = ui.app.conn();
        let me = views::Viewer {
            id: admin.id,
            role: Role::Admin,
        };
        views::create(
            &mut conn,
            me,
            "Failed, newest",
            "status=failed&sort=newest",
            true,
        )
        .unwrap();
        let other = ui.app.create_user("second-admin", Role::Admin);
        let by = sessiondesk::domain::actor::Worker {
            id: other.id,
            role: Role::Admin,
        };
        approvals::request(
            &mut conn,
            id,
            by,
            approvals::Ask::Redaction,
            chrono::Utc::now(),
        )
        .unwrap();
    }
    // A bulk change with a refusal, for its result page.
    let bulk = {
        use sessiondesk::service::bulk;
        let mut conn = ui.app.conn();
        let by = sessiondesk::domain::actor::Worker {
            id: admin.id,
            role: Role::Admin,
        };
        let asked = bulk::request(
            &mut conn,
            by,
            bulk::BulkAction::Expire,
            bulk::Scope::Chosen(vec![id]),
            "sort=newest",
            10,
            chrono::Utc::now(),
        )
        .unwrap();
        let lease = asked.lease.expect("a short list is the caller's to work");
        assert!(bulk::work(&mut conn, asked.change.id, lease, None, &|| false).unwrap());
        format!("/bulk/{}", asked.change.id)
    };
    let chrome = &ui.chrome;
    let case = format!("/sessions/{id}");
    let mut found = Vec::new();
    for scheme in ["light", "dark"] {
        chrome
            .cdp(
                "Emulation.setEmulatedMedia",
                json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
            )
            .await;
        for path in [
            "/sessions",
            case.as_str(),
            "/queues",
            "/admin/users",
            "/account",
            "/views",
            "/approvals",
            "/bulk",
            bulk.as_str(),
        ] {
            chrome.goto(path).await;
            let dark = chrome
                .execute(
                    "return matchMedia('(prefers-color-scheme: dark)').matches;",
                    vec![],
                )
                .await;
            assert_eq!(
                dark,
                json!(scheme == "dark"),
                "the {scheme} scheme is emulated"
            );
            for v in serious_violations(chrome, &axe).await {
                found.push(format!("{scheme} {path}: {v}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "axe found {} serious or critical violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
    ui.finish().await;
}
