//! The `Auth` extractor: a user proven by an access token or an API key.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;
use zimage_shared::ErrorCode;
use zimage_shared::account::ApiKeyScope;

use super::jwt::Claims;
use super::secrets;
use crate::db::models::UserRow;
use crate::db::{api_keys, sessions};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Requests made with each API key (by its secret's hash) that are not written yet: a key's
/// count is written with its `last_used_at`, at most once a minute, so a busy key costs no
/// write per request. What a process has counted since is lost if it dies.
#[derive(Default)]
pub struct UncountedRequests(std::sync::Mutex<std::collections::HashMap<Vec<u8>, i64>>);

impl UncountedRequests {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Vec<u8>, i64>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// This request and the ones not written yet, taken out to be written.
    fn take(&self, hash: &[u8]) -> i64 {
        self.lock().remove(hash).unwrap_or(0) + 1
    }

    /// Puts back what was taken and not written.
    fn keep(&self, hash: Vec<u8>, requests: i64) {
        *self.lock().entry(hash).or_insert(0) += requests;
    }
}

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An access token from a login session.
    Session(Uuid),
    /// An API key with these scopes.
    ApiKey { id: Uuid, scopes: Vec<ApiKeyScope> },
    /// An OAuth access token (by its hash), acting for the user with the scopes of its sign-in
    /// that its grant holds.
    App {
        grant: Uuid,
        token: Vec<u8>,
        scopes: Vec<ApiKeyScope>,
    },
}

/// What started a generation, for the caps of API keys and OAuth grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    ApiKey(Uuid),
    App(Uuid),
}

/// An authenticated caller. Extracting it answers 401 when credentials are missing or bad.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: UserRow,
    pub credential: Credential,
    /// When the access token (a session's or an app's) expires (Unix seconds); `None` for API
    /// keys.
    pub expires_at: Option<i64>,
}

impl Auth {
    pub fn user_id(&self) -> Uuid {
        self.user.id
    }

    /// Whether the credential still works: the session not ended (nor its token expired), the
    /// API key not revoked, the account not switched off. For long-lived responses (live streams)
    /// that must stop when it does.
    pub async fn still_holds(&self, state: &AppState) -> ApiResult<bool> {
        if self
            .expires_at
            .is_some_and(|exp| exp <= chrono::Utc::now().timestamp())
        {
            return Ok(false);
        }
        let mut conn = state.db.get().await?;
        let user = match &self.credential {
            Credential::Session(sid) => {
                sessions::find_active_user(&conn, *sid, self.user.id).await?
            }
            Credential::ApiKey { id, .. } => api_keys::active_owner(&mut conn, *id).await?,
            Credential::App { grant, token, .. } => {
                if !crate::db::oauth::access_token_live(&mut conn, token).await? {
                    return Ok(false);
                }
                crate::db::oauth::live_grant_user(&mut conn, *grant).await?
            }
        };
        Ok(user.is_some_and(|u| u.id == self.user.id && u.disabled_at.is_none()))
    }

    /// The login session, refusing API keys and apps (they never manage keys, passwords,
    /// sessions or authorizations).
    pub fn session(&self) -> ApiResult<Uuid> {
        match self.credential {
            Credential::Session(id) => Ok(id),
            Credential::ApiKey { .. } => Err(ApiError::forbidden(
                "API keys cannot manage keys, passwords or sessions; sign in instead",
            )),
            Credential::App { .. } => Err(ApiError::forbidden(
                "apps cannot manage keys, passwords, sessions or authorizations; the user signs in to do that",
            )),
        }
    }

    /// Passes for sessions, and for API keys and apps holding `scope`.
    pub fn require_scope(&self, scope: ApiKeyScope) -> ApiResult<()> {
        let (holder, scopes) = match &self.credential {
            Credential::Session(_) => return Ok(()),
            Credential::ApiKey { scopes, .. } => ("API key", scopes),
            Credential::App { scopes, .. } => ("app's authorization", scopes),
        };
        if scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!("this {holder} lacks the `{}` scope", scope.as_str()),
            ))
        }
    }

    /// The API key or app the caller used, if any.
    pub fn via(&self) -> Option<Via> {
        match self.credential {
            Credential::ApiKey { id, .. } => Some(Via::ApiKey(id)),
            Credential::App { grant, .. } => Some(Via::App(grant)),
            Credential::Session(_) => None,
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.user.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("this action is for administrators"))
        }
    }

    pub fn require_verified(&self) -> ApiResult<()> {
        if self.user.email_verified_at.is_some() {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::EmailNotVerified,
                "verify your e-mail address first",
            ))
        }
    }
}

