//! Correcting a zone read from a photo with ICAO 9303's structure and check digits.
//!
//! OCR confuses `<` with `K`, `0` with `O`, `1` with `I`, `5` with `S`, `8` with `B`, `2`
//! with `Z`. Each position of a zone allows only some characters (dates are digits, states
//! letters, fillers `<`), and most positions are covered by a check digit and the
//! composite. [`correct`] tries the plausible alternatives of each doubtful character and
//! accepts a read only when exactly one reading satisfies every check digit and the
//! composite. Positions no check digit covers (names, document code, states, sex, a
//! visa's optional data) are never corrected: they must have been read with confidence,
//! or the read is refused — unless, among what the readers read, the codes states print,
//! the ICAO state codes or the names' layout leave exactly one reading (`uncovered`).
//!
//! Check digits cannot tell `<` from `K` (worth 0 and 20: the same modulo 10), nor `6`
//! from `G`, `8` from `S` or `I`. For `<` the glyph's shape decides (a `<` is a chevron, a
//! `K` has a stem: [`Shape`]); for the others, two readings that both satisfy the check
//! digits make the read ambiguous, and it is refused.

mod candidates;
mod layout;
mod search;
mod uncovered;

use super::Format;
use candidates::ALPHABET;
use chrono::NaiveDate;
use layout::{Class, spans};
use search::{Doubt, correct_with};

/// The OCR confidence (0 to 100) at least one of the readers that settle a character
/// must have.
pub const FAIR: f32 = 70.0;

/// The confidence (0 to 100) of a reader that, reading a look-alike alone against a
/// majority, leaves a position no check digit covers in doubt. (Tesseract's English model
/// reads OCR-B's `7` as `4`, and `D` as `O`, with confidences near 90.)
pub const DISSENT: f32 = 88.0;

/// What a cell's ink looks like, measured on the photo independently of the OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A chevron, tip to the left: a `<` filler.
    Filler,
    /// Anything else: a letter or a digit.
    Character,
    /// Neither could be told (no ink, or too little to judge).
    Unknown,
}

/// One character position of a zone as read from a photo, by one or more readers (the
/// OCR reading the whole line, the OCR reading each character alone, the glyph's shape).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadCell {
    /// What each reader read there and its confidence (0 to 100); `None` where a reader
    /// read nothing. With more than one reader, the first is the one that reads the whole
    /// line (each character in context); the others read each character alone.
    pub reads: Vec<Option<(char, f32)>>,
    /// The glyph's shape.
    pub shape: Shape,
}

impl ReadCell {
    /// A cell every reader read as `ch` for sure.
    pub fn sure(ch: char, shape: Shape) -> Self {
        ReadCell {
            reads: vec![Some((ch, 100.0))],
            shape,
        }
    }

    /// The likeliest character: the most confident reader's.
    pub fn best(&self) -> Option<char> {
        self.reads
            .iter()
            .flatten()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|r| r.0)
    }

    /// The character the readers settle on: read by every reader, one of them with at
    /// least [`FAIR`] confidence; or, with three readers or more, by most of them, one
    /// with [`FAIR`] confidence, their confidences adding up to more than any other
    /// character's. `None` otherwise. (Readers that err differently rarely agree on the
    /// same wrong character.)
    pub fn agreed(&self) -> Option<char> {
        let reads: Vec<(char, f32)> = self.reads.iter().flatten().copied().collect();
        let n = self.reads.len();
        let weight = |c: char| reads.iter().filter(|r| r.0 == c).map(|r| r.1).sum::<f32>();
        reads.iter().map(|r| r.0).find(|&c| {
            let with: Vec<f32> = reads.iter().filter(|r| r.0 == c).map(|r| r.1).collect();
            let fair = with.iter().any(|&conf| conf >= FAIR);
            let unanimous = with.len() == n && fair;
            let majority = n >= 3
                && with.len() > n / 2
                && fair
                && reads
                    .iter()
                    .filter(|r| r.0 != c)
                    .all(|r| weight(r.0) < weight(c));
            unanimous || majority
        })
    }

    /// [`Self::agreed`], unless a reader read its look-alike or digit twin (`O` for `D`,
    /// `4` for `7`) with at least [`DISSENT`] confidence: what a position no check digit
    /// covers needs. (A dissent that is no look-alike is a reader's slip; one that is
    /// may be the one reader that saw right.) One dissent is overruled: the line
    /// reader's, when every character reader read the same look-alike against it. It
    /// reads in context, swayed by its neighbours (a `0` among letters becomes an `O`),
    /// where they read the glyph alone with only what the position holds — except the
    /// digit twins, which they misread together (OCR-B's `7` as a `4`).
    pub fn undisputed(&self) -> Option<char> {
        let c = self.agreed()?;
        let alone_agree = self.reads.len() >= 3
            && self.reads[1..]
                .iter()
                .all(|r| r.is_some_and(|(ch, _)| ch == c));
        let disputed = self.reads.iter().enumerate().any(|(i, r)| match *r {
            Some((o, conf)) => {
                let overruled =
                    i == 0 && alone_agree && !candidates::digit_twins(c).any(|t| t == o);
                o != c && conf >= DISSENT && candidates::confusable(c, o) && !overruled
            }
            None => false,
        });
        (!disputed).then_some(c)
    }
}

