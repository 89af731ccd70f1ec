//! The demo team's saved views: what a team of reviewers keeps after a few weeks.

use diesel::PgConnection;

use crate::domain::kinds::Role;
use crate::service::views::{self, Viewer};
use crate::store::users;

/// (owner's username, name, queue in the queue's own parameter order, shared, pinned by the
/// manager)
const VIEWS: &[(&str, &str, &str, bool, bool)] = &[
    (
        "manager",
        "Breached, due first",
        "status=completed&status=marked_for_review&status=failed&sort=due&redacted=exclude&sla=breached",
        true,
        true,
    ),
    (
        "omar",
        "Failed, newest",
        "status=failed&sort=newest&redacted=exclude",
        true,
        false,
    ),
    (
        "reviewer",
        "Mine, due first",
        "status=completed&status=marked_for_review&assignee=me&sort=due&redacted=exclude",
        false,
        false,
    ),
];

/// Saves the demo's views (once: a name already taken is left as it is).
pub fn saved_views(conn: &mut PgConnection) -> anyhow::Result<()> {
    let Some(manager) = users::find_by_username(conn, "manager")? else {
        return Ok(());
    };
    for (owner, name, query, shared, pinned) in VIEWS {
        let Some(user) = users::find_by_username(conn, owner)? else {
            continue;
        };
        let viewer = Viewer {
            id: user.id,
            role: user.role,
        };
        let Ok(view) = views::create(conn, viewer, name, query, *shared) else {
            continue;
        };
        if *pinned {
            let by = Viewer {
                id: manager.id,
                role: Role::Manager,
            };
            views::pin(conn, by, view.id, true)?;
        }
    }
    Ok(())
}
