//! Generation tasks: validate, price, hold credits and queue in one transaction; cancel and delete.

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rand::Rng;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::generation::{
    AspectRatio, Capability, CreateGenerationRequest, GeneratedImageInfo, GenerationTask,
    MAX_PROMPT_CHARS, MAX_SEED, OutputFormat, TaskStatus,
};
use zimage_shared::{ErrorCode, Page, validate};

use crate::auth::Bearer;
use crate::auth::signed_url::UrlSigner;
use crate::db::generation::{self as db, ImageRow, TaskChanges, TaskRow};
use crate::domain::credits::{self, HoldId};
use crate::error::{ApiError, ApiResult, Validator};
use crate::pagination::{Cursor, PageRequest};
use crate::providers::models::ModelCatalog;
use crate::state::AppState;
use crate::storage::ObjectStore;

/// How far image-to-image moves from the reference when the request does not say.
pub const DEFAULT_STRENGTH: f32 = 0.6;

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

pub fn parse_enum<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string())).ok()
}

fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The API view of a task with its images.
pub fn task_dto(row: &TaskRow, images: &[ImageRow], urls: &UrlSigner) -> GenerationTask {
    let now = Utc::now();
    GenerationTask {
        id: row.id,
        model: row.model.clone(),
        provider: row.provider.clone(),
        prompt: row.prompt.clone(),
        negative_prompt: row.negative_prompt.clone(),
        aspect_ratio: row.aspect_ratio.as_deref().and_then(parse_enum),
        width: row.width.unsigned_abs(),
        height: row.height.unsigned_abs(),
        quality: parse_enum(&row.quality).unwrap_or_default(),
        output_format: parse_enum(&row.output_format).unwrap_or_default(),
        seed: row.seed,
        num_images: row.num_images.unsigned_abs(),
        reference_upload_id: row.reference_upload_id,
        strength: row.strength,
        status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Queued),
        progress: row.progress,
        failure_reason: row.failure_reason.clone(),
        failure_message: row.failure_message.clone(),
        cost: row.cost,
        charged: row.charged,
        refunded: row.refunded,
        images: images
            .iter()
            .filter(|i| i.task_id == Some(row.id))
            .map(|i| GeneratedImageInfo {
                id: i.id,
                width: i.width.unsigned_abs(),
                height: i.height.unsigned_abs(),
                format: parse_enum(&i.format).unwrap_or_default(),
                bytes: i.bytes,
                url: urls.sign(&format!("/v1/images/{}/file", i.id), now),
            })
            .collect(),
        metadata: metadata_of(row),
        created_at: row.created_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
    }
}

/// The task's `metadata`, as sent.
pub fn metadata_of(row: &TaskRow) -> Option<zimage_shared::generation::Metadata> {
    row.metadata
        .as_ref()
        .and_then(|m| serde_json::from_value(m.clone()).ok())
}

/// Checks `metadata`: at most 20 keys of 1–40 characters and values of up to 500, without
/// control characters.
fn check_metadata(v: &mut Validator, metadata: &zimage_shared::generation::Metadata) {
    use zimage_shared::generation::{
        MAX_METADATA_KEY_CHARS, MAX_METADATA_KEYS, MAX_METADATA_VALUE_CHARS,
    };
    if metadata.len() > MAX_METADATA_KEYS {
        v.add(
            "metadata",
            format!("may have at most {MAX_METADATA_KEYS} keys"),
        );
    }
    for (key, value) in metadata {
        let controls = |s: &str| s.chars().any(char::is_control);
        if key.is_empty() || key.chars().count() > MAX_METADATA_KEY_CHARS || controls(key) {
            v.add(
                "metadata",
                format!("keys must be 1 to {MAX_METADATA_KEY_CHARS} characters without control characters"),
            );
        }
        if value.chars().count() > MAX_METADATA_VALUE_CHARS || controls(value) {
            v.add(
                &format!("metadata.{key}"),
                format!("must be at most {MAX_METADATA_VALUE_CHARS} characters without control characters"),
            );
        }
    }
}

