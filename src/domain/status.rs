//! The session lifecycle of SPEC section 1: the one source of truth for which action may
//! move a session from which status to which.

use super::string_enum;

string_enum! {
    /// Where a session stands in its lifecycle.
    pub enum SessionStatus {
        Created => "created",
        Started => "started",
        Pending => "pending",
        Completed => "completed",
        Failed => "failed",
        MarkedForReview => "marked_for_review",
        Approved => "approved",
        Declined => "declined",
        Expired => "expired",
    }
}

string_enum! {
    /// Something that moves a session from one status to another.
    pub enum Action {
        Start => "start",
        Submit => "submit",
        Complete => "complete",
        Fail => "fail",
        MarkForReview => "mark_for_review",
        Approve => "approve",
        Decline => "decline",
        Expire => "expire",
        RequestResubmission => "request_resubmission",
    }
}

/// Why an action cannot be applied to a session in its current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a session that is {from}")]
pub struct TransitionError {
    /// The status the session is in.
    pub from: SessionStatus,
    /// The action that was refused.
    pub action: Action,
}

/// The timestamp column an action sets when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// `started_at`
    Started,
    /// `submitted_at`
    Submitted,
    /// `completed_at`
    Completed,
    /// `failed_at`
    Failed,
    /// `marked_for_review_at`
    MarkedForReview,
    /// `decisioned_at`
    Decisioned,
    /// `expired_at`
    Expired,
}

impl SessionStatus {
    /// The status an action leads to from this one, or why it is not allowed.
    pub fn apply(self, action: Action) -> Result<SessionStatus, TransitionError> {
        use Action as A;
        use SessionStatus as S;
        let to = match (action, self) {
            (A::Start, S::Created) => S::Started,
            (A::Submit, S::Started) => S::Pending,
            (A::Complete, S::Pending) => S::Completed,
            (A::Fail, S::Pending) => S::Failed,
            (A::MarkForReview, S::Completed | S::Failed) => S::MarkedForReview,
            (A::Approve, S::Completed | S::MarkedForReview) => S::Approved,
            (A::Decline, S::Completed | S::MarkedForReview) => S::Declined,
            (A::Expire, S::Created | S::Started | S::Pending) => S::Expired,
            // A reviewer asks the applicant for a better photo: the session waits for them
            // again, and their new submit runs the verification of that document.
            (A::RequestResubmission, S::Completed | S::Failed | S::MarkedForReview) => S::Started,
            _ => return Err(TransitionError { from: self, action }),
        };
        Ok(to)
    }

    /// Final statuses accept no further action at all.
    pub fn is_final(self) -> bool {
        Action::ALL.iter().all(|a| self.apply(*a).is_err())
    }

    /// Statuses in which a reviewer is expected to act: the work queue.
    pub fn is_waiting_for_review(self) -> bool {
        matches!(
            self,
            SessionStatus::Completed | SessionStatus::MarkedForReview
        )
    }

    /// Statuses in which a session waits on a reviewer, failed ones included: the ones
    /// whose queue rows say why and since when.
    pub fn is_waiting(self) -> bool {
        matches!(
            self,
            SessionStatus::Completed | SessionStatus::Failed | SessionStatus::MarkedForReview
        )
    }

    /// A human label ("marked for review").
    pub fn label(self) -> &'static str {
        match self {
            SessionStatus::MarkedForReview => "marked for review",
            other => other.as_str(),
        }
    }
}

impl Action {
    /// Every status this action may be applied from, derived from [`SessionStatus::apply`]
    /// so that the SQL `status = ANY(...)` list is never typed twice.
    pub fn allowed_from(self) -> Vec<SessionStatus> {
        SessionStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.apply(self).is_ok())
            .collect()
    }

    /// The timestamp the action sets.
    pub fn stamp(self) -> Stamp {
        match self {
            Action::Start | Action::RequestResubmission => Stamp::Started,
            Action::Submit => Stamp::Submitted,
            Action::Complete => Stamp::Completed,
            Action::Fail => Stamp::Failed,
            Action::MarkForReview => Stamp::MarkedForReview,
            Action::Approve | Action::Decline => Stamp::Decisioned,
            Action::Expire => Stamp::Expired,
        }
    }

    /// The audit event's action name (`session.approved`).
    pub fn event_name(self) -> &'static str {
        match self {
            Action::Start => "session.started",
            Action::Submit => "session.submitted",
            Action::Complete => "session.completed",
            Action::Fail => "session.failed",
            Action::MarkForReview => "session.marked_for_review",
            Action::Approve => "session.approved",
            Action::Decline => "session.declined",
            Action::Expire => "session.expired",
            Action::RequestResubmission => "session.resubmission_requested",
        }
    }

    /// Whether this action records a decision (outcome, reason, comment, deciding actor).
    pub fn is_decision(self) -> bool {
        matches!(self, Action::Approve | Action::Decline)
    }
}

