//! A local HTTP server speaking the parts of Stripe's API we use, plus a fake hosted Checkout
//! page whose "Pay" button sends correctly signed webhook events, as Stripe would.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::payments::signature;

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub form: HashMap<String, String>,
    pub idempotency_key: Option<String>,
    /// The `Stripe-Version` the client pinned the request to.
    pub stripe_version: Option<String>,
}

#[derive(Default)]
struct Inner {
    requests: Vec<Recorded>,
    sessions: HashMap<String, HashMap<String, String>>,
    webhook_url: Option<String>,
    counter: u64,
}

/// Handle to a running Stripe-speaking server.
#[derive(Clone)]
pub struct StripeServer {
    pub base_url: String,
    pub secret_key: String,
    pub webhook_secret: String,
    inner: Arc<Mutex<Inner>>,
}

struct Shared {
    server: StripeServer,
}

impl StripeServer {
    /// Starts the server on a free port.
    pub fn start() -> Self {
        crate::providers::http::install_crypto();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = Self {
            base_url: format!("http://127.0.0.1:{port}/"),
            secret_key: "sk_test_zimage_local".into(),
            webhook_secret: "whsec_zimage_local_test".into(),
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let shared = web::Data::new(Shared {
            server: server.clone(),
        });
        let http = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/v1/checkout/sessions", web::post().to(create_session))
                .route("/v1/billing_portal/sessions", web::post().to(create_portal))
                .route(
                    "/v1/subscriptions/{id}",
                    web::post().to(update_subscription),
                )
                .route("/pay/{id}", web::get().to(pay_page))
                .route("/pay/{id}", web::post().to(pay))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(http);
        server
    }

    /// Where the fake Checkout page sends its webhooks.
    pub fn set_webhook_url(&self, url: &str) {
        self.lock().webhook_url = Some(url.to_string());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every API request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The form a Checkout Session was created with.
    pub fn session(&self, id: &str) -> Option<HashMap<String, String>> {
        self.lock().sessions.get(id).cloned()
    }

    fn next_id(&self, prefix: &str) -> String {
        let mut inner = self.lock();
        inner.counter += 1;
        format!("{prefix}_test_{:06}", inner.counter)
    }

    /// Signs `event` with the webhook secret, as the `Stripe-Signature` header value.
    pub fn signature_for(&self, body: &str, timestamp: i64) -> String {
        signature::sign(&self.webhook_secret, timestamp, body.as_bytes())
    }

    /// Posts `event` to the webhook URL with a valid signature; returns the HTTP status.
    pub async fn deliver(&self, event: &Value) -> u16 {
        let url = self.lock().webhook_url.clone().expect("webhook URL set");
        let body = event.to_string();
        let header = self.signature_for(&body, chrono::Utc::now().timestamp());
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("stripe-signature", header)
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

/// Stripe's 401 for a request without our secret key, or `None` when the key is right.
fn unauthorized(req: &HttpRequest, shared: &Shared) -> Option<HttpResponse> {
    let expected = format!("Bearer {}", shared.server.secret_key);
    let sent = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    (sent != Some(expected.as_str())).then(|| {
        HttpResponse::Unauthorized().json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}))
    })
}

fn record(req: &HttpRequest, shared: &Shared, body: &[u8]) -> HashMap<String, String> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let form: HashMap<String, String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .collect();
    shared.server.lock().requests.push(Recorded {
        path: req.path().to_string(),
        form: form.clone(),
        idempotency_key: header("idempotency-key"),
        stripe_version: header("stripe-version"),
    });
    form
}

async fn create_session(
    req: HttpRequest,
    shared: web::Data<Shared>,
    body: web::Bytes,
) -> HttpResponse {
    if let Some(denied) = unauthorized(&req, &shared) {
        return denied;
    }
    let form = record(&req, &shared, &body);
    let id = shared.server.next_id("cs");
    let url = format!("{}pay/{id}", shared.server.base_url);
    shared
        .server
        .lock()
        .sessions
        .insert(id.clone(), form.clone());
    HttpResponse::Ok().json(json!({
        "id": id, "object": "checkout.session", "url": url, "status": "open",
        "mode": form.get("mode"), "client_reference_id": form.get("client_reference_id"),
        "payment_status": "unpaid", "livemode": false
    }))
}

async fn create_portal(
    req: HttpRequest,
    shared: web::Data<Shared>,
    body: web::Bytes,
) -> HttpResponse {
    if let Some(denied) = unauthorized(&req, &shared) {
        return denied;
    }
    let form = record(&req, &shared, &body);
    let customer = form.get("customer").cloned().unwrap_or_default();
    HttpResponse::Ok().json(json!({
        "id": shared.server.next_id("bps"), "object": "billing_portal.session", "customer": customer,
        "url": format!("{}portal/{customer}", shared.server.base_url), "livemode": false
    }))
}

async fn update_subscription(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    if let Some(denied) = unauthorized(&req, &shared) {
        return denied;
    }
    let form = record(&req, &shared, &body);
    HttpResponse::Ok().json(json!({
        "id": path.into_inner(), "object": "subscription", "status": "active",
        "cancel_at_period_end": form.get("cancel_at_period_end").map(|v| v == "true")
    }))
}

