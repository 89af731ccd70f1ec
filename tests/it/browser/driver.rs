//! The two programs behind a [`super::webdriver::Chrome`]: finding them, and running one
//! chromedriver on a free port with a fresh Chromium profile directory.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

use super::webdriver::{PATIENCE, POLL};

/// Chromium's switches; each session adds a fresh `--user-data-dir`.
const CHROMIUM_ARGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1440,900",
];

/// Where chromedriver and Chromium are installed.
#[derive(Debug, Clone)]
pub struct Tools {
    /// The chromedriver executable.
    pub chromedriver: PathBuf,
    /// The Chromium executable (Debian's launcher script).
    pub chromium: PathBuf,
}

impl Tools {
    /// Finds both on `PATH`; the error says which is missing.
    pub fn find() -> Result<Tools, String> {
        let chromedriver = which("chromedriver").ok_or("chromedriver not found")?;
        let chromium = which("chromium").ok_or("chromium not found")?;
        Ok(Tools {
            chromedriver,
            chromium,
        })
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A running chromedriver and its browser's profile directory; both go on drop.
pub struct Driver {
    child: Child,
    url: String,
    profile: PathBuf,
    /// Chromium's process id, to stop it should ending the session fail.
    browser_pid: Option<u64>,
    /// Whether the WebDriver session was ended cleanly.
    pub session_ended: bool,
}

impl Driver {
    /// Starts chromedriver, then a Chromium session on it; returns the driver and the
    /// session's URL (`http://127.0.0.1:PORT/session/ID`).
    pub async fn launch(tools: &Tools, http: &reqwest::Client) -> (Driver, String) {
        let mut driver = Driver::start(tools, http).await;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", driver.profile.display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": tools.chromium, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
            "timeouts": {"implicit": 0, "pageLoad": 30_000, "script": 10_000},
        }}});
        let r = http
            .post(format!("{}/session", driver.url))
            .json(&capabilities)
            .send()
            .await
            .expect("chromedriver answers");
        let v: Value = r.json().await.expect("a JSON answer");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start: {}", v["value"]["message"]));
        driver.browser_pid = v["value"]["capabilities"]["goog:processID"].as_u64();
        driver.session_ended = false;
        let session = format!("{}/session/{id}", driver.url);
        (driver, session)
    }

    /// Starts chromedriver on a free port and waits until it answers `/status`.
    async fn start(tools: &Tools, http: &reqwest::Client) -> Driver {
        let profile =
            std::env::temp_dir().join(format!("sessiondesk-chromium-{}", uuid::Uuid::new_v4()));
        // Another process may take the port between our probe and chromedriver's bind:
        // chromedriver then exits, and we try another port.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            std::fs::create_dir_all(&profile).expect("the profile directory can be created");
            let child = Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts");
            let mut driver = Driver {
                child,
                url: format!("http://127.0.0.1:{port}"),
                profile: profile.clone(),
                browser_pid: None,
                session_ended: true,
            };
            let deadline = Instant::now() + PATIENCE;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = driver.child.try_wait() {
                    break;
                }
                if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await
                    && let Ok(v) = r.json::<Value>().await
                    && v["value"]["ready"] == json!(true)
                {
                    return driver;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        panic!("chromedriver did not become ready within {PATIENCE:?}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Chromium outlives a chromedriver that is killed while its session is open: stop
        // it by its own process id first.
        if !self.session_ended
            && let Some(pid) = self.browser_pid
        {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
