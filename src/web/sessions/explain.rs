//! `sessiondesk explain-queue --query ...`: the plan Postgres makes for the first page of a queue, read
//! from the same query string the dashboard's URL carries.

use uuid::Uuid;

use super::query::QueueParams;
use crate::domain::sla::Targets;
use crate::web::auth::CurrentUser;

/// The plan of the first page of the queue a query string describes, as a reviewer would
/// see it (`me` is nobody in particular).
pub fn explain(conn: &mut diesel::PgConnection, query: &str) -> anyhow::Result<Vec<String>> {
    let viewer = CurrentUser {
        id: Uuid::nil(),
        username: String::new(),
        display_name: String::new(),
        role: crate::domain::kinds::Role::Reviewer,
        alerts: crate::web::alerts::Alerts::default(),
        shortcuts: true,
    };
    let params = QueueParams::parse(query, &viewer);
    let mut lookup = |name: &str| crate::store::users::id_by_username(conn, name);
    let (filter, at, problems) = params.to_filter(&viewer, Targets::default(), &mut lookup);
    if let Some(problem) = problems.first() {
        anyhow::bail!("{problem}");
    }
    Ok(crate::store::queue::explain_page(conn, &filter, at, 50)?)
}
