//! The API's account list: newest first, keyset-paged over `(created_at, id)` on
//! `accounts_created_idx`, with the opaque cursors of [`crate::store::paging`].

use diesel::prelude::*;

use crate::schema::accounts;
use crate::store::accounts::Account;
use crate::store::paging::{Page, PageAt, newest_first_at, overfetch};

/// One page of at most `limit` accounts, newest first, and whether there is more in the
/// direction it was read.
pub fn page(conn: &mut PgConnection, at: PageAt, limit: i64) -> QueryResult<Page<Account>> {
    let query = accounts::table.select(Account::as_select()).into_boxed();
    let query = newest_first_at!(query, at, accounts);
    let rows = query.limit(overfetch(limit)).load(conn)?;
    Ok(Page::read_at(rows, limit, at))
}

/// How many accounts exist, for `page[total]=true`: exact up to `cap`, and `cap + 1` when
/// there are more, so that no count reads more than `cap + 1` rows.
pub fn count(conn: &mut PgConnection, cap: i64) -> QueryResult<i64> {
    let ids: Vec<uuid::Uuid> = accounts::table
        .select(accounts::id)
        .limit(cap + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}
