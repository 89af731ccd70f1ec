//! Editing an applicant's personal data: one set of rules for the dashboard form, the API
//! PATCH and verification auto-update. The audit event lists the fields that changed, never
//! their values.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::IdentityClass;
use crate::domain::person::{self, FieldError, person_fields};
use crate::domain::status::SessionStatus;
use crate::error::{AppError, Conflict};
use crate::schema::sessions;
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{PersonChanges, PersonData, Session};

/// Personal data as typed: every field a string, blank meaning "clear it". `None` means
/// the field was not sent at all and stays as it is.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PersonForm {
    /// `person.name.first`
    pub first_name: Option<String>,
    /// `person.name.middle`
    pub middle_name: Option<String>,
    /// `person.name.last`
    pub last_name: Option<String>,
    /// `person.birth_date`, `YYYY-MM-DD`
    pub birth_date: Option<String>,
    /// `contact.email`
    pub email: Option<String>,
    /// `contact.phone`
    pub phone: Option<String>,
    /// `address.line1`
    pub address_line1: Option<String>,
    /// `address.line2`
    pub address_line2: Option<String>,
    /// `address.sublocality`
    pub address_sublocality: Option<String>,
    /// `address.locality`
    pub address_locality: Option<String>,
    /// `address.administrative_area`
    pub address_administrative_area: Option<String>,
    /// `address.postal_code`
    pub address_postal_code: Option<String>,
    /// `address.country_code`
    pub address_country_code: Option<String>,
    /// `identity_number.number`
    pub identity_number: Option<String>,
    /// `identity_number.issuing_country_code`
    pub identity_number_issuing_country_code: Option<String>,
    /// `identity_number.class`
    pub identity_number_class: Option<String>,
}

/// The API name of each form field, for error messages and audit events.
pub const FIELD_NAMES: &[(&str, &str)] = &[
    ("first_name", "person.name.first"),
    ("middle_name", "person.name.middle"),
    ("last_name", "person.name.last"),
    ("birth_date", "person.birth_date"),
    ("email", "contact.email"),
    ("phone", "contact.phone"),
    ("address_line1", "address.line1"),
    ("address_line2", "address.line2"),
    ("address_sublocality", "address.sublocality"),
    ("address_locality", "address.locality"),
    ("address_administrative_area", "address.administrative_area"),
    ("address_postal_code", "address.postal_code"),
    ("address_country_code", "address.country_code"),
    ("identity_number", "identity_number.number"),
    (
        "identity_number_issuing_country_code",
        "identity_number.issuing_country_code",
    ),
    ("identity_number_class", "identity_number.class"),
];

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

/// Parses every sent field, collecting an error for each bad one. Nothing is written
/// unless every field is valid.
pub fn parse(form: &PersonForm, today: NaiveDate) -> Result<PersonChanges, Vec<FieldError>> {
    let mut e = Vec::new();
    let c = PersonChanges {
        first_name: field(&mut e, &form.first_name, |v| {
            person::name("person.name.first", v)
        }),
        middle_name: field(&mut e, &form.middle_name, |v| {
            person::name("person.name.middle", v)
        }),
        last_name: field(&mut e, &form.last_name, |v| {
            person::name("person.name.last", v)
        }),
        birth_date: field(&mut e, &form.birth_date, |v| {
            person::birth_date("person.birth_date", v, today)
        }),
        email: field(&mut e, &form.email, |v| person::email("contact.email", v)),
        phone: field(&mut e, &form.phone, |v| person::phone("contact.phone", v)),
        address_line1: field(&mut e, &form.address_line1, |v| {
            person::text("address.line1", v, 200)
        }),
        address_line2: field(&mut e, &form.address_line2, |v| {
            person::text("address.line2", v, 200)
        }),
        address_sublocality: field(&mut e, &form.address_sublocality, |v| {
            person::text("address.sublocality", v, 100)
        }),
        address_locality: field(&mut e, &form.address_locality, |v| {
            person::text("address.locality", v, 100)
        }),
        address_administrative_area: field(&mut e, &form.address_administrative_area, |v| {
            person::text("address.administrative_area", v, 100)
        }),
        address_postal_code: field(&mut e, &form.address_postal_code, |v| {
            person::text("address.postal_code", v, 20)
        }),
        address_country_code: field(&mut e, &form.address_country_code, |v| {
            person::country_code("address.country_code", v)
        }),
        identity_number: field(&mut e, &form.identity_number, |v| {
            person::text("identity_number.number", v, 64)
        }),
        identity_number_issuing_country_code: field(
            &mut e,
            &form.identity_number_issuing_country_code,
            |v| person::country_code("identity_number.issuing_country_code", v),
        ),
        identity_number_class: field(&mut e, &form.identity_number_class, |v| {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<IdentityClass>()
                .map(|c| Some(c.as_str().to_owned()))
                .map_err(|err| FieldError::new("identity_number.class", err.to_string()))
        }),
    };
    if e.is_empty() { Ok(c) } else { Err(e) }
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
pub fn editable(status: &str) -> bool {
    status
        .parse::<SessionStatus>()
        .map(|s| !s.is_final())
        .unwrap_or(false)
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
    let current: Session = sessions::table
        .find(session_id)
        .select(Session::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound("session"))?;
    if current.redacted_at.is_some() {
        return Err(AppError::Conflict(Conflict::Redacted));
    }
    if !editable(&current.status) {
        return Err(AppError::conflict(format!(
            "session is {}: its personal data can no longer be edited",
            current.status.replace('_', " ")
        )));
    }
    let fields = changed_fields(&current.person, changes);
    if fields.is_empty() {
        return Ok((current, fields));
    }
    let updated: Session = diesel::update(sessions::table.find(session_id))
        .set((
            changes,
            sessions::updated_at.eq(Utc::now()),
            sessions::last_activity.eq(action),
        ))
        .returning(Session::as_returning())
        .get_result(conn)?;
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

#[cfg(test)]
mod tests;
