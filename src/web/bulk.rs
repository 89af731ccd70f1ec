//! Bulk changes from the queue: the action bar's form (`POST /sessions/bulk`), a
//! confirmation for expiring and for "all matching", the result page `/bulk/{id}` (how many
//! were changed, each refusal with its reason, a progress bar while it runs), its progress
//! as JSON for the bar, cancelling, and `/bulk`, the latest changes.

use std::time::{Duration, Instant};

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::service::bulk::{self as service, BulkAction, MAX_MATCHING, Scope};
use crate::store::bulk::{self as store, BulkChange};
use crate::store::queue::{self, QueueFilter};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page::{self, Page};
use crate::web::sessions::query::QueueParams;

/// How long a request works a short list before leaving the rest to the background.
const INLINE_DEADLINE: Duration = Duration::from_secs(20);
/// The most refusals the result page lists.
const LISTED: i64 = 1000;

/// The action bar's form, read from its pairs (`ids` repeats).
#[derive(Debug, Default, Clone)]
struct Asked {
    action: String,
    ids: Vec<String>,
    all: bool,
    assignee: String,
    note: String,
    query: String,
    confirm: bool,
}

impl Asked {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let mut a = Asked::default();
        for (k, v) in pairs {
            match k.as_str() {
                "action" => a.action = v,
                "ids" => a.ids.push(v),
                "all" => a.all = v == "1",
                "assignee" => a.assignee = v,
                "note" => a.note = v,
                "query" => a.query = v,
                "confirm" => a.confirm = v == "1",
                _ => {}
            }
        }
        a
    }

    /// The form's fields again, for the confirmation page to send on.
    fn hidden(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("action".to_owned(), self.action.clone()),
            ("query".to_owned(), self.query.clone()),
            ("assignee".to_owned(), self.assignee.clone()),
            ("note".to_owned(), self.note.clone()),
            ("confirm".to_owned(), "1".to_owned()),
        ];
        if self.all {
            out.push(("all".to_owned(), "1".to_owned()));
        } else {
            out.extend(self.ids.iter().map(|id| ("ids".to_owned(), id.clone())));
        }
        out
    }
}

/// The action asked for, or why not (on its field).
fn action_of(a: &Asked, me: Uuid) -> Result<BulkAction, AppError> {
    match a.action.as_str() {
        "assign" => match a.assignee.trim() {
            "" => Err(AppError::field("assignee", "choose whom to assign them to")),
            "me" => Ok(BulkAction::Assign(me)),
            other => Uuid::parse_str(other)
                .map(BulkAction::Assign)
                .map_err(|_| AppError::field("assignee", "is not a user id")),
        },
        "unassign" => Ok(BulkAction::Unassign),
        "mark_for_review" => Ok(BulkAction::MarkForReview),
        "expire" => Ok(BulkAction::Expire),
        "note" => Ok(BulkAction::Note(a.note.clone())),
        "approve" | "decline" => Err(AppError::field(
            "action",
            "decisions are made one case at a time, never in bulk",
        )),
        _ => Err(AppError::field(
            "action",
            "must be one of: assign, unassign, mark_for_review, expire, note",
        )),
    }
}

/// What an action does, in words, for `n` sessions ("Assign 12 sessions to Jane Doe").
fn describe(action: &str, n: &str, assignee: Option<&str>) -> String {
    let sessions = if n == "1" { "session" } else { "sessions" };
    match action {
        "assign" => format!(
            "Assign {n} {sessions} to {}",
            assignee.unwrap_or("a reviewer")
        ),
        "unassign" => format!("Unassign {n} {sessions}"),
        "mark_for_review" => format!("Mark {n} {sessions} for review"),
        "expire" => format!("Expire {n} {sessions}"),
        "note" => format!("Add a note to {n} {sessions}"),
        other => format!("{other} {n} {sessions}"),
    }
}