fn bearer(req: &HttpRequest) -> ApiResult<String> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send `Authorization: Bearer <token or API key>`"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid"))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::unauthorized("the Authorization header must use the Bearer scheme")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "the Authorization header must use the Bearer scheme",
        ));
    }
    Ok(token.trim().to_string())
}

fn disabled() -> ApiError {
    ApiError::new(ErrorCode::AccountDisabled, "this account is switched off")
}

/// A credential as the request carried it: an access token whose signature and expiry have been
/// checked (the session behind it has not), or an API key not yet looked up.
enum Token {
    Session(Claims),
    ApiKey(String),
    App(String),
}

impl Token {
    /// Reads the header; an access token's signature and expiry are checked here, so a forged or
    /// stale one is refused before anything else about the request (and costs no connection).
    fn read(req: &HttpRequest, state: &AppState) -> ApiResult<Token> {
        let token = bearer(req)?;
        if token.starts_with(secrets::API_KEY_PREFIX) {
            Ok(Token::ApiKey(token))
        } else if token.starts_with(crate::domain::oauth::ACCESS_TOKEN_PREFIX) {
            Ok(Token::App(token))
        } else {
            Ok(Token::Session(state.jwt.verify(&token)?))
        }
    }
}

/// Counts an authenticated request against its principal's general budget
/// (`ZIMAGE_RATE_LIMIT_API_PER_PRINCIPAL`); 429 when it is spent. When the shared store cannot be
/// reached the request goes through (reads must not depend on Redis; sign-in and submits keep
/// budgets of their own that refuse then).
async fn api_budget(state: &AppState, kind: &str, id: Uuid) -> ApiResult<()> {
    state
        .limiter
        .check(
            &format!("api:{kind}:{id}"),
            state.config.rate_limits.api_per_principal,
            crate::rate_limit::Outage::Allow,
        )
        .await
}

/// Finds the caller and, in the same round trip, runs `read` for the user the credential names:
/// for an access token the session look-up and the handler's own queries go out together on one
/// pooled connection (pipelined), so an authenticated read costs one round trip, not two. What
/// `read` found is handed back only once the session proved live; an API key is looked up
/// first, since its user is known only from the database.
async fn authenticate_with<T, R>(state: &AppState, token: Token, read: R) -> ApiResult<(Auth, T)>
where
    R: for<'c> FnOnce(&'c AsyncPgConnection, Uuid) -> LocalBoxFuture<'c, QueryResult<T>>,
{
    let claims = match token {
        Token::Session(claims) => claims,
        Token::App(token) => {
            let mut conn = state.db.get().await?;
            let hash = secrets::hash(&token);
            let access = crate::db::oauth::use_access_token(&mut conn, &hash)
                .await?
                .ok_or_else(|| {
                    ApiError::unauthorized("the access token is invalid, expired or revoked")
                })?;
            if access.user.disabled_at.is_some() {
                return Err(disabled());
            }
            api_budget(state, "grant", access.grant_id).await?;
            let found = read(&conn, access.user.id).await?;
            let credential = Credential::App {
                grant: access.grant_id,
                token: hash,
                scopes: access.scopes(),
            };
            return Ok((
                Auth {
                    expires_at: Some(access.expires_at.timestamp()),
                    user: access.user,
                    credential,
                },
                found,
            ));
        }
        Token::ApiKey(key) => {
            let mut conn = state.db.get().await?;
            let hash = secrets::hash(&key);
            let requests = state.key_requests.take(&hash);
            let key = api_keys::use_by_hash(&mut conn, &hash, requests)
                .await?
                .ok_or_else(|| ApiError::unauthorized("the API key is invalid or revoked"))?;
            if !key.touched {
                state.key_requests.keep(hash, requests);
            }
            if let Some(expired) = key.expires_at.filter(|at| *at <= chrono::Utc::now()) {
                return Err(ApiError::unauthorized(format!(
                    "the API key expired at {}",
                    expired.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )));
            }
            if key.user.disabled_at.is_some() {
                return Err(disabled());
            }
            api_budget(state, "key", key.key_id).await?;
            let found = read(&conn, key.user.id).await?;
            let credential = Credential::ApiKey {
                id: key.key_id,
                scopes: key.scopes(),
            };
            return Ok((
                Auth {
                    user: key.user,
                    credential,
                    expires_at: None,
                },
                found,
            ));
        }
    };
    let conn = state.db.get().await?;
    let (user, found) = futures_util::future::join(
        sessions::find_active_user(&conn, claims.sid, claims.sub),
        read(&conn, claims.sub),
    )
    .await;
    let user =
        user?.ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    if user.disabled_at.is_some() {
        return Err(disabled());
    }
    // Counted once the session proved live, so a revoked token cannot spend its owner's budget.
    api_budget(state, "user", claims.sub).await?;
    let auth = Auth {
        user,
        credential: Credential::Session(claims.sid),
        expires_at: Some(claims.exp),
    };
    Ok((auth, found?))
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bearer = Bearer::from_request(req, payload).into_inner();
        Box::pin(async move {
            let (auth, ()) = bearer?
                .authenticate_with(|_, _| Box::pin(async { Ok(()) }))
                .await?;
            Ok(auth)
        })
    }
}

