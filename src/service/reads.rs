//! Reads of personal data and refused API calls, made accountable (ASVS 16.3) without
//! flooding the audit log: a case page viewed is a `session.viewed` event at most once per
//! user and session in [`VIEW_INTERVAL_MINUTES`]; the sessions an API key reads (directly,
//! or through their documents, verifications and devices) are counted per key and day (in memory first, [`ReadTally`]); a request with an unknown key (per client address) or without the
//! permission it needs (per key and permission) is an event at most once a minute. The
//! once-per-interval rule is one store function, [`events::insert_unless_recent`], shared
//! with `api_key.revoked_key_used`.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::app::read_tally::ReadTally;
use crate::domain::actor::Actor;
use crate::domain::kinds::Permission;
use crate::error::AppError;
use crate::store::claims;
use crate::store::documents::FileMeta;
use crate::store::events::{self, NewEvent};

/// A user's repeated views of one case page within this many minutes are one event.
pub const VIEW_INTERVAL_MINUTES: i64 = 10;

/// Refused API calls of one kind are recorded at most once per this many seconds.
pub const REFUSAL_INTERVAL_SECS: i64 = 60;

/// The longest client address stored (the events table's limit).
const MAX_IP: usize = 45;

/// The event that `user` opened the case page of `session`, and the time after which an
/// earlier one makes it unnecessary: what [`case_viewed`] records, for the case page to
/// ask whether it is already there while it reads the case.
pub fn case_view(user: Uuid, session: Uuid) -> (NewEvent, DateTime<Utc>) {
    let event = NewEvent::new(Actor::User(user), "session.viewed", Some(session));
    (event, Utc::now() - Duration::minutes(VIEW_INTERVAL_MINUTES))
}

/// Records that `user` opened the case page of `session` (unless they did within the
/// interval: `recorded`, asked with [`case_view`]'s event), and keeps their claim on it
/// alive when they hold it. The event names ids only, never what the page showed.
pub fn case_viewed(
    conn: &mut PgConnection,
    user: Uuid,
    session: &crate::store::sessions::Session,
    recorded: bool,
) -> Result<(), AppError> {
    let (event, since) = case_view(user, session.id);
    let now = Utc::now();
    // A page reloaded within the interval found its event: nothing written.
    if !recorded {
        without_waiting_for_the_disk(conn, |conn| {
            events::insert_unless_recent_after_checking(conn, &event, since)?;
            Ok(())
        })?;
    }
    // The holder opening their case keeps their claim alive: a write at most once a
    // minute, and no statement at all when the session just read says there is none due.
    if claims::wants_refresh(session.assigned_to, session.claimed_at, user, now) {
        claims::refresh(conn, session.id, user, now)?;
    }
    Ok(())
}

/// Runs `f` in a transaction whose commit does not wait for the write-ahead log to reach
/// the disk (`synchronous_commit = off`): for the records every read makes (a case
/// viewed, the sessions an API key read), which would otherwise cost each page view a
/// disk flush. Postgres stays consistent either way; only if the database server itself
/// crashes may the last fraction of a second of such records be lost. Decisions, edits
/// and every other change still commit durably.
fn without_waiting_for_the_disk(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<(), AppError>,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SET LOCAL synchronous_commit = off")?;
        f(conn)
    })
}

/// Records that `user` viewed a file of `document` in `session` (the image, the rendered
/// PDF or its download), once per user and document in [`VIEW_INTERVAL_MINUTES`], so that
/// reloading a case page does not bury its decisions in the timeline.
pub fn document_viewed(
    conn: &mut PgConnection,
    user: Uuid,
    session: Uuid,
    file: &FileMeta,
) -> Result<(), AppError> {
    let event = NewEvent::new(Actor::User(user), "document.viewed", Some(session))
        .details(json!({ "document_id": file.document_id, "file_id": file.id, "side": file.side }));
    let since = Utc::now() - Duration::minutes(VIEW_INTERVAL_MINUTES);
    let part = json!({ "document_id": file.document_id });
    events::insert_unless_recent_matching(conn, &event, since, &part)?;
    Ok(())
}

/// Counts `sessions` sessions as read by API key `key` today: in memory, written to
/// `api_key_reads` within [`crate::config::Config::read_count_flush`] (see
/// [`ReadTally`]). Called once the response is sure, so a failed request counts nothing.
pub fn api_sessions_read(tally: &ReadTally, key: Uuid, sessions: usize) {
    tally.add(key, sessions);
}

/// Counts the sessions whose data a response of documents, verifications or devices
/// carries, each once however many of its resources the response holds.
pub fn api_session_data_read(
    tally: &ReadTally,
    key: Uuid,
    sessions: impl IntoIterator<Item = Uuid>,
) {
    let distinct: std::collections::BTreeSet<Uuid> = sessions.into_iter().collect();
    api_sessions_read(tally, key, distinct.len());
}

fn address(client_ip: &str) -> Option<String> {
    Some(client_ip.chars().take(MAX_IP).collect())
}

/// Records a request refused because API key `key` lacks `permission`: a warning in the
/// log each time, an `api_key.forbidden` event at most once a minute per key and permission.
pub fn api_forbidden(
    conn: &mut PgConnection,
    key: Uuid,
    permission: Permission,
    client_ip: &str,
) -> Result<(), AppError> {
    tracing::warn!(api_key_id = %key, permission = permission.as_str(), client_ip, "API request refused: the key lacks a permission");
    let mut event = NewEvent::new(Actor::ApiKey(key), "api_key.forbidden", None)
        .details(json!({ "api_key_id": key, "permission": permission.as_str() }));
    event.ip = address(client_ip);
    let since = Utc::now() - Duration::seconds(REFUSAL_INTERVAL_SECS);
    events::insert_unless_recent(conn, &event, since, false)?;
    Ok(())
}

/// Records a request refused because its key is no key of ours: a warning in the log each
/// time, an `api_key.unknown` event at most once a minute per client address. Nothing of
/// the presented secret is kept.
pub fn api_key_unknown(conn: &mut PgConnection, client_ip: &str) -> Result<(), AppError> {
    tracing::warn!(client_ip, "API request refused: unknown API key");
    let mut event = NewEvent::new(Actor::System, "api_key.unknown", None);
    event.ip = address(client_ip);
    let since = Utc::now() - Duration::seconds(REFUSAL_INTERVAL_SECS);
    events::insert_unless_recent(conn, &event, since, true)?;
    Ok(())
}
