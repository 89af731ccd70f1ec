//! The applicant's capture flow at `/c/{token}`: no sign-in, its own small layout, every
//! text from the language catalogues ([`i18n`]), every step a plain form that works with
//! JavaScript off (`static/capture.js` adds previews, downscaling of large camera photos,
//! and the screen size). Each step is one call into `service::capture`.
//!
//! Every answer here carries `Cache-Control: no-store` and `Referrer-Policy: no-referrer`
//! (the token is in the URL), is rate-limited per link and per address, and a link that
//! does not work — unknown, expired, revoked, used — is the same plain 404 page, which
//! says nothing about any session.

pub mod i18n;
mod pages;
mod routes;
mod shell;
mod steps;
mod upload;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::capture::Step;
use crate::error::AppError;
use crate::http::client::client_ip;
use crate::service::capture::{self, Visit};
use crate::web::error::PageError;
use i18n::Tr;

/// The flow's routes (the fixed `/c/done` before `/c/{token}`).
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(routes::done)
        .service(routes::entry)
        .service(routes::file)
        .service(routes::show)
        .service(steps::consent)
        .service(steps::data)
        .service(steps::document)
        .service(steps::photos)
        .service(steps::address)
        .service(steps::submit);
}

/// The headers every capture answer carries, whatever else it is.
fn seal(mut response: HttpResponse) -> HttpResponse {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    // The file inputs may open the camera.
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
    response
}

/// Renders `template` with `status`, sealed.
fn render<T: Template>(status: StatusCode, template: &T) -> Result<HttpResponse, PageError> {
    let body = template.render()?;
    Ok(seal(
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
    ))
}

/// A 303 to `location`, sealed.
fn see_other(location: &str) -> HttpResponse {
    seal(
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish(),
    )
}

/// The applicant's language: `?lang=` (remembered in a cookie), else the cookie, else
/// `Accept-Language`.
pub fn language(req: &HttpRequest) -> Tr {
    let chosen = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| i18n::shipped(&v));
    let remembered = req
        .cookie(i18n::COOKIE)
        .and_then(|c| i18n::shipped(c.value()));
    let code = chosen.or(remembered).unwrap_or_else(|| {
        i18n::negotiate(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        )
    });
    Tr::new(code)
}

/// Keeps a `?lang=` choice in a cookie on `response`.
fn remember_language(req: &HttpRequest, t: &Tr, mut response: HttpResponse) -> HttpResponse {
    let chosen =
        url::form_urlencoded::parse(req.query_string().as_bytes()).any(|(k, _)| k == "lang");
    if chosen {
        let cookie = actix_web::cookie::Cookie::build(i18n::COOKIE, t.code)
            .path("/c")
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(30))
            .finish();
        // A cookie that cannot be added only means the choice is not remembered.
        let _ = response.add_cookie(&cookie);
    }
    response
}

#[derive(Template)]
#[template(path = "capture/message.html")]
struct Message {
    t: Tr,
    title: String,
    body: String,
}

/// A page of one heading and one paragraph (`<key>-title`, `<key>-body`) with `status`:
/// the dead link, too many requests, the done page.
fn message(t: Tr, key: &str, status: StatusCode) -> Result<HttpResponse, PageError> {
    let page = Message {
        title: t.t(&format!("{key}-title")),
        body: t.t(&format!("{key}-body")),
        t,
    };
    render(status, &page)
}

/// The page of a link that does not work: 404, nothing about any session.
fn dead(t: Tr) -> Result<HttpResponse, PageError> {
    message(t, "dead", StatusCode::NOT_FOUND)
}

/// 429 with `Retry-After`, in the applicant's language.
fn too_many(t: Tr, retry_after: u64) -> Result<HttpResponse, PageError> {
    let mut response = message(t, "too-many", StatusCode::TOO_MANY_REQUESTS)?;
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Ok(response)
}

/// A request through a link: the applicant's language and the live visit.
struct Through {
    t: Tr,
    visit: Visit,
    /// `/c/<token>`, the base of the flow's URLs.
    base: String,
}

/// Counts the request against the link's and the address's limits, then opens the live
/// visit of `token`: `Err` holds the answer to send instead (429 or the dead-link page).
async fn through(
    pool: &DbPool,
    state: &AppState,
    req: &HttpRequest,
    token: &str,
) -> Result<Result<Through, HttpResponse>, PageError> {
    let t = language(req);
    let limited = state
        .capture_per_address
        .hit(&client_ip(req))
        .and_then(|()| state.capture_per_link.hit(token));
    if let Err(wait) = limited {
        return too_many(t, wait).map(Err);
    }
    let Some(hash) = capture::hash_token(token) else {
        return dead(t).map(Err);
    };
    let visit = db::with_conn(pool, move |conn| capture::open(conn, &hash)).await?;
    match visit {
        Some(visit) => Ok(Ok(Through {
            t,
            visit,
            base: format!("/c/{token}"),
        })),
        None => dead(t).map(Err),
    }
}

/// The answer when a write finds the link dead meanwhile, or anything else went wrong.
fn failed(t: Tr, e: AppError) -> Result<HttpResponse, PageError> {
    match e {
        AppError::NotFound(_) => dead(t),
        other => Err(other.into()),
    }
}

/// Where the visit continues: its first unfinished step.
fn current_url(base: &str, visit: &Visit) -> String {
    step_url(base, visit.progress.current())
}

fn step_url(base: &str, step: Step) -> String {
    format!("{base}/{}", step.slug())
}
