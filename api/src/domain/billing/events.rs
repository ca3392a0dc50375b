//! Applying Stripe's events.
//!
//! Events are notices, not state: each may arrive late, twice, or before the event it follows,
//! in an older or newer API shape. So a subscription's state is read from Stripe when any event
//! about it arrives (under a lock on that subscription), never taken from the event's snapshot;
//! credits follow what each invoice says it billed (`billing_reason`, the subscription's own line
//! and `amount_paid`); and an event that cannot be applied yet — Stripe unreachable, a plan
//! missing from the catalog — is answered non-2xx, so nothing is recorded and Stripe delivers it
//! again (for up to three days, each failure logged). Events about objects this platform did not
//! create (other integrations on the same Stripe account) change nothing.

use chrono::{Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::Value;
use uuid::Uuid;
use zimage_shared::credits::GrantSource;
use zimage_shared::{ErrorCode, money};

use super::shapes::{self, id_at, text};
use super::{is_live, stripe};
use crate::db::billing::{self as db, InvoiceRow, OrderChanges, OrderRow, SubscriptionRow};
use crate::db::credits as credit_db;
use crate::db::users;
use crate::domain::credits::{self, NewGrant};
use crate::error::{ApiError, ApiResult};
use crate::mail::{Email, Template, render};
use crate::payments::{Stripe, signature};
use crate::state::AppState;

/// How a webhook delivery was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Processed,
    Duplicate,
}

/// What event handlers share: the state, the Stripe client, and e-mails to send once the
/// transaction commits.
struct Context<'a> {
    state: &'a AppState,
    stripe: &'a Stripe,
    mails: Vec<Email>,
}

fn deferred(message: String) -> ApiError {
    ApiError::new(ErrorCode::EventDeferred, message)
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
    let (Some(id), Some(kind)) = (text(&event, "/id"), text(&event, "/type")) else {
        return Err(ApiError::field("id", "the event has no id or type"));
    };
    let object = &event["data"]["object"];
    let mut conn = state.db.get().await?;
    let mut ctx = Context {
        state,
        stripe,
        mails: Vec::new(),
    };
    let applied = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if !db::record_event(conn, id, kind).await? {
                return Ok(WebhookOutcome::Duplicate);
            }
            apply(conn, &mut ctx, kind, object).await?;
            Ok(WebhookOutcome::Processed)
        })
        .await;
    let outcome = match applied {
        Ok(outcome) => outcome,
        Err(err) => {
            tracing::warn!(
                event_id = id,
                event_type = kind,
                error = %err,
                "Stripe event not applied; Stripe will deliver it again"
            );
            return Err(err);
        }
    };
    for mail in &ctx.mails {
        state.mailer.send_or_log(mail).await;
    }
    tracing::info!(event_id = id, event_type = kind, outcome = ?outcome, "Stripe event");
    Ok(outcome)
}

async fn apply(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    kind: &str,
    object: &Value,
) -> ApiResult<()> {
    match kind {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            checkout_completed(conn, ctx, object).await
        }
        "checkout.session.async_payment_failed" => close_order(conn, object, "failed").await,
        "checkout.session.expired" => close_order(conn, object, "expired").await,
        "invoice.paid" => invoice_paid(conn, ctx, object).await,
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted"
        | "customer.subscription.paused"
        | "customer.subscription.resumed" => {
            if let Some(id) = text(object, "/id") {
                sync_subscription(conn, ctx, id, Some(object)).await?;
            }
            Ok(())
        }
        "charge.succeeded" => charge_receipt(conn, object).await,
        "charge.refunded" => {
            charge_receipt(conn, object).await?;
            charge_refunded(conn, ctx, object).await
        }
        other => {
            tracing::debug!(event = other, "Stripe event ignored");
            Ok(())
        }
    }
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

fn order_number_of(session: &Value) -> Option<&str> {
    text(session, "/client_reference_id")
        .or_else(|| shapes::metadata(session, "/metadata", "order_number"))
}

