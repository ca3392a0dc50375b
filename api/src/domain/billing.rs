//! Buying credits: checkout, orders, subscriptions, and the Stripe events that settle them.
//!
//! Stripe delivers events at least once and in any order. Each event is recorded and handled in
//! one transaction (a failure rolls both back, so Stripe's retry is processed again), orders are
//! locked while they change, and every grant carries a reference that makes it happen once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::Value;
use uuid::Uuid;
use zimage_shared::billing::{
    Catalog, CheckoutResponse, Order, OrderStatus, PortalResponse, ProductKind, Subscription,
    SubscriptionResponse,
};
use zimage_shared::credits::GrantSource;
use zimage_shared::{ErrorCode, Page};

use crate::auth::secrets;
use crate::db::billing::{self as db, OrderChanges, OrderRow, SubscriptionRow, SubscriptionUpdate};
use crate::db::models::UserRow;
use crate::db::users;
use crate::domain::credits::{self, NewGrant};
use crate::error::{ApiError, ApiResult};
use crate::mail::{Email, Template, render};
use crate::pagination::{Cursor, PageRequest};
use crate::payments::signature;
use crate::payments::{CheckoutInput, Stripe};
use crate::state::AppState;

fn stripe(state: &AppState) -> ApiResult<&Stripe> {
    state.stripe.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::PaymentsNotConfigured,
            "this installation does not take payments; ask an administrator for credits",
        )
    })
}

/// What is on sale.
pub fn catalog(state: &AppState) -> Catalog {
    Catalog {
        payments_enabled: state.stripe.is_some(),
        packs: state.catalog.packs.clone(),
        plans: state.catalog.plans.clone(),
    }
}

fn order_number() -> String {
    format!(
        "ZI-{}-{}",
        Utc::now().format("%Y%m%d"),
        secrets::referral_code()
    )
}

/// Opens a Stripe Checkout Session for a pack or plan and records the order.
pub async fn checkout(
    state: &AppState,
    user: &UserRow,
    product_id: &str,
) -> ApiResult<CheckoutResponse> {
    let stripe = stripe(state)?;
    if user.email_verified_at.is_none() {
        return Err(ApiError::new(
            ErrorCode::EmailNotVerified,
            "confirm your e-mail address before buying",
        ));
    }
    let product = state
        .catalog
        .find(product_id)
        .ok_or_else(|| ApiError::field("product_id", "is not in the catalog"))?;
    let mut conn = state.db.get().await?;
    if product.kind == ProductKind::Plan
        && db::current_subscription(&mut conn, user.id)
            .await?
            .is_some_and(|s| matches!(s.status.as_str(), "active" | "trialing" | "past_due"))
    {
        return Err(ApiError::new(
            ErrorCode::AlreadySubscribed,
            "you already have a subscription; manage it from the billing portal",
        ));
    }
    let now = Utc::now();
    let order = OrderRow {
        id: Uuid::new_v4(),
        number: order_number(),
        user_id: Some(user.id),
        product_id: product.id.clone(),
        kind: product.kind.as_str().to_string(),
        credits: product.credits,
        amount_cents: product.price_cents,
        currency: product.currency.clone(),
        status: "created".into(),
        stripe_session_id: None,
        stripe_payment_intent: None,
        stripe_subscription_id: None,
        receipt_url: None,
        grant_id: None,
        clawed_credits: 0,
        created_at: now,
        paid_at: None,
        updated_at: now,
    };
    db::insert_order(&mut conn, &order).await?;
    let customer = db::customer_of(&mut conn, user.id).await?;
    let base = &state.config.public_url;
    let success_url = format!("{base}/credits?checkout=success&order={}", order.number);
    let cancel_url = format!("{base}/credits?checkout=canceled");
    let created = stripe
        .create_checkout(CheckoutInput {
            product,
            order_id: order.id,
            order_number: &order.number,
            user_id: user.id,
            customer: customer.as_deref(),
            email: &user.email,
            success_url: &success_url,
            cancel_url: &cancel_url,
        })
        .await;
    let session = match created {
        Ok(session) => session,
        Err(err) => {
            // Nothing can pay this order any more; do not leave it looking open.
            db::update_order(
                &mut conn,
                order.id,
                &OrderChanges {
                    status: Some("failed".into()),
                    updated_at: Some(Utc::now()),
                    ..Default::default()
                },
            )
            .await?;
            return Err(err);
        }
    };
    db::set_session(&mut conn, order.id, &session.id).await?;
    let checkout_url = session.url.ok_or_else(|| {
        ApiError::new(
            ErrorCode::PaymentProviderError,
            "the payment provider returned no checkout page",
        )
    })?;
    tracing::info!(user_id = %user.id, order = %order.number, product = %product.id, "checkout started");
    Ok(CheckoutResponse {
        checkout_url,
        session_id: session.id,
        order_number: order.number,
    })
}

