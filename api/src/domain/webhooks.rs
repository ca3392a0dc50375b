//! Outgoing webhooks (Standard Webhooks, scheme `v1`): endpoint management, event queueing and
//! the signing and address rules every delivery follows.

use base64::Engine;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::Sha256;
use uuid::Uuid;
use zimage_shared::webhooks::{
    CreateWebhookRequest, DeliveryStatus, UpdateWebhookRequest, WebhookCreated, WebhookDelivery,
    WebhookEndpoint, WebhookEvent,
};
use zimage_shared::{ErrorCode, Page};

use crate::db::webhooks::{self as db, DeliveryRow, EndpointChanges, EndpointRow};
use crate::error::{ApiError, ApiResult, Validator};
use crate::pagination::{Cursor, PageRequest};
use crate::state::AppState;

/// Most endpoints one user may register.
pub const MAX_ENDPOINTS_PER_USER: i64 = 10;
pub use zimage_shared::webhooks::{MAX_DESCRIPTION_CHARS, MAX_URL_CHARS};

/// A new signing secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The `webhook-signature` value for one attempt: `v1,` and base64 of HMAC-SHA256 over
/// `{id}.{timestamp}.{body}`, keyed by the base64-decoded secret after `whsec_`.
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Checks an endpoint URL's shape (https unless private targets are allowed).
pub fn check_url_shape(raw: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| "is not a valid URL".to_string())?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("must start with https://".into()),
    }
    if url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err("needs a host and no user name or password".into());
    }
    Ok(url)
}

pub use crate::outbound::resolve_public;

fn events_of(row: &EndpointRow) -> Vec<WebhookEvent> {
    row.events
        .iter()
        .flatten()
        .filter_map(|e| WebhookEvent::parse(e))
        .collect()
}

pub fn endpoint_dto(row: &EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: row.id,
        url: row.url.clone(),
        description: row.description.clone(),
        events: events_of(row),
        enabled: row.enabled,
        disabled_reason: row.disabled_reason.clone(),
        created_at: row.created_at,
    }
}

fn delivery_dto(row: &DeliveryRow) -> WebhookDelivery {
    let status = match row.status.as_str() {
        "succeeded" => DeliveryStatus::Succeeded,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    };
    WebhookDelivery {
        id: row.id,
        message_id: row.message_id.clone(),
        event_type: row.event_type.clone(),
        status,
        attempts: row.attempts,
        last_status: row.last_status,
        last_error: row.last_error.clone(),
        next_attempt_at: (status == DeliveryStatus::Pending).then_some(row.next_attempt_at),
        delivered_at: row.delivered_at,
        created_at: row.created_at,
        payload: row.payload.clone(),
    }
}

async fn checked_url(state: &AppState, v: &mut Validator, raw: &str) -> Option<String> {
    checked_field(state, v, "url", raw).await
}

/// `raw` as a URL events may be sent to (`https://` on a public address, unless private targets
/// are allowed), or an error under `field`.
async fn checked_field(
    state: &AppState,
    v: &mut Validator,
    field: &str,
    raw: &str,
) -> Option<String> {
    let allow = state.config.webhooks_allow_private;
    match check_url_shape(raw, allow) {
        Ok(url) => match resolve_public(&url, allow).await {
            Ok(_) => Some(url.to_string()),
            Err(message) => {
                v.add(field, message);
                None
            }
        },
        Err(message) => {
            v.add(field, message);
            None
        }
    }
}

