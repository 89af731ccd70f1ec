//! Everything the case page shows, loaded in one trip to the database.

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppError;
use crate::store::accounts::{self, Account};
use crate::store::devices::{self, Device};
use crate::store::documents::{self, Document, FileMeta};
use crate::store::events::{self, Event, TimelineCursor};
use crate::store::notes::{self, Note};
use crate::store::sessions::{self, Session};
use crate::store::users;
use crate::store::verifications::{self, Check, Verification};

/// A session with everything around it.
pub struct Case {
    /// The session.
    pub session: Session,
    /// Its account.
    pub account: Account,
    /// Its documents, oldest first.
    pub documents: Vec<Document>,
    /// Their files, without bytes.
    pub files: Vec<FileMeta>,
    /// Its verifications, newest first.
    pub verifications: Vec<Verification>,
    /// Their checks, in order.
    pub checks: Vec<Check>,
    /// The device it was started from.
    pub device: Option<Device>,
    /// Reviewers' notes.
    pub notes: Vec<Note>,
    /// One page of the audit trail, newest first, without views ([`TIMELINE_HIDDEN`]):
    /// at most [`TIMELINE_PAGE`] events.
    pub events: Vec<Event>,
    /// Older events exist than the page shows.
    pub older_events: bool,
    /// Display names of every user the page mentions.
    pub user_names: HashMap<Uuid, String>,
    /// Active users a case can be assigned to: (id, display name).
    pub assignable: Vec<(Uuid, String)>,
    /// The newest applicant capture link, if one was issued.
    pub capture_link: Option<crate::store::capture_links::CaptureLink>,
    /// Redactions and declines waiting for a second person's approval.
    pub pending: Vec<crate::store::approvals::Listed>,
}

/// Events a case page's timeline shows at once.
pub const TIMELINE_PAGE: i64 = 200;

/// Actions the timeline leaves out: who looked at a case is the audit log's business
/// (linked from the page for admins), and a busy case would show nothing else.
pub const TIMELINE_HIDDEN: &[&str] = &["session.viewed"];

/// Loads a case, with the page of its timeline older than `events_before` (the newest when
/// `None`); `NotFound` when there is no such session.
pub fn load(
    conn: &mut PgConnection,
    id: Uuid,
    events_before: Option<TimelineCursor>,
    state: &AppState,
    wrote: Option<std::time::SystemTime>,
) -> Result<Case, AppError> {
    let session = sessions::find(conn, id)?.ok_or(AppError::NotFound("session"))?;
    let account = accounts::find(conn, session.account_id)?.ok_or(AppError::NotFound("account"))?;
    let documents = documents::for_session(conn, id)?;
    let doc_ids: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
    let files = documents::files_for(conn, &doc_ids)?;
    let verifications = verifications::for_session(conn, id)?;
    let ver_ids: Vec<Uuid> = verifications.iter().map(|v| v.id).collect();
    let checks = verifications::checks_for(conn, &ver_ids)?;
    let device = devices::for_session(conn, id)?;
    let notes = notes::for_session(conn, id)?;
    let timeline = events::timeline_page(conn, id, events_before, TIMELINE_HIDDEN, TIMELINE_PAGE)?;
    let mut wanted: Vec<Uuid> = notes.iter().map(|n| n.author_id).collect();
    wanted.extend(session.assigned_to);
    wanted.extend(session.decided_by);
    wanted.extend(session.redacted_by);
    let user_names: HashMap<Uuid, String> = users::display_names(conn, &wanted)?;
    let assignable = crate::web::known_users::assignable(state, conn, wrote)?;
    let capture_link = crate::store::capture_links::latest_for_session(conn, id)?;
    let pending = crate::store::approvals::pending(conn, Some(id), chrono::Utc::now())?;
    Ok(Case {
        session,
        account,
        documents,
        files,
        verifications,
        checks,
        device,
        notes,
        events: timeline.rows,
        older_events: timeline.more,
        user_names,
        assignable,
        capture_link,
        pending,
    })
}
