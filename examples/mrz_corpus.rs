//! Measures the zone reader on a generated corpus: passports, ID cards and visas of random
//! holders printed in OCR-B at several resolutions, half photographed clean and half
//! degraded (rotated up to 5 degrees, blurred, noisy, unevenly lit, JPEG down to quality
//! 40), plus the ICAO 9303 specimen zones. Prints the read rate of clean and degraded
//! photos, how many reads were refused, how many wrong reads were accepted (the figure
//! that must stay 0), and the time per photo. The README's figures come from
//!
//!     cargo run --release --example mrz_corpus -- --images 1000
//!
//! The same seed gives the same corpus on every machine.

// A measuring tool may stop at the first surprise, like a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::NaiveDate;
use clap::Parser;
use sessiondesk::demo::specimens::{self, Degradation, Kind};
use sessiondesk::domain::engine::photo::ZoneOutcome;
use sessiondesk::ocr;

#[derive(Parser)]
struct Args {
    /// How many photos to generate and read.
    #[arg(long, default_value_t = 1000)]
    images: usize,
    /// The corpus's seed.
    #[arg(long, default_value_t = 9303)]
    seed: u64,
    /// The first photo's number in the corpus.
    #[arg(long, default_value_t = 0)]
    from: usize,
    /// Print every refused or wrong read.
    #[arg(long)]
    verbose: bool,
}

#[derive(Default)]
struct Tally {
    total: usize,
    read: usize,
    refused: usize,
    wrong: usize,
    flagged: usize,
}

impl Tally {
    fn line(&self, name: &str) -> String {
        let pct = |n: usize| 100.0 * n as f64 / self.total.max(1) as f64;
        format!(
            "{name:<16} {:>5} photos  read {:>5} ({:>5.1} %)  refused {:>4}  wrong reads accepted {}  quality problems {}",
            self.total,
            self.read,
            pct(self.read),
            self.refused,
            self.wrong,
            self.flagged
        )
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args = Args::parse();
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let started = Instant::now();
    let (mut clean, mut degraded) = (Tally::default(), Tally::default());
    let mut kinds: Vec<(Kind, Tally)> = Kind::ALL.iter().map(|&k| (k, Tally::default())).collect();
    let mut times = Vec::with_capacity(args.images);
    for i in args.from..args.from + args.images {
        let s = specimens::specimen(args.seed, i);
        let reading = ocr::read_photo(&s.photo, today);
        times.push(reading.millis);
        let truth = s.zone.join("\n");
        let flagged = reading
            .quality
            .as_ref()
            .is_some_and(|q| !q.problems.is_empty());
        let tally = if s.degradation == Degradation::CLEAN {
            &mut clean
        } else {
            &mut degraded
        };
        let kind = &mut kinds
            .iter_mut()
            .find(|(k, _)| *k == s.kind)
            .expect("every kind has a tally")
            .1;
        for t in [&mut *tally, &mut *kind] {
            t.total += 1;
            t.flagged += usize::from(flagged);
        }
        match &reading.zone {
            ZoneOutcome::Read(z) if z.corrected.text() == truth => {
                tally.read += 1;
                kind.read += 1;
            }
            ZoneOutcome::Read(z) => {
                tally.wrong += 1;
                kind.wrong += 1;
                println!(
                    "WRONG #{i} {}:\n  truth {truth:?}\n  read  {:?}",
                    s.kind.name(),
                    z.corrected.text()
                );
            }
            other => {
                tally.refused += 1;
                kind.refused += 1;
                if args.verbose {
                    println!(
                        "refused #{i} {} at {} px/mm, {:?}: {}\n  truth {:?}",
                        s.kind.name(),
                        s.px_per_mm,
                        s.degradation,
                        describe(other),
                        s.zone
                    );
                }
            }
        }
    }
    let mut specimens_ok = 0;
    for (name, lines) in specimens::ICAO_SPECIMENS {
        let zone: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let kind = match name {
            "TD1" => Kind::IdCard,
            "MRV-A" => Kind::VisaA,
            "MRV-B" | "TD2" => Kind::VisaB,
            _ => Kind::Passport,
        };
        let doc = specimens::printed(kind, &zone, 8.0, 40);
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
        let photo = specimens::photograph(
            &doc,
            specimens::cap_height(8.0),
            &Degradation::CLEAN,
            &mut rng,
        );
        let reading = ocr::read_photo(&photo, today);
        let exact = matches!(&reading.zone, ZoneOutcome::Read(z) if z.corrected.lines == zone);
        specimens_ok += usize::from(exact);
        println!(
            "ICAO specimen {name:<6} {}",
            if exact {
                "read exactly"
            } else {
                describe(&reading.zone).leak()
            }
        );
    }
    times.sort_unstable();
    println!();
    println!("{}", clean.line("clean"));
    println!("{}", degraded.line("degraded"));
    for (k, t) in &kinds {
        println!("{}", t.line(k.name()));
    }
    println!(
        "ICAO specimens read exactly: {specimens_ok} of {}",
        specimens::ICAO_SPECIMENS.len()
    );
    println!(
        "time per photo: median {} ms, p95 {} ms, max {} ms ({} photos in {:.1} s)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().copied().unwrap_or(0),
        args.images,
        started.elapsed().as_secs_f64()
    );
    println!(
        "wrong reads accepted: {} of {} photos",
        clean.wrong + degraded.wrong,
        args.images
    );
}

fn describe(zone: &ZoneOutcome) -> String {
    match zone {
        ZoneOutcome::NotLooked => "not decoded".to_owned(),
        ZoneOutcome::NotFound(m) => format!("no zone found ({m:?})"),
        ZoneOutcome::Unconfirmed { raw, why } => format!("refused: {why}; OCR read {raw:?}"),
        ZoneOutcome::Unavailable(e) => format!("OCR unavailable: {e}"),
        ZoneOutcome::Read(z) => format!("read {:?}", z.corrected.lines),
    }
}
