//! Text in OCR-B, the typeface ICAO 9303 prescribes for machine-readable zones (Debian's
//! `fonts-ocr-b`, embedded at build time; `build.rs` finds it), drawn anti-aliased onto
//! generated document images.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{Rgb, RgbImage};

/// The font file, as `build.rs` found it.
static OCRB: &[u8] = include_bytes!(env!("SESSIONDESK_OCRB_FONT"));

/// The embedded OCR-B font; `None` only if the file embedded is no font.
fn font() -> Option<FontRef<'static>> {
    FontRef::try_from_slice(OCRB).ok()
}

/// The scale at which OCR-B's capitals are `cap_height` pixels tall.
fn scale_for(font: &FontRef<'_>, cap_height: f32) -> PxScale {
    let probe = PxScale::from(100.0);
    let glyph = font.glyph_id('H').with_scale(probe);
    let cap = font
        .outline_glyph(glyph)
        .map_or(70.0, |g| g.px_bounds().height());
    PxScale::from(100.0 * cap_height / cap.max(1.0))
}

/// Draws `text` with its first character's cell at `x` (left edge) and the baseline at
/// `baseline`: capitals `cap_height` pixels tall, one character every `pitch` pixels
/// (each glyph centred in its cell), in `color`. Characters the font lacks are skipped.
pub fn draw(
    img: &mut RgbImage,
    x: f32,
    baseline: f32,
    cap_height: f32,
    pitch: f32,
    text: &str,
    color: Rgb<u8>,
) {
    let Some(font) = font() else { return };
    let scale = scale_for(&font, cap_height);
    let scaled = font.as_scaled(scale);
    for (i, c) in text.chars().enumerate() {
        let id = font.glyph_id(c);
        let advance = scaled.h_advance(id);
        let left = x + i as f32 * pitch + (pitch - advance) / 2.0;
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(left, baseline));
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outlined.px_bounds();
        outlined.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if px < 0 || py < 0 || px >= i64::from(img.width()) || py >= i64::from(img.height()) {
                return;
            }
            let p = img.get_pixel_mut(px as u32, py as u32);
            let a = coverage.clamp(0.0, 1.0);
            for ch in 0..3 {
                p.0[ch] =
                    (f32::from(p.0[ch]) * (1.0 - a) + f32::from(color.0[ch]) * a).round() as u8;
            }
        });
    }
}

/// Draws proportional `text` (labels, names): capitals `cap_height` tall, the font's own
/// advance, starting at `x` on `baseline`.
pub fn draw_plain(
    img: &mut RgbImage,
    x: f32,
    baseline: f32,
    cap_height: f32,
    text: &str,
    color: Rgb<u8>,
) {
    let Some(font) = font() else { return };
    let advance = font
        .as_scaled(scale_for(&font, cap_height))
        .h_advance(font.glyph_id('M'));
    draw(img, x, baseline, cap_height, advance, text, color);
}

/// How wide `chars` characters of [`draw_plain`] text are.
pub fn plain_width(cap_height: f32, chars: usize) -> f32 {
    font().map_or(0.0, |font| {
        font.as_scaled(scale_for(&font, cap_height))
            .h_advance(font.glyph_id('M'))
            * chars as f32
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_is_embedded_and_draws_ink() {
        assert!(font().is_some());
        let mut img = RgbImage::from_pixel(200, 40, Rgb([255, 255, 255]));
        draw(&mut img, 4.0, 30.0, 20.0, 20.0, "P<UTO", Rgb([0, 0, 0]));
        let dark = img.pixels().filter(|p| p.0[0] < 128).count();
        assert!(dark > 200, "{dark} dark pixels");
        // Capitals reach up to the cap height above the baseline, not beyond.
        let rows: Vec<u32> = img
            .enumerate_pixels()
            .filter(|(_, _, p)| p.0[0] < 128)
            .map(|(_, y, _)| y)
            .collect();
        let (top, bottom) = (rows.iter().min().unwrap(), rows.iter().max().unwrap());
        assert!(
            (9..=11).contains(top) && (29..=30).contains(bottom),
            "{top}..{bottom}"
        );
    }
}
