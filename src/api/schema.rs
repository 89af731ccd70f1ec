//! Schemas the OpenAPI document builds by hand, where a Rust type alone would say less than
//! the server checks: closed lists of strings, text with the input rules of the person
//! fields, dates up to today, and the query parameters' patterns. Each says exactly what
//! the matching parser accepts, so that a client (or a tester such as Schemathesis) that
//! keeps to the document is never refused, and one that strays from it always is.

use chrono::{Datelike, NaiveDate, Utc};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

/// The whitespace Rust's `str::trim` drops (Unicode `White_Space`, every one of them in
/// the Basic Multilingual Plane), as ranges of code points.
const TRIMMED: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
];

/// Control characters (`char::is_control`).
const CONTROL: &[(u32, u32)] = &[(0x00, 0x1F), (0x7F, 0x9F)];

/// Control characters but tab, line feed and carriage return: what a decision comment
/// refuses.
const CONTROL_BUT_LINES: &[(u32, u32)] = &[(0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F)];

/// The invisible format characters ([`crate::domain::person::is_format_char`]) of the
/// Basic Multilingual Plane: a pattern cannot name the astral ones portably (ECMA-262
/// needs its `u` flag for them), so the document names those in words only.
const FORMAT: &[(u32, u32)] = &[
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
];

/// What the text of personal data, notes and devices refuses: control and format
/// characters.
const REFUSED: &[&[(u32, u32)]] = &[CONTROL, FORMAT];

/// `ranges` as the inside of an ECMA-262 character class: `\u0009-\u000d\u0020`.
fn class(ranges: &[&[(u32, u32)]]) -> String {
    ranges
        .iter()
        .flat_map(|r| r.iter())
        .map(|(lo, hi)| match lo == hi {
            true => format!("\\u{lo:04x}"),
            false => format!("\\u{lo:04x}-\\u{hi:04x}"),
        })
        .collect()
}

/// The pattern of a value read with `trim` first: `inner` with any whitespace around it.
fn trimmed(inner: &str) -> String {
    let ws = class(&[TRIMMED]);
    format!("^[{ws}]*{inner}[{ws}]*$")
}

/// A string (or null, when `nullable`) with `description`.
fn string(nullable: bool, description: &str) -> ObjectBuilder {
    let kind = match nullable {
        true => SchemaType::from_iter([Type::String, Type::Null]),
        false => SchemaType::from(Type::String),
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .description(Some(description))
}

/// A string schema allowing exactly `values` (and null, when `nullable`).
pub fn string_enum(values: &[&str], nullable: bool, description: &str) -> RefOr<Schema> {
    let mut all: Vec<Option<&str>> = values.iter().copied().map(Some).collect();
    if nullable {
        all.push(None);
    }
    string(nullable, description).enum_values(Some(all)).into()
}

/// The pattern of text read with `trim` first, then holding at most `max` characters and
/// none of `refused`; when `blank_ok` is false it must not be blank.
fn text_pattern(max: usize, refused: &[&[(u32, u32)]], blank_ok: bool) -> String {
    let other = format!("[^{}]", class(refused));
    if blank_ok {
        return trimmed(&format!("{other}{{0,{max}}}"));
    }
    let mut ends: Vec<&[(u32, u32)]> = refused.to_vec();
    ends.push(TRIMMED);
    let end = format!("[^{}]", class(&ends));
    trimmed(&format!(
        "{end}(?:{other}{{0,{}}}{end})?",
        max.saturating_sub(2)
    ))
}

/// Free text as [`crate::domain::person::text`] reads it: trimmed, then at most `max`
/// characters, none of them control or invisible format characters; blank clears.
pub fn text(max: usize, nullable: bool, description: &str) -> RefOr<Schema> {
    string(
        nullable,
        &format!(
            "{description} Trimmed; then at most {max} characters, without control characters or invisible format characters (Unicode Cf, such as U+200B or U+202E); blank clears."
        ),
    )
    .pattern(Some(text_pattern(max, REFUSED, true)))
    .into()
}

/// A decision comment as the transitions read it: trimmed, at most `max` characters,
/// line breaks and tabs allowed but no other control characters and no format characters;
/// blank is no comment.
pub fn comment(max: usize, description: &str) -> RefOr<Schema> {
    string(
        true,
        &format!(
            "{description} Trimmed; then at most {max} characters, line breaks and tabs allowed, no other control characters and no invisible format characters (Unicode Cf)."
        ),
    )
    .pattern(Some(text_pattern(max, &[CONTROL_BUT_LINES, FORMAT], true)))
    .into()
}

/// An integrator's identifier (`external_id`): trimmed, 1 to `max` characters, no
/// control characters.
pub fn identifier(max: usize, nullable: bool, description: &str) -> RefOr<Schema> {
    string(
        nullable,
        &format!("{description} Trimmed; then 1 to {max} characters without control characters."),
    )
    .pattern(Some(text_pattern(max, &[CONTROL], false)))
    .into()
}

/// Free text checked only for its length as sent (at most `max` characters) and, once
/// trimmed, for control characters: a webhook endpoint's description.
pub fn plain_text(max: usize, nullable: bool, description: &str) -> RefOr<Schema> {
    string(nullable, description)
        .pattern(Some(trimmed(&format!("[^{}]*", class(&[CONTROL])))))
        .max_length(Some(max))
        .into()
}

/// A to-one relationship in a request: `{"data": {"type", "id"}}`, `type` one of `types`.
pub fn link(types: &[&str], description: &str) -> RefOr<Schema> {
    let linkage = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "type",
            string_enum(types, false, "The linked resource's type."),
        )
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Uuid,
                )))
                .description(Some("Its id.")),
        )
        .required("type")
        .required("id")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::<Schema>::FreeForm(false),
        ));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("data", linkage)
        .required("data")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::<Schema>::FreeForm(false),
        ))
        .description(Some(description))
        .into()
}

