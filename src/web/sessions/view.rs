//! The case page's view model: what a reviewer sees, already masked for managers, and which
//! actions the session's status and the user's role allow.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::case::Case;
use crate::domain::matching::names_match;
use crate::domain::person::mask;
use crate::domain::status::{Action, SessionStatus};
use crate::service::person::PersonForm;
use crate::web::auth::CurrentUser;
use crate::web::format;

/// One line of the entered-versus-document comparison.
pub struct DataRow {
    /// Field label.
    pub label: &'static str,
    /// What was entered.
    pub entered: String,
    /// What the document says.
    pub extracted: String,
    /// `match`, `mismatch` or `missing` (nothing to compare).
    pub state: &'static str,
}

/// A file in the viewer.
pub struct FileView {
    /// Where the viewer loads it from.
    pub url: String,
    /// `front`, `back`, ...
    pub side: String,
    /// An image the viewer can show.
    pub is_image: bool,
    /// Size, for the label.
    pub size: String,
    /// The bytes are gone.
    pub redacted: bool,
}

/// A document in the viewer.
pub struct DocView {
    /// "passport", "utility bill".
    pub title: String,
    /// `document/idv` or `document/address`.
    pub kind: String,
    /// Processing state.
    pub status: String,
    /// Its files.
    pub files: Vec<FileView>,
}

/// A check in words.
pub struct CheckView {
    /// Stable name.
    pub name: String,
    /// `passed`, `failed`, `not_applicable`.
    pub status: String,
    /// Why.
    pub reasons: Vec<String>,
    /// Whether its failure fails the verification.
    pub required: bool,
}

/// A verification with its checks.
pub struct VerificationView {
    /// Kind.
    pub kind: String,
    /// Result.
    pub status: String,
    /// "2 h"
    pub age: String,
    /// Exact time.
    pub at: String,
    /// Checks in order.
    pub checks: Vec<CheckView>,
}

/// What the user may do on this case now.
#[derive(Default)]
pub struct Actions {
    /// Approve.
    pub approve: bool,
    /// Decline.
    pub decline: bool,
    /// Mark for review.
    pub review: bool,
    /// Expire.
    pub expire: bool,
    /// Take the case.
    pub assign_self: bool,
    /// Let go of the case.
    pub unassign_self: bool,
    /// Give the case to anyone.
    pub assign_any: bool,
    /// Edit personal data.
    pub edit: bool,
    /// Add a note.
    pub note: bool,
}

impl Actions {
    /// Whether any decision form is shown.
    pub fn any_decision(&self) -> bool {
        self.approve || self.decline || self.review || self.expire
    }
}

/// The actions the status and role allow.
pub fn actions(case: &Case, user: &CurrentUser) -> Actions {
    let s = &case.session;
    if s.redacted_at.is_some() {
        return Actions::default();
    }
    let status: Option<SessionStatus> = s.status.parse().ok();
    let allows = |a: Action| status.is_some_and(|st| st.apply(a).is_ok());
    let worker = user.can_work_cases();
    let open = status.is_some_and(|st| !st.is_final());
    Actions {
        approve: worker && allows(Action::Approve),
        decline: worker && allows(Action::Decline),
        review: worker && allows(Action::MarkForReview),
        expire: worker && allows(Action::Expire),
        assign_self: open && worker && s.assigned_to != Some(user.id),
        unassign_self: open && worker && s.assigned_to == Some(user.id),
        assign_any: open && user.can_oversee(),
        edit: worker && open,
        note: true,
    }
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::to_owned).filter(|s| !s.is_empty())
}

/// The data the documents say, from the latest idv verification that extracted any.
pub fn extracted(case: &Case) -> Option<Value> {
    case.verifications
        .iter()
        .filter(|v| v.kind == "verification/idv")
        .find_map(|v| v.extracted.clone())
        .or_else(|| {
            case.documents
                .iter()
                .filter(|d| d.kind == "document/idv")
                .find_map(|d| d.extracted.clone())
        })
}

/// The address the latest address verification read, if any.
fn extracted_address(case: &Case) -> Option<Value> {
    case.verifications
        .iter()
        .filter(|v| v.kind == "verification/address")
        .find_map(|v| v.extracted.as_ref()?.get("address").cloned())
}

/// Street, postal code, city and country on one line, for comparison.
fn address_line(parts: [Option<&str>; 4]) -> Option<String> {
    let line = parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    (!line.is_empty()).then_some(line)
}