/// Checks a request against its model; returns the task to create (without hold), or a 422 with
/// every invalid field. Pure, so it can be fuzzed (`fuzz/fuzz_targets/generation_request.rs`).
pub fn plan(
    models: &ModelCatalog,
    user_id: Uuid,
    req: &CreateGenerationRequest,
) -> ApiResult<TaskRow> {
    let mut v = Validator::new();
    let model = models.find(&req.model);
    if model.is_none() {
        v.add("model", "is not a model from GET /v1/models");
    }
    let prompt = v
        .check(
            "prompt",
            validate::required_multiline(&req.prompt, MAX_PROMPT_CHARS),
        )
        .unwrap_or_default();
    let negative = v
        .check(
            "negative_prompt",
            validate::optional_multiline(req.negative_prompt.as_deref(), MAX_PROMPT_CHARS),
        )
        .flatten();
    if req.seed.is_some_and(|s| !(0..=MAX_SEED).contains(&s)) {
        v.add("seed", format!("must be between 0 and {MAX_SEED}"));
    }
    let Some(model) = model else {
        v.finish()?;
        return Err(ApiError::internal(anyhow::anyhow!(
            "validator passed without a model"
        )));
    };
    let m = &model.info;
    if req.num_images == 0 || req.num_images > m.max_images {
        v.add(
            "num_images",
            format!("must be between 1 and {}", m.max_images),
        );
    }
    let (aspect, width, height) = match (req.aspect_ratio, req.width, req.height) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            v.add(
                "aspect_ratio",
                "give an aspect ratio or a width and height, not both",
            );
            (None, 0, 0)
        }
        (None, Some(w), Some(h)) => {
            for (field, side) in [("width", w), ("height", h)] {
                if !(m.min_side..=m.max_side).contains(&side) || side % 8 != 0 {
                    v.add(
                        field,
                        format!(
                            "must be a multiple of 8 from {} to {}",
                            m.min_side, m.max_side
                        ),
                    );
                }
            }
            (None, w, h)
        }
        (None, Some(_), None) | (None, None, Some(_)) => {
            v.add("width", "give both width and height");
            (None, 0, 0)
        }
        (ratio, None, None) => {
            let ratio = ratio.unwrap_or(AspectRatio::Square);
            if !m.aspect_ratios.contains(&ratio) {
                v.add("aspect_ratio", "is not offered by this model");
            }
            let (w, h) = ratio.dimensions(m.default_long_side);
            (Some(ratio), w, h)
        }
    };
    let can_edit = m.capabilities.contains(&Capability::ImageToImage);
    match (req.reference_upload_id, req.strength) {
        (Some(_), _) if !can_edit => v.add(
            "reference_upload_id",
            "this model cannot start from an image; pick one that can",
        ),
        (None, Some(_)) => v.add("strength", "needs a reference_upload_id"),
        (None, None) if !m.capabilities.contains(&Capability::TextToImage) => {
            v.add("reference_upload_id", "this model needs a reference image")
        }
        _ => {}
    }
    if req
        .strength
        .is_some_and(|s| !(s > 0.0 && s <= 1.0) || s.is_nan())
    {
        v.add("strength", "must be above 0 and at most 1");
    }
    if let Some(metadata) = &req.metadata {
        check_metadata(&mut v, metadata);
    }
    v.finish()?;
    // Valid, but asking for what this model cannot do: refused rather than silently dropped.
    let mut unsupported = zimage_shared::FieldErrors::new();
    if negative.is_some() && !m.supports.negative_prompt {
        unsupported.insert(
            "negative_prompt".into(),
            vec!["this model does not take a negative prompt".into()],
        );
    }
    if req.seed.is_some() && !m.supports.seed {
        unsupported.insert(
            "seed".into(),
            vec!["this model does not take a seed, so its images cannot be reproduced".into()],
        );
    }
    if !unsupported.is_empty() {
        return Err(ApiError::unsupported(unsupported));
    }
    let now = Utc::now();
    Ok(TaskRow {
        id: Uuid::new_v4(),
        user_id,
        model: m.id.clone(),
        provider: m.provider.clone(),
        prompt,
        negative_prompt: negative,
        aspect_ratio: aspect.map(|a| wire(&a)),
        width: i32::try_from(width).unwrap_or(i32::MAX),
        height: i32::try_from(height).unwrap_or(i32::MAX),
        quality: wire(&req.quality),
        output_format: wire(&req.output_format),
        seed: m.supports.seed.then(|| {
            req.seed
                .unwrap_or_else(|| rand::rng().random_range(0..=MAX_SEED))
        }),
        num_images: i32::try_from(req.num_images).unwrap_or(1),
        status: TaskStatus::Queued.as_str().into(),
        provider_task_id: None,
        failure_reason: None,
        failure_message: None,
        progress: None,
        cost: m.cost.per_image(req.quality) * i64::from(req.num_images),
        charged: 0,
        refunded: 0,
        hold_id: None,
        idempotency_key: None,
        request_hash: None,
        created_at: now,
        started_at: None,
        finished_at: None,
        updated_at: now,
        reference_upload_id: req.reference_upload_id,
        strength: req
            .reference_upload_id
            .map(|_| req.strength.unwrap_or(DEFAULT_STRENGTH)),
        webhook_endpoint_id: None,
        metadata: req
            .metadata
            .as_ref()
            .and_then(|m| serde_json::to_value(m).ok()),
    })
}

