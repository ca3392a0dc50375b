//! The finishing side of the broker: once a provider says a task is done, whoever saw it first
//! (the owner's check, or a provider's webhook on any replica) takes the job's lease; only that
//! one fetches the result, downloads the images, stores them and settles the hold, exactly once.
//! A task given up (deadline, errors, user) is cancelled at the provider where it can be.

use chrono::Utc;
use diesel_async::AsyncConnection;
use std::time::{Duration, Instant};
use uuid::Uuid;
use zimage_shared::generation::{OutputFormat, TaskStatus};
use zimage_shared::webhooks::WebhookEvent;

use crate::db::generation::{self as db, ImageRow, TaskRow};
use crate::domain::generation::finish_unsuccessfully;
use crate::error::{ApiError, ApiResult};
use crate::providers::breaker::{Pass, Went};
use crate::providers::{
    FailureReason, Finished, GeneratedImage, GenerationProvider, ImageData, Outcome, ProviderError,
    ProviderStatus, render,
};
use crate::state::AppState;
use crate::storage::ObjectStore;

/// Longest a cancel at the provider may take; it is a courtesy, never waited on for long.
const CANCEL_TIME: Duration = Duration::from_secs(10);

/// Where one finish of a task stores its images: an id, a file key and a thumbnail key per image
/// asked for. The keys are listed as unowned before anything is uploaded, by a statement the
/// broker writes anyway where it can (the job starting to wait, a finish being claimed), so
/// listing them costs no transaction of its own. Each plan is new (random ids): a finish that
/// failed, or one that lost a race, never writes over another's files.
#[derive(Debug, Clone)]
pub struct Plan {
    images: Vec<Planned>,
}

#[derive(Debug, Clone)]
struct Planned {
    id: Uuid,
    key: String,
    thumbnail_key: String,
}

impl Plan {
    pub fn new(task: &TaskRow) -> Self {
        let format = stored_format(task);
        let count = usize::try_from(task.num_images).unwrap_or(1).max(1);
        let images = (0..count)
            .map(|_| {
                let id = Uuid::new_v4();
                Planned {
                    id,
                    key: format!("users/{}/images/{id}.{}", task.user_id, format.extension()),
                    thumbnail_key: format!("users/{}/thumbnails/{id}.webp", task.user_id),
                }
            })
            .collect();
        Self { images }
    }

    /// Every key the plan may write; all are taken off the unowned list when the images are
    /// recorded, used or not.
    pub fn keys(&self) -> Vec<String> {
        self.images
            .iter()
            .flat_map(|i| [i.key.clone(), i.thumbnail_key.clone()])
            .collect()
    }
}

/// The format a task asked for, and so the one its images are stored in (converted when
/// delivered in another).
pub fn stored_format(task: &TaskRow) -> OutputFormat {
    serde_json::from_value(serde_json::Value::String(task.output_format.clone()))
        .unwrap_or_default()
}

/// How a finish went.
#[derive(Debug)]
pub enum Finish {
    /// Recorded (succeeded, or failed as the provider said), or someone else had it.
    Done,
    /// Fetching or storing failed for now; nothing was recorded.
    Retry(ProviderError),
}

/// Fails a task with a refund (nothing if it already ended).
pub async fn fail(
    state: &AppState,
    task_id: Uuid,
    reason: FailureReason,
    message: &str,
) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let ended = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let Some(task) = db::find_task(conn, task_id).await? else {
                return Ok(None);
            };
            let Some(task) = db::lock_task(conn, task.id, task.user_id).await? else {
                return Ok(None);
            };
            let ended = finish_unsuccessfully(
                conn,
                &task,
                TaskStatus::Failed,
                Some(reason.as_str()),
                message,
            )
            .await?;
            Ok(ended.then_some((task.provider, task.cost)))
        })
        .await?;
    let Some((provider, cost)) = ended else {
        return Ok(());
    };
    crate::metrics::task_ended(
        &provider,
        cost,
        crate::metrics::TaskEnd::Failed(reason.as_str()),
    );
    tracing::warn!(task_id = %task_id, reason = reason.as_str(), "generation failed; credits released");
    Ok(())
}