/// One character the readers did not settle (they disagreed, doubted, read nothing, or
/// read what the position cannot hold) and the check digits did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction {
    /// Line, from 0.
    pub line: usize,
    /// Position in the line, from 0.
    pub column: usize,
    /// What the most confident reader read (`None`: nothing).
    pub read: Option<char>,
    /// What the check digits confirmed.
    pub corrected: char,
}

/// A zone read from a photo, every check digit and the composite confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    /// The layout.
    pub format: Format,
    /// The zone's lines.
    pub lines: Vec<String>,
    /// The characters corrected, in reading order.
    pub corrections: Vec<Correction>,
}

impl Corrected {
    /// The zone as text, lines separated by `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// Why a read was not accepted, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unconfirmed {
    /// The lines read do not have the layout's length.
    #[error(
        "the zone read has {found} lines of {width} characters, not the {expected} of a {format}"
    )]
    Shape {
        /// The layout expected.
        format: &'static str,
        /// What it needs.
        expected: String,
        /// Lines found.
        found: usize,
        /// Characters in the first line.
        width: usize,
    },
    /// A field no check digit covers could not be read with certainty.
    #[error("the {0} could not be read with certainty")]
    Uncertain(&'static str),
    /// No reading of a field satisfies its check digit.
    #[error("no reading of the {0} satisfies its check digit")]
    CheckDigit(&'static str),
    /// More than one reading satisfies the check digits.
    #[error("more than one reading of the {0} satisfies the check digits")]
    Ambiguous(&'static str),
    /// The reading does not hold together (a date that does not exist, an unknown state,
    /// names laid out as no zone writes them), naming the field.
    #[error("the {0} read does not hold together")]
    Invalid(&'static str),
}

/// The field a position of a zone belongs to, in words (`document number`, `names`,
/// `composite`); check digits belong to the field they check.
pub fn field_at(format: Format, line: usize, column: usize) -> &'static str {
    spans(format)
        .into_iter()
        .find(|s| s.line == line && (s.start..s.end).contains(&column))
        .map_or("layout", |s| s.field)
}

/// The characters a position of a zone `width` characters wide may hold, whichever
/// layout of that width it is (TD3 or MRV-A, TD2 or MRV-B), fillers aside: what an OCR
/// reading that one position should choose from.
pub fn alphabet_at(width: usize, line: usize, column: usize) -> String {
    let formats: &[Format] = match width {
        30 => &[Format::Td1],
        36 => &[Format::Td2, Format::MrvB],
        _ => &[Format::Td3, Format::MrvA],
    };
    let classes: Vec<Class> = formats
        .iter()
        .filter_map(|&f| {
            spans(f)
                .into_iter()
                .find(|s| s.line == line && (s.start..s.end).contains(&column))
                .map(|s| s.class)
        })
        .collect();
    ALPHABET
        .chars()
        .filter(|&c| c != '<' && classes.iter().any(|k| k.allows(c)))
        .collect()
}

/// Corrects a zone read from a photo: `cells` holds one line per zone line, one cell per
/// character position. Accepts only a reading that every check digit and the composite
/// confirm, with every position that no check digit covers read for sure, and that
/// parses as a zone of a known state on `today`.
pub fn correct(
    format: Format,
    cells: &[Vec<ReadCell>],
    today: NaiveDate,
) -> Result<Corrected, Unconfirmed> {
    // Readers that agreed may share a mistake. When no reading of a field satisfies its
    // check digit, the dissenting reads of that field are tried too, field by field as
    // they fail (doubting the other fields' majorities would add readings the check
    // digits cannot tell apart, `8` and `S`); when a field fails again or the composite
    // does, every field's where a check digit covers them; then, field by field as they
    // fail, the digit twins of that field's digits. Each pass must still find the one
    // reading every check digit and the composite confirm.
    let mut doubt = Doubt::default();
    let mut first_failed: Option<&'static str> = None;
    loop {
        match correct_with(format, cells, today, &doubt) {
            Err(Unconfirmed::CheckDigit(field)) => {
                let first = *first_failed.get_or_insert(field);
                if !doubt.all_majorities
                    && field != "composite"
                    && !doubt.majorities_in.contains(&field)
                {
                    doubt.majorities_in.push(field);
                } else if !doubt.all_majorities {
                    doubt.all_majorities = true;
                } else if !doubt.twins_in.contains(&field) && doubt.twins_in.len() < 3 {
                    doubt.twins_in.push(field);
                } else {
                    return Err(Unconfirmed::CheckDigit(first));
                }
            }
            Err(other) => return Err(first_failed.map_or(other, Unconfirmed::CheckDigit)),
            Ok(zone) => return Ok(zone),
        }
    }
}

#[cfg(test)]
mod tests;