/// An email address as [`crate::domain::person::email`] reads it (trimmed): text, one
/// `@`, a domain holding a dot neither first nor last, no whitespace, control or format
/// characters, at most 254 characters; blank clears.
pub fn email(description: &str) -> RefOr<Schema> {
    let bad = format!("@{}", class(&[TRIMMED, CONTROL, FORMAT]));
    let address = format!("[^{bad}]+@[^.{bad}][^{bad}]*\\.[^{bad}]*[^.{bad}]");
    string(true, &format!("{description} Blank clears."))
        .pattern(Some(trimmed(&format!("(?:{address})?"))))
        .max_length(Some(254))
        .into()
}

/// A phone number as [`crate::domain::person::phone`] reads it (trimmed): `+` and 7 to 15
/// digits, with spaces, dashes, dots and parentheses anywhere; blank clears.
pub fn phone(description: &str) -> RefOr<Schema> {
    let number = "(?:[-. ()]*\\+(?:[-. ()]*[0-9]){7,15}[-. ()]*)?";
    string(
        true,
        &format!("{description} Spaces, dashes, dots and parentheses between the digits are dropped; blank clears."),
    )
    .pattern(Some(trimmed(number)))
    .into()
}

/// Month and day that every year has: 01-01 to 12-31 without February 29.
const MONTH_DAY: &str = "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)";

/// The zero-padded numbers from `lo` to `hi`, two strings of the same length, as a
/// pattern: `1900` to `2025` is `(?:19[0-9]{2}|20(?:[01][0-9]|2[0-5]))`.
fn digits(lo: &str, hi: &str) -> String {
    let n = lo.len();
    if n == 0 {
        return String::new();
    }
    if lo == hi {
        return lo.to_owned();
    }
    if lo.bytes().all(|b| b == b'0') && hi.bytes().all(|b| b == b'9') {
        return format!("[0-9]{{{n}}}");
    }
    let (a, b) = (lo.as_bytes()[0], hi.as_bytes()[0]);
    let (lo_rest, hi_rest) = (&lo[1..], &hi[1..]);
    if a == b {
        return format!("{}{}", char::from(a), digits(lo_rest, hi_rest));
    }
    let nines = "9".repeat(n - 1);
    let zeros = "0".repeat(n - 1);
    let mut alternatives = vec![format!("{}{}", char::from(a), digits(lo_rest, &nines))];
    if b - a > 1 {
        let (from, to) = (char::from(a + 1), char::from(b - 1));
        let first = match from == to {
            true => from.to_string(),
            false => format!("[{from}-{to}]"),
        };
        let rest = match n - 1 {
            0 => String::new(),
            k => format!("[0-9]{{{k}}}"),
        };
        alternatives.push(format!("{first}{rest}"));
    }
    alternatives.push(format!("{}{}", char::from(b), digits(&zeros, hi_rest)));
    format!("(?:{})", alternatives.join("|"))
}

/// [`digits`] of two numbers, padded to `width`.
fn numbers(lo: u32, hi: u32, width: usize) -> String {
    digits(&format!("{lo:0width$}"), &format!("{hi:0width$}"))
}

fn is_leap(year: i32) -> bool {
    NaiveDate::from_ymd_opt(year, 2, 29).is_some()
}

fn days_in_month(year: i32, month: u32) -> u32 {
    (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())
        .unwrap_or(28)
}

