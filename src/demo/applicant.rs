//! The person behind one demo session: names, birth date, passport, address, contact
//! details and device, drawn from a locale, plus what (if anything) is wrong with their ID.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use uuid::Uuid;

use super::history::Context;
use super::people::{DEVICES, LOCALES, Locale};
use crate::domain::mrz;
use crate::domain::status::SessionStatus as S;
use crate::store::devices::NewDevice;

/// What went right or wrong with the applicant's ID; it drives the checks, the notes and
/// the decline reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scenario {
    /// Nothing wrong.
    Clean,
    /// The passport has expired.
    Expired,
    /// The applicant is under 18.
    Underage,
    /// The last name on the form has a typo.
    Mismatch,
    /// The passport photo is too small to read.
    Unreadable,
}

impl Scenario {
    /// The scenario for demo session `i` ending in `status`, so that failures and declines
    /// have causes and some pending cases wait for a better photo.
    fn for_session(status: S, i: usize) -> Self {
        match status {
            S::Pending if i.is_multiple_of(4) => Scenario::Unreadable,
            S::Failed => [Scenario::Expired, Scenario::Underage, Scenario::Mismatch][i % 3],
            S::MarkedForReview if i.is_multiple_of(2) => Scenario::Mismatch,
            S::Declined if i % 5 < 2 => {
                [Scenario::Expired, Scenario::Underage, Scenario::Mismatch][i % 3]
            }
            _ => Scenario::Clean,
        }
    }
}

/// Everything generated about one applicant, so the lifecycle, the documents and the
/// verifications all tell the same story.
pub(super) struct Applicant {
    /// The country their names, address and phone come from.
    pub(super) locale: &'static Locale,
    /// Given name as entered on the form.
    pub(super) first: &'static str,
    /// Middle name, for about one in five.
    pub(super) middle: Option<&'static str>,
    /// Surname as printed in the passport.
    pub(super) last: &'static str,
    /// Surname as typed on the form: with a typo in the mismatch scenario.
    pub(super) entered_last: String,
    /// First and middle names together, as printed in the passport.
    pub(super) given: String,
    /// Sex as printed in the MRZ.
    pub(super) sex: char,
    /// What is wrong with their ID, if anything.
    pub(super) scenario: Scenario,
    /// When the session was opened. Drawn between the names and the birth date so the
    /// seeded sequence, and so the demo data, stay the same.
    pub(super) created: DateTime<Utc>,
    /// Birth date; under 18 in the underage scenario.
    pub(super) birth: NaiveDate,
    /// Passport expiry; in the past in the expired scenario.
    pub(super) doc_expiry: NaiveDate,
    /// Passport number.
    pub(super) doc_number: String,
    /// The issuing country's alpha-3 code, for the MRZ.
    pub(super) alpha3: &'static str,
    /// Street and house number.
    pub(super) street: String,
    /// City.
    pub(super) city: &'static str,
    /// Postal code.
    pub(super) postal: &'static str,
    /// Contact email.
    pub(super) email: String,
    /// Contact phone, with the locale's mobile prefix.
    pub(super) phone: String,
    /// Whether the session also asks for proof of address.
    pub(super) requires_address: bool,
    /// The device they use: user agent, browser, OS, platform, device type and screen.
    pub(super) device: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
}

