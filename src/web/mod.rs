//! The HTML dashboard face, and the probes operators point their load balancer at.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod chart;
pub mod csrf;
pub mod error;
pub mod events;
pub mod format;
pub mod login;
pub mod mfa;
pub mod page;
pub mod queues;
pub mod session;
pub mod sessions;
