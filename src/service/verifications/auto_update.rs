//! The auto-update (SPEC section 3): which extracted values a passed verification writes
//! onto the session.

use chrono::NaiveDate;

use crate::domain::countries::alpha2_of_icao;
use crate::domain::engine::Extracted;
use crate::domain::kinds::DocumentType;
use crate::store::sessions::{PersonChanges, Session};

/// The auto-update: extracted data for the session's blank fields. Each group (names,
/// birth date, identity number, address) is written only when the session has none of
/// it, so what the applicant typed — with its accents, which an MRZ cannot carry — stays,
/// and a passed `data_consistency` check has already shown it agrees with the document.
pub fn fill_blanks(
    s: &Session,
    x: &Extracted,
    document_type: DocumentType,
    today: NaiveDate,
) -> PersonChanges {
    let mut c = PersonChanges::default();
    if let Some(name) = &x.name
        && s.person.first_name.is_none()
        && s.person.middle_name.is_none()
        && s.person.last_name.is_none()
    {
        c.first_name = name.first.clone().map(Some);
        c.middle_name = name.middle.clone().map(Some);
        c.last_name = name.last.clone().map(Some);
    }
    if let Some(birth) = x.birth_date
        && s.person.birth_date.is_none()
        && birth <= today
    {
        c.birth_date = Some(Some(birth));
    }
    if let Some(number) = &x.document_number
        && s.person.identity_number.is_none()
        && number.len() <= 64
    {
        c.identity_number = Some(Some(number.clone()));
        c.identity_number_class = document_type.identity_class().map(Some);
        c.identity_number_issuing_country_code = x
            .issuing_country
            .as_deref()
            .and_then(alpha2_of_icao)
            .map(|code| Some(code.to_owned()));
    }
    if let Some(a) = &x.address {
        let blank = s.person.address_line1.is_none()
            && s.person.address_line2.is_none()
            && s.person.address_sublocality.is_none()
            && s.person.address_locality.is_none()
            && s.person.address_administrative_area.is_none()
            && s.person.address_postal_code.is_none()
            && s.person.address_country_code.is_none();
        if blank {
            c.address_line1 = a.line1.clone().map(Some);
            c.address_line2 = a.line2.clone().map(Some);
            c.address_sublocality = a.sublocality.clone().map(Some);
            c.address_locality = a.locality.clone().map(Some);
            c.address_administrative_area = a.administrative_area.clone().map(Some);
            c.address_postal_code = a.postal_code.clone().map(Some);
            c.address_country_code = a.country_code.clone().map(Some);
        }
    }
    c
}
