//! Buying credits through Stripe, against a local server that keeps Stripe's state and renders
//! its objects from Stripe's published fixtures, in the 2023-10-16 and 2026-07-29.dahlia shapes.

use chrono::Utc;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use zimage_api::testing::stripe::{ApiVersion, Proration, Quirks, StripeServer};

use crate::helpers::{
    PASSWORD, Signed, TestApp, assert_problem, signed_in_admin, spawn_app, spawn_app_with, user_id,
};

async fn app_with_stripe(extra: &[(&str, &str)]) -> (TestApp, StripeServer) {
    app_with_stripe_version(ApiVersion::V2026_07_29Dahlia, extra).await
}

async fn app_with_stripe_version(
    version: ApiVersion,
    extra: &[(&str, &str)],
) -> (TestApp, StripeServer) {
    let stripe = StripeServer::start_with(version);
    let mut env = vec![
        ("ZIMAGE_STRIPE_SECRET_KEY", stripe.secret_key.as_str()),
        (
            "ZIMAGE_STRIPE_WEBHOOK_SECRET",
            stripe.webhook_secret.as_str(),
        ),
        ("ZIMAGE_STRIPE_API_BASE", stripe.base_url.as_str()),
    ];
    env.extend_from_slice(extra);
    let app = spawn_app_with(&env).await;
    stripe.set_webhook_url(&app.url("/v1/webhooks/stripe"));
    (app, stripe)
}

async fn checkout(app: &TestApp, who: &Signed, product: &str) -> Value {
    let response = app
        .post_auth(
            "/v1/billing/checkout",
            &who.access,
            &json!({"product_id": product}),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn available(app: &TestApp, who: &Signed) -> i64 {
    let body: Value = app.get_json("/v1/credits", &who.access).await;
    body["available"].as_i64().unwrap()
}

async fn orders(app: &TestApp, who: &Signed) -> Value {
    app.get_json("/v1/billing/orders", &who.access).await
}

async fn subscription(app: &TestApp, who: &Signed) -> Value {
    app.get_json("/v1/billing/subscription", &who.access)
        .await
        .get("subscription")
        .cloned()
        .unwrap_or(Value::Null)
}

async fn post_raw(app: &TestApp, body: &str, signature: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/v1/webhooks/stripe"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    request.send().await.unwrap()
}

/// A checkout paid at Stripe, its events not delivered yet.
struct Paid {
    session: String,
    order: String,
    events: Vec<Value>,
    subscription: Option<String>,
    intent: Option<String>,
}

async fn pay(app: &TestApp, stripe: &StripeServer, who: &Signed, product: &str) -> Paid {
    let started = checkout(app, who, product).await;
    let session = started["session_id"].as_str().unwrap().to_string();
    let events = stripe.pay(&session).unwrap();
    let (subscription, intent, _) = stripe.session_outcome(&session);
    Paid {
        order: started["order_number"].as_str().unwrap().to_string(),
        session,
        events,
        subscription,
        intent,
    }
}

/// Delivers every event in order; each must be accepted.
async fn deliver(stripe: &StripeServer, events: &[Value]) {
    for event in events {
        let status = stripe.deliver(event).await;
        assert_eq!(status, 200, "{} refused", event["type"]);
    }
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

fn find<'a>(events: &'a [Value], kind: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(events)))
}

fn timestamp(value: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .timestamp()
}

