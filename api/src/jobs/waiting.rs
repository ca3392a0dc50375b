//! The waiting side of the broker: tasks submitted to providers, checked on each provider's
//! schedule. A waiting task holds no worker, no lease and no database connection; it is a few
//! hundred bytes in this process's schedule. Checks write nothing unless something changed: the
//! progress of a round's tasks (when it moved ten points) goes out in one statement, which also
//! tells which tasks ended elsewhere (canceled, finished by a webhook, taken over). The process
//! proves it is alive with one heartbeat row; when it stops, others take its tasks over.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use crate::db::generation::TaskRow;
use crate::db::jobs::Attempt;
use crate::jobs::finishing::{self, Finish, Plan};
use crate::jobs::worker::{deadline_of, transient_or_fail};
use crate::jobs::{Broker, InFlight};
use crate::providers::breaker::{Pass, Went};
use crate::providers::models::ModelConfig;
use crate::providers::{
    FailureReason, Finished, GenerationProvider, ProviderError, ProviderStatus,
};

/// Checks in a row that failed for now before a task is given up.
const MAX_CHECK_ERRORS: u32 = 5;

/// Progress is written when it moved this much since it was last written.
const PROGRESS_STEP: f32 = 0.10;

/// How often a round's writes go out at most.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// Longest wait between checks after errors.
const MAX_ERROR_WAIT: Duration = Duration::from_secs(60);

/// A submitted task this process waits on.
pub struct Item {
    pub attempt: Attempt,
    pub task: TaskRow,
    pub provider_task_id: String,
    deadline: Instant,
    due: Instant,
    checks: u32,
    errors: u32,
    written_progress: Option<f32>,
    /// A finish plan whose keys are listed as unowned (non-durable providers list it when the
    /// job starts waiting; durable ones when a finish is claimed).
    pub plan: Option<Plan>,
    /// The circuit breaker's pass for a call whose outcome the collect tells
    /// ([`GenerationProvider::answers_at_collect`]).
    pub unheard: Option<Pass>,
    /// The `traceparent` of the request that queued the job, for its spans' links.
    pub traceparent: Option<String>,
    _place: InFlight,
}

impl Item {
    pub fn new(
        attempt: Attempt,
        task: TaskRow,
        provider_task_id: String,
        deadline: Instant,
        first_check: Duration,
        place: InFlight,
    ) -> Self {
        let now = Instant::now();
        Self {
            attempt,
            written_progress: task.progress,
            task,
            provider_task_id,
            deadline,
            due: (now + first_check).min(deadline),
            checks: 0,
            errors: 0,
            plan: None,
            unheard: None,
            traceparent: None,
            _place: place,
        }
    }

    fn job_id(&self) -> Uuid {
        self.attempt.job_id
    }
}

/// What a check found.
enum Verdict {
    /// Not done: look again after the wait; progress to write, if it moved enough.
    Pending {
        progress: Option<f32>,
    },
    Ready(Finished),
    /// The task is over: failed at the provider, or given up here.
    Ended {
        reason: FailureReason,
        message: String,
        cancel: bool,
    },
}

