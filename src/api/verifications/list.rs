//! `GET /v1/identity/verifications`: filtered, newest first, keyset-paged like every list.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use super::{PATH, VerificationAttributes, VerificationRelationships, with_checks};
use crate::api::auth::{Authorized, grant};
use crate::api::envelope::{self, ListDocument, ListMeta, Resource};
use crate::api::error::ApiError;
use crate::api::paging::{Paging, Params, TOTAL_CAP, time_param};
use crate::db::{self, DbPool};
use crate::domain::kinds::VerificationStatus;
use crate::service::reads;
use crate::store::paging::Cursor;
use crate::store::verifications::{self as store, VerificationFilter};

/// The filters the list takes.
pub const FILTERS: &[&str] = &[
    "filter[status]",
    "filter[session]",
    "filter[created_at_from]",
    "filter[created_at_to]",
];

/// Reads every filter, refusing the first that cannot be used.
pub fn parse_filter(params: &Params) -> Result<VerificationFilter, ApiError> {
    let mut statuses = Vec::new();
    if let Some(raw) = params.get("filter[status]") {
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let status = part
                .parse::<VerificationStatus>()
                .map_err(|e| ApiError::bad_parameter("filter[status]", format!("{part:?} {e}")))?;
            if !statuses.contains(&status) {
                statuses.push(status);
            }
        }
    }
    let session = params
        .get("filter[session]")
        .map(|raw| {
            Uuid::parse_str(raw).map_err(|_| {
                ApiError::bad_parameter("filter[session]", "filter[session] must be a UUID")
            })
        })
        .transpose()?;
    Ok(VerificationFilter {
        statuses,
        session,
        created_from: time_param(params, "filter[created_at_from]", false)?,
        created_before: time_param(params, "filter[created_at_to]", true)?,
    })
}

/// Lists verifications, newest first.
#[utoipa::path(
    get,
    path = "/v1/identity/verifications",
    operation_id = "listVerifications",
    tag = "verifications",
    summary = "List verifications, newest first, filtered",
    description = "Needs the `sessions:read` permission; each session whose verifications a page shows counts once as a read of it. `filter[session]` lists one session's.",
    security(("api_key" = [])),
    params(
        ("filter[status]" = Option<String>, Query, description = "Comma-separated verification statuses"),
        ("filter[session]" = Option<Uuid>, Query, description = "Verifications of this session"),
        ("filter[created_at_from]" = Option<String>, Query, description = "Created at or after this ISO 8601 time"),
        ("filter[created_at_to]" = Option<String>, Query, description = "Created before this ISO 8601 time"),
        ("page[size]" = Option<i64>, Query, description = "Page size, 1 to 100 (default 15)"),
        ("page[after]" = Option<String>, Query, description = "Cursor: the page after (older than) this one, from `meta.page.next_cursor`"),
        ("page[before]" = Option<String>, Query, description = "Cursor: the page before (newer than) this one, from `meta.page.prev_cursor`"),
        ("page[total]" = Option<bool>, Query, description = "`true` adds `meta.page.total` (exact up to 1,000; past it 1000 and `meta.page.total_capped: true`)"),
    ),
    responses(
        (status = 200, description = "A page of verifications", body = ListDocument<Resource<VerificationAttributes, VerificationRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ListErrors,
    ),
)]
#[get("/verifications")]
pub async fn list(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = auth.key.id;
    let params = Params::parse(req.query_string(), FILTERS)?;
    let filter = parse_filter(&params)?;
    let paging = Paging::parse(&params)?;
    let (page, data, total) = db::with_conn(&pool, move |conn| {
        let rows = store::page(conn, &filter, paging.at, paging.size)?;
        let page = paging.cut(rows, |v| Cursor {
            created_at: v.created_at,
            id: v.id,
        });
        let data = with_checks(conn, &page.rows)?;
        reads::api_session_data_read(conn, key, page.rows.iter().map(|v| v.session_id))?;
        let total = match paging.total {
            true => Some(store::count(conn, &filter, TOTAL_CAP)?),
            false => None,
        };
        Ok((page, data, total))
    })
    .await?;
    let (meta, links) = page.meta_and_links(PATH, &params, &paging, total);
    let doc = ListDocument {
        data,
        meta: ListMeta { page: meta },
        links,
    };
    Ok(envelope::respond(StatusCode::OK, &doc))
}