#[tokio::test]
async fn without_stripe_the_catalog_shows_and_purchases_answer_409() {
    let app = spawn_app().await;
    let catalog: Value = app
        .client
        .get(app.url("/v1/billing/catalog"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["payments_enabled"], false);
    assert_eq!(catalog["packs"].as_array().unwrap().len(), 3);
    assert_eq!(catalog["plans"][0]["interval"], "month");
    assert_eq!(
        catalog["packs"][0]["description"],
        "A starter pack. Never expires."
    );
    // Names and descriptions follow Accept-Language where the catalog has them.
    let response = app
        .client
        .get(app.url("/v1/billing/catalog"))
        .header("accept-language", "fr-FR, zh-CN;q=0.9, en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "zh-CN");
    assert!(
        response.headers()["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-language")
    );
    let chinese: Value = response.json().await.unwrap();
    assert_eq!(chinese["packs"][0]["description"], "入门积分包，永不过期。");
    assert_eq!(chinese["plans"][1]["name"], "专业版");
    assert_eq!(
        chinese["packs"][0]["price_cents"],
        catalog["packs"][0]["price_cents"]
    );
    let ada = app.signed_in_user("ada@example.org").await;
    let response = app
        .post_auth(
            "/v1/billing/checkout",
            &ada.access,
            &json!({"product_id": "pack_100"}),
        )
        .await;
    assert_problem(response, 409, "payments_not_configured").await;
    assert_problem(
        app.post_auth("/v1/billing/portal", &ada.access, &json!({}))
            .await,
        409,
        "payments_not_configured",
    )
    .await;
    assert_problem(
        post_raw(&app, "{}", Some("t=1,v1=00")).await,
        409,
        "payments_not_configured",
    )
    .await;
    assert_eq!(orders(&app, &ada).await["items"], json!([]));
}

#[tokio::test]
async fn checkout_opens_a_stripe_session_for_an_order() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let started = checkout(&app, &ada, "pack_500").await;
    let order = started["order_number"].as_str().unwrap();
    assert!(
        started["checkout_url"]
            .as_str()
            .unwrap()
            .starts_with(&stripe.base_url)
    );
    let request = stripe
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/checkout/sessions")
        .unwrap();
    assert_eq!(request.form["mode"], "payment");
    assert_eq!(request.form["client_reference_id"], order);
    assert_eq!(request.form["metadata[order_number]"], order);
    assert_eq!(
        request.form["metadata[user_id]"],
        ada.user["id"].as_str().unwrap()
    );
    assert_eq!(
        request.form["line_items[0][price_data][unit_amount]"],
        "2000"
    );
    assert_eq!(request.form["line_items[0][price_data][currency]"], "usd");
    assert_eq!(request.form["customer_email"], "ada@example.org");
    // Pack buyers get a Stripe customer too, so receipts and the portal work for them.
    assert_eq!(request.form["customer_creation"], "always");
    assert!(request.form["success_url"].contains(order));
    assert!(request.idempotency_key.unwrap().starts_with("checkout-"));
    // Requests are pinned to the API version the client's types were generated for.
    let version = request.stripe_version.unwrap();
    assert!(
        version.len() >= 10 && version[..10].bytes().filter(|b| *b == b'-').count() == 2,
        "{version}"
    );
    let listed = orders(&app, &ada).await;
    assert_eq!(listed["items"][0]["number"], order);
    assert_eq!(listed["items"][0]["status"], "created");
    assert_eq!(listed["items"][0]["amount_cents"], 2000);

    let plan = checkout(&app, &ada, "plan_basic").await;
    let request = stripe
        .session(plan["session_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(request["mode"], "subscription");
    assert_eq!(
        request["line_items[0][price_data][recurring][interval]"],
        "month"
    );
    assert_eq!(
        request["subscription_data[metadata][product_id]"],
        "plan_basic"
    );
    assert!(!request.contains_key("customer_creation"));

    let unknown = app
        .post_auth(
            "/v1/billing/checkout",
            &ada.access,
            &json!({"product_id": "pack_9"}),
        )
        .await;
    assert_problem(unknown, 422, "validation_failed").await;
    app.signup("bob@example.org").await;
    let bob = app.sign_in("bob@example.org", PASSWORD).await;
    let unverified = app
        .post_auth(
            "/v1/billing/checkout",
            &bob.access,
            &json!({"product_id": "pack_100"}),
        )
        .await;
    assert_problem(unverified, 403, "email_not_verified").await;
}

#[tokio::test]
async fn a_paid_pack_is_credited_once_however_often_stripe_says_so() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "pack_500").await;
    deliver(&stripe, &paid.events).await;
    let completed = find(&paid.events, "checkout.session.completed");
    let again = post_raw(
        &app,
        &completed.to_string(),
        Some(&stripe.signature_for(&completed.to_string(), Utc::now().timestamp())),
    )
    .await;
    assert_eq!(again.json::<Value>().await.unwrap()["duplicate"], true);
    // The same payment reported by another event type must not pay twice either.
    let succeeded = stripe.event(
        "checkout.session.async_payment_succeeded",
        completed["data"]["object"].clone(),
    );
    assert_eq!(stripe.deliver(&succeeded).await, 200);

    assert_eq!(available(&app, &ada).await, 520);
    let listed = orders(&app, &ada).await;
    assert_eq!(listed["items"][0]["status"], "paid");
    assert!(listed["items"][0]["paid_at"].is_string());
    let receipts: Vec<String> = app
        .mails_to("ada@example.org")
        .into_iter()
        .filter(|m| m.contains("Your Z-Image Studio receipt"))
        .collect();
    assert_eq!(receipts.len(), 1);
    assert!(receipts[0].contains("$20.00") && receipts[0].contains(&paid.order));
    app.assert_ledger_consistent(user_id(&ada)).await;
    // The customer Checkout created is remembered, so the portal is available to pack buyers.
    let (_, _, customer) = stripe.session_outcome(&paid.session);
    let portal: Value = app
        .post_auth("/v1/billing/portal", &ada.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(portal["url"].as_str().unwrap().contains(&customer.unwrap()));
}

#[tokio::test]
async fn bad_signatures_are_refused_and_credit_nothing() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "pack_100").await;
    let completed = find(&paid.events, "checkout.session.completed").clone();
    let body = completed.to_string();
    let now = Utc::now().timestamp();
    let wrong_secret =
        zimage_api::payments::signature::sign("whsec_not_ours", now, body.as_bytes());
    let stale = stripe.signature_for(&body, now - 400);
    let intent = paid.intent.unwrap();
    let tampered_body = body.replace(&intent, "pi_y");
    for (payload, header) in [
        (body.as_str(), None),
        (body.as_str(), Some(wrong_secret.as_str())),
        (body.as_str(), Some(stale.as_str())),
        (
            tampered_body.as_str(),
            Some(stripe.signature_for(&body, now)).as_deref(),
        ),
        (body.as_str(), Some("v1=abc")),
    ] {
        assert_problem(
            post_raw(&app, payload, header).await,
            400,
            "invalid_signature",
        )
        .await;
    }
    assert_eq!(available(&app, &ada).await, 20);
    // A non-hex v1 beside the valid one is skipped, as Stripe's libraries do.
    let good = stripe.signature_for(&body, now);
    let noisy = good.replace(",v1=", ",v1=not-hex,v1=");
    assert_eq!(post_raw(&app, &body, Some(&noisy)).await.status(), 200);
    assert_eq!(available(&app, &ada).await, 120);
}