async fn with_images(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    row: &TaskRow,
) -> ApiResult<GenerationTask> {
    let images = db::images_of_tasks(conn, &[row.id]).await?;
    Ok(task_dto(row, &images, &state.urls))
}

/// Creates a task, holding its full cost; `(task, true)` when new, `(task, false)` for a retry
/// with the same `Idempotency-Key` and body. `via`: the API key or app the request came with,
/// whose model list and credit caps apply and whose usage the task counts in.
pub async fn submit(
    state: &AppState,
    user_id: Uuid,
    req: &CreateGenerationRequest,
    idempotency_key: Option<&str>,
    via: Option<crate::auth::Via>,
) -> ApiResult<(GenerationTask, bool)> {
    if idempotency_key.is_some_and(|k| k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY) {
        return Err(ApiError::field(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} characters"),
        ));
    }
    let hash = Sha256::digest(serde_json::to_vec(req).unwrap_or_default()).to_vec();
    let mut conn = state.db.get().await?;
    if let Some(key) = idempotency_key
        && let Some(existing) = db::find_by_idempotency_key(&mut conn, user_id, key).await?
    {
        return replay(state, &mut conn, &existing, &hash).await;
    }
    let mut task = plan(&state.models, user_id, req)?;
    let texts: Vec<&str> = [Some(task.prompt.as_str()), task.negative_prompt.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    crate::domain::moderation::check(state, &mut conn, user_id, &texts).await?;
    if let Some(upload) = task.reference_upload_id
        && crate::db::uploads::find(&mut conn, upload, user_id)
            .await?
            .is_none()
    {
        return Err(ApiError::field(
            "reference_upload_id",
            "is not one of your uploads",
        ));
    }
    if let Some(url) = &req.webhook_url {
        task.webhook_endpoint_id =
            Some(crate::domain::webhooks::task_endpoint(state, &mut conn, user_id, url).await?);
    }
    task.idempotency_key = idempotency_key.map(String::from);
    task.request_hash = Some(hash.clone());
    // The spans of the work done for it later link to this request.
    let traceparent = crate::telemetry::traceparent();
    let result = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let HoldId(hold) = credits::hold(conn, user_id, task.cost, task.id).await?;
            // Counted under the account lock the hold took, so concurrent submissions queue up here.
            let cap = state.config.max_active_tasks_per_user;
            if db::count_active(conn, user_id).await? >= cap {
                let window = crate::config::RateLimit { count: u32::try_from(cap).unwrap_or(u32::MAX), window: std::time::Duration::from_secs(5) };
                return Err(ApiError::rate_limited(window, 5)
                    .with_detail(format!("you already have {cap} generations queued or running; try again when one finishes")));
            }
            task.hold_id = Some(hold);
            match via {
                Some(crate::auth::Via::ApiKey(key)) => {
                    crate::domain::api_keys::check_spend(conn, key, &task.model, task.cost).await?;
                }
                Some(crate::auth::Via::App(grant)) => {
                    crate::domain::oauth::check_spend(conn, grant, task.cost).await?;
                }
                None => {}
            }
            // Crossing the low-balance line (not every task below it) sends `credits.low`.
            let threshold = state.config.credits_low_threshold;
            if let Some(account) = crate::db::credits::find_account(conn, user_id).await?
                && account.available < threshold
                && account.available + task.cost >= threshold
            {
                crate::domain::webhooks::enqueue(
                    conn,
                    user_id,
                    zimage_shared::webhooks::WebhookEvent::CreditsLow,
                    zimage_shared::webhooks::CreditsLowData {
                        available: account.available,
                        threshold,
                    },
                    None,
                )
                .await?;
            }
            db::insert_task(conn, &task).await?;
            match via {
                Some(crate::auth::Via::ApiKey(key)) => {
                    crate::db::api_keys::record_task(conn, key, task.id).await?;
                }
                Some(crate::auth::Via::App(grant)) => {
                    crate::db::oauth::record_task(conn, grant, task.id).await?;
                }
                None => {}
            }
            // A routed task's backend is chosen when it is sent: until then its job belongs to
            // no provider's cap or breaker.
            let routed = state.models.find(&task.model).is_some_and(|m| m.routed());
            db::insert_job(
                conn,
                task.id,
                user_id,
                if routed { crate::jobs::ROUTED } else { &task.provider },
                state.config.job_max_attempts,
                traceparent.as_deref(),
            )
            .await?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => {
            crate::metrics::task_queued(task.cost);
            tracing::info!(user_id = %user_id, task_id = %task.id, cost = task.cost, "generation queued");
            Ok((task_dto(&task, &[], &state.urls), true))
        }
        // Two requests with one key raced; the other created the task.
        Err(err) if idempotency_key.is_some() && err.code() == ErrorCode::Internal => {
            let key = idempotency_key.unwrap_or_default();
            match db::find_by_idempotency_key(&mut conn, user_id, key).await? {
                Some(existing) => replay(state, &mut conn, &existing, &hash).await,
                None => Err(err),
            }
        }
        Err(err) => Err(err),
    }
}

