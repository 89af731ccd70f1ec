//! ICAO 9303 machine-readable zones: reading TD1, TD2, TD3 and visa (MRV-A, MRV-B) zones
//! field by field with every check digit, name transliteration, composing zones (for demo
//! documents and property tests), and correcting a zone read from a photo ([`correct`]).

use chrono::{Datelike, NaiveDate};

/// The value of one MRZ character for check digits: digits as themselves, `A`..`Z` as
/// 10..35, `<` (and anything else) as 0.
pub fn char_value(c: char) -> u32 {
    match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='Z' => c as u32 - 'A' as u32 + 10,
        _ => 0,
    }
}

/// The ICAO 9303 check digit of `field`: weights 7, 3, 1 repeating, sum modulo 10.
pub fn check_digit(field: &str) -> char {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .chars()
        .enumerate()
        .map(|(i, c)| char_value(c) * WEIGHTS[i % 3])
        .sum();
    char::from_digit(sum % 10, 10).unwrap_or('0')
}

/// Transliterates a name for an MRZ (ICAO 9303 part 3, section 6): upper case, `Ä` to `AE`,
/// `Ö` to `OE`, `Ü` to `UE`, `Å` to `AA`, `ß` to `SS`, other accents dropped, and every
/// separator (space, hyphen, apostrophe) to `<`.
pub fn transliterate(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let upper: String = c.to_uppercase().collect();
        let mapped = match upper.as_str() {
            "Ä" | "Æ" => "AE",
            "Ö" | "Ø" | "Œ" => "OE",
            "Ü" => "UE",
            "Å" => "AA",
            "SS" | "ẞ" => "SS",
            "Þ" => "TH",
            "Ł" => "L",
            "Đ" => "D",
            "İ" | "I" => "I",
            "Ş" => "S",
            "Ğ" => "G",
            "Ç" => "C",
            "Ñ" => "N",
            "Á" | "À" | "Â" | "Ã" | "Ą" => "A",
            "É" | "È" | "Ê" | "Ë" | "Ę" => "E",
            "Í" | "Ì" | "Î" | "Ï" => "I",
            "Ó" | "Ò" | "Ô" | "Õ" => "O",
            "Ú" | "Ù" | "Û" => "U",
            "Ś" => "S",
            "Ź" | "Ż" => "Z",
            "Ć" => "C",
            "Ń" => "N",
            "Ý" | "Ÿ" => "Y",
            s if s.len() == 1 && s.as_bytes()[0].is_ascii_uppercase() => s,
            s if s.len() == 1 && s.as_bytes()[0].is_ascii_digit() => s,
            _ => "<",
        };
        out.push_str(mapped);
    }
    out
}

mod compose;
pub mod correct;

pub use compose::{
    CardFields, Td3Fields, alpha3, compose_mrva, compose_mrvb, compose_td1, compose_td2,
    compose_td3,
};

/// Which ICAO 9303 layout a zone has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 3 lines of 30 characters (ID cards).
    Td1,
    /// 2 lines of 36 characters.
    Td2,
    /// 2 lines of 44 characters (passports).
    Td3,
    /// A visa of 2 lines of 44 characters (document code `V`): no optional-data check
    /// digit and no composite.
    MrvA,
    /// A visa of 2 lines of 36 characters (document code `V`): no composite.
    MrvB,
}

impl Format {
    /// The layout's name as in ICAO 9303.
    pub fn name(self) -> &'static str {
        match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::MrvA => "MRV-A",
            Format::MrvB => "MRV-B",
        }
    }

    /// Lines and characters per line.
    pub fn shape(self) -> (usize, usize) {
        match self {
            Format::Td1 => (3, 30),
            Format::Td2 | Format::MrvB => (2, 36),
            Format::Td3 | Format::MrvA => (2, 44),
        }
    }
}

/// Why a zone could not be read, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct MrzError {
    /// The field that failed (`layout`, `birth_date`, `document_number`, ...).
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> MrzError {
    MrzError {
        field,
        message: message.into(),
    }
}

/// One check digit as printed and as computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDigit {
    /// The field it covers (`document_number`, `birth_date`, `expiry_date`,
    /// `optional_data`, `composite`).
    pub field: &'static str,
    /// The digit printed in the zone.
    pub found: char,
    /// The digit the field's characters give.
    pub expected: char,
}

impl CheckDigit {
    /// Whether the printed digit is right. An empty optional field may carry `<` or `0`.
    pub fn ok(&self) -> bool {
        self.found == self.expected
            || (self.field == "optional_data" && self.found == '<' && self.expected == '0')
    }
}

