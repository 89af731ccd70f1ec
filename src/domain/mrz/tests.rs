//! The ICAO 9303 specimens, and properties over generated zones.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a real date")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("tests pass real dates")
}

#[test]
fn the_td3_specimen_parses_to_its_published_fields() {
    let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    let m = parse(text, today()).expect("this MRZ is well formed");
    assert_eq!(m.format, Format::Td3);
    assert_eq!(
        (m.document_code.as_str(), m.issuing_state.as_str()),
        ("P", "UTO")
    );
    assert_eq!(
        (m.surname.as_str(), m.given_names.as_str()),
        ("ERIKSSON", "ANNA MARIA")
    );
    assert_eq!(m.document_number, "L898902C3");
    assert_eq!(m.nationality, "UTO");
    assert_eq!(m.birth_date, date(1974, 8, 12));
    assert_eq!(m.sex, 'F');
    assert_eq!(m.expiry_date, date(2012, 4, 15));
    assert_eq!(m.optional_data, "ZE184226B");
    assert_eq!(m.first_bad_check_digit(), None);
    assert_eq!(m.check_digits.len(), 5);
}

#[test]
fn the_td1_specimen_parses_to_its_published_fields() {
    let text = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
    let m = parse(text, today()).expect("this MRZ is well formed");
    assert_eq!(m.format, Format::Td1);
    assert_eq!(
        (m.document_code.as_str(), m.issuing_state.as_str()),
        ("I", "UTO")
    );
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(
        (m.surname.as_str(), m.given_names.as_str()),
        ("ERIKSSON", "ANNA MARIA")
    );
    assert_eq!(
        (m.birth_date, m.sex, m.expiry_date),
        (date(1974, 8, 12), 'F', date(2012, 4, 15))
    );
    assert_eq!(m.nationality, "UTO");
    assert_eq!(m.first_bad_check_digit(), None);
}

#[test]
fn the_td2_specimen_parses_to_its_published_fields() {
    let text = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
    let m = parse(text, today()).expect("this MRZ is well formed");
    assert_eq!(m.format, Format::Td2);
    assert_eq!(m.document_number, "D23145890");
    assert_eq!(
        (m.surname.as_str(), m.given_names.as_str()),
        ("ERIKSSON", "ANNA MARIA")
    );
    assert_eq!(
        (m.birth_date, m.sex, m.expiry_date),
        (date(1974, 8, 12), 'F', date(2012, 4, 15))
    );
    assert_eq!(m.first_bad_check_digit(), None);
}

#[test]
fn errors_name_the_field_that_failed() {
    let e = parse("P<UTOERIKSSON<<ANNA", today()).unwrap_err();
    assert_eq!(e.field, "layout");
    let bad_date = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7413122F1204159ZE184226B<<<<<10";
    assert_eq!(parse(bad_date, today()).unwrap_err().field, "birth_date");
    let bad_digit = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10";
    let m = parse(bad_digit, today()).expect("a wrong check digit still parses");
    assert_eq!(
        m.first_bad_check_digit().map(|c| c.field),
        Some("document_number")
    );
    let lower = "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    assert_eq!(parse(lower, today()).unwrap_err().field, "layout");
}

#[test]
fn a_long_td1_document_number_overflows_into_the_optional_field() {
    let f = CardFields {
        document_code: "I".into(),
        issuing_state: "UTO".into(),
        surname: "Eriksson".into(),
        given_names: "Anna".into(),
        document_number: "D23145890734".into(),
        nationality: "UTO".into(),
        birth_date: date(1974, 8, 12),
        sex: 'F',
        expiry_date: date(2032, 4, 15),
        optional_data: String::new(),
    };
    let lines = compose_td1(&f);
    assert_eq!(&lines[0][5..15], "D23145890<");
    let m = parse(&lines.join("\n"), today()).expect("this MRZ is well formed");
    assert_eq!(m.document_number, "D23145890734");
    assert_eq!(m.first_bad_check_digit(), None);
}

fn name() -> impl Strategy<Value = String> {
    "[A-Z]{2,10}( [A-Z]{2,7})?"
}

/// Names that fit TD1's 30-character name line together (ICAO truncates longer ones).
fn short_name() -> impl Strategy<Value = String> {
    "[A-Z]{2,9}( [A-Z]{2,4})?"
}

fn number(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z0-9]{{1,{max}}}"))
        .unwrap_or_else(|_| unreachable!())
}

prop_compose! {
    fn birth_date()(days in 1i64..36_000) -> NaiveDate { today() - chrono::Duration::days(days) }
}

prop_compose! {
    fn expiry_date()(days in -28_000i64..7_300) -> NaiveDate { today() + chrono::Duration::days(days) }
}