async fn replay(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    existing: &TaskRow,
    hash: &[u8],
) -> ApiResult<(GenerationTask, bool)> {
    if existing.request_hash.as_deref() != Some(hash) {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        ));
    }
    Ok((with_images(state, conn, existing).await?, false))
}

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<GenerationTask> {
    let conn = state.db.get().await?;
    let (row, images) = db::task_with_images(&conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("generation"))?;
    Ok(task_dto(&row, &images, &state.urls))
}

/// The caller's task with its images, read in the same round trip as the caller's session
/// (`GET /v1/generations/{id}`, the API's busiest read). Answers 401, then 403 for an API key
/// without `generations:read`, then 404, as [`get`] behind the `Auth` extractor would.
pub async fn get_for(state: &AppState, caller: Bearer, id: Uuid) -> ApiResult<GenerationTask> {
    let (auth, found) = caller
        .authenticate_with(|conn, user_id| Box::pin(db::task_with_images(conn, id, user_id)))
        .await?;
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let (row, images) = found.ok_or_else(|| ApiError::not_found("generation"))?;
    Ok(task_dto(&row, &images, &state.urls))
}

/// The request that would generate this task again, seed included ("reuse settings").
pub async fn settings(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
) -> ApiResult<CreateGenerationRequest> {
    let mut conn = state.db.get().await?;
    let row = db::find_task(&mut conn, id)
        .await?
        .filter(|t| t.user_id == user_id)
        .ok_or_else(|| ApiError::not_found("generation"))?;
    let aspect_ratio: Option<AspectRatio> = row.aspect_ratio.as_deref().and_then(parse_enum);
    let (width, height) = if aspect_ratio.is_some() {
        (None, None)
    } else {
        (
            Some(row.width.unsigned_abs()),
            Some(row.height.unsigned_abs()),
        )
    };
    Ok(CreateGenerationRequest {
        model: row.model,
        prompt: row.prompt,
        negative_prompt: row.negative_prompt,
        aspect_ratio,
        width,
        height,
        quality: parse_enum(&row.quality).unwrap_or_default(),
        output_format: parse_enum(&row.output_format).unwrap_or_default(),
        seed: row.seed,
        num_images: row.num_images.unsigned_abs(),
        reference_upload_id: row.reference_upload_id,
        strength: row.strength,
        // Where the result went and how it was labelled belong to that request, not to the
        // settings that make the image.
        webhook_url: None,
        metadata: None,
    })
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    status: Option<TaskStatus>,
    model: Option<&str>,
    page: PageRequest,
) -> ApiResult<Page<GenerationTask>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_tasks(
        &mut conn,
        user_id,
        status.map(TaskStatus::as_str),
        model,
        page,
    )
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let images = db::images_of_tasks(&mut conn, &ids).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        |r| task_dto(r, &images, &state.urls),
    ))
}

/// Ends a task without images and returns its credits, exactly once. Caller holds the task lock.
pub async fn finish_unsuccessfully(
    conn: &mut AsyncPgConnection,
    task: &TaskRow,
    status: TaskStatus,
    reason: Option<&str>,
    message: &str,
) -> ApiResult<bool> {
    if TaskStatus::parse(&task.status).is_some_and(TaskStatus::is_final) {
        return Ok(false);
    }
    if let Some(hold) = task.hold_id {
        credits::release(conn, HoldId(hold), message).await?;
    }
    let now = Utc::now();
    db::update_task(
        conn,
        task.id,
        &TaskChanges {
            status: Some(status.as_str().into()),
            failure_reason: reason.map(String::from),
            failure_message: Some(message.to_string()),
            refunded: Some(task.cost),
            finished_at: Some(now),
            updated_at: Some(now),
            ..Default::default()
        },
    )
    .await?;
    db::finish_job(conn, task.id, "done", Some(message)).await?;
    if status == TaskStatus::Failed {
        crate::domain::webhooks::enqueue(
            conn,
            task.user_id,
            zimage_shared::webhooks::WebhookEvent::GenerationFailed,
            zimage_shared::webhooks::GenerationFailedData {
                task_id: task.id,
                model: task.model.clone(),
                reason: reason.map(String::from),
                message: message.to_string(),
                refunded: task.cost,
                metadata: metadata_of(task),
            },
            task.webhook_endpoint_id,
        )
        .await?;
    }
    Ok(true)
}

