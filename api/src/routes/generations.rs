//! `/v1/generations` and `/v1/images/{id}/file`.

use crate::json_body::Json;
use crate::rate_limit::Outage;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::generation::{
    CreateGenerationRequest, CreateShareRequest, DownloadRecord, GalleryImage, GenerationTask,
    ImageSelection, ImagesDeleted, ShareInfo, TaskEvent, TaskStatus,
};
use zimage_shared::{Page, Problem};

use crate::auth::{Auth, Bearer, OptionalAuth};
use crate::domain::{generation, images};
use crate::error::{ApiError, ApiResult};
use crate::live;
use crate::pagination::PageQuery;
use crate::state::AppState;
use zimage_shared::account::ApiKeyScope;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/generations")
            .service(create)
            .service(list)
            .service(get_one)
            .service(settings)
            .service(task_events)
            .service(cancel)
            .service(remove),
    )
    .service(
        utoipa_actix_web::scope::scope("/images")
            .service(list_images)
            .service(archive_images)
            .service(delete_images)
            .service(get_image)
            .service(image_file)
            .service(image_thumbnail)
            .service(share)
            .service(get_share)
            .service(unshare)
            .service(favorite)
            .service(unfavorite)
            .service(delete_image),
    )
    .service(utoipa_actix_web::scope::scope("/downloads").service(list_downloads));
}

/// Filters for the task list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TaskFilter {
    status: Option<TaskStatus>,
    model: Option<String>,
}

