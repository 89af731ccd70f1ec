//! `GET /sessions/export.csv`: a queue view as CSV, for the regulator's monthly extract.
//!
//! The rows stream out a batch at a time, each batch one keyset page of the queue read on a
//! pooled connection that is handed back before the next, so a million rows take the memory
//! of one batch and never hold a connection while the client reads. Columns come from a
//! fixed list; managers get personal data masked exactly as on screen. Every export is a
//! `sessions.exported` event with its filters (never a search term: that is personal data),
//! its columns and how many rows went out — written when the last row is sent, or when the
//! download is abandoned, with `"finished": false`.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use super::query::QueueParams;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::directory::Directory;
use crate::domain::person::FieldError;
use crate::domain::sla::{Standing, Targets};
use crate::error::AppError;
use crate::store::events::{self, NewEvent};
use crate::store::paging::PageAt;
use crate::store::queue::{self, QueueFilter, QueueRow};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::error::PageError;
use crate::web::format;

/// Rows read per batch.
const BATCH: i64 = 1000;

/// The columns an export may have, in their order: (name in the URL, heading).
pub const COLUMNS: &[(&str, &str)] = &[
    ("id", "Session id"),
    ("status", "Status"),
    ("applicant", "Applicant"),
    ("email", "Email"),
    ("account", "Account"),
    ("created_at", "Created"),
    ("waiting_since", "Waiting since"),
    ("due_at", "Due"),
    ("service_level", "Service level"),
    ("assignee", "Assignee"),
    ("last_activity", "Last activity"),
    ("updated_at", "Updated"),
    ("redacted", "Redacted"),
];

/// The columns asked for (`columns`, repeatable), in the list's order; all when none.
fn chosen(query: &str) -> Result<Vec<&'static str>, AppError> {
    let asked: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "columns")
        .map(|(_, v)| v.into_owned())
        .collect();
    if let Some(unknown) = asked
        .iter()
        .find(|a| !COLUMNS.iter().any(|(name, _)| name == a))
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "columns",
            format!(
                "\"{unknown}\" is not a column; choose from {}",
                COLUMNS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]));
    }
    Ok(COLUMNS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| asked.is_empty() || asked.iter().any(|a| a == name))
        .collect())
}

/// One CSV field: quoted when it must be, and a leading `=`, `+`, `-`, `@` or tab
/// neutralised so that a spreadsheet never runs it as a formula.
fn field(value: &str, out: &mut String) {
    let guarded = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = guarded || value.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
        if guarded {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn line(values: &[String], out: &mut String) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(v, out);
    }
    out.push_str("\r\n");
}

