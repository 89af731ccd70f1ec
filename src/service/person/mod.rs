//! Editing an applicant's personal data: one set of rules for the dashboard form, the API
//! PATCH and verification auto-update. The audit event lists the fields that changed, never
//! their values.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::person::{FieldError, FieldKind, person_fields};
use crate::domain::status::SessionStatus;
use crate::error::{AppError, Conflict};
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{self as store_sessions, PersonChanges, PersonData, Session};

macro_rules! person_form {
    ($( $column:ident {
        api: $api:expr, kind: $kind:ty, label: $label:literal, words: $words:literal,
        input: $input:literal, new_form: $new:literal,
    } )*) => {
        /// Personal data as typed: every field a string, blank meaning "clear it". `None`
        /// means the field was not sent at all and stays as it is.
        #[derive(Debug, Clone, Default, serde::Deserialize)]
        pub struct PersonForm {
            $(
                #[doc = concat!("`", $api, "`")]
                pub $column: Option<String>,
            )*
        }

        impl PersonForm {
            /// Every field as the session holds it: the edit form before anything is typed.
            pub fn of(data: &PersonData) -> PersonForm {
                PersonForm {
                    $( $column: data.$column.as_ref().map(ToString::to_string), )*
                }
            }

            /// What the field with this column holds, blank when nothing: a form row's value.
            pub fn value(&self, column: &str) -> &str {
                match column {
                    $( stringify!($column) => self.$column.as_deref(), )*
                    _ => None,
                }
                .unwrap_or("")
            }

            /// The same form with only the values `keep(column, value)` accepts; the others
            /// count as not sent.
            pub fn retain(&self, keep: impl Fn(&str, &str) -> bool) -> PersonForm {
                PersonForm {
                    $( $column: self.$column.clone().filter(|v| keep(stringify!($column), v)), )*
                }
            }
        }

        /// Parses every sent field by the rules of its kind, collecting an error for each bad
        /// one. Nothing is written unless every field is valid.
        pub fn parse(form: &PersonForm, today: NaiveDate) -> Result<PersonChanges, Vec<FieldError>> {
            let mut e = Vec::new();
            let c = PersonChanges {
                $(
                    $column: field(&mut e, &form.$column, |v| {
                        <$kind as FieldKind>::parse($api, v, today)
                    }),
                )*
            };
            if e.is_empty() { Ok(c) } else { Err(e) }
        }
    };
}
person_fields!(flat person_form);

fn field<T>(
    errors: &mut Vec<FieldError>,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Result<Option<T>, FieldError>,
) -> Option<Option<T>> {
    let raw = raw.as_deref()?;
    match parse(raw) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

macro_rules! changed_fields {
    ($( $column:ident {
        api: $api:expr, kind: $kind:ty, label: $label:literal, words: $words:literal,
        input: $input:literal, new_form: $new:literal,
    } )*) => {
        /// The API names of the fields whose values `changes` would alter on `current`.
        pub fn changed_fields(current: &PersonData, c: &PersonChanges) -> Vec<&'static str> {
            fn differs<T: PartialEq>(new: &Option<Option<T>>, old: &Option<T>) -> bool {
                matches!(new, Some(v) if v != old)
            }
            let mut changed = Vec::new();
            $(
                if differs(&c.$column, &current.$column) {
                    changed.push($api);
                }
            )*
            changed
        }
    };
}
person_fields!(flat changed_fields);

/// Whether a session's personal data may still be edited: not once it is decided, expired
/// or redacted — what was decided on stays as it was.
pub fn editable(status: SessionStatus) -> bool {
    !status.is_final()
}

/// Writes `changes` onto the session inside the caller's transaction, with a
/// `session.person_updated` event listing the changed fields (none written when nothing
/// changed). The row is locked first so that a concurrent redaction or decision is
/// either fully before or fully after this edit.
pub fn update_in(
    conn: &mut PgConnection,
    session_id: Uuid,
    changes: &PersonChanges,
    actor: Actor,
) -> Result<(Session, Vec<&'static str>), AppError> {
    write_in(
        conn,
        session_id,
        changes,
        actor,
        "session.person_updated",
        json!({}),
    )
}

/// [`update_in`] recorded as `action`, with `extra` merged into the event's details (a
/// verification's id, for an auto-update). `extra` must hold ids only, never values.
pub fn write_in(
    conn: &mut PgConnection,
    session_id: Uuid,
    changes: &PersonChanges,
    actor: Actor,
    action: &str,
    extra: serde_json::Value,
) -> Result<(Session, Vec<&'static str>), AppError> {
    let current: Session =
        store_sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
    if current.redacted_at.is_some() {
        return Err(AppError::Conflict(Conflict::Redacted));
    }
    if !editable(current.status) {
        return Err(AppError::conflict(format!(
            "session is {}: its personal data can no longer be edited",
            current.status.label()
        )));
    }
    let fields = changed_fields(&current.person, changes);
    if fields.is_empty() {
        return Ok((current, fields));
    }
    let updated = store_sessions::update_person(conn, session_id, changes, action, Utc::now())?;
    let mut details = json!({ "fields": fields });
    if let (Some(d), Some(extra)) = (details.as_object_mut(), extra.as_object()) {
        d.extend(extra.clone());
    }
    let event = NewEvent::new(actor, action, Some(session_id)).details(details);
    events::insert(conn, &event)?;
    Ok((updated, fields))
}

/// [`update_in`] in a transaction of its own.
pub fn update(
    conn: &mut PgConnection,
    session_id: Uuid,
    changes: &PersonChanges,
    actor: Actor,
) -> Result<(Session, Vec<&'static str>), AppError> {
    conn.transaction(|conn| update_in(conn, session_id, changes, actor))
}

/// The API names of the fields a new session's changes set (every `Some`).
pub fn changed_fields_of_new(c: &PersonChanges) -> Vec<&'static str> {
    changed_fields(&PersonData::default(), c)
}

pub mod from_document;

#[cfg(test)]
mod tests;
