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
    state: web::Data<crate::app::AppState>,
) -> Result<HttpResponse, PageError> {
    let id = Uuid::parse_str(&path).map_err(|_| AppError::NotFound("session"))?;
    let queue = ctx.into_inner().queue;
    let mut params = QueueParams::parse(&queue, &user);
    params.after.clear();
    params.before.clear();
    let me = user.clone();
    let p = params.clone();
    let targets = state.config.sla;
    let next = db::with_conn(&pool, move |conn| {
        let current = sessions::find(conn, id)?.ok_or(AppError::NotFound("session"))?;
        let mut lookup = |name: &str| users::id_by_username(conn, name);
        let (filter, _, _) = p.to_filter(&me, targets, &mut lookup);
        // Where the session stands in the queue's order (its waiting time stays after a
        // decision, so the next case is found after deciding this one too; its due time is
        // counted with the target of the status it waited in, or the queue's first).
        let waited_in = if current.status.is_waiting() {
            Some(current.status)
        } else {
            filter.statuses.first().copied()
        };
        let key = match (filter.by_waiting, current.waiting_since) {
            (true, Some(t)) if filter.by_due => {
                t + waited_in.and_then(|s| targets.of(s)).unwrap_or_default()
            }
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

/// Who pulls the next case after a decision ("Approve & next"), and after how many idle
/// minutes another's claim may be taken.
#[derive(Clone, Copy)]
pub(super) struct Puller {
    worker: crate::domain::actor::Worker,
    idle_minutes: i64,
}

impl Puller {
    /// The pull of `user` under the server's claim rule.
    pub(super) fn of(user: &CurrentUser, state: &crate::app::AppState) -> Self {
        Puller {
            worker: user.worker(),
            idle_minutes: state.config.claim_idle_minutes,
        }
    }
}

/// Where a decision made with "& next" goes: the next case is pulled as "Start reviewing"
/// pulls it (the oldest waiting case nobody holds, claimed atomically), so that two
/// reviewers deciding at once never open the same next case. When nothing is left, the
/// queue, with `flash` extended to say so. Without "& next", back to the case.
pub(super) async fn next_after(
    pool: &DbPool,
    puller: Option<Puller>,
    id: Uuid,
    queue: &str,
    then: &str,
    succeeded: bool,
) -> (String, Option<&'static str>) {
    let Some(p) = puller.filter(|_| succeeded && then == "next") else {
        return (
            super::actions::after_decision(id, queue, then, succeeded),
            None,
        );
    };
    let pulled = db::with_conn(pool, move |conn| {
        crate::service::casework::pull_next(conn, p.worker, p.idle_minutes)
    })
    .await;
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("queue", queue)
        .finish();
    match pulled {
        Ok(Pulled::Claimed(case) | Pulled::Held(case)) => (format!("/sessions/{case}?{q}"), None),
        Ok(Pulled::Nothing) => (
            format!("/sessions?{queue}"),
            Some(" Every waiting case is being reviewed by someone right now."),
        ),
        // The decision stands; the queue's own "next" walk is the fallback.
        Err(_) => (
            super::actions::after_decision(id, queue, then, succeeded),
            None,
        ),
    }
}
