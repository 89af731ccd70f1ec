//! The one integration test binary: every test talks to a real server and a real Postgres
//! database of its own.

mod accounts;
mod api_authz;
mod api_documents;
mod api_errors;
mod api_idempotency;
mod api_keys;
mod api_openapi;
mod api_read_scope;
mod api_sessions;
mod api_totals;
mod api_verifications;
mod api_walkthrough;
mod audit;
mod auth;
mod authz;
mod browser;
mod case;
mod demo_and_seed;
mod format_chars;
mod health;
mod helpers;
mod input_ranges;
mod lifecycle;
mod limits;
mod operations;
mod queue;
mod queue_search;
mod queues;
mod redaction;
mod schema;
