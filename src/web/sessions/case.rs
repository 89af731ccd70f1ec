//! Everything the case page shows, loaded in one statement (see [`case_file`]).

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::directory::Directory;
use crate::error::AppError;
use crate::store::accounts::Account;
use crate::store::case_file;
use crate::store::devices::Device;
use crate::store::documents::{Document, FileMeta};
use crate::store::events::{Event, TimelineCursor};
use crate::store::notes::Note;
use crate::store::sessions::Session;
use crate::store::verifications::{Check, Verification};
use crate::web::known_users;

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
    /// Every user's and API key's name, for the timeline.
    pub names: std::sync::Arc<Directory>,
    /// The viewer's view of it is recorded within the interval: nothing to write.
    pub recorded: bool,
}

/// Events a case page's timeline shows at once.
pub const TIMELINE_PAGE: i64 = 200;

/// Actions the timeline leaves out: who looked at a case is the audit log's business
/// (linked from the page for admins), and a busy case would show nothing else.
pub const TIMELINE_HIDDEN: &[&str] = &["session.viewed"];

/// Loads a case, with the page of its timeline older than `events_before` (the newest when
/// `None`); `NotFound` when there is no such session. One statement
/// ([`case_file::load`]) in the usual case: the names and who may be assigned come from
/// what this instance keeps ([`known_users`]). Whether `viewer` has a recent view of it
/// recorded ([`crate::service::reads::case_view`]) is read in the same statement.
pub fn load(
    conn: &mut PgConnection,
    id: Uuid,
    events_before: Option<TimelineCursor>,
    state: &AppState,
    wrote: Option<std::time::SystemTime>,
    viewer: Uuid,
) -> Result<Case, AppError> {
    let (view, since) = crate::service::reads::case_view(viewer, id);
    let query = case_file::CaseQuery {
        id,
        before: events_before,
        except: TIMELINE_HIDDEN,
        size: TIMELINE_PAGE,
        now: chrono::Utc::now(),
        recorded: Some((&view, since)),
    };
    let file = case_file::load(conn, &query)?.ok_or(AppError::NotFound("session"))?;
    let account = file.account.ok_or(AppError::NotFound("account"))?;
    let session = file.session;
    let names = known_users::names(state, conn, wrote)?;
    let mut wanted: Vec<Uuid> = file.notes.iter().map(|n| n.author_id).collect();
    wanted.extend(session.assigned_to);
    wanted.extend(session.decided_by);
    wanted.extend(session.redacted_by);
    let user_names: HashMap<Uuid, String> = wanted
        .into_iter()
        .filter_map(|u| names.users.get(&u).map(|n| (u, n.clone())))
        .collect();
    let assignable = known_users::assignable(state, conn, wrote)?;
    Ok(Case {
        session,
        account,
        documents: file.documents,
        files: file.files,
        verifications: file.verifications,
        checks: file.checks,
        device: file.device,
        notes: file.notes,
        events: file.events.rows,
        older_events: file.events.more,
        user_names,
        assignable,
        capture_link: file.capture_link,
        pending: file.pending,
        names,
        recorded: file.recorded,
    })
}
