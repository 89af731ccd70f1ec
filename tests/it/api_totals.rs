//! `page[total]=true` on the API's lists counts exactly up to 1,000 and says when there
//! are more (`meta.page.total` 1000 with `meta.page.total_capped: true`), so a count never
//! reads more than 1,001 rows.

use diesel::prelude::*;

use crate::helpers::spawn_app;

#[tokio::test]
async fn totals_are_exact_up_to_a_thousand_and_capped_beyond() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let first = app.api_session(&key, account).await.id();
    let total = |path: &'static str| {
        let app = &app;
        let key = &key;
        async move {
            let r = app.api("GET", path, key, None).await;
            assert_eq!(r.status, 200, "{path}: {:?}", r.body);
            (
                r.body["meta"]["page"]["total"].clone(),
                r.body["meta"]["page"]["total_capped"].clone(),
            )
        }
    };
    let sessions = "/v1/identity/sessions?page[total]=true&page[size]=1";
    let accounts = "/v1/identity/accounts?page[total]=true&page[size]=1";
    assert_eq!(total(sessions).await, (1.into(), false.into()));
    assert_eq!(total(accounts).await, (1.into(), false.into()));

    let mut conn = app.conn();
    // 999 more sessions and accounts: exactly 1,000 is still exact.
    diesel::sql_query(
        "INSERT INTO sessions (account_id, status, creator_type) \
         SELECT account_id, 'created', 'system' FROM sessions, generate_series(1, 999) \
         WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(first)
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO accounts (external_id) SELECT NULL FROM generate_series(1, 999)",
    )
    .execute(&mut conn)
    .unwrap();
    assert_eq!(total(sessions).await, (1000.into(), false.into()));
    assert_eq!(total(accounts).await, (1000.into(), false.into()));

    // Past it, the count stops at the cap and says so.
    diesel::sql_query(
        "INSERT INTO sessions (account_id, status, creator_type) \
         SELECT account_id, 'created', 'system' FROM sessions, generate_series(1, 500) \
         WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(first)
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("INSERT INTO accounts (external_id) SELECT NULL FROM generate_series(1, 5)")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(total(sessions).await, (1000.into(), true.into()));
    assert_eq!(total(accounts).await, (1000.into(), true.into()));
    // Filters still apply under the cap.
    assert_eq!(
        total("/v1/identity/sessions?page[total]=true&filter[status]=approved").await,
        (0.into(), false.into())
    );
    // Without page[total], neither member is sent.
    let r = app
        .api("GET", "/v1/identity/sessions?page[size]=1", &key, None)
        .await;
    assert!(r.body["meta"]["page"].get("total").is_none());
    assert!(r.body["meta"]["page"].get("total_capped").is_none());
}
