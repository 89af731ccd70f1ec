//! Audit events in words, shared by the audit log and the case page's timeline: who did it
//! ([`ActorNames`]) and what happened ([`describe`]). Events carry field names, ids and codes,
//! never applicant data (SPEC section 2), and the words add nothing but names of users and
//! API keys: a code that does not look like one is left out rather than shown.

use serde_json::Value;

use crate::domain::code_words;
use crate::domain::kinds::{ActorType, DeclineReason};
use crate::store::events::Event;
use words::{document_label, field_label, sign_in_reason};

mod names;
mod words;

pub use names::ActorNames;
use names::detail_id;

/// Every action Session Desk records, for the audit log's action filter.
pub const KNOWN_ACTIONS: &[&str] = &[
    "session.created",
    "session.viewed",
    "capture_link.created",
    "capture.consented",
    "session.started",
    "session.person_updated",
    "session.expiry_changed",
    "session.auto_updated",
    "document.created",
    "document.file_uploaded",
    "document.viewed",
    "session.submitted",
    "verification.completed",
    "session.completed",
    "session.failed",
    "session.assigned",
    "session.unassigned",
    "note.added",
    "session.marked_for_review",
    "session.approved",
    "session.declined",
    "session.expired",
    "session.resubmission_requested",
    "session.sla_breached",
    "redaction.requested",
    "redaction.approved",
    "redaction.rejected",
    "redaction.withdrawn",
    "redaction.expired",
    "decline.requested",
    "decline.approved",
    "decline.rejected",
    "decline.withdrawn",
    "decline.expired",
    "session.redacted",
    "account.redacted",
    "sessions.exported",
    "bulk.requested",
    "bulk.cancelled",
    "bulk.finished",
    "user.signed_in",
    "user.sign_in_failed",
    "user.signed_out",
    "user.created",
    "user.role_changed",
    "user.disabled",
    "user.enabled",
    "user.password_reset",
    "user.password_changed",
    "user.mfa_enrolment_started",
    "user.mfa_enabled",
    "user.password_accepted",
    "user.mfa_reset",
    "api_key.created",
    "api_key.revoked",
    "api_key.revoked_key_used",
    "api_key.forbidden",
    "api_key.unknown",
    "webhook_endpoint.created",
    "webhook_endpoint.updated",
    "webhook_endpoint.enabled",
    "webhook_endpoint.disabled",
    "webhook_endpoint.deleted",
    "webhook_endpoint.secret_rotated",
    "webhook_endpoint.test_sent",
    "webhook_endpoint.replayed",
    "webhook_delivery.redelivered",
];

/// A details value that is a code (`front`, `document_expired`, `verification/idv`): short
/// lowercase ASCII. Anything else is not shown, so no free text can leak into the words.
fn code(value: &str) -> Option<&str> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_./:-".contains(&b));
    ok.then_some(value)
}

fn detail<'a>(event: &'a Event, key: &str) -> Option<&'a str> {
    event
        .details
        .get(key)
        .and_then(Value::as_str)
        .and_then(code)
}

fn codes<'a>(event: &'a Event, key: &str) -> Vec<&'a str> {
    event
        .details
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(code)
                .collect()
        })
        .unwrap_or_default()
}

/// A details value that is an RFC 3339 time, in words (`2026-12-24 08:00 UTC`); anything
/// else is not shown.
fn detail_time(event: &Event, key: &str) -> Option<String> {
    let raw = event.details.get(key).and_then(Value::as_str)?;
    let t = chrono::DateTime::parse_from_rfc3339(raw).ok()?;
    Some(t.to_utc().format("%Y-%m-%d %H:%M UTC").to_string())
}

fn file_words(event: &Event) -> &'static str {
    match detail(event, "side") {
        Some("front") => "the front of a document",
        Some("back") => "the back of a document",
        Some("portrait") => "a portrait photo",
        Some("page") => "a page of a document",
        _ => "a document file",
    }
}

