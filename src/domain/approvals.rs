//! Four eyes: which acts one person may ask for but only a second may carry out
//! (`FOUR_EYES`), and who that second person may be. No I/O here.

use chrono::Duration;
use uuid::Uuid;

use super::kinds::Role;
use super::string_enum;

string_enum! {
    /// What a request asks to be done.
    pub enum ApprovalKind {
        Redaction => "redaction",
        Decline => "decline",
    }
}

string_enum! {
    /// Where a request stands.
    pub enum ApprovalStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        Expired => "expired",
    }
}

/// How long a request waits for its second pair of eyes.
pub fn lifetime() -> Duration {
    Duration::days(7)
}

/// Which acts need a second person (`FOUR_EYES`: `redaction` by default, `redaction,decline`,
/// or `off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FourEyes {
    /// An admin's redaction of a session from the dashboard.
    pub redaction: bool,
    /// A reviewer's decline from the dashboard.
    pub decline: bool,
}

impl Default for FourEyes {
    fn default() -> Self {
        FourEyes {
            redaction: true,
            decline: false,
        }
    }
}

impl FourEyes {
    /// Nothing needs a second person.
    pub const OFF: FourEyes = FourEyes {
        redaction: false,
        decline: false,
    };

    /// Reads the setting: a comma-separated list of `redaction` and `decline`, or `off`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut f = FourEyes::OFF;
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "redaction" => f.redaction = true,
                "decline" => f.decline = true,
                "off" | "none" => {}
                other => {
                    return Err(format!("\"{other}\" is not redaction, decline or off"));
                }
            }
        }
        Ok(f)
    }

    /// Whether `kind` needs a second person.
    pub fn requires(self, kind: ApprovalKind) -> bool {
        match kind {
            ApprovalKind::Redaction => self.redaction,
            ApprovalKind::Decline => self.decline,
        }
    }
}

/// Whether someone of `role` may ask for `kind`.
pub fn may_request(kind: ApprovalKind, role: Role) -> bool {
    match kind {
        ApprovalKind::Redaction => role == Role::Admin,
        ApprovalKind::Decline => role.works_cases(),
    }
}

/// Whether `approver` (of `role`) may approve or reject a request for `kind` that
/// `requester` made: never their own, and only someone who could have asked for it.
pub fn may_decide(kind: ApprovalKind, requester: Uuid, approver: Uuid, role: Role) -> bool {
    requester != approver && may_request(kind, role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_reads_lists_and_off() {
        assert_eq!(FourEyes::parse("redaction"), Ok(FourEyes::default()));
        assert_eq!(
            FourEyes::parse("redaction, decline"),
            Ok(FourEyes {
                redaction: true,
                decline: true
            })
        );
        assert_eq!(FourEyes::parse("off"), Ok(FourEyes::OFF));
        assert!(FourEyes::parse("approve").is_err());
    }

    #[test]
    fn nobody_approves_their_own_request() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(!may_decide(ApprovalKind::Redaction, a, a, Role::Admin));
        assert!(may_decide(ApprovalKind::Redaction, a, b, Role::Admin));
        assert!(!may_decide(ApprovalKind::Redaction, a, b, Role::Reviewer));
        assert!(may_decide(ApprovalKind::Decline, a, b, Role::Reviewer));
        assert!(!may_decide(ApprovalKind::Decline, a, b, Role::Manager));
    }
}
