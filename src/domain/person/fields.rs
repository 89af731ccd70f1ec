//! The applicant's personal-data fields, declared once in [`person_fields!`]: every layer
//! generates its structs, lists and words for them from this one table.

use std::fmt::Display;

use chrono::NaiveDate;

use super::FieldError;
use crate::domain::kinds::IdentityClass;

/// The one list of the applicant's personal-data fields. Each field is written once, in
/// the table below, under the API object that carries it (`person.name`, `person`,
/// `contact`, `address`, `identity_number`), with:
///
/// - its column, which is also its dashboard form name (`first_name`);
/// - its member in the API object (`first`), which makes its API name
///   (`person.name.first`), the name errors and audit events use;
/// - its `kind`, a [`FieldKind`]: the rules a typed value must pass and the type it is
///   stored as;
/// - `label`, the dashboard form's label; `words`, how the timeline names it ("changed
///   personal data: first name"); `input`, the dashboard form's `<input type>` (`select`
///   is drawn by the templates themselves); `new_form`, whether the new-session form asks
///   for it;
/// - `api_in` and `api_out`, its OpenAPI descriptions in a PATCH and in a session.
///
/// `person_fields!(flat then)` calls the macro `then!` with every field in order, each as
/// `column { api: <expr: "person.name.first">, kind: <type>, label: "...", words: "...",
/// input: "...", new_form: <bool> }`. `person_fields!(nested then)` calls it with the
/// API objects in order, each as `object(.sub)? { column member [Kind] "api_in" "api_out";
/// ... }`, the kind's type written in `domain::person` (`[Text<200>]`).
///
/// What is generated from it:
///
/// - [`FIELDS`]: the list of [`Field`]s — the timeline's words for changed fields
///   (`web::events`), and the rows of the dashboard's two person forms, the case page's
///   edit form and the new-session form (`templates/sessions/`), which loop over it;
/// - `store::sessions`: `PersonData`, the columns as a session row holds them (embedded
///   in `Session` as `person`), and `PersonChanges`, the change set written by an edit,
///   an API PATCH or an auto-update, with `PersonChanges::cleared()`, what redaction
///   writes;
/// - `service::person`: `PersonForm`, the values as typed (the dashboard's form fields,
///   and what an API PATCH flattens into), `parse`, which applies each field's kind and
///   names every bad field, and `changed_fields`, the API names of the fields a change
///   alters, which the `session.person_updated` event lists;
/// - `api::sessions`: the members of the PATCH's objects (`NameIn`, `PersonIn`,
///   `ContactIn`, `AddressIn`, `IdentityNumberIn`) and how they flatten into a
///   `PersonForm`, and those of the session resource's (`NameOut` ... `IdentityNumberOut`),
///   filled from `PersonData`, with their OpenAPI descriptions; an address document's
///   `reported.address` (`api::documents`) takes the same members and rules.
///
/// Adding a field therefore touches this table and a migration (with `src/schema.rs`,
/// which Diesel generates from it); the migration adds the column and extends the
/// `sessions_redacted_without_personal_data` check. A new API object (beside
/// `person.name`, `person`, `contact`, `address`, `identity_number`) also needs its place
/// in the two API modules, whose macros name the objects one by one, and a new `select`
/// its list in the templates. What uses fields for their meaning stays written by hand:
/// the case page's summary and data check (`web::sessions`), the auto-update from a
/// verified document (`service::verifications`), the engine's extracted data, the
/// queue's name and email columns, and demo and seed data.
macro_rules! person_fields {
    ($how:ident $then:ident) => {
        $crate::domain::person::person_fields! { @$how $then
            person.name {
                first_name: first {
                    kind: Name, label: "First name", words: "first name", input: "text", new_form: true,
                    api_in: "First name, at most 100 characters.", api_out: "First name.",
                }
                middle_name: middle {
                    kind: Name, label: "Middle name", words: "middle name", input: "text", new_form: true,
                    api_in: "Middle name.", api_out: "Middle name.",
                }
                last_name: last {
                    kind: Name, label: "Last name", words: "last name", input: "text", new_form: true,
                    api_in: "Last name.", api_out: "Last name.",
                }
            }
            person {
                birth_date: birth_date {
                    kind: BirthDate, label: "Birth date", words: "birth date", input: "date", new_form: true,
                    api_in: "`YYYY-MM-DD`, between 1900-01-01 and today.", api_out: "`YYYY-MM-DD`",
                }
            }
            contact {
                email: email {
                    kind: Email, label: "Email", words: "email", input: "email", new_form: true,
                    api_in: "At most 254 characters, one `@`.", api_out: "Email address.",
                }
                phone: phone {
                    kind: Phone, label: "Phone", words: "phone", input: "tel", new_form: true,
                    api_in: "`+` and 7 to 15 digits.", api_out: "`+` and 7 to 15 digits.",
                }
            }
            address {
                address_line1: line1 {
                    kind: Text<200>, label: "Address line 1", words: "address line 1", input: "text", new_form: true,
                    api_in: "Street and number.", api_out: "Street and number.",
                }
                address_line2: line2 {
                    kind: Text<200>, label: "Address line 2", words: "address line 2", input: "text", new_form: true,
                    api_in: "More of it.", api_out: "More of it.",
                }
                address_sublocality: sublocality {
                    kind: Text<100>, label: "District", words: "district", input: "text", new_form: false,
                    api_in: "District.", api_out: "District.",
                }
                address_locality: locality {
                    kind: Text<100>, label: "City", words: "city", input: "text", new_form: true,
                    api_in: "City.", api_out: "City.",
                }
                address_administrative_area: administrative_area {
                    kind: Text<100>, label: "Region", words: "region", input: "text", new_form: false,
                    api_in: "State or region.", api_out: "State or region.",
                }
                address_postal_code: postal_code {
                    kind: Text<20>, label: "Postal code", words: "postal code", input: "text", new_form: true,
                    api_in: "Postal code.", api_out: "Postal code.",
                }
                address_country_code: country_code {
                    kind: CountryCode, label: "Country (ISO code)", words: "country", input: "text", new_form: true,
                    api_in: "ISO 3166-1 alpha-2.", api_out: "ISO 3166-1 alpha-2.",
                }
            }
            identity_number {
                identity_number: number {
                    kind: Text<64>, label: "Identity number", words: "identity number", input: "text", new_form: true,
                    api_in: "The number.", api_out: "The number.",
                }
                identity_number_issuing_country_code: issuing_country_code {
                    kind: CountryCode, label: "Issued by (ISO code)", words: "identity number country", input: "text", new_form: true,
                    api_in: "ISO 3166-1 alpha-2 of the issuer.", api_out: "ISO 3166-1 alpha-2 of the issuer.",
                }
                identity_number_class: class {
                    kind: IdentityClassCode, label: "Identity number type", words: "identity number type", input: "select", new_form: true,
                    api_in: "`passport`, `drivers_license`, `national_id`, `residence_permit`, `tax_id`,\n`social_security` or `other`.",
                    api_out: "`passport`, `national_id`, ...",
                }
            }
        }
    };

    // Every field in order, its API name spelled out and its kind a path: first the
    // prefix each object gives its members' API names, then the fields.
    (@flat $then:ident $( $object:ident $(. $sub:ident)? { $($fields:tt)* } )*) => {
        $crate::domain::person::person_fields! { @flat_fields $then $(
            [concat!(stringify!($object) $(, ".", stringify!($sub))?)] { $($fields)* }
        )* }
    };
    (@flat_fields $then:ident $( [$prefix:expr] { $(
        $column:ident: $member:ident {
            kind: $kind:ident $(<$max:tt>)?, label: $label:tt, words: $words:tt,
            input: $input:tt, new_form: $new:tt, api_in: $in:tt, api_out: $out:tt $(,)?
        }
    )* } )*) => {
        $then! { $( $(
            $column {
                api: concat!($prefix, ".", stringify!($member)),
                kind: $crate::domain::person::$kind $(<$max>)?,
                label: $label,
                words: $words,
                input: $input,
                new_form: $new,
            }
        )* )* }
    };

    // The API objects in order, each with its fields' columns, members, kinds and
    // descriptions.
    (@nested $then:ident $( $object:ident $(. $sub:ident)? { $(
        $column:ident: $member:ident {
            kind: $kind:ident $(<$max:tt>)?, label: $label:tt, words: $words:tt,
            input: $input:tt, new_form: $new:tt, api_in: $in:tt, api_out: $out:tt $(,)?
        }
    )* } )*) => {
        $then! { $(
            $object $(. $sub)? { $( $column $member [$kind $(<$max>)?] $in $out; )* }
        )* }
    };
}
pub(crate) use person_fields;

