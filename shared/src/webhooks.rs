//! Outgoing webhooks: endpoints you register and the events we deliver to them.

use serde::{Deserialize, Serialize};

/// Events an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEvent {
    /// A generation finished with its images (`data`: task id, model, images, credits charged).
    #[serde(rename = "generation.succeeded")]
    GenerationSucceeded,
    /// A generation failed (`data`: task id, model, reason, credits returned).
    #[serde(rename = "generation.failed")]
    GenerationFailed,
    /// Your available credits fell below the low-balance threshold (`data`: available, threshold).
    #[serde(rename = "credits.low")]
    CreditsLow,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 3] = [
        WebhookEvent::GenerationSucceeded,
        WebhookEvent::GenerationFailed,
        WebhookEvent::CreditsLow,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GenerationSucceeded => "generation.succeeded",
            Self::GenerationFailed => "generation.failed",
            Self::CreditsLow => "credits.low",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// A registered endpoint (`GET /v1/me/webhooks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: uuid::Uuid,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    /// Why it was turned off automatically (the receiver answered 410 Gone), if it was.
    pub disabled_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The answer to creating an endpoint: the signing secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookCreated {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks, scheme `v1`).
    pub secret: String,
}

/// Longest endpoint URL.
pub const MAX_URL_CHARS: usize = 2000;
/// Longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// `POST /v1/me/webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where to POST events: `https://`, on a public address.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "^https://"))]
    pub url: String,
    /// At least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub events: Vec<WebhookEvent>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_line::<{ MAX_DESCRIPTION_CHARS }>)
    )]
    pub description: Option<String>,
}

/// `PATCH /v1/me/webhooks/{id}`: absent fields stay; `description: null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<WebhookEvent>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(
        default,
        deserialize_with = "crate::account::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_line::<{ MAX_DESCRIPTION_CHARS }>)
    )]
    pub description: Option<Option<String>>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; `next_attempt_at` says when it is tried (again).
    Pending,
    Succeeded,
    /// Given up after the last retry (or the endpoint was disabled).
    Failed,
}

/// One event sent (or being sent) to an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: uuid::Uuid,
    /// The `webhook-id` header: the same on every attempt.
    pub message_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The JSON body sent.
    pub payload: serde_json::Value,
}
