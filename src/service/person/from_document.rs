//! "Use the document's value": a mismatched row of the case page's data check takes what
//! the ID document says, through the same edit as the personal data form
//! ([`super::update_in`]: the same `session.person_updated` event, the same rules). The
//! value is read here from the stored verification, never taken from the request.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::{PersonForm, parse, update_in};
use crate::domain::actor::Actor;
use crate::domain::kinds::{DocumentKind, VerificationKind};
use crate::error::{AppError, Conflict};
use crate::store::documents::{self, Document};
use crate::store::sessions::{self, Session};
use crate::store::verifications::{self, Verification};

/// A data-check row whose entered value can be set to the document's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentField {
    /// First and middle names together.
    GivenNames,
    /// The last name.
    LastName,
    /// The birth date.
    BirthDate,
    /// The identity number, from the document's number.
    DocumentNumber,
}

impl DocumentField {
    /// Every row that can take the document's value.
    pub const ALL: &'static [DocumentField] = &[
        DocumentField::GivenNames,
        DocumentField::LastName,
        DocumentField::BirthDate,
        DocumentField::DocumentNumber,
    ];

    /// The form's spelling of the row (`last_name`).
    pub fn code(self) -> &'static str {
        match self {
            DocumentField::GivenNames => "given_names",
            DocumentField::LastName => "last_name",
            DocumentField::BirthDate => "birth_date",
            DocumentField::DocumentNumber => "document_number",
        }
    }

    /// The row named by `code`, if any.
    pub fn parse(code: &str) -> Option<DocumentField> {
        Self::ALL.iter().copied().find(|f| f.code() == code)
    }

    /// The row in words, for a refusal ("the last name").
    pub fn words(self) -> &'static str {
        match self {
            DocumentField::GivenNames => "given names",
            DocumentField::LastName => "last name",
            DocumentField::BirthDate => "birth date",
            DocumentField::DocumentNumber => "document number",
        }
    }
}

/// What the ID documents say: the extracted data of the latest idv verification that
/// extracted any (`verifications` newest first), else of the first idv document that has
/// some. The case page's data check reads the same.
pub fn document_data(verifications: &[Verification], documents: &[Document]) -> Option<Value> {
    verifications
        .iter()
        .filter(|v| v.kind == VerificationKind::Idv)
        .find_map(|v| v.extracted.clone())
        .or_else(|| {
            documents
                .iter()
                .filter(|d| d.kind == DocumentKind::Idv)
                .find_map(|d| d.extracted.clone())
        })
}

/// A text member of extracted data, by its path; blank counts as absent.
pub fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The edit that sets `field` to what `data` says; `None` when the document says nothing
/// for it. Given names set the first name and the middle name together (a document
/// without a middle name clears it).
pub fn form_for(field: DocumentField, data: &Value) -> Option<PersonForm> {
    let mut form = PersonForm::default();
    match field {
        DocumentField::GivenNames => {
            form.first_name = Some(text_at(data, &["name", "first"])?);
            form.middle_name = Some(text_at(data, &["name", "middle"]).unwrap_or_default());
        }
        DocumentField::LastName => form.last_name = Some(text_at(data, &["name", "last"])?),
        DocumentField::BirthDate => form.birth_date = Some(text_at(data, &["birth_date"])?),
        DocumentField::DocumentNumber => {
            form.identity_number = Some(text_at(data, &["document_number"])?)
        }
    }
    Some(form)
}

/// Sets the entered `field` to the document's value, in one transaction, as an edit by
/// `actor`: the changed fields' API names come back (empty when they already held it).
/// A document that says nothing for the row, or a value the edit's rules refuse, is a
/// validation error on `field` and writes nothing; a redacted session is the usual
/// conflict.
pub fn use_document_value(
    conn: &mut PgConnection,
    session_id: Uuid,
    field: DocumentField,
    actor: Actor,
    today: NaiveDate,
) -> Result<(Session, Vec<&'static str>), AppError> {
    conn.transaction(|conn| {
        // A redacted session is refused as every write to it is, before its (cleared)
        // documents are read.
        let session = sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
        if session.redacted_at.is_some() {
            return Err(AppError::Conflict(Conflict::Redacted));
        }
        let verifications = verifications::for_session(conn, session_id)?;
        let documents = documents::for_session(conn, session_id)?;
        let form = document_data(&verifications, &documents)
            .and_then(|data| form_for(field, &data))
            .ok_or_else(|| {
                AppError::field(
                    "field",
                    format!("the document does not say the {}", field.words()),
                )
            })?;
        let changes = parse(&form, today).map_err(AppError::Validation)?;
        update_in(conn, session_id, &changes, actor)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_row_takes_its_own_fields_from_the_document() {
        let data = json!({
            "name": { "first": "ANNA", "last": "SVENSSON" },
            "birth_date": "1990-04-01",
            "document_number": "X123"
        });
        let f = form_for(DocumentField::LastName, &data).unwrap();
        assert_eq!(f.last_name.as_deref(), Some("SVENSSON"));
        assert_eq!(f.first_name, None);
        let f = form_for(DocumentField::GivenNames, &data).unwrap();
        assert_eq!(f.first_name.as_deref(), Some("ANNA"));
        assert_eq!(
            f.middle_name.as_deref(),
            Some(""),
            "no middle name clears it"
        );
        let f = form_for(DocumentField::BirthDate, &data).unwrap();
        assert_eq!(f.birth_date.as_deref(), Some("1990-04-01"));
        let f = form_for(DocumentField::DocumentNumber, &data).unwrap();
        assert_eq!(f.identity_number.as_deref(), Some("X123"));
        assert!(form_for(DocumentField::LastName, &json!({})).is_none());
        for f in DocumentField::ALL {
            assert_eq!(DocumentField::parse(f.code()), Some(*f));
        }
        assert_eq!(DocumentField::parse("email"), None);
    }
}
