//! What an applicant uploads: the passport with its generated image and, when the session
//! asks for it, a utility bill as a PDF.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::applicant::{Applicant, Scenario};
use super::history::{Context, Trail};
use super::images::{self, CardData};
use crate::domain::actor::Actor;
use crate::domain::kinds::{DocumentKind, DocumentStatus, DocumentType, FileSide};
use crate::domain::mrz::{self, Td3Fields};
use crate::store::documents::{self, NewDocument, NewFile};

/// The documents a session submitted, for the verifications that follow.
pub(super) struct Submitted {
    /// The passport.
    pub(super) passport: Uuid,
    /// The utility bill and the day it was issued, when proof of address is required.
    pub(super) bill: Option<(Uuid, NaiveDate)>,
    /// The demo API key the applicant's uploads come through.
    pub(super) api: Actor,
}

/// The passport page of `who` with zone `lines`, as a PNG: rendered at `px_per_mm` on a
/// background of `tint`; shrunk and blurred in the unreadable scenario.
fn passport_png(who: &Applicant, lines: &[String; 2], tint: u8, px_per_mm: f32) -> Vec<u8> {
    images::id_card_png_at(
        &CardData {
            title: "PASSPORT",
            country: who.alpha3,
            surname: &mrz::transliterate(who.last).replace('<', " "),
            given_names: &mrz::transliterate(&who.given).replace('<', " "),
            birth_date: &who.birth.to_string(),
            expiry_date: &who.doc_expiry.to_string(),
            number: &who.doc_number,
            mrz: lines,
            tint,
        },
        who.scenario != Scenario::Unreadable,
        px_per_mm,
    )
}

/// A second photo of the passport (another light, another distance), uploaded at `at`
/// when the engine could not confirm the zone on the first: what the capture flow asks
/// an applicant for. The first stays as superseded evidence. Returns the new file's bytes.
pub(super) fn retake(
    conn: &mut PgConnection,
    trail: &mut Trail,
    who: &Applicant,
    submitted: &Submitted,
    mrz_text: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<u8>> {
    let passport = submitted.passport;
    let mut lines = mrz_text.lines().map(str::to_owned);
    let lines = [
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    ];
    let png = passport_png(who, &lines, 230, 12.0);
    let file = store_file(
        conn,
        passport,
        FileSide::Front,
        "passport-front-2.png",
        "image/png",
        png.clone(),
        at,
    )?;
    trail.push(
        at,
        submitted.api,
        "document.file_uploaded",
        json!({ "document_id": passport, "file_id": file, "side": "front" }),
    );
    Ok(png)
}

/// Writes the passport of demo session `i` (MRZ and front image) and, if required, the
/// utility bill, all uploaded at `at` through the demo API key.
pub(super) fn upload(
    conn: &mut PgConnection,
    ctx: &mut Context<'_>,
    trail: &mut Trail,
    who: &Applicant,
    i: usize,
    at: DateTime<Utc>,
) -> anyhow::Result<Submitted> {
    let api = ctx.api();
    let session_id = trail.session_id;
    let [l1, l2] = mrz::compose_td3(&Td3Fields {
        document_code: "P".into(),
        issuing_state: who.alpha3.into(),
        surname: who.last.into(),
        given_names: who.given.clone(),
        document_number: who.doc_number.clone(),
        nationality: who.alpha3.into(),
        birth_date: who.birth,
        sex: who.sex,
        expiry_date: who.doc_expiry,
        optional_data: String::new(),
    });
    let doc = documents::insert(
        conn,
        &NewDocument {
            session_id,
            kind: DocumentKind::Idv,
            document_type: DocumentType::Passport,
            status: Some(DocumentStatus::Submitted),
            mrz: Some(format!("{l1}\n{l2}")),
            reported: None,
            created_at: Some(at),
        },
    )?;
    trail.push(
        at,
        api,
        "document.created",
        json!({ "document_id": doc.id, "kind": "document/idv", "document_type": "passport" }),
    );
    let png = passport_png(who, &[l1, l2], (i * 37 % 200) as u8, 13.0);
    let file = store_file(
        conn,
        doc.id,
        FileSide::Front,
        "passport-front.png",
        "image/png",
        png,
        at,
    )?;
    trail.push(
        at,
        api,
        "document.file_uploaded",
        json!({ "document_id": doc.id, "file_id": file, "side": "front" }),
    );

    let bill = if who.requires_address {
        Some(upload_bill(conn, ctx, trail, who, at)?)
    } else {
        None
    };
    Ok(Submitted {
        passport: doc.id,
        bill,
        api,
    })
}

/// A recent utility bill in the applicant's name and at their address.
fn upload_bill(
    conn: &mut PgConnection,
    ctx: &mut Context<'_>,
    trail: &mut Trail,
    who: &Applicant,
    at: DateTime<Utc>,
) -> anyhow::Result<(Uuid, NaiveDate)> {
    let api = ctx.api();
    let (given, last, street, city, postal) =
        (&who.given, who.last, &who.street, who.city, who.postal);
    let locale = who.locale;
    let issued = at.date_naive() - Duration::days(ctx.rng.random_range(5..60));
    let reported = json!({
        "name": format!("{given} {last}"),
        "address": { "line1": street, "locality": city, "postal_code": postal, "country_code": locale.country },
        "issued_on": issued.to_string(),
    });
    let bill = documents::insert(
        conn,
        &NewDocument {
            session_id: trail.session_id,
            kind: DocumentKind::Address,
            document_type: DocumentType::UtilityBill,
            status: Some(DocumentStatus::Submitted),
            mrz: None,
            reported: Some(reported),
            created_at: Some(at),
        },
    )?;
    trail.push(
        at,
        api,
        "document.created",
        json!({ "document_id": bill.id, "kind": "document/address", "document_type": "utility_bill" }),
    );
    let amount = format!(
        "{} {}.{:02}",
        locale.currency,
        ctx.rng.random_range(20..400),
        ctx.rng.random_range(0..100)
    );
    let pdf = images::utility_bill_pdf(
        locale.utility,
        &format!("{given} {last}"),
        &[street.clone(), format!("{postal} {city}")],
        &issued.to_string(),
        &amount,
    );
    let file = store_file(
        conn,
        bill.id,
        FileSide::Page,
        "bill.pdf",
        "application/pdf",
        pdf,
        at,
    )?;
    trail.push(
        at,
        api,
        "document.file_uploaded",
        json!({ "document_id": bill.id, "file_id": file, "side": "page" }),
    );
    Ok((bill.id, issued))
}

fn store_file(
    conn: &mut PgConnection,
    document_id: Uuid,
    side: FileSide,
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
    at: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let sha = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let meta = documents::insert_file(
        conn,
        &NewFile {
            document_id,
            side,
            filename: Some(filename.into()),
            content_type: content_type.into(),
            byte_size: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            sha256: sha,
            content: Some(bytes),
            created_at: Some(at),
        },
    )?;
    Ok(meta.id)
}
