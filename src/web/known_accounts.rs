//! The queue's rows named by their accounts' external ids from [`AppState::external_ids`],
//! reading from `accounts` only the ones not remembered.

use std::time::SystemTime;

use diesel::PgConnection;

use crate::app::AppState;
use crate::store::accounts;
use crate::store::queue::QueueRow;

/// Gives each row without an external id its account's, from the cache while fresh for a
/// reader whose own last write was at `wrote`, the rest in one statement.
pub fn name_accounts(
    state: &AppState,
    conn: &mut PgConnection,
    wrote: Option<SystemTime>,
    rows: &mut [QueueRow],
) -> diesel::QueryResult<()> {
    let cache = &state.external_ids;
    let mut missing = Vec::new();
    for row in rows.iter_mut().filter(|r| r.external_id.is_none()) {
        match cache.get(row.account_id, wrote) {
            Some(known) => row.external_id = known,
            None => missing.push(row.account_id),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    missing.sort_unstable();
    missing.dedup();
    let stamp = cache.stamp();
    let read = accounts::external_ids(conn, &missing)?;
    for row in rows.iter_mut().filter(|r| r.external_id.is_none()) {
        if let Some((_, known)) = read.iter().find(|(id, _)| *id == row.account_id) {
            row.external_id.clone_from(known);
        }
    }
    cache.put(stamp, &read);
    Ok(())
}
