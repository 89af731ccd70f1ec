//! Rebuilds when a migration is added or changed: `db::MIGRATIONS` embeds the directory,
//! and Cargo would not otherwise notice a new one. Finds the OCR-B font that generated
//! documents are printed in (Debian's `fonts-ocr-b`, or `OCRB_FONT`), which the binary
//! embeds.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=OCRB_FONT");
    let font = std::env::var("OCRB_FONT")
        .unwrap_or_else(|_| "/usr/share/fonts/opentype/ocr-b/OCRB.otf".to_owned());
    if !std::path::Path::new(&font).is_file() {
        panic!(
            "the OCR-B font is missing at {font}: install it (`apt-get install fonts-ocr-b`) or \
             point OCRB_FONT at an OCRB.otf"
        );
    }
    println!("cargo:rerun-if-changed={font}");
    println!("cargo:rustc-env=SESSIONDESK_OCRB_FONT={font}");
}
