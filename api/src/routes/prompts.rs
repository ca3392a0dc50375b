//! `/v1/prompts`: the prompt library.

use crate::json_body::Json;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::prompts::{CreatePromptRequest, SavedPrompt, UpdatePromptRequest};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::prompts;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/prompts")
            .service(create)
            .service(list)
            .service(get_one)
            .service(update)
            .service(remove),
    );
}

/// Search in the prompt library.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PromptSearch {
    /// Matches titles and prompt text containing it (any case), at most 100 characters, no NUL.
    #[param(pattern = "^[^\\u0000]{0,100}$")]
    q: Option<String>,
}

/// Save a prompt with optional generation settings (at most 500 per user).
#[utoipa::path(
    operation_id = "prompts_create",
    tag = "prompts",
    security(("bearer" = [])),
    request_body = CreatePromptRequest,
    responses(
        (status = 201, body = SavedPrompt),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys need `generations:write`)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreatePromptRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    let prompt = prompts::create(&state, auth.user_id(), &body).await?;
    Ok(super::created(
        &state,
        &format!("/v1/prompts/{}", prompt.id),
        &prompt,
    ))
}

/// Your saved prompts, newest first (`?q=` searches titles and text).
#[utoipa::path(
    operation_id = "prompts_list",
    tag = "prompts",
    security(("bearer" = [])),
    params(PageQuery, PromptSearch),
    responses(
        (status = 200, body = Page<SavedPrompt>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope` (API keys need `generations:read`)"),
    )
)]
#[get("")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
    search: web::Query<PromptSearch>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    let page = prompts::list(&state, auth.user_id(), search.q.as_deref(), page.parse()?).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One saved prompt. Another user's id answers 404.
#[utoipa::path(
    operation_id = "prompts_get",
    tag = "prompts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = SavedPrompt),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsRead)?;
    Ok(HttpResponse::Ok().json(prompts::get(&state, auth.user_id(), id.into_inner()).await?))
}

/// Edit a saved prompt: absent fields stay, `negative_prompt: null` clears it, `parameters`
/// replaces every saved setting.
#[utoipa::path(
    operation_id = "prompts_update",
    tag = "prompts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = UpdatePromptRequest,
    responses(
        (status = 200, body = SavedPrompt),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[patch("/{id}")]
async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<UpdatePromptRequest>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    Ok(HttpResponse::Ok()
        .json(prompts::update(&state, auth.user_id(), id.into_inner(), &body).await?))
}

/// Delete a saved prompt.
#[utoipa::path(
    operation_id = "prompts_delete",
    tag = "prompts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/{id}")]
async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::GenerationsWrite)?;
    prompts::delete(&state, auth.user_id(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
