//! `/v1/webhooks`: events pushed to us by outside services.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::Problem;

use crate::domain::billing::{self, WebhookOutcome};
use crate::error::ApiResult;
use crate::state::AppState;

/// Largest webhook body accepted.
const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/webhooks")
            .app_data(web::PayloadConfig::new(MAX_WEBHOOK_BYTES))
            .service(stripe_webhook),
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
/// is parsed; each event id is processed once however often it is delivered.
#[utoipa::path(
    tag = "webhooks",
    request_body(content = String, content_type = "application/json", description = "a Stripe event"),
    responses(
        (status = 200, body = Received),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_signature` or `malformed_json`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`payments_not_configured`"),
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