/// Asks the provider where the task stands, within the task's deadline, and sets when to ask
/// next.
async fn check(broker: &Broker, item: &mut Item) -> Verdict {
    let state = &broker.state;
    let now = Instant::now();
    if now >= item.deadline {
        return Verdict::Ended {
            reason: FailureReason::ProviderTimeout,
            message: "the provider did not finish in time".into(),
            cancel: true,
        };
    }
    let Some(provider) = state.providers.get(&item.task.provider) else {
        return Verdict::Ended {
            reason: FailureReason::ProviderUnavailable,
            message: "the model's provider is not configured any more".into(),
            cancel: false,
        };
    };
    let schedule = state.etiquette.schedule(&item.task.provider);
    let answer = {
        let _permit = state.etiquette.request(&item.task.provider).await;
        let time = item.deadline.saturating_duration_since(Instant::now());
        tokio::time::timeout(time, provider.poll(&item.provider_task_id)).await
    };
    item.checks = item.checks.saturating_add(1);
    let mut wait = schedule.after(item.checks);
    let verdict = match answer {
        Err(_) => {
            return Verdict::Ended {
                reason: FailureReason::ProviderTimeout,
                message: "the provider did not finish in time".into(),
                cancel: true,
            };
        }
        Ok(Ok(ProviderStatus::Queued)) => {
            item.errors = 0;
            Verdict::Pending { progress: None }
        }
        Ok(Ok(ProviderStatus::Running { progress, ready_in })) => {
            item.errors = 0;
            if let Some(ready_in) = ready_in {
                // A few milliseconds late rather than early, so the next look finds it done.
                wait = wait.min(ready_in + Duration::from_millis(5));
            }
            Verdict::Pending { progress }
        }
        Ok(Ok(ProviderStatus::Ready(finished))) => return Verdict::Ready(finished),
        Ok(Ok(ProviderStatus::Failed { reason, message })) => {
            return Verdict::Ended {
                reason,
                message,
                cancel: false,
            };
        }
        Ok(Err(ProviderError::Permanent { reason, message })) => {
            return Verdict::Ended {
                reason,
                message,
                cancel: true,
            };
        }
        Ok(Err(ProviderError::Throttled {
            message,
            retry_after_secs,
        })) => {
            // The provider said when to come back: not sooner (our cap still applies).
            tracing::warn!(task_id = %item.task.id, %message, retry_after_secs, "provider asked us to slow down");
            wait = wait.max(Duration::from_secs(retry_after_secs.min(600)));
            Verdict::Pending { progress: None }
        }
        Ok(Err(err)) => {
            item.errors += 1;
            if item.errors >= MAX_CHECK_ERRORS {
                return Verdict::Ended {
                    reason: FailureReason::ProviderUnavailable,
                    message: format!("the provider kept failing: {err}"),
                    cancel: true,
                };
            }
            tracing::warn!(task_id = %item.task.id, error = %err, errors = item.errors, "checking a task failed; will look again");
            wait = (wait * 2u32.pow(item.errors.min(6))).min(MAX_ERROR_WAIT);
            Verdict::Pending { progress: None }
        }
    };
    item.due = (Instant::now() + wait).min(item.deadline);
    verdict
}

/// Acts on a task that is over for this process's loop: finishes it, fails it or gives it up.
/// Returns the item when it should wait again (its finish could not complete for now).
async fn conclude(broker: &Broker, mut item: Item, verdict: Verdict) -> Option<Item> {
    let state = &broker.state;
    let result = match verdict {
        Verdict::Pending { .. } => return Some(item),
        Verdict::Ended {
            reason,
            message,
            cancel,
        } => {
            finishing::unlist(state, item.plan.take()).await;
            if let Some(pass) = item.unheard.take() {
                finishing::hear(state, &item.task.provider, pass, Went::Failed);
            }
            if cancel {
                finishing::give_up(state, &item.task, &item.provider_task_id, reason, &message)
                    .await
            } else {
                finishing::fail(state, item.task.id, reason, &message).await
            }
        }
        Verdict::Ready(finished) => {
            let durable = state
                .providers
                .get(&item.task.provider)
                .is_some_and(|p| p.durable_task_ids());
            if durable {
                // Whoever claims the finish first fetches the result: a webhook may have.
                let plan = Plan::new(&item.task);
                let claimed: Result<_, String> = match state.db.get().await {
                    Ok(mut conn) => crate::db::jobs::claim_finishing(
                        &mut conn,
                        item.task.id,
                        &broker.id,
                        state.config.job_lease_secs,
                        &plan.keys(),
                        crate::domain::objects::unowned_until(state),
                    )
                    .await
                    .map_err(|e| e.to_string()),
                    Err(err) => Err(format!("{err:?}")),
                };
                match claimed {
                    Ok(Some(claimed)) => {
                        item.task = claimed.task;
                        item.plan = Some(plan);
                    }
                    Ok(None) => return None,
                    Err(err) => {
                        tracing::error!(task_id = %item.task.id, error = ?err, "could not claim a finished task; will look again");
                        item.due = Instant::now() + Duration::from_secs(1);
                        return Some(item);
                    }
                }
            }
            match finishing::finish(
                state,
                &item.task,
                &item.provider_task_id,
                &finished,
                item.deadline,
                item.plan.take(),
                item.unheard.take(),
            )
            .await
            {
                Ok(Finish::Done) => Ok(()),
                Ok(Finish::Retry(err)) => {
                    return retry_finish(broker, item, durable, err).await;
                }
                Err(err) => Err(err),
            }
        }
    };
    match result {
        Ok(()) => None,
        Err(err) => {
            // The database is out of reach, say: nothing was recorded (each of these records
            // all or nothing, and only once), so look at the task again shortly.
            tracing::error!(task_id = %item.task.id, error = ?err, "recording a task's end failed; will look again");
            item.due = Instant::now() + Duration::from_secs(1);
            Some(item)
        }
    }
}

