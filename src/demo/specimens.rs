//! Generated document photos with known zones, for measuring the zone reader (`cargo run
//! --release --example mrz_corpus`, and a smaller run in `cargo test`) and for tests:
//! passports (TD3), ID cards (TD1) and visas (MRV-A, MRV-B) of random holders, printed in
//! OCR-B at several resolutions, photographed clean or degraded (rotated up to 5 degrees,
//! blurred, noisy, unevenly lit, JPEG-compressed down to quality 40); and the ICAO 9303
//! specimen zones. Everything follows from a seed, so a run can be repeated exactly.

use std::io::Cursor;

use chrono::{Duration, NaiveDate};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::images::{CardData, document, png};
use crate::domain::mrz::{self, CardFields, Td3Fields};

/// The zones of ICAO 9303's specimen documents (parts 4 to 7), named by layout.
pub const ICAO_SPECIMENS: [(&str, &[&str]); 5] = [
    (
        "TD3",
        &[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ],
    ),
    (
        "TD1",
        &[
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ],
    ),
    (
        "TD2",
        &[
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
            "D231458907UTO7408122F1204159<<<<<<<6",
        ],
    ),
    (
        "MRV-A",
        &[
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
        ],
    ),
    (
        "MRV-B",
        &[
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
            "L8988901C4XXX4009078F9612109<<<<<<<<",
        ],
    ),
];

/// Which document a specimen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A passport's data page (TD3).
    Passport,
    /// An identity card (TD1).
    IdCard,
    /// A visa, MRV-A.
    VisaA,
    /// A visa, MRV-B.
    VisaB,
}

impl Kind {
    /// Every kind, in the order a corpus cycles through them.
    pub const ALL: [Kind; 4] = [Kind::Passport, Kind::IdCard, Kind::VisaA, Kind::VisaB];

    /// The name printed in a corpus report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Passport => "passport (TD3)",
            Kind::IdCard => "ID card (TD1)",
            Kind::VisaA => "visa (MRV-A)",
            Kind::VisaB => "visa (MRV-B)",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Passport => "PASSPORT",
            Kind::IdCard => "IDENTITY CARD",
            Kind::VisaA | Kind::VisaB => "VISA",
        }
    }
}

/// How a photo of a document is spoiled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degradation {
    /// Rotation, degrees (positive: clockwise).
    pub rotate: f32,
    /// Gaussian blur, as a fraction of the zone's character height.
    pub blur: f32,
    /// Gaussian noise, grey levels (standard deviation).
    pub noise: f32,
    /// Uneven light: how much darker the far side is (0: even).
    pub shade: f32,
    /// The direction the light falls off in, radians.
    pub shade_angle: f32,
    /// JPEG quality, or `None` for a lossless PNG.
    pub jpeg: Option<u8>,
}

impl Degradation {
    /// A clean photo: straight, sharp, evenly lit, lossless.
    pub const CLEAN: Degradation = Degradation {
        rotate: 0.0,
        blur: 0.0,
        noise: 0.0,
        shade: 0.0,
        shade_angle: 0.0,
        jpeg: None,
    };

    /// A random phone photo: rotated up to 5 degrees, slightly blurred, noisy, unevenly
    /// lit, JPEG at quality 40 to 75.
    pub fn random(rng: &mut impl Rng) -> Self {
        Degradation {
            rotate: rng.random_range(-5.0..=5.0),
            blur: rng.random_range(0.0..0.05),
            noise: rng.random_range(2.0..8.0),
            shade: rng.random_range(0.15..0.45),
            shade_angle: rng.random_range(0.0..std::f32::consts::TAU),
            jpeg: Some(rng.random_range(40..=75)),
        }
    }
}

/// A generated photo and the zone printed on it.
#[derive(Debug, Clone)]
pub struct Specimen {
    /// The document.
    pub kind: Kind,
    /// The zone printed, line by line: the truth a read must equal.
    pub zone: Vec<String>,
    /// Resolution the document was printed at, pixels per millimetre.
    pub px_per_mm: f32,
    /// How the photo was spoiled.
    pub degradation: Degradation,
    /// The photo, as PNG or JPEG bytes.
    pub photo: Vec<u8>,
}

const SYLLABLES: &[&str] = &[
    "AN", "NA", "MA", "RI", "KO", "LI", "SE", "EN", "OL", "VA", "TE", "RA", "JO", "HA", "NI",
    "SON", "BER", "GAR", "KIM", "LUND", "WAL", "DOR", "ZEN", "PEK", "QUI", "XAV", "YUS", "FEL",
];

fn word(rng: &mut impl Rng, min: usize, max: usize) -> String {
    let n = rng.random_range(min..=max);
    (0..n)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect()
}

