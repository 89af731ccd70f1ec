//! `verification/idv`: an identity document's machine-readable zone — as sent, and as read
//! from its front image — and the image itself, against the policy and the data already
//! on the session.

use chrono::NaiveDate;
use serde_json::json;

use super::image::ImageProblem;
use super::photo::{PhotoReading, ZoneOutcome};
use super::{
    Check, CheckName, Entered, Extracted, ExtractedName, Outcome, Policy, age_on, title_case,
};
use crate::domain::kinds::CheckStatus;
use crate::domain::matching::names_match;
use crate::domain::mrz::{self, Mrz};

mod image_checks;

/// What an ID verification reads.
#[derive(Debug, Clone, Copy)]
pub struct IdvInput<'a> {
    /// The document's MRZ text, if the integrator sent one.
    pub mrz: Option<&'a str>,
    /// What its front image showed (read by the OCR module), if one was uploaded.
    pub photo: Option<&'a PhotoReading>,
    /// The session's data.
    pub entered: &'a Entered,
    /// The day the checks are judged on.
    pub today: NaiveDate,
}

/// Runs every `verification/idv` check, in SPEC order. The zone the content checks judge
/// (expiry, age, the entered data) and the extracted data are what the photo says when
/// its zone was read, else what was sent; `mrz_matches_image` holds the two together.
/// Unreadable input — a zone sent that is none, nothing sent and nothing read, a photo
/// missing, undecodable, too small, of poor quality, or whose zone cannot be read —
/// asks for a retry.
pub fn evaluate(input: IdvInput<'_>, policy: &Policy) -> Outcome {
    let sent = input.mrz.map(|text| mrz::parse(text, input.today));
    let read = input.photo.and_then(|p| match &p.zone {
        ZoneOutcome::Read(z) => mrz::parse(&z.corrected.text(), input.today).ok(),
        _ => None,
    });
    let sent_zone = match &sent {
        Some(Ok(z)) => Some(z),
        _ => None,
    };
    let zone = read.as_ref().or(sent_zone);
    let format = match (&sent, &read) {
        (Some(_), _) => format_check(&sent),
        (None, Some(z)) => {
            let (lines, width) = z.format.shape();
            Check::passed(
                CheckName::MrzFormat,
                format!(
                    "{} layout, {lines} lines of {width} characters, read from the photo",
                    z.format.name()
                ),
            )
            .with_metadata(json!({ "format": z.format.name(), "source": "image" }))
        }
        (None, None) => Check::failed(
            CheckName::MrzFormat,
            "no machine-readable zone was sent and none could be read from the photo",
        ),
    };
    let image = image_check(input.photo, policy);
    let quality = image_checks::quality(input.photo);
    let from_image = image_checks::read_from_image(input.photo);
    let matches = image_checks::matches_image(input.mrz, input.photo);
    let unreadable = [&format, &image, &quality, &from_image]
        .iter()
        .any(|c| c.status == CheckStatus::Failed);
    let checks = vec![
        format,
        check_digits(sent_zone.or(read.as_ref())),
        not_expired(zone, input.today),
        minimum_age(zone, input.today, policy.minimum_age),
        consistency(zone, input.entered),
        image,
        quality,
        from_image,
        matches,
    ];
    let extracted = zone.map(|z| {
        let mut x = extracted(z);
        x.mrz = read.as_ref().and(input.photo).and_then(|p| match &p.zone {
            ZoneOutcome::Read(r) => Some(r.corrected.text()),
            _ => None,
        });
        x
    });
    Outcome::conclude(checks, unreadable, extracted)
}

