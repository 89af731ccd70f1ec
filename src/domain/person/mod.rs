//! Applicant data, parsed at the edge: a value of these types is valid by construction, so
//! code past the parsing edge never checks again (SPEC section 2, input rules).

use chrono::NaiveDate;
use serde::Serialize;

mod fields;

pub(crate) use fields::person_fields;
pub use fields::{
    BirthDate, CountryCode, Email, FIELDS, Field, FieldKind, IdentityClassCode, Name, Phone, Text,
};

/// A field that failed validation, with a message a reviewer or integrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path, dotted as in the API (`person.name.first`, `contact.email`).
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
    /// The field names another resource (an account, a session, a document) that does not
    /// exist: a form shows it like any other error, the API answers 404 (JSON:API's
    /// status for a link to a missing resource).
    #[serde(skip)]
    pub missing: bool,
}

impl FieldError {
    /// A field error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            missing: false,
        }
    }

    /// `field` names a resource that does not exist (`no such account`).
    pub fn missing(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            missing: true,
            ..Self::new(field, message)
        }
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Whether `c` is an invisible format character: Unicode general category Cf (as of
/// Unicode 15.1) — the soft hyphen, zero-width spaces and joiners, the bidirectional marks,
/// embeddings, overrides and isolates, the BOM, tags. They change how text displays
/// without being seen (`U+202E` shows `Anna` reversed), so names, notes and comments
/// refuse them.
pub fn is_format_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// The message for text holding a format character, naming the first one.
pub fn format_char_message(s: &str) -> Option<String> {
    s.chars().find(|c| is_format_char(*c)).map(|c| {
        format!(
            "must not contain invisible formatting characters (found U+{:04X})",
            u32::from(c)
        )
    })
}

/// Trims a free-text value, refusing control characters and more than `max` characters.
/// An empty value is `None`: the field is cleared.
pub fn text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if has_control(v) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    if let Some(message) = format_char_message(v) {
        return Err(FieldError::new(field, message));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(v.to_owned()))
}

/// A name part: at most 100 characters, no control characters.
pub fn name(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    text(field, raw, 100)
}

/// A birth date: a real `YYYY-MM-DD` date between 1900-01-01 and `today`.
pub fn birth_date(
    field: &str,
    raw: &str,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "must be a real date written YYYY-MM-DD"))?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date < earliest || date > today {
        return Err(FieldError::new(
            field,
            "must be between 1900-01-01 and today",
        ));
    }
    Ok(Some(date))
}

