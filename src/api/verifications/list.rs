//! `GET /v1/identity/verifications`: filtered, newest first, keyset-paged like every list.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use super::{PATH, VerificationAttributes, VerificationRelationships, with_checks};
use crate::api::auth::{Authorized, grant};
use crate::api::envelope::{self, ListDocument, ListMeta, Resource};
use crate::api::error::ApiError;
use crate::api::paging::{
    PageParams, Paging, Params, TOTAL_CAP, TimeFilter, list_param, time_param,
};
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

/// The filters as the OpenAPI document describes them; [`parse_filter`] reads them.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerificationFilters {
    /// Verifications in any of these statuses: a comma list (`passed,failed`).
    #[param(rename = "filter[status]", style = Form, explode = false, min_items = 1, inline)]
    pub status: Option<Vec<VerificationStatus>>,
    /// Verifications of this session.
    #[param(rename = "filter[session]")]
    pub session: Option<Uuid>,
    /// Created at or after this time: an RFC 3339 time, or a `YYYY-MM-DD` date (its first
    /// moment, UTC), from 1900 to 9999.
    #[param(rename = "filter[created_at_from]", value_type = Option<TimeFilter>, inline)]
    pub created_at_from: Option<String>,
    /// Created at or before this time; a bare date includes its whole day.
    #[param(rename = "filter[created_at_to]", value_type = Option<TimeFilter>, inline)]
    pub created_at_to: Option<String>,
}

/// Reads every filter, refusing the first that cannot be used.
pub fn parse_filter(params: &Params) -> Result<VerificationFilter, ApiError> {
    let statuses = list_param::<VerificationStatus>(params, "filter[status]")?;
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
    params(VerificationFilters, PageParams),
    responses(
        (status = 200, description = "A page of verifications", body = ListDocument<Resource<VerificationAttributes, VerificationRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getVerification" = (operation_id = "getVerification", parameters(("id" = "$response.body#/data/0/id")))),
                ("nextPage" = (operation_id = "listVerifications", parameters(("page[after]" = "$response.body#/meta/page/next_cursor")))),
            ),
        ),
        crate::api::responses::ListErrors,
    ),
)]
#[get("/verifications")]
pub async fn list(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = auth.key.id;
    let fingerprints = super::fingerprint_key(&state);
    let params = Params::parse(req.query_string(), FILTERS)?;
    let filter = parse_filter(&params)?;
    let paging = Paging::parse(&params)?;
    let (page, data, total) = db::with_conn(&pool, move |conn| {
        let rows = store::page(conn, &filter, paging.at, paging.size)?;
        let page = paging.cut(rows, |v| Cursor {
            created_at: v.created_at,
            id: v.id,
        });
        let data = with_checks(conn, &page.rows, &fingerprints)?;
        let total = match paging.total {
            true => Some(store::count(conn, &filter, TOTAL_CAP)?),
            false => None,
        };
        Ok((page, data, total))
    })
    .await?;
    reads::api_session_data_read(&state.reads, key, page.rows.iter().map(|v| v.session_id));
    let (meta, links) = page.meta_and_links(PATH, &params, &paging, total);
    let doc = ListDocument {
        data,
        meta: ListMeta { page: meta },
        links,
    };
    Ok(envelope::respond(StatusCode::OK, &doc))
}