#[derive(Template)]
#[template(path = "bulk/refused.html")]
struct RefusedPage {
    page: Page,
    message: String,
    back: String,
}

#[derive(Template)]
#[template(path = "bulk/confirm.html")]
struct ConfirmPage {
    page: Page,
    what: String,
    final_action: bool,
    matching: bool,
    hidden: Vec<(String, String)>,
    back: String,
}

fn queue_href(query: &str) -> String {
    if query.is_empty() {
        "/sessions".to_owned()
    } else {
        format!("/sessions?{query}")
    }
}

fn refused(
    session: &Session,
    user: &CurrentUser,
    e: AppError,
    back: &str,
) -> Result<HttpResponse, PageError> {
    let (status, message) = match &e {
        AppError::Validation(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Forbidden => (
            StatusCode::FORBIDDEN,
            "your role may not make this change".to_owned(),
        ),
        _ => return Err(e.into()),
    };
    page::render_status(
        status,
        &RefusedPage {
            page: Page::new(session, Some(user), "queue", "Bulk change refused"),
            message: format!("Nothing was changed: {message}."),
            back: queue_href(back),
        },
    )
}

/// Resolves the queue's query string into its filter, as the queue itself reads it.
fn filter_of(
    conn: &mut diesel::PgConnection,
    query: &str,
    user: &CurrentUser,
    targets: crate::domain::sla::Targets,
) -> Result<QueueFilter, AppError> {
    let mut params = QueueParams::parse(query, user);
    params.after.clear();
    params.before.clear();
    let mut lookup = |name: &str| users::id_by_username(conn, name);
    let (filter, _, problems) = params.to_filter(user, targets, &mut lookup);
    // A filter left out would reach more sessions than were asked for: refuse instead.
    match problems.first() {
        Some(problem) => Err(AppError::field("filter", problem.clone())),
        None => Ok(filter),
    }
}

/// The action bar: checks, confirms what needs confirming, stores the change, and makes
/// a short one at once; then the result page.
#[post("/sessions/bulk")]
pub async fn create(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let asked = Asked::read(form.0);
    let back = asked.query.clone();
    let action = match action_of(&asked, user.id) {
        Ok(a) => a,
        Err(e) => return refused(&session, &user, e, &back),
    };
    let mut ids = Vec::with_capacity(asked.ids.len());
    if !asked.all {
        for raw in &asked.ids {
            match Uuid::parse_str(raw.trim()) {
                Ok(id) => ids.push(id),
                Err(_) => {
                    let e = AppError::field("ids", format!("\"{raw}\" is not a session id"));
                    return refused(&session, &user, e, &back);
                }
            }
        }
        if ids.is_empty() {
            let e = AppError::field("ids", "choose at least one session");
            return refused(&session, &user, e, &back);
        }
    }
    let targets = state.config.sla;
    let (me, query, all) = (user.clone(), asked.query.clone(), asked.all);
    let assignee_id = match &action {
        BulkAction::Assign(id) => Some(*id),
        _ => None,
    };
    // "All matching": the filter, and how many it matches now (for the confirmation).
    let looked = db::with_conn(&pool, move |conn| {
        let filter = if all {
            let f = filter_of(conn, &query, &me, targets)?;
            let n = queue::filter_counts(conn, &[(String::new(), f.clone())], MAX_MATCHING + 1)?
                .first()
                .map(|c| c.n)
                .unwrap_or(0);
            Some((f, n))
        } else {
            None
        };
        let name = match assignee_id {
            Some(id) => users::find(conn, id)?.map(|u| u.display_name),
            None => None,
        };
        Ok((filter, name))
    })
    .await;
    let (matching, assignee_name) = match looked {
        Ok(found) => found,
        Err(e) => return refused(&session, &user, e, &back),
    };
    if let Some((_, n)) = &matching
        && *n > MAX_MATCHING
    {
        let e = AppError::field(
            "filter",
            format!(
                "matches more than {} sessions; narrow it",
                format::thousands(MAX_MATCHING)
            ),
        );
        return refused(&session, &user, e, &back);
    }
    let is_expire = matches!(action, BulkAction::Expire);
    if (asked.all || is_expire) && !asked.confirm {
        let n = match &matching {
            Some((_, n)) => format::thousands(*n),
            None => ids.len().to_string(),
        };
        return page::render(&ConfirmPage {
            page: Page::new(&session, Some(&user), "queue", "Confirm bulk change"),
            what: describe(action.code(), &n, assignee_name.as_deref()),
            final_action: is_expire,
            matching: asked.all,
            hidden: asked.hidden(),
            back: queue_href(&back),
        });
    }
    let scope = match matching {
        Some((f, _)) => Scope::Matching(Box::new(f)),
        None => Scope::Chosen(ids),
    };
    let by = user.worker();
    let inline_max = state.config.bulk_inline_max;
    let query = asked.query.clone();
    let made = db::with_conn(&pool, move |conn| {
        let requested = service::request(conn, by, action, scope, &query, inline_max, Utc::now())?;
        let id = requested.change.id;
        if let Some(token) = requested.lease {
            let deadline = Instant::now() + INLINE_DEADLINE;
            if !service::work(conn, id, token, Some(deadline), &|| false)? {
                service::release(conn, id, token)?;
            }
        }
        Ok(id)
    })
    .await;
    match made {
        Ok(id) => Ok(page::see_other(&format!("/bulk/{id}"))),
        Err(e) => refused(&session, &user, e, &back),
    }
}

/// A refused or unchanged session on the result page.
pub struct ReportedView {
    /// The session.
    pub session_id: Uuid,
    /// Its short id.
    pub short: String,
    /// `refused` or `unchanged`.
    pub outcome: String,
    /// Why.
    pub reason: String,
}

#[derive(Template)]
#[template(path = "bulk/show.html")]
struct ShowPage {
    page: Page,
    id: Uuid,
    what: String,
    requester: String,
    asked: String,
    total: Option<i32>,
    done: i32,
    changed: i32,
    unchanged: i32,
    refused: i32,
    left: i32,
    finished: bool,
    cancelled: bool,
    may_cancel: bool,
    refusals: Vec<ReportedView>,
    unchanged_items: Vec<ReportedView>,
    back: String,
}

fn what_of(change: &BulkChange, assignee: Option<&str>) -> String {
    let n = change
        .total
        .map(|t| format::thousands(i64::from(t)))
        .unwrap_or_else(|| "all matching".to_owned());
    describe(&change.action, &n, assignee)
}

fn parse(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound("bulk change"))
}

