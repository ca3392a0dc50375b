//! Collections (albums): named sets of the user's images, with a cover.

use std::collections::HashSet;

use uuid::Uuid;
use zimage_shared::collections::{
    COLLECTION_DESCRIPTION_MAX_CHARS, COLLECTION_NAME_MAX_CHARS, Collection,
    CollectionImagesChanged, CreateCollectionRequest, MAX_COLLECTIONS_PER_USER,
    MAX_IMAGES_PER_COLLECTION, MAX_IMAGES_PER_REQUEST, UpdateCollectionRequest,
};
use zimage_shared::{ErrorCode, Page, validate};

use crate::db::collections::{self as db, CollectionRow, Contents};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

fn dto(state: &AppState, row: &CollectionRow, contents: Contents) -> Collection {
    let cover = row.cover_image_id.or(contents.newest);
    Collection {
        id: row.id,
        name: row.name.clone(),
        description: row.description.clone(),
        image_count: contents.count,
        cover_image_id: row.cover_image_id,
        cover_thumbnail_url: cover.map(|image| {
            state
                .urls
                .sign(&format!("/v1/images/{image}/thumbnail"), chrono::Utc::now())
        }),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn with_contents(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    row: &CollectionRow,
) -> ApiResult<Collection> {
    let contents = db::contents(conn, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(dto(state, row, contents))
}

fn not_found() -> ApiError {
    ApiError::not_found("collection")
}

pub async fn create(
    state: &AppState,
    user_id: Uuid,
    req: &CreateCollectionRequest,
) -> ApiResult<Collection> {
    let name = validate::required_text(&req.name, COLLECTION_NAME_MAX_CHARS)
        .map_err(|e| ApiError::field("name", e.message()))?;
    let description =
        validate::optional_multiline(req.description.as_deref(), COLLECTION_DESCRIPTION_MAX_CHARS)
            .map_err(|e| ApiError::field("description", e.message()))?;
    let mut conn = state.db.get().await?;
    if db::count(&mut conn, user_id).await? >= MAX_COLLECTIONS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!(
                "you can keep at most {MAX_COLLECTIONS_PER_USER} collections; delete one first"
            ),
        ));
    }
    let row = db::insert(&mut conn, user_id, &name, description.as_deref()).await?;
    Ok(dto(state, &row, Contents::default()))
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<Collection>> {
    let mut conn = state.db.get().await?;
    let rows = db::list(&mut conn, user_id, page).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let contents = db::contents(&mut conn, &ids).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| dto(state, r, contents.get(&r.id).copied().unwrap_or_default()),
    ))
}

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<Collection> {
    let mut conn = state.db.get().await?;
    let row = db::find(&mut conn, id, user_id, false)
        .await?
        .ok_or_else(not_found)?;
    with_contents(state, &mut conn, &row).await
}

pub async fn update(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    req: &UpdateCollectionRequest,
) -> ApiResult<Collection> {
    let name = req
        .name
        .as_deref()
        .map(|n| validate::required_text(n, COLLECTION_NAME_MAX_CHARS))
        .transpose()
        .map_err(|e| ApiError::field("name", e.message()))?;
    let description = req
        .description
        .as_deref()
        .map(|d| validate::optional_multiline(Some(d), COLLECTION_DESCRIPTION_MAX_CHARS))
        .transpose()
        .map_err(|e| ApiError::field("description", e.message()))?;
    let mut conn = state.db.get().await?;
    if db::find(&mut conn, id, user_id, false).await?.is_none() {
        return Err(not_found());
    }
    if let Some(cover) = req.cover_image_id
        && !db::contains(&mut conn, id, cover).await?
    {
        return Err(ApiError::field(
            "cover_image_id",
            "is not an image of this collection",
        ));
    }
    let changes = db::Changes {
        name,
        description,
        cover_image_id: req.cover_image_id.map(Some),
        updated_at: Some(chrono::Utc::now()),
    };
    let row = db::update(&mut conn, id, user_id, changes)
        .await?
        .ok_or_else(not_found)?;
    with_contents(state, &mut conn, &row).await
}

pub async fn delete(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::delete(&mut conn, id, user_id).await? {
        Ok(())
    } else {
        Err(not_found())
    }
}

/// The ids of a request, each once; 1 to [`MAX_IMAGES_PER_REQUEST`] of them.
pub fn distinct_ids(ids: &[Uuid]) -> ApiResult<Vec<Uuid>> {
    let mut seen = HashSet::new();
    let ids: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if ids.is_empty() || ids.len() > MAX_IMAGES_PER_REQUEST {
        return Err(ApiError::field(
            "image_ids",
            format!("name 1 to {MAX_IMAGES_PER_REQUEST} images"),
        ));
    }
    Ok(ids)
}

/// Adds images to a collection. All must be the user's; the collection may hold at most
/// [`MAX_IMAGES_PER_COLLECTION`].
pub async fn add(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    image_ids: &[Uuid],
) -> ApiResult<CollectionImagesChanged> {
    use diesel_async::AsyncConnection;
    let ids = distinct_ids(image_ids)?;
    let mut conn = state.db.get().await?;
    let (row, changed) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = db::find(conn, id, user_id, true)
                .await?
                .ok_or_else(not_found)?;
            let owned = db::owned_images(conn, user_id, &ids).await?;
            if owned < ids.len() as i64 {
                return Err(ApiError::field(
                    "image_ids",
                    format!("{} of these are not your images", ids.len() as i64 - owned),
                ));
            }
            let added = db::add(conn, id, user_id, &ids).await? as i64;
            if db::image_count(conn, id).await? > MAX_IMAGES_PER_COLLECTION {
                return Err(ApiError::new(
                    ErrorCode::LimitReached,
                    format!(
                        "a collection holds at most {MAX_IMAGES_PER_COLLECTION} images; start another"
                    ),
                ));
            }
            if added > 0 {
                db::touch(conn, id).await?;
            }
            Ok((row, added))
        })
        .await?;
    Ok(CollectionImagesChanged {
        changed,
        collection: with_contents(state, &mut conn, &row).await?,
    })
}

/// Removes images from a collection (ids not in it are skipped).
pub async fn remove(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    image_ids: &[Uuid],
) -> ApiResult<CollectionImagesChanged> {
    let ids = distinct_ids(image_ids)?;
    let mut conn = state.db.get().await?;
    let row = db::find(&mut conn, id, user_id, false)
        .await?
        .ok_or_else(not_found)?;
    let removed = db::remove(&mut conn, id, &ids).await? as i64;
    if removed > 0 {
        db::touch(&mut conn, id).await?;
    }
    Ok(CollectionImagesChanged {
        changed: removed,
        collection: with_contents(state, &mut conn, &row).await?,
    })
}
