//! One typed configuration, read from `DATABASE_URL` and `ZIMAGE_*` environment variables.

use anyhow::{Context, bail};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A value that must never reach logs: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value; call only where it is used, never to log it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A request budget: `count` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: u32,
    pub window: Duration,
}

impl RateLimit {
    pub const fn per(count: u32, window_secs: u64) -> Self {
        Self {
            count,
            window: Duration::from_secs(window_secs),
        }
    }

    /// Parses `COUNT/SECONDS`, e.g. `10/900`.
    fn parse(s: &str) -> anyhow::Result<Self> {
        let (count, secs) = s
            .split_once('/')
            .context("expected COUNT/SECONDS, e.g. 10/900")?;
        let limit = Self::per(count.trim().parse()?, secs.trim().parse()?);
        if limit.count == 0 || limit.window.is_zero() {
            bail!("count and seconds must be positive");
        }
        Ok(limit)
    }
}

/// Budgets for the endpoints attackers like to hammer, per client IP and per account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub signup_per_ip: RateLimit,
    pub login_per_ip: RateLimit,
    pub login_per_account: RateLimit,
    pub email_per_ip: RateLimit,
    pub email_per_account: RateLimit,
    pub generations_per_user: RateLimit,
    pub uploads_per_user: RateLimit,
    /// Every authenticated request, per principal: a user's sessions together, each API key,
    /// each app's grant.
    pub api_per_principal: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            signup_per_ip: RateLimit::per(10, 3600),
            login_per_ip: RateLimit::per(30, 900),
            login_per_account: RateLimit::per(10, 900),
            email_per_ip: RateLimit::per(10, 3600),
            email_per_account: RateLimit::per(1, 300),
            generations_per_user: RateLimit::per(30, 60),
            uploads_per_user: RateLimit::per(60, 3600),
            api_per_principal: RateLimit::per(1200, 60),
        }
    }
}

/// An address block: `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: std::net::IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>()?)),
            None => (text, None),
        };
        let mut base: std::net::IpAddr = address.trim().parse()?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let mut prefix = prefix.unwrap_or(bits);
        if prefix > bits {
            bail!("the prefix is longer than the address");
        }
        // `::ffff:a.b.c.d/n` is the IPv4 block `a.b.c.d/(n - 96)`: addresses are compared as IPv4.
        if let std::net::IpAddr::V6(v6) = base
            && let Some(v4) = v6.to_ipv4_mapped()
        {
            prefix = prefix
                .checked_sub(96)
                .context("an IPv4-mapped block needs a prefix of at least 96")?;
            base = std::net::IpAddr::V4(v4);
        }
        Ok(Self { base, prefix })
    }

    fn bits(ip: std::net::IpAddr) -> (u128, u8) {
        match ip {
            std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => (u128::from(u32::from(v4)), 32),
                None => (u128::from(v6), 128),
            },
        }
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let ((base, width), (ip, ip_width)) = (Self::bits(self.base), Self::bits(ip));
        if width != ip_width {
            return false;
        }
        let Some(shift) = width.checked_sub(self.prefix).map(u32::from) else {
            return false;
        };
        shift >= 128 || (base >> shift) == (ip >> shift)
    }
}

/// Reverse proxies believed about the client's address: those at the listed addresses
/// (`ZIMAGE_TRUSTED_PROXIES`), or else a number of appending proxies (`ZIMAGE_TRUST_PROXY`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyTrust {
    pub networks: Vec<Network>,
    pub hops: usize,
}

impl ProxyTrust {
    pub fn trusts(&self, ip: std::net::IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }
}

/// Where outgoing e-mail goes.
#[derive(Debug, Clone)]
pub enum MailConfig {
    /// One `.eml` file per message in this directory (the default).
    Outbox(PathBuf),
    /// An SMTP URL as understood by lettre, e.g. `smtp://user:pass@host:587?tls=required`.
    Smtp(Secret<String>),
}

/// Who may sign up (`ZIMAGE_SIGNUP`, `ZIMAGE_SIGNUP_DOMAINS`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignupPolicy {
    pub mode: zimage_shared::auth::SignupMode,
    /// Lower-case domains whose addresses need no invitation in `invite` mode.
    pub allowed_domains: Vec<String>,
}

