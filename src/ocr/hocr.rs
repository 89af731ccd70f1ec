//! The characters Tesseract read, from its hOCR output with character boxes
//! (`hocr_char_boxes`): each `ocrx_cinfo` span carries `x_bboxes left top right bottom`
//! and `x_conf`, and the character as escaped HTML.

/// One character as Tesseract read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// The character.
    pub ch: char,
    /// Left edge, in the image's pixels.
    pub x0: f32,
    /// Right edge.
    pub x1: f32,
    /// Confidence, 0 to 100.
    pub confidence: f32,
}

impl Glyph {
    /// The horizontal centre.
    pub fn cx(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every character box in `hocr`, in reading order; anything unparsable is skipped.
pub fn glyphs(hocr: &str) -> Vec<Glyph> {
    let mut out = Vec::new();
    for piece in hocr.split("x_bboxes ").skip(1) {
        let Some((title, rest)) = piece.split_once("'>") else {
            continue;
        };
        let Some((text, _)) = rest.split_once("</span>") else {
            continue;
        };
        let numbers: Vec<f32> = title
            .split(';')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        let confidence = title
            .split("x_conf ")
            .nth(1)
            .and_then(|c| c.split([';', '\'']).next())
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0.0);
        let text = unescape(text.trim());
        let mut chars = text.chars();
        if let (Some(ch), None, [x0, _, x1, _]) = (chars.next(), chars.next(), numbers.as_slice()) {
            out.push(Glyph {
                ch,
                x0: *x0,
                x1: *x1,
                confidence,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_boxes_and_confidences_are_read_and_unescaped() {
        let hocr = "<span class='ocrx_word' id='word_1_1' title='bbox 10 5 60 40; x_wconf 91'>\
            <span class='ocrx_cinfo' title='x_bboxes 10 5 30 40; x_conf 99.125'>P</span>\
            <span class='ocrx_cinfo' title='x_bboxes 32 12 50 33; x_conf 87.5'>&lt;</span>\
            <span class='ocrx_cinfo' title='x_bboxes nonsense'>Q</span></span>";
        let g = glyphs(hocr);
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!((g[0].ch, g[0].x0, g[0].x1), ('P', 10.0, 30.0));
        assert!((g[0].confidence - 99.125).abs() < 1e-3);
        assert_eq!((g[1].ch, g[1].cx()), ('<', 41.0));
    }
}