/// Asks the task's provider to stop `provider_task_id`, briefly; failures are only logged.
pub async fn cancel_at_provider(state: &AppState, provider: &str, provider_task_id: &str) {
    let Some(client) = state.providers.get(provider) else {
        return;
    };
    let _permit = state.etiquette.request(provider).await;
    match tokio::time::timeout(CANCEL_TIME, client.cancel(provider_task_id)).await {
        Ok(Ok(())) => tracing::info!(provider, "task canceled at the provider"),
        Ok(Err(err)) => tracing::warn!(provider, error = %err, "canceling at the provider failed"),
        Err(_) => tracing::warn!(provider, "canceling at the provider timed out"),
    }
}

/// Gives a task up: cancels it at the provider, then fails it with a refund.
pub async fn give_up(
    state: &AppState,
    task: &TaskRow,
    provider_task_id: &str,
    reason: FailureReason,
    message: &str,
) -> ApiResult<()> {
    cancel_at_provider(state, &task.provider, provider_task_id).await;
    fail(state, task.id, reason, message).await
}

/// Fetches a finished task's outcome and records it, as the holder of its job's lease: the
/// images stored and the hold settled, or the failure the result carried. `listed`: a plan whose
/// keys are already listed as unowned (else one is made and listed here).
pub async fn finish(
    state: &AppState,
    task: &TaskRow,
    provider_task_id: &str,
    finished: &Finished,
    deadline: Instant,
    listed: Option<Plan>,
    unheard: Option<Pass>,
) -> ApiResult<Finish> {
    let Some(provider) = state.providers.get(&task.provider) else {
        fail(
            state,
            task.id,
            FailureReason::ProviderUnavailable,
            "the model's provider is not configured any more",
        )
        .await?;
        return Ok(Finish::Done);
    };
    let outcome = {
        let _request = state.etiquette.request(&task.provider).await;
        let _cpu = if provider.collect_uses_cpu() {
            state.cpu.clone().acquire_owned().await.ok()
        } else {
            None
        };
        let time = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1));
        match tokio::time::timeout(time, provider.collect(provider_task_id, finished)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(ProviderError::Transient(
                "fetching the result did not finish in time".into(),
            )),
        }
    };
    if let Some(pass) = unheard {
        let went = match &outcome {
            Ok(Outcome::Failed {
                reason: FailureReason::ProviderUnavailable,
                ..
            }) => Went::Failed,
            Ok(_) | Err(ProviderError::Permanent { .. }) => Went::Answered,
            Err(_) => Went::Failed,
        };
        hear(state, &task.provider, pass, went);
    }
    let (reason, message) = match outcome {
        Ok(Outcome::Images(images)) => {
            return Ok(match succeed(state, task, images, listed).await? {
                Ok(()) => Finish::Done,
                Err(message) => Finish::Retry(ProviderError::Transient(message)),
            });
        }
        Ok(Outcome::Failed { reason, message })
        | Err(ProviderError::Permanent { reason, message }) => (reason, message),
        Err(err) => {
            unlist(state, listed).await;
            return Ok(Finish::Retry(err));
        }
    };
    unlist(state, listed).await;
    fail(state, task.id, reason, &message).await?;
    Ok(Finish::Done)
}

/// Tells `provider`'s circuit breaker how a call it let through went.
pub fn hear(state: &AppState, provider: &str, pass: Pass, went: Went) {
    if let Some(breaker) = state.etiquette.breaker(provider) {
        breaker.record(pass, went);
    }
}

/// A listed plan no finish will use: nothing was stored under its keys, so they simply come off
/// the list (a failure here leaves them to the sweep after their grace).
pub async fn unlist(state: &AppState, listed: Option<Plan>) {
    if let Some(plan) = listed {
        crate::domain::objects::set_aside(state, &[], &plan.keys(), false).await;
    }
}

