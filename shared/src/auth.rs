//! Sign-up, log-in, token and password-recovery payloads.

use crate::account::User;
use serde::{Deserialize, Serialize};

/// `POST /v1/auth/signup`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "ada@example.org", "password": "correct horse battery staple",
    "display_name": "Ada", "locale": "en", "accept_terms": true, "age_confirmed": true
})))]
pub struct SignupRequest {
    /// E-mail address; compared case-insensitively.
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// At least 10 characters, not the e-mail, not a common password.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub password: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_line::<{ crate::validate::DISPLAY_NAME_MAX_CHARS }>)
    )]
    pub display_name: Option<String>,
    /// `en` or `zh-CN`; defaults to `en`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|zh-CN)?$"))]
    pub locale: Option<String>,
    /// Another user's referral code.
    #[serde(default)]
    pub referral_code: Option<String>,
    /// Must be `true`: the terms of service and privacy policy are accepted.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = crate::validate::schema::must_be_true)
    )]
    pub accept_terms: bool,
    /// Must be `true`: the person is at least 13 years old.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = crate::validate::schema::must_be_true)
    )]
    pub age_confirmed: bool,
    /// The token from an invitation link (`/signup?invitation=…`). Needed where sign-up is
    /// invite-only, unless the address is at one of the allowed domains (`GET
    /// /v1/auth/signup-options`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub invitation: Option<String>,
}

/// Who may sign up on this installation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignupMode {
    /// Anyone.
    #[default]
    Open,
    /// People with an invitation, and addresses at the allowed domains.
    Invite,
}

/// `GET /v1/auth/signup-options`: what the sign-up form needs to know before it is filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupOptions {
    pub mode: SignupMode,
    /// With `invite`: addresses at these domains may sign up without an invitation.
    pub allowed_domains: Vec<String>,
    /// The invitation asked about with `?invitation=`, if it can still be used; `null` when none
    /// was asked about or it is unknown, expired, revoked or used up.
    pub invitation: Option<InvitationPreview>,
    /// Whether `POST /v1/auth/signup` takes new accounts with a password; when `false`, new
    /// accounts come only through `providers`.
    pub password_signup: bool,
    /// The identity providers people may sign in and sign up with, as buttons in this order.
    pub providers: Vec<SsoProviderInfo>,
    /// Whether people may sign in with a passkey (`POST /v1/auth/passkey/options`).
    #[serde(default)]
    pub passkeys: bool,
}

/// An identity provider people may sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoProviderInfo {
    /// The operator's id for it, in `/v1/auth/sso/{provider}/…`.
    pub id: String,
    /// What the button says: "Continue with {name}".
    pub name: String,
    /// `oidc` (OpenID Connect) or `github`.
    pub kind: SsoKind,
}

/// How an identity provider is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SsoKind {
    Oidc,
    Github,
}

/// `POST /v1/auth/sso/{provider}/start`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoStartRequest {
    /// A path on this site to land on after signing in (default `/create`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = "^/"))]
    pub return_to: Option<String>,
    /// The token of an invitation link, for sign-ups where sign-up is invite-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub invitation: Option<String>,
    /// Suggests the account to the provider (its `login_hint`; GitHub's `login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub login_hint: Option<String>,
}

/// `POST /v1/me/identities`: connect a provider to the signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"provider": "google", "password": "correct horse battery staple"})))]
pub struct IdentityLinkRequest {
    /// A provider id from `GET /v1/me/identities` (`available`).
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub provider: String,
    /// The account's password, when it has one: a new way in is as sensitive as a new password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub password: Option<String>,
    /// Suggests the account to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub login_hint: Option<String>,
}

/// Where to send the browser to sign in at the provider. The answer also sets a cookie that
/// binds the sign-in to this browser: the way back works only in the browser that started it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoStart {
    pub authorization_url: String,
}

/// `POST /v1/auth/sso/signup/details`: the account a sign-in at a provider would create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoSignupDetails {
    /// The provider's id and name.
    pub provider: String,
    pub provider_name: String,
    /// The address the provider confirmed; the account's address.
    pub email: String,
    /// The name the provider gave, as a suggestion.
    pub display_name: Option<String>,
    /// When this offer ends (sign in at the provider again after).
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /v1/auth/sso/signup`: creates the account a sign-in at a provider offered, once the
/// person confirmed their age and accepted the terms.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoSignupRequest {
    /// The token the way back from the provider put in the page address
    /// (`/signup/finish#token=…`).
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub token: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_line::<{ crate::validate::DISPLAY_NAME_MAX_CHARS }>)
    )]
    pub display_name: Option<String>,
    /// `en` or `zh-CN`; defaults to `en`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|zh-CN)?$"))]
    pub locale: Option<String>,
    /// Another user's referral code.
    #[serde(default)]
    pub referral_code: Option<String>,
    /// Must be `true`: the terms of service and privacy policy are accepted.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = crate::validate::schema::must_be_true)
    )]
    pub accept_terms: bool,
    /// Must be `true`: the person is at least 13 years old.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, schema_with = crate::validate::schema::must_be_true)
    )]
    pub age_confirmed: bool,
}

