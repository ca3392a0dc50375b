//! Signing in at an outside identity provider: OpenID Connect (discovery, authorization code
//! with PKCE, `state` and `nonce`, a verified `id_token`) and GitHub's OAuth 2.0 apps (its user
//! and e-mail APIs). The code exchange is the `oauth2` crate's; the `id_token` is checked here
//! with jsonwebtoken against the provider's published keys, fetched again when a token names a
//! key the cached set does not have (the provider rotated its keys).
//!
//! Nothing here touches the database: [`crate::domain::identities`] keeps the flows and
//! accounts.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::config::{SsoKind, SsoProvider};

/// How long discovery documents and key sets are kept before they are read again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// Largest response read from a provider.
const MAX_RESPONSE_BYTES: usize = 1 << 20;
/// Clock difference allowed for `exp`, `iat` and `nbf`.
const LEEWAY_SECS: u64 = 60;

/// Why a sign-in at a provider did not give a verified person.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider could not be reached or answered something unusable.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the code, or what it sent back failed verification.
    #[error("the identity provider's answer was rejected: {0}")]
    Rejected(String),
}

/// What the way to the provider needs remembered for the way back.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The person the provider vouched for.
#[derive(Debug, Clone)]
pub struct Person {
    /// The provider's stable id for them.
    pub subject: String,
    pub email: Option<String>,
    /// Whether the provider says it confirmed `email`.
    pub email_verified: bool,
    pub name: Option<String>,
    /// A login name (`preferred_username`, GitHub's `login`).
    pub username: Option<String>,
}

/// The `id_token` beside the access token in an OpenID Connect token response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default)]
    id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

type TokenAnswer = StandardTokenResponse<IdTokenField, BasicTokenType>;

type CodeClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The parts of an OpenID Provider's discovery document this client uses.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

#[derive(Default)]
struct Cached {
    discovery: Option<(Discovery, Instant)>,
    keys: Option<(JwkSet, Instant)>,
}

/// The configured providers, with what was read from them.
pub struct Sso {
    http: reqwest::Client,
    public_url: String,
    providers: Vec<SsoProvider>,
    cache: HashMap<String, RwLock<Cached>>,
}

