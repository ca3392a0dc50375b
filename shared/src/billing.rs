//! Credit packs, subscription plans, checkout, orders and subscriptions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A one-off pack or a recurring plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    Pack,
    Plan,
}

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pack => "pack",
            Self::Plan => "plan",
        }
    }
}

/// Something that can be bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: String,
    pub kind: ProductKind,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Credits per purchase (packs) or per billing period (plans).
    pub credits: i64,
    /// Price in the currency's smallest unit (cents).
    pub price_cents: i64,
    /// ISO 4217, lower case (`usd`).
    pub currency: String,
    /// Billing period of a plan (`month` or `year`); absent for packs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// `GET /v1/billing/catalog`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalog {
    /// False when this installation takes no payments (credits come from administrators).
    pub payments_enabled: bool,
    pub packs: Vec<Product>,
    pub plans: Vec<Product>,
}

/// `POST /v1/billing/checkout`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutRequest {
    pub product_id: String,
}

/// Where to send the buyer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutResponse {
    /// The Stripe Checkout page.
    pub checkout_url: String,
    pub session_id: String,
    /// Our order number, shown on receipts.
    pub order_number: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Checkout started, not paid yet.
    Created,
    Paid,
    /// The payment failed.
    Failed,
    /// Checkout was abandoned.
    Expired,
    Refunded,
}

impl OrderStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created" => Some(Self::Created),
            "paid" => Some(Self::Paid),
            "failed" => Some(Self::Failed),
            "expired" => Some(Self::Expired),
            "refunded" => Some(Self::Refunded),
            _ => None,
        }
    }
}

/// A purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub number: String,
    pub product_id: String,
    pub kind: ProductKind,
    pub credits: i64,
    pub amount_cents: i64,
    pub currency: String,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// Stripe's receipt or invoice page, once paid.
    pub receipt_url: Option<String>,
}

/// A subscription to a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub plan_id: String,
    /// Stripe's status: `active`, `past_due`, `canceled`, …
    pub status: String,
    /// When the current period (and its credits) ends.
    pub current_period_end: Option<DateTime<Utc>>,
    /// True when the subscription ends at `current_period_end` instead of renewing.
    pub cancel_at_period_end: bool,
}

/// `GET /v1/billing/subscription`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionResponse {
    pub subscription: Option<Subscription>,
}

/// `POST /v1/billing/portal`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalResponse {
    /// Stripe's customer portal for payment methods and invoices.
    pub url: String,
}
