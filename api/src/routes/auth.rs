//! `/v1/auth`: sign-up, verification, log-in, token refresh, log-out, password recovery.

use crate::json_body::Json;
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::account::User;
use zimage_shared::auth::{
    Accepted, EmailRequest, LoginRequest, PasskeyOptions, PasskeySignInOptionsRequest,
    PasskeySignInRequest, RefreshRequest, ResetPasswordRequest, SecondFactorChallenge,
    SecondFactorRequest, SignupOptions, SignupRequest, TokenRequest, TokenResponse,
};
use zimage_shared::validate::normalize_email;
use zimage_shared::{ErrorCode, Problem};

use super::client_info;
use crate::auth::client_ip;
use crate::domain::sessions::SignIn;
use crate::domain::{accounts, email_change, invitations, sessions};
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::Outage;
use crate::state::AppState;

/// Cookie carrying the refresh token for browsers.
pub const REFRESH_COOKIE: &str = "zimage_refresh";
/// A cookie scripts can read, holding no secret, that lives as long as the refresh cookie: the
/// web app asks for a refresh only when it is there, so a signed-out visit makes no request that
/// fails (and logs nothing in the browser's console).
pub const SIGNED_IN_COOKIE: &str = "zimage_signed_in";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/auth")
            .service(signup_options)
            .service(signup)
            .service(verify_email)
            .service(resend_verification)
            .service(login)
            .service(login_second_factor)
            .service(passkey_options)
            .service(login_passkey)
            .service(refresh)
            .service(logout)
            .service(forgot_password)
            .service(reset_password)
            .service(confirm_email_change)
            .service(undo_email_change)
            .service(super::sso::start)
            .service(super::sso::callback)
            .service(super::sso::signup_details)
            .service(super::sso::signup)
            .service(super::sso::confirm_link),
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

fn signed_in_cookie(max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(SIGNED_IN_COOKIE, "1")
        .path("/")
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age_secs))
        .finish()
}

pub(super) fn with_tokens(state: &AppState, tokens: TokenResponse) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    set_session_cookies(state, &mut response, &tokens);
    response.json(tokens)
}

/// The cookies a browser keeps a session with.
pub(super) fn set_session_cookies(
    state: &AppState,
    response: &mut actix_web::HttpResponseBuilder,
    tokens: &TokenResponse,
) {
    let max_age = i64::try_from(state.config.refresh_token_ttl.as_secs()).unwrap_or(0);
    response
        .cookie(refresh_cookie(&tokens.refresh_token, max_age))
        .cookie(signed_in_cookie(max_age));
}

fn accepted(message: &str) -> HttpResponse {
    HttpResponse::Accepted().json(Accepted {
        message: message.to_string(),
    })
}

/// The refresh token from the body, else from the cookie. The cookie is honoured only for
/// requests from our own pages (see [`from_our_pages`]).
fn presented_refresh_token(
    state: &AppState,
    req: &HttpRequest,
    body: Option<Json<RefreshRequest>>,
) -> ApiResult<Option<String>> {
    if let Some(token) = body
        .and_then(|b| b.into_inner().refresh_token)
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(Some(token));
    }
    let Some(cookie) = req.cookie(REFRESH_COOKIE) else {
        return Ok(None);
    };
    if !from_our_pages(state, req) {
        return Err(ApiError::forbidden(
            "the session cookie works only for requests from this site's own pages",
        ));
    }
    Ok(Some(cookie.value().to_string()))
}

/// Whether a browser sent this request from our own pages. Browsers attach cookies to
/// cross-site form posts too (a `text/plain` POST needs no preflight), so cookie-authenticated
/// endpoints check where the request came from: its `Origin` must be this server (as the request
/// addressed it), the public URL or an allowed CORS origin; without an `Origin`, a
/// `Sec-Fetch-Site` other than same-origin, same-site or none is refused. Clients that are not
/// browsers send neither and pass.
fn from_our_pages(state: &AppState, req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header("origin") {
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            let host = origin.split_once("://").map_or("", |(_, host)| host);
            Some(host) == header("host")
                || origin == state.config.public_url
                || state.config.cors_origins.iter().any(|o| o == origin)
        }
        None => !matches!(header("sec-fetch-site"), Some("cross-site")),
    }
}

