//! `/v1/me`: the signed-in user's profile, password, sessions and API keys.

use crate::json_body::Json;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::Problem;
use zimage_shared::account::{
    ApiKeyCreated, ApiKeyInfo, ApiKeyScope, CreateApiKeyRequest, RecoveryCodes, SecondFactorCode,
    SessionInfo, TotpSetup, TwoFactorStatus, UpdateProfileRequest, User,
};
use zimage_shared::auth::{ChangeEmailRequest, ChangePasswordRequest, EmailChangePending};

use crate::auth::Auth;
use crate::domain::{accounts, api_keys, email_change, sessions, two_factor};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;
use zimage_shared::privacy::{Consents, SecurityEvent};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/me")
            .service(get_me)
            .service(update_me)
            .service(super::avatars::set_avatar)
            .service(super::avatars::delete_avatar)
            .service(super::sso::list)
            .service(super::sso::link)
            .service(super::sso::unlink)
            .service(super::passkeys::list)
            .service(super::passkeys::options)
            .service(super::passkeys::create)
            .service(super::passkeys::rename)
            .service(super::passkeys::remove)
            .service(change_password)
            .service(change_email)
            .service(list_sessions)
            .service(revoke_session)
            .service(create_api_key)
            .service(list_api_keys)
            .service(revoke_api_key)
            .service(security_events)
            .service(get_consents)
            .service(put_consents)
            .service(two_factor_status)
            .service(two_factor_begin)
            .service(two_factor_confirm)
            .service(two_factor_verify)
            .service(super::passkeys::step_up_options)
            .service(super::passkeys::step_up)
            .service(two_factor_recovery_codes)
            .service(two_factor_disable)
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
async fn get_me(state: web::Data<AppState>, auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(auth.user.to_dto(&state.urls))
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
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this; `second_factor_required`; or `email_not_verified` (where sign-up is invite-only, the current address must be verified first)"),
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
    two_factor::require_fresh(&state, &auth).await?;
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

/// Move the account to another e-mail address. Needs the password (and, with two-factor
/// authentication on, a fresh second factor). A link goes to the new address; the account moves
/// when it is opened (`POST /v1/auth/email-change/confirm`), and the old address then gets a
/// notice with a link that undoes the change for 24 hours. The answer is the same whether or not
/// another account uses the new address (then no link is sent). A newer request replaces one
/// still waiting. Not available to API keys.
#[utoipa::path(
    operation_id = "me_email_change",
    tag = "account",
    security(("bearer" = [])),
    request_body = ChangeEmailRequest,
    responses(
        (status = 202, body = EmailChangePending, description = "a confirmation link is on its way to the new address"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this; or `second_factor_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: the address was changed less than 24 hours ago (the old address can still undo that)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: the new address is not one, or is the current one; or the password is wrong"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/email")]
async fn change_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    body: Json<ChangeEmailRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    // The per-address mail budget is spent only once the password is right.
    super::auth::limit(&state, &req, "email-change", None).await?;
    let pending = email_change::request(
        &state,
        &auth,
        &body.new_email,
        &body.password,
        &super::client_info(&req, &state),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(pending))
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
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot do this; or `second_factor_required`"),
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
    two_factor::require_fresh(&state, &auth).await?;
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

/// Whether sign-in asks for a second factor, and how many recovery codes are left.
#[utoipa::path(
    operation_id = "two_factor_get",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = TwoFactorStatus),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
    )
)]
#[get("/two-factor")]
async fn two_factor_status(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(two_factor::status(&state, auth.user_id()).await?))
}

/// Start turning two-factor authentication on: a new secret for an authenticator app (any app
/// that reads `otpauth://` QR codes: RFC 6238, SHA-1, 6 digits, 30 s). Shown once; calling again
/// before confirming replaces it. Confirm with `POST /v1/me/two-factor/totp/confirm`.
#[utoipa::path(
    operation_id = "two_factor_totp_begin",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = TotpSetup),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: two-factor authentication is on already"),
    )
)]
#[post("/two-factor/totp")]
async fn two_factor_begin(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(two_factor::begin(&state, &auth).await?))
}

/// Turn two-factor authentication on with the first code the app shows. Answers ten recovery
/// codes, shown once: each signs in once in place of a code from the app.
#[utoipa::path(
    operation_id = "two_factor_totp_confirm",
    tag = "account",
    security(("bearer" = [])),
    request_body = SecondFactorCode,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`invalid_code`; or API keys and apps cannot do this"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: nothing being set up, or on already"),
    )
)]
#[post("/two-factor/totp/confirm")]
async fn two_factor_confirm(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<SecondFactorCode>,
) -> ApiResult<HttpResponse> {
    let client = super::client_info(&req, &state);
    let codes = two_factor::confirm(&state, &auth, &body.code, &client).await?;
    Ok(HttpResponse::Ok().json(codes))
}

/// Prove the second factor again, for the sensitive actions that ask for a fresh one within the
/// last 10 minutes (turning two-factor authentication off, new recovery codes, changing the
/// password, creating API keys, asking for erasure): they answer `403 second_factor_required`
/// until then. A passkey does the same through `POST /v1/me/two-factor/passkey-options`.
#[utoipa::path(
    operation_id = "two_factor_verify",
    tag = "account",
    security(("bearer" = [])),
    request_body = SecondFactorCode,
    responses(
        (status = 204, description = "proved; sensitive actions work for 10 minutes"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`invalid_code`; or API keys and apps cannot do this"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: two-factor authentication is off"),
    )
)]
#[post("/two-factor/verify")]
async fn two_factor_verify(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<SecondFactorCode>,
) -> ApiResult<HttpResponse> {
    let client = super::client_info(&req, &state);
    two_factor::verify(&state, &auth, &body.code, &client).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// New recovery codes in place of the old ones (all of them stop working). Needs a second factor
/// proved in the last 10 minutes.
#[utoipa::path(
    operation_id = "two_factor_recovery_codes_replace",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`second_factor_required`; or API keys and apps cannot do this"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: two-factor authentication is off"),
    )
)]
#[post("/two-factor/recovery-codes")]
async fn two_factor_recovery_codes(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let client = super::client_info(&req, &state);
    Ok(HttpResponse::Ok().json(two_factor::regenerate(&state, &auth, &client).await?))
}

/// Turn two-factor authentication off: sign-in asks for the password only. Needs a second factor
/// proved in the last 10 minutes. Idempotent.
#[utoipa::path(
    operation_id = "two_factor_disable",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "off"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`second_factor_required`; or API keys and apps cannot do this"),
    )
)]
#[delete("/two-factor")]
async fn two_factor_disable(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let client = super::client_info(&req, &state);
    two_factor::disable(&state, &auth, &client).await?;
    Ok(HttpResponse::NoContent().finish())
}