/// Every real `YYYY-MM-DD` date from 1900-01-01 to `today`, as a pattern without anchors.
fn dates_through(today: NaiveDate) -> String {
    let year = today.year();
    let mut alternatives = Vec::new();
    let last_full = u32::try_from(year - 1).unwrap_or(1899);
    if last_full >= 1900 {
        alternatives.push(format!("{}-{MONTH_DAY}", numbers(1900, last_full, 4)));
        let leap: Vec<String> = (1900..year)
            .filter(|y| is_leap(*y))
            .map(|y| y.to_string())
            .collect();
        if !leap.is_empty() {
            alternatives.push(format!("(?:{})-02-29", leap.join("|")));
        }
    }
    if year >= 1900 {
        let mut months = Vec::new();
        for month in 1..today.month() {
            months.push(format!(
                "{month:02}-{}",
                numbers(1, days_in_month(year, month), 2)
            ));
        }
        months.push(format!(
            "{:02}-{}",
            today.month(),
            numbers(1, today.day(), 2)
        ));
        alternatives.push(format!("{year}-(?:{})", months.join("|")));
    }
    format!("(?:{})", alternatives.join("|"))
}

/// A real date from 1900-01-01 to today, as [`crate::domain::person::birth_date`] and an
/// address document's `issued_on` read it (trimmed); blank clears when `blank_clears`.
pub fn date_through_today(blank_clears: bool, nullable: bool, description: &str) -> RefOr<Schema> {
    date_through(Utc::now().date_naive(), blank_clears, nullable, description)
}

fn date_through(
    today: NaiveDate,
    blank_clears: bool,
    nullable: bool,
    description: &str,
) -> RefOr<Schema> {
    let dates = dates_through(today);
    let inner = match blank_clears {
        true => format!("{dates}?"),
        false => dates,
    };
    string(
        nullable,
        &format!("{description} A real date written `YYYY-MM-DD`, from 1900-01-01 to today."),
    )
    .pattern(Some(trimmed(&inner)))
    .into()
}

/// Leap years from 1900 to 9999: divisible by 4, centuries only when divisible by 400.
const LEAP_YEAR: &str =
    "(?:(?:19|[2-9][0-9])(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)";

/// A real `YYYY-MM-DD` date from 1900-01-01 to 9999-12-31 (see `domain::dates`).
fn any_date() -> String {
    format!("(?:(?:19[0-9]{{2}}|[2-9][0-9]{{3}})-{MONTH_DAY}|{LEAP_YEAR}-02-29)")
}

/// The pattern of a time filter: a date, or an RFC 3339 time, from 1900 to 9999.
pub fn time_filter_pattern() -> String {
    let time = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
    format!("^{}(?:{time})?$", any_date())
}

/// The pattern of an `Idempotency-Key`: 1 to 255 visible ASCII characters, spaces and
/// tabs inside allowed (a header value carries no whitespace at its ends).
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~](?:[\\t -~]{0,253}[!-~])?$";

