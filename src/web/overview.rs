//! `GET /queues`: the manager overview. How many sessions sit in each status, how long the
//! oldest waiting case has waited, how old the waiting cases are, who decided how much in
//! the last two weeks, and who holds the waiting cases (SPEC section 5, UI.md "Manager
//! overview"). Managers and admins only; managers see applicant names masked.

use actix_session::Session;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::auth::Overseer;
use super::chart::{self, DecisionChart};
use super::format;
use super::page::{self, Page};
use crate::db::{self, DbPool};
use crate::domain::sla::Targets;
use crate::domain::status::SessionStatus;
use crate::store::stats::{self, AgeBuckets, AssigneeLoad, DailyDecisions, OldestSession};
use crate::web::error::PageError;

/// Counts stop here; beyond it the page says "100,000+".
pub const COUNT_CAP: i64 = 100_000;

/// How many days the decisions chart covers, today included.
pub const DECISION_DAYS: u32 = 14;

/// The statuses a reviewer still has to act on.
const WAITING: [SessionStatus; 2] = [SessionStatus::Completed, SessionStatus::MarkedForReview];

/// A capped count as shown: `1,204`, or `100,000+` when the count reached past the cap.
fn count_label(n: i64) -> String {
    format::capped(n, COUNT_CAP)
}

/// A status tile: the status, its count, a link to the queue filtered by it.
struct Tile {
    status: &'static str,
    count: String,
    waiting: bool,
}

/// The oldest waiting session of one status, or nothing waiting.
struct Oldest {
    status: &'static str,
    session: Option<OldestView>,
}

struct OldestView {
    id: Uuid,
    age: String,
    created: String,
    created_iso: String,
    /// The applicant's name as this viewer may see it, or a placeholder.
    name: String,
    /// Whether `name` is a placeholder ("(redacted)", "(no name yet)").
    placeholder: bool,
}

struct Bucket {
    id: &'static str,
    label: &'static str,
    count: String,
    width: u32,
}

struct Assignee {
    /// `unassigned` or the user's id, as the queue's `assignee` filter takes it.
    filter: String,
    name: String,
    count: String,
    unassigned: bool,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct QueuesPage {
    page: Page,
    as_of: String,
    as_of_iso: String,
    tiles: Vec<Tile>,
    oldest: Vec<Oldest>,
    buckets: Vec<Bucket>,
    hbar_w: u32,
    chart: Option<DecisionChart>,
    chart_days: u32,
    chart_from: String,
    chart_to: String,
    assignees: Vec<Assignee>,
    /// Breached and due-soon cases per waiting status.
    sla: Vec<SlaRow>,
    /// Breaches reported per day, oldest day first.
    breach_days: Vec<BreachDay>,
    /// Breaches over those days.
    breach_total: String,
}

/// One waiting status against its service level.
struct SlaRow {
    status: &'static str,
    target: String,
    breached: String,
    due_soon: String,
}

/// One day of the breach trend.
struct BreachDay {
    day: String,
    count: String,
    width: u32,
}

fn sla_rows(counts: &[stats::SlaCount], targets: &Targets) -> Vec<SlaRow> {
    counts
        .iter()
        .map(|c| SlaRow {
            status: c.status.as_str(),
            target: targets
                .of(c.status)
                .map(|t| super::sessions::triage::hours_in_words(t.num_hours()))
                .unwrap_or_default(),
            breached: count_label(c.breached),
            due_soon: count_label(c.due_soon),
        })
        .collect()
}

fn breach_days(found: &[stats::DailyBreaches], today: NaiveDate) -> (Vec<BreachDay>, String) {
    let days: Vec<(NaiveDate, i64)> = (0..i64::from(DECISION_DAYS))
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            (day, found.iter().find(|b| b.day == day).map_or(0, |b| b.n))
        })
        .collect();
    let max = days.iter().map(|d| d.1).max().unwrap_or(0);
    let total: i64 = days.iter().map(|d| d.1).sum();
    let rows = days
        .into_iter()
        .map(|(day, n)| BreachDay {
            day: day.format("%a %d %b").to_string(),
            count: format::thousands(n),
            width: chart::hbar_width(n, max),
        })
        .collect();
    (rows, format::thousands(total))
}

/// Everything the page reads, fetched on one pooled connection.
struct Overview {
    counts: Vec<stats::StatusCount>,
    oldest: Vec<OldestSession>,
    buckets: AgeBuckets,
    decisions: Vec<DailyDecisions>,
    assignees: Vec<AssigneeLoad>,
    sla: Vec<stats::SlaCount>,
    breaches: Vec<stats::DailyBreaches>,
}

/// The applicant's name as this viewer may see it, and whether it is a placeholder.
fn applicant_name(s: &OldestSession, masked: bool) -> (String, bool) {
    if s.redacted {
        return ("(redacted)".to_owned(), true);
    }
    let names = [&s.first_name, &s.middle_name, &s.last_name];
    if names
        .iter()
        .all(|n| n.as_deref().is_none_or(|n| n.trim().is_empty()))
    {
        return ("(no name yet)".to_owned(), true);
    }
    let name = format::applicant(
        s.first_name.as_deref(),
        s.middle_name.as_deref(),
        s.last_name.as_deref(),
        masked,
    );
    (name, false)
}

