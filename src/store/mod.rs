//! Diesel queries, one module per table. Functions take `&mut PgConnection` first and return
//! `QueryResult`; transactions belong to the services that call them.

pub mod account_sessions;
pub mod accounts;
pub mod audit;
pub mod devices;
pub mod documents;
pub mod events;
pub mod login_attempts;
pub mod notes;
pub mod queue;
pub mod sessions;
pub mod stats;
pub mod users;
pub mod verifications;
