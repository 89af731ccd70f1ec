//! One account's sessions for the account page: newest first, keyset paged over
//! `(created_at, id)` on the `sessions_account_created_idx` index.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::{DeclineReason, Outcome};
use crate::domain::status::SessionStatus;
use crate::schema::sessions;
use crate::store::paging::{self, Page, PageAt, overfetch};

/// The columns the account page shows of a session.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct AccountSession {
    /// Primary key.
    pub id: Uuid,
    /// Lifecycle status.
    pub status: SessionStatus,
    /// `person.name.first`
    pub first_name: Option<String>,
    /// `person.name.middle`
    pub middle_name: Option<String>,
    /// `person.name.last`
    pub last_name: Option<String>,
    /// `approved` or `declined`.
    pub decision: Option<Outcome>,
    /// The decline reason code.
    pub decision_reason: Option<DeclineReason>,
    /// Creation time, the sort key.
    pub created_at: DateTime<Utc>,
    /// When its personal data was redacted.
    pub redacted_at: Option<DateTime<Utc>>,
}

/// Where a page starts: a session of the account, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The newest sessions.
    Newest,
    /// Sessions created before this one (the next page).
    Before(Uuid),
    /// Sessions created after this one (the previous page).
    After(Uuid),
}

/// One page of an account's sessions, newest first.
#[derive(Debug, Clone)]
pub struct SessionsPage {
    /// The sessions, newest first.
    pub sessions: Vec<AccountSession>,
    /// More recent sessions exist.
    pub has_newer: bool,
    /// Older sessions exist.
    pub has_older: bool,
}

/// Sessions of `account_id` strictly newer (`newer`) or older than the position `at`.
fn beyond(
    account_id: Uuid,
    at: paging::Cursor,
    newer: bool,
) -> sessions::BoxedQuery<'static, diesel::pg::Pg> {
    let (t, id) = (at.created_at, at.id);
    let query = sessions::table
        .filter(sessions::account_id.eq(account_id))
        .into_boxed();
    if newer {
        query.filter(
            sessions::created_at
                .gt(t)
                .or(sessions::created_at.eq(t).and(sessions::id.gt(id))),
        )
    } else {
        query.filter(
            sessions::created_at
                .lt(t)
                .or(sessions::created_at.eq(t).and(sessions::id.lt(id))),
        )
    }
}

/// A page of at most `size` sessions of the account. `None` when the cursor is not a
/// session of this account.
pub fn page(
    conn: &mut PgConnection,
    account_id: Uuid,
    cursor: Cursor,
    size: i64,
) -> QueryResult<Option<SessionsPage>> {
    let size = size.max(1);
    // The list runs newest first, so the sessions created before a cursor's come after it.
    let at = match cursor {
        Cursor::Newest => PageAt::First,
        Cursor::Before(id) | Cursor::After(id) => {
            let found: Option<DateTime<Utc>> = sessions::table
                .find(id)
                .filter(sessions::account_id.eq(account_id))
                .select(sessions::created_at)
                .first(conn)
                .optional()?;
            let Some(created_at) = found else {
                return Ok(None);
            };
            let c = paging::Cursor { created_at, id };
            match cursor {
                Cursor::Before(_) => PageAt::After(c),
                _ => PageAt::Before(c),
            }
        }
    };
    let newest_first = (sessions::created_at.desc(), sessions::id.desc());
    let oldest_first = (sessions::created_at.asc(), sessions::id.asc());
    let query = match at {
        PageAt::After(c) => beyond(account_id, c, false).order(newest_first),
        PageAt::Before(c) => beyond(account_id, c, true).order(oldest_first),
        PageAt::First => sessions::table
            .filter(sessions::account_id.eq(account_id))
            .into_boxed()
            .order(newest_first),
    };
    let rows: Vec<AccountSession> = query
        .limit(overfetch(size))
        .select(AccountSession::as_select())
        .load(conn)?;
    // A cursor is a session of this account, so the page it came from is not empty.
    let page = Page::read_at(rows, size, at);
    Ok(Some(SessionsPage {
        has_newer: page.has_previous(at),
        has_older: page.has_next(at),
        sessions: page.rows,
    }))
}

/// How many sessions the account has (an account holds a handful, so this stays cheap).
pub fn count(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::account_id.eq(account_id))
        .count()
        .get_result(conn)
}
