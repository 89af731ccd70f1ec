//! What a document photo shows, measured without OCR: a grey-level copy of it, its
//! quality (the zone's resolution, blur, glare, a document cut off), and where its
//! machine-readable zone is — every character cell of every line, straightened, with the
//! shape of the ink in each cell. The OCR itself runs outside the domain (the `ocr` module),
//! on the cells this module finds; [`crate::domain::mrz::correct`] then corrects its read.

mod gray;
mod quality;
mod zone;

pub use gray::Gray;
pub use quality::{Quality, QualityProblem, assess};
pub use zone::{CellBox, Zone, ZoneLine, ZoneMiss, locate};

use serde::Serialize;

use crate::domain::engine::image::ImageProblem;
use crate::domain::mrz::correct::{Corrected, Unconfirmed};

/// Everything the engine learnt from a front image: whether it decodes and its size, its
/// quality, and the zone read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoReading {
    /// Width and height, or why the file is no usable image.
    pub size: Result<(u32, u32), ImageProblem>,
    /// The photo's quality, when it decoded.
    pub quality: Option<Quality>,
    /// The zone as read.
    pub zone: ZoneOutcome,
    /// How long reading it took, in milliseconds.
    pub millis: u64,
}

/// What became of the zone on a photo.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneOutcome {
    /// The image did not decode: nothing was looked for.
    NotLooked,
    /// No zone was found.
    NotFound(ZoneMiss),
    /// A zone was found and read, but the read was not accepted.
    Unconfirmed {
        /// What the OCR read, line by line (`?` where it read nothing).
        raw: Vec<String>,
        /// Why it was refused.
        why: Unconfirmed,
    },
    /// The OCR engine could not run (not installed, out of memory).
    Unavailable(String),
    /// Read, every check digit confirmed.
    Read(ZoneRead),
}

/// A zone read from a photo and accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRead {
    /// The corrected zone and the characters corrected.
    pub corrected: Corrected,
    /// What the OCR read, line by line (`?` where it read nothing).
    pub raw: Vec<String>,
}

/// A character position of a zone, for metadata and the case page (no characters: they
/// are the applicant's data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Line, from 0.
    pub line: usize,
    /// Column, from 0.
    pub column: usize,
}