/// Counts one request against the per-IP budget of `action` (`signup`, or an e-mail sending
/// action). With `email`, also tells whether a mail may go to that address now: at most one per
/// `email_per_account` window, whoever asks. Beyond it the request still succeeds but sends
/// nothing, so a stranger cannot spend the owner's budget and block their reset mail: the mail
/// sent at the stranger's request is the owner's anyway.
pub(super) async fn limit(
    state: &AppState,
    req: &HttpRequest,
    action: &str,
    email: Option<&str>,
) -> ApiResult<bool> {
    let limits = &state.config.rate_limits;
    let per_ip = match action {
        "signup" => limits.signup_per_ip,
        _ => limits.email_per_ip,
    };
    let ip = client_ip(req, &state.config.trusted_proxies);
    state
        .limiter
        .check(&format!("{action}:ip:{ip}"), per_ip, Outage::Refuse)
        .await?;
    Ok(match email.and_then(|e| normalize_email(e).ok()) {
        Some(email) => {
            state
                .limiter
                .check_quietly(
                    &format!("{action}:account:{email}"),
                    limits.email_per_account,
                )
                .await
        }
        None => true,
    })
}

/// Looks the address up and mails it after the answer: the answer takes the same time whether
/// or not the address has an account.
fn in_background<F, Fut>(state: &web::Data<AppState>, email: String, work: F)
where
    F: FnOnce(web::Data<AppState>, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ApiResult<()>> + Send + 'static,
{
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = work(state, email).await {
            tracing::error!(error = ?err, "could not send an account e-mail");
        }
    });
}

/// Cookie marking a browser that signed in to an account before (see [`SignInLimits`]).
pub const DEVICE_COOKIE: &str = "zimage_device";

/// Budgets of failed sign-ins. Only failures count, and a success clears the account's:
///
/// - per client IP (`login_per_ip`), whatever the account;
/// - per account from this device (a known device: the `zimage_device` cookie of an earlier
///   sign-in to this account) or else from this IP (`login_per_account`);
/// - per account from all unknown devices (`login_per_account`). A known device is not held to
///   this one, so a stranger's wrong guesses cannot lock the owner out of their own browser.
struct SignInLimits<'a> {
    state: &'a AppState,
    ip_key: String,
    /// `None` for the second step of a sign-in (its account has budgets of its own).
    pair_key: Option<String>,
    /// `None` for a known device.
    account_key: Option<String>,
}

impl<'a> SignInLimits<'a> {
    fn new(state: &'a AppState, req: &HttpRequest, email: &str) -> Self {
        let ip = client_ip(req, &state.config.trusted_proxies);
        let device = req
            .cookie(DEVICE_COOKIE)
            .and_then(|c| state.urls.device_of(c.value(), email));
        let (pair_key, account_key) = match device {
            Some(device) => (format!("login-fail:device:{email}:{device}"), None),
            None => (
                format!("login-fail:account-ip:{email}:{ip}"),
                Some(format!("login-fail:account:{email}")),
            ),
        };
        Self {
            state,
            ip_key: format!("login-fail:ip:{ip}"),
            pair_key: Some(pair_key),
            account_key,
        }
    }

    /// The client IP's budget alone, which wrong second-step codes spend too.
    fn per_ip(state: &'a AppState, req: &HttpRequest) -> Self {
        let ip = client_ip(req, &state.config.trusted_proxies);
        Self {
            state,
            ip_key: format!("login-fail:ip:{ip}"),
            pair_key: None,
            account_key: None,
        }
    }

    fn budgets(&self) -> impl Iterator<Item = (&str, crate::config::RateLimit)> {
        let limits = &self.state.config.rate_limits;
        [
            Some((self.ip_key.as_str(), limits.login_per_ip)),
            self.pair_key
                .as_deref()
                .map(|key| (key, limits.login_per_account)),
            self.account_key
                .as_deref()
                .map(|key| (key, limits.login_per_account)),
        ]
        .into_iter()
        .flatten()
    }

    /// 429 telling the wait when any budget is spent; otherwise the attempt is counted as a
    /// failure before the password is checked (so parallel guesses cannot all pass the check
    /// before any is counted), and taken back when it was not one.
    async fn reserve(&self) -> ApiResult<()> {
        for (key, limit) in self.budgets() {
            let blocked = self.state.limiter.blocked(key, limit, Outage::Refuse);
            if let Some(wait) = blocked.await? {
                return Err(ApiError::rate_limited(limit, wait).with_detail(format!(
                    "too many failed sign-ins; try again in {wait} seconds, or reset your password"
                )));
            }
        }
        for (key, limit) in self.budgets() {
            self.state.limiter.count(key, limit).await;
        }
        Ok(())
    }

