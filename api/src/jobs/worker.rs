//! Workers: claim a job, run its task on the provider, store the images, settle or refund.
//!
//! A job is claimed with `FOR UPDATE SKIP LOCKED` and a lease that the worker renews while it
//! polls the provider. A worker that dies stops renewing; once the lease lapses another worker
//! claims the job again. Success settles the hold in the same transaction that marks the task
//! succeeded; failure, cancellation and timeout release it in the transaction that ends the task,
//! so credits move exactly once.

use chrono::Utc;
use diesel_async::AsyncConnection;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use uuid::Uuid;
use zimage_shared::generation::{OutputFormat, TaskStatus};
use zimage_shared::webhooks::WebhookEvent;

use crate::db::generation::{self as db, ClaimedJob, ImageRow, TaskChanges, TaskRow};
use crate::domain::generation::finish_unsuccessfully;
use crate::error::{ApiError, ApiResult};
use crate::providers::{
    FailureReason, GeneratedImage, GenerationInput, GenerationProvider, ProviderError,
    ProviderStatus, Reference, render,
};
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Longest we wait before retrying when a provider's `Retry-After` asks for more.
const MAX_RETRY_AFTER_SECS: i64 = 600;

/// Longest an idle worker waits without a notification (delayed retries, lapsed leases).
const IDLE_FALLBACK: Duration = Duration::from_secs(5);

/// Runs up to `slots` jobs at a time until `stop` turns true. Whenever slots are free it claims
/// for all of them in one call (one round trip and one turn of the fair-share lock per batch,
/// not per job); when the queue has nothing runnable it sleeps until a job is announced or one
/// of its own finishes (which may let a user under the per-user cap again).
pub async fn run(
    state: actix_web::web::Data<AppState>,
    worker_id: String,
    slots: usize,
    wake: std::sync::Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let free = std::sync::Arc::new(tokio::sync::Semaphore::new(slots.max(1)));
    let finished = std::sync::Arc::new(tokio::sync::Notify::new());
    let mut running = tokio::task::JoinSet::new();
    while !*stop.borrow() {
        // Registered before claiming, so an announcement or a finish meanwhile still wakes us.
        let announced = wake.notified();
        let one_finished = finished.notified();
        tokio::pin!(announced, one_finished);
        announced.as_mut().enable();
        one_finished.as_mut().enable();
        let first = tokio::select! {
            permit = free.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = stop.changed() => continue,
        };
        let mut permits = vec![first];
        while let Ok(permit) = free.clone().try_acquire_owned() {
            permits.push(permit);
        }
        let wanted = permits.len();
        let jobs = claim(&state, &worker_id, wanted)
            .await
            .unwrap_or_else(|err| {
                tracing::error!(worker = %worker_id, error = ?err, "claiming jobs failed");
                Vec::new()
            });
        let got = jobs.len();
        for (job, permit) in jobs.into_iter().zip(permits.drain(..)) {
            let (state, worker_id, stop, finished) = (
                state.clone(),
                worker_id.clone(),
                stop.clone(),
                finished.clone(),
            );
            running.spawn(async move {
                if let Err(err) = run_claimed(&state, &worker_id, job, Some(&stop)).await {
                    tracing::error!(worker = %worker_id, error = ?err, "worker step failed");
                }
                drop(permit);
                finished.notify_waiters();
            });
        }
        drop(permits);
        while running.try_join_next().is_some() {}
        if got < wanted {
            tokio::select! {
                _ = &mut announced => {}
                _ = &mut one_finished => {}
                _ = tokio::time::sleep(IDLE_FALLBACK) => {}
                _ = stop.changed() => {}
            }
        }
    }
    // Jobs in progress see `stop` at their next check and hand their jobs back.
    while running.join_next().await.is_some() {}
    tracing::info!(worker = %worker_id, "worker stopped");
}

/// Claims and runs one job; false when the queue had nothing runnable.
pub async fn next(state: &AppState, worker_id: &str) -> ApiResult<bool> {
    let Some(job) = claim(state, worker_id, 1).await?.pop() else {
        return Ok(false);
    };
    run_claimed(state, worker_id, job, None).await?;
    Ok(true)
}

