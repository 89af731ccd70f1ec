//! What every step of the capture flow shares: the progress bar, the language switcher,
//! the "Back" link, document type names in the applicant's language, and the request to
//! send a photo again.

use super::i18n::{LANGUAGES, Tr};
use crate::domain::capture::Step;
use crate::domain::kinds::{DocumentKind, DocumentType};
use crate::service::capture::Visit;

/// One entry of the progress bar.
pub struct StepView {
    /// Its name.
    pub label: String,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
    /// Where it opens, when it may be opened.
    pub href: Option<String>,
}

/// A language of the switcher.
pub struct LangLink {
    /// `en`, `de`.
    pub code: &'static str,
    /// In its own words.
    pub name: &'static str,
    /// Whether it is the page's language.
    pub current: bool,
}

/// What every step page shares: texts, title, progress, switcher.
pub struct Shell {
    /// The texts.
    pub t: Tr,
    /// The page's heading and title.
    pub title: String,
    /// `/c/<token>`.
    pub base: String,
    /// The progress bar.
    pub steps: Vec<StepView>,
    /// "Step 2 of 5".
    pub progress: String,
    /// The switcher.
    pub langs: Vec<LangLink>,
    /// The previous step, for "Back".
    pub back: Option<String>,
}

impl Shell {
    /// The shell of `step` of `visit`.
    pub fn new(t: Tr, base: &str, visit: &Visit, step: Step, title: String) -> Shell {
        let p = &visit.progress;
        let all = p.steps();
        let index = all.iter().position(|s| *s == step).unwrap_or(0);
        let steps = all
            .iter()
            .map(|s| StepView {
                label: t.t(&format!("step-{}", s.slug())),
                state: if *s == step {
                    "current"
                } else if p.done(*s) {
                    "done"
                } else {
                    "todo"
                },
                href: (p.may_open(*s) && *s != step).then(|| format!("{base}/{}", s.slug())),
            })
            .collect();
        let progress = t.t2(
            "progress",
            ("n", &(index + 1).to_string()),
            ("total", &all.len().to_string()),
        );
        let back = index
            .checked_sub(1)
            .and_then(|i| all.get(i))
            .filter(|s| **s != Step::Consent)
            .map(|s| format!("{base}/{}", s.slug()));
        let langs = LANGUAGES
            .iter()
            .map(|(code, name)| LangLink {
                code,
                name,
                current: *code == t.code,
            })
            .collect();
        Shell {
            t,
            title,
            base: base.to_owned(),
            steps,
            progress,
            langs,
            back,
        }
    }
}

/// The label of an ID or address document type in the applicant's language.
pub fn type_label(t: &Tr, d: DocumentType) -> String {
    match d.kind() {
        DocumentKind::Idv => t.t(&format!("doctype-{}", d.as_str())),
        DocumentKind::Address => t.t(&format!("addresstype-{}", d.as_str())),
    }
}

/// An ID document type as a sentence names it ("your passport").
pub fn type_in_sentence(t: &Tr, d: DocumentType) -> String {
    match d.kind() {
        DocumentKind::Idv => t.t(&format!("docname-{}", d.as_str())),
        DocumentKind::Address => type_label(t, d),
    }
}

/// A resubmission request as the applicant reads it.
pub struct AskedAgain {
    /// "the photo is blurry".
    pub reason: String,
    /// The reviewer's message, if any.
    pub message: Option<String>,
    /// "We could not use the photo of your passport".
    pub intro: String,
}

/// The resubmission request of `visit`, if any, in the applicant's language.
pub(super) fn asked_again(t: &Tr, visit: &Visit) -> Option<AskedAgain> {
    let r = visit.resubmission.as_ref()?;
    let document = visit
        .idv_type
        .or(visit.address_type)
        .map(|d| type_in_sentence(t, d))
        .unwrap_or_default();
    Some(AskedAgain {
        reason: t.t1(
            "resubmit-reason",
            "reason",
            &t.t(&format!("reason-{}", r.reason.as_str())),
        ),
        message: r.message.clone().filter(|m| !m.trim().is_empty()),
        intro: t.t1("resubmit-intro", "document", &document),
    })
}
