//! Queries on the OAuth tables: apps, grants, codes, tokens, device codes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;

use super::models::{UserRow, parse_scopes};
use super::prepared::prepared;
use super::schema::{
    oauth_apps, oauth_codes, oauth_device_codes, oauth_grant_tasks, oauth_grants, oauth_tokens,
    users,
};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_apps, check_for_backend(diesel::pg::Pg))]
pub struct AppRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub client_id: String,
    pub client_type: String,
    pub secret_hash: Option<Vec<u8>>,
    pub redirect_uris: Vec<Option<String>>,
    pub created_at: DateTime<Utc>,
}

impl AppRow {
    pub fn redirect_uris(&self) -> Vec<String> {
        self.redirect_uris.iter().flatten().cloned().collect()
    }

    pub fn is_public(&self) -> bool {
        self.secret_hash.is_none()
    }
}

/// How the app's developer presents themselves: organisation, else display name.
#[derive(Debug, Clone, Queryable)]
pub struct Developer {
    pub organization: Option<String>,
    pub display_name: Option<String>,
}

impl Developer {
    pub fn name(&self) -> Option<String> {
        self.organization
            .clone()
            .or_else(|| self.display_name.clone())
            .filter(|n| !n.trim().is_empty())
    }
}

pub struct NewApp<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: &'a str,
    pub client_id: &'a str,
    pub client_type: &'a str,
    pub secret_hash: Option<&'a [u8]>,
    pub redirect_uris: &'a [String],
}

