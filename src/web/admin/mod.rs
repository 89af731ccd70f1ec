//! Admin pages: users, API keys and webhook endpoints.

pub mod api_keys;
pub mod mfa;
pub mod users;
pub mod webhooks;
