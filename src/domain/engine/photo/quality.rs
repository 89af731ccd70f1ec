//! `image_quality`: whether a photo is good enough to judge, each problem with a reason an
//! applicant understands, so that they can be asked for a better one. Judged on the zone
//! when one was found (its characters' height, its sharpness, glare on it), else on the
//! whole photo.

use serde::Serialize;

use super::gray::Gray;
use super::zone::{Zone, ZoneMiss};

/// The smallest capital in the zone worth reading, in the photo's pixels.
pub const MIN_CAP_HEIGHT: f32 = 10.0;
/// Sharpness (the Laplacian's variance over the contrast squared, at a fixed character
/// height) below which a zone is blurry. On the generated corpus sharp zones measure
/// 0.008 to 0.016, degraded phone photos that still read 0.003 to 0.011, and zones
/// blurred by a sixth of a character's height 0.0005 or less.
pub const MIN_ZONE_SHARPNESS: f32 = 0.0015;
/// The same over a whole photo scaled to 800 pixels, when no zone was found (blurred
/// documents measure 0.002 or less, sharp ones 0.012 and more).
pub const MIN_PHOTO_SHARPNESS: f32 = 0.004;
/// The share of the zone washed out to white above which glare covers the text.
pub const MAX_ZONE_GLARE: f32 = 0.08;
/// The share of the photo washed out to white above which glare spoils it.
pub const MAX_PHOTO_GLARE: f32 = 0.06;

/// The grey level from which a pixel counts as washed out.
const SATURATED: u8 = 250;

/// One thing wrong with a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityProblem {
    /// The document is too small in the photo: the zone's characters are too few pixels.
    TooSmall,
    /// Out of focus or moved.
    Blurry,
    /// A reflection washes out part of it.
    Glare,
    /// The document runs off the edge of the photo.
    CutOff,
}

impl QualityProblem {
    /// The problem's name, as in check metadata.
    pub fn name(self) -> &'static str {
        match self {
            QualityProblem::TooSmall => "too_small",
            QualityProblem::Blurry => "blurry",
            QualityProblem::Glare => "glare",
            QualityProblem::CutOff => "cut_off",
        }
    }

    /// The reason as an applicant reads it.
    pub fn reason(self) -> &'static str {
        match self {
            QualityProblem::TooSmall => {
                "the document is too small in the photo: hold the camera closer"
            }
            QualityProblem::Blurry => {
                "the photo is blurry: hold still and make sure it is in focus"
            }
            QualityProblem::Glare => "glare covers the text: tilt the document away from the light",
            QualityProblem::CutOff => {
                "the document is cut off: all four corners must be in the photo"
            }
        }
    }
}

/// What the quality check measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    /// The height of the zone's capitals in the photo, in pixels (none without a zone).
    pub cap_height: Option<f32>,
    /// Sharpness: the Laplacian's variance over the contrast squared.
    pub sharpness: f32,
    /// The share of the zone (or, without one, of the photo) washed out to white.
    pub glare: f32,
    /// What is wrong, most important first; empty when the photo is good (which does not
    /// mean a zone was found).
    pub problems: Vec<QualityProblem>,
}

/// `(p95 - p5)²`: the contrast sharpness is measured against, at least 1.
fn contrast_squared(g: &Gray) -> f32 {
    let c = f32::from(g.percentile(0.95)) - f32::from(g.percentile(0.05));
    (c * c).max(1.0)
}

fn saturated_share(g: &Gray) -> f32 {
    if g.pixels.is_empty() {
        return 0.0;
    }
    g.pixels.iter().filter(|&&p| p >= SATURATED).count() as f32 / g.pixels.len() as f32
}

/// Judges a photo: `photo` as analysed, `scale` the photo's pixels per analysed pixel,
/// and the zone found on it (or why none was).
pub fn assess(photo: &Gray, scale: f32, zone: &Result<Zone, ZoneMiss>) -> Quality {
    let mut problems = Vec::new();
    match zone {
        Ok(z) => {
            let cap = z.cap_height * scale;
            let sharpness = z.region.laplacian_variance() / contrast_squared(&z.region);
            let glare = saturated_share(&z.region);
            if glare > MAX_ZONE_GLARE || saturated_share(photo) > MAX_PHOTO_GLARE {
                problems.push(QualityProblem::Glare);
            }
            if sharpness < MIN_ZONE_SHARPNESS {
                problems.push(QualityProblem::Blurry);
            }
            if cap < MIN_CAP_HEIGHT {
                problems.push(QualityProblem::TooSmall);
            }
            if z.at_edge {
                problems.push(QualityProblem::CutOff);
            }
            Quality {
                cap_height: Some((cap * 10.0).round() / 10.0),
                sharpness,
                glare,
                problems,
            }
        }
        Err(miss) => {
            let small = overview(photo);
            let sharpness = small.laplacian_variance() / contrast_squared(&small);
            let glare = saturated_share(photo);
            if glare > MAX_PHOTO_GLARE {
                problems.push(QualityProblem::Glare);
            }
            if sharpness < MIN_PHOTO_SHARPNESS {
                problems.push(QualityProblem::Blurry);
            }
            if let ZoneMiss::Partial { at_edge: true } = miss {
                problems.push(QualityProblem::CutOff);
            }
            Quality {
                cap_height: None,
                sharpness,
                glare,
                problems,
            }
        }
    }
}

/// The photo scaled so that its longer side is 800 pixels, so that sharpness means the
/// same whatever the camera.
fn overview(photo: &Gray) -> Gray {
    let long = photo.width.max(photo.height) as f32;
    let step = (long / 800.0).max(0.01);
    let size = (
        ((photo.width as f32 / step) as usize).max(1),
        ((photo.height as f32 / step) as usize).max(1),
    );
    photo.straightened((0.0, 0.0), 0.0, step, size, 255)
}