/// One personal-data field as the dashboard and the timeline name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The column, which is also the form field's name: `first_name`.
    pub column: &'static str,
    /// The API name, dotted: `person.name.first`.
    pub api: &'static str,
    /// The form's label: `First name`.
    pub label: &'static str,
    /// The timeline's words: `first name`.
    pub words: &'static str,
    /// The form's `<input type>`, or `select` for a list the template draws.
    pub input: &'static str,
    /// Whether the new-session form asks for it.
    pub new_form: bool,
}

macro_rules! field_list {
    ($( $column:ident {
        api: $api:expr, kind: $kind:ty, label: $label:literal, words: $words:literal,
        input: $input:literal, new_form: $new:literal,
    } )*) => {
        /// Every personal-data field, in the order of `person_fields!`.
        pub const FIELDS: &[Field] = &[$(
            Field {
                column: stringify!($column),
                api: $api,
                label: $label,
                words: $words,
                input: $input,
                new_form: $new,
            },
        )*];
    };
}
person_fields!(flat field_list);

impl Field {
    /// The field named `name`, by its API name or its column.
    pub fn named(name: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.api == name || f.column == name)
    }
}

/// A kind of personal-data field: what a typed value must be, and the type it is stored
/// as. The kinds are the input rules of SPEC section 2.
pub trait FieldKind {
    /// The stored value.
    type Value: Clone + PartialEq + Display;

