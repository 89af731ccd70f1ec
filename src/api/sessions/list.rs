//! `GET /v1/identity/sessions`: filtered, newest first, keyset-paged, with an exact count
//! on request.

use super::resource::{self, SessionAttributes, SessionRelationships};
use crate::api::envelope::Resource;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use std::collections::HashMap;
use std::sync::Arc;

use super::PATH;
use super::written::{Stamp, Written};
use crate::api::auth::{Authorized, grant};
use crate::api::envelope::{self, ListDocument, ListMeta};
use crate::api::error::ApiError;
use crate::api::paging::{
    PageParams, Paging, Params, TOTAL_CAP, TimeFilter, list_param, time_param,
};
use crate::db::{self, DbPool};
use crate::domain::status::SessionStatus;
use crate::error::AppError;
use crate::service::reads;
use crate::store::paging::Cursor;
use crate::store::session_links::SessionLinks;
use crate::store::session_list::{self, Listed, SessionFilter};

/// The filters this list takes.
pub const FILTERS: &[&str] = &[
    "filter[status]",
    "filter[account]",
    "filter[entity_type]",
    "filter[session_device]",
    "filter[created_at_from]",
    "filter[created_at_to]",
];

fn uuid_param(params: &Params, name: &str) -> Result<Option<Uuid>, ApiError> {
    params
        .get(name)
        .map(|raw| {
            Uuid::parse_str(raw)
                .map_err(|_| ApiError::bad_parameter(name, format!("{name} must be a UUID")))
        })
        .transpose()
}

/// The filters as the OpenAPI document describes them; [`parse_filter`] reads them.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionFilters {
    /// Sessions in any of these statuses: a comma list (`completed,marked_for_review`).
    #[param(rename = "filter[status]", style = Form, explode = false, min_items = 1, inline)]
    pub status: Option<Vec<SessionStatus>>,
    /// Sessions of this account.
    #[param(rename = "filter[account]")]
    pub account: Option<Uuid>,
    /// `person`, the only entity type so far.
    #[param(rename = "filter[entity_type]", inline)]
    pub entity_type: Option<super::crud::EntityType>,
    /// Sessions started on this device.
    #[param(rename = "filter[session_device]")]
    pub session_device: Option<Uuid>,
    /// Created at or after this time: an RFC 3339 time, or a `YYYY-MM-DD` date (its first
    /// moment, UTC), from 1900 to 9999.
    #[param(rename = "filter[created_at_from]", value_type = Option<TimeFilter>, inline)]
    pub created_at_from: Option<String>,
    /// Created at or before this time; a bare date includes its whole day.
    #[param(rename = "filter[created_at_to]", value_type = Option<TimeFilter>, inline)]
    pub created_at_to: Option<String>,
}

/// Reads every filter, refusing the first that cannot be used.
pub fn parse_filter(params: &Params) -> Result<SessionFilter, ApiError> {
    let statuses = list_param::<SessionStatus>(params, "filter[status]")?;
    let entity_type = match params.get("filter[entity_type]") {
        None => None,
        Some("person") => Some("person".to_owned()),
        Some(_) => {
            return Err(ApiError::bad_parameter(
                "filter[entity_type]",
                "filter[entity_type] must be person",
            ));
        }
    };
    Ok(SessionFilter {
        statuses,
        account: uuid_param(params, "filter[account]")?,
        entity_type,
        device: uuid_param(params, "filter[session_device]")?,
        created_from: time_param(params, "filter[created_at_from]", false)?,
        created_before: time_param(params, "filter[created_at_to]", true)?,
    })
}

