//! `/v1/auth`: sign-up, verification, log-in, token refresh, log-out, password recovery.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::Problem;
use zimage_shared::account::User;
use zimage_shared::auth::{
    Accepted, EmailRequest, LoginRequest, RefreshRequest, ResetPasswordRequest, SignupRequest,
    TokenRequest, TokenResponse,
};
use zimage_shared::validate::normalize_email;

use super::client_info;
use crate::auth::client_ip;
use crate::domain::{accounts, sessions};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Cookie carrying the refresh token for browsers.
pub const REFRESH_COOKIE: &str = "zimage_refresh";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/auth")
            .service(signup)
            .service(verify_email)
            .service(resend_verification)
            .service(login)
            .service(refresh)
            .service(logout)
            .service(forgot_password)
            .service(reset_password),
    );
}

fn refresh_cookie(token: &str, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_string())
        .path("/v1/auth")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age_secs))
        .finish()
}

fn with_tokens(state: &AppState, tokens: TokenResponse) -> HttpResponse {
    let max_age = i64::try_from(state.config.refresh_token_ttl.as_secs()).unwrap_or(0);
    HttpResponse::Ok()
        .cookie(refresh_cookie(&tokens.refresh_token, max_age))
        .json(tokens)
}

fn accepted(message: &str) -> HttpResponse {
    HttpResponse::Accepted().json(Accepted {
        message: message.to_string(),
    })
}

/// The refresh token from the body, else from the cookie.
fn presented_refresh_token(
    req: &HttpRequest,
    body: Option<web::Json<RefreshRequest>>,
) -> Option<String> {
    body.and_then(|b| b.into_inner().refresh_token)
        .filter(|t| !t.trim().is_empty())
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string()))
}

/// Counts one request against the per-IP budget and, when an address is given, the per-account one.
pub(super) fn limit(
    state: &AppState,
    req: &HttpRequest,
    action: &str,
    email: Option<&str>,
) -> ApiResult<()> {
    let limits = &state.config.rate_limits;
    let (per_ip, per_account) = match action {
        "signup" => (limits.signup_per_ip, None),
        "login" => (limits.login_per_ip, Some(limits.login_per_account)),
        _ => (limits.email_per_ip, Some(limits.email_per_account)),
    };
    let ip = client_ip(req, state.config.trusted_proxies);
    state.limiter.check(&format!("{action}:ip:{ip}"), per_ip)?;
    if let (Some(per_account), Some(email)) =
        (per_account, email.and_then(|e| normalize_email(e).ok()))
    {
        state
            .limiter
            .check(&format!("{action}:account:{email}"), per_account)?;
    }
    Ok(())
}

/// Create an account. A verification e-mail is sent; the account can sign in at once,
/// but generating and buying wait for the verified address.
#[utoipa::path(
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, body = User, description = "account created; verification e-mail sent"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`email_taken`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: too many sign-ins at once; see `Retry-After`"),
    )
)]
#[post("/signup")]
async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SignupRequest>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req, "signup", None)?;
    let user = accounts::signup(&state, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(user))
}

/// Confirm the e-mail address with the token from the verification e-mail.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = User),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
    )
)]
#[post("/verify-email")]
async fn verify_email(
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(accounts::verify_email(&state, &body.token).await?))
}

/// Send the verification e-mail again. Always 202, whether or not the address is registered.
#[utoipa::path(
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, body = Accepted),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/resend-verification")]
async fn resend_verification(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<EmailRequest>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req, "resend", Some(&body.email))?;
    accounts::resend_verification(&state, &body.email).await?;
    Ok(accepted(
        "if the address belongs to an unverified account, a new link is on its way",
    ))
}

/// Sign in. Returns an access token and a refresh token (also set as an HttpOnly cookie).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`invalid_credentials`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`account_disabled`, or `erasure_pending` (send `keep_account: true` to cancel the deletion)"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: too many sign-ins at once; see `Retry-After`"),
    )
)]
#[post("/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req, "login", Some(&body.email))?;
    let tokens = sessions::login(
        &state,
        &body.email,
        &body.password,
        body.keep_account,
        &client_info(&req, &state),
    )
    .await?;
    Ok(with_tokens(&state, tokens))
}

/// Exchange a refresh token (body or cookie) for new tokens. Each refresh token works once;
/// presenting a used one revokes the whole session.
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "omit to use the cookie"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthorized` or `refresh_token_reused`"),
    )
)]
#[post("/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<web::Json<RefreshRequest>>,
) -> ApiResult<HttpResponse> {
    let token = presented_refresh_token(&req, body)
        .ok_or_else(|| ApiError::unauthorized("send a refresh token in the body or the cookie"))?;
    let tokens = sessions::refresh(&state, &token, &client_info(&req, &state)).await?;
    Ok(with_tokens(&state, tokens))
}

/// End the session of a refresh token (body or cookie) and clear the cookie. Idempotent.
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "omit to use the cookie"),
    responses((status = 204, description = "signed out"))
)]
#[post("/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<web::Json<RefreshRequest>>,
) -> ApiResult<HttpResponse> {
    if let Some(token) = presented_refresh_token(&req, body) {
        sessions::logout_by_refresh_token(&state, &token).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie("", 0))
        .finish())
}

/// Ask for a password-reset e-mail. Always 202, so it reveals nothing about accounts.
#[utoipa::path(
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, body = Accepted),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/password/forgot")]
async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<EmailRequest>,
) -> ApiResult<HttpResponse> {
    limit(&state, &req, "forgot", Some(&body.email))?;
    accounts::forgot_password(&state, &body.email).await?;
    Ok(accepted(
        "if the address is registered, a reset link is on its way",
    ))
}

/// Choose a new password with the token from the reset e-mail. Ends every session.
#[utoipa::path(
    tag = "auth",
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "password changed; sign in again"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/password/reset")]
async fn reset_password(
    state: web::Data<AppState>,
    body: web::Json<ResetPasswordRequest>,
) -> ApiResult<HttpResponse> {
    accounts::reset_password(&state, &body.token, &body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
