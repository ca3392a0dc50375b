//! `/v1/me`: the signed-in user's profile, password, sessions and API keys.

use crate::json_body::Json;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::Problem;
use zimage_shared::account::{
    ApiKeyCreated, ApiKeyInfo, ApiKeyScope, CreateApiKeyRequest, SessionInfo, UpdateProfileRequest,
    User,
};
use zimage_shared::auth::ChangePasswordRequest;

use crate::auth::Auth;
use crate::domain::{accounts, api_keys, sessions};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;
use zimage_shared::privacy::{Consents, SecurityEvent};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/me")
            .service(get_me)
            .service(update_me)
            .service(change_password)
            .service(list_sessions)
            .service(revoke_session)
            .service(create_api_key)
            .service(list_api_keys)
            .service(revoke_api_key)
            .service(security_events)
            .service(get_consents)
            .service(put_consents)
            .configure(super::oauth::configure_me),
    );
}

/// Your account's security log, newest first: sign-ins (with `new_device`), password changes
/// and resets, signed-out devices, API keys and webhooks created or revoked, consent changes.
#[utoipa::path(
    operation_id = "security_events_list",
    tag = "account",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<SecurityEvent>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot read it"),
    )
)]
#[get("/security-events")]
async fn security_events(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok()
        .json(crate::domain::security::events(&state, auth.user_id(), page.parse()?).await?))
}

/// Your consents to optional uses of your data (both off unless you turned them on).
#[utoipa::path(
    operation_id = "consents_get",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Consents),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/consents")]
async fn get_consents(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(crate::domain::security::consents(&state, auth.user_id()).await?))
}

/// Give or withdraw consents; each change is kept in your security log.
#[utoipa::path(
    operation_id = "consents_update",
    tag = "account",
    security(("bearer" = [])),
    request_body = Consents,
    responses(
        (status = 200, body = Consents),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/consents")]
async fn put_consents(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<Consents>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let client = super::client_info(&req, &state);
    Ok(HttpResponse::Ok().json(
        crate::domain::security::set_consents(&state, auth.user_id(), body.into_inner(), &client)
            .await?,
    ))
}

/// The signed-in user. Every API key may call this.
#[utoipa::path(
    operation_id = "me_get",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
async fn get_me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(auth.user.to_dto())
}

/// Update profile settings. Absent fields are kept; `null` clears a nullable field.
/// API keys need the `profile:write` scope.
#[utoipa::path(
    operation_id = "me_update",
    tag = "account",
    security(("bearer" = [])),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[patch("")]
async fn update_me(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<UpdateProfileRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::ProfileWrite)?;
    let user = accounts::update_profile(&state, &auth.user, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Change the password. Other sessions are signed out. Not available to API keys.
#[utoipa::path(
    operation_id = "me_password_change",
    tag = "account",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "password changed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "wrong current password or weak new one"),
    )
)]
#[post("/password")]
async fn change_password(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let session = auth.session()?;
    accounts::change_password(
        &state,
        &auth.user,
        session,
        &body.current_password,
        &body.new_password,
        body.lock_down,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Live sessions (signed-in devices), newest first.
#[utoipa::path(
    operation_id = "sessions_list",
    tag = "account",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<SessionInfo>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this"),
    )
)]
#[get("/sessions")]
async fn list_sessions(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let current = auth.session()?;
    let page = sessions::list(&state, auth.user_id(), current, query.parse()?).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Sign a session out. Another user's session id answers 404.
#[utoipa::path(
    operation_id = "sessions_revoke",
    tag = "account",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "session id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sessions/{id}")]
async fn revoke_session(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    sessions::revoke(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create an API key. The secret is in this response only. Not available to API keys.
#[utoipa::path(
    operation_id = "api_keys_create",
    tag = "account",
    security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, body = ApiKeyCreated),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/api-keys")]
async fn create_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let created = api_keys::create(&state, auth.user_id(), body.into_inner()).await?;
    let path = format!("/v1/me/api-keys/{}", created.key.id);
    Ok(super::created(&state, &path, &created))
}

/// The user's live API keys (without secrets), newest first.
#[utoipa::path(
    operation_id = "api_keys_list",
    tag = "account",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<ApiKeyInfo>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this"),
    )
)]
#[get("/api-keys")]
async fn list_api_keys(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let page = api_keys::list(&state, auth.user_id(), query.parse()?).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Revoke an API key. Another user's key id answers 404.
#[utoipa::path(
    operation_id = "api_keys_revoke",
    tag = "account",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "API key id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api-keys/{id}")]
async fn revoke_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    api_keys::revoke(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
