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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consents {
    /// News and offers by e-mail (transactional mail is always sent).
    pub marketing_email: bool,
    /// Anonymous product usage statistics.
    pub product_analytics: bool,
}
