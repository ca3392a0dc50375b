//! Profile pictures: uploaded as PNG, JPEG or WebP (recognised by content), cropped to the
//! centre square, scaled to [`SIDE`] pixels and re-encoded as WebP, so nothing of the file but
//! its pixels is kept (no EXIF, GPS or comments). Served from signed URLs; each upload gets a new
//! id, so a cached URL never shows an older picture. In the export; gone with the account.

use chrono::Utc;
use diesel_async::AsyncConnection;
use image::imageops::FilterType;
use uuid::Uuid;
use zimage_shared::account::User;

use crate::auth::signed_url::UrlSigner;
use crate::db::users;
use crate::error::{ApiError, ApiResult};
use crate::providers::render;
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Width and height of a stored picture, in pixels (enough for a 128-point avatar on a 2×
/// screen).
pub const SIDE: u32 = 256;

/// Where a picture's file is kept.
pub fn key(user_id: Uuid, avatar_id: Uuid) -> String {
    format!("users/{user_id}/avatar/{avatar_id}.webp")
}

/// The picture's signed URL, valid for one to two hours (the same URL within the hour, so it
/// caches).
pub fn url(urls: &UrlSigner, avatar_id: Uuid) -> String {
    urls.sign(&format!("/v1/avatars/{avatar_id}"), Utc::now())
}

/// The square, scaled, re-encoded picture from an uploaded image.
fn square_webp(bytes: &[u8]) -> ApiResult<Vec<u8>> {
    let (decoded, _) = crate::domain::uploads::decode_upright(bytes)?;
    let side = decoded.width().min(decoded.height());
    let (x, y) = ((decoded.width() - side) / 2, (decoded.height() - side) / 2);
    let alpha = decoded.color().has_alpha();
    let square = decoded.crop_imm(x, y, side, side);
    let scaled = if side > SIDE {
        square.resize_exact(SIDE, SIDE, FilterType::Lanczos3)
    } else {
        square
    };
    let pixels = if alpha {
        image::DynamicImage::ImageRgba8(scaled.into_rgba8())
    } else {
        image::DynamicImage::ImageRgb8(scaled.into_rgb8())
    };
    render::webp_lossy(pixels.as_bytes(), alpha, pixels.width(), pixels.height())
        .map_err(ApiError::internal)
}

/// Replaces the account's picture with `bytes`; the previous file is deleted.
pub async fn set(state: &AppState, user_id: Uuid, bytes: Vec<u8>) -> ApiResult<User> {
    // Decoding takes up to 64 MB and a core: a few at a time, a short queue behind.
    let webp = state.decoding.run(move || square_webp(&bytes)).await??;
    let avatar_id = Uuid::new_v4();
    let new_key = key(user_id, avatar_id);
    state
        .storage
        .put(&new_key, &webp, "image/webp")
        .await
        .map_err(ApiError::internal)?;
    let mut conn = state.db.get().await?;
    let swapped = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let before = users::lock(conn, user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("account"))?;
            let after = users::set_avatar(conn, user_id, Some(avatar_id)).await?;
            Ok((before.avatar_id, after))
        })
        .await;
    let (previous, user) = match swapped {
        Ok(swapped) => swapped,
        Err(err) => {
            let _ = state.storage.delete(&new_key).await;
            return Err(err);
        }
    };
    if let Some(previous) = previous {
        delete_file(state, user_id, previous).await;
    }
    tracing::info!(user_id = %user_id, "profile picture replaced");
    Ok(user.to_dto(&state.urls))
}

/// Removes the account's uploaded picture (a no-op without one).
pub async fn remove(state: &AppState, user_id: Uuid) -> ApiResult<User> {
    let mut conn = state.db.get().await?;
    let (previous, user) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let before = users::lock(conn, user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("account"))?;
            let after = users::set_avatar(conn, user_id, None).await?;
            Ok((before.avatar_id, after))
        })
        .await?;
    if let Some(previous) = previous {
        delete_file(state, user_id, previous).await;
        tracing::info!(user_id = %user_id, "profile picture removed");
    }
    Ok(user.to_dto(&state.urls))
}

/// Deletes a picture's file that no account refers to any more.
pub async fn delete_file(state: &AppState, user_id: Uuid, avatar_id: Uuid) {
    let old = key(user_id, avatar_id);
    if let Err(err) = state.storage.delete(&old).await {
        tracing::error!(key = %old, error = %err, "could not delete a replaced profile picture; it is orphaned");
    }
}

/// The picture's file. `owner` `None`: a signed URL vouched for it; otherwise only the owner's
/// own picture is found.
pub async fn file(state: &AppState, owner: Option<Uuid>, avatar_id: Uuid) -> ApiResult<Vec<u8>> {
    let mut conn = state.db.get().await?;
    let user_id = users::avatar_owner(&mut conn, avatar_id)
        .await?
        .filter(|found| owner.is_none_or(|owner| owner == *found))
        .ok_or_else(|| ApiError::not_found("picture"))?;
    drop(conn);
    state
        .storage
        .get(&key(user_id, avatar_id))
        .await
        .map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 256) as u8, 40, 90]))
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{e}"));
        out.into_inner()
    }

    #[test]
    fn pictures_become_small_squares_and_small_ones_are_not_enlarged() {
        let wide = square_webp(&png(1200, 800)).unwrap_or_else(|e| panic!("{e:?}"));
        let decoded = image::load_from_memory(&wide).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((decoded.width(), decoded.height()), (SIDE, SIDE));
        assert_eq!(
            image::guess_format(&wide).ok(),
            Some(image::ImageFormat::WebP)
        );
        let small = square_webp(&png(100, 120)).unwrap_or_else(|e| panic!("{e:?}"));
        let decoded = image::load_from_memory(&small).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((decoded.width(), decoded.height()), (100, 100));
        assert!(square_webp(b"GIF89a not accepted").is_err());
    }
}
