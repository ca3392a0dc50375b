//! Sign-in with identity providers: `/v1/auth/sso/…` (registered in the `/auth` scope) and the
//! account's identities at `/v1/me/identities` (registered in the `/me` scope).

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use uuid::Uuid;
use zimage_shared::Problem;
use zimage_shared::account::SignInMethods;
use zimage_shared::auth::{
    Accepted, IdentityLinkRequest, SsoSignupDetails, SsoSignupRequest, SsoStart, SsoStartRequest,
    TokenRequest, TokenResponse,
};

use super::client_info;
use crate::auth::{Auth, client_ip};
use crate::domain::identities::{self, Callback, Landing};
use crate::error::ApiResult;
use crate::json_body::Json;
use crate::rate_limit::Outage;
use crate::state::AppState;

/// Cookie binding a sign-in at a provider to the browser that started it. `Lax`, so the
/// browser sends it on the provider's redirect back (a top-level navigation from another site).
pub const FLOW_COOKIE: &str = "zimage_sso";

fn flow_cookie(value: &str, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(FLOW_COOKIE, value.to_string())
        .path("/v1/auth/sso")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age_secs))
        .finish()
}

/// The answer to a start: where to go, with the cookie for the way back.
fn started(answer: SsoStart, browser: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(flow_cookie(browser, 600))
        .json(answer)
}

/// Start signing in (or signing up) at an identity provider: answers the address to send the
/// browser to, and sets a cookie that binds the sign-in to this browser. The provider sends the
/// browser back to `GET /v1/auth/sso/{provider}/callback`, which lands on a page of the web app.
#[utoipa::path(
    operation_id = "auth_sso_start",
    tag = "auth",
    params(("provider" = String, Path, description = "a provider id from `GET /v1/auth/signup-options`", max_length = 32)),
    request_body(content = Option<SsoStartRequest>, description = "all fields are optional"),
    responses(
        (status = 200, body = SsoStart),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such provider here"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: `return_to` is not a path on this site, or a field is too long"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: the provider cannot be reached"),
    )
)]
#[post("/sso/{provider}/start")]
pub(super) async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Option<Json<SsoStartRequest>>,
) -> ApiResult<HttpResponse> {
    let ip = client_ip(&req, &state.config.trusted_proxies);
    state
        .limiter
        .check(
            &format!("sso-start:ip:{ip}"),
            state.config.rate_limits.login_per_ip,
            Outage::Refuse,
        )
        .await?;
    let body = body.map(Json::into_inner).unwrap_or_default();
    let (answer, browser) = identities::start(&state, &path, None, &body).await?;
    Ok(started(answer, &browser))
}

/// Where the provider sends the browser back (register
/// `{public URL}/v1/auth/sso/{provider}/callback` with the provider). Always answers
/// `303 See Other` to a page of the web app:
///
/// - signed in: the `return_to` of the start (default `/create`), with the session cookies set;
/// - the account has two-factor authentication: `/login#second_factor={challenge}`
///   (`/login?next={return_to}#second_factor=…` when the start named a `return_to`), for
///   `POST /v1/auth/login/second-factor` (followed by `&passkey` when one of the account's
///   passkeys may answer it instead, at `POST /v1/auth/passkey`);
/// - someone new: `/signup/finish#token={token}` (with `?next={return_to}` the same way), to
///   confirm age and terms (`POST /v1/auth/sso/signup`);
/// - the address has an account that is not linked to this provider yet:
///   `/login?sso=link_sent` (its owner was mailed a link that connects it);
/// - linking from Security: `/security?linked={provider}`;
/// - anything else: `/login?sso_error={code}` (or `/security?sso_error={code}` when linking),
///   `code` being `server_error`, `account_unverified` (the address has an account whose address
///   was never confirmed: take it over with "Forgot password" first), `state_mismatch` (unknown, used or expired `state`, or another browser),
///   `access_denied`, `provider_error`, `provider_unavailable`, `token_rejected` (the code or
///   `id_token` failed verification: signature, issuer, audience, expiry or `nonce`),
///   `email_unverified`, `email_taken`, `invitation_required`, `account_disabled`,
///   `erasure_pending`, `identity_taken` (linked to another account) or
///   `provider_already_linked`.
#[utoipa::path(
    operation_id = "auth_sso_callback",
    tag = "auth",
    params(("provider" = String, Path, max_length = 32), Callback),
    responses(
        (status = 303, description = "to a page of the web app (see above)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such provider here"),
    )
)]
#[get("/sso/{provider}/callback")]
pub(super) async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<Callback>,
) -> ApiResult<HttpResponse> {
    let browser = req.cookie(FLOW_COOKIE);
    let landing = match identities::callback(
        &state,
        &path,
        browser.as_ref().map(|c| c.value()),
        &query,
        &client_info(&req, &state),
    )
    .await
    {
        Ok(landing) => landing,
        // A browser arrived by redirect: it gets a page that says so, not a JSON problem.
        Err(err) if err.code() != zimage_shared::ErrorCode::NotFound => {
            tracing::error!(error = ?err, "the way back from an identity provider failed");
            Landing::Failed {
                code: "server_error",
                linking: false,
            }
        }
        Err(err) => return Err(err),
    };
    let mut response = HttpResponse::SeeOther();
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("referrer-policy", "no-referrer"))
        .cookie(flow_cookie("", 0));
    let location = match landing {
        Landing::SignedIn { tokens, return_to } => {
            super::auth::set_session_cookies(&state, &mut response, &tokens);
            return_to
        }
        Landing::SecondFactor {
            challenge,
            passkey,
            return_to,
        } => {
            let passkey = if passkey { "&passkey" } else { "" };
            format!(
                "/login{}#second_factor={challenge}{passkey}",
                next_query(return_to.as_deref())
            )
        }
        Landing::Signup { token, return_to } => format!(
            "/signup/finish{}#token={token}",
            next_query(return_to.as_deref())
        ),
        Landing::LinkMailed => "/login?sso=link_sent".into(),
        Landing::Linked => format!("/security?linked={}", path.as_str()),
        Landing::Failed { code, linking } => {
            let page = if linking { "/security" } else { "/login" };
            format!("{page}?sso_error={code}")
        }
    };
    Ok(response
        .insert_header((header::LOCATION, location))
        .finish())
}