/// Entered against extracted, field by field, mismatches marked.
pub fn data_rows(case: &Case, masked: bool) -> Vec<DataRow> {
    let s = &case.session;
    let ex = extracted(case).unwrap_or(Value::Null);
    let entered_first = [
        s.person.first_name.as_deref(),
        s.person.middle_name.as_deref(),
    ]
    .iter()
    .flatten()
    .copied()
    .collect::<Vec<_>>()
    .join(" ");
    let birth = s.person.birth_date.map(|d| d.to_string());
    let rows: Vec<(&'static str, Option<String>, Option<String>, bool)> = vec![
        (
            "Given names",
            Some(entered_first).filter(|v| !v.is_empty()),
            Some(
                [
                    text(&ex, &["name", "first"]),
                    text(&ex, &["name", "middle"]),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            )
            .filter(|v| !v.is_empty()),
            true,
        ),
        (
            "Last name",
            s.person.last_name.clone(),
            text(&ex, &["name", "last"]),
            true,
        ),
        ("Birth date", birth, text(&ex, &["birth_date"]), false),
        (
            "Document number",
            s.person.identity_number.clone(),
            text(&ex, &["document_number"]),
            false,
        ),
        ("Nationality", None, text(&ex, &["nationality"]), false),
        ("Document expiry", None, text(&ex, &["expiry_date"]), false),
        (
            "Address",
            address_line([
                s.person.address_line1.as_deref(),
                s.person.address_postal_code.as_deref(),
                s.person.address_locality.as_deref(),
                s.person.address_country_code.as_deref(),
            ]),
            extracted_address(case).and_then(|a| {
                address_line([
                    text(&a, &["line1"]).as_deref(),
                    text(&a, &["postal_code"]).as_deref(),
                    text(&a, &["locality"]).as_deref(),
                    text(&a, &["country_code"]).as_deref(),
                ])
            }),
            false,
        ),
    ];
    rows.into_iter()
        .map(|(label, entered, found, is_name)| {
            let state = match (&entered, &found) {
                (Some(a), Some(b)) => {
                    let same = if is_name {
                        names_match(a, b)
                    } else {
                        a.trim().eq_ignore_ascii_case(b.trim())
                    };
                    if same { "match" } else { "mismatch" }
                }
                _ => "missing",
            };
            let show = |v: Option<String>| match v {
                None => "—".to_owned(),
                Some(v) if masked => mask(&v),
                Some(v) => v,
            };
            DataRow {
                label,
                entered: show(entered),
                extracted: show(found),
                state,
            }
        })
        .collect()
}

/// The viewer's documents.
pub fn documents(case: &Case, session_id: uuid::Uuid) -> Vec<DocView> {
    case.documents
        .iter()
        .map(|d| DocView {
            title: d.document_type.replace('_', " "),
            kind: d.kind.clone(),
            status: d.status.clone(),
            files: case
                .files
                .iter()
                .filter(|f| f.document_id == d.id)
                .map(|f| FileView {
                    url: format!("/sessions/{session_id}/files/{}", f.id),
                    side: f.side.clone(),
                    is_image: f.content_type.starts_with("image/"),
                    size: if f.byte_size >= 1024 * 1024 {
                        format!("{:.1} MB", f.byte_size as f64 / (1024.0 * 1024.0))
                    } else {
                        format!("{} KB", (f.byte_size + 1023) / 1024)
                    },
                    redacted: case.session.redacted_at.is_some(),
                })
                .collect(),
        })
        .collect()
}

/// The verifications with their checks.
pub fn verifications(case: &Case, now: DateTime<Utc>) -> Vec<VerificationView> {
    case.verifications
        .iter()
        .map(|v| VerificationView {
            kind: v.kind.clone(),
            status: v.status.clone(),
            age: format::age(v.created_at, now),
            at: format::exact(v.created_at),
            checks: case
                .checks
                .iter()
                .filter(|c| c.verification_id == v.id)
                .map(|c| CheckView {
                    name: check_label(&c.name),
                    status: c.status.clone(),
                    reasons: c.reasons.clone(),
                    required: c.requirement == "required",
                })
                .collect(),
        })
        .collect()
}

/// The edit form filled with what the session holds now.
pub fn person_form(case: &Case) -> PersonForm {
    PersonForm::of(&case.session.person)
}

/// A check's name as a reviewer reads it.
pub fn check_label(name: &str) -> String {
    match name {
        "mrz_format" => "MRZ layout",
        "mrz_check_digits" => "MRZ check digits",
        "document_not_expired" => "Document not expired",
        "minimum_age" => "Minimum age",
        "data_consistency" => "Matches the entered data",
        "image_readable" => "Image readable",
        "document_recent" => "Issued recently",
        "name_matches_session" => "Name matches the applicant",
        "address_present" => "Address present",
        other => return other.replace('_', " "),
    }
    .to_owned()
}
