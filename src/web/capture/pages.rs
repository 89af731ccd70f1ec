//! The flow's pages: each step's page built from the visit (the shell they share is in
//! [`super::shell`], the routes that show them in [`super::routes`]).

use askama::Template;

use super::current_url;
use super::i18n::Tr;
use crate::domain::capture::{Step, sides_needed};
use crate::domain::kinds::{DocumentKind, DocumentType, FileSide};
use crate::service::capture::Visit;
use crate::service::documents::document_types;

use super::shell::asked_again;
pub use super::shell::{AskedAgain, Shell, type_in_sentence, type_label};

#[derive(Template)]
#[template(path = "capture/consent.html")]
pub(super) struct ConsentPage {
    pub shell: Shell,
    pub privacy: Vec<String>,
    pub error: Option<String>,
    pub asked: Option<AskedAgain>,
}

/// A field of the data form.
pub struct FieldView {
    /// The column and input name.
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// A hint under it.
    pub hint: Option<String>,
    /// What is in it.
    pub value: String,
    /// Whether it must be filled.
    pub required: bool,
    /// What is wrong with it.
    pub error: Option<String>,
    /// The first field in error takes the focus.
    pub focus: bool,
    /// `<input type>`.
    pub input: &'static str,
    /// `autocomplete`.
    pub autocomplete: &'static str,
    /// Whether the address group starts here.
    pub address_start: bool,
}

#[derive(Template)]
#[template(path = "capture/data.html")]
pub(super) struct DataPage {
    pub shell: Shell,
    pub fields: Vec<FieldView>,
    pub has_errors: bool,
}

fn autocomplete(column: &str) -> &'static str {
    match column {
        "first_name" => "given-name",
        "middle_name" => "additional-name",
        "last_name" => "family-name",
        "birth_date" => "bday",
        "address_line1" => "address-line1",
        "address_line2" => "address-line2",
        "address_postal_code" => "postal-code",
        "address_locality" => "address-level2",
        "address_country_code" => "country",
        _ => "off",
    }
}

/// The data form: `typed` values (after a refused post) or the visit's own, and the
/// errors by column.
pub(super) fn data_page(
    t: Tr,
    base: &str,
    visit: &Visit,
    typed: Option<&dyn Fn(&str) -> String>,
    errors: &[(String, String)],
) -> DataPage {
    let mut focused = false;
    let mut address_seen = false;
    let fields = visit
        .fields
        .iter()
        .map(|f| {
            let error = errors
                .iter()
                .find(|(c, _)| c == f.column)
                .map(|(_, m)| m.clone());
            let focus = error.is_some() && !focused;
            focused |= focus;
            let address_start = f.address && !address_seen;
            address_seen |= f.address;
            FieldView {
                name: f.column,
                label: t.t(&format!("field-{}", f.column)),
                hint: match f.column {
                    "birth_date" | "address_country_code" => {
                        Some(t.t(&format!("field-{}-hint", f.column)))
                    }
                    _ => None,
                },
                value: typed.map_or_else(|| visit.typed(f.column), |typed| typed(f.column)),
                required: f.required,
                error,
                focus,
                input: if f.column == "birth_date" {
                    "date"
                } else {
                    "text"
                },
                autocomplete: autocomplete(f.column),
                address_start,
            }
        })
        .collect();
    DataPage {
        shell: Shell::new(t.clone(), base, visit, Step::Data, t.t("data-title")),
        fields,
        has_errors: !errors.is_empty(),
    }
}

/// A choice of document type.
pub struct TypeOption {
    /// The value sent.
    pub value: &'static str,
    /// Its label.
    pub label: String,
    /// Whether it is chosen.
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "capture/document.html")]
pub(super) struct DocumentPage {
    pub shell: Shell,
    pub options: Vec<TypeOption>,
    pub error: Option<String>,
}

pub(super) fn document_page(
    t: Tr,
    base: &str,
    visit: &Visit,
    error: Option<String>,
) -> DocumentPage {
    let order = [
        DocumentType::Passport,
        DocumentType::NationalId,
        DocumentType::DriversLicense,
        DocumentType::ResidencePermit,
    ];
    let options = order
        .iter()
        .map(|d| TypeOption {
            value: d.as_str(),
            label: type_label(&t, *d),
            checked: visit.idv_type == Some(*d),
        })
        .collect();
    DocumentPage {
        shell: Shell::new(
            t.clone(),
            base,
            visit,
            Step::Document,
            t.t("document-title"),
        ),
        options,
        error,
    }
}

