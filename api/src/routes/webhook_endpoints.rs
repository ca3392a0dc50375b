//! `/v1/me/webhooks`: endpoints that receive your events (Standard Webhooks). Managed from a
//! login session, or with an API key holding the `webhooks:write` scope (a key without it must
//! not be able to redirect your events elsewhere).

use crate::json_body::Json;
use crate::rate_limit::Outage;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::webhooks::{
    CreateWebhookRequest, RequestSecret, UpdateWebhookRequest, WebhookCreated, WebhookDelivery,
    WebhookEndpoint,
};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::webhooks;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

/// Registered before `/me` so its scope does not swallow these paths.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/me/webhooks")
            .service(create)
            .service(list)
            .service(get_one)
            .service(update)
            .service(remove)
            .service(deliveries)
            .service(test),
    )
    .service(request_secret)
    .service(rotate_request_secret);
}

/// The account's request secret (`whsec_…`): it signs the events sent to the `webhook_url` of
/// your generation requests (Standard Webhooks, like a registered endpoint's). Made on first use.
#[utoipa::path(
    operation_id = "webhook_request_secret_get",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, body = RequestSecret),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`: an API key without `webhooks:write`"),
    )
)]
#[get("/me/webhook-secret")]
async fn request_secret(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    Ok(HttpResponse::Ok().json(webhooks::show_request_secret(&state, auth.user_id()).await?))
}

/// Replace the account's request secret (after a leak, say): every `webhook_url` is signed with
/// the new one from now on, deliveries still queued included. The answer carries it.
#[utoipa::path(
    operation_id = "webhook_request_secret_rotate",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, body = RequestSecret),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`: an API key without `webhooks:write`"),
    )
)]
#[post("/me/webhook-secret/rotate")]
async fn rotate_request_secret(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    Ok(HttpResponse::Ok().json(webhooks::rotate_request_secret(&state, auth.user_id()).await?))
}

/// Register an endpoint: an `https://` URL on a public address and the events it wants. The
/// answer carries the signing secret (`whsec_…`) this one time. At most 10 endpoints.
#[utoipa::path(
    operation_id = "webhook_endpoints_create",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, body = WebhookCreated),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`: an API key without `webhooks:write`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: not https, private address, no events"),
    )
)]
#[post("")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateWebhookRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    let made = webhooks::create(&state, auth.user_id(), &body).await?;
    Ok(super::created(
        &state,
        &format!("/v1/me/webhooks/{}", made.endpoint.id),
        &made,
    ))
}

/// Your endpoints, newest first.
#[utoipa::path(
    operation_id = "webhook_endpoints_list",
    tag = "webhooks",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<WebhookEndpoint>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`: an API key without `webhooks:write`"),
    )
)]
#[get("")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    Ok(HttpResponse::Ok().json(webhooks::list(&state, auth.user_id(), page.parse()?).await?))
}

/// One endpoint. Another user's id answers 404.
#[utoipa::path(
    operation_id = "webhook_endpoints_get",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = WebhookEndpoint),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    Ok(HttpResponse::Ok().json(webhooks::get(&state, auth.user_id(), id.into_inner()).await?))
}

/// Change the URL, events, description, or turn the endpoint off and on.
#[utoipa::path(
    operation_id = "webhook_endpoints_update",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, body = WebhookEndpoint),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/{id}")]
async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<UpdateWebhookRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    Ok(HttpResponse::Ok()
        .json(webhooks::update(&state, auth.user_id(), id.into_inner(), &body).await?))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(
    operation_id = "webhook_endpoints_delete",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/{id}")]
async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    webhooks::delete(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The endpoint's deliveries, newest first: status, attempts, the receiver's last answer.
#[utoipa::path(
    operation_id = "webhook_deliveries_list",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = Page<WebhookDelivery>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}/deliveries")]
async fn deliveries(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    Ok(HttpResponse::Ok()
        .json(webhooks::deliveries(&state, auth.user_id(), id.into_inner(), page.parse()?).await?))
}

/// Send a `webhook.test` event to the endpoint now (it appears in the delivery log). At most 10
/// tests a minute per user.
#[utoipa::path(
    operation_id = "webhook_endpoints_test",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 202, body = WebhookDelivery),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/{id}/test")]
async fn test(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::WebhooksWrite)?;
    state
        .limiter
        .check(
            &format!("webhook-test:user:{}", auth.user_id()),
            crate::config::RateLimit::per(10, 60),
            Outage::Allow,
        )
        .await?;
    Ok(HttpResponse::Accepted()
        .json(webhooks::test(&state, auth.user_id(), id.into_inner()).await?))
}
