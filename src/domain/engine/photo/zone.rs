//! Finding the machine-readable zone on a photo: the bottom band of 2 or 3 lines of 30, 36
//! or 44 evenly spaced characters. Ink is separated from paper locally (uneven light),
//! runs of ink are chained into text lines, and a line whose runs sit at one regular pitch
//! for 30, 36 or 44 cells is a zone line; 3 such lines of 30 (TD1) or 2 of 36 or 44 one
//! above the other make the zone. Its slant (up to about 6 degrees) is measured from the
//! lines themselves, and each line is cut out straightened, scaled to a fixed character
//! height, with the shape of the ink in every cell.

use super::gray::{Blob, Gray};
use crate::domain::mrz::correct::Shape;

/// The character height (capitals, in pixels) straightened lines are scaled to: what
/// Tesseract reads best.
pub const CAP: f32 = 36.0;

/// Widths of zone lines, in characters.
const WIDTHS: [usize; 3] = [30, 36, 44];

/// The largest slant accepted, in degrees.
const MAX_SLANT: f32 = 6.5;

/// Where a character cell of a straightened line is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellBox {
    /// Centre, in the strip's pixels.
    pub cx: f32,
    /// The ink's shape there.
    pub shape: Shape,
}

/// One line of the zone, straightened and scaled so that a capital is [`CAP`] pixels tall.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneLine {
    /// The line's grey levels.
    pub strip: Gray,
    /// The same, ink black on white: what the OCR reads.
    pub binary: Gray,
    /// The distance between cell centres in the strip, in pixels.
    pub pitch: f32,
    /// Every cell.
    pub cells: Vec<CellBox>,
}

/// A zone found on a photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Characters per line: 30, 36 or 44.
    pub width: usize,
    /// Its lines, top first.
    pub lines: Vec<ZoneLine>,
    /// The slant the lines were straightened from, in degrees (positive: clockwise).
    pub slant_degrees: f32,
    /// The height of a capital in the analysed image, in pixels.
    pub cap_height: f32,
    /// The whole zone straightened at [`CAP`], lines and a margin: for blur and glare.
    pub region: Gray,
    /// Whether a line's first or last cell lies within a character of the photo's edge.
    pub at_edge: bool,
}

/// Why no zone was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneMiss {
    /// Nothing like a zone line.
    Nothing,
    /// Zone-like lines, but not a whole zone (the rest may be cut off or unreadable).
    Partial {
        /// Whether one of them runs to the photo's edge: the document is cut off.
        at_edge: bool,
    },
}

/// A text line as chained from runs of ink, before it is known to be a zone line.
#[derive(Debug, Clone)]
struct Chain {
    blobs: Vec<Blob>,
    tallest: f32,
}

/// A zone line as measured on the photo.
#[derive(Debug, Clone, Copy)]
struct Measured {
    /// The first cell's centre.
    x: f32,
    y: f32,
    /// Slant of the line, radians.
    angle: f32,
    pitch: f32,
    cap: f32,
    cells: usize,
}

fn percentile(values: &mut [f32], fraction: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let i = ((values.len() - 1) as f32 * fraction).round() as usize;
    values[i.min(values.len() - 1)]
}

/// Chains runs of ink into text lines: each run joins the line whose last run ends just
/// to its left at about its height.
fn chains(mut blobs: Vec<Blob>) -> Vec<Chain> {
    blobs.sort_by(|a, b| a.cx().total_cmp(&b.cx()));
    let mut chains: Vec<Chain> = Vec::new();
    for b in blobs {
        let mut best: Option<(usize, f32)> = None;
        for (i, c) in chains.iter().enumerate() {
            let Some(last) = c.blobs.last() else { continue };
            let reach = c.tallest.max(b.height()).max(last.height());
            let gap = b.x0 as f32 - last.x1 as f32;
            if b.x0 <= last.x0 || gap > 1.6 * reach {
                continue;
            }
            let dy = (b.cy() - last.cy()).abs();
            if dy > 0.45 * reach {
                continue;
            }
            let score = dy + 0.1 * gap.max(0.0);
            if best.is_none_or(|(_, s)| score < s) {
                best = Some((i, score));
            }
        }
        match best {
            Some((i, _)) => {
                let c = &mut chains[i];
                c.tallest = c.tallest.max(b.height());
                c.blobs.push(b);
            }
            None => chains.push(Chain {
                tallest: b.height(),
                blobs: vec![b],
            }),
        }
    }
    chains
}