/// Lists sessions, newest first.
#[utoipa::path(
    get,
    path = "/v1/identity/sessions",
    operation_id = "listSessions",
    tag = "sessions",
    summary = "List sessions, newest first, filtered",
    description = "Needs the `sessions:read` permission.",
    security(("api_key" = [])),
    params(SessionFilters, PageParams),
    responses(
        (status = 200, description = "A page of sessions", body = ListDocument<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("updateSession" = (operation_id = "updateSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("startSession" = (operation_id = "startSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("submitSession" = (operation_id = "submitSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("approveSession" = (operation_id = "approveSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("declineSession" = (operation_id = "declineSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("markSessionForReview" = (operation_id = "markSessionForReview", parameters(("id" = "$response.body#/data/0/id")))),
                ("expireSession" = (operation_id = "expireSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("redactSession" = (operation_id = "redactSession", parameters(("id" = "$response.body#/data/0/id")))),
                ("nextPage" = (operation_id = "listSessions", parameters(("page[after]" = "$response.body#/meta/page/next_cursor")))),
            ),
        ),
        crate::api::responses::ListErrors,
    ),
)]
#[get("/sessions")]
pub async fn list(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    written: web::Data<Written>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = auth.key.id;
    let params = Params::parse(req.query_string(), FILTERS)?;
    let filter = parse_filter(&params)?;
    let paging = Paging::parse(&params)?;
    // One index-bounded scan, even with an exact total (it stops at its cap).
    let (page, data, total) = db::read_now(&pool, move |conn| {
        let stamp = written.stamp();
        let (rows, links) = session_list::page(conn, &filter, paging.at, paging.size)?;
        let page = paging.cut(rows, |s| Cursor {
            created_at: s.created_at,
            id: s.id,
        });
        let data = write_page(conn, &written, stamp, &page.rows, links)?;
        let total = match paging.total {
            true => Some(session_list::count(conn, &filter, TOTAL_CAP)?),
            false => None,
        };
        Ok((page, data, total))
    })
    .await?;
    reads::api_sessions_read(&state.reads, key, data.len());
    let (meta, links) = page.meta_and_links(PATH, &params, &paging, total);
    Ok(envelope::respond_written_list(
        StatusCode::OK,
        &data,
        &ListMeta { page: meta },
        &links,
    ))
}

/// The resources of a page's rows, as JSON, in the page's order: from memory where the
/// row's version and links are the ones it was written from, the others read whole in
/// one statement, written and kept. A row gone between the two reads is left out.
fn write_page(
    conn: &mut diesel::PgConnection,
    written: &Written,
    stamp: Stamp,
    rows: &[Listed],
    mut links: HashMap<Uuid, SessionLinks>,
) -> Result<Vec<Arc<[u8]>>, AppError> {
    // Every listed row has an entry (see `session_list::page`); one gone is listed bare.
    for row in rows {
        links.entry(row.id).or_default();
    }
    let mut data = written.get(rows.iter().map(|r| (r.id, r.version, &links[&r.id])));
    let missing: Vec<Uuid> = rows
        .iter()
        .zip(&data)
        .filter(|(_, hit)| hit.is_none())
        .map(|(r, _)| r.id)
        .collect();
    if !missing.is_empty() {
        let mut fresh = Vec::with_capacity(missing.len());
        let mut by_id = HashMap::with_capacity(missing.len());
        for (session, version) in session_list::by_ids(conn, &missing)? {
            let of = links.remove(&session.id).unwrap_or_default();
            let json: Arc<[u8]> = serde_json::to_vec(&resource::resource(&session, &of))
                .map_err(|e| AppError::Unexpected(e.into()))?
                .into();
            by_id.insert(session.id, json.clone());
            fresh.push((session.id, version, of, json));
        }
        written.put(stamp, fresh);
        for (row, slot) in rows.iter().zip(data.iter_mut()) {
            if slot.is_none() {
                *slot = by_id.remove(&row.id);
            }
        }
    }
    Ok(data.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_a_comma_list_of_known_ones() {
        let p = Params::parse("filter[status]=completed,%20failed,completed", FILTERS).unwrap();
        let f = parse_filter(&p).unwrap();
        assert_eq!(
            f.statuses,
            vec![SessionStatus::Completed, SessionStatus::Failed]
        );
        let p = Params::parse("filter[status]=completed,bogus", FILTERS).unwrap();
        assert!(parse_filter(&p).is_err());
    }

    #[test]
    fn bad_ids_and_times_name_their_parameter() {
        for q in [
            "filter[account]=nope",
            "filter[session_device]=1",
            "filter[created_at_from]=yesterday",
            "filter[entity_type]=company",
        ] {
            let p = Params::parse(q, FILTERS).unwrap();
            let e = parse_filter(&p).unwrap_err();
            let param = e.errors()[0]
                .source
                .as_ref()
                .and_then(|s| s.parameter.clone());
            assert_eq!(param.as_deref(), q.split('=').next(), "{q}");
        }
    }
}
