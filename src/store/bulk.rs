//! Bulk changes and their items: the rows behind the bulk-change service.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::schema::{bulk_change_items, bulk_changes, users};

/// A bulk change as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bulk_changes, check_for_backend(diesel::pg::Pg))]
pub struct BulkChange {
    /// Primary key.
    pub id: Uuid,
    /// Who asked for it; every session is changed in their name.
    pub requested_by: Uuid,
    /// `assign`, `unassign`, `mark_for_review`, `expire` or `note`.
    pub action: String,
    /// For `assign`: to whom.
    pub assignee: Option<Uuid>,
    /// For `note`: its text, until the job ends.
    pub note: Option<String>,
    /// The queue's query string it was asked from.
    pub query: String,
    /// For "all matching": the queue filter, read into items by the worker.
    pub filter: Option<serde_json::Value>,
    /// How many sessions, once known.
    pub total: Option<i32>,
    /// How many were settled; the items from this position on are left.
    pub done: i32,
    /// Settled and changed.
    pub changed: i32,
    /// Settled, already as asked.
    pub unchanged: i32,
    /// Settled, refused.
    pub refused: i32,
    /// The worker's lease, while one holds it.
    pub lease_token: Option<Uuid>,
    /// Until when the lease holds.
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When a worker first took it up.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended (every item settled, or cancelled).
    pub finished_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Who cancelled it.
    pub cancelled_by: Option<Uuid>,
}

/// A bulk change about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = bulk_changes)]
pub struct NewBulkChange {
    /// Who asks.
    pub requested_by: Uuid,
    /// The action's code.
    pub action: String,
    /// For `assign`.
    pub assignee: Option<Uuid>,
    /// For `note`.
    pub note: Option<String>,
    /// The queue's query string.
    pub query: String,
    /// For "all matching".
    pub filter: Option<serde_json::Value>,
    /// For a chosen list: its length.
    pub total: Option<i32>,
    /// A lease taken at once (the request works a short list itself).
    pub lease_token: Option<Uuid>,
    /// Until when.
    pub lease_until: Option<DateTime<Utc>>,
    /// Set with the lease.
    pub started_at: Option<DateTime<Utc>>,
}

/// One item to work: its position and session.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct Item {
    /// Its place in the job.
    pub position: i32,
    /// The session.
    pub session_id: Uuid,
}

/// How one item was settled.
#[derive(Debug, Clone)]
pub struct Settled {
    /// Its place.
    pub position: i32,
    /// `changed`, `unchanged` or `refused`.
    pub outcome: &'static str,
    /// Why, for a refusal or an item left unchanged.
    pub reason: Option<String>,
}

/// A refused or unchanged item, for the result page.
#[derive(Debug, Clone, Queryable)]
pub struct Reported {
    /// Its place.
    pub position: i32,
    /// The session.
    pub session_id: Uuid,
    /// `refused` or `unchanged`.
    pub outcome: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// A bulk change with its requester's name, for the lists.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The change.
    pub change: BulkChange,
    /// Its requester's display name.
    pub requester: String,
}

/// Stores a bulk change.
pub fn insert(conn: &mut PgConnection, new: &NewBulkChange) -> QueryResult<BulkChange> {
    diesel::insert_into(bulk_changes::table)
        .values(new)
        .returning(BulkChange::as_returning())
        .get_result(conn)
}

/// Appends `sessions` as items from position `from` on.
pub fn insert_items(
    conn: &mut PgConnection,
    change: Uuid,
    from: i32,
    sessions: &[Uuid],
) -> QueryResult<usize> {
    if sessions.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "INSERT INTO bulk_change_items (change_id, position, session_id) \
         SELECT $1, $2 + (k - 1)::int, s FROM unnest($3::uuid[]) WITH ORDINALITY AS t(s, k)",
    )
    .bind::<SqlUuid, _>(change)
    .bind::<Integer, _>(from)
    .bind::<Array<SqlUuid>, _>(sessions)
    .execute(conn)
}

/// One bulk change.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<BulkChange>> {
    bulk_changes::table
        .find(id)
        .select(BulkChange::as_select())
        .first(conn)
        .optional()
}

/// The change `id` while `token` holds its lease, locked for the rest of the transaction;
/// `None` once another worker holds it (or it is gone).
pub fn lock_leased(
    conn: &mut PgConnection,
    id: Uuid,
    token: Uuid,
) -> QueryResult<Option<BulkChange>> {
    bulk_changes::table
        .find(id)
        .filter(bulk_changes::lease_token.eq(token))
        .for_update()
        .select(BulkChange::as_select())
        .first(conn)
        .optional()
}