#[tokio::test]
async fn a_refund_after_partial_spending_claws_back_only_what_is_left() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "pack_100").await;
    deliver(&stripe, &paid.events).await;
    let intent = paid.intent.unwrap();
    let mut conn = app.state.db.get().await.unwrap();
    let hold =
        zimage_api::domain::credits::hold(&mut conn, user_id(&ada), 70, uuid::Uuid::new_v4())
            .await
            .unwrap();
    zimage_api::domain::credits::settle(&mut conn, hold)
        .await
        .unwrap();
    assert_eq!(available(&app, &ada).await, 30);
    let receipt = orders(&app, &ada).await["items"][0]["receipt_url"].clone();
    assert!(
        receipt
            .as_str()
            .unwrap()
            .starts_with("https://pay.stripe.test/receipts/ch_")
    );

    // Half the money back: 50 credits owed, 30 unspent, so 30 come back.
    deliver(&stripe, &stripe.refund(&intent, Some(250)).unwrap()).await;
    assert_eq!(available(&app, &ada).await, 0);
    assert_eq!(orders(&app, &ada).await["items"][0]["status"], "paid");
    // The rest refunded: nothing left to take, the order is refunded.
    deliver(&stripe, &stripe.refund(&intent, None).unwrap()).await;
    let listed = orders(&app, &ada).await;
    assert_eq!(
        (
            listed["items"][0]["number"].as_str(),
            listed["items"][0]["status"].as_str()
        ),
        (Some(paid.order.as_str()), Some("refunded"))
    );
    let ledger: Value = app.get_json("/v1/credits/ledger", &ada.access).await;
    assert_eq!(ledger["items"][0]["kind"], "clawback");
    assert_eq!(ledger["items"][0]["amount"], -30);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_full_refund_takes_back_credits_held_by_a_running_task_too() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "pack_100").await;
    deliver(&stripe, &paid.events).await;
    let mut conn = app.state.db.get().await.unwrap();
    let hold = zimage_api::domain::credits::hold(&mut conn, user_id(&ada), 8, uuid::Uuid::new_v4())
        .await
        .unwrap();
    deliver(
        &stripe,
        &stripe
            .refund(paid.intent.as_deref().unwrap(), None)
            .unwrap(),
    )
    .await;
    let balance: Value = app.get_json("/v1/credits", &ada.access).await;
    assert_eq!(
        (balance["available"].as_i64(), balance["held"].as_i64()),
        (Some(0), Some(8))
    );
    // The task fails: its hold is released, but the credits belonged to a refunded purchase.
    zimage_api::domain::credits::release(&mut conn, hold, "the task failed")
        .await
        .unwrap();
    let balance: Value = app.get_json("/v1/credits", &ada.access).await;
    assert_eq!(
        (balance["available"].as_i64(), balance["held"].as_i64()),
        (Some(0), Some(0))
    );
    app.assert_ledger_consistent(user_id(&ada)).await;
    assert_eq!(orders(&app, &ada).await["items"][0]["status"], "refunded");
}

#[tokio::test]
async fn a_partial_refund_while_credits_are_held_takes_what_it_can_and_a_full_one_the_rest() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "pack_100").await;
    deliver(&stripe, &paid.events).await;
    let intent = paid.intent.unwrap();
    let mut conn = app.state.db.get().await.unwrap();
    let hold =
        zimage_api::domain::credits::hold(&mut conn, user_id(&ada), 80, uuid::Uuid::new_v4())
            .await
            .unwrap();
    // Half refunded: 50 owed, only the 20 not held can be taken.
    deliver(&stripe, &stripe.refund(&intent, Some(250)).unwrap()).await;
    assert_eq!(available(&app, &ada).await, 0);
    // The task fails: its 80 return (the purchase is not fully refunded).
    zimage_api::domain::credits::release(&mut conn, hold, "the task failed")
        .await
        .unwrap();
    assert_eq!(available(&app, &ada).await, 80);
    // The rest refunded: everything left goes.
    deliver(&stripe, &stripe.refund(&intent, None).unwrap()).await;
    assert_eq!(available(&app, &ada).await, 0);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn events_delivered_all_at_once_are_applied_without_deadlocks() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    for n in 0..3 {
        let who = app.signed_in_user(&format!("user{n}@example.org")).await;
        let paid = pay(&app, &stripe, &who, "plan_basic").await;
        let sub = paid.subscription.clone().unwrap();
        let mut events = paid.events;
        events.extend(stripe.renew(&sub));
        // Stripe sends in parallel: every event at once, each answered on its first try.
        let deliveries: Vec<_> = events
            .into_iter()
            .map(|event| {
                let stripe = stripe.clone();
                tokio::spawn(async move { (stripe.deliver(&event).await, event["type"].clone()) })
            })
            .collect();
        for delivery in deliveries {
            let (status, kind) = delivery.await.unwrap();
            assert_eq!(status, 200, "{kind} answered {status}");
        }
        assert_eq!(available(&app, &who).await, 600);
        assert_eq!(subscription(&app, &who).await["status"], "active");
        app.assert_ledger_consistent(user_id(&who)).await;
    }
}

#[tokio::test]
async fn subscription_credits_arrive_per_period_and_expire_with_the_period_they_pay_for() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "plan_basic").await;
    let sub = paid.subscription.clone().unwrap();
    let first_period = stripe.subscription_period(&sub).unwrap();
    // Out of order: everything Stripe sent, newest first.
    let mut reversed = paid.events.clone();
    reversed.reverse();
    deliver(&stripe, &reversed).await;
    assert_eq!(available(&app, &ada).await, 300);
    let order = orders(&app, &ada).await;
    assert_eq!(order["items"][0]["status"], "paid");
    assert!(
        order["items"][0]["receipt_url"]
            .as_str()
            .unwrap()
            .starts_with("https://invoice.stripe.test/in_")
    );
    let current = subscription(&app, &ada).await;
    assert_eq!(current["status"], "active", "{current}");
    assert_eq!(timestamp(&current["current_period_end"]), first_period.1);

    let renewal = stripe.renew(&sub);
    deliver(&stripe, &renewal).await;
    let second_period = stripe.subscription_period(&sub).unwrap();
    let balance: Value = app.get_json("/v1/credits", &ada.access).await;
    assert_eq!(balance["available"], 600);
    let mut ends: Vec<i64> = balance["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| timestamp(&g["expires_at"]))
        .collect();
    ends.sort_unstable();
    assert_eq!(ends, vec![first_period.1, second_period.1]);
    assert_eq!(
        timestamp(&subscription(&app, &ada).await["current_period_end"]),
        second_period.1
    );
    let receipts = app
        .mails_to("ada@example.org")
        .into_iter()
        .filter(|m| m.contains("Your Z-Image Studio receipt") && m.contains("$9.00"))
        .count();
    assert_eq!(receipts, 2);

    // The first period ends: its unspent credits expire, the renewal's remain.
    let mut conn = app.state.db.get().await.unwrap();
    let after_first = chrono::DateTime::from_timestamp(first_period.1 + 1, 0).unwrap();
    let expired = zimage_api::domain::credits::expire_due(&mut conn, user_id(&ada), after_first)
        .await
        .unwrap();
    assert_eq!(expired, 300);
    app.assert_ledger_consistent(user_id(&ada)).await;

    // A second subscription is refused while this one is live.
    let again = app
        .post_auth(
            "/v1/billing/checkout",
            &ada.access,
            &json!({"product_id": "plan_pro"}),
        )
        .await;
    assert_problem(again, 409, "already_subscribed").await;
}

