//! `GET /sessions/{id}/next`: the session after this one in the queue it was opened from,
//! so a reviewer can work through a queue without going back to it.

use actix_session::Session;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::detail::QueueContext;
use super::query::QueueParams;
use crate::db::{self, DbPool};
use crate::error::AppError;
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
