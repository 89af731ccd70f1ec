//! Keyset paging, shared by every list: the position a page starts from (a row's
//! `(created_at, id)`, with its opaque URL form), which page is asked for, and the
//! one-row-beyond rule: a list asks for one row more than it shows ([`overfetch`]), and
//! that row's presence says another page lies in the direction it read ([`Page`]).
//!
//! No OFFSET anywhere: each page is an index range scan from its cursor, so it costs the
//! same at row 50 and at row 5,000,000.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store::sql::Sql;

/// A position in a list ordered by `(created_at, id)`: the keys of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The row's creation time.
    pub created_at: DateTime<Utc>,
    /// The row's id, breaking ties.
    pub id: Uuid,
}

impl Cursor {
    /// An opaque, URL-safe form.
    pub fn encode(&self) -> String {
        let raw = format!(
            "{}.{}",
            self.created_at.timestamp_micros(),
            self.id.simple()
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Reads an encoded cursor; `None` when it was not made by [`Cursor::encode`] — among
    /// others a forged one whose time lies outside 1900 to 9999, which Postgres could not
    /// compare with.
    pub fn decode(s: &str) -> Option<Cursor> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim())
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (micros, id) = raw.split_once('.')?;
        let created_at = DateTime::from_timestamp_micros(micros.parse().ok()?)
            .filter(|t| crate::domain::dates::time_in_range(*t))?;
        Some(Cursor {
            created_at,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

/// Which page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    /// The first.
    First,
    /// The rows that follow this one in the list's order.
    After(Cursor),
    /// The rows that precede this one.
    Before(Cursor),
}

impl PageAt {
    /// Whether the page is read against the list's order: the page before a cursor is read
    /// backwards from it, then turned around.
    pub fn backwards(self) -> bool {
        matches!(self, PageAt::Before(_))
    }
}

/// The sort direction and the cursor's comparison of a page's SQL, for a list in
/// `oldest_first` or newest-first order.
pub(crate) fn direction(at: PageAt, oldest_first: bool) -> (&'static str, &'static str) {
    if oldest_first != at.backwards() {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    }
}

/// Appends the keyset condition of a page after or before a cursor, with the comparison
/// [`direction`] chose.
pub(crate) fn keyset(sql: &mut Sql, at: PageAt, cmp: &str) {
    if let PageAt::After(c) | PageAt::Before(c) = at {
        sql.keyset(cmp, c.created_at, c.id);
    }
}

/// Orders a boxed Diesel query on `$table` newest first over `(created_at, id)` and, for a
/// page after or before a cursor, bounds it there with a row comparison, so that Postgres
/// walks the table's `(created_at, id)` index from the cursor. A page before a cursor is
/// read oldest first; [`Page::read_at`] turns it around.
macro_rules! newest_first_at {
    ($query:expr, $at:expr, $table:ident) => {{
        use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
        let beyond = |op: &str, c: $crate::store::paging::Cursor| {
            diesel::dsl::sql::<Bool>(&format!(
                concat!(
                    "(",
                    stringify!($table),
                    ".created_at, ",
                    stringify!($table),
                    ".id) {} ("
                ),
                op
            ))
            .bind::<Timestamptz, _>(c.created_at)
            .sql(", ")
            .bind::<SqlUuid, _>(c.id)
            .sql(")")
        };
        match $at {
            $crate::store::paging::PageAt::First => {
                $query.order(($table::created_at.desc(), $table::id.desc()))
            }
            $crate::store::paging::PageAt::After(c) => $query
                .filter(beyond("<", c))
                .order(($table::created_at.desc(), $table::id.desc())),
            $crate::store::paging::PageAt::Before(c) => $query
                .filter(beyond(">", c))
                .order(($table::created_at.asc(), $table::id.asc())),
        }
    }};
}
pub(crate) use newest_first_at;

/// How many rows to ask for to show `limit`: one more, whose presence says there is
/// another page beyond.
pub fn overfetch(limit: i64) -> i64 {
    limit + 1
}

/// One page of a list: at most its size of rows, and whether more lie beyond it in the
/// direction it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// The list goes on past the page's far end.
    pub more: bool,
}

impl<T> Page<T> {
    /// Cuts rows read in the direction of travel, asked for with [`overfetch`]`(limit)`,
    /// to `limit`; the row beyond, if any, is dropped and remembered as [`Page::more`].
    pub fn from_overfetch(mut rows: Vec<T>, limit: i64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let more = rows.len() > limit;
        rows.truncate(limit);
        Page { rows, more }
    }

    /// [`Page::from_overfetch`] for a page read at `at`, in the list's order: a page
    /// read backwards is turned around.
    pub fn read_at(rows: Vec<T>, limit: i64, at: PageAt) -> Self {
        let mut page = Page::from_overfetch(rows, limit);
        if at.backwards() {
            page.rows.reverse();
        }
        page
    }

    /// Whether a page precedes this one, read at `at`: a page read from a cursor has that
    /// cursor's row before it, and one read backwards knows from its row beyond.
    pub fn has_previous(&self, at: PageAt) -> bool {
        match at {
            PageAt::First => false,
            PageAt::After(_) => true,
            PageAt::Before(_) => self.more,
        }
    }

    /// Whether a page follows this one, read at `at`: a page read backwards has its
    /// cursor's row after it.
    pub fn has_next(&self, at: PageAt) -> bool {
        match at {
            PageAt::Before(_) => true,
            PageAt::First | PageAt::After(_) => self.more,
        }
    }

    /// The row the previous page is read before, when there is one.
    pub fn previous(&self, at: PageAt) -> Option<&T> {
        self.rows.first().filter(|_| self.has_previous(at))
    }

    /// The row the next page is read after, when there is one.
    pub fn next(&self, at: PageAt) -> Option<&T> {
        self.rows.last().filter(|_| self.has_next(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(n: i64) -> Cursor {
        Cursor {
            created_at: DateTime::from_timestamp(n, 0).unwrap(),
            id: Uuid::nil(),
        }
    }

    #[test]
    fn the_row_beyond_is_cut_and_remembered() {
        assert_eq!(overfetch(50), 51);
        let full = Page::from_overfetch(vec![5, 4, 3], 2);
        assert_eq!((full.rows, full.more), (vec![5, 4], true));
        let last = Page::from_overfetch(vec![5, 4], 2);
        assert_eq!((last.rows, last.more), (vec![5, 4], false));
        let empty = Page::from_overfetch(Vec::<i32>::new(), 2);
        assert_eq!((empty.rows, empty.more), (vec![], false));
    }

    #[test]
    fn a_page_read_backwards_drops_its_farthest_row_and_turns_around() {
        // Read backwards from 3: 4, 5, then 6 beyond.
        let back = Page::read_at(vec![4, 5, 6], 2, PageAt::Before(c(3)));
        assert_eq!((back.rows.clone(), back.more), (vec![5, 4], true));
        assert_eq!(
            (
                back.previous(PageAt::Before(c(3))),
                back.next(PageAt::Before(c(3)))
            ),
            (Some(&5), Some(&4))
        );
    }

    #[test]
    fn pages_know_their_neighbours() {
        let first = Page::read_at(vec![5, 4, 3], 2, PageAt::First);
        assert_eq!(
            (first.previous(PageAt::First), first.next(PageAt::First)),
            (None, Some(&4))
        );
        let at = PageAt::After(c(4));
        let last = Page::read_at(vec![3], 2, at);
        assert_eq!((last.previous(at), last.next(at)), (Some(&3), None));
        let at = PageAt::Before(c(5));
        let top = Page::read_at(vec![6], 2, at);
        assert_eq!((top.previous(at), top.next(at)), (None, Some(&6)));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor {
            created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("not-a-cursor"), None);
        assert_eq!(Cursor::decode(""), None);
        let forged = |micros: i64| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!("{micros}.{}", Uuid::nil().simple()))
        };
        // -5000-01-01 and 12000-01-01: chrono reads them, Postgres would not.
        assert_eq!(Cursor::decode(&forged(-219_952_022_400_000_000)), None);
        assert_eq!(Cursor::decode(&forged(316_516_204_800_000_000)), None);
        assert_eq!(Cursor::decode(&forged(i64::MIN)), None);
    }
}
