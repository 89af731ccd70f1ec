//! `POST /sessions/{id}/person` (edit the applicant's personal data, then re-run the checks
//! the edit made stale) and `POST /sessions/{id}/rerun` ("Re-run checks").

use actix_session::Session;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::actions::{QueueOnly, case_url, flash_refusal, parse_id};
use super::detail::{Refused, render_case};
use super::view::field_words;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::engine::Policy;
use crate::service::person::{self, PersonForm};
use crate::service::verifications::{self, FingerprintKey, RerunPlan};
use crate::web::auth::CaseWorker;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page;

/// The personal data form, with the queue context.
#[derive(Deserialize)]
pub struct PersonEditForm {
    #[serde(flatten)]
    person: PersonForm,
    #[serde(default)]
    queue: String,
}

/// Saves personal data; any invalid field saves nothing and shows each error beside its
/// field, with what was typed kept.
#[post("/sessions/{id}/person")]
pub async fn edit_person(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<PersonEditForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let PersonEditForm { person: raw, queue } = form.0;
    let key = FingerprintKey::derive(&state.config.session_key);
    let changes = match person::parse(&raw, Utc::now().date_naive()) {
        Ok(c) => c,
        Err(errors) => {
            return render_case(
                &pool,
                &state,
                &session,
                &user,
                id,
                queue,
                None,
                Some(Refused::Edit(Box::new(raw), errors)),
            )
            .await;
        }
    };
    let actor = Actor::User(user.id);
    match db::with_conn(&pool, move |conn| person::update(conn, id, &changes, actor)).await {
        Ok((_, fields)) if fields.is_empty() => {
            cookie::flash(&session, "info", "Nothing had changed.")
        }
        Ok((_, fields)) => {
            let words: Vec<&str> = fields.iter().map(|f| field_words(f)).collect();
            let reran = rerun_after_edit(&pool, &state, &key, id, actor).await;
            cookie::flash(
                &session,
                "success",
                format!("Saved: {}.{reran}", words.join(", ")),
            )
        }
        Err(e) => flash_refusal(&session, "Nothing was saved", e)?,
    }
    Ok(page::see_other(&case_url(id, &queue)))
}

fn policy(state: &AppState) -> Policy {
    Policy {
        minimum_age: state.config.minimum_age,
        ..Policy::default()
    }
}

/// After an edit, runs again the verifications it made stale whose document is judged
/// from stored text ([`RerunPlan::StaleFromText`]); the flash's tail says so. A
/// re-run that fails leaves the verification stale on the page, which says so itself.
pub(super) async fn rerun_after_edit(
    pool: &DbPool,
    state: &AppState,
    key: &FingerprintKey,
    id: Uuid,
    actor: Actor,
) -> String {
    let k = key.clone();
    let plan = db::with_conn(pool, move |conn| {
        verifications::rerun_plan(conn, id, RerunPlan::StaleFromText, &k)
    })
    .await;
    match plan {
        Ok(requests) if !requests.is_empty() => {
            match verifications::rerun(
                pool,
                &state.readers,
                requests,
                policy(state),
                key.clone(),
                actor,
            )
            .await
            {
                Ok(_) => " The checks it affected ran again.".to_owned(),
                Err(_) => String::new(),
            }
        }
        _ => String::new(),
    }
}

/// "Re-run checks": runs the latest document of each kind already verified through the
/// same service as the API's `POST /v1/identity/verifications`, each with its
/// `verification.completed` event.
#[post("/sessions/{id}/rerun")]
pub async fn rerun(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<QueueOnly>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let queue = form.0.queue;
    let key = FingerprintKey::derive(&state.config.session_key);
    let k = key.clone();
    let plan = db::with_conn(&pool, move |conn| {
        verifications::rerun_plan(conn, id, RerunPlan::All, &k)
    })
    .await?;
    if plan.is_empty() {
        cookie::flash(&session, "info", "There is no check to run again yet.");
        return Ok(page::see_other(&case_url(id, &queue)));
    }
    let actor = Actor::User(user.id);
    match verifications::rerun(&pool, &state.readers, plan, policy(&state), key, actor).await {
        Ok(ran) => {
            let results = ran
                .iter()
                .map(|r| format!("{} {}", r.verification.kind, r.verification.status))
                .collect::<Vec<_>>()
                .join(", ");
            cookie::flash(&session, "success", format!("Checks ran again: {results}."));
        }
        Err(e) => flash_refusal(&session, "The checks did not run", e)?,
    }
    Ok(page::see_other(&case_url(id, &queue)))
}
