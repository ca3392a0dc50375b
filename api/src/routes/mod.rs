//! HTTP routes, one module per resource. Handlers parse, authorize, call one domain function.

pub mod admin;
pub mod auth;
pub mod billing;
pub mod credits;
pub mod events;
pub mod fallback;
pub mod generations;
pub mod health;
pub mod me;
pub mod models;
pub mod prompts;
pub mod shares;
pub mod uploads;
pub mod webhook_endpoints;
pub mod webhooks;

use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::ClientInfo;
use crate::state::AppState;

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure).service(
        scope::scope("/v1")
            .configure(auth::configure)
            .configure(webhook_endpoints::configure)
            .configure(me::configure)
            .configure(credits::configure)
            .configure(models::configure)
            .configure(generations::configure)
            .configure(prompts::configure)
            .configure(uploads::configure)
            .configure(shares::configure)
            .configure(events::configure)
            .configure(billing::configure)
            .configure(webhooks::configure)
            .configure(admin::configure),
    );
}

/// Who is calling from where, for sessions and rate limits.
pub fn client_info(req: &actix_web::HttpRequest, state: &web::Data<AppState>) -> ClientInfo {
    ClientInfo {
        ip: crate::auth::client_ip(req, state.config.trust_proxy),
        user_agent: crate::auth::user_agent(req),
    }
}
