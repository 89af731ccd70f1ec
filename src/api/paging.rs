//! Query parameters and cursor paging shared by every list: `page[size]` (1 to 100,
//! default 15), `page[after]` and `page[before]` (opaque cursors over `(created_at, id)`),
//! `page[total]=true` (exact up to [`TOTAL_CAP`]), and the `links` that carry the filters
//! from page to page (`self`, `first`, `next`, `prev`), with `meta.page.has_next` and
//! `has_previous` for clients that test a flag rather than a cursor.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use super::envelope::{ListLinks, PageMeta};
use super::error::ApiError;
use crate::domain::dates;
use crate::store::paging::{self, Cursor, PageAt};

/// The default page size.
pub const DEFAULT_SIZE: i64 = 15;
/// The largest page size.
pub const MAX_SIZE: i64 = 100;

/// The largest `meta.page.total` counted exactly; past it a list says `total_capped`.
pub const TOTAL_CAP: i64 = 1000;

/// The paging parameters every list accepts besides its filters.
pub const PAGE_PARAMS: &[&str] = &["page[size]", "page[after]", "page[before]", "page[total]"];

/// A list's query string, read once: each parameter at most once, none unknown and none
/// blank, so a misspelt or empty filter is a 400 rather than a silently unfiltered list.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Reads `query`, allowing `filters` and the paging parameters.
    pub fn parse(query: &str, filters: &[&str]) -> Result<Self, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let known = filters.contains(&k.as_ref()) || PAGE_PARAMS.contains(&k.as_ref());
            if !known {
                let mut allowed: Vec<&str> = filters.to_vec();
                allowed.extend_from_slice(PAGE_PARAMS);
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!(
                        "{k} is not a parameter of this list; use {}",
                        allowed.join(", ")
                    ),
                )
                .parameter(&k));
            }
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return Err(ApiError::bad_parameter(
                    &k,
                    format!("{k} may be given once"),
                ));
            }
            if v.trim().is_empty() {
                return Err(ApiError::bad_parameter(
                    &k,
                    format!("{k} is blank: give it a value or leave it out"),
                ));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params { pairs })
    }

    /// A parameter's value, trimmed; `None` when absent (a blank one was refused).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The filters as given, for the paging links.
    fn filters(&self) -> impl Iterator<Item = &(String, String)> {
        self.pairs
            .iter()
            .filter(|(k, _)| !PAGE_PARAMS.contains(&k.as_str()))
    }
}

/// The paging parameters of every list, as the OpenAPI document describes them; the
/// handlers read them with [`Params`] and [`Paging::parse`].
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100 (default 15).
    #[param(rename = "page[size]", minimum = 1, maximum = 100)]
    pub size: Option<i64>,
    /// Cursor: the page after (older than) this one, from `meta.page.next_cursor`. A value
    /// this API did not hand out is a 400; so is giving both `page[after]` and
    /// `page[before]`.
    #[param(rename = "page[after]", value_type = Option<CursorValue>, inline)]
    pub after: Option<String>,
    /// Cursor: the page before (newer than) this one, from `meta.page.prev_cursor`.
    #[param(rename = "page[before]", value_type = Option<CursorValue>, inline)]
    pub before: Option<String>,
    /// `true` adds `meta.page.total` (exact up to 1,000; past it 1000 and
    /// `meta.page.total_capped: true`).
    #[param(rename = "page[total]")]
    pub total: Option<bool>,
}

/// A paging cursor as the OpenAPI document describes it.
pub struct CursorValue;

impl utoipa::PartialSchema for CursorValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(super::schema::CURSOR_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for CursorValue {}

/// A list's time filter as the OpenAPI document describes it: see [`time_param`].
pub struct TimeFilter;

impl utoipa::PartialSchema for TimeFilter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(super::schema::time_filter_pattern()))
            .into()
    }
}

impl utoipa::ToSchema for TimeFilter {}

/// Where a list starts and how much of it to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Rows per page.
    pub size: i64,
    /// Which page.
    pub at: PageAt,
    /// Whether to count every match.
    pub total: bool,
}

fn cursor(params: &Params, name: &str) -> Result<Option<Cursor>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(raw) => Cursor::decode(raw).map(Some).ok_or_else(|| {
            ApiError::bad_parameter(name, format!("{name} is not a cursor this API handed out"))
        }),
    }
}

