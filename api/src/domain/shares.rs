//! Public links to single images and to collections: created and revoked by the owner, opened
//! by anyone with the link. Prompts are shown only when the owner opted in.

use chrono::Utc;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::collections::{
    CollectionShareInfo, CreateCollectionShareRequest, SharedCollection, SharedCollectionImage,
};
use zimage_shared::generation::{CreateShareRequest, OutputFormat, ShareInfo, SharedImage};

use crate::db::generation as images_db;
use crate::db::shares::{self as db, CollectionShareRow, ShareRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

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

/// The link of the user's image; 404 when it is not shared (or not theirs).
pub async fn get(state: &AppState, user_id: Uuid, image_id: Uuid) -> ApiResult<ShareInfo> {
    let mut conn = state.db.get().await?;
    let row = db::find_for_image(&mut conn, image_id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("share"))?;
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
    crate::domain::images::plain_original(&state.storage, &image)
        .await
        .map_err(ApiError::internal)
}

fn collection_dto(state: &AppState, row: &CollectionShareRow) -> CollectionShareInfo {
    let token = state.urls.collection_share_token(row.id);
    CollectionShareInfo {
        collection_id: row.collection_id,
        url: format!("{}/c/{token}", state.config.public_url),
        token,
        include_prompts: row.include_prompts,
        views: row.views,
        created_at: row.created_at,
    }
}

/// Shares the user's collection (or changes whether its link shows prompts).
pub async fn share_collection(
    state: &AppState,
    user_id: Uuid,
    collection_id: Uuid,
    req: &CreateCollectionShareRequest,
) -> ApiResult<CollectionShareInfo> {
    let mut conn = state.db.get().await?;
    crate::db::collections::find(&mut conn, collection_id, user_id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("collection"))?;
    let row = db::upsert_collection(
        &mut conn,
        &CollectionShareRow {
            id: Uuid::new_v4(),
            user_id,
            collection_id,
            include_prompts: req.include_prompts,
            views: 0,
            created_at: Utc::now(),
        },
    )
    .await?;
    tracing::info!(user_id = %user_id, collection_id = %collection_id, "collection shared");
    Ok(collection_dto(state, &row))
}

/// The link of the user's collection; 404 when it is not shared (or not theirs).
pub async fn collection_share(
    state: &AppState,
    user_id: Uuid,
    collection_id: Uuid,
) -> ApiResult<CollectionShareInfo> {
    let mut conn = state.db.get().await?;
    let row = db::find_for_collection(&mut conn, collection_id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("collection share"))?;
    Ok(collection_dto(state, &row))
}

pub async fn revoke_collection(
    state: &AppState,
    user_id: Uuid,
    collection_id: Uuid,
) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::delete_for_collection(&mut conn, collection_id, user_id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("collection share"))
    }
}

/// A page of a shared collection, as anyone with the link sees it; 404 for unknown, forged or
/// revoked tokens alike. Opening the first page counts a view when `count_view`.
pub async fn shared_collection(
    state: &AppState,
    token: &str,
    page: PageRequest,
    count_view: bool,
) -> ApiResult<SharedCollection> {
    let id = state
        .urls
        .collection_share_id(token)
        .ok_or_else(|| ApiError::not_found("shared collection"))?;
    let mut conn = state.db.get().await?;
    let (share, collection) =
        db::open_collection(&mut conn, id, count_view && page.after.is_none())
            .await?
            .ok_or_else(|| ApiError::not_found("shared collection"))?;
    let filter = images_db::ImageFilter {
        collection: Some(collection.id),
        ..Default::default()
    };
    let rows = images_db::list_images(&mut conn, share.user_id, filter, page).await?;
    let image_count = crate::db::collections::image_count(&mut conn, collection.id).await?;
    let now = Utc::now();
    let images = page.page(
        rows,
        |(r, _, _)| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |(r, _, prompt)| SharedCollectionImage {
            width: r.width.unsigned_abs(),
            height: r.height.unsigned_abs(),
            format: crate::domain::generation::parse_enum(&r.format).unwrap_or_default(),
            url: state.urls.sign(&format!("/v1/images/{}/file", r.id), now),
            thumbnail_url: state
                .urls
                .sign(&format!("/v1/images/{}/thumbnail", r.id), now),
            prompt: prompt.clone().filter(|_| share.include_prompts),
            created_at: r.created_at,
        },
    );
    Ok(SharedCollection {
        name: collection.name,
        description: collection.description,
        image_count,
        items: images.items,
        next_cursor: images.next_cursor,
    })
}
