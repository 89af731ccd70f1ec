//! `/v1/identity/sessions`: create, list, get and PATCH (`crud`, `list`), and the lifecycle
//! actions (`actions`, and `review` for mark-for-review). Every write goes through the same services as the dashboard.

pub mod actions;
pub mod capture;
pub mod crud;
pub mod input;
pub mod list;
pub mod resource;
pub mod resubmission;
pub mod review;
pub mod written;

use diesel::PgConnection;

use self::resource::SessionResource;
use crate::error::AppError;
use crate::store::session_links;
use crate::store::sessions::Session;

/// Where sessions live.
pub const PATH: &str = "/v1/identity/sessions";

/// The resource of `session`, with its relationships read in the caller's connection.
pub fn with_links(conn: &mut PgConnection, session: &Session) -> Result<SessionResource, AppError> {
    let links = session_links::for_sessions(conn, &[session.id])?
        .remove(&session.id)
        .unwrap_or_default();
    Ok(resource::resource(session, &links))
}