#[tokio::test]
async fn renewal_credits_expire_with_their_own_line_not_a_proration_before_it() {
    for version in ApiVersion::ALL {
        let (app, stripe) =
            app_with_stripe_version(version, &[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
        let ada = app.signed_in_user("ada@example.org").await;
        let paid = pay(&app, &stripe, &ada, "plan_basic").await;
        let sub = paid.subscription.clone().unwrap();
        deliver(&stripe, &paid.events).await;
        // A change in the middle of the period is billed with the next renewal, and a one-off
        // item is added: both come before the subscription's own line on that invoice.
        deliver(
            &stripe,
            &stripe.change_plan(&sub, 900, "plan_basic", 0.5, Proration::NextInvoice),
        )
        .await;
        stripe.add_invoice_item(&sub, 75, "Setup");
        let renewal = stripe.renew(&sub);
        let invoice = &find(&renewal, "invoice.paid")["data"]["object"];
        assert!(invoice["lines"]["data"].as_array().unwrap().len() >= 3);
        deliver(&stripe, &renewal).await;
        let period = stripe.subscription_period(&sub).unwrap();
        let balance: Value = app.get_json("/v1/credits", &ada.access).await;
        assert_eq!(balance["available"], 600, "{version:?}");
        let latest = balance["grants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| timestamp(&g["expires_at"]))
            .max()
            .unwrap();
        assert_eq!(latest, period.1, "{version:?}");
    }
}

#[tokio::test]
async fn plan_changes_and_other_invoices_grant_what_was_paid_for() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "plan_basic").await;
    let sub = paid.subscription.clone().unwrap();
    deliver(&stripe, &paid.events).await;
    assert_eq!(available(&app, &ada).await, 300);

    // Upgrade to Pro ($29, 1,500 credits) halfway: $4.50 back for unused Basic, $14.50 for the
    // rest of the period on Pro, so $10.00 billed now.
    let upgrade = stripe.change_plan(&sub, 2900, "plan_pro", 0.5, Proration::InvoiceNow);
    let invoice = &find(&upgrade, "invoice.paid")["data"]["object"];
    assert_eq!(invoice["billing_reason"], "subscription_update");
    assert_eq!(invoice["amount_paid"], 1000);
    deliver(&stripe, &upgrade).await;
    // $14.50 − $4.50 = $10.00: 1,500 × 1,000 / 2,900 = 517.
    assert_eq!(available(&app, &ada).await, 300 + 517);
    assert_eq!(subscription(&app, &ada).await["plan_id"], "plan_pro");

    // A downgrade pays nothing now, so it grants nothing.
    let downgrade = stripe.change_plan(&sub, 900, "plan_basic", 0.75, Proration::InvoiceNow);
    assert_eq!(
        find(&downgrade, "invoice.paid")["data"]["object"]["amount_paid"],
        0
    );
    deliver(&stripe, &downgrade).await;
    assert_eq!(available(&app, &ada).await, 817);

    // A manual invoice for the same customer, paid or free, is no plan period.
    let (_, _, customer) = stripe.session_outcome(&paid.session);
    let customer = customer.unwrap();
    deliver(&stripe, &stripe.manual_invoice(&customer, 0)).await;
    deliver(&stripe, &stripe.manual_invoice(&customer, 4000)).await;
    assert_eq!(available(&app, &ada).await, 817);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn every_shape_of_reference_and_missing_invoice_metadata_is_read() {
    for version in ApiVersion::ALL {
        let (app, stripe) =
            app_with_stripe_version(version, &[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
        stripe.set_quirks(Quirks {
            expanded_references: true,
            no_invoice_metadata: true,
        });
        let ada = app.signed_in_user("ada@example.org").await;
        let paid = pay(&app, &stripe, &ada, "plan_basic").await;
        let invoice = find(&paid.events, "invoice.paid").clone();
        let object = &invoice["data"]["object"];
        if version == ApiVersion::V2026_07_29Dahlia {
            assert!(object["parent"]["subscription_details"]["subscription"].is_object());
            assert!(object["parent"]["subscription_details"]["metadata"].is_null());
        } else {
            assert!(object["subscription"].is_object());
        }
        // The invoice first, before anything else says whose subscription it is.
        assert_eq!(stripe.deliver(&invoice).await, 200);
        assert_eq!(available(&app, &ada).await, 300, "{version:?}");
        deliver(&stripe, &paid.events).await;
        assert_eq!(available(&app, &ada).await, 300, "{version:?}");
        assert_eq!(orders(&app, &ada).await["items"][0]["status"], "paid");
        assert_eq!(subscription(&app, &ada).await["status"], "active");

        // A pack bought with an expanded payment intent can still be refunded.
        let pack = pay(&app, &stripe, &ada, "pack_100").await;
        assert!(
            find(&pack.events, "checkout.session.completed")["data"]["object"]["payment_intent"]
                .is_object()
        );
        deliver(&stripe, &pack.events).await;
        assert_eq!(available(&app, &ada).await, 400);
        deliver(
            &stripe,
            &stripe
                .refund(pack.intent.as_deref().unwrap(), None)
                .unwrap(),
        )
        .await;
        assert_eq!(available(&app, &ada).await, 300, "{version:?}");
        app.assert_ledger_consistent(user_id(&ada)).await;
    }
}

#[tokio::test]
async fn an_event_that_cannot_be_applied_yet_is_refused_so_stripe_delivers_it_again() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "plan_basic").await;
    let invoice = find(&paid.events, "invoice.paid").clone();
    // Stripe's API is unavailable when the invoice arrives: it is not acknowledged.
    stripe.fail_next(503, 1);
    let status = stripe.deliver(&invoice).await;
    assert!(status >= 500, "answered {status}");
    assert_eq!(available(&app, &ada).await, 0);
    stripe.fail_next(429, 1);
    assert!(stripe.deliver(&invoice).await >= 500);
    // Stripe delivers it again later: applied once.
    assert_eq!(stripe.deliver(&invoice).await, 200);
    deliver(&stripe, &paid.events).await;
    assert_eq!(available(&app, &ada).await, 300);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_plan_missing_from_the_catalog_defers_its_invoice() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "plan_basic").await;
    let sub = paid.subscription.clone().unwrap();
    deliver(&stripe, &paid.events).await;
    let renewal = stripe.change_plan(&sub, 1200, "plan_gone", 0.5, Proration::InvoiceNow);
    let invoice = find(&renewal, "invoice.paid");
    let answer = post_raw(
        &app,
        &invoice.to_string(),
        Some(&stripe.signature_for(&invoice.to_string(), Utc::now().timestamp())),
    )
    .await;
    let body = assert_problem(answer, 503, "event_deferred").await;
    assert!(body["detail"].as_str().unwrap().contains("plan_gone"));
}

#[tokio::test]
async fn cancelling_ends_the_subscription_at_period_end_and_late_events_cannot_revive_it() {
    for version in ApiVersion::ALL {
        let (app, stripe) = app_with_stripe_version(version, &[]).await;
        let ada = app.signed_in_user("ada@example.org").await;
        assert_problem(
            app.post_auth("/v1/billing/subscription/cancel", &ada.access, &json!({}))
                .await,
            404,
            "not_found",
        )
        .await;
        let paid = pay(&app, &stripe, &ada, "plan_pro").await;
        let sub = paid.subscription.clone().unwrap();
        deliver(&stripe, &paid.events).await;

        let canceled: Value = app
            .post_auth("/v1/billing/subscription/cancel", &ada.access, &json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(canceled["cancel_at_period_end"], true);
        assert_eq!(canceled["plan_id"], "plan_pro");
        let call = stripe
            .requests()
            .into_iter()
            .find(|r| r.method == "POST" && r.path == format!("/v1/subscriptions/{sub}"))
            .unwrap();
        assert_eq!(
            call.form.get("cancel_at_period_end").map(String::as_str),
            Some("true"),
            "{call:?}"
        );
        let updated = stripe.take_events();
        deliver(&stripe, &updated).await;
        let ended = stripe.end_period(&sub);
        deliver(&stripe, &ended).await;
        assert_eq!(subscription(&app, &ada).await["status"], "canceled");
        // Snapshots from before the end, delivered late, leave it ended.
        deliver(
            &stripe,
            &[stripe.event(
                "customer.subscription.updated",
                find(&paid.events, "customer.subscription.updated")["data"]["object"].clone(),
            )],
        )
        .await;
        let late_invoice = stripe.event(
            "invoice.paid",
            find(&paid.events, "invoice.paid")["data"]["object"].clone(),
        );
        deliver(&stripe, &[late_invoice]).await;
        let current = subscription(&app, &ada).await;
        assert_eq!(current["status"], "canceled", "{version:?}");
        assert_eq!(available(&app, &ada).await, 20 + 1500, "{version:?}");
        // A new plan can be bought once the old one has ended.
        checkout(&app, &ada, "plan_basic").await;
    }
}

#[tokio::test]
async fn abandoned_and_failed_checkouts_close_their_orders() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    for (kind, status) in [
        ("checkout.session.expired", "expired"),
        ("checkout.session.async_payment_failed", "failed"),
    ] {
        let started = checkout(&app, &ada, "pack_100").await;
        let session = stripe.session_object(started["session_id"].as_str().unwrap());
        assert_eq!(stripe.deliver(&stripe.event(kind, session)).await, 200);
        assert_eq!(orders(&app, &ada).await["items"][0]["status"], status);
    }
    assert_eq!(available(&app, &ada).await, 20);
}

#[tokio::test]
async fn opening_a_plan_checkout_closes_the_earlier_one_so_only_one_can_be_paid() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let first = checkout(&app, &ada, "plan_basic").await;
    let second = checkout(&app, &ada, "plan_pro").await;
    let first_session = first["session_id"].as_str().unwrap();
    assert!(
        stripe.pay(first_session).is_err(),
        "the first session was expired"
    );
    let listed = orders(&app, &ada).await;
    assert_eq!(listed["items"][1]["status"], "expired");
    assert_eq!(listed["items"][0]["status"], "created");
    // Stripe's notice of the expiry changes nothing more.
    deliver(&stripe, &stripe.take_events()).await;

    // Paid at Stripe but not yet reported here: a third checkout waits for it.
    let events = stripe.pay(second["session_id"].as_str().unwrap()).unwrap();
    let third = app
        .post_auth(
            "/v1/billing/checkout",
            &ada.access,
            &json!({"product_id": "plan_basic"}),
        )
        .await;
    assert_problem(third, 409, "already_subscribed").await;
    deliver(&stripe, &events).await;
    assert_eq!(subscription(&app, &ada).await["plan_id"], "plan_pro");
    // Packs are not affected.
    checkout(&app, &ada, "pack_100").await;
}