impl SignupPolicy {
    fn parse(mode: Option<&str>, domains: Option<&str>) -> anyhow::Result<Self> {
        use zimage_shared::auth::SignupMode;
        let mode = match mode.map(str::to_ascii_lowercase).as_deref() {
            None | Some("open") => SignupMode::Open,
            Some("invite" | "invite-only" | "invite_only") => SignupMode::Invite,
            Some(other) => anyhow::bail!("ZIMAGE_SIGNUP must be `open` or `invite`, got {other:?}"),
        };
        let mut allowed_domains = Vec::new();
        for domain in domains.unwrap_or_default().split(',') {
            let domain = domain.trim().trim_start_matches('@').to_ascii_lowercase();
            if domain.is_empty() {
                continue;
            }
            let well_formed = domain.contains('.')
                && domain.len() <= 253
                && domain.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            anyhow::ensure!(
                well_formed,
                "ZIMAGE_SIGNUP_DOMAINS: {domain:?} is not a domain name like example.com"
            );
            allowed_domains.push(domain);
        }
        anyhow::ensure!(
            allowed_domains.is_empty() || mode == SignupMode::Invite,
            "ZIMAGE_SIGNUP_DOMAINS only applies with ZIMAGE_SIGNUP=invite"
        );
        Ok(Self {
            mode,
            allowed_domains,
        })
    }

    /// Whether this (normalized) address may sign up without an invitation.
    pub fn admits_without_invitation(&self, email: &str) -> bool {
        match self.mode {
            zimage_shared::auth::SignupMode::Open => true,
            zimage_shared::auth::SignupMode::Invite => email
                .rsplit_once('@')
                .is_some_and(|(_, domain)| self.allowed_domains.iter().any(|d| d == domain)),
        }
    }
}

/// How an identity provider is spoken to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoKind {
    /// OpenID Connect: discovery at `issuer`, authorization code with PKCE, a verified
    /// `id_token`.
    Oidc { issuer: String },
    /// GitHub's OAuth 2.0 apps (not OpenID Connect): `web_url` serves the authorization and
    /// token endpoints, `api_url` the user and e-mail APIs. GitHub Enterprise Server uses
    /// `https://HOST` and `https://HOST/api/v3`.
    Github { web_url: String, api_url: String },
}

/// One identity provider people may sign in with (`ZIMAGE_SSO` and `ZIMAGE_SSO_<ID>_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProvider {
    /// The operator's short name, in URLs and stored with each identity: `google`, `github`,
    /// `corp`.
    pub id: String,
    /// What the sign-in button says: "Continue with {name}".
    pub name: String,
    pub kind: SsoKind,
    pub client_id: String,
    pub client_secret: Secret<String>,
}

