//! What the queue says about itself: why each waiting row waits, and which filters are in
//! force (as chips, each with a link that removes it).

use uuid::Uuid;

use super::query::QueueParams;
use crate::domain::directory::Directory;
use crate::domain::engine::CheckName;
use crate::domain::kinds::ReviewReason;
use crate::domain::status::SessionStatus;
use crate::store::queue::{QueueRow, WaitReason};

/// One filter in force: "Status: completed, marked for review ×".
pub struct ActiveFilter {
    /// "Status: completed, marked for review".
    pub label: String,
    /// The queue without this filter.
    pub remove_href: String,
}

/// A mark for review's reason code in words ("glare on the document"). The event holds a
/// code from [`ReviewReason`]; anything else shows only if it reads as a code itself
/// (lowercase letters and underscores), never as free text.
pub fn review_reason_words(code: &str) -> Option<String> {
    match code.parse::<ReviewReason>() {
        Ok(r) => Some(r.label().to_owned()),
        Err(_) if !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            Some(code.replace('_', " "))
        }
        Err(_) => None,
    }
}

/// Why a waiting row waits: "Marked for review by Lena: glare · Failed: MRZ check digits";
/// "Ready for a decision" for a completed one with nothing failed. Empty for other statuses.
pub fn reason(row: &QueueRow, why: Option<&WaitReason>, names: &Directory) -> String {
    if !row.status.is_waiting() || row.redacted_at.is_some() {
        return String::new();
    }
    // Written into one string: a page of 50 rows used to build and join some 300 parts.
    let mut out = String::with_capacity(96);
    if row.status == SessionStatus::MarkedForReview {
        out.push_str("Marked for review");
        let by = why.and_then(|w| match w.marked_by_type.as_deref() {
            Some("user") => w
                .marked_by_id
                .and_then(|id| names.users.get(&id))
                .map(String::as_str),
            Some("api_key") => Some("an API key"),
            Some("system") => Some("the system"),
            _ => None,
        });
        if let Some(by) = by {
            out.push_str(" by ");
            out.push_str(by);
        }
        if let Some(words) = why
            .and_then(|w| w.mark_reason.as_deref())
            .and_then(review_reason_words)
        {
            out.push_str(": ");
            out.push_str(&words);
        }
    }
    let failed = why
        .and_then(|w| w.failed_checks.as_deref())
        .unwrap_or_default();
    let next = |out: &mut String| {
        if !out.is_empty() {
            out.push_str(" · ");
        }
    };
    if !failed.is_empty() {
        next(&mut out);
        out.push_str("Failed: ");
        for (i, name) in failed.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            // A check's name in words; one this version does not know, as it reads.
            match name.parse::<CheckName>() {
                Ok(c) => out.push_str(c.label()),
                Err(_) => out.push_str(&name.replace('_', " ")),
            }
        }
    } else if row.status == SessionStatus::Completed {
        next(&mut out);
        out.push_str("Ready for a decision: no failed check");
    } else if row.status == SessionStatus::Failed {
        next(&mut out);
        out.push_str("Failed without a failed check on record");
    }
    out
}

