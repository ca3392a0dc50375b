//! OAuth 2.1 (draft-ietf-oauth-v2-1) for third-party and mobile apps.
//!
//! - Users register apps (public or confidential) with exact redirect URIs.
//! - The authorization code grant always uses PKCE with S256; codes live a minute, are good
//!   once, and are bound to the redirect URI and the challenge. A code presented twice ends the
//!   tokens it was exchanged for.
//! - Access tokens are opaque (`zio_…`, stored hashed) and live as long as a session's access
//!   token; refresh tokens (`zir_…`) rotate on every use with the same reuse grace as sessions.
//! - Tokens act with exactly the scopes of their grant, and generations they start count
//!   against the grant's optional monthly credit cap.
//! - The device authorization grant (RFC 8628) for CLIs and TVs, revocation (RFC 7009), and the
//!   redirect's `iss` parameter (RFC 9207).

use chrono::{Duration, Utc};
use diesel_async::AsyncConnection;
use reqwest::Url;
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::oauth::{
    APP_NAME_MAX_CHARS, AuthorizationParams, AuthorizeDecision, AuthorizeRedirect, AuthorizedApp,
    CreateOAuthAppRequest, CurrentAuthorization, DeviceAuthorizationResponse, DeviceDecision,
    DeviceRequestInfo, MAX_APPS_PER_USER, MAX_GRANT_CREDIT_LIMIT, MAX_REDIRECT_URIS, OAuthApp,
    OAuthAppCreated, OAuthAppSummary, OAuthClientType, OAuthConsent, OAuthTokenResponse,
    REDIRECT_URI_MAX_CHARS, parse_scopes, scope_string,
};
use zimage_shared::{ErrorCode, Page, validate};

use crate::auth::secrets;
use crate::db::oauth as db;
use crate::error::{ApiError, ApiResult, Validator};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// How long an authorization code is good for.
pub const CODE_TTL_SECS: i64 = 60;
/// How long a refresh token is good for (each refresh brings a new one).
pub const REFRESH_TTL_DAYS: i64 = 90;
/// How long a device request waits for its user.
pub const DEVICE_TTL_SECS: i64 = 600;
/// Seconds a device waits between polls; each poll that comes sooner adds five (RFC 8628 §3.5).
pub const DEVICE_INTERVAL_SECS: i32 = 5;

/// Prefix of client ids.
pub const CLIENT_ID_PREFIX: &str = "zic_";
/// Prefix of client secrets.
pub const CLIENT_SECRET_PREFIX: &str = "zics_";
/// Prefix of access tokens: the extractor tells them from session tokens and API keys by it.
pub const ACCESS_TOKEN_PREFIX: &str = "zio_";
/// Prefix of refresh tokens.
pub const REFRESH_TOKEN_PREFIX: &str = "zir_";
/// Prefix of device codes.
pub const DEVICE_CODE_PREFIX: &str = "zid_";

/// An error answered in OAuth's own format (RFC 6749 §5.2), or any other failure.
#[derive(Debug)]
pub enum TokenError {
    OAuth {
        /// `invalid_client` answers 401, everything else 400.
        error: &'static str,
        description: String,
    },
    Api(ApiError),
}

impl<E: Into<ApiError>> From<E> for TokenError {
    fn from(e: E) -> Self {
        TokenError::Api(e.into())
    }
}

fn oauth(error: &'static str, description: impl Into<String>) -> TokenError {
    TokenError::OAuth {
        error,
        description: description.into(),
    }
}

fn invalid_grant(description: impl Into<String>) -> TokenError {
    oauth("invalid_grant", description)
}

