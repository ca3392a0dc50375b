//! Public links to single images: created and revoked by the owner, opened by anyone with the
//! link. The prompt is shown only when the owner opted in.

use chrono::Utc;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::generation::{CreateShareRequest, OutputFormat, ShareInfo, SharedImage};

use crate::db::generation as images_db;
use crate::db::shares::{self as db, ShareRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;
use crate::storage::ObjectStore;

fn dto(state: &AppState, row: &ShareRow) -> ShareInfo {
    let token = state.urls.share_token(row.id);
    ShareInfo {
        id: row.id,
        image_id: row.image_id,
        url: format!("{}/s/{token}", state.config.public_url),
        token,
        include_prompt: row.include_prompt,
        views: row.views,
        created_at: row.created_at,
        thumbnail_url: state.urls.sign(
            &format!("/v1/images/{}/thumbnail", row.image_id),
            Utc::now(),
        ),
    }
}

/// Shares the user's image (or changes the existing link's prompt setting).
pub async fn create(
    state: &AppState,
    user_id: Uuid,
    image_id: Uuid,
    req: &CreateShareRequest,
) -> ApiResult<ShareInfo> {
    let mut conn = state.db.get().await?;
    images_db::find_image(&mut conn, image_id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("image"))?;
    let row = db::upsert(
        &mut conn,
        &ShareRow {
            id: Uuid::new_v4(),
            user_id,
            image_id,
            include_prompt: req.include_prompt,
            views: 0,
            created_at: Utc::now(),
        },
    )
    .await?;
    tracing::info!(user_id = %user_id, image_id = %image_id, "image shared");
    Ok(dto(state, &row))
}

pub async fn revoke(state: &AppState, user_id: Uuid, image_id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::delete_for_image(&mut conn, image_id, user_id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("share"))
    }
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<ShareInfo>> {
    let mut conn = state.db.get().await?;
    let rows = db::list(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| dto(state, r),
    ))
}

/// The public card of a link; 404 for unknown, forged or revoked tokens alike. A view is counted
/// when `count_view` (a page shell's link preview is not a view).
pub async fn card(state: &AppState, token: &str, count_view: bool) -> ApiResult<SharedImage> {
    let id = state
        .urls
        .share_id(token)
        .ok_or_else(|| ApiError::not_found("shared image"))?;
    let mut conn = state.db.get().await?;
    let (share, image, prompt, model) = db::open(&mut conn, id, count_view)
        .await?
        .ok_or_else(|| ApiError::not_found("shared image"))?;
    Ok(SharedImage {
        width: image.width.unsigned_abs(),
        height: image.height.unsigned_abs(),
        format: serde_json::from_value(serde_json::Value::String(image.format)).unwrap_or_default(),
        image_url: format!("/v1/shared/{token}/image"),
        prompt: if share.include_prompt { prompt } else { None },
        model,
        created_at: image.created_at,
    })
}

/// The shared image's file, with all descriptive metadata stripped.
pub async fn file(state: &AppState, token: &str) -> ApiResult<(Vec<u8>, OutputFormat)> {
    let id = state
        .urls
        .share_id(token)
        .ok_or_else(|| ApiError::not_found("shared image"))?;
    let mut conn = state.db.get().await?;
    let (_, image, _, _) = db::open(&mut conn, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("shared image"))?;
    drop(conn);
    let format: OutputFormat =
        serde_json::from_value(serde_json::Value::String(image.format)).unwrap_or_default();
    let stored = state
        .storage
        .get(&image.storage_key)
        .await
        .map_err(ApiError::internal)?;
    let bytes =
        tokio::task::spawn_blocking(move || crate::providers::metadata::strip(&stored, format))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
    Ok((bytes, format))
}
