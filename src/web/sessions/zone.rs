//! The machine-readable zone on the case page: as read from the photo, beside the one the
//! integrator sent, with the characters the check digits settled and those that differ
//! marked.

use uuid::Uuid;

use super::case::Case;
use crate::domain::engine::CheckName;
use crate::store::verifications::Verification;

/// One character of a zone as the case page shows it.
pub struct ZoneChar {
    /// The character.
    pub ch: char,
    /// The OCR was unsure of it and the check digits settled it.
    pub corrected: bool,
    /// The zone sent has another character here.
    pub differs: bool,
}

/// The machine-readable zone as read from the photo, beside the one the integrator sent.
pub struct ZoneView {
    /// The lines read from the photo.
    pub read: Vec<Vec<ZoneChar>>,
    /// The lines sent, if any.
    pub sent: Option<Vec<Vec<ZoneChar>>>,
    /// How many characters the check digits settled.
    pub corrected: usize,
    /// How many characters differ between the two.
    pub differ: usize,
}

/// The `(line, column)` positions listed under `key` in a check's metadata.
fn positions(case: &Case, verification: Uuid, check: CheckName, key: &str) -> Vec<(usize, usize)> {
    case.file
        .checks
        .iter()
        .filter(|c| c.verification_id == verification && c.name == check)
        .filter_map(|c| c.metadata.get(key)?.as_array().cloned())
        .flatten()
        .filter_map(|p| {
            let line = usize::try_from(p.get("line")?.as_u64()?).ok()?;
            let column = usize::try_from(p.get("column")?.as_u64()?).ok()?;
            Some((line, column))
        })
        .collect()
}

/// The lines of `text` as characters, marked at `corrected` and `differs`.
fn zone_lines(
    text: &str,
    corrected: &[(usize, usize)],
    differs: &[(usize, usize)],
) -> Vec<Vec<ZoneChar>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(line, l)| {
            l.chars()
                .enumerate()
                .map(|(column, ch)| ZoneChar {
                    ch,
                    corrected: corrected.contains(&(line, column)),
                    differs: differs.contains(&(line, column)),
                })
                .collect()
        })
        .collect()
}

/// The zone an ID verification read from the photo, beside the document's zone as sent.
pub fn of(case: &Case, v: &Verification) -> Option<ZoneView> {
    let read = v.extracted.as_ref()?.get("mrz")?.as_str()?;
    let corrected = positions(case, v.id, CheckName::MrzReadFromImage, "corrected");
    let differs = positions(case, v.id, CheckName::MrzMatchesImage, "positions");
    let sent = case
        .file
        .documents
        .iter()
        .find(|d| d.id == v.document_id)
        .and_then(|d| d.mrz.as_deref())
        .filter(|m| !m.trim().is_empty());
    Some(ZoneView {
        read: zone_lines(read, &corrected, &differs),
        sent: sent.map(|m| zone_lines(m, &[], &differs)),
        corrected: corrected.len(),
        differ: differs.len(),
    })
}
