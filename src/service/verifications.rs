//! Running a verification (SPEC section 3) and what follows from it: the result stored
//! with its checks, the document marked processed, the extracted data written onto the
//! session when asked (auto-update), and the completion rule (SPEC section 1) — all in
//! one transaction, under the session's row lock, so that two verifications, a decision
//! or a redaction on the same session are strictly one after the other.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::countries::alpha2_of_icao;
use crate::domain::engine::address::{self, AddressInput};
use crate::domain::engine::idv::{self, IdvInput};
use crate::domain::engine::{Entered, Extracted, Outcome, Policy};
use crate::domain::kinds::{IdentityClass, VerificationKind, VerificationStatus};
use crate::domain::status::SessionStatus;
use crate::error::AppError;
use crate::schema::sessions;
use crate::service::{completion, person};
use crate::store::documents;
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{PersonChanges, Session};
use crate::store::verifications::{self, NewCheck, NewVerification, Verification};

/// A verification to run.
#[derive(Debug, Clone)]
pub struct Request {
    /// `verification/idv` or `verification/address`.
    pub kind: VerificationKind,
    /// The session verified.
    pub session_id: Uuid,
    /// The document read; it must belong to the session and be of the matching kind.
    pub document_id: Uuid,
    /// Write the extracted data onto the session when the verification passes.
    pub auto_update_session: bool,
}

/// What running a verification did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The stored verification.
    pub verification: Verification,
    /// Its checks, in order.
    pub checks: Vec<verifications::Check>,
    /// The session afterwards.
    pub session: Session,
    /// The session fields the auto-update wrote (API names).
    pub updated_fields: Vec<&'static str>,
}

/// Runs a verification in a transaction of its own.
pub fn run(
    conn: &mut PgConnection,
    request: &Request,
    actor: Actor,
    policy: &Policy,
) -> Result<Ran, AppError> {
    conn.transaction(|conn| run_in(conn, request, actor, policy))
}

/// Runs a verification inside the caller's transaction.
pub fn run_in(
    conn: &mut PgConnection,
    request: &Request,
    actor: Actor,
    policy: &Policy,
) -> Result<Ran, AppError> {
    let session: Session = sessions::table
        .find(request.session_id)
        .select(Session::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::field("session", "no such session"))?;
    if session.redacted_at.is_some() {
        return Err(AppError::Conflict("session is redacted".to_owned()));
    }
    let status = session
        .status
        .parse::<SessionStatus>()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored status: {e}")))?;
    if status.is_final() {
        return Err(AppError::Conflict(format!(
            "session is {}: it takes no more verifications",
            session.status.replace('_', " ")
        )));
    }
    let document = documents::find(conn, request.document_id)?
        .filter(|d| d.session_id == session.id)
        .ok_or_else(|| AppError::field("document", "no such document in this session"))?;
    let wanted = request.kind.document_kind();
    if document.kind != wanted.as_str() {
        return Err(AppError::field(
            "document",
            format!(
                "a {} reads a {}, not a {}",
                request.kind,
                wanted.as_str(),
                document.kind
            ),
        ));
    }
    let now = Utc::now();
    let entered = entered(&session);
    let outcome = match request.kind {
        VerificationKind::Idv => {
            let front = documents::front_content(conn, document.id)?;
            idv::run(
                IdvInput {
                    mrz: document.mrz.as_deref(),
                    front: front.as_deref(),
                    entered: &entered,
                    today: now.date_naive(),
                },
                policy,
            )
        }
        VerificationKind::Address => address::run(
            AddressInput {
                reported: document.reported.as_ref(),
                entered: &entered,
                today: now.date_naive(),
            },
            policy,
        ),
    };
    let (verification, checks) =
        record(conn, &session, document.id, request, &outcome, actor, now)?;
    let mut updated_fields = Vec::new();
    let mut session = session;
    if request.auto_update_session
        && outcome.status == VerificationStatus::Passed
        && let Some(extracted) = &outcome.extracted
    {
        let changes = fill_blanks(
            &session,
            extracted,
            &document.document_type,
            now.date_naive(),
        );
        let (s, fields) = person::write_in(
            conn,
            session.id,
            &changes,
            actor,
            "session.auto_updated",
            json!({ "verification_id": verification.id }),
        )?;
        session = s;
        updated_fields = fields;
    }
    if let Some(s) = completion::settle_in(conn, &session)? {
        session = s;
    }
    Ok(Ran {
        verification,
        checks,
        session,
        updated_fields,
    })
}

/// Stores an outcome: the verification, its checks, the document's processing status and
/// extracted data, and a `verification.completed` event naming the failed checks.
fn record(
    conn: &mut PgConnection,
    session: &Session,
    document_id: Uuid,
    request: &Request,
    outcome: &Outcome,
    actor: Actor,
    at: DateTime<Utc>,
) -> Result<(Verification, Vec<verifications::Check>), AppError> {
    let stored = Stored {
        session_id: session.id,
        document_id,
        kind: request.kind,
        auto_update_session: request.auto_update_session,
        at,
    };
    let (verification, details) = store_outcome(conn, &stored, outcome)?;
    let event = NewEvent::new(actor, "verification.completed", Some(session.id)).details(details);
    events::insert(conn, &event)?;
    let checks = verifications::checks_for(conn, &[verification.id])?;
    Ok((verification, checks))
}

