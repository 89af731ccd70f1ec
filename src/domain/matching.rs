//! Comparing what an applicant typed with what their document says: names after folding
//! case, accents and separators, so that `Müller-Lüdenscheidt`, `MUELLER<LUEDENSCHEIDT` and
//! `MULLER LUDENSCHEIDT` are one name.

use super::mrz::transliterate;

/// The spellings a name may take once case, accents and separators are folded: the ICAO
/// transliteration (`Ü` as `UE`) and the plain one (`Ü` as `U`), letters and digits only.
pub fn name_forms(name: &str) -> [String; 2] {
    let icao: String = transliterate(name)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let plain: String = name
        .chars()
        .map(|c| {
            let folded = transliterate(&c.to_string());
            // Drop the second letter of two-letter transliterations (Ü -> U, not UE).
            if folded.len() == 2 && !c.is_ascii() {
                folded[..1].to_owned()
            } else {
                folded
            }
        })
        .collect::<String>()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    [icao, plain]
}

/// Whether two renderings of a name are the same name.
pub fn names_match(a: &str, b: &str) -> bool {
    let fa = name_forms(a);
    let fb = name_forms(b);
    !fa[0].is_empty() && fa.iter().any(|x| fb.iter().any(|y| x == y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_separators_do_not_matter() {
        assert!(names_match("Müller-Lüdenscheidt", "MUELLER<LUEDENSCHEIDT"));
        assert!(names_match("Müller-Lüdenscheidt", "MULLER LUDENSCHEIDT"));
        assert!(names_match("Anna Maria", "ANNA<MARIA"));
        assert!(names_match("Łucja", "LUCJA"));
        assert!(names_match("O'Brien", "OBRIEN"));
    }

    #[test]
    fn different_names_do_not_match() {
        assert!(!names_match("Ericsson", "ERIKSSON"));
        assert!(!names_match("", ""));
        assert!(!names_match("Anna", "ANNA<MARIA"));
    }
}
