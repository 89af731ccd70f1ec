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
//!
//! One file a phase: `inputs` (phase 1, and what an outcome rests on, compared again in
//! phase 3), `judge` (phase 2), `record` (phase 3: the rows, the auto-update from
//! `auto_update`, the completion rule).

use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::engine::Entered;
use crate::domain::kinds::VerificationKind;
use crate::error::AppError;
use crate::store::documents::{self, Document};
use crate::store::sessions::Session;
use crate::store::verifications::{self, Verification};

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

/// The request's document, provided it belongs to the session and is of the kind the
/// verification reads.
fn document_of(
    conn: &mut PgConnection,
    session: &Session,
    request: &Request,
) -> Result<Document, AppError> {
    let document = documents::find(conn, request.document_id)?
        .filter(|d| d.session_id == session.id)
        .ok_or_else(|| AppError::missing("document", "no such document in this session"))?;
    let wanted = request.kind.document_kind();
    if document.kind != wanted {
        // The request names a document of the kind it reads; there is none by this id.
        return Err(AppError::missing(
            "document",
            format!(
                "no {} by this id in this session (a {} reads one; this is a {})",
                wanted.as_str(),
                request.kind,
                document.kind
            ),
        ));
    }
    Ok(document)
}

/// The session's data the checks compare with.
pub fn entered(s: &Session) -> Entered {
    Entered {
        first_name: s.person.first_name.clone(),
        middle_name: s.person.middle_name.clone(),
        last_name: s.person.last_name.clone(),
        birth_date: s.person.birth_date,
        identity_number: s.person.identity_number.clone(),
    }
}

mod auto_update;
mod inputs;
mod judge;
mod record;
mod rerun;
mod stale;

pub use auto_update::fill_blanks;
pub use inputs::{Prepared, prepare};
pub use judge::{Judged, judge};
pub use record::{Stored, check_rows, record_judged, store_outcome};
pub use rerun::{RerunPlan, rerun, rerun_plan};
pub use stale::{FingerprintKey, fingerprints, stale_fields};
