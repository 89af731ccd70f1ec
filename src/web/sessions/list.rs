//! `GET /sessions`: the queue. Filters in the URL, status counts that stop at a cap, 50
//! rows a page with keyset cursors both ways.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use chrono::Utc;

use super::counts::CountsCache;
use super::query::QueueParams;
use super::row::Row;
use super::triage;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::status::SessionStatus;
use crate::error::AppError;
use crate::store::queue::{self, CappedCount, QueueFilter};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::known_users;
use crate::web::page::{self, Page};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;
/// Counts stop here and show "1,000+".
pub const COUNT_CAP: i64 = 1000;

/// A status filter chip.
pub struct Chip {
    /// Status.
    pub status: &'static str,
    /// Label.
    pub label: &'static str,
    /// Count, capped.
    pub count: String,
    /// Link selecting just this status (other filters kept).
    pub href: String,
    /// Selected now.
    pub active: bool,
}

/// A view tab: a built-in one or a saved view ([`crate::web::views`]).
pub struct Tab {
    /// Label.
    pub label: String,
    /// Count, if any.
    pub count: Option<String>,
    /// Link.
    pub href: String,
    /// Selected now.
    pub active: bool,
    /// A saved view.
    pub saved: bool,
    /// A view pinned for everyone.
    pub pinned: bool,
}

#[derive(Template)]
#[template(path = "sessions/list.html")]
struct ListPage<'a> {
    page: Page,
    params: QueueParams,
    problems: Vec<String>,
    tabs: Vec<Tab>,
    /// The saved views the user sees, beyond those shown as tabs.
    more_views: usize,
    /// The query a saved view would keep of this queue.
    keepable: String,
    /// This queue's filters as (name, value) pairs, for the export form.
    export_pairs: Vec<(String, String)>,
    /// The export's columns: (name, heading).
    export_columns: &'static [(&'static str, &'static str)],
    chips: Vec<Chip>,
    rows: Vec<Row<'a>>,
    newer: Option<String>,
    older: Option<String>,
    filtered: bool,
    /// Managers get no search box: see [`super::query::MANAGERS_CANNOT_SEARCH`].
    can_search: bool,
    /// The filters in force, each removable.
    active: Vec<triage::ActiveFilter>,
    /// The assignee select's options: (value, label).
    assignees: Vec<(String, String)>,
    /// The service-level targets in words.
    targets: String,
    /// The bulk bar under the table.
    bulk: super::bulk_bar::BulkBar,
}

pub(super) fn count_of(counts: &[CappedCount], key: &str) -> i64 {
    counts
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.n)
        .unwrap_or(0)
}

