//! Profile pictures: `PUT|DELETE /v1/me/avatar` (registered in the `/me` scope) and the files at
//! `/v1/avatars/{id}`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::Problem;
use zimage_shared::account::{ApiKeyScope, User};

use crate::auth::{Auth, OptionalAuth};
use crate::domain::avatars;
use crate::error::ApiResult;
use crate::rate_limit::Outage;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(utoipa_actix_web::scope::scope("/avatars").service(file));
}

/// Upload a profile picture (`multipart/form-data`, field `file`), replacing any earlier one. It
/// is checked by content, turned upright, cropped to the centre square, scaled to 256 × 256 and
/// re-encoded as WebP, so no metadata (EXIF, GPS, comments) is kept. The answer's `avatar_url`
/// is its signed URL. API keys need `profile:write`; pictures count against the upload budget
/// (60 an hour).
#[utoipa::path(
    operation_id = "me_avatar_set",
    tag = "account",
    security(("bearer" = [])),
    request_body(content = super::uploads::UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "`payload_too_large`"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "`unsupported_media_type`: not multipart"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: not an accepted image, or out of bounds"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: too many images being checked; retry after `Retry-After`"),
    )
)]
#[put("/avatar")]
pub(super) async fn set_avatar(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::ProfileWrite)?;
    state
        .limiter
        .check(
            &format!("uploads:user:{}", auth.user_id()),
            state.config.rate_limits.uploads_per_user,
            Outage::Refuse,
        )
        .await?;
    let bytes = super::uploads::image_form(&req, payload, state.config.max_upload_bytes).await?;
    Ok(HttpResponse::Ok().json(avatars::set(&state, auth.user_id(), bytes).await?))
}

/// Remove the uploaded profile picture (and its file). Without one, nothing changes.
#[utoipa::path(
    operation_id = "me_avatar_delete",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`"),
    )
)]
#[delete("/avatar")]
pub(super) async fn delete_avatar(
    state: web::Data<AppState>,
    auth: Auth,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::ProfileWrite)?;
    Ok(HttpResponse::Ok().json(avatars::remove(&state, auth.user_id()).await?))
}

/// A profile picture (WebP, 256 × 256 at most): the `avatar_url` of a user, which is signed and
/// works without a bearer token; with one, only the caller's own picture.
#[utoipa::path(
    operation_id = "avatars_get",
    tag = "account",
    security(("bearer" = []), ()),
    params(("id" = Uuid, Path), super::SignedQuery),
    responses(
        (status = 200, description = "the picture", content_type = "image/webp"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn file(
    state: web::Data<AppState>,
    OptionalAuth(auth): OptionalAuth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    signed: web::Query<super::SignedQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let owner = match auth {
        // Any credential of the owner's may read their picture; no scope is needed.
        Some(auth) => Some(auth.user_id()),
        None => match super::file_reader(
            &state,
            None,
            &req,
            signed.expires,
            signed.signature.as_deref(),
        )? {
            super::FileReader::User(user_id) => Some(user_id),
            super::FileReader::Signed => None,
        },
    };
    let bytes = avatars::file(&state, owner, id).await?;
    // A new picture gets a new id, so this one never changes.
    Ok(super::conditional::file(
        &req,
        bytes,
        &format!("\"{}\"", id.simple()),
        &[
            (header::CONTENT_TYPE, "image/webp".to_string()),
            (
                header::CACHE_CONTROL,
                "private, max-age=3600, immutable".to_string(),
            ),
        ],
    ))
}
