//! Reading a capture form with a file: streamed, the body cut off past the API's 10 MiB
//! limit (plus the form's framing), the type recognised from the bytes.

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::domain::files::sniff;
use crate::service::documents::{MAX_FILE_BYTES, sanitize_filename};

/// Room for the multipart framing and the small fields around the file.
const FRAMING_BYTES: usize = 64 * 1024;
/// The longest small field read.
const MAX_FIELD_BYTES: usize = 256;

/// What a capture upload form held.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// The file's bytes, its sanitised name and its recognised type (`None`: not a JPEG,
    /// PNG, WebP or PDF).
    pub file: Option<(Vec<u8>, Option<String>, Option<&'static str>)>,
    /// The small fields, by name.
    pub fields: Vec<(String, String)>,
}

impl UploadForm {
    /// A small field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a form could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadProblem {
    /// Larger than the limit.
    TooLarge,
    /// Not a readable multipart form.
    Malformed,
}

/// Reads the form, stopping at the first byte past the limit.
pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<UploadForm, UploadProblem> {
    let limit = MAX_FILE_BYTES + FRAMING_BYTES;
    let mut seen = 0usize;
    let stream = payload.map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len();
        if seen > limit {
            return Err(PayloadError::Overflow);
        }
        Ok(chunk)
    });
    let mut multipart = Multipart::new(req.headers(), stream);
    let mut form = UploadForm::default();
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(problem)?;
        let (name, filename) = match field.content_disposition() {
            Some(cd) => (
                cd.get_name().unwrap_or("").to_owned(),
                cd.get_filename().map(str::to_owned),
            ),
            None => (String::new(), None),
        };
        let is_file = name == "file";
        let max = if is_file {
            MAX_FILE_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(problem)?;
            if bytes.len() + chunk.len() > max {
                return Err(UploadProblem::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            if form.file.is_none() && !bytes.is_empty() {
                let kind = sniff(&bytes);
                let name = filename.as_deref().and_then(sanitize_filename);
                form.file = Some((bytes, name, kind));
            }
        } else if form.fields.len() < 8 {
            form.fields
                .push((name, String::from_utf8_lossy(&bytes).trim().to_owned()));
        }
    }
    Ok(form)
}

fn problem(e: actix_multipart::MultipartError) -> UploadProblem {
    match e {
        actix_multipart::MultipartError::Payload(PayloadError::Overflow) => UploadProblem::TooLarge,
        _ => UploadProblem::Malformed,
    }
}
