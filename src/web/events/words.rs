//! The fixed vocabulary of [`super::describe`]: codes and field names in words.

use crate::domain::person::Field;

/// The words for a personal-data field name, in the API's dotted form or as a column.
pub(super) fn field_label(field: &str) -> Option<&'static str> {
    Field::named(field).map(|f| f.words)
}

/// The words for a document type code.
pub(super) fn document_label(document_type: &str) -> Option<&'static str> {
    Some(match document_type {
        "passport" => "passport",
        "drivers_license" => "driver's license",
        "national_id" => "national ID card",
        "residence_permit" => "residence permit",
        "utility_bill" => "utility bill",
        "bank_statement" => "bank statement",
        "tax_document" => "tax document",
        "government_letter" => "government letter",
        _ => return None,
    })
}

/// Why a sign-in failed, in words.
pub(super) fn sign_in_reason(reason: &str) -> &str {
    match reason {
        "wrong_password" => "wrong password",
        "unknown_user" => "unknown username",
        "disabled" => "account disabled",
        "throttled" => "too many attempts",
        "wrong_code" => "wrong two-step code",
        "reused_code" => "two-step code already used",
        other => other,
    }
}
