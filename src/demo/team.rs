//! The demo team's saved views and a bulk change: what a team of reviewers leaves after a few
//! weeks.

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

/// A bulk change the manager made: the five failed cases waiting longest, unassigned, given
/// to Omar, so that `/bulk` and its result page have something to show.
pub fn bulk_change(conn: &mut PgConnection) -> anyhow::Result<()> {
    use crate::domain::actor::Worker;
    use crate::domain::status::SessionStatus;
    use crate::service::bulk::{self, BulkAction, Scope};
    use crate::store::paging::PageAt;
    use crate::store::queue::{self, AssigneeFilter, QueueFilter};

    let (Some(manager), Some(omar)) = (
        users::find_by_username(conn, "manager")?,
        users::find_by_username(conn, "omar")?,
    ) else {
        return Ok(());
    };
    let filter = QueueFilter {
        statuses: vec![SessionStatus::Failed],
        assignee: Some(AssigneeFilter::Unassigned),
        redacted: Some(false),
        oldest_first: true,
        by_waiting: true,
        ..QueueFilter::default()
    };
    let ids: Vec<_> = queue::page(conn, &filter, PageAt::First, 5)?
        .rows
        .iter()
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let by = Worker {
        id: manager.id,
        role: manager.role,
    };
    let asked = bulk::request(
        conn,
        by,
        BulkAction::Assign(omar.id),
        Scope::Chosen(ids),
        "status=failed&assignee=unassigned&sort=waiting&redacted=exclude",
        bulk::MAX_CHOSEN,
        chrono::Utc::now(),
    )?;
    if let Some(lease) = asked.lease {
        bulk::work(conn, asked.change.id, lease, None, &|| false)?;
    }
    Ok(())
}
