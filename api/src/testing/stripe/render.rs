//! Stripe objects rendered from Stripe's published fixtures in a chosen API version.
//!
//! Each object starts as Stripe's own fixture for that version (`api/testdata/stripe`), so every
//! field we do not set still has the type and shape Stripe documents; the fields this server
//! tracks are written over it, and fields the version does not have are removed.

use serde_json::{Map, Value, json};

/// The API versions the server renders, either side of Stripe's 2025-03-31 ("basil") changes to
/// invoices, invoice lines, subscriptions, charges and payment intents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// Invoices name their subscription, payment intent and charge at the top level; the
    /// subscription carries its current period.
    V2023_10_16,
    /// Invoices name their subscription under `parent`, payments under `payments`; the period
    /// lives on each subscription item; charges and payment intents no longer name an invoice.
    V2026_07_29Dahlia,
}

impl ApiVersion {
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V2023_10_16, ApiVersion::V2026_07_29Dahlia];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2023_10_16 => "2023-10-16",
            ApiVersion::V2026_07_29Dahlia => "2026-07-29.dahlia",
        }
    }

    fn basil(self) -> bool {
        self == ApiVersion::V2026_07_29Dahlia
    }
}

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        /// The objects each version's folder holds.
        #[cfg(test)]
        const FIXTURES: &[&str] = &[$($name),*];

        fn fixture_text(version: ApiVersion, name: &str) -> &'static str {
            match (version, name) {
                $(
                    (ApiVersion::V2023_10_16, $name) => include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/testdata/stripe/2023-10-16/", $name, ".json"
                    )),
                    (ApiVersion::V2026_07_29Dahlia, $name) => include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/testdata/stripe/2026-07-29.dahlia/", $name, ".json"
                    )),
                )*
                _ => panic!("no Stripe fixture {name:?} for {version:?}"),
            }
        }
    };
}

fixtures!(
    "billing_portal.session",
    "charge",
    "checkout.session",
    "customer",
    "event",
    "invoice",
    "line_item",
    "payment_intent",
    "refund",
    "subscription",
    "subscription_item",
);

fn invoice_payment_fixture() -> &'static str {
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/stripe/2026-07-29.dahlia/invoice_payment.json"
    ))
}

fn fixture(version: ApiVersion, name: &str) -> Value {
    serde_json::from_str(fixture_text(version, name)).expect("Stripe fixture is JSON")
}

/// `base` with `fields` written over its top level and `absent` removed.
fn overlay(mut base: Value, fields: Value, absent: &[&str]) -> Value {
    let object = base.as_object_mut().expect("fixture is an object");
    if let Value::Object(fields) = fields {
        for (key, value) in fields {
            object.insert(key, value);
        }
    }
    for key in absent {
        object.remove(*key);
    }
    base
}

fn list(url: &str, data: Vec<Value>) -> Value {
    json!({"object": "list", "data": data, "has_more": false, "url": url})
}

/// A price as this server knows it.
#[derive(Debug, Clone)]
pub struct Price {
    pub id: String,
    pub product: String,
    pub unit_amount: i64,
    pub currency: String,
    pub interval: Option<String>,
}

fn price(version: ApiVersion, p: &Price) -> Value {
    let base = fixture(version, "subscription")["items"]["data"][0]["price"].clone();
    overlay(
        base,
        json!({
            "id": p.id, "product": p.product, "unit_amount": p.unit_amount,
            "unit_amount_decimal": p.unit_amount.to_string(), "currency": p.currency,
            "type": if p.interval.is_some() { "recurring" } else { "one_time" },
            "recurring": p.interval.as_ref().map(|i| json!({
                "interval": i, "interval_count": 1, "usage_type": "licensed", "meter": null,
                "trial_period_days": null
            })),
            "metadata": {}, "livemode": false, "active": true,
        }),
        &[],
    )
}

pub fn customer(version: ApiVersion, id: &str, email: Option<&str>, created: i64) -> Value {
    overlay(
        fixture(version, "customer"),
        json!({"id": id, "email": email, "created": created, "metadata": {}, "livemode": false}),
        &[],
    )
}