/// Random names: one or two surnames (hyphenated or spaced), one to three given names;
/// long ones are truncated by the zone as ICAO does.
fn names(rng: &mut impl Rng) -> (String, String) {
    let mut surname = word(rng, 1, 4);
    match rng.random_range(0..10) {
        0 => surname = format!("{surname}-{}", word(rng, 1, 3)),
        1 => surname = format!("{surname} {}", word(rng, 1, 3)),
        _ => {}
    }
    let given: Vec<String> = (0..rng.random_range(1..=3))
        .map(|_| word(rng, 1, 3))
        .collect();
    (surname, given.join(" "))
}

const STATES: &[&str] = &[
    "UTO", "D", "SWE", "FRA", "NLD", "GBR", "USA", "JPN", "BRA", "NGA", "IND", "POL", "ITA", "ESP",
    "CAN", "AUS", "KEN", "MEX", "XXA", "EUE",
];

/// The letters of document numbers: those German documents use, which leave out the
/// vowels and `B`, `D`, `Q`, `S` — the letters OCR takes for digits, and which no check
/// digit can tell apart from all of them (`O` and `0` are near twins in OCR-B).
const NUMBER_LETTERS: &[u8] = b"CFGHJKLMNPRTVWXYZ";

fn code(rng: &mut impl Rng, len: usize, digits_only: bool) -> String {
    (0..len)
        .map(|_| {
            if digits_only || rng.random_bool(0.6) {
                char::from(b'0' + rng.random_range(0..10))
            } else {
                char::from(NUMBER_LETTERS[rng.random_range(0..NUMBER_LETTERS.len())])
            }
        })
        .collect()
}

fn day(rng: &mut impl Rng, from: NaiveDate, days: i64) -> NaiveDate {
    from + Duration::days(rng.random_range(0..days))
}

/// A random zone of `kind`: random holder, number, dates (some documents expired),
/// nationality and optional data; every check digit right.
pub fn random_zone(kind: Kind, rng: &mut impl Rng) -> Vec<String> {
    let (surname, given) = names(rng);
    let state = STATES[rng.random_range(0..STATES.len())].to_owned();
    let nationality = if rng.random_bool(0.8) {
        state.clone()
    } else {
        STATES[rng.random_range(0..STATES.len())].to_owned()
    };
    let base = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default();
    let birth = day(rng, base, 365 * 66);
    let issued = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap_or_default();
    let expiry = day(rng, issued, 365 * 25);
    let sex = ['M', 'F', '<'][rng.random_range(0..20usize).min(19) / 9];
    let len = rng.random_range(7..=9);
    let number = code(rng, len, false);
    let optional = if rng.random_bool(0.5) {
        String::new()
    } else {
        let (len, digits) = (rng.random_range(4..=9), rng.random_bool(0.5));
        code(rng, len, digits)
    };
    let card = CardFields {
        document_code: match kind {
            Kind::IdCard => ["I", "ID", "IR"][rng.random_range(0..3)].to_owned(),
            Kind::VisaA | Kind::VisaB => "V".to_owned(),
            Kind::Passport => "P".to_owned(),
        },
        issuing_state: state,
        surname,
        given_names: given,
        document_number: number,
        nationality,
        birth_date: birth,
        sex,
        expiry_date: expiry,
        optional_data: optional,
    };
    match kind {
        Kind::Passport => mrz::compose_td3(&Td3Fields {
            document_code: "P".into(),
            issuing_state: card.issuing_state.clone(),
            surname: card.surname.clone(),
            given_names: card.given_names.clone(),
            document_number: card.document_number.clone(),
            nationality: card.nationality.clone(),
            birth_date: card.birth_date,
            sex: card.sex,
            expiry_date: card.expiry_date,
            optional_data: card.optional_data.clone(),
        })
        .to_vec(),
        Kind::IdCard => mrz::compose_td1(&card).to_vec(),
        Kind::VisaA => mrz::compose_mrva(&card).to_vec(),
        Kind::VisaB => mrz::compose_mrvb(&card).to_vec(),
    }
}

/// The printed document of a zone: its fields in the visual zone, read back from it.
pub fn printed(kind: Kind, zone: &[String], px_per_mm: f32, tint: u8) -> RgbImage {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let text = zone.join("\n");
    let parsed = mrz::parse(&text, today).ok();
    let field = |f: &dyn Fn(&mrz::Mrz) -> String| parsed.as_ref().map(f).unwrap_or_default();
    let (surname, given) = (
        field(&|m| m.surname.clone()),
        field(&|m| m.given_names.clone()),
    );
    let (birth, expiry) = (
        field(&|m| m.birth_date.to_string()),
        field(&|m| m.expiry_date.to_string()),
    );
    let (number, country) = (
        field(&|m| m.document_number.clone()),
        field(&|m| m.issuing_state.clone()),
    );
    document(
        &CardData {
            title: kind.title(),
            country: &country,
            surname: &surname,
            given_names: &given,
            birth_date: &birth,
            expiry_date: &expiry,
            number: &number,
            mrz: zone,
            tint,
        },
        px_per_mm,
    )
}

