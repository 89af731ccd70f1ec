//! Saved views: any queue kept under a name, private or shared with the team, listed in the
//! queue's navigation with live capped counts, and managed at `/views` (rename, reorder,
//! share, pin, delete).
//!
//! A view keeps filters and sort, never a search for a person: a name or an email typed
//! into the search box is the applicant's personal data, and a saved copy of it would be
//! out of redaction's reach. An account is kept by id only, for the same reason.

use std::sync::Arc;

use actix_session::Session;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::PgConnection;
use serde::Deserialize;
use uuid::Uuid;

use super::sessions::counts::CountsCache;
use super::sessions::list::{COUNT_CAP, Tab};
use super::sessions::query::QueueParams;
use crate::app::changes::Changes;
use crate::app::fresh::Fresh;
use crate::db::{self, DbPool};
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::views::{self as service, Move, Viewer};
use crate::store::queue::{self, CappedCount};
use crate::store::saved_views::{self, VisibleView};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::login::EmptyForm;
use crate::web::page::{self, Page};

/// Saved views shown in the queue's navigation; the rest are on `/views`.
pub const IN_NAVIGATION: usize = 12;

/// Users whose views are remembered at once; past it, the cache starts over.
const CACHED_USERS: usize = 1024;

/// The saved views each user sees, remembered by user while no saved view and no user has
/// changed anywhere (Postgres's change notices, [`crate::app::changes`]): every queue page
/// shows them, and they change rarely. One per server.
pub struct SavedViewsCache(Fresh<Uuid, Vec<VisibleView>>);

impl SavedViewsCache {
    /// A cache following `changes`.
    pub fn new(changes: Arc<Changes>) -> Self {
        SavedViewsCache(Fresh::new(
            changes,
            Changes::views,
            std::time::Duration::from_secs(60),
            CACHED_USERS,
        ))
    }

    /// The views `user` sees, when fresh for a reader whose own last write was at `wrote`;
    /// otherwise read and remembered.
    pub fn visible_to(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
        wrote: Option<std::time::SystemTime>,
    ) -> diesel::QueryResult<Vec<VisibleView>> {
        self.0
            .get_or_read(user, wrote, || saved_views::visible_to(conn, user))
    }
}

fn viewer(user: &CurrentUser) -> Viewer {
    Viewer {
        id: user.id,
        role: user.role,
    }
}

/// The query string a view keeps of a queue's: its filters and sort, without paging, a
/// search, or an account named by its external id. The second value says whether
/// something was left out.
pub fn keepable(raw: &str, user: &CurrentUser) -> (String, bool) {
    let mut p = QueueParams::parse(raw, user);
    let dropped_search = !p.q.trim().is_empty() || p.refused_search;
    let external = !p.account.trim().is_empty() && Uuid::parse_str(p.account.trim()).is_err();
    p.q.clear();
    if external {
        p.account.clear();
    }
    p.after.clear();
    p.before.clear();
    (p.filter_query(), dropped_search || external)
}