/// Errors the `oauth2` crate's HTTP client hook reports.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl Sso {
    pub fn new(providers: Vec<SsoProvider>, public_url: &str) -> anyhow::Result<Self> {
        crate::providers::http::install_crypto();
        let http = reqwest::Client::builder()
            // Redirects are never followed: an endpoint answers itself or fails.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent("Z-Image-Studio")
            .build()?;
        let cache = providers
            .iter()
            .map(|p| (p.id.clone(), RwLock::new(Cached::default())))
            .collect();
        Ok(Self {
            http,
            public_url: public_url.trim_end_matches('/').to_string(),
            providers,
            cache,
        })
    }

    pub fn providers(&self) -> &[SsoProvider] {
        &self.providers
    }

    pub fn provider(&self, id: &str) -> Option<&SsoProvider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Where the provider sends the browser back: registered with the provider by the operator.
    pub fn redirect_uri(&self, provider: &SsoProvider) -> String {
        format!("{}/v1/auth/sso/{}/callback", self.public_url, provider.id)
    }

    /// The address to send the browser to, with fresh `state`, `nonce` and PKCE verifier.
    /// `login_hint` suggests the account to the provider.
    pub async fn start(
        &self,
        provider: &SsoProvider,
        login_hint: Option<&str>,
    ) -> Result<Started, SsoError> {
        let (client, scopes) = match &provider.kind {
            SsoKind::Oidc { .. } => {
                let discovery = self.discovery(provider).await?;
                (
                    self.client(provider, &discovery)?,
                    &["openid", "email", "profile"][..],
                )
            }
            SsoKind::Github { web_url, .. } => (
                self.github_client(provider, web_url)?,
                &["read:user", "user:email"][..],
            ),
        };
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = crate::auth::secrets::random_token();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_string())))
            .set_pkce_challenge(challenge);
        if matches!(provider.kind, SsoKind::Oidc { .. }) {
            request = request.add_extra_param("nonce", nonce.clone());
        }
        if let Some(hint) = login_hint.filter(|h| !h.is_empty()) {
            // GitHub calls it `login`.
            let name = match provider.kind {
                SsoKind::Oidc { .. } => "login_hint",
                SsoKind::Github { .. } => "login",
            };
            request = request.add_extra_param(name, hint.to_string());
        }
        let (url, state) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce,
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code from the way back and returns the verified person.
    pub async fn finish(
        &self,
        provider: &SsoProvider,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Person, SsoError> {
        match &provider.kind {
            SsoKind::Oidc { .. } => {
                let discovery = self.discovery(provider).await?;
                let client = self.client(provider, &discovery)?;
                let answer = self.exchange(&client, code, pkce_verifier).await?;
                let id_token = answer.extra_fields().id_token.clone().ok_or_else(|| {
                    SsoError::Rejected("the token response has no id_token".into())
                })?;
                let claims = self
                    .verify_id_token(provider, &discovery, &id_token, nonce)
                    .await?;
                let mut person = claims.person();
                if person.email.is_none()
                    && let Some(userinfo) = &discovery.userinfo_endpoint
                {
                    let info: UserInfo = self
                        .get_json(userinfo, answer.access_token().secret(), false)
                        .await?;
                    if info.sub != person.subject {
                        return Err(SsoError::Rejected(
                            "the userinfo answer is about someone else".into(),
                        ));
                    }
                    person.email = info.email.clone();
                    person.email_verified = info.email_verified.is_some_and(|v| v.0);
                }
                Ok(person)
            }
            SsoKind::Github { web_url, api_url } => {
                let client = self.github_client(provider, web_url)?;
                let answer = self.exchange(&client, code, pkce_verifier).await?;
                let token = answer.access_token().secret();
                let user: GithubUser = self
                    .get_json(&format!("{api_url}/user"), token, true)
                    .await?;
                // Without the `user:email` grant this answers 403 or 404: no verified address.
                let emails: Vec<GithubEmail> = self
                    .get_json(&format!("{api_url}/user/emails"), token, true)
                    .await
                    .unwrap_or_default();
                let primary = emails.iter().find(|e| e.primary && e.verified);
                Ok(Person {
                    subject: user.id.to_string(),
                    email: primary.map(|e| e.email.clone()),
                    email_verified: primary.is_some(),
                    name: user.name,
                    username: Some(user.login),
                })
            }
        }
    }

    fn client(
        &self,
        provider: &SsoProvider,
        discovery: &Discovery,
    ) -> Result<CodeClient, SsoError> {
        // client_secret_basic is the default; a provider that lists only client_secret_post
        // gets the secret in the body.
        let post_only = discovery
            .token_endpoint_auth_methods_supported
            .as_ref()
            .is_some_and(|m| {
                m.iter().any(|m| m == "client_secret_post")
                    && !m.iter().any(|m| m == "client_secret_basic")
            });
        self.code_client(
            provider,
            &discovery.authorization_endpoint,
            &discovery.token_endpoint,
            if post_only {
                AuthType::RequestBody
            } else {
                AuthType::BasicAuth
            },
        )
    }

    fn github_client(&self, provider: &SsoProvider, web_url: &str) -> Result<CodeClient, SsoError> {
        self.code_client(
            provider,
            &format!("{web_url}/login/oauth/authorize"),
            &format!("{web_url}/login/oauth/access_token"),
            AuthType::RequestBody,
        )
    }

    fn code_client(
        &self,
        provider: &SsoProvider,
        authorize: &str,
        token: &str,
        auth_type: AuthType,
    ) -> Result<CodeClient, SsoError> {
        let bad = |what: &str| SsoError::Unavailable(format!("the provider's {what} is not a URL"));
        Ok(
            oauth2::Client::new(ClientId::new(provider.client_id.clone()))
                .set_client_secret(ClientSecret::new(provider.client_secret.expose().clone()))
                .set_auth_uri(
                    AuthUrl::new(authorize.to_string())
                        .map_err(|_| bad("authorization endpoint"))?,
                )
                .set_token_uri(TokenUrl::new(token.to_string()).map_err(|_| bad("token endpoint"))?)
                .set_redirect_uri(
                    RedirectUrl::new(self.redirect_uri(provider))
                        .map_err(|_| bad("redirect URI"))?,
                )
                .set_auth_type(auth_type),
        )
    }

    async fn exchange(
        &self,
        client: &CodeClient,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<TokenAnswer, SsoError> {
        let http = |request| send(&self.http, request);
        client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&http)
            .await
            .map_err(|err| match err {
                RequestTokenError::ServerResponse(answer) => SsoError::Rejected(format!(
                    "the token endpoint refused the code: {}",
                    answer.error()
                )),
                RequestTokenError::Request(err) => SsoError::Unavailable(err.to_string()),
                // GitHub answers a bad or used code with 200 and an `error` field.
                RequestTokenError::Parse(_, body)
                    if serde_json::from_slice::<serde_json::Value>(&body)
                        .is_ok_and(|v| v.get("error").is_some()) =>
                {
                    SsoError::Rejected("the token endpoint refused the code".into())
                }
                RequestTokenError::Parse(err, _) => {
                    SsoError::Unavailable(format!("the token endpoint's answer: {err}"))
                }
                RequestTokenError::Other(err) => SsoError::Unavailable(err),
            })
    }

    /// The provider's discovery document, read again after [`METADATA_TTL`]. Its `issuer` must
    /// be the configured one exactly (OpenID Connect Discovery 4.3).
    async fn discovery(&self, provider: &SsoProvider) -> Result<Discovery, SsoError> {
        let SsoKind::Oidc { issuer } = &provider.kind else {
            return Err(SsoError::Unavailable("not an OpenID provider".into()));
        };
        let cache = self.cache_of(provider)?;
        if let Some((found, at)) = &cache.read().await.discovery
            && at.elapsed() < METADATA_TTL
        {
            return Ok(found.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let found: Discovery = self.get_json(&url, "", false).await?;
        if found.issuer != *issuer {
            return Err(SsoError::Unavailable(format!(
                "the discovery document names the issuer {:?}, not {issuer:?}",
                found.issuer
            )));
        }
        cache.write().await.discovery = Some((found.clone(), Instant::now()));
        Ok(found)
    }

    /// The provider's signing keys; `refresh` reads them again. An `id_token` naming a key the
    /// cached set lacks causes one read: tokens come from the provider's token endpoint, not
    /// from the browser, so nobody but the provider can make us read often, and sign-ins are
    /// rate-limited anyway.
    async fn keys(
        &self,
        provider: &SsoProvider,
        discovery: &Discovery,
        refresh: bool,
    ) -> Result<JwkSet, SsoError> {
        let cache = self.cache_of(provider)?;
        if let Some((keys, at)) = &cache.read().await.keys
            && !refresh
            && at.elapsed() < METADATA_TTL
        {
            return Ok(keys.clone());
        }
        let keys: JwkSet = self.get_json(&discovery.jwks_uri, "", false).await?;
        cache.write().await.keys = Some((keys.clone(), Instant::now()));
        Ok(keys)
    }

    fn cache_of(&self, provider: &SsoProvider) -> Result<&RwLock<Cached>, SsoError> {
        self.cache
            .get(&provider.id)
            .ok_or_else(|| SsoError::Unavailable("unknown provider".into()))
    }

    /// Checks the `id_token` (OpenID Connect Core 3.1.3.7): signed by one of the issuer's keys
    /// with an asymmetric algorithm, from this issuer, for this client (`aud`, and `azp` when
    /// there are several audiences), not expired, and carrying the `nonce` of this sign-in.
    async fn verify_id_token(
        &self,
        provider: &SsoProvider,
        discovery: &Discovery,
        token: &str,
        nonce: &str,
    ) -> Result<IdClaims, SsoError> {
        let reject = |why: &str| SsoError::Rejected(format!("id_token: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| reject("not a signed JWT"))?;
        let allowed = [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ];
        if !allowed.contains(&header.alg) {
            return Err(reject(
                "signed with an algorithm this client does not accept",
            ));
        }
        let mut keys = self.keys(provider, discovery, false).await?;
        let jwk = match find_key(&keys, header.kid.as_deref(), header.alg) {
            Some(jwk) => jwk,
            None => {
                // A key we have not seen: the provider may have rotated its keys.
                keys = self.keys(provider, discovery, true).await?;
                find_key(&keys, header.kid.as_deref(), header.alg)
                    .ok_or_else(|| reject("signed with a key the provider does not publish"))?
            }
        };
        let key =
            DecodingKey::from_jwk(&jwk).map_err(|_| reject("the provider's key is unusable"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&discovery.issuer]);
        validation.set_audience(&[&provider.client_id]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let claims = jsonwebtoken::decode::<IdClaims>(token, &key, &validation)
            .map_err(|err| {
                use jsonwebtoken::errors::ErrorKind;
                reject(match err.kind() {
                    ErrorKind::InvalidSignature => "the signature does not match",
                    ErrorKind::ExpiredSignature => "expired",
                    ErrorKind::InvalidAudience => "issued to another client",
                    ErrorKind::InvalidIssuer => "issued by someone else",
                    ErrorKind::ImmatureSignature => "not valid yet",
                    ErrorKind::MissingRequiredClaim(_) => "a required claim is missing",
                    _ => "malformed",
                })
            })?
            .claims;
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(reject("the nonce is not this sign-in's"));
        }
        // Audiences this client does not trust are refused, and an `azp` must be this client.
        if claims.aud.0.iter().any(|a| *a != provider.client_id) {
            return Err(reject("issued to other clients too"));
        }
        if claims
            .azp
            .as_deref()
            .is_some_and(|azp| azp != provider.client_id)
        {
            return Err(reject("authorized for another client"));
        }
        if claims.sub.is_empty() || claims.sub.len() > 255 {
            return Err(reject("the subject is empty or too long"));
        }
        Ok(claims)
    }

    /// GETs JSON, with a bearer token unless it is empty.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: &str,
        github: bool,
    ) -> Result<T, SsoError> {
        let mut request = self.http.get(url).header("accept", "application/json");
        if github {
            request = request
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28");
        }
        if !bearer.is_empty() {
            request = request.bearer_auth(bearer);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SsoError::Unavailable(format!("{url}: {}", without_url(&e))))?;
        let status = response.status();
        let body = read_limited(response)
            .await
            .map_err(|e| SsoError::Unavailable(format!("{url}: {e}")))?;
        if !status.is_success() {
            return Err(SsoError::Unavailable(format!("{url} answered {status}")));
        }
        serde_json::from_slice(&body)
            .map_err(|e| SsoError::Unavailable(format!("{url} answered unexpected JSON: {e}")))
    }
}

/// The key a token names: by `kid`, else the one key for its algorithm family.
fn find_key(keys: &JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<jsonwebtoken::jwk::Jwk> {
    let usable = |k: &&jsonwebtoken::jwk::Jwk| {
        !matches!(
            k.common.public_key_use,
            Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
        ) && k
            .common
            .key_algorithm
            .is_none_or(|ka| ka.to_string() == format!("{alg:?}"))
    };
    match kid {
        Some(kid) => keys
            .keys
            .iter()
            .filter(usable)
            .find(|k| k.common.key_id.as_deref() == Some(kid))
            .cloned(),
        None => {
            let mut candidates = keys.keys.iter().filter(usable);
            let first = candidates.next()?;
            candidates.next().is_none().then(|| first.clone())
        }
    }
}

/// `email_verified` as providers send it: a boolean, or (some) the string "true".
#[derive(Debug, Clone, Copy)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
        }
        Ok(Flag(match Raw::deserialize(d)? {
            Raw::Bool(b) => b,
            Raw::Text(s) => s.eq_ignore_ascii_case("true"),
        }))
    }
}

/// `aud` is a string or a list of strings.
#[derive(Debug, Clone, Default)]
struct Audience(Vec<String>);

impl Audience {
    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(Audience(match Raw::deserialize(d)? {
            Raw::One(s) => vec![s],
            Raw::Many(v) => v,
        }))
    }
}

