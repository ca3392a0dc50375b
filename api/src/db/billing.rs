//! Queries on orders, subscriptions, Stripe customers and processed Stripe events.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{billing_customers, orders, stripe_events, stripe_invoices, subscriptions};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = orders, check_for_backend(diesel::pg::Pg))]
pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub user_id: Option<Uuid>,
    pub product_id: String,
    pub kind: String,
    pub credits: i64,
    pub amount_cents: i64,
    pub currency: String,
    pub status: String,
    pub stripe_session_id: Option<String>,
    pub stripe_payment_intent: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub receipt_url: Option<String>,
    pub grant_id: Option<Uuid>,
    pub clawed_credits: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub amount_refunded: i64,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = subscriptions, check_for_backend(diesel::pg::Pg))]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub plan_id: String,
    pub stripe_subscription_id: String,
    pub stripe_customer_id: Option<String>,
    pub status: String,
    pub current_period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert_order(conn: &mut AsyncPgConnection, order: &OrderRow) -> QueryResult<()> {
    diesel::insert_into(orders::table)
        .values(order)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_session(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    session_id: &str,
) -> QueryResult<()> {
    diesel::update(orders::table.find(order_id))
        .set((
            orders::stripe_session_id.eq(session_id),
            orders::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The order with this number, locked for the rest of the transaction.
pub async fn lock_order_by_number(
    conn: &mut AsyncPgConnection,
    number: &str,
) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::number.eq(number))
        .select(OrderRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn lock_order_by_payment_intent(
    conn: &mut AsyncPgConnection,
    intent: &str,
) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::stripe_payment_intent.eq(intent))
        .select(OrderRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Changes that fulfilling or failing an order makes.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = orders)]
pub struct OrderChanges {
    pub status: Option<String>,
    pub stripe_payment_intent: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub receipt_url: Option<String>,
    pub grant_id: Option<Uuid>,
    pub clawed_credits: Option<i64>,
    pub amount_refunded: Option<i64>,
    pub paid_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn update_order(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    changes: &OrderChanges,
) -> QueryResult<()> {
    diesel::update(orders::table.find(order_id))
        .set(changes)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn has_paid_order(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    except: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        orders::table
            .filter(orders::user_id.eq(user_id))
            .filter(orders::id.ne(except))
            .filter(orders::paid_at.is_not_null()),
    ))
    .get_result(conn)
    .await
}

pub async fn list_orders(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<OrderRow>> {
    let mut query = orders::table
        .filter(orders::user_id.eq(user_id))
        .select(OrderRow::as_select())
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            orders::created_at
                .lt(after.created_at)
                .or(orders::created_at
                    .eq(after.created_at)
                    .and(orders::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Records an event id; false when it was already processed.
pub async fn record_event(conn: &mut AsyncPgConnection, id: &str, kind: &str) -> QueryResult<bool> {
    let inserted = diesel::insert_into(stripe_events::table)
        .values((stripe_events::id.eq(id), stripe_events::type_.eq(kind)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

pub async fn set_customer(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    customer: &str,
) -> QueryResult<()> {
    diesel::insert_into(billing_customers::table)
        .values((
            billing_customers::user_id.eq(user_id),
            billing_customers::stripe_customer_id.eq(customer),
        ))
        .on_conflict(billing_customers::user_id)
        .do_update()
        .set(billing_customers::stripe_customer_id.eq(customer))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn customer_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<String>> {
    billing_customers::table
        .find(user_id)
        .select(billing_customers::stripe_customer_id)
        .first(conn)
        .await
        .optional()
}

/// Records that the subscription ends at its period's end (Stripe has been told).
pub async fn set_cancel_at_period_end(
    conn: &mut AsyncPgConnection,
    stripe_id: &str,
) -> QueryResult<()> {
    diesel::update(subscriptions::table.filter(subscriptions::stripe_subscription_id.eq(stripe_id)))
        .set((
            subscriptions::cancel_at_period_end.eq(true),
            subscriptions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn find_subscription(
    conn: &mut AsyncPgConnection,
    stripe_id: &str,
) -> QueryResult<Option<SubscriptionRow>> {
    subscriptions::table
        .filter(subscriptions::stripe_subscription_id.eq(stripe_id))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user's current subscription: a live one if any, else the most recent.
pub async fn current_subscription(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<SubscriptionRow>> {
    let live = subscriptions::table
        .filter(subscriptions::user_id.eq(user_id))
        .filter(subscriptions::status.eq_any(["active", "trialing", "past_due"]))
        .order(subscriptions::created_at.desc())
        .select(SubscriptionRow::as_select())
        .first(conn)
        .await
        .optional()?;
    if live.is_some() {
        return Ok(live);
    }
    subscriptions::table
        .filter(subscriptions::user_id.eq(user_id))
        .order(subscriptions::created_at.desc())
        .select(SubscriptionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Sets the receipt link of an order that has none yet.
pub async fn set_receipt_if_missing(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    url: &str,
) -> QueryResult<()> {
    diesel::update(
        orders::table
            .find(order_id)
            .filter(orders::receipt_url.is_null()),
    )
    .set((
        orders::receipt_url.eq(url),
        orders::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// Remembers a refund whose payment is not recorded yet; the largest total refunded wins.
pub async fn park_refund(
    conn: &mut AsyncPgConnection,
    intent: &str,
    amount: i64,
    refunded: i64,
    currency: Option<&str>,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO stripe_pending_refunds (payment_intent, amount, amount_refunded, currency) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (payment_intent) DO UPDATE \
         SET amount_refunded = GREATEST(stripe_pending_refunds.amount_refunded, EXCLUDED.amount_refunded)",
    )
    .bind::<diesel::sql_types::Text, _>(intent)
    .bind::<diesel::sql_types::BigInt, _>(amount)
    .bind::<diesel::sql_types::BigInt, _>(refunded)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(currency)
    .execute(conn)
    .await
    .map(drop)
}

/// Refunds that matched no payment for longer than `older_than`, oldest first.
pub async fn unmatched_refunds(
    conn: &mut AsyncPgConnection,
    older_than: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(String, i64, Option<String>, DateTime<Utc>)>> {
    use super::schema::stripe_pending_refunds as p;
    p::table
        .filter(p::received_at.lt(older_than))
        .order(p::received_at.asc())
        .limit(limit)
        .select((
            p::payment_intent,
            p::amount_refunded,
            p::currency,
            p::received_at,
        ))
        .load(conn)
        .await
}

/// Drops refunds that matched no payment since before `before`; returns how many.
pub async fn drop_unmatched_refunds(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    use super::schema::stripe_pending_refunds as p;
    diesel::delete(p::table.filter(p::received_at.lt(before)))
        .execute(conn)
        .await
}

/// Takes the parked refund of a payment, if any: `(amount, amount_refunded)`.
pub async fn take_parked_refund(
    conn: &mut AsyncPgConnection,
    intent: &str,
) -> QueryResult<Option<(i64, i64)>> {
    use super::schema::stripe_pending_refunds as p;
    diesel::delete(p::table.filter(p::payment_intent.eq(intent)))
        .returning((p::amount, p::amount_refunded))
        .get_result(conn)
        .await
        .optional()
}

/// Serialises a user's checkouts and subscription changes for the rest of the transaction.
pub async fn lock_user_billing(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('billing-user:' || $1, 0))")
        .bind::<diesel::sql_types::Text, _>(user_id.to_string())
        .execute(conn)
        .await
        .map(drop)
}

/// Serialises everything about one payment (its completion, its invoice, its refunds) for the
/// rest of the transaction, so a refund cannot be parked while its payment is being recorded.
pub async fn lock_payment(conn: &mut AsyncPgConnection, payment_intent: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('stripe-payment:' || $1, 0))")
        .bind::<diesel::sql_types::Text, _>(payment_intent)
        .execute(conn)
        .await
        .map(drop)
}

/// Serialises the handling of one Stripe subscription for the rest of the transaction.
pub async fn lock_subscription(conn: &mut AsyncPgConnection, stripe_id: &str) -> QueryResult<()> {
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('stripe-subscription:' || $1, 0))",
    )
    .bind::<diesel::sql_types::Text, _>(stripe_id)
    .execute(conn)
    .await
    .map(drop)
}

/// The user's plan orders still waiting for payment.
pub async fn open_plan_orders(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(orders::user_id.eq(user_id))
        .filter(orders::kind.eq("plan"))
        .filter(orders::status.eq("created"))
        .select(OrderRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// A subscription as Stripe holds it, written over what is stored.
#[derive(Debug)]
pub struct SubscriptionState<'a> {
    pub stripe_subscription_id: &'a str,
    pub user_id: Uuid,
    pub plan_id: &'a str,
    pub customer: Option<&'a str>,
    pub status: &'a str,
    pub current_period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
}

/// Stores the subscription's state. A subscription that ended stays ended: Stripe never
/// restarts one, so a stale snapshot arriving late cannot bring it back.
pub async fn write_subscription(
    conn: &mut AsyncPgConnection,
    s: &SubscriptionState<'_>,
) -> QueryResult<SubscriptionRow> {
    diesel::sql_query(
        "INSERT INTO subscriptions (id, stripe_subscription_id, user_id, plan_id, \
           stripe_customer_id, status, current_period_end, cancel_at_period_end) \
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (stripe_subscription_id) DO UPDATE SET \
           user_id = EXCLUDED.user_id, \
           plan_id = EXCLUDED.plan_id, \
           stripe_customer_id = COALESCE(EXCLUDED.stripe_customer_id, subscriptions.stripe_customer_id), \
           status = CASE WHEN subscriptions.status IN ('canceled', 'incomplete_expired') \
                         THEN subscriptions.status ELSE EXCLUDED.status END, \
           current_period_end = COALESCE(EXCLUDED.current_period_end, subscriptions.current_period_end), \
           cancel_at_period_end = EXCLUDED.cancel_at_period_end, \
           updated_at = now() \
         RETURNING id, user_id, plan_id, stripe_subscription_id, stripe_customer_id, status, \
           current_period_end, cancel_at_period_end, created_at, updated_at",
    )
    .bind::<diesel::sql_types::Text, _>(s.stripe_subscription_id)
    .bind::<diesel::sql_types::Uuid, _>(s.user_id)
    .bind::<diesel::sql_types::Text, _>(s.plan_id)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(s.customer)
    .bind::<diesel::sql_types::Text, _>(s.status)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>, _>(s.current_period_end)
    .bind::<diesel::sql_types::Bool, _>(s.cancel_at_period_end)
    .get_result(conn)
    .await
}

/// The user's live subscriptions other than `except`.
pub async fn other_live_subscriptions(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    except: &str,
) -> QueryResult<Vec<SubscriptionRow>> {
    subscriptions::table
        .filter(subscriptions::user_id.eq(user_id))
        .filter(subscriptions::stripe_subscription_id.ne(except))
        .filter(subscriptions::status.eq_any(["active", "trialing", "past_due"]))
        .select(SubscriptionRow::as_select())
        .load(conn)
        .await
}

/// A paid subscription invoice we applied.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stripe_invoices, check_for_backend(diesel::pg::Pg))]
pub struct InvoiceRow {
    pub invoice_id: String,
    pub subscription_id: String,
    pub user_id: Option<Uuid>,
    pub grant_id: Option<Uuid>,
    pub payment_intent: Option<String>,
    pub amount_paid: i64,
    pub currency: String,
    pub clawed_credits: i64,
    pub amount_refunded: i64,
    pub created_at: DateTime<Utc>,
    pub customer_ref: Option<String>,
}

/// Records an applied invoice; false when it was recorded before.
pub async fn insert_invoice(conn: &mut AsyncPgConnection, row: &InvoiceRow) -> QueryResult<bool> {
    diesel::insert_into(stripe_invoices::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

pub async fn lock_invoice(
    conn: &mut AsyncPgConnection,
    invoice_id: &str,
) -> QueryResult<Option<InvoiceRow>> {
    stripe_invoices::table
        .find(invoice_id)
        .select(InvoiceRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn lock_invoice_by_payment_intent(
    conn: &mut AsyncPgConnection,
    intent: &str,
) -> QueryResult<Option<InvoiceRow>> {
    stripe_invoices::table
        .filter(stripe_invoices::payment_intent.eq(intent))
        .select(InvoiceRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn set_invoice_payment_intent(
    conn: &mut AsyncPgConnection,
    invoice_id: &str,
    intent: &str,
) -> QueryResult<()> {
    diesel::update(stripe_invoices::table.find(invoice_id))
        .set(stripe_invoices::payment_intent.eq(intent))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_invoice_refund(
    conn: &mut AsyncPgConnection,
    invoice_id: &str,
    clawed: i64,
    refunded: i64,
) -> QueryResult<()> {
    diesel::update(stripe_invoices::table.find(invoice_id))
        .set((
            stripe_invoices::clawed_credits.eq(clawed),
            stripe_invoices::amount_refunded.eq(refunded),
        ))
        .execute(conn)
        .await
        .map(drop)
}
