//! Identity providers for the sign-in tests:
//!
//! - [`OpenIdProvider`]: panva's certified `oidc-provider` (scripts/oidc-provider), a real
//!   OpenID provider with discovery, JWKS and its rotation, and authorization code with PKCE;
//!   non-interactive (`login_hint` picks the account).
//! - [`Forger`]: sits in front of it and re-signs its `id_token`s with claims a test chose
//!   (another audience, expired, another nonce, a broken signature…), publishing its own key.
//! - [`GithubFake`]: GitHub's OAuth app endpoints and its user and e-mail APIs, as documented.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The client the tests register at the providers.
pub const CLIENT_ID: &str = "zimage-test-client";
pub const CLIENT_SECRET: &str = "zimage-test-client-secret-0123456789";

/// A running `oidc-provider`; stops when dropped.
pub struct OpenIdProvider {
    pub issuer: String,
    accounts: PathBuf,
    _child: tokio::process::Child,
}

impl OpenIdProvider {
    /// Starts the provider with these accounts (`{"alice": {"email": …, "email_verified": …,
    /// "name": …}}`), for a client whose redirect URIs are `redirect_uris`.
    pub async fn start(accounts: &Value, redirect_uris: &[String]) -> Self {
        let dir =
            std::env::temp_dir().join(format!("zimage-idp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let accounts_file = dir.join("accounts.json");
        std::fs::write(&accounts_file, accounts.to_string()).unwrap();
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/oidc-provider/provider.mjs");
        let mut child = tokio::process::Command::new("node")
            .arg(&script)
            .env("PORT", "0")
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uris.join(","))
            .env("ACCOUNTS_FILE", &accounts_file)
            .env("EXIT_ON_STDIN_EOF", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect(
                "node runs scripts/oidc-provider/provider.mjs (scripts/deps.sh test installs it)",
            );
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the OpenID provider starts within 30 s")
            .unwrap()
            .expect("the OpenID provider prints READY");
        let issuer = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        Self {
            issuer,
            accounts: accounts_file,
            _child: child,
        }
    }

    /// Replaces the accounts (the provider reads the file at each sign-in).
    pub fn set_accounts(&self, accounts: &Value) {
        std::fs::write(&self.accounts, accounts.to_string()).unwrap();
    }

    /// The account an authorization request without `login_hint` signs in as (a browser's
    /// sign-in button sends none).
    pub async fn set_default_account(&self, id: &str) {
        crate::providers::http::install_crypto();
        let url = format!("{}/__default_account?id={id}", self.issuer);
        let answer = reqwest::Client::new().post(url).send().await.unwrap();
        assert!(answer.status().is_success());
    }

    /// New signing keys; `retain` keeps the old ones published too.
    pub async fn rotate_keys(&self, retain: bool) -> Value {
        crate::providers::http::install_crypto();
        let url = format!(
            "{}/__rotate?retain={}",
            self.issuer,
            if retain { 1 } else { 0 }
        );
        let answer = reqwest::Client::new().post(url).send().await.unwrap();
        assert!(answer.status().is_success());
        answer.json().await.unwrap()
    }
}

/// What [`Forger`] does to the next `id_token`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    /// Re-signed as it came (with the forger as issuer): a token that verifies.
    Honest,
    /// `aud` is another client.
    OtherAudience,
    /// Expired ten minutes ago.
    Expired,
    /// Another sign-in's `nonce`.
    OtherNonce,
    /// The payload changed after signing.
    BrokenSignature,
    /// `iss` is not the issuer the client knows.
    OtherIssuer,
    /// `"alg": "none"`, no signature.
    Unsigned,
    /// Signed with a key the forger does not publish.
    UnknownKey,
}

struct ForgerState {
    url: String,
    upstream_token: String,
    upstream_authorize: String,
    upstream_userinfo: Option<String>,
    forgery: Mutex<Forgery>,
    key: jsonwebtoken::EncodingKey,
    stranger: jsonwebtoken::EncodingKey,
    public: (String, String),
}

/// An OpenID provider in front of an [`OpenIdProvider`]: discovery names it as the issuer, with
/// its own token endpoint and keys; codes go through to the real provider, whose `id_token` it
/// re-signs as [`Forgery`] says.
#[derive(Clone)]
pub struct Forger {
    pub issuer: String,
    state: Arc<ForgerState>,
}

fn ec_key() -> (Vec<u8>, (String, String)) {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref().to_vec();
    let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
    let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
    (pkcs8.as_ref().to_vec(), (x, y))
}

impl Forger {
    pub async fn start(upstream: &OpenIdProvider) -> Self {
        crate::providers::http::install_crypto();
        let discovery: Value = reqwest::get(format!(
            "{}/.well-known/openid-configuration",
            upstream.issuer
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let (key, public) = ec_key();
        let (stranger, _) = ec_key();
        let state = Arc::new(ForgerState {
            url: url.clone(),
            upstream_token: discovery["token_endpoint"].as_str().unwrap().into(),
            upstream_authorize: discovery["authorization_endpoint"].as_str().unwrap().into(),
            upstream_userinfo: discovery["userinfo_endpoint"].as_str().map(str::to_string),
            forgery: Mutex::new(Forgery::Honest),
            key: jsonwebtoken::EncodingKey::from_ec_der(&key),
            stranger: jsonwebtoken::EncodingKey::from_ec_der(&stranger),
            public,
        });
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(forger_discovery),
                )
                .route("/jwks", web::get().to(forger_jwks))
                .route("/token", web::post().to(forger_token))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { issuer: url, state }
    }

    pub fn forge(&self, forgery: Forgery) {
        *self.state.forgery.lock().unwrap() = forgery;
    }
}

async fn forger_discovery(state: web::Data<ForgerState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "issuer": state.url,
        "authorization_endpoint": state.upstream_authorize,
        "token_endpoint": format!("{}/token", state.url),
        "jwks_uri": format!("{}/jwks", state.url),
        "userinfo_endpoint": state.upstream_userinfo,
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}

async fn forger_jwks(state: web::Data<ForgerState>) -> HttpResponse {
    let (x, y) = &state.public;
    HttpResponse::Ok().json(json!({"keys": [{
        "kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": "forger", "alg": "ES256", "use": "sig"
    }]}))
}

async fn forger_token(
    state: web::Data<ForgerState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let mut upstream = reqwest::Client::new()
        .post(&state.upstream_token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_vec());
    if let Some(auth) = req.headers().get("authorization") {
        upstream = upstream.header("authorization", auth.to_str().unwrap());
    }
    let answer = upstream.send().await.unwrap();
    let status = answer.status().as_u16();
    let mut tokens: Value = answer.json().await.unwrap();
    if let Some(id_token) = tokens["id_token"].as_str() {
        let forgery = *state.forgery.lock().unwrap();
        tokens["id_token"] = json!(forge(&state, id_token, forgery));
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(tokens)
}

fn forge(state: &ForgerState, id_token: &str, forgery: Forgery) -> String {
    let payload = id_token.split('.').nth(1).unwrap();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["iss"] = json!(state.url);
    let now = chrono::Utc::now().timestamp();
    match forgery {
        Forgery::OtherAudience => claims["aud"] = json!("another-client"),
        Forgery::Expired => {
            claims["iat"] = json!(now - 4200);
            claims["exp"] = json!(now - 600);
        }
        Forgery::OtherNonce => claims["nonce"] = json!("another-sign-in"),
        Forgery::OtherIssuer => claims["iss"] = json!("https://issuer.invalid"),
        _ => {}
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("forger".into());
    let key = if forgery == Forgery::UnknownKey {
        header.kid = Some("not-published".into());
        &state.stranger
    } else {
        &state.key
    };
    let signed = jsonwebtoken::encode(&header, &claims, key).unwrap();
    match forgery {
        Forgery::BrokenSignature => {
            let mut parts: Vec<String> = signed.split('.').map(str::to_string).collect();
            claims["sub"] = json!("someone-else");
            parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
            parts.join(".")
        }
        Forgery::Unsigned => {
            let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
            format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
        }
        _ => signed,
    }
}

/// A GitHub user of [`GithubFake`].
#[derive(Debug, Clone)]
pub struct GithubUser {
    pub id: u64,
    pub login: String,
    pub name: Option<String>,
    /// `(address, primary, verified)`.
    pub emails: Vec<(String, bool, bool)>,
}

#[derive(Default)]
struct GithubInner {
    users: Vec<GithubUser>,
    /// code → (login, code_challenge, redirect_uri)
    codes: HashMap<String, (String, String, String)>,
    /// access token → login
    tokens: HashMap<String, String>,
}

/// GitHub's OAuth app flow (`/login/oauth/authorize`, `/login/oauth/access_token`) and REST
/// API (`/api/user`, `/api/user/emails`), answering as github.com and api.github.com do,
/// including their quirks: token errors come as `200` with an `error` field, and a token
/// without the `user:email` scope gets 404 from the e-mail API.
#[derive(Clone)]
pub struct GithubFake {
    pub url: String,
    inner: Arc<Mutex<GithubInner>>,
}

impl GithubFake {
    pub fn start(users: Vec<GithubUser>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let fake = Self {
            url: format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port()),
            inner: Arc::new(Mutex::new(GithubInner {
                users,
                ..Default::default()
            })),
        };
        let data = web::Data::new(fake.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/login/oauth/authorize", web::get().to(github_authorize))
                .route("/login/oauth/access_token", web::post().to(github_token))
                .route("/api/user", web::get().to(github_user))
                .route("/api/user/emails", web::get().to(github_emails))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        fake
    }

    /// The REST API's base URL (api.github.com).
    pub fn api_url(&self) -> String {
        format!("{}/api", self.url)
    }
}

async fn github_authorize(
    fake: web::Data<GithubFake>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let q = |k: &str| query.get(k).cloned().unwrap_or_default();
    assert_eq!(q("client_id"), CLIENT_ID);
    assert_eq!(q("code_challenge_method"), "S256");
    let login = q("login");
    let code = format!("gh-code-{}", uuid::Uuid::new_v4().simple());
    fake.inner.lock().unwrap().codes.insert(
        code.clone(),
        (login, q("code_challenge"), q("redirect_uri")),
    );
    let mut to = url::Url::parse(&q("redirect_uri")).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q("state"));
    HttpResponse::Found()
        .insert_header(("location", to.to_string()))
        .finish()
}

async fn github_token(
    fake: web::Data<GithubFake>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    let refused = |error: &str| {
        HttpResponse::Ok().json(json!({
            "error": error,
            "error_description": "The code passed is incorrect or expired.",
            "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"
        }))
    };
    if f("client_id") != CLIENT_ID || f("client_secret") != CLIENT_SECRET {
        return refused("incorrect_client_credentials");
    }
    let mut inner = fake.inner.lock().unwrap();
    let Some((login, challenge, redirect)) = inner.codes.remove(&f("code")) else {
        return refused("bad_verification_code");
    };
    let verifier_hash = URL_SAFE_NO_PAD.encode(Sha256::digest(f("code_verifier").as_bytes()));
    if verifier_hash != challenge || f("redirect_uri") != redirect {
        return refused("bad_verification_code");
    }
    let token = format!("gho_{}", uuid::Uuid::new_v4().simple());
    inner.tokens.insert(token.clone(), login);
    HttpResponse::Ok().json(json!({
        "access_token": token, "token_type": "bearer", "scope": "read:user,user:email"
    }))
}

fn github_caller(fake: &GithubFake, req: &HttpRequest) -> Option<GithubUser> {
    let token = req
        .headers()
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .to_string();
    let inner = fake.inner.lock().unwrap();
    let login = inner.tokens.get(&token)?;
    inner.users.iter().find(|u| &u.login == login).cloned()
}

fn github_unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({
        "message": "Requires authentication",
        "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        "status": "401"
    }))
}

async fn github_user(fake: web::Data<GithubFake>, req: HttpRequest) -> HttpResponse {
    let Some(user) = github_caller(&fake, &req) else {
        return github_unauthorized();
    };
    let public_email = user.emails.iter().find(|e| e.1).map(|e| e.0.clone());
    HttpResponse::Ok().json(json!({
        "login": user.login, "id": user.id, "node_id": format!("U_{}", user.id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", user.id),
        "type": "User", "site_admin": false, "name": user.name, "email": public_email,
        "created_at": "2011-01-25T18:44:36Z", "updated_at": "2026-11-01T10:00:00Z"
    }))
}

async fn github_emails(fake: web::Data<GithubFake>, req: HttpRequest) -> HttpResponse {
    let Some(user) = github_caller(&fake, &req) else {
        return github_unauthorized();
    };
    HttpResponse::Ok().json(
        user.emails
            .iter()
            .map(|(email, primary, verified)| {
                json!({"email": email, "primary": primary, "verified": verified,
                       "visibility": if *primary { Value::from("public") } else { Value::Null }})
            })
            .collect::<Vec<_>>(),
    )
}