async fn claim(state: &AppState, worker_id: &str, limit: usize) -> ApiResult<Vec<ClaimedJob>> {
    let mut conn = state.db.get().await?;
    Ok(db::claim_jobs(
        &mut conn,
        worker_id,
        state.config.job_lease_secs,
        state.config.max_running_tasks_per_user,
        limit,
    )
    .await?)
}

/// Runs a claimed job, checking `stop` (when given) between provider polls.
async fn run_claimed(
    state: &AppState,
    worker_id: &str,
    job: ClaimedJob,
    stop: Option<&tokio::sync::watch::Receiver<bool>>,
) -> ApiResult<()> {
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
    if let Err(err) = process(state, worker_id, &job, stop).await {
        tracing::error!(task_id = %job.task_id, error = ?err, "job failed unexpectedly");
        fail(
            state,
            job.task_id,
            FailureReason::ProviderUnavailable,
            "an internal error stopped the task",
        )
        .await?;
    }
    Ok(())
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
        url: format!(
            "{}{}",
            state.config.public_url,
            state.urls.sign(&path, Utc::now())
        ),
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
        seed: task.seed.unsigned_abs(),
        num_images: task.num_images.unsigned_abs(),
        format: serde_json::from_value(serde_json::Value::String(task.output_format.clone()))
            .unwrap_or_default(),
        quality: serde_json::from_value(serde_json::Value::String(task.quality.clone()))
            .unwrap_or_default(),
        reference,
    }
}

async fn fail(
    state: &AppState,
    task_id: Uuid,
    reason: FailureReason,
    message: &str,
) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let Some(task) = db::find_task(conn, task_id).await? else {
            return Ok(());
        };
        let Some(task) = db::lock_task(conn, task.id, task.user_id).await? else {
            return Ok(());
        };
        finish_unsuccessfully(
            conn,
            &task,
            TaskStatus::Failed,
            Some(reason.as_str()),
            message,
        )
        .await
    })
    .await?;
    tracing::warn!(task_id = %task_id, reason = reason.as_str(), "generation failed; credits released");
    Ok(())
}

