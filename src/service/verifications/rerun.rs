//! Running a session's checks again, from the dashboard: "Re-run checks" on the case page,
//! and automatically after an edit of data a verification compared. Each re-run is an
//! ordinary verification (the same three phases as the API's, with its
//! `verification.completed` event), of the latest document of each kind already verified.

use diesel::prelude::*;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::stale::{FingerprintKey, stale_fields};
use super::{Ran, Request, judge, prepare, record_judged};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::engine::Policy;
use crate::domain::kinds::VerificationKind;
use crate::error::AppError;
use crate::store::documents::{self, Document};
use crate::store::sessions;
use crate::store::verifications;

/// Which verifications to run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RerunPlan {
    /// Every kind already verified ("Re-run checks").
    All,
    /// Only stale ones whose document has its fields stored as text: an ID document with
    /// its MRZ (its photo is read again too, in an `OCR_WORKERS` turn: about a second), a
    /// proof of address with its reported fields. A document known only from its photo
    /// is not re-run on an edit: the case page shows the verification stale and offers
    /// "Re-run checks".
    StaleFromText,
}

/// Whether `d` has the fields it is judged on stored as text.
fn judged_from_text(d: &Document) -> bool {
    if d.kind == VerificationKind::Idv.document_kind() {
        d.mrz.as_deref().is_some_and(|m| !m.trim().is_empty())
    } else {
        d.reported
            .as_ref()
            .and_then(serde_json::Value::as_object)
            .is_some_and(|o| !o.is_empty())
    }
}

/// The verifications `plan` runs again on a session: one per kind already verified, of the
/// latest document of that kind.
pub fn rerun_plan(
    conn: &mut PgConnection,
    session_id: Uuid,
    plan: RerunPlan,
    key: &FingerprintKey,
) -> Result<Vec<Request>, AppError> {
    let session = sessions::find(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
    let docs = documents::for_session(conn, session_id)?;
    let mut out = Vec::new();
    for v in verifications::latest_per_kind(conn, session_id)? {
        let Some(doc) = docs.iter().rev().find(|d| d.kind == v.kind.document_kind()) else {
            continue;
        };
        let wanted = match plan {
            RerunPlan::All => true,
            RerunPlan::StaleFromText => {
                !stale_fields(key, &v, &session).is_empty() && judged_from_text(doc)
            }
        };
        if wanted {
            out.push(Request {
                kind: v.kind,
                session_id,
                document_id: doc.id,
                auto_update_session: false,
            });
        }
    }
    Ok(out)
}

/// Runs `requests` one after the other, each in the three phases, as `actor`. An ID
/// document's photo is read with no connection held, in one of the `readers` turns
/// (`OCR_WORKERS`) the API's verifications also take.
pub async fn rerun(
    pool: &DbPool,
    readers: &Semaphore,
    requests: Vec<Request>,
    policy: Policy,
    key: FingerprintKey,
    actor: Actor,
) -> Result<Vec<Ran>, AppError> {
    let mut out = Vec::new();
    for request in requests {
        let reads_photo = request.kind == VerificationKind::Idv;
        let prepared = db::with_conn(pool, move |conn| prepare(conn, &request)).await?;
        let p = policy.clone();
        let turn = if reads_photo {
            Some(
                readers
                    .acquire()
                    .await
                    .map_err(|e| AppError::Unexpected(e.into()))?,
            )
        } else {
            None
        };
        let judged = tokio::task::spawn_blocking(move || judge(prepared, &p))
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("verification failed: {e}")))?;
        drop(turn);
        let k = key.clone();
        out.push(db::with_conn(pool, move |conn| record_judged(conn, &judged, actor, &k)).await?);
    }
    Ok(out)
}
