//! Reference images: checked by content, re-encoded without any metadata (EXIF, GPS, comments),
//! stored under the user's prefix.

use chrono::Utc;
use image::{DynamicImage, ImageDecoder, ImageFormat};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zimage_shared::generation::{OutputFormat, UploadInfo};
use zimage_shared::{ErrorCode, Page};

use crate::db::uploads::{self as db, UploadRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Most uploads one user may keep.
pub const MAX_UPLOADS_PER_USER: i64 = 200;
/// Smallest and largest side accepted, in pixels.
pub const MIN_SIDE: u32 = 64;
pub const MAX_SIDE: u32 = 4096;

pub fn dto(state: &AppState, row: &UploadRow) -> UploadInfo {
    UploadInfo {
        id: row.id,
        width: row.width.unsigned_abs(),
        height: row.height.unsigned_abs(),
        format: serde_json::from_value(serde_json::Value::String(row.format.clone()))
            .unwrap_or_default(),
        bytes: row.bytes,
        created_at: row.created_at,
        url: state
            .urls
            .sign(&format!("/v1/uploads/{}/file", row.id), Utc::now()),
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::field("file", message)
}

/// Decodes, upright-rotates and re-encodes an image; only PNG, JPEG and WebP are accepted.
pub fn clean(bytes: &[u8]) -> ApiResult<(Vec<u8>, OutputFormat, u32, u32)> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => OutputFormat::Png,
        Ok(ImageFormat::Jpeg) => OutputFormat::Jpeg,
        Ok(ImageFormat::WebP) => OutputFormat::Webp,
        _ => return Err(invalid("must be a PNG, JPEG or WebP image")),
    };
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| invalid("cannot be read as an image"))?;
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| invalid("cannot be read as an image"))?;
    if width.min(height) < MIN_SIDE || width.max(height) > MAX_SIDE {
        return Err(invalid(format!(
            "must be between {MIN_SIDE} and {MAX_SIDE} pixels on each side"
        )));
    }
    let mut decoder = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| invalid("cannot be read as an image"))?
        .into_decoder()
        .map_err(|_| invalid("cannot be read as an image"))?;
    // Phones record "this way up" in EXIF; apply it to the pixels, since EXIF does not survive.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoded =
        DynamicImage::from_decoder(decoder).map_err(|_| invalid("cannot be read as an image"))?;
    decoded.apply_orientation(orientation);
    let mut out = std::io::Cursor::new(Vec::new());
    let written = match format {
        OutputFormat::Jpeg => decoded.to_rgb8().write_with_encoder(
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92),
        ),
        OutputFormat::Png => decoded.write_to(&mut out, ImageFormat::Png),
        OutputFormat::Webp => decoded
            .to_rgba8()
            .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out)),
    };
    written.map_err(ApiError::internal)?;
    Ok((out.into_inner(), format, decoded.width(), decoded.height()))
}

pub async fn create(state: &AppState, user_id: Uuid, bytes: Vec<u8>) -> ApiResult<UploadInfo> {
    let mut conn = state.db.get().await?;
    if db::count(&mut conn, user_id).await? >= MAX_UPLOADS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("you can keep at most {MAX_UPLOADS_PER_USER} uploads; delete some first"),
        ));
    }
    drop(conn);
    let (clean, format, width, height) = tokio::task::spawn_blocking(move || clean(&bytes))
        .await
        .map_err(ApiError::internal)??;
    let id = Uuid::new_v4();
    let key = format!("users/{user_id}/uploads/{id}.{}", format.extension());
    state
        .storage
        .put(&key, &clean, format.content_type())
        .await
        .map_err(ApiError::internal)?;
    let row = UploadRow {
        id,
        user_id,
        storage_key: key,
        format: format.as_str().into(),
        width: i32::try_from(width).unwrap_or(i32::MAX),
        height: i32::try_from(height).unwrap_or(i32::MAX),
        bytes: i64::try_from(clean.len()).unwrap_or(i64::MAX),
        sha256: Sha256::digest(&clean).to_vec(),
        created_at: Utc::now(),
    };
    let mut conn = state.db.get().await?;
    if let Err(err) = db::insert(&mut conn, &row).await {
        let _ = state.storage.delete(&row.storage_key).await;
        return Err(err.into());
    }
    tracing::info!(user_id = %user_id, upload_id = %id, "reference image uploaded");
    Ok(dto(state, &row))
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<UploadInfo>> {
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

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<UploadInfo> {
    let mut conn = state.db.get().await?;
    db::find(&mut conn, id, user_id)
        .await?
        .map(|r| dto(state, &r))
        .ok_or_else(|| ApiError::not_found("upload"))
}

/// The stored file of an upload (`user_id` `None`: a signed URL already vouched for it).
pub async fn file(
    state: &AppState,
    user_id: Option<Uuid>,
    id: Uuid,
) -> ApiResult<(Vec<u8>, OutputFormat)> {
    let mut conn = state.db.get().await?;
    let row = match user_id {
        Some(user_id) => db::find(&mut conn, id, user_id).await?,
        None => db::find_any(&mut conn, id).await?,
    }
    .ok_or_else(|| ApiError::not_found("upload"))?;
    let bytes = state
        .storage
        .get(&row.storage_key)
        .await
        .map_err(ApiError::internal)?;
    let format = serde_json::from_value(serde_json::Value::String(row.format)).unwrap_or_default();
    Ok((bytes, format))
}

pub async fn delete(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let row = db::delete(&mut conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("upload"))?;
    if let Err(err) = state.storage.delete(&row.storage_key).await {
        tracing::error!(key = %row.storage_key, error = %err, "could not delete an upload's file; it is orphaned");
    }
    Ok(())
}
