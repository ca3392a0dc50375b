//! A local server speaking Stripe's API and webhook format, for the tests and the browser suite.
//!
//! Objects are rendered from Stripe's own published fixtures (`api/testdata/stripe`, from the
//! stripe/openapi repository) in one of two API versions, either side of the 2025-03-31 changes
//! (see [`ApiVersion`]), with the state this server keeps written over them: customers,
//! Checkout Sessions, subscriptions, invoices, payment intents, charges and refunds. API answers
//! use the newer shape (our client pins a newer version); webhook events use the version the
//! test picks, as a Stripe account's webhook endpoint would.
//!
//! Each action — paying a session, a renewal, a plan change, a refund, the end of a period —
//! changes the state and returns the events Stripe would send, each a snapshot of its object at
//! that moment, for the test to deliver in whatever order it likes. Actions taken through the
//! API (cancelling, expiring a session, refunding) leave their events in an outbox
//! ([`StripeServer::take_events`]). The fake Checkout page (`/pay/{id}`) delivers its events
//! itself, in order, as the browser suite needs.

mod render;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

pub use render::ApiVersion;
use render::{
    ChargeView, IntentView, InvoiceView, Line, Price, RefundView, SessionView, SubscriptionView,
};

use crate::payments::signature;

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The form body (or, for reads, the query).
    pub form: HashMap<String, String>,
    pub idempotency_key: Option<String>,
    /// The `Stripe-Version` the client pinned the request to.
    pub stripe_version: Option<String>,
}

/// How a plan change is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proration {
    /// An invoice for the difference now (`billing_reason: subscription_update`).
    InvoiceNow,
    /// The difference is added to the next renewal's invoice, ahead of its subscription line.
    NextInvoice,
}

/// Ways the server departs from its plain behaviour, as Stripe sometimes does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quirks {
    /// References (`customer`, `subscription`, `payment_intent`, `invoice`) in event objects
    /// are expanded objects instead of ids, as API answers are with `expand[]`.
    pub expanded_references: bool,
    /// Invoices carry no snapshot of the subscription's metadata (`null`), as invoices
    /// finalized before the metadata was set do.
    pub no_invoice_metadata: bool,
}

#[derive(Debug, Clone)]
struct Session {
    form: HashMap<String, String>,
    status: &'static str,
    customer: Option<String>,
    subscription: Option<String>,
    payment_intent: Option<String>,
    invoice: Option<String>,
    created: i64,
}

#[derive(Debug, Clone)]
struct Subscription {
    customer: String,
    status: &'static str,
    metadata: Map<String, Value>,
    item_id: String,
    price: Price,
    period: (i64, i64),
    cancel_at_period_end: bool,
    canceled_at: Option<i64>,
    ended_at: Option<i64>,
    created: i64,
    latest_invoice: Option<String>,
    /// Lines waiting for the next invoice (prorations, one-off items).
    pending: Vec<Line>,
}

#[derive(Debug, Clone)]
struct Invoice {
    customer: String,
    subscription: Option<String>,
    metadata: Option<Map<String, Value>>,
    billing_reason: &'static str,
    amount_due: i64,
    amount_paid: i64,
    currency: String,
    lines: Vec<Line>,
    payment_intent: Option<String>,
    charge: Option<String>,
    created: i64,
    period: (i64, i64),
    number: String,
}

#[derive(Debug, Clone)]
struct Intent {
    amount: i64,
    currency: String,
    customer: Option<String>,
    metadata: Map<String, Value>,
    charge: String,
    invoice: Option<String>,
    created: i64,
}

#[derive(Debug, Clone)]
struct Charge {
    payment_intent: String,
    amount: i64,
    amount_refunded: i64,
    currency: String,
    customer: Option<String>,
    invoice: Option<String>,
    refunds: Vec<String>,
    created: i64,
}

#[derive(Debug, Clone)]
struct Refund {
    charge: String,
    payment_intent: String,
    amount: i64,
    currency: String,
    created: i64,
}