/// The result page.
#[get("/bulk/{id}")]
pub async fn show(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse(&path)?;
    let me = user.worker();
    let (change, requester, assignee, reported) = db::with_conn(&pool, move |conn| {
        let change = store::find(conn, id)?
            .filter(|c| service::may_see(c, me))
            .ok_or(AppError::NotFound("bulk change"))?;
        let requester = users::find(conn, change.requested_by)?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let assignee = match change.assignee {
            Some(a) => users::find(conn, a)?.map(|u| u.display_name),
            None => None,
        };
        let reported = store::reported(conn, id, LISTED)?;
        Ok((change, requester, assignee, reported))
    })
    .await?;
    let (refusals, unchanged_items): (Vec<_>, Vec<_>) = reported
        .into_iter()
        .map(|r| ReportedView {
            session_id: r.session_id,
            short: format::short_id(&r.session_id),
            outcome: r.outcome.unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        })
        .partition(|r| r.outcome == "refused");
    let finished = change.finished_at.is_some();
    page::render(&ShowPage {
        page: Page::new(&session, Some(&user), "queue", "Bulk change"),
        id,
        what: what_of(&change, assignee.as_deref()),
        requester,
        asked: format::exact(change.created_at),
        total: change.total,
        done: change.done,
        changed: change.changed,
        unchanged: change.unchanged,
        refused: change.refused,
        left: change.total.map(|t| t - change.done).unwrap_or(0),
        finished,
        cancelled: change.cancelled_at.is_some(),
        may_cancel: !finished && change.cancelled_at.is_none(),
        refusals,
        unchanged_items,
        back: queue_href(&change.query),
    })
}

