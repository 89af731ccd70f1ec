//! The device a session was started from.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::session_devices;

/// A session device as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = session_devices, check_for_backend(diesel::pg::Pg))]
pub struct Device {
    /// Primary key.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
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
    /// Preferred language tag.
    pub language: Option<String>,
    /// Screen size, `WxH`.
    pub screen: Option<String>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

/// A device about to be recorded.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = session_devices)]
pub struct NewDevice {
    /// The session.
    pub session_id: Uuid,
    /// Network address.
    pub ip: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
    /// Platform.
    pub platform: Option<String>,
    /// Browser.
    pub browser: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// Device type.
    pub device_type: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Screen.
    pub screen: Option<String>,
    /// When; now if `None`.
    pub created_at: Option<DateTime<Utc>>,
}

/// Records a device.
pub fn insert(conn: &mut PgConnection, new: &NewDevice) -> QueryResult<Device> {
    diesel::insert_into(session_devices::table)
        .values(new)
        .returning(Device::as_returning())
        .get_result(conn)
}

/// One device by id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Device>> {
    session_devices::table
        .find(id)
        .select(Device::as_select())
        .first(conn)
        .optional()
}

/// The latest device of a session.
pub fn for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Option<Device>> {
    session_devices::table
        .filter(session_devices::session_id.eq(session_id))
        .order((
            session_devices::created_at.desc(),
            session_devices::id.desc(),
        ))
        .select(Device::as_select())
        .first(conn)
        .optional()
}
