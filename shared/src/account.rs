//! The signed-in user's profile, sessions and API keys.

use crate::ids::{ApiKeyId, IdentityId, PasskeyId, SessionId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Account role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
}

/// Colour scheme preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    #[default]
    System,
}

impl Theme {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
            Self::System => "system",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

/// A supported interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    /// Every supported locale.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// BCP 47 tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// Parses a tag exactly as sent on the wire.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Self::En),
            "zh-CN" => Some(Self::ZhCn),
            _ => None,
        }
    }

    /// Best match for a browser language such as `zh`, `zh-Hans-CN` or `en-GB`.
    pub fn from_browser(tag: &str) -> Option<Self> {
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Self::ZhCn)
        } else if lower.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }
}

/// The signed-in user as returned by `GET /v1/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub email_verified: bool,
    pub display_name: Option<String>,
    pub locale: Locale,
    pub theme: Theme,
    pub organization: Option<String>,
    /// The profile picture: the signed URL of the one uploaded with `PUT /v1/me/avatar` (valid
    /// for an hour or more; read the account again for a fresh one), or a linked `https://` URL.
    pub avatar_url: Option<String>,
    pub role: Role,
    /// Share this code; sign-ups through it are credited to you.
    pub referral_code: String,
    pub created_at: DateTime<Utc>,
}

/// `PATCH /v1/me`: absent fields stay as they are; `null` clears a nullable field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_line::<{ crate::validate::DISPLAY_NAME_MAX_CHARS }>)
    )]
    pub display_name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_line::<{ crate::validate::ORGANIZATION_MAX_CHARS }>)
    )]
    pub organization: Option<Option<String>>,
    /// Link a profile picture at an `https://` URL, or `null` to remove the picture (either
    /// replaces an uploaded one). Prefer uploading with `PUT /v1/me/avatar`: a linked picture is
    /// fetched from its host by whoever sees it.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_https_url)
    )]
    pub avatar_url: Option<Option<String>>,
}

/// Distinguishes a field sent as `null` (`Some(None)`) from one left out (`None`).
pub(crate) fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// One login session (a device or browser that holds a refresh token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: SessionId,
    /// The browser or client that created the session.
    pub user_agent: Option<String>,
    /// The IP address it last used.
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    /// True for the session making this request.
    pub current: bool,
}

/// What an API key may do beyond reading `GET /v1/me`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ApiKeyScope {
    /// Update the profile (`PATCH /v1/me`).
    #[serde(rename = "profile:write")]
    ProfileWrite,
    /// Read the balance and ledger (`GET /v1/credits…`).
    #[serde(rename = "credits:read")]
    CreditsRead,
    /// Read generations, images, downloads, prompts and live task events.
    #[serde(rename = "generations:read")]
    GenerationsRead,
    /// Start, cancel and delete generations; favourite and delete images; edit prompts.
    #[serde(rename = "generations:write")]
    GenerationsWrite,
    /// Register, change, remove and test webhook endpoints, read their deliveries and the
    /// request secret that signs `webhook_url` events.
    #[serde(rename = "webhooks:write")]
    WebhooksWrite,
}

impl ApiKeyScope {
    /// Every scope that can be granted.
    pub const ALL: [ApiKeyScope; 5] = [
        ApiKeyScope::ProfileWrite,
        ApiKeyScope::CreditsRead,
        ApiKeyScope::GenerationsRead,
        ApiKeyScope::GenerationsWrite,
        ApiKeyScope::WebhooksWrite,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProfileWrite => "profile:write",
            Self::CreditsRead => "credits:read",
            Self::GenerationsRead => "generations:read",
            Self::GenerationsWrite => "generations:write",
            Self::WebhooksWrite => "webhooks:write",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

/// `POST /v1/me/api-keys`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateApiKeyRequest {
    /// A label to recognise the key by (1–64 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<{ crate::validate::API_KEY_NAME_MAX_CHARS }>)
    )]
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<ApiKeyScope>,
    /// When the key stops working (in the future, at most a year ahead); never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Most credits the key may spend in a UTC day (on generations it starts); no cap when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000))]
    pub daily_credit_limit: Option<i64>,
    /// Most credits the key may spend in a UTC calendar month; no cap when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000))]
    pub monthly_credit_limit: Option<i64>,
    /// The models (ids from `GET /v1/models`) the key may generate with; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub allowed_models: Option<Vec<String>>,
}

/// Most models an API key may be limited to.
pub const MAX_KEY_MODELS: usize = 50;
/// Highest credit cap of an API key.
pub const MAX_KEY_CREDIT_LIMIT: i64 = 1_000_000_000;
/// Furthest ahead an API key may expire, in days.
pub const MAX_KEY_LIFETIME_DAYS: i64 = 366;

