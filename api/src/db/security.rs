//! Queries on security events and consents.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{consents, security_events};
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = security_events, check_for_backend(diesel::pg::Pg))]
pub struct SecurityEventRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = consents, check_for_backend(diesel::pg::Pg))]
pub struct ConsentRow {
    pub user_id: Uuid,
    pub marketing_email: bool,
    pub product_analytics: bool,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert_event(conn: &mut AsyncPgConnection, row: &SecurityEventRow) -> QueryResult<()> {
    diesel::insert_into(security_events::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Whether the user has signed in before from this browser or client.
pub async fn has_logged_in_with(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    user_agent: Option<&str>,
) -> QueryResult<bool> {
    let mut query = security_events::table
        .filter(security_events::user_id.eq(user_id))
        .filter(security_events::kind.eq("login"))
        .into_boxed();
    query = match user_agent {
        Some(ua) => query.filter(security_events::user_agent.eq(ua.to_string())),
        None => query.filter(security_events::user_agent.is_null()),
    };
    diesel::select(diesel::dsl::exists(query.select(security_events::id)))
        .get_result(conn)
        .await
}

/// Whether the user ever signed in at all.
pub async fn has_logged_in(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        security_events::table
            .filter(security_events::user_id.eq(user_id))
            .filter(security_events::kind.eq("login")),
    ))
    .get_result(conn)
    .await
}

pub async fn list_events(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: PageRequest,
) -> QueryResult<Vec<SecurityEventRow>> {
    let mut query = security_events::table
        .filter(security_events::user_id.eq(user_id))
        .select(SecurityEventRow::as_select())
        .order((
            security_events::created_at.desc(),
            security_events::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            security_events::created_at
                .lt(after.created_at)
                .or(security_events::created_at
                    .eq(after.created_at)
                    .and(security_events::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

pub async fn find_consents(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<ConsentRow>> {
    consents::table
        .find(user_id)
        .select(ConsentRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn upsert_consents(conn: &mut AsyncPgConnection, row: &ConsentRow) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(row)
        .on_conflict(consents::user_id)
        .do_update()
        .set(row)
        .execute(conn)
        .await
        .map(drop)
}
