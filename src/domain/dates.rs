//! The dates a user may name in a filter or a cursor: 1900-01-01 to 9999-12-31. Outside
//! them, date arithmetic can overflow (chrono ends in year 262142) and Postgres refuses the
//! timestamp (it starts in 4713 BC), so a value out of range is refused where it is read,
//! never passed on. Also the bounds of a session's `expires_at` ([`check_expiry`]).

use chrono::{DateTime, Datelike, Duration, NaiveDate, SubsecRound, Utc};

/// Writes the last `out.len()` decimal digits of `n` into `out`, zero-padded: how the
/// dashboard's and the API's times are written digit by digit into a fixed template (chrono's
/// general formatter parses its format string at every call).
pub fn put_digits(out: &mut [u8], n: u32) {
    let mut n = n;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Writes `t` down to the minute into a template that starts `YYYY-MM-DD?HH:MM` (any
/// separator between date and time): the dashboard's exact times and the API's timestamps.
/// The year must have four digits; callers leave other years to chrono.
pub fn put_date_and_minute(buf: &mut [u8], t: DateTime<Utc>) {
    use chrono::Timelike;
    put_digits(&mut buf[0..4], t.year().unsigned_abs());
    put_digits(&mut buf[5..7], t.month());
    put_digits(&mut buf[8..10], t.day());
    put_digits(&mut buf[11..13], t.hour());
    put_digits(&mut buf[14..16], t.minute());
}

/// The range in words, for messages.
pub const RANGE: &str = "1900-01-01 to 9999-12-31";

const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Whether `date` lies in [`RANGE`].
pub fn date_in_range(date: NaiveDate) -> bool {
    YEARS.contains(&date.year())
}

/// Whether `time` (UTC) falls on a day in [`RANGE`].
pub fn time_in_range(time: DateTime<Utc>) -> bool {
    YEARS.contains(&time.year())
}

/// How far ahead an integrator may set a session's `expires_at`, in days, unless
/// `SESSION_TTL_DAYS` (the default lifetime) is longer: a session left open for months is
/// personal data kept for nothing.
pub const MAX_EXPIRY_DAYS: i64 = 90;

/// Checks an `expires_at` asked for at `now`: strictly after `now` and at most
/// `max(MAX_EXPIRY_DAYS, ttl_days)` days ahead. Returns it at the database's precision
/// (microseconds), or the reason it is refused, in words.
pub fn check_expiry(
    requested: DateTime<Utc>,
    now: DateTime<Utc>,
    ttl_days: i64,
) -> Result<DateTime<Utc>, String> {
    let days = MAX_EXPIRY_DAYS.max(ttl_days);
    let t = requested.trunc_subsecs(6);
    if t <= now {
        return Err("must be in the future".to_owned());
    }
    if t > now + Duration::days(days) {
        return Err(format!("must be at most {days} days from now"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_lies_between_now_and_the_bound() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let day = Duration::days(1);
        assert!(check_expiry(now, now, 7).is_err());
        assert!(check_expiry(now - day, now, 7).is_err());
        assert!(check_expiry(now + Duration::seconds(1), now, 7).is_ok());
        assert!(check_expiry(now + day * 90, now, 7).is_ok());
        let late = check_expiry(now + day * 90 + Duration::seconds(1), now, 7);
        assert_eq!(late, Err("must be at most 90 days from now".to_owned()));
        // A longer default lifetime raises the bound with it.
        assert!(check_expiry(now + day * 200, now, 365).is_ok());
        let nanos = now + day + Duration::nanoseconds(1_234_567);
        assert_eq!(
            check_expiry(nanos, now, 7).unwrap(),
            now + day + Duration::microseconds(1_234)
        );
    }

    #[test]
    fn the_range_runs_from_1900_to_9999_inclusive() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(date_in_range(d(1900, 1, 1)));
        assert!(date_in_range(d(9999, 12, 31)));
        assert!(!date_in_range(d(1899, 12, 31)));
        assert!(!date_in_range(d(10000, 1, 1)));
        assert!(!date_in_range(d(-5000, 1, 1)));
        assert!(!date_in_range(NaiveDate::MAX));
        assert!(time_in_range(
            d(9999, 12, 31).and_hms_opt(23, 59, 59).unwrap().and_utc()
        ));
        assert!(!time_in_range(
            d(1, 1, 1).and_hms_opt(0, 0, 0).unwrap().and_utc()
        ));
    }
}
