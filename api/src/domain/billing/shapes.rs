//! Reading Stripe objects in every shape Stripe sends them.
//!
//! A webhook payload is rendered in the API version of the endpoint (or the account's default),
//! which may be older or newer than the version our client pins; references may be ids or
//! expanded objects; metadata may be `null`. Stripe's 2025-03-31 release moved an invoice's
//! subscription under `parent.subscription_details`, its payment to `payments`, an invoice line's
//! price and proration under `pricing`/`parent`, and a subscription's period onto its items.
//! These functions read both sides of each change.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// A non-empty string at `pointer`.
pub fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A Unix time at `pointer`.
pub fn time(value: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    value
        .pointer(pointer)
        .and_then(Value::as_i64)
        .and_then(|t| Utc.timestamp_opt(t, 0).single())
}

/// The id of the reference at `pointer`, whether sent as an id or as an expanded object.
pub fn id_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    match value.pointer(pointer)? {
        Value::String(id) if !id.is_empty() => Some(id),
        object @ Value::Object(_) => text(object, "/id"),
        _ => None,
    }
}

/// A metadata value, if the metadata at `pointer` is an object holding `key`.
pub fn metadata<'a>(value: &'a Value, pointer: &str, key: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The subscription an invoice bills, in the current shape or the older top-level one.
pub fn invoice_subscription(invoice: &Value) -> Option<&str> {
    id_at(invoice, "/parent/subscription_details/subscription")
        .or_else(|| id_at(invoice, "/subscription"))
}

/// A key of the subscription's metadata as the invoice recorded it at finalization.
pub fn invoice_subscription_metadata<'a>(invoice: &'a Value, key: &str) -> Option<&'a str> {
    metadata(invoice, "/parent/subscription_details/metadata", key)
        .or_else(|| metadata(invoice, "/subscription_details/metadata", key))
        // Older API versions also copy the subscription's metadata onto its lines.
        .or_else(|| {
            invoice
                .pointer("/lines/data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|line| metadata(line, "/metadata", key))
        })
}

/// The payment intent of an invoice in the older shape (newer ones list payments separately).
pub fn invoice_payment_intent(invoice: &Value) -> Option<&str> {
    id_at(invoice, "/payment_intent")
}

/// One invoice line as far as billing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub amount: i64,
    pub subscription: Option<String>,
    /// A subscription's own line (its price for a period), not a one-off invoice item.
    pub from_subscription_item: bool,
    pub proration: bool,
    pub period_end: Option<DateTime<Utc>>,
}

