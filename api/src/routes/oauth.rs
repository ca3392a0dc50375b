//! OAuth 2.1: `/v1/oauth/…` (the token, revocation and device endpoints apps call, and the
//! consent and device-approval steps the web app calls for a signed-in user), and
//! `/v1/me/oauth-apps`, `/v1/me/authorized-apps` (the user's own apps and authorizations).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::Problem;
use zimage_shared::oauth::{
    AuthorizationParams, AuthorizeDecision, AuthorizeRedirect, AuthorizedApp,
    CreateOAuthAppRequest, DeviceAuthorizationResponse, DeviceDecision, DeviceRequestInfo,
    OAuthApp, OAuthAppCreated, OAuthConsent, OAuthError, OAuthTokenResponse,
};

use crate::auth::Auth;
use crate::config::RateLimit;
use crate::domain::oauth::{self, ClientCredentials, TokenError};
use crate::error::ApiResult;
use crate::json_body::Json;
use crate::pagination::PageQuery;
use crate::rate_limit::Outage;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/oauth")
            .service(token)
            .service(revoke)
            .service(device_authorization)
            .service(authorize_info)
            .service(authorize)
            .service(device_info)
            .service(device_decide),
    );
}

/// The authorization server's metadata (RFC 8414), at the site's root.
pub fn configure_well_known(cfg: &mut ServiceConfig) {
    cfg.service(metadata);
}

/// The user's apps and authorizations, inside `/v1/me`.
pub fn configure_me(cfg: &mut ServiceConfig) {
    cfg.service(create_app)
        .service(list_apps)
        .service(get_app)
        .service(delete_app)
        .service(list_authorized)
        .service(revoke_authorized);
}

/// What OAuth libraries discover about this server (RFC 8414).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuthorizationServerMetadata {
    pub issuer: String,
    /// The web app's consent page.
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub device_authorization_endpoint: String,
    pub response_types_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    /// The redirect carries `iss` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
    pub service_documentation: String,
}

/// OAuth authorization server metadata (RFC 8414): the endpoints, grants, PKCE methods and
/// scopes, for libraries that configure themselves from the issuer.
#[utoipa::path(
    operation_id = "oauth_metadata",
    tag = "oauth",
    responses((status = 200, body = AuthorizationServerMetadata)),
)]
#[get("/.well-known/oauth-authorization-server")]
async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    let issuer = oauth::issuer(&state).to_string();
    let auth_methods = vec!["none", "client_secret_basic", "client_secret_post"];
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(AuthorizationServerMetadata {
            authorization_endpoint: format!("{issuer}/oauth/authorize"),
            token_endpoint: format!("{issuer}/v1/oauth/token"),
            revocation_endpoint: format!("{issuer}/v1/oauth/revoke"),
            device_authorization_endpoint: format!("{issuer}/v1/oauth/device_authorization"),
            response_types_supported: vec!["code"],
            grant_types_supported: vec![
                "authorization_code",
                "refresh_token",
                "urn:ietf:params:oauth:grant-type:device_code",
            ],
            code_challenge_methods_supported: vec!["S256"],
            token_endpoint_auth_methods_supported: auth_methods.clone(),
            revocation_endpoint_auth_methods_supported: auth_methods,
            scopes_supported: zimage_shared::account::ApiKeyScope::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
            authorization_response_iss_parameter_supported: true,
            service_documentation: format!("{issuer}/docs/"),
            issuer,
        })
}

/// Calls one app may make to the token, revocation and device endpoints from one address.
const CLIENT_CALLS_PER_IP: RateLimit = RateLimit {
    count: 120,
    window: std::time::Duration::from_secs(60),
};
/// Calls all apps together may make from one address (many devices behind one NAT).
const CALLS_PER_IP: RateLimit = RateLimit {
    count: 1200,
    window: std::time::Duration::from_secs(60),
};
/// User codes a signed-in user may look up or answer: guessing one is hopeless within it.
const DEVICE_LOOKUPS_PER_USER: RateLimit = RateLimit {
    count: 30,
    window: std::time::Duration::from_secs(600),
};
/// Largest form an app may send.
const MAX_FORM_BYTES: usize = 8 * 1024;

