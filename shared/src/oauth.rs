//! OAuth 2.1 for third-party and mobile apps: apps users register, the authorizations (grants)
//! other users give them, and the consent and device-approval steps the web app shows.
//!
//! The token, revocation and device-authorization endpoints speak OAuth's own wire format
//! (form bodies in, RFC 6749 JSON out); their types are here too so every client reads them alike.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::ApiKeyScope;
use crate::ids::{OAuthAppId, OAuthGrantId};

/// Longest app name.
pub const APP_NAME_MAX_CHARS: usize = 64;
/// Most redirect URIs one app may register.
pub const MAX_REDIRECT_URIS: usize = 10;
/// Longest redirect URI.
pub const REDIRECT_URI_MAX_CHARS: usize = 2000;
/// Most apps one user may register.
pub const MAX_APPS_PER_USER: i64 = 20;
/// Highest monthly credit cap of a grant.
pub const MAX_GRANT_CREDIT_LIMIT: i64 = 1_000_000_000;

/// Whether an app can keep a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OAuthClientType {
    /// Runs on the user's device (mobile, desktop, single-page, CLI): no secret, PKCE only.
    Public,
    /// Runs on a server that keeps a client secret; it authenticates at the token endpoint.
    Confidential,
}

impl OAuthClientType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Confidential => "confidential",
        }
    }
}

/// `POST /v1/me/oauth-apps`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOAuthAppRequest {
    /// Shown to users on the consent page (1–64 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<APP_NAME_MAX_CHARS>)
    )]
    pub name: String,
    /// Where users are sent back after consent, compared exactly: `https://` URLs, `http://`
    /// only on a loopback address (`127.0.0.1`, `[::1]`, `localhost`; any port, RFC 8252), or a
    /// private-use scheme with a dot for apps on a device (`com.example.app:/callback`). No
    /// fragments.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 10))]
    pub redirect_uris: Vec<String>,
    pub client_type: OAuthClientType,
}

/// An app as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthApp {
    pub id: OAuthAppId,
    pub name: String,
    /// Sent by the app as `client_id`.
    pub client_id: String,
    pub client_type: OAuthClientType,
    pub redirect_uris: Vec<String>,
    /// Users who have it authorized now.
    pub authorized_users: i64,
    pub created_at: DateTime<Utc>,
}

/// Returned once, when an app is registered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthAppCreated {
    pub app: OAuthApp,
    /// For confidential apps: the client secret, shown only now. Absent for public apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// What a user is shown about an app asking for access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthAppSummary {
    pub name: String,
    pub client_id: String,
    pub client_type: OAuthClientType,
    /// Who registered it, as they present themselves: their organisation, else their display
    /// name; null when they gave neither.
    pub developer: Option<String>,
}

/// An authorization request as the app sent it (RFC 6749 §4.1.1 with PKCE, RFC 7636): the web
/// app's `/oauth/authorize` page passes its query on unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuthorizationParams {
    /// Must be `code`.
    #[serde(default)]
    pub response_type: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// One of the app's registered redirect URIs, exactly.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// Space-separated scopes (those of API keys); none asks only to read the profile.
    #[serde(default)]
    pub scope: Option<String>,
    /// Returned unchanged with the code; apps use it against cross-site request forgery.
    #[serde(default)]
    pub state: Option<String>,
    /// BASE64URL(SHA-256(code_verifier)), 43 characters. Required: every app uses PKCE.
    #[serde(default)]
    pub code_challenge: Option<String>,
    /// Must be `S256`.
    #[serde(default)]
    pub code_challenge_method: Option<String>,
}

/// `GET /v1/oauth/authorize`: what the consent page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthConsent {
    pub app: OAuthAppSummary,
    /// What the app asks to do.
    pub scopes: Vec<ApiKeyScope>,
    pub redirect_uri: String,
    /// What the user has allowed this app before, if anything: approval adds the scopes asked
    /// for to these and sets the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentAuthorization>,
    /// When present, the request cannot be granted as sent (an unknown scope, no PKCE…): the
    /// app's redirect URI with `error` and `error_description`, which the consent page offers
    /// as a link back to the app instead of asking (it never forwards without a click).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_to: Option<String>,
}

