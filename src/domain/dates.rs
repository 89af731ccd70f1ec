//! The dates a user may name in a filter or a cursor: 1900-01-01 to 9999-12-31. Outside
//! them, date arithmetic can overflow (chrono ends in year 262142) and Postgres refuses the
//! timestamp (it starts in 4713 BC), so a value out of range is refused where it is read,
//! never passed on.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;

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