/// A finish that failed for now (a download, storage). Where the provider keeps the result
/// (durable ids), the task waits again and is fetched on a later check; a result that lived in
/// this process is made again through the queue, as a retried job.
async fn retry_finish(
    broker: &Broker,
    mut item: Item,
    durable: bool,
    err: ProviderError,
) -> Option<Item> {
    let message = err.to_string();
    let state = &broker.state;
    item.errors += 1;
    let out_of_time = Instant::now() >= item.deadline;
    if !durable || item.errors >= MAX_CHECK_ERRORS || out_of_time {
        let outcome = if durable {
            let reason = if out_of_time {
                FailureReason::ProviderTimeout
            } else {
                FailureReason::ProviderUnavailable
            };
            finishing::give_up(state, &item.task, &item.provider_task_id, reason, &message).await
        } else {
            // Made again through the queue, no sooner than a `Retry-After` the call answered.
            transient_or_fail(state, item.attempt, err).await
        };
        if let Err(err) = outcome {
            tracing::error!(task_id = %item.task.id, error = ?err, "could not record a failed finish");
        }
        return None;
    }
    tracing::warn!(task_id = %item.task.id, %message, "finishing failed for now; the task waits again");
    let back = match state.db.get().await {
        Ok(mut conn) => {
            crate::db::jobs::back_to_waiting(&mut conn, item.job_id(), &broker.id, &message).await
        }
        Err(_) => Ok(false),
    };
    if !matches!(back, Ok(true)) {
        return None; // the lease lapses and the job is claimed again
    }
    item.due =
        (Instant::now() + Duration::from_secs(2u64.pow(item.errors.min(5)))).min(item.deadline);
    Some(item)
}

/// Checks a task when it is due and acts on what it finds; the task back when it must wait on.
pub async fn look_once(broker: &Broker, mut item: Item) -> Option<Item> {
    tokio::time::sleep_until(item.due.into()).await;
    let verdict = check(broker, &mut item).await;
    conclude(broker, item, verdict).await
}

/// Checks one task until it is over, in the caller's task (no schedule, no batching): for
/// [`crate::jobs::worker::next`].
pub async fn see_through(broker: &Broker, mut item: Item) {
    while let Some(again) = look_once(broker, item).await {
        item = again;
    }
}

