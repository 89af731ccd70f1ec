//! Saved views: who may save, rename, reorder, share, pin and delete a queue's filters under
//! a name. The dashboard passes the queue's canonical query string; this module keeps the
//! rules.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

use crate::domain::kinds::Role;
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::store::saved_views::{self, NewSavedView, SavedView};

/// Longest name, in characters.
pub const NAME_MAX: usize = 60;
/// Views one person may keep.
pub const PER_USER: usize = 50;
/// Longest stored query string.
pub const QUERY_MAX: usize = 1000;

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    /// Their id.
    pub id: Uuid,
    /// Their role: managers and admins pin and remove the team's shared views.
    pub role: Role,
}

/// Which way a view moves among its owner's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One place earlier.
    Up,
    /// One place later.
    Down,
}

/// Checks a view's name: trimmed, 1 to [`NAME_MAX`] characters, no control characters.
pub fn check_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    let problem = if name.is_empty() {
        Some("is required".to_owned())
    } else if name.chars().count() > NAME_MAX {
        Some(format!("must be at most {NAME_MAX} characters"))
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters".to_owned())
    } else {
        None
    };
    match problem {
        Some(p) => Err(AppError::Validation(vec![FieldError::new("name", p)])),
        None => Ok(name.to_owned()),
    }
}

fn duplicate(name: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(
        "name",
        format!("you already have a view named \"{name}\""),
    )])
}

fn unique<T>(result: QueryResult<T>, name: &str) -> Result<T, AppError> {
    match result {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(duplicate(name))
        }
        other => Ok(other?),
    }
}

/// Saves the queue `query` under `name` for `viewer`.
pub fn create(
    conn: &mut PgConnection,
    viewer: Viewer,
    name: &str,
    query: &str,
    shared: bool,
) -> Result<SavedView, AppError> {
    let name = check_name(name)?;
    if query.len() > QUERY_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "query",
            format!("is longer than {QUERY_MAX} characters"),
        )]));
    }
    conn.transaction(|conn| {
        if saved_views::owned_by(conn, viewer.id)?.len() >= PER_USER {
            return Err(AppError::LimitReached(format!(
                "You keep {PER_USER} saved views, the most one person may; delete one first."
            )));
        }
        let position = saved_views::next_position(conn, viewer.id)?;
        let new = NewSavedView {
            owner_id: viewer.id,
            name: name.clone(),
            query: query.to_owned(),
            shared,
            position,
        };
        unique(saved_views::insert(conn, &new), &name)
    })
}

/// The view, if `viewer` may see it (their own, or shared).
fn visible(conn: &mut PgConnection, viewer: Viewer, id: Uuid) -> Result<SavedView, AppError> {
    match saved_views::find(conn, id)? {
        Some(v) if v.owner_id == viewer.id || v.shared => Ok(v),
        _ => Err(AppError::NotFound("saved view")),
    }
}

/// The view, if `viewer` owns it; another's shared view is seen but not theirs to change.
fn owned(conn: &mut PgConnection, viewer: Viewer, id: Uuid) -> Result<SavedView, AppError> {
    let v = visible(conn, viewer, id)?;
    if v.owner_id == viewer.id {
        Ok(v)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Renames one of the viewer's views.
pub fn rename(
    conn: &mut PgConnection,
    viewer: Viewer,
    id: Uuid,
    name: &str,
) -> Result<SavedView, AppError> {
    let name = check_name(name)?;
    conn.transaction(|conn| {
        owned(conn, viewer, id)?;
        unique(saved_views::rename(conn, id, &name), &name)?;
        visible(conn, viewer, id)
    })
}

/// Shares one of the viewer's views with the team, or takes it back.
pub fn share(
    conn: &mut PgConnection,
    viewer: Viewer,
    id: Uuid,
    shared: bool,
) -> Result<SavedView, AppError> {
    owned(conn, viewer, id)?;
    saved_views::set_shared(conn, id, shared)?;
    visible(conn, viewer, id)
}

/// Pins a shared view for everyone, or unpins it: managers and admins only.
pub fn pin(
    conn: &mut PgConnection,
    viewer: Viewer,
    id: Uuid,
    pinned: bool,
) -> Result<SavedView, AppError> {
    if !viewer.role.oversees() {
        return Err(AppError::Forbidden);
    }
    let v = visible(conn, viewer, id)?;
    if !v.shared {
        return Err(AppError::Validation(vec![FieldError::new(
            "pinned",
            "only a shared view can be pinned; share it first",
        )]));
    }
    saved_views::set_pinned(conn, id, pinned)?;
    visible(conn, viewer, id)
}

/// Moves one of the viewer's views a place up or down among theirs.
pub fn reorder(
    conn: &mut PgConnection,
    viewer: Viewer,
    id: Uuid,
    direction: Move,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        owned(conn, viewer, id)?;
        let mut order: Vec<Uuid> = saved_views::owned_by(conn, viewer.id)?
            .into_iter()
            .map(|v| v.id)
            .collect();
        if let Some(i) = order.iter().position(|v| *v == id) {
            let j = match direction {
                Move::Up => i.checked_sub(1),
                Move::Down => (i + 1 < order.len()).then_some(i + 1),
            };
            if let Some(j) = j {
                order.swap(i, j);
            }
        }
        for (position, view) in order.iter().enumerate() {
            saved_views::set_position(conn, *view, i32::try_from(position).unwrap_or(i32::MAX))?;
        }
        Ok(())
    })
}

/// Deletes a view: its owner's, or (managers and admins) any shared one.
pub fn delete(conn: &mut PgConnection, viewer: Viewer, id: Uuid) -> Result<SavedView, AppError> {
    let v = visible(conn, viewer, id)?;
    if v.owner_id != viewer.id && !viewer.role.oversees() {
        return Err(AppError::Forbidden);
    }
    saved_views::delete(conn, id)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            check_name("  High risk ").ok().as_deref(),
            Some("High risk")
        );
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert!(check_name("a\u{0}b").is_err());
        assert!(check_name(&"é".repeat(NAME_MAX)).is_ok());
    }
}