struct Inner {
    base_url: String,
    requests: Vec<Recorded>,
    webhook_url: Option<String>,
    counter: u64,
    /// Stripe's idea of now (Unix seconds); actions move it forward.
    clock: i64,
    events_version: ApiVersion,
    quirks: Quirks,
    customers: BTreeMap<String, Option<String>>,
    sessions: BTreeMap<String, Session>,
    subscriptions: BTreeMap<String, Subscription>,
    invoices: BTreeMap<String, Invoice>,
    intents: BTreeMap<String, Intent>,
    charges: BTreeMap<String, Charge>,
    refunds: BTreeMap<String, Refund>,
    outbox: Vec<Value>,
    /// Statuses to answer the next API requests with instead of serving them.
    failures: Vec<u16>,
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

const MONTH: i64 = 30 * 86_400;
const YEAR: i64 = 365 * 86_400;

fn interval_seconds(interval: Option<&str>) -> i64 {
    if interval == Some("year") {
        YEAR
    } else {
        MONTH
    }
}

impl Inner {
    fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}_test_{:06}", self.counter)
    }

    fn tick(&mut self) -> i64 {
        self.clock += 1;
        self.clock
    }

    fn reference(&self, id: Option<&str>, expand: impl Fn(&Self, &str) -> Value) -> Value {
        match id {
            None => Value::Null,
            Some(id) if self.quirks.expanded_references => expand(self, id),
            Some(id) => json!(id),
        }
    }

    fn customer_json(&self, version: ApiVersion, id: &str) -> Value {
        let email = self.customers.get(id).cloned().flatten();
        render::customer(version, id, email.as_deref(), self.clock)
    }

    fn session_json(&self, version: ApiVersion, id: &str) -> Value {
        let s = &self.sessions[id];
        let metadata: Map<String, Value> = prefixed(&s.form, "metadata")
            .into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect();
        let url = format!("{}pay/{id}", self.base_url);
        render::session(
            version,
            &SessionView {
                id,
                mode: s.form.get("mode").map_or("payment", String::as_str),
                status: s.status,
                payment_status: if s.status == "complete" {
                    "paid"
                } else {
                    "unpaid"
                },
                client_reference_id: s.form.get("client_reference_id").map(String::as_str),
                customer: self
                    .reference(s.customer.as_deref(), |me, c| me.customer_json(version, c)),
                customer_email: s.form.get("customer_email").map(String::as_str),
                subscription: self.reference(s.subscription.as_deref(), |me, id| {
                    me.subscription_json(version, id)
                }),
                payment_intent: self.reference(s.payment_intent.as_deref(), |me, id| {
                    me.intent_json(version, id)
                }),
                invoice: self
                    .reference(s.invoice.as_deref(), |me, id| me.invoice_json(version, id)),
                metadata: &metadata,
                url: (s.status == "open").then_some(url.as_str()),
                amount_total: session_amount(&s.form),
                currency: s
                    .form
                    .get("line_items[0][price_data][currency]")
                    .map_or("usd", String::as_str),
                success_url: s.form.get("success_url").map(String::as_str),
                cancel_url: s.form.get("cancel_url").map(String::as_str),
                created: s.created,
            },
        )
    }

    fn subscription_json(&self, version: ApiVersion, id: &str) -> Value {
        let s = &self.subscriptions[id];
        render::subscription(
            version,
            &SubscriptionView {
                id,
                customer: self.reference(Some(&s.customer), |me, c| me.customer_json(version, c)),
                status: s.status,
                metadata: &s.metadata,
                item_id: &s.item_id,
                price: &s.price,
                period: s.period,
                cancel_at_period_end: s.cancel_at_period_end,
                canceled_at: s.canceled_at,
                ended_at: s.ended_at,
                created: s.created,
                latest_invoice: s.latest_invoice.as_deref(),
            },
        )
    }

    fn invoice_json(&self, version: ApiVersion, id: &str) -> Value {
        let i = &self.invoices[id];
        render::invoice(
            version,
            &InvoiceView {
                id,
                customer: self.reference(Some(&i.customer), |me, c| me.customer_json(version, c)),
                subscription: i
                    .subscription
                    .as_deref()
                    .map(|s| self.reference(Some(s), |me, s| me.subscription_json(version, s))),
                subscription_metadata: if self.quirks.no_invoice_metadata {
                    None
                } else {
                    i.metadata.as_ref()
                },
                billing_reason: i.billing_reason,
                status: "paid",
                amount_due: i.amount_due,
                amount_paid: i.amount_paid,
                currency: &i.currency,
                lines: &i.lines,
                payment_intent: i.payment_intent.as_deref(),
                charge: i.charge.as_deref(),
                created: i.created,
                period: i.period,
                number: &i.number,
            },
        )
    }

    fn intent_json(&self, version: ApiVersion, id: &str) -> Value {
        let p = &self.intents[id];
        render::payment_intent(
            version,
            &IntentView {
                id,
                amount: p.amount,
                currency: &p.currency,
                customer: p.customer.as_deref(),
                metadata: &p.metadata,
                latest_charge: Some(&p.charge),
                invoice: p.invoice.as_deref(),
                created: p.created,
            },
        )
    }

    fn refund_json(&self, version: ApiVersion, id: &str) -> Value {
        let r = &self.refunds[id];
        render::refund(
            version,
            &RefundView {
                id,
                charge: &r.charge,
                payment_intent: &r.payment_intent,
                amount: r.amount,
                currency: &r.currency,
                created: r.created,
            },
        )
    }

    fn charge_json(&self, version: ApiVersion, id: &str) -> Value {
        let c = &self.charges[id];
        render::charge(
            version,
            &ChargeView {
                id,
                payment_intent: &c.payment_intent,
                amount: c.amount,
                amount_refunded: c.amount_refunded,
                currency: &c.currency,
                customer: c.customer.as_deref(),
                invoice: c.invoice.as_deref(),
                refunds: c
                    .refunds
                    .iter()
                    .map(|r| self.refund_json(version, r))
                    .collect(),
                created: c.created,
            },
        )
    }

    /// An event about `object`, rendered now in the webhook endpoint's version.
    fn event(&mut self, kind: &str, object: Value, previous: Option<Value>) -> Value {
        let id = self.next_id("evt");
        let created = self.tick();
        render::event(
            self.events_version,
            &id,
            kind,
            object,
            previous,
            created,
            true,
        )
    }

    fn new_customer(&mut self, email: Option<String>) -> String {
        let id = self.next_id("cus");
        self.customers.insert(id.clone(), email);
        id
    }

    /// Takes a payment: a payment intent and its charge. Returns (intent, charge).
    fn take_payment(
        &mut self,
        amount: i64,
        currency: &str,
        customer: Option<&str>,
        metadata: Map<String, Value>,
        invoice: Option<&str>,
    ) -> (String, String) {
        let intent = self.next_id("pi");
        let charge = self.next_id("ch");
        let now = self.clock;
        self.intents.insert(
            intent.clone(),
            Intent {
                amount,
                currency: currency.into(),
                customer: customer.map(String::from),
                metadata,
                charge: charge.clone(),
                invoice: invoice.map(String::from),
                created: now,
            },
        );
        self.charges.insert(
            charge.clone(),
            Charge {
                payment_intent: intent.clone(),
                amount,
                amount_refunded: 0,
                currency: currency.into(),
                customer: customer.map(String::from),
                invoice: invoice.map(String::from),
                refunds: Vec::new(),
                created: now,
            },
        );
        (intent, charge)
    }

    /// Issues and pays an invoice for a subscription; returns its id and the events.
    fn bill(
        &mut self,
        subscription: &str,
        billing_reason: &'static str,
        lines: Vec<Line>,
        period: (i64, i64),
    ) -> (String, Vec<Value>) {
        let id = self.next_id("in");
        let sub = self.subscriptions[subscription].clone();
        let total: i64 = lines.iter().map(|l| l.amount).sum();
        let due = total.max(0);
        let mut events = Vec::new();
        let (intent, charge) = if due > 0 {
            let (intent, charge) = self.take_payment(
                due,
                &sub.price.currency,
                Some(&sub.customer),
                Map::new(),
                Some(&id),
            );
            (Some(intent), Some(charge))
        } else {
            (None, None)
        };
        let now = self.tick();
        let number = format!("TEST-{:04}", self.invoices.len() + 1);
        self.invoices.insert(
            id.clone(),
            Invoice {
                customer: sub.customer.clone(),
                subscription: Some(subscription.to_string()),
                metadata: Some(sub.metadata.clone()),
                billing_reason,
                amount_due: due,
                amount_paid: due,
                currency: sub.price.currency.clone(),
                lines,
                payment_intent: intent.clone(),
                charge: charge.clone(),
                created: now,
                period,
                number,
            },
        );
        if let Some(s) = self.subscriptions.get_mut(subscription) {
            s.latest_invoice = Some(id.clone());
        }
        let version = self.events_version;
        if let Some(charge) = &charge {
            let object = self.charge_json(version, charge);
            events.push(self.event("charge.succeeded", object, None));
        }
        let object = self.invoice_json(version, &id);
        events.push(self.event("invoice.paid", object.clone(), None));
        events.push(self.event("invoice.payment_succeeded", object, None));
        (id, events)
    }

    fn subscription_line(&mut self, subscription: &str, period: (i64, i64)) -> Line {
        let sub = &self.subscriptions[subscription];
        let (price, item) = (sub.price.clone(), sub.item_id.clone());
        Line {
            id: self.next_id("il"),
            amount: price.unit_amount,
            currency: price.currency.clone(),
            description: format!("1 × {}", price.product),
            period,
            subscription: Some(subscription.to_string()),
            subscription_item: Some(item),
            invoice_item: None,
            price,
            proration: false,
        }
    }

    fn subscription_event(&mut self, kind: &str, id: &str, previous: Option<Value>) -> Value {
        let object = self.subscription_json(self.events_version, id);
        self.event(kind, object, previous)
    }
}