/// A machine-readable zone, read field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrz {
    /// The layout.
    pub format: Format,
    /// Document code (`P`, `I`, `ID`, `AC`, ...), fillers removed.
    pub document_code: String,
    /// Issuing state or organisation, ICAO alpha-3 (`D` for Germany), fillers removed.
    pub issuing_state: String,
    /// Primary identifier: the surname, words separated by spaces.
    pub surname: String,
    /// Secondary identifier: the given names, separated by spaces.
    pub given_names: String,
    /// Document number, fillers removed (TD1 long numbers joined with their overflow).
    pub document_number: String,
    /// Nationality, ICAO alpha-3, fillers removed.
    pub nationality: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// `M`, `F` or `X` (`<` is read as `X`, unspecified).
    pub sex: char,
    /// Date of expiry.
    pub expiry_date: NaiveDate,
    /// Optional data (personal number), fillers removed; TD1's two optional fields joined.
    pub optional_data: String,
    /// Every check digit of the zone, the composite last.
    pub check_digits: Vec<CheckDigit>,
}

impl Mrz {
    /// The first check digit that does not match, if any.
    pub fn first_bad_check_digit(&self) -> Option<&CheckDigit> {
        self.check_digits.iter().find(|c| !c.ok())
    }
}

fn strip(s: &str) -> String {
    s.trim_end_matches('<').replace('<', " ").trim().to_owned()
}

fn names(field: &str) -> (String, String) {
    let field = field.trim_end_matches('<');
    match field.split_once("<<") {
        Some((surname, given)) => (strip(surname), strip(given)),
        None => (strip(field), String::new()),
    }
}

fn yymmdd_date(
    field: &'static str,
    s: &str,
    resolve: impl Fn(i32, u32, u32) -> Option<NaiveDate>,
) -> Result<NaiveDate, MrzError> {
    if s.len() != 6 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(err(field, format!("\"{s}\" is not a date written YYMMDD")));
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (yy, mm, dd) = (n(0..2) as i32, n(2..4), n(4..6));
    resolve(yy, mm, dd).ok_or_else(|| err(field, format!("\"{s}\" is not a real date")))
}

/// Reads a birth date: the century that puts it in the past.
fn birth(s: &str, today: NaiveDate) -> Result<NaiveDate, MrzError> {
    yymmdd_date("birth_date", s, |yy, mm, dd| {
        let d2000 = NaiveDate::from_ymd_opt(2000 + yy, mm, dd);
        match d2000 {
            Some(d) if d <= today => Some(d),
            _ => NaiveDate::from_ymd_opt(1900 + yy, mm, dd),
        }
    })
}

/// Reads an expiry date: this century unless that is more than 20 years ahead.
fn expiry(s: &str, today: NaiveDate) -> Result<NaiveDate, MrzError> {
    yymmdd_date("expiry_date", s, |yy, mm, dd| {
        let limit = today.year() + 20;
        if 2000 + yy <= limit {
            NaiveDate::from_ymd_opt(2000 + yy, mm, dd)
        } else {
            NaiveDate::from_ymd_opt(1900 + yy, mm, dd)
        }
    })
}

fn digit(field: &'static str, covered: &str, found: char) -> CheckDigit {
    CheckDigit {
        field,
        found,
        expected: check_digit(covered),
    }
}

/// Splits and checks the layout: 3 x 30, 2 x 36 or 2 x 44 characters of `A`-`Z`, `0`-`9`
/// and `<`. Lines may be separated by any line break; surrounding blanks are ignored.
pub fn layout(text: &str) -> Result<(Format, Vec<String>), MrzError> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let visa = lines.first().is_some_and(|l| l.starts_with('V'));
    let format = match (lines.len(), lines.first().map(|l| l.chars().count())) {
        (3, Some(30)) => Format::Td1,
        (2, Some(36)) if visa => Format::MrvB,
        (2, Some(44)) if visa => Format::MrvA,
        (2, Some(36)) => Format::Td2,
        (2, Some(44)) => Format::Td3,
        (n, len) => {
            return Err(err(
                "layout",
                format!(
                    "{n} line{} of {} characters is no ICAO 9303 layout (TD1: 3 x 30, TD2 and MRV-B: 2 x 36, TD3 and MRV-A: 2 x 44)",
                    if n == 1 { "" } else { "s" },
                    len.unwrap_or(0)
                ),
            ));
        }
    };
    let width = lines[0].chars().count();
    for (i, line) in lines.iter().enumerate() {
        if line.chars().count() != width {
            return Err(err(
                "layout",
                format!(
                    "line {} has {} characters, expected {width}",
                    i + 1,
                    line.chars().count()
                ),
            ));
        }
        if let Some(c) = line
            .chars()
            .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<'))
        {
            return Err(err(
                "layout",
                format!(
                    "line {} contains {c:?}; only A-Z, 0-9 and < are allowed",
                    i + 1
                ),
            ));
        }
    }
    Ok((format, lines))
}

