//! Security events and consents: what the owner can see and decide about their account.

use serde::{Deserialize, Serialize};

/// Something that happened to the account's security (`GET /v1/me/security-events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityEvent {
    pub id: uuid::Uuid,
    /// `login`, `password.changed`, `password.reset`, `session.revoked`, `api_key.created`,
    /// `api_key.revoked`, `webhook.created`, `consent.changed`.
    pub kind: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Extra facts (e.g. `{"new_device": true}`, the key's name, the consents set).
    pub detail: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Optional uses of your data (`GET/PUT /v1/me/consents`); both off unless you turn them on.
/// Each answer is kept with its time; a change (given or withdrawn) is also logged as a security
/// event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consents {
    /// News and offers by e-mail (transactional mail is always sent).
    pub marketing_email: bool,
    /// Anonymous product usage statistics.
    pub product_analytics: bool,
    /// When you last answered (absent until you have): apps ask once per account, not once per
    /// browser. Read-only: ignored when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a data-rights request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrivacyRequestKind {
    /// A copy of everything we hold about you, as a ZIP (access and portability).
    Export,
    /// Delete the account and everything in it (payment records are kept, pseudonymised).
    Erasure,
    /// Keep the data but stop using it for anything but the service itself.
    Restriction,
    /// Object to analytics and marketing use of your data.
    Objection,
}

impl PrivacyRequestKind {
    pub const ALL: [Self; 4] = [
        Self::Export,
        Self::Erasure,
        Self::Restriction,
        Self::Objection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Erasure => "erasure",
            Self::Restriction => "restriction",
            Self::Objection => "objection",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Where a data-rights request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrivacyRequestStatus {
    /// Erasure: waiting for the link in the e-mail we sent.
    AwaitingConfirmation,
    /// Export: queued.
    Pending,
    /// Export: being built.
    Processing,
    /// Erasure: confirmed; the account is off and will be deleted at `purge_after`.
    Scheduled,
    Completed,
    Canceled,
    Failed,
    /// Export: the archive was deleted after its 7 days.
    Expired,
}

impl PrivacyRequestStatus {
    pub const ALL: [Self; 8] = [
        Self::AwaitingConfirmation,
        Self::Pending,
        Self::Processing,
        Self::Scheduled,
        Self::Completed,
        Self::Canceled,
        Self::Failed,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingConfirmation => "awaiting_confirmation",
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Scheduled => "scheduled",
            Self::Completed => "completed",
            Self::Canceled => "canceled",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Still being worked on (counts against the 30-day deadline).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::AwaitingConfirmation | Self::Pending | Self::Processing | Self::Scheduled
        )
    }
}

/// Body of `POST /v1/privacy/requests`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePrivacyRequest {
    pub kind: PrivacyRequestKind,
    /// Anything you want us to know (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// A data-rights request and its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacyRequest {
    pub id: uuid::Uuid,
    pub kind: PrivacyRequestKind,
    pub status: PrivacyRequestStatus,
    pub note: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// We answer by this time: 30 days after the request arrived.
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Erasure: when the account will be deleted (sign in with `keep_account` before to cancel).
    pub purge_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Export: the archive's size in bytes once built.
    pub archive_bytes: Option<i64>,
    /// Export: a link that downloads the archive without a token, valid for 10 minutes (fetch the
    /// request again for a fresh one).
    pub download_url: Option<String>,
    /// Export: when the archive is deleted.
    pub download_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why the request failed, if it did.
    pub error: Option<String>,
}

/// Body of `POST /v1/privacy/requests/{id}/confirm`: the token from the e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmPrivacyRequest {
    pub token: String,
}

/// Restriction and objection currently in force (`GET /v1/privacy/flags`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacyFlags {
    pub restricted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub objected_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One rule of the published retention schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionRule {
    /// Stable name, e.g. `security_logs`.
    pub id: String,
    /// What data the rule covers.
    pub data: String,
    /// How long it is kept, in days (`null`: as long as the account exists).
    pub days: Option<i64>,
    /// From when the period counts.
    pub counted_from: String,
    /// What happens at the end.
    pub then: String,
}

/// `GET /v1/legal/retention`: how long each kind of data is kept; scheduled jobs enforce it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionSchedule {
    pub rules: Vec<RetentionRule>,
}

/// A legal page (`GET /v1/legal/documents/{name}`), written by the operator in Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalDocument {
    /// `privacy` or `terms`.
    pub name: String,
    /// The first heading.
    pub title: String,
    /// The page as HTML (raw HTML in the Markdown is escaped, not passed through).
    pub html: String,
}
