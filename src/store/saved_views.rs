//! Saved views: a queue's filters and sort kept under a name, private or shared.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{saved_views, users};

/// A saved view as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_views, check_for_backend(diesel::pg::Pg))]
pub struct SavedView {
    /// Primary key.
    pub id: Uuid,
    /// Who saved it; only they rename, reorder or unshare it.
    pub owner_id: Uuid,
    /// Its name in the navigation.
    pub name: String,
    /// The queue's query string (filters and sort; no paging, no search for a person).
    pub query: String,
    /// Seen by the whole team.
    pub shared: bool,
    /// Shown first for everyone (shared views only; set by managers and admins).
    pub pinned: bool,
    /// Its place among the owner's views.
    pub position: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A view someone may see, with its owner's name.
#[derive(Debug, Clone)]
pub struct VisibleView {
    /// The view.
    pub view: SavedView,
    /// Its owner's display name.
    pub owner_name: String,
}

/// A view about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = saved_views)]
pub struct NewSavedView {
    /// Owner.
    pub owner_id: Uuid,
    /// Name.
    pub name: String,
    /// Query string.
    pub query: String,
    /// Shared with the team.
    pub shared: bool,
    /// Place among the owner's views.
    pub position: i32,
}

/// Stores a view.
pub fn insert(conn: &mut PgConnection, new: &NewSavedView) -> QueryResult<SavedView> {
    diesel::insert_into(saved_views::table)
        .values(new)
        .returning(SavedView::as_returning())
        .get_result(conn)
}

/// One view.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<SavedView>> {
    saved_views::table
        .find(id)
        .select(SavedView::as_select())
        .first(conn)
        .optional()
}

/// The views `user` sees, in navigation order: pinned ones first, then their own in their
/// order, then the team's shared ones by name.
pub fn visible_to(conn: &mut PgConnection, user: Uuid) -> QueryResult<Vec<VisibleView>> {
    let mut found: Vec<VisibleView> = saved_views::table
        .inner_join(users::table)
        .filter(
            saved_views::owner_id
                .eq(user)
                .or(saved_views::shared.eq(true)),
        )
        .select((SavedView::as_select(), users::display_name))
        .load::<(SavedView, String)>(conn)?
        .into_iter()
        .map(|(view, owner_name)| VisibleView { view, owner_name })
        .collect();
    found.sort_by_key(|v| {
        (
            !v.view.pinned,
            v.view.owner_id != user,
            if v.view.owner_id == user {
                v.view.position
            } else {
                0
            },
            v.view.name.to_lowercase(),
            v.view.id,
        )
    });
    Ok(found)
}

/// The owner's views in their order.
pub fn owned_by(conn: &mut PgConnection, owner: Uuid) -> QueryResult<Vec<SavedView>> {
    saved_views::table
        .filter(saved_views::owner_id.eq(owner))
        .order((saved_views::position.asc(), saved_views::created_at.asc()))
        .select(SavedView::as_select())
        .load(conn)
}

/// The place after the owner's last view.
pub fn next_position(conn: &mut PgConnection, owner: Uuid) -> QueryResult<i32> {
    let max: Option<i32> = saved_views::table
        .filter(saved_views::owner_id.eq(owner))
        .select(diesel::dsl::max(saved_views::position))
        .first(conn)?;
    Ok(max.map_or(0, |m| m.saturating_add(1)))
}

/// Renames a view.
pub fn rename(conn: &mut PgConnection, id: Uuid, name: &str) -> QueryResult<usize> {
    diesel::update(saved_views::table.find(id))
        .set((
            saved_views::name.eq(name),
            saved_views::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

/// Shares a view with the team, or makes it private again (which unpins it).
pub fn set_shared(conn: &mut PgConnection, id: Uuid, shared: bool) -> QueryResult<usize> {
    let target = saved_views::table.find(id);
    if shared {
        diesel::update(target)
            .set((
                saved_views::shared.eq(true),
                saved_views::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
    } else {
        diesel::update(target)
            .set((
                saved_views::shared.eq(false),
                saved_views::pinned.eq(false),
                saved_views::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
    }
}

/// Pins a shared view for everyone, or unpins it.
pub fn set_pinned(conn: &mut PgConnection, id: Uuid, pinned: bool) -> QueryResult<usize> {
    diesel::update(
        saved_views::table
            .find(id)
            .filter(saved_views::shared.eq(true)),
    )
    .set((
        saved_views::pinned.eq(pinned),
        saved_views::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
}

/// Gives a view its place.
pub fn set_position(conn: &mut PgConnection, id: Uuid, position: i32) -> QueryResult<usize> {
    diesel::update(saved_views::table.find(id))
        .set(saved_views::position.eq(position))
        .execute(conn)
}

/// Deletes a view.
pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(saved_views::table.find(id)).execute(conn)
}
