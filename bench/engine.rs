//! The verification engine's cost: parsing each MRZ layout, and a whole `verification/idv`
//! check run (MRZ, dates, age, consistency with the session, and decoding a 900x600 PNG
//! front image). Run with `cargo bench --bench engine`.

// Test code may stop at the first surprise: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io::Cursor;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use sessiondesk::domain::engine::idv::{self, IdvInput};
use sessiondesk::domain::engine::{Entered, Policy};
use sessiondesk::domain::mrz;

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn front_png() -> Vec<u8> {
    let mut img = image::RgbImage::new(900, 600);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8]);
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encodes");
    out.into_inner()
}

fn parsing(c: &mut Criterion) {
    let today = day("2010-01-01");
    for (name, zone) in [
        ("mrz_parse_td3", TD3),
        ("mrz_parse_td2", TD2),
        ("mrz_parse_td1", TD1),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| mrz::parse(black_box(zone), today).expect("the specimen parses"))
        });
    }
}

fn idv_run(c: &mut Criterion) {
    let png = front_png();
    let entered = Entered {
        first_name: Some("Anna".into()),
        middle_name: Some("Maria".into()),
        last_name: Some("Eriksson".into()),
        birth_date: Some(day("1974-08-12")),
        identity_number: Some("L898902C3".into()),
    };
    let policy = Policy::default();
    c.bench_function("idv_checks_900x600_png", |b| {
        b.iter(|| {
            idv::evaluate(
                IdvInput {
                    mrz: Some(black_box(TD3)),
                    front: Some(black_box(&png)),
                    entered: &entered,
                    today: day("2010-01-01"),
                },
                &policy,
            )
        })
    });
    c.bench_function("idv_checks_without_image", |b| {
        b.iter(|| {
            idv::evaluate(
                IdvInput {
                    mrz: Some(black_box(TD3)),
                    front: None,
                    entered: &entered,
                    today: day("2010-01-01"),
                },
                &policy,
            )
        })
    });
}

criterion_group!(benches, parsing, idv_run);
criterion_main!(benches);