/// What a Checkout Session shows.
pub struct SessionView<'a> {
    pub id: &'a str,
    pub mode: &'a str,
    pub status: &'a str,
    pub payment_status: &'a str,
    pub client_reference_id: Option<&'a str>,
    pub customer: Value,
    pub customer_email: Option<&'a str>,
    pub subscription: Value,
    pub payment_intent: Value,
    pub invoice: Value,
    pub metadata: &'a Map<String, Value>,
    pub url: Option<&'a str>,
    pub amount_total: i64,
    pub currency: &'a str,
    pub success_url: Option<&'a str>,
    pub cancel_url: Option<&'a str>,
    pub created: i64,
}

pub fn session(version: ApiVersion, s: &SessionView<'_>) -> Value {
    overlay(
        fixture(version, "checkout.session"),
        json!({
            "id": s.id, "mode": s.mode, "status": s.status, "payment_status": s.payment_status,
            "client_reference_id": s.client_reference_id, "customer": s.customer,
            "customer_email": s.customer_email, "subscription": s.subscription,
            "payment_intent": s.payment_intent, "invoice": s.invoice, "metadata": s.metadata,
            "url": s.url, "amount_total": s.amount_total, "amount_subtotal": s.amount_total,
            "currency": s.currency, "success_url": s.success_url, "cancel_url": s.cancel_url,
            "created": s.created, "expires_at": s.created + 86_400, "livemode": false,
            "customer_details": null, "payment_link": null, "setup_intent": null,
        }),
        &[],
    )
}

/// What a subscription shows.
pub struct SubscriptionView<'a> {
    pub id: &'a str,
    pub customer: Value,
    pub status: &'a str,
    pub metadata: &'a Map<String, Value>,
    pub item_id: &'a str,
    pub price: &'a Price,
    pub period: (i64, i64),
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub created: i64,
    pub latest_invoice: Option<&'a str>,
}

pub fn subscription(version: ApiVersion, s: &SubscriptionView<'_>) -> Value {
    let base = fixture(version, "subscription");
    let item_base = base["items"]["data"][0].clone();
    let mut item = overlay(
        item_base,
        json!({
            "id": s.item_id, "subscription": s.id, "price": price(version, s.price),
            "quantity": 1, "metadata": {}, "created": s.created,
        }),
        &["plan"],
    );
    if version.basil() {
        item = overlay(
            item,
            json!({"current_period_start": s.period.0, "current_period_end": s.period.1}),
            &[],
        );
    }
    let mut fields = json!({
        "id": s.id, "customer": s.customer, "status": s.status, "metadata": s.metadata,
        "items": list(&format!("/v1/subscription_items?subscription={}", s.id), vec![item]),
        "cancel_at_period_end": s.cancel_at_period_end,
        "cancel_at": if s.cancel_at_period_end { Some(s.period.1) } else { None },
        "canceled_at": s.canceled_at, "ended_at": s.ended_at, "created": s.created,
        "start_date": s.created, "billing_cycle_anchor": s.created, "currency": s.price.currency,
        "latest_invoice": s.latest_invoice, "livemode": false, "schedule": null,
        "pending_update": null, "trial_end": null, "trial_start": null, "test_clock": null,
    });
    let absent: &[&str] = if version.basil() {
        &["current_period_start", "current_period_end", "discount"]
    } else {
        fields["current_period_start"] = json!(s.period.0);
        fields["current_period_end"] = json!(s.period.1);
        &[]
    };
    overlay(base, fields, absent)
}

/// One line of an invoice.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub period: (i64, i64),
    pub subscription: Option<String>,
    pub subscription_item: Option<String>,
    /// Set for one-off invoice items (`None` for the subscription's own lines).
    pub invoice_item: Option<String>,
    pub price: Price,
    pub proration: bool,
}