/// The person data a zone carries, names made readable (`ERIKSSON` as `Eriksson`).
pub fn extracted(z: &Mrz) -> Extracted {
    let given = title_case(&z.given_names);
    let (first, middle) = match given.split_once(' ') {
        Some((f, m)) => (Some(f.to_owned()), Some(m.to_owned())),
        None if given.is_empty() => (None, None),
        None => (Some(given), None),
    };
    let last = Some(title_case(&z.surname)).filter(|s| !s.is_empty());
    let nonempty = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    Extracted {
        name: Some(ExtractedName {
            first,
            middle,
            last,
        }),
        birth_date: Some(z.birth_date),
        document_number: nonempty(&z.document_number),
        nationality: nonempty(&z.nationality),
        sex: Some(z.sex.to_string()),
        expiry_date: Some(z.expiry_date),
        issuing_country: nonempty(&z.issuing_state),
        address: None,
        mrz: None,
    }
}

fn format_check(parsed: &Option<Result<Mrz, mrz::MrzError>>) -> Check {
    let name = CheckName::MrzFormat;
    match parsed {
        None => Check::failed(name, "the document has no machine-readable zone"),
        Some(Err(e)) if e.field == "layout" => Check::failed(
            name,
            format!(
                "the zone is not an ICAO 9303 TD1, TD2 or TD3 layout: {}",
                e.message
            ),
        )
        .with_metadata(json!({ "field": e.field })),
        Some(Err(e)) => Check::failed(
            name,
            format!("the {} field cannot be read", e.field.replace('_', " ")),
        )
        .with_metadata(json!({ "field": e.field })),
        Some(Ok(z)) => {
            let (lines, width) = z.format.shape();
            let shape = format!("{lines} lines of {width} characters");
            Check::passed(name, format!("{} layout, {shape}", z.format.name()))
                .with_metadata(json!({ "format": z.format.name() }))
        }
    }
}

fn check_digits(zone: Option<&Mrz>) -> Check {
    let name = CheckName::MrzCheckDigits;
    let Some(z) = zone else {
        return Check::not_applicable(name, "the zone could not be read");
    };
    let bad: Vec<_> = z.check_digits.iter().filter(|c| !c.ok()).collect();
    let fields: Vec<&str> = z.check_digits.iter().map(|c| c.field).collect();
    if bad.is_empty() {
        return Check::passed(
            name,
            format!(
                "all {} check digits are right, the composite included",
                z.check_digits.len()
            ),
        )
        .with_metadata(json!({ "checked": fields }));
    }
    let mut check = Check::failed(name, "");
    check.reasons = bad
        .iter()
        .map(|c| {
            format!(
                "the {} check digit is {} but the field gives {}",
                c.field.replace('_', " "),
                c.found,
                c.expected
            )
        })
        .collect();
    let failed: Vec<&str> = bad.iter().map(|c| c.field).collect();
    check.with_metadata(json!({ "checked": fields, "failed": failed }))
}

fn not_expired(zone: Option<&Mrz>, today: NaiveDate) -> Check {
    let name = CheckName::DocumentNotExpired;
    let Some(z) = zone else {
        return Check::not_applicable(name, "the expiry date could not be read");
    };
    let days = (z.expiry_date - today).num_days();
    if days >= 0 {
        Check::passed(name, format!("valid for another {days} days"))
            .with_metadata(json!({ "days_left": days }))
    } else {
        Check::failed(name, format!("expired {} days ago", -days))
            .with_metadata(json!({ "days_left": days }))
    }
}

fn minimum_age(zone: Option<&Mrz>, today: NaiveDate, minimum: u32) -> Check {
    let name = CheckName::MinimumAge;
    let Some(z) = zone else {
        return Check::not_applicable(name, "the birth date could not be read");
    };
    let age = age_on(z.birth_date, today);
    let minimum_i = i32::try_from(minimum).unwrap_or(i32::MAX);
    let meta = json!({ "minimum_age": minimum });
    if age >= minimum_i {
        Check::passed(name, format!("the holder is {minimum} or older")).with_metadata(meta)
    } else {
        Check::failed(name, format!("the holder is younger than {minimum}")).with_metadata(meta)
    }
}