/// The account's request secret, which signs the events sent to `webhook_url`s; made on first
/// use.
pub async fn request_secret(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> ApiResult<String> {
    let sealed = match db::request_secret(conn, user_id).await? {
        Some(sealed) => sealed,
        None => {
            let fresh = state.sealer.seal(&new_secret(), user_id.as_bytes());
            db::ensure_request_secret(conn, user_id, &fresh).await?
        }
    };
    state
        .sealer
        .open(&sealed, user_id.as_bytes())
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the request secret does not open")))
}

/// `GET /v1/me/webhook-secret`.
pub async fn show_request_secret(
    state: &AppState,
    user_id: Uuid,
) -> ApiResult<zimage_shared::webhooks::RequestSecret> {
    let mut conn = state.db.get().await?;
    Ok(zimage_shared::webhooks::RequestSecret {
        secret: request_secret(state, &mut conn, user_id).await?,
    })
}

/// `POST /v1/me/webhook-secret/rotate`: a new request secret, at once for every `webhook_url`
/// (deliveries still queued are signed with it when they go out).
pub async fn rotate_request_secret(
    state: &AppState,
    user_id: Uuid,
) -> ApiResult<zimage_shared::webhooks::RequestSecret> {
    use diesel_async::AsyncConnection;
    let secret = new_secret();
    let mut conn = state.db.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::set_request_secret(
            conn,
            user_id,
            &state.sealer.seal(&secret, user_id.as_bytes()),
        )
        .await?;
        for id in db::per_request_ids(conn, user_id).await? {
            db::set_endpoint_secret(conn, id, &state.sealer.seal(&secret, id.as_bytes())).await?;
        }
        crate::domain::security::record(
            conn,
            user_id,
            "webhook.secret_rotated",
            None,
            serde_json::json!({}),
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id = %user_id, "webhook request secret rotated");
    Ok(zimage_shared::webhooks::RequestSecret { secret })
}

/// The endpoint a task's `webhook_url` names (checked like a registered endpoint's URL; 422
/// under `webhook_url`), made on first use and signed with the request secret.
pub async fn task_endpoint(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    raw: &str,
) -> ApiResult<Uuid> {
    let mut v = Validator::new();
    let url = checked_field(state, &mut v, "webhook_url", raw).await;
    v.finish()?;
    let secret = request_secret(state, conn, user_id).await?;
    let id = Uuid::new_v4();
    let events = [
        WebhookEvent::GenerationFailed.as_str(),
        WebhookEvent::GenerationSucceeded.as_str(),
    ];
    Ok(db::per_request_endpoint(
        conn,
        user_id,
        &url.unwrap_or_default(),
        id,
        &state.sealer.seal(&secret, id.as_bytes()),
        &events,
    )
    .await?)
}

fn wire_events(events: &[WebhookEvent]) -> Vec<Option<String>> {
    let mut names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(|n| Some(n.to_string())).collect()
}

fn description(v: &mut Validator, raw: Option<&str>) -> Option<String> {
    v.check(
        "description",
        zimage_shared::validate::optional_text(raw, MAX_DESCRIPTION_CHARS),
    )
    .flatten()
}

pub async fn create(
    state: &AppState,
    user_id: Uuid,
    req: &CreateWebhookRequest,
) -> ApiResult<WebhookCreated> {
    let mut v = Validator::new();
    let url = checked_url(state, &mut v, &req.url).await;
    if req.events.is_empty() {
        v.add("events", "choose at least one event");
    }
    let description = description(&mut v, req.description.as_deref());
    v.finish()?;
    let mut conn = state.db.get().await?;
    if db::count_endpoints(&mut conn, user_id).await? >= MAX_ENDPOINTS_PER_USER {
        return Err(ApiError::new(
            ErrorCode::LimitReached,
            format!("you can register at most {MAX_ENDPOINTS_PER_USER} webhook endpoints"),
        ));
    }
    let now = Utc::now();
    let (id, secret) = (Uuid::new_v4(), new_secret());
    let row = EndpointRow {
        id,
        user_id,
        url: url.unwrap_or_default(),
        description,
        events: wire_events(&req.events),
        secret: state.sealer.seal(&secret, id.as_bytes()),
        enabled: true,
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    db::insert_endpoint(&mut conn, &row).await?;
    tracing::info!(user_id = %user_id, endpoint_id = %row.id, "webhook endpoint created");
    crate::domain::security::record(
        &mut conn,
        user_id,
        "webhook.created",
        None,
        serde_json::json!({"endpoint_id": row.id, "url": row.url}),
    )
    .await?;
    Ok(WebhookCreated {
        endpoint: endpoint_dto(&row),
        secret,
    })
}

/// Seals signing secrets stored in plain text (by versions before sealing); run at start-up.
pub async fn seal_stored_secrets(state: &AppState) -> ApiResult<usize> {
    let mut conn = state.db.get().await?;
    let mut sealed = 0;
    for (id, plain) in db::plain_secrets(&mut conn).await? {
        let secret = state.sealer.seal(&plain, id.as_bytes());
        sealed += db::replace_secret(&mut conn, id, &plain, &secret).await?;
    }
    if sealed > 0 {
        tracing::info!(endpoints = sealed, "webhook signing secrets sealed");
    }
    Ok(sealed)
}

pub async fn list(
    state: &AppState,
    user_id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<WebhookEndpoint>> {
    let mut conn = state.db.get().await?;
    let rows = db::list_endpoints(&mut conn, user_id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        endpoint_dto,
    ))
}

async fn own(conn: &mut AsyncPgConnection, id: Uuid, user_id: Uuid) -> ApiResult<EndpointRow> {
    db::find_endpoint(conn, id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<WebhookEndpoint> {
    let mut conn = state.db.get().await?;
    Ok(endpoint_dto(&own(&mut conn, id, user_id).await?))
}

pub async fn update(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    req: &UpdateWebhookRequest,
) -> ApiResult<WebhookEndpoint> {
    let mut v = Validator::new();
    let url = match &req.url {
        Some(raw) => checked_url(state, &mut v, raw).await,
        None => None,
    };
    if req.events.as_ref().is_some_and(Vec::is_empty) {
        v.add("events", "choose at least one event");
    }
    let description = req
        .description
        .as_ref()
        .map(|d| description(&mut v, d.as_deref()));
    v.finish()?;
    let changes = EndpointChanges {
        url,
        description,
        events: req.events.as_deref().map(wire_events),
        enabled: req.enabled,
        // Turning it on again clears the automatic reason.
        disabled_reason: req.enabled.filter(|on| *on).map(|_| None),
        updated_at: Some(Utc::now()),
    };
    let mut conn = state.db.get().await?;
    db::update_endpoint(&mut conn, id, user_id, &changes)
        .await?
        .map(|r| endpoint_dto(&r))
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

pub async fn delete(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let mut conn = state.db.get().await?;
    if db::delete_endpoint(&mut conn, id, user_id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("webhook endpoint"))
    }
}

pub async fn deliveries(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    page: PageRequest,
) -> ApiResult<Page<WebhookDelivery>> {
    let mut conn = state.db.get().await?;
    own(&mut conn, id, user_id).await?;
    let rows = db::list_deliveries(&mut conn, id, page).await?;
    Ok(page.page(
        rows,
        |r| Cursor {
            created_at: r.created_at,
            id: r.id,
        },
        delivery_dto,
    ))
}

fn delivery(endpoint: &EndpointRow, event_type: &str, data: Value) -> DeliveryRow {
    let now = Utc::now();
    let message_id = format!("msg_{}", Uuid::new_v4().simple());
    DeliveryRow {
        id: Uuid::new_v4(),
        endpoint_id: endpoint.id,
        user_id: endpoint.user_id,
        payload: payload(event_type, data),
        message_id,
        event_type: event_type.to_string(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        last_status: None,
        last_error: None,
        delivered_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Sends a `webhook.test` event to the endpoint now.
pub async fn test(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<WebhookDelivery> {
    let mut conn = state.db.get().await?;
    let endpoint = own(&mut conn, id, user_id).await?;
    let row = delivery(
        &endpoint,
        "webhook.test",
        json!({"message": "A test event from Z-Image Studio.", "endpoint_id": endpoint.id}),
    );
    db::insert_delivery(&mut conn, &row).await?;
    crate::db::generation::notify_workers(&mut conn, crate::db::generation::Queue::Webhooks)
        .await?;
    Ok(delivery_dto(&row))
}

/// Queues `event` for every registered endpoint of the user subscribed to it and, with
/// `task_endpoint`, the task's own `webhook_url`, in the caller's transaction (so an event
/// exists exactly when what it reports was committed), and wakes the senders.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    event: WebhookEvent,
    data: impl serde::Serialize,
    task_endpoint: Option<Uuid>,
) -> ApiResult<()> {
    db::enqueue(
        conn,
        user_id,
        event.as_str(),
        &payload(event.as_str(), data),
        task_endpoint,
    )
    .await?;
    Ok(())
}

/// How long the image URLs in an event work: a receiver that was down may get the event hours
/// late (retries last about three days; after a day, `GET /v1/images/{id}` gives a fresh URL).
const EVENT_URL_SECS: i64 = 24 * 3600;

/// An image file's absolute signed URL for an event.
pub fn event_file_url(state: &AppState, image_id: Uuid) -> String {
    let path = format!("/v1/images/{image_id}/file");
    state.urls.sign_for(&path, Utc::now(), EVENT_URL_SECS)
}

/// What every endpoint receives for an event: its type, when it happened and its data.
pub fn payload(event_type: &str, data: impl serde::Serialize) -> Value {
    serde_json::to_value(zimage_shared::webhooks::WebhookPayload {
        event_type: event_type.to_string(),
        timestamp: Utc::now(),
        data,
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        assert_eq!(
            sign(
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1_649_367_553,
                br#"{"email":"test@example.com","username":"test_user"}"#,
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
        assert!(new_secret().starts_with("whsec_"));
    }

    #[test]
    fn urls_must_be_https_without_credentials() {
        assert!(check_url_shape("https://hooks.example.com/zimage", false).is_ok());
        assert!(check_url_shape("http://hooks.example.com/zimage", false).is_err());
        assert!(check_url_shape("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_url_shape("https://user:pw@hooks.example.com/", false).is_err());
        assert!(check_url_shape("ftp://hooks.example.com/", true).is_err());
        assert!(check_url_shape("not a url", false).is_err());
    }
}
