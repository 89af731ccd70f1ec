//! Wiring: the pool, the routes, the middleware and the background jobs, built once so that
//! `serve` and the tests start the very same application.

use std::net::TcpListener;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use anyhow::Context;

use crate::api;
use crate::app::AppState;
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::http;
use crate::jobs;
use crate::web;

/// How long the server keeps an idle connection open (actix-web's default, stated here so
/// that clients, the tests' among them, can drop idle connections before it does).
pub const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(5);

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    jobs: jobs::Jobs,
}

impl Application {
    /// Binds `config.bind` (port 0 picks a free port) and prepares the server. Migrations
    /// are not run here: `serve` and the test harness run them first.
    pub fn build(config: Config) -> anyhow::Result<Self> {
        let pool = db::build_pool(&config.database_url, config.pool_size, config.db_timeout);
        let listener = TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let changes = std::sync::Arc::new(crate::app::changes::Changes::default());
        let reads = std::sync::Arc::new(crate::app::read_tally::ReadTally::default());
        let jobs = jobs::Jobs::start(pool.clone(), &config, changes.clone(), reads.clone());
        let server = build_server(listener, pool, config, changes, reads)?;
        Ok(Application { port, server, jobs })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM; in-flight requests finish, then the background jobs
    /// stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.jobs.stop().await;
        result
    }
}

/// The dashboard cookie's name. `__Host-` makes browsers refuse it unless it is `Secure`,
/// for `/` and without a `Domain`, so no sibling subdomain can plant or widen it; browsers
/// also refuse such a cookie without `Secure`, hence the plain name over plain HTTP.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-sd_session"
    } else {
        "sd_session"
    }
}

fn session_middleware(config: &Config) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(
        CookieSessionStore::default(),
        Key::from(&config.session_key),
    )
    .cookie_name(cookie_name(config.cookie_secure).to_owned())
    .cookie_secure(config.cookie_secure)
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_content_security(CookieContentSecurity::Private)
    // The cookie lives as long as the browser; the idle and absolute limits are
    // enforced on the server from the times stored inside it.
    .session_lifecycle(BrowserSession::default())
    .build()
}

/// Threads each worker keeps for blocking work: a database call holds one and the pool's
/// connections bound those; photo reads, password checks and PDF previews hold the rest.
/// The whole server needs about that many, shared among its workers (each keeps at least
/// two). By default actix allows 256 a worker: under load the pool grew to about 30 threads,
/// each with its own stack and allocator cache, for no more work done.
fn blocking_threads(config: &Config) -> usize {
    let needed = config.pool_size as usize + config.ocr_workers + 2;
    needed.div_ceil(config.http_workers.max(1)) + 1
}

fn build_server(
    listener: TcpListener,
    pool: DbPool,
    config: Config,
    changes: std::sync::Arc<crate::app::changes::Changes>,
    reads: std::sync::Arc<crate::app::read_tally::ReadTally>,
) -> anyhow::Result<Server> {
    let static_dir = config.static_dir.clone();
    let blocking_threads = blocking_threads(&config);
    let workers = config.http_workers;
    let pool = actix_web::web::Data::new(pool);
    let counts =
        actix_web::web::Data::new(web::sessions::counts::CountsCache::new(changes.clone()));
    let users = actix_web::web::Data::new(web::known_users::UserCache::new(changes.clone()));
    let views = actix_web::web::Data::new(web::views::SavedViewsCache::new(changes.clone()));
    let keys = actix_web::web::Data::new(api::auth::KeyCache::new(changes.clone()));
    let queue_pages = actix_web::web::Data::new(web::sessions::pages::QueuePages::new(
        changes.clone(),
        config.queue_page_ttl,
    ));
    let wait_reasons =
        actix_web::web::Data::new(web::sessions::wait_reasons::WaitReasons::default());
    let written = actix_web::web::Data::new(api::sessions::written::Written::new(changes.clone()));
    let state = actix_web::web::Data::new(AppState::new(config, changes, reads));
    let registry = actix_web::web::Data::new(crate::metrics::Registry::default());
    let status_counts = actix_web::web::Data::new(http::metrics::StatusCounts::default());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(web::sessions::counts::invalidate_on_write))
            .wrap(from_fn(web::csrf::check_origin))
            .wrap(session_middleware(&state.config))
            .wrap(from_fn(http::headers::cache_control))
            .wrap(http::headers::security_headers(state.config.cookie_secure))
            .wrap(from_fn(http::observe::trace))
            .app_data(pool.clone())
            .app_data(state.clone())
            .app_data(registry.clone())
            .app_data(counts.clone())
            .app_data(users.clone())
            .app_data(views.clone())
            .app_data(keys.clone())
            .app_data(wait_reasons.clone())
            .app_data(queue_pages.clone())
            .app_data(written.clone())
            .app_data(status_counts.clone())
            // Routes are tried in order, and each with a parameter runs a regular
            // expression: the API's scope (one prefix compare for every other request)
            // goes before the dashboard's eighty routes, which an API request otherwise
            // tried one by one (a tenth of the API list's time).
            .configure(http::configure)
            .configure(api::configure)
            .configure(web::configure)
            .configure(web::capture::configure)
            .service(actix_files::Files::new("/static", &static_dir).prefer_utf8(true))
            .default_service(actix_web::web::to(not_found))
    })
    .keep_alive(KEEP_ALIVE)
    .workers(workers)
    .worker_max_blocking_threads(blocking_threads)
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Unknown paths get the product's 404: a JSON:API error under `/v1`, the dashboard's
/// error page everywhere else.
async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError as _;
    let error = crate::error::AppError::NotFound("page");
    if req.path() == "/v1" || req.path().starts_with("/v1/") {
        crate::api::error::ApiError::from(error).error_response()
    } else {
        crate::web::error::PageError::render(&error)
    }
}
