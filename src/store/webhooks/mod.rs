//! Webhook endpoints and the outbox of deliveries to them.
//!
//! [`enqueue`] runs inside the transaction that writes an audit event (see
//! [`crate::store::events::insert`]), so a committed change always has its deliveries and a
//! rolled-back one never does. Workers [`claim`] due deliveries with `FOR UPDATE SKIP
//! LOCKED`, which is safe with any number of instances, and [`record`] each attempt.
//!
//! [`endpoints`] holds the endpoints, [`outbox`] the deliveries and their attempts; both are
//! re-exported here.

mod endpoints;
mod outbox;

pub use endpoints::*;
pub use outbox::*;
