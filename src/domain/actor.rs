//! Who did something, for decisions and the audit log, and who may work a case.

use uuid::Uuid;

use super::kinds::{ActorType, Role};
use super::status::{Action, SessionStatus};

/// The author of a change: a dashboard user, an API key, the applicant, or Session Desk
/// itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in dashboard user.
    User(Uuid),
    /// An integrator's API key.
    ApiKey(Uuid),
    /// A background job or the verification engine.
    System,
    /// The applicant, through the capture link of this id.
    Applicant(Uuid),
}

impl Actor {
    /// The kind of actor, as stored.
    pub fn kind(self) -> ActorType {
        match self {
            Actor::User(_) => ActorType::User,
            Actor::ApiKey(_) => ActorType::ApiKey,
            Actor::System => ActorType::System,
            Actor::Applicant(_) => ActorType::Applicant,
        }
    }

    /// The user's or key's id.
    pub fn id(self) -> Option<Uuid> {
        match self {
            Actor::User(id) | Actor::ApiKey(id) | Actor::Applicant(id) => Some(id),
            Actor::System => None,
        }
    }
}

/// Reviewers and admins work cases; managers and admins oversee them. Each question below
/// is answered here once, for the case page's buttons, the services that refuse what the
/// buttons would not offer, and the list of users a case may be given to.
impl Role {
    /// Reviewers and admins work cases: they see document images, edit, decide, and are the
    /// ones a case can be assigned to.
    pub fn works_cases(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }

    /// Managers and admins oversee the queues, and may give any open case to anyone who
    /// works cases.
    pub fn oversees(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }

    /// Every role that works cases, for a query over users.
    pub fn case_workers() -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|r| r.works_cases())
            .collect()
    }
}

/// A signed-in dashboard user, as far as working a case goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worker {
    /// The user.
    pub id: Uuid,
    /// Their role.
    pub role: Role,
}

/// What decides who may work a case now: its status, whether its personal data was
/// redacted, and who holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseState {
    /// Where the session stands.
    pub status: SessionStatus,
    /// Its personal data is gone; it takes no more work.
    pub redacted: bool,
    /// The user working it.
    pub assignee: Option<Uuid>,
}

impl CaseState {
    /// Open to case work: not redacted and not in a final status.
    pub fn is_open(self) -> bool {
        !self.redacted && !self.status.is_final()
    }
}

impl Worker {
    /// Whether they may apply `action` (approve, decline, mark for review, expire) now.
    pub fn may_apply(self, case: CaseState, action: Action) -> bool {
        self.role.works_cases() && !case.redacted && case.status.apply(action).is_ok()
    }

    /// Whether they may edit the applicant's personal data.
    pub fn may_edit(self, case: CaseState) -> bool {
        self.role.works_cases() && case.is_open()
    }

    /// Whether they may set the case's assignee to `to` (`None`: nobody). Overseers may
    /// give an open case to anyone, case workers only take it or let go of their own.
    /// Whether `to` may hold cases at all is [`may_be_assigned`]'s to say.
    pub fn may_assign(self, case: CaseState, to: Option<Uuid>) -> bool {
        let own = match to {
            Some(user) => user == self.id,
            None => case.assignee == Some(self.id),
        };
        case.is_open() && (self.role.oversees() || (self.role.works_cases() && own))
    }

    /// Whether "take the case" is offered: they work cases and it is open and not theirs.
    pub fn may_take(self, case: CaseState) -> bool {
        case.assignee != Some(self.id)
            && self.role.works_cases()
            && self.may_assign(case, Some(self.id))
    }

    /// Whether "let go" is offered: they work cases and hold this open one.
    pub fn may_let_go(self, case: CaseState) -> bool {
        case.assignee == Some(self.id) && self.role.works_cases() && self.may_assign(case, None)
    }

    /// Whether they may give the open case to anyone.
    pub fn may_assign_anyone(self, case: CaseState) -> bool {
        self.role.oversees() && case.is_open()
    }
}

/// Whether a user may be given cases: an active user of a role that works them.
pub fn may_be_assigned(role: Role, disabled: bool) -> bool {
    role.works_cases() && !disabled
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: Uuid = Uuid::from_u128(1);
    const OTHER: Uuid = Uuid::from_u128(2);

    fn case(status: SessionStatus, assignee: Option<Uuid>) -> CaseState {
        CaseState {
            status,
            redacted: false,
            assignee,
        }
    }

    #[test]
    fn reviewers_and_admins_work_cases_managers_and_admins_oversee() {
        assert_eq!(Role::case_workers(), vec![Role::Reviewer, Role::Admin]);
        let overseers: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.oversees()).collect();
        assert_eq!(overseers, vec![Role::Manager, Role::Admin]);
        assert!(may_be_assigned(Role::Reviewer, false));
        assert!(!may_be_assigned(Role::Reviewer, true));
        assert!(!may_be_assigned(Role::Manager, false));
    }

    #[test]
    fn decisions_need_a_case_worker_and_a_status_that_allows_them() {
        let waiting = case(SessionStatus::Completed, None);
        for role in Role::ALL {
            let me = Worker {
                id: ME,
                role: *role,
            };
            assert_eq!(me.may_apply(waiting, Action::Approve), role.works_cases());
            assert!(!me.may_apply(waiting, Action::Expire));
            let redacted = CaseState {
                redacted: true,
                ..waiting
            };
            assert!(!me.may_apply(redacted, Action::Approve));
        }
    }

    #[test]
    fn reviewers_take_cases_or_let_go_of_their_own_and_overseers_assign_anyone() {
        let reviewer = Worker {
            id: ME,
            role: Role::Reviewer,
        };
        let manager = Worker {
            id: ME,
            role: Role::Manager,
        };
        let theirs = case(SessionStatus::Completed, Some(OTHER));
        let mine = case(SessionStatus::Completed, Some(ME));
        assert!(reviewer.may_assign(theirs, Some(ME)));
        assert!(!reviewer.may_assign(theirs, Some(OTHER)));
        assert!(!reviewer.may_assign(theirs, None));
        assert!(reviewer.may_assign(mine, None));
        assert!(reviewer.may_take(theirs) && !reviewer.may_take(mine));
        assert!(reviewer.may_let_go(mine) && !reviewer.may_let_go(theirs));
        assert!(!reviewer.may_assign_anyone(theirs));
        assert!(manager.may_assign(theirs, None) && manager.may_assign_anyone(theirs));
        assert!(!manager.may_take(theirs) && !manager.may_edit(theirs));
        let done = case(SessionStatus::Approved, Some(ME));
        assert!(!reviewer.may_assign(done, None) && !manager.may_assign(done, Some(OTHER)));
        assert!(!reviewer.may_edit(done));
    }
}