fn line(version: ApiVersion, l: &Line, invoice: &str, metadata: &Map<String, Value>) -> Value {
    let base = fixture(version, "line_item");
    let common = json!({
        "id": l.id, "amount": l.amount, "currency": l.currency, "description": l.description,
        "period": {"start": l.period.0, "end": l.period.1}, "subscription": l.subscription,
        "quantity": 1, "livemode": false, "discount_amounts": [], "discounts": [],
    });
    if version.basil() {
        let parent = match &l.invoice_item {
            None => json!({
                "type": "subscription_item_details", "invoice_item_details": null,
                "subscription_item_details": {
                    "subscription": l.subscription, "subscription_item": l.subscription_item,
                    "invoice_item": null, "proration": l.proration,
                    "proration_details": {"credited_items": null},
                },
            }),
            Some(item) => json!({
                "type": "invoice_item_details", "subscription_item_details": null,
                "invoice_item_details": {
                    "invoice_item": item, "subscription": l.subscription,
                    "proration": l.proration, "proration_details": {"credited_items": null},
                },
            }),
        };
        let fields = overlay(
            common,
            json!({
                "invoice": invoice, "metadata": {}, "parent": parent,
                "pricing": {
                    "type": "price_details", "unit_amount_decimal": l.amount.to_string(),
                    "price_details": {"price": l.price.id, "product": l.price.product},
                },
                "subtotal": l.amount, "taxes": [], "pretax_credit_amounts": [],
            }),
            &[],
        );
        overlay(base, fields, &[])
    } else {
        // Older lines of a subscription carry the subscription's metadata.
        let line_metadata = if l.invoice_item.is_none() {
            Value::Object(metadata.clone())
        } else {
            json!({})
        };
        let fields = overlay(
            common,
            json!({
                "type": if l.invoice_item.is_some() { "invoiceitem" } else { "subscription" },
                "invoice_item": l.invoice_item, "subscription_item": l.subscription_item,
                "price": price(version, &l.price), "proration": l.proration,
                "proration_details": {"credited_items": null}, "metadata": line_metadata,
                "amount_excluding_tax": l.amount, "unit_amount_excluding_tax": l.amount.to_string(),
                "tax_amounts": [], "tax_rates": [],
            }),
            &[],
        );
        overlay(base, fields, &[])
    }
}

/// What an invoice shows.
pub struct InvoiceView<'a> {
    pub id: &'a str,
    pub customer: Value,
    pub subscription: Option<Value>,
    /// The subscription's metadata when the invoice was finalized (`None`: not recorded).
    pub subscription_metadata: Option<&'a Map<String, Value>>,
    pub billing_reason: &'a str,
    pub status: &'a str,
    pub amount_due: i64,
    pub amount_paid: i64,
    pub currency: &'a str,
    pub lines: &'a [Line],
    pub payment_intent: Option<&'a str>,
    pub charge: Option<&'a str>,
    pub created: i64,
    pub period: (i64, i64),
    pub number: &'a str,
}

pub fn invoice(version: ApiVersion, i: &InvoiceView<'_>) -> Value {
    let empty = Map::new();
    let metadata = i.subscription_metadata.unwrap_or(&empty);
    let lines: Vec<Value> = i
        .lines
        .iter()
        .map(|l| line(version, l, i.id, metadata))
        .collect();
    let mut fields = json!({
        "id": i.id, "customer": i.customer, "billing_reason": i.billing_reason,
        "status": i.status, "amount_due": i.amount_due, "amount_paid": i.amount_paid,
        "amount_remaining": i.amount_due - i.amount_paid, "currency": i.currency,
        "subtotal": i.amount_due, "total": i.amount_due, "created": i.created,
        "period_start": i.period.0, "period_end": i.period.1, "number": i.number,
        "lines": list(&format!("/v1/invoices/{}/lines", i.id), lines),
        "hosted_invoice_url": format!("https://invoice.stripe.test/{}", i.id),
        "invoice_pdf": format!("https://invoice.stripe.test/{}/pdf", i.id),
        "metadata": {}, "livemode": false, "collection_method": "charge_automatically",
        "status_transitions": {
            "finalized_at": i.created, "paid_at": (i.status == "paid").then_some(i.created),
            "marked_uncollectible_at": null, "voided_at": null,
        },
    });
    let subscription_metadata = i.subscription_metadata.map(|m| Value::Object(m.clone()));
    let absent: &[&str] = if version.basil() {
        fields["parent"] = match &i.subscription {
            Some(subscription) => json!({
                "type": "subscription_details", "quote_details": null,
                "subscription_details": {
                    "subscription": subscription, "metadata": subscription_metadata,
                    "subscription_proration_date": null,
                },
            }),
            None => Value::Null,
        };
        fields["amount_overpaid"] = json!(0);
        &[
            "subscription",
            "subscription_details",
            "payment_intent",
            "charge",
            "paid",
            "paid_out_of_band",
        ]
    } else {
        fields["subscription"] = i.subscription.clone().unwrap_or(Value::Null);
        fields["subscription_details"] = json!({"metadata": subscription_metadata});
        fields["payment_intent"] = json!(i.payment_intent);
        fields["charge"] = json!(i.charge);
        fields["paid"] = json!(i.status == "paid");
        fields["paid_out_of_band"] = json!(false);
        &["parent"]
    };
    overlay(fixture(version, "invoice"), fields, absent)
}

