//! `GET /v1/identity/documents`: a session's documents (`filter[session]`) or all of them,
//! newest first, keyset-paged like every list. The permission and the read accounting are
//! those of reading the sessions they belong to.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{DocumentAttributes, DocumentRelationships, PATH, all_with_files};
use crate::api::auth::{Authorized, grant};
use crate::api::envelope::{self, ListDocument, ListMeta, Resource};
use crate::api::error::ApiError;
use crate::api::paging::{PageParams, Paging, Params, TOTAL_CAP, uuid_param};
use crate::db::{self, DbPool};
use crate::service::reads;
use crate::store::documents::{self as store, DocumentFilter};
use crate::store::paging::Cursor;

/// The filters the list takes.
pub const FILTERS: &[&str] = &["filter[session]"];

/// Reads every filter, refusing the first that cannot be used.
pub fn parse_filter(params: &Params) -> Result<DocumentFilter, ApiError> {
    Ok(DocumentFilter {
        session: uuid_param(params, "filter[session]")?,
    })
}

/// Lists documents, newest first.
#[utoipa::path(
    get,
    path = "/v1/identity/documents",
    operation_id = "listDocuments",
    tag = "documents",
    summary = "List documents, newest first: a session's, or all",
    description = "Needs the `sessions:read` permission; each session whose documents a page shows counts once as a read of it. A redacted session's documents have `mrz`, `reported` and file names null. A session with no documents (or no such session) gives an empty list.",
    security(("api_key" = [])),
    params(
        ("filter[session]" = Option<Uuid>, Query, description = "Documents of this session"),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of documents", body = ListDocument<Resource<DocumentAttributes, DocumentRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ListErrors,
    ),
)]
#[get("/documents")]
pub async fn list(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = auth.key.id;
    let params = Params::parse(req.query_string(), FILTERS)?;
    let filter = parse_filter(&params)?;
    let paging = Paging::parse(&params)?;
    let (page, data, total) = db::with_conn(&pool, move |conn| {
        let rows = store::page(conn, &filter, paging.at, paging.size)?;
        let page = paging.cut(rows, |d| Cursor {
            created_at: d.created_at,
            id: d.id,
        });
        let data = all_with_files(conn, &page.rows)?;
        let total = match paging.total {
            true => Some(store::count(conn, &filter, TOTAL_CAP)?),
            false => None,
        };
        Ok((page, data, total))
    })
    .await?;
    reads::api_session_data_read(&state.reads, key, page.rows.iter().map(|d| d.session_id));
    let (meta, links) = page.meta_and_links(PATH, &params, &paging, total);
    let doc = ListDocument {
        data,
        meta: ListMeta { page: meta },
        links,
    };
    Ok(envelope::respond(StatusCode::OK, &doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_session_filter_is_a_uuid_and_nothing_else_is_taken() {
        let id = Uuid::new_v4();
        let p = Params::parse(&format!("filter[session]={id}"), FILTERS).unwrap();
        assert_eq!(parse_filter(&p).unwrap().session, Some(id));
        let p = Params::parse("filter[session]=nope", FILTERS).unwrap();
        let e = parse_filter(&p).unwrap_err();
        let source = e.errors()[0].source.clone().unwrap();
        assert_eq!(source.parameter.as_deref(), Some("filter[session]"));
        assert!(Params::parse("filter[status]=pending", FILTERS).is_err());
    }
}
