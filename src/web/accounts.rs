//! `GET /accounts/{id}`: an integrator's account and all its sessions, newest first, for
//! every signed-in role. Managers see names and the external id masked.

use actix_session::Session;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::domain::status::SessionStatus;
use crate::error::AppError;
use crate::store::account_sessions::{self, AccountSession, Cursor};
use crate::store::accounts::{self, Account};
use crate::web::auth::CurrentUser;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page::{self, Page};

const PAGE_SIZE: i64 = 100;

/// The page of sessions to show: `before` or `after` a session of the account.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    /// Show sessions created before this session.
    #[serde(default)]
    before: Option<String>,
    /// Show sessions created after this session.
    #[serde(default)]
    after: Option<String>,
}

/// One session of the account, ready to print (masked for managers).
struct Row {
    id: Uuid,
    name: String,
    status: SessionStatus,
    redacted: bool,
    created: String,
    created_iso: String,
    decision: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/show.html")]
struct AccountPage {
    page: Page,
    account: Account,
    external_id: Option<String>,
    total: i64,
    rows: Vec<Row>,
    masked: bool,
    newer: Option<String>,
    older: Option<String>,
}

fn row(s: AccountSession, masked: bool) -> Row {
    let decision = s.decision.map(|d| match s.decision_reason {
        Some(reason) => format!("{d}: {}", reason.label()),
        None => d.to_string(),
    });
    let redacted = s.redacted_at.is_some();
    Row {
        id: s.id,
        name: if redacted {
            "(redacted)".to_owned()
        } else {
            format::applicant(
                s.first_name.as_deref(),
                s.middle_name.as_deref(),
                s.last_name.as_deref(),
                masked,
            )
        },
        status: s.status,
        redacted,
        created: format::exact(s.created_at),
        created_iso: s.created_at.to_rfc3339(),
        decision,
    }
}

fn cursor(query: &AccountQuery) -> Result<Cursor, AppError> {
    let parse = |v: &str| Uuid::parse_str(v.trim()).map_err(|_| AppError::NotFound("session"));
    Ok(match (query.before.as_deref(), query.after.as_deref()) {
        (Some(v), _) if !v.trim().is_empty() => Cursor::Before(parse(v)?),
        (_, Some(v)) if !v.trim().is_empty() => Cursor::After(parse(v)?),
        _ => Cursor::Newest,
    })
}

/// The account with its sessions. A malformed or unknown id, or a paging cursor that is not
/// one of its sessions, is a 404.
#[get("/accounts/{id}")]
pub async fn show(
    me: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, PageError> {
    // Parsed here, after the sign-in check, so that anonymous visitors are always sent to
    // sign in and a bad id is our own 404 page.
    let id = Uuid::parse_str(&path.into_inner()).map_err(|_| AppError::NotFound("account"))?;
    let cursor = cursor(&query)?;
    let (account, found, total) = db::with_conn(&pool, move |conn| {
        let account = accounts::find(conn, id)?.ok_or(AppError::NotFound("account"))?;
        let found = account_sessions::page(conn, id, cursor, PAGE_SIZE)?
            .ok_or(AppError::NotFound("session"))?;
        let total = account_sessions::count(conn, id)?;
        Ok((account, found, total))
    })
    .await?;
    let masked = me.sees_masked_data();
    let rows: Vec<Row> = found.sessions.into_iter().map(|s| row(s, masked)).collect();
    let newer = found
        .has_newer
        .then(|| {
            rows.first()
                .map(|r| format!("/accounts/{id}?after={}", r.id))
        })
        .flatten();
    let older = found
        .has_older
        .then(|| {
            rows.last()
                .map(|r| format!("/accounts/{id}?before={}", r.id))
        })
        .flatten();
    let external_id = account
        .external_id
        .as_deref()
        .map(|e| format::shown(Some(e), masked));
    let title = format!("Account {}", format::short_id(&id));
    page::render(&AccountPage {
        page: Page::new(&session, Some(&me), "queue", title),
        account,
        external_id,
        total,
        rows,
        masked,
        newer,
        older,
    })
}
