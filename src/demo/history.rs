//! One demo session at a time: an applicant, their documents and verifications, and the
//! audit trail a real case would have left, backdated so that queues have ages, the
//! manager's chart has fourteen days of decisions, and every status is represented.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::images::{self, CardData};
use super::people::{DEVICES, LOCALES, Locale};
use crate::config::Config;
use crate::domain::actor::Actor;
use crate::domain::mrz::{self, Td3Fields};
use crate::domain::status::SessionStatus as S;
use crate::schema::sessions;
use crate::store::accounts::{self, NewAccount};
use crate::store::devices::{self, NewDevice};
use crate::store::documents::{self, NewDocument, NewFile};
use crate::store::events::{self, NewEvent};
use crate::store::notes::{self, NewNote};
use crate::store::sessions::{self as session_store, NewSession};
use crate::store::verifications::{self, NewCheck, NewVerification};

/// How many demo sessions end in each status.
const PLAN: &[(S, usize)] = &[
    (S::Created, 15),
    (S::Started, 15),
    (S::Pending, 20),
    (S::Completed, 70),
    (S::MarkedForReview, 35),
    (S::Failed, 25),
    (S::Approved, 70),
    (S::Declined, 30),
    (S::Expired, 20),
];

/// What went right or wrong with the applicant's ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Clean,
    Expired,
    Underage,
    Mismatch,
    Unreadable,
}

/// Shared state while generating.
pub struct Context<'a> {
    rng: &'a mut StdRng,
    reviewers: &'a [Uuid],
    key: Uuid,
    now: DateTime<Utc>,
    ttl: Duration,
}

impl<'a> Context<'a> {
    /// A generator attributing decisions to `reviewers` and intake to the API key `key`.
    pub fn new(rng: &'a mut StdRng, reviewers: &'a [Uuid], key: Uuid, config: &Config) -> Self {
        Context {
            rng,
            reviewers,
            key,
            now: Utc::now(),
            ttl: Duration::days(config.session_ttl_days),
        }
    }

    fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(self.rng.random_range(lo..=hi))
    }

    fn reviewer(&mut self) -> Uuid {
        *self.reviewers.choose(self.rng).unwrap_or(&Uuid::nil())
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = sessions, treat_none_as_null = true)]
struct DemoSession {
    account_id: Uuid,
    status: String,
    previous_status: Option<String>,
    creator_type: String,
    creator_id: Option<Uuid>,
    required_verifications: Vec<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    birth_date: Option<NaiveDate>,
    email: Option<String>,
    phone: Option<String>,
    address_line1: Option<String>,
    address_locality: Option<String>,
    address_postal_code: Option<String>,
    address_country_code: Option<String>,
    identity_number: Option<String>,
    identity_number_issuing_country_code: Option<String>,
    identity_number_class: Option<String>,
    assigned_to: Option<Uuid>,
    assigned_at: Option<DateTime<Utc>>,
    decision: Option<String>,
    decision_reason: Option<String>,
    decision_comment: Option<String>,
    decided_by_type: Option<String>,
    decided_by: Option<Uuid>,
    last_activity: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    submitted_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    marked_for_review_at: Option<DateTime<Utc>>,
    decisioned_at: Option<DateTime<Utc>>,
    expired_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

fn status_for(i: usize) -> S {
    let mut acc = 0;
    for (status, n) in PLAN {
        acc += n;
        if i % super::DEMO_SESSIONS < acc {
            return *status;
        }
    }
    S::Completed
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

struct Trail {
    session_id: Uuid,
    events: Vec<NewEvent>,
}

impl Trail {
    fn push(&mut self, at: DateTime<Utc>, actor: Actor, action: &str, details: Value) {
        let mut e = NewEvent::new(actor, action, Some(self.session_id)).details(details);
        e.created_at = Some(at);
        self.events.push(e);
    }

    fn transition(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        action: &str,
        from: S,
        to: S,
        details: Value,
    ) {
        let mut e = NewEvent::new(actor, action, Some(self.session_id))
            .transition(from, to)
            .details(details);
        e.created_at = Some(at);
        self.events.push(e);
    }
}

/// Writes demo session number `i` with everything that belongs to it.
pub fn session(conn: &mut PgConnection, ctx: &mut Context<'_>, i: usize) -> anyhow::Result<()> {
    let status = status_for(i);
    let locale: &Locale = &LOCALES[ctx.rng.random_range(0..LOCALES.len())];
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

    let scenario = match status {
        S::Pending if i.is_multiple_of(4) => Scenario::Unreadable,
        S::Failed => [Scenario::Expired, Scenario::Underage, Scenario::Mismatch][i % 3],
        S::MarkedForReview if i.is_multiple_of(2) => Scenario::Mismatch,
        S::Declined if i % 5 < 2 => {
            [Scenario::Expired, Scenario::Underage, Scenario::Mismatch][i % 3]
        }
        _ => Scenario::Clean,
    };

    // When it all began.
    let age = match status {
        S::Created | S::Started | S::Pending => ctx.minutes(10, 5 * 24 * 60),
        S::Completed => ctx.minutes(20, 6 * 24 * 60),
        S::MarkedForReview => ctx.minutes(120, 9 * 24 * 60),
        S::Failed => ctx.minutes(60, 12 * 24 * 60),
        S::Approved | S::Declined => ctx.minutes(26 * 60, 14 * 24 * 60),
        S::Expired => ctx.minutes(8 * 24 * 60, 25 * 24 * 60),
    };
    let created = ctx.now - age;
    let today = ctx.now.date_naive();
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
    let letters: String = (0..2)
        .map(|_| ctx.rng.random_range(b'A'..=b'Z') as char)
        .collect();
    let doc_number = format!("{letters}{:07}", ctx.rng.random_range(0..10_000_000u32));
    let alpha3 = mrz::alpha3(locale.country).unwrap_or("UTO");
    let (city, postal) = *locale
        .cities
        .choose(ctx.rng)
        .unwrap_or(&("Capital", "10000"));
    let street = format!(
        "{} {}",
        locale.streets.choose(ctx.rng).unwrap_or(&"Main Street"),
        ctx.rng.random_range(1..120)
    );
    let given = match middle {
        Some(m) => format!("{first} {m}"),
        None => first.to_owned(),
    };
    let entered_last = if scenario == Scenario::Mismatch {
        typo(last)
    } else {
        last.to_owned()
    };
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
    let requires_address = i.is_multiple_of(5);
    let (ua, browser, os, platform, device_type, screen) =
        *DEVICES.choose(ctx.rng).unwrap_or(&DEVICES[0]);

    let account = accounts::insert(
        conn,
        &NewAccount {
            id: None,
            external_id: Some(format!("demo_{:05}", 4000 + i * 7)),
            created_at: Some(created - Duration::days(ctx.rng.random_range(0..200))),
        },
    )?;
    // The row first (devices and documents refer to it); its final state at the end.
    let session_id = session_store::insert(
        conn,
        &NewSession {
            account_id: account.id,
            creator_type: "api_key".into(),
            creator_id: Some(ctx.key),
            expires_at: created + ctx.ttl,
            ..NewSession::default()
        },
    )?
    .id;
    let mut trail = Trail {
        session_id,
        events: Vec::new(),
    };
    let api = Actor::ApiKey(ctx.key);
    let mut required = vec!["verification/idv".to_owned()];
    if requires_address {
        required.push("verification/address".to_owned());
    }
    trail.push(
        created,
        api,
        "session.created",
        json!({ "required_verifications": required }),
    );

    let mut row = DemoSession {
        account_id: account.id,
        status: status.as_str().to_owned(),
        previous_status: None,
        creator_type: "api_key".into(),
        creator_id: Some(ctx.key),
        required_verifications: required.clone(),
        first_name: None,
        middle_name: None,
        last_name: None,
        birth_date: None,
        email: None,
        phone: None,
        address_line1: None,
        address_locality: None,
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
        last_activity: Some("session.created".into()),
        created_at: created,
        updated_at: created,
        started_at: None,
        submitted_at: None,
        completed_at: None,
        failed_at: None,
        marked_for_review_at: None,
        decisioned_at: None,
        expired_at: None,
        expires_at: created + ctx.ttl,
    };

    // Which steps this case went through before its final status.
    let expired_from = if status == S::Expired {
        [S::Created, S::Started, S::Pending][i % 3]
    } else {
        S::Created
    };
    let reached = |s: S| -> bool {
        use S::*;
        let order = |x: S| match x {
            Created => 0,
            Started => 1,
            Pending => 2,
            _ => 3,
        };
        if status == Expired {
            order(s) <= order(expired_from)
        } else {
            order(s) <= order(status)
        }
    };

    let mut t = created;
    let mut last_status = S::Created;
    if reached(S::Started) {
        t += ctx.minutes(1, 30);
        row.started_at = Some(t);
        trail.transition(
            t,
            api,
            "session.started",
            S::Created,
            S::Started,
            json!({ "device": true }),
        );
        last_status = S::Started;
        devices::insert(
            conn,
            &NewDevice {
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
                language: Some(locale.language.to_owned()),
                screen: Some(screen.to_owned()),
                created_at: Some(t),
            },
        )?;
        t += ctx.minutes(1, 4);
        row.first_name = Some(first.to_owned());
        row.middle_name = middle.map(str::to_owned);
        row.last_name = Some(entered_last.clone());
        row.birth_date = Some(birth);
        row.email = Some(email.clone());
        row.phone = Some(phone.clone());
        row.address_line1 = Some(street.clone());
        row.address_locality = Some(city.to_owned());
        row.address_postal_code = Some(postal.to_owned());
        row.address_country_code = Some(locale.country.to_owned());
        let mut fields = vec![
            "person.name.first",
            "person.name.last",
            "person.birth_date",
            "contact.email",
            "contact.phone",
        ];
        if middle.is_some() {
            fields.push("person.name.middle");
        }
        fields.extend([
            "address.line1",
            "address.locality",
            "address.postal_code",
            "address.country_code",
        ]);
        trail.push(
            t,
            api,
            "session.person_updated",
            json!({ "fields": fields }),
        );
    }

    let mut verification_outcome: Option<(&str, Vec<String>)> = None;
    if reached(S::Pending) {
        // The ID document, its image, then submission.
        let [l1, l2] = mrz::compose_td3(&Td3Fields {
            document_code: "P".into(),
            issuing_state: alpha3.into(),
            surname: last.into(),
            given_names: given.clone(),
            document_number: doc_number.clone(),
            nationality: alpha3.into(),
            birth_date: birth,
            sex,
            expiry_date: doc_expiry,
            optional_data: String::new(),
        });
        t += ctx.minutes(1, 3);
        let doc = documents::insert(
            conn,
            &NewDocument {
                session_id,
                kind: "document/idv".into(),
                document_type: "passport".into(),
                status: Some("submitted".into()),
                mrz: Some(format!("{l1}\n{l2}")),
                reported: None,
                created_at: Some(t),
            },
        )?;
        trail.push(
            t,
            api,
            "document.created",
            json!({ "document_id": doc.id, "kind": "document/idv", "document_type": "passport" }),
        );
        let mrz_lines = [l1.clone(), l2.clone()];
        let png = images::id_card_png(
            &CardData {
                title: "PASSPORT",
                country: alpha3,
                surname: &mrz::transliterate(last).replace('<', " "),
                given_names: &mrz::transliterate(&given).replace('<', " "),
                birth_date: &birth.to_string(),
                expiry_date: &doc_expiry.to_string(),
                number: &doc_number,
                mrz: &mrz_lines,
                tint: (i * 37 % 200) as u8,
            },
            scenario != Scenario::Unreadable,
        );
        let file = store_file(
            conn,
            doc.id,
            "front",
            "passport-front.png",
            "image/png",
            png,
            t,
        )?;
        trail.push(
            t,
            api,
            "document.file_uploaded",
            json!({ "document_id": doc.id, "file_id": file, "side": "front" }),
        );

        let mut address_doc = None;
        if requires_address {
            let issued = today - Duration::days(ctx.rng.random_range(5..60));
            let reported = json!({
                "name": format!("{given} {last}"),
                "address": { "line1": street, "locality": city, "postal_code": postal, "country_code": locale.country },
                "issued_on": issued.to_string(),
            });
            let bill = documents::insert(
                conn,
                &NewDocument {
                    session_id,
                    kind: "document/address".into(),
                    document_type: "utility_bill".into(),
                    status: Some("submitted".into()),
                    mrz: None,
                    reported: Some(reported),
                    created_at: Some(t),
                },
            )?;
            trail.push(t, api, "document.created", json!({ "document_id": bill.id, "kind": "document/address", "document_type": "utility_bill" }));
            let amount = format!(
                "{} {}.{:02}",
                locale.currency,
                ctx.rng.random_range(20..400),
                ctx.rng.random_range(0..100)
            );
            let pdf = images::utility_bill_pdf(
                locale.utility,
                &format!("{given} {last}"),
                &[street.clone(), format!("{postal} {city}")],
                &issued.to_string(),
                &amount,
            );
            let file = store_file(conn, bill.id, "page", "bill.pdf", "application/pdf", pdf, t)?;
            trail.push(
                t,
                api,
                "document.file_uploaded",
                json!({ "document_id": bill.id, "file_id": file, "side": "page" }),
            );
            address_doc = Some((bill.id, issued));
        }

        t += ctx.minutes(1, 5);
        row.submitted_at = Some(t);
        trail.transition(
            t,
            api,
            "session.submitted",
            S::Started,
            S::Pending,
            json!({}),
        );
        last_status = S::Pending;
        row.identity_number = Some(doc_number.clone());
        row.identity_number_issuing_country_code = Some(locale.country.to_owned());
        row.identity_number_class = Some("passport".into());

        let ran_verification = status != S::Pending || scenario == Scenario::Unreadable;
        if ran_verification && status != S::Expired {
            t += ctx.minutes(1, 2);
            let extracted = json!({
                "name": { "first": mrz::transliterate(&given).replace('<', " "), "last": mrz::transliterate(last).replace('<', " ") },
                "birth_date": birth.to_string(),
                "document_number": doc_number,
                "nationality": alpha3,
                "sex": sex.to_string(),
                "expiry_date": doc_expiry.to_string(),
                "issuing_country": alpha3,
            });
            let (vstatus, checks) = idv_checks(scenario, birth, doc_expiry, today);
            let failed: Vec<String> = checks
                .iter()
                .filter(|c| c.1 == "failed")
                .map(|c| c.0.to_owned())
                .collect();
            let v = verifications::insert(
                conn,
                &NewVerification {
                    session_id,
                    document_id: doc.id,
                    kind: "verification/idv".into(),
                    status: vstatus.into(),
                    extracted: if scenario == Scenario::Unreadable {
                        None
                    } else {
                        Some(extracted.clone())
                    },
                    auto_update_session: false,
                    created_at: Some(t),
                    completed_at: Some(t),
                },
            )?;
            insert_checks(conn, v.id, &checks)?;
            diesel::update(crate::schema::documents::table.find(doc.id))
                .set((
                    crate::schema::documents::status.eq(if vstatus == "requires_retry" {
                        "failed"
                    } else {
                        "processed"
                    }),
                    crate::schema::documents::extracted.eq(if scenario == Scenario::Unreadable {
                        None
                    } else {
                        Some(extracted)
                    }),
                ))
                .execute(conn)?;
            trail.push(t, Actor::System, "verification.completed", json!({ "verification_id": v.id, "kind": "verification/idv", "status": vstatus, "failed_checks": failed }));
            verification_outcome = Some((vstatus, failed));

            if let Some((bill_id, issued)) = address_doc {
                let checks = vec![
                    (
                        "document_recent",
                        "passed",
                        format!(
                            "issued {} days ago; 90 allowed",
                            (today - issued).num_days()
                        ),
                    ),
                    (
                        "name_matches_session",
                        "passed",
                        "name on the bill matches the session".to_owned(),
                    ),
                    (
                        "address_present",
                        "passed",
                        "street, postal code and city found".to_owned(),
                    ),
                ];
                let v = verifications::insert(
                    conn,
                    &NewVerification {
                        session_id,
                        document_id: bill_id,
                        kind: "verification/address".into(),
                        status: "passed".into(),
                        extracted: Some(
                            json!({ "address": { "line1": street, "locality": city, "postal_code": postal, "country_code": locale.country } }),
                        ),
                        auto_update_session: false,
                        created_at: Some(t),
                        completed_at: Some(t),
                    },
                )?;
                insert_checks(conn, v.id, &checks)?;
                trail.push(t, Actor::System, "verification.completed", json!({ "verification_id": v.id, "kind": "verification/address", "status": "passed", "failed_checks": [] }));
            }
        }
    }

    // The engine's verdict, then the reviewers.
    let passed = matches!(verification_outcome, Some(("passed", _)));
    let failed = matches!(verification_outcome, Some(("failed", _)));
    let after_engine = matches!(
        status,
        S::Completed | S::Failed | S::MarkedForReview | S::Approved | S::Declined
    );
    if after_engine {
        if passed {
            row.completed_at = Some(t);
            trail.transition(
                t,
                Actor::System,
                "session.completed",
                S::Pending,
                S::Completed,
                json!({}),
            );
            last_status = S::Completed;
        } else if failed {
            row.failed_at = Some(t);
            trail.transition(
                t,
                Actor::System,
                "session.failed",
                S::Pending,
                S::Failed,
                json!({}),
            );
            last_status = S::Failed;
        }
    }

    let decided = matches!(status, S::Approved | S::Declined);
    let goes_through_review =
        status == S::MarkedForReview || (decided && (failed || i.is_multiple_of(4)));
    let reviewer = ctx.reviewer();
    let mut decision_time = ctx.now - ctx.minutes(30, 24 * 60);
    if decided {
        // Decisions fall over the last fourteen days, after the case was ready.
        let earliest = t + Duration::minutes(20);
        let span = (ctx.now - earliest).num_minutes().max(30);
        decision_time =
            earliest + Duration::minutes(ctx.rng.random_range(0..span.min(60 * 24 * 3)));
    }
    if goes_through_review {
        let mark_at = if decided {
            t + (decision_time - t) / 3
        } else {
            t + (ctx.now - t) / 2
        };
        trail.push(
            mark_at - Duration::minutes(2),
            Actor::User(reviewer),
            "session.assigned",
            json!({ "assignee": reviewer }),
        );
        row.assigned_to = Some(reviewer);
        row.assigned_at = Some(mark_at - Duration::minutes(2));
        if scenario == Scenario::Mismatch || i.is_multiple_of(3) {
            let body = match scenario {
                Scenario::Mismatch => {
                    "Last name on the form differs from the passport. Asked the applicant to confirm the spelling."
                }
                Scenario::Expired => {
                    "Passport expired. Waiting to hear whether a renewed passport is on its way."
                }
                Scenario::Underage => {
                    "Applicant appears to be under 18. Escalating to the compliance lead."
                }
                _ => "Photo slightly blurred but readable. Second opinion requested.",
            };
            let note = notes::insert(
                conn,
                &NewNote {
                    session_id,
                    author_id: reviewer,
                    body: Some(body.into()),
                    created_at: Some(mark_at - Duration::minutes(1)),
                },
            )?;
            trail.push(
                mark_at - Duration::minutes(1),
                Actor::User(reviewer),
                "note.added",
                json!({ "note_id": note.id }),
            );
        }
        row.marked_for_review_at = Some(mark_at);
        trail.transition(
            mark_at,
            Actor::User(reviewer),
            "session.marked_for_review",
            last_status,
            S::MarkedForReview,
            json!({}),
        );
        last_status = S::MarkedForReview;
    } else if status == S::Completed && i.is_multiple_of(3) {
        let at = t + (ctx.now - t) / 2;
        row.assigned_to = Some(reviewer);
        row.assigned_at = Some(at);
        trail.push(
            at,
            Actor::User(reviewer),
            "session.assigned",
            json!({ "assignee": reviewer }),
        );
    }

    if decided {
        let decider = row.assigned_to.unwrap_or(reviewer);
        let approve = status == S::Approved;
        let reason = if approve {
            None
        } else {
            Some(match scenario {
                Scenario::Expired => "document_expired",
                Scenario::Underage => "underage",
                Scenario::Mismatch => "data_mismatch",
                _ => [
                    "duplicate",
                    "document_suspected_fraud",
                    "sanctions_or_watchlist",
                    "other",
                ][i % 4],
            })
        };
        let comment = match (approve, i % 3) {
            (true, 0) => Some("All checks passed; photo matches."),
            (false, 0) => Some("See notes."),
            _ => None,
        };
        row.decision = Some(if approve { "approved" } else { "declined" }.into());
        row.decision_reason = reason.map(str::to_owned);
        row.decision_comment = comment.map(str::to_owned);
        row.decided_by_type = Some("user".into());
        row.decided_by = Some(decider);
        row.decisioned_at = Some(decision_time);
        let action = if approve {
            "session.approved"
        } else {
            "session.declined"
        };
        let mut details = json!({});
        if let Some(r) = reason {
            details["reason"] = json!(r);
        }
        if comment.is_some() {
            details["comment"] = json!(true);
        }
        trail.transition(
            decision_time,
            Actor::User(decider),
            action,
            last_status,
            status,
            details,
        );
        last_status = status;
        t = decision_time;
    }

    if status == S::Expired {
        let at = created + ctx.ttl;
        row.expired_at = Some(at);
        trail.transition(
            at,
            Actor::System,
            "session.expired",
            last_status,
            S::Expired,
            json!({}),
        );
        last_status = S::Expired;
        t = at;
    }

    row.previous_status = trail
        .events
        .iter()
        .rev()
        .find_map(|e| e.from_status.map(str::to_owned));
    row.updated_at = trail
        .events
        .iter()
        .filter_map(|e| e.created_at)
        .max()
        .unwrap_or(t);
    row.last_activity = trail
        .events
        .iter()
        .max_by_key(|e| e.created_at)
        .map(|e| e.action.clone());
    debug_assert_eq!(last_status, status);
    diesel::update(sessions::table.find(session_id))
        .set(&row)
        .execute(conn)?;
    trail.events.sort_by_key(|e| e.created_at);
    events::insert_many(conn, &trail.events)?;
    Ok(())
}

fn store_file(
    conn: &mut PgConnection,
    document_id: Uuid,
    side: &str,
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
    at: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let sha = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let meta = documents::insert_file(
        conn,
        &NewFile {
            document_id,
            side: side.into(),
            filename: Some(filename.into()),
            content_type: content_type.into(),
            byte_size: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            sha256: sha,
            content: Some(bytes),
            created_at: Some(at),
        },
    )?;
    Ok(meta.id)
}

type CheckRow = (&'static str, &'static str, String);

fn idv_checks(
    scenario: Scenario,
    birth: NaiveDate,
    expiry: NaiveDate,
    today: NaiveDate,
) -> (&'static str, Vec<CheckRow>) {
    let age = today.years_since(birth).unwrap_or(0);
    if scenario == Scenario::Unreadable {
        return (
            "requires_retry",
            vec![
                (
                    "image_readable",
                    "failed",
                    "the front image is 320x200 pixels; at least 600x400 are needed".into(),
                ),
                (
                    "mrz_format",
                    "passed",
                    "TD3 layout: 2 lines of 44 characters".into(),
                ),
                (
                    "mrz_check_digits",
                    "passed",
                    "every check digit and the composite match".into(),
                ),
                (
                    "document_not_expired",
                    "passed",
                    "the document has not expired".into(),
                ),
                (
                    "minimum_age",
                    "passed",
                    "the applicant is at least 18".into(),
                ),
                (
                    "data_consistency",
                    "passed",
                    "names and birth date match the session".into(),
                ),
            ],
        );
    }
    let expired = scenario == Scenario::Expired;
    let minor = scenario == Scenario::Underage;
    let mismatch = scenario == Scenario::Mismatch;
    let checks = vec![
        (
            "mrz_format",
            "passed",
            "TD3 layout: 2 lines of 44 characters".into(),
        ),
        (
            "mrz_check_digits",
            "passed",
            "every check digit and the composite match".into(),
        ),
        (
            "document_not_expired",
            if expired { "failed" } else { "passed" },
            if expired {
                format!("the document expired on {expiry}")
            } else {
                "the document has not expired".into()
            },
        ),
        (
            "minimum_age",
            if minor { "failed" } else { "passed" },
            if minor {
                format!("the applicant is {age}; at least 18 is required")
            } else {
                "the applicant is at least 18".into()
            },
        ),
        (
            "data_consistency",
            if mismatch { "failed" } else { "passed" },
            if mismatch {
                "last name differs from the session".into()
            } else {
                "names and birth date match the session".into()
            },
        ),
        (
            "image_readable",
            "passed",
            "the front image is 900x600 pixels".into(),
        ),
    ];
    let status = if expired || minor || mismatch {
        "failed"
    } else {
        "passed"
    };
    (status, checks)
}

fn insert_checks(
    conn: &mut PgConnection,
    verification_id: Uuid,
    checks: &[CheckRow],
) -> anyhow::Result<()> {
    let rows: Vec<NewCheck> = checks
        .iter()
        .enumerate()
        .map(|(i, (name, status, reason))| NewCheck {
            verification_id,
            position: i as i16,
            name: (*name).to_owned(),
            status: (*status).to_owned(),
            requirement: "required".into(),
            reasons: vec![reason.clone()],
            metadata: json!({}),
        })
        .collect();
    verifications::insert_checks(conn, &rows)?;
    Ok(())
}