impl Paging {
    /// Reads the paging parameters.
    pub fn parse(params: &Params) -> Result<Self, ApiError> {
        let size = match params.get("page[size]") {
            None => DEFAULT_SIZE,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_SIZE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "page[size]",
                        format!("page[size] must be a whole number from 1 to {MAX_SIZE}"),
                    )
                })?,
        };
        let at = match (
            cursor(params, "page[after]")?,
            cursor(params, "page[before]")?,
        ) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_parameter(
                    "page[before]",
                    "give page[after] or page[before], not both",
                ));
            }
            (Some(c), None) => PageAt::After(c),
            (None, Some(c)) => PageAt::Before(c),
            (None, None) => PageAt::First,
        };
        let total = match params.get("page[total]") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ApiError::bad_parameter(
                    "page[total]",
                    "page[total] must be true or false",
                ));
            }
        };
        Ok(Paging { size, at, total })
    }

    /// The cursors of the neighbours of the page a store read at [`Paging::at`].
    pub fn cut<T>(&self, page: paging::Page<T>, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
        let next = page.next(self.at).map(&cursor_of);
        let prev = page.previous(self.at).map(&cursor_of);
        Page {
            rows: page.rows,
            next,
            prev,
        }
    }
}

/// One page and the cursors of its neighbours.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows, newest first.
    pub rows: Vec<T>,
    /// The cursor for `page[after]`, when older rows exist.
    pub next: Option<Cursor>,
    /// The cursor for `page[before]`, when newer rows exist.
    pub prev: Option<Cursor>,
}

impl<T> Page<T> {
    /// `meta.page` and `links` for this page of the list at `path`.
    pub fn meta_and_links(
        &self,
        path: &str,
        params: &Params,
        paging: &Paging,
        total: Option<i64>,
    ) -> (PageMeta, ListLinks) {
        // The stores count to TOTAL_CAP + 1: one more than the cap means "more than it".
        let link = |cursor: Option<(&str, Cursor)>| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in params.filters() {
                q.append_pair(k, v);
            }
            q.append_pair("page[size]", &paging.size.to_string());
            if paging.total {
                q.append_pair("page[total]", "true");
            }
            if let Some((name, c)) = cursor {
                q.append_pair(name, &c.encode());
            }
            format!("{path}?{}", q.finish())
        };
        let self_cursor = match paging.at {
            PageAt::First => None,
            PageAt::After(c) => Some(("page[after]", c)),
            PageAt::Before(c) => Some(("page[before]", c)),
        };
        let meta = PageMeta {
            size: paging.size,
            next_cursor: self.next.map(|c| c.encode()),
            prev_cursor: self.prev.map(|c| c.encode()),
            has_next: self.next.is_some(),
            has_previous: self.prev.is_some(),
            total: total.map(|n| n.min(TOTAL_CAP)),
            total_capped: total.map(|n| n > TOTAL_CAP),
        };
        let links = ListLinks {
            self_: link(self_cursor),
            first: link(None),
            next: self.next.map(|c| link(Some(("page[after]", c)))),
            prev: self.prev.map(|c| link(Some(("page[before]", c)))),
        };
        (meta, links)
    }
}

/// A UUID filter (`filter[session]`), `None` when absent; anything else is a 400 naming it.
pub fn uuid_param(params: &Params, name: &str) -> Result<Option<Uuid>, ApiError> {
    params
        .get(name)
        .map(|raw| {
            Uuid::parse_str(raw)
                .map_err(|_| ApiError::bad_parameter(name, format!("{name} must be a UUID")))
        })
        .transpose()
}

/// A comma list of values (`filter[status]=completed,failed`): each item parsed as `T`,
/// repeats dropped; an empty item (`completed,,failed`) or an unknown one is a 400 naming
/// the parameter. Absent is an empty list.
pub fn list_param<T>(params: &Params, name: &str) -> Result<Vec<T>, ApiError>
where
    T: std::str::FromStr + PartialEq,
    T::Err: std::fmt::Display,
{
    let mut out = Vec::new();
    let Some(raw) = params.get(name) else {
        return Ok(out);
    };
    for part in raw.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(ApiError::bad_parameter(
                name,
                format!("{name} is a comma list without empty items"),
            ));
        }
        let value = part
            .parse::<T>()
            .map_err(|e| ApiError::bad_parameter(name, format!("{part:?} {e}")))?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

