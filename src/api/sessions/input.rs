//! Personal data as the API takes it: nested objects (`person.name.first`) where an absent
//! member leaves a field alone and `null` clears it (a whole object too). It is flattened
//! into the dashboard's [`PersonForm`], so both faces go through one parser and share
//! every rule, and every error names the API field.

use serde::Deserialize;

use crate::api::body::nullable;
use crate::service::person::PersonForm;

/// `person.name`
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameIn {
    /// First name, at most 100 characters.
    #[serde(default, deserialize_with = "nullable")]
    pub first: Option<Option<String>>,
    /// Middle name.
    #[serde(default, deserialize_with = "nullable")]
    pub middle: Option<Option<String>>,
    /// Last name.
    #[serde(default, deserialize_with = "nullable")]
    pub last: Option<Option<String>>,
}

/// `person`
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    /// The name parts.
    #[serde(default, deserialize_with = "nullable")]
    pub name: Option<Option<NameIn>>,
    /// `YYYY-MM-DD`, between 1900-01-01 and today.
    #[serde(default, deserialize_with = "nullable")]
    pub birth_date: Option<Option<String>>,
}

/// `contact`
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// At most 254 characters, one `@`.
    #[serde(default, deserialize_with = "nullable")]
    pub email: Option<Option<String>>,
    /// `+` and 7 to 15 digits.
    #[serde(default, deserialize_with = "nullable")]
    pub phone: Option<Option<String>>,
}

/// `address`
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressIn {
    /// Street and number.
    #[serde(default, deserialize_with = "nullable")]
    pub line1: Option<Option<String>>,
    /// More of it.
    #[serde(default, deserialize_with = "nullable")]
    pub line2: Option<Option<String>>,
    /// District.
    #[serde(default, deserialize_with = "nullable")]
    pub sublocality: Option<Option<String>>,
    /// City.
    #[serde(default, deserialize_with = "nullable")]
    pub locality: Option<Option<String>>,
    /// State or region.
    #[serde(default, deserialize_with = "nullable")]
    pub administrative_area: Option<Option<String>>,
    /// Postal code.
    #[serde(default, deserialize_with = "nullable")]
    pub postal_code: Option<Option<String>>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, deserialize_with = "nullable")]
    pub country_code: Option<Option<String>>,
}

/// `identity_number`
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityNumberIn {
    /// The number.
    #[serde(default, deserialize_with = "nullable")]
    pub number: Option<Option<String>>,
    /// ISO 3166-1 alpha-2 of the issuer.
    #[serde(default, deserialize_with = "nullable")]
    pub issuing_country_code: Option<Option<String>>,
    /// `passport`, `drivers_license`, `national_id`, `residence_permit`, `tax_id`,
    /// `social_security` or `other`.
    #[serde(default, deserialize_with = "nullable")]
    pub class: Option<Option<String>>,
}

/// The four personal-data objects of a session, as a PATCH's attributes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    /// Name and birth date.
    #[serde(default, deserialize_with = "nullable")]
    pub person: Option<Option<PersonIn>>,
    /// Email and phone.
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<ContactIn>>,
    /// Postal address.
    #[serde(default, deserialize_with = "nullable")]
    pub address: Option<Option<AddressIn>>,
    /// Identity document number.
    #[serde(default, deserialize_with = "nullable")]
    pub identity_number: Option<Option<IdentityNumberIn>>,
}

/// One member's change in the form's terms: absent stays absent, `null` is a blank (which
/// the form's parser reads as "clear"), a value is itself.
fn member(v: &Option<Option<String>>) -> Option<String> {
    v.as_ref().map(|inner| inner.clone().unwrap_or_default())
}

/// The members of an object that was sent: all cleared when the object is `null`.
fn object<T: Default + Clone>(v: &Option<Option<T>>) -> Option<(T, bool)> {
    match v {
        None => None,
        Some(None) => Some((T::default(), true)),
        Some(Some(inner)) => Some((inner.clone(), false)),
    }
}

/// `Some("")` for every member when the whole object was cleared, else the member.
fn pick(cleared: bool, v: &Option<Option<String>>) -> Option<String> {
    if cleared {
        Some(String::new())
    } else {
        member(v)
    }
}

impl PersonalData {
    /// Whether any personal data was sent at all.
    pub fn is_empty(&self) -> bool {
        self.person.is_none()
            && self.contact.is_none()
            && self.address.is_none()
            && self.identity_number.is_none()
    }

    /// The dashboard form these changes amount to.
    pub fn to_form(&self) -> PersonForm {
        let mut f = PersonForm::default();
        if let Some((p, cleared)) = object(&self.person) {
            let (name, name_cleared) = object(&p.name).unwrap_or_default();
            let name_cleared = cleared || name_cleared;
            f.first_name = pick(name_cleared, &name.first);
            f.middle_name = pick(name_cleared, &name.middle);
            f.last_name = pick(name_cleared, &name.last);
            f.birth_date = pick(cleared, &p.birth_date);
        }
        if let Some((c, cleared)) = object(&self.contact) {
            f.email = pick(cleared, &c.email);
            f.phone = pick(cleared, &c.phone);
        }
        if let Some((a, cleared)) = object(&self.address) {
            f.address_line1 = pick(cleared, &a.line1);
            f.address_line2 = pick(cleared, &a.line2);
            f.address_sublocality = pick(cleared, &a.sublocality);
            f.address_locality = pick(cleared, &a.locality);
            f.address_administrative_area = pick(cleared, &a.administrative_area);
            f.address_postal_code = pick(cleared, &a.postal_code);
            f.address_country_code = pick(cleared, &a.country_code);
        }
        if let Some((i, cleared)) = object(&self.identity_number) {
            f.identity_number = pick(cleared, &i.number);
            f.identity_number_issuing_country_code = pick(cleared, &i.issuing_country_code);
            f.identity_number_class = pick(cleared, &i.class);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::body::decode;

    #[test]
    fn absent_leaves_alone_and_null_clears() {
        let d: PersonalData =
            decode(br#"{"person": {"name": {"first": "Anna", "middle": null}}, "contact": null}"#)
                .unwrap();
        let f = d.to_form();
        assert_eq!(f.first_name.as_deref(), Some("Anna"));
        assert_eq!(f.middle_name.as_deref(), Some(""));
        assert_eq!(f.last_name, None);
        assert_eq!(f.birth_date, None);
        assert_eq!(f.email.as_deref(), Some(""));
        assert_eq!(f.phone.as_deref(), Some(""));
        assert_eq!(f.address_line1, None);
    }

    #[test]
    fn a_null_name_clears_every_part() {
        let d: PersonalData = decode(br#"{"person": {"name": null}}"#).unwrap();
        let f = d.to_form();
        assert_eq!(f.first_name.as_deref(), Some(""));
        assert_eq!(f.last_name.as_deref(), Some(""));
        assert_eq!(f.birth_date, None);
    }
}
