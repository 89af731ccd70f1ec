//! Session Desk: a self-hosted identity-verification (KYC) case system.
//!
//! Data flows one way: `web` (HTML dashboard) and `api` (JSON) parse input and check
//! permissions, `service` runs one use case in one transaction, `store` holds the Diesel
//! queries, and `domain` holds the rules, free of I/O.

pub mod api;
pub mod app;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod ocr;
pub mod schema;
pub mod seed;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