/// Least-squares line `y = a + b x` through `points`.
fn fit(points: &[(f32, f32)]) -> Option<(f32, f32)> {
    let n = points.len() as f32;
    if points.len() < 2 {
        return None;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (x, y) in points {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
    }
    if sxx <= f32::EPSILON {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// Measures a chain as a zone line: its slant, its cap height and pitch, and how many
/// evenly spaced cells it spans; `None` when its runs are not evenly spaced.
fn measure(chain: &Chain) -> Option<Measured> {
    if chain.blobs.len() < 20 {
        return None;
    }
    let mut heights: Vec<f32> = chain.blobs.iter().map(Blob::height).collect();
    let cap = percentile(&mut heights, 0.75);
    let tall: Vec<(f32, f32)> = chain
        .blobs
        .iter()
        .filter(|b| b.height() >= 0.8 * cap)
        .map(|b| (b.cx(), b.cy()))
        .collect();
    let (a, slope) = fit(&tall)?;
    let angle = slope.atan();
    if angle.to_degrees().abs() > MAX_SLANT {
        return None;
    }
    let (sin, cos) = angle.sin_cos();
    // Positions along the line.
    let t: Vec<f32> = chain
        .blobs
        .iter()
        .map(|b| b.cx() * cos + b.cy() * sin)
        .collect();
    let mut steps: Vec<f32> = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.5 * cap && *d < 1.8 * cap)
        .collect();
    if steps.len() < 10 {
        return None;
    }
    let rough = percentile(&mut steps, 0.5);
    // Number the cells run by run (each step is one or two cells, so a rough pitch
    // cannot drift across a long line), then fit the pitch to every run.
    let mut k = 0.0;
    let mut points = vec![(0.0, t[0])];
    for w in t.windows(2) {
        k += ((w[1] - w[0]) / rough).round();
        points.push((k, w[1]));
    }
    let (start, pitch) = fit(&points)?;
    if pitch <= 0.0 {
        return None;
    }
    // Runs off the grid (noise, a neighbouring mark) do not count, nor extend the line.
    let on: Vec<f32> = points
        .iter()
        .filter(|(k, ti)| (ti - (start + pitch * k)).abs() <= 0.3 * pitch)
        .map(|p| p.0)
        .collect();
    if on.len() * 5 < points.len() * 4 {
        return None;
    }
    let (first_k, last_k) = (on.first().copied()?, on.last().copied()?);
    let cells = (last_k - first_k) as usize + 1;
    let start = start + pitch * first_k;
    // The first cell's centre, on the fitted line.
    let x = (start - a * sin) / (cos + slope * sin);
    Some(Measured {
        x,
        y: a + slope * x,
        angle,
        pitch,
        cap,
        cells,
    })
}

/// Groups measured lines into a zone: 3 lines of 30 or 2 of 36 or 44, one under the
/// other at about one to three character heights, at one pitch and one left edge. The
/// lowest such group wins.
fn group(lines: &[Measured]) -> Option<Vec<Measured>> {
    let mut sorted: Vec<Measured> = lines
        .iter()
        .copied()
        .filter(|m| WIDTHS.contains(&m.cells))
        .collect();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y));
    let fits = |upper: &Measured, lower: &Measured| {
        let (sin, cos) = upper.angle.sin_cos();
        let (dx, dy) = (lower.x - upper.x, lower.y - upper.y);
        let along = dx * cos + dy * sin;
        let across = -dx * sin + dy * cos;
        upper.cells == lower.cells
            && (upper.pitch - lower.pitch).abs() < 0.08 * upper.pitch
            && along.abs() < 0.6 * upper.pitch
            && across > 1.05 * upper.cap
            && across < 3.5 * upper.cap
    };
    let mut best: Option<Vec<Measured>> = None;
    for i in 0..sorted.len() {
        let mut run = vec![sorted[i]];
        for next in &sorted[i + 1..] {
            if let Some(prev) = run.last()
                && fits(prev, next)
            {
                run.push(*next);
            }
        }
        let wanted = if run[0].cells == 30 { 3 } else { 2 };
        if run.len() >= wanted {
            // The bottom lines of the run are the zone (a zone has nothing under it).
            let zone = run[run.len() - wanted..].to_vec();
            let lower = best
                .as_ref()
                .is_none_or(|b| zone[0].y > b[0].y || zone.len() > b.len());
            if lower {
                best = Some(zone);
            }
        }
    }
    best
}

