//! The background jobs' ticks, shared across instances (`job_ticks`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Interval, Text, Timestamptz};

/// Claims the tick `name` at `now` for `instance` if none was started within `spacing`
/// before: `true` for the one instance that may run it. One statement, so instances asking
/// at once cannot both win.
pub fn claim(
    conn: &mut PgConnection,
    name: &str,
    instance: &str,
    now: DateTime<Utc>,
    spacing: std::time::Duration,
) -> QueryResult<bool> {
    let spacing = diesel::pg::data_types::PgInterval::from_microseconds(
        i64::try_from(spacing.as_micros()).unwrap_or(i64::MAX),
    );
    let won = diesel::sql_query(
        "INSERT INTO job_ticks (name, last_started_at, runs, instance) VALUES ($1, $2, 1, $4) \
         ON CONFLICT (name) DO UPDATE \
           SET last_started_at = EXCLUDED.last_started_at, runs = job_ticks.runs + 1, \
               instance = EXCLUDED.instance \
           WHERE job_ticks.last_started_at <= EXCLUDED.last_started_at - $3",
    )
    .bind::<Text, _>(name)
    .bind::<Timestamptz, _>(now)
    .bind::<Interval, _>(spacing)
    .bind::<Text, _>(instance)
    .execute(conn)?;
    Ok(won == 1)
}
