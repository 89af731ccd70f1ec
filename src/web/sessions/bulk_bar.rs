//! The queue's bulk bar ([`crate::web::bulk`]): the assignees a user may choose, whether
//! marking and expiring are offered, and how many sessions "all matching" would reach.

use super::list::{COUNT_CAP, count_of};
use crate::domain::status::SessionStatus;
use crate::store::queue::CappedCount;
use crate::web::auth::CurrentUser;
use crate::web::format;

/// The bulk bar's choices ([`crate::web::bulk`]).
pub(super) struct BulkBar {
    /// The queue's query string without paging, which a bulk change over all matching
    /// sessions reads.
    pub(super) query: String,
    /// The assignees: (value, label); reviewers may assign only to themselves.
    pub(super) assignees: Vec<(String, String)>,
    /// Marking for review and expiring are offered (the role works cases).
    pub(super) can_work: bool,
    /// More than this page matches: "Select all N matching" is offered.
    pub(super) more_pages: bool,
    /// How many match, capped, in words ("312", "1,000+"); empty under a search.
    pub(super) matching: String,
}

impl BulkBar {
    pub(super) fn new(
        user: &CurrentUser,
        assignable: &[(uuid::Uuid, String)],
        counts: &[CappedCount],
        statuses: &[SessionStatus],
        query: String,
        more_pages: bool,
    ) -> Self {
        let mut assignees = vec![("me".to_owned(), "Me".to_owned())];
        if user.role.oversees() {
            assignees.extend(
                assignable
                    .iter()
                    .filter(|(id, _)| *id != user.id)
                    .map(|(id, name)| (id.to_string(), name.clone())),
            );
        }
        BulkBar {
            query,
            assignees,
            can_work: user.role.works_cases(),
            more_pages,
            matching: matching_count(counts, statuses),
        }
    }
}

/// How many sessions the filter matches, from its capped status counts ("1,000+" once a
/// status reached the cap); empty when there are no counts (under a search).
fn matching_count(counts: &[CappedCount], statuses: &[SessionStatus]) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let wanted: Vec<&str> = if statuses.is_empty() {
        SessionStatus::ALL.iter().map(|s| s.as_str()).collect()
    } else {
        statuses.iter().map(|s| s.as_str()).collect()
    };
    let mut total = 0;
    let mut capped = false;
    for key in wanted {
        let n = count_of(counts, key);
        capped |= n >= COUNT_CAP;
        total += n.min(COUNT_CAP);
    }
    if capped {
        format!("{}+", format::thousands(total))
    } else {
        format::thousands(total)
    }
}
