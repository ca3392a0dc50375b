//! `/v1/collections`: the user's collections (albums) of images.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::Problem;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::collections::{
    Collection, CollectionImagesChanged, CollectionImagesRequest, CollectionShareInfo,
    CreateCollectionRequest, CreateCollectionShareRequest, UpdateCollectionRequest,
};

use crate::auth::Auth;
use crate::domain::collections;
use crate::error::ApiResult;
use crate::json_body::Json;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/collections")
            .service(create)
            .service(list)
            .service(get_one)
            .service(update)
            .service(remove)
            .service(add_images)
            .service(remove_images)
            .service(share)
            .service(get_share)
            .service(unshare),
    );
}

/// Create a collection (private until shared).
#[utoipa::path(
    operation_id = "collections_create",
    tag = "generation",
    security(("bearer" = [])),
    request_body = CreateCollectionRequest,
    responses(
        (status = 201, body = Collection),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`: 200 collections"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateCollectionRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    let made = collections::create(&state, auth.user_id(), &body).await?;
    let path = format!("/v1/collections/{}", made.id);
    Ok(super::created(&state, &path, &made))
}

/// Your collections, newest first, with their image counts and covers.
#[utoipa::path(
    operation_id = "collections_list",
    tag = "generation",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<Collection>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
    )
)]
#[get("")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok().json(collections::list(&state, auth.user_id(), query.parse()?).await?))
}

/// One collection. Its images are `GET /v1/images?collection={id}`. Another user's id answers
/// 404.
#[utoipa::path(
    operation_id = "collections_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    responses(
        (status = 200, body = Collection),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok().json(collections::get(&state, auth.user_id(), id.into_inner()).await?))
}

/// Rename a collection, change its description, or choose its cover (one of its images).
#[utoipa::path(
    operation_id = "collections_update",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    request_body = UpdateCollectionRequest,
    responses(
        (status = 200, body = Collection),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[patch("/{id}")]
async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<UpdateCollectionRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok()
        .json(collections::update(&state, auth.user_id(), id.into_inner(), &body).await?))
}

/// Delete a collection. Its images stay in the gallery.
#[utoipa::path(
    operation_id = "collections_delete",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
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
    collections::delete(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add images (1–500 of yours) to a collection; those already in it are skipped.
#[utoipa::path(
    operation_id = "collections_images_add",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    request_body = CollectionImagesRequest,
    responses(
        (status = 200, body = CollectionImagesChanged),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`: 10,000 images"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: not your images"),
    )
)]
#[post("/{id}/images")]
async fn add_images(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<CollectionImagesRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok()
        .json(collections::add(&state, auth.user_id(), id.into_inner(), &body.image_ids).await?))
}

/// Remove images (1–500) from a collection; those not in it are skipped. The images stay in the
/// gallery.
#[utoipa::path(
    operation_id = "collections_images_remove",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    request_body = CollectionImagesRequest,
    responses(
        (status = 200, body = CollectionImagesChanged),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/{id}/images/remove")]
async fn remove_images(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<CollectionImagesRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok()
        .json(collections::remove(&state, auth.user_id(), id.into_inner(), &body.image_ids).await?))
}

/// Make a public link to a collection (or change whether it shows prompts). Anyone with the link
/// sees the collection's name, description and images as they are now and later; prompts only
/// with `include_prompts: true`. Revoke it to stop; sharing again makes a new link.
#[utoipa::path(
    operation_id = "collections_share_create",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    request_body = Option<CreateCollectionShareRequest>,
    responses(
        (status = 201, body = CollectionShareInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
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
    let req: CreateCollectionShareRequest = super::optional_body(&body)?;
    let share =
        crate::domain::shares::share_collection(&state, auth.user_id(), id.into_inner(), &req)
            .await?;
    Ok(super::created(
        &state,
        &format!("/v1/shared-collections/{}", share.token),
        &share,
    ))
}

/// The collection's public link; 404 when it is not shared.
#[utoipa::path(
    operation_id = "collections_share_get",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    responses(
        (status = 200, body = CollectionShareInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
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
    Ok(HttpResponse::Ok().json(
        crate::domain::shares::collection_share(&state, auth.user_id(), id.into_inner()).await?,
    ))
}

/// Revoke the collection's public link; it answers 404 from now on.
#[utoipa::path(
    operation_id = "collections_share_delete",
    tag = "generation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "collection id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys and apps)"),
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
    crate::domain::shares::revoke_collection(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