fn sex(c: char) -> Result<char, MrzError> {
    match c {
        'M' | 'F' | 'X' => Ok(c),
        '<' => Ok('X'),
        other => Err(err("sex", format!("{other:?} is not M, F, X or <"))),
    }
}

/// Reads a zone. Layout, dates and field contents must be sound or this fails naming the
/// field; check digits are computed and reported in [`Mrz::check_digits`] for the caller
/// to judge, so that a zone with a wrong digit can still be shown.
pub fn parse(text: &str, today: NaiveDate) -> Result<Mrz, MrzError> {
    let (format, lines) = layout(text)?;
    let l: Vec<&str> = lines.iter().map(String::as_str).collect();
    let ch = |s: &str, i: usize| s.as_bytes()[i] as char;
    match format {
        Format::Td3 | Format::Td2 | Format::MrvA | Format::MrvB => {
            let (l1, l2) = (l[0], l[1]);
            let width = l2.len();
            // Where the optional data ends: before its own check digit (TD3) and the
            // composite (TD3, TD2); visas have neither.
            let opt_end = match format {
                Format::Td3 => 42,
                Format::Td2 => 35,
                _ => width,
            };
            let (surname, given_names) = names(&l1[5..]);
            let number_field = &l2[0..9];
            let mut checks = vec![
                digit("document_number", number_field, ch(l2, 9)),
                digit("birth_date", &l2[13..19], ch(l2, 19)),
                digit("expiry_date", &l2[21..27], ch(l2, 27)),
            ];
            if format == Format::Td3 {
                checks.push(digit("optional_data", &l2[28..42], ch(l2, 42)));
            }
            if matches!(format, Format::Td3 | Format::Td2) {
                let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..width - 1]);
                checks.push(digit("composite", &composite, ch(l2, width - 1)));
            }
            Ok(Mrz {
                format,
                document_code: strip(&l1[0..2]),
                issuing_state: strip(&l1[2..5]),
                surname,
                given_names,
                document_number: strip(number_field),
                nationality: strip(&l2[10..13]),
                birth_date: birth(&l2[13..19], today)?,
                sex: sex(ch(l2, 20))?,
                expiry_date: expiry(&l2[21..27], today)?,
                optional_data: strip(&l2[28..opt_end]),
                check_digits: checks,
            })
        }
        Format::Td1 => {
            let (l1, l2, l3) = (l[0], l[1], l[2]);
            let optional1 = &l1[15..30];
            // A document number longer than 9 characters: the check-digit position holds
            // `<` and the number goes on in the optional field, its check digit last.
            let (number, number_check, optional1_rest) =
                if ch(l1, 14) == '<' && optional1.starts_with(|c: char| c != '<') {
                    let end = optional1.find('<').unwrap_or(optional1.len());
                    if end == 0 {
                        return Err(err(
                            "document_number",
                            "the long document number has no check digit",
                        ));
                    }
                    let overflow = &optional1[..end - 1];
                    let check = optional1.as_bytes()[end - 1] as char;
                    (
                        format!("{}{}", &l1[5..14], overflow),
                        check,
                        optional1[end..].to_owned(),
                    )
                } else {
                    (l1[5..14].to_owned(), ch(l1, 14), optional1.to_owned())
                };
            let checks = vec![
                digit("document_number", &number, number_check),
                digit("birth_date", &l2[0..6], ch(l2, 6)),
                digit("expiry_date", &l2[8..14], ch(l2, 14)),
                digit(
                    "composite",
                    &format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]),
                    ch(l2, 29),
                ),
            ];
            let (surname, given_names) = names(l3);
            let optional = [strip(&optional1_rest), strip(&l2[18..29])]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            Ok(Mrz {
                format,
                document_code: strip(&l1[0..2]),
                issuing_state: strip(&l1[2..5]),
                surname,
                given_names,
                document_number: strip(&number),
                nationality: strip(&l2[15..18]),
                birth_date: birth(&l2[0..6], today)?,
                sex: sex(ch(l2, 7))?,
                expiry_date: expiry(&l2[8..14], today)?,
                optional_data: optional,
                check_digits: checks,
            })
        }
    }
}

#[cfg(test)]
mod tests;
