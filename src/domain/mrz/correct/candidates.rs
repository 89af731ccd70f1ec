//! The characters a cell read from a photo may hold, from what its readers read.

use super::Shape;
use super::layout::Class;
use super::{FAIR, ReadCell};

/// The zone's alphabet, in the order alternatives are tried.
pub(super) const ALPHABET: &str = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Groups of characters OCR takes for one another.
pub(super) const LOOK_ALIKES: &[&str] = &["<K", "0ODQ", "1I", "5S", "8B", "2Z", "6G"];

/// Digits Tesseract's English model takes for one another in OCR-B, all its readers
/// agreeing (a `7` read as `4`): tried only for a field whose check digit no other
/// reading satisfies.
const DIGIT_TWINS: &[&str] = &["47"];

/// Whether OCR takes `a` and `b` for one another (look-alikes or digit twins).
pub(super) fn confusable(a: char, b: char) -> bool {
    look_alikes(a).chain(digit_twins(a)).any(|o| o == b)
}

/// The digits `c` is taken for (see [`DIGIT_TWINS`]).
pub(super) fn digit_twins(c: char) -> impl Iterator<Item = char> {
    DIGIT_TWINS
        .iter()
        .filter(move |g| g.contains(c))
        .flat_map(|g| g.chars())
        .filter(move |&o| o != c)
}

pub(super) fn look_alikes(c: char) -> impl Iterator<Item = char> {
    LOOK_ALIKES
        .iter()
        .filter(move |g| g.contains(c))
        .flat_map(|g| g.chars())
        .filter(move |&o| o != c)
}

/// The characters a cell may hold. A character every reader read, one of them for sure,
/// is the only candidate; one they all read but doubted brings its look-alikes; readers
/// that disagree bring their own characters (two readers that both err, differently,
/// are rare); characters the position cannot hold (a letter in a date) bring their
/// look-alikes instead; nothing read, everything the position and shape allow.
pub(super) fn candidates(cell: &ReadCell, class: Class, doubt_majorities: bool) -> Vec<char> {
    let fits = |c: char| {
        class.allows(c)
            && match cell.shape {
                Shape::Filler => c == '<',
                Shape::Character => c != '<',
                Shape::Unknown => true,
            }
    };
    let cell = &in_place(cell, &fits);
    if let Some(c) = cell.agreed().filter(|&c| fits(c)) {
        // No check digit tells `<` from `K`: without the shape to go by, agreeing
        // readers are not enough.
        if cell.shape == Shape::Unknown && matches!(c, '<' | 'K') && class.allows('<') {
            return vec![c, if c == '<' { 'K' } else { '<' }];
        }
        if !doubt_majorities {
            return vec![c];
        }
        // A majority is the likelier reading, not the only one: two readers of one engine
        // can share a mistake (`7` read as `4`) that the third, dissenting, did not make.
        let mut out = vec![c];
        for o in cell.reads.iter().flatten().map(|r| r.0) {
            if fits(o) && !out.contains(&o) {
                out.push(o);
            }
        }
        return out;
    }
    let mut reads: Vec<(char, f32)> = cell.reads.iter().flatten().copied().collect();
    reads.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out: Vec<char> = Vec::new();
    let add = |c: char, out: &mut Vec<char>| {
        if fits(c) && !out.contains(&c) {
            out.push(c);
        }
    };
    // A reader that doubts (under [`FAIR`]) where another is fairly sure of a character
    // the position holds is outvoted: its guess is not tried.
    let someone_sure = reads.iter().any(|&(c, conf)| conf >= FAIR && fits(c));
    for &(c, conf) in &reads {
        if conf >= FAIR || !someone_sure {
            add(c, &mut out);
        }
    }
    if out.is_empty() {
        for &(c, _) in &reads {
            add(c, &mut out);
        }
    }
    let unanimous = reads.windows(2).all(|w| w[0].0 == w[1].0);
    if out.is_empty() || unanimous {
        for &(c, _) in &reads {
            for o in look_alikes(c) {
                add(o, &mut out);
            }
        }
    }
    if out.is_empty() {
        ALPHABET.chars().filter(|&c| fits(c)).collect()
    } else {
        out
    }
}

/// A reader that read a character the position cannot hold (`0` in a nationality: the
/// line reader does not know the positions) agrees with another reader that read its
/// look-alike there (`O`): both saw the same glyph.
pub(super) fn in_place(cell: &ReadCell, fits: &dyn Fn(char) -> bool) -> ReadCell {
    let fitting: Vec<char> = cell
        .reads
        .iter()
        .flatten()
        .map(|r| r.0)
        .filter(|&c| fits(c))
        .collect();
    let reads = cell
        .reads
        .iter()
        .map(|r| {
            r.map(|(c, conf)| {
                if fits(c) {
                    return (c, conf);
                }
                match look_alikes(c).find(|o| fitting.contains(o)) {
                    Some(o) => (o, conf),
                    None => (c, conf),
                }
            })
        })
        .collect();
    ReadCell {
        reads,
        shape: cell.shape,
    }
}