/// Where and when an outcome is stored.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    /// The session verified.
    pub session_id: Uuid,
    /// The document read.
    pub document_id: Uuid,
    /// The verification's kind.
    pub kind: VerificationKind,
    /// Whether the request asked for auto-update.
    pub auto_update_session: bool,
    /// When it ran (the demo backdates its history).
    pub at: DateTime<Utc>,
}

/// Writes an outcome's rows — the verification, its checks, the document's status and
/// extracted data — and returns the verification with the details of its
/// `verification.completed` event (ids, kind, status, failed check names; no values), for
/// the caller to record with its actor.
pub fn store_outcome(
    conn: &mut PgConnection,
    s: &Stored,
    outcome: &Outcome,
) -> Result<(Verification, serde_json::Value), AppError> {
    let extracted = outcome.extracted.as_ref().map(Extracted::to_json);
    let verification = verifications::insert(
        conn,
        &NewVerification {
            session_id: s.session_id,
            document_id: s.document_id,
            kind: s.kind.as_str().to_owned(),
            status: outcome.status.as_str().to_owned(),
            extracted: extracted.clone(),
            auto_update_session: s.auto_update_session,
            created_at: Some(s.at),
            completed_at: Some(s.at),
        },
    )?;
    verifications::insert_checks(conn, &check_rows(verification.id, outcome))?;
    let doc_status = if outcome.status == VerificationStatus::RequiresRetry {
        "failed"
    } else {
        "processed"
    };
    documents::set_processed(conn, s.document_id, doc_status, extracted.as_ref(), s.at)?;
    let details = json!({
        "verification_id": verification.id,
        "document_id": s.document_id,
        "kind": s.kind.as_str(),
        "status": outcome.status.as_str(),
        "failed_checks": outcome.failed_checks(),
    });
    Ok((verification, details))
}

/// The rows of an outcome's checks.
pub fn check_rows(verification_id: Uuid, outcome: &Outcome) -> Vec<NewCheck> {
    outcome
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| NewCheck {
            verification_id,
            position: i16::try_from(i).unwrap_or(i16::MAX),
            name: c.name.as_str().to_owned(),
            status: c.status.as_str().to_owned(),
            requirement: c.requirement.as_str().to_owned(),
            reasons: c.reasons.clone(),
            metadata: c.metadata.clone(),
        })
        .collect()
}

/// The session's data the checks compare with.
pub fn entered(s: &Session) -> Entered {
    Entered {
        first_name: s.first_name.clone(),
        middle_name: s.middle_name.clone(),
        last_name: s.last_name.clone(),
        birth_date: s.birth_date,
        identity_number: s.identity_number.clone(),
    }
}

/// The auto-update: extracted data for the session's blank fields. Each group (names,
/// birth date, identity number, address) is written only when the session has none of
/// it, so what the applicant typed — with its accents, which an MRZ cannot carry — stays,
/// and a passed `data_consistency` check has already shown it agrees with the document.
pub fn fill_blanks(
    s: &Session,
    x: &Extracted,
    document_type: &str,
    today: NaiveDate,
) -> PersonChanges {
    let mut c = PersonChanges::default();
    if let Some(name) = &x.name
        && s.first_name.is_none()
        && s.middle_name.is_none()
        && s.last_name.is_none()
    {
        c.first_name = name.first.clone().map(Some);
        c.middle_name = name.middle.clone().map(Some);
        c.last_name = name.last.clone().map(Some);
    }
    if let Some(birth) = x.birth_date
        && s.birth_date.is_none()
        && birth <= today
    {
        c.birth_date = Some(Some(birth));
    }
    if let Some(number) = &x.document_number
        && s.identity_number.is_none()
        && number.len() <= 64
    {
        c.identity_number = Some(Some(number.clone()));
        c.identity_number_class = document_type
            .parse::<IdentityClass>()
            .ok()
            .map(|k| Some(k.as_str().to_owned()));
        c.identity_number_issuing_country_code = x
            .issuing_country
            .as_deref()
            .and_then(alpha2_of_icao)
            .map(|code| Some(code.to_owned()));
    }
    if let Some(a) = &x.address {
        let blank = s.address_line1.is_none()
            && s.address_line2.is_none()
            && s.address_sublocality.is_none()
            && s.address_locality.is_none()
            && s.address_administrative_area.is_none()
            && s.address_postal_code.is_none()
            && s.address_country_code.is_none();
        if blank {
            c.address_line1 = a.line1.clone().map(Some);
            c.address_line2 = a.line2.clone().map(Some);
            c.address_sublocality = a.sublocality.clone().map(Some);
            c.address_locality = a.locality.clone().map(Some);
            c.address_administrative_area = a.administrative_area.clone().map(Some);
            c.address_postal_code = a.postal_code.clone().map(Some);
            c.address_country_code = a.country_code.clone().map(Some);
        }
    }
    c
}