/// A payment of an invoice (API versions from 2025-03-31 only).
pub fn invoice_payment(
    id: &str,
    invoice: &str,
    payment_intent: &str,
    amount: i64,
    currency: &str,
    created: i64,
) -> Value {
    let base: Value = serde_json::from_str(invoice_payment_fixture()).expect("fixture is JSON");
    overlay(
        base,
        json!({
            "id": id, "invoice": invoice, "is_default": true, "amount_paid": amount,
            "amount_requested": amount, "currency": currency, "status": "paid", "created": created,
            "livemode": false,
            "payment": {"type": "payment_intent", "payment_intent": payment_intent},
            "status_transitions": {"paid_at": created, "canceled_at": null},
        }),
        &[],
    )
}

/// What a payment intent shows.
pub struct IntentView<'a> {
    pub id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub customer: Option<&'a str>,
    pub metadata: &'a Map<String, Value>,
    pub latest_charge: Option<&'a str>,
    pub invoice: Option<&'a str>,
    pub created: i64,
}

pub fn payment_intent(version: ApiVersion, p: &IntentView<'_>) -> Value {
    let mut fields = json!({
        "id": p.id, "amount": p.amount, "amount_received": p.amount, "amount_capturable": 0,
        "currency": p.currency, "customer": p.customer, "metadata": p.metadata,
        "latest_charge": p.latest_charge, "status": "succeeded", "created": p.created,
        "livemode": false, "canceled_at": null, "cancellation_reason": null,
        "last_payment_error": null, "next_action": null,
    });
    let absent: &[&str] = if version.basil() {
        &["invoice"]
    } else {
        fields["invoice"] = json!(p.invoice);
        &[]
    };
    overlay(fixture(version, "payment_intent"), fields, absent)
}

/// What a refund shows.
pub struct RefundView<'a> {
    pub id: &'a str,
    pub charge: &'a str,
    pub payment_intent: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub created: i64,
}

pub fn refund(version: ApiVersion, r: &RefundView<'_>) -> Value {
    overlay(
        fixture(version, "refund"),
        json!({
            "id": r.id, "charge": r.charge, "payment_intent": r.payment_intent, "amount": r.amount,
            "currency": r.currency, "created": r.created, "status": "succeeded",
            "reason": "requested_by_customer", "metadata": {},
        }),
        &[],
    )
}

/// What a charge shows.
pub struct ChargeView<'a> {
    pub id: &'a str,
    pub payment_intent: &'a str,
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: &'a str,
    pub customer: Option<&'a str>,
    pub invoice: Option<&'a str>,
    pub refunds: Vec<Value>,
    pub created: i64,
}

