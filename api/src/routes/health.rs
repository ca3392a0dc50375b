//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::Problem;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Probe result.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    status: &'static str,
}

/// The process is up.
#[utoipa::path(
    operation_id = "health_live",tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process can serve traffic: the database answers.
#[utoipa::path(
    operation_id = "health_ready",
    tag = "health",
    responses(
        (status = 200, body = Health),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "database unreachable, or this replica is stopping"),
    )
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    if state.draining.is_draining() {
        return Err(ApiError::new(
            zimage_shared::ErrorCode::ServiceUnavailable,
            "this replica is stopping; send requests to another",
        ));
    }
    let mut conn = state.db.get().await?;
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .map_err(ApiError::unavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