/// What a user has allowed an app so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentAuthorization {
    /// Every scope allowed so far (each sign-in's tokens keep to what was allowed for it).
    pub scopes: Vec<ApiKeyScope>,
    pub monthly_credit_limit: Option<i64>,
}

/// `POST /v1/oauth/authorize`: the user's answer to a consent page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizeDecision {
    pub request: AuthorizationParams,
    /// `true` to allow, `false` to deny (the app is told `access_denied`).
    pub approve: bool,
    /// Most credits the app may spend in a UTC calendar month for this user; no cap when absent.
    /// It replaces the cap of an earlier authorization (the consent page fills that one in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000))]
    pub monthly_credit_limit: Option<i64>,
}

/// Where to send the browser next: the app's redirect URI with `code` (or `error`), `state` and
/// `iss`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizeRedirect {
    pub redirect_to: String,
}

/// `GET /v1/oauth/device`: the device request a user code stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRequestInfo {
    pub app: OAuthAppSummary,
    pub scopes: Vec<ApiKeyScope>,
    pub user_code: String,
    pub expires_at: DateTime<Utc>,
    /// What the user has allowed this app before, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentAuthorization>,
}

/// `POST /v1/oauth/device`: the user's answer to a device's request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceDecision {
    /// As the device shows it; case and dashes do not matter.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 32))]
    pub user_code: String,
    pub approve: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000))]
    pub monthly_credit_limit: Option<i64>,
}

/// An app the user has authorized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizedApp {
    /// The grant's id: revoke it with `DELETE /v1/me/authorized-apps/{id}`.
    pub id: OAuthGrantId,
    pub app: OAuthAppSummary,
    pub scopes: Vec<ApiKeyScope>,
    pub monthly_credit_limit: Option<i64>,
    /// Credits its generations took this UTC month (held ones included, refunds not).
    pub spent_this_month: i64,
    pub created_at: DateTime<Utc>,
    /// When it was last authorized again (scopes or cap changed).
    pub updated_at: DateTime<Utc>,
    /// When one of its tokens last authenticated a request, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A successful token answer (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthTokenResponse {
    /// Send as `Authorization: Bearer …` to the API.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// Trade it for a new pair at the token endpoint (`grant_type=refresh_token`). Each is good
    /// once: a new one comes with every refresh.
    pub refresh_token: String,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// An OAuth error answer (RFC 6749 §5.2; RFC 8628 §3.5 adds the device codes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`,
    /// `invalid_scope`, `authorization_pending`, `slow_down`, `access_denied`, `expired_token`;
    /// clients must accept others.
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// A device authorization answer (RFC 8628 §3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceAuthorizationResponse {
    /// The device polls the token endpoint with it.
    pub device_code: String,
    /// The device shows it to the user, e.g. `WDJB-MJHT`.
    pub user_code: String,
    /// Where the user enters the code.
    pub verification_uri: String,
    /// The same with the code filled in (for a QR code).
    pub verification_uri_complete: String,
    pub expires_in: i64,
    /// Seconds to wait between polls.
    pub interval: i64,
}

/// Parses a space-separated scope list; the unknown names come back as the error.
pub fn parse_scopes(raw: Option<&str>) -> Result<Vec<ApiKeyScope>, Vec<String>> {
    let mut scopes = Vec::new();
    let mut unknown = Vec::new();
    for name in raw.unwrap_or_default().split(' ').filter(|s| !s.is_empty()) {
        match ApiKeyScope::parse(name) {
            Some(scope) => scopes.push(scope),
            None => unknown.push(name.to_string()),
        }
    }
    if !unknown.is_empty() {
        return Err(unknown);
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// The scopes as OAuth writes them: space-separated.
pub fn scope_string(scopes: &[ApiKeyScope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_and_print_to_spaces() {
        assert_eq!(
            parse_scopes(Some("generations:write  credits:read generations:write")),
            Ok(vec![
                ApiKeyScope::CreditsRead,
                ApiKeyScope::GenerationsWrite
            ])
        );
        assert_eq!(parse_scopes(None), Ok(vec![]));
        assert_eq!(
            parse_scopes(Some("credits:read admin")),
            Err(vec!["admin".to_string()])
        );
        assert_eq!(
            scope_string(&[ApiKeyScope::CreditsRead, ApiKeyScope::GenerationsWrite]),
            "credits:read generations:write"
        );
    }
}