/// An email address: at most 254 characters, exactly one `@` with text on both sides, no
/// spaces. Stored as typed (trimmed); compared case-insensitively by search.
pub fn email(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 254 {
        return Err(FieldError::new(field, "must be at most 254 characters"));
    }
    if let Some(message) = format_char_message(v) {
        return Err(FieldError::new(field, message));
    }
    let mut parts = v.split('@');
    let (local, domain) = (parts.next().unwrap_or(""), parts.next());
    let ok = match domain {
        Some(domain) => {
            parts.next().is_none()
                && !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !ok {
        return Err(FieldError::new(
            field,
            "must be an email address like name@example.org",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// A phone number in international form: `+` and 7 to 15 digits. Spaces, dashes, dots and
/// parentheses typed between the digits are dropped.
pub fn phone(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let compact: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or("");
    if digits.len() < 7 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(
            field,
            "must be + followed by 7 to 15 digits",
        ));
    }
    Ok(Some(compact))
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country_code(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let v = raw.trim().to_ascii_uppercase();
    if v.is_empty() {
        return Ok(None);
    }
    if v.len() == 2 && is_country_code(&v) {
        Ok(Some(v))
    } else {
        Err(FieldError::new(
            field,
            "must be an ISO 3166-1 alpha-2 country code such as SE",
        ))
    }
}

/// Every officially assigned ISO 3166-1 alpha-2 code, upper case, in order.
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    COUNTRY_CODES.split(' ')
}

/// Whether `code` is an officially assigned ISO 3166-1 alpha-2 code.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && COUNTRY_CODES.split(' ').any(|c| c == code)
}

const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Masks a value for managers, keeping each word's first character: `Anna Eriksson` becomes
/// `A*** E*******`, `anna@example.org` becomes `a***@e******.o**`.
pub fn mask(value: &str) -> String {
    Masked(value).to_string()
}

/// [`mask`] written straight into a page or a buffer, without a string of its own.
pub struct Masked<'a>(pub &'a str);

impl std::fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        let mut at_word_start = true;
        for c in self.0.chars() {
            if c.is_alphanumeric() {
                f.write_char(if at_word_start { c } else { '*' })?;
                at_word_start = false;
            } else {
                f.write_char(c)?;
                at_word_start = true;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn names_refuse_control_characters_and_overlong_values() {
        assert_eq!(name("f", "  Anna ").unwrap().as_deref(), Some("Anna"));
        assert_eq!(name("f", "").unwrap(), None);
        assert!(name("f", "An\u{0}na").is_err());
        assert!(name("f", &"a".repeat(101)).is_err());
        assert!(name("f", &"ä".repeat(100)).is_ok());
    }

    #[test]
    fn format_characters_are_refused_in_every_text_field() {
        for c in [
            '\u{AD}',
            '\u{200B}',
            '\u{200F}',
            '\u{202E}',
            '\u{2066}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            let v = format!("An{c}na");
            let e = name("person.name.first", &v).unwrap_err();
            assert_eq!(e.field, "person.name.first");
            assert!(e.message.contains("invisible formatting"), "{c:?}");
            assert!(text("address.line1", &v, 200).is_err(), "{c:?}");
            assert!(
                email("contact.email", &format!("a{c}@example.org")).is_err(),
                "{c:?}"
            );
        }
        // Letters and marks of other scripts are not format characters.
        assert!(name("f", "Zoë").is_ok());
        assert!(name("f", "محمد").is_ok());
        assert!(name("f", "Nguyễn").is_ok());
    }

    #[test]
    fn birth_dates_must_be_real_and_in_range() {
        assert!(birth_date("b", "1974-08-12", today()).unwrap().is_some());
        assert!(birth_date("b", "1974-02-30", today()).is_err());
        assert!(birth_date("b", "1899-12-31", today()).is_err());
        assert!(birth_date("b", "2026-11-26", today()).is_err());
        assert!(birth_date("b", "12/08/1974", today()).is_err());
    }

    #[test]
    fn emails_need_exactly_one_at_sign() {
        assert!(email("e", "anna@example.org").unwrap().is_some());
        assert!(email("e", "anna@@example.org").is_err());
        assert!(email("e", "a@b@example.org").is_err());
        assert!(email("e", "anna.example.org").is_err());
        assert!(email("e", "an na@example.org").is_err());
        assert!(email("e", &format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn phones_are_plus_and_seven_to_fifteen_digits() {
        assert_eq!(
            phone("p", "+46 70-123 45 67").unwrap().as_deref(),
            Some("+46701234567")
        );
        assert!(phone("p", "0701234567").is_err());
        assert!(phone("p", "+123456").is_err());
        assert!(phone("p", "+1234567890123456").is_err());
    }

    #[test]
    fn country_codes_are_iso_alpha_2() {
        assert_eq!(country_code("c", "se").unwrap().as_deref(), Some("SE"));
        assert!(country_code("c", "XX").is_err());
        assert!(country_code("c", "SWE").is_err());
        assert_eq!(COUNTRY_CODES.split(' ').count(), 249);
    }

    #[test]
    fn masking_keeps_only_initials() {
        assert_eq!(mask("Anna Eriksson"), "A*** E*******");
        assert_eq!(mask("anna@example.org"), "a***@e******.o**");
    }
}
