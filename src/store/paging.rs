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

#[cfg(test)]
mod tests {
    use super::*;

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
