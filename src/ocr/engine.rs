//! Tesseract, kept warm: starting an engine loads its model (tens of milliseconds), so
//! engines are kept between reads, one per concurrent reader. How many read at once is
//! bounded by the caller (the verification's judge phase takes a slot first).

use std::sync::{Mutex, PoisonError};

use tesseract::{OcrEngineMode, PageSegMode, Tesseract};

use super::hocr::{Glyph, glyphs};
use crate::domain::engine::photo::Gray;

/// Engines not reading right now.
static IDLE: Mutex<Vec<Tesseract>> = Mutex::new(Vec::new());

fn fresh() -> Result<Tesseract, String> {
    let failed = |what: &str, e: &dyn std::fmt::Display| format!("Tesseract {what}: {e}");
    let mut t = Tesseract::new_with_oem(None, Some("eng"), OcrEngineMode::LstmOnly)
        .map_err(|e| failed("could not start (is tesseract-ocr-eng installed?)", &e))?
        .set_variable("hocr_char_boxes", "1")
        .map_err(|e| failed("refused a setting", &e))?
        .set_variable("debug_file", "/dev/null")
        .map_err(|e| failed("refused a setting", &e))?;
    t.set_page_seg_mode(PageSegMode::PsmSingleLine);
    Ok(t)
}

/// Takes an idle engine, or starts one.
fn take() -> Result<Tesseract, String> {
    let idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner).pop();
    match idle {
        Some(e) => Ok(e),
        None => fresh(),
    }
}

/// Gives an engine back for the next read.
fn give_back(engine: Tesseract) {
    IDLE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(engine);
}

fn setting(e: tesseract::SetVariableError) -> String {
    format!("Tesseract refused a setting: {e}")
}

/// Shows `image` (8-bit grey) to an engine.
fn show(engine: Tesseract, image: &Gray) -> Result<Tesseract, String> {
    let width = i32::try_from(image.width).map_err(|e| e.to_string())?;
    let height = i32::try_from(image.height).map_err(|e| e.to_string())?;
    Ok(engine
        .set_frame(&image.pixels, width, height, 1, width)
        .map_err(|e| format!("Tesseract refused the image: {e}"))?
        .set_source_resolution(300))
}

/// Recognises what the engine was shown and returns the characters read.
fn recognise(engine: Tesseract) -> Result<(Tesseract, Vec<Glyph>), String> {
    let mut engine = engine
        .recognize()
        .map_err(|e| format!("Tesseract could not read: {e}"))?;
    let hocr = engine
        .get_hocr_text(0)
        .map_err(|e| format!("Tesseract gave no text: {e}"))?;
    Ok((engine, glyphs(&hocr)))
}

/// Reads one line of text from a grey-level image, only characters of `alphabet`,
/// returning each character with its box and confidence.
pub fn read_line(image: &Gray, alphabet: &str) -> Result<Vec<Glyph>, String> {
    let mut engine = take()?;
    engine.set_page_seg_mode(PageSegMode::PsmSingleLine);
    let engine = engine
        .set_variable("tessedit_char_whitelist", alphabet)
        .map_err(setting)?;
    let (engine, read) = recognise(show(engine, image)?)?;
    give_back(engine);
    Ok(read)
}

/// `image` with its dark strokes a pixel thinner: each pixel as light as its lightest
/// 4-neighbour.
fn thinned(image: &Gray) -> Gray {
    let (w, h) = (image.width, image.height);
    let mut out = image.clone();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let lightest = [
                image.at(x, y),
                image.at(x - 1, y),
                image.at(x + 1, y),
                image.at(x, y - 1),
                image.at(x, y + 1),
            ]
            .into_iter()
            .max()
            .unwrap_or(255);
            out.pixels[y * w + x] = lightest;
        }
    }
    out
}

/// Reads one character in each of `cells` of `image`: a column range (left, right) and
/// the characters allowed there. Each cell is read alone, on a white margin, so that
/// nothing around it (no context) sways the read: it errs differently from a line read.
pub fn read_each(
    image: &Gray,
    cells: &[(usize, usize, String)],
) -> Result<Vec<Option<Glyph>>, String> {
    const MARGIN: usize = 12;
    let mut engine = take()?;
    let mut out = Vec::with_capacity(cells.len());
    for (left, right, alphabet) in cells {
        let (left, right) = ((*left).min(image.width), (*right).min(image.width));
        let width = right.saturating_sub(left) + 2 * MARGIN;
        let mut cell = Gray::new(width, image.height + 2 * MARGIN, 255);
        for y in 0..image.height {
            let from = &image.pixels[y * image.width + left..y * image.width + right];
            let at = (y + MARGIN) * width + MARGIN;
            cell.pixels[at..at + from.len()].copy_from_slice(from);
        }
        // Single-character mode now and then finds nothing in a plain glyph with the
        // alphabet restricted; then the same glyph as a word, then as a raw line.
        let mut read = Vec::new();
        let mut next = engine
            .set_variable("tessedit_char_whitelist", alphabet)
            .map_err(setting)?;
        for mode in [
            PageSegMode::PsmSingleChar,
            PageSegMode::PsmSingleWord,
            PageSegMode::PsmRawLine,
        ] {
            next.set_page_seg_mode(mode);
            let (again, got) = recognise(show(next, &cell)?)?;
            next = again;
            if !got.is_empty() {
                read = got;
                break;
            }
        }
        if read.is_empty() {
            // Bold glyphs (a blurred `M`) read once their strokes are thinned.
            next.set_page_seg_mode(PageSegMode::PsmSingleChar);
            let (again, got) = recognise(show(next, &thinned(&cell))?)?;
            next = again;
            read = got;
        }
        if read.is_empty() {
            // Last, without the alphabet: what it reads is still evidence, and a
            // character the position cannot hold is weighed as such.
            next.set_page_seg_mode(PageSegMode::PsmSingleChar);
            next = next
                .set_variable("tessedit_char_whitelist", "")
                .map_err(setting)?;
            let (again, got) = recognise(show(next, &cell)?)?;
            next = again;
            read = got
                .into_iter()
                .filter(|g| g.ch.is_ascii_uppercase() || g.ch.is_ascii_digit() || g.ch == '<')
                .collect();
        }
        engine = next;
        out.push(
            read.into_iter()
                .max_by(|a, b| a.confidence.total_cmp(&b.confidence)),
        );
    }
    give_back(engine);
    Ok(out)
}
