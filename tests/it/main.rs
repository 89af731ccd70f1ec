//! The one integration test binary: every test talks to a real server and a real Postgres
//! database of its own.

// Test code may stop at the first surprise (a panic is how a test fails), and a scenario
// may read best as one long function.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod accounts;
mod admin_webhooks;
mod api_authz;
mod api_documents;
mod api_errors;
mod api_friendly;
mod api_idempotency;
mod api_keys;
mod api_list_memory;
mod api_openapi;
mod api_photo;
mod api_read_scope;
mod api_sessions;
mod api_totals;
mod api_verifications;
mod api_walkthrough;
mod api_webhooks;
mod audit;
mod auth;
mod authz;
mod browser;
mod bulk;
mod capture;
mod case;
mod case_timeline;
mod claims;
mod decide;
mod demo_and_seed;
mod documents_view;
mod export;
mod format_chars;
mod four_eyes;
mod health;
mod helpers;
mod input_ranges;
mod instances;
mod layers;
mod lifecycle;
mod limits;
mod manager_privacy;
mod mfa;
mod mrz_corpus;
mod not_found;
mod operations;
mod passwords;
mod queue;
mod queue_pages;
mod queue_search;
mod queue_triage;
mod queues;
mod read_audit;
mod redaction;
mod review_reason;
mod schema;
mod session_cookie;
mod sla;
mod throttle;
mod views;
mod webhooks;