/// This process's schedule of checks, run until `stop`; then its tasks are handed to others.
pub async fn run(
    broker: Arc<Broker>,
    mut items: mpsc::UnboundedReceiver<Item>,
    mut stop: watch::Receiver<bool>,
) {
    let (done_tx, mut done) = mpsc::unbounded_channel::<(Item, Verdict)>();
    let (again_tx, mut again) = mpsc::unbounded_channel::<Item>();
    let mut schedule = Schedule::default();
    // Jobs whose check is under way (their items are with the check, not in the schedule).
    let mut checking: HashSet<Uuid> = HashSet::new();
    let mut lost: HashSet<Uuid> = HashSet::new();
    let mut round = Round::default();
    let mut heartbeat = tokio::time::interval(heartbeat_every(&broker));
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut flush = tokio::time::interval(FLUSH_EVERY);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    if let Ok(mut conn) = broker.state.db.get().await {
        let _ = crate::db::jobs::forget_old_processes(&mut conn).await;
    }
    loop {
        let next_due = schedule
            .items
            .first_key_value()
            .map_or(Instant::now() + Duration::from_secs(3600), |(k, _)| k.0);
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            Some(item) = items.recv() => schedule.add(item),
            Some(item) = again.recv() => schedule.add(item),
            Some((mut item, verdict)) = done.recv() => {
                checking.remove(&item.job_id());
                if lost.remove(&item.job_id()) {
                    continue;
                }
                round.checked.push(item.job_id());
                match verdict {
                    Verdict::Pending { progress } => {
                        round.progress(&mut item, progress);
                        schedule.add(item);
                    }
                    over => {
                        let (broker, again_tx) = (broker.clone(), again_tx.clone());
                        let span = crate::telemetry::task_span(
                            "generation finish",
                            item.task.id,
                            item.traceparent.as_deref(),
                        );
                        tokio::spawn(async move {
                            use tracing::Instrument;
                            if let Some(item) = conclude(&broker, item, over).instrument(span).await {
                                let _ = again_tx.send(item);
                            }
                        });
                    }
                }
            }
            _ = tokio::time::sleep_until(next_due.into()) => {
                let now = Instant::now();
                while let Some(entry) = schedule.items.first_entry() {
                    if entry.key().0 > now {
                        break;
                    }
                    let mut item = entry.remove();
                    checking.insert(item.job_id());
                    let (broker, done_tx) = (broker.clone(), done_tx.clone());
                    tokio::spawn(async move {
                        let verdict = check(&broker, &mut item).await;
                        let _ = done_tx.send((item, verdict));
                    });
                }
            }
            _ = flush.tick() => {
                if let Some(gone) = round.flush(&broker).await {
                    drop_lost(&mut schedule.items, &checking, &mut lost, gone);
                }
            }
            _ = heartbeat.tick() => {
                take_over(&broker, &mut schedule).await;
            }
        }
    }
    // Nothing more comes in (a submission finishing now hands its task on itself); checks under
    // way finish first (their answers are kept), then everything is handed on.
    items.close();
    let grace = Instant::now() + Duration::from_secs(2);
    while !checking.is_empty() {
        match tokio::time::timeout_at(grace.into(), done.recv()).await {
            Ok(Some((item, _))) => {
                checking.remove(&item.job_id());
                schedule.add(item);
            }
            _ => break,
        }
    }
    while let Ok(item) = items.try_recv() {
        schedule.add(item);
    }
    hand_back(&broker, schedule.items.into_values().collect()).await;
    tracing::info!(worker = %broker.id, "waiting loop stopped");
}

/// Tasks by when they are next checked.
#[derive(Default)]
struct Schedule {
    items: BTreeMap<(Instant, u64), Item>,
    seq: u64,
}

impl Schedule {
    fn add(&mut self, item: Item) {
        self.seq += 1;
        self.items.insert((item.due, self.seq), item);
    }
}

fn heartbeat_every(broker: &Broker) -> Duration {
    let lease = Duration::from_secs(broker.state.config.job_lease_secs.unsigned_abs().max(1));
    (lease / 3).max(Duration::from_millis(200))
}

/// Removes tasks that ended elsewhere; those being checked right now are dropped on return.
fn drop_lost(
    schedule: &mut BTreeMap<(Instant, u64), Item>,
    checking: &HashSet<Uuid>,
    lost: &mut HashSet<Uuid>,
    gone: Vec<Uuid>,
) {
    let gone: HashSet<Uuid> = gone.into_iter().collect();
    schedule.retain(|_, item| !gone.contains(&item.job_id()));
    lost.extend(gone.intersection(checking));
}

/// The writes a round of checks owes.
#[derive(Default)]
struct Round {
    checked: Vec<Uuid>,
    tasks: Vec<Uuid>,
    progress: Vec<f32>,
}

impl Round {
    /// Notes progress worth telling: the first report, or ten points more than last written.
    fn progress(&mut self, item: &mut Item, progress: Option<f32>) {
        let Some(now) = progress else {
            return;
        };
        if item
            .written_progress
            .is_none_or(|before| (now - before).abs() >= PROGRESS_STEP)
        {
            item.written_progress = Some(now);
            self.tasks.push(item.task.id);
            self.progress.push(now);
        }
    }

