//! Composing machine-readable zones from their fields: demo documents carry real zones,
//! and the property tests generate them.

use chrono::{Datelike, NaiveDate};

use super::{check_digit, transliterate};

fn pad(value: &str, len: usize) -> String {
    let mut s: String = value.chars().take(len).collect();
    while s.chars().count() < len {
        s.push('<');
    }
    s
}

fn yymmdd(date: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year().rem_euclid(100),
        date.month(),
        date.day()
    )
}

/// The fields of a TD3 (passport) zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Td3Fields {
    /// Document code, `P` for a passport.
    pub document_code: String,
    /// Issuing state, ICAO alpha-3 (`UTO`, `SWE`, `D`).
    pub issuing_state: String,
    /// Primary identifier (surname), as typed.
    pub surname: String,
    /// Secondary identifier (given names), as typed.
    pub given_names: String,
    /// Document number, up to 9 characters.
    pub document_number: String,
    /// Nationality, ICAO alpha-3.
    pub nationality: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// `M`, `F` or `<`.
    pub sex: char,
    /// Date of expiry.
    pub expiry_date: NaiveDate,
    /// Personal number or other optional data, up to 14 characters.
    pub optional_data: String,
}

/// Composes the two 44-character lines of a TD3 zone with every check digit.
pub fn compose_td3(f: &Td3Fields) -> [String; 2] {
    let names = format!(
        "{}<<{}",
        transliterate(f.surname.trim()),
        transliterate(f.given_names.trim())
    );
    let line1 = pad(
        &format!(
            "{}<{}{}",
            pad(&f.document_code, 1),
            pad(&f.issuing_state, 3),
            names
        ),
        44,
    );
    let number = pad(&f.document_number, 9);
    let birth = yymmdd(f.birth_date);
    let expiry = yymmdd(f.expiry_date);
    let optional = pad(&f.optional_data, 14);
    let optional_check = if optional.chars().all(|c| c == '<') {
        '<'
    } else {
        check_digit(&optional)
    };
    let n_check = check_digit(&number);
    let b_check = check_digit(&birth);
    let e_check = check_digit(&expiry);
    let composite =
        format!("{number}{n_check}{birth}{b_check}{expiry}{e_check}{optional}{optional_check}");
    let line2 = format!(
        "{number}{n_check}{}{birth}{b_check}{}{expiry}{e_check}{optional}{optional_check}{}",
        pad(&f.nationality, 3),
        f.sex,
        check_digit(&composite)
    );
    [line1, line2]
}

/// The ICAO alpha-3 code used in MRZs for an ISO alpha-2 country code, for the countries
/// demo data uses; `None` for others.
pub fn alpha3(alpha2: &str) -> Option<&'static str> {
    Some(match alpha2 {
        "SE" => "SWE",
        "DE" => "D",
        "PL" => "POL",
        "FR" => "FRA",
        "ES" => "ESP",
        "NG" => "NGA",
        "IN" => "IND",
        "BR" => "BRA",
        "TR" => "TUR",
        "JP" => "JPN",
        "GB" => "GBR",
        "US" => "USA",
        "NL" => "NLD",
        "IT" => "ITA",
        _ => return None,
    })
}

/// The fields of a TD1 or TD2 zone to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFields {
    /// Document code, `I` or `ID` for identity cards.
    pub document_code: String,
    /// Issuing state, alpha-3.
    pub issuing_state: String,
    /// Surname.
    pub surname: String,
    /// Given names.
    pub given_names: String,
    /// Document number; over 9 characters overflows into the optional field (TD1 only).
    pub document_number: String,
    /// Nationality, alpha-3.
    pub nationality: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// `M`, `F` or `<`.
    pub sex: char,
    /// Date of expiry.
    pub expiry_date: NaiveDate,
    /// Optional data.
    pub optional_data: String,
}