/// The parameters of the token, revocation and device endpoints (RFC 6749 §4, RFC 7009,
/// RFC 8628), as an `application/x-www-form-urlencoded` body. Parameters an endpoint does not
/// use are ignored, as RFC 6749 §3.2 asks.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenForm {
    /// `authorization_code`, `refresh_token` or `urn:ietf:params:oauth:grant-type:device_code`.
    #[serde(default)]
    pub grant_type: Option<String>,
    /// With `authorization_code`: the code from the redirect.
    #[serde(default)]
    pub code: Option<String>,
    /// With `authorization_code`: the redirect URI the code was sent to.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// With `authorization_code`: the PKCE verifier (43–128 characters).
    #[serde(default)]
    pub code_verifier: Option<String>,
    /// With `refresh_token`: the refresh token.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// With the device grant: the device code.
    #[serde(default)]
    pub device_code: Option<String>,
    /// For device authorization: the scopes asked for, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// For revocation: the token to revoke.
    #[serde(default)]
    pub token: Option<String>,
    /// For revocation: `access_token` or `refresh_token` (a hint; both are looked up).
    #[serde(default)]
    pub token_type_hint: Option<String>,
    /// The app's client id (or in HTTP Basic authentication).
    #[serde(default)]
    pub client_id: Option<String>,
    /// A confidential app's secret, when not in HTTP Basic authentication.
    #[serde(default)]
    pub client_secret: Option<String>,
}

fn oauth_error(
    status: actix_web::http::StatusCode,
    error: &str,
    description: String,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == actix_web::http::StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"zimage\""));
    }
    response.json(OAuthError {
        error: error.to_string(),
        error_description: Some(description),
    })
}

fn answer<T: serde::Serialize>(result: Result<T, TokenError>) -> ApiResult<HttpResponse> {
    match result {
        Ok(body) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"))
            .json(body)),
        Err(TokenError::OAuth { error, description }) => {
            let status = if error == "invalid_client" {
                actix_web::http::StatusCode::UNAUTHORIZED
            } else {
                actix_web::http::StatusCode::BAD_REQUEST
            };
            Ok(oauth_error(status, error, description))
        }
        Err(TokenError::Api(e)) => Err(e),
    }
}

fn invalid_request(description: impl Into<String>) -> TokenError {
    TokenError::OAuth {
        error: "invalid_request",
        description: description.into(),
    }
}

/// The budgets of the token, revocation and device endpoints: per app and address, and per
/// address.
async fn limit(state: &AppState, req: &HttpRequest, client: &ClientCredentials) -> ApiResult<()> {
    let ip = crate::auth::client_ip(req, &state.config.trusted_proxies);
    let client_id = client.client_id.as_deref().unwrap_or("-");
    state
        .limiter
        .check(
            &format!("oauth-client:{client_id}:ip:{ip}"),
            CLIENT_CALLS_PER_IP,
            Outage::Refuse,
        )
        .await?;
    state
        .limiter
        .check(&format!("oauth:ip:{ip}"), CALLS_PER_IP, Outage::Refuse)
        .await
}

