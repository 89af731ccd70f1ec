//! The verification engine's cost: parsing each MRZ layout, reading a 900-pixel passport
//! photo (decoding, quality, finding and reading its zone: `ocr::read_photo`), and the
//! `verification/idv` checks on what was read. Run with `cargo bench --bench engine`;
//! the reader's figures over a whole corpus come from `examples/mrz_corpus.rs`.

// Test code may stop at the first surprise: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use sessiondesk::demo::images::{CardData, id_card_png};
use sessiondesk::domain::engine::idv::{self, IdvInput};
use sessiondesk::domain::engine::{Entered, Policy};
use sessiondesk::domain::mrz;
use sessiondesk::ocr;

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn front_png() -> Vec<u8> {
    let lines: Vec<String> = TD3.lines().map(str::to_owned).collect();
    id_card_png(
        &CardData {
            title: "PASSPORT",
            country: "UTO",
            surname: "ERIKSSON",
            given_names: "ANNA MARIA",
            birth_date: "1974-08-12",
            expiry_date: "2012-04-15",
            number: "L898902C3",
            mrz: &lines,
            tint: 40,
        },
        true,
    )
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
    let today = day("2010-01-01");
    c.bench_function("read_photo_900px_passport", |b| {
        b.iter(|| ocr::read_photo(black_box(&png), today))
    });
    let photo = ocr::read_photo(&png, today);
    c.bench_function("idv_checks_on_a_read_photo", |b| {
        b.iter(|| {
            idv::evaluate(
                IdvInput {
                    mrz: Some(black_box(TD3)),
                    photo: Some(black_box(&photo)),
                    entered: &entered,
                    today,
                },
                &policy,
            )
        })
    });
}

criterion_group!(benches, parsing, idv_run);
criterion_main!(benches);
