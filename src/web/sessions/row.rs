//! One queue row as the queue shows it: masked for managers, waiting time, due time and
//! claim in words.

use chrono::Utc;

use super::list::Row;
use crate::domain::directory::Directory;
use crate::domain::sla::{Standing, Targets};
use crate::store::queue::QueueRow;
use crate::web::format;

/// `r` as the queue shows it to a viewer who sees personal data `masked` (or not), at `now`,
/// its link carrying `queue_param` (`queue=...`, encoded once for the page).
pub(super) fn view_row(
    r: &QueueRow,
    masked: bool,
    now: chrono::DateTime<Utc>,
    targets: &Targets,
    queue_param: &str,
    names: &Directory,
) -> Row {
    let redacted = r.redacted_at.is_some();
    let since = r
        .waiting_since
        .filter(|_| r.status.is_waiting() && !redacted);
    Row {
        id: r.id,
        href: format!("/sessions/{}?{}", r.id, queue_param),
        applicant: if redacted {
            "Redacted applicant".to_owned()
        } else {
            format::applicant(
                r.first_name.as_deref(),
                r.middle_name.as_deref(),
                r.last_name.as_deref(),
                masked,
            )
        },
        email: if redacted {
            String::new()
        } else {
            r.email
                .as_deref()
                .map(|e| {
                    if masked {
                        crate::domain::person::mask(e)
                    } else {
                        e.to_owned()
                    }
                })
                .unwrap_or_default()
        },
        account: format::shown(r.external_id.as_deref(), masked),
        account_href: format!("/accounts/{}", r.account_id),
        status: r.status,
        age: format::age(r.created_at, now),
        created: format::exact(r.created_at),
        assignee: match (
            r.assigned_to.and_then(|u| names.users.get(&u)),
            r.claimed_at,
        ) {
            (Some(name), Some(at)) if r.status.is_waiting_for_review() => {
                format!("{name} · reviewing {}", format::age(at, now))
            }
            (Some(name), _) => name.to_owned(),
            (None, _) => "—".to_owned(),
        },
        activity: r
            .last_activity
            .as_deref()
            .map(format::activity)
            .unwrap_or_default(),
        activity_at: format::exact(r.updated_at),
        sla: match since.and_then(|t| targets.standing(r.status, t, now)) {
            Some(Standing::Breached) => "breached",
            Some(Standing::DueSoon) => "due_soon",
            _ => "",
        },
        due: since
            .and_then(|t| targets.due(r.status, t))
            .map(|due| {
                if due <= now {
                    format!("breached {} ago", format::age(due, now))
                } else {
                    format!("due in {}", format::until(now, due))
                }
            })
            .unwrap_or_default(),
        due_at: since
            .and_then(|t| targets.due(r.status, t))
            .map(format::exact)
            .unwrap_or_default(),
        waiting: since.map(|t| format::age(t, now)).unwrap_or_default(),
        waiting_at: since.map(format::exact).unwrap_or_default(),
        reason: String::new(),
        redacted,
    }
}