    /// The attempt was not a failed sign-in after all (e.g. the server was busy).
    async fn release(&self) {
        for (key, limit) in self.budgets() {
            self.state.limiter.uncount(key, limit).await;
        }
    }

    /// A success: the account's failures are forgotten, and this attempt was not one.
    async fn succeeded(&self) {
        let limits = &self.state.config.rate_limits;
        self.state
            .limiter
            .uncount(&self.ip_key, limits.login_per_ip)
            .await;
        for key in [&self.pair_key, &self.account_key].into_iter().flatten() {
            self.state.limiter.clear(key).await;
        }
    }
}

/// Create an account. A verification e-mail is sent; the account can sign in at once,
/// but generating and buying wait for the verified address. An address that already has an
/// account gets the same answer (nothing is created, and its owner is told by e-mail), so this
/// endpoint reveals nobody's account.
#[utoipa::path(
    operation_id = "auth_signup",
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, body = User, description = "account created; verification e-mail sent"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`invitation_required`: sign-up here is invite-only and the request has no invitation (nor an address at an allowed domain); `password_signup_disabled`: new accounts come only through the identity providers here"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`; an `invitation` that expired, was used up or withdrawn, or was made for another address, is reported on that field"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`service_unavailable`: too many sign-ins at once; see `Retry-After`"),
    )
)]
#[post("/signup")]
async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SignupRequest>,
) -> ApiResult<HttpResponse> {
    if !state.config.password_signup {
        return Err(ApiError::new(
            ErrorCode::PasswordSignupDisabled,
            "new accounts here are made by signing in with one of the identity providers (GET /v1/auth/signup-options lists them)",
        ));
    }
    limit(&state, &req, "signup", None).await?;
    let user = accounts::signup(&state, body.into_inner()).await?;
    Ok(super::created(&state, "/v1/me", &user))
}

/// The invitation asked about by the sign-up form.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InvitationQuery {
    /// The token from an invitation link (`/signup?invitation=…`).
    #[param(max_length = 200)]
    invitation: Option<String>,
}

