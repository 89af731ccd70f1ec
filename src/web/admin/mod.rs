//! Admin pages: users (and, later, API keys).

pub mod users;