/// Start a generation. Its full cost is held at once and returned automatically if it fails or
/// is canceled. Send `Idempotency-Key` to make retries safe: the same key and body return the
/// original task (200); the same key with another body is 422 `idempotency_key_reused`.
#[utoipa::path(
    operation_id = "generations_create",
    tag = "generation",
    security(("bearer" = [])),
    request_body = CreateGenerationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters (a UUID, say): the same key and body within 24 hours return the task already made", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    responses(
        (status = 202, body = GenerationTask, description = "queued"),
        (status = 200, body = GenerationTask, description = "a retry of an earlier request"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 402, body = Problem, content_type = "application/problem+json", description = "`insufficient_credits`; nothing was charged"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`email_not_verified`, or `insufficient_scope` for an API key without `generations:write`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unsupported_parameter` (a setting the model cannot honour; see its `supports`), `prompt_rejected` or `idempotency_key_reused`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many submissions or active tasks"),
    )
)]
#[post("")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<CreateGenerationRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    auth.require_verified()?;
    state
        .limiter
        .check(
            &format!("generate:user:{}", auth.user_id()),
            state.config.rate_limits.generations_per_user,
            Outage::Refuse,
        )
        .await?;
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::field("Idempotency-Key", "must be visible ASCII"))
        })
        .transpose()?;
    let (task, created) =
        generation::submit(&state, auth.user_id(), &body, key, auth.via()).await?;
    let status = if created {
        actix_web::http::StatusCode::ACCEPTED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(super::made(
        status,
        &state,
        &format!("/v1/generations/{}", task.id),
        &task,
    ))
}

/// Your generations, newest first.
#[utoipa::path(
    operation_id = "generations_list",
    tag = "generation",
    security(("bearer" = [])),
    params(PageQuery, TaskFilter),
    responses(
        (status = 200, body = Page<GenerationTask>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
    )
)]
#[get("")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
    filter: web::Query<TaskFilter>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let tasks = generation::list(
        &state,
        auth.user_id(),
        filter.status,
        filter.model.as_deref(),
        page.parse()?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(tasks))
}

/// One generation with its images. Another user's id answers 404.
#[utoipa::path(
    operation_id = "generations_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = GenerationTask),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    caller: Bearer,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let task = generation::get_for(&state, caller, id.into_inner()).await?;
    super::conditional::json(&req, &task)
}

/// The request that generates this task again, seed included: send it back to
/// `POST /v1/generations` as is, or change a field first ("reuse settings").
#[utoipa::path(
    operation_id = "generations_settings_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CreateGenerationRequest),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}/settings")]
async fn settings(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok()
        .json(generation::settings(&state, auth.user_id(), id.into_inner()).await?))
}

/// Live status of one generation as Server-Sent Events: a `task` event (data: `TaskEvent`) for
/// each status change and progress step, from the first (queued) on, or after `Last-Event-ID`;
/// `: keep-alive` comments while idle; the stream ends after a final status.
#[utoipa::path(
    operation_id = "generations_events_stream",
    tag = "generation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path),
        ("Last-Event-ID" = Option<String>, Header, description = "resume after this event"),
    ),
    responses(
        (status = 200, body = TaskEvent, content_type = "text/event-stream", description = "an SSE stream of `task` events"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys without `generations:read`)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "too many open streams"),
    )
)]
#[get("/{id}/events")]
async fn task_events(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let id = id.into_inner();
    generation::get(&state, auth.user_id(), id).await?;
    live::respond(state, &req, auth, live::Scope::Task(id)).await
}

/// Cancel a queued or running generation; its credits come back.
#[utoipa::path(
    operation_id = "generations_cancel",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = GenerationTask),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`task_finished`"),
    )
)]
#[post("/{id}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok().json(generation::cancel(&state, auth.user_id(), id.into_inner()).await?))
}

/// Delete a generation and its image files (a running one is canceled and refunded first).
#[utoipa::path(
    operation_id = "generations_delete",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/{id}")]
async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    generation::delete(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `?metadata=` on a download.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DownloadOptions {
    /// `strip` (default): no descriptive metadata; `keep`: the prompt, seed and model embedded as
    /// PNG text chunks or EXIF (JPEG, WebP). Only with a bearer token: signed URLs always strip.
    #[param(inline)]
    metadata: Option<generation::MetadataMode>,
    /// From a signed URL (`url` of an image): use it instead of a bearer token.
    expires: Option<i64>,
    /// From a signed URL.
    signature: Option<String>,
}

/// The signature of a signed image URL (`thumbnail_url` of an image).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UrlSignature {
    /// From a signed URL: use it instead of a bearer token.
    expires: Option<i64>,
    /// From a signed URL.
    signature: Option<String>,
}

/// Whose image a file request may read: the bearer's own (another user's image stays 404), or,
/// with a valid signed URL, the image's owner.
async fn file_reader(
    state: &AppState,
    auth: Option<Auth>,
    req: &HttpRequest,
    id: Uuid,
    expires: Option<i64>,
    signature: Option<&str>,
) -> ApiResult<Uuid> {
    match super::file_reader(state, auth, req, expires, signature)? {
        super::FileReader::User(user_id) => Ok(user_id),
        super::FileReader::Signed => images::owner(state, id).await,
    }
}

/// Download an image's original file. With a bearer token it is recorded in your download
/// history and `metadata=keep` embeds the prompt; through the signed `url` of the image (no
/// token) it is always the file without metadata and is not recorded. Another user's id answers
/// 404.
#[utoipa::path(
    operation_id = "images_file_get",
    tag = "generation",
    security(("bearer" = []), ()),
    params(("id" = Uuid, Path), DownloadOptions),
    responses(
        (status = 200, description = "the image file", content_type = "image/*"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}/file")]
async fn image_file(
    state: web::Data<AppState>,
    OptionalAuth(auth): OptionalAuth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    options: web::Query<DownloadOptions>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    // A signed URL vouches for its path and expiry only: what it fetches is always the file
    // without metadata, and not recorded as the owner's download (anyone holding the link may
    // be fetching it). Metadata and the history are for the owner's own requests.
    let signed = auth.is_none();
    let reader = file_reader(
        &state,
        auth,
        &req,
        id,
        options.expires,
        options.signature.as_deref(),
    )
    .await?;
    let metadata = if signed {
        generation::MetadataMode::Strip
    } else {
        options.metadata.unwrap_or_default()
    };
    let (bytes, format) = generation::image_file(&state, reader, id, metadata, !signed).await?;
    let etag = format!("\"{}-{}\"", id.simple(), metadata.as_str());
    Ok(super::conditional::file(
        &req,
        bytes,
        &etag,
        &[
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"zimage-{id}.{}\"",
                    format.extension()
                ),
            ),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_string(),
            ),
        ],
    ))
}

/// Gallery filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImageFilter {
    /// Only favourites (`true`) or only the others (`false`).
    favorite: Option<bool>,
    /// Only images of this model (an id from `GET /v1/models`).
    model: Option<String>,
    /// Only images whose prompt contains this text, in any case.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only images made at or after this instant.
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only images made before this instant (a `to` not after `from` matches nothing).
    to: Option<chrono::DateTime<chrono::Utc>>,
    /// Only images in this collection of yours (404 for anyone else's).
    collection: Option<Uuid>,
    /// Only images of this shape.
    #[param(inline)]
    aspect: Option<zimage_shared::collections::ImageShape>,
    /// `newest` (the default) or `oldest` first.
    #[param(inline)]
    sort: Option<zimage_shared::collections::GallerySort>,
}

/// Your images, newest first: search the prompts (`?q=`), filter by favourite, model, date
/// range, collection and shape, or list oldest first. Every filter narrows the others.
#[utoipa::path(
    operation_id = "images_list",
    tag = "generation",
    security(("bearer" = [])),
    params(PageQuery, ImageFilter),
    responses(
        (status = 200, body = Page<GalleryImage>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`collection` is not one of yours"),
    )
)]
#[get("")]
async fn list_images(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
    filter: web::Query<ImageFilter>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let filter = crate::db::generation::ImageFilter {
        favorite: filter.favorite,
        model: filter.model.as_deref(),
        text: filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()),
        from: filter.from,
        to: filter.to,
        collection: filter.collection,
        shape: filter.aspect,
        oldest_first: filter.sort == Some(zimage_shared::collections::GallerySort::Oldest),
    };
    let page = images::list(&state, auth.user_id(), filter, page.parse()?).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One image. Another user's id answers 404.
#[utoipa::path(
    operation_id = "images_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = GalleryImage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_image(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let image = images::get(&state, auth.user_id(), id.into_inner()).await?;
    super::conditional::json(&req, &image)
}

/// The image's preview: a WebP whose longest side is 384 px, or, for an image no larger than
/// that, the image itself in its own format. Works with a bearer token, or without one as the
/// signed `thumbnail_url` of the image.
#[utoipa::path(
    operation_id = "images_thumbnail_get",
    tag = "generation",
    security(("bearer" = []), ()),
    params(("id" = Uuid, Path), UrlSignature),
    responses(
        (status = 200, description = "the preview: WebP, or the image itself (PNG, JPEG or WebP) when it is no larger than 384 px", content_type = "image/*"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}/thumbnail")]
async fn image_thumbnail(
    state: web::Data<AppState>,
    OptionalAuth(auth): OptionalAuth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    signed: web::Query<UrlSignature>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let reader = file_reader(
        &state,
        auth,
        &req,
        id,
        signed.expires,
        signed.signature.as_deref(),
    )
    .await?;
    let (bytes, content_type) = images::thumbnail(&state, reader, id).await?;
    Ok(super::conditional::file(
        &req,
        bytes,
        &format!("\"{}-thumbnail\"", id.simple()),
        &[
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_string(),
            ),
        ],
    ))
}

/// Make a public link to this image (or change whether it shows the prompt). Anyone with the
/// link sees the image; the prompt only with `include_prompt: true`.
#[utoipa::path(
    operation_id = "images_share_create",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = Option<CreateShareRequest>,
    responses(
        (status = 201, body = ShareInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/share")]
async fn share(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    let req: CreateShareRequest = super::optional_body(&body)?;
    let share =
        crate::domain::shares::create(&state, auth.user_id(), id.into_inner(), &req).await?;
    Ok(super::created(
        &state,
        &format!("/v1/shared/{}", share.token),
        &share,
    ))
}

/// The image's public link; 404 when it is not shared.
#[utoipa::path(
    operation_id = "images_share_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ShareInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}/share")]
async fn get_share(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok()
        .json(crate::domain::shares::get(&state, auth.user_id(), id.into_inner()).await?))
}

/// Revoke the image's public link; it answers 404 from now on.
#[utoipa::path(
    operation_id = "images_share_delete",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/{id}/share")]
async fn unshare(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    crate::domain::shares::revoke(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mark as favourite.
#[utoipa::path(
    operation_id = "images_favorite_add",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = GalleryImage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/{id}/favorite")]
async fn favorite(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok()
        .json(images::set_favorite(&state, auth.user_id(), id.into_inner(), true).await?))
}

/// Remove from favourites.
#[utoipa::path(
    operation_id = "images_favorite_remove",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = GalleryImage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/{id}/favorite")]
async fn unfavorite(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok()
        .json(images::set_favorite(&state, auth.user_id(), id.into_inner(), false).await?))
}

/// Delete one image and its files.
#[utoipa::path(
    operation_id = "images_delete",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/{id}")]
async fn delete_image(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    images::delete(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Download several of your images as one ZIP, written while it is sent: each original without
/// metadata (as a plain download), named `zimage-{id}.{ext}`, newest first, recorded in your
/// download history. All ids must be yours (else 404); the originals may total at most 2 GiB. An archive
/// cut off before its end means the server stopped: download again.
#[utoipa::path(
    operation_id = "images_archive",
    tag = "generation",
    security(("bearer" = [])),
    request_body = ImageSelection,
    responses(
        (status = 200, description = "the ZIP archive", content_type = "application/zip", body = Vec<u8>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "some ids are not your images (nothing is sent)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: no ids, more than 500, or more than 2 GiB"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: 30 archives an hour"),
    )
)]
#[post("/bulk/archive")]
async fn archive_images(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<ImageSelection>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let stream = images::archive(state.into_inner(), auth.user_id(), &body.image_ids).await?;
    let name = format!(
        "zimage-images-{}.zip",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        // The images are compressed already; compressing the archive again only costs time.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(stream))
}

/// Delete several of your images and their files at once, all or none: if any id is not one of
/// your images (404), nothing is deleted.
#[utoipa::path(
    operation_id = "images_delete_many",
    tag = "generation",
    security(("bearer" = [])),
    request_body = ImageSelection,
    responses(
        (status = 200, body = ImagesDeleted),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "some ids are not your images (nothing is deleted)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: no ids or more than 500"),
    )
)]
#[post("/bulk/delete")]
async fn delete_images(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<ImageSelection>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    let deleted = images::delete_many(&state, auth.user_id(), &body.image_ids).await?;
    Ok(HttpResponse::Ok().json(ImagesDeleted {
        deleted: deleted as i64,
    }))
}

/// Your downloads of original files, newest first.
#[utoipa::path(
    operation_id = "downloads_list",
    tag = "generation",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<DownloadRecord>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys)"),
    )
)]
#[get("")]
async fn list_downloads(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok().json(images::downloads(&state, auth.user_id(), page.parse()?).await?))
}
