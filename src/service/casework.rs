//! Case work besides decisions: notes and assignment. Both refuse a redacted session and
//! leave an audit event that names ids only.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::{Actor, CaseState, Worker, may_be_assigned};
use crate::error::{AppError, Conflict, Decided};
use crate::store::events::{self, NewEvent};
use crate::store::notes::{self, NewNote, Note};
use crate::store::{sessions, users};

/// The longest note accepted.
pub const MAX_NOTE: usize = 4000;

fn lock_open_session(conn: &mut PgConnection, session_id: Uuid) -> Result<CaseState, AppError> {
    let session =
        crate::store::sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
    if session.redacted_at.is_some() {
        return Err(AppError::Conflict(Conflict::Redacted));
    }
    Ok(CaseState {
        status: session.status,
        redacted: false,
        assignee: session.assigned_to,
    })
}

/// A note's text as stored: trimmed, not empty, at most [`MAX_NOTE`] characters, no
/// control or formatting characters; or why not, on the field `body`.
pub fn check_note(body: &str) -> Result<String, AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", "a note cannot be empty"));
    }
    if body.chars().count() > MAX_NOTE {
        return Err(AppError::field(
            "body",
            format!("must be at most {MAX_NOTE} characters"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::field(
            "body",
            "must not contain control characters",
        ));
    }
    if let Some(message) = crate::domain::person::format_char_message(body) {
        return Err(AppError::field("body", message));
    }
    Ok(body.to_owned())
}

/// Adds a reviewer's note to a session.
pub fn add_note(
    conn: &mut PgConnection,
    session_id: Uuid,
    author: Uuid,
    body: &str,
) -> Result<Note, AppError> {
    let body = check_note(body)?;
    conn.transaction(|conn| {
        lock_open_session(conn, session_id)?;
        let note = notes::insert(
            conn,
            &NewNote {
                session_id,
                author_id: author,
                body: Some(body),
                created_at: None,
            },
        )?;
        sessions::touch(conn, session_id, "note.added")?;
        events::insert(
            conn,
            &NewEvent::new(Actor::User(author), "note.added", Some(session_id))
                .details(json!({ "note_id": note.id })),
        )?;
        Ok(note)
    })
}

/// Assigns the session to `assignee`, or unassigns it with `None`, as
/// [`Worker::may_assign`] allows: reviewers may take a case or let go of their own;
/// managers and admins may give any case to any active reviewer or admin
/// ([`may_be_assigned`]). A final session keeps its assignee.
pub fn assign(
    conn: &mut PgConnection,
    session_id: Uuid,
    assignee: Option<Uuid>,
    by: Worker,
) -> Result<Assigned, AppError> {
    conn.transaction(|conn| {
        let case = lock_open_session(conn, session_id)?;
        let current = case.assignee;
        if case.status.is_final() {
            // Who closed it, for whoever meets the refusal (a bulk change lists it).
            let decided = sessions::decision_of(conn, session_id)?.map(|d| {
                Box::new(Decided {
                    outcome: d.outcome,
                    by: d.by,
                    at: d.at,
                })
            });
            return Err(AppError::Conflict(Conflict::WrongStatus {
                status: case.status,
                action: "reassigned",
                decided,
            }));
        }
        if !by.may_assign(case, assignee) {
            return Err(AppError::Forbidden);
        }
        if let Some(target) = assignee {
            check_assignee(conn, target)?;
        }
        if current == assignee {
            return Ok(Assigned {
                assignee,
                changed: false,
            });
        }
        let now = Utc::now();
        let action = if assignee.is_some() {
            "session.assigned"
        } else {
            "session.unassigned"
        };
        sessions::set_assignee(conn, session_id, assignee, now, action)?;
        // A case worker taking a case another holds takes it over: said so in the event.
        let details = if assignee == Some(by.id) && current.is_some() {
            json!({ "assignee": assignee, "previous": current, "via": "take_over" })
        } else {
            json!({ "assignee": assignee, "previous": current })
        };
        events::insert(
            conn,
            &NewEvent::new(Actor::User(by.id), action, Some(session_id)).details(details),
        )?;
        Ok(Assigned {
            assignee,
            changed: true,
        })
    })
}

/// Whether `target` may be given cases ([`may_be_assigned`]), or why not, on the field
/// `assignee`.
pub fn check_assignee(conn: &mut PgConnection, target: Uuid) -> Result<(), AppError> {
    match users::find(conn, target)? {
        Some(u) if may_be_assigned(u.role, u.disabled) => Ok(()),
        Some(_) => Err(AppError::field(
            "assignee",
            "only an active reviewer or admin can work a case",
        )),
        None => Err(AppError::field("assignee", "no such user")),
    }
}

/// What [`assign`] left: the assignee, and whether that was a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    /// Who holds the case now.
    pub assignee: Option<Uuid>,
    /// Whether it changed hands (`false`: it was already so).
    pub changed: bool,
}

/// What pulling the next case found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pulled {
    /// A case the reviewer already held, still waiting: theirs to finish first.
    Held(Uuid),
    /// A case newly claimed for them (with its `session.assigned` event).
    Claimed(Uuid),
    /// Every waiting case is held by someone working on it.
    Nothing,
}

/// Claims the oldest waiting case nobody holds (or whose holder left it idle for
/// `idle_minutes`) for `by`, who must work cases; a case they already hold comes first.
/// Atomic: reviewers pulling at once get different cases.
pub fn pull_next(
    conn: &mut PgConnection,
    by: Worker,
    idle_minutes: i64,
) -> Result<Pulled, AppError> {
    if !by.role.works_cases() {
        return Err(AppError::Forbidden);
    }
    conn.transaction(|conn| {
        let now = Utc::now();
        if let Some(id) = crate::store::claims::own_waiting(conn, by.id, now)? {
            return Ok(Pulled::Held(id));
        }
        let idle_before = now - chrono::Duration::minutes(idle_minutes);
        let Some(p) = crate::store::claims::pull_next(conn, by.id, now, idle_before)? else {
            return Ok(Pulled::Nothing);
        };
        let details = json!({ "assignee": by.id, "previous": p.previous, "via": "next" });
        events::insert(
            conn,
            &NewEvent::new(Actor::User(by.id), "session.assigned", Some(p.id)).details(details),
        )?;
        Ok(Pulled::Claimed(p.id))
    })
}
