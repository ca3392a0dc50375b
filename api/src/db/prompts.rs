//! Queries on the prompt library.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::prompts;
use crate::pagination::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prompts, check_for_backend(diesel::pg::Pg))]
pub struct PromptRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub parameters: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Changes to a prompt; `None` keeps a column, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = prompts)]
pub struct PromptChanges {
    pub title: Option<String>,
    pub prompt: Option<String>,
    pub negative_prompt: Option<Option<String>>,
    pub parameters: Option<serde_json::Value>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &PromptRow) -> QueryResult<()> {
    diesel::insert_into(prompts::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn count(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    prompts::table
        .filter(prompts::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<PromptRow>> {
    prompts::table
        .find(id)
        .filter(prompts::user_id.eq(user_id))
        .select(PromptRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user's prompts, newest first, optionally only those whose title or text contains `search`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    search: Option<&str>,
    page: PageRequest,
) -> QueryResult<Vec<PromptRow>> {
    let mut query = prompts::table
        .filter(prompts::user_id.eq(user_id))
        .select(PromptRow::as_select())
        .order((prompts::created_at.desc(), prompts::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(search) = search {
        let pattern = super::contains_pattern(search);
        query = query.filter(
            prompts::title
                .ilike(pattern.clone())
                .or(prompts::prompt.ilike(pattern)),
        );
    }
    if let Some(after) = page.after {
        query = query.filter(
            prompts::created_at
                .lt(after.created_at)
                .or(prompts::created_at
                    .eq(after.created_at)
                    .and(prompts::id.lt(after.id))),
        );
    }
    query.load(conn).await
}

/// Updates the user's prompt; `None` when there is no such prompt.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    changes: &PromptChanges,
) -> QueryResult<Option<PromptRow>> {
    diesel::update(prompts::table.find(id).filter(prompts::user_id.eq(user_id)))
        .set(changes)
        .returning(PromptRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Deletes the user's prompt; false when there was none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid, user_id: Uuid) -> QueryResult<bool> {
    let deleted = diesel::delete(prompts::table.find(id).filter(prompts::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    Ok(deleted == 1)
}
