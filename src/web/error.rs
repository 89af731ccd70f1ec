//! How the dashboard answers an [`AppError`]: an HTML page in the product's layout, never a
//! JSON body (the API renders the same errors itself, in `api::error`). Handlers return
//! `Result<HttpResponse, PageError>` and use `?` on anything that converts into an
//! `AppError`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::error::AppError;

/// An [`AppError`] on its way to the browser as an error page.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] pub AppError);

impl PageError {
    /// The HTML answer for `e`: its status, `Retry-After` when throttled, and the page.
    pub fn render(e: &AppError) -> HttpResponse {
        e.log();
        let mut builder = HttpResponse::build(e.status());
        if let AppError::TooManyRequests { retry_after } = e {
            builder.insert_header(("Retry-After", retry_after.to_string()));
        }
        builder
            .insert_header(("Cache-Control", "no-store"))
            .content_type("text/html; charset=utf-8")
            .body(super::page::error_page(e.status(), &e.public_message()))
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        PageError::render(&self.0)
    }
}

macro_rules! via_app_error {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                PageError(AppError::from(e))
            }
        })*
    };
}

via_app_error!(
    diesel::result::Error,
    diesel::r2d2::PoolError,
    actix_web::error::BlockingError,
    askama::Error,
);
