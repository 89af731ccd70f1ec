//! A grey-level image and the few operations the zone finder needs: sampling between
//! pixels, straightened crops, adaptive binarisation and connected components.

use image::DynamicImage;

/// A grey-level image, row by row, 0 black to 255 white.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height` grey levels.
    pub pixels: Vec<u8>,
}

/// A connected run of ink: its bounding box (inclusive) and pixel count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blob {
    /// Left column.
    pub x0: usize,
    /// Top row.
    pub y0: usize,
    /// Right column.
    pub x1: usize,
    /// Bottom row.
    pub y1: usize,
    /// Ink pixels.
    pub area: usize,
}

impl Blob {
    /// Width in pixels.
    pub fn width(&self) -> f32 {
        (self.x1 - self.x0 + 1) as f32
    }

    /// Height in pixels.
    pub fn height(&self) -> f32 {
        (self.y1 - self.y0 + 1) as f32
    }

    /// Horizontal centre.
    pub fn cx(&self) -> f32 {
        (self.x0 + self.x1) as f32 / 2.0
    }

    /// Vertical centre.
    pub fn cy(&self) -> f32 {
        (self.y0 + self.y1) as f32 / 2.0
    }
}

impl Gray {
    /// A blank image of one grey level.
    pub fn new(width: usize, height: usize, level: u8) -> Self {
        Gray {
            width,
            height,
            pixels: vec![level; width * height],
        }
    }

    /// The luma of `image`, scaled down so that its longer side is at most `max_side`.
    pub fn from_image(image: &DynamicImage, max_side: u32) -> Self {
        let long = image.width().max(image.height());
        let luma = if long > max_side {
            let f = max_side as f32 / long as f32;
            let w = ((image.width() as f32 * f).round() as u32).max(1);
            let h = ((image.height() as f32 * f).round() as u32).max(1);
            image
                .resize_exact(w, h, image::imageops::FilterType::Triangle)
                .to_luma8()
        } else {
            image.to_luma8()
        };
        Gray {
            width: luma.width() as usize,
            height: luma.height() as usize,
            pixels: luma.into_raw(),
        }
    }

