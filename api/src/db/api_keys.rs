//! Queries on `api_keys`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;

use super::models::{ApiKeyRow, UserRow, parse_scopes};
use super::prepared::prepared;
use super::schema::api_keys;
use crate::pagination::PageRequest;

pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a [u8],
    pub scopes: Vec<String>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub daily_credit_limit: Option<i64>,
    pub monthly_credit_limit: Option<i64>,
    pub allowed_models: Option<Vec<String>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, key: NewApiKey<'_>) -> QueryResult<ApiKeyRow> {
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(key.id),
            api_keys::user_id.eq(key.user_id),
            api_keys::name.eq(key.name),
            api_keys::prefix.eq(key.prefix),
            api_keys::secret_hash.eq(key.secret_hash),
            api_keys::scopes.eq(key.scopes.into_iter().map(Some).collect::<Vec<_>>()),
            api_keys::expires_at.eq(key.expires_at),
            api_keys::daily_credit_limit.eq(key.daily_credit_limit),
            api_keys::monthly_credit_limit.eq(key.monthly_credit_limit),
            api_keys::allowed_models.eq(key
                .allowed_models
                .map(|models| models.into_iter().map(Some).collect::<Vec<_>>())),
        ))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn count_active(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    api_keys::table
        .filter(api_keys::user_id.eq(user_id))
        .filter(api_keys::revoked_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// How often a key's `last_used_at` is written: at most once per this many seconds, so that
/// requests with one key neither write a row each nor queue on that row's lock.
pub const LAST_USED_PRECISION_SECS: i32 = 60;

/// A live key and its user.
#[derive(QueryableByName)]
pub struct KeyAndUser {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub key_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether this lookup wrote `last_used_at` (and the requests counted with it).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub touched: bool,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Nullable<diesel::sql_types::Text>>)]
    scopes: Vec<Option<String>>,
    #[diesel(embed)]
    pub user: UserRow,
}

impl KeyAndUser {
    /// Scopes as enums; unknown names (from a newer version) are ignored.
    pub fn scopes(&self) -> Vec<ApiKeyScope> {
        parse_scopes(&self.scopes)
    }
}

/// The live key with this secret hash and its user, in one statement, marking the key used when
/// its `last_used_at` is older than [`LAST_USED_PRECISION_SECS`] (or unset), and then adding
/// `requests` (this one and those counted since the last write) to its count.
/// The owner of an API key that is not revoked.
pub async fn active_owner(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<crate::db::models::UserRow>> {
    use super::schema::users;
    api_keys::table
        .inner_join(users::table)
        .filter(api_keys::id.eq(id))
        .filter(api_keys::revoked_at.is_null())
        .filter(
            api_keys::expires_at
                .is_null()
                .or(api_keys::expires_at.gt(diesel::dsl::now)),
        )
        .select(crate::db::models::UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn use_by_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    requests: i64,
) -> QueryResult<Option<KeyAndUser>> {
    prepared(
        "WITH k AS (SELECT id, user_id, scopes, last_used_at, expires_at FROM api_keys \
                    WHERE secret_hash = $1 AND revoked_at IS NULL), \
              touched AS (UPDATE api_keys SET last_used_at = now(), \
                                 request_count = api_keys.request_count + $3 FROM k \
                          WHERE api_keys.id = k.id \
                            AND (k.last_used_at IS NULL \
                                 OR k.last_used_at < now() - make_interval(secs => $2)) \
                          RETURNING api_keys.id) \
         SELECT k.id AS key_id, k.scopes, k.expires_at, \
                EXISTS (SELECT 1 FROM touched) AS touched, u.* \
         FROM k JOIN users u ON u.id = k.user_id",
    )
    .bind::<diesel::sql_types::Bytea, _>(hash)
    .bind::<diesel::sql_types::Integer, _>(LAST_USED_PRECISION_SECS)
    .bind::<diesel::sql_types::BigInt, _>(requests)
    .get_result(conn)
    .await
    .optional()
}

pub async fn list_active(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<ApiKeyRow>> {
    let mut query = api_keys::table
        .filter(api_keys::user_id.eq(user_id))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            api_keys::created_at
                .lt(after.created_at)
                .or(api_keys::created_at
                    .eq(after.created_at)
                    .and(api_keys::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Revokes one of the user's keys; false when there is no such live key.
pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid, user_id: Uuid) -> QueryResult<bool> {
    let updated = diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::user_id.eq(user_id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Revokes every live key of the user.
pub async fn revoke_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        api_keys::table
            .filter(api_keys::user_id.eq(user_id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// Credits of the tasks a key started: today and this month (UTC) and in all, held ones
/// included, refunds not (`cost - refunded`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct Spent {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub today: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub this_month: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub total: i64,
}

/// What each of these keys has spent.
pub async fn spent(
    conn: &mut AsyncPgConnection,
    keys: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, Spent>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        api_key_id: Uuid,
        #[diesel(embed)]
        spent: Spent,
    }
    let rows: Vec<Row> = prepared(
        "SELECT k.api_key_id, \
                COALESCE(sum(t.cost - t.refunded) FILTER \
                    (WHERE k.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)::bigint AS today, \
                COALESCE(sum(t.cost - t.refunded) FILTER \
                    (WHERE k.created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)::bigint AS this_month, \
                COALESCE(sum(t.cost - t.refunded), 0)::bigint AS total \
         FROM api_key_tasks k JOIN ai_tasks t ON t.id = k.task_id \
         WHERE k.api_key_id = ANY($1) GROUP BY k.api_key_id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(keys)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.api_key_id, r.spent)).collect())
}

/// The key's limits, if it is live.
pub async fn find_live(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .find(id)
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records that `key` started `task` (in the task's transaction).
pub async fn record_task(conn: &mut AsyncPgConnection, key: Uuid, task: Uuid) -> QueryResult<()> {
    use super::schema::api_key_tasks;
    diesel::insert_into(api_key_tasks::table)
        .values((
            api_key_tasks::task_id.eq(task),
            api_key_tasks::api_key_id.eq(key),
        ))
        .execute(conn)
        .await
        .map(drop)
}
