//! `/v1/events`: live status of all the user's generations.

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::Problem;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::generation::TaskEvent;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::live;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(all_events);
}

/// Live status of all your generations as Server-Sent Events: a `task` event (data: `TaskEvent`)
/// for each status change and progress step from now on, or everything after `Last-Event-ID`
/// (events are kept 24 hours); `: keep-alive` comments while idle. Served from any replica.
#[utoipa::path(
    operation_id = "events_stream",
    tag = "generation",
    security(("bearer" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "resume after this event")),
    responses(
        (status = 200, body = TaskEvent, content_type = "text/event-stream", description = "an SSE stream of `task` events"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys need `generations:read`)"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "too many open streams"),
    )
)]
#[get("/events")]
async fn all_events(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    live::respond(state, &req, auth, live::Scope::AllTasks).await
}