/// Composes the three 30-character lines of a TD1 zone with every check digit.
pub fn compose_td1(f: &CardFields) -> [String; 3] {
    let number = f.document_number.as_str();
    let (number_field, optional1) = if number.chars().count() > 9 {
        let head: String = number.chars().take(9).collect();
        let tail: String = number.chars().skip(9).collect();
        (
            format!("{head}<"),
            pad(&format!("{tail}{}", check_digit(number)), 15),
        )
    } else {
        (
            format!("{}{}", pad(number, 9), check_digit(&pad(number, 9))),
            pad("", 15),
        )
    };
    let line1 = format!(
        "{}{}{}{}",
        pad(&f.document_code, 2),
        pad(&f.issuing_state, 3),
        number_field,
        optional1
    );
    let birth = yymmdd(f.birth_date);
    let expiry = yymmdd(f.expiry_date);
    let optional2 = pad(&f.optional_data, 11);
    let mut line2 = format!(
        "{birth}{}{}{expiry}{}{}{optional2}",
        check_digit(&birth),
        f.sex,
        check_digit(&expiry),
        pad(&f.nationality, 3)
    );
    let composite = format!(
        "{}{}{}{}",
        &line1[5..30],
        &line2[0..7],
        &line2[8..15],
        &line2[18..29]
    );
    line2.push(check_digit(&composite));
    let line3 = pad(
        &format!(
            "{}<<{}",
            transliterate(f.surname.trim()),
            transliterate(f.given_names.trim())
        ),
        30,
    );
    [line1, line2, line3]
}

/// Composes the two 36-character lines of a TD2 zone with every check digit.
pub fn compose_td2(f: &CardFields) -> [String; 2] {
    let names = format!(
        "{}<<{}",
        transliterate(f.surname.trim()),
        transliterate(f.given_names.trim())
    );
    let line1 = pad(
        &format!(
            "{}{}{names}",
            pad(&f.document_code, 2),
            pad(&f.issuing_state, 3)
        ),
        36,
    );
    let number = pad(&f.document_number, 9);
    let birth = yymmdd(f.birth_date);
    let expiry = yymmdd(f.expiry_date);
    let mut line2 = format!(
        "{number}{}{}{birth}{}{}{expiry}{}{}",
        check_digit(&number),
        pad(&f.nationality, 3),
        check_digit(&birth),
        f.sex,
        check_digit(&expiry),
        pad(&f.optional_data, 7)
    );
    let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..35]);
    line2.push(check_digit(&composite));
    [line1, line2]
}

/// Composes a visa zone, MRV-A (2 x 44) or MRV-B (2 x 36): a passport's layout with
/// document code `V`, the optional data running to the end of the line, and no optional
/// or composite check digit.
fn compose_mrv(f: &CardFields, width: usize) -> [String; 2] {
    let names = format!(
        "{}<<{}",
        transliterate(f.surname.trim()),
        transliterate(f.given_names.trim())
    );
    let line1 = pad(
        &format!(
            "{}{}{names}",
            pad(&f.document_code, 2),
            pad(&f.issuing_state, 3)
        ),
        width,
    );
    let number = pad(&f.document_number, 9);
    let birth = yymmdd(f.birth_date);
    let expiry = yymmdd(f.expiry_date);
    let line2 = format!(
        "{number}{}{}{birth}{}{}{expiry}{}{}",
        check_digit(&number),
        pad(&f.nationality, 3),
        check_digit(&birth),
        f.sex,
        check_digit(&expiry),
        pad(&f.optional_data, width - 28)
    );
    [line1, line2]
}

/// Composes the two 44-character lines of an MRV-A visa zone.
pub fn compose_mrva(f: &CardFields) -> [String; 2] {
    compose_mrv(f, 44)
}

/// Composes the two 36-character lines of an MRV-B visa zone.
pub fn compose_mrvb(f: &CardFields) -> [String; 2] {
    compose_mrv(f, 36)
}
