//! `image_readable`: the front file must decode, whole, as an image of at least the
//! policy's size. Decoding is bounded: a file that declares more pixels or needs more
//! memory than [`MAX_SIDE`] and [`MAX_DECODE_BYTES`] allow is refused before the pixels
//! are allocated, so a small, hostile upload cannot exhaust the server.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// The longest side accepted, in pixels (a 12,000-pixel side covers every phone camera).
pub const MAX_SIDE: u32 = 12_000;
/// The most memory one decode may take.
pub const MAX_DECODE_BYTES: u64 = 192 * 1024 * 1024;

/// Why an upload is not a usable image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageProblem {
    /// Not an image format the engine reads, or corrupt.
    #[error("the file cannot be decoded as an image ({0})")]
    Undecodable(String),
    /// Declares more pixels or memory than the limits allow.
    #[error("the image is too large to decode safely ({0})")]
    TooLarge(String),
}

/// Decodes `bytes` (JPEG, PNG or WebP) whole and returns its width and height.
pub fn decoded_size(bytes: &[u8]) -> Result<(u32, u32), ImageProblem> {
    decode(bytes).map(|image| (image.width(), image.height()))
}

/// Decodes `bytes` (JPEG, PNG or WebP) whole, within the limits.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageProblem> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageProblem::Undecodable(e.to_string()))?;
    if reader.format().is_none() {
        return Err(ImageProblem::Undecodable(
            "not a JPEG, PNG or WebP file".to_owned(),
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(classify)?;
    let (width, height) = decoder.dimensions();
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(ImageProblem::TooLarge(format!("{width}x{height} pixels")));
    }
    DynamicImage::from_decoder(decoder).map_err(classify)
}

fn classify(e: image::ImageError) -> ImageProblem {
    match e {
        image::ImageError::Limits(l) => ImageProblem::TooLarge(l.to_string()),
        other => ImageProblem::Undecodable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        RgbImage::new(width, height)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn a_png_decodes_to_its_size() {
        assert_eq!(decoded_size(&png(640, 420)), Ok((640, 420)));
    }

    #[test]
    fn text_and_truncated_files_are_not_images() {
        assert!(matches!(
            decoded_size(b"<html>hello</html>"),
            Err(ImageProblem::Undecodable(_))
        ));
        let whole = png(640, 420);
        assert!(matches!(
            decoded_size(&whole[..whole.len() / 2]),
            Err(ImageProblem::Undecodable(_))
        ));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_it_is_decoded() {
        // A valid PNG header declaring 50,000 x 50,000 pixels: 7.5 GB once decoded.
        let small = png(1, 1);
        let mut bomb = small.clone();
        bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        // Fix the IHDR CRC so only the size is wrong.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            decoded_size(&bomb),
            Err(ImageProblem::TooLarge(_))
        ));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
