//! The fixed vocabulary of [`super::describe`]: codes and field names in words.

/// The words for a personal-data field name, in the API's dotted form or as a column.
pub(super) fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "person.name.first" | "first_name" => "first name",
        "person.name.middle" | "middle_name" => "middle name",
        "person.name.last" | "last_name" => "last name",
        "person.birth_date" | "birth_date" => "birth date",
        "contact.email" | "email" => "email",
        "contact.phone" | "phone" => "phone",
        "address.line1" | "address_line1" => "address line 1",
        "address.line2" | "address_line2" => "address line 2",
        "address.sublocality" | "address_sublocality" => "district",
        "address.locality" | "address_locality" => "city",
        "address.administrative_area" | "address_administrative_area" => "region",
        "address.postal_code" | "address_postal_code" => "postal code",
        "address.country_code" | "address_country_code" => "country",
        "identity_number.number" | "identity_number" => "identity number",
        "identity_number.issuing_country_code" | "identity_number_issuing_country_code" => {
            "identity number country"
        }
        "identity_number.class" | "identity_number_class" => "identity number type",
        _ => return None,
    })
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
