//! `GET /login`, `POST /login`, `POST /logout`, and `/` which sends each user to their
//! starting page.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::auth::MaybeUser;
use super::cookie;
use super::csrf::CsrfForm;
use super::page::{self, Page};
use crate::db::DbPool;
use crate::service::auth::{self as auth_service, SignInError};
use crate::web::error::PageError;

/// The one text shown for any failed sign-in, so that it tells nothing about which part
/// was wrong.
pub const GENERIC_FAILURE: &str = "That username and password do not match an active account.";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    next: String,
    username: String,
    error: Option<String>,
}

/// Where to go after sign-in: a local path only. Anything that could leave this host
/// (`//evil.example`, `https://evil.example`, `/\evil.example`) lands on the queue instead.
pub fn safe_next(next: Option<&str>) -> String {
    let fallback = "/sessions".to_owned();
    let Some(next) = next.map(str::trim) else {
        return fallback;
    };
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains("://")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next.starts_with("/login")
        && next.len() <= 2000;
    if local { next.to_owned() } else { fallback }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// The sign-in page; a signed-in user goes straight on.
#[get("/login")]
pub async fn login_page(
    session: Session,
    user: MaybeUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(query.next.as_deref());
    if user.0.is_some() {
        return Ok(page::see_other(&next));
    }
    page::render(&LoginPage {
        page: Page::new(&session, None, "", "Sign in"),
        next,
        username: String::new(),
        error: None,
    })
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Checks the credentials; on success renews the session and goes to the page first asked
/// for.
#[post("/login")]
pub async fn login(
    req: HttpRequest,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let LoginForm {
        username,
        password,
        next,
    } = form.0;
    let next = safe_next(next.as_deref());
    let ip = crate::http::client::client_ip(&req);
    let owes = super::mfa::owes_second_factor(&req);
    let outcome = auth_service::sign_in(&pool, &username, &password, &ip, owes).await;
    let failure = |status: StatusCode, message: &str| {
        page::render_status(
            status,
            &LoginPage {
                page: Page::new(&session, None, "", "Sign in"),
                next: next.clone(),
                username: username.chars().take(64).collect(),
                error: Some(message.to_owned()),
            },
        )
    };
    match outcome {
        Ok(user) => {
            // A second factor, or its required enrolment, comes before the sign-in.
            if let Some(step) = super::mfa::second_step(&req, &session, &user, &next).await? {
                return Ok(step);
            }
            let landing = cookie::begin(&session, &user, &next)?;
            Ok(page::see_other(&landing))
        }
        Err(SignInError::Invalid) => failure(StatusCode::UNAUTHORIZED, GENERIC_FAILURE),
        Err(SignInError::Throttled(seconds)) => throttled(seconds, "sign-ins", failure),
        Err(SignInError::App(e)) => Err(PageError::from(e)),
    }
}

/// A throttled sign-in step (the password, or the code after it): the step's page, drawn
/// by `render` with a message naming the wait, as 429 with `Retry-After: seconds`, so both
/// steps word and time a lock-out alike. `what` names the attempts that failed.
pub fn throttled(
    seconds: u64,
    what: &str,
    render: impl FnOnce(StatusCode, &str) -> Result<HttpResponse, PageError>,
) -> Result<HttpResponse, PageError> {
    let minutes = seconds.div_ceil(60);
    let mut response = render(
        StatusCode::TOO_MANY_REQUESTS,
        &format!(
            "Too many failed {what}. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        ),
    )?;
    response.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from(seconds),
    );
    Ok(response)
}

/// An empty form: sign-out carries nothing but its CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// Signs out everywhere: the user's session epoch moves on, so every copy of every cookie
/// of theirs stops working.
#[post("/logout")]
pub async fn logout(
    req: HttpRequest,
    session: Session,
    pool: web::Data<DbPool>,
    user: MaybeUser,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    if let Some(user) = user.0 {
        let ip = crate::http::client::client_ip(&req);
        crate::db::with_conn(&pool, move |conn| {
            auth_service::sign_out(conn, user.id, &ip)
        })
        .await?;
    }
    // A new, empty session that carries only the goodbye (a purged one would drop it).
    session.clear();
    session.renew();
    cookie::flash(&session, "info", "You have signed out.");
    Ok(page::see_other("/login"))
}

/// `/`: the queue for a signed-in user, the sign-in page otherwise.
#[get("/")]
pub async fn home(user: MaybeUser) -> HttpResponse {
    match user.0 {
        Some(u) if u.can_oversee() && !u.is_admin() => page::see_other("/queues"),
        Some(_) => page::see_other("/sessions"),
        None => page::see_other("/login"),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/sessions/abc?status=completed")),
            "/sessions/abc?status=completed"
        );
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil.example",
            "/x\\y",
            "/login",
        ] {
            assert_eq!(safe_next(Some(evil)), "/sessions", "{evil}");
        }
        assert_eq!(safe_next(None), "/sessions");
    }
}
