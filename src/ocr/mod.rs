//! Reading a document photo: decoding it (bounded), judging its quality, finding its
//! machine-readable zone, reading every line with Tesseract (through the `tesseract`
//! crate and Debian's `libtesseract-dev` and `tesseract-ocr-eng`), and correcting the read
//! with the zone's structure and check digits. The pixel work and the correction are pure
//! and live in `domain`; this module is the one that calls the OCR engine. It is slow
//! (see the README's figures) and holds no database connection or lock: callers bound
//! how many run at once.

mod engine;
pub mod hocr;

use std::time::Instant;

use chrono::NaiveDate;

use crate::domain::engine::image::{ImageProblem, decode};
use crate::domain::engine::photo::{
    self, Gray, PhotoReading, Quality, Zone, ZoneLine, ZoneOutcome, ZoneRead,
};
use crate::domain::mrz::Format;
use crate::domain::mrz::correct::{FAIR, ReadCell, Shape, alphabet_at, correct};
use hocr::Glyph;

/// Photos are analysed with their longer side at most this many pixels: enough for a
/// zone's characters, and a bounded cost whatever the camera.
pub const ANALYSED_SIDE: u32 = 1600;

/// Reads the front image of an identity document: its size, its quality and its zone.
/// `today` settles the two-digit years of the zone's dates.
pub fn read_photo(bytes: &[u8], today: NaiveDate) -> PhotoReading {
    let started = Instant::now();
    let image = match decode(bytes) {
        Ok(i) => i,
        Err(problem) => {
            return PhotoReading {
                size: Err(problem),
                quality: None,
                zone: ZoneOutcome::NotLooked,
                millis: elapsed(started),
            };
        }
    };
    let size = (image.width(), image.height());
    let gray = Gray::from_image(&image, ANALYSED_SIDE);
    drop(image);
    let scale = size.0.max(size.1) as f32 / gray.width.max(gray.height) as f32;
    let located = photo::locate(&gray);
    let quality = photo::assess(&gray, scale, &located);
    let zone = match located {
        Err(miss) => ZoneOutcome::NotFound(miss),
        Ok(z) => read_zone(&z, today),
    };
    PhotoReading {
        size: Ok(size),
        quality: Some(quality),
        zone,
        millis: elapsed(started),
    }
}

/// Judges a photo's quality without reading its zone (no OCR, a fraction of the time):
/// what the capture flow asks of each photo before accepting it, so that the applicant
/// can take a better one at once.
pub fn judge_quality(bytes: &[u8]) -> Result<Quality, ImageProblem> {
    let image = decode(bytes)?;
    let longer = image.width().max(image.height());
    let gray = Gray::from_image(&image, ANALYSED_SIDE);
    drop(image);
    let scale = longer as f32 / gray.width.max(gray.height).max(1) as f32;
    let located = photo::locate(&gray);
    Ok(photo::assess(&gray, scale, &located))
}

fn elapsed(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The layout of a zone of `width` characters whose first character was read as `first`.
fn format_of(width: usize, first: Option<char>) -> Format {
    let visa = first == Some('V');
    match (width, visa) {
        (30, _) => Format::Td1,
        (36, true) => Format::MrvB,
        (36, false) => Format::Td2,
        (_, true) => Format::MrvA,
        _ => Format::Td3,
    }
}

/// What a zone line can hold, for the line reader: the name lines (the first of a
/// passport or visa, the third of an ID card) only letters and fillers.
fn line_alphabet(width: usize, line: usize) -> &'static str {
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
    const ALL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
    match (width, line) {
        (30, 2) | (36 | 44, 0) => LETTERS,
        _ => ALL,
    }
}

/// The line as the OCR sees it: ink black on white, the fillers (told by their shape)
/// erased, since OCR reads long runs of `<` badly.
fn for_ocr(line: &ZoneLine) -> Gray {
    let mut image = line.binary.clone();
    let half = line.pitch / 2.0;
    for cell in line.cells.iter().filter(|c| c.shape == Shape::Filler) {
        let from = (cell.cx - half).max(0.0) as usize;
        let to = ((cell.cx + half).max(0.0) as usize).min(image.width);
        for row in image.pixels.chunks_mut(line.binary.width) {
            row[from..to].fill(u8::MAX);
        }
    }
    image
}

