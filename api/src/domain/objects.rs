//! Uploads that never became images: deleted at once when possible, else by the scheduled sweep
//! once storage answers again, so a storage or database outage leaves no orphaned objects.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;

use crate::db::objects as db;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::ObjectStore;

/// How long an upload may stay unowned before the sweep deletes it: longer than any task runs,
/// so only uploads whose worker died wait this long (failures mark theirs due at once).
pub const UNOWNED_GRACE: Duration = Duration::hours(6);

/// Until when keys listed now wait before the sweep may delete them: the grace, or longer when
/// the operator lets tasks run longer than that.
pub fn unowned_until(state: &AppState) -> DateTime<Utc> {
    let longest_task = Duration::from_std(state.config.task_timeout).unwrap_or(UNOWNED_GRACE);
    state.clock.now() + UNOWNED_GRACE.max(longest_task + Duration::hours(1))
}

/// Keys the sweep handles per transaction.
const BATCH: i64 = 100;

/// Sets aside what a finish that will not be recorded listed: `tried` (stored, or perhaps
/// stored: a failed upload may still have landed) become due for deletion, `unused` (nothing
/// was sent under them) come off the list. With `sweep_now` the due objects are deleted right
/// away where storage allows (not when storage is what failed: the scheduled sweep deletes them
/// once it answers again). Never fails the caller: it is already on a failure path.
pub async fn set_aside(state: &AppState, tried: &[String], unused: &[String], sweep_now: bool) {
    let marked = match state.db.get().await {
        Ok(mut conn) => db::set_aside(&mut conn, tried, unused).await.is_ok(),
        Err(_) => false,
    };
    if !marked {
        // The database is away too: the keys keep their grace period and are swept after it.
        return;
    }
    if sweep_now && !tried.is_empty() {
        let _ = sweep(state, state.clock.now()).await;
    }
}

/// Deletes due objects, forgetting each key once storage confirms; a key storage refuses is
/// tried again later (backing off to an hour). Returns how many objects were deleted.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> ApiResult<usize> {
    let mut deleted = 0;
    loop {
        let mut conn = state.db.get().await?;
        let (done, claimed) = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let due = db::claim_due(conn, now, BATCH).await?;
                let mut done = 0;
                for key in &due {
                    match state.storage.delete(&key.storage_key).await {
                        Ok(()) => {
                            db::remove(conn, &key.storage_key).await?;
                            done += 1;
                        }
                        Err(err) => {
                            let wait = 2i64.pow(key.attempts.clamp(0, 12).unsigned_abs()).min(3600);
                            tracing::warn!(key = %key.storage_key, error = %err, "could not delete an unowned upload; will retry");
                            db::postpone(conn, &key.storage_key, now + Duration::seconds(wait))
                                .await?;
                        }
                    }
                }
                Ok((done, due.len()))
            })
            .await?;
        deleted += done;
        if claimed < usize::try_from(BATCH).unwrap_or(usize::MAX) || done == 0 {
            return Ok(deleted);
        }
    }
}