async fn checkout_completed(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    session: &Value,
) -> ApiResult<()> {
    let Some(number) = order_number_of(session) else {
        tracing::info!("checkout session not opened here ignored");
        return Ok(());
    };
    // Locks in the order every handler takes them: payment, subscription (and with it the
    // user's billing), then rows.
    let intent = id_at(session, "/payment_intent");
    if let Some(intent) = intent {
        db::lock_payment(conn, intent).await?;
    }
    let subscription = id_at(session, "/subscription");
    if let Some(subscription) = subscription {
        sync_subscription(conn, ctx, subscription, None).await?;
    }
    // The receipt link, read before any row is locked (the charge usually reported it before
    // the session completed, when there was no order to keep it on).
    let receipt_url = match (intent, subscription) {
        (Some(intent), None) => ctx.stripe.receipt_url(intent).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "receipt link not fetched");
            None
        }),
        _ => None,
    };
    let Some(order) = db::lock_order_by_number(conn, number).await? else {
        tracing::info!(
            order = number,
            "checkout session for an order not made here ignored"
        );
        return Ok(());
    };
    let Some(user_id) = order.user_id else {
        return Ok(());
    };
    if let Some(customer) = id_at(session, "/customer") {
        db::set_customer(conn, user_id, customer).await?;
    }
    let paid = matches!(
        text(session, "/payment_status"),
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
        stripe_payment_intent: intent.map(String::from),
        ..Default::default()
    };
    let product_name = ctx
        .state
        .catalog
        .find(&order.product_id)
        .map_or_else(|| order.product_id.clone(), |p| p.name.clone());
    if order.kind == "plan" {
        // The plan's credits arrive with its invoices (`invoice.paid`), each period.
        changes.stripe_subscription_id = subscription.map(String::from);
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
        if order.receipt_url.is_none() {
            changes.receipt_url = receipt_url;
        }
        receipt(
            conn,
            ctx,
            user_id,
            &product_name,
            &money::format(order.amount_cents, &order.currency),
            &order.number,
            None,
        )
        .await?;
    }
    db::update_order(conn, order.id, &changes).await?;
    referral_bonus(conn, ctx, user_id).await?;
    tracing::info!(order = %order.number, user_id = %user_id, "order paid");
    // A refund reported before this completion applies now, exactly as if it came after.
    if let Some(intent) = intent
        && let Some((amount, refunded)) = db::take_parked_refund(conn, intent).await?
        && let Some(order) = db::lock_order_by_payment_intent(conn, intent).await?
    {
        refund_order(conn, &order, amount, refunded).await?;
    }
    Ok(())
}

