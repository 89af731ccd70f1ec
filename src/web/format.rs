//! Small formatting rules shared by the dashboard's pages: ages, counts, names.

use chrono::{DateTime, Utc};

use crate::domain::person::mask;

/// A compact relative age: "12 min", "5 h", "3 d".
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - since).num_minutes().max(0);
    if minutes < 1 {
        "now".to_owned()
    } else if minutes < 60 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h", minutes / 60)
    } else {
        format!("{} d", minutes / (60 * 24))
    }
}

/// The time left until `at`, rounded up, as a countdown reads: "23 h" when 22 h 59 min
/// are left (an [`age`] rounds down).
pub fn until(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds().max(0);
    let minutes = (seconds + 59) / 60;
    if minutes < 1 {
        "now".to_owned()
    } else if minutes < 60 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h", (minutes + 59) / 60)
    } else {
        format!("{} d", (minutes + 1439) / 1440)
    }
}

/// [`age`] as a phrase: "just now", "12 min ago".
pub fn ago(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match age(since, now) {
        a if a == "now" => "just now".to_owned(),
        a => format!("{a} ago"),
    }
}

/// An age with hours for days, for the manager's "oldest waiting": "4 d 3 h".
pub fn long_age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - since).num_minutes().max(0);
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, h) => format!("{h} h {m} min"),
        (d, h) => format!("{d} d {h} h"),
    }
}

/// An exact UTC time for `title` attributes and tables.
pub fn exact(t: DateTime<Utc>) -> String {
    // Written by hand, digit by digit: chrono's format string is parsed again at every call
    // and `format!` goes through the formatting machinery, and a queue page writes a few
    // hundred of these.
    use chrono::{Datelike, Timelike};
    fn digits(out: &mut String, n: u32, width: u32) {
        let mut div = 10u32.pow(width.saturating_sub(1));
        while div > 0 {
            out.push(char::from(b'0' + ((n / div) % 10) as u8));
            div /= 10;
        }
    }
    let mut out = String::with_capacity(20);
    let year = t.year();
    if (0..=9999).contains(&year) {
        digits(&mut out, year.unsigned_abs(), 4);
    } else {
        out.push_str(&year.to_string());
    }
    out.push('-');
    digits(&mut out, t.month(), 2);
    out.push('-');
    digits(&mut out, t.day(), 2);
    out.push(' ');
    digits(&mut out, t.hour(), 2);
    out.push(':');
    digits(&mut out, t.minute(), 2);
    out.push_str(" UTC");
    out
}

/// 1234567 as "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A count read with a cap: exact up to the cap, "1,000+" beyond.
pub fn capped(n: i64, cap: i64) -> String {
    if n > cap {
        format!("{}+", thousands(cap))
    } else {
        thousands(n)
    }
}

/// The first eight hex digits of an id, as people read it aloud.
pub fn short_id(id: &uuid::Uuid) -> String {
    id.simple().to_string()[..8].to_owned()
}

/// An applicant's name for lists: given names and surname, masked for managers.
pub fn applicant(
    first: Option<&str>,
    middle: Option<&str>,
    last: Option<&str>,
    masked: bool,
) -> String {
    let name = [first, middle, last]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "(no name yet)".to_owned()
    } else if masked {
        mask(&name)
    } else {
        name
    }
}

/// A possibly personal value as a viewer may see it.
pub fn shown(value: Option<&str>, masked: bool) -> String {
    match value {
        None | Some("") => "—".to_owned(),
        Some(v) if masked => mask(v),
        Some(v) => v.to_owned(),
    }
}

/// "session.marked_for_review" as "marked for review".
pub fn activity(action: &str) -> String {
    let last = action.rsplit('.').next().unwrap_or(action);
    crate::domain::code_words(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn ages_are_compact() {
        let now = Utc::now();
        assert_eq!(age(now - Duration::minutes(12), now), "12 min");
        assert_eq!(age(now - Duration::hours(5), now), "5 h");
        assert_eq!(age(now - Duration::days(3), now), "3 d");
        assert_eq!(long_age(now - Duration::hours(99), now), "4 d 3 h");
    }

    #[test]
    fn exact_times_read_as_chrono_would_write_them() {
        use chrono::TimeZone;
        for t in [
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(33, 7, 9, 0, 0, 0).unwrap(),
        ] {
            assert_eq!(exact(t), t.format("%Y-%m-%d %H:%M UTC").to_string());
        }
    }

    #[test]
    fn counts_have_separators_and_caps() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(capped(1001, 1000), "1,000+");
        assert_eq!(capped(212, 1000), "212");
    }

    #[test]
    fn managers_see_initials_only() {
        assert_eq!(
            applicant(Some("Anna"), None, Some("Eriksson"), true),
            "A*** E*******"
        );
        assert_eq!(applicant(None, None, None, false), "(no name yet)");
    }
}
