//! QR codes as inline SVG, drawn on the server: attributes only, no style, so that the
//! strict CSP holds. For handing a URL from a desktop screen to a phone (an authenticator
//! app's enrolment, an applicant's capture link).

use crate::error::AppError;

/// The QR code of `text` as SVG markup with element id `id`, labelled `label` for screen
/// readers.
pub fn svg(text: &str, id: &str, label: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inside HTML the XML declaration is not wanted.
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg.as_str(),
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    Ok(svg.replacen(
        "<svg ",
        &format!(
            "<svg id=\"{}\" role=\"img\" aria-label=\"{}\" ",
            escape(id),
            escape(label)
        ),
        1,
    ))
}
