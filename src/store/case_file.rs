//! Everything stored about one session that its case page shows, read in one statement.
//!
//! The case page used to ask eleven to fourteen small questions (the session, its account,
//! documents, files, verifications, checks, device, notes, a page of events, the newest
//! capture link, pending approvals), each a round trip whose protocol, snapshot and
//! wake-ups cost Postgres and the server more than the answer: under load, the page spent
//! 0.29 ms of Postgres time per view on 0.06 ms of execution. Here each of those questions
//! is a subquery of one `SELECT`, answered as JSON (`row_to_json` of the table's own rows,
//! so every column is there under its own name) and read back into the same structs the
//! single-table functions load. Each subquery keeps its function's order and limits;
//! `tests/it/demo_and_seed.rs` compares the two for every demo session.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::accounts::Account;
use super::approvals::{ApprovalRequest, Listed};
use super::capture_links::CaptureLink;
use super::devices::Device;
use super::documents::{Document, FileMeta};
use super::events::{Event, NewEvent, TimelineCursor};
use super::notes::Note;
use super::paging::{Page, overfetch};
use super::sessions::Session;
use super::sql::{Bind, Sql};
use super::verifications::{Check, Verification};
use crate::domain::approvals::ApprovalStatus;

/// What [`load`] read: the rows of each table, in the order their own functions give.
#[derive(Debug)]
pub struct CaseFile {
    /// The session ([`super::sessions::find`]).
    pub session: Session,
    /// Its account ([`super::accounts::find`]; a session's account always exists).
    pub account: Account,
    /// Its documents, oldest first ([`super::documents::for_session`]).
    pub documents: Vec<Document>,
    /// Their files without bytes, oldest first ([`super::documents::files_for`]).
    pub files: Vec<FileMeta>,
    /// Its verifications, newest first ([`super::verifications::for_session`]).
    pub verifications: Vec<Verification>,
    /// Their checks in order ([`super::verifications::checks_for`]).
    pub checks: Vec<Check>,
    /// Its latest device ([`super::devices::for_session`]).
    pub device: Option<Device>,
    /// Its notes, newest first ([`super::notes::for_session`]).
    pub notes: Vec<Note>,
    /// A page of its events ([`super::events::timeline_page`]).
    pub events: Page<Event>,
    /// Its newest capture link ([`super::capture_links::latest_for_session`]).
    pub capture_link: Option<CaptureLink>,
    /// Its pending approval requests ([`super::approvals::pending`]).
    pub pending: Vec<Listed>,
    /// [`CaseQuery::recorded`]'s event was written after its time
    /// ([`super::events::happened_since`]); false when not asked.
    pub recorded: bool,
}

/// What [`load`] reads of a session.
pub struct CaseQuery<'a> {
    /// The session.
    pub id: Uuid,
    /// The timeline's page: events older than this (the newest when `None`)...
    pub before: Option<TimelineCursor>,
    /// ...leaving out these actions...
    pub except: &'a [&'a str],
    /// ...at most this many.
    pub size: i64,
    /// Pending requests are those not lapsed at this time.
    pub now: DateTime<Utc>,
    /// Whether this event (its action, actor, session and details) was written after this
    /// time: the case page's view, recorded at most once an interval.
    pub recorded: Option<(&'a NewEvent, DateTime<Utc>)>,
}

/// The statement's one row: each column a JSON text, NULL when there is nothing.
#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Nullable<Text>)]
    session: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    account: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    documents: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    files: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    verifications: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    checks: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    device: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    events: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    capture_link: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pending: Option<String>,
    #[diesel(sql_type = Bool)]
    recorded: bool,
}

/// A pending request as the statement writes it: the row and its requester's name.
#[derive(serde::Deserialize)]
struct PendingRow {
    request: ApprovalRequest,
    requester: String,
}