prop_compose! {
    fn passport()(surname in name(), given in name(), number in number(9), birth in birth_date(),
                  expiry in expiry_date(), sex in prop::sample::select(vec!['M', 'F']),
                  optional in "[A-Z0-9]{0,14}") -> Td3Fields {
        Td3Fields {
            document_code: "P".into(), issuing_state: "UTO".into(), surname, given_names: given,
            document_number: number, nationality: "UTO".into(), birth_date: birth, sex,
            expiry_date: expiry, optional_data: optional,
        }
    }
}

prop_compose! {
    fn card(max_number: usize)(surname in short_name(), given in short_name(), number in number(max_number), birth in birth_date(),
                  expiry in expiry_date(), sex in prop::sample::select(vec!['M', 'F']),
                  optional in "[A-Z0-9]{0,7}") -> CardFields {
        CardFields {
            document_code: "ID".into(), issuing_state: "D".into(), surname, given_names: given,
            document_number: number, nationality: "D".into(), birth_date: birth, sex,
            expiry_date: expiry, optional_data: optional,
        }
    }
}

/// Positions (line, column) covered by a check digit in a TD3 zone.
fn td3_covered() -> Vec<(usize, usize)> {
    (0..9)
        .chain(13..19)
        .chain(21..27)
        .chain(28..42)
        .map(|c| (1, c))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_generated_passport_zone_parses_back_to_its_fields(f in passport()) {
        let [l1, l2] = compose_td3(&f);
        let m = parse(&format!("{l1}\n{l2}"), today()).expect("this MRZ is well formed");
        prop_assert_eq!(m.format, Format::Td3);
        prop_assert_eq!(&m.surname, &f.surname);
        prop_assert_eq!(&m.given_names, &f.given_names);
        prop_assert_eq!(&m.document_number, &f.document_number);
        prop_assert_eq!(m.birth_date, f.birth_date);
        prop_assert_eq!(m.expiry_date, f.expiry_date);
        prop_assert_eq!(m.sex, f.sex);
        prop_assert_eq!(&m.optional_data, &f.optional_data);
        prop_assert_eq!(m.first_bad_check_digit(), None);
    }

    #[test]
    fn generated_id_card_zones_parse_back_to_their_fields(f in card(12)) {
        let td1 = compose_td1(&f).join("\n");
        let m = parse(&td1, today()).expect("this MRZ is well formed");
        prop_assert_eq!(m.format, Format::Td1);
        prop_assert_eq!(&m.document_number, &f.document_number);
        prop_assert_eq!((&m.surname, &m.given_names), (&f.surname, &f.given_names));
        prop_assert_eq!((m.birth_date, m.expiry_date, m.sex), (f.birth_date, f.expiry_date, f.sex));
        prop_assert_eq!(m.first_bad_check_digit(), None);
        if f.document_number.len() <= 9 {
            let td2 = compose_td2(&f).join("\n");
            let m = parse(&td2, today()).expect("this MRZ is well formed");
            prop_assert_eq!(m.format, Format::Td2);
            prop_assert_eq!(&m.document_number, &f.document_number);
            prop_assert_eq!(&m.optional_data, &f.optional_data);
            prop_assert_eq!(m.first_bad_check_digit(), None);
        }
    }

    /// ICAO's 7-3-1 digits catch every change that alters a character's value modulo 10
    /// (`0`, `<`, `A`, `K` and `U` share a value, by design of the standard): such a change
    /// anywhere a check digit covers is caught, either as a wrong digit or as a field that
    /// no longer reads.
    #[test]
    fn a_single_changed_character_under_a_check_digit_is_caught(
        f in passport(),
        pick in any::<prop::sample::Index>(),
        replacement in prop::sample::select("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<".chars().collect::<Vec<_>>()),
    ) {
        let [l1, l2] = compose_td3(&f);
        let covered = td3_covered();
        let (_, col) = covered[pick.index(covered.len())];
        let original = l2.as_bytes()[col] as char;
        prop_assume!(char_value(original) % 10 != char_value(replacement) % 10);
        let mut chars: Vec<char> = l2.chars().collect();
        chars[col] = replacement;
        let changed: String = chars.into_iter().collect();
        match parse(&format!("{l1}\n{changed}"), today()) {
            Err(_) => {}
            Ok(m) => prop_assert!(m.first_bad_check_digit().is_some(), "{changed} passed every check digit"),
        }
    }
}

// Check digits, transliteration and composing, on the specimen.
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
        birth_date: NaiveDate::from_ymd_opt(1974, 8, 12).expect("a real date"),
        sex: 'F',
        expiry_date: NaiveDate::from_ymd_opt(2012, 4, 15).expect("a real date"),
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
