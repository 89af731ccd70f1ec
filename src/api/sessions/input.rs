//! Personal data as the API takes it: nested objects (`person.name.first`) where an absent
//! member leaves a field alone and `null` clears it (a whole object too). It is flattened
//! into the dashboard's [`PersonForm`], so both faces go through one parser and share
//! every rule, and every error names the API field.

use serde::Deserialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Ref, Schema, Type};

use crate::api::body::nullable;
use crate::api::schema;
use crate::domain::kinds::IdentityClass;
use crate::domain::person::person_fields;
use crate::domain::person::{
    BirthDate, CountryCode, Email, IdentityClassCode, Name, Phone, Text, country_codes,
};
use crate::service::person::PersonForm;

macro_rules! objects_in {
    (
        person.name { $( $n_column:ident $n_member:ident [$($n_kind:tt)+] $n_in:tt $n_out:tt; )* }
        person { $( $p_column:ident $p_member:ident [$($p_kind:tt)+] $p_in:tt $p_out:tt; )* }
        contact { $( $c_column:ident $c_member:ident [$($c_kind:tt)+] $c_in:tt $c_out:tt; )* }
        address { $( $a_column:ident $a_member:ident [$($a_kind:tt)+] $a_in:tt $a_out:tt; )* }
        identity_number { $( $i_column:ident $i_member:ident [$($i_kind:tt)+] $i_in:tt $i_out:tt; )* }
    ) => {
        /// `person.name`
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct NameIn {
            $(
                #[doc = $n_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $n_member: Option<Option<String>>,
            )*
        }

        /// `person`
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct PersonIn {
            /// The name parts.
            #[serde(default, deserialize_with = "nullable")]
            pub name: Option<Option<NameIn>>,
            $(
                #[doc = $p_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $p_member: Option<Option<String>>,
            )*
        }

        /// `contact`
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ContactIn {
            $(
                #[doc = $c_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $c_member: Option<Option<String>>,
            )*
        }

        /// `address`
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct AddressIn {
            $(
                #[doc = $a_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $a_member: Option<Option<String>>,
            )*
        }

        /// `identity_number`
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct IdentityNumberIn {
            $(
                #[doc = $i_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $i_member: Option<Option<String>>,
            )*
        }

        // Each member's schema is its kind's (`MemberSchema`), so the document states the
        // very rules the parser applies.
        impl utoipa::PartialSchema for NameIn {
            fn schema() -> RefOr<Schema> {
                object("`person.name`: absent members stay as they are, null (or blank) clears.", vec![
                    $( (stringify!($n_member), <crate::domain::person::$($n_kind)+ as MemberSchema>::member($n_in)), )*
                ])
            }
        }

        impl utoipa::PartialSchema for PersonIn {
            fn schema() -> RefOr<Schema> {
                let mut members = vec![("name", nullable_ref("NameIn", "The name parts; null clears them all."))];
                members.extend([
                    $( (stringify!($p_member), <crate::domain::person::$($p_kind)+ as MemberSchema>::member($p_in)), )*
                ]);
                object("`person`: absent members stay as they are, null (or blank) clears.", members)
            }
        }

        impl utoipa::PartialSchema for ContactIn {
            fn schema() -> RefOr<Schema> {
                object("`contact`: absent members stay as they are, null (or blank) clears.", vec![
                    $( (stringify!($c_member), <crate::domain::person::$($c_kind)+ as MemberSchema>::member($c_in)), )*
                ])
            }
        }

        impl utoipa::PartialSchema for AddressIn {
            fn schema() -> RefOr<Schema> {
                object("`address`: absent members stay as they are, null (or blank) clears.", vec![
                    $( (stringify!($a_member), <crate::domain::person::$($a_kind)+ as MemberSchema>::member($a_in)), )*
                ])
            }
        }

        impl utoipa::PartialSchema for IdentityNumberIn {
            fn schema() -> RefOr<Schema> {
                object("`identity_number`: absent members stay as they are, null (or blank) clears.", vec![
                    $( (stringify!($i_member), <crate::domain::person::$($i_kind)+ as MemberSchema>::member($i_in)), )*
                ])
            }
        }

        impl PersonalData {
            /// The dashboard form these changes amount to.
            pub fn to_form(&self) -> PersonForm {
                let mut f = PersonForm::default();
                if let Some((p, cleared)) = object_sent(&self.person) {
                    let (name, name_cleared) = object_sent(&p.name).unwrap_or_default();
                    let name_cleared = cleared || name_cleared;
                    $( f.$n_column = pick(name_cleared, &name.$n_member); )*
                    $( f.$p_column = pick(cleared, &p.$p_member); )*
                }
                if let Some((c, cleared)) = object_sent(&self.contact) {
                    $( f.$c_column = pick(cleared, &c.$c_member); )*
                }
                if let Some((a, cleared)) = object_sent(&self.address) {
                    $( f.$a_column = pick(cleared, &a.$a_member); )*
                }
                if let Some((i, cleared)) = object_sent(&self.identity_number) {
                    $( f.$i_column = pick(cleared, &i.$i_member); )*
                }
                f
            }
        }
    };
}
// The PATCH's objects are the API's own; their members come from the one declaration.
person_fields!(nested objects_in);

