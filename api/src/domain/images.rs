//! The gallery: the user's images, favourites, previews and deletion.

use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::generation::{DownloadRecord, GalleryImage, OutputFormat};

use crate::auth::signed_url::UrlSigner;
use crate::db::generation::{self as db, ImageRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;
use crate::storage::ObjectStore;

fn dto(
    urls: &UrlSigner,
    row: &ImageRow,
    model: &Option<String>,
    prompt: &Option<String>,
) -> GalleryImage {
    let now = chrono::Utc::now();
    GalleryImage {
        id: row.id,
        task_id: row.task_id,
        model: model.clone(),
        prompt: prompt.clone(),
        width: row.width.unsigned_abs(),
        height: row.height.unsigned_abs(),
        format: serde_json::from_value(serde_json::Value::String(row.format.clone()))
            .unwrap_or_default(),
        bytes: row.bytes,
        favorite: row.favorite,
        created_at: row.created_at,
        url: urls.sign(&format!("/v1/images/{}/file", row.id), now),
        thumbnail_url: urls.sign(&format!("/v1/images/{}/thumbnail", row.id), now),
    }
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    filter: db::ImageFilter<'_>,
    page: PageRequest,
) -> ApiResult<Page<GalleryImage>> {
    use zimage_shared::collections::MAX_SEARCH_CHARS;
    if filter
        .text
        .is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS)
    {
        return Err(ApiError::new(
            zimage_shared::ErrorCode::InvalidQuery,
            format!("q must be at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    let mut conn = state.db.get().await?;
    if let Some(collection) = filter.collection
        && crate::db::collections::find(&mut conn, collection, user_id, false)
            .await?
            .is_none()
    {
        return Err(ApiError::not_found("collection"));
    }
    let rows = db::list_images(&mut conn, user_id, filter, page).await?;
    Ok(page.page(
        rows,
        |(r, _, _)| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |(r, model, prompt)| dto(&state.urls, r, model, prompt),
    ))
}

/// The owner of an image (for signed URLs, which carry no user); 404 when it is gone.
pub async fn owner(state: &AppState, id: Uuid) -> ApiResult<Uuid> {
    let mut conn = state.db.get().await?;
    db::image_owner(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("image"))
}

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<GalleryImage> {
    let mut conn = state.db.get().await?;
    let (row, model, prompt) = db::image_with_task(&mut conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("image"))?;
    Ok(dto(&state.urls, &row, &model, &prompt))
}

pub async fn set_favorite(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    favorite: bool,
) -> ApiResult<GalleryImage> {
    let mut conn = state.db.get().await?;
    if !db::set_favorite(&mut conn, id, user_id, favorite).await? {
        return Err(ApiError::not_found("image"));
    }
    drop(conn);
    get(state, user_id, id).await
}

/// The preview of one of the user's images and its content type: a WebP, or the image itself
/// when it is no larger than a preview.
pub async fn thumbnail(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
) -> ApiResult<(Vec<u8>, &'static str)> {
    let mut conn = state.db.get().await?;
    let image = db::find_image(&mut conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("image"))?;
    drop(conn);
    let format = if image.thumbnail_key == image.storage_key {
        serde_json::from_value(serde_json::Value::String(image.format)).unwrap_or_default()
    } else {
        THUMBNAIL_FORMAT
    };
    let bytes = state
        .storage
        .get(&image.thumbnail_key)
        .await
        .map_err(ApiError::internal)?;
    Ok((bytes, format.content_type()))
}

/// The stored objects of an image: the original, and its preview when that is a file of its own.
pub fn files_of(image: &ImageRow) -> impl Iterator<Item = &String> {
    std::iter::once(&image.storage_key)
        .chain(Some(&image.thumbnail_key).filter(|key| **key != image.storage_key))
}

/// Deletes one image and its files.
pub async fn delete(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let image = db::delete_image(&mut conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("image"))?;
    for key in files_of(&image) {
        if let Err(err) = state.storage.delete(key).await {
            tracing::error!(key = %key, error = %err, "could not delete an image file; it is orphaned");
        }
    }
    Ok(())
}

/// The user's download history, newest first.
pub async fn downloads(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<DownloadRecord>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_downloads(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |(id, _, at)| Cursor {
            created_at: *at,
            id: *id,
        },
        |(id, image_id, at)| DownloadRecord {
            id: *id,
            image_id: *image_id,
            created_at: *at,
        },
    ))
}

/// The content type of previews that are files of their own.
pub const THUMBNAIL_FORMAT: OutputFormat = OutputFormat::Webp;
