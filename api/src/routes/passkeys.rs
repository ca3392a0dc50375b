//! The account's passkeys at `/v1/me/passkeys`, and the step-up with one at
//! `/v1/me/two-factor/passkey` (registered in the `/me` scope). Signing in with one is at
//! `/v1/auth/passkey` (in `auth`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;
use zimage_shared::Problem;
use zimage_shared::account::{
    Passkey, PasskeyCreateRequest, PasskeyList, PasskeyOptionsRequest, PasskeyStepUpRequest,
    PasskeyUpdateRequest,
};
use zimage_shared::auth::PasskeyOptions;

use super::client_info;
use crate::auth::Auth;
use crate::domain::passkeys;
use crate::error::ApiResult;
use crate::json_body::Json;
use crate::state::AppState;

/// The account's passkeys, oldest first (at most 20), and whether this installation offers
/// passkeys at all. Not available to API keys or apps.
#[utoipa::path(
    operation_id = "me_passkeys_list",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PasskeyList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
    )
)]
#[get("/passkeys")]
pub(super) async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(passkeys::list(&state, auth.user_id()).await?))
}

/// Start adding a passkey: WebAuthn options for `navigator.credentials.create()`. Needs the
/// account's `password` when it has one, and a fresh second factor where two-factor
/// authentication is on. Finish with `POST /v1/me/passkeys` from the same session.
#[utoipa::path(
    operation_id = "me_passkey_options",
    tag = "account",
    security(("bearer" = [])),
    request_body(content = Option<PasskeyOptionsRequest>, description = "`password` is needed when the account has one"),
    responses(
        (status = 200, body = PasskeyOptions),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this; `second_factor_required`; `forbidden`: this installation offers no passkeys"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`: the account has 20 passkeys"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: wrong `password`"),
    )
)]
// Not under `/passkeys/`, where a segment is a passkey's id.
#[post("/passkey-options")]
pub(super) async fn options(
    state: web::Data<AppState>,
    auth: Auth,
    body: Option<Json<PasskeyOptionsRequest>>,
) -> ApiResult<HttpResponse> {
    let body = body.map(Json::into_inner).unwrap_or_default();
    let options = passkeys::registration_options(&state, &auth, &body).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(options))
}

/// Finish adding a passkey: the ceremony from `POST /v1/me/passkey-options`, a name, and what
/// `navigator.credentials.create()` made (its `toJSON()`). The owner is told by e-mail.
#[utoipa::path(
    operation_id = "me_passkey_create",
    tag = "account",
    security(("bearer" = [])),
    request_body = PasskeyCreateRequest,
    responses(
        (status = 201, body = Passkey),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this; `passkey_rejected`: the answer does not verify, or the ceremony is unknown, used, expired or another session's; `forbidden`: no passkeys here"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: the passkey is registered already; `limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: `name` is empty or too long, or `credential` is not a PublicKeyCredential"),
    )
)]
#[post("/passkeys")]
pub(super) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    body: Json<PasskeyCreateRequest>,
) -> ApiResult<HttpResponse> {
    let passkey = passkeys::register(&state, &auth, &body, &client_info(&req, &state)).await?;
    Ok(HttpResponse::Created().json(passkey))
}

/// Rename a passkey.
#[utoipa::path(
    operation_id = "me_passkey_update",
    tag = "account",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = PasskeyUpdateRequest,
    responses(
        (status = 200, body = Passkey),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: `name` is empty or too long"),
    )
)]
#[patch("/passkeys/{id}")]
pub(super) async fn rename(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: Json<PasskeyUpdateRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(passkeys::rename(&state, &auth, *path, &body.name).await?))
}

/// Remove a passkey: it no longer signs in. Refused while it is the account's only way to sign
/// in. Needs a fresh second factor where two-factor authentication is on; the owner is told by
/// e-mail. (The passkey stays on the device until removed there too.)
#[utoipa::path(
    operation_id = "me_passkey_delete",
    tag = "account",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this; `second_factor_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: the account's only way to sign in"),
    )
)]
#[delete("/passkeys/{id}")]
pub(super) async fn remove(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    passkeys::remove(&state, &auth, *path, &client_info(&req, &state)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start confirming it is you with a passkey, instead of a code from the authenticator app, for
/// the sensitive actions that answer `403 second_factor_required`: WebAuthn options for
/// `navigator.credentials.get()` that only this account's passkeys answer. Finish with
/// `POST /v1/me/two-factor/passkey` from the same session.
#[utoipa::path(
    operation_id = "two_factor_passkey_options",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PasskeyOptions),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this; `forbidden`: this installation offers no passkeys"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: two-factor authentication is off, or the account has no passkey"),
    )
)]
#[post("/two-factor/passkey-options")]
pub(super) async fn step_up_options(
    state: web::Data<AppState>,
    auth: Auth,
) -> ApiResult<HttpResponse> {
    let ceremony = passkeys::step_up_options(&state, &auth).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ceremony))
}

/// Confirm it is you with a passkey: the ceremony from `POST /v1/me/two-factor/passkey-options`
/// and what `navigator.credentials.get()` gave (its `toJSON()`). Sensitive actions then work for
/// 10 minutes, as after `POST /v1/me/two-factor/verify` with a code.
#[utoipa::path(
    operation_id = "two_factor_passkey_verify",
    tag = "account",
    security(("bearer" = [])),
    request_body = PasskeyStepUpRequest,
    responses(
        (status = 204, description = "proved; sensitive actions work for 10 minutes"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this; `passkey_rejected`: the answer does not verify, is not from one of this account's passkeys, or the ceremony is unknown, used, expired or another session's; `forbidden`: no passkeys here"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: two-factor authentication was turned off meanwhile"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: `credential` is not a PublicKeyCredential"),
    )
)]
#[post("/two-factor/passkey")]
pub(super) async fn step_up(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    body: Json<PasskeyStepUpRequest>,
) -> ApiResult<HttpResponse> {
    passkeys::step_up(&state, &auth, &body, &client_info(&req, &state)).await?;
    Ok(HttpResponse::NoContent().finish())
}
