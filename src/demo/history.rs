//! One demo session at a time: an applicant, their documents and verifications, and the
//! audit trail a real case would have left, backdated so that queues have ages, the
//! manager's chart has fourteen days of decisions, and every status is represented.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};
use uuid::Uuid;

use super::applicant::{Applicant, Scenario};
use super::review::{self, Ready};
use super::{evidence, verification};
use crate::config::Config;
use crate::domain::actor::Actor;
use crate::domain::kinds::{ActorType, IdentityClass, VerificationStatus};
use crate::domain::status::SessionStatus as S;
use crate::store::accounts::{self, NewAccount};
use crate::store::devices;
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{self as session_store, NewSession, SessionRow};

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

/// Shared state while generating.
pub struct Context<'a> {
    /// The seeded generator every random choice comes from, in a fixed order.
    pub(super) rng: &'a mut StdRng,
    reviewers: &'a [Uuid],
    key: Uuid,
    /// One "now" for the whole run, so every session is dated from the same instant.
    pub(super) now: DateTime<Utc>,
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

    /// A random gap of `lo..=hi` minutes between two steps of a case.
    pub(super) fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(self.rng.random_range(lo..=hi))
    }

    /// A random demo reviewer, for assignments, notes and decisions.
    pub(super) fn reviewer(&mut self) -> Uuid {
        *self.reviewers.choose(self.rng).unwrap_or(&Uuid::nil())
    }

    /// The demo API key, which creates the sessions and uploads the documents.
    pub(super) fn api(&self) -> Actor {
        Actor::ApiKey(self.key)
    }

    /// Today, for birth, expiry and bill dates.
    pub(super) fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// When a session ending in `status` was opened: open cases are up to days old,
    /// decided ones fall within the manager's fourteen-day chart, expired ones are past
    /// their time to live.
    pub(super) fn opened_at(&mut self, status: S) -> DateTime<Utc> {
        let age = match status {
            S::Created | S::Started | S::Pending => self.minutes(10, 5 * 24 * 60),
            S::Completed => self.minutes(20, 6 * 24 * 60),
            S::MarkedForReview => self.minutes(120, 9 * 24 * 60),
            S::Failed => self.minutes(60, 12 * 24 * 60),
            S::Approved | S::Declined => self.minutes(26 * 60, 14 * 24 * 60),
            S::Expired => self.minutes(8 * 24 * 60, 25 * 24 * 60),
        };
        self.now - age
    }
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

/// A wait that ran past the default service level (24 hours) before it ended, or until
/// now, is reported at its due time, as the breach job would have.
fn breach(trail: &mut Trail, row: &mut SessionRow, now: DateTime<Utc>) {
    let Some(since) = row.waiting_since else {
        return;
    };
    let target = crate::domain::sla::Targets::default();
    let waited_in = if row.marked_for_review_at.is_some() {
        S::MarkedForReview
    } else if row.failed_at.is_some() {
        S::Failed
    } else {
        S::Completed
    };
    let Some(due) = target.due(waited_in, since) else {
        return;
    };
    let ended = row.decisioned_at.or(row.expired_at).unwrap_or(now);
    if due > ended || due > now {
        return;
    }
    row.sla_breached_at = Some(due);
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    trail.push(
        due,
        Actor::System,
        "session.sla_breached",
        serde_json::json!({
            "status": waited_in.as_str(),
            "waiting_since": stamp(since),
            "due_at": stamp(due),
            "target_hours": 24,
        }),
    );
}

/// The audit trail of one session, collected while it is generated and written at the end
/// in time order.
pub(super) struct Trail {
    /// The session the events are about.
    pub(super) session_id: Uuid,
    /// The session's status after the latest transition.
    pub(super) status: S,
    events: Vec<NewEvent>,
}

impl Trail {
    /// Records `action` by `actor` at `at`.
    pub(super) fn push(&mut self, at: DateTime<Utc>, actor: Actor, action: &str, details: Value) {
        let mut e = NewEvent::new(actor, action, Some(self.session_id)).details(details);
        e.created_at = Some(at);
        self.events.push(e);
    }

    /// Records `action` by `actor` at `at`, moving the session from its current status to
    /// `to`.
    pub(super) fn transition(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        action: &str,
        to: S,
        details: Value,
    ) {
        let mut e = NewEvent::new(actor, action, Some(self.session_id))
            .transition(self.status, to)
            .details(details);
        e.created_at = Some(at);
        self.events.push(e);
        self.status = to;
    }
}

