//! The pieces of the case page beside its handler ([`super::detail`]): the timeline's and
//! notes' rows, the applicant panel, the links that keep the queue a case was opened from,
//! and the sentences the page says about a case (its concerns, its applicant link, its due
//! time, its claim).

use chrono::Utc;
use uuid::Uuid;

use super::view;
use crate::service::overrides;
use crate::store::events::TimelineCursor;
use crate::web::auth::CurrentUser;
use crate::web::format;

/// One line of the timeline.
pub struct TimelineItem {
    /// "3 d" or "14:02".
    pub when: String,
    /// Exact time.
    pub exact: String,
    /// Who.
    pub actor: String,
    /// What, in words.
    pub what: String,
}

/// A note as shown.
pub struct NoteView {
    /// Author.
    pub author: String,
    /// When.
    pub when: String,
    /// Exact time.
    pub exact: String,
    /// Text, or a placeholder once redacted.
    pub body: String,
}
/// A concern in a reviewer's words: "ID document check failed: Matches the entered
/// data", "ID document check is stale: entered last name changed since".
pub(super) fn concern_words(c: &overrides::Concern) -> String {
    let what = match c.kind {
        crate::domain::kinds::VerificationKind::Idv => "ID document check",
        crate::domain::kinds::VerificationKind::Address => "Proof-of-address check",
    };
    let mut parts = Vec::new();
    if c.status == crate::domain::kinds::VerificationStatus::Failed {
        let names: Vec<&str> = c
            .failed_checks
            .iter()
            .map(|n| {
                n.parse::<crate::domain::engine::CheckName>()
                    .map_or("a check", |n| n.label())
            })
            .collect();
        parts.push(if names.is_empty() {
            "failed".to_owned()
        } else {
            format!("failed: {}", names.join(", "))
        });
    }
    if !c.stale_fields.is_empty() {
        let words: Vec<&str> = c
            .stale_fields
            .iter()
            .map(|f| view::field_words(f))
            .collect();
        parts.push(format!(
            "is stale: entered {} changed since",
            words.join(", ")
        ));
    }
    format!("{what} {}", parts.join("; "))
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The newest applicant link's state, in words.
pub(super) fn link_words(
    link: Option<&crate::store::capture_links::CaptureLink>,
    s: &crate::store::sessions::Session,
    now: chrono::DateTime<Utc>,
) -> String {
    let Some(link) = link else {
        return "No link has been sent. The applicant can complete this session in their browser through a one-time link.".to_owned();
    };
    let issued = format!("issued {} ago", format::age(link.created_at, now));
    if link.revoked_at.is_some() {
        return format!("The last link ({issued}) was replaced and no longer works.");
    }
    if !crate::service::capture::is_live(link, s, now) {
        return format!("The last link ({issued}) has expired.");
    }
    let progress = if link.consented_at.is_some() {
        "the applicant has opened it and consented"
    } else {
        "not opened yet"
    };
    format!(
        "A link is active ({issued}, works until {}): {progress}.",
        format::exact(link.expires_at)
    )
}

/// What the case page offers about the applicant's side.
pub(super) struct ApplicantPanel {
    /// The applicant link's state in words, for a session that waits for its applicant.
    pub(super) words: Option<String>,
    /// The user may issue an applicant link now.
    pub(super) can_link: bool,
    /// Documents the applicant may be asked to replace (id, label), when the session can
    /// be sent back to them.
    pub(super) docs: Vec<(String, String)>,
    /// The reasons a resubmission may give.
    pub(super) reasons: &'static [crate::domain::capture::ResubmissionReason],
}

/// The applicant panel: the link's state (for a session that waits for its applicant),
/// whether the user may issue one, and the documents they may ask the applicant to replace.
pub(super) fn applicant_panel(
    case: &super::case::Case,
    user: &CurrentUser,
    now: chrono::DateTime<Utc>,
) -> ApplicantPanel {
    let s = &case.file.session;
    let awaits = crate::service::capture::awaits_applicant(s, now);
    let can_link = awaits && user.can_work_cases();
    let words = awaits.then(|| link_words(case.file.capture_link.as_ref(), s, now));
    let may_resubmit = user.can_work_cases()
        && s.redacted_at.is_none()
        && s.status
            .apply(crate::domain::status::Action::RequestResubmission)
            .is_ok();
    let docs = if may_resubmit {
        case.file
            .documents
            .iter()
            .filter(|d| case.file.files.iter().any(|f| f.document_id == d.id))
            .map(|d| {
                let label = format!("{} ({})", d.document_type.label(), format::short_id(&d.id));
                (d.id.to_string(), label)
            })
            .collect()
    } else {
        Vec::new()
    };
    ApplicantPanel {
        words,
        can_link,
        docs,
        reasons: crate::domain::capture::ResubmissionReason::ALL,
    }
}

/// The applicant's name as the viewer may see it.
pub(super) fn applicant_name(s: &crate::store::sessions::Session, masked: bool) -> String {
    if s.redacted_at.is_some() {
        return "Redacted applicant".to_owned();
    }
    format::applicant(
        s.person.first_name.as_deref(),
        s.person.middle_name.as_deref(),
        s.person.last_name.as_deref(),
        masked,
    )
}

/// A waiting case's due time in words ("due in 5 h", "breached 3 h ago"), its exact time,
/// and its standing (`on_time`, `due_soon`, `breached`).
pub(super) fn due_words(
    s: &crate::store::sessions::Session,
    targets: &crate::domain::sla::Targets,
    now: chrono::DateTime<Utc>,
) -> Option<(String, String, &'static str)> {
    use crate::domain::sla::Standing;
    let since = s
        .waiting_since
        .filter(|_| s.status.is_waiting() && s.redacted_at.is_none())?;
    let due = targets.due(s.status, since)?;
    let standing = match targets.standing(s.status, since, now)? {
        Standing::Breached => "breached",
        Standing::DueSoon => "due_soon",
        Standing::OnTime => "on_time",
    };
    let words = if due <= now {
        format!("breached its service level {} ago", format::age(due, now))
    } else {
        format!("due in {}", format::until(now, due))
    };
    Some((words, format::exact(due), standing))
}

/// How long the assignee of a waiting case has been reviewing it: " (reviewing for 4 min)".
pub(super) fn claim(s: &crate::store::sessions::Session, now: chrono::DateTime<Utc>) -> String {
    let Some(at) = s.claimed_at.filter(|_| s.status.is_waiting_for_review()) else {
        return String::new();
    };
    match format::age(at, now) {
        a if a == "now" => " (reviewing since just now)".to_owned(),
        a => format!(" (reviewing for {a})"),
    }
}

/// The case page at a page of its timeline, keeping the queue it was opened from.
pub(super) fn events_link(id: Uuid, queue: &str, before: Option<&TimelineCursor>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !queue.is_empty() {
        query.append_pair("queue", queue);
    }
    if let Some(c) = before {
        query.append_pair("events_before", &c.encode());
    }
    let query = query.finish();
    if query.is_empty() {
        format!("/sessions/{id}#timeline-title")
    } else {
        format!("/sessions/{id}?{query}#timeline-title")
    }
}

/// `queue=...`: the queue a case was opened from, as the page's links carry it.
pub(super) fn queue_param(queue: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("queue", queue)
        .finish()
}

/// The link to the timeline's next page, when older events exist than `events` shows.
pub(super) fn older_events_link(
    events: &crate::store::paging::Page<crate::store::events::Event>,
    id: Uuid,
    queue: &str,
) -> Option<String> {
    let last = events.rows.last().filter(|_| events.more)?;
    let cursor = TimelineCursor {
        created_at: last.created_at,
        id: last.id,
    };
    Some(events_link(id, queue, Some(&cursor)))
}