#[cfg(test)]
mod tests {
    use super::{Action as A, SessionStatus as S, *};

    /// SPEC section 1, written out as the full table: every status x every action.
    /// `None` means the action is refused in that status.
    #[rustfmt::skip]
    const TABLE: [(S, [Option<S>; 9]); 9] = [
        //                  start               submit             complete             fail              mark_for_review           approve             decline             expire            request_resubmission
        (S::Created,         [Some(S::Started), None,              None,                None,             None,                     None,               None,               Some(S::Expired), None]),
        (S::Started,         [None,             Some(S::Pending),  None,                None,             None,                     None,               None,               Some(S::Expired), None]),
        (S::Pending,         [None,             None,              Some(S::Completed),  Some(S::Failed),  None,                     None,               None,               Some(S::Expired), None]),
        (S::Completed,       [None,             None,              None,                None,             Some(S::MarkedForReview), Some(S::Approved),  Some(S::Declined),  None,             Some(S::Started)]),
        (S::Failed,          [None,             None,              None,                None,             Some(S::MarkedForReview), None,               None,               None,             Some(S::Started)]),
        (S::MarkedForReview, [None,             None,              None,                None,             None,                     Some(S::Approved),  Some(S::Declined),  None,             Some(S::Started)]),
        (S::Approved,        [None,             None,              None,                None,             None,                     None,               None,               None,             None]),
        (S::Declined,        [None,             None,              None,                None,             None,                     None,               None,               None,             None]),
        (S::Expired,         [None,             None,              None,                None,             None,                     None,               None,               None,             None]),
    ];

    const ACTIONS: [A; 9] = [
        A::Start,
        A::Submit,
        A::Complete,
        A::Fail,
        A::MarkForReview,
        A::Approve,
        A::Decline,
        A::Expire,
        A::RequestResubmission,
    ];

    #[test]
    fn every_status_and_action_follows_the_spec_table() {
        assert_eq!(TABLE.len(), S::ALL.len());
        assert_eq!(ACTIONS.len(), A::ALL.len());
        for (from, row) in TABLE {
            for (action, expected) in ACTIONS.iter().zip(row) {
                let got = from.apply(*action).ok();
                assert_eq!(got, expected, "{from} x {action}");
                if expected.is_none() {
                    assert_eq!(
                        from.apply(*action),
                        Err(TransitionError {
                            from,
                            action: *action
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn final_statuses_are_approved_declined_and_expired() {
        let finals: Vec<S> = S::ALL.iter().copied().filter(|s| s.is_final()).collect();
        assert_eq!(finals, vec![S::Approved, S::Declined, S::Expired]);
        // `failed` only allows mark-for-review, or sending it back to the applicant.
        let from_failed: Vec<A> = A::ALL
            .iter()
            .copied()
            .filter(|a| S::Failed.apply(*a).is_ok())
            .collect();
        assert_eq!(from_failed, vec![A::MarkForReview, A::RequestResubmission]);
    }

    #[test]
    fn allowed_from_is_derived_from_the_table() {
        assert_eq!(
            A::Approve.allowed_from(),
            vec![S::Completed, S::MarkedForReview]
        );
        assert_eq!(
            A::Expire.allowed_from(),
            vec![S::Created, S::Started, S::Pending]
        );
        assert_eq!(
            A::MarkForReview.allowed_from(),
            vec![S::Completed, S::Failed]
        );
    }

    #[test]
    fn statuses_round_trip_through_their_spelling() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(*s));
        }
        assert!("bogus".parse::<S>().is_err());
    }
}
