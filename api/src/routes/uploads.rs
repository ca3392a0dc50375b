//! `/v1/uploads`: reference images for image-to-image.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use futures_util::StreamExt;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::generation::UploadInfo;
use zimage_shared::{ErrorCode, Page, Problem};

use crate::auth::{Auth, OptionalAuth};
use crate::domain::uploads;
use crate::error::{ApiError, ApiResult};
use crate::pagination::PageQuery;
use crate::rate_limit::Outage;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/uploads")
            .service(create)
            .service(list)
            .service(get_one)
            .service(file)
            .service(remove),
    );
}

/// The multipart form of an upload (a reference image, or a profile picture).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct UploadForm {
    /// A PNG, JPEG or WebP image (recognised by its content), at most 10 MB and 64–4096 px a side.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload a reference image (`multipart/form-data`, field `file`). It is checked by content,
/// turned upright and re-encoded so no metadata (EXIF, GPS, comments) is kept: PNG losslessly,
/// JPEG and WebP at quality 90. Needs a verified e-mail address; at most 60 uploads an hour,
/// 200 kept and 500 MB of storage (the operator may change the last two).
#[utoipa::path(
    operation_id = "uploads_create",
    tag = "generation",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = UploadInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`email_not_verified`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`: too many uploads kept, or the storage quota"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "`payload_too_large`"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "`unsupported_media_type`: not multipart"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: not an accepted image, or out of bounds"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: 60 uploads an hour"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: too many images being checked; retry after `Retry-After`"),
    )
)]
#[post("")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    auth.require_verified()?;
    state
        .limiter
        .check(
            &format!("uploads:user:{}", auth.user_id()),
            state.config.rate_limits.uploads_per_user,
            Outage::Refuse,
        )
        .await?;
    let bytes = image_form(&req, payload, state.config.max_upload_bytes).await?;
    let upload = uploads::create(&state, auth.user_id(), bytes).await?;
    Ok(super::created(
        &state,
        &format!("/v1/uploads/{}", upload.id),
        &upload,
    ))
}

/// The `file` field of a `multipart/form-data` body of at most `limit` bytes (other fields are
/// read and dropped within the same limit).
pub(super) async fn image_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> ApiResult<Vec<u8>> {
    if req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|n| n > limit + 64 * 1024)
    {
        return Err(too_large(limit));
    }
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the image as multipart/form-data with a `file` field",
        ));
    }
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let mut bytes = None;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::field("file", format!("the form is not valid: {e}")))?;
        if field.name() == Some("file") && bytes.is_none() {
            bytes = Some(
                field
                    .bytes(limit)
                    .await
                    .map_err(|_| too_large(limit))?
                    .map_err(|e| ApiError::field("file", format!("the upload broke off: {e}")))?,
            );
        } else {
            // Other fields are read and dropped, within the same limit.
            let _ = field.bytes(limit).await.map_err(|_| too_large(limit))?;
        }
    }
    let bytes = bytes.ok_or_else(|| ApiError::field("file", "is required"))?;
    Ok(bytes.to_vec())
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the image exceeds {} MB", limit / (1024 * 1024)),
    )
}

/// Your uploads, newest first.
#[utoipa::path(
    operation_id = "uploads_list",
    tag = "generation",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<UploadInfo>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok().json(uploads::list(&state, auth.user_id(), page.parse()?).await?))
}

/// One upload. Another user's id answers 404.
#[utoipa::path(
    operation_id = "uploads_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = UploadInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let upload = uploads::get(&state, auth.user_id(), id.into_inner()).await?;
    super::conditional::json(&req, &upload)
}

/// The stored (re-encoded) file: with a bearer token, or without one as the upload's signed
/// `url` (this is also what providers fetch for image-to-image).
#[utoipa::path(
    operation_id = "uploads_file_get",
    tag = "generation",
    security(("bearer" = []), ()),
    params(("id" = Uuid, Path), super::SignedQuery),
    responses(
        (status = 200, description = "the image", content_type = "image/*"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}/file")]
async fn file(
    state: web::Data<AppState>,
    OptionalAuth(auth): OptionalAuth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    signed: web::Query<super::SignedQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let owner = match super::file_reader(
        &state,
        auth,
        &req,
        signed.expires,
        signed.signature.as_deref(),
    )? {
        super::FileReader::User(user_id) => Some(user_id),
        super::FileReader::Signed => None,
    };
    let (bytes, format) = uploads::file(&state, owner, id).await?;
    Ok(super::conditional::file(
        &req,
        bytes,
        &format!("\"{}\"", id.simple()),
        &[
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
    ))
}

/// Delete an upload and its file (tasks that used it keep their images).
#[utoipa::path(
    operation_id = "uploads_delete",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
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
    uploads::delete(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
