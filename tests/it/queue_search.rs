//! The queue's search: a search that starts a name ("Arjun Iy", "Fernánd") lists exactly the
//! sessions whose "first last" or last name starts so, folded for case and accents, each
//! once, and pages through them like any queue; any other search finds the text anywhere in
//! the name, email or external id.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::sessions;
use uuid::Uuid;

use crate::helpers::{Browser, spawn_app};
use crate::queue::{Made, link, listed, make};

/// Every session a search lists, following its "next" links; each page at most 50 rows.
async fn all_pages(browser: &Browser, query: &str) -> Vec<Uuid> {
    let mut url = format!("/sessions?{query}");
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = browser.get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        let html = r.text().await.unwrap();
        let rows = listed(&html);
        assert!(rows.len() <= 50, "{url}");
        seen.extend(rows);
        match link(&html, "next") {
            Some(next) => url = next,
            None => return seen,
        }
    }
    panic!("{query}: more than ten pages");
}

fn ids_of(made: &[Made], pred: impl Fn(&Made) -> bool) -> BTreeSet<Uuid> {
    made.iter().filter(|m| pred(m)).map(|m| m.id).collect()
}

#[tokio::test]
async fn a_search_that_starts_a_name_lists_each_match_once_across_pages() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let mut conn = app.conn();
    use SessionStatus as S;
    let mut made = Vec::new();
    let now = Utc::now();
    // More Arjun Iyers than one page holds, half of them waiting for a decision.
    for i in 0..64 {
        let status = if i % 2 == 0 {
            S::Completed
        } else {
            S::Approved
        };
        let at = now - Duration::minutes(i);
        made.push(make(&mut conn, "Arjun", "Iyer", "crm_s", status, at, None));
    }
    let hours = |h: i64| now - Duration::hours(h);
    // A first name equal to the last: it starts both keys, and must be listed once.
    made.push(make(
        &mut conn,
        "Iyer",
        "Iyer",
        "crm_s",
        S::Completed,
        hours(2),
        None,
    ));
    // Only a last name.
    let last_only = make(
        &mut conn,
        "Nobody",
        "Iyer",
        "crm_s",
        S::Pending,
        hours(3),
        None,
    );
    diesel::update(sessions::table.find(last_only.id))
        .set(sessions::first_name.eq(None::<String>))
        .execute(&mut conn)
        .unwrap();
    made.push(last_only);
    for (first, last) in [
        ("Léa", "Fernández"),
        ("Ana", "Fernandez-Ruiz"),
        ("Priya", "Hernández"),
    ] {
        made.push(make(
            &mut conn,
            first,
            last,
            "crm_s",
            S::Completed,
            hours(4),
            None,
        ));
    }
    made.push(make(
        &mut conn,
        "Zofia",
        "Nowak",
        "crm_x",
        S::Completed,
        hours(5),
        None,
    ));

    let arjun = ids_of(&made, |m| m.name == "Arjun Iyer");
    for q in ["q=arjun+iyer", "q=ARJUN++iy", "q=Arjun+I"] {
        let listed = all_pages(&browser, q).await;
        assert_eq!(listed.len(), 64, "{q}: every match once");
        assert_eq!(
            listed.iter().copied().collect::<BTreeSet<_>>(),
            arjun,
            "{q}"
        );
    }
    // The surname: the 64, the first-name-equals-surname one once, the surname-only one.
    let iyer = all_pages(&browser, "q=iyer").await;
    assert_eq!(iyer.len(), 66, "each Iyer once");
    assert_eq!(
        iyer.iter().copied().collect::<BTreeSet<_>>(),
        ids_of(&made, |m| m.name.ends_with("Iyer")),
    );
    // Newest first, as the queue's default for a search.
    let first_page = all_pages(&browser, "q=arjun+iyer&sort=newest").await;
    let by_age: Vec<Uuid> = {
        let mut m: Vec<&Made> = made.iter().filter(|m| m.name == "Arjun Iyer").collect();
        m.sort_by_key(|m| std::cmp::Reverse(m.created_at));
        m.iter().map(|m| m.id).collect()
    };
    assert_eq!(first_page, by_age);
    // With a status: only those.
    let waiting = all_pages(&browser, "status=completed&q=arjun").await;
    assert_eq!(
        waiting.into_iter().collect::<BTreeSet<_>>(),
        ids_of(&made, |m| m.name == "Arjun Iyer"
            && m.status == S::Completed),
    );
    // Accents fold both ways, and a hyphenated surname starts with its first part.
    let fernandez = ids_of(&made, |m| m.name.contains("Fern"));
    assert_eq!(fernandez.len(), 2);
    for q in ["q=fernand", "q=Fern%C3%A1nd", "q=FERNANDEZ"] {
        let got: BTreeSet<Uuid> = all_pages(&browser, q).await.into_iter().collect();
        assert_eq!(got, fernandez, "{q}");
    }
    // Inside a word no name starts: found anywhere, Hernández among them.
    let inside: BTreeSet<Uuid> = all_pages(&browser, "q=ernand").await.into_iter().collect();
    assert_eq!(
        inside,
        ids_of(&made, |m| m.name.contains("ernand")
            || m.name.contains("ernánd"))
    );
    assert_eq!(inside.len(), 3);
    // An external id fragment: anywhere as well.
    let crm_x: BTreeSet<Uuid> = all_pages(&browser, "q=crm_x").await.into_iter().collect();
    assert_eq!(crm_x, ids_of(&made, |m| m.external_id == "crm_x"));
}
