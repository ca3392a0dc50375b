//! Choosing a backend when a task is sent. A model may list several (own GPUs first, a hosted
//! provider as overflow): the task goes to the first in its route that is switched on, not
//! resting behind its circuit breaker, under its cap of tasks in flight and willing to take it.
//! Before any backend has accepted the job, trouble at one moves the task to the next; once one
//! has accepted, the task stays there. Operators drain or disable a backend from the admin
//! console; every process sees the change within [`MODES_TTL`].

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::prepared::prepared;
use crate::error::ApiResult;
use crate::state::AppState;

/// The `provider` of a queued job whose task chooses its backend when it is sent: no provider's
/// cap or breaker holds it back in the queue.
pub const ROUTED: &str = "routed";

/// How long a process trusts the backend modes it read.
pub const MODES_TTL: Duration = Duration::from_secs(2);

use zimage_shared::admin::BackendHealth;
pub use zimage_shared::admin::BackendMode;

#[derive(QueryableByName)]
struct ModeRow {
    #[diesel(sql_type = Text)]
    provider: String,
    #[diesel(sql_type = Text)]
    mode: String,
}

/// The backend modes as last read, shared by this process's workers.
#[derive(Default)]
pub struct BackendModes {
    cache: Mutex<Option<(Instant, HashMap<String, BackendMode>)>>,
}

impl BackendModes {
    /// Every backend not `active`, read again when older than [`MODES_TTL`]. When the database
    /// cannot be read, the last modes known (or none) hold.
    pub async fn get(&self, state: &AppState) -> HashMap<String, BackendMode> {
        if let Some((at, modes)) = self.cached()
            && at.elapsed() < MODES_TTL
        {
            return modes;
        }
        match read(state).await {
            Ok(modes) => {
                *self
                    .cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some((Instant::now(), modes.clone()));
                modes
            }
            Err(err) => {
                tracing::warn!(error = ?err, "reading the backend modes failed; the last known hold");
                self.cached().map(|(_, m)| m).unwrap_or_default()
            }
        }
    }

    /// Forgets what was read (this process changed a mode).
    pub fn forget(&self) {
        *self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    fn cached(&self) -> Option<(Instant, HashMap<String, BackendMode>)> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// How long a process passes over a backend that refused a model's task for a reason the
/// operator must fix.
pub const REFUSAL_MEMORY: Duration = Duration::from_secs(60);

/// Backends that refused a routed model's task for a reason the operator must fix (our
/// credentials, a graph the server cannot run), by provider and provider model (and graph),
/// unless the backend is a pool that passes over the server that refused, remembered for
/// [`REFUSAL_MEMORY`] in this process: tasks of that model pass over them meanwhile instead of
/// asking again for each task (nor every few seconds for one that waits for another backend).
/// Other models of the same provider are not affected.
#[derive(Default)]
pub struct Refusals {
    seen: Mutex<HashMap<(String, String), (Instant, String)>>,
}

impl Refusals {
    /// `model` names the provider model, and the graph where it has several.
    pub fn note(&self, provider: &str, model: &str, message: &str) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, (at, _)| at.elapsed() < REFUSAL_MEMORY);
        seen.insert(
            (provider.to_string(), model.to_string()),
            (Instant::now(), message.to_string()),
        );
    }

    /// What the backend said when it refused this model lately.
    pub fn recent(&self, provider: &str, model: &str) -> Option<String> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.is_empty() {
            return None;
        }
        seen.get(&(provider.to_string(), model.to_string()))
            .filter(|(at, _)| at.elapsed() < REFUSAL_MEMORY)
            .map(|(_, message)| message.clone())
    }
}

async fn read(state: &AppState) -> ApiResult<HashMap<String, BackendMode>> {
    let mut conn = state.db.get().await?;
    let rows: Vec<ModeRow> = prepared("SELECT provider, mode FROM backend_modes")
        .load(&mut conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| BackendMode::parse(&r.mode).map(|m| (r.provider, m)))
        .collect())
}

