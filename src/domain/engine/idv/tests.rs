//! Tests of [`super`].

use super::*;
use crate::domain::engine::photo::ZoneMiss;
use crate::domain::engine::photo::{Quality, QualityProblem, ZoneRead};
use crate::domain::kinds::VerificationStatus;
use crate::domain::mrz::correct::{Corrected, Unconfirmed};

const SPECIMEN: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are written YYYY-MM-DD")
}

/// A good photo of `w` x `h` pixels whose zone reads as `zone` (or none was found).
fn photo(zone: Option<&str>, (w, h): (u32, u32)) -> PhotoReading {
    PhotoReading {
        size: Ok((w, h)),
        quality: Some(Quality {
            cap_height: zone.map(|_| 20.0),
            sharpness: 0.2,
            glare: 0.0,
            problems: Vec::new(),
        }),
        zone: match zone {
            Some(text) => {
                let (format, lines) = crate::domain::mrz::layout(text).expect("a zone");
                ZoneOutcome::Read(ZoneRead {
                    corrected: Corrected {
                        format,
                        lines: lines.clone(),
                        corrections: Vec::new(),
                    },
                    raw: lines,
                })
            }
            None => ZoneOutcome::NotFound(ZoneMiss::Nothing),
        },
        millis: 120,
    }
}

fn read_specimen() -> PhotoReading {
    photo(Some(SPECIMEN), (800, 500))
}

fn statuses(o: &Outcome) -> Vec<(&'static str, &'static str)> {
    o.checks
        .iter()
        .map(|c| (c.name.as_str(), c.status.as_str()))
        .collect()
}

#[test]
fn the_icao_specimen_passes_on_a_day_it_was_valid() {
    let image = read_specimen();
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
            photo: Some(&image),
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
    assert_eq!(x.mrz.as_deref(), Some(SPECIMEN));
}

#[test]
fn an_expired_document_fails_only_its_expiry_check() {
    let image = read_specimen();
    let o = evaluate(
        IdvInput {
            mrz: Some(SPECIMEN),
            photo: Some(&image),
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
            ("image_quality", "passed"),
            ("mrz_read_from_image", "passed"),
            ("mrz_matches_image", "passed"),
        ]
    );
}

#[test]
fn a_missing_zone_or_image_asks_for_a_retry() {
    let read = read_specimen();
    let no_zone = photo(None, (800, 500));
    let small = photo(Some(SPECIMEN), (300, 200));
    let undecodable = PhotoReading {
        size: Err(ImageProblem::Undecodable("not an image".into())),
        quality: None,
        zone: ZoneOutcome::NotLooked,
        millis: 1,
    };
    for (mrz, front) in [
        (None, Some(&no_zone)),
        (Some("HELLO"), Some(&read)),
        (Some(SPECIMEN), None),
        (Some(SPECIMEN), Some(&no_zone)),
        (Some(SPECIMEN), Some(&small)),
        (Some(SPECIMEN), Some(&undecodable)),
    ] {
        let o = evaluate(
            IdvInput {
                mrz,
                photo: front,
                entered: &Entered::default(),
                today: day("2010-01-01"),
            },
            &Policy::default(),
        );
        assert_eq!(o.status, VerificationStatus::RequiresRetry, "{mrz:?}");
    }
}