/// A change's progress, for the result page's bar.
#[derive(Serialize)]
struct Progress {
    total: Option<i32>,
    done: i32,
    changed: i32,
    unchanged: i32,
    refused: i32,
    finished: bool,
}

/// The progress as JSON.
#[get("/bulk/{id}/progress")]
pub async fn progress(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse(&path)?;
    let me = user.worker();
    let change = db::with_conn(&pool, move |conn| {
        store::find(conn, id)?
            .filter(|c| service::may_see(c, me))
            .ok_or(AppError::NotFound("bulk change"))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Progress {
            total: change.total,
            done: change.done,
            changed: change.changed,
            unchanged: change.unchanged,
            refused: change.refused,
            finished: change.finished_at.is_some(),
        }))
}

/// Cancels a running change.
#[post("/bulk/{id}/cancel")]
pub async fn cancel(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = parse(&path)?;
    let by = user.worker();
    match db::with_conn(&pool, move |conn| service::cancel(conn, id, by, Utc::now())).await {
        Ok(()) => cookie::flash(
            &session,
            "info",
            "Cancelled: the sessions not reached yet stay as they were.",
        ),
        Err(AppError::Conflict(c)) => {
            cookie::flash(&session, "error", format!("Nothing was cancelled: {c}."));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(page::see_other(&format!("/bulk/{id}")))
}

/// One change in the list.
pub struct ListedView {
    /// Its id.
    pub id: Uuid,
    /// What it does.
    pub what: String,
    /// Who asked.
    pub requester: String,
    /// When, in words.
    pub age: String,
    /// When, exactly.
    pub at: String,
    /// "done", "running 40 %", "cancelled".
    pub state: String,
    /// How many were changed and refused, in words.
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "bulk/list.html")]
struct ListPage {
    page: Page,
    changes: Vec<ListedView>,
    everyone: bool,
}

/// The latest bulk changes: one's own, or everyone's for managers and admins.
#[get("/bulk")]
pub async fn index(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, PageError> {
    let everyone = user.role.oversees();
    let me = user.id;
    let (listed, names) = db::with_conn(&pool, move |conn| {
        let listed = store::recent(conn, (!everyone).then_some(me), 100)?;
        // Whom each assignment went to, in one query for the page.
        let assignees: Vec<Uuid> = listed.iter().filter_map(|l| l.change.assignee).collect();
        let names = users::display_names(conn, &assignees)?;
        Ok((listed, names))
    })
    .await?;
    let now = Utc::now();
    let changes = listed
        .into_iter()
        .map(|l| {
            let c = &l.change;
            let state = match (c.finished_at, c.cancelled_at, c.total) {
                (Some(_), Some(_), _) => "cancelled".to_owned(),
                (Some(_), None, _) => "done".to_owned(),
                (None, _, Some(t)) if t > 0 => format!("running, {} %", c.done * 100 / t),
                (None, _, _) => "waiting".to_owned(),
            };
            ListedView {
                id: c.id,
                what: what_of(
                    c,
                    c.assignee.and_then(|a| names.get(&a)).map(String::as_str),
                ),
                requester: l.requester.clone(),
                age: format::age(c.created_at, now),
                at: format::exact(c.created_at),
                state,
                outcome: format!("{} changed, {} refused", c.changed, c.refused),
            }
        })
        .collect();
    page::render(&ListPage {
        page: Page::new(&session, Some(&user), "queue", "Bulk changes"),
        changes,
        everyone,
    })
}
