//! The gallery: the user's images, favourites, previews and deletion.

use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::generation::{DownloadRecord, GalleryImage, OutputFormat};

use crate::auth::signed_url::UrlSigner;
use crate::db::generation::{self as db, ImageRow};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::rate_limit::Outage;
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
    remove_files(state, std::slice::from_ref(&image)).await;
    Ok(())
}

/// Deletes the stored files of images whose rows are gone; a file that cannot be deleted is
/// logged as orphaned.
pub async fn remove_files(state: &AppState, images: &[ImageRow]) {
    for key in images.iter().flat_map(files_of) {
        if let Err(err) = state.storage.delete(key).await {
            tracing::error!(key = %key, error = %err, "could not delete an image file; it is orphaned");
        }
    }
}

/// An image's original as a plain download serves it: without descriptive metadata.
pub async fn plain_original(
    storage: &crate::storage::Storage,
    image: &ImageRow,
) -> anyhow::Result<(Vec<u8>, OutputFormat)> {
    let format: OutputFormat =
        crate::domain::generation::parse_enum(&image.format).unwrap_or_default();
    let stored = storage.get(&image.storage_key).await?;
    let bytes =
        tokio::task::spawn_blocking(move || crate::providers::metadata::strip(&stored, format))
            .await??;
    Ok((bytes, format))
}

/// Deletes several of the user's images and their files, all or none: when any id is not one
/// of the user's images, nothing is deleted. How many were deleted.
pub async fn delete_many(state: &AppState, user_id: Uuid, ids: &[Uuid]) -> ApiResult<usize> {
    use diesel_async::AsyncConnection;
    let ids = crate::domain::collections::distinct_ids(ids)?;
    let mut conn = state.db.get().await?;
    let deleted = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let deleted = db::delete_images(conn, user_id, &ids).await?;
            if deleted.len() < ids.len() {
                // Rolls back: nothing is deleted.
                return Err(not_yours(ids.len() - deleted.len()));
            }
            Ok(deleted)
        })
        .await?;
    drop(conn);
    remove_files(state, &deleted).await;
    Ok(deleted.len())
}

/// Ids that name no image of the user's (someone else's, deleted, made up): 404, as for one id.
fn not_yours(count: usize) -> ApiError {
    ApiError::new(
        zimage_shared::ErrorCode::NotFound,
        format!("{count} of these images were not found"),
    )
}

/// The originals one archive may hold, in bytes as stored.
pub const MAX_ARCHIVE_BYTES: i64 = 2 << 30;

/// Archives one user may start per hour.
const ARCHIVES_PER_HOUR: crate::config::RateLimit = crate::config::RateLimit::per(30, 3600);

/// A ZIP of several of the user's images, written while it is sent: each original without
/// metadata (as a plain download), named `zimage-{id}.{ext}`, newest first. All ids must be the
/// user's images. Each image is recorded as a download.
pub async fn archive(
    state: std::sync::Arc<AppState>,
    user_id: Uuid,
    ids: &[Uuid],
) -> ApiResult<
    impl futures_util::Stream<Item = Result<actix_web::web::Bytes, std::io::Error>> + 'static,
> {
    let ids = crate::domain::collections::distinct_ids(ids)?;
    let mut conn = state.db.get().await?;
    let rows = db::find_images(&mut conn, user_id, &ids).await?;
    if rows.len() < ids.len() {
        return Err(not_yours(ids.len() - rows.len()));
    }
    let total: i64 = rows.iter().map(|row| row.bytes).sum();
    if total > MAX_ARCHIVE_BYTES {
        return Err(ApiError::field(
            "image_ids",
            format!(
                "these images take {} MB; one archive holds at most {} MB, so download fewer at once",
                (total + (1 << 20) - 1) >> 20,
                MAX_ARCHIVE_BYTES >> 20
            ),
        ));
    }
    state
        .limiter
        .check(
            &format!("archive:user:{user_id}"),
            ARCHIVES_PER_HOUR,
            Outage::Allow,
        )
        .await?;
    db::record_downloads(&mut conn, user_id, &ids).await?;
    drop(conn);
    Ok(zip_stream(state, rows))
}

/// Where the ZIP writer puts its output, taken out after each file.
#[derive(Clone, Default)]
struct Spool(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Spool {
    fn take(&self) -> actix_web::web::Bytes {
        actix_web::web::Bytes::from(std::mem::take(&mut *self.0.borrow_mut()))
    }
}

/// One piece per image (its header, bytes and descriptor), then the directory. Each image is
/// read only when the previous piece was taken, so a slow client holds one image in memory and
/// a client that leaves stops the work.
fn zip_stream(
    state: std::sync::Arc<AppState>,
    rows: Vec<ImageRow>,
) -> impl futures_util::Stream<Item = Result<actix_web::web::Bytes, std::io::Error>> + 'static {
    let spool = Spool::default();
    let zip = zip::ZipWriter::new_stream(spool.clone());
    let start = Some((zip, rows.into_iter()));
    futures_util::stream::unfold(start, move |progress| {
        let state = state.clone();
        let spool = spool.clone();
        async move {
            let (mut zip, mut rows) = progress?;
            let Some(row) = rows.next() else {
                return match zip.finish() {
                    Ok(_) => Some((Ok(spool.take()), None)),
                    Err(err) => Some((Err(std::io::Error::other(err)), None)),
                };
            };
            match add_to_zip(&state.storage, &mut zip, &row).await {
                Ok(()) => Some((Ok(spool.take()), Some((zip, rows)))),
                Err(err) => {
                    // The client sees a cut-off download, never a ZIP missing a file.
                    tracing::error!(image = %row.id, error = %err, "an image archive stopped");
                    Some((Err(std::io::Error::other(err.to_string())), None))
                }
            }
        }
    })
}

async fn add_to_zip(
    storage: &crate::storage::Storage,
    zip: &mut zip::ZipWriter<zip::write::StreamWriter<Spool>>,
    row: &ImageRow,
) -> anyhow::Result<()> {
    use std::io::Write;
    let (bytes, format) = plain_original(storage, row).await?;
    use chrono::{Datelike, Timelike};
    let at = row.created_at;
    // ZIP times have no zone: UTC, as everywhere else in the product.
    let modified = zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(modified);
    zip.start_file(format!("zimage-{}.{}", row.id, format.extension()), options)?;
    zip.write_all(&bytes)?;
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
