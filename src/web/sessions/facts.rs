//! The personal data and device panels of the case page: labelled values, masked for
//! managers.

use crate::domain::person::mask;
use crate::store::devices::Device;
use crate::store::sessions::Session;
use crate::web::format;

/// A labelled value in the personal data panel.
pub struct Fact {
    /// Label.
    pub label: &'static str,
    /// Value, masked for managers.
    pub value: String,
}

fn shown(v: &Option<String>, masked: bool) -> String {
    format::shown(v.as_deref(), masked)
}

/// The applicant's data as the panel lists it.
pub fn person(s: &Session, masked: bool) -> Vec<Fact> {
    let shown = |v: &Option<String>| shown(v, masked);
    let birth = s.person.birth_date.map(|d| d.to_string());
    let address = [
        &s.person.address_line1,
        &s.person.address_line2,
        &s.person.address_postal_code,
        &s.person.address_locality,
        &s.person.address_administrative_area,
        &s.person.address_country_code,
    ]
    .iter()
    .filter_map(|v| v.as_deref())
    .collect::<Vec<_>>()
    .join(", ");
    vec![
        Fact {
            label: "Name",
            value: format::applicant(
                s.person.first_name.as_deref(),
                s.person.middle_name.as_deref(),
                s.person.last_name.as_deref(),
                masked,
            ),
        },
        Fact {
            label: "Birth date",
            value: if masked {
                birth
                    .map(|_| "****-**-**".to_owned())
                    .unwrap_or_else(|| "—".into())
            } else {
                shown(&birth)
            },
        },
        Fact {
            label: "Email",
            value: shown(&s.person.email),
        },
        Fact {
            label: "Phone",
            value: shown(&s.person.phone),
        },
        Fact {
            label: "Address",
            value: format::shown(Some(address.as_str()), masked),
        },
        Fact {
            label: "Identity number",
            value: match &s.person.identity_number {
                Some(n) => format!(
                    "{} ({} {})",
                    if masked { mask(n) } else { n.clone() },
                    s.person
                        .identity_number_issuing_country_code
                        .as_deref()
                        .unwrap_or("?"),
                    s.person.identity_number_class.map_or("", |k| k.label())
                ),
                None => "—".to_owned(),
            },
        },
    ]
}

/// The device the session was started from.
pub fn device(d: &Device, masked: bool) -> Vec<Fact> {
    let shown = |v: &Option<String>| shown(v, masked);
    vec![
        Fact {
            label: "Platform",
            value: format!(
                "{} · {}",
                d.platform.as_deref().unwrap_or("?"),
                d.device_type.as_deref().unwrap_or("?")
            ),
        },
        Fact {
            label: "Browser",
            value: format!(
                "{} on {}",
                d.browser.as_deref().unwrap_or("?"),
                d.os.as_deref().unwrap_or("?")
            ),
        },
        Fact {
            label: "Address",
            value: shown(&d.ip),
        },
        Fact {
            label: "Language",
            value: shown(&d.language),
        },
        Fact {
            label: "Screen",
            value: shown(&d.screen),
        },
        Fact {
            label: "User agent",
            value: shown(&d.user_agent),
        },
    ]
}
