//! The queue: every filter alone and combined returns exactly the matching sessions, paging
//! visits each session once in both directions, and applicant data is escaped and masked.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::{ActorType, Role};
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::sessions;
use sessiondesk::store::accounts::{self, NewAccount};
use sessiondesk::store::sessions::{self as store, NewSession};
use uuid::Uuid;

use crate::helpers::{Browser, spawn_app};

/// One arranged session and the facts the filters look at.
#[derive(Clone, Debug)]
pub struct Made {
    pub id: Uuid,
    pub status: SessionStatus,
    pub name: String,
    pub email: String,
    pub external_id: String,
    pub account_id: Uuid,
    pub assignee: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Creates a session with the given facts straight in the database.
#[allow(clippy::too_many_arguments)]
pub fn make(
    conn: &mut PgConnection,
    first: &str,
    last: &str,
    external_id: &str,
    status: SessionStatus,
    created_at: DateTime<Utc>,
    assignee: Option<Uuid>,
) -> Made {
    let account = match accounts::find_by_external_id(conn, external_id).unwrap() {
        Some(a) => a,
        None => accounts::insert(
            conn,
            &NewAccount {
                external_id: Some(external_id.to_owned()),
                ..NewAccount::default()
            },
        )
        .unwrap(),
    };
    let s = store::insert(
        conn,
        &NewSession {
            id: None,
            account_id: account.id,
            status: None,
            creator_type: ActorType::System,
            creator_id: None,
            required_verifications: None,
            expires_at: Utc::now() + Duration::days(7),
            last_activity: None,
        },
    )
    .unwrap();
    let email = format!(
        "{}.{}@example.org",
        first.to_lowercase(),
        last.to_lowercase()
    );
    let (decision, reason) = match status {
        SessionStatus::Approved => (Some("approved"), None),
        SessionStatus::Declined => (Some("declined"), Some("other")),
        _ => (None, None),
    };
    diesel::update(sessions::table.find(s.id))
        .set((
            sessions::status.eq(status.as_str()),
            sessions::first_name.eq(first),
            sessions::last_name.eq(last),
            sessions::email.eq(&email),
            sessions::created_at.eq(created_at),
            sessions::assigned_to.eq(assignee),
            sessions::decision.eq(decision),
            sessions::decision_reason.eq(reason),
            sessions::waiting_since.eq(status.is_waiting().then_some(created_at)),
        ))
        .execute(conn)
        .unwrap();
    Made {
        id: s.id,
        status,
        name: format!("{first} {last}"),
        email,
        external_id: external_id.to_owned(),
        account_id: account.id,
        assignee,
        created_at,
    }
}

/// The session ids a queue page lists, in order.
pub fn listed(html: &str) -> Vec<Uuid> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("class=\"row-link\" href=\"/sessions/") {
        let start = i + "class=\"row-link\" href=\"/sessions/".len();
        if let Ok(id) = Uuid::parse_str(&rest[start..start + 36]) {
            out.push(id);
        }
        rest = &rest[start..];
    }
    out
}

/// Undoes askama's HTML escaping of an attribute value.
pub fn unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#61;", "=")
        .replace("&#x3d;", "=")
        .replace("&#43;", "+")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
}

/// The `href` of the page link with this `rel` (`next`, `prev`), unescaped.
pub fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("\" rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(unescape(&html[start..end]))
}

async fn ids(browser: &Browser, query: &str) -> BTreeSet<Uuid> {
    let r = browser.get(&format!("/sessions?{query}")).await;
    assert_eq!(r.status(), 200, "{query}");
    listed(&r.text().await.unwrap()).into_iter().collect()
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, d, 12, 0, 0).unwrap()
}

