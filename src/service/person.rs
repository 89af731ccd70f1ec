//! Editing an applicant's personal data: one set of rules for the dashboard form, the API
//! PATCH and verification auto-update. The audit event lists the fields that changed, never
//! their values.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::{ActorType, IdentityClass};
use crate::domain::person::{self, FieldError};
use crate::domain::status::SessionStatus;
use crate::error::{AppError, Conflict};
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{self as store_sessions, PersonChanges, Session};

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
                .map(Some)
                .map_err(|err| FieldError::new("identity_number.class", err.to_string()))
        }),
    };
    if e.is_empty() { Ok(c) } else { Err(e) }
}

/// The API names of the fields whose values `changes` would alter on `current`.
pub fn changed_fields(current: &Session, c: &PersonChanges) -> Vec<&'static str> {
    fn differs<T: PartialEq>(new: &Option<Option<T>>, old: &Option<T>) -> bool {
        matches!(new, Some(v) if v != old)
    }
    let checks = [
        (
            "person.name.first",
            differs(&c.first_name, &current.first_name),
        ),
        (
            "person.name.middle",
            differs(&c.middle_name, &current.middle_name),
        ),
        (
            "person.name.last",
            differs(&c.last_name, &current.last_name),
        ),
        (
            "person.birth_date",
            differs(&c.birth_date, &current.birth_date),
        ),
        ("contact.email", differs(&c.email, &current.email)),
        ("contact.phone", differs(&c.phone, &current.phone)),
        (
            "address.line1",
            differs(&c.address_line1, &current.address_line1),
        ),
        (
            "address.line2",
            differs(&c.address_line2, &current.address_line2),
        ),
        (
            "address.sublocality",
            differs(&c.address_sublocality, &current.address_sublocality),
        ),
        (
            "address.locality",
            differs(&c.address_locality, &current.address_locality),
        ),
        (
            "address.administrative_area",
            differs(
                &c.address_administrative_area,
                &current.address_administrative_area,
            ),
        ),
        (
            "address.postal_code",
            differs(&c.address_postal_code, &current.address_postal_code),
        ),
        (
            "address.country_code",
            differs(&c.address_country_code, &current.address_country_code),
        ),
        (
            "identity_number.number",
            differs(&c.identity_number, &current.identity_number),
        ),
        (
            "identity_number.issuing_country_code",
            differs(
                &c.identity_number_issuing_country_code,
                &current.identity_number_issuing_country_code,
            ),
        ),
        (
            "identity_number.class",
            differs(&c.identity_number_class, &current.identity_number_class),
        ),
    ];
    checks
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect()
}

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
    let fields = changed_fields(&current, changes);
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
    changed_fields(&blank_session(), c)
}

fn blank_session() -> Session {
    Session {
        id: Uuid::nil(),
        account_id: Uuid::nil(),
        status: SessionStatus::Created,
        previous_status: None,
        entity_type: String::new(),
        creator_type: ActorType::System,
        creator_id: None,
        required_verifications: Vec::new(),
        first_name: None,
        middle_name: None,
        last_name: None,
        birth_date: None,
        email: None,
        phone: None,
        address_line1: None,
        address_line2: None,
        address_sublocality: None,
        address_locality: None,
        address_administrative_area: None,
        address_postal_code: None,
        address_country_code: None,
        identity_number: None,
        identity_number_issuing_country_code: None,
        identity_number_class: None,
        assigned_to: None,
        assigned_at: None,
        decision: None,
        decision_reason: None,
        decision_comment: None,
        decided_by_type: None,
        decided_by: None,
        last_activity: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        started_at: None,
        submitted_at: None,
        completed_at: None,
        failed_at: None,
        marked_for_review_at: None,
        decisioned_at: None,
        expired_at: None,
        expires_at: Utc::now(),
        redacted_at: None,
        redacted_by_type: None,
        redacted_by: None,
    }
}

#[cfg(test)]
mod tests;
