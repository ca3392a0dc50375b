//! Operator queries across accounts: task search, moderation hits, dashboard figures.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::generation::TaskRow;
use super::schema::{ai_tasks, images, moderation_events, users};
use crate::pagination::PageRequest;

/// What to look for in the task search.
#[derive(Debug, Default, Clone)]
pub struct TaskFilter {
    pub status: Option<String>,
    pub provider: Option<String>,
    pub user_id: Option<Uuid>,
    /// A task id, a provider task id, or part of the prompt.
    pub q: Option<String>,
}

pub async fn search_tasks(
    conn: &mut AsyncPgConnection,
    filter: &TaskFilter,
    page: PageRequest,
) -> QueryResult<Vec<(TaskRow, String)>> {
    let mut query = ai_tasks::table
        .inner_join(users::table)
        .select((TaskRow::as_select(), users::email))
        .order((ai_tasks::created_at.desc(), ai_tasks::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(ai_tasks::status.eq(status.clone()));
    }
    if let Some(provider) = &filter.provider {
        query = query.filter(ai_tasks::provider.eq(provider.clone()));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(ai_tasks::user_id.eq(user_id));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if let Ok(id) = q.parse::<Uuid>() {
            query = query.filter(ai_tasks::id.eq(id));
        } else {
            query = query.filter(
                ai_tasks::provider_task_id
                    .eq(q.to_string())
                    .or(ai_tasks::prompt.ilike(super::contains_pattern(q))),
            );
        }
    }
    if let Some(after) = page.after {
        query = query.filter(
            ai_tasks::created_at
                .lt(after.created_at)
                .or(ai_tasks::created_at
                    .eq(after.created_at)
                    .and(ai_tasks::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Adds `amount` to a task's refunded credits.
pub async fn add_refund(
    conn: &mut AsyncPgConnection,
    task_id: Uuid,
    amount: i64,
) -> QueryResult<()> {
    diesel::update(ai_tasks::table.find(task_id))
        .set((
            ai_tasks::refunded.eq(ai_tasks::refunded + amount),
            ai_tasks::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

#[derive(Debug, Clone, Queryable)]
pub struct HitRow {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub rule_id: Option<Uuid>,
    pub prompt: String,
    pub created_at: DateTime<Utc>,
    pub email: Option<String>,
}

pub async fn moderation_hits(
    conn: &mut AsyncPgConnection,
    page: PageRequest,
) -> QueryResult<Vec<HitRow>> {
    let mut query = moderation_events::table
        .left_join(users::table)
        .select((
            moderation_events::id,
            moderation_events::user_id,
            moderation_events::rule_id,
            moderation_events::prompt,
            moderation_events::created_at,
            users::email.nullable(),
        ))
        .order((
            moderation_events::created_at.desc(),
            moderation_events::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            moderation_events::created_at
                .lt(after.created_at)
                .or(moderation_events::created_at
                    .eq(after.created_at)
                    .and(moderation_events::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

pub async fn count_tasks_and_images(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<(i64, i64)> {
    let tasks = ai_tasks::table
        .filter(ai_tasks::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await?;
    let images = images::table
        .filter(images::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await?;
    Ok((tasks, images))
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Accounts whose owners restricted or objected to processing: left out of usage figures.
const COUNTED: &str = "u.restricted_at IS NULL AND u.objected_at IS NULL";

async fn number(
    conn: &mut AsyncPgConnection,
    sql: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<i64> {
    let row: Number = diesel::sql_query(sql)
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .get_result(conn)
        .await?;
    Ok(row.n)
}

pub struct Figures {
    pub signups: i64,
    pub generations: i64,
    pub failed: i64,
    pub credits_sold: i64,
    pub credits_spent: i64,
    pub excluded: i64,
}

pub async fn figures(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Figures> {
    Ok(Figures {
        signups: number(
            conn,
            &format!("SELECT count(*) AS n FROM users u WHERE u.created_at >= $1 AND u.created_at < $2 AND {COUNTED}"),
            from,
            to,
        )
        .await?,
        generations: number(
            conn,
            &format!("SELECT count(*) AS n FROM ai_tasks t JOIN users u ON u.id = t.user_id WHERE t.created_at >= $1 AND t.created_at < $2 AND {COUNTED}"),
            from,
            to,
        )
        .await?,
        failed: number(
            conn,
            &format!("SELECT count(*) AS n FROM ai_tasks t JOIN users u ON u.id = t.user_id WHERE t.created_at >= $1 AND t.created_at < $2 AND t.status = 'failed' AND {COUNTED}"),
            from,
            to,
        )
        .await?,
        credits_sold: number(
            conn,
            "SELECT coalesce(sum(credits), 0)::bigint AS n FROM orders WHERE paid_at >= $1 AND paid_at < $2",
            from,
            to,
        )
        .await?,
        credits_spent: number(
            conn,
            "SELECT coalesce(sum(charged - refunded), 0)::bigint AS n FROM ai_tasks WHERE finished_at >= $1 AND finished_at < $2",
            from,
            to,
        )
        .await?,
        excluded: number(
            conn,
            "SELECT count(*) AS n FROM users u WHERE (u.restricted_at IS NOT NULL OR u.objected_at IS NOT NULL) AND $1 <= $2",
            from,
            to,
        )
        .await?,
    })
}

#[derive(QueryableByName)]
pub struct ProviderRow {
    #[diesel(sql_type = Text)]
    pub provider: String,
    #[diesel(sql_type = BigInt)]
    pub tasks: i64,
    #[diesel(sql_type = BigInt)]
    pub finished: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
}

pub async fn providers(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<ProviderRow>> {
    diesel::sql_query(format!(
        "SELECT t.provider, count(*) AS tasks, \
             count(*) FILTER (WHERE t.status IN ('succeeded', 'failed')) AS finished, \
             count(*) FILTER (WHERE t.status = 'failed') AS failed \
         FROM ai_tasks t JOIN users u ON u.id = t.user_id \
         WHERE t.created_at >= $1 AND t.created_at < $2 AND {COUNTED} \
         GROUP BY t.provider ORDER BY t.provider"
    ))
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await
}

#[derive(QueryableByName)]
pub struct RevenueRow {
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

pub async fn revenue(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<RevenueRow>> {
    diesel::sql_query(
        "SELECT currency, coalesce(sum(amount), 0)::bigint AS amount FROM ( \
           SELECT currency, amount_cents - amount_refunded AS amount FROM orders \
           WHERE kind = 'pack' AND status IN ('paid', 'refunded') \
             AND paid_at >= $1 AND paid_at < $2 \
           UNION ALL \
           SELECT currency, amount_paid - amount_refunded FROM stripe_invoices \
           WHERE created_at >= $1 AND created_at < $2 \
         ) paid GROUP BY currency ORDER BY currency",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await
}

/// Who receives marketing: verified, enabled, opted in, and neither restricted nor objecting.
pub async fn marketing_audience(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(Uuid, String, String)>> {
    use super::schema::consents;
    users::table
        .inner_join(consents::table)
        .filter(consents::marketing_email.eq(true))
        .filter(users::email_verified_at.is_not_null())
        .filter(users::disabled_at.is_null())
        .filter(users::restricted_at.is_null())
        .filter(users::objected_at.is_null())
        .select((users::id, users::email, users::locale))
        .load(conn)
        .await
}