/// Reads an app's form and its client credentials (HTTP Basic, RFC 6749 §2.3.1, or the form).
/// Parameters sent empty count as not sent (RFC 6749 §3.1).
fn read_form(req: &HttpRequest, body: &[u8]) -> Result<(TokenForm, ClientCredentials), TokenError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.split(';').next().is_some_and(|t| {
        t.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    }) {
        return Err(invalid_request(
            "send the parameters as application/x-www-form-urlencoded",
        ));
    }
    if body.len() > MAX_FORM_BYTES {
        return Err(invalid_request(format!(
            "the form is larger than {MAX_FORM_BYTES} bytes"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if value.contains('\0') {
            return Err(invalid_request(format!(
                "`{name}` contains a NUL character"
            )));
        }
        if !seen.insert(name.clone()) {
            return Err(invalid_request(format!("`{name}` is sent more than once")));
        }
    }
    let mut form: TokenForm = serde_urlencoded::from_bytes(body)
        .map_err(|e| invalid_request(format!("the form cannot be read: {e}")))?;
    for field in [
        &mut form.grant_type,
        &mut form.code,
        &mut form.redirect_uri,
        &mut form.code_verifier,
        &mut form.refresh_token,
        &mut form.device_code,
        &mut form.scope,
        &mut form.token,
        &mut form.token_type_hint,
        &mut form.client_id,
        &mut form.client_secret,
    ] {
        if field.as_deref() == Some("") {
            *field = None;
        }
    }
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    let credentials = match basic {
        Some((_, encoded)) => {
            let bad = || TokenError::OAuth {
                error: "invalid_client",
                description: "the Basic credentials cannot be read".into(),
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| bad())?;
            let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
            let unescape = |s: &str| -> Option<String> {
                url::form_urlencoded::parse(format!("v={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .filter(|v| !v.is_empty())
            };
            let id = unescape(id).ok_or_else(bad)?;
            if form.client_id.as_deref().is_some_and(|f| f != id) {
                return Err(invalid_request(
                    "client_id in the form differs from the Basic credentials",
                ));
            }
            if form.client_secret.is_some() {
                return Err(invalid_request(
                    "authenticate with one method: Basic or client_secret, not both",
                ));
            }
            ClientCredentials {
                client_id: Some(id),
                client_secret: unescape(secret),
            }
        }
        None => ClientCredentials {
            client_id: form.client_id.clone(),
            client_secret: form.client_secret.clone(),
        },
    };
    Ok((form, credentials))
}

/// The token endpoint (RFC 6749 §3.2): trade an authorization code (with its PKCE verifier), a
/// refresh token, or an approved device code for an access token and a refresh token. Errors
/// are OAuth's JSON (`error`, `error_description`), not problem details.
#[utoipa::path(
    operation_id = "oauth_token",
    tag = "oauth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = OAuthTokenResponse, description = "tokens; `Cache-Control: no-store`"),
        (status = 400, body = OAuthError, description = "`invalid_request`, `invalid_grant`, `unsupported_grant_type`, `invalid_scope`; for the device grant `authorization_pending`, `slow_down`, `access_denied`, `expired_token`"),
        (status = 401, body = OAuthError, description = "`invalid_client`: unknown client, or a confidential app without its secret"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/token")]
async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    answer(
        async {
            let (form, client) = read_form(&req, &body)?;
            let grant_type = form.grant_type.as_deref().unwrap_or_default();
            if let Err(limited) = limit(&state, &req, &client).await {
                // A device polling too often is told to slow down, as RFC 8628 clients expect.
                if grant_type == "urn:ietf:params:oauth:grant-type:device_code" {
                    return Err(TokenError::OAuth {
                        error: "slow_down",
                        description: "too many polls from this address; wait longer between them"
                            .into(),
                    });
                }
                return Err(TokenError::Api(limited));
            }
            if !matches!(
                grant_type,
                "authorization_code" | "refresh_token" | "urn:ietf:params:oauth:grant-type:device_code"
            ) {
                return Err(TokenError::OAuth {
                    error: if grant_type.is_empty() {
                        "invalid_request"
                    } else {
                        "unsupported_grant_type"
                    },
                    description: "grant_type must be authorization_code, refresh_token or urn:ietf:params:oauth:grant-type:device_code".into(),
                });
            }
            let mut conn = state.db.get().await?;
            let app = oauth::authenticate_client(&mut conn, &client).await?;
            drop(conn);
            match grant_type {
                "authorization_code" => {
                    oauth::exchange_code(
                        &state,
                        &app,
                        form.code.as_deref(),
                        form.redirect_uri.as_deref(),
                        form.code_verifier.as_deref(),
                    )
                    .await
                }
                "refresh_token" => oauth::refresh(&state, &app, form.refresh_token.as_deref()).await,
                _ => oauth::poll_device(&state, &app, form.device_code.as_deref()).await,
            }
        }
        .await,
    )
}

/// Revoke a token (RFC 7009). A refresh token ends its whole sign-in (every token issued with
/// it); an access token only itself. Unknown tokens, or another app's, answer 200 too.
#[utoipa::path(
    operation_id = "oauth_revoke",
    tag = "oauth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "revoked, or nothing to revoke"),
        (status = 400, body = OAuthError, description = "`invalid_request`"),
        (status = 401, body = OAuthError, description = "`invalid_client`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/revoke")]
async fn revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let result = async {
        let (form, client) = read_form(&req, &body)?;
        limit(&state, &req, &client).await?;
        let presented = form
            .token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid_request("send the token to revoke"))?;
        let mut conn = state.db.get().await?;
        let app = oauth::authenticate_client(&mut conn, &client).await?;
        drop(conn);
        oauth::revoke_token(&state, &app, &presented).await
    }
    .await;
    match result {
        Ok(()) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()),
        Err(e) => answer::<()>(Err(e)),
    }
}