/// The caller when a credential is sent and holds, else `None` (a file read may then go by a
/// signed URL instead). A spent budget is not swallowed as `Option<Auth>` would: it answers 429.
pub struct OptionalAuth(pub Option<Auth>);

impl FromRequest for OptionalAuth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = Auth::from_request(req, payload);
        Box::pin(async move {
            match auth.await {
                Ok(auth) => Ok(OptionalAuth(Some(auth))),
                Err(err) if err.code() == ErrorCode::RateLimited => Err(err),
                Err(_) => Ok(OptionalAuth(None)),
            }
        })
    }
}

/// The request's credential, read (and for an access token, its signature checked) but not yet
/// looked up. Handlers whose reads need only the caller's user id take this instead of [`Auth`]
/// and call [`Bearer::authenticate_with`], which sends the session look-up and those reads
/// together.
pub struct Bearer {
    state: web::Data<AppState>,
    token: Token,
}

impl Bearer {
    /// The caller, and what `read` found for the caller's user id. Any failure to authenticate
    /// answers as [`Auth`] would (401, or 403 for a switched-off account), whatever `read` found.
    pub async fn authenticate_with<T, R>(self, read: R) -> ApiResult<(Auth, T)>
    where
        R: for<'c> FnOnce(&'c AsyncPgConnection, Uuid) -> LocalBoxFuture<'c, QueryResult<T>>,
    {
        authenticate_with(&self.state, self.token, read).await
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")));
        std::future::ready(state.and_then(|state| {
            let token = Token::read(req, &state)?;
            Ok(Bearer { state, token })
        }))
    }
}

/// The client's IP, for rate limits, sessions and the security log.
///
/// With no trusted proxies it is the connection's peer. With `ZIMAGE_TRUSTED_PROXIES`, a peer
/// among them is a proxy: the client is the rightmost `X-Forwarded-For` entry that is not one of
/// them (each proxy appends the address it received the request from, so entries further left
/// came from the client itself and are never believed; the leftmost, which many libraries take,
/// is whatever the client chose to send). With `ZIMAGE_TRUST_PROXY = n` instead, it is the entry
/// `n` places from the right. An entry that is not an IP address falls back to the peer.
pub fn client_ip(req: &HttpRequest, trust: &crate::config::ProxyTrust) -> String {
    let peer = req.peer_addr().map(|addr| addr.ip());
    let entries = || -> Vec<Option<std::net::IpAddr>> {
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|entry| {
                entry
                    .parse::<std::net::IpAddr>()
                    .ok()
                    .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
            })
            .collect()
    };
    let forwarded = if !trust.networks.is_empty() {
        match peer {
            Some(peer) if trust.trusts(peer) => {
                let entries = entries();
                let mut client = None;
                for entry in entries.iter().rev() {
                    match entry {
                        Some(ip) if trust.trusts(*ip) => client = Some(*ip),
                        Some(ip) => {
                            client = Some(*ip);
                            break;
                        }
                        None => {
                            client = None;
                            break;
                        }
                    }
                }
                client
            }
            _ => None,
        }
    } else if trust.hops > 0 {
        let entries = entries();
        // Fewer entries than proxies: the request came through fewer of them, all trusted.
        entries
            .iter()
            .rev()
            .nth(trust.hops - 1)
            .or(entries.first())
            .copied()
            .flatten()
    } else {
        None
    };
    forwarded
        .or(peer)
        .map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