/// Takes a place for a routed job at `provider` before it is sent there: the job is counted
/// as that backend's (by claims and by other routed jobs) from now on. False, and nothing
/// changed, when the backend already has its cap of tasks in flight across all processes. The
/// count and the change are one statement under the claim lock, so two processes cannot both
/// take the last place.
pub async fn reserve(state: &AppState, job_id: uuid::Uuid, provider: &str) -> ApiResult<bool> {
    let (names, caps) = state.etiquette.caps();
    let cap = names
        .iter()
        .position(|n| n == provider)
        .and_then(|i| caps.get(i))
        .copied()
        .unwrap_or(i64::MAX);
    let mut conn = state.db.get().await?;
    let taken = prepared(
        "WITH lock AS (SELECT pg_advisory_xact_lock($3)) \
         UPDATE jobs SET provider = $2 \
         WHERE id = $1 AND (SELECT count(*) FROM jobs o, lock \
                            WHERE o.provider = $2 AND o.id <> $1 \
                              AND (o.status = 'waiting' \
                                   OR (o.status = 'running' AND o.lease_until >= now()))) < $4",
    )
    .bind::<diesel::sql_types::Uuid, _>(job_id)
    .bind::<Text, _>(provider)
    .bind::<BigInt, _>(crate::db::generation::CLAIM_LOCK)
    .bind::<BigInt, _>(cap)
    .execute(&mut conn)
    .await?;
    Ok(taken == 1)
}

