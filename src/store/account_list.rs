//! The API's account list: newest first, keyset-paged over `(created_at, id)` on
//! `accounts_created_idx`, with the opaque cursors of [`crate::store::paging`].

use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};

use crate::schema::accounts;
use crate::store::accounts::Account;
use crate::store::paging::{Cursor, Page, PageAt, overfetch};

/// One page of at most `limit` accounts, newest first, and whether there is more in the
/// direction it was read.
pub fn page(conn: &mut PgConnection, at: PageAt, limit: i64) -> QueryResult<Page<Account>> {
    let mut query = accounts::table.select(Account::as_select()).into_boxed();
    // A row comparison, so that Postgres walks the `(created_at, id)` index from the cursor.
    let beyond = |op: &str, c: Cursor| {
        diesel::dsl::sql::<Bool>(&format!("(accounts.created_at, accounts.id) {op} ("))
            .bind::<Timestamptz, _>(c.created_at)
            .sql(", ")
            .bind::<SqlUuid, _>(c.id)
            .sql(")")
    };
    match at {
        PageAt::First => {
            query = query.order((accounts::created_at.desc(), accounts::id.desc()));
        }
        PageAt::After(c) => {
            query = query
                .filter(beyond("<", c))
                .order((accounts::created_at.desc(), accounts::id.desc()));
        }
        PageAt::Before(c) => {
            query = query
                .filter(beyond(">", c))
                .order((accounts::created_at.asc(), accounts::id.asc()));
        }
    }
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
