//! The queue side of the broker: claim queued jobs (fair share between users, within this
//! process's room for tasks in flight) and submit each to its provider under a lease. A
//! submitted task is handed to the waiting loop and the lease let go; nothing is submitted
//! twice: a submission whose answer could not be read fails the task with a refund instead.

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::generation::{self as db, ClaimedJob, TaskRow};
use crate::db::jobs::Attempt;
use crate::error::{ApiError, ApiResult};
use crate::jobs::finishing::{Plan, cancel_at_provider, fail};
use crate::jobs::routing::{self, BackendMode};
use crate::jobs::waiting::{self, Item};
use crate::jobs::{Broker, InFlight};
use crate::providers::breaker::{Breaker, Pass, Went};
use crate::providers::models::ModelConfig;
use crate::providers::{
    FailureReason, GenerationInput, GenerationProvider, ProviderError, Reference,
};
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Longest we wait before retrying when a provider's `Retry-After` asks for more.
const MAX_RETRY_AFTER_SECS: i64 = 600;

/// Longest an idle claim loop waits without a notification (delayed retries, lapsed leases).
const IDLE_FALLBACK: Duration = Duration::from_secs(5);

/// After a task ends, how long the claim loop gathers more ends before claiming again: one
/// claim for many freed places instead of one each.
const FREED_DEBOUNCE: Duration = Duration::from_millis(50);

/// Jobs claimed per call at most.
const CLAIM_BATCH: usize = 64;

/// A submission must be answered this long before its lease lapses.
const LEASE_MARGIN: Duration = Duration::from_secs(3);

