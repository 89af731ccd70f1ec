//! Generated document images for demo data: an ID card with the holder's data and a
//! machine-readable zone drawn in a 5x7 bitmap font, and a one-page utility bill PDF.

use image::{ImageFormat, Rgb, RgbImage};

/// 5x7 glyphs, one byte a row, the low five bits left to right.
fn glyph(c: char) -> [u8; 7] {
    match c {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '<' => [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        _ => [0; 7],
    }
}

fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, color: Rgb<u8>) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, color);
        }
    }
}

/// Draws `text` (upper-cased; characters outside the font become blanks) at `scale`
/// pixels per font dot.
fn text(img: &mut RgbImage, x: u32, y: u32, scale: u32, s: &str, color: Rgb<u8>) {
    let mut cx = x;
    for c in s.to_uppercase().chars() {
        let rows = glyph(c);
        for (ry, bits) in rows.iter().enumerate() {
            for rx in 0..5u32 {
                if bits & (0x10 >> rx) != 0 {
                    fill(
                        img,
                        cx + rx * scale,
                        y + ry as u32 * scale,
                        scale,
                        scale,
                        color,
                    );
                }
            }
        }
        cx += 6 * scale;
    }
}

/// What an ID card shows.
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
    /// The MRZ lines.
    pub mrz: &'a [String],
    /// A hue seed so documents of different countries look different.
    pub tint: u8,
}

/// Renders an ID card as a PNG: 900x600 when `readable`, a blurred-small 320x200 otherwise
/// (which the engine's `image_readable` check refuses).
pub fn id_card_png(card: &CardData<'_>, readable: bool) -> Vec<u8> {
    let (w, h) = (900u32, 600u32);
    let t = card.tint;
    let mut img = RgbImage::from_pixel(
        w,
        h,
        Rgb([
            236,
            240u8.saturating_sub(t / 8),
            232u8.saturating_add(t / 10),
        ]),
    );
    let ink = Rgb([30, 34, 48]);
    let header = Rgb([40 + t / 3, 70, 120u8.saturating_add(t / 4)]);
    fill(&mut img, 0, 0, w, 70, header);
    text(&mut img, 30, 18, 5, card.title, Rgb([255, 255, 255]));
    text(
        &mut img,
        w - 30 - 6 * 5 * card.country.len() as u32,
        18,
        5,
        card.country,
        Rgb([255, 255, 255]),
    );
    // Portrait: a framed silhouette.
    fill(&mut img, 40, 100, 220, 280, Rgb([200, 205, 215]));
    fill(&mut img, 110, 140, 80, 90, Rgb([150, 158, 172]));
    fill(&mut img, 75, 240, 150, 140, Rgb([150, 158, 172]));
    let fields: [(&str, &str); 5] = [
        ("SURNAME", card.surname),
        ("GIVEN NAMES", card.given_names),
        ("DATE OF BIRTH", card.birth_date),
        ("DOCUMENT NO", card.number),
        ("DATE OF EXPIRY", card.expiry_date),
    ];
    for (i, (label, value)) in fields.iter().enumerate() {
        let y = 100 + i as u32 * 56;
        text(&mut img, 290, y, 2, label, Rgb([90, 96, 110]));
        text(&mut img, 290, y + 20, 3, value, ink);
    }
    fill(&mut img, 0, 440, w, 160, Rgb([250, 250, 246]));
    for (i, line) in card.mrz.iter().enumerate() {
        text(&mut img, 18, 470 + i as u32 * 50, 3, line, ink);
    }
    let img = if readable {
        img
    } else {
        image::imageops::resize(&img, 320, 200, image::imageops::FilterType::Triangle)
    };
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
    fn id_cards_are_pngs_of_the_promised_size() {
        let mrz = vec![
            "P<UTOERIKSSON<<ANNA<MARIA".to_owned(),
            "L898902C36UTO".to_owned(),
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
        assert_eq!((img.width(), img.height()), (900, 600));
        let small = image::load_from_memory(&id_card_png(&card, false)).unwrap();
        assert_eq!((small.width(), small.height()), (320, 200));
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
