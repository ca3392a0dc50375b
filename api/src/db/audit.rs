//! The append-only audit log (the database refuses updates and deletes).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{audit_log, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow<'a> {
    pub actor_id: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<&'a str>,
    pub detail: &'a serde_json::Value,
    pub ip: Option<&'a str>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewAuditRow<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Newest first, before `before` (an entry id), optionally about one target or of one action.
pub async fn list(
    conn: &mut AsyncPgConnection,
    before: Option<i64>,
    limit: i64,
    target_id: Option<&str>,
    action: Option<&str>,
) -> QueryResult<Vec<(AuditRow, Option<String>)>> {
    let mut query = audit_log::table
        .left_join(users::table.on(users::id.nullable().eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Uuid>,
        >(
            "CASE WHEN audit_log.actor_id ~ '^[0-9a-f-]{36}$' THEN audit_log.actor_id::uuid END",
        ))))
        .select((AuditRow::as_select(), users::email.nullable()))
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    if let Some(target) = target_id {
        query = query.filter(audit_log::target_id.eq(target.to_string()));
    }
    if let Some(action) = action {
        query = query.filter(audit_log::action.eq(action.to_string()));
    }
    query.load(conn).await
}
