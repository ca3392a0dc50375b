//! `ApiError`: every failure a client can see, rendered as RFC 9457 problem+json.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use std::fmt;
use zimage_shared::validate::Invalid;
use zimage_shared::{ErrorCode, FieldErrors, Problem};

use crate::config::RateLimit;
use crate::request_id;

/// The error type of every handler and domain function that a request reaches.
pub struct ApiError {
    code: ErrorCode,
    detail: String,
    errors: Option<FieldErrors>,
    rate_limit: Option<(RateLimit, u64)>,
    /// Seconds after which the same request may succeed (`Retry-After`).
    retry_after: Option<u64>,
    /// The cause of a 5xx: logged with the request id, never sent.
    source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: None,
            rate_limit: None,
            retry_after: None,
            source: None,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    /// A 422 with messages per field.
    pub fn validation(errors: FieldErrors) -> Self {
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        let detail = format!("invalid input in: {}", fields.join(", "));
        Self {
            errors: Some(errors),
            ..Self::new(ErrorCode::ValidationFailed, detail)
        }
    }

    /// A 422 `unsupported_parameter`: settings the chosen model cannot honour, per field.
    pub fn unsupported(errors: FieldErrors) -> Self {
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        let detail = format!(
            "the model cannot honour: {}; nothing was charged",
            fields.join(", ")
        );
        Self {
            errors: Some(errors),
            ..Self::new(ErrorCode::UnsupportedParameter, detail)
        }
    }

    /// A 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(FieldErrors::from([(
            field.to_string(),
            vec![message.into()],
        )]))
    }

    /// A 429 for `limit`, whose window resets in `reset_secs`.
    pub fn rate_limited(limit: RateLimit, reset_secs: u64) -> Self {
        Self {
            rate_limit: Some((limit, reset_secs)),
            ..Self::new(
                ErrorCode::RateLimited,
                format!("too many requests; try again in {reset_secs} seconds"),
            )
        }
    }

    /// An unexpected failure: the client sees a generic 500, the log sees `cause`.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            source: Some(cause.into()),
            ..Self::new(ErrorCode::Internal, "an unexpected error occurred")
        }
    }

    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            source: Some(cause.into()),
            ..Self::new(
                ErrorCode::ServiceUnavailable,
                "a required service is unavailable; try again shortly",
            )
        }
    }

    /// Tells the client when the same request may succeed (`Retry-After`).
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    /// Replaces the human-readable detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Builds the problem body for this error.
    pub fn problem(&self, request_id: Option<String>) -> Problem {
        let status = status_of(self.code);
        Problem {
            type_uri: format!("urn:zimage:problem:{}", self.code.as_str()),
            title: title_of(self.code).to_string(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
            request_id,
        }
    }
}

