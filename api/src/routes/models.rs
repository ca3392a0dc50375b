//! `/v1/models`: what can be generated with, and at what cost.

use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::Page;
use zimage_shared::generation::ModelInfo;

use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(utoipa_actix_web::scope::scope("/models").service(list_models));
}

/// Every available model with its sizes, limits and credit cost per image. Public.
#[utoipa::path(
    operation_id = "models_list",tag = "generation", responses((status = 200, body = Page<ModelInfo>)))]
#[get("")]
async fn list_models(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Page {
        items: state
            .models
            .models
            .iter()
            .map(|m| m.info.clone())
            .collect::<Vec<_>>(),
        next_cursor: None,
    })
}