/// The grey strip with its contrast stretched column band by column band (a
/// character's width), so that uneven light leaves every glyph black on white.
fn stretched(strip: &Gray) -> Gray {
    let band = (strip.height / 2).max(8);
    let mut out = strip.clone();
    let mut x0 = 0;
    while x0 < strip.width {
        let x1 = (x0 + band).min(strip.width);
        let (mut lo, mut hi) = (u8::MAX, u8::MIN);
        for y in 0..strip.height {
            for x in x0.saturating_sub(band)..(x1 + band).min(strip.width) {
                let v = strip.at(x, y);
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let span = f32::from(hi.saturating_sub(lo)).max(24.0);
        for y in 0..strip.height {
            for x in x0..x1 {
                let v = (f32::from(strip.at(x, y)) - f32::from(lo)) / span * 255.0;
                out.pixels[y * strip.width + x] = v.clamp(0.0, 255.0) as u8;
            }
        }
        x0 = x1;
    }
    out
}

/// Reads every line of `zone` — whole, and character by character with only what each
/// position allows — and corrects the read.
fn read_zone(zone: &Zone, today: NaiveDate) -> ZoneOutcome {
    let cells = match zone_cells(zone) {
        Ok(c) => c,
        Err(e) => return ZoneOutcome::Unavailable(e),
    };
    let raw: Vec<String> = cells
        .iter()
        .map(|l: &Vec<ReadCell>| l.iter().map(|c| c.best().unwrap_or('?')).collect())
        .collect();
    let first = cells
        .first()
        .and_then(|l| l.first())
        .and_then(ReadCell::best);
    match correct(format_of(zone.width, first), &cells, today) {
        Ok(corrected) => ZoneOutcome::Read(ZoneRead { corrected, raw }),
        Err(why) => ZoneOutcome::Unconfirmed { raw, why },
    }
}

/// Every cell of `zone` as its readers read it, before any correction; `Err` when the OCR
/// engine could not run.
fn zone_cells(zone: &Zone) -> Result<Vec<Vec<ReadCell>>, String> {
    let mut cells = Vec::with_capacity(zone.lines.len());
    for (i, line) in zone.lines.iter().enumerate() {
        let image = for_ocr(line);
        let whole = engine::read_line(&image, line_alphabet(zone.width, i))?;
        let wanted: Vec<(usize, usize, String)> = line
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.shape != Shape::Filler)
            .map(|(k, c)| {
                let mut alphabet = alphabet_at(zone.width, i, k);
                if alphabet.len() < 10 {
                    // A handful of characters (the sex: F, M, X) makes Tesseract read
                    // nothing rather than choose; give it the letters.
                    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_owned();
                }
                if c.shape == Shape::Unknown {
                    alphabet.push('<');
                }
                let left = (c.cx - 0.6 * line.pitch).max(0.0) as usize;
                let right = ((c.cx + 0.6 * line.pitch) as usize).min(image.width);
                (left, right, alphabet)
            })
            .collect();
        let each = engine::read_each(&image, &wanted)?;
        let gray = engine::read_each(&stretched(&line.strip), &wanted)?;
        cells.push(combine(line, &whole, &[each, gray]));
    }
    Ok(cells)
}

/// The most confidence a line reader's read keeps in a cell it read two characters in.
const CROWDED: f32 = 50.0;

/// The cells of a line from its reads: the line reader's characters put into the cell
/// under their centre, and the character readers', cell by cell. Fillers were read from
/// their shape. Two of the line reader's characters in one cell leave the likelier, made
/// doubtful; the line reader read a glyph as two there, or put one in the wrong cell, so
/// its reads of the cells beside it count as fair at most ([`FAIR`]): enough to be tried,
/// not to dispute what the character readers agree on. Tesseract's English model often
/// reads OCR-B's `7` alone as a `4` (one `7` in nine on the generated corpus), and in
/// context never took a `4` there for a `7`: where the line reader fairly surely read a
/// `7`, a character reader's `4` is that misreading, and counts as the `7`.
fn combine(line: &ZoneLine, whole: &[Glyph], each: &[Vec<Option<Glyph>>]) -> Vec<ReadCell> {
    let first = line.cells.first().map_or(0.0, |c| c.cx);
    let mut by_line: Vec<Option<(char, f32)>> = vec![None; line.cells.len()];
    let mut crowded = Vec::new();
    for g in whole {
        let k = ((g.cx() - first) / line.pitch).round();
        if k < 0.0 || k as usize >= by_line.len() {
            continue;
        }
        let slot = &mut by_line[k as usize];
        *slot = match *slot {
            None => Some((g.ch, g.confidence)),
            Some((c, conf)) => {
                crowded.push(k as usize);
                let ch = if g.confidence > conf { g.ch } else { c };
                Some((ch, conf.max(g.confidence).min(CROWDED)))
            }
        };
    }
    for k in crowded {
        for n in [k.wrapping_sub(1), k + 1] {
            if let Some(Some((_, conf))) = by_line.get_mut(n) {
                *conf = conf.min(FAIR);
            }
        }
    }
    let mut next = 0;
    line.cells
        .iter()
        .zip(by_line)
        .map(|(c, by_line)| {
            if c.shape == Shape::Filler {
                return ReadCell::sure('<', Shape::Filler);
            }
            let in_context_seven = by_line.is_some_and(|(ch, conf)| ch == '7' && conf >= FAIR);
            let mut reads = vec![by_line];
            reads.extend(each.iter().map(|reader| {
                reader.get(next).copied().flatten().map(|g| match g.ch {
                    '4' if in_context_seven => ('7', g.confidence),
                    ch => (ch, g.confidence),
                })
            }));
            next += 1;
            ReadCell {
                reads,
                shape: c.shape,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