/// Takes the oldest unfinished change nobody holds (no lease, or a lapsed one) for a new
/// lease `token` until `until`, in one statement: workers on several instances take
/// different changes.
pub fn claim(
    conn: &mut PgConnection,
    token: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Claimed {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let claimed: Option<Claimed> = diesel::sql_query(
        "UPDATE bulk_changes SET lease_token = $1, lease_until = $3, \
                started_at = coalesce(started_at, $2) \
         WHERE id = (SELECT id FROM bulk_changes \
                     WHERE finished_at IS NULL AND (lease_until IS NULL OR lease_until < $2) \
                     ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .bind::<SqlUuid, _>(token)
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::Timestamptz, _>(until)
    .get_result(conn)
    .optional()?;
    Ok(claimed.map(|c| c.id))
}

/// Extends the lease `token` holds on `id` to `until`.
pub fn renew(
    conn: &mut PgConnection,
    id: Uuid,
    token: Uuid,
    until: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        bulk_changes::table
            .find(id)
            .filter(bulk_changes::lease_token.eq(token)),
    )
    .set(bulk_changes::lease_until.eq(until))
    .execute(conn)
}

/// Gives up the lease `token` holds, so that any worker may go on with the change.
pub fn release(conn: &mut PgConnection, id: Uuid, token: Uuid) -> QueryResult<usize> {
    diesel::update(
        bulk_changes::table
            .find(id)
            .filter(bulk_changes::lease_token.eq(token)),
    )
    .set((
        bulk_changes::lease_token.eq(None::<Uuid>),
        bulk_changes::lease_until.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
}

/// Sets the total once the filter was read into items.
pub fn set_total(conn: &mut PgConnection, id: Uuid, total: i32) -> QueryResult<usize> {
    diesel::update(bulk_changes::table.find(id))
        .set(bulk_changes::total.eq(total))
        .execute(conn)
}

/// The next `limit` items left, from position `from`.
pub fn items_from(
    conn: &mut PgConnection,
    id: Uuid,
    from: i32,
    limit: i64,
) -> QueryResult<Vec<Item>> {
    bulk_change_items::table
        .filter(bulk_change_items::change_id.eq(id))
        .filter(bulk_change_items::position.ge(from))
        .order(bulk_change_items::position)
        .select((bulk_change_items::position, bulk_change_items::session_id))
        .limit(limit)
        .load(conn)
}

/// Records how items were settled, in one statement.
pub fn settle(conn: &mut PgConnection, id: Uuid, settled: &[Settled]) -> QueryResult<usize> {
    if settled.is_empty() {
        return Ok(0);
    }
    let positions: Vec<i32> = settled.iter().map(|s| s.position).collect();
    let outcomes: Vec<&str> = settled.iter().map(|s| s.outcome).collect();
    let reasons: Vec<Option<String>> = settled.iter().map(|s| s.reason.clone()).collect();
    diesel::sql_query(
        "UPDATE bulk_change_items i SET outcome = s.outcome, reason = s.reason \
         FROM unnest($2::int[], $3::text[], $4::text[]) AS s(position, outcome, reason) \
         WHERE i.change_id = $1 AND i.position = s.position",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Integer>, _>(positions)
    .bind::<Array<Text>, _>(outcomes)
    .bind::<Array<Nullable<Text>>, _>(reasons)
    .execute(conn)
}

/// Counts settled items onto the change and extends the lease.
pub fn advance(
    conn: &mut PgConnection,
    id: Uuid,
    (changed, unchanged, refused): (i32, i32, i32),
    lease_until: DateTime<Utc>,
) -> QueryResult<BulkChange> {
    diesel::update(bulk_changes::table.find(id))
        .set((
            bulk_changes::done.eq(bulk_changes::done + (changed + unchanged + refused)),
            bulk_changes::changed.eq(bulk_changes::changed + changed),
            bulk_changes::unchanged.eq(bulk_changes::unchanged + unchanged),
            bulk_changes::refused.eq(bulk_changes::refused + refused),
            bulk_changes::lease_until.eq(lease_until),
        ))
        .returning(BulkChange::as_returning())
        .get_result(conn)
}

/// Ends the change: no lease, no note text kept.
pub fn finish(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(bulk_changes::table.find(id))
        .set((
            bulk_changes::finished_at.eq(now),
            bulk_changes::note.eq(None::<String>),
            bulk_changes::lease_token.eq(None::<Uuid>),
            bulk_changes::lease_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
}

/// Marks an unfinished change cancelled; its worker ends it at its next batch. Returns
/// whether it was still running.
pub fn cancel(
    conn: &mut PgConnection,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        bulk_changes::table
            .find(id)
            .filter(bulk_changes::finished_at.is_null())
            .filter(bulk_changes::cancelled_at.is_null()),
    )
    .set((
        bulk_changes::cancelled_at.eq(now),
        bulk_changes::cancelled_by.eq(by),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The refused and unchanged items of a change, in order, at most `limit`.
pub fn reported(conn: &mut PgConnection, id: Uuid, limit: i64) -> QueryResult<Vec<Reported>> {
    bulk_change_items::table
        .filter(bulk_change_items::change_id.eq(id))
        .filter(bulk_change_items::outcome.eq_any(["refused", "unchanged"]))
        .order(bulk_change_items::position)
        .select((
            bulk_change_items::position,
            bulk_change_items::session_id,
            bulk_change_items::outcome,
            bulk_change_items::reason,
        ))
        .limit(limit)
        .load(conn)
}

/// The latest changes, newest first: everyone's (`requested_by` `None`) or one user's.
pub fn recent(
    conn: &mut PgConnection,
    requested_by: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Listed>> {
    let mut q = bulk_changes::table
        .inner_join(users::table.on(users::id.eq(bulk_changes::requested_by)))
        .order(bulk_changes::created_at.desc())
        .select((BulkChange::as_select(), users::display_name))
        .limit(limit)
        .into_boxed();
    if let Some(user) = requested_by {
        q = q.filter(bulk_changes::requested_by.eq(user));
    }
    let rows: Vec<(BulkChange, String)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(change, requester)| Listed { change, requester })
        .collect())
}

/// Whether any change waits for a worker (none holds it, or its lease lapsed).
pub fn any_waiting(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        bulk_changes::table
            .filter(bulk_changes::finished_at.is_null())
            .filter(
                bulk_changes::lease_until
                    .is_null()
                    .or(bulk_changes::lease_until.lt(now)),
            ),
    ))
    .get_result(conn)
}