/// The User-Agent, truncated for storage.
pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use actix_web::test::TestRequest;

    /// The client IP of a request from `peer` carrying `forwarded`, under `trust`.
    fn resolve(trust: crate::config::ProxyTrust, peer: &str, forwarded: &[&str]) -> String {
        let peer = std::net::SocketAddr::new(peer.parse().unwrap(), 41000);
        let mut req = TestRequest::default().peer_addr(peer);
        for value in forwarded {
            req = req.append_header(("x-forwarded-for", *value));
        }
        client_ip(&req.to_http_request(), &trust)
    }

    fn ip(proxies: usize, forwarded: &[&str]) -> String {
        let trust = crate::config::ProxyTrust {
            hops: proxies,
            networks: Vec::new(),
        };
        resolve(trust, "10.0.0.7", forwarded)
    }

    fn behind(networks: &str, peer: &str, forwarded: &[&str]) -> String {
        let trust = crate::config::ProxyTrust {
            hops: 0,
            networks: networks
                .split(',')
                .map(|n| crate::config::Network::parse(n).unwrap())
                .collect(),
        };
        resolve(trust, peer, forwarded)
    }

    #[test]
    fn the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy() {
        let proxies = "10.0.0.0/8,2001:db8:1::/48";
        // Through a load balancer (10.0.0.5) and an ingress (10.0.0.7): the client's own
        // entries on the left are ignored.
        assert_eq!(
            behind(proxies, "10.0.0.7", &["6.6.6.6, 198.51.100.20, 10.0.0.5"]),
            "198.51.100.20"
        );
        // A peer that is not a trusted proxy is the client, whatever it claims.
        assert_eq!(
            behind(proxies, "203.0.113.9", &["198.51.100.20"]),
            "203.0.113.9"
        );
        // Only proxies in the header: the leftmost of them.
        assert_eq!(behind(proxies, "10.0.0.7", &["10.0.0.5"]), "10.0.0.5");
        // An IPv4-mapped proxy address is the IPv4 address, not every IPv4 address.
        assert_eq!(
            behind("::ffff:10.0.0.5", "10.0.0.5", &["198.51.100.1"]),
            "198.51.100.1"
        );
        assert_eq!(
            behind("::ffff:10.0.0.5", "203.0.113.9", &["198.51.100.1"]),
            "203.0.113.9"
        );
        assert_eq!(
            behind("::ffff:10.0.0.0/104", "10.9.9.9", &["198.51.100.1"]),
            "198.51.100.1"
        );
        assert!(crate::config::Network::parse("::ffff:10.0.0.0/80").is_err());
        // IPv6 proxies and clients; garbage falls back to the peer.
        assert_eq!(
            behind(proxies, "2001:db8:1::9", &["2001:db8:2::1, 2001:db8:1::5"]),
            "2001:db8:2::1"
        );
        assert_eq!(
            behind(proxies, "10.0.0.7", &["nonsense, 10.0.0.5"]),
            "10.0.0.7"
        );
        assert_eq!(
            behind("192.168.1.5", "192.168.1.5", &["198.51.100.1"]),
            "198.51.100.1"
        );
        assert_eq!(
            behind("192.168.1.5", "192.168.1.6", &["198.51.100.1"]),
            "192.168.1.6"
        );
    }

    #[test]
    fn the_client_ip_is_the_one_the_trusted_proxies_saw_not_what_the_client_wrote() {
        // No trusted proxy: the header is the client's own words.
        assert_eq!(ip(0, &["203.0.113.9"]), "10.0.0.7");
        // One appending proxy: the rightmost entry, whatever the client put before it.
        assert_eq!(ip(1, &["1.2.3.4, 198.51.100.20"]), "198.51.100.20");
        assert_eq!(ip(1, &["1.2.3.4", "198.51.100.20"]), "198.51.100.20");
        // Two: the second from the right (the outer proxy saw the client, the inner the outer).
        assert_eq!(
            ip(2, &["6.6.6.6, 198.51.100.20, 192.0.2.1"]),
            "198.51.100.20"
        );
        // Fewer entries than proxies: the leftmost, all of them written by trusted proxies.
        assert_eq!(ip(2, &["198.51.100.20"]), "198.51.100.20");
        // Ports and IPv6 are understood; garbage or no header falls back to the peer.
        assert_eq!(ip(1, &["[2001:db8::1]:443"]), "2001:db8::1");
        assert_eq!(ip(1, &["2001:db8::2"]), "2001:db8::2");
        assert_eq!(ip(1, &["not-an-ip"]), "10.0.0.7");
        assert_eq!(ip(1, &[]), "10.0.0.7");
    }
}
