//! A case page form that was refused, and where the page shows each part of it: the form
//! opens again with its message beside the field, and the page answers 422.

use crate::domain::person::FieldError;
use crate::service::person::PersonForm;

/// A form on the case page that was refused, shown again with its message (the page
/// then answers 422).
pub enum Refused {
    /// The personal-data edit: what was typed and each field's error.
    Edit(Box<PersonForm>, Vec<FieldError>),
    /// The redaction: the message beside its confirmation field.
    Redaction(String),
    /// An approval: why (an override without its reason), with the comment typed.
    Approve(String),
    /// A mark for review: why its reason was refused, beside the reason field.
    Review(String),
}

/// A refused form's parts, each where the page shows it.
#[derive(Default)]
pub(super) struct Shown {
    pub edit: Option<(PersonForm, Vec<FieldError>)>,
    pub redact: Option<String>,
    pub approve: Option<String>,
    pub review: Option<String>,
}

impl Shown {
    /// Whether a form was refused: the page then answers 422.
    pub fn any(&self) -> bool {
        self.edit.is_some()
            || self.redact.is_some()
            || self.approve.is_some()
            || self.review.is_some()
    }
}

impl From<Option<Refused>> for Shown {
    fn from(refused: Option<Refused>) -> Self {
        match refused {
            Some(Refused::Edit(form, errors)) => Shown {
                edit: Some((*form, errors)),
                ..Shown::default()
            },
            Some(Refused::Redaction(m)) => Shown {
                redact: Some(m),
                ..Shown::default()
            },
            Some(Refused::Approve(m)) => Shown {
                approve: Some(m),
                ..Shown::default()
            },
            Some(Refused::Review(m)) => Shown {
                review: Some(m),
                ..Shown::default()
            },
            None => Shown::default(),
        }
    }
}
