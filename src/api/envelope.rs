//! JSON:API documents: `{"data": {"type", "id", "attributes", "relationships"}}` for one
//! resource, plus `meta.page` and `links` for a list. Plain serde structs, so that an
//! OpenAPI schema can be derived from the very types that are sent.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

/// The media type of every API response.
pub const CONTENT_TYPE: &str = "application/vnd.api+json";

/// A timestamp as the API writes it: ISO 8601 in UTC with microseconds and a `Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    use crate::domain::dates::{put_date_and_minute, put_digits};
    use chrono::{Datelike, Timelike};
    // Digit by digit into a fixed template: a list of 50 sessions writes some 500 of these,
    // and chrono's general formatter was 4 % of the list's server time. Years outside four
    // digits and leap seconds are left to chrono.
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return t.to_rfc3339_opts(SecondsFormat::Micros, true);
    }
    let mut buf = *b"0000-00-00T00:00:00.000000Z";
    put_date_and_minute(&mut buf, t);
    put_digits(&mut buf[17..19], t.second());
    put_digits(&mut buf[20..26], nanos / 1000);
    String::from_utf8_lossy(&buf).into_owned()
}

/// [`timestamp`] of an optional time.
pub fn maybe_timestamp(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(timestamp)
}

/// A reference to another resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Linkage {
    /// Its type (`account`, `document/idv`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: Uuid,
}

impl Linkage {
    /// A reference to `kind` `id`.
    pub fn new(kind: impl Into<String>, id: Uuid) -> Self {
        Linkage {
            kind: kind.into(),
            id,
        }
    }
}

/// A to-one relationship; `data` is null when there is nothing to link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ToOne {
    /// The linked resource.
    pub data: Option<Linkage>,
}

/// A to-one relationship with where to fetch the linked resource: `links.related` is set
/// exactly when `data` is (a session's device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ToOneRelated {
    /// The linked resource.
    #[schema(required = true)]
    pub data: Option<Linkage>,
    /// `{"related": "/v1/identity/..."}`, the linked resource's URL path; null with `data`.
    #[schema(required = true)]
    pub links: Option<RelatedLinks>,
}

/// A to-many relationship with where to list the linked resources, page by page (a
/// session's documents and verifications).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ToManyRelated {
    /// The linked resources, oldest first.
    pub data: Vec<Linkage>,
    /// `{"related": "/v1/identity/...?filter[session]=..."}`
    pub links: RelatedLinks,
}

/// A relationship known only by where to fetch it (an account's sessions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Related {
    /// `{"related": "/v1/identity/..."}`
    pub links: RelatedLinks,
}

/// The link of a [`Related`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RelatedLinks {
    /// Where the related resources are listed.
    pub related: String,
}

/// The link to a resource itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SelfLink {
    /// The resource's URL path.
    #[serde(rename = "self")]
    pub self_: String,
}

/// One resource object.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Resource<A, R> {
    /// The resource type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its id.
    pub id: Uuid,
    /// Its fields.
    pub attributes: A,
    /// What it links to.
    pub relationships: R,
    /// Where it lives.
    pub links: SelfLink,
}

/// A document carrying one resource.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Document<T> {
    /// The resource.
    pub data: T,
}

/// The paging facts of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PageMeta {
    /// The page size used.
    pub size: i64,
    /// The cursor of the next (older) page, when there is one.
    pub next_cursor: Option<String>,
    /// The cursor of the previous (newer) page, when there is one.
    pub prev_cursor: Option<String>,
    /// Whether a next (older) page exists: `next_cursor` and `links.next` are set exactly
    /// when it is true.
    pub has_next: bool,
    /// Whether a previous (newer) page exists: `prev_cursor` and `links.prev` are set
    /// exactly when it is true.
    pub has_previous: bool,
    /// How many resources match the filters, when `page[total]=true` asked for it: exact up
    /// to 1,000, and 1000 with `total_capped` true when more match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// Whether more than `total` match (the count stopped at 1,000); sent with `total`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_capped: Option<bool>,
}

/// A list's `meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListMeta {
    /// Paging.
    pub page: PageMeta,
}

/// A list's `links`: this page and its neighbours, with every filter kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListLinks {
    /// This page.
    #[serde(rename = "self")]
    pub self_: String,
    /// The first page, with the same filters and page size.
    pub first: String,
    /// The next (older) page, or null on the last.
    pub next: Option<String>,
    /// The previous (newer) page, or null on the first.
    pub prev: Option<String>,
}

/// A document carrying a page of resources.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListDocument<T> {
    /// The resources, newest first.
    pub data: Vec<T>,
    /// Paging facts.
    pub meta: ListMeta,
    /// Paging links.
    pub links: ListLinks,
}

/// A JSON:API response with `status`.
pub fn respond<T: Serialize>(status: StatusCode, body: &T) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.content_type(CONTENT_TYPE);
    // Written into room for a resource or a short list at once, not grown by copies from
    // a few bytes; a value that cannot be written is reported as actix reports it.
    let mut buf = Vec::with_capacity(RESPONSE_CAPACITY);
    match serde_json::to_writer(&mut buf, body) {
        Ok(()) => response.body(buf),
        Err(_) => response.json(body),
    }
}

/// A list response whose resources were written before, each as JSON: the document
/// [`ListDocument`] would write, with `data` assembled from them rather than serialized.
pub fn respond_written_list(
    status: StatusCode,
    data: &[std::sync::Arc<[u8]>],
    meta: &ListMeta,
    links: &ListLinks,
) -> HttpResponse {
    let size: usize = data.iter().map(|d| d.len() + 1).sum();
    let mut buf = Vec::with_capacity(size + 1024);
    buf.extend_from_slice(b"{\"data\":[");
    for (i, resource) in data.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(resource);
    }
    buf.extend_from_slice(b"],\"meta\":");
    let tail = serde_json::to_writer(&mut buf, meta).and_then(|()| {
        buf.extend_from_slice(b",\"links\":");
        serde_json::to_writer(&mut buf, links)
    });
    match tail {
        Ok(()) => {
            buf.push(b'}');
            HttpResponse::build(status)
                .content_type(CONTENT_TYPE)
                .body(buf)
        }
        Err(e) => actix_web::ResponseError::error_response(&crate::api::error::ApiError::from(
            crate::error::AppError::Unexpected(e.into()),
        )),
    }
}

/// The buffer a response is written into starts this large: a resource fits; a list of 50
/// sessions (about 70 kB) grows it by doubling, three times.
const RESPONSE_CAPACITY: usize = 16 * 1024;

/// 201 with the new resource and its `Location`.
pub fn created<T: Serialize>(location: &str, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .content_type(CONTENT_TYPE)
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_read_as_chrono_writes_them() {
        let times = [
            Utc.with_ymd_and_hms(2026, 12, 1, 22, 30, 5).unwrap(),
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::nanoseconds(999_999_999),
            Utc.with_ymd_and_hms(2024, 2, 29, 9, 7, 3).unwrap()
                + chrono::Duration::microseconds(4_321),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-5, 6, 7, 8, 9, 10).unwrap(),
            Utc::now(),
        ];
        for t in times {
            assert_eq!(timestamp(t), t.to_rfc3339_opts(SecondsFormat::Micros, true));
        }
    }
}