/// What an app says about itself at the token, revocation and device endpoints.
pub struct ClientCredentials {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// The app a request comes from: public apps name themselves, confidential ones prove it with
/// their secret (HTTP Basic or form fields).
pub async fn authenticate_client(
    conn: &mut diesel_async::AsyncPgConnection,
    client: &ClientCredentials,
) -> Result<db::AppRow, TokenError> {
    let Some(client_id) = client.client_id.as_deref().filter(|id| !id.is_empty()) else {
        return Err(oauth(
            "invalid_client",
            "send client_id (and the client secret of a confidential app)",
        ));
    };
    let unknown = || oauth("invalid_client", "unknown client or wrong client secret");
    let (app, _) = db::app_by_client_id(conn, client_id)
        .await?
        .ok_or_else(unknown)?;
    match (&app.secret_hash, client.client_secret.as_deref()) {
        (None, None) => Ok(app),
        (None, Some(_)) => Err(oauth(
            "invalid_client",
            "this is a public app: it has no client secret to send",
        )),
        (Some(_), None) => Err(oauth(
            "invalid_client",
            "this confidential app must authenticate with its client secret",
        )),
        (Some(stored), Some(secret)) => {
            use subtle::ConstantTimeEq;
            if bool::from(stored.as_slice().ct_eq(&secrets::hash(secret))) {
                Ok(app)
            } else {
                Err(unknown())
            }
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Why a redirect URI cannot be registered, if it cannot.
fn redirect_uri_problem(raw: &str, client_type: OAuthClientType) -> Option<String> {
    if raw.len() > REDIRECT_URI_MAX_CHARS {
        return Some(format!(
            "must be at most {REDIRECT_URI_MAX_CHARS} characters"
        ));
    }
    let Ok(url) = Url::parse(raw) else {
        return Some(format!("`{raw}` is not an absolute URL"));
    };
    if url.fragment().is_some() {
        return Some(format!("`{raw}` must not have a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some(format!("`{raw}` must not carry credentials"));
    }
    if let Some((name, _)) = url.query_pairs().find(|(name, _)| {
        ["code", "state", "iss", "error", "error_description"].contains(&name.as_ref())
    }) {
        return Some(format!("`{raw}` must not set `{name}`: the answer adds it"));
    }
    match url.scheme() {
        "https" if url.host().is_some() => None,
        "http" if is_loopback(&url) => None,
        "http" => Some(format!(
            "`{raw}`: http is allowed only on a loopback address (127.0.0.1, [::1], localhost)"
        )),
        "https" => Some(format!("`{raw}` has no host")),
        scheme if scheme.contains('.') && client_type == OAuthClientType::Public => None,
        scheme if scheme.contains('.') => Some(format!(
            "`{raw}`: private-use schemes are for public apps on a device"
        )),
        _ => Some(format!(
            "`{raw}` must be https, loopback http, or a private-use scheme like com.example.app:/callback"
        )),
    }
}

/// Whether `presented` is `registered`: the same string, or for loopback http the same but for
/// the port, which native apps choose when they start listening (RFC 8252 §7.3).
fn redirect_matches(registered: &str, presented: &str) -> bool {
    if registered == presented {
        return true;
    }
    let (Ok(mut a), Ok(mut b)) = (Url::parse(registered), Url::parse(presented)) else {
        return false;
    };
    if a.scheme() != "http" || !is_loopback(&a) || b.scheme() != "http" || !is_loopback(&b) {
        return false;
    }
    if a.host() != b.host() {
        return false;
    }
    let _ = a.set_port(None);
    let _ = b.set_port(None);
    a == b
}

fn summary(app: &db::AppRow, developer: &db::Developer) -> OAuthAppSummary {
    OAuthAppSummary {
        name: app.name.clone(),
        client_id: app.client_id.clone(),
        client_type: client_type(app),
        developer: developer.name(),
    }
}

fn client_type(app: &db::AppRow) -> OAuthClientType {
    if app.is_public() {
        OAuthClientType::Public
    } else {
        OAuthClientType::Confidential
    }
}

fn to_dto(app: &db::AppRow, authorized_users: i64) -> OAuthApp {
    OAuthApp {
        id: app.id.into(),
        name: app.name.clone(),
        client_id: app.client_id.clone(),
        client_type: client_type(app),
        redirect_uris: app.redirect_uris(),
        authorized_users,
        created_at: app.created_at,
    }
}

pub async fn create_app(
    state: &AppState,
    user_id: Uuid,
    req: CreateOAuthAppRequest,
) -> ApiResult<OAuthAppCreated> {
    let mut v = Validator::new();
    let name = match validate::required_text(&req.name, APP_NAME_MAX_CHARS) {
        Ok(name) => name,
        Err(e) => {
            v.add("name", e.message());
            String::new()
        }
    };
    let mut uris: Vec<String> = Vec::new();
    for uri in &req.redirect_uris {
        if !uris.contains(uri) {
            uris.push(uri.clone());
        }
    }
    if uris.is_empty() || uris.len() > MAX_REDIRECT_URIS {
        v.add(
            "redirect_uris",
            format!("register 1 to {MAX_REDIRECT_URIS} redirect URIs"),
        );
    }
    for uri in &uris {
        if let Some(problem) = redirect_uri_problem(uri, req.client_type) {
            v.add("redirect_uris", problem);
        }
    }
    v.finish()?;
    let mut conn = state.db.get().await?;
    if db::count_apps(&mut conn, user_id).await? >= MAX_APPS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("you can register at most {MAX_APPS_PER_USER} apps; delete one first"),
        ));
    }
    let client_id = format!("{CLIENT_ID_PREFIX}{}", &secrets::random_token()[..22]);
    let secret = (req.client_type == OAuthClientType::Confidential)
        .then(|| format!("{CLIENT_SECRET_PREFIX}{}", secrets::random_token()));
    let secret_hash = secret.as_deref().map(secrets::hash);
    let app = db::insert_app(
        &mut conn,
        db::NewApp {
            id: Uuid::new_v4(),
            user_id,
            name: &name,
            client_id: &client_id,
            client_type: req.client_type.as_str(),
            secret_hash: secret_hash.as_deref(),
            redirect_uris: &uris,
        },
    )
    .await?;
    tracing::info!(user_id = %user_id, app_id = %app.id, "OAuth app registered");
    crate::domain::security::record(
        &mut conn,
        user_id,
        "oauth_app.created",
        None,
        serde_json::json!({"app_id": app.id, "name": app.name, "client_id": app.client_id}),
    )
    .await?;
    Ok(OAuthAppCreated {
        app: to_dto(&app, 0),
        client_secret: secret,
    })
}

pub async fn list_apps(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<OAuthApp>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_apps(&mut conn, user_id, page).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let users = db::authorized_users(&mut conn, &ids).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| to_dto(r, users.get(&r.id).copied().unwrap_or(0)),
    ))
}

pub async fn get_app(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<OAuthApp> {
    let mut conn = state.db.get().await?;
    let app = db::find_app(&mut conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("OAuth app"))?;
    let users = db::authorized_users(&mut conn, &[id]).await?;
    Ok(to_dto(&app, users.get(&id).copied().unwrap_or(0)))
}

pub async fn delete_app(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if !db::delete_app(&mut conn, id, user_id).await? {
        return Err(ApiError::not_found("OAuth app"));
    }
    tracing::info!(user_id = %user_id, app_id = %id, "OAuth app deleted");
    crate::domain::security::record(
        &mut conn,
        user_id,
        "oauth_app.deleted",
        None,
        serde_json::json!({"app_id": id}),
    )
    .await
}

/// An authorization request checked as far as the app and redirect URI: what is wrong after
/// that is told to the app at its redirect URI.
struct Checked {
    app: db::AppRow,
    developer: db::Developer,
    redirect_uri: String,
    state: Option<String>,
    /// The request as it can be granted, or the OAuth error to send back.
    outcome: Result<(Vec<ApiKeyScope>, String), (&'static str, String)>,
}

async fn check_request(
    conn: &mut diesel_async::AsyncPgConnection,
    params: &AuthorizationParams,
) -> ApiResult<Checked> {
    let client_id = params.client_id.as_deref().unwrap_or_default();
    if client_id.is_empty() {
        return Err(ApiError::field("client_id", "is required"));
    }
    let (app, developer) = db::app_by_client_id(conn, client_id)
        .await?
        .ok_or_else(|| ApiError::field("client_id", "is not a registered app"))?;
    let registered = app.redirect_uris();
    let redirect_uri = match params.redirect_uri.as_deref() {
        Some(uri) if registered.iter().any(|r| redirect_matches(r, uri)) => uri.to_string(),
        Some(_) => {
            return Err(ApiError::field(
                "redirect_uri",
                "is not one of the app's registered redirect URIs",
            ));
        }
        None if registered.len() == 1 => registered[0].clone(),
        None => {
            return Err(ApiError::field(
                "redirect_uri",
                "is required: the app registered several",
            ));
        }
    };
    let state = params.state.clone();
    let outcome = (|| {
        if params.response_type.as_deref() != Some("code") {
            return Err((
                "unsupported_response_type",
                "response_type must be `code`".to_string(),
            ));
        }
        if state.as_ref().is_some_and(|s| s.len() > 1000) {
            return Err((
                "invalid_request",
                "state must be at most 1000 characters".to_string(),
            ));
        }
        let challenge = params.code_challenge.as_deref().unwrap_or_default();
        if challenge.is_empty() {
            return Err((
                "invalid_request",
                "PKCE is required: send code_challenge and code_challenge_method=S256".to_string(),
            ));
        }
        if params.code_challenge_method.as_deref() != Some("S256") {
            return Err((
                "invalid_request",
                "code_challenge_method must be S256".to_string(),
            ));
        }
        if challenge.len() != 43
            || !challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err((
                "invalid_request",
                "code_challenge must be BASE64URL(SHA-256(code_verifier)) without padding (43 characters)"
                    .to_string(),
            ));
        }
        let scopes = parse_scopes(params.scope.as_deref()).map_err(|unknown| {
            (
                "invalid_scope",
                format!("unknown scope: {}", unknown.join(", ")),
            )
        })?;
        Ok((scopes, challenge.to_string()))
    })();
    Ok(Checked {
        app,
        developer,
        redirect_uri,
        state,
        outcome,
    })
}

/// `redirect_uri` with these query parameters added, `state` and `iss` (RFC 9207) among them.
fn redirect_with(state: &AppState, checked: &Checked, params: &[(&str, &str)]) -> String {
    let Ok(mut url) = Url::parse(&checked.redirect_uri) else {
        return checked.redirect_uri.clone();
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in params {
            query.append_pair(k, v);
        }
        if let Some(s) = &checked.state {
            query.append_pair("state", s);
        }
        query.append_pair("iss", issuer(state));
    }
    url.to_string()
}

/// This server as an OAuth issuer: its public URL.
pub fn issuer(state: &AppState) -> &str {
    state.config.public_url.trim_end_matches('/')
}

/// What the consent page shows for an authorization request. Requests naming no registered
/// app or a redirect URI it did not register answer 422 (nobody to send the browser back to).
pub async fn consent(
    state: &AppState,
    user_id: Uuid,
    params: &AuthorizationParams,
) -> ApiResult<OAuthConsent> {
    let mut conn = state.db.get().await?;
    let checked = check_request(&mut conn, params).await?;
    let current = current_authorization(&mut conn, checked.app.id, user_id).await?;
    let (scopes, redirect_to) = match &checked.outcome {
        Ok((scopes, _)) => (scopes.clone(), None),
        Err((error, description)) => (
            Vec::new(),
            Some(redirect_with(
                state,
                &checked,
                &[("error", error), ("error_description", description)],
            )),
        ),
    };
    Ok(OAuthConsent {
        app: summary(&checked.app, &checked.developer),
        scopes,
        redirect_uri: checked.redirect_uri.clone(),
        current,
        redirect_to,
    })
}

async fn current_authorization(
    conn: &mut diesel_async::AsyncPgConnection,
    app_id: Uuid,
    user_id: Uuid,
) -> ApiResult<Option<CurrentAuthorization>> {
    Ok(db::live_grant_of(conn, app_id, user_id)
        .await?
        .map(|grant| CurrentAuthorization {
            scopes: grant.scopes(),
            monthly_credit_limit: grant.monthly_credit_limit,
        }))
}

fn check_cap(cap: Option<i64>) -> ApiResult<()> {
    if cap.is_some_and(|c| !(1..=MAX_GRANT_CREDIT_LIMIT).contains(&c)) {
        return Err(ApiError::field(
            "monthly_credit_limit",
            format!("must be from 1 to {MAX_GRANT_CREDIT_LIMIT}"),
        ));
    }
    Ok(())
}

/// The user's answer on the consent page: a code (or `access_denied`) for the app.
pub async fn decide(
    state: &AppState,
    user_id: Uuid,
    decision: &AuthorizeDecision,
) -> ApiResult<AuthorizeRedirect> {
    check_cap(decision.monthly_credit_limit)?;
    let mut conn = state.db.get().await?;
    let checked = check_request(&mut conn, &decision.request).await?;
    let (scopes, challenge) = match &checked.outcome {
        Ok(ok) => ok.clone(),
        Err((error, description)) => {
            return Ok(AuthorizeRedirect {
                redirect_to: redirect_with(
                    state,
                    &checked,
                    &[("error", error), ("error_description", description)],
                ),
            });
        }
    };
    if !decision.approve {
        return Ok(AuthorizeRedirect {
            redirect_to: redirect_with(
                state,
                &checked,
                &[
                    ("error", "access_denied"),
                    ("error_description", "the user declined"),
                ],
            ),
        });
    }
    let code = secrets::random_token();
    let names: Vec<String> = scopes.iter().map(|s| s.as_str().to_string()).collect();
    let app_id = checked.app.id;
    let cap = decision.monthly_credit_limit;
    let redirect_uri = checked.redirect_uri.clone();
    let code_hash = secrets::hash(&code);
    conn.transaction::<_, ApiError, _>(async |conn| {
        let grant_id = db::upsert_grant(conn, app_id, user_id, &names, cap).await?;
        db::insert_code(
            conn,
            db::NewCode {
                hash: &code_hash,
                grant_id,
                redirect_uri: &redirect_uri,
                code_challenge: &challenge,
                scopes: &names,
                expires_at: Utc::now() + Duration::seconds(CODE_TTL_SECS),
            },
        )
        .await?;
        crate::domain::security::record(
            conn,
            user_id,
            "oauth.authorized",
            None,
            serde_json::json!({
                "app": checked.app.name, "client_id": checked.app.client_id,
                "scopes": names, "monthly_credit_limit": cap,
            }),
        )
        .await
    })
    .await?;
    tracing::info!(user_id = %user_id, app_id = %app_id, "OAuth app authorized");
    Ok(AuthorizeRedirect {
        redirect_to: redirect_with(state, &checked, &[("code", &code)]),
    })
}

/// The scopes a sign-in acts with: those allowed for it that the grant still holds.
fn acting_scopes(family: &[String], grant: &db::GrantRow) -> Vec<ApiKeyScope> {
    let held = grant.scopes();
    let mut scopes: Vec<ApiKeyScope> = family
        .iter()
        .filter_map(|s| ApiKeyScope::parse(s))
        .filter(|s| held.contains(s))
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

fn names(scopes: &[Option<String>]) -> Vec<String> {
    scopes.iter().flatten().cloned().collect()
}

/// Issues an access token, and a refresh token unless `refresh` is one already issued, for a
/// sign-in (`family`) of a grant.
async fn issue(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    grant: &db::GrantRow,
    family: db::Family<'_>,
    refresh: Option<String>,
) -> Result<OAuthTokenResponse, TokenError> {
    let access = format!("{ACCESS_TOKEN_PREFIX}{}", secrets::random_token());
    let ttl = state.jwt.ttl();
    db::insert_token(
        conn,
        &secrets::hash(&access),
        family,
        "access",
        Utc::now() + Duration::from_std(ttl).unwrap_or(Duration::minutes(15)),
    )
    .await?;
    let refresh = match refresh {
        Some(existing) => existing,
        None => {
            let refresh = format!("{REFRESH_TOKEN_PREFIX}{}", secrets::random_token());
            db::insert_token(
                conn,
                &secrets::hash(&refresh),
                family,
                "refresh",
                Utc::now() + Duration::days(REFRESH_TTL_DAYS),
            )
            .await?;
            refresh
        }
    };
    Ok(OAuthTokenResponse {
        access_token: access,
        token_type: "Bearer".into(),
        expires_in: i64::try_from(ttl.as_secs()).unwrap_or(900),
        refresh_token: refresh,
        scope: scope_string(&acting_scopes(family.scopes, grant)),
    })
}

/// The live grant behind a code, token or device request, if it belongs to `app`.
async fn grant_of(
    conn: &mut diesel_async::AsyncPgConnection,
    grant_id: Uuid,
    app: &db::AppRow,
) -> Result<db::GrantRow, TokenError> {
    match db::find_live_grant(conn, grant_id).await? {
        Some((grant, owner)) if owner.id == app.id => Ok(grant),
        _ => Err(invalid_grant(
            "the authorization was revoked or is not this app's",
        )),
    }
}

/// Whether `verifier` is a well-formed PKCE verifier whose S256 challenge is `challenge`.
fn verifier_matches(verifier: &str, challenge: &str) -> Result<(), TokenError> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    if !(43..=128).contains(&verifier.len())
        || !verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(invalid_grant(
            "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    if bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
        Ok(())
    } else {
        Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        ))
    }
}

/// `grant_type=authorization_code`. The code is taken, checked and exchanged in one
/// transaction: a second exchange of the same code waits for the first to commit, then finds
/// it used and ends the tokens the first obtained (a code presented twice has leaked).
pub async fn exchange_code(
    state: &AppState,
    app: &db::AppRow,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<OAuthTokenResponse, TokenError> {
    let code = code.ok_or_else(|| oauth("invalid_request", "send the code"))?;
    let hash = secrets::hash(code);
    let mut conn = state.db.get().await?;
    // The outer result is the database's; the inner one the answer, committed either way: a code
    // is good for one attempt, whatever the attempt's fate.
    let answer = conn
        .transaction::<_, TokenError, _>(async |conn| {
            let Some(stored) = db::consume_code(conn, &hash, app.id).await? else {
                return Ok(Err(match db::find_code(conn, &hash, app.id).await? {
                    Some(used) => {
                        let ended = db::delete_family(conn, used.family).await?;
                        tracing::warn!(grant_id = %used.grant_id, tokens_ended = ended, "OAuth code presented again; its tokens ended");
                        invalid_grant(
                            "this code was already used; the tokens issued for it have been revoked",
                        )
                    }
                    None => invalid_grant("unknown code"),
                }));
            };
            let grant = match grant_of(conn, stored.grant_id, app).await {
                Ok(grant) => grant,
                Err(e) => return Ok(Err(e)),
            };
            if stored.expires_at <= Utc::now() {
                return Ok(Err(invalid_grant("the code has expired; authorize again")));
            }
            if redirect_uri.is_some_and(|uri| uri != stored.redirect_uri) {
                return Ok(Err(invalid_grant(
                    "redirect_uri differs from the one the code was issued for",
                )));
            }
            if let Err(e) = verifier_matches(verifier.unwrap_or_default(), &stored.code_challenge)
            {
                return Ok(Err(e));
            }
            let scopes = names(&stored.scopes);
            let family = db::Family {
                grant_id: grant.id,
                id: stored.family,
                scopes: &scopes,
            };
            Ok(Ok(issue(state, conn, &grant, family, None).await?))
        })
        .await?;
    if answer.is_ok() {
        tracing::info!(app_id = %app.id, "OAuth code exchanged");
    }
    answer
}

/// `grant_type=refresh_token`: rotation, with the sessions' reuse grace.
pub async fn refresh(
    state: &AppState,
    app: &db::AppRow,
    token: Option<&str>,
) -> Result<OAuthTokenResponse, TokenError> {
    let token = token.ok_or_else(|| oauth("invalid_request", "send the refresh_token"))?;
    let hash = secrets::hash(token);
    let mut conn = state.db.get().await?;
    let stored = db::find_token(&mut conn, &hash)
        .await?
        .filter(|t| t.kind == "refresh")
        .ok_or_else(|| invalid_grant("unknown or revoked refresh token"))?;
    let grant = grant_of(&mut conn, stored.grant_id, app).await?;
    if stored.expires_at <= Utc::now() {
        return Err(invalid_grant(
            "the refresh token has expired; authorize again",
        ));
    }
    let scopes = names(&stored.scopes);
    let family = db::Family {
        grant_id: grant.id,
        id: stored.family,
        scopes: &scopes,
    };
    let stored = if stored.used_at.is_some() {
        stored
    } else {
        let next = format!("{REFRESH_TOKEN_PREFIX}{}", secrets::random_token());
        let sealed = state.sealer.seal(&next, &hash);
        let issued = conn
            .transaction::<_, TokenError, _>(async |conn| {
                if !db::consume_refresh(conn, &hash, &sealed).await? {
                    return Ok(None);
                }
                db::insert_token(
                    conn,
                    &secrets::hash(&next),
                    family,
                    "refresh",
                    Utc::now() + Duration::days(REFRESH_TTL_DAYS),
                )
                .await?;
                Ok(Some(issue(state, conn, &grant, family, Some(next)).await?))
            })
            .await?;
        if let Some(tokens) = issued {
            return Ok(tokens);
        }
        db::find_token(&mut conn, &hash)
            .await?
            .ok_or_else(|| invalid_grant("unknown or revoked refresh token"))?
    };
    let grace = Duration::from_std(state.config.refresh_reuse_grace).unwrap_or_default();
    if let (Some(used_at), Some(sealed)) = (stored.used_at, stored.successor_sealed.as_deref())
        && Utc::now() - used_at <= grace
        && let Some(successor) = state.sealer.open(sealed, &hash)
        && db::find_token(&mut conn, &secrets::hash(&successor))
            .await?
            .is_some_and(|t| t.used_at.is_none())
    {
        tracing::info!(grant_id = %grant.id, "OAuth refresh retried within the reuse grace");
        return issue(state, &mut conn, &grant, family, Some(successor)).await;
    }
    let ended = db::delete_family(&mut conn, stored.family).await?;
    tracing::warn!(grant_id = %grant.id, tokens_ended = ended, "OAuth refresh token reuse; its sign-in ended");
    Err(invalid_grant(
        "this refresh token was already used; this sign-in has been ended for safety",
    ))
}

/// Letters a user code is drawn from: consonants without look-alikes, so no words and no
/// confusion between 0/O or 1/I (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

fn new_user_code() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(USER_CODE_ALPHABET[usize::from(*b) % USER_CODE_ALPHABET.len()]))
        .collect()
}

