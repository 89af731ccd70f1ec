//! Tests of [`super`].

use super::*;
use crate::domain::kinds::VerificationStatus;
use std::io::Cursor;

const SPECIMEN: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are written YYYY-MM-DD")
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::RgbImage::new(w, h)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("an RGB image encodes as PNG in memory");
    out.into_inner()
}

fn statuses(o: &Outcome) -> Vec<(&'static str, &'static str)> {
    o.checks
        .iter()
        .map(|c| (c.name.as_str(), c.status.as_str()))
        .collect()
}

#[test]
fn the_icao_specimen_passes_on_a_day_it_was_valid() {
    let image = png(800, 500);
    let entered = Entered {
        first_name: Some("Anna".into()),
        middle_name: Some("Maria".into()),
        last_name: Some("Eriksson".into()),
        birth_date: Some(day("1974-08-12")),
        identity_number: Some("L898902C3".into()),
    };
    let o = evaluate(
        IdvInput {
            mrz: Some(SPECIMEN),
            front: Some(&image),
            entered: &entered,
            today: day("2010-01-01"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Passed, "{:?}", o.checks);
    let x = o.extracted.expect("a passed check extracts the MRZ data");
    let name = x.name.expect("the specimen has a name");
    assert_eq!(name.first.as_deref(), Some("Anna"));
    assert_eq!(name.middle.as_deref(), Some("Maria"));
    assert_eq!(name.last.as_deref(), Some("Eriksson"));
    assert_eq!(x.birth_date, Some(day("1974-08-12")));
    assert_eq!(x.document_number.as_deref(), Some("L898902C3"));
    assert_eq!(x.expiry_date, Some(day("2012-04-15")));
}

#[test]
fn an_expired_document_fails_only_its_expiry_check() {
    let image = png(800, 500);
    let o = evaluate(
        IdvInput {
            mrz: Some(SPECIMEN),
            front: Some(&image),
            entered: &Entered::default(),
            today: day("2026-11-25"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Failed);
    assert_eq!(
        statuses(&o),
        vec![
            ("mrz_format", "passed"),
            ("mrz_check_digits", "passed"),
            ("document_not_expired", "failed"),
            ("minimum_age", "passed"),
            ("data_consistency", "not_applicable"),
            ("image_readable", "passed"),
        ]
    );
}

#[test]
fn a_missing_zone_or_image_asks_for_a_retry() {
    let image = png(800, 500);
    let small = png(300, 200);
    for (mrz, front) in [
        (None, Some(image.as_slice())),
        (Some("HELLO"), Some(image.as_slice())),
        (Some(SPECIMEN), None),
        (Some(SPECIMEN), Some(small.as_slice())),
        (Some(SPECIMEN), Some(b"%PDF-1.4".as_slice())),
    ] {
        let o = evaluate(
            IdvInput {
                mrz,
                front,
                entered: &Entered::default(),
                today: day("2010-01-01"),
            },
            &Policy::default(),
        );
        assert_eq!(o.status, VerificationStatus::RequiresRetry, "{mrz:?}");
    }
}

#[test]
fn a_wrong_check_digit_fails_naming_the_field() {
    let bad = SPECIMEN.replace("7408122F", "7408121F");
    let image = png(800, 500);
    let o = evaluate(
        IdvInput {
            mrz: Some(&bad),
            front: Some(&image),
            entered: &Entered::default(),
            today: day("2010-01-01"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Failed);
    let digits = &o.checks[1];
    assert_eq!(digits.status, CheckStatus::Failed);
    assert!(
        digits.reasons[0].contains("birth date"),
        "{:?}",
        digits.reasons
    );
}

#[test]
fn names_are_compared_folded_and_mismatches_named_without_values() {
    let check = |entered_last: &str, mrz_surname: &str| {
        let z = crate::domain::mrz::compose_td3(&crate::domain::mrz::Td3Fields {
            document_code: "P".into(),
            issuing_state: "D".into(),
            surname: mrz_surname.into(),
            given_names: "ERIKA".into(),
            document_number: "C01X00T47".into(),
            nationality: "D".into(),
            birth_date: day("1964-08-12"),
            sex: 'F',
            expiry_date: day("2030-10-31"),
            optional_data: String::new(),
        })
        .join("\n");
        let entered = Entered {
            first_name: Some("Erika".into()),
            last_name: Some(entered_last.into()),
            ..Entered::default()
        };
        let zone = crate::domain::mrz::parse(&z, day("2026-11-25")).ok();
        consistency(zone.as_ref(), &entered)
    };
    let entered = "Müller-Lüdenscheidt";
    assert_eq!(
        check(entered, "MUELLER LUEDENSCHEIDT").status,
        CheckStatus::Passed
    );
    assert_eq!(
        check(entered, "MULLER LUDENSCHEIDT").status,
        CheckStatus::Passed
    );
    let failed = check("Mueller", "MUELLER LUEDENSCHEIDT");
    assert_eq!(failed.status, CheckStatus::Failed);
    assert_eq!(
        failed.reasons,
        vec!["the last name differs from the document"]
    );
    assert_eq!(failed.metadata["mismatched"], json!(["person.name.last"]));
}

#[test]
fn a_seventeen_year_old_fails_minimum_age() {
    let z = crate::domain::mrz::compose_td3(&crate::domain::mrz::Td3Fields {
        document_code: "P".into(),
        issuing_state: "SWE".into(),
        surname: "YOUNG".into(),
        given_names: "TEA".into(),
        document_number: "AB1234567".into(),
        nationality: "SWE".into(),
        birth_date: day("2009-06-01"),
        sex: 'F',
        expiry_date: day("2030-10-31"),
        optional_data: String::new(),
    })
    .join("\n");
    let image = png(800, 500);
    let o = evaluate(
        IdvInput {
            mrz: Some(&z),
            front: Some(&image),
            entered: &Entered::default(),
            today: day("2026-11-25"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Failed);
    assert_eq!(o.failed_checks(), vec!["minimum_age"]);
}
