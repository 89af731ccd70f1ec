//! Webhook endpoints and deliveries: one set of rules for the admin page and the API.
//! Registering, changing, rotating and removing an endpoint; sending a test event;
//! redelivering one delivery or replaying an outage; and recording what each attempt came
//! to, which is where a 410 or five days of failures disable an endpoint.
//!
//! [`endpoints`] holds the endpoint rules, [`deliveries`] what happens to deliveries; both are
//! re-exported here.

mod deliveries;
mod endpoints;

pub use deliveries::*;
pub use endpoints::*;
