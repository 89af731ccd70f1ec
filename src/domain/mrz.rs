//! ICAO 9303 machine-readable zones: check digits, name transliteration, and composing a
//! TD3 (passport) zone from its fields.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_the_icao_specimen() {
        // ICAO 9303 part 4 specimen: L898902C3 -> 6, 740812 -> 2, 120415 -> 9.
        assert_eq!(check_digit("L898902C3"), '6');
        assert_eq!(check_digit("740812"), '2');
        assert_eq!(check_digit("120415"), '9');
        assert_eq!(check_digit("ZE184226B<<<<<"), '1');
    }

    #[test]
    fn composing_the_specimen_reproduces_it() {
        let fields = Td3Fields {
            document_code: "P".into(),
            issuing_state: "UTO".into(),
            surname: "Eriksson".into(),
            given_names: "Anna Maria".into(),
            document_number: "L898902C3".into(),
            nationality: "UTO".into(),
            birth_date: NaiveDate::from_ymd_opt(1974, 8, 12).unwrap(),
            sex: 'F',
            expiry_date: NaiveDate::from_ymd_opt(2012, 4, 15).unwrap(),
            optional_data: "ZE184226B".into(),
        };
        let [l1, l2] = compose_td3(&fields);
        assert_eq!(l1, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(l2, "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    }

    #[test]
    fn names_are_transliterated_the_icao_way() {
        assert_eq!(
            transliterate("Müller-Lüdenscheidt"),
            "MUELLER<LUEDENSCHEIDT"
        );
        assert_eq!(transliterate("Åkesson"), "AAKESSON");
        assert_eq!(transliterate("O'Brien"), "O<BRIEN");
        assert_eq!(transliterate("Łucja Wiśniewska"), "LUCJA<WISNIEWSKA");
    }
}