/// The views `user` sees, as tabs with their capped counts, for the queue's navigation.
/// Counts are remembered like the other tabs' (see [`CountsCache`]).
pub fn tabs(
    conn: &mut PgConnection,
    user: &CurrentUser,
    (views, cache): (&SavedViewsCache, &CountsCache),
    wrote: Option<std::time::SystemTime>,
    current: &str,
    targets: crate::domain::sla::Targets,
) -> diesel::QueryResult<(Vec<Tab>, usize)> {
    let views = views.visible_to(conn, user.id, wrote)?;
    let total = views.len();
    let shown: Vec<VisibleView> = views.into_iter().take(IN_NAVIGATION).collect();
    let key = format!(
        "views {} {}",
        user.id,
        shown
            .iter()
            .map(|v| v.view.query.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let counts = cache.get_or_count(key, wrote, || {
        let mut filters = Vec::with_capacity(shown.len());
        for v in &shown {
            let params = QueueParams::parse(&v.view.query, user);
            let mut lookup = |name: &str| users::id_by_username(conn, name);
            let (filter, _, _) = params.to_filter(user, targets, &mut lookup);
            filters.push((v.view.id.to_string(), filter));
        }
        queue::filter_counts(conn, &filters, COUNT_CAP)
    })?;
    let count_of = |id: Uuid| -> i64 {
        counts
            .iter()
            .find(|c: &&CappedCount| c.key == id.to_string())
            .map(|c| c.n)
            .unwrap_or(0)
    };
    let tabs = shown
        .iter()
        .map(|v| Tab {
            label: v.view.name.clone(),
            count: Some(format::capped(count_of(v.view.id), COUNT_CAP)),
            href: format!("/sessions?{}", v.view.query),
            active: v.view.query == current,
            saved: true,
            pinned: v.view.pinned,
        })
        .collect();
    Ok((tabs, total))
}

/// The "Save view" form.
#[derive(Deserialize)]
pub struct SaveForm {
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    shared: Option<String>,
}

/// Saves the queue the form came from under a name, then shows it.
#[post("/views")]
pub async fn create(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<SaveForm>,
) -> Result<HttpResponse, PageError> {
    let SaveForm {
        name,
        query,
        shared,
    } = form.0;
    let (query, dropped) = keepable(&query, &user);
    let who = viewer(&user);
    let shared = shared.as_deref() == Some("on");
    let view = db::with_conn(&pool, move |conn| {
        service::create(conn, who, &name, &query, shared)
    })
    .await?;
    let mut message = format!(
        "Saved the view \"{}\"{}.",
        view.name,
        if view.shared {
            ", shared with the team"
        } else {
            ""
        }
    );
    if dropped {
        message.push_str(
            " It keeps the filters but not the search: a saved view never holds a person's name or email.",
        );
    }
    cookie::flash(&session, "success", &message);
    Ok(page::see_other(&format!("/sessions?{}", view.query)))
}

struct Row {
    view: saved_views::SavedView,
    owner_name: String,
    mine: bool,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "views.html")]
struct ViewsPage {
    page: Page,
    rows: Vec<Row>,
    can_pin: bool,
}

/// The views the user sees, to rename, reorder, share, pin and delete.
#[get("/views")]
pub async fn index(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, PageError> {
    let me = user.id;
    let views = db::with_conn(&pool, move |conn| Ok(saved_views::visible_to(conn, me)?)).await?;
    let own: Vec<Uuid> = views
        .iter()
        .filter(|v| v.view.owner_id == me)
        .map(|v| v.view.id)
        .collect();
    let rows = views
        .into_iter()
        .map(|v| Row {
            mine: v.view.owner_id == me,
            first: own.first() == Some(&v.view.id),
            last: own.last() == Some(&v.view.id),
            owner_name: v.owner_name,
            view: v.view,
        })
        .collect();
    page::render(&ViewsPage {
        page: Page::new(&session, Some(&user), "queue", "Saved views"),
        rows,
        can_pin: user.can_oversee(),
    })
}

/// The rename form.
#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
}

/// Renames one of the user's views.
#[post("/views/{id}/rename")]
pub async fn rename(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    form: CsrfForm<RenameForm>,
) -> Result<HttpResponse, PageError> {
    let (id, who, name) = (path.into_inner(), viewer(&user), form.0.name);
    let view = db::with_conn(&pool, move |conn| service::rename(conn, who, id, &name)).await?;
    cookie::flash(
        &session,
        "success",
        format!("Renamed to \"{}\".", view.name),
    );
    Ok(page::see_other("/views"))
}

/// The move form.
#[derive(Deserialize)]
pub struct MoveForm {
    direction: String,
}

/// Moves one of the user's views a place up or down.
#[post("/views/{id}/move")]
pub async fn reorder(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    form: CsrfForm<MoveForm>,
) -> Result<HttpResponse, PageError> {
    let direction = match form.0.direction.as_str() {
        "up" => Move::Up,
        "down" => Move::Down,
        _ => {
            return Err(PageError::from(AppError::Validation(vec![
                FieldError::new("direction", "must be up or down"),
            ])));
        }
    };
    let (id, who) = (path.into_inner(), viewer(&user));
    db::with_conn(&pool, move |conn| {
        service::reorder(conn, who, id, direction)
    })
    .await?;
    Ok(page::see_other("/views"))
}

/// An on/off form (share, pin).
#[derive(Deserialize)]
pub struct SwitchForm {
    to: String,
}

fn switch(raw: &str) -> Result<bool, PageError> {
    match raw {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(PageError::from(AppError::Validation(vec![
            FieldError::new("to", "must be on or off"),
        ]))),
    }
}

/// Shares one of the user's views with the team or makes it private (`share`); pins a
/// shared view for everyone or unpins it (`pin`, managers and admins).
#[post("/views/{id}/{switch}")]
pub async fn set(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<(Uuid, String)>,
    form: CsrfForm<SwitchForm>,
) -> Result<HttpResponse, PageError> {
    let (id, which) = path.into_inner();
    let on = switch(&form.0.to)?;
    let who = viewer(&user);
    let message = match which.as_str() {
        "share" => {
            let view = db::with_conn(&pool, move |conn| service::share(conn, who, id, on)).await?;
            if view.shared {
                format!("\"{}\" is shared with the team.", view.name)
            } else {
                format!("\"{}\" is private again.", view.name)
            }
        }
        "pin" => {
            let view = db::with_conn(&pool, move |conn| service::pin(conn, who, id, on)).await?;
            if view.pinned {
                format!("\"{}\" is pinned: everyone sees it first.", view.name)
            } else {
                format!("\"{}\" is no longer pinned.", view.name)
            }
        }
        _ => return Err(AppError::NotFound("page").into()),
    };
    cookie::flash(&session, "success", message);
    Ok(page::see_other("/views"))
}

/// Deletes a view.
#[post("/views/{id}/delete")]
pub async fn delete(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let (id, who) = (path.into_inner(), viewer(&user));
    let view = db::with_conn(&pool, move |conn| service::delete(conn, who, id)).await?;
    cookie::flash(
        &session,
        "success",
        format!("Deleted the view \"{}\".", view.name),
    );
    Ok(page::see_other("/views"))
}
