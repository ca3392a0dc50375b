//! RFC 9457 problem details with a stable machine-readable `code`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → human-readable messages, sent with 422 responses.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

// How `FieldErrors` appear in the OpenAPI document: a named schema rather than `BTreeMap`.
/// What is wrong with the request, per field: each key is a field's path (`prompt`,
/// `parameters.width`, `images[2]`; `body` for the body as a whole), each value its messages.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(
    as = FieldErrors,
    example = json!({"prompt": ["is required"], "parameters.width": ["must be a multiple of 8 from 512 to 2048"]})
)]
#[allow(dead_code)]
struct FieldErrorsSchema(BTreeMap<String, Vec<String>>);

/// Every error code the API can answer with. Clients switch on these, never on `detail`. New codes
/// may be added within `v1`: treat one you do not know by its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// One or more fields failed validation; see `errors`.
    ValidationFailed,
    /// A setting the chosen model cannot honour (see the model's `supports` in `GET /v1/models`);
    /// `errors` names it. Nothing was charged.
    UnsupportedParameter,
    /// The body is not valid JSON.
    MalformedJson,
    /// The request's `Content-Type` is not supported by this endpoint.
    UnsupportedMediaType,
    /// The request body exceeds the size limit.
    PayloadTooLarge,
    /// The request body arrived too slowly (a pause too long, or not all of it in time).
    RequestTimeout,
    /// A query-string parameter is missing or malformed.
    InvalidQuery,
    /// A path parameter is malformed.
    InvalidPathParameter,
    /// No such resource (or it belongs to someone else).
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// No valid credentials were presented.
    Unauthorized,
    /// E-mail or password is wrong.
    InvalidCredentials,
    /// The authenticator code or recovery code is wrong or used already.
    InvalidCode,
    /// The sign-in challenge is unknown, used, expired, or ended after too many wrong codes:
    /// sign in with the password again for a new one.
    ChallengeEnded,
    /// The passkey's answer was refused: it does not verify, belongs to no account here (or not
    /// to this one), or its ceremony is unknown, used or expired. Ask for new options and try
    /// again.
    PasskeyRejected,
    /// The account has two-factor authentication on and this action needs a second factor
    /// proved within the last few minutes: `POST /v1/me/two-factor/verify`, then try again.
    SecondFactorRequired,
    /// The access token has expired; refresh it.
    TokenExpired,
    /// A refresh token was presented twice; the whole session was revoked.
    RefreshTokenReused,
    /// A verification or reset token is unknown, used or expired.
    InvalidToken,
    /// An account with this e-mail already exists.
    EmailTaken,
    /// This action needs a verified e-mail address.
    EmailNotVerified,
    /// Sign-up on this installation is by invitation (or from an allowed e-mail domain), and the
    /// request has neither. Ask an administrator for an invitation link.
    InvitationRequired,
    /// This installation takes new accounts only through its identity providers (the sign-in
    /// buttons), not with an e-mail address and a password.
    PasswordSignupDisabled,
    /// The caller is authenticated but not allowed to do this.
    Forbidden,
    /// The API key lacks the scope this endpoint needs.
    InsufficientScope,
    /// The balance does not cover this; nothing was charged.
    InsufficientCredits,
    /// A credit hold is already settled or released the other way.
    HoldResolved,
    /// This installation takes no payments; an administrator grants credits instead.
    PaymentsNotConfigured,
    /// The payment provider failed or refused the request.
    PaymentProviderError,
    /// The user already has an active subscription.
    AlreadySubscribed,
    /// A payment provider's event cannot be applied yet (what it refers to is not known here
    /// yet); the provider delivers it again later.
    EventDeferred,
    /// A webhook's signature is missing, wrong or too old.
    InvalidSignature,
    /// The prompt matches a moderation rule; nothing was charged.
    PromptRejected,
    /// The same `Idempotency-Key` was sent with a different request.
    IdempotencyKeyReused,
    /// The task has already finished and cannot be canceled.
    TaskFinished,
    /// A per-user limit (e.g. number of API keys) has been reached.
    LimitReached,
    /// The API key's credit cap for the day or month is spent; `Retry-After` says when it
    /// starts over.
    SpendLimitReached,
    /// Too many requests; retry after the `Retry-After` header.
    RateLimited,
    /// The account was switched off (by an administrator, or because its deletion was confirmed).
    AccountDisabled,
    /// The account is scheduled for deletion; sign in with `keep_account: true` to cancel that.
    ErasurePending,
    /// A request of this kind is already open; wait for it to finish.
    RequestInProgress,
    /// The resource is in a state that does not allow this action.
    Conflict,
    /// A dependency (e.g. the database) is unavailable.
    ServiceUnavailable,
    /// An unexpected server error; quote `request_id` when reporting it.
    Internal,
}

impl ErrorCode {
    /// The snake_case wire name of this code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation_failed",
            Self::UnsupportedParameter => "unsupported_parameter",
            Self::MalformedJson => "malformed_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RequestTimeout => "request_timeout",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidPathParameter => "invalid_path_parameter",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidCode => "invalid_code",
            Self::ChallengeEnded => "challenge_ended",
            Self::PasskeyRejected => "passkey_rejected",
            Self::SecondFactorRequired => "second_factor_required",
            Self::TokenExpired => "token_expired",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::InvalidToken => "invalid_token",
            Self::EmailTaken => "email_taken",
            Self::EmailNotVerified => "email_not_verified",
            Self::InvitationRequired => "invitation_required",
            Self::PasswordSignupDisabled => "password_signup_disabled",
            Self::Forbidden => "forbidden",
            Self::InsufficientScope => "insufficient_scope",
            Self::InsufficientCredits => "insufficient_credits",
            Self::HoldResolved => "hold_resolved",
            Self::PaymentsNotConfigured => "payments_not_configured",
            Self::PaymentProviderError => "payment_provider_error",
            Self::AlreadySubscribed => "already_subscribed",
            Self::EventDeferred => "event_deferred",
            Self::InvalidSignature => "invalid_signature",
            Self::PromptRejected => "prompt_rejected",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::TaskFinished => "task_finished",
            Self::LimitReached => "limit_reached",
            Self::SpendLimitReached => "spend_limit_reached",
            Self::RateLimited => "rate_limited",
            Self::AccountDisabled => "account_disabled",
            Self::ErasurePending => "erasure_pending",
            Self::RequestInProgress => "request_in_progress",
            Self::Conflict => "conflict",
            Self::ServiceUnavailable => "service_unavailable",
            Self::Internal => "internal",
        }
    }
}

/// An `application/problem+json` body (RFC 9457) with our extensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type (`urn:zimage:problem:<code>`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Field errors, present on 422 `validation_failed` and `unsupported_parameter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<FieldErrorsSchema>))]
    pub errors: Option<FieldErrors>,
    /// The request id (also in the `x-request-id` header and the server logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
