//! Support tickets: a conversation between a customer and the support team.

use serde::{Deserialize, Serialize};

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for support.
    Open,
    /// Support replied; waiting for the customer.
    Answered,
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Answered, Self::Closed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// `POST /v1/support/tickets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// 1–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<MAX_SUBJECT_CHARS>)
    )]
    pub subject: String,
    /// 1–10,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::text_block::<MAX_MESSAGE_CHARS>)
    )]
    pub body: String,
    /// One of your generation tasks this is about.
    #[serde(default)]
    pub task_id: Option<uuid::Uuid>,
}

/// `POST /v1/support/tickets/{id}/messages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketReply {
    /// 1–10,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::text_block::<MAX_MESSAGE_CHARS>)
    )]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketMessage {
    pub id: uuid::Uuid,
    /// Written by the support team (else by the customer).
    pub from_staff: bool,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: uuid::Uuid,
    /// Short reference to quote, e.g. `T-3F9A1C2B`.
    pub number: String,
    pub subject: String,
    pub status: TicketStatus,
    pub task_id: Option<uuid::Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The customer's e-mail address (administrators' views only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// The conversation, oldest first (on single-ticket reads; empty in lists).
    #[serde(default)]
    pub messages: Vec<TicketMessage>,
}