/// One photo to take.
pub struct SideView {
    /// `page`, `front`, `back`.
    pub side: &'static str,
    /// "The front".
    pub label: String,
    /// The accepted photo's preview URL.
    pub accepted: Option<String>,
    /// Why the last one was refused.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "capture/photos.html")]
pub(super) struct PhotosPage {
    pub shell: Shell,
    pub sides: Vec<SideView>,
    pub done: bool,
    pub next: String,
    pub asked: Option<AskedAgain>,
}

fn side_label(t: &Tr, side: FileSide) -> String {
    t.t(&format!("side-{}", side.as_str()))
}

pub(super) fn photos_page(
    t: Tr,
    base: &str,
    visit: &Visit,
    refused: Option<(FileSide, String)>,
) -> PhotosPage {
    let document = visit
        .idv_type
        .map(|d| type_in_sentence(&t, d))
        .unwrap_or_default();
    let sides = visit
        .idv_type
        .map(|d| sides_needed(d).to_vec())
        .unwrap_or_default()
        .into_iter()
        .map(|side| SideView {
            side: side.as_str(),
            label: side_label(&t, side),
            accepted: visit
                .idv_files
                .iter()
                .rev()
                .find(|f| f.side == side)
                .map(|f| format!("{base}/files/{}", f.id)),
            error: refused
                .as_ref()
                .filter(|(s, _)| *s == side)
                .map(|(_, m)| m.clone()),
        })
        .collect();
    PhotosPage {
        asked: asked_again(&t, visit),
        shell: Shell::new(
            t.clone(),
            base,
            visit,
            Step::Photos,
            t.t1("photos-title", "document", &document),
        ),
        sides,
        done: visit.progress.done(Step::Photos),
        next: current_url(base, visit),
    }
}

#[derive(Template)]
#[template(path = "capture/address.html")]
pub(super) struct AddressPage {
    pub shell: Shell,
    pub next: String,
    pub options: Vec<TypeOption>,
    pub accepted: Option<Accepted>,
    pub error: Option<String>,
    pub asked: Option<AskedAgain>,
}

/// A proof of address received.
pub struct Accepted {
    /// Its name as sent.
    pub filename: String,
    /// A preview URL, for an image.
    pub preview: Option<String>,
}

pub(super) fn address_page(t: Tr, base: &str, visit: &Visit, error: Option<String>) -> AddressPage {
    let options = document_types(DocumentKind::Address)
        .into_iter()
        .map(|d| TypeOption {
            value: d.as_str(),
            label: type_label(&t, d),
            checked: visit.address_type == Some(d),
        })
        .collect();
    let accepted = visit.address_files.last().map(|f| Accepted {
        filename: f.filename.clone().unwrap_or_else(|| t.t("address-file")),
        preview: f
            .content_type
            .starts_with("image/")
            .then(|| format!("{base}/files/{}", f.id)),
    });
    AddressPage {
        asked: asked_again(&t, visit),
        shell: Shell::new(t.clone(), base, visit, Step::Address, t.t("address-title")),
        next: current_url(base, visit),
        options,
        accepted,
        error,
    }
}

/// A line of the review.
pub struct ReviewRow {
    /// Its label.
    pub label: String,
    /// What was given.
    pub value: String,
}

#[derive(Template)]
#[template(path = "capture/review.html")]
pub(super) struct ReviewPage {
    pub shell: Shell,
    pub data: Vec<ReviewRow>,
    pub document: Option<ReviewRow>,
    pub address: Option<ReviewRow>,
    pub complete: bool,
    pub error: Option<String>,
}

pub(super) fn review_page(t: Tr, base: &str, visit: &Visit, error: Option<String>) -> ReviewPage {
    let data = visit
        .fields
        .iter()
        .filter_map(|f| {
            let value = visit.typed(f.column);
            (!value.is_empty()).then(|| ReviewRow {
                label: t.t(&format!("field-{}", f.column)),
                value,
            })
        })
        .collect();
    let document = visit
        .idv_type
        .filter(|_| visit.progress.needs_idv)
        .map(|d| ReviewRow {
            label: type_label(&t, d),
            value: t.tn("review-photos", "count", visit.idv_files.len()),
        });
    let address = visit
        .address_type
        .filter(|_| visit.progress.needs_address)
        .map(|d| ReviewRow {
            label: type_label(&t, d),
            value: t.tn("review-photos", "count", visit.address_files.len()),
        });
    ReviewPage {
        shell: Shell::new(t.clone(), base, visit, Step::Review, t.t("review-title")),
        data,
        document,
        address,
        complete: visit.progress.complete(),
        error,
    }
}

/// The operator's privacy text, by paragraph.
pub(super) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether an upload of `side` fits the visit (used by the handlers before judging).
pub(super) fn needs_side(visit: &Visit, side: FileSide) -> bool {
    visit
        .idv_type
        .is_some_and(|d| sides_needed(d).contains(&side))
}
