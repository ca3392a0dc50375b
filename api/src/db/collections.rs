//! Queries on `collections` and `collection_images`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::prepared::prepared;
use super::schema::{collection_images, collections, images};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = collections, check_for_backend(diesel::pg::Pg))]
pub struct CollectionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub cover_image_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    name: &str,
    description: Option<&str>,
) -> QueryResult<CollectionRow> {
    diesel::insert_into(collections::table)
        .values((
            collections::id.eq(Uuid::new_v4()),
            collections::user_id.eq(user_id),
            collections::name.eq(name),
            collections::description.eq(description),
        ))
        .returning(CollectionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn count(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    collections::table
        .filter(collections::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await
}

/// One of the user's collections; with `lock`, locked until the transaction ends (so that
/// concurrent additions count against its limit one after another).
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    lock: bool,
) -> QueryResult<Option<CollectionRow>> {
    let query = collections::table
        .find(id)
        .filter(collections::user_id.eq(user_id))
        .select(CollectionRow::as_select());
    if lock {
        query.for_update().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}

/// The user's collections, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<CollectionRow>> {
    let mut query = collections::table
        .filter(collections::user_id.eq(user_id))
        .select(CollectionRow::as_select())
        .order((collections::created_at.desc(), collections::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            collections::created_at
                .lt(after.created_at)
                .or(collections::created_at
                    .eq(after.created_at)
                    .and(collections::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// What each collection holds: how many images, and its newest image's id.
#[derive(Debug, Clone, Copy, Default, QueryableByName)]
pub struct Contents {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub count: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub newest: Option<Uuid>,
}

pub async fn contents(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, Contents>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        collection_id: Uuid,
        #[diesel(embed)]
        contents: Contents,
    }
    let rows: Vec<Row> = prepared(
        "SELECT ci.collection_id, count(*) AS count, \
                (array_agg(ci.image_id ORDER BY i.created_at DESC, i.id DESC))[1] AS newest \
         FROM collection_images ci JOIN images i ON i.id = ci.image_id \
         WHERE ci.collection_id = ANY($1) GROUP BY ci.collection_id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.collection_id, r.contents))
        .collect())
}

/// Changes to a collection; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = collections)]
pub struct Changes {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub cover_image_id: Option<Option<Uuid>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    changes: Changes,
) -> QueryResult<Option<CollectionRow>> {
    diesel::update(
        collections::table
            .find(id)
            .filter(collections::user_id.eq(user_id)),
    )
    .set(&changes)
    .returning(CollectionRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid, user_id: Uuid) -> QueryResult<bool> {
    let deleted = diesel::delete(
        collections::table
            .find(id)
            .filter(collections::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// How many of these ids are the user's images.
pub async fn owned_images(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<i64> {
    images::table
        .filter(images::user_id.eq(user_id))
        .filter(images::id.eq_any(ids))
        .count()
        .get_result(conn)
        .await
}

pub async fn image_count(conn: &mut AsyncPgConnection, collection: Uuid) -> QueryResult<i64> {
    collection_images::table
        .filter(collection_images::collection_id.eq(collection))
        .count()
        .get_result(conn)
        .await
}

/// Adds the user's images among `ids` to the collection; how many were not in it yet.
pub async fn add(
    conn: &mut AsyncPgConnection,
    collection: Uuid,
    user_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<usize> {
    prepared(
        "INSERT INTO collection_images (collection_id, image_id) \
         SELECT $1, i.id FROM images i WHERE i.id = ANY($2) AND i.user_id = $3 \
         ON CONFLICT DO NOTHING",
    )
    .bind::<diesel::sql_types::Uuid, _>(collection)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .execute(conn)
    .await
}

/// Removes these images from the collection; how many were in it.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    collection: Uuid,
    ids: &[Uuid],
) -> QueryResult<usize> {
    diesel::delete(
        collection_images::table
            .filter(collection_images::collection_id.eq(collection))
            .filter(collection_images::image_id.eq_any(ids)),
    )
    .execute(conn)
    .await
}

pub async fn contains(
    conn: &mut AsyncPgConnection,
    collection: Uuid,
    image: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        collection_images::table
            .filter(collection_images::collection_id.eq(collection))
            .filter(collection_images::image_id.eq(image)),
    ))
    .get_result(conn)
    .await
}

pub async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::update(collections::table.find(id))
        .set(collections::updated_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .map(drop)
}
