//! Service levels: how long a case may wait for a reviewer in each waiting status before
//! it breaches its target, when it is due, and whether it is due soon. No I/O here; the
//! targets come from the configuration (`SLA_HOURS_COMPLETED`, `SLA_HOURS_MARKED_FOR_REVIEW`,
//! `SLA_HOURS_FAILED`).
//!
//! The clock is the session's `waiting_since`: it starts when the session completes or
//! fails and keeps running when it moves on to marked for review, so a case cannot be made
//! on time again by re-marking it. The target is the one of the status the case is in now.

use chrono::{DateTime, Duration, Utc};

use super::status::SessionStatus;

/// The target of each waiting status, in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Targets {
    /// A completed session (checks passed, waiting for a decision).
    pub completed: i64,
    /// A session a reviewer or the engine marked for review.
    pub marked_for_review: i64,
    /// A failed session (waiting to be looked at).
    pub failed: i64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            completed: 24,
            marked_for_review: 24,
            failed: 24,
        }
    }
}

/// Where a waiting case stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// More than a quarter of the target left.
    OnTime,
    /// Due within the last quarter of its target.
    DueSoon,
    /// Past its due time.
    Breached,
}

/// The queue's service-level filter (`sla=` in the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaFilter {
    /// `due_soon`: not breached, due within the last quarter of its target.
    DueSoon,
    /// `breached`: past its due time.
    Breached,
}

impl SlaFilter {
    /// Reads the URL's value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "due_soon" => Some(SlaFilter::DueSoon),
            "breached" => Some(SlaFilter::Breached),
            _ => None,
        }
    }

    /// The URL's value.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaFilter::DueSoon => "due_soon",
            SlaFilter::Breached => "breached",
        }
    }

    /// In words, for the filter chips.
    pub fn label(self) -> &'static str {
        match self {
            SlaFilter::DueSoon => "due soon",
            SlaFilter::Breached => "breached",
        }
    }
}

impl Targets {
    /// The statuses that have a target.
    pub const STATUSES: [SessionStatus; 3] = [
        SessionStatus::Completed,
        SessionStatus::MarkedForReview,
        SessionStatus::Failed,
    ];

    /// The target of `status`, if it has one.
    pub fn of(&self, status: SessionStatus) -> Option<Duration> {
        let hours = match status {
            SessionStatus::Completed => self.completed,
            SessionStatus::MarkedForReview => self.marked_for_review,
            SessionStatus::Failed => self.failed,
            _ => return None,
        };
        Some(Duration::hours(hours))
    }

    /// When a case in `status` that started waiting at `since` is due.
    pub fn due(&self, status: SessionStatus, since: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.of(status).map(|t| since + t)
    }

    /// Where such a case stands at `now`.
    pub fn standing(
        &self,
        status: SessionStatus,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Standing> {
        let target = self.of(status)?;
        let due = since + target;
        Some(if now >= due {
            Standing::Breached
        } else if due - now <= soon(target) {
            Standing::DueSoon
        } else {
            Standing::OnTime
        })
    }

    /// For a filter: the `waiting_since` range of cases in `status` that match it at `now`,
    /// as (after, at or before) — the same bounds [`Targets::standing`] draws; `None` when
    /// no case in that status can match.
    pub fn window(
        &self,
        filter: SlaFilter,
        status: SessionStatus,
        now: DateTime<Utc>,
    ) -> Option<(Option<DateTime<Utc>>, DateTime<Utc>)> {
        let target = self.of(status)?;
        let breached_from = now - target;
        Some(match filter {
            SlaFilter::Breached => (None, breached_from),
            SlaFilter::DueSoon => (Some(breached_from), breached_from + soon(target)),
        })
    }
}

/// "Due soon" is the last quarter of a target.
fn soon(target: Duration) -> Duration {
    target / 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_on_time_then_due_soon_then_breached() {
        let t = Targets::default();
        let since = Utc::now();
        let s = SessionStatus::Completed;
        assert_eq!(t.due(s, since), Some(since + Duration::hours(24)));
        assert_eq!(
            t.standing(s, since, since + Duration::hours(17)),
            Some(Standing::OnTime)
        );
        assert_eq!(
            t.standing(s, since, since + Duration::hours(18)),
            Some(Standing::DueSoon)
        );
        assert_eq!(
            t.standing(s, since, since + Duration::hours(24)),
            Some(Standing::Breached)
        );
        assert_eq!(t.standing(SessionStatus::Approved, since, since), None);
    }

    #[test]
    fn windows_draw_the_same_bounds_as_the_standing() {
        let t = Targets {
            completed: 8,
            ..Targets::default()
        };
        let now = Utc::now();
        let s = SessionStatus::Completed;
        let second = Duration::seconds(1);
        let (after, until) = t.window(SlaFilter::DueSoon, s, now).unwrap();
        let after = after.unwrap();
        assert_eq!(t.standing(s, after, now), Some(Standing::Breached));
        assert_eq!(t.standing(s, after + second, now), Some(Standing::DueSoon));
        assert_eq!(t.standing(s, until, now), Some(Standing::DueSoon));
        assert_eq!(t.standing(s, until + second, now), Some(Standing::OnTime));
        let (none, until) = t.window(SlaFilter::Breached, s, now).unwrap();
        assert!(none.is_none());
        assert_eq!(t.standing(s, until, now), Some(Standing::Breached));
        assert_eq!(t.standing(s, until + second, now), Some(Standing::DueSoon));
        assert!(
            t.window(SlaFilter::Breached, SessionStatus::Approved, now)
                .is_none()
        );
    }
}
