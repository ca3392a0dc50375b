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
use stripe::{IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::subscription::{CancelSubscription, RetrieveSubscription, UpdateSubscription};
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionCustomerCreation, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionSubscriptionData,
    ExpireCheckoutSession, ProductData, RetrieveCheckoutSession,
};
use stripe_client_core::{RequestBuilder, StripeMethod};
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

#[derive(serde::Serialize)]
struct Expand<'a> {
    expand: &'a [&'a str],
}

fn to_json(value: &Value) -> Result<serde_json::Value, ApiError> {
    serde_json::from_str(&miniserde::json::to_string(value))
        .map_err(|err| ApiError::internal(anyhow::anyhow!("Stripe answer: {err}")))
}

fn payments_in(list: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    list["data"].as_array().into_iter().flatten()
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

    /// Sends a request and decodes the answer loosely (see the module note).
    async fn call(
        &self,
        request: RequestBuilder,
        idempotency_key: Option<String>,
    ) -> Result<Value, StripeError> {
        let mut request = request.customize::<Value>();
        if let Some(key) = idempotency_key {
            let key = IdempotencyKey::new(&key)
                .map_err(|err| StripeError::ClientError(format!("idempotency key: {err}")))?;
            request = request.request_strategy(RequestStrategy::Idempotent(key));
        }
        request.send(&self.client).await
    }

    async fn send(
        &self,
        request: &impl StripeRequest,
        idempotency_key: Option<String>,
    ) -> Result<Value, ApiError> {
        self.call(request.build(), idempotency_key)
            .await
            .map_err(provider_error)
    }

    /// Reads an object as JSON; `None` when Stripe has no such object.
    async fn read(&self, request: RequestBuilder) -> Result<Option<serde_json::Value>, ApiError> {
        match self.call(request, None).await {
            Ok(value) => Ok(Some(to_json(&value)?)),
            Err(StripeError::Stripe(_, 404)) => Ok(None),
            Err(err) => Err(provider_error(err)),
        }
    }

    /// The subscription as Stripe holds it now (`None` if Stripe has no such subscription).
    pub async fn subscription(&self, id: &str) -> Result<Option<serde_json::Value>, ApiError> {
        self.read(RetrieveSubscription::new(id).build()).await
    }

    /// The Checkout Session's status now (`open`, `complete`, `expired`), if it exists.
    pub async fn checkout_status(&self, id: &str) -> Result<Option<String>, ApiError> {
        let session = self.read(RetrieveCheckoutSession::new(id).build()).await?;
        Ok(session.and_then(|s| s["status"].as_str().map(String::from)))
    }

    /// Expires an open Checkout Session so it can no longer be paid. Returns the session's
    /// status afterwards: `expired`, or `complete` when the customer paid first.
    pub async fn expire_checkout(&self, id: &str) -> Result<Option<String>, ApiError> {
        match self
            .call(ExpireCheckoutSession::new(id).build(), None)
            .await
        {
            Ok(session) => Ok(text_field(&session, "status")),
            // Not open any more (paid, or expired already): ask what it is now.
            Err(StripeError::Stripe(_, 400)) => self.checkout_status(id).await,
            Err(StripeError::Stripe(_, 404)) => Ok(None),
            Err(err) => Err(provider_error(err)),
        }
    }

    /// Ends a subscription now (a duplicate nobody should pay for).
    pub async fn cancel_now(&self, subscription_id: &str) -> Result<(), ApiError> {
        match self
            .call(CancelSubscription::new(subscription_id).build(), None)
            .await
        {
            Ok(_) | Err(StripeError::Stripe(_, 404)) => Ok(()),
            // Cancelling an already canceled subscription is refused; that is the outcome we want.
            Err(StripeError::Stripe(_, 400)) => Ok(()),
            Err(err) => Err(provider_error(err)),
        }
    }

    /// Refunds a payment in full; `key` makes a retried refund a no-op.
    pub async fn refund(&self, payment_intent: &str, key: &str) -> Result<(), ApiError> {
        #[derive(serde::Serialize)]
        struct Form<'a> {
            payment_intent: &'a str,
            reason: &'a str,
        }
        let request = RequestBuilder::new(StripeMethod::Post, "/refunds").form(&Form {
            payment_intent,
            reason: "duplicate",
        });
        match self.call(request, Some(key.to_string())).await {
            Ok(_) => Ok(()),
            // Refunded already (in full): nothing left to do.
            Err(StripeError::Stripe(errors, 400))
                if errors.code.as_ref().map(|c| c.as_str()) == Some("charge_already_refunded") =>
            {
                Ok(())
            }
            Err(err) => Err(provider_error(err)),
        }
    }

    /// The receipt link of a payment's charge, if it has one yet.
    pub async fn receipt_url(&self, payment_intent: &str) -> Result<Option<String>, ApiError> {
        let request = RequestBuilder::new(
            StripeMethod::Get,
            format!("/payment_intents/{payment_intent}"),
        )
        .query(&Expand {
            expand: &["latest_charge"],
        });
        let intent = self.read(request).await?;
        Ok(intent.and_then(|i| {
            i.pointer("/latest_charge/receipt_url")
                .and_then(serde_json::Value::as_str)
                .map(String::from)
        }))
    }

    /// The payment intents that paid an invoice, paid ones only (API versions from 2025-03-31
    /// list payments separately from the invoice).
    pub async fn invoice_payment_intents(&self, invoice: &str) -> Result<Vec<String>, ApiError> {
        #[derive(serde::Serialize)]
        struct Query<'a> {
            invoice: &'a str,
            limit: u8,
        }
        let request = RequestBuilder::new(StripeMethod::Get, "/invoice_payments")
            .query(&Query { invoice, limit: 10 });
        let list = self.read(request).await?.unwrap_or_default();
        // Failed or abandoned attempts are listed too; only money actually taken counts.
        Ok(payments_in(&list)
            .filter(|p| p["status"].as_str() == Some("paid"))
            .filter_map(|p| {
                p.pointer("/payment/payment_intent")
                    .and_then(serde_json::Value::as_str)
            })
            .map(String::from)
            .collect())
    }

    /// The invoice a payment intent paid, if it paid one.
    pub async fn invoice_of_payment(
        &self,
        payment_intent: &str,
    ) -> Result<Option<String>, ApiError> {
        #[derive(serde::Serialize)]
        struct Payment<'a> {
            #[serde(rename = "type")]
            kind: &'a str,
            payment_intent: &'a str,
        }
        #[derive(serde::Serialize)]
        struct Query<'a> {
            payment: Payment<'a>,
        }
        let request = RequestBuilder::new(StripeMethod::Get, "/invoice_payments").query(&Query {
            payment: Payment {
                kind: "payment_intent",
                payment_intent,
            },
        });
        let list = self.read(request).await?.unwrap_or_default();
        Ok(payments_in(&list)
            .find_map(|p| p["invoice"].as_str())
            .map(String::from))
    }

    /// Creates a Checkout Session (payment mode for packs, subscription mode for plans).
    /// The order id is the idempotency key, so a retried request cannot open two sessions.
    pub async fn create_checkout(
        &self,
        input: CheckoutInput<'_>,
    ) -> Result<SessionCreated, ApiError> {
        let product = input.product;
        // Codes the client's list lacks (KWD, BHD, …) are sent as written.
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
            // Pack buyers get a customer too, so receipts and the billing portal work for them.
            None if product.kind == ProductKind::Pack => params
                .customer_email(input.email)
                .customer_creation(CreateCheckoutSessionCustomerCreation::Always),
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