#[tokio::test]
async fn every_filter_alone_and_combined_returns_exactly_the_matching_sessions() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in(Role::Reviewer).await;
    let other = app.create_user("omar", Role::Reviewer);
    let mut conn = app.conn();
    use SessionStatus as S;
    let firsts = ["Anna", "Zofia", "Lukas", "Chinedu", "Léa", "Müller"];
    let lasts = [
        "Eriksson",
        "Nowak",
        "Schmidt",
        "Okafor",
        "Dubois",
        "Lüdenscheidt",
    ];
    let statuses = [
        S::Completed,
        S::MarkedForReview,
        S::Pending,
        S::Approved,
        S::Declined,
        S::Failed,
    ];
    let mut made = Vec::new();
    for i in 0..36usize {
        let assignee = match i % 3 {
            0 => Some(me.id),
            1 => Some(other.id),
            _ => None,
        };
        made.push(make(
            &mut conn,
            firsts[i % 6],
            lasts[(i / 6) % 6],
            &format!("crm_{}", i % 4),
            statuses[(i / 2) % 6],
            day(1 + (i as u32 % 28)),
            assignee,
        ));
    }
    let expect = |pred: &dyn Fn(&Made) -> bool| -> BTreeSet<Uuid> {
        made.iter().filter(|m| pred(m)).map(|m| m.id).collect()
    };
    let from = day(10);
    let to_end = day(20) + Duration::days(1) - Duration::hours(12);
    let cases: Vec<(String, BTreeSet<Uuid>)> = vec![
        ("sort=newest".into(), expect(&|_| true)),
        (
            "status=completed".into(),
            expect(&|m| m.status == S::Completed),
        ),
        (
            "status=completed&status=marked_for_review".into(),
            expect(&|m| matches!(m.status, S::Completed | S::MarkedForReview)),
        ),
        ("q=nowak".into(), expect(&|m| m.name.contains("Nowak"))),
        ("q=ERIKS".into(), expect(&|m| m.name.contains("Eriksson"))),
        ("q=lea.".into(), expect(&|m| m.email.starts_with("léa."))),
        (
            "q=ludensch".into(),
            expect(&|m| m.name.contains("Lüdenscheidt")),
        ),
        ("q=crm_2".into(), expect(&|m| m.external_id == "crm_2")),
        (
            "q=Anna.Eriksson@Example.org".into(),
            expect(&|m| m.email == "anna.eriksson@example.org"),
        ),
        (
            "account=crm_1".into(),
            expect(&|m| m.external_id == "crm_1"),
        ),
        (
            format!("account={}", made[3].account_id),
            expect(&|m| m.account_id == made[3].account_id),
        ),
        ("assignee=me".into(), expect(&|m| m.assignee == Some(me.id))),
        (
            "assignee=unassigned".into(),
            expect(&|m| m.assignee.is_none()),
        ),
        (
            "assignee=omar".into(),
            expect(&|m| m.assignee == Some(other.id)),
        ),
        (
            format!("assignee={}", other.id),
            expect(&|m| m.assignee == Some(other.id)),
        ),
        (
            "created_from=2026-10-10&created_to=2026-10-20".into(),
            expect(&|m| m.created_at >= from && m.created_at < to_end),
        ),
        (
            "created_from=2026-10-25".into(),
            expect(&|m| m.created_at >= day(25)),
        ),
        (
            "created_to=2026-10-05".into(),
            expect(&|m| m.created_at < day(6) - Duration::hours(12)),
        ),
        (
            "status=completed&status=approved&q=schmidt".into(),
            expect(&|m| {
                matches!(m.status, S::Completed | S::Approved) && m.name.contains("Schmidt")
            }),
        ),
        (
            "status=pending&assignee=unassigned&account=crm_1".into(),
            expect(&|m| m.status == S::Pending && m.assignee.is_none() && m.external_id == "crm_1"),
        ),
        (
            "q=anna&created_from=2026-10-05&sort=oldest".into(),
            expect(&|m| m.name.starts_with("Anna") && m.created_at >= day(5)),
        ),
    ];
    for (query, expected) in cases {
        assert!(
            !expected.is_empty() || query.contains("created_to=2026-10-05"),
            "a filter case with no expected rows proves little: {query}"
        );
        assert_eq!(ids(&browser, &query).await, expected, "{query}");
    }
}

