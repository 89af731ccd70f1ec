//! What every dashboard page shares: the signed-in user for the navigation, the CSRF token
//! for its forms, the flash message, and rendering with the right headers.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::auth::CurrentUser;
use super::cookie::{self, Flash};
use crate::web::error::PageError;

/// The base template's context.
pub struct Page {
    /// The signed-in user, for the navigation; `None` on the login and error pages.
    pub user: Option<CurrentUser>,
    /// The token every form on the page carries.
    pub csrf: String,
    /// A message left by the previous request.
    pub flash: Option<Flash>,
    /// Which navigation entry is current (`queue`, `queues`, `audit`, `admin`).
    pub nav: &'static str,
    /// The document title.
    pub title: String,
}

impl Page {
    /// A page for `user` (takes the pending flash message).
    pub fn new(
        session: &Session,
        user: Option<&CurrentUser>,
        nav: &'static str,
        title: impl Into<String>,
    ) -> Self {
        Page {
            user: user.cloned(),
            csrf: cookie::csrf_token(session),
            flash: cookie::take_flash(session),
            nav,
            title: title.into(),
        }
    }

    /// The label of the user's role, for the header.
    pub fn role_label(&self) -> &'static str {
        self.user.as_ref().map(|u| u.role.as_str()).unwrap_or("")
    }
}

/// Renders a template as an HTML response with `status`.
pub fn render_status<T: Template>(
    status: StatusCode,
    template: &T,
) -> Result<HttpResponse, PageError> {
    // Pages run to tens of kilobytes (a queue page of 50 rows is about 75 kB): room for
    // that at once, rather than growing the buffer by copies from askama's small guess.
    let mut body = String::with_capacity(PAGE_CAPACITY.max(T::SIZE_HINT));
    template.render_into(&mut body)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The buffer a page is rendered into starts this large.
const PAGE_CAPACITY: usize = 96 * 1024;

/// Renders a template as a 200 HTML response.
pub fn render<T: Template>(template: &T) -> Result<HttpResponse, PageError> {
    render_status(StatusCode::OK, template)
}

/// A 303 redirect, the answer to every successful form post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    heading: &'a str,
    message: &'a str,
}

/// A standalone HTML page for an error status: no navigation, no user data.
pub fn error_page(status: StatusCode, message: &str) -> String {
    let heading = match status.as_u16() {
        403 => "Not allowed",
        404 => "Not found",
        409 => "Already changed",
        422 | 400 => "Please check the form",
        429 => "Too many attempts",
        503 => "Temporarily unavailable",
        _ => "Something went wrong",
    };
    ErrorPage {
        status: status.as_u16(),
        heading,
        message,
    }
    .render()
    .unwrap_or_else(|_| format!("{} {}", status.as_u16(), heading))
}
