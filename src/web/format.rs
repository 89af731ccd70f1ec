//! Small formatting rules shared by the dashboard's pages: ages, counts, names.

use chrono::{DateTime, Utc};

use std::fmt;

use crate::domain::person::Masked;

// Values that write only ASCII letters, digits, spaces and `-:`: nothing HTML gives a
// meaning to, so askama writes them as they are instead of through its escaper (a queue
// page writes some 250 of them).
impl askama::filters::HtmlSafe for Age {}
impl askama::filters::HtmlSafe for Until {}
impl askama::filters::HtmlSafe for Exact {}
impl askama::filters::HtmlSafe for Id {}

/// A row's id written straight into a page (hex digits and dashes, never escaped).
#[derive(Clone, Copy)]
pub struct Id(pub uuid::Uuid);

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A compact relative age: "12 min", "5 h", "3 d".
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    Age(since, now).to_string()
}

/// [`age`] written straight into a page: `Age(since, now)`.
#[derive(Clone, Copy)]
pub struct Age(pub DateTime<Utc>, pub DateTime<Utc>);

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let minutes = (self.1 - self.0).num_minutes().max(0);
        if minutes < 1 {
            f.write_str("now")
        } else if minutes < 60 {
            write!(f, "{minutes} min")
        } else if minutes < 48 * 60 {
            write!(f, "{} h", minutes / 60)
        } else {
            write!(f, "{} d", minutes / (60 * 24))
        }
    }
}

/// The time left until `at`, rounded up, as a countdown reads: "23 h" when 22 h 59 min
/// are left (an [`age`] rounds down).
pub fn until(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    Until(now, at).to_string()
}

/// [`until`] written straight into a page: `Until(now, at)`.
#[derive(Clone, Copy)]
pub struct Until(pub DateTime<Utc>, pub DateTime<Utc>);

impl fmt::Display for Until {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = (self.1 - self.0).num_seconds().max(0);
        let minutes = (seconds + 59) / 60;
        if minutes < 1 {
            f.write_str("now")
        } else if minutes < 60 {
            write!(f, "{minutes} min")
        } else if minutes < 48 * 60 {
            write!(f, "{} h", (minutes + 59) / 60)
        } else {
            write!(f, "{} d", (minutes + 1439) / 1440)
        }
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
    Exact(t).to_string()
}

/// [`exact`] written straight into a page: `Exact(t)`.
#[derive(Clone, Copy)]
pub struct Exact(pub DateTime<Utc>);

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written by hand, digit by digit, into a stack buffer: chrono's format string is
        // parsed again at every call, and a queue page writes a few hundred of these.
        use chrono::{Datelike, Timelike};
        let t = self.0;
        let year = t.year();
        if (0..=9999).contains(&year) {
            let mut buf = *b"0000-00-00 00:00 UTC";
            crate::domain::dates::put_date_and_minute(&mut buf, t);
            // Only ASCII digits were written into an ASCII template.
            f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
        } else {
            write!(
                f,
                "{year}-{:02}-{:02} {:02}:{:02} UTC",
                t.month(),
                t.day(),
                t.hour(),
                t.minute()
            )
        }
    }
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
    Applicant {
        names: [first, middle, last],
        masked,
    }
    .to_string()
}

/// [`applicant`] written straight into a page.
pub struct Applicant<'a> {
    /// First, middle and last name.
    pub names: [Option<&'a str>; 3],
    /// Masked for managers.
    pub masked: bool,
}

impl fmt::Display for Applicant<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Masking works word by word and a space starts a word, so masking each name and
        // joining them reads the same as masking the joined name.
        let present = || self.names.iter().flatten();
        // The joined name's length: names plus the spaces between them.
        let joined = present()
            .map(|n| n.len() + 1)
            .sum::<usize>()
            .saturating_sub(1);
        if joined == 0 {
            return f.write_str("(no name yet)");
        }
        for (i, name) in present().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if self.masked {
                Masked(name).fmt(f)?;
            } else {
                f.write_str(name)?;
            }
        }
        Ok(())
    }
}

/// One of two ways to write a cell: a value, or a fixed word in its place ("Redacted
/// applicant").
pub enum Either<A, B> {
    /// The first way.
    Left(A),
    /// The second way.
    Right(B),
}

impl<A: fmt::Display, B: fmt::Display> fmt::Display for Either<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Either::Left(a) => a.fmt(f),
            Either::Right(b) => b.fmt(f),
        }
    }
}

/// A possibly personal value as a viewer may see it.
pub fn shown(value: Option<&str>, masked: bool) -> String {
    Shown(value, masked).to_string()
}

/// [`shown`] written straight into a page: `Shown(value, masked)`.
pub struct Shown<'a>(pub Option<&'a str>, pub bool);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None | Some("") => f.write_str("—"),
            Some(v) if self.1 => Masked(v).fmt(f),
            Some(v) => f.write_str(v),
        }
    }
}

/// "session.marked_for_review" as "marked for review".
pub fn activity(action: &str) -> String {
    Activity(action).to_string()
}

/// [`activity`] written straight into a page: `Activity(action)`.
pub struct Activity<'a>(pub &'a str);

impl fmt::Display for Activity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.0.rsplit('.').next().unwrap_or(self.0);
        // As `domain::code_words` reads a code: underscores become spaces.
        for (i, word) in last.split('_').enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
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

    #[test]
    fn applicants_read_as_their_joined_and_masked_names() {
        // What the list wrote before it wrote names in place: the present names joined
        // by spaces, then masked as one value.
        fn joined(names: [Option<&str>; 3], masked: bool) -> String {
            let name = names
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                "(no name yet)".to_owned()
            } else if masked {
                crate::domain::person::mask(&name)
            } else {
                name
            }
        }
        let cases: [[Option<&str>; 3]; 7] = [
            [Some("Anna"), Some("Maria"), Some("Eriksson")],
            [Some("Anna"), None, Some("Eriksson-Öberg")],
            [None, None, Some("O'Neil")],
            [Some(""), None, None],
            [Some(""), Some(""), None],
            [None, Some("  "), Some("x")],
            [None, None, None],
        ];
        for names in cases {
            for masked in [false, true] {
                assert_eq!(
                    Applicant { names, masked }.to_string(),
                    joined(names, masked),
                    "{names:?} masked {masked}"
                );
            }
        }
        assert_eq!(
            Activity("session.marked_for_review").to_string(),
            "marked for review"
        );
        assert_eq!(Activity("").to_string(), "");
        assert_eq!(Shown(Some(""), false).to_string(), "—");
        assert_eq!(Shown(Some("ext-1"), true).to_string(), "e**-1");
    }
}
