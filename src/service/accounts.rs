//! Creating integrators' accounts through the API: the integrator's own id is unique, and
//! a second account with the same one is a conflict, decided by Postgres's unique index
//! rather than by a read-then-write race.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::service::sessions::parse_external_id;
use crate::store::accounts::{self, Account, NewAccount};
use crate::store::events::{self, NewEvent};

/// The message of a duplicate `external_id`, which the API points at the attribute.
pub const DUPLICATE_EXTERNAL_ID: &str = "an account with this external_id already exists";

/// Creates an account, with an `account.created` event naming its id only.
pub fn create(
    conn: &mut PgConnection,
    external_id: Option<&str>,
    actor: Actor,
) -> Result<Account, AppError> {
    let external_id = external_id
        .map(|raw| parse_external_id("external_id", raw))
        .transpose()?;
    conn.transaction(|conn| {
        let new = NewAccount {
            external_id,
            ..NewAccount::default()
        };
        let account = match accounts::insert(conn, &new) {
            Ok(a) => a,
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(AppError::conflict(DUPLICATE_EXTERNAL_ID));
            }
            Err(e) => return Err(e.into()),
        };
        let event = NewEvent::new(actor, "account.created", None)
            .details(json!({ "account_id": account.id }));
        events::insert(conn, &event)?;
        Ok(account)
    })
}
