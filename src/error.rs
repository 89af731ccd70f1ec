//! One error type for every use case; each face (dashboard, API) renders it its own way.

use actix_web::http::StatusCode;

use crate::domain::kinds::Outcome;
use crate::domain::person::FieldError;
use crate::domain::status::SessionStatus;

/// What went wrong, in terms a handler can turn into a status code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or may not be seen): 404.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Signed in or keyed, but not allowed: 403.
    #[error("forbidden")]
    Forbidden,
    /// Not signed in, or no valid key: 401 (the dashboard redirects to the login page).
    #[error("authentication required")]
    Unauthenticated,
    /// A dashboard form without the session's CSRF token, or sent from another site: 403.
    #[error("this form has expired or came from another site; reload the page and try again")]
    BadCsrf,
    /// Input that does not follow the rules: 422 (or 400 for unreadable requests), naming
    /// each field.
    #[error("invalid input: {}", describe(.0))]
    Validation(Vec<FieldError>),
    /// The request is well-formed but the resource's state forbids it: 409.
    #[error("{0}")]
    Conflict(Conflict),
    /// A documented limit (documents per session, files per document) is reached: 409,
    /// the message naming the limit.
    #[error("{0}")]
    LimitReached(String),
    /// Too many attempts: 429 with `Retry-After` seconds.
    #[error("too many attempts")]
    TooManyRequests {
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// Postgres cannot be reached, or the pool is exhausted: 503.
    #[error("service unavailable")]
    Unavailable,
    /// A bug or an unforeseen failure: 500, opaque to the user, logged whole.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why a write was refused for the state of what it would change (409). Each face matches
/// on the variant, never on the words, and explains it in its own way.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Conflict {
    /// The session's personal data was erased; it takes no more writes.
    #[error("session is redacted")]
    Redacted,
    /// The session is not in a status the action may start from.
    #[error("session is {}: it cannot be {}", .status.label(), .action)]
    WrongStatus {
        /// Its status now.
        status: SessionStatus,
        /// What was refused, in the past tense ("approved", "expired").
        action: &'static str,
        /// The decision that closed it, when one did: who won the race, and when.
        decided: Option<Box<Decided>>,
    },
    /// Any other refusal, in words for the user.
    #[error("{0}")]
    Other(String),
}

/// A decision already on a session, for the loser of a race to be told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// `approved` or `declined`.
    pub outcome: Outcome,
    /// The deciding user's display name; `None` when an API key decided.
    pub by: Option<String>,
    /// When.
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    /// A 409 in plain words, for refusals no face needs to tell apart.
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict(Conflict::Other(message.into()))
    }

    /// A validation error on one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// A validation error on `field`, which names a resource that does not exist.
    pub fn missing(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::missing(field, message)])
    }

    /// The HTTP status this error stands for.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::BadCsrf => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::LimitReached(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user may be told: everything but an unexpected error's internals.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unexpected(_) => {
                "Something went wrong on our side. It has been logged.".to_owned()
            }
            AppError::Unavailable => {
                "The database is not reachable right now. Try again in a few seconds.".to_owned()
            }
            AppError::Forbidden => "Your role does not allow this page or action.".to_owned(),
            AppError::NotFound(what) => format!("No such {what}."),
            other => other.to_string(),
        }
    }

    /// Logs the error at a level matching its gravity; unexpected errors with their chain.
    pub fn log(&self) {
        match self {
            AppError::Unexpected(e) => tracing::error!(error = ?e, "unexpected error"),
            AppError::Unavailable => tracing::warn!("database unavailable"),
            _ => {}
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound("record"),
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) => {
                AppError::Unavailable
            }
            E::DatabaseError(K::SerializationFailure, _) => {
                AppError::conflict("the record was changed at the same time; try again")
            }
            // A broken connection surfaces as an unknown error with libpq's message.
            E::DatabaseError(K::Unknown, ref info) if is_connection_message(info.message()) => {
                AppError::Unavailable
            }
            other => AppError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

fn is_connection_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "server closed the connection",
        "terminating connection",
        "connection to server",
        "no connection to the server",
        "could not receive data",
        "could not send data",
        "the database system is shutting down",
        "the database system is starting up",
        "canceling statement due to statement timeout",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Unexpected(anyhow::anyhow!("template failed to render: {e}"))
    }
}
