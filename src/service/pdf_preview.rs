//! A PDF's first pages as one PNG, so that a reviewer sees a proof of address beside the
//! data check without downloading it.
//!
//! The PDF is untrusted input. It is rendered by Poppler's `pdftoppm` in a child process
//! (Debian `poppler-utils`), not inside the server: a malformed file that crashes or
//! hangs the renderer takes down that child only. The child runs under `prlimit` (address
//! space, CPU seconds, file size, open files), is killed after [`TIMEOUT`], and renders at
//! most [`MAX_PAGES`] pages scaled to at most [`MAX_SIDE`] pixels on their longer side. At
//! most [`MAX_RENDERS`] renders run at once; callers run [`render`] on a blocking thread
//! holding no database connection.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image::{ImageFormat, Rgb, RgbImage};

/// The most pages shown: a proof of address is a page or two; the rest is downloaded.
pub const MAX_PAGES: u32 = 5;
/// The longest side of a rendered page, in pixels.
pub const MAX_SIDE: u32 = 1400;
/// How long one render may take before its process is killed.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How many renders run at once (each is a process and up to [`MEMORY_BYTES`]).
pub const MAX_RENDERS: usize = 2;
/// The renderer's address-space limit.
pub const MEMORY_BYTES: u64 = 1024 * 1024 * 1024;
/// The renderer's CPU-time limit, in seconds.
const CPU_SECONDS: u64 = 20;
/// The largest file the renderer may write (one page's PNG).
const FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Grey space between two pages, in pixels.
const GAP: u32 = 12;

/// Renders wait here for one of [`MAX_RENDERS`] places.
pub static RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_RENDERS);

/// Why a PDF could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The renderer is not installed or could not be started.
    #[error("the PDF renderer could not be started: {0}")]
    Unavailable(std::io::Error),
    /// It ran out of time and was stopped.
    #[error("rendering the PDF took longer than {TIMEOUT:?}")]
    Timeout,
    /// It refused the file (not a PDF it can read, or over a limit).
    #[error("the PDF could not be rendered")]
    Refused,
    /// Anything else (temporary files, reading or writing PNGs).
    #[error("rendering the PDF failed: {0}")]
    Failed(String),
}

/// The first [`MAX_PAGES`] pages of `pdf`, top to bottom, as one PNG.
pub fn render(pdf: &[u8]) -> Result<Vec<u8>, RenderError> {
    let dir = TempDir::new()?;
    let input = dir.0.join("in.pdf");
    std::fs::write(&input, pdf).map_err(|e| RenderError::Failed(e.to_string()))?;
    let prefix = dir.0.join("page");
    let mut child = Command::new("prlimit")
        .arg(format!("--as={MEMORY_BYTES}"))
        .arg(format!("--cpu={CPU_SECONDS}"))
        .arg(format!("--fsize={FILE_BYTES}"))
        .arg("--nofile=64")
        .arg("--")
        .arg("pdftoppm")
        .args(["-q", "-png", "-f", "1", "-l"])
        .arg(MAX_PAGES.to_string())
        .arg("-scale-to")
        .arg(MAX_SIDE.to_string())
        .arg(&input)
        .arg(&prefix)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(RenderError::Unavailable)?;
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::Timeout);
            }
            Err(e) => return Err(RenderError::Failed(e.to_string())),
        }
    };
    if !status.success() {
        return Err(RenderError::Refused);
    }
    let pages = page_files(&dir.0)?;
    if pages.is_empty() {
        return Err(RenderError::Refused);
    }
    stack(&pages)
}

/// The rendered pages in page order (`page-1.png`, or `page-01.png` for longer files).
fn page_files(dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let mut pages: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| RenderError::Failed(e.to_string()))?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let n = name
                .strip_prefix("page-")?
                .strip_suffix(".png")?
                .parse()
                .ok()?;
            Some((n, path))
        })
        .collect();
    pages.sort();
    Ok(pages.into_iter().map(|(_, p)| p).collect())
}

/// The pages one below the other on a grey ground, encoded as PNG.
fn stack(pages: &[PathBuf]) -> Result<Vec<u8>, RenderError> {
    let fail = |e: image::ImageError| RenderError::Failed(e.to_string());
    let images = pages
        .iter()
        .map(|p| image::open(p).map(|i| i.to_rgb8()).map_err(fail))
        .collect::<Result<Vec<_>, _>>()?;
    let width = images.iter().map(RgbImage::width).max().unwrap_or(1);
    let height = images.iter().map(RgbImage::height).sum::<u32>()
        + GAP * (images.len() as u32).saturating_sub(1);
    let mut sheet = RgbImage::from_pixel(width, height, Rgb([128, 128, 128]));
    let mut y = 0;
    for page in &images {
        let x = (width - page.width()) / 2;
        image::imageops::replace(&mut sheet, page, i64::from(x), i64::from(y));
        y += page.height() + GAP;
    }
    let mut out = Cursor::new(Vec::new());
    sheet.write_to(&mut out, ImageFormat::Png).map_err(fail)?;
    Ok(out.into_inner())
}

/// A private directory for one render, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, RenderError> {
        let dir = std::env::temp_dir().join(format!("sessiondesk-pdf-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&dir).map_err(|e| RenderError::Failed(e.to_string()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_pdf_is_refused() {
        match render(b"%PDF-1.4 not really") {
            Err(RenderError::Refused) => {}
            // Without poppler-utils there is nothing to test here.
            Err(RenderError::Unavailable(_)) => {}
            other => panic!("expected a refusal, got {:?}", other.map(|v| v.len())),
        }
    }

    #[test]
    fn the_demo_utility_bill_renders_to_a_png() {
        let pdf = crate::demo::images::utility_bill_pdf(
            "Energi (AB)",
            "Anna Berg",
            &["Storgatan 1".into(), "111 22 Stockholm".into()],
            "2026-11-01",
            "SEK 412",
        );
        let png = render(&pdf).expect("the demo's bill renders");
        let image = image::load_from_memory(&png).expect("a PNG");
        assert!(image.width() > 100 && image.height() > 100);
        assert!(image.width() <= MAX_SIDE && image.height() <= MAX_SIDE);
    }
}
