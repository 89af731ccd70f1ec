//! Phase 2 of a verification: the engine's judgement, with no database connection: the
//! front photo read (`crate::ocr`: decoded, judged, its zone found and read), then the
//! checks.

use super::Request;
use super::inputs::{Basis, Inputs, Prepared};
use crate::domain::engine::address::{self, AddressInput};
use crate::domain::engine::idv::{self, IdvInput};
use crate::domain::engine::{Outcome, Policy};
use crate::domain::kinds::VerificationKind;
use crate::ocr;

/// What phase 2 concluded: the outcome and the basis it was reached on.
#[derive(Debug, Clone)]
pub struct Judged {
    pub(super) request: Request,
    pub(super) judged: Option<(Basis, Outcome)>,
}

/// Phase 2: runs the engine on what phase 1 read. Slow (the photo is read: see the
/// README's figures): run it on a blocking thread with no database connection held, and
/// bound how many run at once (the API takes one of `AppState::readers` first).
pub fn judge(prepared: Prepared, policy: &Policy) -> Judged {
    let Prepared {
        request,
        today,
        inputs,
    } = prepared;
    let judged = inputs.map(|Inputs { basis, front }| {
        let outcome = match request.kind {
            VerificationKind::Idv => {
                let photo = front.as_deref().map(|bytes| ocr::read_photo(bytes, today));
                idv::evaluate(
                    IdvInput {
                        mrz: basis.mrz.as_deref(),
                        photo: photo.as_ref(),
                        entered: &basis.entered,
                        today,
                    },
                    policy,
                )
            }
            VerificationKind::Address => address::evaluate(
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
