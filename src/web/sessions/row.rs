//! One queue row as the queue shows it: masked for managers, waiting time, due time and
//! claim in words.
//!
//! A row borrows the store's row and writes each cell straight into the page when the
//! template asks for it: a page of 50 rows used to build some 750 short strings first,
//! and their allocation was a fifth of the queue page's time.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::directory::Directory;
use crate::domain::person::Masked;
use crate::domain::sla::{Standing, Targets};
use crate::domain::status::SessionStatus;
use crate::store::queue::QueueRow;
use crate::web::format::{Activity, Age, Applicant, Either, Exact, Id, Shown, Until};

/// One row as the template shows it.
pub struct Row<'a> {
    r: &'a QueueRow,
    /// `queue=...`, encoded once for the page, carried by the case link.
    queue_param: &'a str,
    masked: bool,
    now: DateTime<Utc>,
    /// Since when it waits, when it waits and is not redacted.
    since: Option<DateTime<Utc>>,
    /// Its due time against its service level, when waiting.
    due: Option<DateTime<Utc>>,
    assignee: Option<&'a str>,
    /// Against its service level: `due_soon`, `breached`, or empty.
    pub sla: &'static str,
    /// Why it waits, in words (failed checks, who marked it and why); empty otherwise.
    pub reason: String,
}

/// The case link: `/sessions/{id}?queue=...`.
pub struct CaseHref<'a>(Uuid, &'a str);

// A path, a UUID and one form-encoded pair (`queue=...`, whose `&`, `<`, `"` and `'` are
// percent-encoded by `form_urlencoded`): nothing to escape in an attribute.
impl askama::filters::HtmlSafe for CaseHref<'_> {}
// "breached 3 h ago", "due in 5 h": words, digits and spaces only.
impl askama::filters::HtmlSafe for Due {}

impl fmt::Display for CaseHref<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/sessions/{}?{}", self.0, self.1)
    }
}

/// The assignee cell: "Lena · reviewing 5 min", "Lena", or "—".
pub struct Assignee<'a> {
    name: Option<&'a str>,
    reviewing: Option<Age>,
}

impl fmt::Display for Assignee<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name, self.reviewing) {
            (Some(name), Some(age)) => write!(f, "{name} · reviewing {age}"),
            (Some(name), None) => f.write_str(name),
            (None, _) => f.write_str("—"),
        }
    }
}

/// The due time in words: "due in 5 h", "breached 3 h ago".
pub struct Due {
    at: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at <= self.now {
            write!(f, "breached {} ago", Age(self.at, self.now))
        } else {
            write!(f, "due in {}", Until(self.now, self.at))
        }
    }
}

impl<'a> Row<'a> {
    /// `r` as the queue shows it to a viewer who sees personal data `masked` (or not), at
    /// `now`, its link carrying `queue_param`, saying `reason` for why it waits.
    pub(super) fn new(
        r: &'a QueueRow,
        masked: bool,
        now: DateTime<Utc>,
        targets: &Targets,
        queue_param: &'a str,
        names: &'a Directory,
        reason: String,
    ) -> Self {
        let redacted = r.redacted_at.is_some();
        let since = r
            .waiting_since
            .filter(|_| r.status.is_waiting() && !redacted);
        Row {
            r,
            queue_param,
            masked,
            now,
            since,
            due: since.and_then(|t| targets.due(r.status, t)),
            assignee: r
                .assigned_to
                .and_then(|u| names.users.get(&u))
                .map(String::as_str),
            sla: match since.and_then(|t| targets.standing(r.status, t, now)) {
                Some(Standing::Breached) => "breached",
                Some(Standing::DueSoon) => "due_soon",
                _ => "",
            },
            reason,
        }
    }

    /// The session's id (the bulk bar's checkbox).
    pub fn id(&self) -> Id {
        Id(self.r.id)
    }

    /// Personal data gone.
    pub fn redacted(&self) -> bool {
        self.r.redacted_at.is_some()
    }

    /// Status.
    pub fn status(&self) -> SessionStatus {
        self.r.status
    }

    /// Link to the case, carrying the queue.
    pub fn href(&self) -> CaseHref<'a> {
        CaseHref(self.r.id, self.queue_param)
    }

    /// Applicant, masked for managers.
    pub fn applicant(&self) -> Either<Applicant<'a>, &'static str> {
        if self.redacted() {
            return Either::Right("Redacted applicant");
        }
        let r = self.r;
        Either::Left(Applicant {
            names: [
                r.first_name.as_deref(),
                r.middle_name.as_deref(),
                r.last_name.as_deref(),
            ],
            masked: self.masked,
        })
    }

    /// Email, masked for managers; none when redacted or not given.
    pub fn email(&self) -> Option<Either<Masked<'a>, &'a str>> {
        if self.redacted() {
            return None;
        }
        let email = self.r.email.as_deref().filter(|e| !e.is_empty())?;
        Some(if self.masked {
            Either::Left(Masked(email))
        } else {
            Either::Right(email)
        })
    }

    /// Account external id, masked for managers.
    pub fn account(&self) -> Shown<'a> {
        Shown(self.r.external_id.as_deref(), self.masked)
    }

    /// The account's id, for its link.
    pub fn account_id(&self) -> Id {
        Id(self.r.account_id)
    }

    /// "3 d"
    pub fn age(&self) -> Age {
        Age(self.r.created_at, self.now)
    }

    /// Exact creation time.
    pub fn created(&self) -> Exact {
        Exact(self.r.created_at)
    }

    /// Assignee's name, with how long they have been reviewing it.
    pub fn assignee(&self) -> Assignee<'a> {
        let r = self.r;
        Assignee {
            name: self.assignee,
            reviewing: r
                .claimed_at
                .filter(|_| r.status.is_waiting_for_review())
                .map(|at| Age(at, self.now)),
        }
    }

    /// Last activity in words.
    pub fn activity(&self) -> Activity<'a> {
        Activity(self.r.last_activity.as_deref().unwrap_or(""))
    }

    /// Exact time of the last activity.
    pub fn activity_at(&self) -> Exact {
        Exact(self.r.updated_at)
    }

    /// How long it has waited, and since when; none when not waiting.
    pub fn waiting(&self) -> Option<(Age, Exact)> {
        self.since.map(|t| (Age(t, self.now), Exact(t)))
    }

    /// Its due time in words and exactly; none when not waiting or without a target.
    pub fn due(&self) -> Option<(Due, Exact)> {
        self.due.map(|at| (Due { at, now: self.now }, Exact(at)))
    }
}