fn role_change(event: &Event, whose: &str) -> String {
    match (detail(event, "from"), detail(event, "to")) {
        (Some(from), Some(to)) => format!("changed {whose} role from {from} to {to}"),
        (None, Some(to)) => format!("changed {whose} role to {to}"),
        _ => format!("changed {whose} role"),
    }
}

fn decision(event: &Event, verb: &str) -> String {
    let mut words = format!("{verb} the session");
    if let Some(reason) = detail(event, "reason") {
        let label = match reason.parse::<DeclineReason>() {
            Ok(r) => r.label().to_lowercase(),
            Err(_) => code_words(reason),
        };
        words.push_str(&format!(" ({label})"));
    }
    if event.details.get("comment").and_then(Value::as_bool) == Some(true) {
        words.push_str(", with a comment");
    }
    words
}

/// "webhook endpoint 1a2b3c4d": the endpoint an event names, by its short id.
fn endpoint_words(event: &Event) -> String {
    match detail_id(event, "endpoint_id") {
        Some(id) => format!("webhook endpoint {}", crate::web::format::short_id(&id)),
        None => "a webhook endpoint".to_owned(),
    }
}

/// The words of the webhook actions; `None` for an unknown one.
fn webhook_words(event: &Event) -> Option<String> {
    let endpoint = endpoint_words(event);
    Some(match event.action.as_str() {
        "webhook_endpoint.created" => match event.details.get("events").and_then(Value::as_array) {
            Some(events) if events.len() == 1 => format!("added {endpoint} for 1 event type"),
            Some(events) => format!("added {endpoint} for {} event types", events.len()),
            None => format!("added {endpoint} for every event"),
        },
        "webhook_endpoint.updated" => {
            let fields = codes(event, "fields");
            if fields.is_empty() {
                format!("changed {endpoint}")
            } else {
                format!("changed {endpoint}: {}", fields.join(", "))
            }
        }
        "webhook_endpoint.enabled" => format!("enabled {endpoint}"),
        "webhook_endpoint.disabled" => match detail(event, "reason") {
            Some("gone") => format!("disabled {endpoint}: it answered 410 Gone"),
            Some("failing") => format!("disabled {endpoint}: every delivery failed for 5 days"),
            _ => format!("disabled {endpoint}"),
        },
        "webhook_endpoint.deleted" => format!("deleted {endpoint}"),
        "webhook_endpoint.secret_rotated" => format!("rotated the signing secret of {endpoint}"),
        "webhook_endpoint.test_sent" => format!("sent a test event to {endpoint}"),
        "webhook_endpoint.replayed" => {
            match event.details.get("deliveries").and_then(Value::as_u64) {
                Some(1) => format!("replayed 1 failed delivery to {endpoint}"),
                Some(n) => format!("replayed {n} failed deliveries to {endpoint}"),
                None => format!("replayed failed deliveries to {endpoint}"),
            }
        }
        "webhook_delivery.redelivered" => format!("redelivered a delivery to {endpoint}"),
        _ => return None,
    })
}

/// A four-eyes step in words: "asked for a redaction (needs a second admin)", "approved
/// Ada's request to decline (document expired)".
fn approval_words(event: &Event, names: &ActorNames) -> Option<String> {
    let (kind, step) = event.action.split_once('.')?;
    let what = match kind {
        "redaction" => "redaction".to_owned(),
        _ => match detail(event, "reason")
            .and_then(|r| r.parse::<crate::domain::kinds::DeclineReason>().ok())
        {
            Some(r) => format!("decline ({})", r.label()),
            None => "decline".to_owned(),
        },
    };
    let whose = names
        .user_in(event, "requested_by")
        .map_or_else(|| "the".to_owned(), |n| format!("{n}'s"));
    Some(match step {
        "requested" => format!("asked for a {what}, which needs a second person's approval"),
        "approved" => format!("approved {whose} request for a {what}"),
        "rejected" => format!("rejected {whose} request for a {what}"),
        "withdrawn" => format!("withdrew their request for a {what}"),
        "expired" => format!("let the request for a {what} expire after 7 days"),
        _ => return None,
    })
}