/// Who may sign up here: `open`, or `invite` (with an invitation link, or an address at one of
/// `allowed_domains`), and whether the invitation in a link can still be used and for which
/// address.
#[utoipa::path(
    operation_id = "auth_signup_options",
    tag = "auth",
    params(InvitationQuery),
    responses(
        (status = 200, body = SignupOptions),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`: `invitation` longer than 200 characters"),
    )
)]
#[get("/signup-options")]
async fn signup_options(
    state: web::Data<AppState>,
    query: web::Query<InvitationQuery>,
) -> ApiResult<HttpResponse> {
    let options = invitations::signup_options(&state, query.invitation.as_deref()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(options))
}

/// Confirm the e-mail address with the token from the verification e-mail.
#[utoipa::path(
    operation_id = "auth_email_verify",
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
    body: Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(accounts::verify_email(&state, &body.token).await?))
}

/// Send the verification e-mail again. Always 202, whether or not the address is registered.
#[utoipa::path(
    operation_id = "auth_verification_resend",
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
    body: Json<EmailRequest>,
) -> ApiResult<HttpResponse> {
    if limit(&state, &req, "resend", Some(&body.email)).await? {
        in_background(&state, body.into_inner().email, |state, email| async move {
            accounts::resend_verification(&state, &email).await
        });
    }
    Ok(accepted(
        "if the address belongs to an unverified account, a new link is on its way",
    ))
}

/// Sign in. Returns an access token and a refresh token (also set as an HttpOnly cookie); for
/// an account with two-factor authentication on, `202` with a challenge instead, for
/// `POST /v1/auth/login/second-factor`.
#[utoipa::path(
    operation_id = "auth_login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 202, body = SecondFactorChallenge, description = "the password is right; send a code from the authenticator app with this challenge to `POST /v1/auth/login/second-factor`"),
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
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let email = normalize_email(&body.email).unwrap_or_default();
    let limits = SignInLimits::new(&state, &req, &email);
    limits.reserve().await?;
    let signed_in = sessions::login(
        &state,
        &body.email,
        &body.password,
        body.keep_account,
        &client_info(&req, &state),
    )
    .await;
    match &signed_in {
        Ok(_) => limits.succeeded().await,
        Err(e) if e.code() == ErrorCode::InvalidCredentials => {}
        Err(_) => limits.release().await,
    }
    match signed_in? {
        SignIn::Tokens(tokens) => signed_in_on_device(&state, tokens, &email),
        SignIn::SecondFactor(challenge) => Ok(HttpResponse::Accepted().json(challenge)),
    }
}

/// The tokens, and the cookie that marks this browser as one that signed in to `email`.
fn signed_in_on_device(
    state: &AppState,
    tokens: TokenResponse,
    email: &str,
) -> ApiResult<HttpResponse> {
    let mut response = with_tokens(state, tokens);
    let device = Cookie::build(DEVICE_COOKIE, state.urls.device_token(email))
        .path("/v1/auth/login")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::days(365))
        .finish();
    response.add_cookie(&device).map_err(ApiError::internal)?;
    Ok(response)
}

/// The second step of signing in to an account with two-factor authentication on: the challenge
/// from `POST /v1/auth/login` and a code from the authenticator app (or an unused recovery code).
/// A challenge lasts 5 minutes and takes 5 wrong codes; then sign in with the password again.
#[utoipa::path(
    operation_id = "auth_login_second_factor",
    tag = "auth",
    request_body = SecondFactorRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`invalid_code`: wrong or used code (the challenge takes another); `challenge_ended`: the challenge is unknown, used, expired or ended after too many wrong codes (sign in with the password again); or `account_disabled`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/login/second-factor")]
async fn login_second_factor(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SecondFactorRequest>,
) -> ApiResult<HttpResponse> {
    // The per-IP budget of failed sign-ins covers wrong codes and unknown challenges too.
    let limits = SignInLimits::per_ip(&state, &req);
    limits.reserve().await?;
    let body = body.into_inner();
    let signed_in = sessions::login_second_factor(
        &state,
        &body.challenge,
        &body.code,
        &client_info(&req, &state),
    )
    .await;
    match &signed_in {
        Ok(_) => limits.succeeded().await,
        Err(e) if matches!(e.code(), ErrorCode::InvalidCode | ErrorCode::ChallengeEnded) => {}
        Err(_) => limits.release().await,
    }
    let (tokens, email) = signed_in?;
    signed_in_on_device(&state, tokens, &email)
}

/// Start signing in with a passkey: WebAuthn options for `navigator.credentials.get()`. Without
/// `challenge`, the browser offers whichever passkey of this site it holds (no address typed);
/// with the challenge of a password sign-in (`202` from `POST /v1/auth/login`), one of that
/// account's passkeys answers its second step. Finish with `POST /v1/auth/passkey`.
#[utoipa::path(
    operation_id = "auth_passkey_options",
    tag = "auth",
    request_body(content = Option<PasskeySignInOptionsRequest>, description = "all fields are optional"),
    responses(
        (status = 200, body = PasskeyOptions),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`forbidden`: this installation offers no passkeys; `challenge_ended`; `passkey_rejected`: the challenge's account has no passkey"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/passkey/options")]
async fn passkey_options(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<Json<PasskeySignInOptionsRequest>>,
) -> ApiResult<HttpResponse> {
    // Each answer stores a ceremony for five minutes: as many as sign-in attempts, no more.
    let ip = client_ip(&req, &state.config.trusted_proxies);
    state
        .limiter
        .check(
            &format!("passkey-options:ip:{ip}"),
            state.config.rate_limits.login_per_ip,
            Outage::Refuse,
        )
        .await?;
    let body = body.map(Json::into_inner).unwrap_or_default();
    let options = crate::domain::passkeys::sign_in_options(&state, &body).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(options))
}

/// Sign in with a passkey: the ceremony from `POST /v1/auth/passkey/options` and what
/// `navigator.credentials.get()` gave (its `toJSON()`). Answers like a sign-in with a password;
/// the session counts as having proved a second factor, so no code is asked.
#[utoipa::path(
    operation_id = "auth_passkey",
    tag = "auth",
    request_body = PasskeySignInRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`passkey_rejected`: the answer does not verify, the passkey belongs to no account here (or not to the challenge's), or the ceremony is unknown, used or expired; `challenge_ended`; `account_disabled`; `erasure_pending` (send `keep_account: true`); `forbidden`: no passkeys here"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: `credential` is not a PublicKeyCredential"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/passkey")]
async fn login_passkey(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<PasskeySignInRequest>,
) -> ApiResult<HttpResponse> {
    // Refused answers spend the per-IP budget of failed sign-ins, as wrong passwords do.
    let limits = SignInLimits::per_ip(&state, &req);
    limits.reserve().await?;
    let signed_in = sessions::login_passkey(&state, &body, &client_info(&req, &state)).await;
    match &signed_in {
        Ok(_) => limits.succeeded().await,
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::PasskeyRejected | ErrorCode::ChallengeEnded
            ) => {}
        Err(_) => limits.release().await,
    }
    let (tokens, email) = signed_in?;
    signed_in_on_device(&state, tokens, &email)
}

/// Confirm a new e-mail address with the token from the link sent to it: the account moves
/// there (and the address counts as verified), and the old address gets a notice with a link
/// that undoes the change.
#[utoipa::path(
    operation_id = "auth_email_change_confirm",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = User),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`email_taken`: another account uses the address now"),
    )
)]
#[post("/email-change/confirm")]
async fn confirm_email_change(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let client = client_info(&req, &state);
    let user = email_change::confirm(&state, &body.token, &client).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Undo a change of e-mail address with the token from the notice sent to the old address
/// (within 24 hours): the old address comes back, every device is signed out, API keys, app
/// authorizations and webhooks stop, and a link to choose a new password goes to the old
/// address.
#[utoipa::path(
    operation_id = "auth_email_change_undo",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = Accepted),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`email_taken`: another account uses the old address now"),
    )
)]
#[post("/email-change/undo")]
async fn undo_email_change(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let client = client_info(&req, &state);
    email_change::revert(&state, &body.token, &client).await?;
    Ok(HttpResponse::Ok().json(Accepted {
        message: "the old address is back and every device is signed out; a link to choose a new password is on its way".into(),
    }))
}

/// Exchange a refresh token (body or cookie) for new tokens. Each refresh token works once;
/// presenting a used one revokes the whole session.
#[utoipa::path(
    operation_id = "auth_refresh",
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "omit to use the cookie"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthorized` or `refresh_token_reused`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "the cookie was sent from another site's page"),
    )
)]
#[post("/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<Json<RefreshRequest>>,
) -> ApiResult<HttpResponse> {
    let token = presented_refresh_token(&state, &req, body)?
        .ok_or_else(|| ApiError::unauthorized("send a refresh token in the body or the cookie"))?;
    let tokens = sessions::refresh(&state, &token, &client_info(&req, &state)).await?;
    Ok(with_tokens(&state, tokens))
}