async fn pay_page(path: web::Path<String>, shared: web::Data<Shared>) -> HttpResponse {
    let id = path.into_inner();
    let Some(form) = shared.server.session(&id) else {
        return HttpResponse::NotFound().body("unknown session");
    };
    let name = form
        .get("line_items[0][price_data][product_data][name]")
        .cloned()
        .unwrap_or_default();
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><title>Test checkout</title><h1>Test checkout</h1><p id=product>{name}</p>\
         <form method=post><button id=pay type=submit>Pay</button></form>"
    ))
}

/// "Pays": sends the events Stripe would, then returns to the success URL.
async fn pay(path: web::Path<String>, shared: web::Data<Shared>) -> HttpResponse {
    let id = path.into_inner();
    let Some(form) = shared.server.session(&id) else {
        return HttpResponse::NotFound().body("unknown session");
    };
    let server = &shared.server;
    let order = form.get("client_reference_id").cloned().unwrap_or_default();
    let customer = "cus_test_local".to_string();
    let subscription_mode = form.get("mode").map(String::as_str) == Some("subscription");
    let mut events = Vec::new();
    if subscription_mode {
        let sub = server.next_id("sub");
        let metadata = json!({
            "order_number": order,
            "user_id": form.get("subscription_data[metadata][user_id]"),
            "product_id": form.get("subscription_data[metadata][product_id]"),
        });
        events.push(event(
            server,
            "checkout.session.completed",
            session_object(&id, &order, "subscription", None, &customer, Some(&sub)),
        ));
        let period_end = chrono::Utc::now().timestamp() + 30 * 86_400;
        events.push(event(
            server,
            "invoice.paid",
            invoice_object(
                &server.next_id("in"),
                &sub,
                &customer,
                &metadata,
                period_end,
                900,
            ),
        ));
    } else {
        let intent = server.next_id("pi");
        events.push(event(
            server,
            "checkout.session.completed",
            session_object(&id, &order, "payment", Some(&intent), &customer, None),
        ));
        let amount = form
            .get("line_items[0][price_data][unit_amount]")
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        events.push(event(
            server,
            "charge.succeeded",
            charge_object(&intent, amount, 0),
        ));
    }
    for e in &events {
        server.deliver(e).await;
    }
    let success = form
        .get("success_url")
        .cloned()
        .unwrap_or_else(|| "/".into());
    HttpResponse::SeeOther()
        .insert_header(("location", success))
        .finish()
}

/// A Stripe event envelope around `object`.
pub fn event(server: &StripeServer, kind: &str, object: Value) -> Value {
    json!({
        "id": server.next_id("evt"), "object": "event", "api_version": "2023-10-16",
        "created": chrono::Utc::now().timestamp(), "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": kind,
        "data": {"object": object, "previous_attributes": null}
    })
}

/// A completed Checkout Session.
pub fn session_object(
    id: &str,
    order: &str,
    mode: &str,
    payment_intent: Option<&str>,
    customer: &str,
    subscription: Option<&str>,
) -> Value {
    json!({
        "id": id, "object": "checkout.session", "mode": mode, "status": "complete",
        "payment_status": "paid", "client_reference_id": order, "customer": customer,
        "payment_intent": payment_intent, "subscription": subscription,
        "metadata": {"order_number": order}
    })
}

/// A paid subscription invoice in the current API shape (and the older top-level field).
pub fn invoice_object(
    id: &str,
    subscription: &str,
    customer: &str,
    metadata: &Value,
    period_end: i64,
    amount: i64,
) -> Value {
    json!({
        "id": id, "object": "invoice", "status": "paid", "customer": customer, "currency": "usd",
        "amount_paid": amount, "subscription": subscription,
        "hosted_invoice_url": format!("https://invoice.stripe.test/{id}"),
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription, "metadata": metadata}},
        "lines": {"object": "list", "data": [{"period": {"start": period_end - 30 * 86_400, "end": period_end}, "metadata": metadata}]}
    })
}

/// A charge with `refunded` of `amount` refunded.
pub fn charge_object(payment_intent: &str, amount: i64, refunded: i64) -> Value {
    json!({
        "id": format!("ch_for_{payment_intent}"), "object": "charge", "payment_intent": payment_intent,
        "amount": amount, "amount_refunded": refunded, "refunded": refunded >= amount, "currency": "usd",
        "paid": true, "status": "succeeded",
        "receipt_url": format!("https://pay.stripe.test/receipts/{payment_intent}")
    })
}

/// A subscription object as in `customer.subscription.*` events.
pub fn subscription_object(
    id: &str,
    status: &str,
    cancel_at_period_end: bool,
    period_end: i64,
    metadata: &Value,
) -> Value {
    json!({
        "id": id, "object": "subscription", "status": status, "customer": "cus_test_local",
        "cancel_at_period_end": cancel_at_period_end, "metadata": metadata,
        "items": {"object": "list", "data": [{"current_period_end": period_end}]}
    })
}
