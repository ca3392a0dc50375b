//! Buying credits through Stripe, against a local server speaking Stripe's wire format.

use chrono::Utc;
use serde_json::{Value, json};
use zimage_api::testing::stripe::{
    StripeServer, charge_object, event, invoice_object, session_object, subscription_object,
};

use crate::helpers::{
    PASSWORD, Signed, TestApp, assert_problem, spawn_app, spawn_app_with, user_id,
};

async fn app_with_stripe(extra: &[(&str, &str)]) -> (TestApp, StripeServer) {
    let stripe = StripeServer::start();
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

/// Completes a pack checkout as Stripe would; returns the payment intent id.
async fn pay_pack(
    app: &TestApp,
    stripe: &StripeServer,
    who: &Signed,
    product: &str,
) -> (String, String) {
    let started = checkout(app, who, product).await;
    let (session, order) = (
        started["session_id"].as_str().unwrap(),
        started["order_number"].as_str().unwrap(),
    );
    let intent = format!("pi_for_{order}");
    let completed = event(
        stripe,
        "checkout.session.completed",
        session_object(
            session,
            order,
            "payment",
            Some(&intent),
            "cus_test_local",
            None,
        ),
    );
    assert_eq!(stripe.deliver(&completed).await, 200);
    (intent, order.to_string())
}

#[tokio::test]
async fn without_stripe_the_catalog_shows_and_purchases_answer_503() {
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
    let ada = app.signed_in_user("ada@example.org").await;
    let response = app
        .post_auth(
            "/v1/billing/checkout",
            &ada.access,
            &json!({"product_id": "pack_100"}),
        )
        .await;
    assert_problem(response, 503, "payments_not_configured").await;
    assert_problem(
        app.post_auth("/v1/billing/portal", &ada.access, &json!({}))
            .await,
        503,
        "payments_not_configured",
    )
    .await;
    assert_problem(
        post_raw(&app, "{}", Some("t=1,v1=00")).await,
        503,
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
    let started = checkout(&app, &ada, "pack_500").await;
    let (session, order) = (
        started["session_id"].as_str().unwrap(),
        started["order_number"].as_str().unwrap(),
    );
    let completed = event(
        &stripe,
        "checkout.session.completed",
        session_object(session, order, "payment", Some("pi_1"), "cus_1", None),
    );
    assert_eq!(stripe.deliver(&completed).await, 200);
    let again = post_raw(
        &app,
        &completed.to_string(),
        Some(&stripe.signature_for(&completed.to_string(), Utc::now().timestamp())),
    )
    .await;
    assert_eq!(again.json::<Value>().await.unwrap()["duplicate"], true);
    // The same payment reported by another event type must not pay twice either.
    let succeeded = event(
        &stripe,
        "checkout.session.async_payment_succeeded",
        session_object(session, order, "payment", Some("pi_1"), "cus_1", None),
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
    assert!(receipts[0].contains("20.00 USD") && receipts[0].contains(order));
    app.assert_ledger_consistent(user_id(&ada)).await;
    // The customer is remembered, so the portal is available now.
    let portal: Value = app
        .post_auth("/v1/billing/portal", &ada.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(portal["url"].as_str().unwrap().contains("cus_1"));
}

#[tokio::test]
async fn bad_signatures_are_refused_and_credit_nothing() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let started = checkout(&app, &ada, "pack_100").await;
    let completed = event(
        &stripe,
        "checkout.session.completed",
        session_object(
            started["session_id"].as_str().unwrap(),
            started["order_number"].as_str().unwrap(),
            "payment",
            Some("pi_x"),
            "cus_x",
            None,
        ),
    );
    let body = completed.to_string();
    let now = Utc::now().timestamp();
    let wrong_secret =
        zimage_api::payments::signature::sign("whsec_not_ours", now, body.as_bytes());
    let stale = stripe.signature_for(&body, now - 400);
    let tampered_body = body.replace("pi_x", "pi_y");
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
    // Nothing was recorded, so the genuine delivery still counts.
    assert_eq!(stripe.deliver(&completed).await, 200);
    assert_eq!(available(&app, &ada).await, 120);
}

#[tokio::test]
async fn a_refund_after_partial_spending_claws_back_only_what_is_left() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (intent, order) = pay_pack(&app, &stripe, &ada, "pack_100").await;
    let mut conn = app.state.db.get().await.unwrap();
    let hold =
        zimage_api::domain::credits::hold(&mut conn, user_id(&ada), 70, uuid::Uuid::new_v4())
            .await
            .unwrap();
    zimage_api::domain::credits::settle(&mut conn, hold)
        .await
        .unwrap();
    assert_eq!(available(&app, &ada).await, 30);
    assert_eq!(
        stripe
            .deliver(&event(
                &stripe,
                "charge.succeeded",
                charge_object(&intent, 500, 0)
            ))
            .await,
        200
    );
    let receipt = orders(&app, &ada).await["items"][0]["receipt_url"].clone();
    assert_eq!(
        receipt,
        format!("https://pay.stripe.test/receipts/{intent}")
    );

    // Half the money back: 50 credits owed, 30 unspent, so 30 come back.
    assert_eq!(
        stripe
            .deliver(&event(
                &stripe,
                "charge.refunded",
                charge_object(&intent, 500, 250)
            ))
            .await,
        200
    );
    assert_eq!(available(&app, &ada).await, 0);
    assert_eq!(orders(&app, &ada).await["items"][0]["status"], "paid");
    // The rest refunded: nothing left to take, the order is refunded.
    assert_eq!(
        stripe
            .deliver(&event(
                &stripe,
                "charge.refunded",
                charge_object(&intent, 500, 500)
            ))
            .await,
        200
    );
    let listed = orders(&app, &ada).await;
    assert_eq!(
        (
            listed["items"][0]["number"].as_str(),
            listed["items"][0]["status"].as_str()
        ),
        (Some(order.as_str()), Some("refunded"))
    );
    let ledger: Value = app.get_json("/v1/credits/ledger", &ada.access).await;
    assert_eq!(ledger["items"][0]["kind"], "clawback");
    assert_eq!(ledger["items"][0]["amount"], -30);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn subscription_credits_arrive_per_period_and_expire_at_its_end() {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let started = checkout(&app, &ada, "plan_basic").await;
    let (session, order) = (
        started["session_id"].as_str().unwrap(),
        started["order_number"].as_str().unwrap(),
    );
    let metadata =
        json!({"order_number": order, "user_id": ada.user["id"], "product_id": "plan_basic"});
    let now = Utc::now().timestamp();

    // Out of order: the first invoice is reported before the checkout completes.
    let first = event(
        &stripe,
        "invoice.paid",
        invoice_object("in_1", "sub_1", "cus_1", &metadata, now + 2, 900),
    );
    assert_eq!(stripe.deliver(&first).await, 200);
    assert_eq!(available(&app, &ada).await, 300);
    let completed = event(
        &stripe,
        "checkout.session.completed",
        session_object(session, order, "subscription", None, "cus_1", Some("sub_1")),
    );
    assert_eq!(stripe.deliver(&completed).await, 200);
    assert_eq!(
        available(&app, &ada).await,
        300,
        "checkout completion does not pay the period twice"
    );
    let order_row = orders(&app, &ada).await;
    assert_eq!(order_row["items"][0]["status"], "paid");
    assert_eq!(
        order_row["items"][0]["receipt_url"],
        "https://invoice.stripe.test/in_1"
    );

    let renewal = event(
        &stripe,
        "invoice.paid",
        invoice_object("in_2", "sub_1", "cus_1", &metadata, now + 30 * 86_400, 900),
    );
    assert_eq!(stripe.deliver(&renewal).await, 200);
    let balance: Value = app.get_json("/v1/credits", &ada.access).await;
    assert_eq!(balance["available"], 600);
    assert_eq!(balance["grants"][0]["source"], "subscription");
    assert_eq!(
        balance["grants"][0]["expires_at"].as_str().unwrap()[..19],
        chrono::DateTime::from_timestamp(now + 2, 0)
            .unwrap()
            .to_rfc3339()[..19]
    );

    // The first period ends: its unspent credits expire, the renewal's remain.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(available(&app, &ada).await, 300);
    let subscription: Value = app.get_json("/v1/billing/subscription", &ada.access).await;
    assert_eq!(subscription["subscription"]["plan_id"], "plan_basic");
    assert_eq!(subscription["subscription"]["status"], "active");
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
async fn cancelling_ends_the_subscription_at_period_end() {
    let (app, stripe) = app_with_stripe(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    assert_problem(
        app.post_auth("/v1/billing/subscription/cancel", &ada.access, &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    let metadata = json!({"user_id": ada.user["id"], "product_id": "plan_pro"});
    let period_end = Utc::now().timestamp() + 20 * 86_400;
    stripe
        .deliver(&event(
            &stripe,
            "customer.subscription.created",
            subscription_object("sub_9", "active", false, period_end, &metadata),
        ))
        .await;

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
        .find(|r| r.path == "/v1/subscriptions/sub_9")
        .unwrap();
    assert_eq!(
        call.form.get("cancel_at_period_end").map(String::as_str),
        Some("true"),
        "{call:?}"
    );

    stripe
        .deliver(&event(
            &stripe,
            "customer.subscription.deleted",
            subscription_object("sub_9", "canceled", true, period_end, &metadata),
        ))
        .await;
    let current: Value = app.get_json("/v1/billing/subscription", &ada.access).await;
    assert_eq!(current["subscription"]["status"], "canceled");
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
        let session = session_object(
            started["session_id"].as_str().unwrap(),
            started["order_number"].as_str().unwrap(),
            "payment",
            None,
            "cus_1",
            None,
        );
        assert_eq!(stripe.deliver(&event(&stripe, kind, session)).await, 200);
        assert_eq!(orders(&app, &ada).await["items"][0]["status"], status);
    }
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
    pay_pack(&app, &stripe, &newcomer, "pack_100").await;
    pay_pack(&app, &stripe, &newcomer, "pack_100").await;
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

/// The final state after delivering `events` in `order` (indices, repeats allowed), with
/// Stripe's behaviour for refused deliveries: anything not answered 2xx is sent again later.
async fn deliver_in_order(
    order: &[usize],
) -> (i64, String, std::collections::BTreeMap<String, i64>, usize) {
    let (app, stripe) = app_with_stripe(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let started = checkout(&app, &ada, "pack_100").await;
    let (session, number) = (
        started["session_id"].as_str().unwrap().to_string(),
        started["order_number"].as_str().unwrap().to_string(),
    );
    let intent = format!("pi_for_{number}");
    let events = [
        event(
            &stripe,
            "checkout.session.completed",
            session_object(
                &session,
                &number,
                "payment",
                Some(&intent),
                "cus_test_local",
                None,
            ),
        ),
        event(&stripe, "charge.succeeded", charge_object(&intent, 500, 0)),
        event(&stripe, "charge.refunded", charge_object(&intent, 500, 250)),
        event(&stripe, "charge.refunded", charge_object(&intent, 500, 500)),
    ];
    let mut queue: std::collections::VecDeque<usize> = order.iter().copied().collect();
    let mut retries = 0;
    while let Some(i) = queue.pop_front() {
        let status = stripe.deliver(&events[i]).await;
        if !(200..300).contains(&status) {
            retries += 1;
            assert!(
                retries < 50,
                "event {i} is never accepted (last answer {status})"
            );
            queue.push_back(i);
        }
    }
    let listed = orders(&app, &ada).await;
    let ledger: Value = app
        .get_json("/v1/credits/ledger?limit=100", &ada.access)
        .await;
    // Totals per kind of entry: a refund seen late may arrive as one clawback instead of two.
    let mut entries: std::collections::BTreeMap<String, i64> = Default::default();
    for e in ledger["items"].as_array().unwrap() {
        *entries
            .entry(e["kind"].as_str().unwrap().to_string())
            .or_default() += e["amount"].as_i64().unwrap();
    }
    app.assert_ledger_consistent(user_id(&ada)).await;
    (
        available(&app, &ada).await,
        listed["items"][0]["status"].as_str().unwrap().to_string(),
        entries,
        retries,
    )
}

#[tokio::test]
async fn shuffled_and_duplicated_stripe_events_end_like_ordered_ones() {
    let (credits, status, ledger, _) = deliver_in_order(&[0, 1, 2, 3]).await;
    assert_eq!((credits, status.as_str()), (0, "refunded"));
    for order in [
        vec![3, 2, 1, 0],
        vec![2, 0, 0, 3, 1, 2],
        vec![1, 3, 0, 3, 2, 0, 1],
    ] {
        let (c, s, l, retries) = deliver_in_order(&order).await;
        println!("order {order:?}: {retries} deliveries refused and retried");
        assert_eq!((c, &s, &l), (credits, &status, &ledger), "order {order:?}");
    }
}