/// End the session of a refresh token (body or cookie) and clear the cookie. Idempotent.
#[utoipa::path(
    operation_id = "auth_logout",
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "omit to use the cookie"),
    responses(
        (status = 204, description = "signed out"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "the cookie was sent from another site's page"),
    )
)]
#[post("/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<Json<RefreshRequest>>,
) -> ApiResult<HttpResponse> {
    if let Some(token) = presented_refresh_token(&state, &req, body)? {
        sessions::logout_by_refresh_token(&state, &token).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie("", 0))
        .cookie(signed_in_cookie(0))
        .finish())
}

/// Ask for a password-reset e-mail. Always 202, so it reveals nothing about accounts.
#[utoipa::path(
    operation_id = "auth_password_forgot",
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
    body: Json<EmailRequest>,
) -> ApiResult<HttpResponse> {
    if limit(&state, &req, "forgot", Some(&body.email)).await? {
        in_background(&state, body.into_inner().email, |state, email| async move {
            accounts::forgot_password(&state, &email).await
        });
    }
    Ok(accepted(
        "if the address is registered, a reset link is on its way",
    ))
}

/// Choose a new password with the token from the reset e-mail. Ends every session.
#[utoipa::path(
    operation_id = "auth_password_reset",
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
    body: Json<ResetPasswordRequest>,
) -> ApiResult<HttpResponse> {
    accounts::reset_password(&state, &body.token, &body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
