//! Queries on moderation rules and events.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{moderation_events, moderation_rules};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = moderation_rules, check_for_backend(diesel::pg::Pg))]
pub struct RuleRow {
    pub id: Uuid,
    pub kind: String,
    pub pattern: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

pub async fn list_rules(conn: &mut AsyncPgConnection) -> QueryResult<Vec<RuleRow>> {
    moderation_rules::table
        .order(moderation_rules::created_at.asc())
        .select(RuleRow::as_select())
        .load(conn)
        .await
}

/// One page of the rules, newest first.
pub async fn rules_page(
    conn: &mut AsyncPgConnection,
    page: crate::pagination::PageRequest,
) -> QueryResult<Vec<RuleRow>> {
    let mut query = moderation_rules::table
        .select(RuleRow::as_select())
        .order((
            moderation_rules::created_at.desc(),
            moderation_rules::id.desc(),
        ))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            moderation_rules::created_at
                .lt(after.created_at)
                .or(moderation_rules::created_at
                    .eq(after.created_at)
                    .and(moderation_rules::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

pub async fn insert_rule(
    conn: &mut AsyncPgConnection,
    kind: &str,
    pattern: &str,
    admin: Uuid,
) -> QueryResult<RuleRow> {
    diesel::insert_into(moderation_rules::table)
        .values((
            moderation_rules::id.eq(Uuid::new_v4()),
            moderation_rules::kind.eq(kind),
            moderation_rules::pattern.eq(pattern),
            moderation_rules::created_by.eq(admin),
        ))
        .returning(RuleRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete_rule(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    Ok(diesel::delete(moderation_rules::table.find(id))
        .execute(conn)
        .await?
        == 1)
}

pub async fn record_event(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    rule_id: Uuid,
    prompt: &str,
) -> QueryResult<()> {
    diesel::insert_into(moderation_events::table)
        .values((
            moderation_events::id.eq(Uuid::new_v4()),
            moderation_events::user_id.eq(user_id),
            moderation_events::rule_id.eq(rule_id),
            moderation_events::prompt.eq(prompt),
        ))
        .execute(conn)
        .await
        .map(drop)
}