impl utoipa::ToSchema for NameIn {}
impl utoipa::ToSchema for PersonIn {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "NameIn".to_owned(),
            <NameIn as utoipa::PartialSchema>::schema(),
        ));
    }
}
impl utoipa::ToSchema for ContactIn {}
impl utoipa::ToSchema for AddressIn {}
impl utoipa::ToSchema for IdentityNumberIn {}

/// What a person field's kind accepts, as a member of a personal-data object: the same
/// rules as its parser in `domain::person`, and null (like blank) clears the field.
pub trait MemberSchema {
    /// The member's schema, described by `description`.
    fn member(description: &str) -> RefOr<Schema>;
}

impl MemberSchema for Name {
    fn member(description: &str) -> RefOr<Schema> {
        schema::text(100, true, description)
    }
}

impl<const MAX: usize> MemberSchema for Text<MAX> {
    fn member(description: &str) -> RefOr<Schema> {
        schema::text(MAX, true, description)
    }
}

impl MemberSchema for BirthDate {
    fn member(description: &str) -> RefOr<Schema> {
        schema::date_through_today(true, true, description)
    }
}

impl MemberSchema for Email {
    fn member(description: &str) -> RefOr<Schema> {
        schema::email(description)
    }
}

impl MemberSchema for Phone {
    fn member(description: &str) -> RefOr<Schema> {
        schema::phone(description)
    }
}

impl MemberSchema for CountryCode {
    fn member(description: &str) -> RefOr<Schema> {
        let mut codes: Vec<&str> = country_codes().collect();
        codes.push("");
        schema::string_enum(
            &codes,
            true,
            &format!("{description} Upper case as written here; blank clears."),
        )
    }
}

impl MemberSchema for IdentityClassCode {
    fn member(description: &str) -> RefOr<Schema> {
        let mut classes: Vec<&str> = IdentityClass::ALL.iter().map(|c| c.as_str()).collect();
        classes.push("");
        schema::string_enum(&classes, true, &format!("{description} Blank clears."))
    }
}

/// An object of `members` taking no others.
fn object(description: &str, members: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    members
        .into_iter()
        .fold(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(
                    utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                ))
                .description(Some(description)),
            |o, (name, member)| o.property(name, member),
        )
        .into()
}

/// Null, or the component `name`.
fn nullable_ref(name: &str, description: &str) -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(Ref::from_schema_name(name))
        .description(Some(description))
        .into()
}

/// The four personal-data objects of a session, as a create's or a PATCH's attributes
/// carry them.
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
fn object_sent<T: Default + Clone>(v: &Option<Option<T>>) -> Option<(T, bool)> {
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
