//! Browser tests: the dashboard driven through Debian's headless Chromium and chromedriver,
//! each test with a database, a server, a chromedriver and a browser profile of its own.
//! Every test ends by reading the browser's console and fails on any Content-Security-Policy
//! violation or script error; a failing test leaves a screenshot in
//! `target/browser-screenshots/<test>.png`.
//!
//! Without chromium or chromedriver the tests say so loudly on stderr and pass; with
//! `SESSIONDESK_REQUIRE_BROWSER=1` (as `.ci/run` sets) their absence is a failure.

mod a11y;
mod access;
mod axe;
mod bulk;
mod capture;
mod case;
mod console;
mod decide;
mod driver;
mod fix;
mod four_eyes;
mod mfa;
mod narrow;
mod queue;
mod team;
mod viewer;
mod webdriver;
mod webhooks;

use std::io::Write;
use std::sync::Once;

use sessiondesk::domain::kinds::Role;
use sessiondesk::store::users::User;
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp};
use driver::Tools;
use webdriver::Chrome;

/// The variable that turns a missing browser from a skip into a failure.
const REQUIRE: &str = "SESSIONDESK_REQUIRE_BROWSER";

/// A test's browser and the application it drives. The browser is declared first so that
/// it is dropped (screenshot, session ended) before the application and its database.
pub struct Ui {
    /// The browser.
    pub chrome: Chrome,
    /// The application, on a database of its own.
    pub app: TestApp,
}

/// A fresh application and a browser on it; `None` when the browser tests are skipped.
pub async fn start() -> Option<Ui> {
    start_with(|_| {}).await
}

/// [`start`] with settings adjusted by `tweak`.
pub async fn start_with(tweak: impl FnOnce(&mut sessiondesk::config::Config)) -> Option<Ui> {
    let tools = tools()?;
    let app = crate::helpers::spawn_app_with(tweak).await;
    let chrome = Chrome::start(&tools, &app.address, &test_name()).await;
    Some(Ui { chrome, app })
}

/// The programs, or why there are none: a panic when they are required, a banner otherwise.
fn tools() -> Option<Tools> {
    match Tools::find() {
        Ok(tools) => Some(tools),
        Err(why) if required() => panic!(
            "{REQUIRE} is set but {why}: the browser tests cannot run \
             (apt-get install chromium chromium-driver)"
        ),
        Err(why) => {
            banner(&why);
            None
        }
    }
}

fn required() -> bool {
    std::env::var(REQUIRE).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Printed once per run, straight to stderr: the test harness captures `eprintln!` of
/// passing tests, and a skip must not go unnoticed.
fn banner(why: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let line = "=".repeat(78);
        let _ = writeln!(
            std::io::stderr(),
            "\n{line}\nBROWSER TESTS SKIPPED: {why} (apt-get install chromium chromium-driver)\n\
             Set {REQUIRE}=1 to make this a failure.\n{line}\n"
        );
    });
}

/// The running test's function name (the test harness names each test's thread after it).
fn test_name() -> String {
    let thread = std::thread::current();
    let full = thread.name().unwrap_or("browser-test");
    full.rsplit("::").next().unwrap_or(full).to_owned()
}

impl Ui {
    /// Creates a user of `role` and signs in as them through the login form.
    pub async fn sign_in(&self, role: Role) -> User {
        let username = format!(
            "{}-{}",
            role.as_str(),
            &Uuid::new_v4().simple().to_string()[..6]
        );
        let user = self.app.create_user(&username, role);
        let chrome = &self.chrome;
        chrome.goto("/login").await;
        chrome
            .wait_for("#username")
            .await
            .send_keys(&username)
            .await;
        chrome.find("#password").await.send_keys(PASSWORD).await;
        chrome
            .click_through("form[action='/login'] button[type=submit]")
            .await;
        let path = chrome.path().await;
        assert!(
            !path.starts_with("/login"),
            "signing in as {username} stayed on {path}"
        );
        user
    }

    /// The sessions the queue page lists, in order.
    pub async fn rows(&self) -> Vec<Uuid> {
        let hrefs = self
            .chrome
            .execute(
                "return Array.from(document.querySelectorAll('#queue a.row-link'), \
                 a => a.getAttribute('href'));",
                vec![],
            )
            .await;
        hrefs
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|h| {
                let h = h.as_str().unwrap_or_default();
                let id = h.strip_prefix("/sessions/").unwrap_or(h);
                Uuid::parse_str(id.get(..36).unwrap_or(id))
                    .unwrap_or_else(|_| panic!("a row links to {h}"))
            })
            .collect()
    }

    /// The text of the page's flash message (empty when there is none).
    pub async fn flash(&self) -> String {
        match self.chrome.try_find("main > .flash[role=status]").await {
            Some(f) => f.text().await,
            None => String::new(),
        }
    }

    /// The end of every test: the console has no CSP violation and no script error.
    pub async fn finish(self) {
        self.chrome.assert_console_clean().await;
    }
}
