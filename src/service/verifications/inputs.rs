//! Phase 1 of a verification — reading what the engine judges — and what an outcome rests
//! on, which phase 3 reads again to tell whether anything changed meanwhile.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{Request, document_of, entered};
use crate::domain::engine::Entered;
use crate::domain::kinds::{DocumentType, VerificationKind};
use crate::error::AppError;
use crate::store::documents::{self, Document};
use crate::store::sessions::{self, Session};

/// What phase 1 read for a verification: the inputs the engine judges, and what they were
/// read from, so that phase 3 can tell whether anything changed meanwhile.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(super) request: Request,
    pub(super) today: NaiveDate,
    /// `None` when the session is redacted or final: there is nothing to judge, and
    /// phase 3 refuses (or the stored response of an idempotent retry is sent).
    pub(super) inputs: Option<Inputs>,
}

#[derive(Debug, Clone)]
pub(super) struct Inputs {
    pub(super) basis: Basis,
    /// The bytes of the judged file (ID documents).
    pub(super) front: Option<Vec<u8>>,
}

/// Everything an outcome depends on besides the file's bytes, and the id of that file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Basis {
    pub(super) entered: Entered,
    pub(super) document_type: DocumentType,
    pub(super) mrz: Option<String>,
    pub(super) reported: Option<serde_json::Value>,
    pub(super) file_id: Option<Uuid>,
}

impl Basis {
    /// The basis as `session` and `document` stand, with the id of the file judged.
    fn of(session: &Session, document: &Document, file_id: Option<Uuid>) -> Self {
        Basis {
            entered: entered(session),
            document_type: document.document_type,
            mrz: document.mrz.clone(),
            reported: document.reported.clone(),
            file_id,
        }
    }

    /// Whether `session` and `document` (read again, under the session's row lock) still
    /// stand as this basis records: the same entered data and document fields, and the
    /// same latest front/page file (its id; its bytes are never rewritten).
    pub(super) fn still_holds(
        &self,
        conn: &mut PgConnection,
        kind: VerificationKind,
        session: &Session,
        document: &Document,
    ) -> Result<bool, AppError> {
        let file_id = match kind {
            VerificationKind::Idv => documents::judged_file_id(conn, document.id)?,
            VerificationKind::Address => None,
        };
        Ok(Basis::of(session, document, file_id) == *self)
    }
}

/// Phase 1 of a verification: reads the session, the document and the one file the engine
/// judges, without locks and in a short connection checkout. Refuses a missing session, a
/// document that is not the session's or not of the verification's kind (none of which
/// ever changes); a redacted or final session is left to phase 3, which refuses it.
pub fn prepare(conn: &mut PgConnection, request: &Request) -> Result<Prepared, AppError> {
    let session = sessions::find(conn, request.session_id)?
        .ok_or_else(|| AppError::missing("session", "no such session"))?;
    let today = Utc::now().date_naive();
    if session.redacted_at.is_some() || session.status.is_final() {
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
            basis: Basis::of(&session, &document, file_id),
            front,
        }),
    })
}
