//! The applicant's language: every text of the capture flow comes from the Fluent
//! catalogues in `locales/` (English and German), compiled into the binary; the language
//! is the one chosen with the switcher (a cookie), else the best match of
//! `Accept-Language`, else English.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: the pages are plain HTML.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages shipped, as codes and in their own words, in the switcher's order.
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("de", "Deutsch")];

/// The cookie that keeps the switcher's choice.
pub const COOKIE: &str = "sd_lang";

/// The shipped language `raw` names (`de`, `de-AT`, `DE`), if any.
pub fn shipped(raw: &str) -> Option<&'static str> {
    let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES
        .iter()
        .map(|(code, _)| *code)
        .find(|code| *code == primary)
}

/// The best shipped language for an `Accept-Language` header: the highest `q` that is
/// shipped, earlier entries winning ties; English when none is.
pub fn negotiate(accept: &str) -> &'static str {
    let mut best: Option<(f32, &'static str)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("");
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(code) = shipped(tag)
            && q > 0.0
            && best.is_none_or(|(b, _)| q > b)
        {
            best = Some((q, code));
        }
    }
    best.map_or("en", |(_, code)| code)
}

/// Texts in one language, for the templates: `t.t("consent-title")`.
#[derive(Debug, Clone)]
pub struct Tr {
    /// The language's code (`en`, `de`), for `<html lang>`.
    pub code: &'static str,
    id: LanguageIdentifier,
}

impl Tr {
    /// Texts in the shipped language `code`.
    pub fn new(code: &'static str) -> Self {
        let id = code.parse().unwrap_or_default();
        Tr { code, id }
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The text of `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_owned()));
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// The text of `key` with two arguments.
    pub fn t2(&self, key: &str, a: (&'static str, &str), b: (&'static str, &str)) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(a.0), FluentValue::from(a.1.to_owned()));
        args.insert(Cow::Borrowed(b.0), FluentValue::from(b.1.to_owned()));
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// The text of `key` with a number, for plurals.
    pub fn tn(&self, key: &str, name: &'static str, n: usize) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(n));
        LOCALES.lookup_with_args(&self.id, key, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with(['#', ' ']) && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_language_has_every_text() {
        let en = ids(include_str!("../../../locales/en/capture.ftl"));
        let de = ids(include_str!("../../../locales/de/capture.ftl"));
        assert!(en.len() > 50);
        assert_eq!(en, de, "the catalogues' ids differ");
    }

    #[test]
    fn texts_come_in_the_chosen_language() {
        assert_eq!(Tr::new("en").t("submit"), "Send");
        assert_eq!(Tr::new("de").t("submit"), "Senden");
        assert_eq!(Tr::new("de").tn("review-photos", "count", 2), "2 Fotos");
        assert_eq!(Tr::new("en").tn("review-photos", "count", 1), "1 photo");
        assert_eq!(
            Tr::new("en").t1("photos-title", "document", "passport"),
            "Photograph your passport"
        );
    }

    #[test]
    fn accept_language_picks_the_best_shipped_language() {
        assert_eq!(negotiate("de-DE,de;q=0.9,en;q=0.8"), "de");
        assert_eq!(negotiate("fr-FR, en;q=0.5, de;q=0.7"), "de");
        assert_eq!(negotiate("fr"), "en");
        assert_eq!(negotiate(""), "en");
        assert_eq!(negotiate("de;q=0"), "en");
        assert_eq!(shipped("DE_at"), Some("de"));
    }
}
