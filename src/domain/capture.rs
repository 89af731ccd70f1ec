//! The applicant's capture flow as rules: which steps a visit has, which one comes next,
//! which photos a document type needs, and why a reviewer may ask for a document again.
//! Pure, so that the pages, the submit and the tests agree on one answer.

use super::kinds::{DocumentType, FileSide};
use super::string_enum;

/// One page of the capture flow, in the order the applicant meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Welcome and consent to the privacy notice.
    Consent,
    /// Personal data the session lacks.
    Data,
    /// Which ID document the applicant has.
    Document,
    /// Photos of that document.
    Photos,
    /// A proof of address.
    Address,
    /// What the applicant gave, before submitting.
    Review,
}

impl Step {
    /// The step's path segment under `/c/{token}/`.
    pub fn slug(self) -> &'static str {
        match self {
            Step::Consent => "consent",
            Step::Data => "data",
            Step::Document => "document",
            Step::Photos => "photos",
            Step::Address => "address",
            Step::Review => "review",
        }
    }

    /// The step a path segment names.
    pub fn from_slug(slug: &str) -> Option<Step> {
        [
            Step::Consent,
            Step::Data,
            Step::Document,
            Step::Photos,
            Step::Address,
            Step::Review,
        ]
        .into_iter()
        .find(|s| s.slug() == slug)
    }
}

/// The sides an applicant photographs for a document type: a passport's data page, or the
/// front and back of a card.
pub fn sides_needed(t: DocumentType) -> &'static [FileSide] {
    match t {
        DocumentType::Passport => &[FileSide::Page],
        _ => &[FileSide::Front, FileSide::Back],
    }
}

/// Where a visit stands, read from the link, the session and the documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Whether this link's applicant consented.
    pub consented: bool,
    /// Whether the session asks the applicant for personal data (some required field is
    /// missing, or the applicant entered some through this link).
    pub asks_data: bool,
    /// Whether every required personal field is filled.
    pub data_complete: bool,
    /// Whether the session requires an ID document.
    pub needs_idv: bool,
    /// The ID document type chosen through this link.
    pub idv_type: Option<DocumentType>,
    /// The sides of it photographed (and accepted) through this link.
    pub idv_sides: Vec<FileSide>,
    /// Whether the session requires a proof of address.
    pub needs_address: bool,
    /// Whether a proof of address was uploaded through this link.
    pub address_done: bool,
    /// A resubmission: only the photos of this one document are asked for.
    pub resubmission: bool,
}

impl Progress {
    /// The steps this visit shows, in order, for the progress bar.
    pub fn steps(&self) -> Vec<Step> {
        if self.resubmission {
            let mut steps = vec![Step::Consent];
            steps.push(if self.needs_address && !self.needs_idv {
                Step::Address
            } else {
                Step::Photos
            });
            steps.push(Step::Review);
            return steps;
        }
        let mut steps = vec![Step::Consent];
        if self.asks_data {
            steps.push(Step::Data);
        }
        if self.needs_idv {
            steps.push(Step::Document);
            steps.push(Step::Photos);
        }
        if self.needs_address {
            steps.push(Step::Address);
        }
        steps.push(Step::Review);
        steps
    }

    /// Whether `step` is done.
    pub fn done(&self, step: Step) -> bool {
        match step {
            Step::Consent => self.consented,
            Step::Data => self.data_complete,
            Step::Document => self.idv_type.is_some(),
            Step::Photos => self
                .idv_type
                .is_some_and(|t| sides_needed(t).iter().all(|s| self.idv_sides.contains(s))),
            Step::Address => self.address_done,
            Step::Review => false,
        }
    }

    /// The first step not yet done: where the link opens.
    pub fn current(&self) -> Step {
        self.steps()
            .into_iter()
            .find(|s| !self.done(*s))
            .unwrap_or(Step::Review)
    }

    /// Whether the applicant may open `step`: it is in this visit, and every step before
    /// it is done.
    pub fn may_open(&self, step: Step) -> bool {
        let steps = self.steps();
        steps.contains(&step)
            && steps
                .iter()
                .take_while(|s| **s != step)
                .all(|s| self.done(*s))
    }

    /// Whether everything is there to submit.
    pub fn complete(&self) -> bool {
        self.steps()
            .into_iter()
            .filter(|s| *s != Step::Review)
            .all(|s| self.done(s))
    }
}

string_enum! {
    /// Why a reviewer asks the applicant for a document again.
    pub enum ResubmissionReason {
        Blurry => "blurry",
        Glare => "glare",
        CutOff => "cut_off",
        WrongDocument => "wrong_document",
        ExpiredDocument => "expired_document",
        Other => "other",
    }
}

impl ResubmissionReason {
    /// The reason in a reviewer's words.
    pub fn label(self) -> &'static str {
        match self {
            ResubmissionReason::Blurry => "the photo is blurry",
            ResubmissionReason::Glare => "glare covers the document",
            ResubmissionReason::CutOff => "the document is cut off",
            ResubmissionReason::WrongDocument => "the wrong document",
            ResubmissionReason::ExpiredDocument => "the document has expired",
            ResubmissionReason::Other => "another reason",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Progress {
        Progress {
            asks_data: true,
            needs_idv: true,
            ..Progress::default()
        }
    }

    #[test]
    fn a_visit_walks_its_steps_in_order() {
        let mut p = fresh();
        assert_eq!(
            p.steps(),
            vec![
                Step::Consent,
                Step::Data,
                Step::Document,
                Step::Photos,
                Step::Review
            ]
        );
        assert_eq!(p.current(), Step::Consent);
        assert!(!p.may_open(Step::Data));
        p.consented = true;
        assert_eq!(p.current(), Step::Data);
        p.data_complete = true;
        p.idv_type = Some(DocumentType::NationalId);
        p.idv_sides = vec![FileSide::Front];
        assert_eq!(p.current(), Step::Photos);
        assert!(!p.complete());
        p.idv_sides.push(FileSide::Back);
        assert_eq!(p.current(), Step::Review);
        assert!(p.complete());
        assert!(!p.may_open(Step::Address), "not in this visit");
    }

    #[test]
    fn a_passport_needs_its_page_only_and_a_resubmission_only_photos() {
        let mut p = fresh();
        p.consented = true;
        p.data_complete = true;
        p.idv_type = Some(DocumentType::Passport);
        p.idv_sides = vec![FileSide::Page];
        assert!(p.complete());
        let r = Progress {
            resubmission: true,
            needs_idv: true,
            consented: true,
            ..Progress::default()
        };
        assert_eq!(r.steps(), vec![Step::Consent, Step::Photos, Step::Review]);
        assert_eq!(r.current(), Step::Photos);
        assert_eq!(Step::from_slug("photos"), Some(Step::Photos));
        assert_eq!(Step::from_slug("../"), None);
    }
}
