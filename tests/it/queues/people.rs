//! The manager overview's people: decisions per reviewer per day (the chart and its
//! table) and waiting sessions per assignee.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::sessions;
use uuid::Uuid;

use super::{decided, overview, start_of, text_of};
use crate::helpers::spawn_app;
use crate::lifecycle::session_in;

#[tokio::test]
async fn the_chart_has_a_bar_per_reviewer_day_and_the_table_the_same_numbers() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let rita = app.create_user("rita", Role::Reviewer);
    let sam = app.create_user("sam", Role::Reviewer);
    let today = Utc::now().date_naive();
    let first_day = today - Duration::days(13);
    let just_after = |day: NaiveDate| start_of(day) + Duration::minutes(1);
    for outcome in ["approved", "approved", "declined"] {
        decided(&mut conn, outcome, "user", rita.id, just_after(today));
    }
    decided(
        &mut conn,
        "declined",
        "user",
        rita.id,
        just_after(first_day),
    );
    // One minute before the window: left out.
    decided(
        &mut conn,
        "approved",
        "user",
        rita.id,
        start_of(first_day) - Duration::minutes(1),
    );
    for _ in 0..3 {
        decided(
            &mut conn,
            "approved",
            "user",
            sam.id,
            just_after(today - Duration::days(2)),
        );
    }
    // An integrator's decision is nobody's on the dashboard, even one whose key id
    // happened to equal a user's.
    decided(&mut conn, "approved", "api_key", rita.id, just_after(today));

    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert!(html.contains("role=\"img\""));
    assert!(
        html.contains("5 approved and 2 declined by 2 reviewers"),
        "the chart's label sums the window"
    );
    assert_eq!(html.matches("<g class=\"bar\">").count(), 3);
    let d = |day: NaiveDate| day.format("%Y-%m-%d").to_string();
    let wd = |day: NaiveDate| day.format("%a %Y-%m-%d").to_string();
    for (who, day, approved, declined) in [
        ("rita Tester", today, 2, 1),
        ("rita Tester", first_day, 0, 1),
        ("sam Tester", today - Duration::days(2), 3, 0),
    ] {
        let title = format!(
            "<title>{who}, {}: {approved} approved, {declined} declined</title>",
            wd(day)
        );
        assert!(html.contains(&title), "no bar titled {title}");
        let row = format!(
            "<tr><th scope=\"row\">{who}</th><td>{}</td><td class=\"num\">{approved}</td>\
             <td class=\"num\">{declined}</td><td class=\"num\">{}</td></tr>",
            d(day),
            approved + declined
        );
        assert!(html.contains(&row), "no table row {row}");
    }
    let outside = d(first_day - Duration::days(1));
    assert!(!html.contains(&format!("<td>{outside}</td>")));
    let rita_at = html.find("<th scope=\"row\">rita Tester").unwrap();
    let sam_at = html.find("<th scope=\"row\">sam Tester").unwrap();
    assert!(rita_at < sam_at, "reviewers are listed by name");
}

#[tokio::test]
async fn no_decisions_in_the_window_says_so_instead_of_an_empty_chart() {
    let app = spawn_app().await;
    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert!(html.contains("id=\"no-decisions\""));
    assert!(!html.contains("<svg class=\"chart\""));
}

#[tokio::test]
async fn waiting_sessions_are_counted_per_assignee_with_unassigned_last() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let rita = app.create_user("rita", Role::Reviewer);
    let omar = app.create_user("omar", Role::Reviewer);
    let idle = app.create_user("idle", Role::Reviewer);
    let assign = |conn: &mut PgConnection, status: SessionStatus, to: Option<Uuid>| {
        let id = session_in(conn, status);
        diesel::update(sessions::table.find(id))
            .set(sessions::assigned_to.eq(to))
            .execute(conn)
            .unwrap();
    };
    use SessionStatus as S;
    assign(&mut conn, S::Completed, Some(rita.id));
    assign(&mut conn, S::MarkedForReview, Some(rita.id));
    assign(&mut conn, S::Pending, Some(rita.id));
    assign(&mut conn, S::Completed, Some(omar.id));
    assign(&mut conn, S::Failed, Some(idle.id));
    for _ in 0..3 {
        assign(&mut conn, S::Completed, None);
    }
    assign(&mut conn, S::Created, None);

    let (manager, _) = app.signed_in(Role::Manager).await;
    let html = overview(&manager).await;
    assert_eq!(text_of(&html, &format!("assignee-{}", rita.id)), "2");
    assert_eq!(text_of(&html, &format!("assignee-{}", omar.id)), "1");
    assert_eq!(text_of(&html, "assignee-unassigned"), "3");
    assert!(!html.contains(&format!("assignee-{}", idle.id)));
    let link = |who: &str| {
        format!(
            "href=\"/sessions?assignee={who}&amp;status=completed&amp;status=marked_for_review&amp;sort=oldest\""
        )
    };
    let rita_at = html.find(&link(&rita.id.to_string())).unwrap();
    let omar_at = html.find(&link(&omar.id.to_string())).unwrap();
    let nobody_at = html.find(&link("unassigned")).unwrap();
    assert!(
        rita_at < omar_at && omar_at < nobody_at,
        "most first, unassigned last"
    );
}