#[derive(Debug, Clone, Deserialize)]
struct IdClaims {
    sub: String,
    /// Required by OpenID Connect Core 2 (jsonwebtoken does not check it).
    #[allow(dead_code)]
    iat: i64,
    #[serde(default)]
    aud: Audience,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<Flag>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
}

impl IdClaims {
    fn person(&self) -> Person {
        Person {
            subject: self.sub.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified.is_some_and(|v| v.0),
            name: self.name.clone(),
            username: self.preferred_username.clone(),
        }
    }
}

/// The userinfo endpoint's answer (OpenID Connect Core 5.3.2).
#[derive(Debug, Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<Flag>,
}

#[derive(Debug, Deserialize)]
struct GithubUser {
    id: u64,
    login: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GithubEmail {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// The `oauth2` crate's requests, sent with our client.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpError(without_url(&e)))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_limited(response).await.map_err(HttpError)?;
    let mut answer = oauth2::HttpResponse::new(body);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| without_url(&e))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err("the answer is larger than 1 MiB".into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error without the URL reqwest puts in it (a token request's URL carries no secret, but a
/// userinfo URL may carry anything the provider chose).
fn without_url(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_verified_is_read_as_providers_send_it() {
        for (raw, expected) in [
            (r#"{"sub":"1","iat":1,"email_verified":true}"#, true),
            (r#"{"sub":"1","iat":1,"email_verified":"true"}"#, true),
            (r#"{"sub":"1","iat":1,"email_verified":false}"#, false),
            (r#"{"sub":"1","iat":1,"email_verified":"false"}"#, false),
            (r#"{"sub":"1","iat":1}"#, false),
        ] {
            let claims: IdClaims = serde_json::from_str(raw).unwrap();
            assert_eq!(claims.person().email_verified, expected, "{raw}");
        }
    }

    #[test]
    fn audience_is_one_string_or_a_list() {
        let one: IdClaims = serde_json::from_str(r#"{"sub":"1","iat":1,"aud":"a"}"#).unwrap();
        let many: IdClaims =
            serde_json::from_str(r#"{"sub":"1","iat":1,"aud":["a","b"]}"#).unwrap();
        assert_eq!((one.aud.len(), many.aud.len()), (1, 2));
    }
}