/// A CSV export in words: how many rows, of which queue, and whether it was finished.
/// The events of a team's work over many cases: breaches, exports, bulk changes.
fn is_team_work(action: &str) -> bool {
    action == "session.sla_breached" || action == "sessions.exported" || action.starts_with("bulk.")
}

/// [`is_team_work`]'s events in words.
fn team_words(event: &Event) -> String {
    match event.action.as_str() {
        "session.sla_breached" => breach_words(event),
        "sessions.exported" => export_words(event),
        _ => bulk_words(event),
    }
}

/// A bulk change's events: what, how many, and how it ended.
fn bulk_words(event: &Event) -> String {
    let number = |key: &str| event.details.get(key).and_then(Value::as_i64);
    let what = match detail(event, "action") {
        Some("assign") => "assign",
        Some("unassign") => "unassign",
        Some("mark_for_review") => "mark for review",
        Some("expire") => "expire",
        Some("note") => "add a note to",
        _ => "change",
    };
    let how_many = match number("sessions") {
        Some(n) => format!(
            "{} session{}",
            crate::web::format::thousands(n),
            if n == 1 { "" } else { "s" }
        ),
        None => "every session matching a filter".to_owned(),
    };
    match event.action.as_str() {
        "bulk.requested" => format!("asked to {what} {how_many} in bulk"),
        "bulk.cancelled" => "cancelled a bulk change".to_owned(),
        _ => {
            let mut words = format!(
                "bulk change finished: {} changed, {} refused",
                number("changed").unwrap_or(0),
                number("refused").unwrap_or(0)
            );
            if event.details.get("cancelled").and_then(Value::as_bool) == Some(true) {
                words.push_str(", cancelled before the end");
            }
            words
        }
    }
}

fn export_words(event: &Event) -> String {
    let rows = event
        .details
        .get("rows")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    // Written by the export from the parsed filters (never the search): shown as it is.
    let query = event
        .details
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut words = format!(
        "exported {} session{} to CSV",
        crate::web::format::thousands(rows),
        if rows == 1 { "" } else { "s" }
    );
    if !query.is_empty() {
        words.push_str(&format!(" ({query})"));
    }
    if event.details.get("searched").and_then(Value::as_bool) == Some(true) {
        words.push_str(", with a search");
    }
    if event.details.get("finished").and_then(Value::as_bool) == Some(false) {
        words.push_str(", abandoned before the end");
    }
    words
}

/// A service-level breach in words: when it was due, and the target of the status.
fn breach_words(event: &Event) -> String {
    let status = detail(event, "status")
        .and_then(|s| s.parse::<crate::domain::status::SessionStatus>().ok())
        .map(|s| s.label());
    let target = event.details.get("target_hours").and_then(Value::as_i64);
    match (detail_time(event, "due_at"), status, target) {
        (Some(due), Some(status), Some(hours)) => {
            format!("recorded a service-level breach: due {due}, {hours} h for {status}")
        }
        (Some(due), _, _) => format!("recorded a service-level breach: due {due}"),
        _ => "recorded a service-level breach".to_owned(),
    }
}