/// `?next=…` for the page that finishes a sign-in, so it lands where the start asked.
fn next_query(return_to: Option<&str>) -> String {
    return_to.map_or_else(String::new, |path| {
        let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        format!("?next={encoded}")
    })
}

/// The account a sign-in at a provider offers to make (the token from
/// `/signup/finish#token=…`), for the page that asks for age and terms.
#[utoipa::path(
    operation_id = "auth_sso_signup_details",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = SsoSignupDetails),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`: the offer ended (30 minutes) or was used"),
    )
)]
#[post("/sso/signup/details")]
pub(super) async fn signup_details(
    state: web::Data<AppState>,
    body: Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(identities::signup_details(&state, &body.token).await?))
}

/// Create the account a sign-in at a provider offered, once its owner confirmed their age and
/// accepted the terms. The address counts as verified (the provider verified it) and the
/// provider is linked; the answer signs in, as `POST /v1/auth/login` does.
#[utoipa::path(
    operation_id = "auth_sso_signup",
    tag = "auth",
    request_body = SsoSignupRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`: the offer ended or was used"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`invitation_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`email_taken` or `conflict`: the address or the provider's account was taken meanwhile"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: terms or age not confirmed, or a field out of bounds"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/sso/signup")]
pub(super) async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SsoSignupRequest>,
) -> ApiResult<HttpResponse> {
    super::auth::limit(&state, &req, "signup", None).await?;
    let tokens = identities::signup(&state, &body, &client_info(&req, &state)).await?;
    Ok(super::auth::with_tokens(&state, tokens))
}

/// Connect the sign-in a mail asked about (the token from `/sso/link#token=…`, sent to the
/// account's address when someone signed in at a provider with it). The account's owner signs in
/// with the provider afterwards.
#[utoipa::path(
    operation_id = "auth_sso_link_confirm",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = Accepted),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`conflict`: the provider's account is linked elsewhere, or this account has another one at that provider"),
    )
)]
#[post("/sso/link/confirm")]
pub(super) async fn confirm_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let name = identities::confirm_link(&state, &body.token, &client_info(&req, &state)).await?;
    Ok(HttpResponse::Ok().json(Accepted {
        message: format!("connected: signing in with {name} now opens your account"),
    }))
}

/// The ways this account signs in: whether it has a password, its identities at providers, and
/// the providers it could link. Not available to API keys or apps.
#[utoipa::path(
    operation_id = "me_identities_list",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = SignInMethods),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
    )
)]
#[get("/identities")]
pub(super) async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(identities::methods(&state, &auth.user).await?))
}

/// Start connecting a provider to this account: answers the address to send the browser to (and
/// sets the cookie for the way back, like `POST /v1/auth/sso/{provider}/start`). The way back
/// lands on `/security?linked={provider}` or `/security?sso_error={code}`. Needs the account's
/// `password` when it has one, and a fresh second factor where two-factor authentication is on.
#[utoipa::path(
    operation_id = "me_identity_link",
    tag = "account",
    security(("bearer" = [])),
    request_body = IdentityLinkRequest,
    responses(
        (status = 200, body = SsoStart),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this; `second_factor_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: wrong `password`, `provider` is not one of this installation's, or a field is out of bounds"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: the provider cannot be reached"),
    )
)]
#[post("/identities")]
pub(super) async fn link(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<IdentityLinkRequest>,
) -> ApiResult<HttpResponse> {
    let (answer, browser) = identities::start_link(&state, &auth, &body).await?;
    Ok(started(answer, &browser))
}

/// Remove an identity: signing in at that provider no longer opens this account. Refused while
/// it is the only way to sign in (no password and no other identity). Needs a fresh second
/// factor where two-factor authentication is on; the owner is told by e-mail.
#[utoipa::path(
    operation_id = "me_identity_unlink",
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
#[delete("/identities/{id}")]
pub(super) async fn unlink(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    identities::unlink(&state, &auth, *path, &client_info(&req, &state)).await?;
    Ok(HttpResponse::NoContent().finish())
}