/// A user code as typed: letters only, upper case (`wdjb-mjht` is `WDJBMJHT`).
fn normalize_user_code(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn display_user_code(code: &str) -> String {
    if code.len() == 8 {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// `POST /v1/oauth/device_authorization`.
pub async fn device_authorization(
    state: &AppState,
    app: &db::AppRow,
    scope: Option<&str>,
) -> Result<DeviceAuthorizationResponse, TokenError> {
    let scopes = parse_scopes(scope).map_err(|unknown| {
        oauth(
            "invalid_scope",
            format!("unknown scope: {}", unknown.join(", ")),
        )
    })?;
    let names: Vec<String> = scopes.iter().map(|s| s.as_str().to_string()).collect();
    let device_code = format!("{DEVICE_CODE_PREFIX}{}", secrets::random_token());
    let device_hash = secrets::hash(&device_code);
    let mut conn = state.db.get().await?;
    for _ in 0..5 {
        let user_code = new_user_code();
        let inserted = db::insert_device(
            &mut conn,
            db::NewDevice {
                app_id: app.id,
                device_hash: &device_hash,
                user_code: &user_code,
                scopes: &names,
                expires_at: Utc::now() + Duration::seconds(DEVICE_TTL_SECS),
                interval_secs: DEVICE_INTERVAL_SECS,
            },
        )
        .await?;
        if inserted {
            let shown = display_user_code(&user_code);
            let verification_uri = format!("{}/device", issuer(state));
            return Ok(DeviceAuthorizationResponse {
                device_code,
                verification_uri_complete: format!("{verification_uri}?user_code={shown}"),
                verification_uri,
                user_code: shown,
                expires_in: DEVICE_TTL_SECS,
                interval: i64::from(DEVICE_INTERVAL_SECS),
            });
        }
    }
    Err(TokenError::Api(ApiError::internal(anyhow::anyhow!(
        "no free user code after five draws"
    ))))
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`: the device's poll.
pub async fn poll_device(
    state: &AppState,
    app: &db::AppRow,
    device_code: Option<&str>,
) -> Result<OAuthTokenResponse, TokenError> {
    let device_code =
        device_code.ok_or_else(|| oauth("invalid_request", "send the device_code"))?;
    let mut conn = state.db.get().await?;
    let poll = db::poll_device(&mut conn, &secrets::hash(device_code))
        .await?
        .filter(|poll| poll.device.app_id == app.id)
        .ok_or_else(|| invalid_grant("unknown device_code"))?;
    let row = poll.device;
    if row.used_at.is_some() {
        return Err(invalid_grant("this device_code was already exchanged"));
    }
    if poll.expired {
        return Err(oauth(
            "expired_token",
            "the request expired before it was approved; start again",
        ));
    }
    if row.denied_at.is_some() {
        return Err(oauth("access_denied", "the user declined"));
    }
    if poll.too_soon {
        return Err(oauth(
            "slow_down",
            format!("poll at most every {} seconds", row.interval_secs),
        ));
    }
    let Some(grant_id) = row.grant_id else {
        return Err(oauth(
            "authorization_pending",
            "the user has not answered yet",
        ));
    };
    let grant = grant_of(&mut conn, grant_id, app).await?;
    let scopes = names(&row.scopes);
    conn.transaction::<_, TokenError, _>(async |conn| {
        if !db::consume_device(conn, row.id).await? {
            return Err(invalid_grant("this device_code was already exchanged"));
        }
        let family = db::Family {
            grant_id: grant.id,
            id: Uuid::new_v4(),
            scopes: &scopes,
        };
        issue(state, conn, &grant, family, None).await
    })
    .await
}

/// What the device page shows for a user code; 404 when it is unknown, answered or expired.
pub async fn device_request(
    state: &AppState,
    user_id: Uuid,
    user_code: &str,
) -> ApiResult<DeviceRequestInfo> {
    let code = normalize_user_code(user_code);
    let mut conn = state.db.get().await?;
    let (row, app, developer) = db::pending_device(&mut conn, &code)
        .await?
        .ok_or_else(|| ApiError::not_found("device code"))?;
    Ok(DeviceRequestInfo {
        current: current_authorization(&mut conn, app.id, user_id).await?,
        app: summary(&app, &developer),
        scopes: row.scopes(),
        user_code: display_user_code(&row.user_code),
        expires_at: row.expires_at,
    })
}

/// The user's answer to a device's request.
pub async fn decide_device(
    state: &AppState,
    user_id: Uuid,
    decision: &DeviceDecision,
) -> ApiResult<()> {
    check_cap(decision.monthly_credit_limit)?;
    let code = normalize_user_code(&decision.user_code);
    let mut conn = state.db.get().await?;
    let (row, app, _) = db::pending_device(&mut conn, &code)
        .await?
        .ok_or_else(|| ApiError::not_found("device code"))?;
    let names: Vec<String> = row
        .scopes()
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    let approve = decision.approve;
    let cap = decision.monthly_credit_limit;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let grant = if approve {
            Some(db::upsert_grant(conn, app.id, user_id, &names, cap).await?)
        } else {
            None
        };
        if !db::decide_device(conn, row.id, grant).await? {
            return Err(ApiError::not_found("device code"));
        }
        if approve {
            crate::domain::security::record(
                conn,
                user_id,
                "oauth.authorized",
                None,
                serde_json::json!({
                    "app": app.name, "client_id": app.client_id, "scopes": names,
                    "monthly_credit_limit": cap, "device": true,
                }),
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// `POST /v1/oauth/revoke` (RFC 7009): a refresh token ends its sign-in (every token of its
/// family), an access token just itself. Unknown tokens and other apps' tokens change nothing,
/// and the answer is the same.
pub async fn revoke_token(
    state: &AppState,
    app: &db::AppRow,
    token: &str,
) -> Result<(), TokenError> {
    let hash = secrets::hash(token);
    let mut conn = state.db.get().await?;
    let Some(stored) = db::find_token(&mut conn, &hash).await? else {
        return Ok(());
    };
    if db::find_live_grant(&mut conn, stored.grant_id)
        .await?
        .is_none_or(|(_, owner)| owner.id != app.id)
    {
        return Ok(());
    }
    if stored.kind == "refresh" {
        db::delete_family(&mut conn, stored.family).await?;
    } else {
        db::delete_token(&mut conn, &hash).await?;
    }
    Ok(())
}

pub async fn list_authorized(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<AuthorizedApp>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_grants(&mut conn, user_id, page).await?;
    let ids: Vec<Uuid> = rows.iter().map(|(g, _, _)| g.id).collect();
    let spent = db::spent_this_month(&mut conn, &ids).await?;
    Ok(page.page(
        rows,
        |(g, _, _)| Cursor {
            created_at: g.created_at,
            id: g.id,
        },
        |(g, app, developer)| AuthorizedApp {
            id: g.id.into(),
            app: summary(app, developer),
            scopes: g.scopes(),
            monthly_credit_limit: g.monthly_credit_limit,
            spent_this_month: spent.get(&g.id).copied().unwrap_or(0),
            created_at: g.created_at,
            updated_at: g.updated_at,
            last_used_at: g.last_used_at,
        },
    ))
}

pub async fn revoke_grant(state: &AppState, user_id: Uuid, grant_id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let revoked = conn
        .transaction::<_, ApiError, _>(async |conn| {
            Ok(db::revoke_grant(conn, grant_id, user_id).await?)
        })
        .await?;
    if !revoked {
        return Err(ApiError::not_found("authorized app"));
    }
    tracing::info!(user_id = %user_id, grant_id = %grant_id, "OAuth grant revoked");
    crate::domain::security::record(
        &mut conn,
        user_id,
        "oauth.revoked",
        None,
        serde_json::json!({"grant_id": grant_id}),
    )
    .await
}

/// Before a grant starts a generation costing `cost`: it must fit in what is left of the
/// grant's monthly cap. Runs in the submission's transaction, under the account lock.
pub async fn check_spend(
    conn: &mut diesel_async::AsyncPgConnection,
    grant_id: Uuid,
    cost: i64,
) -> ApiResult<()> {
    let Some((grant, _)) = db::find_live_grant(conn, grant_id).await? else {
        return Err(ApiError::unauthorized(
            "this app's authorization was revoked",
        ));
    };
    let Some(limit) = grant.monthly_credit_limit else {
        return Ok(());
    };
    let used = db::spent_this_month(conn, &[grant_id])
        .await?
        .remove(&grant_id)
        .unwrap_or(0);
    if used + cost <= limit {
        return Ok(());
    }
    let now = Utc::now();
    let wait = crate::domain::api_keys::next_month_start(now)
        .map_or(3600, |t| (t - now).num_seconds().max(1));
    Err(ApiError::new(
        ErrorCode::SpendLimitReached,
        format!(
            "you allowed this app {limit} credits a month (UTC); {used} are spent and this costs {cost}"
        ),
    )
    .with_retry_after(u64::try_from(wait).unwrap_or(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_follow_oauth_2_1_and_rfc_8252() {
        let public = OAuthClientType::Public;
        let confidential = OAuthClientType::Confidential;
        assert_eq!(
            redirect_uri_problem("https://app.example/cb", confidential),
            None
        );
        assert_eq!(
            redirect_uri_problem("http://127.0.0.1:8080/cb", public),
            None
        );
        assert_eq!(redirect_uri_problem("http://[::1]/cb", public), None);
        assert_eq!(redirect_uri_problem("com.example.app:/oauth", public), None);
        assert!(redirect_uri_problem("com.example.app:/oauth", confidential).is_some());
        assert!(redirect_uri_problem("http://app.example/cb", confidential).is_some());
        assert!(redirect_uri_problem("https://app.example/cb#x", confidential).is_some());
        assert!(redirect_uri_problem("https://u:p@app.example/cb", confidential).is_some());
        assert!(redirect_uri_problem("javascript:alert(1)", public).is_some());
        assert!(redirect_uri_problem("/relative", public).is_some());
        assert!(redirect_uri_problem("https://app.example/cb?state=1", public).is_some());
        assert_eq!(
            redirect_uri_problem("https://app.example/cb?tenant=1", public),
            None
        );
    }

    #[test]
    fn redirect_uris_match_exactly_but_for_a_loopback_port() {
        assert!(redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb"
        ));
        assert!(!redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb/"
        ));
        assert!(!redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb?x=1"
        ));
        assert!(!redirect_matches(
            "https://a.example:443/cb",
            "https://a.example:8443/cb"
        ));
        assert!(redirect_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51234/cb"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51234/other"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/cb",
            "http://localhost:51234/cb"
        ));
    }

    #[test]
    fn user_codes_are_typed_loosely_and_shown_in_halves() {
        let code = new_user_code();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_user_code(" wdjb-mjht "), "WDJBMJHT");
        assert_eq!(display_user_code("WDJBMJHT"), "WDJB-MJHT");
    }
}