fn order_dto(row: &OrderRow) -> Order {
    Order {
        number: row.number.clone(),
        product_id: row.product_id.clone(),
        kind: if row.kind == "plan" {
            ProductKind::Plan
        } else {
            ProductKind::Pack
        },
        credits: row.credits,
        amount_cents: row.amount_cents,
        currency: row.currency.clone(),
        status: OrderStatus::parse(&row.status).unwrap_or(OrderStatus::Created),
        created_at: row.created_at,
        paid_at: row.paid_at,
        receipt_url: row.receipt_url.clone(),
    }
}

pub async fn orders(state: &AppState, user_id: Uuid, page: PageRequest) -> ApiResult<Page<Order>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_orders(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        order_dto,
    ))
}

fn subscription_dto(row: &SubscriptionRow) -> Subscription {
    Subscription {
        plan_id: row.plan_id.clone(),
        status: row.status.clone(),
        current_period_end: row.current_period_end,
        cancel_at_period_end: row.cancel_at_period_end,
    }
}

pub async fn subscription(state: &AppState, user_id: Uuid) -> ApiResult<SubscriptionResponse> {
    let mut conn = state.db.get().await?;
    let row = db::current_subscription(&mut conn, user_id).await?;
    Ok(SubscriptionResponse {
        subscription: row.as_ref().map(subscription_dto),
    })
}

/// Stops renewal; the plan and its credits last until the end of the paid period.
pub async fn cancel_subscription(state: &AppState, user_id: Uuid) -> ApiResult<Subscription> {
    let stripe = stripe(state)?;
    let mut conn = state.db.get().await?;
    let current = db::current_subscription(&mut conn, user_id)
        .await?
        .filter(|s| matches!(s.status.as_str(), "active" | "trialing" | "past_due"))
        .ok_or_else(|| ApiError::not_found("active subscription"))?;
    if !current.cancel_at_period_end {
        stripe
            .cancel_at_period_end(&current.stripe_subscription_id)
            .await?;
        db::upsert_subscription(
            &mut conn,
            &SubscriptionUpdate {
                stripe_subscription_id: &current.stripe_subscription_id,
                cancel_at_period_end: Some(true),
                ..Default::default()
            },
        )
        .await?;
        tracing::info!(user_id = %user_id, "subscription set to end at period end");
    }
    let row = db::find_subscription(&mut conn, &current.stripe_subscription_id)
        .await?
        .ok_or_else(|| ApiError::not_found("subscription"))?;
    Ok(subscription_dto(&row))
}

/// A Stripe customer-portal link for payment methods and invoices.
pub async fn portal(state: &AppState, user_id: Uuid) -> ApiResult<PortalResponse> {
    let stripe = stripe(state)?;
    let mut conn = state.db.get().await?;
    let customer = db::customer_of(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("billing account (make a purchase first)"))?;
    let url = stripe
        .portal_url(&customer, &format!("{}/credits", state.config.public_url))
        .await?;
    Ok(PortalResponse { url })
}

/// How a webhook delivery was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Processed,
    Duplicate,
}

/// What event handlers share: the state, and e-mails to send once the transaction commits.
struct Context<'a> {
    state: &'a AppState,
    mails: Vec<Email>,
}

