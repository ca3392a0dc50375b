//! Payments through Stripe: the catalog, Checkout/portal/subscription calls, webhook signatures.
//!
//! async-stripe is the HTTP client (authentication, form encoding, the pinned `Stripe-Version`,
//! idempotency keys) and builds the requests from Stripe's typed parameters. Responses are
//! decoded into the few fields we use, so an account on another API version cannot break them.

pub mod catalog;
pub mod signature;

use std::collections::HashMap;
use std::time::Duration;

use miniserde::json::Value;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::subscription::UpdateSubscription;
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionSubscriptionData, ProductData,
};
use zimage_shared::ErrorCode;
use zimage_shared::billing::{Product, ProductKind};

use crate::config::Secret;
use crate::error::ApiError;

/// How long one attempt at a Stripe call may take (connect, send, and read the answer).
const STRIPE_TIMEOUT: Duration = Duration::from_secs(30);

/// Stripe settings; payments are off unless the secret key and webhook secret are set.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: Secret<String>,
    pub webhook_secret: Secret<String>,
    /// `https://api.stripe.com/` unless pointed elsewhere (tests use a local server).
    pub api_base: String,
}

/// A Checkout Session as far as we need it.
#[derive(Debug)]
pub struct SessionCreated {
    pub id: String,
    pub url: Option<String>,
}

/// What a checkout is for.
pub struct CheckoutInput<'a> {
    pub product: &'a Product,
    pub order_id: uuid::Uuid,
    pub order_number: &'a str,
    pub user_id: uuid::Uuid,
    pub customer: Option<&'a str>,
    pub email: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// The Stripe API client and webhook secret.
pub struct Stripe {
    client: stripe::Client,
    webhook_secret: Secret<String>,
}

fn provider_error(err: stripe::StripeError) -> ApiError {
    tracing::error!(error = %err, "Stripe request failed");
    ApiError::new(
        ErrorCode::PaymentProviderError,
        "the payment provider did not accept the request; try again shortly",
    )
}

/// A string field of a decoded answer, if present.
fn text_field(object: &Value, name: &str) -> Option<String> {
    match object {
        Value::Object(fields) => match fields.get(name) {
            Some(Value::String(text)) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn unexpected_answer(what: &str) -> ApiError {
    tracing::error!(what, "Stripe answered without a field we need");
    ApiError::new(
        ErrorCode::PaymentProviderError,
        "the payment provider gave an unexpected answer; try again shortly",
    )
}

impl Stripe {
    /// A client for the configured API base (tests point it at a local server).
    pub fn new(config: &StripeConfig) -> anyhow::Result<Self> {
        let mut base = config.api_base.clone();
        if !base.ends_with('/') {
            base.push('/');
        }
        let client = stripe::ClientBuilder::new(config.secret_key.expose().clone())
            .url(base)
            .timeout(STRIPE_TIMEOUT)
            .app_info("zimage", Some(env!("CARGO_PKG_VERSION").to_string()), None)
            .build()
            .map_err(|err| anyhow::anyhow!("Stripe client settings: {err}"))?;
        Ok(Self {
            client,
            webhook_secret: config.webhook_secret.clone(),
        })
    }

    pub fn webhook_secret(&self) -> &str {
        self.webhook_secret.expose()
    }

    /// Sends a typed request and decodes the answer loosely (see the module note).
    async fn send(
        &self,
        request: &impl StripeRequest,
        idempotency_key: Option<String>,
    ) -> Result<Value, ApiError> {
        let mut request = request.build().customize::<Value>();
        if let Some(key) = idempotency_key {
            let key = IdempotencyKey::new(&key)
                .map_err(|err| ApiError::internal(anyhow::anyhow!("idempotency key: {err}")))?;
            request = request.request_strategy(RequestStrategy::Idempotent(key));
        }
        request.send(&self.client).await.map_err(provider_error)
    }

    /// Creates a Checkout Session (payment mode for packs, subscription mode for plans).
    /// The order id is the idempotency key, so a retried request cannot open two sessions.
    pub async fn create_checkout(
        &self,
        input: CheckoutInput<'_>,
    ) -> Result<SessionCreated, ApiError> {
        let product = input.product;
        // Checked against Stripe's list when the catalog is loaded.
        let currency = match product.currency.parse::<stripe_types::Currency>() {
            Ok(currency) => currency,
            Err(never) => match never {},
        };
        let metadata: HashMap<String, String> = [
            ("order_number".to_string(), input.order_number.to_string()),
            ("user_id".to_string(), input.user_id.to_string()),
            ("product_id".to_string(), product.id.clone()),
        ]
        .into_iter()
        .collect();
        let mut product_data = ProductData::new(product.name.clone());
        product_data.description = Some(product.description.clone()).filter(|d| !d.is_empty());
        let mut price_data = CreateCheckoutSessionLineItemsPriceData::new(currency);
        price_data.unit_amount = Some(product.price_cents);
        price_data.product_data = Some(product_data);
        if product.kind == ProductKind::Plan {
            price_data.recurring = Some(CreateCheckoutSessionLineItemsPriceDataRecurring::new(
                if product.interval.as_deref() == Some("year") {
                    CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Year
                } else {
                    CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month
                },
            ));
        }
        let mut line = CreateCheckoutSessionLineItems::new();
        line.quantity = Some(1);
        line.price_data = Some(price_data);
        let mut params = CreateCheckoutSession::new()
            .success_url(input.success_url)
            .cancel_url(input.cancel_url)
            .client_reference_id(input.order_number)
            .metadata(metadata.clone())
            .line_items(vec![line]);
        params = match input.customer {
            Some(customer) => params.customer(customer),
            None => params.customer_email(input.email),
        };
        params = match product.kind {
            ProductKind::Pack => {
                let mut intent = CreateCheckoutSessionPaymentIntentData::new();
                intent.metadata = Some(metadata);
                params
                    .mode(CheckoutSessionMode::Payment)
                    .payment_intent_data(intent)
            }
            ProductKind::Plan => {
                let mut subscription = CreateCheckoutSessionSubscriptionData::new();
                subscription.metadata = Some(metadata);
                params
                    .mode(CheckoutSessionMode::Subscription)
                    .subscription_data(subscription)
            }
        };
        let session = self
            .send(&params, Some(format!("checkout-{}", input.order_id)))
            .await?;
        Ok(SessionCreated {
            id: text_field(&session, "id")
                .ok_or_else(|| unexpected_answer("checkout session id"))?,
            url: text_field(&session, "url"),
        })
    }

    /// A customer-portal session URL.
    pub async fn portal_url(&self, customer: &str, return_url: &str) -> Result<String, ApiError> {
        let params = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url);
        let session = self.send(&params, None).await?;
        text_field(&session, "url").ok_or_else(|| unexpected_answer("portal session url"))
    }

    /// Ends a subscription at the end of its current period.
    pub async fn cancel_at_period_end(&self, subscription_id: &str) -> Result<(), ApiError> {
        let params = UpdateSubscription::new(subscription_id).cancel_at_period_end(true);
        self.send(&params, None).await?;
        Ok(())
    }
}