/// Writes demo session number `i` with everything that belongs to it.
pub fn session(conn: &mut PgConnection, ctx: &mut Context<'_>, i: usize) -> anyhow::Result<()> {
    let status = status_for(i);
    let who = Applicant::generate(ctx, i, status);
    let created = who.created;

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
            id: None,
            status: None,
            creator_type: ActorType::ApiKey,
            creator_id: Some(ctx.key),
            required_verifications: None,
            expires_at: created + ctx.ttl,
            last_activity: None,
        },
    )?
    .id;
    let mut trail = Trail {
        session_id,
        status: S::Created,
        events: Vec::new(),
    };
    let api = ctx.api();
    let mut required = vec!["verification/idv".to_owned()];
    if who.requires_address {
        required.push("verification/address".to_owned());
    }
    trail.push(
        created,
        api,
        "session.created",
        json!({ "required_verifications": required }),
    );

    let mut row = SessionRow {
        account_id: account.id,
        status: status.as_str().to_owned(),
        creator_type: "api_key".into(),
        creator_id: Some(ctx.key),
        required_verifications: required,
        last_activity: Some("session.created".into()),
        created_at: created,
        updated_at: created,
        expires_at: created + ctx.ttl,
        ..SessionRow::default()
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
    if reached(S::Started) {
        t += ctx.minutes(1, 30);
        row.started_at = Some(t);
        trail.transition(
            t,
            api,
            "session.started",
            S::Started,
            json!({ "device": true }),
        );
        devices::insert(conn, &who.device(ctx, session_id, t))?;
        t += ctx.minutes(1, 4);
        row.person.first_name = Some(who.first.to_owned());
        row.person.middle_name = who.middle.map(str::to_owned);
        row.person.last_name = Some(who.entered_last.clone());
        row.person.birth_date = Some(who.birth);
        row.person.email = Some(who.email.clone());
        row.person.phone = Some(who.phone.clone());
        row.person.address_line1 = Some(who.street.clone());
        row.person.address_locality = Some(who.city.to_owned());
        row.person.address_postal_code = Some(who.postal.to_owned());
        row.person.address_country_code = Some(who.locale.country.to_owned());
        trail.push(
            t,
            api,
            "session.person_updated",
            json!({ "fields": who.entered_fields() }),
        );
    }

    let mut verdict = None;
    if reached(S::Pending) {
        // The ID document, its image, then submission.
        t += ctx.minutes(1, 3);
        let submitted = evidence::upload(conn, ctx, &mut trail, &who, i, t)?;
        t += ctx.minutes(1, 5);
        row.submitted_at = Some(t);
        trail.transition(t, api, "session.submitted", S::Pending, json!({}));
        row.person.identity_number = Some(who.doc_number.clone());
        row.person.identity_number_issuing_country_code = Some(who.locale.country.to_owned());
        row.person.identity_number_class = Some(IdentityClass::Passport);

        let ran_verification = status != S::Pending || who.scenario == Scenario::Unreadable;
        if ran_verification && status != S::Expired {
            t += ctx.minutes(1, 2);
            verdict = Some(verification::verify(conn, &mut trail, &who, &submitted, t)?);
        }
    }

    // The engine's verdict, then the reviewers.
    let passed = verdict == Some(VerificationStatus::Passed);
    let failed = verdict == Some(VerificationStatus::Failed);
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
                S::Completed,
                json!({}),
            );
        } else if failed {
            row.failed_at = Some(t);
            trail.transition(t, Actor::System, "session.failed", S::Failed, json!({}));
        }
    }

    let reviewed = review::review(
        conn,
        ctx,
        &mut trail,
        Ready {
            i,
            status,
            scenario: who.scenario,
            failed,
            at: t,
        },
    )?;
    if let Some((reviewer, at)) = reviewed.assigned {
        row.assigned_to = Some(reviewer);
        row.assigned_at = Some(at);
    }
    row.marked_for_review_at = reviewed.marked_at;
    if let Some(d) = reviewed.decision {
        row.decision = Some(if d.approve { "approved" } else { "declined" }.into());
        row.decision_reason = d.reason.map(str::to_owned);
        row.decision_comment = d.comment.map(str::to_owned);
        row.decided_by_type = Some("user".into());
        row.decided_by = Some(d.by);
        row.decisioned_at = Some(d.at);
        t = d.at;
    }

    if status == S::Expired {
        let at = created + ctx.ttl;
        row.expired_at = Some(at);
        trail.transition(at, Actor::System, "session.expired", S::Expired, json!({}));
        t = at;
    }

    row.previous_status = trail
        .events
        .iter()
        .rev()
        .find_map(|e| e.from_status.map(|s| s.as_str().to_owned()));
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
    // As the transitions keep it: since completing or failing.
    row.waiting_since = row.completed_at.or(row.failed_at);
    breach(&mut trail, &mut row, Utc::now());
    debug_assert_eq!(trail.status, status);
    session_store::overwrite(conn, session_id, &row)?;
    trail.events.sort_by_key(|e| e.created_at);
    events::insert_many(conn, &trail.events)?;
    Ok(())
}
