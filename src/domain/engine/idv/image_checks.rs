//! The checks on the photo itself: `image_quality` (can a person and a machine read it?),
//! `mrz_read_from_image` (was its zone read, every check digit confirmed?) and
//! `mrz_matches_image` (does the zone sent say what the photo says?). Reasons and
//! metadata name fields and positions, never the characters read.

use serde_json::json;

use super::super::photo::{PhotoReading, Position, ZoneMiss, ZoneOutcome};
use super::super::{Check, CheckName};
use crate::domain::mrz::correct;

/// `image_quality`: the photo's resolution at the zone, sharpness, glare, and whether the
/// document is whole; each problem with a reason an applicant understands.
pub(super) fn quality(photo: Option<&PhotoReading>) -> Check {
    let name = CheckName::ImageQuality;
    let Some(q) = photo.and_then(|p| p.quality.as_ref()) else {
        return Check::not_applicable(name, "there is no decodable photo to judge");
    };
    let problems: Vec<&str> = q.problems.iter().map(|p| p.name()).collect();
    let meta = json!({
        "cap_height": q.cap_height,
        "sharpness": (q.sharpness * 1000.0).round() / 1000.0,
        "glare": (q.glare * 1000.0).round() / 1000.0,
        "problems": problems,
    });
    if q.problems.is_empty() {
        let detail = match q.cap_height {
            Some(h) => format!(
                "the photo is sharp and free of glare; the zone's characters are {h:.0} pixels tall"
            ),
            None => "the photo is sharp and free of glare".to_owned(),
        };
        return Check::passed(name, detail).with_metadata(meta);
    }
    let mut check = Check::failed(name, "");
    check.reasons = q.problems.iter().map(|p| p.reason().to_owned()).collect();
    check.with_metadata(meta)
}

/// The positions of `corrections`, for metadata.
fn positions(corrections: &[correct::Correction]) -> Vec<Position> {
    corrections
        .iter()
        .map(|c| Position {
            line: c.line,
            column: c.column,
        })
        .collect()
}

/// `mrz_read_from_image`: a zone was found on the photo and read, every check digit and
/// the composite confirmed.
pub(super) fn read_from_image(photo: Option<&PhotoReading>) -> Check {
    let name = CheckName::MrzReadFromImage;
    let Some(p) = photo else {
        return Check::not_applicable(name, "no front image of the document was uploaded");
    };
    let millis = p.millis;
    match &p.zone {
        ZoneOutcome::NotLooked => {
            Check::not_applicable(name, "the front image could not be decoded")
        }
        ZoneOutcome::NotFound(miss) => {
            let mut check = Check::failed(
                name,
                match miss {
                    ZoneMiss::Nothing => {
                        "no machine-readable zone (the lines of <<< at the bottom of the document) was found on the photo"
                    }
                    ZoneMiss::Partial { .. } => {
                        "only part of the machine-readable zone was found on the photo"
                    }
                },
            );
            if let Some(q) = &p.quality {
                check
                    .reasons
                    .extend(q.problems.iter().map(|x| x.reason().to_owned()));
            }
            check.with_metadata(json!({ "millis": millis }))
        }
        ZoneOutcome::Unconfirmed { why, .. } => Check::failed(
            name,
            format!("the zone on the photo could not be read with certainty: {why}"),
        )
        .with_metadata(json!({ "millis": millis })),
        ZoneOutcome::Unavailable(_) => Check::failed(
            name,
            "the photo could not be read: the text recognition engine is not available",
        )
        .with_metadata(json!({ "millis": millis })),
        ZoneOutcome::Read(z) => {
            let (lines, width) = z.corrected.format.shape();
            let settled = z.corrected.corrections.len();
            let mut reason = format!(
                "a {} zone ({lines} lines of {width} characters) was read from the photo, every check digit right",
                z.corrected.format.name()
            );
            if settled > 0 {
                reason.push_str(&format!(
                    "; {settled} doubtful character{} settled by the check digits",
                    if settled == 1 { "" } else { "s" }
                ));
            }
            Check::passed(name, reason).with_metadata(json!({
                "format": z.corrected.format.name(),
                "corrected": positions(&z.corrected.corrections),
                "millis": millis,
            }))
        }
    }
}

/// `mrz_matches_image`: the zone sent, when one was, equals the zone read from the photo;
/// a difference names the fields (and positions) that differ.
pub(super) fn matches_image(sent: Option<&str>, photo: Option<&PhotoReading>) -> Check {
    let name = CheckName::MrzMatchesImage;
    let Some(sent) = sent else {
        return Check::not_applicable(
            name,
            "no zone was sent: the zone read from the photo is the document's",
        );
    };
    let Some(read) = photo.and_then(|p| match &p.zone {
        ZoneOutcome::Read(z) => Some(&z.corrected),
        _ => None,
    }) else {
        return Check::not_applicable(name, "the photo's zone could not be read to compare");
    };
    let sent_lines: Vec<&str> = sent
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let same_shape = sent_lines.len() == read.lines.len()
        && sent_lines
            .iter()
            .zip(&read.lines)
            .all(|(a, b)| a.chars().count() == b.chars().count());
    if !same_shape {
        return Check::failed(
            name,
            format!(
                "the zone sent is not laid out as the photo's {} zone",
                read.format.name()
            ),
        )
        .with_metadata(json!({ "fields": ["layout"], "positions": [] }));
    }
    let mut fields: Vec<&str> = Vec::new();
    let mut differ = Vec::new();
    for (line, (a, b)) in sent_lines.iter().zip(&read.lines).enumerate() {
        for (column, (x, y)) in a.chars().zip(b.chars()).enumerate() {
            if x != y {
                differ.push(Position { line, column });
                let field = correct::field_at(read.format, line, column);
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
        }
    }
    if differ.is_empty() {
        return Check::passed(
            name,
            "the zone sent is the zone on the photo, character for character",
        )
        .with_metadata(json!({ "fields": [], "positions": [] }));
    }
    let names: Vec<String> = fields.iter().map(|f| f.replace(' ', "_")).collect();
    let mut check = Check::failed(name, "");
    check.reasons = fields
        .iter()
        .map(|f| format!("the {f} sent differs from the photo's"))
        .collect();
    check.with_metadata(json!({ "fields": names, "positions": differ }))
}
