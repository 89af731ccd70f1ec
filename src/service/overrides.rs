//! Approving over a failed or stale check is an override and needs its reason: the
//! approval's comment (SPEC section 1 lets an approval carry one; here it becomes
//! required). Both faces approve through [`approve`], so the rule is the same for a
//! reviewer and an integrator.

use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::{CheckStatus, Requirement, VerificationKind, VerificationStatus};
use crate::domain::status::Action;
use crate::error::AppError;
use crate::service::transitions::{self, Request};
use crate::service::verifications::{FingerprintKey, stale_fields};
use crate::store::sessions::{self, Session};
use crate::store::verifications::{self, Check, Verification};

/// Why an approval of a session would override its checks: the latest verification of a
/// required kind failed, or went stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concern {
    /// The required kind.
    pub kind: VerificationKind,
    /// Its latest verification's result.
    pub status: VerificationStatus,
    /// The failed required checks, by stable name (`data_consistency`).
    pub failed_checks: Vec<String>,
    /// The entered fields changed since it ran (API names), if any.
    pub stale_fields: Vec<&'static str>,
}

impl Concern {
    /// "verification/idv failed (data_consistency)", "verification/idv is stale
    /// (person.name.last changed)": names and field names, never values.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.status == VerificationStatus::Failed {
            if self.failed_checks.is_empty() {
                parts.push("failed".to_owned());
            } else {
                parts.push(format!("failed ({})", self.failed_checks.join(", ")));
            }
        }
        if !self.stale_fields.is_empty() {
            parts.push(format!(
                "is stale ({} changed since)",
                self.stale_fields.join(", ")
            ));
        }
        format!("{} {}", self.kind, parts.join(" and "))
    }
}

/// The concerns of `session`: for each required kind, its latest verification when it
/// failed or is stale.
pub fn concerns(
    conn: &mut PgConnection,
    session: &Session,
    key: &FingerprintKey,
) -> Result<Vec<Concern>, AppError> {
    let all = verifications::for_session(conn, session.id)?;
    let ids: Vec<Uuid> = latest(&all).map(|v| v.id).collect();
    let checks = verifications::checks_for(conn, &ids)?;
    Ok(concerns_among(session, key, &all, &checks))
}

/// The latest verification of each kind among `newest_first`.
fn latest(newest_first: &[Verification]) -> impl Iterator<Item = &Verification> {
    let mut seen = Vec::new();
    newest_first.iter().filter(move |v| {
        let new = !seen.contains(&v.kind);
        seen.push(v.kind);
        new
    })
}

/// [`concerns`] from verifications already read (newest first, as
/// [`verifications::for_session`] gives them) and their checks: the case page has both and
/// need not read them twice.
pub fn concerns_among(
    session: &Session,
    key: &FingerprintKey,
    newest_first: &[Verification],
    checks: &[Check],
) -> Vec<Concern> {
    let mut out = Vec::new();
    for v in latest(newest_first).filter(|v| session.required_verifications.contains(&v.kind)) {
        let stale = stale_fields(key, v, session);
        if v.status != VerificationStatus::Failed && stale.is_empty() {
            continue;
        }
        out.push(Concern {
            kind: v.kind,
            status: v.status,
            failed_checks: checks
                .iter()
                .filter(|c| {
                    c.verification_id == v.id
                        && c.status == CheckStatus::Failed
                        && c.requirement == Requirement::Required
                })
                .map(|c| c.name.to_string())
                .collect(),
            stale_fields: stale,
        });
    }
    out
}

/// Approves a session in one transaction under its row lock. When the session may be
/// approved and has [`concerns`], an approval without a comment is refused with a 422 on
/// `comment` naming them, and nothing is written.
pub fn approve(
    conn: &mut PgConnection,
    session_id: Uuid,
    request: &Request,
    key: &FingerprintKey,
) -> Result<Session, AppError> {
    conn.transaction(|conn| {
        let has_comment = request
            .comment
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        if request.action == Action::Approve
            && !has_comment
            && let Some(session) = sessions::lock(conn, session_id)?
            && session.redacted_at.is_none()
            && session.status.apply(Action::Approve).is_ok()
        {
            let found = concerns(conn, &session, key)?;
            if !found.is_empty() {
                let named = found
                    .iter()
                    .map(Concern::describe)
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(AppError::field(
                    "comment",
                    format!(
                        "approving over a failed or stale check needs a comment giving the \
                         reason: {named}"
                    ),
                ));
            }
        }
        transitions::apply_in(conn, session_id, request)
    })
}
