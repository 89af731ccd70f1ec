//! Running a verification (SPEC section 3) and what follows from it: the result stored
//! with its checks, the document marked processed, the extracted data written onto the
//! session when asked (auto-update), and the completion rule (SPEC section 1).
//!
//! In three phases, so that decoding an image never holds a row lock or a pooled
//! connection: [`prepare`] reads the inputs (the session, the document, the bytes of the
//! one file judged); [`judge`] runs the engine with no connection; [`record_judged`]
//! stores the outcome in one transaction under the session's row lock — so that two
//! verifications, a decision or a redaction on the same session are strictly one after the
//! other — after checking that nothing the outcome rests on changed meanwhile.

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
use crate::store::documents::{self, Document};
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

/// What phase 1 read for a verification: the inputs the engine judges, and what they were
/// read from, so that phase 3 can tell whether anything changed meanwhile.
#[derive(Debug, Clone)]
pub struct Prepared {
    request: Request,
    today: NaiveDate,
    /// `None` when the session is redacted or final: there is nothing to judge, and
    /// phase 3 refuses (or the stored response of an idempotent retry is sent).
    inputs: Option<Inputs>,
}

#[derive(Debug, Clone)]
struct Inputs {
    basis: Basis,
    /// The bytes of the judged file (ID documents).
    front: Option<Vec<u8>>,
}

/// Everything an outcome depends on besides the file's bytes, and the id of that file.
#[derive(Debug, Clone, PartialEq)]
struct Basis {
    entered: Entered,
    document_type: String,
    mrz: Option<String>,
    reported: Option<serde_json::Value>,
    file_id: Option<Uuid>,
}

/// What phase 2 concluded: the outcome and the basis it was reached on.
#[derive(Debug, Clone)]
pub struct Judged {
    request: Request,
    judged: Option<(Basis, Outcome)>,
}

/// Phase 1 of a verification: reads the session, the document and the one file the engine
/// judges, without locks and in a short connection checkout. Refuses a missing session, a
/// document that is not the session's or not of the verification's kind (none of which
/// ever changes); a redacted or final session is left to phase 3, which refuses it.
pub fn prepare(conn: &mut PgConnection, request: &Request) -> Result<Prepared, AppError> {
    let session: Session = sessions::table
        .find(request.session_id)
        .select(Session::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::field("session", "no such session"))?;
    let today = Utc::now().date_naive();
    if session.redacted_at.is_some() || is_final(&session)? {
        return Ok(Prepared {
            request: request.clone(),
            today,
            inputs: None,
        });
    }
    let document = document_of(conn, &session, request)?;
    let (file_id, front) = match request.kind {
        VerificationKind::Idv => match documents::judged_file(conn, document.id)? {
            Some((id, bytes)) => (Some(id), bytes),
            None => (None, None),
        },
        VerificationKind::Address => (None, None),
    };
    Ok(Prepared {
        request: request.clone(),
        today,
        inputs: Some(Inputs {
            basis: Basis {
                entered: entered(&session),
                document_type: document.document_type,
                mrz: document.mrz,
                reported: document.reported,
                file_id,
            },
            front,
        }),
    })
}

/// Phase 2: runs the engine on what phase 1 read. Pure and possibly slow (an image is
/// decoded): run it on a blocking thread with no database connection held.
pub fn judge(prepared: Prepared, policy: &Policy) -> Judged {
    let Prepared {
        request,
        today,
        inputs,
    } = prepared;
    let judged = inputs.map(|Inputs { basis, front }| {
        let outcome = match request.kind {
            VerificationKind::Idv => idv::run(
                IdvInput {
                    mrz: basis.mrz.as_deref(),
                    front: front.as_deref(),
                    entered: &basis.entered,
                    today,
                },
                policy,
            ),
            VerificationKind::Address => address::run(
                AddressInput {
                    reported: basis.reported.as_ref(),
                    entered: &basis.entered,
                    today,
                },
                policy,
            ),
        };
        (basis, outcome)
    });
    Judged { request, judged }
}

/// Phase 3: in one transaction, under the session's row lock, refuses a session that is
/// now redacted or final (409), and an outcome whose basis changed since phase 1 — other
/// entered data, or another latest front/page file — with a 409 asking to send the request
/// again (it is not re-run here, so the row lock is never held while an image decodes).
/// Otherwise stores the outcome, applies the auto-update and the completion rule.
pub fn record_judged(
    conn: &mut PgConnection,
    judged: &Judged,
    actor: Actor,
) -> Result<Ran, AppError> {
    conn.transaction(|conn| {
        let request = &judged.request;
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
        if is_final(&session)? {
            return Err(AppError::Conflict(format!(
                "session is {}: it takes no more verifications",
                session.status.replace('_', " ")
            )));
        }
        let document = document_of(conn, &session, request)?;
        let changed = || {
            AppError::Conflict(
                "the session or its document changed while the verification ran; nothing was \
                 recorded: send the request again"
                    .to_owned(),
            )
        };
        let Some((basis, outcome)) = &judged.judged else {
            return Err(changed());
        };
        let file_id = match request.kind {
            VerificationKind::Idv => documents::judged_file_id(conn, document.id)?,
            VerificationKind::Address => None,
        };
        let now_basis = Basis {
            entered: entered(&session),
            document_type: document.document_type.clone(),
            mrz: document.mrz.clone(),
            reported: document.reported.clone(),
            file_id,
        };
        if now_basis != *basis {
            return Err(changed());
        }
        let now = Utc::now();
        let (verification, checks) =
            record(conn, &session, document.id, request, outcome, actor, now)?;
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
    })
}

/// Runs all three phases on one connection, for callers that already hold one (no lock is
/// held while the engine runs either way).
pub fn run(
    conn: &mut PgConnection,
    request: &Request,
    actor: Actor,
    policy: &Policy,
) -> Result<Ran, AppError> {
    let prepared = prepare(conn, request)?;
    record_judged(conn, &judge(prepared, policy), actor)
}

fn is_final(session: &Session) -> Result<bool, AppError> {
    let status = session
        .status
        .parse::<SessionStatus>()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored status: {e}")))?;
    Ok(status.is_final())
}

/// The request's document, provided it belongs to the session and is of the kind the
/// verification reads.
fn document_of(
    conn: &mut PgConnection,
    session: &Session,
    request: &Request,
) -> Result<Document, AppError> {
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
    Ok(document)
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