#[test]
fn a_photo_alone_is_enough_and_its_zone_is_the_documents() {
    let image = read_specimen();
    let o = evaluate(
        IdvInput {
            mrz: None,
            photo: Some(&image),
            entered: &Entered::default(),
            today: day("2010-01-01"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Passed, "{:?}", o.checks);
    let by_name = |n: &str| {
        o.checks
            .iter()
            .find(|c| c.name.as_str() == n)
            .expect("every check is in the outcome")
    };
    assert!(by_name("mrz_format").reasons[0].contains("read from the photo"));
    assert_eq!(
        by_name("mrz_matches_image").status,
        CheckStatus::NotApplicable
    );
    let x = o.extracted.expect("what the photo says is extracted");
    assert_eq!(x.document_number.as_deref(), Some("L898902C3"));
    assert_eq!(x.mrz.as_deref(), Some(SPECIMEN));
}

#[test]
fn a_zone_sent_that_the_photo_contradicts_fails_naming_the_field() {
    // The photo's zone has the specimen's number; the zone sent another, check digits
    // and all right.
    let other = crate::domain::mrz::compose_td3(&crate::domain::mrz::Td3Fields {
        document_code: "P".into(),
        issuing_state: "UTO".into(),
        surname: "ERIKSSON".into(),
        given_names: "ANNA MARIA".into(),
        document_number: "X12345678".into(),
        nationality: "UTO".into(),
        birth_date: day("1974-08-12"),
        sex: 'F',
        expiry_date: day("2012-04-15"),
        optional_data: "ZE184226B".into(),
    })
    .join("\n");
    let image = read_specimen();
    let o = evaluate(
        IdvInput {
            mrz: Some(&other),
            photo: Some(&image),
            entered: &Entered::default(),
            today: day("2010-01-01"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Failed);
    assert_eq!(o.failed_checks(), vec!["mrz_matches_image"]);
    let m = o
        .checks
        .iter()
        .find(|c| c.name == CheckName::MrzMatchesImage)
        .expect("the zone is compared with the photo");
    assert_eq!(
        m.metadata["fields"],
        json!(["document_number", "composite"])
    );
    assert_eq!(
        m.reasons[0],
        "the document number sent differs from the photo's"
    );
    // What the verdict rests on is what the photo says.
    let x = o.extracted.expect("what the photo says is extracted");
    assert_eq!(x.document_number.as_deref(), Some("L898902C3"));
    // Reasons and metadata carry no character of the zone.
    let text = format!("{:?}", o.checks);
    assert!(
        !text.contains("X12345678") && !text.contains("L898902C3"),
        "{text}"
    );
}

#[test]
fn a_blurred_or_glared_photo_asks_for_a_retry_saying_why() {
    for (problem, words) in [
        (QualityProblem::Blurry, "the photo is blurry"),
        (QualityProblem::Glare, "glare covers the text"),
    ] {
        let mut image = read_specimen();
        if let Some(q) = image.quality.as_mut() {
            q.problems = vec![problem];
        }
        let o = evaluate(
            IdvInput {
                mrz: Some(SPECIMEN),
                photo: Some(&image),
                entered: &Entered::default(),
                today: day("2010-01-01"),
            },
            &Policy::default(),
        );
        assert_eq!(o.status, VerificationStatus::RequiresRetry);
        let q = o
            .checks
            .iter()
            .find(|c| c.name == CheckName::ImageQuality)
            .expect("the photo's quality is checked");
        assert_eq!(q.status, CheckStatus::Failed);
        assert!(q.reasons[0].starts_with(words), "{:?}", q.reasons);
    }
}

#[test]
fn a_zone_the_check_digits_do_not_confirm_asks_for_a_retry_naming_the_field() {
    let mut image = read_specimen();
    image.zone = ZoneOutcome::Unconfirmed {
        raw: vec!["P<UTO...".into()],
        why: Unconfirmed::CheckDigit("document number"),
    };
    let o = evaluate(
        IdvInput {
            mrz: Some(SPECIMEN),
            photo: Some(&image),
            entered: &Entered::default(),
            today: day("2010-01-01"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::RequiresRetry);
    let r = o
        .checks
        .iter()
        .find(|c| c.name == CheckName::MrzReadFromImage)
        .expect("the zone is read from the photo");
    assert!(r.reasons[0].contains("document number"), "{:?}", r.reasons);
    assert!(o.extracted.expect("the rest is extracted").mrz.is_none());
}

#[test]
fn a_wrong_check_digit_fails_naming_the_field() {
    let bad = SPECIMEN.replace("7408122F", "7408121F");
    let image = read_specimen();
    let o = evaluate(
        IdvInput {
            mrz: Some(&bad),
            photo: Some(&image),
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
    let image = photo(Some(&z), (800, 500));
    let o = evaluate(
        IdvInput {
            mrz: Some(&z),
            photo: Some(&image),
            entered: &Entered::default(),
            today: day("2026-11-25"),
        },
        &Policy::default(),
    );
    assert_eq!(o.status, VerificationStatus::Failed);
    assert_eq!(o.failed_checks(), vec!["minimum_age"]);
}