/// Verifies and applies one Stripe event.
pub async fn handle_webhook(
    state: &AppState,
    signature_header: Option<&str>,
    body: &[u8],
) -> ApiResult<WebhookOutcome> {
    let stripe = stripe(state)?;
    signature::verify(
        signature_header,
        body,
        stripe.webhook_secret(),
        Utc::now().timestamp(),
    )
    .map_err(|e| ApiError::new(ErrorCode::InvalidSignature, e.message()))?;
    let event: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the event is not valid JSON: {e}"),
        )
    })?;
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(ApiError::field("id", "the event has no id or type"));
    };
    let object = &event["data"]["object"];
    let mut conn = state.db.get().await?;
    let mut ctx = Context {
        state,
        mails: Vec::new(),
    };
    let outcome = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if !db::record_event(conn, id, kind).await? {
                return Ok(WebhookOutcome::Duplicate);
            }
            match kind {
                "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                    checkout_completed(conn, &mut ctx, object).await?
                }
                "checkout.session.async_payment_failed" => {
                    close_order(conn, object, "failed").await?
                }
                "checkout.session.expired" => close_order(conn, object, "expired").await?,
                "invoice.paid" => invoice_paid(conn, &mut ctx, object).await?,
                "customer.subscription.created"
                | "customer.subscription.updated"
                | "customer.subscription.deleted" => {
                    subscription_changed(conn, object, kind == "customer.subscription.deleted")
                        .await?
                }
                "charge.succeeded" => charge_receipt(conn, object).await?,
                "charge.refunded" => {
                    charge_receipt(conn, object).await?;
                    charge_refunded(conn, object).await?
                }
                other => tracing::debug!(event = other, "Stripe event ignored"),
            }
            Ok(WebhookOutcome::Processed)
        })
        .await?;
    for mail in &ctx.mails {
        state.mailer.send_or_log(mail).await;
    }
    tracing::info!(event_id = id, event_type = kind, outcome = ?outcome, "Stripe event");
    Ok(outcome)
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn time_at(value: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    value
        .pointer(pointer)
        .and_then(Value::as_i64)
        .and_then(|t| Utc.timestamp_opt(t, 0).single())
}

/// The object's `customer`, whether sent as an id or expanded.
fn customer_of(object: &Value) -> Option<&str> {
    object["customer"]
        .as_str()
        .or_else(|| str_at(object, "/customer/id"))
}

fn money(cents: i64, currency: &str) -> String {
    format!(
        "{}.{:02} {}",
        cents / 100,
        cents % 100,
        currency.to_uppercase()
    )
}

async fn receipt(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    user_id: Uuid,
    what: &str,
    amount: &str,
    order: &str,
    link: Option<&str>,
) -> ApiResult<()> {
    if let Some(user) = users::find(conn, user_id).await? {
        let fallback = format!("{}/credits", ctx.state.config.public_url);
        let template = Template::Receipt {
            what,
            amount,
            order,
            link: link.unwrap_or(&fallback),
        };
        ctx.mails
            .push(render(&template, user.locale(), &user.email));
    }
    Ok(())
}

/// Pays both sides of a referral on the referee's first purchase (once ever, by reference).
async fn referral_bonus(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    user_id: Uuid,
) -> ApiResult<()> {
    let amount = ctx.state.config.referral_bonus_credits;
    let Some(referrer) = users::find(conn, user_id)
        .await?
        .and_then(|u| u.referred_by)
    else {
        return Ok(());
    };
    if amount <= 0 {
        return Ok(());
    }
    for (beneficiary, reference, reason) in [
        (
            referrer,
            format!("referrer:{user_id}"),
            "someone you invited made their first purchase",
        ),
        (
            user_id,
            format!("referee:{user_id}"),
            "bonus for joining through an invitation",
        ),
    ] {
        credits::grant(
            conn,
            beneficiary,
            NewGrant {
                source: GrantSource::Referral,
                amount,
                expires_at: None,
                reference: Some(reference),
                reason: reason.into(),
                actor: None,
            },
        )
        .await?;
    }
    Ok(())
}

