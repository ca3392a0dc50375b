//! Credit balances, grants and the ledger.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a grant of credits came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GrantSource {
    SignupBonus,
    Purchase,
    Subscription,
    Referral,
    Admin,
    RefundAdjustment,
}

impl GrantSource {
    pub const ALL: [GrantSource; 6] = [
        Self::SignupBonus,
        Self::Purchase,
        Self::Subscription,
        Self::Referral,
        Self::Admin,
        Self::RefundAdjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignupBonus => "signup_bonus",
            Self::Purchase => "purchase",
            Self::Subscription => "subscription",
            Self::Referral => "referral",
            Self::Admin => "admin",
            Self::RefundAdjustment => "refund_adjustment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Credits added.
    Grant,
    /// Credits reserved for a task (available → held).
    Hold,
    /// Reserved credits spent.
    Settle,
    /// Reserved credits returned (failure, cancellation, timeout).
    Release,
    /// Credits that reached their expiry date unspent.
    Expire,
    /// Credits taken back after a refund.
    Clawback,
    /// A correction by an administrator.
    AdminAdjust,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 7] = [
        Self::Grant,
        Self::Hold,
        Self::Settle,
        Self::Release,
        Self::Expire,
        Self::Clawback,
        Self::AdminAdjust,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Hold => "hold",
            Self::Settle => "settle",
            Self::Release => "release",
            Self::Expire => "expire",
            Self::Clawback => "clawback",
            Self::AdminAdjust => "admin_adjust",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A grant with credits left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditGrant {
    pub id: Uuid,
    pub source: GrantSource,
    /// Credits granted.
    pub amount: i64,
    /// Credits not yet spent, held or expired.
    pub remaining: i64,
    /// When the remaining credits expire; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `GET /v1/credits`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditBalance {
    /// `available + held`.
    pub balance: i64,
    /// Credits that can be spent now.
    pub available: i64,
    /// Credits reserved for running tasks.
    pub held: i64,
    /// Grants with credits left, soonest-expiring first (the order they are spent in).
    pub grants: Vec<CreditGrant>,
}

/// One movement of credits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub id: Uuid,
    pub kind: LedgerKind,
    /// Change to the balance (`delta_available + delta_held`).
    pub amount: i64,
    pub delta_available: i64,
    pub delta_held: i64,
    /// Where the credits of a grant came from (and of a clawback or expiry, the grant they
    /// leave); absent for movements of reserved credits and administrators' corrections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<GrantSource>,
    /// Why, in English as the server wrote it (for grants and corrections by an administrator,
    /// the administrator's own words). Clients translating the history can go by `kind` and
    /// `source` instead.
    pub reason: String,
    /// What the movement belongs to (task, order, grant).
    pub reference: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `POST /v1/admin/users/{id}/credits`: a positive amount grants, a negative one debits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminCreditRequest {
    /// Non-zero; at most 1,000,000 either way.
    #[serde(deserialize_with = "crate::wire::integer")]
    #[cfg_attr(feature = "openapi", schema(minimum = -1_000_000, maximum = 1_000_000))]
    pub amount: i64,
    /// Why (kept in the ledger; shown to the user).
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<500>)
    )]
    pub reason: String,
    /// Optional expiry for a positive grant.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}