/// Reads the case file `query` asks for; `None` when there is no such session.
pub fn load(conn: &mut PgConnection, query: &CaseQuery<'_>) -> QueryResult<Option<CaseFile>> {
    let CaseQuery {
        id,
        before,
        except,
        size,
        now,
        recorded,
    } = *query;
    let mut q = Sql::default();
    let of_session = |q: &mut Sql, sql: &str| {
        q.push(sql);
        q.bind(Bind::Uuid(id));
    };
    of_session(
        &mut q,
        "SELECT (SELECT row_to_json(s)::text FROM sessions s WHERE s.id = ",
    );
    of_session(
        &mut q,
        ") AS session, (SELECT row_to_json(a)::text FROM accounts a \
         WHERE a.id = (SELECT s.account_id FROM sessions s WHERE s.id = ",
    );
    of_session(
        &mut q,
        ")) AS account, (SELECT json_agg(d ORDER BY d.created_at, d.id)::text \
         FROM documents d WHERE d.session_id = ",
    );
    // The files' bytes stay where they are: their metadata only, as `FileMeta` selects.
    of_session(
        &mut q,
        ") AS documents, (SELECT json_agg(f ORDER BY f.created_at, f.id)::text FROM \
         (SELECT f.id, f.document_id, f.side, f.filename, f.content_type, f.byte_size, \
         f.sha256, f.created_at FROM document_files f JOIN documents d ON d.id = f.document_id \
         WHERE d.session_id = ",
    );
    of_session(
        &mut q,
        ") f) AS files, (SELECT json_agg(v ORDER BY v.created_at DESC, v.id DESC)::text \
         FROM verifications v WHERE v.session_id = ",
    );
    of_session(
        &mut q,
        ") AS verifications, (SELECT json_agg(c ORDER BY c.verification_id, c.position)::text \
         FROM verification_checks c JOIN verifications v ON v.id = c.verification_id \
         WHERE v.session_id = ",
    );
    of_session(
        &mut q,
        ") AS checks, (SELECT row_to_json(x)::text FROM (SELECT * FROM session_devices \
         WHERE session_id = ",
    );
    of_session(
        &mut q,
        " ORDER BY created_at DESC, id DESC LIMIT 1) x) AS device, \
         (SELECT json_agg(n ORDER BY n.created_at DESC, n.id DESC)::text FROM notes n \
         WHERE n.session_id = ",
    );
    of_session(
        &mut q,
        ") AS notes, (SELECT json_agg(e ORDER BY e.created_at DESC, e.id DESC)::text FROM \
         (SELECT * FROM events WHERE session_id = ",
    );
    for action in except {
        q.push(" AND action <> ");
        q.bind(Bind::Text((*action).to_owned()));
    }
    if let Some(c) = before {
        q.push(" AND (created_at, id) < (");
        q.bind(Bind::Time(c.created_at));
        q.push(", ");
        q.bind(Bind::Int(c.id));
        q.push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ");
    q.int(overfetch(size));
    of_session(
        &mut q,
        ") e) AS events, (SELECT row_to_json(x)::text FROM (SELECT * FROM capture_links \
         WHERE session_id = ",
    );
    of_session(
        &mut q,
        " ORDER BY created_at DESC, id DESC LIMIT 1) x) AS capture_link, \
         (SELECT json_agg(x ORDER BY x.created_at)::text FROM (SELECT r AS request, \
         u.display_name AS requester, r.created_at FROM approval_requests r \
         JOIN users u ON u.id = r.requested_by WHERE r.session_id = ",
    );
    q.push(" AND r.status = ");
    q.bind(Bind::Text(ApprovalStatus::Pending.as_str().to_owned()));
    q.push(" AND r.expires_at > ");
    q.bind(Bind::Time(now));
    q.push(" ORDER BY r.created_at LIMIT 500) x) AS pending, ");
    match recorded {
        // The conditions of `events::happened_since` (all of the details, any address).
        Some((event, since)) => {
            q.push("EXISTS (SELECT 1 FROM events WHERE action = ");
            q.bind(Bind::Text(event.action.clone()));
            q.push(" AND created_at > ");
            q.bind(Bind::Time(since));
            q.push(" AND details = ");
            q.bind(Bind::Json(event.details.clone()));
            match event.actor_id {
                Some(actor) => {
                    q.push(" AND actor_id = ");
                    q.bind(Bind::Uuid(actor));
                }
                None => q.push(" AND actor_id IS NULL"),
            }
            match event.session_id {
                Some(session) => {
                    q.push(" AND session_id = ");
                    q.bind(Bind::Uuid(session));
                }
                None => q.push(" AND session_id IS NULL"),
            }
            q.push(") AS recorded");
        }
        None => q.push("FALSE AS recorded"),
    }
    let row: Row = q.query().get_result(conn)?;
    let Some(session) = row.session else {
        return Ok(None);
    };
    let events: Vec<Event> = list(row.events)?;
    let pending: Vec<PendingRow> = list(row.pending)?;
    Ok(Some(CaseFile {
        session: parse(&session)?,
        account: parse(row.account.as_deref().ok_or_else(|| {
            diesel::result::Error::DeserializationError("a session without its account".into())
        })?)?,
        documents: list(row.documents)?,
        files: list(row.files)?,
        verifications: list(row.verifications)?,
        checks: list(row.checks)?,
        device: row.device.as_deref().map(parse).transpose()?,
        notes: list(row.notes)?,
        events: Page::from_overfetch(events, size),
        capture_link: row.capture_link.as_deref().map(parse).transpose()?,
        pending: pending
            .into_iter()
            .map(|p| Listed {
                request: p.request,
                requester: p.requester,
            })
            .collect(),
        recorded: row.recorded,
    }))
}

/// One row's JSON as its struct; a mismatch is a deserialization error, as Diesel's own
/// would be.
fn parse<T: DeserializeOwned>(json: &str) -> QueryResult<T> {
    serde_json::from_str(json).map_err(|e| diesel::result::Error::DeserializationError(e.into()))
}

/// A `json_agg`'s array, or nothing when it aggregated no row (NULL).
fn list<T: DeserializeOwned>(json: Option<String>) -> QueryResult<Vec<T>> {
    match json {
        Some(j) => parse(&j),
        None => Ok(Vec::new()),
    }
}

/// A `bytea` as `row_to_json` writes it (`"\\x0a1b..."`, Postgres's hex output) into its
/// bytes.
pub(crate) fn bytea<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    use serde::de::Error;
    let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    let hex = s
        .strip_prefix("\\x")
        .ok_or_else(|| D::Error::custom("bytea without its \\x prefix"))?;
    if hex.len() % 2 != 0 {
        return Err(D::Error::custom("bytea of an odd number of hex digits"));
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| D::Error::custom("bytea with a character that is not hex"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "bytea")]
        b: Vec<u8>,
    }

    #[test]
    fn bytea_reads_postgres_hex_output_and_refuses_anything_else() {
        let h: Holder = serde_json::from_str(r#"{"b":"\\x00ff10"}"#).unwrap();
        assert_eq!(h.b, vec![0, 255, 16]);
        let empty: Holder = serde_json::from_str(r#"{"b":"\\x"}"#).unwrap();
        assert!(empty.b.is_empty());
        for bad in [r#"{"b":"00ff"}"#, r#"{"b":"\\x0"}"#, r#"{"b":"\\xzz"}"#] {
            assert!(serde_json::from_str::<Holder>(bad).is_err(), "{bad}");
        }
    }
}