impl SsoProvider {
    /// Reads the providers `ZIMAGE_SSO` lists (comma-separated ids). `google` and `github`
    /// are presets needing only `ZIMAGE_SSO_<ID>_CLIENT_ID` and `_CLIENT_SECRET`; any other id
    /// is OpenID Connect and needs `_ISSUER` too. `_NAME` names the button; `_KIND=github` makes
    /// another id a GitHub (Enterprise) provider, with `_URL` and `_API_URL`.
    fn parse_all(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Vec<Self>> {
        let mut providers: Vec<Self> = Vec::new();
        for id in get("ZIMAGE_SSO").unwrap_or_default().split(',') {
            let id = id.trim().to_ascii_lowercase();
            if id.is_empty() {
                continue;
            }
            anyhow::ensure!(
                id.len() <= 32
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "ZIMAGE_SSO: {id:?} is not a provider id (lower-case letters, digits and -, up to 32)"
            );
            anyhow::ensure!(
                !providers.iter().any(|p| p.id == id),
                "ZIMAGE_SSO lists {id:?} twice"
            );
            let var = |suffix: &str| {
                get(&format!(
                    "ZIMAGE_SSO_{}_{suffix}",
                    id.to_ascii_uppercase().replace('-', "_")
                ))
            };
            let required = |suffix: &str| {
                var(suffix).with_context(|| {
                    format!(
                        "ZIMAGE_SSO lists {id:?}: set ZIMAGE_SSO_{}_{suffix}",
                        id.to_ascii_uppercase().replace('-', "_")
                    )
                })
            };
            let github = id == "github" || var("KIND").as_deref() == Some("github");
            let kind = if github {
                let web_url = var("URL").unwrap_or_else(|| "https://github.com".into());
                let api_url = var("API_URL").unwrap_or_else(|| "https://api.github.com".into());
                SsoKind::Github {
                    web_url: web_url.trim_end_matches('/').to_string(),
                    api_url: api_url.trim_end_matches('/').to_string(),
                }
            } else {
                let issuer = match (id.as_str(), var("ISSUER")) {
                    (_, Some(issuer)) => issuer,
                    ("google", None) => "https://accounts.google.com".into(),
                    _ => required("ISSUER")?,
                };
                // Keys and endpoints come from the issuer: in clear text, anyone on the way
                // could swap them. Plain http only to this machine (tests, development).
                let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                    .iter()
                    .any(|local| {
                        issuer.strip_prefix(local).is_some_and(|rest| {
                            rest.is_empty() || rest.starts_with(':') || rest.starts_with('/')
                        })
                    });
                anyhow::ensure!(
                    issuer.starts_with("https://") || loopback,
                    "ZIMAGE_SSO_{}_ISSUER must be an https:// URL",
                    id.to_ascii_uppercase()
                );
                SsoKind::Oidc { issuer }
            };
            let name = var("NAME").unwrap_or_else(|| match id.as_str() {
                "google" => "Google".into(),
                "github" => "GitHub".into(),
                other => {
                    let mut name = other.to_string();
                    if let Some(first) = name.get_mut(0..1) {
                        first.make_ascii_uppercase();
                    }
                    name
                }
            });
            providers.push(Self {
                client_id: required("CLIENT_ID")?,
                client_secret: Secret::new(required("CLIENT_SECRET")?),
                id,
                name,
                kind,
            });
        }
        Ok(providers)
    }
}

/// Everything the process needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: Secret<String>,
    pub database_pool_size: usize,
    pub bind: String,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub web_dir: PathBuf,
    /// HMAC key for access tokens; generated into the data directory when unset.
    pub jwt_secret: Option<Secret<String>>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a just-rotated refresh token may be presented again and get the same successor
    /// (a retry whose answer was lost), instead of revoking the session as a replay.
    pub refresh_reuse_grace: Duration,
    /// How long a second factor proved by a session counts for sensitive actions
    /// (`ZIMAGE_TWO_FACTOR_FRESH_SECS`, default 600, from 5 to 86,400).
    pub two_factor_fresh: Duration,
    /// Whether administrators must use two-factor authentication for the admin console and API
    /// (`ZIMAGE_ADMIN_REQUIRES_TWO_FACTOR`).
    pub admin_requires_two_factor: bool,
    /// Who may sign up: anyone (`ZIMAGE_SIGNUP=open`, the default) or, with `invite`, people
    /// with an invitation and addresses at `ZIMAGE_SIGNUP_DOMAINS`.
    pub signup: SignupPolicy,
    /// Whether people may sign up with an e-mail address and a password
    /// (`ZIMAGE_PASSWORD_SIGNUP`, default true); false leaves sign-up to the identity providers.
    pub password_signup: bool,
    /// Identity providers people may sign in and sign up with (`ZIMAGE_SSO`).
    pub sso: Vec<SsoProvider>,
    /// Whether people may add passkeys and sign in with them (`ZIMAGE_PASSKEYS`, default true).
    /// They work only where the public URL is HTTPS (or `http://localhost`) at a host name.
    pub passkeys: bool,
    pub mail: MailConfig,
    pub mail_from: String,
    pub cors_origins: Vec<String>,
    /// Which reverse proxies in front of the server are believed about the client's address.
    /// See [`crate::auth::client_ip`].
    pub trusted_proxies: ProxyTrust,
    pub rate_limits: RateLimits,
    /// Redis holding the rate limits every replica shares (`ZIMAGE_REDIS_URL`); `None` keeps
    /// them in this process.
    pub redis_url: Option<Secret<String>>,
    /// What the shared keys start with (`ZIMAGE_REDIS_PREFIX`, default `zimage:`), so several
    /// installations can share one Redis.
    pub redis_prefix: String,
    pub max_json_bytes: usize,
    pub log_json: bool,
    /// Credits granted when a user confirms their e-mail address (0 disables).
    pub signup_bonus_credits: i64,
    /// Stripe; `None` (the default) turns payments off.
    pub stripe: Option<crate::payments::StripeConfig>,
    /// A JSON file of packs and plans; the built-in catalog when unset.
    pub catalog_file: Option<PathBuf>,
    /// Where images are stored: `ZIMAGE_DATA_DIR/objects` unless `ZIMAGE_STORAGE=s3`.
    pub storage: crate::storage::StorageConfig,
    /// Tasks one user may have queued or running at once.
    pub max_active_tasks_per_user: i64,
    /// Tasks of one user that run at the same time; the rest wait while others' tasks go first.
    pub max_running_tasks_per_user: i64,
    /// Image work (rendering, decoding, encoding) this process does at once; 0 leaves generation
    /// to `zimage worker` processes. Waiting on providers takes no worker.
    pub workers: usize,
    /// Tasks this process keeps at providers at once; more wait in the queue.
    pub max_in_flight: usize,
    /// Seconds a claimed job stays with its worker without a heartbeat.
    pub job_lease_secs: i64,
    /// Claims of one job (worker deaths and transient provider errors) before it is dead.
    pub job_max_attempts: i32,
    /// How long the built-in local provider pretends to work per task.
    pub local_latency: Duration,
    /// fal.ai (`ZIMAGE_FAL_KEY`); `None` hides its models.
    pub fal: Option<crate::providers::fal::FalConfig>,
    /// KIE.ai (`ZIMAGE_KIE_KEY`); `None` hides its models.
    pub kie: Option<crate::providers::kie::KieConfig>,
    /// An OpenAI-compatible images server (`ZIMAGE_OPENAI_BASE_URL`); `None` hides its models.
    pub openai: Option<crate::providers::openai::OpenAiConfig>,
    /// ComfyUI servers of one pool (`ZIMAGE_COMFYUI_URLS`, comma-separated); `None` hides its
    /// models.
    pub comfyui: Option<crate::providers::comfyui::ComfyConfig>,
    /// stable-diffusion.cpp's sd-server (`ZIMAGE_SDCPP_URL`); `None` hides its models.
    pub sdcpp: Option<crate::providers::sdcpp::SdCppConfig>,
    /// Replicate (`ZIMAGE_REPLICATE_TOKEN`); `None` hides its models.
    pub replicate: Option<crate::providers::replicate::ReplicateConfig>,
    /// Let webhook endpoints use http:// and private addresses (local development only).
    pub webhooks_allow_private: bool,
    /// Multiplies the webhook retry schedule (1.0: 5 s, 5 min, 30 min, … up to about 3 days).
    pub webhook_retry_scale: f64,
    /// Webhook deliveries sent at once by this process (each endpoint gets one at a time).
    pub webhook_senders: usize,
    /// `credits.low` is sent when available credits fall below this.
    pub credits_low_threshold: i64,
    /// Largest reference image upload, in bytes.
    pub max_upload_bytes: usize,
    /// A request body may pause at most this long between pieces…
    pub body_idle_timeout: Duration,
    /// …and must have arrived whole within this.
    pub body_timeout: Duration,
    /// 32 bytes sealing stored secrets (webhook signing secrets); derived from the server secret
    /// when unset.
    pub encryption_key: Option<Secret<[u8; 32]>>,
    /// Most storage one user's reference images may take, in bytes.
    pub upload_quota_bytes: u64,
    /// Connect and request timeouts for hosted providers.
    pub provider_timeouts: crate::providers::http::Timeouts,
    /// How long a task may run before it fails with `provider_timeout`.
    pub task_timeout: Duration,
    /// Per provider: when submitted tasks are checked, how many requests go out at once, how
    /// many tasks may be in flight, and when its circuit breaker opens.
    pub manners: crate::providers::manners::MannersTable,
    /// How often an idle live-status stream sends a keep-alive comment.
    pub sse_heartbeat: Duration,
    /// A JSON list of models; the built-in list when unset.
    pub models_file: Option<PathBuf>,
    /// Credits each side gets on a referred user's first purchase (0 disables).
    pub referral_bonus_credits: i64,
    /// Days until purchased pack credits expire; `None` means never.
    pub pack_credits_expire_days: Option<i64>,
    /// How often scheduled work (credit expiry, expiry warnings) runs; 0 disables it.
    pub scheduler_interval: Duration,
    /// How long a stopping replica keeps serving while unready, for load balancers to notice
    /// (`ZIMAGE_DRAIN_DELAY_SECS`, default 0).
    pub drain_delay: Duration,
    /// Where Prometheus metrics are served (`ZIMAGE_METRICS_BIND`, e.g. `127.0.0.1:9090`); `None`:
    /// nowhere. A listener of its own, never the public address.
    pub metrics_bind: Option<String>,
    /// Days between a confirmed erasure and the purge; signing in with `keep_account` cancels it.
    pub erasure_grace_days: i64,
    /// Accounts never verified are deleted this many days after sign-up (0: never).
    pub unverified_account_days: i64,
    /// Where new support tickets are announced; every administrator when unset.
    pub support_email: Option<String>,
    /// Operator-edited legal pages (`privacy.md`, `terms.md`); built-in texts otherwise.
    pub legal_dir: Option<PathBuf>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_map(&std::env::vars().collect())
    }

    /// Reads configuration from a name → value map (the environment, or a test's overrides).
    pub fn from_map(env: &HashMap<String, String>) -> anyhow::Result<Self> {
        let get = |name: &str| {
            env.get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let parse = |name: &str, default: u64| -> anyhow::Result<u64> {
            get(name).map_or(Ok(default), |v| {
                v.parse()
                    .with_context(|| format!("{name} must be a whole number, got {v:?}"))
            })
        };
        let hosts = |name: &str, default: &str| -> Vec<String> {
            get(name)
                .unwrap_or_else(|| default.to_string())
                .split(',')
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect()
        };
        let limit = |name: &str, default: RateLimit| -> anyhow::Result<RateLimit> {
            get(name).map_or(Ok(default), |v| {
                RateLimit::parse(&v).with_context(|| format!("{name}={v:?}"))
            })
        };

        let bind = get("ZIMAGE_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let data_dir = PathBuf::from(get("ZIMAGE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let public_url = get("ZIMAGE_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        let mail = match get("ZIMAGE_SMTP_URL") {
            Some(url) => MailConfig::Smtp(Secret::new(url)),
            None => MailConfig::Outbox(
                get("ZIMAGE_MAIL_OUTBOX").map_or_else(|| data_dir.join("outbox"), PathBuf::from),
            ),
        };
        let defaults = RateLimits::default();
        let public_base = public_url.clone();
        Ok(Self {
            database_url: Secret::new(
                get("DATABASE_URL")
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/zimage".into()),
            ),
            database_pool_size: usize::try_from(parse("ZIMAGE_DATABASE_POOL_SIZE", 10)?)?.max(1),
            public_url,
            web_dir: PathBuf::from(get("ZIMAGE_WEB_DIR").unwrap_or_else(|| "web/dist".into())),
            jwt_secret: get("ZIMAGE_JWT_SECRET").map(Secret::new),
            access_token_ttl: Duration::from_secs(parse("ZIMAGE_ACCESS_TOKEN_TTL_SECS", 900)?),
            refresh_token_ttl: Duration::from_secs(
                86_400 * parse("ZIMAGE_REFRESH_TOKEN_TTL_DAYS", 30)?,
            ),
            refresh_reuse_grace: Duration::from_secs(
                parse("ZIMAGE_REFRESH_REUSE_GRACE_SECS", 30)?.min(300),
            ),
            two_factor_fresh: Duration::from_secs(
                parse("ZIMAGE_TWO_FACTOR_FRESH_SECS", 600)?.clamp(5, 86_400),
            ),
            admin_requires_two_factor: matches!(
                get("ZIMAGE_ADMIN_REQUIRES_TWO_FACTOR").as_deref(),
                Some("1" | "true" | "yes")
            ),
            signup: SignupPolicy::parse(
                get("ZIMAGE_SIGNUP").as_deref(),
                get("ZIMAGE_SIGNUP_DOMAINS").as_deref(),
            )?,
            password_signup: !matches!(
                get("ZIMAGE_PASSWORD_SIGNUP").as_deref(),
                Some("0" | "false" | "no")
            ),
            sso: SsoProvider::parse_all(&get)?,
            passkeys: !matches!(
                get("ZIMAGE_PASSKEYS").as_deref(),
                Some("0" | "false" | "no")
            ),
            mail,
            mail_from: get("ZIMAGE_MAIL_FROM")
                .unwrap_or_else(|| "Z-Image Studio <no-reply@zimage.localhost>".into()),
            cors_origins: get("ZIMAGE_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            trusted_proxies: ProxyTrust {
                networks: get("ZIMAGE_TRUSTED_PROXIES")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| {
                        Network::parse(n).with_context(|| {
                            format!("ZIMAGE_TRUSTED_PROXIES: {n:?} is not an address or CIDR block")
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
                hops: match get("ZIMAGE_TRUST_PROXY").as_deref().map(str::trim) {
                    None | Some("" | "false" | "no") => 0,
                    Some("true" | "yes") => 1,
                    Some(hops) => hops
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n <= 10)
                        .ok_or_else(|| {
                            anyhow::anyhow!(
                                "ZIMAGE_TRUST_PROXY must be false, true or the number of proxies (0-10)"
                            )
                        })?,
                },
            },
            rate_limits: RateLimits {
                signup_per_ip: limit("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", defaults.signup_per_ip)?,
                login_per_ip: limit("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", defaults.login_per_ip)?,
                login_per_account: limit(
                    "ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT",
                    defaults.login_per_account,
                )?,
                email_per_ip: limit("ZIMAGE_RATE_LIMIT_EMAIL_PER_IP", defaults.email_per_ip)?,
                email_per_account: limit(
                    "ZIMAGE_RATE_LIMIT_EMAIL_PER_ACCOUNT",
                    defaults.email_per_account,
                )?,
                generations_per_user: limit(
                    "ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER",
                    defaults.generations_per_user,
                )?,
                uploads_per_user: limit(
                    "ZIMAGE_RATE_LIMIT_UPLOADS_PER_USER",
                    defaults.uploads_per_user,
                )?,
                api_per_principal: limit(
                    "ZIMAGE_RATE_LIMIT_API_PER_PRINCIPAL",
                    defaults.api_per_principal,
                )?,
            },
            redis_url: get("ZIMAGE_REDIS_URL").map(Secret::new),
            redis_prefix: get("ZIMAGE_REDIS_PREFIX").unwrap_or_else(|| "zimage:".into()),
            max_json_bytes: usize::try_from(parse("ZIMAGE_MAX_JSON_BYTES", 64 * 1024)?)?,
            log_json: matches!(get("ZIMAGE_LOG_FORMAT").as_deref(), Some("json")),
            signup_bonus_credits: i64::try_from(parse("ZIMAGE_SIGNUP_BONUS_CREDITS", 20)?)?,
            stripe: match (
                get("ZIMAGE_STRIPE_SECRET_KEY"),
                get("ZIMAGE_STRIPE_WEBHOOK_SECRET"),
            ) {
                (Some(key), Some(webhook)) => Some(crate::payments::StripeConfig {
                    secret_key: Secret::new(key),
                    webhook_secret: Secret::new(webhook),
                    api_base: get("ZIMAGE_STRIPE_API_BASE")
                        .unwrap_or_else(|| "https://api.stripe.com/".into()),
                }),
                (None, None) => None,
                _ => bail!(
                    "set both ZIMAGE_STRIPE_SECRET_KEY and ZIMAGE_STRIPE_WEBHOOK_SECRET, or neither"
                ),
            },
            catalog_file: get("ZIMAGE_CATALOG_FILE").map(PathBuf::from),
            models_file: get("ZIMAGE_MODELS_FILE").map(PathBuf::from),
            workers: match get("ZIMAGE_WORKERS") {
                Some(_) => usize::try_from(parse("ZIMAGE_WORKERS", 0)?)?,
                None => std::thread::available_parallelism().map_or(2, usize::from),
            },
            max_in_flight: usize::try_from(parse("ZIMAGE_MAX_IN_FLIGHT", 5000)?)?.max(1),
            max_active_tasks_per_user: i64::try_from(parse(
                "ZIMAGE_MAX_ACTIVE_TASKS_PER_USER",
                20,
            )?)?
            .max(1),
            max_running_tasks_per_user: i64::try_from(parse(
                "ZIMAGE_MAX_RUNNING_TASKS_PER_USER",
                2,
            )?)?
            .max(1),
            job_lease_secs: i64::try_from(parse("ZIMAGE_JOB_LEASE_SECS", 30)?)?.max(1),
            job_max_attempts: i32::try_from(parse("ZIMAGE_JOB_MAX_ATTEMPTS", 3)?)?.max(1),
            local_latency: Duration::from_millis(parse("ZIMAGE_LOCAL_LATENCY_MS", 1500)?),
            fal: get("ZIMAGE_FAL_KEY").map(|key| crate::providers::fal::FalConfig {
                key: Secret::new(key),
                queue_url: get("ZIMAGE_FAL_QUEUE_URL")
                    .unwrap_or_else(|| "https://queue.fal.run".into()),
                webhook_url: matches!(
                    get("ZIMAGE_FAL_WEBHOOKS").as_deref(),
                    Some("1" | "true" | "yes")
                )
                .then(|| format!("{public_base}/v1/webhooks/providers/fal")),
                jwks_url: get("ZIMAGE_FAL_JWKS_URL")
                    .unwrap_or_else(|| "https://rest.alpha.fal.ai/.well-known/jwks.json".into()),
                download_hosts: hosts("ZIMAGE_FAL_DOWNLOAD_HOSTS", "fal.media,fal.run,fal.ai"),
            }),
            kie: get("ZIMAGE_KIE_KEY").map(|key| {
                let hmac_key = get("ZIMAGE_KIE_WEBHOOK_HMAC_KEY");
                crate::providers::kie::KieConfig {
                    key: Secret::new(key),
                    base_url: get("ZIMAGE_KIE_BASE_URL")
                        .unwrap_or_else(|| "https://api.kie.ai".into()),
                    // Callbacks only when they can be verified.
                    callback_url: hmac_key
                        .as_ref()
                        .map(|_| format!("{public_base}/v1/webhooks/providers/kie")),
                    webhook_hmac_key: hmac_key.map(Secret::new),
                    download_hosts: hosts("ZIMAGE_KIE_DOWNLOAD_HOSTS", "aiquickdraw.com,kie.ai"),
                }
            }),
            openai: get("ZIMAGE_OPENAI_BASE_URL").map(|base_url| {
                crate::providers::openai::OpenAiConfig {
                    base_url,
                    key: get("ZIMAGE_OPENAI_API_KEY").map(Secret::new),
                    download_hosts: hosts("ZIMAGE_OPENAI_DOWNLOAD_HOSTS", ""),
                }
            }),
            comfyui: get("ZIMAGE_COMFYUI_URLS").map(|urls| crate::providers::comfyui::ComfyConfig {
                servers: urls
                    .split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(String::from)
                    .collect(),
                websocket: matches!(
                    get("ZIMAGE_COMFYUI_WEBSOCKET").as_deref(),
                    Some("1" | "true" | "yes")
                ),
            }),
            sdcpp: get("ZIMAGE_SDCPP_URL")
                .map(|base_url| crate::providers::sdcpp::SdCppConfig { base_url }),
            replicate: get("ZIMAGE_REPLICATE_TOKEN").map(|token| {
                crate::providers::replicate::ReplicateConfig {
                    token: Secret::new(token),
                    base_url: get("ZIMAGE_REPLICATE_BASE_URL")
                        .unwrap_or_else(|| "https://api.replicate.com/v1".into()),
                    webhook_url: matches!(
                        get("ZIMAGE_REPLICATE_WEBHOOKS").as_deref(),
                        Some("1" | "true" | "yes")
                    )
                    .then(|| format!("{public_base}/v1/webhooks/providers/replicate")),
                    webhook_secret: get("ZIMAGE_REPLICATE_WEBHOOK_SECRET").map(Secret::new),
                    download_hosts: hosts(
                        "ZIMAGE_REPLICATE_DOWNLOAD_HOSTS",
                        "replicate.delivery,replicate.com",
                    ),
                    // As long as a task may take here.
                    cancel_after: Duration::from_secs(
                        parse("ZIMAGE_TASK_TIMEOUT_SECS", 600).unwrap_or(600),
                    ),
                }
            }),
            webhooks_allow_private: matches!(
                get("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE").as_deref(),
                Some("1" | "true" | "yes")
            ),
            webhook_senders: usize::try_from(parse("ZIMAGE_WEBHOOK_SENDERS", 8)?)?.clamp(1, 64),
            webhook_retry_scale: get("ZIMAGE_WEBHOOK_RETRY_SCALE").map_or(Ok(1.0), |v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .with_context(|| {
                        format!("ZIMAGE_WEBHOOK_RETRY_SCALE must be a positive number, got {v:?}")
                    })
            })?,
            credits_low_threshold: i64::try_from(parse("ZIMAGE_CREDITS_LOW_THRESHOLD", 10)?)?,
            max_upload_bytes: usize::try_from(parse("ZIMAGE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)?)?,
            upload_quota_bytes: parse("ZIMAGE_UPLOAD_QUOTA_MB", 500)?.saturating_mul(1_000_000),
            body_idle_timeout: Duration::from_secs(parse("ZIMAGE_BODY_IDLE_TIMEOUT_SECS", 10)?.max(1)),
            body_timeout: Duration::from_secs(parse("ZIMAGE_BODY_TIMEOUT_SECS", 120)?.max(1)),
            encryption_key: get("ZIMAGE_ENCRYPTION_KEY")
                .map(|key| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(key.trim())
                        .ok()
                        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                        .map(Secret::new)
                        .context("ZIMAGE_ENCRYPTION_KEY must be 32 bytes in base64 (`openssl rand -base64 32`)")
                })
                .transpose()?,
            provider_timeouts: crate::providers::http::Timeouts {
                connect: Duration::from_secs(parse("ZIMAGE_PROVIDER_CONNECT_TIMEOUT_SECS", 10)?),
                request: Duration::from_secs(parse("ZIMAGE_PROVIDER_REQUEST_TIMEOUT_SECS", 120)?),
            },
            task_timeout: Duration::from_secs(parse("ZIMAGE_TASK_TIMEOUT_SECS", 600)?),
            manners: crate::providers::manners::MannersTable::from_env(
                &get,
                get("ZIMAGE_POLL_INTERVAL_MS")
                    .map(|_| {
                        parse("ZIMAGE_POLL_INTERVAL_MS", 0)
                            .map(|ms| Duration::from_millis(ms.max(10)))
                    })
                    .transpose()?,
            )?,
            sse_heartbeat: Duration::from_millis(
                parse("ZIMAGE_SSE_HEARTBEAT_MS", 15_000)?.max(100),
            ),
            storage: match get("ZIMAGE_STORAGE").as_deref() {
                None | Some("local") => crate::storage::StorageConfig::Local(
                    get("ZIMAGE_STORAGE_DIR")
                        .map_or_else(|| data_dir.join("objects"), PathBuf::from),
                ),
                Some("s3") => {
                    let required = |name: &str| {
                        get(name)
                            .with_context(|| format!("{name} is required with ZIMAGE_STORAGE=s3"))
                    };
                    crate::storage::StorageConfig::S3(crate::storage::s3::S3Config {
                        endpoint: required("ZIMAGE_S3_ENDPOINT")?,
                        region: get("ZIMAGE_S3_REGION").unwrap_or_else(|| "auto".into()),
                        bucket: required("ZIMAGE_S3_BUCKET")?,
                        access_key: required("ZIMAGE_S3_ACCESS_KEY")?,
                        secret_key: Secret::new(required("ZIMAGE_S3_SECRET_KEY")?),
                        path_style: !matches!(
                            get("ZIMAGE_S3_PATH_STYLE").as_deref(),
                            Some("0" | "false" | "no")
                        ),
                    })
                }
                Some(other) => bail!("ZIMAGE_STORAGE must be `local` or `s3`, got {other:?}"),
            },
            referral_bonus_credits: i64::try_from(parse("ZIMAGE_REFERRAL_BONUS_CREDITS", 50)?)?,
            pack_credits_expire_days: get("ZIMAGE_PACK_CREDITS_EXPIRE_DAYS")
                .map(|v| {
                    v.parse::<i64>()
                        .context("ZIMAGE_PACK_CREDITS_EXPIRE_DAYS must be a whole number")
                })
                .transpose()?
                .filter(|d| *d > 0),
            erasure_grace_days: i64::try_from(parse("ZIMAGE_ERASURE_GRACE_DAYS", 14)?)?.min(29),
            unverified_account_days: i64::try_from(parse("ZIMAGE_UNVERIFIED_ACCOUNT_DAYS", 30)?)?,
            support_email: get("ZIMAGE_SUPPORT_EMAIL"),
            legal_dir: get("ZIMAGE_LEGAL_DIR").map(PathBuf::from),
            scheduler_interval: Duration::from_secs(parse("ZIMAGE_SCHEDULER_INTERVAL_SECS", 60)?),
            drain_delay: Duration::from_secs(parse("ZIMAGE_DRAIN_DELAY_SECS", 0)?.min(300)),
            metrics_bind: get("ZIMAGE_METRICS_BIND"),
            bind,
            data_dir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let env = HashMap::from([
            (
                "DATABASE_URL".to_string(),
                "postgres://u:hunter2@db/x".to_string(),
            ),
            ("ZIMAGE_JWT_SECRET".to_string(), "s3cr3t-value".to_string()),
            (
                "ZIMAGE_SMTP_URL".to_string(),
                "smtp://u:mailpass@mx".to_string(),
            ),
        ]);
        let printed = format!(
            "{:?}",
            Config::from_map(&env).unwrap_or_else(|e| panic!("{e}"))
        );
        for secret in ["hunter2", "s3cr3t-value", "mailpass"] {
            assert!(!printed.contains(secret), "{secret} leaked in {printed}");
        }
    }

    #[test]
    fn rate_limits_parse_and_reject_nonsense() {
        assert_eq!(RateLimit::parse("5/60").ok(), Some(RateLimit::per(5, 60)));
        assert!(RateLimit::parse("0/60").is_err());
        assert!(RateLimit::parse("five").is_err());
    }

    #[test]
    fn public_url_defaults_to_bind_address() {
        let env = HashMap::from([("ZIMAGE_BIND".to_string(), "0.0.0.0:9000".to_string())]);
        let config = Config::from_map(&env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.public_url, "http://0.0.0.0:9000");
    }

    #[test]
    fn identity_providers_need_credentials_and_an_https_issuer() {
        let parse = |pairs: &[(&str, &str)]| {
            let env: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect();
            SsoProvider::parse_all(&|name: &str| env.get(name).cloned())
        };
        let presets = parse(&[
            ("ZIMAGE_SSO", "google, github"),
            ("ZIMAGE_SSO_GOOGLE_CLIENT_ID", "g"),
            ("ZIMAGE_SSO_GOOGLE_CLIENT_SECRET", "gs"),
            ("ZIMAGE_SSO_GITHUB_CLIENT_ID", "h"),
            ("ZIMAGE_SSO_GITHUB_CLIENT_SECRET", "hs"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            presets[0].kind,
            SsoKind::Oidc {
                issuer: "https://accounts.google.com".into()
            }
        );
        assert_eq!(presets[1].name, "GitHub");
        assert!(matches!(presets[1].kind, SsoKind::Github { .. }));
        let corp = |issuer: &str| {
            parse(&[
                ("ZIMAGE_SSO", "corp"),
                ("ZIMAGE_SSO_CORP_ISSUER", issuer),
                ("ZIMAGE_SSO_CORP_CLIENT_ID", "c"),
                ("ZIMAGE_SSO_CORP_CLIENT_SECRET", "cs"),
            ])
        };
        assert!(corp("https://kc.example/realms/main").is_ok());
        assert!(corp("http://127.0.0.1:8081").is_ok());
        assert!(
            corp("http://kc.example").is_err(),
            "clear text off this machine"
        );
        assert!(corp("http://127.0.0.1.evil.example").is_err());
        assert!(
            parse(&[("ZIMAGE_SSO", "corp"), ("ZIMAGE_SSO_CORP_CLIENT_ID", "c")]).is_err(),
            "an issuer and a secret are needed"
        );
        assert!(parse(&[("ZIMAGE_SSO", "Bad Id")]).is_err());
    }

    #[test]
    fn signup_policy_admits_only_listed_domains_exactly() {
        let open = SignupPolicy::parse(None, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(open.admits_without_invitation("anyone@anywhere.test"));
        let invite = SignupPolicy::parse(Some("invite"), Some(" @Corp.Example , lab.example.org"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(invite.allowed_domains, ["corp.example", "lab.example.org"]);
        assert!(invite.admits_without_invitation("ada@corp.example"));
        assert!(invite.admits_without_invitation("bob@lab.example.org"));
        for refused in [
            "ada@sub.corp.example",
            "ada@corp.example.evil.test",
            "ada@xcorp.example",
            "corp.example",
        ] {
            assert!(!invite.admits_without_invitation(refused), "{refused}");
        }
        assert!(SignupPolicy::parse(Some("closed"), None).is_err());
        assert!(SignupPolicy::parse(Some("invite"), Some("not a domain")).is_err());
        assert!(
            SignupPolicy::parse(None, Some("corp.example")).is_err(),
            "domains without invite mode would silently do nothing"
        );
    }
}
