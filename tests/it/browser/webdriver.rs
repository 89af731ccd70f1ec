//! A small W3C WebDriver client over `reqwest`: a headless Chromium session (on a
//! chromedriver of its own, see `driver`) and the handful of commands the browser tests
//! need. Dropping a [`Chrome`] ends the session, stops chromedriver and removes the
//! profile; when the test is panicking it first saves a screenshot and prints the console.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::console::{LogEntry, assert_clean, parse_log, save_evidence, screenshot_dir};
use super::driver::{Driver, Tools};

/// How long a wait polls before it gives up.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// How often a wait polls.
pub const POLL: Duration = Duration::from_millis(50);

/// How W3C WebDriver names an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Special keys for [`Chrome::press`] and [`Element::send_keys`].
pub mod keys {
    /// Enter (Return).
    pub const ENTER: &str = "\u{E007}";
    /// Escape.
    pub const ESCAPE: &str = "\u{E00C}";
    /// Tab.
    pub const TAB: &str = "\u{E004}";
}

/// A headless Chromium session pointed at one application.
pub struct Chrome {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
    /// The application's address; paths given to [`Chrome::goto`] are relative to it.
    base: String,
    /// The test's name, for its failure screenshot.
    name: String,
    driver: Driver,
}

impl Chrome {
    /// Starts chromedriver and a browser for the application at `base`; `name` names the
    /// failure screenshot.
    pub async fn start(tools: &Tools, base: &str, name: &str) -> Chrome {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        let (driver, session) = Driver::launch(tools, &http).await;
        Chrome {
            session,
            http,
            base: base.trim_end_matches('/').to_owned(),
            name: name.to_owned(),
            driver,
        }
    }

    /// Sends one command; `Err` carries WebDriver's error code and message.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
        let ok = response.status().is_success();
        let v: Value = response.json().await.map_err(|e| format!("{path}: {e}"))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            Err(format!("{path}: {}: {}", value["error"], value["message"]))
        }
    }

    async fn get(&self, path: &str) -> Value {
        self.call(Method::GET, path, None)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {e}"))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(Method::POST, path, Some(body))
            .await
            .unwrap_or_else(|e| panic!("WebDriver {e}"))
    }

    /// Makes the page's viewport `width` x `height` CSS pixels (a phone: `mobile`), as
    /// Chromium's device emulation does.
    pub async fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.post(
            "/goog/cdp/execute",
            json!({
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": {
                    "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile
                }
            }),
        )
        .await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let v = self.get("/screenshot").await;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 screenshot")
    }

    /// Loads a path of the application (or an absolute URL) and waits for it.
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            path.to_owned()
        };
        self.post("/url", json!({ "url": url })).await;
    }

    /// Goes back in the browser's history (without waiting for the page: see
    /// [`Chrome::navigates`]).
    pub async fn back(&self) {
        self.post("/back", json!({})).await;
    }

    async fn get_string(&self, path: &str) -> String {
        let v = self.get(path).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The current URL's path and query, when it is on the application.
    pub async fn path(&self) -> String {
        let url = self.get_string("/url").await;
        url.strip_prefix(&self.base).unwrap_or(&url).to_owned()
    }

    /// The document's title.
    pub async fn title(&self) -> String {
        self.get_string("/title").await
    }

    /// The page's current HTML.
    pub async fn source(&self) -> String {
        self.get_string("/source").await
    }

    /// The first element matching a CSS selector, if any.
    pub async fn try_find(&self, css: &str) -> Option<Element<'_>> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.call(Method::POST, "/element", Some(body)).await.ok()?;
        Some(self.element(&v))
    }

    /// The first element matching a CSS selector; panics when there is none.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let body = json!({"using": "css selector", "value": css});
        match self.call(Method::POST, "/element", Some(body)).await {
            Ok(v) => self.element(&v),
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    /// Every element matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let v = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await;
        let list = v.as_array().cloned().unwrap_or_default();
        list.iter().map(|e| self.element(e)).collect()
    }

    /// Waits until an element matches a CSS selector.
    pub async fn wait_for(&self, css: &str) -> Element<'_> {
        let selector = Value::from(css).to_string();
        let expression = format!("document.querySelector({selector}) !== null");
        self.wait_until(&format!("an element {css}"), &expression)
            .await;
        self.find(css).await
    }

    fn element(&self, v: &Value) -> Element<'_> {
        Element {
            chrome: self,
            id: v[ELEMENT_KEY].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// Runs a script (a function body: `return` gives the value) with `args`.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs an asynchronous script: its last argument is the callback that gives the value.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({"cmd": cmd, "params": params}))
            .await
    }

    /// Waits until a JavaScript expression is truthy and returns its value; `what` says
    /// what was awaited when it never is. Errors (a page mid-navigation) count as not yet.
    pub async fn wait_until(&self, what: &str, expression: &str) -> Value {
        let body = json!({"script": format!("return ({expression});"), "args": []});
        let deadline = Instant::now() + PATIENCE;
        loop {
            let last = self
                .call(Method::POST, "/execute/sync", Some(body.clone()))
                .await;
            if let Ok(v) = &last
                && !matches!(v, Value::Null | Value::Bool(false))
                && *v != json!("")
                && *v != json!(0)
            {
                return v.clone();
            }
            if Instant::now() > deadline {
                panic!(
                    "waited {PATIENCE:?} for {what} on {}: `{expression}` was {last:?}",
                    self.path().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `action` (a click, a key press) and waits until it has loaded a new page.
    pub async fn navigates<T>(&self, action: impl Future<Output = T>) -> T {
        self.execute("window.__sessiondeskOldPage = true;", vec![])
            .await;
        let out = action.await;
        self.wait_until(
            "a new page to load",
            "window.__sessiondeskOldPage === undefined && document.readyState === 'complete'",
        )
        .await;
        out
    }

    /// Clicks the element matching a CSS selector and waits for the page it loads.
    pub async fn click_through(&self, css: &str) {
        let element = self.find(css).await;
        self.navigates(element.click()).await;
    }

    /// Presses and releases each key in turn (characters or [`keys`]) wherever the focus is.
    pub async fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.post("/actions", body).await;
    }

    /// The id of the focused element (empty when it has none, or nothing has focus).
    pub async fn focused_id(&self) -> String {
        let v = self
            .execute(
                "return document.activeElement ? document.activeElement.id : '';",
                vec![],
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The console entries since the last call (reading empties the log).
    pub async fn console(&self) -> Vec<LogEntry> {
        let v = self.post("/se/log", json!({"type": "browser"})).await;
        parse_log(&v)
    }

    /// Reads the console and panics on any CSP violation or script error (see
    /// [`assert_clean`]).
    pub async fn assert_console_clean(&self) {
        assert_clean(&self.console().await);
    }
}

impl Drop for Chrome {
    /// Saves a screenshot (and prints the console) if the test failed, then ends the
    /// session; the driver's own drop stops chromedriver and removes the profile. The test's
    /// runtime may be blocked here, so this runs on a thread with a runtime of its own.
    fn drop(&mut self) {
        let failed = std::thread::panicking();
        let session = self.session.clone();
        let shot = screenshot_dir().join(format!("{}.png", self.name));
        let ended = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .build()
                    .ok()?;
                if failed {
                    save_evidence(&http, &session, &shot).await;
                }
                let r = http.delete(&session).send().await.ok()?;
                r.status().is_success().then_some(())
            })
        })
        .join();
        self.driver.session_ended = matches!(ended, Ok(Some(())));
    }
}

