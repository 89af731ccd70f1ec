//! The HTML dashboard face, and the probes operators point their load balancer at.

pub mod headers;
pub mod health;