/// A standard normal sample (Box-Muller).
fn normal(rng: &mut impl Rng) -> f32 {
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// `doc` photographed on a table: a margin of the table around it, then `d` applied;
/// PNG or JPEG bytes.
pub fn photograph(doc: &RgbImage, cap_height: f32, d: &Degradation, rng: &mut impl Rng) -> Vec<u8> {
    let margin = (doc.width().max(doc.height()) as f32 * 0.08) as u32;
    let (w, h) = (doc.width() + 2 * margin, doc.height() + 2 * margin);
    let table = Rgb([88, 76, 64]);
    let mut canvas = RgbImage::from_pixel(w, h, table);
    image::imageops::overlay(&mut canvas, doc, i64::from(margin), i64::from(margin));
    let mut img = if d.rotate.abs() > 0.01 {
        rotate(&canvas, d.rotate, table)
    } else {
        canvas
    };
    if d.blur > 0.0 {
        img = image::imageops::blur(&img, d.blur * cap_height);
    }
    if d.shade > 0.0 || d.noise > 0.0 {
        let (sin, cos) = d.shade_angle.sin_cos();
        let (fw, fh) = (w as f32, h as f32);
        for (x, y, p) in img.enumerate_pixels_mut() {
            // Light falls off linearly along the shade direction, from 1 to 1 - shade.
            let along = ((x as f32 / fw - 0.5) * cos + (y as f32 / fh - 0.5) * sin + 0.71) / 1.42;
            let light = 1.0 - d.shade * along.clamp(0.0, 1.0);
            let grain = d.noise * normal(rng);
            for c in 0..3 {
                p.0[c] = (f32::from(p.0[c]) * light + grain)
                    .round()
                    .clamp(0.0, 255.0) as u8;
            }
        }
    }
    match d.jpeg {
        Some(q) => {
            let mut out = Cursor::new(Vec::new());
            let mut encoder = JpegEncoder::new_with_quality(&mut out, q);
            // Encoding an in-memory RGB buffer cannot fail short of running out of memory.
            let _ = encoder.encode_image(&img);
            out.into_inner()
        }
        None => png(&img),
    }
}

/// `img` rotated by `degrees` about its centre, same size, corners filled with `fill`.
pub fn rotate(img: &RgbImage, degrees: f32, fill: Rgb<u8>) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w / 2.0, h / 2.0);
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        // The source of (x, y): rotate back.
        let sx = cx + dx * cos + dy * sin;
        let sy = cy - dx * sin + dy * cos;
        if sx < 0.0 || sy < 0.0 || sx >= w - 1.0 || sy >= h - 1.0 {
            return fill;
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let mut out = [0u8; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let p = |x: u32, y: u32| f32::from(img.get_pixel(x, y).0[c]);
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            *o = (top * (1.0 - fy) + bottom * fy).round() as u8;
        }
        Rgb(out)
    })
}

/// The resolutions a corpus prints at, pixels per millimetre: from a distant phone photo
/// (a passport 750 pixels wide) to a close one.
pub const RESOLUTIONS: [f32; 4] = [6.0, 8.0, 10.0, 13.0];

/// The zone's capital height on a document printed at `px_per_mm`.
pub fn cap_height(px_per_mm: f32) -> f32 {
    2.35 * px_per_mm
}

/// Specimen `i` of the corpus of `seed`: kinds and resolutions in turn, every other one
/// degraded.
pub fn specimen(seed: u64, i: usize) -> Specimen {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
    let kind = Kind::ALL[i % Kind::ALL.len()];
    let px_per_mm = RESOLUTIONS[(i / Kind::ALL.len()) % RESOLUTIONS.len()];
    let degradation = if i % 2 == 1 {
        Degradation::random(&mut rng)
    } else {
        Degradation::CLEAN
    };
    let zone = random_zone(kind, &mut rng);
    let tint = rng.random_range(0..200);
    let doc = printed(kind, &zone, px_per_mm, tint);
    let photo = photograph(&doc, cap_height(px_per_mm), &degradation, &mut rng);
    Specimen {
        kind,
        zone,
        px_per_mm,
        degradation,
        photo,
    }
}

/// A photo of a document printed at `px_per_mm` with a bright reflection over the middle
/// of its zone, washing out the text there.
pub fn with_glare(doc: &RgbImage) -> RgbImage {
    let mut img = doc.clone();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (cx, cy, rx, ry) = (w * 0.5, h * 0.86, w * 0.3, h * 0.14);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let d = ((x as f32 - cx) / rx).powi(2) + ((y as f32 - cy) / ry).powi(2);
        if d < 1.0 {
            let boost = (1.0 - d).sqrt() * 2.0;
            for c in 0..3 {
                p.0[c] = (f32::from(p.0[c]) + 255.0 * boost).min(255.0) as u8;
            }
        }
    }
    img
}