#[tokio::test]
async fn paging_forward_and_back_visits_each_session_exactly_once() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let mut all = BTreeSet::new();
    for i in 0..230 {
        // Every fifth pair shares a creation time: the id must break the tie.
        let at = Utc::now() - Duration::minutes((i / 2) as i64);
        let m = make(
            &mut conn,
            "Page",
            &format!("Person{i}"),
            "crm_p",
            SessionStatus::Completed,
            at,
            None,
        );
        all.insert(m.id);
    }
    make(
        &mut conn,
        "Other",
        "Status",
        "crm_p",
        SessionStatus::Approved,
        Utc::now(),
        None,
    );
    for sort in ["newest", "oldest"] {
        let mut url = format!("/sessions?status=completed&sort={sort}");
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        for _ in 0..20 {
            let html = browser.get(&url).await.text().await.unwrap();
            let rows = listed(&html);
            assert!(rows.len() <= 50);
            seen.extend(rows.iter().copied());
            pages.push(url.clone());
            match link(&html, "next") {
                Some(next) => url = next,
                None => break,
            }
        }
        assert_eq!(pages.len(), 5, "{sort}");
        assert_eq!(seen.len(), 230, "{sort}: visited {} rows", seen.len());
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), all, "{sort}");
        // And back again from the last page.
        let mut back = Vec::new();
        let mut html = browser.get(&url).await.text().await.unwrap();
        back.extend(listed(&html).into_iter().rev());
        while let Some(prev) = link(&html, "prev") {
            assert!(back.len() <= 230, "{sort}: paging back does not end");
            html = browser.get(&prev).await.text().await.unwrap();
            back.extend(listed(&html).into_iter().rev());
        }
        back.reverse();
        assert_eq!(back, seen, "{sort}: paging back differs");
    }
}

#[tokio::test]
async fn invalid_filters_show_a_message_instead_of_failing() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    for (query, message) in [
        ("status=bogus", "is not a status"),
        ("q=a", "at least 3 characters"),
        ("created_from=yesterday", "is not a date"),
        ("assignee=nobody-here", "is not a user"),
        ("sort=sideways", "newest first is used"),
        ("after=garbage", "page link is not valid"),
    ] {
        let r = browser.get(&format!("/sessions?{query}")).await;
        assert_eq!(r.status(), 200, "{query}");
        assert!(r.text().await.unwrap().contains(message), "{query}");
    }
}

#[tokio::test]
async fn reviewers_start_on_the_work_queue_oldest_first() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    let old = make(
        &mut conn,
        "Old",
        "Case",
        "crm",
        SessionStatus::MarkedForReview,
        day(1),
        None,
    );
    let new = make(
        &mut conn,
        "New",
        "Case",
        "crm",
        SessionStatus::Completed,
        day(9),
        None,
    );
    make(
        &mut conn,
        "Not",
        "Waiting",
        "crm",
        SessionStatus::Pending,
        day(5),
        None,
    );
    let html = browser.get("/sessions").await.text().await.unwrap();
    assert_eq!(listed(&html), vec![old.id, new.id]);
}

#[tokio::test]
async fn a_script_in_a_name_is_escaped_on_the_queue_and_the_case_page() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let m = make(
        &mut app.conn(),
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(2)>",
        "crm",
        SessionStatus::Completed,
        day(3),
        None,
    );
    for path in [
        "/sessions?sort=newest".to_owned(),
        format!("/sessions/{}", m.id),
    ] {
        let html = browser.get(&path).await.text().await.unwrap();
        assert!(!html.contains("<script>alert(1)</script>"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
        let escaped = [
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&#60;script&#62;alert(1)&#60;/script&#62;",
        ];
        assert!(
            escaped.iter().any(|e| html.contains(e)),
            "{path}: the name is not shown escaped"
        );
    }
}

#[tokio::test]
async fn managers_see_masked_names_and_emails_only() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Manager).await;
    let m = make(
        &mut app.conn(),
        "Annabelle",
        "Eriksson",
        "crm_secret",
        SessionStatus::Completed,
        day(3),
        None,
    );
    for path in [
        "/sessions?sort=newest".to_owned(),
        format!("/sessions/{}", m.id),
    ] {
        let html = browser.get(&path).await.text().await.unwrap();
        assert!(html.contains("A******** E*******"), "{path}");
        for secret in [
            "Annabelle",
            "Eriksson",
            "annabelle.eriksson@example.org",
            "crm_secret",
        ] {
            assert!(!html.contains(secret), "{path} shows {secret} to a manager");
        }
    }
}
