//! Generated document images for demo data and tests: an identity document with the
//! holder's data and its machine-readable zone printed in OCR-B at its ICAO size and
//! place (so that the engine reads it from the image), and a one-page utility bill PDF.

use image::{ImageFormat, Rgb, RgbImage};

use super::ocrb;

fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, color: Rgb<u8>) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, color);
        }
    }
}

/// What an identity document shows.
pub struct CardData<'a> {
    /// "PASSPORT", "NATIONAL ID", ...
    pub title: &'a str,
    /// Issuing country, alpha-3.
    pub country: &'a str,
    /// Surname, transliterated.
    pub surname: &'a str,
    /// Given names, transliterated.
    pub given_names: &'a str,
    /// `YYYY-MM-DD`.
    pub birth_date: &'a str,
    /// `YYYY-MM-DD`.
    pub expiry_date: &'a str,
    /// Document number.
    pub number: &'a str,
    /// The MRZ lines: their number and length choose the document's size (3 x 30: an ID
    /// card; 2 x 36: a small card or an MRV-B visa; 2 x 44: a passport page or, starting
    /// with `V`, an MRV-A visa).
    pub mrz: &'a [String],
    /// A hue seed so documents of different countries look different.
    pub tint: u8,
}

/// A document's size in millimetres, from its zone's layout (ICAO 9303: TD1 85.6 x 54,
/// TD2 and MRV-B 105 x 74, MRV-A 120 x 80, TD3 125 x 88).
fn size_mm(mrz: &[String]) -> (f32, f32) {
    let width = mrz.first().map_or(44, |l| l.chars().count());
    let visa = mrz.first().is_some_and(|l| l.starts_with('V'));
    match (mrz.len(), width, visa) {
        (3, _, _) => (85.6, 54.0),
        (_, 36, _) => (105.0, 74.0),
        (_, _, true) => (120.0, 80.0),
        _ => (125.0, 88.0),
    }
}

/// The pitch of zone characters (10 per inch) and their capitals' height, in millimetres.
const MRZ_PITCH_MM: f32 = 2.54;
const MRZ_CAP_MM: f32 = 2.35;
/// Baseline to baseline between zone lines, and from the last baseline to the bottom edge.
const MRZ_LINE_MM: f32 = 4.4;
const MRZ_BOTTOM_MM: f32 = 4.5;

/// Renders an identity document at `px_per_mm`: a coloured header with the title and
/// country, a portrait, the holder's fields, and the machine-readable zone in OCR-B at
/// its ICAO place and size. No pixel is pure white, so glare on a photo of it stands out.
pub fn document(card: &CardData<'_>, px_per_mm: f32) -> RgbImage {
    let (wmm, hmm) = size_mm(card.mrz);
    let mm = |v: f32| v * px_per_mm;
    let (w, h) = (mm(wmm).round() as u32, mm(hmm).round() as u32);
    let t = card.tint;
    let mut img = RgbImage::from_pixel(
        w,
        h,
        Rgb([
            226,
            230u8.saturating_sub(t / 8),
            222u8.saturating_add(t / 12),
        ]),
    );
    let ink = Rgb([30, 34, 48]);
    let header = Rgb([40 + t / 3, 70, 120u8.saturating_add(t / 4)]);
    let header_h = hmm * 0.12;
    fill(&mut img, 0, 0, w, mm(header_h) as u32, header);
    let title_cap = mm(header_h * 0.38);
    let title_base = mm(header_h * 0.7);
    ocrb::draw_plain(
        &mut img,
        mm(wmm * 0.04),
        title_base,
        title_cap,
        card.title,
        Rgb([236, 236, 236]),
    );
    let country_x = mm(wmm * 0.96) - ocrb::plain_width(title_cap, card.country.len());
    ocrb::draw_plain(
        &mut img,
        country_x,
        title_base,
        title_cap,
        card.country,
        Rgb([236, 236, 236]),
    );
    // The zone's band and lines, from the bottom up.
    let lines = card.mrz.len().max(1) as f32;
    let last_base = hmm - MRZ_BOTTOM_MM;
    let zone_top = last_base - (lines - 1.0) * MRZ_LINE_MM - MRZ_CAP_MM - 2.5;
    fill(&mut img, 0, mm(zone_top) as u32, w, h, Rgb([238, 238, 230]));
    let chars = card.mrz.first().map_or(44, |l| l.chars().count()) as f32;
    let left = (wmm - chars * MRZ_PITCH_MM) / 2.0;
    for (i, line) in card.mrz.iter().enumerate() {
        let base = last_base - (lines - 1.0 - i as f32) * MRZ_LINE_MM;
        ocrb::draw(
            &mut img,
            mm(left),
            mm(base),
            mm(MRZ_CAP_MM),
            mm(MRZ_PITCH_MM),
            line,
            ink,
        );
    }
    // Portrait: a framed silhouette beside the fields.
    let body_top = header_h + hmm * 0.06;
    let body_h = zone_top - 2.0 - body_top;
    let pw = (body_h * 0.78).min(wmm * 0.28);
    let px0 = wmm * 0.05;
    fill(
        &mut img,
        mm(px0) as u32,
        mm(body_top) as u32,
        mm(pw) as u32,
        mm(body_h) as u32,
        Rgb([200, 205, 215]),
    );
    fill(
        &mut img,
        mm(px0 + pw * 0.32) as u32,
        mm(body_top + body_h * 0.12) as u32,
        mm(pw * 0.36) as u32,
        mm(body_h * 0.32) as u32,
        Rgb([150, 158, 172]),
    );
    fill(
        &mut img,
        mm(px0 + pw * 0.15) as u32,
        mm(body_top + body_h * 0.5) as u32,
        mm(pw * 0.7) as u32,
        mm(body_h * 0.5) as u32,
        Rgb([150, 158, 172]),
    );
    let fields: [(&str, &str); 5] = [
        ("SURNAME", card.surname),
        ("GIVEN NAMES", card.given_names),
        ("DATE OF BIRTH", card.birth_date),
        ("DOCUMENT NO", card.number),
        ("DATE OF EXPIRY", card.expiry_date),
    ];
    let row = body_h / 5.0;
    let fx = px0 + pw + wmm * 0.05;
    for (i, (label, value)) in fields.iter().enumerate() {
        let y = body_top + i as f32 * row;
        ocrb::draw_plain(
            &mut img,
            mm(fx),
            mm(y + row * 0.3),
            mm(row * 0.2),
            label,
            Rgb([90, 96, 110]),
        );
        ocrb::draw_plain(
            &mut img,
            mm(fx),
            mm(y + row * 0.8),
            mm(row * 0.34),
            &value.to_uppercase(),
            ink,
        );
    }
    img
}

