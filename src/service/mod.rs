//! Use cases: one function each, one transaction each, shared by the dashboard and the API.
//!
//! A name ending in `_in` (`apply_in`, `redact_in`, `settle_in`, ...) runs inside the
//! caller's transaction instead of opening its own, so that a larger use case can compose it.

pub mod accounts;
pub mod api_keys;
pub mod approvals;
pub mod auth;
pub mod bulk;
pub mod capture;
pub mod casework;
pub mod completion;
pub mod devices;
pub mod documents;
pub mod expiry;
pub mod idempotency;
pub mod mfa;
pub mod overrides;
pub mod passwords;
pub mod pdf_preview;
pub mod person;
pub mod reads;
pub mod redaction;
pub mod sessions;
pub mod sla;
pub mod transitions;
pub mod users;
pub mod verifications;
pub mod views;
pub mod webhooks;