async fn checkout_completed(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    session: &Value,
) -> ApiResult<()> {
    let Some(number) = str_at(session, "/client_reference_id")
        .or_else(|| str_at(session, "/metadata/order_number"))
    else {
        tracing::warn!("checkout session without our order number ignored");
        return Ok(());
    };
    let Some(order) = db::lock_order_by_number(conn, number).await? else {
        tracing::warn!(
            order = number,
            "checkout session for an unknown order ignored"
        );
        return Ok(());
    };
    let Some(user_id) = order.user_id else {
        return Ok(());
    };
    if let Some(customer) = customer_of(session) {
        db::set_customer(conn, user_id, customer).await?;
    }
    let paid = matches!(
        session["payment_status"].as_str(),
        Some("paid" | "no_payment_required")
    );
    if order.status != "created" || !paid {
        return Ok(());
    }
    let now = Utc::now();
    let mut changes = OrderChanges {
        status: Some("paid".into()),
        paid_at: Some(now),
        updated_at: Some(now),
        stripe_payment_intent: str_at(session, "/payment_intent").map(String::from),
        ..Default::default()
    };
    let product_name = ctx
        .state
        .catalog
        .find(&order.product_id)
        .map_or_else(|| order.product_id.clone(), |p| p.name.clone());
    if order.kind == "plan" {
        // The plan's credits arrive with its invoice (`invoice.paid`), each period.
        if let Some(subscription) = str_at(session, "/subscription") {
            changes.stripe_subscription_id = Some(subscription.to_string());
            db::upsert_subscription(
                conn,
                &SubscriptionUpdate {
                    stripe_subscription_id: subscription,
                    user_id: Some(user_id),
                    plan_id: Some(&order.product_id),
                    customer: customer_of(session),
                    ..Default::default()
                },
            )
            .await?;
        }
    } else {
        let expires_at = ctx
            .state
            .config
            .pack_credits_expire_days
            .map(|d| now + Duration::days(d));
        let grant = credits::grant(
            conn,
            user_id,
            NewGrant {
                source: GrantSource::Purchase,
                amount: order.credits,
                expires_at,
                reference: Some(order.number.clone()),
                reason: format!("purchase of {product_name} (order {})", order.number),
                actor: None,
            },
        )
        .await?;
        changes.grant_id = grant.map(|g| g.id);
        receipt(
            conn,
            ctx,
            user_id,
            &product_name,
            &money(order.amount_cents, &order.currency),
            &order.number,
            None,
        )
        .await?;
    }
    db::update_order(conn, order.id, &changes).await?;
    referral_bonus(conn, ctx, user_id).await?;
    tracing::info!(order = %order.number, user_id = %user_id, "order paid");
    // A refund reported before this completion applies now, exactly as if it came after.
    if let Some(intent) = str_at(session, "/payment_intent")
        && let Some((amount, refunded)) = db::take_parked_refund(conn, intent).await?
    {
        charge_refunded(
            conn,
            &serde_json::json!({
                "payment_intent": intent,
                "amount": amount,
                "amount_refunded": refunded,
            }),
        )
        .await?;
    }
    Ok(())
}