    /// Writes the round in one statement; the ids of checked jobs no longer ours.
    async fn flush(&mut self, broker: &Broker) -> Option<Vec<Uuid>> {
        if self.checked.is_empty() {
            return None;
        }
        let round = std::mem::take(self);
        let mut conn = broker.state.db.get().await.ok()?;
        match crate::db::jobs::record_round(
            &mut conn,
            &broker.id,
            &round.checked,
            &round.tasks,
            &round.progress,
        )
        .await
        {
            Ok(gone) => Some(gone),
            Err(err) => {
                tracing::warn!(error = %err, "recording a round of checks failed");
                None
            }
        }
    }
}

/// Renews this process's heartbeat and takes over tasks whose process stopped renewing its own.
async fn take_over(broker: &Arc<Broker>, schedule: &mut Schedule) {
    let state = &broker.state;
    let Ok(mut conn) = state.db.get().await else {
        return;
    };
    if let Err(err) = crate::db::jobs::heartbeat(&mut conn, &broker.id).await {
        tracing::warn!(error = %err, "the broker heartbeat failed");
        return;
    }
    let room = broker.room().min(500);
    if room == 0 {
        return;
    }
    let local: Vec<&str> = crate::providers::manners::PROVIDERS
        .into_iter()
        .filter(|name| {
            state
                .providers
                .get(name)
                .is_none_or(|p| !p.durable_task_ids())
        })
        .collect();
    let taken = match crate::db::jobs::take_over(
        &mut conn,
        &broker.id,
        state.config.job_lease_secs,
        room,
        &local,
        &state.models.routed_ids(),
    )
    .await
    {
        Ok(taken) => taken,
        Err(err) => {
            tracing::warn!(error = %err, "taking over waiting tasks failed");
            return;
        }
    };
    drop(conn);
    let mut requeued = false;
    for t in taken {
        let Some(provider_task_id) = t.task.provider_task_id.clone() else {
            continue;
        };
        if t.job_status != "waiting" {
            requeued = true;
            continue;
        }
        tracing::info!(task_id = %t.task.id, "took over a task whose process stopped");
        let attempt = Attempt {
            job_id: t.job_id,
            task_id: t.task.id,
            attempts: t.attempts,
            max_attempts: state.config.job_max_attempts,
        };
        let deadline = deadline_of(state, &t.task);
        let place = broker.take_place(&t.task.provider);
        let mut item = Item::new(
            attempt,
            t.task,
            provider_task_id,
            deadline,
            Duration::ZERO,
            place,
        );
        item.traceparent = t.traceparent;
        schedule.add(item);
    }
    if requeued {
        broker.freed.notify_waiters();
    }
}

/// Hands a stopping process's tasks on: those whose provider keeps them are left unowned for
/// another process to take over at once; those that lived here are canceled and queued again.
pub(crate) async fn hand_back(broker: &Broker, items: Vec<Item>) {
    let state = &broker.state;
    let (mut durable, mut resubmit, mut rerouted) = (Vec::new(), Vec::new(), Vec::new());
    for item in &items {
        if state
            .providers
            .get(&item.task.provider)
            .is_some_and(|p| p.durable_task_ids())
        {
            durable.push(item.job_id());
        } else {
            finishing::cancel_at_provider(state, &item.task.provider, &item.provider_task_id).await;
            resubmit.push(item.job_id());
            if state
                .models
                .find(&item.task.model)
                .is_some_and(ModelConfig::routed)
            {
                rerouted.push(item.job_id());
            }
        }
    }
    let handed = match state.db.get().await {
        Ok(mut conn) => {
            crate::db::jobs::hand_back(&mut conn, &broker.id, &durable, &resubmit, &rerouted)
                .await
                .map_err(|e| e.to_string())
        }
        Err(err) => Err(err.to_string()),
    };
    match handed {
        Ok(()) => tracing::info!(
            handed_on = durable.len(),
            queued_again = resubmit.len(),
            "waiting tasks handed to other workers (shutdown)"
        ),
        Err(err) => {
            tracing::warn!(error = %err, "could not hand waiting tasks on; they are taken over when the heartbeat lapses")
        }
    }
}