/// Names `provider` on a routed task that ends there before any backend accepted it (its answer
/// could not be read, or it refused the prompt), so the task and the backend's figures show where
/// it ended. Its own statement: the task row is never locked while its job's is held.
pub async fn blame(state: &AppState, task_id: uuid::Uuid, provider: &str) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    prepared("UPDATE ai_tasks SET provider = $2 WHERE id = $1 AND provider_task_id IS NULL")
        .bind::<diesel::sql_types::Uuid, _>(task_id)
        .bind::<Text, _>(provider)
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Gives back a place [`reserve`] took: the job waits for any backend again.
pub async fn release(state: &AppState, job_id: uuid::Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    prepared("UPDATE jobs SET provider = $2 WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(job_id)
        .bind::<Text, _>(ROUTED)
        .execute(&mut conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Load {
    #[diesel(sql_type = Text)]
    provider: String,
    #[diesel(sql_type = BigInt)]
    queued: i64,
    #[diesel(sql_type = BigInt)]
    in_flight: i64,
}

#[derive(QueryableByName)]
struct Outcomes {
    #[diesel(sql_type = Text)]
    provider: String,
    #[diesel(sql_type = BigInt)]
    finished: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    p50: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    p95: Option<f64>,
}

/// Every backend of the catalogue with its mode, load and last hour's outcomes.
pub async fn health(state: &AppState) -> ApiResult<Vec<BackendHealth>> {
    let providers = state.models.backend_providers();
    state.backend_modes.forget();
    let modes = state.backend_modes.get(state).await;
    let mut conn = state.db.get().await?;
    let loads: Vec<Load> = prepared(
        "SELECT provider, count(*) FILTER (WHERE status = 'queued') AS queued, \
                count(*) FILTER (WHERE status = 'waiting' \
                                 OR (status = 'running' AND lease_until >= now())) AS in_flight \
         FROM jobs WHERE status IN ('queued', 'running', 'waiting') AND provider = ANY($1) \
         GROUP BY provider",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(&providers)
    .load(&mut conn)
    .await?;
    let outcomes: Vec<Outcomes> = prepared(
        "SELECT provider, count(*) AS finished, \
                count(*) FILTER (WHERE status = 'failed' AND failure_reason IN \
                    ('provider_unavailable', 'provider_timeout', 'generation_failed', \
                     'invalid_output', 'unknown_task')) AS failed, \
                percentile_cont(0.5) WITHIN GROUP \
                    (ORDER BY extract(epoch FROM finished_at - started_at)) \
                    FILTER (WHERE status = 'succeeded') AS p50, \
                percentile_cont(0.95) WITHIN GROUP \
                    (ORDER BY extract(epoch FROM finished_at - started_at)) \
                    FILTER (WHERE status = 'succeeded') AS p95 \
         FROM ai_tasks \
         WHERE provider = ANY($1) AND finished_at > now() - interval '1 hour' \
           AND status IN ('succeeded', 'failed') \
         GROUP BY provider",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(&providers)
    .load(&mut conn)
    .await?;
    let (names, caps) = state.etiquette.caps();
    Ok(providers
        .into_iter()
        .map(|provider| {
            let load = loads.iter().find(|l| l.provider == provider);
            let done = outcomes.iter().find(|o| o.provider == provider);
            let finished = done.map_or(0, |d| d.finished);
            let failed = done.map_or(0, |d| d.failed);
            BackendHealth {
                mode: modes.get(&provider).copied().unwrap_or_default(),
                models: state
                    .models
                    .models
                    .iter()
                    .filter(|m| m.backend(&provider).is_some())
                    .map(|m| m.info.id.clone())
                    .collect(),
                resting: state
                    .etiquette
                    .breaker(&provider)
                    .is_some_and(crate::providers::breaker::Breaker::is_open),
                queued: load.map_or(0, |l| l.queued),
                in_flight: load.map_or(0, |l| l.in_flight),
                max_in_flight: names
                    .iter()
                    .position(|n| *n == provider)
                    .and_then(|i| caps.get(i).copied()),
                finished_last_hour: finished,
                failed_last_hour: failed,
                #[allow(clippy::cast_precision_loss)]
                error_rate: if finished > 0 {
                    failed as f64 / finished as f64
                } else {
                    0.0
                },
                latency_p50_secs: done.and_then(|d| d.p50),
                latency_p95_secs: done.and_then(|d| d.p95),
                provider,
            }
        })
        .collect())
}

/// Drains, disables or reactivates a backend, for every process (within [`MODES_TTL`]);
/// audited. 404 for a provider no model uses.
pub async fn set_mode(
    state: &AppState,
    admin: &crate::domain::audit::Actor,
    provider: &str,
    mode: BackendMode,
) -> ApiResult<BackendHealth> {
    if !state
        .models
        .backend_providers()
        .iter()
        .any(|p| p == provider)
    {
        return Err(crate::error::ApiError::not_found("backend"));
    }
    let mut conn = state.db.get().await?;
    conn.transaction::<_, crate::error::ApiError, _>(async |conn| {
        prepared(
            "INSERT INTO backend_modes (provider, mode, updated_at) VALUES ($1, $2, now()) \
             ON CONFLICT (provider) DO UPDATE SET mode = EXCLUDED.mode, updated_at = now()",
        )
        .bind::<Text, _>(provider)
        .bind::<Text, _>(mode.as_str())
        .execute(conn)
        .await?;
        crate::domain::audit::record(
            conn,
            admin,
            "backend.mode_changed",
            "backend",
            Some(provider.to_string()),
            serde_json::json!({"mode": mode.as_str()}),
        )
        .await
    })
    .await?;
    drop(conn);
    tracing::info!(admin_id = %admin.id, provider, mode = mode.as_str(), "backend mode changed");
    health(state)
        .await?
        .into_iter()
        .find(|b| b.provider == provider)
        .ok_or_else(|| crate::error::ApiError::not_found("backend"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_remembered_per_model_for_a_while() {
        let refusals = Refusals::default();
        assert_eq!(refusals.recent("comfyui", "z-image-turbo"), None);
        refusals.note("comfyui", "z-image-turbo", "the graph was refused");
        assert_eq!(
            refusals.recent("comfyui", "z-image-turbo").as_deref(),
            Some("the graph was refused")
        );
        assert_eq!(refusals.recent("comfyui", "another-model"), None);
        assert_eq!(refusals.recent("sdcpp", "z-image-turbo"), None);
        // Older than the memory: asked again.
        refusals
            .seen
            .lock()
            .unwrap()
            .values_mut()
            .for_each(|(at, _)| *at = at.checked_sub(REFUSAL_MEMORY).unwrap());
        assert_eq!(refusals.recent("comfyui", "z-image-turbo"), None);
    }
}
