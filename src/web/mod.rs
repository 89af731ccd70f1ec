//! The HTML dashboard face, and the probes operators point their load balancer at.

pub mod account;
pub mod admin;
pub mod auth;
pub mod csrf;
pub mod headers;
pub mod health;
pub mod login;
pub mod page;
pub mod session;