/// Claims jobs whenever this process has room, until `stop` turns true. When the queue has
/// nothing runnable it sleeps until a job is announced (claimed at once) or one of its tasks
/// ends (claimed after a short gathering pause, since that may let a user under the cap again).
pub async fn run(
    broker: Arc<Broker>,
    wake: Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // Alive before anything is submitted, or another process could take our tasks over.
    loop {
        match broker.state.db.get().await {
            Ok(mut conn) => match crate::db::jobs::heartbeat(&mut conn, &broker.id).await {
                Ok(()) => break,
                Err(err) => tracing::warn!(error = %err, "the broker heartbeat failed"),
            },
            Err(err) => tracing::warn!(error = ?err, "the broker heartbeat failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
    let mut claims = ClaimConnection::default();
    while !*stop.borrow() {
        // Registered before claiming, so an announcement or an end meanwhile still wakes us.
        let announced = wake.notified();
        let freed = broker.freed.notified();
        tokio::pin!(announced, freed);
        announced.as_mut().enable();
        freed.as_mut().enable();
        let wanted = broker.room().min(CLAIM_BATCH);
        let mut got = 0;
        if wanted > 0 {
            let jobs = claims
                .claim(&broker.state, &broker.id, wanted)
                .await
                .unwrap_or_else(|err| {
                    tracing::error!(worker = %broker.id, error = ?err, "claiming jobs failed");
                    Vec::new()
                });
            got = jobs.len();
            for job in jobs {
                let place = broker.take_place(&job.task.provider);
                let broker = broker.clone();
                let span = crate::telemetry::task_span(
                    "generation submit",
                    job.task_id,
                    job.traceparent.as_deref(),
                );
                tokio::spawn(async move {
                    use tracing::Instrument;
                    if let Err(err) = submit(&broker, job, place).instrument(span).await {
                        tracing::error!(worker = %broker.id, error = ?err, "submitting a job failed");
                    }
                });
            }
        }
        if got < wanted || wanted == 0 {
            // A resting provider's jobs become claimable when its breaker lets a probe through.
            let idle = broker
                .state
                .etiquette
                .next_reopening()
                .map_or(IDLE_FALLBACK, |d| {
                    (d + Duration::from_millis(5)).min(IDLE_FALLBACK)
                });
            tokio::select! {
                _ = &mut announced => {}
                // Gather more ends briefly, but an announced job is claimed at once.
                _ = &mut freed => tokio::select! {
                    _ = &mut announced => {}
                    _ = tokio::time::sleep(FREED_DEBOUNCE) => {}
                    _ = stop.changed() => {}
                },
                _ = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(worker = %broker.id, "claim loop stopped");
}

/// Claims one job and sees its task to the end in this call (submits it, waits on the provider,
/// stores and settles); false when the queue had nothing runnable. For operators' tools and
/// tests; `zimage serve` and `zimage worker` run [`run`].
pub async fn next(state: &actix_web::web::Data<AppState>, worker_id: &str) -> ApiResult<bool> {
    let Some(job) = claim(state, worker_id, 1).await?.pop() else {
        return Ok(false);
    };
    {
        let mut conn = state.db.get().await?;
        crate::db::jobs::heartbeat(&mut conn, worker_id).await?;
    }
    let (broker, mut items) = Broker::new(state.clone(), worker_id.to_string());
    let place = broker.take_place(&job.task.provider);
    submit(&broker, job, place).await?;
    while let Ok(item) = items.try_recv() {
        waiting::see_through(&broker, item).await;
    }
    Ok(true)
}

async fn claim(state: &AppState, worker_id: &str, limit: usize) -> ApiResult<Vec<ClaimedJob>> {
    let mut conn = state.db.get().await?;
    claim_on(&mut conn, state, worker_id, limit).await
}

/// The claim loop's own database connection, opened when first needed and again after a failure.
/// A claim never waits behind other work for a pooled connection, and the claim function is
/// compiled and planned once per process: on each fresh connection its first call costs about
/// 5 ms instead of 0.3, and with claims spread over the pool those cold calls were the queue
/// latency's p99.
#[derive(Default)]
struct ClaimConnection {
    conn: Option<AsyncPgConnection>,
}

impl ClaimConnection {
    async fn claim(
        &mut self,
        state: &AppState,
        worker_id: &str,
        limit: usize,
    ) -> ApiResult<Vec<ClaimedJob>> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => {
                let url = state.config.database_url.expose();
                let opened =
                    tokio::time::timeout(Duration::from_secs(5), AsyncPgConnection::establish(url))
                        .await
                        .map_err(ApiError::internal)?
                        .map_err(ApiError::internal)?;
                self.conn.insert(opened)
            }
        };
        let claimed = claim_on(conn, state, worker_id, limit).await;
        if claimed.is_err() {
            // Perhaps the connection broke: a new one next time.
            self.conn = None;
        }
        claimed
    }
}

async fn claim_on(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    worker_id: &str,
    limit: usize,
) -> ApiResult<Vec<ClaimedJob>> {
    let (capped, caps) = state.etiquette.caps();
    let limits = db::ProviderLimits {
        resting: state.etiquette.resting(),
        capped,
        caps,
    };
    Ok(db::claim_jobs(
        conn,
        worker_id,
        state.config.job_lease_secs,
        state.config.max_running_tasks_per_user,
        limit,
        &limits,
    )
    .await?)
}

/// Why a job goes back to the queue unsent.
#[derive(Clone, Copy)]
enum Held {
    /// Its provider's breaker is not letting submissions through.
    Resting,
    /// Its provider said it is at capacity (or has its cap of tasks in flight).
    Full,
    /// The operator is draining its backend.
    Draining,
}

/// How soon a task held back by a draining backend (or one at its cap) looks again.
const HELD_RECHECK: Duration = Duration::from_secs(2);

/// A job claimed while its provider cannot take it goes back to the queue until it might; one
/// whose task has waited longer than a task may run fails with a refund instead, so nothing
/// waits on a provider that stays down or full.
async fn postpone(
    state: &AppState,
    worker: &str,
    job: &ClaimedJob,
    wait: Duration,
    held: Held,
) -> ApiResult<()> {
    let waited = (Utc::now() - job.task.created_at)
        .to_std()
        .unwrap_or_default();
    if waited >= state.config.task_timeout {
        return fail(
            state,
            job.task_id,
            FailureReason::ProviderUnavailable,
            match held {
                Held::Resting => "the provider has been failing for a while; the task was not sent",
                Held::Full => "the provider stayed at capacity; the task was not sent",
                Held::Draining => "the provider was taken out of service; the task was not sent",
            },
        )
        .await;
    }
    let mut conn = state.db.get().await?;
    crate::db::jobs::postpone(
        &mut conn,
        Attempt::from(job),
        worker,
        i64::try_from(wait.as_millis()).unwrap_or(i64::MAX),
        match held {
            Held::Resting => "the provider is resting (circuit breaker open)",
            Held::Full => "the provider is at capacity",
            Held::Draining => "the backend is draining",
        },
    )
    .await?;
    Ok(())
}

/// Claims again when a postponed job may go, not at the next idle look.
fn wake_after(broker: &Broker, wait: Duration) {
    let freed = broker.freed.clone();
    tokio::spawn(async move {
        tokio::time::sleep(wait + Duration::from_millis(5)).await;
        freed.notify_waiters();
    });
}

/// A submission a backend accepted.
struct Sent {
    /// The backend's provider.
    provider: String,
    /// Its id for the job.
    id: String,
    /// A breaker's pass whose outcome only the collect will tell.
    unheard: Option<Pass>,
}

/// Keeps the sooner of two reasons to hold a job back.
fn sooner(held: &mut Option<(Duration, Held)>, wait: Duration, why: Held) {
    if held.is_none_or(|(w, _)| wait < w) {
        *held = Some((wait, why));
    }
}

/// Sends a claimed job's task to the first backend of its model's route that takes it: active,
/// not resting, under its cap, and answering that it accepted. A backend that cannot take it
/// before accepting anything (unreachable, 5xx, rate limited, full, refusing our credentials)
/// passes it to the next, so nothing is charged or billed twice. `None` when it was sent
/// nowhere; the job is then postponed (a backend may take it soon), retried later, or failed,
/// as recorded here.
async fn send(
    broker: &Arc<Broker>,
    job: &ClaimedJob,
    model: &ModelConfig,
    reference: Option<Reference>,
    deadline: Instant,
) -> ApiResult<Option<Sent>> {
    let state = &broker.state;
    let task = &job.task;
    let modes = state.backend_modes.get(state).await;
    let route = model.route(&mut rand::rng());
    // Queued as routed (by what the catalogue said when the task was made): its backend's place
    // is taken here, not at the claim.
    let routed = route.len() > 1 || job.job_provider.as_deref() == Some(routing::ROUTED);
    // One lease for every backend tried: a submission must be answered before it lapses, or
    // another worker could claim the job and send it again.
    let lease_end = Instant::now()
        + Duration::from_secs(state.config.job_lease_secs.unsigned_abs())
            .saturating_sub(LEASE_MARGIN)
            .max(Duration::from_secs(1));
    let mut held: Option<(Duration, Held)> = None;
    let mut trouble: Option<ProviderError> = None;
    // A backend the operator must fix (credentials, its graph): it ends the task only when no
    // other backend may take it later.
    let mut refused: Option<(String, ProviderError)> = None;
    for (n, backend) in route.iter().enumerate() {
        let last = n + 1 == route.len();
        let Some(provider) = state.providers.get(&backend.provider) else {
            continue;
        };
        match modes.get(&backend.provider).copied().unwrap_or_default() {
            BackendMode::Active => {}
            BackendMode::Draining => {
                sooner(&mut held, HELD_RECHECK, Held::Draining);
                continue;
            }
            BackendMode::Disabled => continue,
        }
        let breaker = state.etiquette.breaker(&backend.provider);
        if breaker.is_some_and(Breaker::is_open) {
            sooner(
                &mut held,
                breaker
                    .and_then(Breaker::reopens_in)
                    .unwrap_or(HELD_RECHECK),
                Held::Resting,
            );
            continue;
        }
        if n > 0 && lease_end.saturating_duration_since(Instant::now()) < LEASE_MARGIN {
            // Too little of the lease left to ask another backend safely: wait in the queue.
            sooner(&mut held, Duration::from_secs(1), Held::Full);
            break;
        }
        // Image-to-image runs another graph: remembered apart. Only routed jobs use it.
        let refusal_key = match (routed, reference.is_some()) {
            (false, _) => String::new(),
            (true, false) => backend.provider_model.clone(),
            (true, true) => format!("{} (image to image)", backend.provider_model),
        };
        if routed && let Some(message) = state.refusals.recent(&backend.provider, &refusal_key) {
            // Refused this model lately for the operator to fix: not asked again for a while.
            refused.get_or_insert((
                backend.provider.clone(),
                ProviderError::Permanent {
                    reason: FailureReason::ProviderUnavailable,
                    message,
                },
            ));
            continue;
        }
        // Unrouted jobs were claimed within their provider's cap.
        if routed && !routing::reserve(state, job.job_id, &backend.provider).await? {
            sooner(&mut held, HELD_RECHECK, Held::Full);
            continue;
        }
        let pass = breaker.map_or(Pass::Go, Breaker::pass);
        if let Pass::Wait(wait) = pass {
            if routed {
                routing::release(state, job.job_id).await?;
            }
            sooner(&mut held, wait, Held::Resting);
            continue;
        }
        let submitted = {
            let _permit = state.etiquette.request(&backend.provider).await;
            let time = deadline
                .min(lease_end)
                .saturating_duration_since(Instant::now());
            let input = input(task, &backend.provider_model, reference.clone());
            match tokio::time::timeout(time, provider.submit(&input)).await {
                Ok(answer) => answer,
                Err(_) => Err(ProviderError::Unconfirmed(
                    "the provider did not answer the submission in time".into(),
                )),
            }
        };
        let mut unheard = None;
        if let Some(breaker) = breaker {
            let went = match &submitted {
                // Only started: the collect tells how the call went.
                Ok(_) if provider.answers_at_collect() => None,
                // At capacity is an answer: the provider is up.
                Ok(_) | Err(ProviderError::Permanent { .. } | ProviderError::Busy { .. }) => {
                    Some(Went::Answered)
                }
                Err(_) => Some(Went::Failed),
            };
            match went {
                Some(went) => breaker.record(pass, went),
                None => unheard = Some(pass),
            }
        }
        if routed && submitted.is_err() {
            // Not taken there: the job waits for any backend again.
            routing::release(state, job.job_id).await?;
        }
        match submitted {
            Ok(id) => {
                return Ok(Some(Sent {
                    provider: backend.provider.clone(),
                    id,
                    unheard,
                }));
            }
            Err(ProviderError::Unconfirmed(message)) => {
                // It may be running and billing there; sending it again (there or elsewhere)
                // could double that.
                tracing::error!(task_id = %task.id, provider = %backend.provider, %message, "submission unconfirmed; not sent again");
                if routed {
                    routing::blame(state, task.id, &backend.provider).await?;
                }
                let (reason, text) = if Instant::now() >= deadline {
                    (
                        FailureReason::ProviderTimeout,
                        "the provider did not finish in time",
                    )
                } else {
                    (
                        FailureReason::ProviderUnavailable,
                        "the provider's answer to the submission could not be read; it was not sent again",
                    )
                };
                fail(state, task.id, reason, text).await?;
                return Ok(None);
            }
            Err(ProviderError::Busy {
                message,
                retry_after_secs,
            }) => {
                // Back-pressure: the next backend, or back to the queue until this one has room.
                tracing::info!(task_id = %task.id, provider = %backend.provider, %message, retry_after_secs, "the provider is at capacity");
                sooner(
                    &mut held,
                    Duration::from_secs(retry_after_secs.clamp(1, 60)),
                    Held::Full,
                );
            }
            Err(err @ (ProviderError::Transient(_) | ProviderError::Throttled { .. })) => {
                if routed && !last {
                    tracing::warn!(task_id = %task.id, provider = %backend.provider, error = %err, "backend unavailable before accepting the task; trying the next");
                }
                trouble.get_or_insert(err);
            }
            Err(ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                message,
            }) if routed => {
                // The provider's client has logged the alert; other backends may still take it.
                tracing::warn!(task_id = %task.id, provider = %backend.provider, %message, "backend refused the task for a reason the operator must fix; passed over for a while");
                if !provider.pooled() {
                    // A pool passes over the server that refused; the others may take it.
                    state
                        .refusals
                        .note(&backend.provider, &refusal_key, &message);
                }
                refused.get_or_insert((
                    backend.provider.clone(),
                    ProviderError::Permanent {
                        reason: FailureReason::ProviderUnavailable,
                        message,
                    },
                ));
            }
            Err(err) => {
                // Refused for what it is (the prompt, the settings): no backend would differ.
                if routed {
                    routing::blame(state, task.id, &backend.provider).await?;
                }
                transient_or_fail(state, Attempt::from(job), err).await?;
                return Ok(None);
            }
        }
    }
    if let Some((wait, why)) = held {
        // A backend may take it soon: back to the queue without spending an attempt.
        postpone(state, &broker.id, job, wait, why).await?;
        wake_after(broker, wait);
        return Ok(None);
    }
    match (trouble, refused) {
        // Another backend may answer on a later attempt.
        (Some(err), _) => transient_or_fail(state, Attempt::from(job), err).await?,
        (None, Some((provider, err))) => {
            routing::blame(state, task.id, &provider).await?;
            transient_or_fail(state, Attempt::from(job), err).await?;
        }
        (None, None) => {
            fail(
                state,
                task.id,
                FailureReason::ProviderUnavailable,
                "every backend of this model is switched off",
            )
            .await?;
        }
    }
    Ok(None)
}

/// When a task must be over: `ZIMAGE_TASK_TIMEOUT_SECS` after it started (not after this
/// attempt or this process started).
pub fn deadline_of(state: &AppState, task: &TaskRow) -> Instant {
    let started = task.started_at.unwrap_or_else(Utc::now);
    let spent = (Utc::now() - started).to_std().unwrap_or_default();
    Instant::now() + state.config.task_timeout.saturating_sub(spent)
}

/// Submits a claimed job's task and hands it to the waiting loop.
async fn submit(broker: &Arc<Broker>, job: ClaimedJob, place: InFlight) -> ApiResult<()> {
    let state = &broker.state;
    if job.attempts > job.max_attempts {
        // Claimed again after its workers kept dying: give up and return the credits.
        tracing::error!(task_id = %job.task_id, attempts = job.attempts, "job is dead after too many attempts");
        fail(
            state,
            job.task_id,
            FailureReason::ProviderUnavailable,
            "the task was interrupted too many times",
        )
        .await?;
        let mut conn = state.db.get().await?;
        db::finish_job(&mut conn, job.task_id, "dead", Some("too many attempts")).await?;
        return Ok(());
    }
    let task = &job.task;
    if zimage_shared::generation::TaskStatus::parse(&task.status).is_some_and(|s| s.is_final()) {
        let mut conn = state.db.get().await?;
        db::finish_job(&mut conn, task.id, "done", None).await?;
        return Ok(());
    }
    let Some(model) = state.models.find(&task.model) else {
        return fail(
            state,
            task.id,
            FailureReason::ProviderUnavailable,
            "the model is no longer offered",
        )
        .await;
    };
    let current = state.providers.get(&task.provider);
    if task.provider_task_id.is_some() && current.is_none() {
        return fail(
            state,
            task.id,
            FailureReason::ProviderUnavailable,
            "the model's provider is not configured any more",
        )
        .await;
    }
    let deadline = deadline_of(state, task);
    // Taken over from a worker that died after submitting (or while finishing): look at what it
    // submitted, where the provider's ids outlive its process.
    let resumed = task
        .provider_task_id
        .clone()
        .filter(|_| current.is_some_and(|p| p.durable_task_ids()));
    let sent = match resumed.clone() {
        Some(id) => Sent {
            provider: task.provider.clone(),
            id,
            unheard: None,
        },
        None => {
            if let Some(old) = &task.provider_task_id {
                // Lived in a process that is gone; nothing to bill, but say so if it answers.
                cancel_at_provider(state, &task.provider, old).await;
            }
            if Instant::now() >= deadline {
                // Out of time before it was ever sent (retried, postponed): nothing to send.
                return fail(
                    state,
                    task.id,
                    FailureReason::ProviderTimeout,
                    "the provider did not finish in time",
                )
                .await;
            }
            let reference = match reference(state, task).await {
                Ok(reference) => reference,
                Err(err) => return transient_or_fail(state, Attempt::from(&job), err).await,
            };
            match send(broker, &job, model, reference, deadline).await? {
                Some(sent) => sent,
                None => return Ok(()),
            }
        }
    };
    let Some(provider) = state.providers.get(&sent.provider) else {
        return fail(
            state,
            task.id,
            FailureReason::ProviderUnavailable,
            "the model's provider is not configured any more",
        )
        .await;
    };
    let Sent {
        provider: backend,
        id: provider_id,
        unheard,
    } = sent;
    let attempt = Attempt::from(&job);
    let traceparent = job.traceparent;
    let mut task = job.task;
    task.provider = backend;
    task.provider_task_id = Some(provider_id.clone());
    let schedule = state.etiquette.schedule(&task.provider);
    let lease = Duration::from_secs(state.config.job_lease_secs.unsigned_abs());
    // When to look first, and whether to look at once under the lease.
    let (first, look_now) = match (resumed, provider.expected_time()) {
        // Taken over with its provider's id: looked at now.
        (Some(_), _) => (Duration::ZERO, false),
        // A provider that expects to be done before its first check would come, well within
        // the lease (the built-in model when fast), is looked at once under the lease, before
        // anything is written: such a task never waits, and there is no progress to report.
        (None, Some(expected))
            if expected <= schedule.after(0) && expected + LEASE_MARGIN < lease =>
        {
            (expected, true)
        }
        (None, expected) => (
            expected.map_or(schedule.after(0), |e| {
                schedule.after(0).min(e + Duration::from_millis(5))
            }),
            false,
        ),
    };
    let mut item = Item::new(attempt, task, provider_id, deadline, first, place);
    item.unheard = unheard;
    item.traceparent = traceparent;
    if look_now {
        match waiting::look_once(broker, item).await {
            Some(again) => item = again,
            None => return Ok(()),
        }
    }
    // Where the provider's ids die with this process, nobody else can finish the task: the
    // images' keys are listed now, with the submission, so the finish writes nothing first.
    let plan = (!provider.durable_task_ids()).then(|| Plan::new(&item.task));
    let keys = plan.as_ref().map(Plan::keys).unwrap_or_default();
    if !record_submission(state, attempt, &broker.id, &item, &keys).await {
        // Canceled or deleted while we were submitting, the lease lost, or the database out of
        // reach (the job is claimed again when its lease lapses): stop it there.
        cancel_at_provider(state, &item.task.provider, &item.provider_task_id).await;
        return Ok(());
    }
    item.plan = plan;
    broker.wait_on(item).await;
    Ok(())
}

/// Records a submission (the job waiting on `provider_id`), trying a few times within the margin
/// the lease keeps for it: an id that is not recorded is a job the queue will submit again.
/// False when it could not be, or when the task ended or the job was lost meanwhile.
async fn record_submission(
    state: &AppState,
    job: Attempt,
    worker: &str,
    item: &Item,
    keys: &[String],
) -> bool {
    let pause = Duration::from_millis(500);
    let delete_after = crate::domain::objects::unowned_until(state);
    for attempt in 1.. {
        let recorded = match state.db.get().await {
            Ok(mut conn) => crate::db::jobs::to_waiting(
                &mut conn,
                job,
                worker,
                &item.task.provider,
                &item.provider_task_id,
                keys,
                delete_after,
            )
            .await
            .map_err(|e| e.to_string()),
            Err(err) => Err(format!("{err:?}")),
        };
        match recorded {
            Ok(recorded) => return recorded,
            Err(err) if pause * attempt < LEASE_MARGIN => {
                tracing::warn!(task_id = %job.task_id, error = %err, "recording a submission failed; trying again");
                tokio::time::sleep(pause).await;
            }
            Err(err) => {
                tracing::error!(task_id = %job.task_id, error = %err, "could not record a submission");
                return false;
            }
        }
    }
    false
}

/// The reference image of an image-to-image task: our stored copy's bytes and signed URL.
/// `Ok(None)` for text-to-image; an error when the upload is gone.
async fn reference(state: &AppState, task: &TaskRow) -> Result<Option<Reference>, ProviderError> {
    let Some(upload_id) = task.reference_upload_id else {
        return Ok(None);
    };
    let missing = || ProviderError::Permanent {
        reason: FailureReason::ReferenceMissing,
        message: "the reference image was deleted before the task ran".into(),
    };
    let mut conn = state
        .db
        .get()
        .await
        .map_err(|e| ProviderError::Transient(format!("database: {e}")))?;
    let upload = crate::db::uploads::find(&mut conn, upload_id, task.user_id)
        .await
        .map_err(|e| ProviderError::Transient(format!("database: {e}")))?
        .ok_or_else(missing)?;
    drop(conn);
    let bytes = state
        .storage
        .get(&upload.storage_key)
        .await
        .map_err(|_| missing())?;
    let path = format!("/v1/uploads/{}/file", upload.id);
    Ok(Some(Reference {
        url: state.urls.sign(&path, Utc::now()),
        bytes,
        strength: task
            .strength
            .unwrap_or(crate::domain::generation::DEFAULT_STRENGTH),
    }))
}

fn input(task: &TaskRow, provider_model: &str, reference: Option<Reference>) -> GenerationInput {
    GenerationInput {
        model: provider_model.to_string(),
        prompt: task.prompt.clone(),
        negative_prompt: task.negative_prompt.clone(),
        aspect_ratio: task
            .aspect_ratio
            .as_deref()
            .and_then(|a| serde_json::from_value(serde_json::Value::String(a.to_string())).ok()),
        width: task.width.unsigned_abs(),
        height: task.height.unsigned_abs(),
        seed: task.seed.map(i64::unsigned_abs),
        num_images: task.num_images.unsigned_abs(),
        format: crate::jobs::finishing::stored_format(task),
        quality: serde_json::from_value(serde_json::Value::String(task.quality.clone()))
            .unwrap_or_default(),
        reference,
    }
}

/// A job whose provider refused it for now goes back to the queue with back-off (no sooner than
/// a `Retry-After`), until its attempts run out; anything else fails the task with a refund.
pub async fn transient_or_fail(
    state: &AppState,
    job: Attempt,
    err: ProviderError,
) -> ApiResult<()> {
    match err {
        ProviderError::Transient(message) if job.attempts < job.max_attempts => {
            let delay = 2i64.pow(job.attempts.unsigned_abs().min(8));
            let mut conn = state.db.get().await?;
            db::retry_job(&mut conn, job.job_id, delay, &message).await?;
            tracing::warn!(task_id = %job.task_id, attempt = job.attempts, delay, "provider trouble; job will retry");
            Ok(())
        }
        ProviderError::Throttled {
            message,
            retry_after_secs,
        }
        | ProviderError::Busy {
            message,
            retry_after_secs,
        } if job.attempts < job.max_attempts => {
            // The provider said when to come back: not sooner than that, nor later than our cap.
            let backoff = 2i64.pow(job.attempts.unsigned_abs().min(8));
            let delay = i64::try_from(retry_after_secs)
                .unwrap_or(i64::MAX)
                .clamp(backoff, MAX_RETRY_AFTER_SECS);
            let mut conn = state.db.get().await?;
            db::retry_job(&mut conn, job.job_id, delay, &message).await?;
            tracing::warn!(task_id = %job.task_id, attempt = job.attempts, delay, "provider asked us to slow down; job will retry");
            Ok(())
        }
        ProviderError::Transient(message)
        | ProviderError::Throttled { message, .. }
        | ProviderError::Busy { message, .. }
        | ProviderError::Unconfirmed(message) => {
            fail(
                state,
                job.task_id,
                FailureReason::ProviderUnavailable,
                &message,
            )
            .await
        }
        ProviderError::Permanent { reason, message } => {
            fail(state, job.task_id, reason, &message).await
        }
    }
}