/// A time filter: an RFC 3339 timestamp, or a `YYYY-MM-DD` date meaning its first moment
/// (UTC). With `upper`, the bound is inclusive and returned as the first moment after it
/// (exclusive), so that `created_at_to=2026-11-25` includes all of that day. A value
/// outside 1900-01-01 to 9999-12-31 is a 400 naming the parameter.
pub fn time_param(
    params: &Params,
    name: &str,
    upper: bool,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(raw) = params.get(name) else {
        return Ok(None);
    };
    // An unencoded `+01:00` offset arrives as ` 01:00`: a query string's `+` is a space.
    let raw = &raw.replace(' ', "+");
    let out_of_range = || {
        ApiError::bad_parameter(
            name,
            format!("{name} must be a date or time from {}", dates::RANGE),
        )
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        let t = t.with_timezone(&Utc);
        if !dates::time_in_range(t) {
            return Err(out_of_range());
        }
        return Ok(Some(if upper {
            t + Duration::microseconds(1)
        } else {
            t
        }));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_parameter(
            name,
            format!("{name} must be an ISO 8601 date (2026-11-25) or time (2026-11-25T08:00:00Z)"),
        )
    })?;
    if !dates::date_in_range(date) {
        return Err(out_of_range());
    }
    let day = if upper { date.succ_opt() } else { Some(date) };
    Ok(day.map(|d| d.and_time(NaiveTime::MIN).and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(n: i64) -> Cursor {
        Cursor {
            created_at: DateTime::from_timestamp(n, 0).unwrap(),
            id: Uuid::nil(),
        }
    }

    #[test]
    fn sizes_outside_one_to_a_hundred_are_refused() {
        for bad in ["0", "101", "-1", "ten", "1.5"] {
            let p = Params::parse(&format!("page%5Bsize%5D={bad}"), &[]).unwrap();
            assert!(Paging::parse(&p).is_err(), "{bad}");
        }
        let p = Params::parse("page[size]=100", &[]).unwrap();
        assert_eq!(Paging::parse(&p).unwrap().size, 100);
    }

    #[test]
    fn unknown_repeated_and_blank_parameters_are_refused() {
        assert!(Params::parse("filter[bogus]=1", &["filter[status]"]).is_err());
        assert!(Params::parse("page[size]=1&page[size]=2", &[]).is_err());
        for blank in ["page[size]=", "page[after]=%20", "filter[status]"] {
            let e = Params::parse(blank, &["filter[status]"]).unwrap_err();
            assert_eq!(e.status().as_u16(), 400, "{blank}");
        }
    }

    #[test]
    fn pages_know_their_neighbours() {
        let paging = |at| Paging {
            size: 2,
            at,
            total: false,
        };
        let read = |rows, at| paging::Page::read_at(rows, 2, at);
        let first = paging(PageAt::First).cut(read(vec![5, 4, 3], PageAt::First), |n| c(*n));
        assert_eq!(
            (first.rows.clone(), first.next, first.prev),
            (vec![5, 4], Some(c(4)), None)
        );
        let at = PageAt::After(c(4));
        let last = paging(at).cut(read(vec![3], at), |n| c(*n));
        assert_eq!((last.next, last.prev), (None, Some(c(3))));
        // Read backwards from 3: 4, 5, and 6 beyond.
        let at = PageAt::Before(c(3));
        let back = paging(at).cut(read(vec![4, 5, 6], at), |n| c(*n));
        assert_eq!(
            (back.rows.clone(), back.next, back.prev),
            (vec![5, 4], Some(c(4)), Some(c(5)))
        );
    }

    #[test]
    fn meta_and_links_agree_on_the_neighbours_and_keep_the_filters() {
        let params =
            Params::parse("filter[status]=started&page[size]=2", &["filter[status]"]).unwrap();
        let paging = Paging::parse(&params).unwrap();
        let page = Page {
            rows: vec![1, 2],
            next: Some(c(4)),
            prev: None,
        };
        let (meta, links) = page.meta_and_links("/v1/x", &params, &paging, None);
        assert!(meta.has_next);
        assert!(!meta.has_previous);
        assert_eq!(meta.next_cursor, Some(c(4).encode()));
        assert_eq!(meta.prev_cursor, None);
        assert_eq!(
            links.first,
            "/v1/x?filter%5Bstatus%5D=started&page%5Bsize%5D=2"
        );
        assert_eq!(links.self_, links.first);
        assert_eq!(links.prev, None);

        let at = format!(
            "filter[status]=started&page[size]=2&page[after]={}",
            c(4).encode()
        );
        let params = Params::parse(&at, &["filter[status]"]).unwrap();
        let paging = Paging::parse(&params).unwrap();
        let page = Page {
            rows: vec![3],
            next: None,
            prev: Some(c(3)),
        };
        let (meta, links) = page.meta_and_links("/v1/x", &params, &paging, None);
        assert!(!meta.has_next);
        assert!(meta.has_previous);
        assert_eq!(
            links.first,
            "/v1/x?filter%5Bstatus%5D=started&page%5Bsize%5D=2"
        );
        assert_ne!(links.self_, links.first);
        assert!(links.prev.is_some() && links.next.is_none());
    }

    #[test]
    fn an_unencoded_plus_in_an_offset_is_read_back() {
        let p = Params::parse("from=2026-11-25T08:00:00+01:00", &["from"]).unwrap();
        let t = time_param(&p, "from", false).unwrap().unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T07:00:00+00:00");
    }

    #[test]
    fn a_bare_end_date_includes_its_whole_day() {
        let p = Params::parse("to=2026-11-25", &["to"]).unwrap();
        let t = time_param(&p, "to", true).unwrap().unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-26T00:00:00+00:00");
    }
}
