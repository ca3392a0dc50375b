//! Outgoing webhooks: endpoints you register and the events we deliver to them.

use serde::{Deserialize, Serialize};

/// Events an endpoint can subscribe to. New events may be added within `v1`: ignore the ones you
/// do not know (and `webhook.test`, sent by `POST /v1/me/webhooks/{id}/test`).
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

/// The body of every delivery (Standard Webhooks): the event's `type`, when it happened, and its
/// `data`. Verify the `webhook-signature` header over the raw body before reading it. (The
/// OpenAPI document's `webhooks` section describes one per event.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookPayload<T> {
    /// `generation.succeeded`, `generation.failed`, `credits.low` (or `webhook.test`).
    #[serde(rename = "type")]
    pub event_type: String,
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub data: T,
}

/// `generation.succeeded`: a task finished with its images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationSucceededData {
    pub task_id: uuid::Uuid,
    pub model: String,
    /// Credits spent (fewer than the task's cost when fewer images came back than asked for).
    pub charged: i64,
    pub images: Vec<WebhookImage>,
    /// The task's `metadata`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::validate::schema::metadata))]
    pub metadata: Option<crate::generation::Metadata>,
}

/// An image in a `generation.succeeded` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookImage {
    pub id: uuid::Uuid,
    pub width: u32,
    pub height: u32,
    pub format: crate::generation::OutputFormat,
    /// The file, absolute and signed: it works without a token for 24 hours from the event.
    /// Later, `GET /v1/images/{id}` gives a fresh one.
    pub url: String,
}

/// `generation.failed`: a task failed; its credits came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationFailedData {
    pub task_id: uuid::Uuid,
    pub model: String,
    /// A stable reason code (`provider_unavailable`, `generation_failed`, `timed_out`, …).
    pub reason: Option<String>,
    pub message: String,
    /// Credits returned: the whole cost.
    pub refunded: i64,
    /// The task's `metadata`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::validate::schema::metadata))]
    pub metadata: Option<crate::generation::Metadata>,
}

/// `credits.low`: your available credits fell below the low-balance line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditsLowData {
    pub available: i64,
    pub threshold: i64,
}

/// The account's request secret (`GET /v1/me/webhook-secret`): it signs the events sent
/// to the `webhook_url` of your generation requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestSecret {
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks, scheme `v1`).
    pub secret: String,
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
#[cfg_attr(feature = "openapi", schema(example = json!({
    "url": "https://hooks.example.com/zimage",
    "events": ["generation.succeeded", "generation.failed"], "description": "Order pipeline"
})))]
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
