//! The verification engine (SPEC section 3): pure functions from what a document carries
//! (its MRZ text, its front image, its reported fields) and what the session already holds
//! to a list of named checks, a status and the extracted person data. The service layer
//! loads the inputs and stores the outcome; nothing here touches the database.

pub mod address;
pub mod idv;
pub mod image;
pub mod photo;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::kinds::{CheckStatus, Requirement, VerificationStatus};
use super::string_enum;

string_enum! {
    /// Every check the engine runs, by its stable name.
    pub enum CheckName {
        MrzFormat => "mrz_format",
        MrzCheckDigits => "mrz_check_digits",
        DocumentNotExpired => "document_not_expired",
        MinimumAge => "minimum_age",
        DataConsistency => "data_consistency",
        ImageReadable => "image_readable",
        ImageQuality => "image_quality",
        MrzReadFromImage => "mrz_read_from_image",
        MrzMatchesImage => "mrz_matches_image",
        DocumentRecent => "document_recent",
        NameMatchesSession => "name_matches_session",
        AddressPresent => "address_present",
    }
}

impl CheckName {
    /// The check's name as a reviewer reads it.
    pub fn label(self) -> &'static str {
        match self {
            CheckName::MrzFormat => "MRZ layout",
            CheckName::MrzCheckDigits => "MRZ check digits",
            CheckName::DocumentNotExpired => "Document not expired",
            CheckName::MinimumAge => "Minimum age",
            CheckName::DataConsistency => "Matches the entered data",
            CheckName::ImageReadable => "Image readable",
            CheckName::ImageQuality => "Photo quality",
            CheckName::MrzReadFromImage => "MRZ read from the photo",
            CheckName::MrzMatchesImage => "MRZ sent matches the photo",
            CheckName::DocumentRecent => "Issued recently",
            CheckName::NameMatchesSession => "Name matches the applicant",
            CheckName::AddressPresent => "Address present",
        }
    }
}

/// One check's result: what a reviewer reads in the case page and an integrator in the API.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Which check.
    pub name: CheckName,
    /// `passed`, `failed` or `not_applicable`.
    pub status: CheckStatus,
    /// Whether a failure fails the verification.
    pub requirement: Requirement,
    /// Why, in words, without the applicant's data.
    pub reasons: Vec<String>,
    /// Machine-readable detail (layout, days left, fields compared), never personal data.
    pub metadata: Value,
}

impl Check {
    fn new(name: CheckName, status: CheckStatus, reason: impl Into<String>) -> Self {
        Check {
            name,
            status,
            requirement: Requirement::Required,
            reasons: vec![reason.into()],
            metadata: json!({}),
        }
    }

    /// A required check that passed.
    pub fn passed(name: CheckName, reason: impl Into<String>) -> Self {
        Self::new(name, CheckStatus::Passed, reason)
    }

    /// A required check that failed.
    pub fn failed(name: CheckName, reason: impl Into<String>) -> Self {
        Self::new(name, CheckStatus::Failed, reason)
    }

    /// A check that could not be judged with what was given.
    pub fn not_applicable(name: CheckName, reason: impl Into<String>) -> Self {
        Self::new(name, CheckStatus::NotApplicable, reason)
    }

    /// The same check with `metadata`.
    pub fn with_metadata(mut self, metadata: Value) -> Self {
        self.metadata = metadata;
        self
    }

    /// Whether this check fails its verification.
    pub fn fails(&self) -> bool {
        self.status == CheckStatus::Failed && self.requirement == Requirement::Required
    }
}

/// `person.name` as a document gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedName {
    /// The first given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    /// The other given names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle: Option<String>,
    /// The surname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

/// An address as a document gives it, shaped like a session's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedAddress {
    /// Street and number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// More of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// District.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sublocality: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// State or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub administrative_area: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

/// The person data a verification read from its document (SPEC section 3, "Extracted").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    /// Names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<ExtractedName>,
    /// Date of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Document number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// Nationality, ICAO alpha-3 as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// `M`, `F` or `X`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Date of expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<NaiveDate>,
    /// Issuing state, ICAO alpha-3 as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    /// The machine-readable zone as read from the photo, lines separated by `\n`: what
    /// the photo says, for the reviewer to compare with the zone sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrz: Option<String>,
    /// Postal address (address documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<ExtractedAddress>,
}

impl Extracted {
    /// As stored in `verifications.extracted` and sent in the API.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The session's data the checks compare a document with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entered {
    /// `person.name.first`
    pub first_name: Option<String>,
    /// `person.name.middle`
    pub middle_name: Option<String>,
    /// `person.name.last`
    pub last_name: Option<String>,
    /// `person.birth_date`
    pub birth_date: Option<NaiveDate>,
    /// `identity_number.number`
    pub identity_number: Option<String>,
}

/// The rules' parameters, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `minimum_age`: the youngest applicant accepted, in whole years.
    pub minimum_age: u32,
    /// `document_recent`: the oldest address document accepted, in days.
    pub address_max_age_days: i64,
    /// `image_readable`: the smallest front image accepted.
    pub min_image: (u32, u32),
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            minimum_age: 18,
            address_max_age_days: 90,
            min_image: (600, 400),
        }
    }
}

/// What a verification concluded.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `passed`, `failed` or `requires_retry`.
    pub status: VerificationStatus,
    /// Every check, in a stable order.
    pub checks: Vec<Check>,
    /// What the document says, when anything could be read.
    pub extracted: Option<Extracted>,
}

impl Outcome {
    /// Status from checks: `requires_retry` when the input could not be read, else
    /// `failed` when a required check failed, else `passed`.
    fn conclude(checks: Vec<Check>, unreadable: bool, extracted: Option<Extracted>) -> Self {
        let status = if unreadable {
            VerificationStatus::RequiresRetry
        } else if checks.iter().any(Check::fails) {
            VerificationStatus::Failed
        } else {
            VerificationStatus::Passed
        };
        Outcome {
            status,
            checks,
            extracted,
        }
    }

    /// The names of the checks that failed, for events and summaries.
    pub fn failed_checks(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// `ANNA MARIA` as `Anna Maria`: MRZ capitals made readable, each word capitalised.
pub fn title_case(text: &str) -> String {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whole years from `birth` to `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_whole_years_to_the_birthday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age_on(d("2008-11-25"), d("2026-11-25")), 18);
        assert_eq!(age_on(d("2008-11-26"), d("2026-11-25")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    }

    #[test]
    fn mrz_capitals_become_names() {
        assert_eq!(title_case("ANNA MARIA"), "Anna Maria");
        assert_eq!(title_case("MUELLER LUEDENSCHEIDT"), "Mueller Luedenscheidt");
        assert_eq!(title_case(""), "");
    }
}
