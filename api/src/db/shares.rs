//! Queries on public image links.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::generation::ImageRow;
use super::schema::{ai_tasks, collection_shares, collections, images, shares};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = shares, check_for_backend(diesel::pg::Pg))]
pub struct ShareRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub image_id: Uuid,
    pub include_prompt: bool,
    pub views: i64,
    pub created_at: DateTime<Utc>,
}

/// Creates the image's share, or updates `include_prompt` on the existing one; returns it.
pub async fn upsert(conn: &mut AsyncPgConnection, row: &ShareRow) -> QueryResult<ShareRow> {
    diesel::insert_into(shares::table)
        .values(row)
        .on_conflict(shares::image_id)
        .do_update()
        .set(shares::include_prompt.eq(row.include_prompt))
        .returning(ShareRow::as_returning())
        .get_result(conn)
        .await
}

/// The link of one of the user's images, if shared.
pub async fn find_for_image(
    conn: &mut AsyncPgConnection,
    image_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<ShareRow>> {
    shares::table
        .filter(shares::image_id.eq(image_id))
        .filter(shares::user_id.eq(user_id))
        .select(ShareRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn delete_for_image(
    conn: &mut AsyncPgConnection,
    image_id: Uuid,
    user_id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        shares::table
            .filter(shares::image_id.eq(image_id))
            .filter(shares::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<ShareRow>> {
    let mut query = shares::table
        .filter(shares::user_id.eq(user_id))
        .select(ShareRow::as_select())
        .order((shares::created_at.desc(), shares::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            shares::created_at
                .lt(after.created_at)
                .or(shares::created_at
                    .eq(after.created_at)
                    .and(shares::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// A live share with its image and the image's task prompt and model; counts the view.
pub async fn open(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    count_view: bool,
) -> QueryResult<Option<(ShareRow, ImageRow, Option<String>, Option<String>)>> {
    if count_view {
        diesel::update(shares::table.find(id))
            .set(shares::views.eq(shares::views + 1))
            .execute(conn)
            .await?;
    }
    shares::table
        .find(id)
        .inner_join(images::table.left_join(ai_tasks::table))
        .select((
            ShareRow::as_select(),
            ImageRow::as_select(),
            ai_tasks::prompt.nullable(),
            ai_tasks::model.nullable(),
        ))
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = collection_shares, check_for_backend(diesel::pg::Pg))]
pub struct CollectionShareRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub collection_id: Uuid,
    pub include_prompts: bool,
    pub views: i64,
    pub created_at: DateTime<Utc>,
}

/// Creates the collection's link, or updates `include_prompts` on the existing one.
pub async fn upsert_collection(
    conn: &mut AsyncPgConnection,
    row: &CollectionShareRow,
) -> QueryResult<CollectionShareRow> {
    diesel::insert_into(collection_shares::table)
        .values(row)
        .on_conflict(collection_shares::collection_id)
        .do_update()
        .set(collection_shares::include_prompts.eq(row.include_prompts))
        .returning(CollectionShareRow::as_returning())
        .get_result(conn)
        .await
}

/// The link of one of the user's collections, if shared.
pub async fn find_for_collection(
    conn: &mut AsyncPgConnection,
    collection_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<CollectionShareRow>> {
    collection_shares::table
        .filter(collection_shares::collection_id.eq(collection_id))
        .filter(collection_shares::user_id.eq(user_id))
        .select(CollectionShareRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn delete_for_collection(
    conn: &mut AsyncPgConnection,
    collection_id: Uuid,
    user_id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        collection_shares::table
            .filter(collection_shares::collection_id.eq(collection_id))
            .filter(collection_shares::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// A live collection link with its collection; counts the view when asked.
pub async fn open_collection(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    count_view: bool,
) -> QueryResult<Option<(CollectionShareRow, super::collections::CollectionRow)>> {
    if count_view {
        diesel::update(collection_shares::table.find(id))
            .set(collection_shares::views.eq(collection_shares::views + 1))
            .execute(conn)
            .await?;
    }
    collection_shares::table
        .find(id)
        .inner_join(collections::table)
        .select((
            CollectionShareRow::as_select(),
            super::collections::CollectionRow::as_select(),
        ))
        .first(conn)
        .await
        .optional()
}
