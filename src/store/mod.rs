//! Diesel queries, one module per table. Functions take `&mut PgConnection` first and return
//! `QueryResult`; transactions belong to the services that call them.

pub mod accounts;
pub mod devices;
pub mod documents;
pub mod events;
pub mod login_attempts;
pub mod notes;
pub mod sessions;
pub mod users;
pub mod verifications;