/// A provider told us a task finished (a verified webhook): look at it now instead of at its
/// next check. Whoever claims the finish first (this, or the owner's check) fetches the result;
/// the other does nothing. Not finished after all, or trouble: the owner keeps checking.
pub async fn check_provider(state: &AppState, task_id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let Some(task) = db::find_task(&mut conn, task_id).await? else {
        return Ok(());
    };
    drop(conn);
    if TaskStatus::parse(&task.status).is_some_and(TaskStatus::is_final) {
        return Ok(());
    }
    let (Some(provider), Some(provider_id)) = (
        state.providers.get(&task.provider),
        task.provider_task_id.clone(),
    ) else {
        return Ok(());
    };
    if !provider.durable_task_ids() {
        return Ok(());
    }
    let status = {
        let _permit = state.etiquette.request(&task.provider).await;
        provider.poll(&provider_id).await
    };
    let Ok(ProviderStatus::Ready(finished)) = status else {
        return Ok(());
    };
    let holder = format!("webhook-{}", std::process::id());
    let plan = Plan::new(&task);
    let claimed = {
        let mut conn = state.db.get().await?;
        crate::db::jobs::claim_finishing(
            &mut conn,
            task.id,
            &holder,
            state.config.job_lease_secs,
            &plan.keys(),
            crate::domain::objects::unowned_until(state),
        )
        .await?
    };
    let Some(claimed) = claimed else {
        return Ok(()); // the owner (or another notice) got there first
    };
    let deadline = crate::jobs::worker::deadline_of(state, &claimed.task);
    if let Finish::Retry(err) = finish(
        state,
        &claimed.task,
        &provider_id,
        &finished,
        deadline,
        Some(plan),
        None,
    )
    .await?
    {
        let message = err.to_string();
        // Nobody owns it now: the next take-over, on any process, checks it again.
        tracing::warn!(task_id = %task.id, %message, "could not finish a task a webhook announced; it will be checked again");
        let mut conn = state.db.get().await?;
        crate::db::jobs::back_to_waiting(&mut conn, claimed.job_id, "", &message).await?;
    }
    Ok(())
}
/// Stores the delivered images (each decoded, converted to the requested format when delivered
/// in another, measured as delivered) and their thumbnails (unless their own), then records them
/// and settles the hold together. An image that does not decode is left out; extra images are
/// not kept; fewer than asked are charged alone and the rest of the hold returned; none usable
/// fails the task with a refund.
///
/// The plan's keys are listed as unowned before uploading (by the caller's statement when
/// `listed`, else here) and taken off the list by the transaction that records the images, so
/// an upload that never becomes an image (storage fails halfway, the task was canceled
/// meanwhile, the worker dies) is deleted later instead of left behind.
/// `Ok(Err(message))` means storage failed: nothing was recorded and the caller retries.
async fn succeed(
    state: &AppState,
    task: &TaskRow,
    images: Vec<GeneratedImage>,
    listed: Option<Plan>,
) -> ApiResult<Result<(), String>> {
    let want = stored_format(task);
    let (plan, is_listed) = match listed {
        Some(plan) => (plan, true),
        None => (Plan::new(task), false),
    };
    let asked = plan.images.len();
    let mut rows = Vec::with_capacity(asked);
    let mut files = Vec::with_capacity(asked * 2);
    for image in images {
        if rows.len() == asked {
            break;
        }
        // Decoding and encoding take one of the process's image-work slots, so image work never
        // exceeds them.
        let _cpu = state
            .cpu
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let GeneratedImage {
            data,
            format,
            pixels,
            ..
        } = image;
        let kept = tokio::task::spawn_blocking(move || render::keep(data, format, pixels, want))
            .await
            .map_err(ApiError::internal)?;
        let render::Kept {
            data: original,
            format,
            width,
            height,
            len,
            sha256,
            preview,
        } = match kept {
            Ok(kept) => kept,
            Err(err) => {
                tracing::warn!(task_id = %task.id, error = %err, "a delivered image does not decode; it is left out");
                continue;
            }
        };
        let position = rows.len();
        let Planned {
            id,
            key,
            thumbnail_key,
        } = plan.images[position].clone();
        let thumbnail_key = match &preview {
            Some(_) => thumbnail_key,
            None => key.clone(),
        };
        rows.push(ImageRow {
            id,
            user_id: task.user_id,
            task_id: Some(task.id),
            position: i32::try_from(position).unwrap_or(0),
            storage_key: key.clone(),
            thumbnail_key: thumbnail_key.clone(),
            width: i32::try_from(width).unwrap_or(0),
            height: i32::try_from(height).unwrap_or(0),
            format: format.as_str().into(),
            bytes: i64::try_from(len).unwrap_or(i64::MAX),
            sha256,
            favorite: false,
            created_at: Utc::now(),
        });
        files.push((key, original, format.content_type()));
        if let Some(preview) = preview {
            files.push((
                thumbnail_key,
                ImageData::Bytes(preview),
                OutputFormat::Webp.content_type(),
            ));
        }
    }
    if rows.is_empty() {
        if is_listed {
            unlist(state, Some(plan)).await;
        }
        fail(
            state,
            task.id,
            FailureReason::InvalidOutput,
            "none of the provider's images could be read",
        )
        .await?;
        return Ok(Ok(()));
    }
    // Charged per image delivered (as `complete_generation` settles it).
    let delivered = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let charged = if delivered >= i64::from(task.num_images) {
        task.cost
    } else {
        task.cost / i64::from(task.num_images.max(1)) * delivered
    };
    // Listed in advance: every key of the plan, used or not, all to come off the list together.
    // Listed here: only the keys about to be written.
    let keys = if is_listed {
        plan.keys()
    } else {
        files.iter().map(|(key, _, _)| key.clone()).collect()
    };
    if !is_listed {
        let mut conn = state.db.get().await?;
        crate::db::objects::add(
            &mut conn,
            task.id,
            &keys,
            crate::domain::objects::unowned_until(state),
        )
        .await?;
    }
    // The keys sent to storage so far, and the plan's others.
    let split = |sent: usize| -> (Vec<String>, Vec<String>) {
        let tried: Vec<String> = files[..sent].iter().map(|(k, _, _)| k.clone()).collect();
        let unused = keys
            .iter()
            .filter(|k| !tried.contains(k))
            .cloned()
            .collect();
        (tried, unused)
    };
    for (n, (key, data, content_type)) in files.iter().enumerate() {
        // A spooled download goes to storage from its file, never whole into memory.
        let put = match data {
            ImageData::Bytes(bytes) => state.storage.put(key, bytes, content_type).await,
            ImageData::Spooled(file) => {
                state.storage.put_file(key, file.path(), content_type).await
            }
        };
        if let Err(err) = put {
            let (tried, unused) = split(n + 1);
            crate::domain::objects::set_aside(state, &tried, &unused, false).await;
            return Ok(Err(format!("storing the images failed: {err}")));
        }
    }
    // What the user's webhooks receive if the task is recorded (the cost is what it charges).
    let event = crate::domain::webhooks::payload(
        WebhookEvent::GenerationSucceeded.as_str(),
        zimage_shared::webhooks::GenerationSucceededData {
            task_id: task.id,
            model: task.model.clone(),
            charged,
            images: rows
                .iter()
                .map(|r| zimage_shared::webhooks::WebhookImage {
                    id: r.id,
                    width: r.width.unsigned_abs(),
                    height: r.height.unsigned_abs(),
                    format: crate::domain::generation::parse_enum(&r.format).unwrap_or_default(),
                    url: crate::domain::webhooks::event_file_url(state, r.id),
                })
                .collect(),
            metadata: crate::domain::generation::metadata_of(task),
        },
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
        crate::metrics::task_ended(
            &task.provider,
            task.cost,
            crate::metrics::TaskEnd::Succeeded { charged },
        );
        tracing::info!(task_id = %task.id, images = rows.len(), "generation succeeded");
    } else {
        let (tried, unused) = split(files.len());
        crate::domain::objects::set_aside(state, &tried, &unused, true).await;
    }
    Ok(Ok(()))
}