async fn process(
    state: &AppState,
    worker_id: &str,
    job: &ClaimedJob,
    stop: Option<&tokio::sync::watch::Receiver<bool>>,
) -> ApiResult<()> {
    let task = &job.task;
    if TaskStatus::parse(&task.status).is_some_and(TaskStatus::is_final) {
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
    let Some(provider) = state.providers.get(&task.provider) else {
        return fail(
            state,
            task.id,
            FailureReason::ProviderUnavailable,
            "the model's provider is not configured any more",
        )
        .await;
    };
    let provider_id = match &task.provider_task_id {
        // A retried job (worker restart) keeps polling what it submitted before, so nothing is
        // generated or paid for twice, where the provider's ids outlive the worker's process.
        Some(id) if provider.durable_task_ids() => id.clone(),
        stale => match async {
            let reference = reference(state, task).await?;
            provider
                .submit(&input(task, &model.provider_model, reference))
                .await
        }
        .await
        {
            Ok(id) => {
                if let Some(old) = stale {
                    let _ = provider.cancel(old).await;
                }
                id
            }
            Err(err) => return transient_or_fail(state, job, err).await,
        },
    };
    // The provider's id is recorded where it can be used again: a provider whose ids outlive our
    // process (a retried job keeps polling it; its callbacks name it). The claim has already
    // marked the task running unless someone held the task then; if so, this marks it now.
    if provider.durable_task_ids() || !job.started {
        let now = Utc::now();
        let mut conn = state.db.get().await?;
        let started = db::update_unfinished_task(
            &mut conn,
            task.id,
            &TaskChanges {
                status: Some(TaskStatus::Running.as_str().into()),
                provider_task_id: Some(provider_id.clone()),
                started_at: Some(task.started_at.unwrap_or(now)),
                updated_at: Some(now),
                ..Default::default()
            },
        )
        .await?;
        if !started {
            // Canceled or deleted while we were submitting: stop the provider too.
            let _ = provider.cancel(&provider_id).await;
            return Ok(());
        }
    }

    let deadline = Instant::now() + state.config.task_timeout;
    // The first look at the provider follows the claim, which took the lease and found the task
    // unfinished, so only later rounds renew the lease and look again.
    let mut first_round = true;
    loop {
        if !std::mem::take(&mut first_round) {
            let mut conn = state.db.get().await?;
            if !db::heartbeat(&mut conn, job, worker_id, state.config.job_lease_secs).await? {
                return Ok(()); // lost the lease; another worker owns the job now
            }
            let current = db::find_task(&mut conn, task.id).await?;
            if current
                .as_ref()
                .is_none_or(|t| TaskStatus::parse(&t.status).is_some_and(TaskStatus::is_final))
            {
                let _ = provider.cancel(&provider_id).await;
                return Ok(()); // canceled or deleted meanwhile
            }
            if stop.is_some_and(|s| *s.borrow()) {
                // Shutting down: hand the job straight back; the next worker keeps polling the
                // same provider task, so nothing is submitted or charged twice.
                db::release_job(&mut conn, job, worker_id).await?;
                tracing::info!(task_id = %task.id, "job released for another worker (shutdown)");
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            let _ = provider.cancel(&provider_id).await;
            return fail(
                state,
                task.id,
                FailureReason::ProviderTimeout,
                "the provider did not finish in time",
            )
            .await;
        }
        match provider.poll(&provider_id).await {
            Ok(ProviderStatus::Succeeded(images)) => {
                return match succeed(state, task, images).await? {
                    Ok(()) => Ok(()),
                    // Storage trouble: retried with backoff like a provider hiccup, then failed
                    // and refunded.
                    Err(message) => {
                        transient_or_fail(state, job, ProviderError::Transient(message)).await
                    }
                };
            }
            Ok(ProviderStatus::Failed { reason, message }) => {
                return fail(state, task.id, reason, &message).await;
            }
            Ok(ProviderStatus::Running {
                progress: Some(progress),
            }) => {
                let progress = Some(progress);
                let mut conn = state.db.get().await?;
                db::update_unfinished_task(
                    &mut conn,
                    task.id,
                    &TaskChanges {
                        progress,
                        ..Default::default()
                    },
                )
                .await?;
            }
            // Nothing new to record (providers that do not report progress).
            Ok(ProviderStatus::Queued | ProviderStatus::Running { progress: None }) => {}
            Err(err) => {
                if !provider.durable_task_ids() {
                    // The retry submits again; what ran here is not needed any more.
                    let _ = provider.cancel(&provider_id).await;
                }
                return transient_or_fail(state, job, err).await;
            }
        }
        tokio::time::sleep(state.config.poll_interval).await;
    }
}

/// Asks the task's provider where it stands (a provider told us it finished) and records the
/// outcome: images stored and the hold settled, or the task failed and refunded — exactly once,
/// whether the worker polling the same task gets there first or not.
pub async fn check_provider(state: &AppState, task_id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let Some(task) = db::find_task(&mut conn, task_id).await? else {
        return Ok(());
    };
    drop(conn);
    if TaskStatus::parse(&task.status).is_some_and(TaskStatus::is_final) {
        return Ok(());
    }
    let (Some(provider), Some(provider_id)) =
        (state.providers.get(&task.provider), &task.provider_task_id)
    else {
        return Ok(());
    };
    match provider.poll(provider_id).await {
        Ok(ProviderStatus::Succeeded(images)) => match succeed(state, &task, images).await? {
            Ok(()) => Ok(()),
            Err(message) => {
                // The worker polling this task stores the images on its next look.
                tracing::warn!(task_id = %task.id, %message, "could not store a finished task's images yet");
                Ok(())
            }
        },
        Ok(ProviderStatus::Failed { reason, message }) => {
            fail(state, task.id, reason, &message).await
        }
        // Not finished after all, or trouble reaching it: the worker keeps polling.
        Ok(_) | Err(_) => Ok(()),
    }
}

async fn transient_or_fail(
    state: &AppState,
    job: &ClaimedJob,
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
        ProviderError::Transient(message) | ProviderError::Throttled { message, .. } => {
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

/// Stores every image and its thumbnail (unless it is its own), then records them and settles the
/// hold together.
///
/// The keys are listed as unowned before uploading and taken off the list by the transaction
/// that records the images, so an upload that never becomes an image (storage fails halfway, the
/// task was canceled meanwhile, the worker dies) is deleted later instead of left behind.
/// `Ok(Err(message))` means storage failed: nothing was recorded and the caller retries.
async fn succeed(
    state: &AppState,
    task: &TaskRow,
    images: Vec<GeneratedImage>,
) -> ApiResult<Result<(), String>> {
    let mut rows = Vec::with_capacity(images.len());
    let mut files = Vec::with_capacity(images.len() * 2);
    for (position, image) in images.into_iter().enumerate() {
        let id = Uuid::new_v4();
        let ext = image.format.extension();
        let key = format!("users/{}/images/{id}.{ext}", task.user_id);
        let original = image.bytes;
        // An image no larger than a preview is its own (same object, no second encode).
        let preview = match image.pixels {
            Some(pixels) => tokio::task::spawn_blocking(move || render::preview_of(&pixels)),
            None => {
                let bytes = original.clone();
                tokio::task::spawn_blocking(move || render::preview(&bytes))
            }
        }
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
        let thumbnail_key = match &preview {
            Some(_) => format!("users/{}/thumbnails/{id}.webp", task.user_id),
            None => key.clone(),
        };
        rows.push(ImageRow {
            id,
            user_id: task.user_id,
            task_id: Some(task.id),
            position: i32::try_from(position).unwrap_or(0),
            storage_key: key.clone(),
            thumbnail_key: thumbnail_key.clone(),
            width: i32::try_from(image.width).unwrap_or(0),
            height: i32::try_from(image.height).unwrap_or(0),
            format: image.format.as_str().into(),
            bytes: i64::try_from(original.len()).unwrap_or(i64::MAX),
            sha256: Sha256::digest(&original).to_vec(),
            favorite: false,
            created_at: Utc::now(),
        });
        files.push((key, original, image.format.content_type()));
        if let Some(preview) = preview {
            files.push((thumbnail_key, preview, OutputFormat::Webp.content_type()));
        }
    }
    let keys: Vec<String> = files.iter().map(|(key, _, _)| key.clone()).collect();
    {
        let mut conn = state.db.get().await?;
        crate::db::objects::add(
            &mut conn,
            task.id,
            &keys,
            state.clock.now() + crate::domain::objects::UNOWNED_GRACE,
        )
        .await?;
    }
    for (key, bytes, content_type) in &files {
        if let Err(err) = state.storage.put(key, bytes, content_type).await {
            crate::domain::objects::discard(state, &keys).await;
            return Ok(Err(format!("storing the images failed: {err}")));
        }
    }
    // What the user's webhooks receive if the task is recorded (the cost is what it charges).
    let event = crate::domain::webhooks::payload(
        WebhookEvent::GenerationSucceeded.as_str(),
        serde_json::json!({
            "task_id": task.id,
            "model": task.model,
            "charged": task.cost,
            "images": rows.iter().map(|r| serde_json::json!({
                "id": r.id, "width": r.width, "height": r.height, "format": r.format,
            })).collect::<Vec<_>>(),
        }),
    );
    let mut conn = state.db.get().await?;
    // One statement, its own transaction. `None`: canceled while the images were being stored
    // (or gone), and nothing was recorded.
    let stored =
        db::complete_generation(&mut conn, task.id, task.user_id, &keys, &rows, Some(&event))
            .await?
            .is_some();
    drop(conn);
    if stored {
        tracing::info!(task_id = %task.id, images = rows.len(), "generation succeeded");
    } else {
        crate::domain::objects::discard(state, &keys).await;
    }
    Ok(Ok(()))
}