fn line(value: &Value) -> InvoiceLine {
    let newer = value.get("parent").is_some_and(Value::is_object);
    let (from_subscription_item, proration, subscription) = if newer {
        let kind = text(value, "/parent/type");
        let details = match kind {
            Some("subscription_item_details") => "/parent/subscription_item_details",
            _ => "/parent/invoice_item_details",
        };
        (
            kind == Some("subscription_item_details"),
            value
                .pointer(&format!("{details}/proration"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            id_at(value, &format!("{details}/subscription"))
                .or_else(|| id_at(value, "/subscription")),
        )
    } else {
        (
            text(value, "/type") == Some("subscription"),
            value["proration"].as_bool().unwrap_or(false),
            id_at(value, "/subscription"),
        )
    };
    InvoiceLine {
        amount: value["amount"].as_i64().unwrap_or(0),
        subscription: subscription.map(String::from),
        from_subscription_item,
        proration,
        period_end: time(value, "/period/end"),
    }
}

/// The invoice's lines that are present in the payload (Stripe includes up to ten).
pub fn invoice_lines(invoice: &Value) -> Vec<InvoiceLine> {
    invoice
        .pointer("/lines/data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(line)
        .collect()
}

/// The end of the period `subscription`'s own (non-proration) line on this invoice pays for.
pub fn paid_period_end(invoice: &Value, subscription: &str) -> Option<DateTime<Utc>> {
    invoice_lines(invoice)
        .into_iter()
        .filter(|l| {
            l.from_subscription_item
                && !l.proration
                && l.subscription.as_deref().is_none_or(|s| s == subscription)
        })
        .filter_map(|l| l.period_end)
        .max()
}

/// The latest end of any of `subscription`'s lines on this invoice (prorations included).
pub fn latest_line_end(invoice: &Value, subscription: &str) -> Option<DateTime<Utc>> {
    invoice_lines(invoice)
        .into_iter()
        .filter(|l| l.subscription.as_deref() == Some(subscription))
        .filter_map(|l| l.period_end)
        .max()
}

/// The net of `subscription`'s proration lines on this invoice (positive: an upgrade's cost).
pub fn proration_net(invoice: &Value, subscription: &str) -> i64 {
    invoice_lines(invoice)
        .into_iter()
        .filter(|l| l.proration && l.subscription.as_deref() == Some(subscription))
        .map(|l| l.amount)
        .sum()
}

/// The end of a subscription's current period: on the subscription in older versions, on each
/// item in newer ones.
pub fn subscription_period_end(subscription: &Value) -> Option<DateTime<Utc>> {
    time(subscription, "/current_period_end").or_else(|| {
        subscription
            .pointer("/items/data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| time(item, "/current_period_end"))
            .max()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_read_as_ids_or_expanded_objects() {
        let v = json!({"a": "sub_1", "b": {"id": "sub_2", "object": "subscription"}, "c": null, "d": ""});
        assert_eq!(id_at(&v, "/a"), Some("sub_1"));
        assert_eq!(id_at(&v, "/b"), Some("sub_2"));
        assert_eq!(id_at(&v, "/c"), None);
        assert_eq!(id_at(&v, "/d"), None);
        assert_eq!(id_at(&v, "/missing"), None);
    }

    #[test]
    fn an_invoice_names_its_subscription_in_either_shape() {
        let newer = json!({"parent": {"type": "subscription_details", "subscription_details": {
            "subscription": {"id": "sub_1"}, "metadata": null}}, "lines": {"data": []}});
        let older = json!({"subscription": "sub_2", "subscription_details": {"metadata": {"user_id": "u"}},
            "lines": {"data": []}});
        assert_eq!(invoice_subscription(&newer), Some("sub_1"));
        assert_eq!(invoice_subscription(&older), Some("sub_2"));
        assert_eq!(invoice_subscription_metadata(&newer, "user_id"), None);
        assert_eq!(invoice_subscription_metadata(&older, "user_id"), Some("u"));
        assert_eq!(
            invoice_subscription(&json!({"parent": null, "subscription": null})),
            None
        );
    }

    #[test]
    fn the_paid_period_is_the_subscription_line_not_the_first_line() {
        let invoice = json!({"lines": {"data": [
            {"amount": -250, "period": {"start": 50, "end": 100}, "parent": {"type": "invoice_item_details",
              "invoice_item_details": {"subscription": "sub_1", "proration": true}}},
            {"amount": 75, "period": {"start": 60, "end": 60}, "type": "invoiceitem", "subscription": "sub_1"},
            {"amount": 1000, "period": {"start": 100, "end": 200}, "parent": {"type": "subscription_item_details",
              "subscription_item_details": {"subscription": "sub_1", "proration": false}}},
        ]}});
        assert_eq!(
            paid_period_end(&invoice, "sub_1").map(|t| t.timestamp()),
            Some(200)
        );
        assert_eq!(paid_period_end(&invoice, "sub_9"), None);
        let older = json!({"lines": {"data": [
            {"amount": 500, "type": "subscription", "proration": false, "subscription": "sub_1",
             "period": {"start": 1, "end": 9}}]}});
        assert_eq!(
            paid_period_end(&older, "sub_1").map(|t| t.timestamp()),
            Some(9)
        );
    }

    #[test]
    fn a_subscription_period_is_read_from_the_items_in_newer_versions() {
        let newer =
            json!({"items": {"data": [{"current_period_end": 300}, {"current_period_end": 200}]}});
        let older = json!({"current_period_end": 100, "items": {"data": []}});
        assert_eq!(
            subscription_period_end(&newer).map(|t| t.timestamp()),
            Some(300)
        );
        assert_eq!(
            subscription_period_end(&older).map(|t| t.timestamp()),
            Some(100)
        );
    }
}