/// Collects field errors so a handler can report all of them at once.
#[derive(Default)]
pub struct Validator(FieldErrors);

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `field`'s error, if any, and returns the valid value.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.add(field, invalid.message());
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_default()
            .push(message.into());
    }

    /// `Err` with every recorded message, or `Ok` when there were none.
    pub fn finish(self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::ValidationFailed | C::UnsupportedParameter => StatusCode::UNPROCESSABLE_ENTITY,
        C::MalformedJson | C::InvalidQuery | C::InvalidPathParameter | C::InvalidToken => {
            StatusCode::BAD_REQUEST
        }
        C::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        C::NotFound => StatusCode::NOT_FOUND,
        C::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        C::Unauthorized | C::InvalidCredentials | C::TokenExpired | C::RefreshTokenReused => {
            StatusCode::UNAUTHORIZED
        }
        // Not 401: the caller's credentials are fine (or, signing in, the password was), and
        // clients take a 401 as a sign to renew their token.
        C::InvalidCode | C::ChallengeEnded | C::SecondFactorRequired | C::PasskeyRejected => {
            StatusCode::FORBIDDEN
        }
        C::EmailTaken | C::LimitReached | C::HoldResolved => StatusCode::CONFLICT,
        C::InsufficientCredits => StatusCode::PAYMENT_REQUIRED,
        C::PaymentsNotConfigured => StatusCode::CONFLICT,
        C::PaymentProviderError => StatusCode::BAD_GATEWAY,
        C::AlreadySubscribed => StatusCode::CONFLICT,
        C::EventDeferred => StatusCode::SERVICE_UNAVAILABLE,
        C::InvalidSignature => StatusCode::BAD_REQUEST,
        C::IdempotencyKeyReused | C::PromptRejected => StatusCode::UNPROCESSABLE_ENTITY,
        C::TaskFinished => StatusCode::CONFLICT,
        C::EmailNotVerified
        | C::Forbidden
        | C::InsufficientScope
        | C::InvitationRequired
        | C::PasswordSignupDisabled => StatusCode::FORBIDDEN,
        C::RateLimited | C::SpendLimitReached => StatusCode::TOO_MANY_REQUESTS,
        C::AccountDisabled | C::ErasurePending => StatusCode::FORBIDDEN,
        C::RequestInProgress | C::Conflict => StatusCode::CONFLICT,
        C::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        C::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn title_of(code: ErrorCode) -> &'static str {
    use ErrorCode as C;
    match code {
        C::ValidationFailed => "Invalid input",
        C::UnsupportedParameter => "Setting not supported by this model",
        C::MalformedJson => "Malformed JSON",
        C::UnsupportedMediaType => "Unsupported media type",
        C::PayloadTooLarge => "Payload too large",
        C::RequestTimeout => "Request timeout",
        C::InvalidQuery => "Invalid query string",
        C::InvalidPathParameter => "Invalid path parameter",
        C::NotFound => "Not found",
        C::MethodNotAllowed => "Method not allowed",
        C::Unauthorized => "Authentication required",
        C::InvalidCredentials => "Invalid credentials",
        C::InvalidCode => "Invalid code",
        C::ChallengeEnded => "Sign-in challenge ended",
        C::PasskeyRejected => "Passkey refused",
        C::SecondFactorRequired => "Second factor required",
        C::TokenExpired => "Token expired",
        C::RefreshTokenReused => "Refresh token reused",
        C::InvalidToken => "Invalid or expired token",
        C::EmailTaken => "E-mail already registered",
        C::EmailNotVerified => "E-mail not verified",
        C::InvitationRequired => "Invitation required",
        C::PasswordSignupDisabled => "Password sign-up disabled",
        C::Forbidden => "Forbidden",
        C::InsufficientScope => "Insufficient scope",
        C::LimitReached => "Limit reached",
        C::SpendLimitReached => "Spend limit reached",
        C::InsufficientCredits => "Insufficient credits",
        C::HoldResolved => "Hold already resolved",
        C::PaymentsNotConfigured => "Payments not configured",
        C::PaymentProviderError => "Payment provider error",
        C::AlreadySubscribed => "Already subscribed",
        C::EventDeferred => "Event deferred",
        C::InvalidSignature => "Invalid signature",
        C::IdempotencyKeyReused => "Idempotency key reused",
        C::PromptRejected => "Prompt rejected",
        C::TaskFinished => "Task already finished",
        C::RateLimited => "Too many requests",
        C::AccountDisabled => "Account disabled",
        C::ErasurePending => "Account scheduled for deletion",
        C::RequestInProgress => "Request already in progress",
        C::Conflict => "Conflict",
        C::ServiceUnavailable => "Service unavailable",
        C::Internal => "Internal server error",
    }
}

/// The `WWW-Authenticate` challenge (RFC 9110 § 11.6.1, RFC 6750 § 3) of a 401, and of a 403 for
/// a missing scope, so generic HTTP and OAuth clients know to (re)authenticate.
fn challenge(code: ErrorCode) -> Option<&'static str> {
    use ErrorCode as C;
    match code {
        C::Unauthorized | C::InvalidCredentials => Some(r#"Bearer realm="zimage""#),
        C::TokenExpired => Some(
            r#"Bearer realm="zimage", error="invalid_token", error_description="the access token expired""#,
        ),
        C::RefreshTokenReused => Some(
            r#"Bearer realm="zimage", error="invalid_token", error_description="the session was revoked""#,
        ),
        C::InsufficientScope => Some(r#"Bearer realm="zimage", error="insufficient_scope""#),
        _ => None,
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)?;
        if let Some(source) = &self.source {
            write!(f, " (cause: {source:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code)
    }

    fn error_response(&self) -> HttpResponse {
        let request_id = request_id::current();
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), error = ?self, "request failed");
        }
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some((limit, reset)) = self.rate_limit {
            response.insert_header((header::RETRY_AFTER, reset.to_string()));
            let spent = crate::rate_limit::Quota {
                limit,
                remaining: 0,
                reset,
            };
            for header in spent.headers() {
                response.insert_header(header);
            }
        }
        if let Some(secs) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(challenge) = challenge(self.code) {
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE && self.retry_after.is_none() {
            // Overload and lost dependencies pass quickly; tell clients when to come back (unless
            // the error said when).
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        response.json(self.problem(request_id))
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            // The database went away under us: a retry soon is the right answer, not a 500.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | Error::BrokenTransactionManager => Self::unavailable(err),
            // Text with NUL characters, which PostgreSQL cannot store, in any field a handler
            // did not check itself: the client's mistake, not ours.
            Error::DatabaseError(_, ref info)
                if info
                    .message()
                    .starts_with("invalid byte sequence for encoding") =>
            {
                Self::new(
                    ErrorCode::ValidationFailed,
                    "text fields cannot contain NUL (\\u0000) characters",
                )
            }
            other => Self::internal(other),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::unavailable(err)
    }
}