fn oldest_views(found: &[OldestSession], now: DateTime<Utc>, masked: bool) -> Vec<Oldest> {
    WAITING
        .iter()
        .map(|status| Oldest {
            status: status.as_str(),
            session: found.iter().find(|s| s.status == *status).map(|s| {
                let (name, placeholder) = applicant_name(s, masked);
                OldestView {
                    id: s.id,
                    age: format::long_age(s.created_at, now),
                    created: format::exact(s.created_at),
                    created_iso: s.created_at.to_rfc3339(),
                    name,
                    placeholder,
                }
            }),
        })
        .collect()
}

fn bucket_views(b: AgeBuckets) -> Vec<Bucket> {
    let rows = [
        ("bucket-hour", "Under 1 hour", b.under_hour),
        ("bucket-day", "Under 1 day", b.under_day),
        ("bucket-3days", "Under 3 days", b.under_three_days),
        ("bucket-older", "3 days or older", b.older),
    ];
    let max = rows.iter().map(|r| r.2).max().unwrap_or(0);
    rows.into_iter()
        .map(|(id, label, n)| Bucket {
            id,
            label,
            count: count_label(n),
            width: chart::hbar_width(n, max),
        })
        .collect()
}

fn assignee_views(loads: Vec<AssigneeLoad>) -> Vec<Assignee> {
    loads
        .into_iter()
        .map(|a| match a.user_id {
            Some(id) => Assignee {
                filter: id.to_string(),
                name: a.display_name.unwrap_or_default(),
                count: count_label(a.n),
                unassigned: false,
                disabled: a.disabled,
            },
            None => Assignee {
                filter: "unassigned".to_owned(),
                name: "unassigned".to_owned(),
                count: count_label(a.n),
                unassigned: true,
                disabled: false,
            },
        })
        .collect()
}

/// The manager overview.
#[get("/queues")]
pub async fn index(
    Overseer(me): Overseer,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
) -> Result<HttpResponse, PageError> {
    let now = Utc::now();
    let targets = state.config.sla;
    let today = now.date_naive();
    let first_day = today - Duration::days(i64::from(DECISION_DAYS) - 1);
    let since = first_day.and_time(chrono::NaiveTime::MIN).and_utc();
    let overview = db::with_conn(&pool, move |conn| {
        let limit = COUNT_CAP + 1;
        Ok(Overview {
            counts: stats::status_counts(conn, SessionStatus::ALL, limit)?,
            oldest: stats::oldest_per_status(conn, &WAITING)?,
            buckets: stats::age_buckets(conn, &WAITING, now, limit)?,
            decisions: stats::decisions_per_user_per_day(conn, since)?,
            assignees: stats::per_assignee(conn, &WAITING, limit)?,
            sla: stats::sla_counts(conn, &targets, now, limit)?,
            breaches: stats::breaches_per_day(conn, since)?,
        })
    })
    .await?;
    let (breach, breach_total) = breach_days(&overview.breaches, today);
    let tiles = SessionStatus::ALL
        .iter()
        .map(|status| Tile {
            status: status.as_str(),
            count: count_label(
                overview
                    .counts
                    .iter()
                    .find(|c| c.status == *status)
                    .map_or(0, |c| c.n),
            ),
            waiting: WAITING.contains(status),
        })
        .collect();
    page::render(&QueuesPage {
        page: Page::new(&session, Some(&me), "queues", "Queues"),
        as_of: format::exact(now),
        as_of_iso: now.to_rfc3339(),
        tiles,
        oldest: oldest_views(&overview.oldest, now, me.sees_masked_data()),
        buckets: bucket_views(overview.buckets),
        hbar_w: chart::HBAR_W,
        chart: chart::decisions(&overview.decisions, today, DECISION_DAYS),
        chart_days: DECISION_DAYS,
        chart_from: first_day.format("%Y-%m-%d").to_string(),
        chart_to: today.format("%Y-%m-%d").to_string(),
        assignees: assignee_views(overview.assignees),
        sla: sla_rows(&overview.sla, &targets),
        breach_days: breach,
        breach_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_past_the_cap_show_a_plus() {
        assert_eq!(count_label(1_204), "1,204");
        assert_eq!(count_label(COUNT_CAP), "100,000");
        assert_eq!(count_label(COUNT_CAP + 1), "100,000+");
    }

    #[test]
    fn redacted_and_nameless_sessions_get_placeholders_and_managers_initials() {
        let mut s = OldestSession {
            status: SessionStatus::Completed,
            id: Uuid::new_v4(),
            created_at: Utc::now(),
            first_name: Some("Anna".to_owned()),
            middle_name: None,
            last_name: Some("Eriksson".to_owned()),
            redacted: false,
        };
        assert_eq!(
            applicant_name(&s, true),
            ("A*** E*******".to_owned(), false)
        );
        assert_eq!(
            applicant_name(&s, false),
            ("Anna Eriksson".to_owned(), false)
        );
        s.redacted = true;
        assert_eq!(applicant_name(&s, false), ("(redacted)".to_owned(), true));
        s.redacted = false;
        s.first_name = None;
        s.last_name = Some(" ".to_owned());
        assert_eq!(
            applicant_name(&s, false),
            ("(no name yet)".to_owned(), true)
        );
    }
}