impl Applicant {
    /// Draws the applicant of demo session `i`, which ends in `status`.
    pub(super) fn generate(ctx: &mut Context<'_>, i: usize, status: S) -> Self {
        let locale: &'static Locale = &LOCALES[ctx.rng.random_range(0..LOCALES.len())];
        let (first, sex) = *locale.firsts.choose(ctx.rng).unwrap_or(&("Alex", 'X'));
        let last = *locale.lasts.choose(ctx.rng).unwrap_or(&"Doe");
        let middle = if ctx.rng.random_bool(0.2) {
            locale
                .firsts
                .iter()
                .filter(|(n, s)| *s == sex && *n != first)
                .map(|(n, _)| *n)
                .next()
        } else {
            None
        };
        let scenario = Scenario::for_session(status, i);
        let created = ctx.opened_at(status);
        let today = ctx.today();
        let birth = if scenario == Scenario::Underage {
            today - Duration::days(17 * 365 + ctx.rng.random_range(10..300))
        } else {
            NaiveDate::from_ymd_opt(
                ctx.rng.random_range(1952..=2004),
                ctx.rng.random_range(1..=12),
                ctx.rng.random_range(1..=28),
            )
            .unwrap_or(today)
        };
        let doc_expiry = if scenario == Scenario::Expired {
            today - Duration::days(ctx.rng.random_range(60..1400))
        } else {
            today + Duration::days(ctx.rng.random_range(200..3600))
        };
        // The letters issuers such as Germany use in document numbers: no vowels and no
        // `B`, `D`, `Q`, `S`, which OCR-B prints nearly as digits (see the README's
        // "Reading the zone from the photo").
        const LETTERS: &[u8] = b"CFGHJKLMNPRTVWXYZ";
        let letters: String = (0..2)
            .map(|_| char::from(LETTERS[ctx.rng.random_range(0..LETTERS.len())]))
            .collect();
        let doc_number = format!("{letters}{:07}", ctx.rng.random_range(0..10_000_000u32));
        let (city, postal) = *locale
            .cities
            .choose(ctx.rng)
            .unwrap_or(&("Capital", "10000"));
        let street = format!(
            "{} {}",
            locale.streets.choose(ctx.rng).unwrap_or(&"Main Street"),
            ctx.rng.random_range(1..120)
        );
        let email = format!(
            "{}.{}{}@example.org",
            ascii_lower(first),
            ascii_lower(last),
            ctx.rng.random_range(1..99)
        );
        let phone = format!(
            "{}{:07}",
            locale.phone_prefix,
            ctx.rng.random_range(0..10_000_000u32)
        );
        let device = *DEVICES.choose(ctx.rng).unwrap_or(&DEVICES[0]);
        Applicant {
            locale,
            first,
            middle,
            last,
            entered_last: if scenario == Scenario::Mismatch {
                typo(last)
            } else {
                last.to_owned()
            },
            given: match middle {
                Some(m) => format!("{first} {m}"),
                None => first.to_owned(),
            },
            sex,
            scenario,
            created,
            birth,
            doc_expiry,
            doc_number,
            alpha3: mrz::alpha3(locale.country).unwrap_or("UTO"),
            street,
            city,
            postal,
            email,
            phone,
            requires_address: i.is_multiple_of(5),
            device,
        }
    }

    /// The device they start session `session_id` on at `at`, with a random address.
    pub(super) fn device(
        &self,
        ctx: &mut Context<'_>,
        session_id: Uuid,
        at: DateTime<Utc>,
    ) -> NewDevice {
        let (ua, browser, os, platform, device_type, screen) = self.device;
        NewDevice {
            session_id,
            ip: Some(format!(
                "{}.{}.{}.{}",
                ctx.rng.random_range(31..220),
                ctx.rng.random_range(0..255),
                ctx.rng.random_range(0..255),
                ctx.rng.random_range(1..254)
            )),
            user_agent: Some(ua.to_owned()),
            platform: Some(platform.to_owned()),
            browser: Some(browser.to_owned()),
            os: Some(os.to_owned()),
            device_type: Some(device_type.to_owned()),
            language: Some(self.locale.language.to_owned()),
            screen: Some(screen.to_owned()),
            created_at: Some(at),
        }
    }

    /// The fields they fill in, as named in the `session.person_updated` event.
    pub(super) fn entered_fields(&self) -> Vec<&'static str> {
        let mut fields = vec![
            "person.name.first",
            "person.name.last",
            "person.birth_date",
            "contact.email",
            "contact.phone",
        ];
        if self.middle.is_some() {
            fields.push("person.name.middle");
        }
        fields.extend([
            "address.line1",
            "address.locality",
            "address.postal_code",
            "address.country_code",
        ]);
        fields
    }
}

fn ascii_lower(s: &str) -> String {
    mrz::transliterate(s).replace('<', "").to_lowercase()
}

/// A believable typo: a doubled letter made single, or two letters swapped.
fn typo(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    for i in 1..chars.len() {
        if chars[i] == chars[i - 1] {
            let mut c = chars.clone();
            c.remove(i);
            return c.into_iter().collect();
        }
    }
    let mut c = chars;
    if c.len() > 3 {
        c.swap(1, 2);
    }
    c.into_iter().collect()
}
