//! `/v1/shares` (your links) and `/v1/shared/{token}` (what anyone with a link sees).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use sha2::Digest;
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::collections::SharedCollection;
use zimage_shared::generation::{ShareInfo, SharedImage};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::config::RateLimit;
use crate::domain::shares;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::rate_limit::Outage;
use crate::state::AppState;

/// Public share requests per client IP.
const SHARED_PER_IP: RateLimit = RateLimit::per(300, 60);

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(utoipa_actix_web::scope::scope("/shares").service(list))
        .service(
            utoipa_actix_web::scope::scope("/shared")
                .service(card)
                .service(image),
        )
        .service(utoipa_actix_web::scope::scope("/shared-collections").service(collection));
}

/// Your public image links, newest first.
#[utoipa::path(
    operation_id = "shares_list",
    tag = "generation",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<ShareInfo>),
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
    Ok(HttpResponse::Ok().json(shares::list(&state, auth.user_id(), page.parse()?).await?))
}

/// Counts a public share read against the caller's address.
pub(crate) async fn limit(state: &AppState, req: &HttpRequest) -> ApiResult<()> {
    let ip = crate::auth::client_ip(req, &state.config.trusted_proxies);
    state
        .limiter
        .check(&format!("shared:ip:{ip}"), SHARED_PER_IP, Outage::Allow)
        .await
}

/// A shared image's public card: size, model and — only if the owner opted in — the prompt.
/// No account needed. Unknown and revoked links answer 404 alike.
#[utoipa::path(
    operation_id = "shared_get",
    tag = "generation",
    params(("token" = String, Path)),
    responses(
        (status = 200, body = SharedImage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{token}")]
async fn card(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(shares::card(&state, &token, true).await?))
}

/// A shared image's file (metadata stripped). No account needed.
#[utoipa::path(
    operation_id = "shared_image_get",
    tag = "generation",
    params(("token" = String, Path)),
    responses(
        (status = 200, description = "the image", content_type = "image/*"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{token}/image")]
async fn image(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req).await?;
    let (bytes, format) = shares::file(&state, &token).await?;
    // The token names one image for good; its digest names the file without repeating it.
    let digest = sha2::Sha256::digest(token.as_bytes());
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    Ok(super::conditional::file(
        &req,
        bytes,
        &etag,
        &[
            (header::CONTENT_TYPE, format.content_type().to_string()),
            // Short, so a revoked link stops working everywhere soon.
            (header::CACHE_CONTROL, "public, max-age=60".to_string()),
        ],
    ))
}

/// A shared collection as anyone with its link sees it: name, description, image count and a
/// page of its images (newest first; prompts only if the owner opted in). No account needed.
/// Unknown and revoked links answer 404 alike.
#[utoipa::path(
    operation_id = "shared_collection_get",
    tag = "generation",
    params(("token" = String, Path), PageQuery),
    responses(
        (status = 200, body = SharedCollection),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{token}")]
async fn collection(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req).await?;
    let shared = shares::shared_collection(&state, &token, page.parse()?, true).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(shared))
}