fn consistency(zone: Option<&Mrz>, e: &Entered) -> Check {
    let name = CheckName::DataConsistency;
    let Some(z) = zone else {
        return Check::not_applicable(name, "the zone could not be read");
    };
    let mut compared = Vec::new();
    let mut mismatched = Vec::new();
    let mut compare = |field: &'static str, same: Option<bool>| {
        if let Some(same) = same {
            compared.push(field);
            if !same {
                mismatched.push(field);
            }
        }
    };
    compare(
        "person.name.last",
        e.last_name.as_deref().map(|l| names_match(l, &z.surname)),
    );
    compare(
        "person.name.first",
        e.first_name
            .as_deref()
            .map(|first| given_names_match(first, e.middle_name.as_deref(), &z.given_names)),
    );
    compare("person.birth_date", e.birth_date.map(|b| b == z.birth_date));
    compare(
        "identity_number.number",
        e.identity_number
            .as_deref()
            .filter(|_| !z.document_number.is_empty())
            .map(|n| fold_number(n) == fold_number(&z.document_number)),
    );
    if compared.is_empty() {
        return Check::not_applicable(name, "the session has no personal data to compare yet")
            .with_metadata(json!({ "compared": compared }));
    }
    let meta = json!({ "compared": compared, "mismatched": mismatched });
    if mismatched.is_empty() {
        return Check::passed(
            name,
            format!(
                "{} matches the document",
                words(&compared.iter().map(|f| label(f)).collect::<Vec<_>>())
            ),
        )
        .with_metadata(meta);
    }
    let mut check = Check::failed(name, "");
    check.reasons = mismatched
        .iter()
        .map(|f| format!("the {} differs from the document", label(f)))
        .collect();
    check.with_metadata(meta)
}

/// Entered first (and middle) names against the zone's given names: all of them, or
/// the first alone when no middle name was entered.
fn given_names_match(first: &str, middle: Option<&str>, given: &str) -> bool {
    let entered = match middle {
        Some(m) if !m.trim().is_empty() => format!("{first} {m}"),
        _ => first.to_owned(),
    };
    if names_match(&entered, given) {
        return true;
    }
    let no_middle = middle.is_none_or(|m| m.trim().is_empty());
    no_middle && names_match(first, given.split(' ').next().unwrap_or(""))
}

fn fold_number(n: &str) -> String {
    n.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn label(field: &str) -> &'static str {
    match field {
        "person.name.last" => "last name",
        "person.name.first" => "given names",
        "person.birth_date" => "birth date",
        _ => "document number",
    }
}

fn words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => capitalise(one),
        [init @ .., last] => capitalise(&format!("{} and {last}", init.join(", "))),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn image_check(photo: Option<&PhotoReading>, policy: &Policy) -> Check {
    let name = CheckName::ImageReadable;
    let Some(photo) = photo else {
        return Check::failed(name, "no front image of the document was uploaded");
    };
    let (min_w, min_h) = policy.min_image;
    match photo.size {
        Err(ImageProblem::TooLarge(ref why)) => Check::failed(
            name,
            format!("the front image is too large to decode safely ({why})"),
        ),
        Err(ImageProblem::Undecodable(_)) => {
            Check::failed(name, "the front file cannot be decoded as an image")
        }
        Ok((w, h)) => {
            let meta = json!({ "width": w, "height": h, "minimum": [min_w, min_h] });
            // A portrait photo of a card counts as well as a landscape one.
            let (long, short) = (w.max(h), w.min(h));
            if long >= min_w && short >= min_h {
                Check::passed(name, format!("{w}x{h} pixels")).with_metadata(meta)
            } else {
                Check::failed(
                    name,
                    format!("{w}x{h} pixels is smaller than the {min_w}x{min_h} needed"),
                )
                .with_metadata(meta)
            }
        }
    }
}

#[cfg(test)]
mod tests;