async fn close_order(conn: &mut AsyncPgConnection, session: &Value, status: &str) -> ApiResult<()> {
    let Some(number) = str_at(session, "/client_reference_id")
        .or_else(|| str_at(session, "/metadata/order_number"))
    else {
        return Ok(());
    };
    if let Some(order) = db::lock_order_by_number(conn, number).await?
        && order.status == "created"
    {
        db::update_order(
            conn,
            order.id,
            &OrderChanges {
                status: Some(status.into()),
                updated_at: Some(Utc::now()),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// The subscription an invoice belongs to and its metadata, in current and older API shapes.
fn invoice_subscription(invoice: &Value) -> (Option<&str>, Option<&Value>) {
    let id = str_at(invoice, "/parent/subscription_details/subscription")
        .or_else(|| str_at(invoice, "/subscription"))
        .or_else(|| str_at(invoice, "/subscription/id"));
    let metadata = [
        "/parent/subscription_details/metadata",
        "/subscription_details/metadata",
        "/lines/data/0/metadata",
    ]
    .into_iter()
    .filter_map(|p| invoice.pointer(p))
    .find(|m| m.get("user_id").is_some());
    (id, metadata)
}

async fn invoice_paid(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    invoice: &Value,
) -> ApiResult<()> {
    let Some(invoice_id) = str_at(invoice, "/id") else {
        return Ok(());
    };
    let (Some(subscription), metadata) = invoice_subscription(invoice) else {
        return Ok(()); // not a subscription invoice
    };
    let stored = db::find_subscription(conn, subscription).await?;
    let user_id = metadata
        .and_then(|m| m["user_id"].as_str())
        .and_then(|u| u.parse::<Uuid>().ok())
        .or(stored.as_ref().and_then(|s| s.user_id));
    let plan_id = metadata
        .and_then(|m| m["product_id"].as_str())
        .map(String::from)
        .or(stored.as_ref().map(|s| s.plan_id.clone()));
    let (Some(user_id), Some(plan_id)) = (user_id, plan_id) else {
        tracing::warn!(
            invoice = invoice_id,
            "invoice for a subscription we cannot attribute; ignored"
        );
        return Ok(());
    };
    let Some(plan) = ctx.state.catalog.find(&plan_id).cloned() else {
        tracing::error!(invoice = invoice_id, plan = %plan_id, "paid invoice for a plan missing from the catalog");
        return Ok(());
    };
    let period_end =
        time_at(invoice, "/lines/data/0/period/end").or_else(|| time_at(invoice, "/period_end"));
    credits::grant(
        conn,
        user_id,
        NewGrant {
            source: GrantSource::Subscription,
            amount: plan.credits,
            expires_at: period_end,
            reference: Some(format!("invoice:{invoice_id}")),
            reason: format!("{} plan credits for this billing period", plan.name),
            actor: None,
        },
    )
    .await?;
    db::upsert_subscription(
        conn,
        &SubscriptionUpdate {
            stripe_subscription_id: subscription,
            user_id: Some(user_id),
            plan_id: Some(&plan_id),
            customer: customer_of(invoice),
            status: Some("active"),
            current_period_end: period_end,
            cancel_at_period_end: None,
        },
    )
    .await?;
    if let Some(customer) = customer_of(invoice) {
        db::set_customer(conn, user_id, customer).await?;
    }
    // The order that started the subscription links to its first invoice.
    if let (Some(number), Some(url)) = (
        metadata.and_then(|m| m["order_number"].as_str()),
        str_at(invoice, "/hosted_invoice_url"),
    ) && let Some(order) = db::lock_order_by_number(conn, number).await?
    {
        db::set_receipt_if_missing(conn, order.id, url).await?;
    }
    let paid = invoice["amount_paid"].as_i64().unwrap_or(plan.price_cents);
    let currency = invoice["currency"]
        .as_str()
        .unwrap_or(&plan.currency)
        .to_string();
    receipt(
        conn,
        ctx,
        user_id,
        &plan.name,
        &money(paid, &currency),
        invoice_id,
        str_at(invoice, "/hosted_invoice_url"),
    )
    .await?;
    referral_bonus(conn, ctx, user_id).await?;
    Ok(())
}

async fn subscription_changed(
    conn: &mut AsyncPgConnection,
    sub: &Value,
    deleted: bool,
) -> ApiResult<()> {
    let Some(id) = str_at(sub, "/id") else {
        return Ok(());
    };
    let user_id = str_at(sub, "/metadata/user_id").and_then(|u| u.parse().ok());
    let status = if deleted {
        Some("canceled")
    } else {
        str_at(sub, "/status")
    };
    db::upsert_subscription(
        conn,
        &SubscriptionUpdate {
            stripe_subscription_id: id,
            user_id,
            plan_id: str_at(sub, "/metadata/product_id"),
            customer: customer_of(sub),
            status,
            current_period_end: time_at(sub, "/items/data/0/current_period_end")
                .or_else(|| time_at(sub, "/current_period_end")),
            cancel_at_period_end: sub["cancel_at_period_end"].as_bool(),
        },
    )
    .await?;
    Ok(())
}

/// Keeps Stripe's receipt link on the order a charge paid for.
async fn charge_receipt(conn: &mut AsyncPgConnection, charge: &Value) -> ApiResult<()> {
    let (Some(intent), Some(url)) = (
        str_at(charge, "/payment_intent"),
        str_at(charge, "/receipt_url"),
    ) else {
        return Ok(());
    };
    if let Some(order) = db::lock_order_by_payment_intent(conn, intent).await? {
        db::set_receipt_if_missing(conn, order.id, url).await?;
    }
    Ok(())
}

async fn charge_refunded(conn: &mut AsyncPgConnection, charge: &Value) -> ApiResult<()> {
    let Some(intent) = str_at(charge, "/payment_intent") else {
        return Ok(());
    };
    let Some(order) = db::lock_order_by_payment_intent(conn, intent).await? else {
        // The refund overtook the payment's completion: keep it for when that arrives.
        if let (Some(amount), Some(refunded)) = (
            charge["amount"].as_i64(),
            charge["amount_refunded"].as_i64(),
        ) {
            db::park_refund(conn, intent, amount, refunded).await?;
            tracing::info!(
                payment_intent = intent,
                "refund kept until its payment is recorded"
            );
        }
        return Ok(());
    };
    let amount = charge["amount"]
        .as_i64()
        .unwrap_or(order.amount_cents)
        .max(1);
    let refunded = charge["amount_refunded"]
        .as_i64()
        .unwrap_or(amount)
        .clamp(0, amount);
    // Credits owed back in proportion to the money refunded, rounded up.
    let owed = (order.credits * refunded + amount - 1) / amount;
    let due = owed - order.clawed_credits;
    if due > 0
        && let Some(grant_id) = order.grant_id
    {
        let taken = credits::clawback_grant(
            conn,
            grant_id,
            due,
            &format!("refund of order {}", order.number),
            Some(order.number.clone()),
        )
        .await?;
        tracing::info!(order = %order.number, owed = due, taken, "credits clawed back after a refund");
    }
    db::update_order(
        conn,
        order.id,
        &OrderChanges {
            status: (refunded >= amount).then(|| "refunded".to_string()),
            clawed_credits: Some(owed.max(order.clawed_credits)),
            updated_at: Some(Utc::now()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