pub async fn insert_app(conn: &mut AsyncPgConnection, app: NewApp<'_>) -> QueryResult<AppRow> {
    diesel::insert_into(oauth_apps::table)
        .values((
            oauth_apps::id.eq(app.id),
            oauth_apps::user_id.eq(app.user_id),
            oauth_apps::name.eq(app.name),
            oauth_apps::client_id.eq(app.client_id),
            oauth_apps::client_type.eq(app.client_type),
            oauth_apps::secret_hash.eq(app.secret_hash),
            oauth_apps::redirect_uris.eq(app
                .redirect_uris
                .iter()
                .cloned()
                .map(Some)
                .collect::<Vec<_>>()),
        ))
        .returning(AppRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn count_apps(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    oauth_apps::table
        .filter(oauth_apps::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await
}

/// The user's apps, newest first.
pub async fn list_apps(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<AppRow>> {
    let mut query = oauth_apps::table
        .filter(oauth_apps::user_id.eq(user_id))
        .select(AppRow::as_select())
        .order((oauth_apps::created_at.desc(), oauth_apps::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            oauth_apps::created_at
                .lt(after.created_at)
                .or(oauth_apps::created_at
                    .eq(after.created_at)
                    .and(oauth_apps::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// How many users have each of these apps authorized now.
pub async fn authorized_users(
    conn: &mut AsyncPgConnection,
    apps: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = oauth_grants::table
        .filter(oauth_grants::app_id.eq_any(apps))
        .filter(oauth_grants::revoked_at.is_null())
        .group_by(oauth_grants::app_id)
        .select((oauth_grants::app_id, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// One of the user's apps.
pub async fn find_app(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<AppRow>> {
    oauth_apps::table
        .find(id)
        .filter(oauth_apps::user_id.eq(user_id))
        .select(AppRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Deletes one of the user's apps, and with it every grant, code and token it had.
pub async fn delete_app(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        oauth_apps::table
            .find(id)
            .filter(oauth_apps::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted == 1)
}

/// The app with this client id, and how its developer presents themselves.
pub async fn app_by_client_id(
    conn: &mut AsyncPgConnection,
    client_id: &str,
) -> QueryResult<Option<(AppRow, Developer)>> {
    oauth_apps::table
        .inner_join(users::table)
        .filter(oauth_apps::client_id.eq(client_id))
        .filter(users::disabled_at.is_null())
        .select((
            AppRow::as_select(),
            (users::organization, users::display_name),
        ))
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_grants, check_for_backend(diesel::pg::Pg))]
pub struct GrantRow {
    pub id: Uuid,
    pub app_id: Uuid,
    pub user_id: Uuid,
    pub scopes: Vec<Option<String>>,
    pub monthly_credit_limit: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl GrantRow {
    pub fn scopes(&self) -> Vec<ApiKeyScope> {
        parse_scopes(&self.scopes)
    }
}

/// The user's live grant to the app: created, or (when one exists) given these scopes besides
/// its own (each sign-in's tokens keep to what was allowed for it) and this cap.
pub async fn upsert_grant(
    conn: &mut AsyncPgConnection,
    app_id: Uuid,
    user_id: Uuid,
    scopes: &[String],
    monthly_credit_limit: Option<i64>,
) -> QueryResult<Uuid> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let row: Id = prepared(
        "INSERT INTO oauth_grants (id, app_id, user_id, scopes, monthly_credit_limit) \
         VALUES (gen_random_uuid(), $1, $2, $3, $4) \
         ON CONFLICT (user_id, app_id) WHERE revoked_at IS NULL DO UPDATE \
            SET scopes = ARRAY(SELECT DISTINCT s FROM unnest(oauth_grants.scopes || EXCLUDED.scopes) s \
                               ORDER BY s), \
                monthly_credit_limit = EXCLUDED.monthly_credit_limit, updated_at = now() \
         RETURNING id",
    )
    .bind::<diesel::sql_types::Uuid, _>(app_id)
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .bind::<Array<Text>, _>(scopes)
    .bind::<Nullable<BigInt>, _>(monthly_credit_limit)
    .get_result(conn)
    .await?;
    Ok(row.id)
}

/// The user's live grant to the app, if any.
pub async fn live_grant_of(
    conn: &mut AsyncPgConnection,
    app_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<GrantRow>> {
    oauth_grants::table
        .filter(oauth_grants::app_id.eq(app_id))
        .filter(oauth_grants::user_id.eq(user_id))
        .filter(oauth_grants::revoked_at.is_null())
        .select(GrantRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A live grant and the app it is for.
pub async fn find_live_grant(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(GrantRow, AppRow)>> {
    oauth_grants::table
        .inner_join(oauth_apps::table)
        .filter(oauth_grants::id.eq(id))
        .filter(oauth_grants::revoked_at.is_null())
        .select((GrantRow::as_select(), AppRow::as_select()))
        .first(conn)
        .await
        .optional()
}

/// The user's live grants with their apps and developers, newest first.
pub async fn list_grants(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<(GrantRow, AppRow, Developer)>> {
    let developers = diesel::alias!(users as developers);
    let mut query = oauth_grants::table
        .inner_join(oauth_apps::table)
        .inner_join(developers.on(developers.field(users::id).eq(oauth_apps::user_id)))
        .filter(oauth_grants::user_id.eq(user_id))
        .filter(oauth_grants::revoked_at.is_null())
        .select((
            GrantRow::as_select(),
            AppRow::as_select(),
            (
                developers.field(users::organization),
                developers.field(users::display_name),
            ),
        ))
        .order((oauth_grants::created_at.desc(), oauth_grants::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            oauth_grants::created_at
                .lt(after.created_at)
                .or(oauth_grants::created_at
                    .eq(after.created_at)
                    .and(oauth_grants::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Revokes one of the user's grants and deletes its tokens and unused codes; false when there
/// is no such live grant.
pub async fn revoke_grant(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<bool> {
    let revoked = diesel::update(
        oauth_grants::table
            .find(id)
            .filter(oauth_grants::user_id.eq(user_id))
            .filter(oauth_grants::revoked_at.is_null()),
    )
    .set(oauth_grants::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    if revoked == 1 {
        diesel::delete(oauth_tokens::table.filter(oauth_tokens::grant_id.eq(id)))
            .execute(conn)
            .await?;
        diesel::delete(oauth_codes::table.filter(oauth_codes::grant_id.eq(id)))
            .execute(conn)
            .await?;
    }
    Ok(revoked == 1)
}

/// Revokes every live grant of the user (a password reset or "sign out everywhere").
pub async fn revoke_all_grants(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    let ids: Vec<Uuid> = diesel::update(
        oauth_grants::table
            .filter(oauth_grants::user_id.eq(user_id))
            .filter(oauth_grants::revoked_at.is_null()),
    )
    .set(oauth_grants::revoked_at.eq(diesel::dsl::now))
    .returning(oauth_grants::id)
    .get_results(conn)
    .await?;
    diesel::delete(oauth_tokens::table.filter(oauth_tokens::grant_id.eq_any(&ids)))
        .execute(conn)
        .await?;
    Ok(ids.len())
}

/// Credits each grant's tasks took this UTC month (held included, refunds not).
pub async fn spent_this_month(
    conn: &mut AsyncPgConnection,
    grants: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, i64>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        grant_id: Uuid,
        #[diesel(sql_type = BigInt)]
        spent: i64,
    }
    let rows: Vec<Row> = prepared(
        "SELECT g.grant_id, COALESCE(sum(t.cost - t.refunded), 0)::bigint AS spent \
         FROM oauth_grant_tasks g JOIN ai_tasks t ON t.id = g.task_id \
         WHERE g.grant_id = ANY($1) \
           AND g.created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' \
         GROUP BY g.grant_id",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(grants)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.grant_id, r.spent)).collect())
}

/// Records that `grant` started `task` (in the task's transaction).
pub async fn record_task(conn: &mut AsyncPgConnection, grant: Uuid, task: Uuid) -> QueryResult<()> {
    diesel::insert_into(oauth_grant_tasks::table)
        .values((
            oauth_grant_tasks::task_id.eq(task),
            oauth_grant_tasks::grant_id.eq(grant),
        ))
        .execute(conn)
        .await
        .map(drop)
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = oauth_codes, check_for_backend(diesel::pg::Pg))]
pub struct CodeRow {
    pub grant_id: Uuid,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scopes: Vec<Option<String>>,
    pub family: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub struct NewCode<'a> {
    pub hash: &'a [u8],
    pub grant_id: Uuid,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub scopes: &'a [String],
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_code(conn: &mut AsyncPgConnection, code: NewCode<'_>) -> QueryResult<()> {
    diesel::insert_into(oauth_codes::table)
        .values((
            oauth_codes::hash.eq(code.hash),
            oauth_codes::grant_id.eq(code.grant_id),
            oauth_codes::redirect_uri.eq(code.redirect_uri),
            oauth_codes::code_challenge.eq(code.code_challenge),
            oauth_codes::scopes.eq(code.scopes.iter().cloned().map(Some).collect::<Vec<_>>()),
            oauth_codes::family.eq(Uuid::new_v4()),
            oauth_codes::expires_at.eq(code.expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Marks a code `app` was given used, and returns it; `None` when there is no such code of
/// this app or it was used before (see [`find_code`] to tell which). Another app's code is
/// left alone.
pub async fn consume_code(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    app_id: Uuid,
) -> QueryResult<Option<CodeRow>> {
    prepared(
        "UPDATE oauth_codes c SET used_at = now() FROM oauth_grants g \
         WHERE c.hash = $1 AND c.used_at IS NULL AND g.id = c.grant_id AND g.app_id = $2 \
         RETURNING c.grant_id, c.redirect_uri, c.code_challenge, c.scopes, c.family, \
                   c.expires_at, c.used_at",
    )
    .bind::<Bytea, _>(hash)
    .bind::<diesel::sql_types::Uuid, _>(app_id)
    .get_result(conn)
    .await
    .optional()
}

/// A code `app` was given, used or not.
pub async fn find_code(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    app_id: Uuid,
) -> QueryResult<Option<CodeRow>> {
    oauth_codes::table
        .inner_join(oauth_grants::table)
        .filter(oauth_codes::hash.eq(hash))
        .filter(oauth_grants::app_id.eq(app_id))
        .select(CodeRow::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_tokens, check_for_backend(diesel::pg::Pg))]
pub struct TokenRow {
    pub grant_id: Uuid,
    pub family: Uuid,
    pub scopes: Vec<Option<String>>,
    pub kind: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub successor_sealed: Option<String>,
}

/// A sign-in of an app: its grant, its family and the scopes allowed for it.
#[derive(Debug, Clone, Copy)]
pub struct Family<'a> {
    pub grant_id: Uuid,
    pub id: Uuid,
    pub scopes: &'a [String],
}

pub async fn insert_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    family: Family<'_>,
    kind: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(oauth_tokens::table)
        .values((
            oauth_tokens::hash.eq(hash),
            oauth_tokens::grant_id.eq(family.grant_id),
            oauth_tokens::family.eq(family.id),
            oauth_tokens::scopes.eq(family.scopes.iter().cloned().map(Some).collect::<Vec<_>>()),
            oauth_tokens::kind.eq(kind),
            oauth_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn find_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<TokenRow>> {
    oauth_tokens::table
        .find(hash)
        .select(TokenRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Marks an unused refresh token used, keeping its sealed successor for the reuse grace; false
/// when another request used it first.
pub async fn consume_refresh(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    successor_sealed: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        oauth_tokens::table
            .find(hash)
            .filter(oauth_tokens::kind.eq("refresh"))
            .filter(oauth_tokens::used_at.is_null()),
    )
    .set((
        oauth_tokens::used_at.eq(diesel::dsl::now),
        oauth_tokens::successor_sealed.eq(successor_sealed),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Ends one sign-in of an app: every token of the family.
pub async fn delete_family(conn: &mut AsyncPgConnection, family: Uuid) -> QueryResult<usize> {
    diesel::delete(oauth_tokens::table.filter(oauth_tokens::family.eq(family)))
        .execute(conn)
        .await
}

pub async fn delete_token(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<usize> {
    diesel::delete(oauth_tokens::table.find(hash))
        .execute(conn)
        .await
}

/// How often a grant's `last_used_at` is written: at most once per this many seconds.
pub const LAST_USED_PRECISION_SECS: i32 = 60;

/// Whether an access token is still live (not revoked, not expired).
pub async fn access_token_live(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        oauth_tokens::table
            .filter(oauth_tokens::hash.eq(hash))
            .filter(oauth_tokens::kind.eq("access"))
            .filter(oauth_tokens::expires_at.gt(diesel::dsl::now)),
    ))
    .get_result(conn)
    .await
}

/// A live access token's grant and user, with the scopes it acts with: those allowed for its
/// sign-in that the grant still holds.
#[derive(QueryableByName)]
pub struct AccessAndUser {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub grant_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    scopes: Vec<Option<String>>,
    #[diesel(embed)]
    pub user: UserRow,
}

impl AccessAndUser {
    pub fn scopes(&self) -> Vec<ApiKeyScope> {
        parse_scopes(&self.scopes)
    }
}

/// The grant and user behind a live access token, in one statement, marking the grant used when
/// its `last_used_at` is older than [`LAST_USED_PRECISION_SECS`].
pub async fn use_access_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<AccessAndUser>> {
    prepared(
        "WITH g AS (SELECT g.id, g.user_id, g.last_used_at, t.expires_at, \
                           ARRAY(SELECT unnest(t.scopes) INTERSECT SELECT unnest(g.scopes)) AS scopes \
                    FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id \
                    WHERE t.hash = $1 AND t.kind = 'access' AND t.expires_at > now() \
                      AND g.revoked_at IS NULL), \
              touch AS (UPDATE oauth_grants SET last_used_at = now() FROM g \
                          WHERE oauth_grants.id = g.id \
                            AND (g.last_used_at IS NULL \
                                 OR g.last_used_at < now() - make_interval(secs => $2)) \
                          RETURNING oauth_grants.id) \
         SELECT g.id AS grant_id, g.expires_at, g.scopes, u.* \
         FROM g JOIN users u ON u.id = g.user_id",
    )
    .bind::<Bytea, _>(hash)
    .bind::<Integer, _>(LAST_USED_PRECISION_SECS)
    .get_result(conn)
    .await
    .optional()
}

/// The user of a live grant.
pub async fn live_grant_user(
    conn: &mut AsyncPgConnection,
    grant_id: Uuid,
) -> QueryResult<Option<UserRow>> {
    oauth_grants::table
        .inner_join(users::table)
        .filter(oauth_grants::id.eq(grant_id))
        .filter(oauth_grants::revoked_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = oauth_device_codes, check_for_backend(diesel::pg::Pg))]
pub struct DeviceRow {
    pub id: Uuid,
    pub app_id: Uuid,
    pub user_code: String,
    pub scopes: Vec<Option<String>>,
    pub expires_at: DateTime<Utc>,
    pub interval_secs: i32,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub grant_id: Option<Uuid>,
    pub denied_at: Option<DateTime<Utc>>,
    pub used_at: Option<DateTime<Utc>>,
}

impl DeviceRow {
    pub fn scopes(&self) -> Vec<ApiKeyScope> {
        parse_scopes(&self.scopes)
    }
}

pub struct NewDevice<'a> {
    pub app_id: Uuid,
    pub device_hash: &'a [u8],
    pub user_code: &'a str,
    pub scopes: &'a [String],
    pub expires_at: DateTime<Utc>,
    pub interval_secs: i32,
}

/// Inserts a device request; false when the user code is taken (draw another).
pub async fn insert_device(
    conn: &mut AsyncPgConnection,
    device: NewDevice<'_>,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(oauth_device_codes::table)
        .values((
            oauth_device_codes::id.eq(Uuid::new_v4()),
            oauth_device_codes::app_id.eq(device.app_id),
            oauth_device_codes::device_hash.eq(device.device_hash),
            oauth_device_codes::user_code.eq(device.user_code),
            oauth_device_codes::scopes.eq(device
                .scopes
                .iter()
                .cloned()
                .map(Some)
                .collect::<Vec<_>>()),
            oauth_device_codes::expires_at.eq(device.expires_at),
            oauth_device_codes::interval_secs.eq(device.interval_secs),
        ))
        .on_conflict(oauth_device_codes::user_code)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// A device request waiting for its user's answer, by user code, with its app and developer.
pub async fn pending_device(
    conn: &mut AsyncPgConnection,
    user_code: &str,
) -> QueryResult<Option<(DeviceRow, AppRow, Developer)>> {
    oauth_device_codes::table
        .inner_join(oauth_apps::table.inner_join(users::table))
        .filter(oauth_device_codes::user_code.eq(user_code))
        .filter(oauth_device_codes::expires_at.gt(diesel::dsl::now))
        .filter(oauth_device_codes::grant_id.is_null())
        .filter(oauth_device_codes::denied_at.is_null())
        .select((
            DeviceRow::as_select(),
            AppRow::as_select(),
            (users::organization, users::display_name),
        ))
        .first(conn)
        .await
        .optional()
}

/// Records the user's answer to a pending device request; false when it was answered already
/// or expired.
pub async fn decide_device(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    grant_id: Option<Uuid>,
) -> QueryResult<bool> {
    let target = oauth_device_codes::table
        .find(id)
        .filter(oauth_device_codes::expires_at.gt(diesel::dsl::now))
        .filter(oauth_device_codes::grant_id.is_null())
        .filter(oauth_device_codes::denied_at.is_null());
    let updated = match grant_id {
        Some(grant) => {
            diesel::update(target)
                .set(oauth_device_codes::grant_id.eq(grant))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set(oauth_device_codes::denied_at.eq(diesel::dsl::now))
                .execute(conn)
                .await?
        }
    };
    Ok(updated == 1)
}

/// A device request as one poll finds it.
#[derive(QueryableByName)]
pub struct DevicePoll {
    #[diesel(embed)]
    pub device: DeviceRow,
    /// The poll came before the interval since the last one passed (the interval has grown
    /// by five seconds).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub too_soon: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub expired: bool,
}

/// A device request by its device code, noting this poll in the same statement (so concurrent
/// polls are told apart, on the database's clock).
pub async fn poll_device(
    conn: &mut AsyncPgConnection,
    device_hash: &[u8],
) -> QueryResult<Option<DevicePoll>> {
    prepared(
        "UPDATE oauth_device_codes d \
            SET last_polled_at = now(), \
                interval_secs = CASE WHEN o.too_soon THEN d.interval_secs + 5 ELSE d.interval_secs END \
         FROM (SELECT id, (last_polled_at IS NOT NULL \
                           AND last_polled_at > now() - make_interval(secs => interval_secs)) AS too_soon \
               FROM oauth_device_codes WHERE device_hash = $1 FOR UPDATE) o \
         WHERE d.id = o.id \
         RETURNING d.id, d.app_id, d.user_code, d.scopes, d.expires_at, d.interval_secs, \
                   d.last_polled_at, d.grant_id, d.denied_at, d.used_at, o.too_soon, \
                   d.expires_at <= now() AS expired",
    )
    .bind::<Bytea, _>(device_hash)
    .get_result(conn)
    .await
    .optional()
}

/// Marks an approved device request used; false when it was used before.
pub async fn consume_device(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    let updated = diesel::update(
        oauth_device_codes::table
            .find(id)
            .filter(oauth_device_codes::used_at.is_null())
            .filter(oauth_device_codes::grant_id.is_not_null()),
    )
    .set(oauth_device_codes::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}
