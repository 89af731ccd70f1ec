//! The account page: exactly the account's sessions, newest first and paged; masked for
//! managers; a 404 for an id that is not an account.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::{ActorType, Role};
use sessiondesk::schema::sessions;
use sessiondesk::store::accounts::{self, NewAccount};
use sessiondesk::store::sessions::{self as session_store, NewSession};
use uuid::Uuid;

use crate::helpers::{Browser, spawn_app};

/// The session ids listed on an account page, top to bottom.
fn listed(html: &str) -> Vec<Uuid> {
    html.split("data-session=\"")
        .skip(1)
        .map(|rest| rest[..36].parse().unwrap())
        .collect()
}

fn link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let tag = &html[html[..at].rfind("<a ")?..];
    let href = tag.find("href=\"")? + 6;
    Some(
        tag[href..href + tag[href..].find('"')?]
            .replace("&amp;", "&")
            .replace("&#38;", "&"),
    )
}

async fn page(browser: &Browser, path: &str) -> String {
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

/// A session of `account` created at `at`, with the applicant's name.
fn session(
    conn: &mut PgConnection,
    account: Uuid,
    name: Option<(&str, &str)>,
    at: DateTime<Utc>,
) -> Uuid {
    let id = session_store::insert(
        conn,
        &NewSession {
            id: None,
            account_id: account,
            status: None,
            creator_type: ActorType::System,
            creator_id: None,
            required_verifications: None,
            expires_at: Utc::now() + Duration::days(7),
            last_activity: None,
        },
    )
    .unwrap()
    .id;
    diesel::update(sessions::table.find(id))
        .set((
            sessions::created_at.eq(at),
            sessions::first_name.eq(name.map(|n| n.0)),
            sessions::last_name.eq(name.map(|n| n.1)),
        ))
        .execute(conn)
        .unwrap();
    id
}

struct Arranged {
    account: Uuid,
    /// The account's sessions, newest first.
    mine: Vec<Uuid>,
    other: Uuid,
}

fn arrange(conn: &mut PgConnection) -> Arranged {
    let new = |ext: &str| NewAccount {
        external_id: Some(ext.to_owned()),
        ..NewAccount::default()
    };
    let account = accounts::insert(conn, &new("user_4812")).unwrap().id;
    let elsewhere = accounts::insert(conn, &new("user_0192")).unwrap().id;
    let now = Utc::now();
    let oldest = session(
        conn,
        account,
        Some(("Anna", "Eriksson")),
        now - Duration::days(3),
    );
    let declined = session(
        conn,
        account,
        Some(("Anna", "Eriksson")),
        now - Duration::days(2),
    );
    diesel::update(sessions::table.find(declined))
        .set((
            sessions::status.eq("declined"),
            sessions::decision.eq("declined"),
            sessions::decision_reason.eq("document_expired"),
        ))
        .execute(conn)
        .unwrap();
    let unnamed = session(conn, account, None, now - Duration::hours(1));
    let other = session(conn, elsewhere, Some(("Zofia", "Nowak")), now);
    Arranged {
        account,
        mine: vec![unnamed, declined, oldest],
        other,
    }
}

#[tokio::test]
async fn the_account_page_lists_exactly_its_sessions_newest_first() {
    let app = spawn_app().await;
    let data = arrange(&mut app.conn());
    for role in [Role::Reviewer, Role::Admin] {
        let (browser, _) = app.signed_in(role).await;
        let html = page(&browser, &format!("/accounts/{}", data.account)).await;
        assert_eq!(listed(&html), data.mine, "{role}");
        for id in &data.mine {
            assert!(html.contains(&format!("href=\"/sessions/{id}\"")), "{role}");
        }
        assert!(!html.contains(&data.other.to_string()) && !html.contains("Nowak"));
        assert!(
            html.contains("Anna Eriksson") && html.contains("user_4812"),
            "{role}"
        );
        assert!(html.contains("<span class=\"badge badge-declined\">"));
        assert!(html.contains("Document expired"));
    }
}

#[tokio::test]
async fn managers_see_names_and_the_external_id_masked() {
    let app = spawn_app().await;
    let data = arrange(&mut app.conn());
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = page(&manager, &format!("/accounts/{}", data.account)).await;
    assert_eq!(listed(&html), data.mine);
    for plain in ["Anna", "Eriksson", "user_4812"] {
        assert!(!html.contains(plain), "{plain} shown to a manager");
    }
    assert!(html.contains("A*** E*******"));
    assert!(html.contains("u***_4***"));
}

#[tokio::test]
async fn an_unknown_or_malformed_account_id_is_a_404_and_anonymous_visitors_sign_in() {
    let app = spawn_app().await;
    let data = arrange(&mut app.conn());
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    for path in [
        format!("/accounts/{}", Uuid::new_v4()),
        "/accounts/not-an-id".to_owned(),
        // A session id is not an account id.
        format!("/accounts/{}", data.other),
        // A paging cursor that is not one of this account's sessions.
        format!("/accounts/{}?before={}", data.account, data.other),
    ] {
        assert_eq!(reviewer.get(&path).await.status(), 404, "{path}");
    }
    let anonymous = app
        .browser()
        .get(&format!("/accounts/{}", data.account))
        .await;
    assert_eq!(anonymous.status(), 303);
    let location = anonymous.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login"), "{location}");
}

#[tokio::test]
async fn more_than_a_hundred_sessions_are_paged_and_each_is_listed_once() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let account = accounts::insert(&mut conn, &NewAccount::default())
        .unwrap()
        .id;
    let now = Utc::now();
    // Two sessions share each creation time, so the id breaks ties.
    for i in 0..105 {
        session(&mut conn, account, None, now - Duration::minutes(i / 2));
    }
    let all: Vec<Uuid> = sessions::table
        .filter(sessions::account_id.eq(account))
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .select(sessions::id)
        .load(&mut conn)
        .unwrap();
    let (admin, _) = app.signed_in(Role::Admin).await;
    let first = page(&admin, &format!("/accounts/{account}")).await;
    assert!(link(&first, "prev").is_none());
    let second_path = link(&first, "next").unwrap();
    let second = page(&admin, &second_path).await;
    assert!(link(&second, "next").is_none());
    assert_eq!(listed(&first).len(), 100);
    assert_eq!([listed(&first), listed(&second)].concat(), all);
    let back = page(&admin, &link(&second, "prev").unwrap()).await;
    assert_eq!(listed(&back), listed(&first));
}
