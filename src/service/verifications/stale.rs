//! Stale verifications: a verification compared the session's entered data with the
//! document; when that data changes afterwards, its result no longer speaks for what the
//! session holds. At verification time a keyed fingerprint (HMAC-SHA256, keyed from the
//! server's `SESSION_KEY`, salted with the session id) of each compared field is stored —
//! never the value — and reading a verification computes them again from the session.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::domain::kinds::VerificationKind;
use crate::store::sessions::Session;
use crate::store::verifications::Verification;

/// The key of the fingerprints, derived from the server's session key so that a copy of
/// the database alone cannot test guesses of a birth date against them.
#[derive(Clone)]
pub struct FingerprintKey(Vec<u8>);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

impl FingerprintKey {
    /// The key derived from `SESSION_KEY`'s bytes.
    pub fn derive(session_key: &[u8]) -> Self {
        FingerprintKey(mac(session_key, b"sessiondesk verification fingerprint v1"))
    }
}

fn mac(key: &[u8], message: &[u8]) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(message);
            m.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => Vec::new(),
    }
}

/// The entered fields a verification of `kind` compares, by API name, with their values
/// as text (empty when blank). An address verification compares the name on the bill and
/// stands beside the entered address on the case page, so both count.
fn compared_values(kind: VerificationKind, s: &Session) -> Vec<(&'static str, String)> {
    let p = &s.person;
    let t = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut out = vec![
        ("person.name.first", t(&p.first_name)),
        ("person.name.middle", t(&p.middle_name)),
        ("person.name.last", t(&p.last_name)),
    ];
    match kind {
        VerificationKind::Idv => {
            out.push((
                "person.birth_date",
                p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            ));
            out.push(("identity_number.number", t(&p.identity_number)));
        }
        VerificationKind::Address => out.extend([
            ("address.line1", t(&p.address_line1)),
            ("address.line2", t(&p.address_line2)),
            ("address.sublocality", t(&p.address_sublocality)),
            ("address.locality", t(&p.address_locality)),
            (
                "address.administrative_area",
                t(&p.address_administrative_area),
            ),
            ("address.postal_code", t(&p.address_postal_code)),
            ("address.country_code", t(&p.address_country_code)),
        ]),
    }
    out
}

fn fingerprint(key: &FingerprintKey, s: &Session, field: &str, value: &str) -> String {
    let message = format!("{}\u{0}{field}\u{0}{value}", s.id);
    mac(&key.0, message.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprints of what a verification of `kind` compares, as `session` stands.
pub fn fingerprints(key: &FingerprintKey, kind: VerificationKind, s: &Session) -> Value {
    let map: BTreeMap<&str, String> = compared_values(kind, s)
        .into_iter()
        .map(|(field, value)| (field, fingerprint(key, s, field, &value)))
        .collect();
    serde_json::to_value(map).unwrap_or(Value::Null)
}

/// The entered fields (API names) that changed since `v` ran; empty when none did, or
/// when it is not known (no fingerprints: older rows, the demo, a redacted session).
pub fn stale_fields(key: &FingerprintKey, v: &Verification, s: &Session) -> Vec<&'static str> {
    let Some(stored) = v.compared.as_ref().and_then(Value::as_object) else {
        return Vec::new();
    };
    if s.redacted_at.is_some() {
        return Vec::new();
    }
    compared_values(v.kind, s)
        .into_iter()
        .filter(|(field, value)| {
            stored
                .get(*field)
                .and_then(Value::as_str)
                .is_some_and(|fp| fp != fingerprint(key, s, field, value))
        })
        .map(|(field, _)| field)
        .collect()
}
