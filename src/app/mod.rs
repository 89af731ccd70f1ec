//! The application's shared state, below both faces and the wiring: handlers of the
//! dashboard and of the API take it as `web::Data<AppState>` without importing the module
//! that builds the server (`startup`), which imports them.

pub mod changes;
pub mod external_ids;
pub mod fresh;
pub mod rate;
pub mod read_tally;

use std::sync::Arc;

use tokio::sync::Semaphore;

use changes::Changes;
use fresh::Fresh;
use rate::RateLimiter;

use crate::config::Config;

/// Shared state every handler may take as `web::Data<AppState>`.
pub struct AppState {
    /// The settings the server started with.
    pub config: Config,
    /// Turns at reading document photos (`OCR_WORKERS` of them): a verification takes
    /// one before its judge phase, so that reading never oversubscribes the cores.
    pub readers: Semaphore,
    /// Requests a capture link may make a minute (`CAPTURE_RATE_PER_MINUTE`).
    pub capture_per_link: RateLimiter,
    /// Requests an address may make a minute on capture pages, across links.
    pub capture_per_address: RateLimiter,
    /// What other instances (and this one) changed, for the caches kept here.
    pub changes: Arc<Changes>,
    /// Who may be given cases (id, name), as of the last read of `users`.
    pub assignable: Fresh<(), Vec<(uuid::Uuid, String)>>,
    /// Every user's and API key's name, as of the last read of `users` and `api_keys`.
    pub names: Fresh<(), Arc<crate::domain::directory::Directory>>,
    /// The accounts' external ids the queue shows, by account.
    pub external_ids: external_ids::ExternalIds,
    /// The sessions each API key read, not yet written (shared with the writer job).
    pub reads: Arc<read_tally::ReadTally>,
}

impl AppState {
    /// The state for `config`, its caches following `changes`, counting API reads into
    /// `reads`.
    pub fn new(config: Config, changes: Arc<Changes>, reads: Arc<read_tally::ReadTally>) -> Self {
        let readers = Semaphore::new(config.ocr_workers);
        let rate = config.capture_rate_per_minute;
        AppState {
            capture_per_link: RateLimiter::new(rate),
            // One address may be a household or an office behind one router: more room.
            capture_per_address: RateLimiter::new(rate.saturating_mul(3)),
            config,
            readers,
            assignable: Fresh::new(
                changes.clone(),
                Changes::users,
                std::time::Duration::from_secs(60),
                1,
            ),
            names: Fresh::new(
                changes.clone(),
                Changes::names,
                std::time::Duration::from_secs(60),
                1,
            ),
            external_ids: external_ids::ExternalIds::new(changes.clone()),
            changes,
            reads,
        }
    }
}