#[tokio::test]
async fn a_second_subscription_started_elsewhere_is_cancelled_and_refunded() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let paid = pay(&app, &stripe, &ada, "plan_basic").await;
    deliver(&stripe, &paid.events).await;
    // Someone opens a second plan checkout for her outside our checkout (say, a payment link).
    let id = ada.user["id"].as_str().unwrap().to_string();
    let session = stripe.open_session(&[
        ("mode", "subscription"),
        ("customer_email", "ada@example.org"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "2900"),
        ("line_items[0][price_data][recurring][interval]", "month"),
        ("subscription_data[metadata][user_id]", id.as_str()),
        ("subscription_data[metadata][product_id]", "plan_pro"),
    ]);
    let events = stripe.pay(&session).unwrap();
    let (second, _, _) = stripe.session_outcome(&session);
    let second = second.unwrap();
    let intent = stripe.latest_invoice_payment(&second).unwrap();
    deliver(&stripe, &events).await;
    assert_eq!(
        stripe.subscription_status(&second).as_deref(),
        Some("canceled")
    );
    assert_eq!(stripe.refunded(&intent), Some(2900));
    // Stripe reports the cancellation and the refund: the period's credits go back.
    deliver(&stripe, &stripe.take_events()).await;
    assert_eq!(available(&app, &ada).await, 300);
    let current = subscription(&app, &ada).await;
    assert_eq!(
        (current["plan_id"].as_str(), current["status"].as_str()),
        (Some("plan_basic"), Some("active"))
    );
    assert!(
        app.mails_to("ada@example.org")
            .iter()
            .any(|m| m.contains("second subscription was cancelled and refunded"))
    );
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn objects_this_platform_did_not_create_change_nothing() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    // Another integration on the same Stripe account sells its own subscription.
    let session = stripe.open_session(&[
        ("mode", "subscription"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][price_data][recurring][interval]", "month"),
        ("subscription_data[metadata][customer_ref]", "someone-else"),
    ]);
    let events = stripe.pay(&session).unwrap();
    deliver(&stripe, &events).await;
    let (sub, _, _) = stripe.session_outcome(&session);
    deliver(&stripe, &stripe.renew(&sub.unwrap())).await;
    let mut conn = app.state.db.get().await.unwrap();
    let rows: i64 = diesel_async::RunQueryDsl::get_result(
        diesel::QueryDsl::count(zimage_api::db::schema::subscriptions::table),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(rows, 0);
    assert_eq!(available(&app, &ada).await, 20);
}

