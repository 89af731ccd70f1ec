//! `verification/address`: a proof-of-address document's reported fields (name, address,
//! issue date, as read by the capture client) against the policy and the session.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Check, CheckName, Entered, Extracted, ExtractedAddress, Outcome, Policy};
use crate::domain::matching::name_forms;

/// What an address verification reads.
#[derive(Debug, Clone, Copy)]
pub struct AddressInput<'a> {
    /// The document's `reported` fields, if the capture client sent any.
    pub reported: Option<&'a Value>,
    /// The session's data.
    pub entered: &'a Entered,
    /// The day the checks are judged on.
    pub today: NaiveDate,
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Runs every `verification/address` check, in SPEC order.
pub fn evaluate(input: AddressInput<'_>, policy: &Policy) -> Outcome {
    let Some(reported) = input
        .reported
        .filter(|r| r.as_object().is_some_and(|o| !o.is_empty()))
    else {
        let nothing = "nothing was read from the document";
        let checks = vec![
            Check::failed(CheckName::DocumentRecent, nothing),
            Check::failed(CheckName::NameMatchesSession, nothing),
            Check::failed(CheckName::AddressPresent, nothing),
        ];
        return Outcome::conclude(checks, true, None);
    };
    let address = reported.get("address").map(|a| ExtractedAddress {
        line1: text(a, "line1").map(str::to_owned),
        line2: text(a, "line2").map(str::to_owned),
        sublocality: text(a, "sublocality").map(str::to_owned),
        locality: text(a, "locality").map(str::to_owned),
        administrative_area: text(a, "administrative_area").map(str::to_owned),
        postal_code: text(a, "postal_code").map(str::to_owned),
        country_code: text(a, "country_code").map(str::to_owned),
    });
    let checks = vec![
        recent(text(reported, "issued_on"), input.today, policy),
        name_matches(text(reported, "name"), input.entered),
        present(address.as_ref()),
    ];
    let extracted = address.map(|a| Extracted {
        address: Some(a),
        ..Extracted::default()
    });
    Outcome::conclude(checks, false, extracted)
}

fn recent(issued_on: Option<&str>, today: NaiveDate, policy: &Policy) -> Check {
    let name = CheckName::DocumentRecent;
    let max = policy.address_max_age_days;
    let Some(raw) = issued_on else {
        return Check::failed(name, "the document's issue date was not read");
    };
    let Ok(issued) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") else {
        return Check::failed(name, "the document's issue date is not a date");
    };
    let days = (today - issued).num_days();
    let meta = json!({ "age_days": days, "max_age_days": max });
    if days < 0 {
        Check::failed(name, "the issue date is in the future").with_metadata(meta)
    } else if days <= max {
        Check::passed(
            name,
            format!("issued {days} days ago; at most {max} accepted"),
        )
        .with_metadata(meta)
    } else {
        Check::failed(
            name,
            format!("issued {days} days ago; at most {max} accepted"),
        )
        .with_metadata(meta)
    }
}

/// Whether the addressee is the applicant: every word of the session's first and last
/// names, folded, appears in the name on the document (in any order, so `ERIKSSON ANNA`
/// and `Mrs Anna M. Eriksson` both match Anna Eriksson).
fn name_matches(reported: Option<&str>, e: &Entered) -> Check {
    let name = CheckName::NameMatchesSession;
    let wanted: Vec<&str> = [e.first_name.as_deref(), e.last_name.as_deref()]
        .into_iter()
        .flatten()
        .flat_map(|n| n.split([' ', '-', '\'']))
        .filter(|w| !w.trim().is_empty())
        .collect();
    if wanted.is_empty() {
        return Check::not_applicable(name, "the session has no name to compare yet");
    }
    let Some(on_document) = reported else {
        return Check::failed(name, "no name was read from the document");
    };
    let found: Vec<[String; 2]> = on_document
        .split([' ', '-', '\'', ',', '.', '<'])
        .filter(|w| !w.trim().is_empty())
        .map(name_forms)
        .collect();
    let all = wanted.iter().all(|w| {
        let forms = name_forms(w);
        found
            .iter()
            .any(|f| f.iter().any(|x| !x.is_empty() && forms.contains(x)))
    });
    if all {
        Check::passed(name, "the name on the document is the applicant's")
    } else {
        Check::failed(name, "the name on the document differs from the session")
    }
}

fn present(a: Option<&ExtractedAddress>) -> Check {
    let name = CheckName::AddressPresent;
    let Some(a) = a else {
        return Check::failed(name, "no address was read from the document");
    };
    let mut missing = Vec::new();
    if a.line1.is_none() {
        missing.push("street");
    }
    if a.locality.is_none() && a.postal_code.is_none() {
        missing.push("city or postal code");
    }
    if a.country_code.is_none() {
        missing.push("country");
    }
    if missing.is_empty() {
        Check::passed(name, "street, city or postal code, and country were read")
    } else {
        Check::failed(name, format!("missing: {}", missing.join(", ")))
            .with_metadata(json!({ "missing": missing }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::VerificationStatus;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn anna() -> Entered {
        Entered {
            first_name: Some("Anna".into()),
            last_name: Some("Eriksson".into()),
            ..Entered::default()
        }
    }

    fn bill(issued: &str, name: &str) -> Value {
        json!({ "name": name, "issued_on": issued,
                "address": { "line1": "Storgatan 1", "postal_code": "111 51", "locality": "Stockholm", "country_code": "SE" } })
    }

    fn run_on(reported: Option<&Value>) -> Outcome {
        evaluate(
            AddressInput {
                reported,
                entered: &anna(),
                today: day("2026-11-25"),
            },
            &Policy::default(),
        )
    }

    #[test]
    fn a_recent_bill_in_the_applicants_name_passes_and_yields_the_address() {
        let b = bill("2026-10-01", "ERIKSSON ANNA");
        let o = run_on(Some(&b));
        assert_eq!(o.status, VerificationStatus::Passed, "{:?}", o.checks);
        let a = o.extracted.unwrap().address.unwrap();
        assert_eq!(a.line1.as_deref(), Some("Storgatan 1"));
        assert_eq!(a.country_code.as_deref(), Some("SE"));
    }

    #[test]
    fn an_old_bill_or_another_name_fails() {
        let old = bill("2026-05-01", "Anna Eriksson");
        assert_eq!(run_on(Some(&old)).failed_checks(), vec!["document_recent"]);
        let other = bill("2026-11-01", "Erik Andersson");
        assert_eq!(
            run_on(Some(&other)).failed_checks(),
            vec!["name_matches_session"]
        );
    }

    #[test]
    fn nothing_reported_asks_for_a_retry() {
        assert_eq!(run_on(None).status, VerificationStatus::RequiresRetry);
        assert_eq!(
            run_on(Some(&json!({}))).status,
            VerificationStatus::RequiresRetry
        );
    }
}
