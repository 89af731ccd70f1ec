//! What a browser test leaves behind: the console log it is checked against, and the
//! screenshot of a failure.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{Value, json};

/// The directory failure screenshots go to: `browser-screenshots` in the target directory.
pub fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("browser-screenshots")
}

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO` or `DEBUG`.
    pub level: String,
    /// Where it came from: `security`, `javascript`, `console-api`, `network`, ...
    pub source: String,
    /// The text, prefixed by Chromium with the URL and position.
    pub message: String,
}

impl LogEntry {
    /// A Content-Security-Policy violation or a script error.
    pub fn is_problem(&self) -> bool {
        self.level == "SEVERE"
            || self.message.contains("Content Security Policy")
            || self.message.contains("Uncaught")
    }

    /// A missing favicon: the one problem tolerated (and still printed).
    pub fn is_favicon_404(&self) -> bool {
        self.message.contains("favicon") && self.message.contains("404")
    }
}

/// Panics on any CSP violation or script error among `entries`. A missing favicon is
/// tolerated; every entry is printed to the test's output either way.
pub fn assert_clean(entries: &[LogEntry]) {
    for e in entries {
        eprintln!("console [{} {}] {}", e.level, e.source, e.message);
    }
    let problems: Vec<_> = entries
        .iter()
        .filter(|e| e.is_problem() && !e.is_favicon_404())
        .map(|e| format!("  [{} {}] {}", e.level, e.source, e.message))
        .collect();
    assert!(
        problems.is_empty(),
        "the browser console has {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Reads `/se/log`'s answer.
pub fn parse_log(v: &Value) -> Vec<LogEntry> {
    let list = v.as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|e| LogEntry {
            level: e["level"].as_str().unwrap_or_default().to_owned(),
            source: e["source"].as_str().unwrap_or_default().to_owned(),
            message: e["message"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

/// The failure screenshot and the console, for a test that is panicking.
pub async fn save_evidence(http: &reqwest::Client, session: &str, shot: &Path) {
    let png = match http.get(format!("{session}/screenshot")).send().await {
        Ok(r) => r.json::<Value>().await.ok().and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v["value"].as_str()?)
                .ok()
        }),
        Err(_) => None,
    };
    match png {
        Some(png) => {
            let _ = std::fs::create_dir_all(screenshot_dir());
            match std::fs::write(shot, png) {
                Ok(()) => eprintln!("screenshot of the failure: {}", shot.display()),
                Err(e) => eprintln!("could not save {}: {e}", shot.display()),
            }
        }
        None => eprintln!("no screenshot could be taken"),
    }
    let log = http
        .post(format!("{session}/se/log"))
        .json(&json!({"type": "browser"}))
        .send()
        .await;
    if let Ok(r) = log
        && let Ok(v) = r.json::<Value>().await
    {
        for e in parse_log(&v["value"]) {
            eprintln!("console [{} {}] {}", e.level, e.source, e.message);
        }
    }
}

/// The safety net itself: a check that never fires would let every test pass.
#[tokio::test]
async fn the_console_check_catches_csp_violations_and_script_errors() {
    let Some(ui) = super::start().await else {
        return;
    };
    ui.chrome.goto("/login").await;
    ui.chrome.wait_for("#username").await;
    // An inline script and an inline style, both refused by the policy, and an uncaught error.
    ui.chrome
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.ran = 1';
             document.body.appendChild(s);
             document.body.setAttribute('style', 'color: red');
             setTimeout(() => { throw new Error('boom'); }, 0);",
            vec![],
        )
        .await;
    // The error is thrown a moment later: read until it shows up (reading drains the log).
    let mut entries = Vec::new();
    for _ in 0..200 {
        entries.extend(ui.chrome.console().await);
        if entries.iter().any(|e| e.message.contains("boom")) {
            break;
        }
        tokio::time::sleep(super::webdriver::POLL).await;
    }
    let problems: Vec<&LogEntry> = entries.iter().filter(|e| e.is_problem()).collect();
    let csp = problems
        .iter()
        .filter(|e| e.message.contains("Content Security Policy"))
        .count();
    assert_eq!(csp, 2, "both violations are caught: {entries:?}");
    assert!(
        problems
            .iter()
            .any(|e| e.message.contains("Uncaught Error: boom")),
        "the script error is caught: {entries:?}"
    );
    let ran = ui.chrome.execute("return window.ran === 1;", vec![]).await;
    assert_eq!(ran, json!(false), "the inline script was blocked");
    let favicon = LogEntry {
        level: "SEVERE".into(),
        source: "network".into(),
        message: "http://x/favicon.ico - Failed to load resource: 404 (Not Found)".into(),
    };
    assert!(favicon.is_problem() && favicon.is_favicon_404());
    ui.finish().await;
}
