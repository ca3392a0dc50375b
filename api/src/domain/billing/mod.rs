//! Buying credits: checkout, orders, subscriptions, and the Stripe events that settle them.
//!
//! Stripe delivers events at least once and in any order, rendered in whatever API version the
//! account's webhook endpoint uses. Each event is recorded and handled in one transaction (a
//! failure rolls both back and answers non-2xx, so Stripe delivers it again), orders are locked
//! while they change, and every grant carries a reference that makes it happen once. The
//! handlers are in [`events`]; [`shapes`] reads Stripe's objects in each version's shape.

mod events;
mod shapes;

pub use events::{WebhookOutcome, handle_webhook};

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;
use zimage_shared::account::Locale;
use zimage_shared::billing::{
    Catalog, CheckoutResponse, Order, OrderStatus, PortalResponse, ProductKind, Subscription,
    SubscriptionResponse,
};
use zimage_shared::{ErrorCode, Page};

use crate::auth::secrets;
use crate::db::billing::{self as db, OrderChanges, OrderRow, SubscriptionRow};
use crate::db::models::UserRow;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Cursor, PageRequest};
use crate::payments::{CheckoutInput, Stripe};
use crate::state::AppState;

pub(crate) fn stripe(state: &AppState) -> ApiResult<&Stripe> {
    state.stripe.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::PaymentsNotConfigured,
            "this installation does not take payments; ask an administrator for credits",
        )
    })
}

/// What is on sale.
/// What is on sale, named and described in `locale` where the catalog has its texts.
pub fn catalog(state: &AppState, locale: Locale) -> Catalog {
    let (packs, plans) = state.catalog.localized(locale);
    Catalog {
        payments_enabled: state.stripe.is_some(),
        packs,
        plans,
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
///
/// A user opens one checkout at a time (a lock on the user for the length of the call), and a
/// plan's checkout first closes any other plan checkout still open at Stripe, so two plan
/// checkouts can never both be paid; one already being paid makes this one wait its turn.
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
    // The outcome is committed either way: a refused session leaves its order `failed`.
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::lock_user_billing(conn, user.id).await?;
        if product.kind == ProductKind::Plan {
            if db::current_subscription(conn, user.id)
                .await?
                .is_some_and(|s| is_live(&s.status))
            {
                return Ok(Err(already_subscribed()));
            }
            if let Err(refused) = close_open_plan_checkouts(conn, stripe, user.id).await? {
                return Ok(Err(refused));
            }
        }
        Ok(open_checkout(state, conn, stripe, user, product).await)
    })
    .await?
}

fn is_live(status: &str) -> bool {
    matches!(status, "active" | "trialing" | "past_due")
}

fn already_subscribed() -> ApiError {
    ApiError::new(
        ErrorCode::AlreadySubscribed,
        "you already have a subscription; manage it from the billing portal",
    )
}

/// Expires the user's other open plan checkouts at Stripe. `Err` when one of them has been
/// paid already (its subscription is on its way).
async fn close_open_plan_checkouts(
    conn: &mut AsyncPgConnection,
    stripe: &Stripe,
    user_id: Uuid,
) -> ApiResult<Result<(), ApiError>> {
    for order in db::open_plan_orders(conn, user_id).await? {
        let status = match &order.stripe_session_id {
            Some(session) => stripe.expire_checkout(session).await?,
            None => None,
        };
        if status.as_deref() == Some("complete") {
            return Ok(Err(ApiError::new(
                ErrorCode::AlreadySubscribed,
                "a plan you paid for is being set up; it appears here within a minute",
            )));
        }
        db::update_order(
            conn,
            order.id,
            &OrderChanges {
                status: Some(
                    if order.stripe_session_id.is_some() {
                        "expired"
                    } else {
                        "failed"
                    }
                    .into(),
                ),
                updated_at: Some(Utc::now()),
                ..Default::default()
            },
        )
        .await?;
        tracing::info!(order = %order.number, "earlier plan checkout closed for a new one");
    }
    Ok(Ok(()))
}

async fn open_checkout(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    stripe: &Stripe,
    user: &UserRow,
    product: &zimage_shared::billing::Product,
) -> ApiResult<CheckoutResponse> {
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
        amount_refunded: 0,
    };
    db::insert_order(conn, &order).await?;
    let customer = db::customer_of(conn, user.id).await?;
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
                conn,
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
    db::set_session(conn, order.id, &session.id).await?;
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
        .filter(|s| is_live(&s.status))
        .ok_or_else(|| ApiError::not_found("active subscription"))?;
    if !current.cancel_at_period_end {
        stripe
            .cancel_at_period_end(&current.stripe_subscription_id)
            .await?;
        db::set_cancel_at_period_end(&mut conn, &current.stripe_subscription_id).await?;
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
