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
pub fn maintenance_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
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
        for b in path.to_string_lossy().bytes().chain(bytes) {
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
        let mut admin = PgConnection::establish(&maintenance_url()).expect("Postgres is running (see README)");
        diesel::sql_query("SELECT pg_advisory_lock($1)").bind::<BigInt, _>(0x5e55_10d5).execute(&mut admin).unwrap();
        let exists = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(&name)
            .get_result::<Found>(&mut admin)
            .unwrap()
            .found;
        if !exists {
            let building = format!("{name}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)")).execute(&mut admin).unwrap();
            diesel::sql_query(format!("CREATE DATABASE \"{building}\"")).execute(&mut admin).unwrap();
            {
                let mut conn = PgConnection::establish(&with_database(&building)).unwrap();
                db::migrate(&mut conn).expect("migrations apply to an empty database");
            }
            diesel::sql_query(format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\"")).execute(&mut admin).unwrap();
            // Templates built from older migrations are of no further use.
            #[derive(QueryableByName)]
            struct Db {
                #[diesel(sql_type = Text)]
                datname: String,
            }
            let stale: Vec<Db> = diesel::sql_query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'sessiondesk\\_template\\_%' AND datname <> $1",
            )
            .bind::<Text, _>(&name)
            .load(&mut admin)
            .unwrap();
            for db in stale {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", db.datname)).execute(&mut admin);
            }
        }
        diesel::sql_query("SELECT pg_advisory_unlock($1)").bind::<BigInt, _>(0x5e55_10d5).execute(&mut admin).unwrap();
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

/// The application with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The application with settings adjusted by `tweak`.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new();
    let mut config = Config::for_database(&db.url);
    tweak(&mut config);
    let app = Application::build(config.clone()).expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
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
