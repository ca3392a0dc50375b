//! Task events for the live-status streams.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::prepared::prepared;
use uuid::Uuid;

/// A position in a user's event sequence: events are ordered by (transaction, id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub tx: i64,
    pub id: i64,
}

impl Position {
    /// The `id:` of an SSE event.
    pub fn encode(self) -> String {
        format!("{}-{}", self.tx, self.id)
    }

    /// Parses a `Last-Event-ID`; `None` when it is not one of ours.
    pub fn decode(raw: &str) -> Option<Self> {
        let (tx, id) = raw.trim().split_once('-')?;
        Some(Self {
            tx: tx.parse().ok().filter(|v: &i64| *v >= 0)?,
            id: id.parse().ok().filter(|v: &i64| *v >= 0)?,
        })
    }
}

#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct EventRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub tx: i64,
    #[diesel(sql_type = SqlUuid)]
    pub task_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Float>)]
    pub progress: Option<f32>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// False while a transaction that could still add an earlier event is running; such events
    /// (and all after them) wait for the next read.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub safe: bool,
}

impl EventRow {
    pub fn position(&self) -> Position {
        Position {
            tx: self.tx,
            id: self.id,
        }
    }
}

/// Up to `limit` of the user's events after `after` (one task's, when given), in order; rows
/// from `safe = false` on must not be delivered yet.
pub async fn after(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    task_id: Option<Uuid>,
    after: Position,
    limit: i64,
) -> diesel::QueryResult<Vec<EventRow>> {
    prepared(
        "SELECT e.id, e.tx, e.task_id, e.status, e.progress, e.created_at, \
                e.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS safe \
         FROM task_events e \
         WHERE e.user_id = $1 AND ($2::uuid IS NULL OR e.task_id = $2) AND (e.tx, e.id) > ($3, $4) \
         ORDER BY e.tx, e.id LIMIT $5",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<Nullable<SqlUuid>, _>(task_id)
    .bind::<BigInt, _>(after.tx)
    .bind::<BigInt, _>(after.id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Where a stream that starts "now" begins: after the user's last deliverable event.
pub async fn head(conn: &mut AsyncPgConnection, user_id: Uuid) -> diesel::QueryResult<Position> {
    #[derive(diesel::QueryableByName)]
    struct Head {
        #[diesel(sql_type = BigInt)]
        tx: i64,
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let head: Option<Head> = prepared(
        "SELECT tx, id FROM task_events \
         WHERE user_id = $1 AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
         ORDER BY tx DESC, id DESC LIMIT 1",
    )
    .bind::<SqlUuid, _>(user_id)
    .get_result(conn)
    .await
    .map(Some)
    .or_else(|e| match e {
        diesel::result::Error::NotFound => Ok(None),
        e => Err(e),
    })?;
    Ok(head.map_or_else(Position::default, |h| Position { tx: h.tx, id: h.id }))
}

/// Forgets events older than `before`; returns how many.
pub async fn delete_older_than(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> diesel::QueryResult<usize> {
    prepared("DELETE FROM task_events WHERE created_at < $1")
        .bind::<Timestamptz, _>(before)
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_reject_foreign_ids() {
        let p = Position { tx: 812, id: 44 };
        assert_eq!(Position::decode(&p.encode()), Some(p));
        for bad in ["", "12", "a-b", "-1-2", "1--2", "1-2-3"] {
            assert_eq!(Position::decode(bad), None, "{bad}");
        }
        assert!(Position { tx: 1, id: 9 } < Position { tx: 2, id: 1 });
    }
}
