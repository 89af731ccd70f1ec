//! The case page's view model: what a reviewer sees, already masked for managers, and which
//! actions the session's status and the user's role allow.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::case::Case;
use super::zone;
use crate::domain::actor::CaseState;

use crate::domain::kinds::{
    CheckStatus, DocumentKind, DocumentStatus, FileSide, Requirement, VerificationKind,
    VerificationStatus,
};
use crate::domain::matching::names_match;
use crate::domain::person::mask;
use crate::domain::status::Action;
use crate::service::person::PersonForm;
use crate::service::person::from_document::{DocumentField, document_data};
use crate::service::verifications::{FingerprintKey, stale_fields};
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
    /// On a mismatch the entered value can be set to the document's: the row's code for
    /// the "use the document's value" form ([`DocumentField::code`]).
    pub fix: Option<&'static str>,
}

/// A file in the viewer.
pub struct FileView {
    /// Where the viewer loads it from.
    pub url: String,
    /// `front`, `back`, ...
    pub side: FileSide,
    /// An image the viewer can show as it is (otherwise a PDF, shown as rendered pages).
    pub is_image: bool,
    /// A PDF's first pages rendered to one PNG, for the viewer.
    pub preview_url: String,
    /// Size, for the label.
    pub size: String,
    /// The bytes are gone.
    pub redacted: bool,
}

/// A document in the viewer.
pub struct DocView {
    /// "passport", "utility bill".
    pub title: &'static str,
    /// `document/idv` or `document/address`.
    pub kind: DocumentKind,
    /// Processing state.
    pub status: DocumentStatus,
    /// Its files.
    pub files: Vec<FileView>,
}

/// A check in words.
pub struct CheckView {
    /// The check's name in words.
    pub name: &'static str,
    /// `passed`, `failed`, `not_applicable`.
    pub status: CheckStatus,
    /// Why.
    pub reasons: Vec<String>,
    /// Whether its failure fails the verification.
    pub required: bool,
}

/// A verification with its checks.
pub struct VerificationView {
    /// Kind.
    pub kind: VerificationKind,
    /// Result.
    pub status: VerificationStatus,
    /// "2 h"
    pub age: String,
    /// Exact time.
    pub at: String,
    /// Checks in order.
    pub checks: Vec<CheckView>,
    /// The entered fields changed since it ran, in words ("last name"); empty when current.
    pub stale: Vec<&'static str>,
    /// The zone read from the photo beside the one sent (ID verifications that read one;
    /// never for a masked viewer).
    pub zone: Option<zone::ZoneView>,
}

impl VerificationView {
    /// "entered last name, birth date changed since": the stale mark's text.
    pub fn stale_text(&self) -> String {
        format!("stale: entered {} changed since", self.stale.join(", "))
    }
}

/// A field's words ("last name") from its API name, for flashes and marks.
pub fn field_words(api: &str) -> &'static str {
    crate::domain::person::Field::named(api).map_or("personal data", |f| f.words)
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

/// The actions the status and role allow, as the domain says who may work a case.
pub fn actions(case: &Case, user: &CurrentUser) -> Actions {
    let s = &case.file.session;
    if s.redacted_at.is_some() {
        return Actions::default();
    }
    let state = CaseState {
        status: s.status,
        redacted: false,
        assignee: s.assigned_to,
    };
    let me = user.worker();
    Actions {
        approve: me.may_apply(state, Action::Approve),
        decline: me.may_apply(state, Action::Decline),
        review: me.may_apply(state, Action::MarkForReview),
        expire: me.may_apply(state, Action::Expire),
        assign_self: me.may_take(state),
        unassign_self: me.may_let_go(state),
        assign_any: me.may_assign_anyone(state),
        edit: me.may_edit(state),
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

/// The data the documents say, from the latest idv verification that extracted any: the
/// same the "use the document's value" form writes.
pub fn extracted(case: &Case) -> Option<Value> {
    document_data(&case.file.verifications, &case.file.documents)
}

/// The address the latest address verification read, if any.
fn extracted_address(case: &Case) -> Option<Value> {
    case.file
        .verifications
        .iter()
        .filter(|v| v.kind == VerificationKind::Address)
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
    let s = &case.file.session;
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
    type Row = (
        &'static str,
        Option<String>,
        Option<String>,
        bool,
        Option<DocumentField>,
    );
    let rows: Vec<Row> = vec![
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
            Some(DocumentField::GivenNames),
        ),
        (
            "Last name",
            s.person.last_name.clone(),
            text(&ex, &["name", "last"]),
            true,
            Some(DocumentField::LastName),
        ),
        (
            "Birth date",
            birth,
            text(&ex, &["birth_date"]),
            false,
            Some(DocumentField::BirthDate),
        ),
        (
            "Document number",
            s.person.identity_number.clone(),
            text(&ex, &["document_number"]),
            false,
            Some(DocumentField::DocumentNumber),
        ),
        (
            "Nationality",
            None,
            text(&ex, &["nationality"]),
            false,
            None,
        ),
        (
            "Document expiry",
            None,
            text(&ex, &["expiry_date"]),
            false,
            None,
        ),
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
            None,
        ),
    ];
    rows.into_iter()
        .map(|(label, entered, found, is_name, fixable)| {
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
            // Masked data is never offered: a manager cannot edit, and the value is hidden.
            let fix = fixable
                .filter(|_| state == "mismatch" && !masked)
                .map(DocumentField::code);
            DataRow {
                label,
                entered: show(entered),
                extracted: show(found),
                state,
                fix,
            }
        })
        .collect()
}

/// The viewer's documents.
pub fn documents(case: &Case, session_id: uuid::Uuid) -> Vec<DocView> {
    case.file
        .documents
        .iter()
        .map(|d| DocView {
            title: d.document_type.label(),
            kind: d.kind,
            status: d.status,
            files: case
                .file
                .files
                .iter()
                .filter(|f| f.document_id == d.id)
                .map(|f| FileView {
                    url: format!("/sessions/{session_id}/files/{}", f.id),
                    side: f.side,
                    is_image: f.content_type.starts_with("image/"),
                    preview_url: format!("/sessions/{session_id}/files/{}/preview", f.id),
                    size: if f.byte_size >= 1024 * 1024 {
                        format!("{:.1} MB", f.byte_size as f64 / (1024.0 * 1024.0))
                    } else {
                        format!("{} KB", (f.byte_size + 1023) / 1024)
                    },
                    redacted: case.file.session.redacted_at.is_some(),
                })
                .collect(),
        })
        .collect()
}

/// The verifications with their checks, which of them are stale, and the zones read from
/// the photos (only for a viewer who sees personal data).
pub fn verifications(
    case: &Case,
    now: DateTime<Utc>,
    key: &FingerprintKey,
    masked: bool,
) -> Vec<VerificationView> {
    case.file
        .verifications
        .iter()
        .map(|v| VerificationView {
            zone: if masked { None } else { zone::of(case, v) },
            stale: stale_fields(key, v, &case.file.session)
                .into_iter()
                .map(field_words)
                .collect(),
            kind: v.kind,
            status: v.status,
            age: format::ago(v.created_at, now),
            at: format::exact(v.created_at),
            checks: case
                .file
                .checks
                .iter()
                .filter(|c| c.verification_id == v.id)
                .map(|c| CheckView {
                    name: c.name.label(),
                    status: c.status,
                    reasons: c.reasons.clone(),
                    required: c.requirement == Requirement::Required,
                })
                .collect(),
        })
        .collect()
}

/// The edit form filled with what the session holds now.
pub fn person_form(case: &Case) -> PersonForm {
    PersonForm::of(&case.file.session.person)
}
