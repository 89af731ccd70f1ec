//! Cross-site request forgery defences for the dashboard: every form carries the session's
//! token (compared in constant time by [`CsrfForm`]), and every state-changing request
//! from a browser must come from this origin ([`check_origin`]).

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::cookie;
use crate::error::AppError;
use crate::web::error::PageError;

/// The name of the hidden form field.
pub const FIELD: &str = "csrf_token";

/// The largest form body accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A URL-encoded form whose CSRF token matched the session's. Anything else is a 403 and
/// the handler never runs, so nothing is written.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let bytes = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = bytes.await.map_err(|_| {
                PageError::from(AppError::field("form", "the form could not be read"))
            })?;
            if body.len() > MAX_FORM_BYTES {
                return Err(
                    PageError::from(AppError::field("form", "the form is too large")).into(),
                );
            }
            let sent = url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == FIELD)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let expected = cookie::stored_csrf_token(&req.get_session()).unwrap_or_default();
            if expected.is_empty()
                || !crate::http::constant_time_eq(sent.as_bytes(), expected.as_bytes())
            {
                return Err(PageError::from(AppError::BadCsrf).into());
            }
            let form = serde_urlencoded::from_bytes::<T>(&body).map_err(|e| {
                PageError::from(AppError::field(
                    "form",
                    format!("the form is malformed: {e}"),
                ))
            })?;
            Ok(CsrfForm(form))
        })
    }
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a state-changing dashboard request that a browser says came from another site
/// (`Sec-Fetch-Site`) or another origin (`Origin`). The JSON API, authenticated by keys
/// rather than cookies, is left to its own checks.
pub async fn check_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_state_changing(req.method())
        && !req.path().starts_with("/v1/")
        && !same_origin(req.request())
    {
        let response = PageError::render(&AppError::BadCsrf);
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn same_origin(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) {
        // A page sent with `Referrer-Policy: no-referrer` (the applicant's capture pages,
        // whose URL holds a token) posts with `Origin: null`: then only the browser's own
        // `Sec-Fetch-Site` can vouch for it.
        if origin == "null" {
            return headers
                .get("sec-fetch-site")
                .is_some_and(|v| v.as_bytes() == b"same-origin");
        }
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return !host.is_empty() && origin_host.eq_ignore_ascii_case(host);
    }
    true
}