    /// Parses a typed value for `field` (its API name, for the error); blank is `None`,
    /// which clears the field.
    fn parse(field: &str, raw: &str, today: NaiveDate) -> Result<Option<Self::Value>, FieldError>;
}

/// A name part: [`super::name`].
pub struct Name;

impl FieldKind for Name {
    type Value = String;
    fn parse(field: &str, raw: &str, _: NaiveDate) -> Result<Option<String>, FieldError> {
        super::name(field, raw)
    }
}

/// Free text of at most `MAX` characters: [`super::text`].
pub struct Text<const MAX: usize>;

impl<const MAX: usize> FieldKind for Text<MAX> {
    type Value = String;
    fn parse(field: &str, raw: &str, _: NaiveDate) -> Result<Option<String>, FieldError> {
        super::text(field, raw, MAX)
    }
}

/// A birth date: [`super::birth_date`].
pub struct BirthDate;

impl FieldKind for BirthDate {
    type Value = NaiveDate;
    fn parse(field: &str, raw: &str, today: NaiveDate) -> Result<Option<NaiveDate>, FieldError> {
        super::birth_date(field, raw, today)
    }
}

/// An email address: [`super::email`].
pub struct Email;

impl FieldKind for Email {
    type Value = String;
    fn parse(field: &str, raw: &str, _: NaiveDate) -> Result<Option<String>, FieldError> {
        super::email(field, raw)
    }
}

/// A phone number: [`super::phone`].
pub struct Phone;

impl FieldKind for Phone {
    type Value = String;
    fn parse(field: &str, raw: &str, _: NaiveDate) -> Result<Option<String>, FieldError> {
        super::phone(field, raw)
    }
}

/// An ISO 3166-1 alpha-2 country code: [`super::country_code`].
pub struct CountryCode;

impl FieldKind for CountryCode {
    type Value = String;
    fn parse(field: &str, raw: &str, _: NaiveDate) -> Result<Option<String>, FieldError> {
        super::country_code(field, raw)
    }
}

/// An identity number's class, one of [`IdentityClass`], stored as the enum (its column
/// maps through `string_enum!`).
pub struct IdentityClassCode;

impl FieldKind for IdentityClassCode {
    type Value = IdentityClass;
    fn parse(field: &str, raw: &str, _: NaiveDate) -> Result<Option<IdentityClass>, FieldError> {
        let v = raw.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<IdentityClass>()
            .map(Some)
            .map_err(|err| FieldError::new(field, err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_column_and_one_api_name() {
        for (i, f) in FIELDS.iter().enumerate() {
            for g in &FIELDS[i + 1..] {
                assert_ne!(f.column, g.column);
                assert_ne!(f.api, g.api);
            }
        }
        assert_eq!(FIELDS[0].api, "person.name.first");
        assert_eq!(FIELDS[3].api, "person.birth_date");
        assert_eq!(
            Field::named("identity_number_issuing_country_code").map(|f| f.api),
            Some("identity_number.issuing_country_code")
        );
        assert_eq!(
            Field::named("address.locality").map(|f| f.words),
            Some("city")
        );
    }

    #[test]
    fn identity_classes_are_parsed_from_their_spelling() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            IdentityClassCode::parse("c", " passport ", today).unwrap(),
            Some(IdentityClass::Passport)
        );
        assert_eq!(IdentityClassCode::parse("c", "  ", today).unwrap(), None);
        assert_eq!(
            IdentityClassCode::parse("c", "bogus", today)
                .unwrap_err()
                .field,
            "c"
        );
    }
}