/// `prefix[key]=value` entries of a form, as a map of key to value.
fn prefixed(form: &HashMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    let start = format!("{prefix}[");
    form.iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(&start)
                .and_then(|rest| rest.strip_suffix(']'))
                .filter(|key| !key.contains('['))
                .map(|key| (key.to_string(), v.clone()))
        })
        .collect()
}

fn session_amount(form: &HashMap<String, String>) -> i64 {
    let unit: i64 = form
        .get("line_items[0][price_data][unit_amount]")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let quantity: i64 = form
        .get("line_items[0][quantity]")
        .and_then(|q| q.parse().ok())
        .unwrap_or(1);
    unit * quantity
}

fn metadata_of(form: &HashMap<String, String>, prefix: &str) -> Map<String, Value> {
    prefixed(form, prefix)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect()
}

fn stripe_error(status: u16, kind: &str, code: Option<&str>, message: &str) -> HttpResponse {
    let mut response =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status"));
    if status == 429 || status >= 500 {
        response.insert_header(("stripe-should-retry", "true"));
    }
    response.json(json!({"error": {"type": kind, "code": code, "message": message}}))
}

fn missing(what: &str, id: &str) -> HttpResponse {
    stripe_error(
        404,
        "invalid_request_error",
        Some("resource_missing"),
        &format!("No such {what}: '{id}'"),
    )
}

impl StripeServer {
    /// Starts the server on a free port; events are rendered in the newest fixture version.
    pub fn start() -> Self {
        Self::start_with(ApiVersion::V2026_07_29Dahlia)
    }