#[tokio::test]
async fn a_referred_users_first_purchase_rewards_both_sides_once() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let referrer = app.signed_in_user("ref@example.org").await;
    let code = referrer.user["referral_code"].as_str().unwrap();
    app.post(
        "/v1/auth/signup",
        &json!({"email": "new@example.org", "password": PASSWORD, "accept_terms": true, "age_confirmed": true, "referral_code": code}),
    )
    .await;
    let token = app.token_from_mail("new@example.org", "verify-email").await;
    app.post("/v1/auth/verify-email", &json!({"token": token}))
        .await;
    let newcomer = app.sign_in("new@example.org", PASSWORD).await;
    for _ in 0..2 {
        let paid = pay(&app, &stripe, &newcomer, "pack_100").await;
        deliver(&stripe, &paid.events).await;
    }
    assert_eq!(available(&app, &newcomer).await, 20 + 200 + 50);
    assert_eq!(available(&app, &referrer).await, 20 + 50);
    app.assert_ledger_consistent(user_id(&referrer)).await;
    app.assert_ledger_consistent(user_id(&newcomer)).await;
}

#[tokio::test]
async fn a_refused_checkout_is_502_and_leaves_no_open_order() {
    let (app, _stripe) = app_with_stripe(&[("ZIMAGE_STRIPE_SECRET_KEY", "sk_test_wrong")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let response = app
        .post_auth(
            "/v1/billing/checkout",
            &ada.access,
            &json!({"product_id": "pack_100"}),
        )
        .await;
    let body = assert_problem(response, 502, "payment_provider_error").await;
    assert!(!body["detail"].as_str().unwrap().contains("sk_test_wrong"));
    assert_eq!(orders(&app, &ada).await["items"][0]["status"], "failed");
}

#[tokio::test]
async fn amounts_are_shown_in_each_currencys_own_decimals() {
    let catalog = std::env::temp_dir().join(format!(
        "zimage-catalog-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &catalog,
        json!({
            "packs": [
                {"id": "pack_jpy", "kind": "pack", "name": "100 credits", "description": "",
                 "credits": 100, "price_cents": 800, "currency": "jpy"},
                {"id": "pack_kwd", "kind": "pack", "name": "200 credits", "description": "",
                 "credits": 200, "price_cents": 1530, "currency": "kwd"},
                {"id": "pack_usd", "kind": "pack", "name": "300 credits", "description": "",
                 "credits": 300, "price_cents": 1250, "currency": "usd"}
            ],
            "plans": []
        })
        .to_string(),
    )
    .unwrap();
    let path = catalog.to_string_lossy().into_owned();
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_CATALOG_FILE", path.as_str())]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    for pack in ["pack_jpy", "pack_kwd", "pack_usd"] {
        let paid = pay(&app, &stripe, &ada, pack).await;
        deliver(&stripe, &paid.events).await;
    }
    let request = stripe
        .requests()
        .into_iter()
        .find(|r| {
            r.form
                .get("line_items[0][price_data][currency]")
                .map(String::as_str)
                == Some("jpy")
        })
        .unwrap();
    assert_eq!(
        request.form["line_items[0][price_data][unit_amount]"],
        "800"
    );
    let receipts: Vec<String> = app
        .mails_to("ada@example.org")
        .into_iter()
        .filter(|m| m.contains("Your Z-Image Studio receipt"))
        .collect();
    assert_eq!(receipts.len(), 3);
    for shown in ["¥800", "1.530 KWD", "$12.50"] {
        assert!(
            receipts.iter().any(|m| m.contains(shown)),
            "no receipt shows {shown}"
        );
    }
    assert!(!receipts.iter().any(|m| m.contains("8.00 JPY")));
    let admin = signed_in_admin(&app).await;
    let dashboard: Value = app.get_json("/v1/admin/dashboard", &admin.access).await;
    let mut revenue: Vec<(String, i64)> = dashboard["revenue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["currency"].as_str().unwrap().to_string(),
                r["amount_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    revenue.sort();
    assert_eq!(
        revenue,
        vec![
            ("jpy".into(), 800),
            ("kwd".into(), 1530),
            ("usd".into(), 1250)
        ]
    );
    let _ = std::fs::remove_file(catalog);
}

#[tokio::test]
async fn refunds_that_match_nothing_reach_the_admin_console_and_do_not_stay_forever() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let admin = signed_in_admin(&app).await;
    // A payment taken outside this platform, then refunded.
    let session = stripe.open_session(&[
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "700"),
    ]);
    stripe.pay(&session).unwrap();
    let (_, intent, _) = stripe.session_outcome(&session);
    let intent = intent.unwrap();
    deliver(&stripe, &stripe.refund(&intent, None).unwrap()).await;
    let dashboard: Value = app.get_json("/v1/admin/dashboard", &admin.access).await;
    assert_eq!(
        dashboard["unmatched_refunds"],
        json!([]),
        "not reported within the first day"
    );
    let mut conn = app.state.db.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE stripe_pending_refunds SET received_at = now() - interval '2 days'",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let dashboard: Value = app.get_json("/v1/admin/dashboard", &admin.access).await;
    let listed = &dashboard["unmatched_refunds"][0];
    assert_eq!(listed["payment_intent"], intent.as_str());
    assert_eq!(listed["amount_refunded"], 700);
    assert_eq!(listed["currency"], "usd");
    let report =
        zimage_api::domain::retention::enforce(&app.state, Utc::now() + chrono::Duration::days(91))
            .await
            .unwrap();
    assert_eq!(report.unmatched_refunds, 1);
    let dashboard: Value = app.get_json("/v1/admin/dashboard", &admin.access).await;
    assert_eq!(dashboard["unmatched_refunds"], json!([]));
    assert_eq!(available(&app, &ada).await, 20);
}

// ---------------------------------------------------------------------------------------------
// Delivery order: every scenario must end the same however Stripe orders and repeats its events.

/// What a scenario leaves behind for its user.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    available: i64,
    held: i64,
    /// Ledger totals per kind (a refund seen late may be one clawback instead of two).
    ledger: BTreeMap<String, i64>,
    /// Grants as (source, amount, expiry) — expiries relative to the scenario's start.
    grants: Vec<(String, i64, Option<i64>)>,
    subscription: Option<(String, String, bool, Option<i64>)>,
    orders: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Scenario {
    Pack,
    PlanWithTwoRenewals,
    UpgradeMidPeriod,
    DowngradeBilledAtRenewal,
    CancelAtPeriodEnd,
    PackRefundedInTwoParts,
    RenewalRefunded,
    RefundWhileCreditsAreHeld,
}

const SCENARIOS: [Scenario; 8] = [
    Scenario::Pack,
    Scenario::PlanWithTwoRenewals,
    Scenario::UpgradeMidPeriod,
    Scenario::DowngradeBilledAtRenewal,
    Scenario::CancelAtPeriodEnd,
    Scenario::PackRefundedInTwoParts,
    Scenario::RenewalRefunded,
    Scenario::RefundWhileCreditsAreHeld,
];

/// Runs `scenario` for a new user at Stripe, then delivers its events in `order` (indices into
/// the event list; `None`: as sent), each refused delivery retried later as Stripe does.
async fn run_scenario(
    app: &TestApp,
    stripe: &StripeServer,
    n: usize,
    scenario: Scenario,
    shuffle: Option<u64>,
) -> Outcome {
    let who = app.signed_in_user(&format!("user{n}@example.org")).await;
    let start = stripe.now();
    let mut events = Vec::new();
    let mut hold = None;
    match scenario {
        Scenario::Pack => events.extend(pay(app, stripe, &who, "pack_500").await.events),
        Scenario::PlanWithTwoRenewals => {
            let paid = pay(app, stripe, &who, "plan_basic").await;
            let sub = paid.subscription.clone().unwrap();
            events.extend(paid.events);
            events.extend(stripe.renew(&sub));
            events.extend(stripe.renew(&sub));
        }
        Scenario::UpgradeMidPeriod => {
            let paid = pay(app, stripe, &who, "plan_basic").await;
            let sub = paid.subscription.clone().unwrap();
            events.extend(paid.events);
            events.extend(stripe.change_plan(&sub, 2900, "plan_pro", 0.5, Proration::InvoiceNow));
            events.extend(stripe.renew(&sub));
        }
        Scenario::DowngradeBilledAtRenewal => {
            let paid = pay(app, stripe, &who, "plan_pro").await;
            let sub = paid.subscription.clone().unwrap();
            events.extend(paid.events);
            events.extend(stripe.change_plan(
                &sub,
                900,
                "plan_basic",
                0.25,
                Proration::NextInvoice,
            ));
            events.extend(stripe.renew(&sub));
        }
        Scenario::CancelAtPeriodEnd => {
            let paid = pay(app, stripe, &who, "plan_basic").await;
            let sub = paid.subscription.clone().unwrap();
            // Our cancel call needs the subscription recorded, so the checkout's events go first
            // in this one scenario; the rest are shuffled with a copy of them.
            deliver(stripe, &paid.events).await;
            events.extend(paid.events);
            let answer = app
                .post_auth("/v1/billing/subscription/cancel", &who.access, &json!({}))
                .await;
            assert_eq!(answer.status(), 200);
            events.extend(stripe.take_events());
            events.extend(stripe.end_period(&sub));
        }
        Scenario::PackRefundedInTwoParts => {
            let paid = pay(app, stripe, &who, "pack_100").await;
            let intent = paid.intent.clone().unwrap();
            events.extend(paid.events);
            events.extend(stripe.refund(&intent, Some(250)).unwrap());
            events.extend(stripe.refund(&intent, None).unwrap());
        }
        Scenario::RenewalRefunded => {
            let paid = pay(app, stripe, &who, "plan_basic").await;
            let sub = paid.subscription.clone().unwrap();
            events.extend(paid.events);
            events.extend(stripe.renew(&sub));
            let intent = stripe.latest_invoice_payment(&sub).unwrap();
            events.extend(stripe.refund(&intent, None).unwrap());
        }
        Scenario::RefundWhileCreditsAreHeld => {
            let paid = pay(app, stripe, &who, "pack_100").await;
            let intent = paid.intent.clone().unwrap();
            // The purchase must be credited before a task can hold from it.
            deliver(stripe, &paid.events).await;
            let mut conn = app.state.db.get().await.unwrap();
            hold = Some(
                zimage_api::domain::credits::hold(
                    &mut conn,
                    user_id(&who),
                    8,
                    uuid::Uuid::new_v4(),
                )
                .await
                .unwrap(),
            );
            events.extend(paid.events);
            events.extend(stripe.refund(&intent, None).unwrap());
        }
    }
    let mut order: Vec<usize> = (0..events.len()).collect();
    if let Some(seed) = shuffle {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        // Stripe repeats some deliveries: a third of the events twice.
        let repeats: Vec<usize> = order.iter().copied().filter(|i| i % 3 == 0).collect();
        order.extend(repeats);
        order.shuffle(&mut rng);
    }
    let calls_before = stripe.requests().len();
    let deliveries = order.len();
    let mut queue: std::collections::VecDeque<usize> = order.into_iter().collect();
    let mut refused = 0;
    while let Some(i) = queue.pop_front() {
        let status = stripe.deliver(&events[i]).await;
        if !(200..300).contains(&status) {
            refused += 1;
            assert!(
                refused < 100,
                "{scenario:?}: {} is never accepted (last answer {status})",
                events[i]["type"]
            );
            queue.push_back(i);
        }
    }
    // What handling costs at Stripe: its API is rate limited (100 reads a second live), so
    // each delivery may read at most a few objects.
    let calls = stripe.requests().len() - calls_before;
    assert!(
        calls <= 3 * (deliveries + refused),
        "{scenario:?}: {calls} Stripe API calls for {deliveries} deliveries"
    );
    println!(
        "{scenario:?} (shuffle {shuffle:?}): {deliveries} deliveries, {refused} refused, {calls} Stripe API calls"
    );
    if let Some(hold) = hold {
        let mut conn = app.state.db.get().await.unwrap();
        zimage_api::domain::credits::release(&mut conn, hold, "the task failed")
            .await
            .unwrap();
    }
    app.assert_ledger_consistent(user_id(&who)).await;
    outcome(app, &who, start).await
}

async fn outcome(app: &TestApp, who: &Signed, start: i64) -> Outcome {
    let balance: Value = app.get_json("/v1/credits", &who.access).await;
    let ledger: Value = app
        .get_json("/v1/credits/ledger?limit=100", &who.access)
        .await;
    let mut totals = BTreeMap::new();
    for e in ledger["items"].as_array().unwrap() {
        *totals
            .entry(e["kind"].as_str().unwrap().to_string())
            .or_default() += e["amount"].as_i64().unwrap();
    }
    let mut grants: Vec<(String, i64, Option<i64>)> = balance["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["source"].as_str().unwrap().to_string(),
                g["remaining"].as_i64().unwrap(),
                g["expires_at"]
                    .as_str()
                    .map(|_| timestamp(&g["expires_at"]) - start),
            )
        })
        .collect();
    grants.sort();
    let sub = subscription(app, who).await;
    let subscription = (!sub.is_null()).then(|| {
        (
            sub["plan_id"].as_str().unwrap().to_string(),
            sub["status"].as_str().unwrap().to_string(),
            sub["cancel_at_period_end"].as_bool().unwrap(),
            sub["current_period_end"]
                .as_str()
                .map(|_| timestamp(&sub["current_period_end"]) - start),
        )
    });
    let mut orders: Vec<String> = orders(app, who).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["product_id"].as_str().unwrap(),
                o["status"].as_str().unwrap()
            )
        })
        .collect();
    orders.sort();
    Outcome {
        available: balance["available"].as_i64().unwrap(),
        held: balance["held"].as_i64().unwrap(),
        ledger: totals,
        grants,
        subscription,
        orders,
    }
}

