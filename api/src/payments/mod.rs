//! Payments through Stripe: the catalog, Checkout/portal/subscription calls, webhook signatures.
//!
//! async-stripe is the HTTP client (authentication, form encoding, idempotency keys); responses
//! are decoded into the few fields we use, so a newer Stripe API version cannot break them.

pub mod catalog;
pub mod signature;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use stripe::{
    CheckoutSessionMode, CreateCheckoutSession, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionLineItemsPriceDataProductData,
    CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionSubscriptionData, Currency,
    Metadata, RequestStrategy,
};
use zimage_shared::ErrorCode;
use zimage_shared::billing::{Product, ProductKind};

use crate::config::Secret;
use crate::error::ApiError;

/// Stripe settings; payments are off unless the secret key and webhook secret are set.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: Secret<String>,
    pub webhook_secret: Secret<String>,
    /// `https://api.stripe.com/` unless pointed elsewhere (tests use a local server).
    pub api_base: String,
}

/// A Checkout Session as far as we need it.
#[derive(Debug, Deserialize)]
pub struct SessionCreated {
    pub id: String,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UrlOnly {
    url: String,
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

impl Stripe {
    pub fn new(config: &StripeConfig) -> Self {
        Self {
            client: stripe::Client::from_url(
                config.api_base.as_str(),
                config.secret_key.expose().clone(),
            ),
            webhook_secret: config.webhook_secret.clone(),
        }
    }

    pub fn webhook_secret(&self) -> &str {
        self.webhook_secret.expose()
    }

    async fn post<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        form: impl serde::Serialize,
        idempotency_key: Option<String>,
    ) -> Result<T, ApiError> {
        let client = match idempotency_key {
            Some(key) => self
                .client
                .clone()
                .with_strategy(RequestStrategy::Idempotent(key)),
            None => self.client.clone(),
        };
        client
            .post_form::<T, _>(path, form)
            .await
            .map_err(provider_error)
    }

    /// Creates a Checkout Session (payment mode for packs, subscription mode for plans).
    /// The order id is the idempotency key, so a retried request cannot open two sessions.
    pub async fn create_checkout(
        &self,
        input: CheckoutInput<'_>,
    ) -> Result<SessionCreated, ApiError> {
        let product = input.product;
        let currency: Currency = product.currency.parse().map_err(|_| {
            ApiError::internal(anyhow::anyhow!(
                "catalog currency {:?} unknown to Stripe",
                product.currency
            ))
        })?;
        let metadata: Metadata = [
            ("order_number".to_string(), input.order_number.to_string()),
            ("user_id".to_string(), input.user_id.to_string()),
            ("product_id".to_string(), product.id.clone()),
        ]
        .into_iter()
        .collect();
        let mut params = CreateCheckoutSession::new();
        params.success_url = Some(input.success_url);
        params.cancel_url = Some(input.cancel_url);
        params.client_reference_id = Some(input.order_number);
        params.metadata = Some(metadata.clone());
        match input.customer {
            Some(customer) => params.customer = customer.parse().ok(),
            None => params.customer_email = Some(input.email),
        }
        params.line_items = Some(vec![CreateCheckoutSessionLineItems {
            quantity: Some(1),
            price_data: Some(CreateCheckoutSessionLineItemsPriceData {
                currency,
                unit_amount: Some(product.price_cents),
                product_data: Some(CreateCheckoutSessionLineItemsPriceDataProductData {
                    name: product.name.clone(),
                    description: Some(product.description.clone()).filter(|d| !d.is_empty()),
                    ..Default::default()
                }),
                recurring: match product.kind {
                    ProductKind::Pack => None,
                    ProductKind::Plan => Some(CreateCheckoutSessionLineItemsPriceDataRecurring {
                        interval: if product.interval.as_deref() == Some("year") {
                            CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Year
                        } else {
                            CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month
                        },
                        interval_count: None,
                    }),
                },
                ..Default::default()
            }),
            ..Default::default()
        }]);
        match product.kind {
            ProductKind::Pack => {
                params.mode = Some(CheckoutSessionMode::Payment);
                params.payment_intent_data = Some(CreateCheckoutSessionPaymentIntentData {
                    metadata: Some(metadata),
                    ..Default::default()
                });
            }
            ProductKind::Plan => {
                params.mode = Some(CheckoutSessionMode::Subscription);
                params.subscription_data = Some(CreateCheckoutSessionSubscriptionData {
                    metadata: Some(metadata),
                    ..Default::default()
                });
            }
        }
        self.post(
            "/checkout/sessions",
            &params,
            Some(format!("checkout-{}", input.order_id)),
        )
        .await
    }

    /// A customer-portal session URL.
    pub async fn portal_url(&self, customer: &str, return_url: &str) -> Result<String, ApiError> {
        #[derive(serde::Serialize)]
        struct Form<'a> {
            customer: &'a str,
            return_url: &'a str,
        }
        let session: UrlOnly = self
            .post(
                "/billing_portal/sessions",
                Form {
                    customer,
                    return_url,
                },
                None,
            )
            .await?;
        Ok(session.url)
    }

    /// Ends a subscription at the end of its current period.
    pub async fn cancel_at_period_end(&self, subscription_id: &str) -> Result<(), ApiError> {
        #[derive(serde::Serialize)]
        struct Form {
            cancel_at_period_end: bool,
        }
        let form = Form {
            cancel_at_period_end: true,
        };
        let _: serde_json::Value = self
            .post(&format!("/subscriptions/{subscription_id}"), form, None)
            .await?;
        Ok(())
    }
}