/// Start the device authorization grant (RFC 8628): for a CLI or a TV. Show the user
/// `user_code` and `verification_uri` (or a QR code of `verification_uri_complete`), then poll
/// the token endpoint with `device_code` every `interval` seconds.
#[utoipa::path(
    operation_id = "oauth_device_authorization",
    tag = "oauth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = DeviceAuthorizationResponse),
        (status = 400, body = OAuthError, description = "`invalid_request` or `invalid_scope`"),
        (status = 401, body = OAuthError, description = "`invalid_client`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/device_authorization")]
async fn device_authorization(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    answer(
        async {
            let (form, client) = read_form(&req, &body)?;
            limit(&state, &req, &client).await?;
            let mut conn = state.db.get().await?;
            let app = oauth::authenticate_client(&mut conn, &client).await?;
            drop(conn);
            oauth::device_authorization(&state, &app, form.scope.as_deref()).await
        }
        .await,
    )
}

/// For the web app's consent page: the app asking, what it asks for, and where the answer
/// goes. A signed-in browser session only. When `redirect_to` is set, the request cannot be
/// granted: the page shows the error and offers `redirect_to` as a link back to the app.
#[utoipa::path(
    operation_id = "oauth_authorize_info",
    tag = "oauth",
    security(("bearer" = [])),
    params(AuthorizationParams),
    responses(
        (status = 200, body = OAuthConsent),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only a signed-in user can authorize apps"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: no such app, or a redirect URI it did not register"),
    )
)]
#[get("/authorize")]
async fn authorize_info(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<AuthorizationParams>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(oauth::consent(&state, auth.user_id(), &params).await?))
}

/// The user's answer on the consent page. Approval authorizes the app with the scopes asked
/// for (tokens from this code act with those; the authorization keeps every scope allowed so
/// far, and takes this cap) and answers the app's redirect URI with a single-use `code`; denial
/// with `error=access_denied`. A signed-in browser session only.
#[utoipa::path(
    operation_id = "oauth_authorize",
    tag = "oauth",
    security(("bearer" = [])),
    request_body = AuthorizeDecision,
    responses(
        (status = 200, body = AuthorizeRedirect),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only a signed-in user can authorize apps"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/authorize")]
async fn authorize(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<AuthorizeDecision>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(oauth::decide(&state, auth.user_id(), &body).await?))
}

/// A device's user code, as the user typed it.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserCodeQuery {
    /// As the device shows it; case and dashes do not matter.
    #[param(min_length = 1, max_length = 32)]
    pub user_code: String,
}