/// The balance each scenario must end with (sign-up bonus off).
fn expected_available(scenario: Scenario) -> i64 {
    match scenario {
        Scenario::Pack => 500,
        Scenario::PlanWithTwoRenewals => 900,
        // 300 + 1,500 × 1,000 / 2,900 (the upgrade's $10) + a Pro period's 1,500.
        Scenario::UpgradeMidPeriod => 300 + 517 + 1500,
        // A Pro period, then a Basic one (the downgrade's credit is money, not credits).
        Scenario::DowngradeBilledAtRenewal => 1500 + 300,
        Scenario::CancelAtPeriodEnd => 300,
        Scenario::PackRefundedInTwoParts => 0,
        // The first period's 300 stay; the refunded renewal's 300 go back.
        Scenario::RenewalRefunded => 300,
        Scenario::RefundWhileCreditsAreHeld => 0,
    }
}

#[tokio::test]
async fn every_scenario_ends_the_same_whatever_order_stripe_delivers_its_events_in() {
    let mut n = 0;
    for version in ApiVersion::ALL {
        let (app, stripe) = app_with_stripe_version(
            version,
            &[
                ("ZIMAGE_SIGNUP_BONUS_CREDITS", "0"),
                ("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", "1000/60"),
            ],
        )
        .await;
        for scenario in SCENARIOS {
            n += 1;
            let ordered = run_scenario(&app, &stripe, n, scenario, None).await;
            assert_eq!(
                (ordered.available, ordered.held),
                (expected_available(scenario), 0),
                "{version:?} {scenario:?} delivered in order: {ordered:#?}"
            );
            for seed in 1..=3 {
                n += 1;
                let shuffled = run_scenario(&app, &stripe, n, scenario, Some(seed)).await;
                assert_eq!(
                    shuffled, ordered,
                    "{version:?} {scenario:?}, order seed {seed}"
                );
            }
        }
    }
}
