//! Operator views: the audit log, dashboards, queues.

use serde::{Deserialize, Serialize};

/// One administrator action (`GET /v1/admin/audit-log`). Entries are never changed or removed,
/// except that an erased person's id is replaced by their pseudonym.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// The administrator's user id (or pseudonym once erased).
    pub actor_id: String,
    /// The administrator's e-mail address, while the account exists.
    pub actor_email: Option<String>,
    /// e.g. `credits.adjusted`, `user.disabled`, `task.refunded`, `moderation_rule.created`.
    pub action: String,
    /// `user`, `task`, `moderation_rule`, `support_ticket`, `privacy_request`, …
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One account as administrators see it (`GET /v1/admin/users/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserDetail {
    pub user: crate::account::User,
    /// Switched off, and why (`admin` or `erasure`).
    pub disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub disabled_reason: Option<String>,
    /// The owner restricted processing (their data stays out of analytics and marketing).
    pub restricted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The owner objected to processing.
    pub objected_at: Option<chrono::DateTime<chrono::Utc>>,
    pub balance: crate::credits::CreditBalance,
    pub tasks: i64,
    pub images: i64,
    pub sessions: Vec<crate::account::SessionInfo>,
}

/// Body of `POST /v1/admin/users/{id}/disable` and `POST /v1/admin/tasks/{id}/refund`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminReason {
    /// Why (kept in the audit log; 1–500 characters).
    pub reason: String,
}

/// A generation task with what operators need to investigate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminTask {
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub user_email: String,
    pub model: String,
    pub provider: String,
    pub provider_task_id: Option<String>,
    pub status: crate::generation::TaskStatus,
    pub failure_reason: Option<String>,
    pub failure_message: Option<String>,
    pub prompt: String,
    pub cost: i64,
    pub charged: i64,
    pub refunded: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A prompt that a moderation rule stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationHit {
    pub id: uuid::Uuid,
    pub user_id: Option<uuid::Uuid>,
    pub user_email: Option<String>,
    pub rule_id: Option<uuid::Uuid>,
    pub prompt: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An open data-rights request in the administrators' queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacyQueueItem {
    pub request: crate::privacy::PrivacyRequest,
    pub user_id: Option<uuid::Uuid>,
    pub user_email: Option<String>,
    /// Past its due date and still open.
    pub overdue: bool,
}

/// Failures per provider in the dashboard's period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderStats {
    pub provider: String,
    pub tasks: i64,
    pub failed: i64,
    /// `failed / finished`, 0–1.
    pub failure_rate: f64,
}

/// What the operator lets a generation backend do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackendMode {
    /// Takes new tasks.
    #[default]
    Active,
    /// Takes no new tasks; those it has finish. Tasks no other backend can take wait in the
    /// queue (up to the task timeout), e.g. while a GPU server restarts.
    Draining,
    /// Takes no new tasks; tasks no other backend can take fail at once, refunded.
    Disabled,
}

impl BackendMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Draining => "draining",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "draining" => Some(Self::Draining),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// A generation backend (a configured provider: a ComfyUI pool, sd-server, fal, …) as the admin
/// console shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendHealth {
    pub provider: String,
    pub mode: BackendMode,
    /// The models it serves.
    pub models: Vec<String>,
    /// Its circuit breaker is open in the process that answered: it failed repeatedly and gets
    /// no tasks until it recovers.
    pub resting: bool,
    /// Tasks queued for it alone (tasks of models with several backends wait for whichever
    /// takes them, and are not counted here).
    pub queued: i64,
    /// Tasks it has accepted (or is being sent) and not ended, across all processes.
    pub in_flight: i64,
    /// Its cap on tasks in flight, when it has one.
    pub max_in_flight: Option<i64>,
    /// Tasks it ended in the last hour…
    pub finished_last_hour: i64,
    /// …and those that failed on its side (unavailable, timed out, failed to generate, unusable
    /// output; not prompts it refused or tasks people cancelled).
    pub failed_last_hour: i64,
    /// `failed_last_hour / finished_last_hour`, 0–1.
    pub error_rate: f64,
    /// Seconds from start to end of its successful tasks in the last hour: the median…
    pub latency_p50_secs: Option<f64>,
    /// …and the 95th percentile.
    pub latency_p95_secs: Option<f64>,
}

/// `PUT /v1/admin/backends/{provider}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetBackendMode {
    pub mode: BackendMode,
}

/// Money received and kept in one currency (packs and paid subscription invoices, less what was
/// refunded), in the currency's smallest unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revenue {
    pub currency: String,
    pub amount_cents: i64,
}

/// `GET /v1/admin/dashboard`: the period's figures. Usage figures leave out accounts that
/// restricted or objected to processing; money figures are bookkeeping and count everyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    pub signups: i64,
    pub generations: i64,
    pub generations_failed: i64,
    pub providers: Vec<ProviderStats>,
    pub credits_sold: i64,
    pub credits_spent: i64,
    pub revenue: Vec<Revenue>,
    /// Accounts left out of the usage figures.
    pub excluded_accounts: i64,
    /// Refunds Stripe reported that have matched no payment here for more than a day (at most
    /// 50, oldest first): made outside this platform, or for a payment it never recorded. They
    /// are dropped after 90 days.
    pub unmatched_refunds: Vec<UnmatchedRefund>,
}

/// A refund that matches no payment recorded here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnmatchedRefund {
    pub payment_intent: String,
    /// In the currency's smallest unit.
    pub amount_refunded: i64,
    pub currency: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /v1/admin/announcements`: a marketing e-mail to everyone who opted in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    /// 1–150 characters.
    pub subject: String,
    /// Plain text, 1–5,000 characters.
    pub body: String,
}

/// How many received an announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnouncementSent {
    pub recipients: i64,
}

/// Body of `POST /v1/admin/invitations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    /// Only this address may use the invitation; it is also mailed the link.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: Option<String>,
    /// A note for administrators (who it is for, or why); up to 200 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub note: Option<String>,
    /// Days until the link stops working, 1–90 (default 7).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub expires_in_days: Option<u32>,
    /// How many accounts may sign up with it, 1–1,000 (default 1; 1 when bound to an address).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_uses: Option<u32>,
}

/// An invitation as administrators see it (`GET /v1/admin/invitations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: uuid::Uuid,
    pub email: Option<String>,
    pub note: Option<String>,
    pub max_uses: i32,
    /// Accounts created with it so far.
    pub uses: i32,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `active`, `used_up`, `expired` or `revoked`.
    pub status: InvitationStatus,
    /// The administrator who made it, while their account exists.
    pub created_by_email: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Whether an invitation can still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Active,
    UsedUp,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::UsedUp => "used_up",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// `201` answer of `POST /v1/admin/invitations`: the link is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationCreated {
    pub invitation: Invitation,
    /// The sign-up link carrying the invitation; only its SHA-256 is kept.
    pub link: String,
    /// Whether the link was mailed to `email`.
    pub mailed: bool,
}