async fn device_lookup_budget(state: &AppState, auth: &Auth) -> ApiResult<()> {
    state
        .limiter
        .check(
            &format!("oauth-device:user:{}", auth.user_id()),
            DEVICE_LOOKUPS_PER_USER,
            Outage::Refuse,
        )
        .await
}

/// For the web app's device page: the app behind a user code and what it asks for. 404 when
/// the code is unknown, expired or answered already. A signed-in browser session only.
#[utoipa::path(
    operation_id = "oauth_device_info",
    tag = "oauth",
    security(("bearer" = [])),
    params(UserCodeQuery),
    responses(
        (status = 200, body = DeviceRequestInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only a signed-in user can authorize apps"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[get("/device")]
async fn device_info(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<UserCodeQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    device_lookup_budget(&state, &auth).await?;
    Ok(HttpResponse::Ok()
        .json(oauth::device_request(&state, auth.user_id(), &query.user_code).await?))
}

/// The user's answer to a device's request: approval lets the device's next poll receive
/// tokens; denial answers it `access_denied`. A signed-in browser session only.
#[utoipa::path(
    operation_id = "oauth_device_decide",
    tag = "oauth",
    security(("bearer" = [])),
    request_body = DeviceDecision,
    responses(
        (status = 204, description = "answered"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "only a signed-in user can authorize apps"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`"),
    )
)]
#[post("/device")]
async fn device_decide(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<DeviceDecision>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    device_lookup_budget(&state, &auth).await?;
    oauth::decide_device(&state, auth.user_id(), &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Register an OAuth app. A confidential app's client secret is in this response only.
#[utoipa::path(
    operation_id = "oauth_apps_create",
    tag = "oauth",
    security(("bearer" = [])),
    request_body = CreateOAuthAppRequest,
    responses(
        (status = 201, body = OAuthAppCreated),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/oauth-apps")]
async fn create_app(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateOAuthAppRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let created = oauth::create_app(&state, auth.user_id(), body.into_inner()).await?;
    let path = format!("/v1/me/oauth-apps/{}", created.app.id);
    let mut response = super::created(&state, &path, &created);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// The OAuth apps you registered, newest first.
#[utoipa::path(
    operation_id = "oauth_apps_list",
    tag = "oauth",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<OAuthApp>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
    )
)]
#[get("/oauth-apps")]
async fn list_apps(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(oauth::list_apps(&state, auth.user_id(), query.parse()?).await?))
}

/// One of your OAuth apps. Another user's app id answers 404.
#[utoipa::path(
    operation_id = "oauth_apps_get",
    tag = "oauth",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "OAuth app id")),
    responses(
        (status = 200, body = OAuthApp),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/oauth-apps/{id}")]
async fn get_app(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(oauth::get_app(&state, auth.user_id(), id.into_inner()).await?))
}

/// Delete one of your OAuth apps: every user's authorization of it and every token it holds
/// end at once. Another user's app id answers 404.
#[utoipa::path(
    operation_id = "oauth_apps_delete",
    tag = "oauth",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "OAuth app id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/oauth-apps/{id}")]
async fn delete_app(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    oauth::delete_app(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The apps you have authorized to act for you, newest first, with their scopes, caps and
/// this month's spending.
#[utoipa::path(
    operation_id = "authorized_apps_list",
    tag = "oauth",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<AuthorizedApp>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
    )
)]
#[get("/authorized-apps")]
async fn list_authorized(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok()
        .json(oauth::list_authorized(&state, auth.user_id(), query.parse()?).await?))
}

/// Revoke an app's authorization: its tokens stop working at once. Another user's
/// authorization id answers 404.
#[utoipa::path(
    operation_id = "authorized_apps_revoke",
    tag = "oauth",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the authorization's id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys and apps cannot do this"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/authorized-apps/{id}")]
async fn revoke_authorized(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    oauth::revoke_grant(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
