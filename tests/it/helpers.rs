//! `spawn_app()`: a fresh database cloned from a migrated template, the application on a
//! random port, and an HTTP client that keeps cookies.

use std::sync::OnceLock;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use sessiondesk::config::Config;
use sessiondesk::db::{self, DbPool};
use sessiondesk::startup::Application;
use uuid::Uuid;

/// The server's maintenance database; `TEST_DATABASE_URL` overrides it.
///
/// Loopback connections go without TLS: libpq's OpenSSL registers an exit handler that frees
/// its state while pool threads of the last tests may still hold TLS connections, which made
/// the test binary crash in libcrypto after every test had passed.
pub fn maintenance_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".to_owned()
    })
}

fn with_database(name: &str) -> String {
    let mut url = url::Url::parse(&maintenance_url()).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// A name that changes whenever a migration changes, so a stale template is never used.
fn template_name() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let mut entries: Vec<_> = walk(std::path::Path::new(dir));
    entries.sort();
    let mut hash: u64 = 0xcbf29ce484222325;
    for path in entries {
        let bytes = std::fs::read(&path).expect("migration file is readable");
        // The path relative to the migrations folder: two checkouts of the same migrations
        // share one template.
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        for b in relative.bytes().chain(bytes) {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    format!("sessiondesk_template_{:016x}", hash)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("migrations directory exists")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Creates the migrated template once per run; an advisory lock keeps parallel test
/// processes from building it twice.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = template_name();
        let mut admin =
            PgConnection::establish(&maintenance_url()).expect("Postgres is running (see README)");
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<BigInt, _>(0x5e55_10d5)
            .execute(&mut admin)
            .unwrap();
        let exists = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found",
        )
        .bind::<Text, _>(&name)
        .get_result::<Found>(&mut admin)
        .unwrap()
        .found;
        if !exists {
            let building = format!("{name}_building");
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
            ))
            .execute(&mut admin)
            .unwrap();
            diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
                .execute(&mut admin)
                .unwrap();
            {
                let mut conn = PgConnection::establish(&with_database(&building)).unwrap();
                db::migrate(&mut conn).expect("migrations apply to an empty database");
            }
            diesel::sql_query(format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
            ))
            .execute(&mut admin)
            .unwrap();
            // Templates of other migration sets are left alone: another checkout's tests
            // may be using one right now.
        }
        diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<BigInt, _>(0x5e55_10d5)
            .execute(&mut admin)
            .unwrap();
        name
    })
}

/// A database of the test's own, dropped when the guard goes.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl TestDb {
    /// Clones the migrated template into a new database.
    pub fn new() -> Self {
        let template = template();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&maintenance_url()).unwrap();
        // Another test creating its database from the same template at this very moment
        // makes Postgres refuse with "being accessed by other users": try again.
        let mut attempts = 0;
        loop {
            match diesel::sql_query(format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
            ))
            .execute(&mut admin)
            {
                Ok(_) => break,
                Err(e) if attempts < 50 => {
                    attempts += 1;
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("cannot create test database: {e}"),
            }
        }
        TestDb {
            url: with_database(&name),
            name,
        }
    }

    /// A direct connection.
    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&maintenance_url()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

/// A running application on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// A client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
    /// A pool onto the test's database, for arranging and asserting.
    pub pool: DbPool,
    /// The database; dropped last.
    pub db: TestDb,
}

impl TestApp {
    /// A direct connection to the test's database.
    pub fn conn(&self) -> PgConnection {
        self.db.conn()
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request is sent")
    }
}

/// Events that record a read or a refused request rather than a change: a test that proves
/// nothing was written leaves them out.
pub const READ_AUDIT: &[&str] = &["session.viewed", "api_key.forbidden", "api_key.unknown"];

