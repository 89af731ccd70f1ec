//! Diesel queries, one module per table. Functions take `&mut PgConnection` first and return
//! `QueryResult`; transactions belong to the services that call them.

pub mod account_list;
pub mod account_sessions;
pub mod accounts;
pub mod api_keys;
pub mod approvals;
pub mod audit;
pub mod bulk;
pub mod capture_links;
pub mod case_file;
pub mod claims;
pub mod devices;
pub mod documents;
pub mod events;
pub mod idempotency;
pub mod job_ticks;
pub mod login_attempts;
pub mod mfa;
pub mod notes;
pub mod paging;
pub mod queue;
pub mod redaction;
pub mod resubmissions;
pub mod saved_views;
pub mod session_links;
pub mod session_list;
pub mod sessions;
pub(crate) mod sql;
pub mod stats;
pub mod users;
pub mod verifications;
pub mod webhooks;