async fn close_order(conn: &mut AsyncPgConnection, session: &Value, status: &str) -> ApiResult<()> {
    let Some(number) = order_number_of(session) else {
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

/// A subscription as stored after reading it from Stripe.
struct Synced {
    row: SubscriptionRow,
    /// It was a second live subscription of its user, and was ended just now.
    ended_duplicate: bool,
}

/// Brings the stored subscription in line with Stripe's current state, read from Stripe's API
/// under a lock on the subscription, so the order events arrive in cannot matter. `snapshot`
/// (the event's copy) is used only when Stripe no longer has the subscription. `None`: not a
/// subscription sold here.
async fn sync_subscription(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    id: &str,
    snapshot: Option<&Value>,
) -> ApiResult<Option<Synced>> {
    db::lock_subscription(conn, id).await?;
    let stored = db::find_subscription(conn, id).await?;
    let fetched = ctx.stripe.subscription(id).await?;
    let Some(current) = fetched.as_ref().or(snapshot) else {
        if let Some(row) = stored.filter(|s| s.user_id.is_some()) {
            return Ok(Some(Synced {
                row,
                ended_duplicate: false,
            }));
        }
        return Err(deferred(format!(
            "subscription {id} is not known to Stripe's API with this key"
        )));
    };
    let mut user_id = None;
    if let Some(claimed) =
        shapes::metadata(current, "/metadata", "user_id").and_then(|u| u.parse::<Uuid>().ok())
        && users::find(conn, claimed).await?.is_some()
    {
        user_id = Some(claimed);
    }
    let Some(user_id) = user_id.or(stored.as_ref().and_then(|s| s.user_id)) else {
        tracing::info!(subscription = id, "subscription not sold here ignored");
        return Ok(None);
    };
    // A user's subscriptions and checkouts change one at a time (see `checkout`).
    db::lock_user_billing(conn, user_id).await?;
    let plan_id = shapes::metadata(current, "/metadata", "product_id")
        .map(String::from)
        .or_else(|| stored.as_ref().map(|s| s.plan_id.clone()))
        .unwrap_or_default();
    let customer = id_at(current, "/customer");
    let row = db::write_subscription(
        conn,
        &db::SubscriptionState {
            stripe_subscription_id: id,
            user_id,
            plan_id: &plan_id,
            customer,
            status: text(current, "/status").unwrap_or("incomplete"),
            current_period_end: shapes::subscription_period_end(current),
            cancel_at_period_end: current["cancel_at_period_end"].as_bool().unwrap_or(false),
        },
    )
    .await?;
    if let Some(customer) = customer {
        db::set_customer(conn, user_id, customer).await?;
    }
    if !is_live(&row.status) {
        return Ok(Some(Synced {
            row,
            ended_duplicate: false,
        }));
    }
    // Two live subscriptions: the one Stripe created later goes. What is stored of the other
    // may be stale, so it is read from Stripe too.
    for other in db::other_live_subscriptions(conn, user_id, id).await? {
        let Some(theirs) = ctx
            .stripe
            .subscription(&other.stripe_subscription_id)
            .await?
        else {
            continue;
        };
        let their_status = text(&theirs, "/status").unwrap_or("incomplete");
        if !is_live(their_status) {
            db::write_subscription(
                conn,
                &db::SubscriptionState {
                    stripe_subscription_id: &other.stripe_subscription_id,
                    user_id,
                    plan_id: &other.plan_id,
                    customer: other.stripe_customer_id.as_deref(),
                    status: their_status,
                    current_period_end: shapes::subscription_period_end(&theirs),
                    cancel_at_period_end: theirs["cancel_at_period_end"].as_bool().unwrap_or(false),
                },
            )
            .await?;
            continue;
        }
        let created = |s: &Value| s["created"].as_i64().unwrap_or(i64::MAX);
        if (created(current), id) > (created(&theirs), other.stripe_subscription_id.as_str()) {
            let row = end_duplicate(conn, ctx, row, current).await?;
            return Ok(Some(Synced {
                row,
                ended_duplicate: true,
            }));
        }
        end_duplicate(conn, ctx, other, &theirs).await?;
    }
    Ok(Some(Synced {
        row,
        ended_duplicate: false,
    }))
}

/// A second subscription while one runs (started outside our checkout, or before checkouts
/// were serialised): its payments refunded in full, then cancelled at Stripe, the user told.
/// Refunding first means a failure leaves it live, so Stripe's next delivery tries again (the
/// refunds carry idempotency keys). The refunds' own events take back what its invoice granted.
async fn end_duplicate(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    row: SubscriptionRow,
    current: &Value,
) -> ApiResult<SubscriptionRow> {
    let id = row.stripe_subscription_id.clone();
    tracing::warn!(subscription = %id, user_id = ?row.user_id, "second live subscription: refunding and cancelling it");
    if let Some(invoice) = id_at(current, "/latest_invoice") {
        for intent in ctx.stripe.invoice_payment_intents(invoice).await? {
            ctx.stripe
                .refund(&intent, &format!("duplicate-{id}-{intent}"))
                .await?;
        }
    }
    ctx.stripe.cancel_now(&id).await?;
    let ended = db::write_subscription(
        conn,
        &db::SubscriptionState {
            stripe_subscription_id: &id,
            user_id: row.user_id.unwrap_or_default(),
            plan_id: &row.plan_id,
            customer: row.stripe_customer_id.as_deref(),
            status: "canceled",
            current_period_end: row.current_period_end,
            cancel_at_period_end: false,
        },
    )
    .await?;
    if let Some(user) = match row.user_id {
        Some(user_id) => users::find(conn, user_id).await?,
        None => None,
    } {
        let link = format!("{}/credits", ctx.state.config.public_url);
        ctx.mails.push(render(
            &Template::DuplicateSubscription { link: &link },
            user.locale(),
            &user.email,
        ));
    }
    Ok(ended)
}

/// Credits for a paid subscription invoice, by what it billed:
/// - a period of the plan (`subscription_create`, `subscription_cycle`): the plan's credits,
///   expiring when the period its own line pays for ends (not the first line's, which after a
///   plan change is a proration);
/// - a plan change, billed at once (`subscription_update`) or with the next renewal: credits in
///   proportion to the net of the subscription's proration lines, at the plan's price per
///   credit, never more than a period's; a downgrade nets nothing and gets nothing;
/// - anything else (manual invoices, thresholds): nothing.
async fn invoice_paid(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    invoice: &Value,
) -> ApiResult<()> {
    let Some(invoice_id) = text(invoice, "/id") else {
        return Ok(());
    };
    let Some(subscription_id) = shapes::invoice_subscription(invoice) else {
        tracing::info!(
            invoice = invoice_id,
            "invoice not from a subscription ignored"
        );
        return Ok(());
    };
    let amount_paid = invoice["amount_paid"].as_i64().unwrap_or(0).max(0);
    // Which payment paid it: named on older invoices, listed separately on newer ones. Read
    // before any lock is taken.
    let intent = match shapes::invoice_payment_intent(invoice) {
        Some(intent) => Some(intent.to_string()),
        None if amount_paid > 0 => ctx
            .stripe
            .invoice_payment_intents(invoice_id)
            .await?
            .into_iter()
            .next(),
        None => None,
    };
    if let Some(intent) = &intent {
        db::lock_payment(conn, intent).await?;
    }
    let Some(synced) = sync_subscription(conn, ctx, subscription_id, None).await? else {
        return Ok(());
    };
    let subscription = synced.row;
    let Some(user_id) = subscription.user_id else {
        return Ok(());
    };
    if db::lock_invoice(conn, invoice_id).await?.is_some() {
        return Ok(());
    }
    let plan_id = shapes::invoice_subscription_metadata(invoice, "product_id")
        .unwrap_or(&subscription.plan_id)
        .to_string();
    let Some(plan) = ctx.state.catalog.find(&plan_id).cloned() else {
        tracing::error!(invoice = invoice_id, plan = %plan_id, "paid invoice for a plan missing from the catalog");
        return Err(deferred(format!(
            "plan {plan_id:?} is not in the catalog; restore it and Stripe's next delivery applies the invoice"
        )));
    };
    let reason = text(invoice, "/billing_reason").unwrap_or("");
    let currency = text(invoice, "/currency")
        .unwrap_or(&plan.currency)
        .to_ascii_lowercase();
    let period = matches!(
        reason,
        "subscription_create" | "subscription_cycle" | "subscription"
    );
    let change = if matches!(reason, "subscription_update") || period {
        let net = shapes::proration_net(invoice, subscription_id);
        if net > 0 && currency == plan.currency {
            let paid_for =
                i128::from(plan.credits) * i128::from(net) / i128::from(plan.price_cents.max(1));
            i64::try_from(paid_for)
                .unwrap_or(i64::MAX)
                .min(plan.credits)
        } else {
            0
        }
    } else {
        0
    };
    let credits = if period { plan.credits } else { 0 } + change;
    let expires_at = shapes::paid_period_end(invoice, subscription_id)
        .or_else(|| shapes::latest_line_end(invoice, subscription_id))
        .or(subscription.current_period_end);
    let mut grant_id = None;
    if synced.ended_duplicate {
        tracing::info!(
            invoice = invoice_id,
            "invoice of a duplicate subscription grants nothing"
        );
    } else if credits > 0 {
        let why = if period {
            format!("{} plan credits for this billing period", plan.name)
        } else {
            format!("{} plan credits for the rest of this period", plan.name)
        };
        grant_id = credits::grant(
            conn,
            user_id,
            NewGrant {
                source: GrantSource::Subscription,
                amount: credits,
                expires_at,
                reference: Some(format!("invoice:{invoice_id}")),
                reason: why,
                actor: None,
            },
        )
        .await?
        .map(|g| g.id);
    } else {
        tracing::info!(
            invoice = invoice_id,
            billing_reason = reason,
            amount_paid,
            "paid invoice grants no credits"
        );
    }
    let row = InvoiceRow {
        invoice_id: invoice_id.to_string(),
        subscription_id: subscription_id.to_string(),
        user_id: Some(user_id),
        grant_id,
        payment_intent: intent.clone(),
        amount_paid,
        currency: currency.clone(),
        clawed_credits: 0,
        amount_refunded: 0,
        created_at: Utc::now(),
        customer_ref: None,
    };
    db::insert_invoice(conn, &row).await?;
    // The order that started the subscription links to its first invoice.
    if let (Some(number), Some(url)) = (
        shapes::invoice_subscription_metadata(invoice, "order_number"),
        text(invoice, "/hosted_invoice_url"),
    ) && let Some(order) = db::lock_order_by_number(conn, number).await?
    {
        db::set_receipt_if_missing(conn, order.id, url).await?;
    }
    if grant_id.is_some() && amount_paid > 0 {
        receipt(
            conn,
            ctx,
            user_id,
            &plan.name,
            &money::format(amount_paid, &currency),
            invoice_id,
            text(invoice, "/hosted_invoice_url"),
        )
        .await?;
        referral_bonus(conn, ctx, user_id).await?;
    }
    // A refund reported before this invoice applies now, exactly as if it came after.
    if let Some(intent) = &intent
        && let Some((amount, refunded)) = db::take_parked_refund(conn, intent).await?
        && let Some(row) = db::lock_invoice(conn, invoice_id).await?
    {
        refund_invoice(conn, &row, amount, refunded).await?;
    }
    Ok(())
}

/// Keeps Stripe's receipt link on the order a charge paid for.
async fn charge_receipt(conn: &mut AsyncPgConnection, charge: &Value) -> ApiResult<()> {
    let (Some(intent), Some(url)) = (
        id_at(charge, "/payment_intent"),
        text(charge, "/receipt_url"),
    ) else {
        return Ok(());
    };
    if let Some(order) = db::lock_order_by_payment_intent(conn, intent).await? {
        db::set_receipt_if_missing(conn, order.id, url).await?;
    }
    Ok(())
}

/// A refund takes back credits in proportion to the money refunded (rounded up), from what is
/// left of the purchase's grant; a full refund also revokes the grant, so credits held from it
/// by a running task go nowhere when the task releases them.
async fn charge_refunded(
    conn: &mut AsyncPgConnection,
    ctx: &mut Context<'_>,
    charge: &Value,
) -> ApiResult<()> {
    let Some(intent) = id_at(charge, "/payment_intent") else {
        return Ok(());
    };
    let amount = charge["amount"].as_i64().unwrap_or(0);
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    if let Some(order) = db::lock_order_by_payment_intent(conn, intent).await? {
        return refund_order(conn, &order, amount, refunded).await;
    }
    if let Some(row) = db::lock_invoice_by_payment_intent(conn, intent).await? {
        return refund_invoice(conn, &row, amount, refunded).await;
    }
    // A subscription invoice we know by its id: older API versions name it on the charge; newer
    // ones only through the invoice's payments.
    let invoice = match id_at(charge, "/invoice") {
        Some(invoice) => Some(invoice.to_string()),
        None => ctx.stripe.invoice_of_payment(intent).await?,
    };
    if let Some(invoice) = invoice
        && let Some(row) = db::lock_invoice(conn, &invoice).await?
    {
        db::set_invoice_payment_intent(conn, &invoice, intent).await?;
        return refund_invoice(conn, &row, amount, refunded).await;
    }
    // The refund overtook the payment's completion: keep it for when that arrives. Ones that
    // never match are shown to administrators after a day and dropped after 90.
    db::park_refund(conn, intent, amount, refunded, text(charge, "/currency")).await?;
    tracing::info!(
        payment_intent = intent,
        "refund kept until its payment is recorded"
    );
    Ok(())
}

/// Credits owed back for `refunded` of `amount`, of `credits` granted (rounded up).
fn owed(credits: i64, amount: i64, refunded: i64) -> i64 {
    let amount = amount.max(1);
    let refunded = refunded.clamp(0, amount);
    let owed =
        (i128::from(credits) * i128::from(refunded) + i128::from(amount) - 1) / i128::from(amount);
    i64::try_from(owed).unwrap_or(credits)
}

async fn refund_order(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    amount: i64,
    refunded: i64,
) -> ApiResult<()> {
    let amount = if amount > 0 {
        amount
    } else {
        order.amount_cents
    };
    let full = refunded >= amount;
    let mut clawed = order.clawed_credits;
    if let Some(grant_id) = order.grant_id {
        clawed += take_back(
            conn,
            grant_id,
            owed(order.credits, amount, refunded) - clawed,
            full,
            &format!("refund of order {}", order.number),
            &order.number,
        )
        .await?;
    }
    db::update_order(
        conn,
        order.id,
        &OrderChanges {
            status: full.then(|| "refunded".to_string()),
            clawed_credits: Some(clawed),
            amount_refunded: Some(refunded.clamp(0, amount).max(order.amount_refunded)),
            updated_at: Some(Utc::now()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

async fn refund_invoice(
    conn: &mut AsyncPgConnection,
    row: &InvoiceRow,
    amount: i64,
    refunded: i64,
) -> ApiResult<()> {
    let amount = if amount > 0 { amount } else { row.amount_paid };
    let full = refunded >= amount;
    let mut clawed = row.clawed_credits;
    if let Some(grant_id) = row.grant_id
        && let Some(grant) = credit_db::find_grant(conn, grant_id).await?
    {
        clawed += take_back(
            conn,
            grant_id,
            owed(grant.amount, amount, refunded) - clawed,
            full,
            &format!("refund of invoice {}", row.invoice_id),
            &row.invoice_id,
        )
        .await?;
    }
    db::set_invoice_refund(
        conn,
        &row.invoice_id,
        clawed,
        refunded.clamp(0, amount).max(row.amount_refunded),
    )
    .await?;
    Ok(())
}

/// Takes back `due` credits from what is left of a grant (all of it, and the grant revoked, on
/// a full refund); returns what was taken, which is what counts as clawed back. Credits held by
/// a running task cannot be taken now: after a full refund they go nowhere when released;
/// after a partial one they return to the grant.
async fn take_back(
    conn: &mut AsyncPgConnection,
    grant_id: Uuid,
    due: i64,
    full: bool,
    reason: &str,
    reference: &str,
) -> ApiResult<i64> {
    if due <= 0 && !full {
        return Ok(0);
    }
    let max = if full { i64::MAX } else { due };
    let taken = credits::clawback_grant(
        conn,
        grant_id,
        max,
        full,
        reason,
        Some(reference.to_string()),
    )
    .await?;
    tracing::info!(
        reference,
        due,
        taken,
        full,
        "credits taken back after a refund"
    );
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::owed;

    #[test]
    fn credits_owed_back_are_proportional_and_rounded_up() {
        assert_eq!(owed(100, 2000, 2000), 100);
        assert_eq!(owed(100, 2000, 1000), 50);
        assert_eq!(owed(100, 2000, 1), 1);
        assert_eq!(owed(100, 2000, 0), 0);
        assert_eq!(owed(100, 2000, 5000), 100);
        assert_eq!(owed(300, 0, 10), 300);
    }
}