/// What the holder of an invitation link may know about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    /// Only this address may sign up with it, when set.
    pub email: Option<String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "ada@example.org", "password": "correct horse battery staple"
})))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Cancels a confirmed account deletion that is still in its grace period (otherwise such a
    /// sign-in answers 403 `erasure_pending`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_account: bool,
}

/// Issued on log-in and refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    /// Single-use token for `POST /v1/auth/refresh`; also set as an HttpOnly cookie.
    pub refresh_token: String,
    pub user: User,
}

/// `POST /v1/auth/refresh`; browsers may omit the body and rely on the cookie.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// `POST /v1/auth/logout`; browsers may omit the body and rely on the cookie.
pub type LogoutRequest = RefreshRequest;

/// A single-use token received by e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRequest {
    pub token: String,
}

/// An e-mail address, for requests that must not reveal whether it is registered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailRequest {
    pub email: String,
}

/// `POST /v1/auth/password/reset`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPasswordRequest {
    pub token: String,
    pub new_password: String,
}

/// `POST /v1/me/password`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
    /// Also revoke every API key and pause every webhook endpoint (as a password reset does):
    /// for when someone else may have known the old password.
    #[serde(default)]
    pub lock_down: bool,
}

/// A plain acknowledgement for requests that change state but return nothing else.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accepted {
    /// Human-readable outcome.
    pub message: String,
}

/// `202` from `POST /v1/auth/login` when the account has two-factor authentication on: the
/// password was right, and the sign-in ends with `POST /v1/auth/login/second-factor`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorChallenge {
    /// Single-use token naming this sign-in attempt, for the second step.
    pub challenge: String,
    /// Seconds the challenge stays valid.
    pub expires_in: i64,
    /// What the second step accepts: `totp` (a code from the authenticator app),
    /// `recovery_code`, and `passkey` when the account has one (`POST /v1/auth/passkey/options`
    /// with this challenge).
    pub methods: Vec<String>,
}

/// `POST /v1/auth/login/second-factor`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "challenge": "q3L9…", "code": "123456"
})))]
pub struct SecondFactorRequest {
    /// From the `202` answer of `POST /v1/auth/login`.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub challenge: String,
    /// The 6-digit code the authenticator app shows, or an unused recovery code
    /// (`xxxx-xxxx-xxxx`; case, spaces and dashes do not matter).
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub code: String,
}

/// What the browser needs for a WebAuthn ceremony (adding a passkey, or signing in with one).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyOptions {
    /// Names this ceremony in the request that finishes it; it works once, within `expires_in`.
    pub ceremony: String,
    /// Seconds the ceremony stays open.
    pub expires_in: i64,
    /// WebAuthn Level 3 `PublicKeyCredentialCreationOptionsJSON` (adding) or
    /// `PublicKeyCredentialRequestOptionsJSON` (signing in): give it to
    /// `PublicKeyCredential.parseCreationOptionsFromJSON()` or `parseRequestOptionsFromJSON()`,
    /// then to `navigator.credentials.create()` or `get()` as `publicKey`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_key: serde_json::Value,
}

/// `POST /v1/auth/passkey/options`: start signing in with a passkey.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeySignInOptionsRequest {
    /// The challenge from the `202` answer of `POST /v1/auth/login`, when the passkey is the
    /// second step after a password; leave it out to sign in with a passkey alone (the browser
    /// offers the passkeys it has for this site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub challenge: Option<String>,
}

/// `POST /v1/auth/passkey`: finish signing in with a passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeySignInRequest {
    /// `ceremony` from `POST /v1/auth/passkey/options`.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub ceremony: String,
    /// The `PublicKeyCredential` from `navigator.credentials.get()`, as its `toJSON()` gives it
    /// (WebAuthn Level 3 `AuthenticationResponseJSON`: binary fields in base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// The same challenge as for the options, when the passkey is the second step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub challenge: Option<String>,
    /// Cancel a scheduled deletion of the account and keep it (as with a password sign-in).
    #[serde(default)]
    pub keep_account: bool,
}

/// `POST /v1/me/email`: move the account to another address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"new_email": "ada@new.example", "password": "correct horse battery staple"})))]
pub struct ChangeEmailRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub new_email: String,
    /// The account's current password.
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub password: String,
}

/// A change of address waiting for its confirmation from the new address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailChangePending {
    pub new_email: String,
    /// When the link sent to the new address stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