/// [`READ_AUDIT`] as an SQL list: `'session.viewed', ...`.
pub fn read_audit_sql() -> String {
    READ_AUDIT
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The application with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// How long the test clients reuse an idle connection: well under the server's keep-alive.
/// A test that arranges rows with blocking SQL stalls its runtime, so the client never sees
/// the server close an idle connection; only the pool's own clock, read when a request
/// takes a connection, keeps that request off a connection the server already closed
/// (which fails as `IncompleteMessage`).
const POOL_IDLE: Duration =
    Duration::from_millis(sessiondesk::startup::KEEP_ALIVE.as_millis() as u64 / 2);

/// The application with settings adjusted by `tweak`.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new();
    let mut config = Config::for_database(&db.url);
    // Most tests sign in admins and are not about the second factor; the tests that are
    // set `require_mfa` themselves.
    config.require_mfa = sessiondesk::config::RequireMfa::Off;
    tweak(&mut config);
    let app = Application::build(config.clone()).expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(POOL_IDLE)
        .build()
        .unwrap();
    let pool = db::build_pool(&db.url, 20, Duration::from_secs(5));
    TestApp {
        address,
        client,
        pool,
        db,
    }
}

/// A `sessiondesk serve` process on a test's database, for what only a whole process
/// shows (a kill, a graceful stop, two instances); killed when dropped.
pub struct ServerProcess {
    /// The process.
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub address: String,
}

impl ServerProcess {
    /// Starts one on `app`'s database with `env` added, and waits until it answers.
    pub async fn start(app: &TestApp, env: &[(&str, &str)]) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sessiondesk"))
            .arg("serve")
            .env("DATABASE_URL", &app.db.url)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("COOKIE_SECURE", "false")
            .env("DATABASE_POOL_SIZE", "4")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Made before the wait, so that a server that never answers is killed on the panic.
        let server = ServerProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let started = std::time::Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{}/healthz", server.address)).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server starts"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// Asks it to stop as an orchestrator does (SIGTERM) and waits until it has.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        self.child.wait().unwrap()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser: its own cookie jar against the test's server.
pub struct Browser {
    /// The client; cookies persist, redirects are not followed.
    pub client: reqwest::Client,
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// The cookie jar, to copy cookies as a thief would.
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
}

/// A password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// Pulls the CSRF token out of a page.
pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf-token\" content=\"";
    let start = html.find(marker).map(|i| i + marker.len()).or_else(|| {
        let marker = "name=\"csrf_token\" value=\"";
        html.find(marker).map(|i| i + marker.len())
    })?;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl Browser {
    /// The `Cookie` header this browser sends.
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.address).unwrap();
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// GET a path sending exactly `cookie`, from a client that keeps nothing.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{}{}", self.address, path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request is sent")
    }

    /// The CSRF token of the page at `path` (any page this browser may see).
    pub async fn csrf(&self, path: &str) -> String {
        let html = self.get(path).await.text().await.unwrap();
        csrf_from(&html).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// POST a form as is (no token added).
    pub async fn post_raw(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .form(form)
            .send()
            .await
            .expect("request is sent")
    }

    /// POST a form with the CSRF token of `token_page` added.
    pub async fn post(&self, path: &str, form: &[(&str, &str)], token: &str) -> reqwest::Response {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf_token", token));
        self.post_raw(path, &fields).await
    }

    /// Signs in through the login form; returns the response to the POST.
    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        let token = self.csrf("/login").await;
        self.post(
            "/login",
            &[("username", username), ("password", password)],
            &token,
        )
        .await
    }
}

