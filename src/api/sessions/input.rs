//! Personal data as the API takes it: nested objects (`person.name.first`) where an absent
//! member leaves a field alone and `null` clears it (a whole object too). It is flattened
//! into the dashboard's [`PersonForm`], so both faces go through one parser and share
//! every rule, and every error names the API field.

use serde::Deserialize;

use crate::api::body::nullable;
use crate::domain::person::person_fields;
use crate::service::person::PersonForm;

macro_rules! objects_in {
    (
        person.name { $( $n_column:ident $n_member:ident $n_in:tt $n_out:tt; )* }
        person { $( $p_column:ident $p_member:ident $p_in:tt $p_out:tt; )* }
        contact { $( $c_column:ident $c_member:ident $c_in:tt $c_out:tt; )* }
        address { $( $a_column:ident $a_member:ident $a_in:tt $a_out:tt; )* }
        identity_number { $( $i_column:ident $i_member:ident $i_in:tt $i_out:tt; )* }
    ) => {
        /// `person.name`
        #[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct NameIn {
            $(
                #[doc = $n_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $n_member: Option<Option<String>>,
            )*
        }

        /// `person`
        #[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
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
        #[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct ContactIn {
            $(
                #[doc = $c_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $c_member: Option<Option<String>>,
            )*
        }

        /// `address`
        #[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct AddressIn {
            $(
                #[doc = $a_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $a_member: Option<Option<String>>,
            )*
        }

        /// `identity_number`
        #[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct IdentityNumberIn {
            $(
                #[doc = $i_in]
                #[serde(default, deserialize_with = "nullable")]
                pub $i_member: Option<Option<String>>,
            )*
        }

        impl PersonalData {
            /// The dashboard form these changes amount to.
            pub fn to_form(&self) -> PersonForm {
                let mut f = PersonForm::default();
                if let Some((p, cleared)) = object(&self.person) {
                    let (name, name_cleared) = object(&p.name).unwrap_or_default();
                    let name_cleared = cleared || name_cleared;
                    $( f.$n_column = pick(name_cleared, &name.$n_member); )*
                    $( f.$p_column = pick(cleared, &p.$p_member); )*
                }
                if let Some((c, cleared)) = object(&self.contact) {
                    $( f.$c_column = pick(cleared, &c.$c_member); )*
                }
                if let Some((a, cleared)) = object(&self.address) {
                    $( f.$a_column = pick(cleared, &a.$a_member); )*
                }
                if let Some((i, cleared)) = object(&self.identity_number) {
                    $( f.$i_column = pick(cleared, &i.$i_member); )*
                }
                f
            }
        }
    };
}
// The PATCH's objects are the API's own; their members come from the one declaration.
person_fields!(nested objects_in);

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