/// A service-level target in words: "2 days", "36 hours", "1 hour".
pub fn hours_in_words(hours: i64) -> String {
    if hours > 0 && hours % 24 == 0 {
        let d = hours / 24;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else {
        format!("{hours} hour{}", if hours == 1 { "" } else { "s" })
    }
}

/// The targets in words, for the note above the queue: "1 day for completed and marked for
/// review, 2 days for failed".
pub fn targets_in_words(t: &crate::domain::sla::Targets) -> String {
    let mut groups: Vec<(i64, Vec<&str>)> = Vec::new();
    for (hours, label) in [
        (t.completed, "completed"),
        (t.marked_for_review, "marked for review"),
        (t.failed, "failed"),
    ] {
        match groups.iter_mut().find(|(h, _)| *h == hours) {
            Some((_, labels)) => labels.push(label),
            None => groups.push((hours, vec![label])),
        }
    }
    if groups.len() == 1 {
        return format!("{} in every waiting status", hours_in_words(t.completed));
    }
    groups
        .iter()
        .map(|(h, labels)| format!("{} for {}", hours_in_words(*h), labels.join(" and ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The filters in force, each with the link that removes it.
pub fn active_filters(p: &QueueParams, users: &[(Uuid, String)]) -> Vec<ActiveFilter> {
    let mut out = Vec::new();
    let mut add = |key: &str, label: String| {
        out.push(ActiveFilter {
            label,
            remove_href: format!("/sessions?{}", p.without(key).filter_query()),
        });
    };
    if !p.statuses.is_empty() {
        let names: Vec<&str> = p
            .statuses
            .iter()
            .map(|s| s.parse::<SessionStatus>().map_or(s.as_str(), |s| s.label()))
            .collect();
        add("status", format!("Status: {}", names.join(", ")));
    }
    if !p.q.is_empty() {
        add("q", format!("Search: {}", p.q));
    }
    if !p.account.is_empty() {
        add("account", format!("Account: {}", p.account));
    }
    if !p.assignee.is_empty() {
        let who = match p.assignee.as_str() {
            "me" => "me".to_owned(),
            "unassigned" => "nobody".to_owned(),
            other => Uuid::parse_str(other)
                .ok()
                .and_then(|id| users.iter().find(|(u, _)| *u == id))
                .map_or_else(|| other.to_owned(), |(_, name)| name.clone()),
        };
        add("assignee", format!("Assignee: {who}"));
    }
    if !p.created_from.is_empty() {
        add("created_from", format!("Created from: {}", p.created_from));
    }
    if !p.created_to.is_empty() {
        add("created_to", format!("Created to: {}", p.created_to));
    }
    match p.redacted.as_str() {
        "only" => add("redacted", "Redacted only".to_owned()),
        "exclude" => add("redacted", "Redacted: left out".to_owned()),
        _ => {}
    }
    if let Some(sla) = crate::domain::sla::SlaFilter::parse(&p.sla) {
        add("sla", format!("Service level: {}", sla.label()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_reasons_read_in_words_and_free_text_never_shows() {
        assert_eq!(
            review_reason_words("glare").as_deref(),
            Some("glare on the document")
        );
        assert_eq!(
            review_reason_words("needs_second_opinion").as_deref(),
            Some("needs a second opinion")
        );
        assert_eq!(
            review_reason_words("some_new_code").as_deref(),
            Some("some new code")
        );
        assert_eq!(review_reason_words("Anna Svensson's passport"), None);
        assert_eq!(review_reason_words(""), None);
    }

    #[test]
    fn a_wait_reason_reads_as_one_sentence_of_its_parts() {
        use crate::store::queue::{QueueRow, WaitReason};
        let lena = Uuid::new_v4();
        let row = |status| QueueRow {
            id: Uuid::new_v4(),
            status,
            first_name: None,
            middle_name: None,
            last_name: None,
            email: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            last_activity: None,
            assigned_to: None,
            redacted_at: None,
            account_id: Uuid::new_v4(),
            external_id: None,
            waiting_since: None,
            claimed_at: None,
            hits: -1,
        };
        let names = Directory {
            users: [(lena, "Lena".to_owned())].into(),
            api_keys: Default::default(),
        };
        let marked = row(SessionStatus::MarkedForReview);
        let why = WaitReason {
            session_id: marked.id,
            failed_checks: Some(vec!["mrz_check_digits".into(), "some_new_check".into()]),
            marked_by_type: Some("user".into()),
            marked_by_id: Some(lena),
            mark_reason: Some("glare".into()),
        };
        assert_eq!(
            reason(&marked, Some(&why), &names),
            "Marked for review by Lena: glare on the document · Failed: MRZ check digits, \
             some new check"
        );
        assert_eq!(reason(&marked, None, &names), "Marked for review");
        let completed = row(SessionStatus::Completed);
        assert_eq!(
            reason(&completed, None, &names),
            "Ready for a decision: no failed check"
        );
        let failed = row(SessionStatus::Failed);
        assert_eq!(
            reason(&failed, None, &names),
            "Failed without a failed check on record"
        );
        assert_eq!(
            reason(&row(SessionStatus::Approved), Some(&why), &names),
            ""
        );
    }

    #[test]
    fn targets_read_grouped() {
        let mut t = crate::domain::sla::Targets::default();
        assert_eq!(targets_in_words(&t), "1 day in every waiting status");
        t.failed = 48;
        assert_eq!(
            targets_in_words(&t),
            "1 day for completed and marked for review, 2 days for failed"
        );
    }

    #[test]
    fn thresholds_read_as_days_or_hours() {
        assert_eq!(hours_in_words(48), "2 days");
        assert_eq!(hours_in_words(24), "1 day");
        assert_eq!(hours_in_words(36), "36 hours");
    }
}
