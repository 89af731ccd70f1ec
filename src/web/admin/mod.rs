//! Admin pages: users and API keys.

pub mod api_keys;
pub mod mfa;
pub mod users;