/// What happened, in words, to follow the actor's name: "approved the session", "changed
/// personal data: first name, email". Unknown actions fall back to the action name.
pub fn describe(event: &Event, names: &ActorNames) -> String {
    // Whether the details name the actor themselves (an assignment to self).
    let own = |key: &str| event.actor_id.is_some() && detail_id(event, key) == event.actor_id;
    // The user an admin acted on: "Omar Haddad", "an unknown user", or `None` if unnamed.
    let target = || names.user_in(event, "user_id");
    match event.action.as_str() {
        "session.created" => "created the session".to_owned(),
        "session.started" => "started the session".to_owned(),
        "capture_link.created" => {
            if event
                .details
                .get("resubmission_id")
                .is_some_and(|v| !v.is_null())
            {
                "sent the applicant a link to replace a document".to_owned()
            } else if event.details.get("revoked_previous") == Some(&Value::Bool(true)) {
                "created a new applicant link (the previous one no longer works)".to_owned()
            } else {
                "created an applicant link".to_owned()
            }
        }
        "capture.consented" => match detail(event, "version") {
            Some(v) => format!("opened the link and agreed to the privacy notice (version {v})"),
            None => "opened the link and agreed to the privacy notice".to_owned(),
        },
        "session.person_updated" => {
            let fields: Vec<&str> = codes(event, "fields")
                .into_iter()
                .map(|f| field_label(f).unwrap_or(f))
                .collect();
            if fields.is_empty() {
                "changed personal data".to_owned()
            } else {
                format!("changed personal data: {}", fields.join(", "))
            }
        }
        "session.expiry_changed" => match detail_time(event, "to") {
            Some(to) => format!("moved the session's expiry to {to}"),
            None => "moved the session's expiry".to_owned(),
        },
        "session.auto_updated" => {
            let fields: Vec<&str> = codes(event, "fields")
                .into_iter()
                .map(|f| field_label(f).unwrap_or(f))
                .collect();
            format!("filled from a verified document: {}", fields.join(", "))
        }
        "document.created" => match detail(event, "document_type").and_then(document_label) {
            Some(label) => format!("added a {label}"),
            None => "added a document".to_owned(),
        },
        "document.file_uploaded" => format!("uploaded {}", file_words(event)),
        "document.viewed" => format!("viewed {}", file_words(event)),
        "session.submitted" => "submitted the session".to_owned(),
        "verification.completed" => {
            let kind = detail(event, "kind").unwrap_or("a verification");
            let mut words = format!("ran {kind}");
            if let Some(status) = detail(event, "status") {
                words.push_str(&format!(": {}", code_words(status)));
            }
            let failed = codes(event, "failed_checks");
            if !failed.is_empty() {
                words.push_str(&format!(" ({})", failed.join(", ")));
            }
            words
        }
        "session.completed" => "completed the session".to_owned(),
        "session.failed" => "marked the session as failed".to_owned(),
        "session.assigned" if detail(event, "via") == Some("take_over") => {
            names.user_in(event, "previous").map_or_else(
                || "took the case over".to_owned(),
                |p| format!("took the case over from {p}"),
            )
        }
        "session.assigned" => {
            let to = if own("assignee") {
                Some("themselves".to_owned())
            } else {
                names.user_in(event, "assignee")
            };
            let mut words = match to {
                Some(to) => format!("assigned the session to {to}"),
                None => "assigned the session".to_owned(),
            };
            if let Some(previous) = names.user_in(event, "previous") {
                words.push_str(&format!(" (previously {previous})"));
            }
            words
        }
        "session.unassigned" => match names.user_in(event, "previous") {
            Some(_) if own("previous") => "unassigned themselves from the session".to_owned(),
            Some(previous) => format!("unassigned {previous} from the session"),
            None => "unassigned the session".to_owned(),
        },
        "note.added" => "added a note".to_owned(),
        "session.marked_for_review" => match detail(event, "reason")
            .and_then(crate::web::sessions::triage::review_reason_words)
        {
            Some(words) => format!("marked the session for review ({words})"),
            None => "marked the session for review".to_owned(),
        },
        "session.approved" => decision(event, "approved"),
        "session.declined" => decision(event, "declined"),
        "session.expired" => "expired the session".to_owned(),
        "session.resubmission_requested" => {
            let why = detail(event, "reason")
                .and_then(|r| r.parse::<crate::domain::capture::ResubmissionReason>().ok())
                .map(|r| format!(" ({})", r.label()))
                .unwrap_or_default();
            format!("asked the applicant for a new photo{why}")
        }
        a if is_team_work(a) => team_words(event),
        a if a.starts_with("redaction.") || a.starts_with("decline.") => {
            approval_words(event, names).unwrap_or_else(|| a.to_owned())
        }
        "session.redacted" => match detail(event, "via") {
            Some("retention") => {
                "redacted the session's personal data (retention policy)".to_owned()
            }
            Some("account") => "redacted the session's personal data with its account".to_owned(),
            _ => "redacted the session's personal data".to_owned(),
        },
        "account.redacted" => match event.details.get("sessions").and_then(Value::as_u64) {
            Some(1) => "redacted an account (1 session)".to_owned(),
            Some(n) => format!("redacted an account ({n} sessions)"),
            None => "redacted an account".to_owned(),
        },
        "user.signed_in" => match event.details.get("second_factor").and_then(Value::as_str) {
            Some("recovery_code") => match event
                .details
                .get("recovery_codes_left")
                .and_then(Value::as_u64)
            {
                Some(n) => format!("signed in with a recovery code ({n} left)"),
                None => "signed in with a recovery code".to_owned(),
            },
            Some("totp_enrolled") => "signed in, setting up two-step sign-in".to_owned(),
            Some(_) => "signed in with two-step sign-in".to_owned(),
            None => "signed in".to_owned(),
        },
        "user.signed_out" => "signed out".to_owned(),
        "user.sign_in_failed" => match detail(event, "reason") {
            Some(reason) => format!("failed to sign in ({})", sign_in_reason(reason)),
            None => "failed to sign in".to_owned(),
        },
        "user.created" => {
            let mut words = match target() {
                Some(who) => format!("created the user {who}"),
                None => "created a user".to_owned(),
            };
            if let Some(role) = detail(event, "role") {
                words.push_str(&format!(" as {role}"));
            }
            words
        }
        "user.role_changed" => match target() {
            Some(who) => role_change(event, &format!("{who}'s")),
            None => role_change(event, "a user's"),
        },
        "user.disabled" => format!("disabled {}", target().unwrap_or_else(|| "a user".into())),
        "user.enabled" => format!("enabled {}", target().unwrap_or_else(|| "a user".into())),
        "user.password_reset" => match target() {
            Some(who) => format!("reset {who}'s password"),
            None => "reset a user's password".to_owned(),
        },
        "user.password_changed" => match target() {
            Some(who) if !own("user_id") => format!("changed {who}'s password"),
            _ => "changed their password".to_owned(),
        },
        "user.mfa_enrolment_started" => "started setting up two-step sign-in".to_owned(),
        "user.mfa_enabled" => "turned on two-step sign-in".to_owned(),
        "user.password_accepted" => "gave their password; two-step sign-in followed".to_owned(),
        "user.mfa_reset" => match target() {
            Some(who) => format!("reset {who}'s two-step sign-in"),
            None => "reset a user's two-step sign-in".to_owned(),
        },
        "api_key.created" => match names.key_in(event) {
            Some(key) => format!("created {key}"),
            None => "created an API key".to_owned(),
        },
        "api_key.revoked" => match names.key_in(event) {
            Some(key) => format!("revoked {key}"),
            None => "revoked an API key".to_owned(),
        },
        "api_key.revoked_key_used" => match names.key_in(event) {
            Some(key) => format!("refused a request made with revoked {key}"),
            None if event.actor_type == ActorType::ApiKey => {
                "made a request after the key was revoked (refused)".to_owned()
            }
            None => "refused a request made with a revoked API key".to_owned(),
        },
        "session.viewed" => "viewed the case".to_owned(),
        "api_key.forbidden" => match detail(event, "permission") {
            Some(permission) => format!("was refused a request that needs {permission}"),
            None => "was refused a request it lacks the permission for".to_owned(),
        },
        "api_key.unknown" => "refused a request with an unknown API key".to_owned(),
        action if action.starts_with("webhook_") => {
            webhook_words(event).unwrap_or_else(|| action.to_owned())
        }
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests;
