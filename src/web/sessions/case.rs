//! Everything the case page shows, loaded in one statement (see [`case_file`]).

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::directory::Directory;
use crate::error::AppError;
use crate::store::case_file::{self, CaseFile};
use crate::store::events::TimelineCursor;
use crate::web::known_users;

/// A session with everything around it: what is stored of it, and the names and choices
/// its page shows.
pub struct Case {
    /// The session, its account, documents, checks, device, notes, a page of its timeline
    /// (at most [`TIMELINE_PAGE`] events, newest first, without views: [`TIMELINE_HIDDEN`]),
    /// its capture link and pending approvals.
    pub file: CaseFile,
    /// Display names of every user the page mentions.
    pub user_names: HashMap<Uuid, String>,
    /// Active users a case can be assigned to: (id, display name).
    pub assignable: Vec<(Uuid, String)>,
    /// Every user's and API key's name, for the timeline.
    pub names: std::sync::Arc<Directory>,
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
    let names = known_users::names(state, conn, wrote)?;
    let session = &file.session;
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
        file,
        user_names,
        assignable,
        names,
    })
}