    /// Starts the server, rendering webhook events in `events_version`.
    pub fn start_with(events_version: ApiVersion) -> Self {
        crate::providers::http::install_crypto();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let base_url = format!("http://127.0.0.1:{port}/");
        let server = Self {
            base_url: base_url.clone(),
            secret_key: "sk_test_zimage_local".into(),
            webhook_secret: "whsec_zimage_local_test".into(),
            inner: Arc::new(Mutex::new(Inner {
                base_url,
                requests: Vec::new(),
                webhook_url: None,
                counter: 0,
                clock: chrono::Utc::now().timestamp(),
                events_version,
                quirks: Quirks::default(),
                customers: BTreeMap::new(),
                sessions: BTreeMap::new(),
                subscriptions: BTreeMap::new(),
                invoices: BTreeMap::new(),
                intents: BTreeMap::new(),
                charges: BTreeMap::new(),
                refunds: BTreeMap::new(),
                outbox: Vec::new(),
                failures: Vec::new(),
            })),
        };
        let shared = web::Data::new(Shared {
            server: server.clone(),
        });
        let http = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/v1/checkout/sessions", web::post().to(create_session))
                .route(
                    "/v1/checkout/sessions/{id}",
                    web::get().to(|req, shared, path| {
                        read_object(req, shared, path, "checkout.session", |inner, v, id| {
                            inner
                                .sessions
                                .contains_key(id)
                                .then(|| inner.session_json(v, id))
                        })
                    }),
                )
                .route(
                    "/v1/checkout/sessions/{id}/expire",
                    web::post().to(expire_session),
                )
                .route("/v1/billing_portal/sessions", web::post().to(create_portal))
                .route(
                    "/v1/subscriptions/{id}",
                    web::get().to(|req, shared, path| {
                        read_object(req, shared, path, "subscription", |inner, v, id| {
                            inner
                                .subscriptions
                                .contains_key(id)
                                .then(|| inner.subscription_json(v, id))
                        })
                    }),
                )
                .route(
                    "/v1/subscriptions/{id}",
                    web::post().to(update_subscription),
                )
                .route(
                    "/v1/subscriptions/{id}",
                    web::delete().to(cancel_subscription),
                )
                .route(
                    "/v1/invoices/{id}",
                    web::get().to(|req, shared, path| {
                        read_object(req, shared, path, "invoice", |inner, v, id| {
                            inner
                                .invoices
                                .contains_key(id)
                                .then(|| inner.invoice_json(v, id))
                        })
                    }),
                )
                .route("/v1/invoice_payments", web::get().to(list_invoice_payments))
                .route("/v1/refunds", web::post().to(create_refund))
                .route(
                    "/v1/payment_intents/{id}",
                    web::get().to(get_payment_intent),
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where events go.
    pub fn set_webhook_url(&self, url: &str) {
        self.lock().webhook_url = Some(url.to_string());
    }

    /// Renders webhook events in `version` from now on.
    pub fn set_events_version(&self, version: ApiVersion) {
        self.lock().events_version = version;
    }

    pub fn set_quirks(&self, quirks: Quirks) {
        self.lock().quirks = quirks;
    }

    /// The next `count` API requests are answered with `status` (429 or 5xx: Stripe under load).
    pub fn fail_next(&self, status: u16, count: usize) {
        self.lock()
            .failures
            .extend(std::iter::repeat_n(status, count));
    }

    /// Moves Stripe's clock forward.
    pub fn advance(&self, seconds: i64) {
        self.lock().clock += seconds;
    }

    /// Stripe's clock (Unix seconds).
    pub fn now(&self) -> i64 {
        self.lock().clock
    }

    /// Every API request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The form a Checkout Session was created with.
    pub fn session(&self, id: &str) -> Option<HashMap<String, String>> {
        self.lock().sessions.get(id).map(|s| s.form.clone())
    }

    /// The Checkout Session's subscription, payment intent and customer, once paid.
    pub fn session_outcome(&self, id: &str) -> (Option<String>, Option<String>, Option<String>) {
        let inner = self.lock();
        inner.sessions.get(id).map_or((None, None, None), |s| {
            (
                s.subscription.clone(),
                s.payment_intent.clone(),
                s.customer.clone(),
            )
        })
    }

    /// The subscription's status as Stripe holds it.
    pub fn subscription_status(&self, id: &str) -> Option<String> {
        self.lock()
            .subscriptions
            .get(id)
            .map(|s| s.status.to_string())
    }

    /// The subscription's current period (start, end).
    pub fn subscription_period(&self, id: &str) -> Option<(i64, i64)> {
        self.lock().subscriptions.get(id).map(|s| s.period)
    }

    /// The payment intent that paid the subscription's latest invoice, if it cost anything.
    pub fn latest_invoice_payment(&self, subscription: &str) -> Option<String> {
        let inner = self.lock();
        let invoice = inner
            .subscriptions
            .get(subscription)?
            .latest_invoice
            .clone()?;
        inner.invoices.get(&invoice)?.payment_intent.clone()
    }

    /// A Checkout Session as an event would carry it now.
    pub fn session_object(&self, id: &str) -> Value {
        let inner = self.lock();
        inner.session_json(inner.events_version, id)
    }

    /// Opens a Checkout Session directly, as another integration or the Dashboard would
    /// (not through our checkout); returns its id.
    pub fn open_session(&self, form: &[(&str, &str)]) -> String {
        let mut inner = self.lock();
        let id = inner.next_id("cs");
        let created = inner.tick();
        inner.sessions.insert(
            id.clone(),
            Session {
                form: form
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                    .collect(),
                status: "open",
                customer: None,
                subscription: None,
                payment_intent: None,
                invoice: None,
                created,
            },
        );
        id
    }

    /// How much of a payment has been refunded.
    pub fn refunded(&self, payment_intent: &str) -> Option<i64> {
        let inner = self.lock();
        let charge = &inner.intents.get(payment_intent)?.charge;
        inner.charges.get(charge).map(|c| c.amount_refunded)
    }

    /// Events left by API calls (cancellations, expiries, refunds), oldest first.
    pub fn take_events(&self) -> Vec<Value> {
        std::mem::take(&mut self.lock().outbox)
    }

    /// An event about `object` that the test wrote itself, in the current events version.
    pub fn event(&self, kind: &str, object: Value) -> Value {
        self.lock().event(kind, object, None)
    }

    /// Completes a Checkout Session as a customer paying would; returns Stripe's events.
    pub fn pay(&self, session_id: &str) -> Result<Vec<Value>, String> {
        let mut inner = self.lock();
        let session = inner
            .sessions
            .get(session_id)
            .cloned()
            .ok_or_else(|| format!("no session {session_id}"))?;
        if session.status != "open" {
            return Err(format!("session {session_id} is {}", session.status));
        }
        let form = &session.form;
        let version = inner.events_version;
        let mut events = Vec::new();
        inner.tick();
        let subscription_mode = form.get("mode").map(String::as_str) == Some("subscription");
        let customer = match form.get("customer") {
            Some(c) => Some(c.clone()),
            None if subscription_mode
                || form.get("customer_creation").map(String::as_str) == Some("always") =>
            {
                let c = inner.new_customer(form.get("customer_email").cloned());
                let object = inner.customer_json(version, &c);
                events.push(inner.event("customer.created", object, None));
                Some(c)
            }
            None => None,
        };
        let currency = form
            .get("line_items[0][price_data][currency]")
            .cloned()
            .unwrap_or_else(|| "usd".into());
        let amount = session_amount(form);
        let mut outcome = session.clone();
        outcome.status = "complete";
        outcome.customer = customer.clone();
        if subscription_mode {
            let sub_id = inner.next_id("sub");
            let item_id = inner.next_id("si");
            let interval = form
                .get("line_items[0][price_data][recurring][interval]")
                .cloned();
            let start = inner.clock;
            let period = (start, start + interval_seconds(interval.as_deref()));
            let price = Price {
                id: inner.next_id("price"),
                product: inner.next_id("prod"),
                unit_amount: amount,
                currency: currency.clone(),
                interval,
            };
            inner.subscriptions.insert(
                sub_id.clone(),
                Subscription {
                    customer: customer.clone().unwrap_or_default(),
                    status: "incomplete",
                    metadata: metadata_of(form, "subscription_data[metadata]"),
                    item_id,
                    price,
                    period,
                    cancel_at_period_end: false,
                    canceled_at: None,
                    ended_at: None,
                    created: start,
                    latest_invoice: None,
                    pending: Vec::new(),
                },
            );
            events.push(inner.subscription_event("customer.subscription.created", &sub_id, None));
            let line = inner.subscription_line(&sub_id, period);
            let (invoice, billed) =
                inner.bill(&sub_id, "subscription_create", vec![line], (start, start));
            events.extend(billed);
            inner.subscriptions.get_mut(&sub_id).expect("sub").status = "active";
            events.push(inner.subscription_event(
                "customer.subscription.updated",
                &sub_id,
                Some(json!({"status": "incomplete"})),
            ));
            outcome.subscription = Some(sub_id);
            outcome.invoice = Some(invoice);
        } else {
            let metadata = metadata_of(form, "payment_intent_data[metadata]");
            let (intent, charge) =
                inner.take_payment(amount, &currency, customer.as_deref(), metadata, None);
            let object = inner.charge_json(version, &charge);
            events.push(inner.event("charge.succeeded", object, None));
            let object = inner.intent_json(version, &intent);
            events.push(inner.event("payment_intent.succeeded", object, None));
            outcome.payment_intent = Some(intent);
        }
        inner.sessions.insert(session_id.to_string(), outcome);
        let object = inner.session_json(version, session_id);
        events.push(inner.event("checkout.session.completed", object, None));
        Ok(events)
    }

    /// Renews a subscription at the end of its period: a `subscription_cycle` invoice with any
    /// pending lines first, then the new period's line.
    pub fn renew(&self, subscription: &str) -> Vec<Value> {
        let mut inner = self.lock();
        let sub = inner.subscriptions[subscription].clone();
        assert!(
            sub.status == "active" && !sub.cancel_at_period_end,
            "only a running subscription renews"
        );
        inner.clock = inner.clock.max(sub.period.1);
        let previous_period = sub.period;
        let length = interval_seconds(sub.price.interval.as_deref());
        let period = (previous_period.1, previous_period.1 + length);
        {
            let s = inner.subscriptions.get_mut(subscription).expect("sub");
            s.period = period;
        }
        let mut lines = std::mem::take(
            &mut inner
                .subscriptions
                .get_mut(subscription)
                .expect("sub")
                .pending,
        );
        let line = inner.subscription_line(subscription, period);
        lines.push(line);
        let (_, mut events) =
            inner.bill(subscription, "subscription_cycle", lines, previous_period);
        let previous = json!({"latest_invoice": sub.latest_invoice});
        events.push(inner.subscription_event(
            "customer.subscription.updated",
            subscription,
            Some(previous),
        ));
        events
    }

    /// Moves the subscription to a new price (and plan id in its metadata) `fraction` of the way
    /// through the current period, billing the difference as `proration` says.
    pub fn change_plan(
        &self,
        subscription: &str,
        unit_amount: i64,
        product_id: &str,
        fraction: f64,
        proration: Proration,
    ) -> Vec<Value> {
        let mut inner = self.lock();
        let sub = inner.subscriptions[subscription].clone();
        let (start, end) = sub.period;
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let now = start + ((end - start) as f64 * fraction) as i64;
        inner.clock = inner.clock.max(now);
        let now = inner.clock;
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let share = |amount: i64| {
            (amount as f64 * (end - now) as f64 / (end - start) as f64).round() as i64
        };
        let mut new_price = sub.price.clone();
        new_price.id = inner.next_id("price");
        new_price.unit_amount = unit_amount;
        let unused = Line {
            id: inner.next_id("il"),
            amount: -share(sub.price.unit_amount),
            currency: sub.price.currency.clone(),
            description: "Unused time on the previous plan".into(),
            period: (now, end),
            subscription: Some(subscription.to_string()),
            subscription_item: Some(sub.item_id.clone()),
            invoice_item: Some(inner.next_id("ii")),
            price: sub.price.clone(),
            proration: true,
        };
        let remaining = Line {
            id: inner.next_id("il"),
            amount: share(unit_amount),
            currency: sub.price.currency.clone(),
            description: "Remaining time on the new plan".into(),
            period: (now, end),
            subscription: Some(subscription.to_string()),
            subscription_item: Some(sub.item_id.clone()),
            invoice_item: Some(inner.next_id("ii")),
            price: new_price.clone(),
            proration: true,
        };
        {
            let s = inner.subscriptions.get_mut(subscription).expect("sub");
            s.price = new_price;
            s.metadata.insert("product_id".into(), json!(product_id));
        }
        let mut events = vec![inner.subscription_event(
            "customer.subscription.updated",
            subscription,
            Some(json!({"metadata": sub.metadata})),
        )];
        match proration {
            Proration::InvoiceNow => {
                let (_, billed) = inner.bill(
                    subscription,
                    "subscription_update",
                    vec![unused, remaining],
                    (now, now),
                );
                events.extend(billed);
            }
            Proration::NextInvoice => {
                let s = inner.subscriptions.get_mut(subscription).expect("sub");
                s.pending.push(unused);
                s.pending.push(remaining);
            }
        }
        events
    }

    /// Adds a one-off item (start = end = now) to the subscription's next invoice.
    pub fn add_invoice_item(&self, subscription: &str, amount: i64, description: &str) {
        let mut inner = self.lock();
        let now = inner.clock;
        let sub = inner.subscriptions[subscription].clone();
        let line = Line {
            id: inner.next_id("il"),
            amount,
            currency: sub.price.currency.clone(),
            description: description.into(),
            period: (now, now),
            subscription: Some(subscription.to_string()),
            subscription_item: None,
            invoice_item: Some(inner.next_id("ii")),
            price: Price {
                id: inner.next_id("price"),
                product: inner.next_id("prod"),
                unit_amount: amount,
                currency: sub.price.currency.clone(),
                interval: None,
            },
            proration: false,
        };
        inner
            .subscriptions
            .get_mut(subscription)
            .expect("sub")
            .pending
            .push(line);
    }

    /// A manual invoice (not from a subscription) for `amount`, paid; returns its events.
    pub fn manual_invoice(&self, customer: &str, amount: i64) -> Vec<Value> {
        let mut inner = self.lock();
        let id = inner.next_id("in");
        let now = inner.tick();
        let (intent, charge) = if amount > 0 {
            let (i, c) = inner.take_payment(amount, "usd", Some(customer), Map::new(), Some(&id));
            (Some(i), Some(c))
        } else {
            (None, None)
        };
        let line = Line {
            id: inner.next_id("il"),
            amount,
            currency: "usd".into(),
            description: "Consulting".into(),
            period: (now, now),
            subscription: None,
            subscription_item: None,
            invoice_item: Some(inner.next_id("ii")),
            price: Price {
                id: inner.next_id("price"),
                product: inner.next_id("prod"),
                unit_amount: amount,
                currency: "usd".into(),
                interval: None,
            },
            proration: false,
        };
        let number = format!("TEST-{:04}", inner.invoices.len() + 1);
        inner.invoices.insert(
            id.clone(),
            Invoice {
                customer: customer.into(),
                subscription: None,
                metadata: None,
                billing_reason: "manual",
                amount_due: amount,
                amount_paid: amount,
                currency: "usd".into(),
                lines: vec![line],
                payment_intent: intent,
                charge,
                created: now,
                period: (now, now),
                number,
            },
        );
        let object = inner.invoice_json(inner.events_version, &id);
        vec![inner.event("invoice.paid", object, None)]
    }

    /// Ends a subscription that was set to cancel at its period's end; returns the events.
    pub fn end_period(&self, subscription: &str) -> Vec<Value> {
        let mut inner = self.lock();
        let end = inner.subscriptions[subscription].period.1;
        inner.clock = inner.clock.max(end);
        let now = inner.clock;
        let s = inner.subscriptions.get_mut(subscription).expect("sub");
        assert!(
            s.cancel_at_period_end,
            "only a cancelling subscription ends"
        );
        s.status = "canceled";
        s.ended_at = Some(now);
        vec![inner.subscription_event("customer.subscription.deleted", subscription, None)]
    }

    /// Refunds `amount` (all that is left when `None`) of a payment; returns the events.
    pub fn refund(&self, payment_intent: &str, amount: Option<i64>) -> Result<Vec<Value>, String> {
        let mut inner = self.lock();
        refund_locked(&mut inner, payment_intent, amount).map(|(_, events)| events)
    }

    /// Signs `body` with the webhook secret, as the `Stripe-Signature` header value.
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

    /// Delivers `events` in order, as Stripe retries: each until it is answered 2xx (up to 3 tries).
    pub async fn deliver_all(&self, events: &[Value]) -> Vec<u16> {
        let mut statuses = Vec::new();
        for event in events {
            let mut status = 0;
            for _ in 0..3 {
                status = self.deliver(event).await;
                if (200..300).contains(&status) {
                    break;
                }
            }
            statuses.push(status);
        }
        statuses
    }
}

fn refund_locked(
    inner: &mut Inner,
    payment_intent: &str,
    amount: Option<i64>,
) -> Result<(String, Vec<Value>), String> {
    let charge_id = inner
        .intents
        .get(payment_intent)
        .map(|p| p.charge.clone())
        .ok_or_else(|| format!("No such payment_intent: '{payment_intent}'"))?;
    let charge = inner.charges[&charge_id].clone();
    let left = charge.amount - charge.amount_refunded;
    if left == 0 {
        return Err(format!("Charge {charge_id} has already been refunded."));
    }
    let amount = amount.unwrap_or(left);
    if amount <= 0 || amount > left {
        return Err(format!(
            "Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"
        ));
    }
    let id = inner.next_id("re");
    let now = inner.tick();
    inner.refunds.insert(
        id.clone(),
        Refund {
            charge: charge_id.clone(),
            payment_intent: payment_intent.into(),
            amount,
            currency: charge.currency.clone(),
            created: now,
        },
    );
    {
        let c = inner.charges.get_mut(&charge_id).expect("charge");
        c.amount_refunded += amount;
        c.refunds.insert(0, id.clone());
    }
    let version = inner.events_version;
    let object = inner.charge_json(version, &charge_id);
    let refunded = inner.event(
        "charge.refunded",
        object,
        Some(json!({"amount_refunded": charge.amount_refunded})),
    );
    let object = inner.refund_json(version, &id);
    let created = inner.event("refund.created", object, None);
    Ok((id, vec![refunded, created]))
}

/// Stripe's 401 for a request without our secret key, or `None` when the key is right.
fn refused(req: &HttpRequest, shared: &Shared) -> Option<HttpResponse> {
    let expected = format!("Bearer {}", shared.server.secret_key);
    let sent = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    if sent != Some(expected.as_str()) {
        return Some(stripe_error(
            401,
            "invalid_request_error",
            None,
            "Invalid API Key provided",
        ));
    }
    let failure = {
        let mut inner = shared.server.lock();
        (!inner.failures.is_empty()).then(|| inner.failures.remove(0))
    };
    failure.map(|status| {
        if status == 429 {
            stripe_error(
                429,
                "rate_limit_error",
                Some("rate_limit"),
                "Too many requests hit the API too quickly.",
            )
        } else {
            stripe_error(status, "api_error", None, "An unknown error occurred")
        }
    })
}

fn record(req: &HttpRequest, shared: &Shared, body: &[u8]) -> HashMap<String, String> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let source = if body.is_empty() {
        req.query_string().as_bytes()
    } else {
        body
    };
    let form: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(source)
            .unwrap_or_default()
            .into_iter()
            .collect();
    shared.server.lock().requests.push(Recorded {
        method: req.method().to_string(),
        path: req.path().to_string(),
        form: form.clone(),
        idempotency_key: header("idempotency-key"),
        stripe_version: header("stripe-version"),
    });
    form
}

/// Checks the key, records the request and answers any failure the test asked for.
fn accept(
    req: &HttpRequest,
    shared: &Shared,
    body: &[u8],
) -> Result<HashMap<String, String>, Box<HttpResponse>> {
    let form = record(req, shared, body);
    match refused(req, shared) {
        Some(answer) => Err(Box::new(answer)),
        None => Ok(form),
    }
}

const API_VERSION: ApiVersion = ApiVersion::V2026_07_29Dahlia;

async fn create_session(
    req: HttpRequest,
    shared: web::Data<Shared>,
    body: web::Bytes,
) -> HttpResponse {
    let form = match accept(&req, &shared, &body) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let mut inner = shared.server.lock();
    if let Some(customer) = form.get("customer")
        && !inner.customers.contains_key(customer)
    {
        return missing("customer", customer);
    }
    let id = inner.next_id("cs");
    let created = inner.tick();
    inner.sessions.insert(
        id.clone(),
        Session {
            form,
            status: "open",
            customer: None,
            subscription: None,
            payment_intent: None,
            invoice: None,
            created,
        },
    );
    HttpResponse::Ok().json(inner.session_json(API_VERSION, &id))
}

/// `GET /v1/<objects>/{id}`: one object, rendered in the API's version, or Stripe's 404.
async fn read_object(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
    what: &str,
    render: fn(&Inner, ApiVersion, &str) -> Option<Value>,
) -> HttpResponse {
    if let Err(answer) = accept(&req, &shared, &[]) {
        return *answer;
    }
    let inner = shared.server.lock();
    match render(&inner, API_VERSION, &path) {
        Some(object) => HttpResponse::Ok().json(object),
        None => missing(what, &path),
    }
}

async fn expire_session(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(answer) = accept(&req, &shared, &body) {
        return *answer;
    }
    let mut inner = shared.server.lock();
    let Some(session) = inner.sessions.get_mut(path.as_str()) else {
        return missing("checkout.session", &path);
    };
    if session.status != "open" {
        return stripe_error(
            400,
            "invalid_request_error",
            Some("checkout_session_not_expirable"),
            &format!(
                "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
                session.status
            ),
        );
    }
    session.status = "expired";
    let version = inner.events_version;
    let object = inner.session_json(version, &path);
    let event = inner.event("checkout.session.expired", object, None);
    inner.outbox.push(event);
    HttpResponse::Ok().json(inner.session_json(API_VERSION, &path))
}

async fn create_portal(
    req: HttpRequest,
    shared: web::Data<Shared>,
    body: web::Bytes,
) -> HttpResponse {
    let form = match accept(&req, &shared, &body) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let mut inner = shared.server.lock();
    let customer = form.get("customer").cloned().unwrap_or_default();
    if !inner.customers.contains_key(&customer) {
        return missing("customer", &customer);
    }
    let id = inner.next_id("bps");
    let created = inner.tick();
    HttpResponse::Ok().json(render::portal_session(
        &id,
        &customer,
        &format!("{}portal/{customer}", shared.server.base_url),
        form.get("return_url").map_or("", String::as_str),
        created,
    ))
}

async fn update_subscription(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let form = match accept(&req, &shared, &body) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let mut inner = shared.server.lock();
    let now = inner.tick();
    let Some(sub) = inner.subscriptions.get_mut(path.as_str()) else {
        return missing("subscription", &path);
    };
    if sub.status == "canceled" {
        return stripe_error(
            400,
            "invalid_request_error",
            None,
            "A canceled subscription can only update its cancellation_details and metadata.",
        );
    }
    let previous = json!({"cancel_at_period_end": sub.cancel_at_period_end});
    if let Some(flag) = form.get("cancel_at_period_end") {
        sub.cancel_at_period_end = flag == "true";
        sub.canceled_at = sub.cancel_at_period_end.then_some(now);
    }
    for (key, value) in prefixed(&form, "metadata") {
        sub.metadata.insert(key, json!(value));
    }
    let event = inner.subscription_event("customer.subscription.updated", &path, Some(previous));
    inner.outbox.push(event);
    HttpResponse::Ok().json(inner.subscription_json(API_VERSION, &path))
}

async fn cancel_subscription(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
) -> HttpResponse {
    if let Err(answer) = accept(&req, &shared, &[]) {
        return *answer;
    }
    let mut inner = shared.server.lock();
    let now = inner.tick();
    let Some(sub) = inner.subscriptions.get_mut(path.as_str()) else {
        return missing("subscription", &path);
    };
    if sub.status != "canceled" {
        sub.status = "canceled";
        sub.canceled_at = Some(now);
        sub.ended_at = Some(now);
        let event = inner.subscription_event("customer.subscription.deleted", &path, None);
        inner.outbox.push(event);
    }
    HttpResponse::Ok().json(inner.subscription_json(API_VERSION, &path))
}

async fn list_invoice_payments(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let query = match accept(&req, &shared, &[]) {
        Ok(query) => query,
        Err(answer) => return *answer,
    };
    let inner = shared.server.lock();
    let by_invoice = query.get("invoice");
    let by_intent = query.get("payment[payment_intent]");
    if by_invoice.is_none() && by_intent.is_none() {
        return stripe_error(
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            "Provide invoice or payment.",
        );
    }
    let data: Vec<Value> = inner
        .invoices
        .iter()
        .filter(|(id, _)| by_invoice.is_none_or(|want| want == *id))
        .filter_map(|(id, invoice)| {
            let intent = invoice.payment_intent.as_ref()?;
            by_intent.is_none_or(|want| want == intent).then(|| {
                render::invoice_payment(
                    &format!("inpay_for_{id}"),
                    id,
                    intent,
                    invoice.amount_paid,
                    &invoice.currency,
                    invoice.created,
                )
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "object": "list", "data": data, "has_more": false, "url": "/v1/invoice_payments"
    }))
}

async fn create_refund(
    req: HttpRequest,
    shared: web::Data<Shared>,
    body: web::Bytes,
) -> HttpResponse {
    let form = match accept(&req, &shared, &body) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let mut inner = shared.server.lock();
    let intent = match (form.get("payment_intent"), form.get("charge")) {
        (Some(intent), _) => intent.clone(),
        (None, Some(charge)) => match inner.charges.get(charge) {
            Some(c) => c.payment_intent.clone(),
            None => return missing("charge", charge),
        },
        (None, None) => {
            return stripe_error(
                400,
                "invalid_request_error",
                Some("parameter_missing"),
                "One of the following params should be provided for this request: payment_intent or charge.",
            );
        }
    };
    let amount = form.get("amount").and_then(|a| a.parse().ok());
    match refund_locked(&mut inner, &intent, amount) {
        Ok((id, events)) => {
            inner.outbox.extend(events);
            HttpResponse::Ok().json(inner.refund_json(API_VERSION, &id))
        }
        Err(message) => {
            let code = message
                .contains("already been refunded")
                .then_some("charge_already_refunded");
            stripe_error(400, "invalid_request_error", code, &message)
        }
    }
}

async fn get_payment_intent(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
) -> HttpResponse {
    let query = match accept(&req, &shared, &[]) {
        Ok(query) => query,
        Err(answer) => return *answer,
    };
    let inner = shared.server.lock();
    let Some(intent) = inner.intents.get(path.as_str()) else {
        return missing("payment_intent", &path);
    };
    let mut object = inner.intent_json(API_VERSION, &path);
    if query.values().any(|v| v == "latest_charge") {
        object["latest_charge"] = inner.charge_json(API_VERSION, &intent.charge);
    }
    HttpResponse::Ok().json(object)
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

/// "Pays": sends the events Stripe would, in order, then returns to the success URL.
async fn pay(path: web::Path<String>, shared: web::Data<Shared>) -> HttpResponse {
    let id = path.into_inner();
    let server = &shared.server;
    let Some(form) = server.session(&id) else {
        return HttpResponse::NotFound().body("unknown session");
    };
    let events = match server.pay(&id) {
        Ok(events) => events,
        Err(message) => return HttpResponse::Conflict().body(message),
    };
    server.deliver_all(&events).await;
    let success = form
        .get("success_url")
        .cloned()
        .unwrap_or_else(|| "/".into());
    HttpResponse::SeeOther()
        .insert_header(("location", success))
        .finish()
}