/// What an API key has done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyUsage {
    /// Requests it authenticated (counted by each server and recorded with `last_used_at`, so
    /// the last minute's may not show yet).
    pub requests: i64,
    /// Credits of the generations it started today (UTC), held ones included, refunds not.
    pub credits_today: i64,
    /// The same for this calendar month (UTC).
    pub credits_this_month: i64,
    /// The same since it was made.
    pub credits_total: i64,
}

/// An API key as listed (the secret is never shown again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyInfo {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<ApiKeyScope>,
    pub created_at: DateTime<Utc>,
    /// When the key last authenticated a request, to the minute (it is recorded at most once a
    /// minute); null until its first use.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub daily_credit_limit: Option<i64>,
    pub monthly_credit_limit: Option<i64>,
    pub allowed_models: Option<Vec<String>>,
    pub usage: ApiKeyUsage,
}

/// Returned once, when a key is created.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyCreated {
    /// The full secret: store it now, it cannot be shown again.
    pub secret: String,
    pub key: ApiKeyInfo,
}

/// `GET /v1/me/identities`: the ways this account signs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInMethods {
    /// The account has a password (accounts made at a provider have none until one is set
    /// through "forgot password").
    pub password: bool,
    /// Identities at providers the account signs in with.
    pub identities: Vec<Identity>,
    /// Providers this installation offers that are not linked yet.
    pub available: Vec<crate::auth::SsoProviderInfo>,
}

/// An account at an identity provider, linked to this account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    pub id: IdentityId,
    /// The provider's id and name (a provider the operator has since removed keeps its id).
    pub provider: String,
    pub provider_name: String,
    /// What the provider said at the last sign-in.
    pub email: Option<String>,
    pub username: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Most passkeys an account keeps.
pub const MAX_PASSKEYS: usize = 20;
/// Longest name of a passkey, in characters.
pub const PASSKEY_NAME_MAX: usize = 64;

/// A passkey the account signs in with: only its public half is stored here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Passkey {
    pub id: PasskeyId,
    /// The owner's name for it ("MacBook", "YubiKey 5").
    pub name: String,
    /// The passkey is synced between devices by its provider (iCloud Keychain, Google Password
    /// Manager, a password manager) rather than bound to one device or key.
    pub backed_up: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// `GET /v1/me/passkeys`: the account's passkeys, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyList {
    pub items: Vec<Passkey>,
    /// How many passkeys an account may keep.
    pub limit: u32,
    /// Whether this installation offers passkeys at all (its public address must be HTTPS or
    /// `localhost`, and a name rather than an IP address).
    pub available: bool,
}

/// `POST /v1/me/passkey-options`: start adding a passkey.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"password": "correct horse battery staple"})))]
pub struct PasskeyOptionsRequest {
    /// The account's password, when it has one: a new way in is as sensitive as a new password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub password: Option<String>,
}

/// `POST /v1/me/passkeys`: finish adding a passkey with what the authenticator made.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyCreateRequest {
    /// `ceremony` from `POST /v1/me/passkey-options`.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub ceremony: String,
    /// A name to tell it from the others (1–64 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<PASSKEY_NAME_MAX>)
    )]
    pub name: String,
    /// The `PublicKeyCredential` from `navigator.credentials.create()`, as its `toJSON()` gives
    /// it (WebAuthn Level 3 `RegistrationResponseJSON`: binary fields in base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// `POST /v1/me/two-factor/passkey`: confirm it is you with a passkey instead of a code, before
/// a sensitive action.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyStepUpRequest {
    /// `ceremony` from `POST /v1/me/two-factor/passkey-options`.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub ceremony: String,
    /// The `PublicKeyCredential` from `navigator.credentials.get()`, as its `toJSON()` gives it
    /// (WebAuthn Level 3 `AuthenticationResponseJSON`: binary fields in base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// `PATCH /v1/me/passkeys/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Work laptop"})))]
pub struct PasskeyUpdateRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<PASSKEY_NAME_MAX>)
    )]
    pub name: String,
}

/// `GET /v1/me/two-factor`: whether sign-in asks for a second factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorStatus {
    /// An authenticator app is confirmed: sign-in asks for its code.
    pub enabled: bool,
    /// When it was turned on.
    pub enabled_at: Option<DateTime<Utc>>,
    /// Recovery codes not used yet (each works once, instead of a code from the app).
    pub recovery_codes_left: i64,
}

/// `POST /v1/me/two-factor/totp`: the new secret, shown once. Add it to an authenticator app
/// (scan `otpauth_uri` as a QR code, or type `secret`), then confirm with a code it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// The shared secret, base32 (RFC 4648, no padding).
    pub secret: String,
    /// `otpauth://totp/…` (SHA-1, 6 digits, 30 s), for a QR code.
    pub otpauth_uri: String,
}

/// A code from the authenticator app, or an unused recovery code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"code": "123456"})))]
pub struct SecondFactorCode {
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub code: String,
}

/// New recovery codes, shown once: each signs in once instead of a code from the app. Keep them
/// somewhere safe, away from the device with the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}
