//! `GET /sessions/{id}/next`: the session after this one in the queue it was opened from,
//! so a reviewer can work through a queue without going back to it; and `POST
//! /sessions/next` ("Start reviewing", `n` on the queue): the oldest waiting case nobody is
//! working on, claimed for the reviewer and opened.

use actix_session::Session;
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::detail::QueueContext;
use super::query::QueueParams;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::service::casework::Pulled;
use crate::store::paging::{Cursor, PageAt};
use crate::store::queue;
use crate::store::{sessions, users};
use crate::web::auth::CurrentUser;
use crate::web::cookie;
use crate::web::error::PageError;
use crate::web::page;

/// Redirects to the next session of the queue, or back to the queue at its end.
#[get("/sessions/{id}/next")]
pub async fn next(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    ctx: web::Query<QueueContext>,
) -> Result<HttpResponse, PageError> {
    let id = Uuid::parse_str(&path).map_err(|_| AppError::NotFound("session"))?;
    let queue = ctx.into_inner().queue;
    let mut params = QueueParams::parse(&queue, &user);
    params.after.clear();
    params.before.clear();
    let me = user.clone();
    let p = params.clone();
    let next = db::with_conn(&pool, move |conn| {
        let current = sessions::find(conn, id)?.ok_or(AppError::NotFound("session"))?;
        let mut lookup = |name: &str| {
            users::find_by_username(conn, &name.to_lowercase())
                .ok()
                .flatten()
                .map(|u| u.id)
        };
        let (filter, _, _) = p.to_filter(&me, &mut lookup);
        // Where the session stands in the queue's order (its waiting time stays after a
        // decision, so the next case is found after deciding this one too).
        let key = match (filter.by_waiting, current.waiting_since) {
            (true, Some(t)) => t,
            _ => current.created_at,
        };
        let after = PageAt::After(Cursor {
            created_at: key,
            id: current.id,
        });
        let found = queue::page(conn, &filter, after, 1)?;
        Ok(found.rows.into_iter().find(|r| r.id != id).map(|r| r.id))
    })
    .await?;
    let queue_string = params.filter_query();
    match next {
        Some(next) => {
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("queue", &queue_string)
                .finish();
            Ok(page::see_other(&format!("/sessions/{next}?{q}")))
        }
        None => {
            cookie::flash(&session, "info", "That was the last session in this queue.");
            Ok(page::see_other(&format!("/sessions?{queue_string}")))
        }
    }
}

/// The "Start reviewing" form: the queue to come back to.
#[derive(serde::Deserialize)]
pub struct PullForm {
    #[serde(default)]
    queue: String,
}

/// Claims the oldest waiting case nobody holds (or whose holder left it idle) and opens
/// it; one the reviewer already holds comes first. When every case is taken, back to the
/// queue with a message.
#[post("/sessions/next")]
pub async fn start_reviewing(
    crate::web::auth::CaseWorker(user): crate::web::auth::CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    form: crate::web::csrf::CsrfForm<PullForm>,
) -> Result<HttpResponse, PageError> {
    let queue = form.0.queue;
    let worker = user.worker();
    let idle = state.config.claim_idle_minutes;
    let pulled = db::with_conn(&pool, move |conn| {
        crate::service::casework::pull_next(conn, worker, idle)
    })
    .await?;
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("queue", &queue)
        .finish();
    match pulled {
        Pulled::Held(id) => {
            cookie::flash(
                &session,
                "info",
                "You were already reviewing this case: finish it first.",
            );
            Ok(page::see_other(&format!("/sessions/{id}?{q}")))
        }
        Pulled::Claimed(id) => Ok(page::see_other(&format!("/sessions/{id}?{q}"))),
        Pulled::Nothing => {
            cookie::flash(
                &session,
                "info",
                "Every waiting case is being reviewed by someone right now.",
            );
            Ok(page::see_other(&format!("/sessions?{queue}")))
        }
    }
}
