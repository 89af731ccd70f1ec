//! Starting a session from a client device: the `start` transition and the device record
//! are written in one transaction, so a refused start records no device and a recorded
//! device always belongs to a started session.

use std::net::IpAddr;

use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::person::{self, FieldError};
use crate::domain::status::Action;
use crate::error::AppError;
use crate::service::transitions::{self, Request};
use crate::store::devices::{self, NewDevice};
use crate::store::sessions::Session;

/// A device as described by the client, every field optional and unchecked.
#[derive(Debug, Clone, Default)]
pub struct DeviceInput {
    /// The applicant's network address.
    pub ip: Option<String>,
    /// The applicant's browser user agent.
    pub user_agent: Option<String>,
    /// `web`, `ios`, `android` or `other`.
    pub platform: Option<String>,
    /// Browser name.
    pub browser: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// `desktop`, `mobile`, `tablet` or `other`.
    pub device_type: Option<String>,
    /// Preferred language tag (`sv-SE`).
    pub language: Option<String>,
    /// Screen size (`1920x1080`).
    pub screen: Option<String>,
}

/// The platforms the schema accepts.
pub const PLATFORMS: &[&str] = &["web", "ios", "android", "other"];
/// The device types the schema accepts.
pub const DEVICE_TYPES: &[&str] = &["desktop", "mobile", "tablet", "other"];

fn one_of(
    field: &str,
    raw: &Option<String>,
    allowed: &[&str],
) -> Result<Option<String>, FieldError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
        Some(_) => Err(FieldError::new(
            field,
            format!("must be one of: {}", allowed.join(", ")),
        )),
    }
}

fn free(field: &str, raw: &Option<String>, max: usize) -> Result<Option<String>, FieldError> {
    match raw {
        None => Ok(None),
        Some(v) => person::text(field, v, max),
    }
}

/// Checks every field against the schema's limits, naming each bad one.
pub fn parse(session_id: Uuid, d: &DeviceInput) -> Result<NewDevice, AppError> {
    let mut errors = Vec::new();
    let mut keep = |r: Result<Option<String>, FieldError>| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let ip = keep(match d.ip.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<IpAddr>()
            .map(|ip| Some(ip.to_string()))
            .map_err(|_| FieldError::new("ip", "must be an IPv4 or IPv6 address")),
    });
    let device = NewDevice {
        session_id,
        ip,
        user_agent: keep(free("user_agent", &d.user_agent, 1000)),
        platform: keep(one_of("platform", &d.platform, PLATFORMS)),
        browser: keep(free("browser", &d.browser, 100)),
        os: keep(free("os", &d.os, 100)),
        device_type: keep(one_of("device_type", &d.device_type, DEVICE_TYPES)),
        language: keep(free("language", &d.language, 35)),
        screen: keep(free("screen", &d.screen, 20)),
        created_at: None,
    };
    if errors.is_empty() {
        Ok(device)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Starts the session and records the device it was started from, in one transaction.
pub fn start(
    conn: &mut PgConnection,
    session_id: Uuid,
    device: &DeviceInput,
    actor: Actor,
) -> Result<Session, AppError> {
    let device = parse(session_id, device)?;
    conn.transaction(|conn| {
        let session = transitions::apply_in(conn, session_id, &Request::new(Action::Start, actor))?;
        devices::insert(conn, &device)?;
        Ok(session)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_device_field_is_named() {
        let input = DeviceInput {
            ip: Some("300.1.1.1".into()),
            platform: Some("amiga".into()),
            language: Some("x".repeat(36)),
            user_agent: Some("Mozilla/5.0".into()),
            ..DeviceInput::default()
        };
        let Err(AppError::Validation(errors)) = parse(Uuid::nil(), &input) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["ip", "platform", "language"]);
    }
}