pub fn charge(version: ApiVersion, c: &ChargeView<'_>) -> Value {
    let mut fields = json!({
        "id": c.id, "payment_intent": c.payment_intent, "amount": c.amount,
        "amount_captured": c.amount, "amount_refunded": c.amount_refunded,
        "refunded": c.amount_refunded >= c.amount, "captured": true, "paid": true,
        "status": "succeeded", "currency": c.currency, "customer": c.customer,
        "created": c.created, "livemode": false, "metadata": {}, "disputed": false,
        "receipt_url": format!("https://pay.stripe.test/receipts/{}", c.id),
        "refunds": list(&format!("/v1/charges/{}/refunds", c.id), c.refunds.clone()),
    });
    let absent: &[&str] = if version.basil() {
        &["invoice"]
    } else {
        fields["invoice"] = json!(c.invoice);
        &[]
    };
    overlay(fixture(version, "charge"), fields, absent)
}

pub fn portal_session(
    id: &str,
    customer: &str,
    url: &str,
    return_url: &str,
    created: i64,
) -> Value {
    overlay(
        fixture(ApiVersion::V2026_07_29Dahlia, "billing_portal.session"),
        json!({
            "id": id, "customer": customer, "url": url, "return_url": return_url,
            "created": created, "livemode": false,
        }),
        &[],
    )
}

/// An event envelope, as the webhook endpoint's API version renders it.
pub fn event(
    version: ApiVersion,
    id: &str,
    kind: &str,
    object: Value,
    previous_attributes: Option<Value>,
    created: i64,
    automatic: bool,
) -> Value {
    let mut data = json!({"object": object});
    if let Some(previous) = previous_attributes {
        data["previous_attributes"] = previous;
    }
    overlay(
        fixture(version, "event"),
        json!({
            "id": id, "type": kind, "api_version": version.as_str(), "created": created,
            "data": data, "livemode": false, "pending_webhooks": 1,
            "request": if automatic {
                json!({"id": null, "idempotency_key": null})
            } else {
                json!({"id": format!("req_{id}"), "idempotency_key": null})
            },
        }),
        &[],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_parses_as_an_object() {
        for version in ApiVersion::ALL {
            for name in FIXTURES {
                assert!(fixture(version, name).is_object(), "{name} {version:?}");
            }
        }
        assert!(serde_json::from_str::<Value>(invoice_payment_fixture()).is_ok());
    }

    #[test]
    fn invoices_put_the_subscription_where_each_version_does() {
        let price = Price {
            id: "price_1".into(),
            product: "prod_1".into(),
            unit_amount: 500,
            currency: "usd".into(),
            interval: Some("month".into()),
        };
        let metadata: Map<String, Value> =
            [("user_id".to_string(), json!("u"))].into_iter().collect();
        let lines = vec![Line {
            id: "il_1".into(),
            amount: 500,
            currency: "usd".into(),
            description: "1 × plan".into(),
            period: (10, 20),
            subscription: Some("sub_1".into()),
            subscription_item: Some("si_1".into()),
            invoice_item: None,
            price,
            proration: false,
        }];
        let view = InvoiceView {
            id: "in_1",
            customer: json!("cus_1"),
            subscription: Some(json!("sub_1")),
            subscription_metadata: Some(&metadata),
            billing_reason: "subscription_create",
            status: "paid",
            amount_due: 500,
            amount_paid: 500,
            currency: "usd",
            lines: &lines,
            payment_intent: Some("pi_1"),
            charge: Some("ch_1"),
            created: 10,
            period: (10, 10),
            number: "N-1",
        };
        let old = invoice(ApiVersion::V2023_10_16, &view);
        assert_eq!(old["subscription"], "sub_1");
        assert_eq!(old["payment_intent"], "pi_1");
        assert!(old.get("parent").is_none());
        assert_eq!(old["lines"]["data"][0]["type"], "subscription");
        assert_eq!(old["lines"]["data"][0]["metadata"]["user_id"], "u");
        let new = invoice(ApiVersion::V2026_07_29Dahlia, &view);
        assert!(new.get("subscription").is_none() && new.get("payment_intent").is_none());
        assert_eq!(
            new["parent"]["subscription_details"]["subscription"],
            "sub_1"
        );
        assert_eq!(new["lines"]["data"][0]["metadata"], json!({}));
        assert_eq!(
            new["lines"]["data"][0]["parent"]["subscription_item_details"]["proration"],
            false
        );
        assert!(new["lines"]["data"][0].get("price").is_none());
    }
}
