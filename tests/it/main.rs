//! The one integration test binary: every test talks to a real server and a real Postgres
//! database of its own.

mod auth;
mod authz;
mod demo_and_seed;
mod health;
mod helpers;
mod lifecycle;
mod schema;