    /// The grey level at (`x`, `y`).
    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// The grey level between pixels, interpolated; `outside` beyond the edges.
    pub fn sample(&self, x: f32, y: f32, outside: f32) -> f32 {
        if x < 0.0 || y < 0.0 || x > (self.width - 1) as f32 || y > (self.height - 1) as f32 {
            return outside;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x: usize, y: usize| f32::from(self.at(x, y));
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// A `width` x `height` image whose pixel (u, v) shows the source point
    /// `origin + (u * step) * along + (v * step) * across`, where `along` is the unit
    /// vector at `angle` radians and `across` is perpendicular to it: a crop, straightened
    /// and rescaled in one pass. Points outside the source are `fill`.
    pub fn straightened(
        &self,
        origin: (f32, f32),
        angle: f32,
        step: f32,
        size: (usize, usize),
        fill: u8,
    ) -> Gray {
        let (sin, cos) = angle.sin_cos();
        let mut out = Gray::new(size.0, size.1, fill);
        for v in 0..size.1 {
            for u in 0..size.0 {
                let (du, dv) = (u as f32 * step, v as f32 * step);
                let x = origin.0 + du * cos - dv * sin;
                let y = origin.1 + du * sin + dv * cos;
                let level = self.sample(x, y, f32::from(fill));
                out.pixels[v * size.0 + u] = level.round().clamp(0.0, 255.0) as u8;
            }
        }
        out
    }

    /// Which pixels are ink: darker than their neighbourhood's mean (a square of
    /// `2 * radius + 1`) by a fraction `k` of it and by at least `min_contrast` levels.
    /// Local, so uneven light does not swallow the text the way one global threshold
    /// would.
    pub fn ink(&self, radius: usize, k: f32, min_contrast: f32) -> Vec<bool> {
        let (w, h) = (self.width, self.height);
        // Summed-area table, one row and column of zeros in front.
        let mut sums = vec![0u64; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row = 0u64;
            for x in 0..w {
                row += u64::from(self.at(x, y));
                sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
            }
        }
        let mut ink = vec![false; w * h];
        for y in 0..h {
            let (ya, yb) = (y.saturating_sub(radius), (y + radius + 1).min(h));
            for x in 0..w {
                let (xa, xb) = (x.saturating_sub(radius), (x + radius + 1).min(w));
                let total = sums[yb * (w + 1) + xb] + sums[ya * (w + 1) + xa]
                    - sums[ya * (w + 1) + xb]
                    - sums[yb * (w + 1) + xa];
                let n = ((yb - ya) * (xb - xa)) as f32;
                let mean = total as f32 / n;
                let v = f32::from(self.at(x, y));
                ink[y * w + x] = v < mean * (1.0 - k) && mean - v >= min_contrast;
            }
        }
        ink
    }

    /// The connected runs of ink (8-connected) in `ink`, a mask of this image's size;
    /// runs of fewer than `min_area` pixels are dropped as noise.
    pub fn blobs(&self, ink: &[bool], min_area: usize) -> Vec<Blob> {
        let (w, h) = (self.width, self.height);
        let mut seen = vec![false; w * h];
        let mut out = Vec::new();
        let mut stack = Vec::new();
        for start in 0..w * h {
            if !ink[start] || seen[start] {
                continue;
            }
            seen[start] = true;
            stack.push(start);
            let (mut x0, mut y0, mut x1, mut y1, mut area) = (w, h, 0, 0, 0);
            while let Some(i) = stack.pop() {
                let (x, y) = (i % w, i / w);
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
                area += 1;
                for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                    for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                        let j = ny * w + nx;
                        if ink[j] && !seen[j] {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
            }
            if area >= min_area {
                out.push(Blob {
                    x0,
                    y0,
                    x1,
                    y1,
                    area,
                });
            }
        }
        out
    }

    /// The spread of the Laplacian (4-neighbour) over the image: sharp edges give large
    /// values, blur small ones.
    pub fn laplacian_variance(&self) -> f32 {
        let (w, h) = (self.width, self.height);
        if w < 3 || h < 3 {
            return 0.0;
        }
        let (mut sum, mut sq, mut n) = (0f64, 0f64, 0f64);
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let c = 4 * i32::from(self.at(x, y))
                    - i32::from(self.at(x - 1, y))
                    - i32::from(self.at(x + 1, y))
                    - i32::from(self.at(x, y - 1))
                    - i32::from(self.at(x, y + 1));
                let c = f64::from(c);
                sum += c;
                sq += c * c;
                n += 1.0;
            }
        }
        let mean = sum / n;
        (sq / n - mean * mean) as f32
    }

    /// The grey level below which `fraction` of the pixels lie.
    pub fn percentile(&self, fraction: f32) -> u8 {
        let mut counts = [0usize; 256];
        for &p in &self.pixels {
            counts[usize::from(p)] += 1;
        }
        let target = (self.pixels.len() as f32 * fraction.clamp(0.0, 1.0)) as usize;
        let mut seen = 0;
        for (level, &c) in counts.iter().enumerate() {
            seen += c;
            if seen > target {
                return level as u8;
            }
        }
        255
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(size: usize, at: (usize, usize), side: usize) -> Gray {
        let mut g = Gray::new(size, size, 220);
        for y in at.1..at.1 + side {
            for x in at.0..at.0 + side {
                g.pixels[y * size + x] = 30;
            }
        }
        g
    }

    #[test]
    fn dark_marks_on_paper_are_ink_and_form_one_blob_each() {
        let mut g = square(60, (10, 10), 8);
        for y in 30..40 {
            for x in 40..44 {
                g.pixels[y * 60 + x] = 40;
            }
        }
        let ink = g.ink(10, 0.15, 20.0);
        let blobs = g.blobs(&ink, 4);
        assert_eq!(blobs.len(), 2, "{blobs:?}");
        assert_eq!(
            (blobs[0].x0, blobs[0].y0, blobs[0].x1, blobs[0].y1),
            (10, 10, 17, 17)
        );
        assert_eq!(blobs[1].height(), 10.0);
    }

    #[test]
    fn a_straightened_crop_of_an_unrotated_image_is_a_plain_crop() {
        let g = square(40, (10, 10), 5);
        let crop = g.straightened((8.0, 8.0), 0.0, 1.0, (10, 10), 255);
        assert_eq!(crop.at(2, 2), 30);
        assert_eq!(crop.at(0, 0), 220);
        assert_eq!(crop.at(9, 9), 220);
    }

    #[test]
    fn blur_lowers_the_laplacian_spread() {
        let sharp = square(40, (10, 10), 12);
        let img = image::GrayImage::from_raw(40, 40, sharp.pixels.clone()).unwrap();
        let blurred = image::imageops::blur(&img, 2.0);
        let soft = Gray {
            width: 40,
            height: 40,
            pixels: blurred.into_raw(),
        };
        assert!(sharp.laplacian_variance() > 4.0 * soft.laplacian_variance());
    }
}