/// The queue.
// Each argument is an extractor: the request's own data and the server's caches.
#[allow(clippy::too_many_arguments)]
#[get("/sessions")]
pub async fn index(
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    cache: web::Data<CountsCache>,
    views: web::Data<crate::web::views::SavedViewsCache>,
    why: web::Data<super::wait_reasons::WaitReasons>,
    pages: web::Data<super::pages::QueuePages>,
) -> Result<HttpResponse, PageError> {
    let params = QueueParams::parse(req.query_string(), &user);
    let me = user.clone();
    let p = params.clone();
    let current = params.filter_query();
    let here = current.clone();
    let targets = state.config.sla;
    let wrote = super::counts::wrote_at(&session);
    let shared = state.clone();
    // A search may take tens of milliseconds; any other queue is index-bounded.
    let searching = !params.q.trim().is_empty();
    let read = move |conn: &mut diesel::PgConnection| {
        let mut lookup = |name: &str| users::id_by_username(conn, name);
        let resolved = p.to_filter(&me, targets, &mut lookup);
        let (filter, at, problems) = resolved;
        let rows = pages.get_or_read(&filter, at, wrote, || {
            let mut rows = queue::page_without_accounts(conn, &filter, at, PAGE_SIZE)?;
            crate::web::known_accounts::name_accounts(&shared, conn, wrote, &mut rows.rows)?;
            Ok::<_, AppError>(rows)
        })?;
        // Why each waiting row waits: remembered per session, the rest in one query.
        let reasons = why.of(conn, &rows.rows)?;
        let assignable = known_users::assignable(&shared, conn, wrote)?;
        let names = known_users::names(&shared, conn, wrote)?;
        // Under a search, nine more searches would cost more than the page itself:
        // counts are shown for unsearched views only.
        let counts = if filter.search.is_some() {
            Vec::new()
        } else {
            let unfiltered = QueueFilter {
                statuses: Vec::new(),
                ..filter.clone()
            };
            let key = format!("status {unfiltered:?}");
            cache.get_or_count(key, wrote, || {
                queue::status_counts(conn, &unfiltered, COUNT_CAP)
            })?
        };
        let key = format!("work {}", me.id);
        let work = cache.get_or_count(key, wrote, || queue::work_counts(conn, me.id, COUNT_CAP))?;
        let caches = (views.as_ref(), cache.as_ref());
        let saved = crate::web::views::tabs(conn, &me, caches, wrote, &here, targets)?;
        Ok((
            filter, at, problems, rows, counts, work, reasons, assignable, saved, names,
        ))
    };
    let (filter, at, problems, found, counts, work_counts, reasons, assignable, saved, names) =
        if searching {
            db::with_conn(&pool, read).await?
        } else {
            db::read_now(&pool, read).await?
        };

    // One row beyond the page told the store whether there is more in the direction read.
    let newer = found.previous(at).map(|r| {
        format!(
            "/sessions?{}",
            params.with("before", &r.cursor_in(&filter).encode())
        )
    });
    let older = found.next(at).map(|r| {
        format!(
            "/sessions?{}",
            params.with("after", &r.cursor_in(&filter).encode())
        )
    });
    let rows = &found.rows;

    let now = Utc::now();
    let masked = user.sees_masked_data();
    let queue_param = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("queue", &params.filter_query())
        .finish();
    let view_rows = rows
        .iter()
        .map(|r| {
            let why = reasons.iter().find(|w| w.session_id == r.id);
            let reason = triage::reason(r, why, &names);
            Row::new(
                r,
                masked,
                now,
                &state.config.sla,
                &queue_param,
                &names,
                reason,
            )
        })
        .collect();

    let chips = SessionStatus::ALL
        .iter()
        .map(|s| {
            let mut only = params.clone();
            only.statuses = vec![s.as_str().to_owned()];
            Chip {
                status: s.as_str(),
                label: s.label(),
                count: if counts.is_empty() {
                    String::new()
                } else {
                    format::capped(count_of(&counts, s.as_str()), COUNT_CAP)
                },
                href: format!("/sessions?{}", only.filter_query()),
                active: filter.statuses.len() == 1 && filter.statuses[0] == *s,
            }
        })
        .collect();
    let work = QueueParams::work_queue();
    let mut mine = work.clone();
    mine.assignee = "me".to_owned();
    let mut unassigned = work.clone();
    unassigned.assignee = "unassigned".to_owned();
    let all = QueueParams {
        sort: "newest".to_owned(),
        ..QueueParams::default()
    };
    let tab = |label: &str, count: Option<String>, p: &QueueParams| Tab {
        label: label.to_owned(),
        count,
        href: format!("/sessions?{}", p.filter_query()),
        active: current == p.filter_query(),
        saved: false,
        pinned: false,
    };
    let mut tabs = vec![
        tab("Work queue", None, &work),
        tab(
            "Mine",
            Some(format::capped(count_of(&work_counts, "mine"), COUNT_CAP)),
            &mine,
        ),
        tab(
            "Unassigned",
            Some(format::capped(
                count_of(&work_counts, "unassigned"),
                COUNT_CAP,
            )),
            &unassigned,
        ),
        tab(
            "Failed",
            Some(format::capped(count_of(&work_counts, "failed"), COUNT_CAP)),
            &QueueParams::failed(),
        ),
        tab("All", None, &all),
    ];
    let (saved_tabs, saved_total) = saved;
    let more_views = saved_total.saturating_sub(saved_tabs.len());
    tabs.extend(saved_tabs);
    let keepable = crate::web::views::keepable(&current, &user).0;
    let active = triage::active_filters(&params, &assignable);
    let mut assignees = vec![
        (String::new(), "Anyone".to_owned()),
        ("me".to_owned(), "Me".to_owned()),
        ("unassigned".to_owned(), "Unassigned".to_owned()),
    ];
    assignees.extend(
        assignable
            .iter()
            .filter(|(id, _)| *id != user.id)
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    let bulk = super::bulk_bar::BulkBar::new(
        &user,
        &assignable,
        &counts,
        &filter.statuses,
        current.clone(),
        newer.is_some() || older.is_some(),
    );
    let filtered = !params.q.is_empty()
        || !params.sla.is_empty()
        || !params.account.is_empty()
        || !params.created_from.is_empty()
        || !params.created_to.is_empty();
    page::render(&ListPage {
        page: Page::new(&session, Some(&user), "queue", "Queue"),
        params,
        problems,
        tabs,
        more_views,
        keepable,
        export_pairs: url::form_urlencoded::parse(current.as_bytes())
            .into_owned()
            .collect(),
        export_columns: super::export::COLUMNS,
        chips,
        rows: view_rows,
        newer,
        older,
        filtered,
        can_search: !user.sees_masked_data(),
        active,
        assignees,
        targets: triage::targets_in_words(&state.config.sla),
        bulk,
    })
}
