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
