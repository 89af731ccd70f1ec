//! The one integration test binary: every test talks to a real server and a real Postgres
//! database of its own.

mod accounts;
mod audit;
mod auth;
mod authz;
mod case;
mod demo_and_seed;
mod health;
mod helpers;
mod lifecycle;
mod queue;
mod queues;
mod schema;
