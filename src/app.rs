//! The application's shared state, below both faces and the wiring: handlers of the
//! dashboard and of the API take it as `web::Data<AppState>` without importing the module
//! that builds the server (`startup`), which imports them.

use tokio::sync::Semaphore;

use crate::config::Config;

/// Shared state every handler may take as `web::Data<AppState>`.
pub struct AppState {
    /// The settings the server started with.
    pub config: Config,
    /// Turns at reading document photos (`OCR_WORKERS` of them): a verification takes
    /// one before its judge phase, so that reading never oversubscribes the cores.
    pub readers: Semaphore,
}

impl AppState {
    /// The state for `config`.
    pub fn new(config: Config) -> Self {
        let readers = Semaphore::new(config.ocr_workers);
        AppState { config, readers }
    }
}