/// Cancels a queued or running task; its credits come back.
pub async fn cancel(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<GenerationTask> {
    let mut conn = state.db.get().await?;
    let task = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let task = db::lock_task(conn, id, user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("generation"))?;
            if TaskStatus::parse(&task.status).is_some_and(TaskStatus::is_final) {
                return Err(ApiError::new(
                    ErrorCode::TaskFinished,
                    format!("the task is already {}", task.status),
                ));
            }
            finish_unsuccessfully(
                conn,
                &task,
                TaskStatus::Canceled,
                None,
                "canceled by the user",
            )
            .await?;
            Ok(task)
        })
        .await?;
    crate::metrics::task_ended(&task.provider, task.cost, crate::metrics::TaskEnd::Canceled);
    tracing::info!(user_id = %user_id, task_id = %id, "generation canceled");
    // The provider may still be working (and billing); ask it to stop.
    if let Some(provider_id) = &task.provider_task_id {
        crate::jobs::finishing::cancel_at_provider(state, &task.provider, provider_id).await;
    }
    get(state, user_id, id).await
}

/// Deletes a task and its images (files included); a running task is canceled first.
pub async fn delete(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    let (removed, stop, ended) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let task = db::lock_task(conn, id, user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("generation"))?;
            // Still at the provider: stop it there too once the deletion is committed.
            let stop = match (&task.provider_task_id, TaskStatus::parse(&task.status)) {
                (Some(provider_id), Some(status)) if !status.is_final() => {
                    Some((task.provider.clone(), provider_id.clone()))
                }
                _ => None,
            };
            let ended = finish_unsuccessfully(
                conn,
                &task,
                TaskStatus::Canceled,
                None,
                "deleted by the user",
            )
            .await?
            .then(|| (task.provider.clone(), task.cost));
            let images = db::delete_images_of_task(conn, id).await?;
            db::delete_task(conn, id).await?;
            Ok((images, stop, ended))
        })
        .await?;
    if let Some((provider, cost)) = ended {
        crate::metrics::task_ended(&provider, cost, crate::metrics::TaskEnd::Canceled);
    }
    if let Some((provider, provider_id)) = stop {
        crate::jobs::finishing::cancel_at_provider(state, &provider, &provider_id).await;
    }
    crate::domain::images::remove_files(state, &removed).await;
    Ok(())
}

/// What a downloaded original carries besides its pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetadataMode {
    /// No descriptive metadata at all (the default).
    #[default]
    Strip,
    /// The prompt, seed and model: PNG text chunks, or EXIF in JPEG and WebP.
    Keep,
}

impl MetadataMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strip => "strip",
            Self::Keep => "keep",
        }
    }
}

/// The bytes and format of one of the user's images; the download is recorded in their history.
pub async fn image_file(
    state: &AppState,
    user_id: Uuid,
    image_id: Uuid,
    metadata: MetadataMode,
    record: bool,
) -> ApiResult<(Vec<u8>, OutputFormat)> {
    use crate::providers::metadata;
    let mut conn = state.db.get().await?;
    let image = db::find_image(&mut conn, image_id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("image"))?;
    let task = match (metadata, image.task_id) {
        (MetadataMode::Keep, Some(task_id)) => db::find_task(&mut conn, task_id).await?,
        _ => None,
    };
    let stored = state
        .storage
        .get(&image.storage_key)
        .await
        .map_err(ApiError::internal)?;
    let format: OutputFormat = parse_enum(&image.format).unwrap_or_default();
    let about = task.map(|t| metadata::Provenance {
        prompt: t.prompt,
        negative_prompt: t.negative_prompt,
        seed: t.seed.map(|seed| seed + i64::from(image.position)),
        model: t.model,
        width: image.width.unsigned_abs(),
        height: image.height.unsigned_abs(),
    });
    let bytes = tokio::task::spawn_blocking(move || match &about {
        Some(about) => metadata::embed(&stored, format, about),
        None => metadata::strip(&stored, format),
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    if record {
        db::record_download(&mut conn, user_id, image.id).await?;
    }
    Ok((bytes, format))
}