impl TestApp {
    /// A new browser with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_idle_timeout(POOL_IDLE)
            .build()
            .unwrap();
        Browser {
            client,
            address: self.address.clone(),
            jar,
        }
    }

    /// Creates a user with [`PASSWORD`].
    pub fn create_user(
        &self,
        username: &str,
        role: sessiondesk::domain::kinds::Role,
    ) -> sessiondesk::store::users::User {
        let mut conn = self.conn();
        let input = sessiondesk::service::users::NewUserInput {
            username: username.to_owned(),
            display_name: format!("{} Tester", username),
            role,
            password: PASSWORD.to_owned(),
        };
        sessiondesk::service::users::create(
            &mut conn,
            &input,
            sessiondesk::domain::actor::Actor::System,
        )
        .unwrap()
    }

    /// A browser signed in as a new user of `role`.
    pub async fn signed_in(
        &self,
        role: sessiondesk::domain::kinds::Role,
    ) -> (Browser, sessiondesk::store::users::User) {
        let username = format!(
            "{}-{}",
            role.as_str(),
            &Uuid::new_v4().simple().to_string()[..6]
        );
        let user = self.create_user(&username, role);
        let browser = self.browser();
        let r = browser.sign_in(&username, PASSWORD).await;
        assert_eq!(r.status(), 303, "sign-in as {username} failed");
        (browser, user)
    }

    /// How many events with `action` exist.
    pub fn count_events(&self, action: &str) -> i64 {
        use sessiondesk::schema::events;
        events::table
            .filter(events::action.eq(action))
            .count()
            .get_result(&mut self.conn())
            .unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Identity API helpers: keys made through the service layer, JSON:API requests, and a
// fingerprint of the tables an API write touches (to prove a refused request wrote
// nothing).
// ---------------------------------------------------------------------------------------

/// What a JSON:API request got back.
#[derive(Debug)]
pub struct ApiResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The parsed body; `Null` when empty or not JSON.
    pub body: serde_json::Value,
}

impl ApiResponse {
    /// The first error's `code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }

    /// The first error's `source.pointer`.
    pub fn pointer(&self) -> Option<&str> {
        self.body["errors"][0]["source"]["pointer"].as_str()
    }

    /// The first error's `source.parameter`.
    pub fn parameter(&self) -> Option<&str> {
        self.body["errors"][0]["source"]["parameter"].as_str()
    }

    /// `data.id` as a UUID.
    pub fn id(&self) -> Uuid {
        Uuid::parse_str(self.body["data"]["id"].as_str().expect("data.id")).unwrap()
    }

    /// `data.attributes`.
    pub fn attributes(&self) -> &serde_json::Value {
        &self.body["data"]["attributes"]
    }
}

/// Row counts and last changes of the tables API writes touch.
#[derive(Debug, PartialEq, Eq, QueryableByName)]
pub struct Fingerprint {
    #[diesel(sql_type = BigInt)]
    accounts: i64,
    #[diesel(sql_type = BigInt)]
    sessions: i64,
    #[diesel(sql_type = BigInt)]
    devices: i64,
    #[diesel(sql_type = BigInt)]
    events: i64,
    #[diesel(sql_type = BigInt)]
    api_keys: i64,
    #[diesel(sql_type = Text)]
    sessions_changed: String,
    #[diesel(sql_type = BigInt)]
    webhook_endpoints: i64,
    #[diesel(sql_type = BigInt)]
    webhook_deliveries: i64,
    #[diesel(sql_type = Text)]
    webhooks_changed: String,
}

impl TestApp {
    /// A new API key holding `permissions`, created through the service layer; its secret.
    pub fn api_key(&self, permissions: &[sessiondesk::domain::kinds::Permission]) -> String {
        let input = sessiondesk::service::api_keys::NewApiKeyInput {
            name: format!("test key {}", &Uuid::new_v4().simple().to_string()[..6]),
            permissions: permissions.to_vec(),
        };
        sessiondesk::service::api_keys::create(
            &mut self.conn(),
            &input,
            "test",
            sessiondesk::domain::actor::Actor::System,
        )
        .unwrap()
        .secret
    }