/// Whether the ink in one cell is a `<`: a chevron, its tip at the left in the middle, its
/// arms reaching the right at the top and the bottom, and nothing in the left corners
/// (where a `K` has its stem). Check digits cannot tell `<` from `K` (0 and 20), and OCR
/// misreads long runs of `<`, so the shape decides.
fn chevron(ink: &[(f32, f32)], cap: f32, pitch: f32) -> Shape {
    if ink.len() < 8 {
        return Shape::Unknown;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for &(x, y) in ink {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let (w, h) = (x1 - x0 + 1.0, y1 - y0 + 1.0);
    let (mid, half) = ((y0 + y1) / 2.0, (h / 2.0).max(1.0));
    let slack = (0.25 * w).max(2.0);
    let total = ink.len() as f32;
    let on = ink
        .iter()
        .filter(|&&(x, y)| (x - (x0 + w * (y - mid).abs() / half)).abs() <= slack)
        .count() as f32
        / total;
    let corners = ink
        .iter()
        .filter(|&&(x, y)| x < x0 + 0.3 * w && (y < y0 + 0.22 * h || y > y1 - 0.22 * h))
        .count() as f32
        / total;
    let sized = h > 0.5 * cap && h < 1.05 * cap && w > 0.35 * pitch && w < 0.95 * pitch;
    if sized && on >= 0.85 && corners <= 0.04 {
        Shape::Filler
    } else if on < 0.7 || corners > 0.1 || h > 1.1 * cap {
        Shape::Character
    } else {
        Shape::Unknown
    }
}

/// Every cell of a straightened line: its centre (the pitch refitted to the runs of ink
/// in the strip) and its shape.
fn cells_of(
    strip: &Gray,
    ink: &[bool],
    first: f32,
    pitch: f32,
    count: usize,
) -> (Vec<CellBox>, f32) {
    let blobs = strip.blobs(ink, 6);
    let mut heights: Vec<f32> = blobs.iter().map(Blob::height).collect();
    let cap = percentile(&mut heights, 0.75).max(1.0);
    let tall: Vec<&Blob> = blobs.iter().filter(|b| b.height() >= 0.8 * cap).collect();
    let mut tops: Vec<f32> = tall.iter().map(|b| b.y0 as f32).collect();
    let mut bottoms: Vec<f32> = tall.iter().map(|b| b.y1 as f32).collect();
    let (top, bottom) = (percentile(&mut tops, 0.5), percentile(&mut bottoms, 0.5));
    // Refit the grid to the runs that are one cell wide.
    let points: Vec<(f32, f32)> = blobs
        .iter()
        .filter(|b| b.width() < 1.1 * pitch && b.height() > 0.4 * cap)
        .map(|b| (((b.cx() - first) / pitch).round(), b.cx()))
        .filter(|(k, x)| {
            *k >= 0.0 && (*k as usize) < count && (x - first - pitch * k).abs() < 0.35 * pitch
        })
        .collect();
    let (first, pitch) = match fit(&points) {
        Some((a, p)) if (p - pitch).abs() < 0.05 * pitch => (a, p),
        _ => (first, pitch),
    };
    let (band_top, band_bottom) = (top - 0.2 * cap, bottom + 0.2 * cap);
    let cells = (0..count)
        .map(|k| {
            let cx = first + pitch * k as f32;
            let (left, right) = (cx - 0.5 * pitch, cx + 0.5 * pitch);
            let mut pixels = Vec::new();
            let rows =
                band_top.max(0.0) as usize..(band_bottom.max(0.0) as usize).min(strip.height);
            let cols = left.max(0.0) as usize..(right.max(0.0) as usize).min(strip.width);
            for y in rows {
                for x in cols.clone() {
                    if ink[y * strip.width + x] {
                        pixels.push((x as f32, y as f32));
                    }
                }
            }
            CellBox {
                cx,
                shape: chevron(&pixels, cap, pitch),
            }
        })
        .collect();
    (cells, pitch)
}

/// Black ink on white, from a mask.
fn ink_image(like: &Gray, ink: &[bool]) -> Gray {
    Gray {
        width: like.width,
        height: like.height,
        pixels: ink.iter().map(|&i| if i { 0 } else { 255 }).collect(),
    }
}

/// Finds the zone on `g`.
pub fn locate(g: &Gray) -> Result<Zone, ZoneMiss> {
    let radius = (g.width.min(g.height) / 40).max(8);
    let ink = g.ink(radius, 0.12, 18.0);
    let max_h = (g.height / 6) as f32;
    let blobs: Vec<Blob> = g
        .blobs(&ink, 6)
        .into_iter()
        .filter(|b| b.height() >= 4.0 && b.height() <= max_h && b.width() <= 3.0 * b.height() + 4.0)
        .collect();
    let chained = chains(blobs);
    let measured: Vec<Measured> = chained.iter().filter_map(measure).collect();
    let near_edge = |m: &Measured, cells: usize| {
        let (sin, cos) = m.angle.sin_cos();
        let span = (cells.max(1) - 1) as f32 * m.pitch;
        let ends = [(m.x, m.y), (m.x + span * cos, m.y + span * sin)];
        let (mx, my) = (1.0 * m.pitch, 1.5 * m.cap);
        ends.iter()
            .any(|&(x, y)| x < mx || y < my || x > g.width as f32 - mx || y > g.height as f32 - my)
    };
    let Some(lines) = group(&measured) else {
        let zone_like: Vec<&Measured> = measured.iter().filter(|m| m.cells >= 26).collect();
        return Err(if zone_like.is_empty() {
            ZoneMiss::Nothing
        } else {
            ZoneMiss::Partial {
                at_edge: zone_like.iter().any(|m| near_edge(m, m.cells)),
            }
        });
    };
    let n = lines[0].cells;
    let count = lines.len() as f32;
    let angle = lines.iter().map(|m| m.angle).sum::<f32>() / count;
    let pitch = lines.iter().map(|m| m.pitch).sum::<f32>() / count;
    let cap = lines.iter().map(|m| m.cap).sum::<f32>() / count;
    let (sin, cos) = angle.sin_cos();
    let step = cap / CAP;
    // The region: from a character and a half before the first cell to as far after the
    // last, from a character above the first line to one below the last.
    let (ox, oy) = (lines[0].x, lines[0].y);
    let across: Vec<f32> = lines
        .iter()
        .map(|m| -(m.x - ox) * sin + (m.y - oy) * cos)
        .collect();
    let (before, above) = (1.5 * pitch, 1.3 * cap);
    let origin = (
        ox - before * cos + above * sin,
        oy - before * sin - above * cos,
    );
    let span_u = (n - 1) as f32 * pitch + 2.0 * before;
    let span_v = across.last().copied().unwrap_or(0.0) + 2.0 * above;
    let size = (
        (span_u / step).ceil() as usize,
        (span_v / step).ceil() as usize,
    );
    let region = g.straightened(origin, angle, step, size, 255);

    let mut out = Vec::new();
    let half = (0.9 * CAP) as usize;
    let scaled_pitch = pitch / step;
    for v in &across {
        let centre = ((v + above) / step) as usize;
        let top = centre.saturating_sub(half);
        let rows = (centre + half).min(region.height) - top;
        let strip = Gray {
            width: region.width,
            height: rows,
            pixels: region.pixels[top * region.width..(top + rows) * region.width].to_vec(),
        };
        let ink = strip.ink(CAP as usize, 0.25, 18.0);
        let binary = ink_image(&strip, &ink);
        let first = before / step;
        let (cells, pitch) = cells_of(&strip, &ink, first, scaled_pitch, n);
        out.push(ZoneLine {
            strip,
            binary,
            pitch,
            cells,
        });
    }
    // Whether a line's first or last cell is within a character of the photo's edge.
    let at_edge = lines.iter().any(|m| near_edge(m, n));
    Ok(Zone {
        width: n,
        lines: out,
        slant_degrees: angle.to_degrees(),
        cap_height: cap,
        region,
        at_edge,
    })
}
