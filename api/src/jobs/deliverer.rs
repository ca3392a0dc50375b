//! Sends queued webhook deliveries: signed per Standard Webhooks, retried with backoff for about
//! three days, never to private addresses (checked again at send time, and the connection is
//! pinned to the checked address), never following redirects. Each process runs
//! `ZIMAGE_WEBHOOK_SENDERS` senders; an endpoint has at most one delivery in flight across all of
//! them, so a slow receiver delays only its own deliveries.

use std::time::Duration;

use chrono::Utc;

use crate::db::webhooks as db;
use crate::domain::webhooks::{check_url_shape, resolve_public, sign};
use crate::error::ApiResult;
use crate::state::AppState;

/// Seconds to wait after attempt n (1-based) failed; after the last, the delivery has failed.
const RETRY_AFTER: [i64; 9] = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];

/// How long one attempt may hold its claim.
const CLAIM_SECS: i64 = 60;

/// Request timeout for one attempt.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Longest response body read (and kept, shortened) from a receiver.
const MAX_ERROR_CHARS: usize = 200;

/// Sends deliveries until `stop`; idle, it waits for a notification or 5 s.
pub async fn run(
    state: actix_web::web::Data<AppState>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        // Registered before looking, so an announcement made while we look still wakes us.
        let announced = wake.notified();
        tokio::pin!(announced);
        announced.as_mut().enable();
        let idle = match next(&state).await {
            Ok(sent) => !sent,
            Err(err) => {
                tracing::error!(error = ?err, "webhook delivery step failed");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = &mut announced => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

enum Outcome {
    Delivered(i32),
    /// Retry (HTTP status if any, error text, at least this many seconds from now).
    Retry(Option<i32>, String, i64),
    /// The receiver asked us to stop for good (410 Gone).
    Gone,
    /// Will never work (e.g. the URL now points somewhere private).
    Refused(String),
}

async fn attempt(
    state: &AppState,
    url: &str,
    secret: &str,
    message_id: &str,
    body: &str,
) -> Outcome {
    let allow = state.config.webhooks_allow_private;
    let parsed = match check_url_shape(url, allow) {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::Refused(format!("the URL {e}")),
    };
    let address = match resolve_public(&parsed, allow).await {
        Ok(address) => address,
        Err(e) => return Outcome::Retry(None, e, 0),
    };
    let client = match crate::outbound::pinned_client(
        &parsed,
        address,
        Duration::from_secs(10),
        SEND_TIMEOUT,
        concat!("zimage-studio-webhooks/", env!("CARGO_PKG_VERSION")),
    ) {
        Ok(client) => client,
        Err(e) => return Outcome::Retry(None, e.to_string(), 0),
    };
    let timestamp = Utc::now().timestamp();
    let sent = client
        .post(parsed)
        .header("content-type", "application/json")
        .header("webhook-id", message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            sign(secret, message_id, timestamp, body.as_bytes()),
        )
        .body(body.to_string())
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(e) if e.is_timeout() => {
            return Outcome::Retry(None, "the receiver did not answer in time".into(), 0);
        }
        Err(_) => return Outcome::Retry(None, "could not connect to the receiver".into(), 0),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, 86_400);
    let status_i32 = i32::from(status);
    match status {
        200..=299 => Outcome::Delivered(status_i32),
        410 => Outcome::Gone,
        _ => {
            let text = body_start(response).await;
            let wait = if matches!(status, 429 | 502 | 503 | 504) {
                retry_after
            } else {
                0
            };
            Outcome::Retry(
                Some(status_i32),
                format!("the receiver answered {status}: {text}"),
                wait,
            )
        }
    }
}

/// The start of a receiver's answer, for the delivery log: at most [`MAX_ERROR_CHARS`]
/// characters, and the body read no further than their bytes (an answer may be any size; the
/// rest is never read, and the connection is dropped with it).
async fn body_start(mut response: reqwest::Response) -> String {
    let limit = MAX_ERROR_CHARS * 4; // UTF-8 takes at most four bytes a character
    let mut bytes = Vec::with_capacity(limit);
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk[..chunk.len().min(limit - bytes.len())])
            }
            _ => break,
        }
    }
    String::from_utf8_lossy(&bytes)
        .chars()
        .take(MAX_ERROR_CHARS)
        .collect()
}

/// Sends one due delivery; false when none was due.
pub async fn next(state: &AppState) -> ApiResult<bool> {
    let mut conn = state.db.get().await?;
    let Some(delivery) = db::claim_delivery(&mut conn, CLAIM_SECS).await? else {
        return Ok(false);
    };
    let Some(endpoint) = db::endpoint_by_id(&mut conn, delivery.endpoint_id).await? else {
        return Ok(true);
    };
    drop(conn);
    let secret = state.sealer.open(&endpoint.secret, endpoint.id.as_bytes());
    let outcome = match (endpoint.enabled, secret) {
        (false, _) => Outcome::Refused("the endpoint is disabled".into()),
        // Retried on the usual schedule: putting the right key back lets them through.
        (true, None) => Outcome::Retry(
            None,
            "the signing secret cannot be read (was ZIMAGE_ENCRYPTION_KEY changed?)".into(),
            0,
        ),
        (true, Some(secret)) => {
            attempt(
                state,
                &endpoint.url,
                &secret,
                &delivery.message_id,
                &delivery.payload.to_string(),
            )
            .await
        }
    };
    let mut conn = state.db.get().await?;
    // Counted once the attempt is written (a failed write leaves it to be tried again).
    let counted = match outcome {
        Outcome::Delivered(status) => {
            db::finish_attempt(
                &mut conn,
                delivery.id,
                "succeeded",
                None,
                Some(status),
                None,
            )
            .await?;
            "delivered"
        }
        Outcome::Gone => {
            let why = "the receiver answered 410 Gone";
            db::update_endpoint(
                &mut conn,
                endpoint.id,
                endpoint.user_id,
                &db::EndpointChanges {
                    enabled: Some(false),
                    disabled_reason: Some(Some(why.into())),
                    updated_at: Some(Utc::now()),
                    ..Default::default()
                },
            )
            .await?;
            db::finish_attempt(&mut conn, delivery.id, "failed", None, Some(410), Some(why))
                .await?;
            db::fail_pending(&mut conn, endpoint.id, "the endpoint was disabled").await?;
            tracing::warn!(endpoint_id = %endpoint.id, "webhook endpoint disabled: 410 Gone");
            "failed"
        }
        Outcome::Refused(why) => {
            db::finish_attempt(&mut conn, delivery.id, "failed", None, None, Some(&why)).await?;
            "failed"
        }
        Outcome::Retry(status, error, at_least) => {
            let attempt = usize::try_from(delivery.attempts).unwrap_or(usize::MAX);
            match RETRY_AFTER.get(attempt.saturating_sub(1)) {
                Some(wait) => {
                    let scaled = (*wait as f64 * state.config.webhook_retry_scale).round() as i64;
                    db::finish_attempt(
                        &mut conn,
                        delivery.id,
                        "pending",
                        Some(scaled.max(at_least)),
                        status,
                        Some(&error),
                    )
                    .await?;
                    "retrying"
                }
                None => {
                    db::finish_attempt(
                        &mut conn,
                        delivery.id,
                        "failed",
                        None,
                        status,
                        Some(&error),
                    )
                    .await?;
                    "failed"
                }
            }
        }
    };
    crate::metrics::webhook_delivery(counted);
    Ok(true)
}