fn stamp(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// One row's value of `column`, masked for managers as the queue shows it.
fn value(
    r: &QueueRow,
    column: &str,
    masked: bool,
    targets: &Targets,
    now: DateTime<Utc>,
    names: &Directory,
) -> String {
    let redacted = r.redacted_at.is_some();
    let since = r
        .waiting_since
        .filter(|_| r.status.is_waiting() && !redacted);
    match column {
        "id" => r.id.to_string(),
        "status" => r.status.as_str().to_owned(),
        "applicant" if redacted => String::new(),
        "applicant" => format::applicant(
            r.first_name.as_deref(),
            r.middle_name.as_deref(),
            r.last_name.as_deref(),
            masked,
        ),
        "email" if redacted => String::new(),
        "email" => r
            .email
            .as_deref()
            .map(|e| {
                if masked {
                    crate::domain::person::mask(e)
                } else {
                    e.to_owned()
                }
            })
            .unwrap_or_default(),
        "account" => match r.external_id.as_deref() {
            None | Some("") => String::new(),
            Some(_) => format::shown(r.external_id.as_deref(), masked),
        },
        "created_at" => stamp(Some(r.created_at)),
        "waiting_since" => stamp(since),
        "due_at" => stamp(since.and_then(|t| targets.due(r.status, t))),
        "service_level" => match since.and_then(|t| targets.standing(r.status, t, now)) {
            Some(Standing::Breached) => "breached",
            Some(Standing::DueSoon) => "due soon",
            Some(Standing::OnTime) => "on time",
            None => "",
        }
        .to_owned(),
        "assignee" => r
            .assigned_to
            .and_then(|u| names.users.get(&u).cloned())
            .unwrap_or_default(),
        "last_activity" => r.last_activity.clone().unwrap_or_default(),
        "updated_at" => stamp(Some(r.updated_at)),
        "redacted" => if redacted { "yes" } else { "no" }.to_owned(),
        _ => String::new(),
    }
}

/// What the audit event says about an export: its filters without the search.
struct Record {
    pool: DbPool,
    user: uuid::Uuid,
    query: String,
    searched: bool,
    columns: Vec<&'static str>,
    rows: u64,
    written: bool,
}

impl Record {
    fn event(&self, finished: bool) -> NewEvent {
        NewEvent::new(Actor::User(self.user), "sessions.exported", None).details(json!({
            "query": self.query,
            "searched": self.searched,
            "columns": self.columns,
            "rows": self.rows,
            "finished": finished,
        }))
    }

    async fn write(&mut self) -> Result<(), AppError> {
        self.written = true;
        let event = self.event(true);
        db::with_conn(&self.pool, move |conn| {
            Ok(events::insert(conn, &event).map(|_| ())?)
        })
        .await
    }
}

impl Drop for Record {
    /// An abandoned download is recorded too, with the rows sent so far.
    fn drop(&mut self) {
        if self.written {
            return;
        }
        let pool = self.pool.clone();
        let event = self.event(false);
        std::thread::spawn(move || {
            if let Ok(mut conn) = pool.get_timeout(std::time::Duration::from_secs(5))
                && let Err(e) = events::insert(&mut conn, &event)
            {
                tracing::warn!(error = %e, "could not record an abandoned export");
            }
        });
    }
}

/// The stream's state between batches.
struct Export {
    filter: QueueFilter,
    at: Option<PageAt>,
    columns: Vec<&'static str>,
    masked: bool,
    targets: Targets,
    /// Users' names as the export began.
    names: std::sync::Arc<Directory>,
    record: Record,
    header: bool,
}

impl Export {
    /// The next chunk of CSV; `None` after the last.
    async fn next(&mut self) -> Option<Result<Bytes, actix_web::Error>> {
        let mut out = String::new();
        if !self.header {
            self.header = true;
            let headings: Vec<String> = self
                .columns
                .iter()
                .filter_map(|c| {
                    COLUMNS
                        .iter()
                        .find(|(n, _)| n == c)
                        .map(|(_, h)| (*h).to_owned())
                })
                .collect();
            line(&headings, &mut out);
            return Some(Ok(Bytes::from(out)));
        }
        let Some(at) = self.at else {
            if !self.record.written {
                return Some(match self.record.write().await {
                    Ok(()) => Ok(Bytes::new()),
                    Err(e) => Err(PageError::from(e).into()),
                });
            }
            return None;
        };
        let filter = self.filter.clone();
        let found = match db::with_conn(&self.record.pool, move |conn| {
            Ok(queue::page(conn, &filter, at, BATCH)?)
        })
        .await
        {
            Ok(found) => found,
            Err(e) => return Some(Err(PageError::from(e).into())),
        };
        self.at = found
            .next(at)
            .map(|r| PageAt::After(r.cursor_in(&self.filter)));
        let now = Utc::now();
        for r in &found.rows {
            let values: Vec<String> = self
                .columns
                .iter()
                .map(|c| value(r, c, self.masked, &self.targets, now, &self.names))
                .collect();
            line(&values, &mut out);
        }
        self.record.rows += found.rows.len() as u64;
        Some(Ok(Bytes::from(out)))
    }
}

/// The queue's filters and sort as CSV, streamed.
#[get("/sessions/export.csv")]
pub async fn export(
    req: HttpRequest,
    user: CurrentUser,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let columns = chosen(req.query_string())?;
    let mut params = QueueParams::parse(req.query_string(), &user);
    params.after.clear();
    params.before.clear();
    let targets = state.config.sla;
    let (me, p) = (user.clone(), params.clone());
    let shared = state.clone();
    let (filter, problems, names) = db::with_conn(&pool, move |conn| {
        let mut lookup = |name: &str| users::id_by_username(conn, name);
        let (filter, _, problems) = p.to_filter(&me, targets, &mut lookup);
        let names = crate::web::known_users::names(&shared, conn, None)?;
        Ok((filter, problems, names))
    })
    .await?;
    // A filter left out would export more than was asked for: refuse instead.
    if let Some(problem) = problems.first() {
        return Err(AppError::Validation(vec![FieldError::new("filter", problem.clone())]).into());
    }
    let mut kept = params.clone();
    kept.q.clear();
    let record = Record {
        pool: pool.get_ref().clone(),
        user: user.id,
        query: kept.filter_query(),
        searched: !params.q.trim().is_empty(),
        columns: columns.clone(),
        rows: 0,
        written: false,
    };
    let export = Export {
        filter,
        at: Some(PageAt::First),
        columns,
        masked: user.sees_masked_data(),
        targets,
        names,
        record,
        header: false,
    };
    let body = futures_util::stream::unfold(export, |mut e| async move {
        e.next().await.map(|chunk| (chunk, e))
    });
    let name = format!("sessions-{}.csv", Utc::now().format("%Y-%m-%d"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        let mut out = String::new();
        line(
            &[
                "plain".to_owned(),
                "a,b".to_owned(),
                "say \"hi\"".to_owned(),
                "=HYPERLINK(\"x\")".to_owned(),
                "-1".to_owned(),
            ],
            &mut out,
        );
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",\"'-1\"\r\n"
        );
    }

    #[test]
    fn columns_are_checked_and_kept_in_order() {
        assert_eq!(chosen("").unwrap().len(), COLUMNS.len());
        assert_eq!(
            chosen("columns=status&columns=id").unwrap(),
            ["id", "status"]
        );
        assert!(chosen("columns=password").is_err());
    }
}