/// An element of the current page.
pub struct Element<'a> {
    chrome: &'a Chrome,
    id: String,
}

impl Element<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{rest}", self.id)
    }

    /// The reference to pass as a script argument.
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Clicks it (scrolling it into view first).
    pub async fn click(&self) {
        self.chrome.post(&self.path("/click"), json!({})).await;
    }

    /// Clicks it with Shift held, as a person extending a selection does: real input
    /// events through the WebDriver actions API (scrolling it into view first).
    pub async fn shift_click(&self) {
        self.chrome
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![self.as_arg()],
            )
            .await;
        let shift = "\u{E008}";
        let body = json!({"actions": [
            {"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": shift},
                {"type": "pause", "duration": 0},
                {"type": "pause", "duration": 0},
                {"type": "pause", "duration": 0},
                {"type": "keyUp", "value": shift}
            ]},
            {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
                {"type": "pause", "duration": 0},
                {"type": "pointerMove", "duration": 0, "origin": self.as_arg(), "x": 0, "y": 0},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0},
                {"type": "pause", "duration": 0}
            ]}
        ]});
        self.chrome.post("/actions", body).await;
        // Releases whatever the actions left pressed.
        let _ = self.chrome.call(Method::DELETE, "/actions", None).await;
    }

    /// Types into it (characters or [`keys`]).
    pub async fn send_keys(&self, text: &str) {
        self.chrome
            .post(&self.path("/value"), json!({ "text": text }))
            .await;
    }

    /// Its rendered text.
    pub async fn text(&self) -> String {
        let v = self.chrome.get(&self.path("/text")).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// An attribute's value, if it has one.
    pub async fn attr(&self, name: &str) -> Option<String> {
        let v = self
            .chrome
            .get(&self.path(&format!("/attribute/{name}")))
            .await;
        v.as_str().map(str::to_owned)
    }

    /// Whether it is displayed.
    pub async fn displayed(&self) -> bool {
        self.chrome.get(&self.path("/displayed")).await == json!(true)
    }
}
