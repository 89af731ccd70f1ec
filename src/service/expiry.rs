//! Expires sessions left open past `expires_at` (SPEC section 1), a bounded batch at a time.

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::status::Action;
use crate::error::AppError;
use crate::schema::sessions;
use crate::service::transitions::{self, Request};

/// Expires up to `batch` overdue sessions in one transaction, one event each, and returns
/// how many. Rows another instance is already expiring are skipped, not waited for.
pub fn expire_batch(conn: &mut PgConnection, batch: i64) -> Result<usize, AppError> {
    let open: Vec<&str> = Action::Expire
        .allowed_from()
        .iter()
        .map(|s| s.as_str())
        .collect();
    conn.transaction(|conn| {
        let ids: Vec<Uuid> = sessions::table
            .filter(sessions::status.eq_any(&open))
            .filter(sessions::expires_at.lt(Utc::now()))
            .filter(sessions::redacted_at.is_null())
            .order(sessions::expires_at.asc())
            .limit(batch)
            .select(sessions::id)
            .for_update()
            .skip_locked()
            .load(conn)?;
        for id in &ids {
            transitions::apply_in(conn, *id, &Request::new(Action::Expire, Actor::System))?;
        }
        Ok(ids.len())
    })
}
