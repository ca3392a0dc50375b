//! Reference images: checked by content, re-encoded without any metadata (EXIF, GPS, comments),
//! stored under the user's prefix.

use chrono::Utc;
use diesel_async::AsyncConnection;
use image::{DynamicImage, ImageDecoder, ImageFormat};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zimage_shared::generation::{OutputFormat, UploadInfo};
use zimage_shared::{ErrorCode, Page};

use crate::db::uploads::{self as db, UploadRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::providers::render;
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

fn over_quota(quota: u64) -> ApiError {
    ApiError::new(
        ErrorCode::LimitReached,
        format!(
            "your uploads may take at most {} MB of storage; delete some first",
            quota / 1_000_000
        ),
    )
}

fn unreadable<E>(_: E) -> ApiError {
    invalid("cannot be read as an image")
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::field("file", message)
}

/// Most memory the decoded pixels of one upload may take: a 4096×4096 image at 8 bits per
/// channel with alpha. The header says how much a file will decode to, so a small file that would
/// decode to more (16-bit channels at full size, say) is refused before any pixel is decoded.
pub const MAX_DECODED_BYTES: u64 = 4096 * 4096 * 4;

/// Decodes, upright-rotates and re-encodes an image; only PNG, JPEG and WebP are accepted. PNG
/// stays lossless; JPEG and WebP are re-encoded lossy at [`render::LOSSY_QUALITY`], so a lossy
/// upload is not stored several times larger than it came.
pub fn clean(bytes: &[u8]) -> ApiResult<(Vec<u8>, OutputFormat, u32, u32)> {
    let (decoded, format) = decode_upright(bytes)?;
    let alpha = decoded.color().has_alpha();
    let (width, height) = (decoded.width(), decoded.height());
    let mut out = std::io::Cursor::new(Vec::new());
    let written = match format {
        OutputFormat::Jpeg => decoded.into_rgb8().write_with_encoder(
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, render::LOSSY_QUALITY),
        ),
        OutputFormat::Png => decoded.write_to(&mut out, ImageFormat::Png),
        OutputFormat::Webp => render::webp_lossy(decoded.as_bytes(), alpha, width, height)
            .map(|webp| out = std::io::Cursor::new(webp)),
    };
    written.map_err(ApiError::internal)?;
    Ok((out.into_inner(), format, width, height))
}

/// Decodes a PNG, JPEG or WebP image (recognised by its content) within the size and memory
/// bounds, turned upright, as 8-bit RGB or RGBA pixels; problems are reported on the `file`
/// field. Nothing of the file but its pixels survives.
pub fn decode_upright(bytes: &[u8]) -> ApiResult<(DynamicImage, OutputFormat)> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => OutputFormat::Png,
        Ok(ImageFormat::Jpeg) => OutputFormat::Jpeg,
        Ok(ImageFormat::WebP) => OutputFormat::Webp,
        _ => return Err(invalid("must be a PNG, JPEG or WebP image")),
    };
    let mut decoder = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(unreadable)?
        .into_decoder()
        .map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if width.min(height) < MIN_SIDE || width.max(height) > MAX_SIDE {
        return Err(invalid(format!(
            "must be between {MIN_SIDE} and {MAX_SIDE} pixels on each side"
        )));
    }
    let decoded_bytes = decoder.total_bytes();
    if decoded_bytes > MAX_DECODED_BYTES {
        return Err(invalid(format!(
            "decodes to {} MB of pixels, more than the {} MB accepted; save it with 8 bits per \
             channel or make it smaller",
            decoded_bytes.div_ceil(1_000_000),
            MAX_DECODED_BYTES / 1_000_000
        )));
    }
    // The decoder's own working memory is bounded too, whatever the header claimed.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES + MAX_DECODED_BYTES / 2);
    decoder.set_limits(limits).map_err(unreadable)?;
    // Phones record "this way up" in EXIF; apply it to the pixels, since EXIF does not survive.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoded = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    // 8 bits per channel from here on (more would only make the stored file larger).
    let alpha = decoded.color().has_alpha();
    decoded = match (alpha, &decoded) {
        (false, DynamicImage::ImageRgb8(_)) | (true, DynamicImage::ImageRgba8(_)) => decoded,
        (false, _) => DynamicImage::ImageRgb8(decoded.into_rgb8()),
        (true, _) => DynamicImage::ImageRgba8(decoded.into_rgba8()),
    };
    decoded.apply_orientation(orientation);
    Ok((decoded, format))
}

/// Refuses an upload of `adding` bytes past the count or the storage quota.
fn within_limits(quota: u64, (count, kept): (i64, u64), adding: u64) -> ApiResult<()> {
    if count >= MAX_UPLOADS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("you can keep at most {MAX_UPLOADS_PER_USER} uploads; delete some first"),
        ));
    }
    if kept.saturating_add(adding) > quota || kept >= quota {
        return Err(over_quota(quota));
    }
    Ok(())
}

pub async fn create(state: &AppState, user_id: Uuid, bytes: Vec<u8>) -> ApiResult<UploadInfo> {
    let quota = state.config.upload_quota_bytes;
    let mut conn = state.db.get().await?;
    // A first look, so a full account decodes nothing; the decisive check is made with the row.
    within_limits(quota, db::usage(&mut conn, user_id).await?, 0)?;
    drop(conn);
    // Decoding takes up to 64 MB and a core per image: a few at a time, a short queue behind.
    let (clean, format, width, height) = state.decoding.run(move || clean(&bytes)).await??;
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
    // The user's uploads are counted and the row inserted under a lock on the user, so parallel
    // uploads cannot each find room that only one of them has.
    let inserted = conn
        .transaction::<_, ApiError, _>(async |conn| {
            db::lock_owner(conn, user_id).await?;
            within_limits(quota, db::usage(conn, user_id).await?, clean.len() as u64)?;
            db::insert(conn, &row).await?;
            Ok(())
        })
        .await;
    if let Err(err) = inserted {
        let _ = state.storage.delete(&row.storage_key).await;
        return Err(err);
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
