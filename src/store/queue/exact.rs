//! Searches that name one thing exactly and are too short or too unlike a name for the
//! trigram and name-start paths: a full session id, its 8-character short id (as the case
//! page shows it), and a two-letter surname (Li, Wu, Ng), which no 3-letter trigram can
//! find. Each is one index lookup (the primary key, or the surname-key index).

use diesel::prelude::*;
use diesel::sql_types::Bool;
use uuid::Uuid;

use super::{Bind, Sql};

/// What an exact search names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exact {
    /// A whole session id.
    Id(Uuid),
    /// The ids from `first` to `last`: every id starting with the 8 hex digits searched.
    ShortId {
        /// The lowest id with that start.
        first: Uuid,
        /// The highest.
        last: Uuid,
    },
    /// A surname of two letters, matched whole (folded as names are).
    Surname(String),
}

/// How a search is matched exactly, if it is one of the exact kinds.
pub fn exact(search: &str) -> Option<Exact> {
    let s = search.trim();
    if let Ok(id) = Uuid::parse_str(s) {
        return Some(Exact::Id(id));
    }
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        let s = s.to_ascii_lowercase();
        let first = Uuid::parse_str(&format!("{s}-0000-0000-0000-000000000000")).ok()?;
        let last = Uuid::parse_str(&format!("{s}-ffff-ffff-ffff-ffffffffffff")).ok()?;
        return Some(Exact::ShortId { first, last });
    }
    if s.chars().count() == 2 && s.chars().all(char::is_alphabetic) {
        return Some(Exact::Surname(s.to_owned()));
    }
    None
}

/// Appends the exact match's ` AND ...`.
pub(super) fn condition(sql: &mut Sql, e: &Exact) {
    match e {
        Exact::Id(id) => {
            sql.push(" AND id = ");
            sql.bind(Bind::Uuid(*id));
        }
        Exact::ShortId { first, last } => {
            sql.push(" AND id >= ");
            sql.bind(Bind::Uuid(*first));
            sql.push(" AND id <= ");
            sql.bind(Bind::Uuid(*last));
        }
        Exact::Surname(name) => {
            // As written in the surname-key index of migration `name_prefix_indexes`.
            sql.push(" AND sd_fold(last_name) COLLATE \"C\" = sd_fold(");
            sql.bind(Bind::Text(name.clone()));
            sql.push(")");
        }
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Whether `search` is matched exactly. Eight hex digits may also be part of a name, an
/// email or an external id: they are a short id only when some session's id starts so
/// (one primary-key probe, whatever the filters, so paging never changes the answer).
pub(super) fn applies(conn: &mut PgConnection, search: &str) -> QueryResult<bool> {
    match exact(search) {
        None => Ok(false),
        Some(Exact::ShortId { first, last }) => {
            let mut sql = Sql::default();
            sql.push("SELECT EXISTS (SELECT 1 FROM sessions WHERE TRUE");
            condition(&mut sql, &Exact::ShortId { first, last });
            sql.push(") AS found");
            Ok(sql.query().get_result::<Exists>(conn)?.found)
        }
        Some(_) => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_short_ids_and_two_letter_surnames_are_exact() {
        let id = Uuid::new_v4();
        assert_eq!(exact(&id.to_string()), Some(Exact::Id(id)));
        assert_eq!(exact(&format!(" {} ", id.simple())), Some(Exact::Id(id)));
        let short = &id.simple().to_string()[..8];
        match exact(short) {
            Some(Exact::ShortId { first, last }) => assert!(first <= id && id <= last),
            other => panic!("{other:?}"),
        }
        assert_eq!(exact("Li"), Some(Exact::Surname("Li".into())));
        assert_eq!(exact("Lin"), None);
        assert_eq!(exact("a1"), None);
        assert_eq!(exact("abcdefg"), None);
    }
}
