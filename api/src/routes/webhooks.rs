//! `/v1/webhooks`: events pushed to us by outside services.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::{ErrorCode, Problem};

use crate::domain::billing::{self, WebhookOutcome};
use crate::error::{ApiError, ApiResult};
use crate::providers::fal::FalClient;
use crate::providers::webhooks;
use crate::state::AppState;

/// Largest webhook body accepted.
const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/webhooks")
            .app_data(web::PayloadConfig::new(MAX_WEBHOOK_BYTES))
            .service(stripe_webhook)
            .service(provider_webhook),
    );
}

/// Acknowledgement of a webhook delivery.
#[derive(Serialize, ToSchema)]
struct Received {
    received: bool,
    /// True when this event was already processed (a redelivery).
    duplicate: bool,
}

/// Stripe events. The `Stripe-Signature` header is verified over the raw body before anything
/// is parsed; each event id is processed once however often it is delivered. An event that
/// cannot be applied yet is answered 502 or 503 and nothing is recorded, so Stripe delivers it
/// again.
#[utoipa::path(
    operation_id = "webhooks_stripe_receive",
    tag = "webhooks",
    request_body(content = String, content_type = "application/json", description = "a Stripe event"),
    responses(
        (status = 200, body = Received),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_signature` or `malformed_json`"),
        (status = 502, body = Problem, content_type = "application/problem+json", description = "`payment_provider_error`: Stripe's API could not be read; deliver again later"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`payments_not_configured`: this installation takes no payments"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`event_deferred`: the event refers to something not applicable yet; deliver again later"),
    )
)]
#[post("/stripe")]
async fn stripe_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let outcome = billing::handle_webhook(&state, signature, &body).await?;
    Ok(HttpResponse::Ok().json(Received {
        received: true,
        duplicate: outcome == WebhookOutcome::Duplicate,
    }))
}

fn header<'a>(req: &'a HttpRequest, name: &'static str) -> ApiResult<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidSignature,
                format!("the `{name}` header is missing"),
            )
        })
}

fn refused(err: webhooks::Refused) -> ApiError {
    match err {
        // 500: the provider retries the delivery later.
        webhooks::Refused::KeysUnavailable => ApiError::internal(anyhow::anyhow!(err)),
        _ => ApiError::new(ErrorCode::InvalidSignature, err.to_string()),
    }
}

/// Completion notices from AI providers: fal.ai (Ed25519-signed, keys from fal's JWKS), KIE
/// (HMAC-signed task id and timestamp) and Replicate (Standard Webhooks, signed with the account's
/// secret; a `webhook-id` seen lately is acknowledged as a duplicate and not acted on).
/// Timestamps further than 5 minutes from now are refused. A verified
/// notice only names the task: its outcome is read back from the provider's API before anything
/// is stored or charged, exactly once alongside the worker that polls the same task.
#[utoipa::path(
    operation_id = "webhooks_provider_receive",
    tag = "webhooks",
    params(("provider" = String, Path, description = "`fal`, `kie` or `replicate`")),
    request_body(content = String, content_type = "application/json", description = "the provider's completion payload"),
    responses(
        (status = 200, body = Received),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_signature`: missing, wrong or stale signature"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "the provider is not configured"),
    )
)]
#[post("/providers/{provider}")]
async fn provider_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    provider: web::Path<String>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let now = chrono::Utc::now().timestamp();
    let provider = provider.into_inner();
    let candidates = match provider.as_str() {
        "fal" => {
            let fal = state
                .providers
                .fal
                .as_ref()
                .ok_or_else(|| ApiError::not_found("provider"))?;
            let headers = webhooks::FalHeaders {
                request_id: header(&req, "x-fal-webhook-request-id")?,
                user_id: header(&req, "x-fal-webhook-user-id")?,
                timestamp: header(&req, "x-fal-webhook-timestamp")?,
                signature: header(&req, "x-fal-webhook-signature")?,
            };
            let keys = fal.keys.get(false).await.map_err(refused)?;
            if let Err(err) = webhooks::verify_fal(&headers, &body, &keys, now) {
                // fal may have rotated its keys: look again once before refusing.
                let fresh = fal.keys.get(true).await.map_err(refused)?;
                webhooks::verify_fal(&headers, &body, &fresh, now).map_err(|_| refused(err))?;
            }
            let models: Vec<&str> = state
                .models
                .models
                .iter()
                .filter(|m| m.info.provider == "fal")
                .map(|m| m.provider_model.as_str())
                .collect();
            FalClient::candidate_ids(&models, headers.request_id)
        }
        "kie" => {
            let key = state
                .providers
                .kie
                .as_ref()
                .and_then(|k| k.webhook_key())
                .ok_or_else(|| ApiError::not_found("provider"))?;
            let parsed: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|_| ApiError::new(ErrorCode::MalformedJson, "the body is not JSON"))?;
            let task_id = parsed["data"]["taskId"]
                .as_str()
                .or_else(|| parsed["data"]["task_id"].as_str())
                .ok_or_else(|| ApiError::field("data.taskId", "is required"))?
                .to_string();
            webhooks::verify_kie(
                key,
                &task_id,
                header(&req, "x-webhook-timestamp")?,
                header(&req, "x-webhook-signature")?,
                now,
            )
            .map_err(refused)?;
            vec![task_id]
        }
        "replicate" => {
            let replicate = state
                .providers
                .replicate
                .as_ref()
                .filter(|r| r.webhooks_on())
                .ok_or_else(|| ApiError::not_found("provider"))?;
            let headers = webhooks::StandardHeaders {
                id: header(&req, "webhook-id")?,
                timestamp: header(&req, "webhook-timestamp")?,
                signature: header(&req, "webhook-signature")?,
            };
            let secrets = replicate.webhook_secrets(false).await.map_err(refused)?;
            if let Err(err) = webhooks::verify_standard(&secrets, &headers, &body, now) {
                // The secret may have been rotated: read it again once before refusing.
                let fresh = replicate.webhook_secrets(true).await.map_err(refused)?;
                webhooks::verify_standard(&fresh, &headers, &body, now)
                    .map_err(|_| refused(err))?;
            }
            if replicate.seen(headers.id) {
                return Ok(HttpResponse::Ok().json(Received {
                    received: true,
                    duplicate: true,
                }));
            }
            let parsed: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|_| ApiError::new(ErrorCode::MalformedJson, "the body is not JSON"))?;
            let id = parsed["id"]
                .as_str()
                .ok_or_else(|| ApiError::field("id", "is required"))?;
            vec![id.to_string()]
        }
        _ => return Err(ApiError::not_found("provider")),
    };
    let mut conn = state.db.get().await?;
    let task =
        crate::db::generation::find_by_provider_id(&mut conn, &provider, &candidates).await?;
    drop(conn);
    if provider == "replicate"
        && let Some(replicate) = &state.providers.replicate
        && !replicate.first_delivery(header(&req, "webhook-id")?, now)
    {
        // The same delivery arrived twice at once: the other one acts on it.
        return Ok(HttpResponse::Ok().json(Received {
            received: true,
            duplicate: true,
        }));
    }
    if let Some(task) = task {
        // Answer at once; fetching and storing the images happens in the background.
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(err) = crate::jobs::finishing::check_provider(&state, task.id).await {
                tracing::error!(task_id = %task.id, error = ?err, "acting on a provider webhook failed; the worker will poll");
            }
        });
    } else {
        tracing::info!(provider = %provider, "provider webhook for a task we do not have; ignored");
    }
    Ok(HttpResponse::Ok().json(Received {
        received: true,
        duplicate: false,
    }))
}
