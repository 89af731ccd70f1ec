//! Service-level breaches: the background job's part. Each case that waits past its due
//! time is reported once per wait, with a `session.sla_breached` event (and so a webhook to
//! endpoints that subscribe to it), in bounded batches.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::domain::actor::Actor;
use crate::domain::sla::Targets;
use crate::error::AppError;
use crate::store::events::{self, NewEvent};
use crate::store::sessions;

/// Reports up to `batch` breaches per waiting status as of `now`, in one transaction, and
/// returns how many.
pub fn record_breaches(
    conn: &mut PgConnection,
    targets: &Targets,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<usize, AppError> {
    conn.transaction(|conn| {
        let mut total = 0;
        for status in Targets::STATUSES {
            let Some(target) = targets.of(status) else {
                continue;
            };
            for (id, since) in sessions::mark_breached(conn, status, now - target, now, batch)? {
                let event =
                    NewEvent::new(Actor::System, "session.sla_breached", Some(id)).details(json!({
                        "status": status.as_str(),
                        "waiting_since": since.to_rfc3339_opts(SecondsFormat::Secs, true),
                        "due_at": (since + target).to_rfc3339_opts(SecondsFormat::Secs, true),
                        "target_hours": target.num_hours(),
                    }));
                events::insert(conn, &event)?;
                total += 1;
            }
        }
        Ok(total)
    })
}
