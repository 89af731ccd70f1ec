//! The zone reader over a generated corpus: 60 photos of passports, ID cards and visas of
//! random holders (half clean, half degraded: rotated, blurred, noisy, unevenly lit,
//! JPEG down to quality 40) and the ICAO 9303 specimen zones. No wrong read may be
//! accepted; clean photos must read (99 %), degraded ones at least 90 %. The README's
//! figures come from the same generator at 1,000 photos
//! (`cargo run --release --example mrz_corpus`).

use chrono::NaiveDate;
use rand::SeedableRng;
use sessiondesk::demo::specimens::{self, Degradation, Kind};
use sessiondesk::domain::engine::photo::ZoneOutcome;
use sessiondesk::ocr;

/// The corpus's seed: the example's, so that these are its first photos.
const SEED: u64 = 9303;

#[test]
fn generated_photos_read_right_or_not_at_all() {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (mut clean, mut clean_read, mut degraded, mut degraded_read) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    // Two readers side by side, as the server runs them.
    let results: Vec<(bool, Option<bool>)> = std::thread::scope(|scope| {
        let halves: Vec<_> = (0..2)
            .map(|half| {
                scope.spawn(move || {
                    (0..60)
                        .filter(|i| i % 2 == half)
                        .map(|i| {
                            let s = specimens::specimen(SEED, i);
                            let reading = ocr::read_photo(&s.photo, today);
                            let is_clean = s.degradation == Degradation::CLEAN;
                            let read = match &reading.zone {
                                ZoneOutcome::Read(z) => Some(z.corrected.lines == s.zone),
                                _ => None,
                            };
                            (is_clean, read)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| h.join().expect("a reader thread"))
            .collect()
    });
    for (i, (is_clean, read)) in results.iter().enumerate() {
        if *is_clean {
            clean += 1;
            clean_read += usize::from(*read == Some(true));
        } else {
            degraded += 1;
            degraded_read += usize::from(*read == Some(true));
        }
        if *read == Some(false) {
            wrong.push(i);
        }
    }
    assert!(wrong.is_empty(), "wrong reads accepted: {wrong:?}");
    assert!(
        clean_read * 100 >= clean * 99,
        "clean photos read: {clean_read} of {clean}"
    );
    assert!(
        degraded_read * 100 >= degraded * 90,
        "degraded photos read: {degraded_read} of {degraded}"
    );
}

#[test]
fn the_icao_specimen_zones_read_exactly() {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for (name, lines) in specimens::ICAO_SPECIMENS {
        let zone: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let kind = match name {
            "TD1" => Kind::IdCard,
            "MRV-A" => Kind::VisaA,
            "TD2" | "MRV-B" => Kind::VisaB,
            _ => Kind::Passport,
        };
        let doc = specimens::printed(kind, &zone, 8.0, 40);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let photo = specimens::photograph(
            &doc,
            specimens::cap_height(8.0),
            &Degradation::CLEAN,
            &mut rng,
        );
        match ocr::read_photo(&photo, today).zone {
            ZoneOutcome::Read(z) => assert_eq!(z.corrected.lines, zone, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn the_walk_through_sample_passport_reads_as_the_readme_says() {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let photo = sessiondesk::demo::images::sample_passport_png();
    match ocr::read_photo(&photo, today).zone {
        ZoneOutcome::Read(z) => assert_eq!(
            z.corrected.lines,
            sessiondesk::demo::images::SAMPLE_PASSPORT_MRZ
        ),
        other => panic!("{other:?}"),
    }
    let readme = include_str!("../../README.md");
    assert!(readme.contains("sample-passport --out passport-front.png"));
}