/// Renders an identity document as a PNG at 13 pixels a millimetre (a passport page 1,625
/// pixels wide, a phone's close photo) when `readable`; otherwise shrunk to 320 pixels and
/// blurred (which `image_readable` and `image_quality` refuse).
pub fn id_card_png(card: &CardData<'_>, readable: bool) -> Vec<u8> {
    id_card_png_at(card, readable, 13.0)
}

/// [`id_card_png`] at `px_per_mm` pixels a millimetre (a photo from another distance).
pub fn id_card_png_at(card: &CardData<'_>, readable: bool, px_per_mm: f32) -> Vec<u8> {
    let img = document(card, px_per_mm);
    let img = if readable {
        img
    } else {
        let h = (320.0 * img.height() as f32 / img.width() as f32).round() as u32;
        let small = image::imageops::resize(&img, 320, h, image::imageops::FilterType::Triangle);
        image::imageops::blur(&small, 2.5)
    };
    png(&img)
}

/// The zone of the README walk-through's passport.
pub const SAMPLE_PASSPORT_MRZ: [&str; 2] = [
    "P<SWEERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "AB12345671SWE7408122F3010312<<<<<<<<<<<<<<00",
];

/// A photo of the README walk-through's passport (a made-up holder), so that an
/// integrator can try the API with the photo alone (`sessiondesk sample-passport`).
pub fn sample_passport_png() -> Vec<u8> {
    let mrz: Vec<String> = SAMPLE_PASSPORT_MRZ
        .iter()
        .map(|l| (*l).to_owned())
        .collect();
    id_card_png(
        &CardData {
            title: "PASSPORT",
            country: "SWE",
            surname: "ERIKSSON",
            given_names: "ANNA MARIA",
            birth_date: "1974-08-12",
            expiry_date: "2030-10-31",
            number: "AB1234567",
            mrz: &mrz,
            tint: 7,
        },
        true,
    )
}

/// Encodes an image as PNG.
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB buffer as PNG cannot fail short of running out of memory.
    let _ = img.write_to(&mut out, ImageFormat::Png);
    out.into_inner()
}

fn pdf_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// A one-page PDF utility bill addressed to `name` at `address_lines`, issued on `issued`.
pub fn utility_bill_pdf(
    company: &str,
    name: &str,
    address_lines: &[String],
    issued: &str,
    amount: &str,
) -> Vec<u8> {
    let mut content = String::from("BT /F1 20 Tf 60 780 Td (");
    content.push_str(&pdf_escape(company));
    content.push_str(") Tj ET\n");
    let mut y = 720;
    let mut line = |text: &str, size: u32, content: &mut String| {
        content.push_str(&format!(
            "BT /F1 {size} Tf 60 {y} Td ({}) Tj ET\n",
            pdf_escape(text)
        ));
        y -= size as i32 + 8;
    };
    line(name, 12, &mut content);
    for l in address_lines {
        line(l, 12, &mut content);
    }
    line("", 12, &mut content);
    line(&format!("Statement date: {issued}"), 12, &mut content);
    line("Electricity, 1 month", 12, &mut content);
    line(&format!("Amount due: {amount}"), 14, &mut content);
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{}endstream", content.len(), content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{}\nendobj\n", i + 1, body));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        pdf.push_str(&format!("{o:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passports_are_pngs_of_a_passport_pages_proportions() {
        let mrz = vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned(),
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_owned(),
        ];
        let card = CardData {
            title: "PASSPORT",
            country: "UTO",
            surname: "ERIKSSON",
            given_names: "ANNA MARIA",
            birth_date: "1974-08-12",
            expiry_date: "2032-04-15",
            number: "L898902C3",
            mrz: &mrz,
            tint: 40,
        };
        let png = id_card_png(&card, true);
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (1625, 1144));
        let small = image::load_from_memory(&id_card_png(&card, false)).unwrap();
        assert_eq!((small.width(), small.height()), (320, 225));
    }

    #[test]
    fn bills_are_pdfs() {
        let pdf = utility_bill_pdf(
            "Energi (AB)",
            "Anna",
            &["Storgatan 1".into()],
            "2026-11-01",
            "SEK 412",
        );
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }
}
