//! The application's shared state, below both faces and the wiring: handlers of the
//! dashboard and of the API take it as `web::Data<AppState>` without importing the module
//! that builds the server (`startup`), which imports them.

use crate::config::Config;

/// Shared, read-only state every handler may take as `web::Data<AppState>`.
pub struct AppState {
    /// The settings the server started with.
    pub config: Config,
}