/// The pattern of a paging cursor: what `meta.page.next_cursor` and `prev_cursor` hold.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// A comma list of `values` (each may be repeated), for a `filter[status]`.
pub fn comma_list_pattern(values: &[&str]) -> String {
    let one = format!("(?:{})", values.join("|"));
    format!("^{one}(?:,{one})*$")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use regex::Regex;

    fn within(ranges: &[(u32, u32)], c: char) -> bool {
        ranges
            .iter()
            .any(|(lo, hi)| (*lo..=*hi).contains(&u32::from(c)))
    }

    fn pattern_of(schema: RefOr<Schema>) -> Regex {
        let RefOr::T(Schema::Object(o)) = schema else {
            panic!("an object schema");
        };
        Regex::new(&o.pattern.expect("a pattern")).unwrap()
    }

    #[test]
    fn the_classes_are_the_parsers_own_in_the_basic_plane() {
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            assert_eq!(within(TRIMMED, c), c.is_whitespace(), "{c:?}");
            assert_eq!(within(CONTROL, c), c.is_control(), "{c:?}");
            let lines = c.is_control() && !matches!(c, '\t' | '\n' | '\r');
            assert_eq!(within(CONTROL_BUT_LINES, c), lines, "{c:?}");
            let format = crate::domain::person::is_format_char(c);
            assert_eq!(within(FORMAT, c), format, "{c:?}");
        }
    }

    #[test]
    fn text_matches_what_the_parser_takes() {
        let re = pattern_of(text(5, false, "Name."));
        for (value, ok) in [
            ("Anna", true),
            ("", true),
            ("   ", true),
            (" Zoë \n", true),
            ("a b c", true),
            ("abcdef", false),
            ("  abcde\t", true),
            ("a\nb", false),
            ("An\u{202E}na", false),
            ("\u{FEFF}Anna", false),
        ] {
            assert_eq!(re.is_match(value), ok, "{value:?}");
            let parsed = crate::domain::person::text("f", value, 5);
            assert_eq!(parsed.is_ok(), ok, "{value:?}");
        }
    }

    #[test]
    fn identifiers_and_comments_match_what_their_parsers_take() {
        let re = pattern_of(identifier(5, true, "External id."));
        for value in [
            "crm_1",
            " crm_1 ",
            "a",
            "a b",
            "",
            "   ",
            "abcdef",
            "a\u{1}b",
            "a\u{200B}b",
        ] {
            let parsed = crate::service::sessions::parse_external_id("x", value).is_ok()
                && value.trim().chars().count() <= 5;
            assert_eq!(re.is_match(value), parsed, "{value:?}");
        }
        let re = pattern_of(comment(8, "Comment."));
        for (value, ok) in [
            ("", true),
            ("ab\ncd", true),
            ("tab\tx", true),
            ("a\u{7}b", false),
            ("a\u{202E}b", false),
            ("123456789", false),
            (" 12345678 ", true),
        ] {
            assert_eq!(re.is_match(value), ok, "{value:?}");
        }
    }

    #[test]
    fn emails_and_phones_match_what_the_parser_takes() {
        let email_re = pattern_of(email("Email."));
        for value in [
            "anna@example.org",
            " anna@example.org ",
            "",
            "a@b.c",
            "a@b..c",
            "anna@@example.org",
            "a@b@example.org",
            "anna.example.org",
            "an na@example.org",
            "anna@.example.org",
            "anna@example.org.",
            "anna@example",
            "@example.org",
            "ann\u{200B}a@example.org",
        ] {
            let parsed = crate::domain::person::email("e", value).is_ok();
            assert_eq!(email_re.is_match(value), parsed, "{value:?}");
        }
        let phone_re = pattern_of(phone("Phone."));
        for value in [
            "+46701234567",
            " +46 70-123 45 67 ",
            "(+46) 70.123",
            "",
            "0701234567",
            "+123456",
            "+1234567",
            "+123456789012345",
            "+1234567890123456",
            "+46 70 12a 45 67",
            "++4670123456",
        ] {
            let parsed = crate::domain::person::phone("p", value).is_ok();
            assert_eq!(phone_re.is_match(value), parsed, "{value:?}");
        }
    }

    #[test]
    fn digit_ranges_hold_exactly_their_numbers() {
        for (lo, hi, width) in [
            (1900, 2025, 4),
            (1, 31, 2),
            (1, 9, 2),
            (10, 10, 2),
            (0, 99, 2),
            (1234, 5678, 4),
        ] {
            let re = Regex::new(&format!("^{}$", numbers(lo, hi, width))).unwrap();
            for n in 0..10u32.pow(width as u32) {
                let s = format!("{n:0width$}");
                assert_eq!(
                    re.is_match(&s),
                    (lo..=hi).contains(&n),
                    "{s} in {lo}..={hi}"
                );
            }
        }
    }

    #[test]
    fn dates_through_today_are_the_real_dates_from_1900_to_today() {
        for today in [(2024, 3, 5), (2023, 12, 31), (2024, 2, 29), (2026, 1, 1)] {
            let today = NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap();
            let re = pattern_of(date_through(today, false, false, "Birth date."));
            let mut day = NaiveDate::from_ymd_opt(1899, 12, 1).unwrap();
            while day <= today + Duration::days(400) {
                let s = day.format("%Y-%m-%d").to_string();
                let wanted = day >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() && day <= today;
                assert_eq!(re.is_match(&s), wanted, "{s} with today {today}");
                day += Duration::days(1);
            }
            for bad in [
                "1900-02-29",
                "2023-02-29",
                "2023-04-31",
                "2023-13-01",
                "2023-00-10",
                "",
                "23-01-01",
            ] {
                assert!(!re.is_match(bad), "{bad}");
            }
            assert!(re.is_match(" 2000-02-29\n"));
        }
        let blank = pattern_of(date_through(
            NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
            true,
            true,
            "x",
        ));
        assert!(blank.is_match("") && blank.is_match("  ") && blank.is_match("1974-08-12"));
    }

    #[test]
    fn time_filters_match_what_the_list_reads() {
        let re = Regex::new(&time_filter_pattern()).unwrap();
        for ok in [
            "2026-11-25",
            "1900-01-01",
            "9999-12-31",
            "2000-02-29",
            "2026-11-25T08:00:00Z",
            "2026-11-25T08:00:00.123456+01:00",
        ] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in [
            "",
            "1899-12-31",
            "1900-02-29",
            "2026-11-25T24:00:00Z",
            "2026-11-25T08:00:00",
            "yesterday",
            "10000-01-01",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        let re = Regex::new(IDEMPOTENCY_KEY_PATTERN).unwrap();
        assert!(
            re.is_match("a") && re.is_match("order 42\tretry") && re.is_match(&"k".repeat(255))
        );
        assert!(!re.is_match("") && !re.is_match(&"k".repeat(256)) && !re.is_match("ключ"));
    }
}
