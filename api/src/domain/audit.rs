//! What administrators did, written beside the action and readable by every administrator.

use serde_json::Value;
use uuid::Uuid;
use zimage_shared::Page;
use zimage_shared::admin::AuditEntry;

use crate::db::audit::{self as db, NewAuditRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use diesel_async::AsyncPgConnection;

/// The administrator acting, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub ip: Option<String>,
}

/// Appends one entry.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    target_type: &str,
    target_id: Option<String>,
    detail: Value,
) -> ApiResult<()> {
    db::insert(
        conn,
        &NewAuditRow {
            actor_id: &actor.id.to_string(),
            action,
            target_type,
            target_id: target_id.as_deref(),
            detail: &detail,
            ip: actor.ip.as_deref(),
        },
    )
    .await?;
    Ok(())
}

/// Entries newest first; the cursor is the last entry's id.
pub async fn list(
    state: &AppState,
    cursor: Option<&str>,
    limit: u32,
    target_id: Option<&str>,
    action: Option<&str>,
) -> ApiResult<Page<AuditEntry>> {
    let before = cursor
        .map(|c| {
            let digits = (1..=18).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| c.parse::<i64>().ok())
                .flatten()
                .ok_or_else(|| {
                    ApiError::new(
                        zimage_shared::ErrorCode::InvalidQuery,
                        "cursor is not valid",
                    )
                })
        })
        .transpose()?;
    let mut conn = state.db.get().await?;
    let mut rows = db::list(&mut conn, before, i64::from(limit) + 1, target_id, action).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|(r, _)| r.id.to_string()))
        .flatten();
    Ok(Page {
        items: rows
            .into_iter()
            .map(|(r, email)| AuditEntry {
                id: r.id,
                actor_id: r.actor_id,
                actor_email: email,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                detail: r.detail,
                ip: r.ip,
                created_at: r.created_at,
            })
            .collect(),
        next_cursor,
    })
}
