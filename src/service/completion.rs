//! The completion rule (SPEC section 1): while a session is `pending`, its verification
//! results complete or fail it. Run after every verification and at submit.

use diesel::prelude::*;

use crate::domain::actor::Actor;
use crate::domain::kinds::{VerificationKind, VerificationStatus};
use crate::domain::status::{Action, SessionStatus};
use crate::error::AppError;
use crate::service::transitions::{self, Request as Transition};
use crate::store::sessions::Session;
use crate::store::verifications;

/// What the completion rule concludes from a session's verification results (kind and
/// status, newest first).
pub fn verdict(
    required: &[VerificationKind],
    results: &[(VerificationKind, VerificationStatus)],
) -> Option<Action> {
    use VerificationStatus as V;
    let latest = |kind: VerificationKind| {
        results
            .iter()
            .find(|(k, s)| *k == kind && !matches!(s, V::Initiated | V::Canceled))
            .map(|(_, s)| *s)
    };
    let has_passed =
        |kind: VerificationKind| results.iter().any(|(k, s)| *k == kind && *s == V::Passed);
    if required.iter().any(|k| latest(*k) == Some(V::Failed)) {
        return Some(Action::Fail);
    }
    if !required.is_empty() && required.iter().all(|k| has_passed(*k)) {
        return Some(Action::Complete);
    }
    None
}

/// The completion rule (SPEC section 1), for a session the caller has locked: while it is
/// `pending`, a failed latest verification of a required kind fails it, and a passed
/// verification of every required kind completes it — through [`transitions`], by the
/// system, with events. `None` when nothing changed.
pub fn settle_in(conn: &mut PgConnection, session: &Session) -> Result<Option<Session>, AppError> {
    if session.status != SessionStatus::Pending || session.redacted_at.is_some() {
        return Ok(None);
    }
    let results = verifications::results(conn, session.id)?;
    match verdict(&session.required_verifications, &results) {
        Some(action) => Ok(Some(transitions::apply_in(
            conn,
            session.id,
            &Transition::new(action, Actor::System),
        )?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: &str, status: &str) -> (VerificationKind, VerificationStatus) {
        (kind.parse().unwrap(), status.parse().unwrap())
    }

    #[test]
    fn every_required_kind_must_pass_and_a_latest_failure_fails() {
        let idv = vec![VerificationKind::Idv];
        let both = vec![VerificationKind::Idv, VerificationKind::Address];
        assert_eq!(verdict(&idv, &[]), None);
        assert_eq!(
            verdict(&idv, &[r("verification/idv", "passed")]),
            Some(Action::Complete)
        );
        assert_eq!(
            verdict(&idv, &[r("verification/idv", "requires_retry")]),
            None
        );
        assert_eq!(
            verdict(&idv, &[r("verification/idv", "failed")]),
            Some(Action::Fail)
        );
        // A retry after a failure supersedes it; a pass after a failure completes.
        assert_eq!(
            verdict(
                &idv,
                &[
                    r("verification/idv", "requires_retry"),
                    r("verification/idv", "failed")
                ]
            ),
            None
        );
        assert_eq!(
            verdict(
                &idv,
                &[
                    r("verification/idv", "passed"),
                    r("verification/idv", "failed")
                ]
            ),
            Some(Action::Complete)
        );
        assert_eq!(verdict(&both, &[r("verification/idv", "passed")]), None);
        assert_eq!(
            verdict(
                &both,
                &[
                    r("verification/address", "passed"),
                    r("verification/idv", "passed")
                ]
            ),
            Some(Action::Complete)
        );
        // A failure of a kind that is not required does not matter.
        assert_eq!(
            verdict(
                &idv,
                &[
                    r("verification/address", "failed"),
                    r("verification/idv", "passed")
                ]
            ),
            Some(Action::Complete)
        );
    }
}