    /// The sessions written to `api_key_reads` for the key with `secret`, as they are now.
    pub fn written_reads(&self, secret: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Reads {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT coalesce(sum(r.reads), 0)::bigint AS n FROM api_key_reads r \
             JOIN api_keys k ON k.id = r.api_key_id WHERE k.prefix = $1",
        )
        .bind::<Text, _>(&secret[..12])
        .get_result::<Reads>(&mut self.conn())
        .unwrap()
        .n
    }

    /// The sessions the key with `secret` is recorded as having read, once the read-count
    /// writer has written what the server counted (every 50 ms in tests): read until two
    /// readings 200 ms apart agree.
    pub async fn reads_of(&self, secret: &str) -> i64 {
        let mut last = self.written_reads(secret);
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = self.written_reads(secret);
            if now == last {
                return now;
            }
            last = now;
        }
    }

    /// A new API key with every permission.
    pub fn full_api_key(&self) -> String {
        self.api_key(sessiondesk::domain::kinds::Permission::ALL)
    }

    /// Sends `body` (raw bytes, with `content_type`) to the API.
    pub async fn api_raw(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> ApiResponse {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path))
            .body(body);
        if let Some(key) = key {
            request = request.header("X-Api-Key", key);
        }
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let response = request.send().await.expect("request is sent");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        ApiResponse {
            status,
            content_type,
            body,
        }
    }

    /// Sends a JSON:API request (`application/vnd.api+json` when there is a body).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<serde_json::Value>,
    ) -> ApiResponse {
        match body {
            Some(b) => {
                let bytes = serde_json::to_vec(&b).unwrap();
                self.api_raw(
                    method,
                    path,
                    Some(key),
                    Some("application/vnd.api+json"),
                    bytes,
                )
                .await
            }
            None => {
                self.api_raw(method, path, Some(key), None, Vec::new())
                    .await
            }
        }
    }

    /// Creates an account through the API; its id.
    pub async fn api_account(&self, key: &str) -> Uuid {
        let r = self
            .api(
                "POST",
                "/v1/identity/accounts",
                key,
                Some(serde_json::json!({"data": {"type": "account", "attributes": {}}})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.id()
    }

    /// Creates a session for `account` through the API; the response.
    pub async fn api_session(&self, key: &str, account: Uuid) -> ApiResponse {
        let r = self
            .api(
                "POST",
                "/v1/identity/sessions",
                key,
                Some(serde_json::json!({"data": {"type": "session",
                    "relationships": {"account": {"data": {"type": "account", "id": account}}}}})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r
    }

    /// Sets a session's status directly, as the later verification engine would.
    pub fn set_status(&self, session: Uuid, status: &str) {
        use sessiondesk::schema::sessions;
        let waiting = status
            .parse::<sessiondesk::domain::status::SessionStatus>()
            .is_ok_and(|s| s.is_waiting());
        diesel::update(sessions::table.find(session))
            .set((
                sessions::status.eq(status),
                sessions::waiting_since.eq(waiting.then(chrono::Utc::now)),
            ))
            .execute(&mut self.conn())
            .unwrap();
    }

    /// The counts and last changes of the tables API writes touch.
    pub fn fingerprint(&self) -> Fingerprint {
        diesel::sql_query(format!(
            "SELECT (SELECT count(*) FROM accounts) AS accounts, \
             (SELECT count(*) FROM sessions) AS sessions, \
             (SELECT count(*) FROM session_devices) AS devices, \
             (SELECT count(*) FROM events WHERE action NOT IN ({})) AS events, \
             (SELECT count(*) FROM api_keys) AS api_keys, \
             (SELECT coalesce(max(updated_at)::text, '') FROM sessions) AS sessions_changed, \
             (SELECT count(*) FROM webhook_endpoints) AS webhook_endpoints, \
             (SELECT count(*) FROM webhook_deliveries) AS webhook_deliveries, \
             (SELECT coalesce(max(updated_at)::text, '') FROM webhook_endpoints) AS webhooks_changed",
            read_audit_sql()
        ))
        .get_result(&mut self.conn())
        .unwrap()
    }
}
