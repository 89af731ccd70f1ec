//! Expires sessions left open past `expires_at` (SPEC section 1), a bounded batch at a time.

use chrono::Utc;
use diesel::prelude::*;

use crate::domain::actor::Actor;
use crate::domain::status::Action;
use crate::error::AppError;
use crate::service::transitions::{self, Request};
use crate::store::sessions;

/// Expires up to `batch` overdue sessions in one transaction, one event each, and returns
/// how many. Rows another instance is already expiring are skipped, not waited for.
pub fn expire_batch(conn: &mut PgConnection, batch: i64) -> Result<usize, AppError> {
    let open = Action::Expire.allowed_from();
    conn.transaction(|conn| {
        let ids = sessions::lock_overdue(conn, &open, Utc::now(), batch)?;
        for id in &ids {
            transitions::apply_in(conn, *id, &Request::new(Action::Expire, Actor::System))?;
        }
        Ok(ids.len())
    })
}
