//! `/v1/admin`: operator-only endpoints. Everyone else gets 403.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::account::User;
use zimage_shared::admin::AuditEntry;
use zimage_shared::credits::{AdminCreditRequest, CreditBalance};
use zimage_shared::generation::{CreateModerationRule, ModerationRule};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::audit::Actor;
use crate::domain::{admin, audit, moderation};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/admin")
            .service(list_users)
            .service(adjust_credits)
            .service(list_rules)
            .service(create_rule)
            .service(delete_rule)
            .service(audit_log),
    );
}

/// The administrator behind a request, for the audit log; refuses everyone else.
fn actor(state: &AppState, auth: &Auth, req: &HttpRequest) -> ApiResult<Actor> {
    auth.session()?;
    auth.require_admin()?;
    Ok(Actor {
        id: auth.user_id(),
        ip: Some(crate::auth::client_ip(req, state.config.trust_proxy)),
    })
}

/// Filter for the user list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UserFilter {
    /// Only users whose e-mail contains this text.
    email: Option<String>,
}

/// Every account, newest first. Administrators only; API keys cannot call it.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery, UserFilter),
    responses(
        (status = 200, body = Page<User>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
    filter: web::Query<UserFilter>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    let users = admin::list_users(&state, filter.email.as_deref(), page.parse()?).await?;
    Ok(HttpResponse::Ok().json(users))
}

/// Grant (positive `amount`) or remove (negative) credits for a user, with a reason that is kept
/// in their ledger. Removal takes soonest-expiring credits first and never goes below zero.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")),
    request_body = AdminCreditRequest,
    responses(
        (status = 200, body = CreditBalance, description = "the user's balance afterwards"),
        (status = 402, body = Problem, content_type = "application/problem+json", description = "`insufficient_credits` for a removal"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/users/{id}/credits")]
async fn adjust_credits(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AdminCreditRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    let balance = admin::adjust_credits(
        &state,
        &actor(&state, &auth, &req)?,
        id.into_inner(),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(balance))
}

/// Prompt moderation rules, oldest first.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ModerationRule>),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/moderation/rules")]
async fn list_rules(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    Ok(HttpResponse::Ok().json(moderation::list(&state).await?))
}

/// Add a rule: matching prompts are refused (422 `prompt_rejected`) before anything is charged.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = CreateModerationRule,
    responses(
        (status = 201, body = ModerationRule),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "empty, too long or invalid pattern"),
    )
)]
#[post("/moderation/rules")]
async fn create_rule(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: web::Json<CreateModerationRule>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    Ok(HttpResponse::Created()
        .json(moderation::create(&state, &actor(&state, &auth, &req)?, body.into_inner()).await?))
}

/// Remove a rule.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "removed"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/moderation/rules/{id}")]
async fn delete_rule(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    moderation::delete(&state, &actor(&state, &auth, &req)?, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters for the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditFilter {
    /// Only entries about this target (a user, task, ticket… id).
    target_id: Option<String>,
    /// Only entries of this action, e.g. `credits.adjusted`.
    action: Option<String>,
}

/// Every administrator action, newest first. Nobody can change or remove entries.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery, AuditFilter),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/audit-log")]
async fn audit_log(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
    filter: web::Query<AuditFilter>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    // The cursor here is an entry id, not the usual (time, id) cursor.
    let limit = PageQuery {
        cursor: None,
        limit: page.limit,
    }
    .parse()?
    .limit;
    Ok(HttpResponse::Ok().json(
        audit::list(
            &state,
            page.cursor.as_deref(),
            limit,
            filter.target_id.as_deref(),
            filter.action.as_deref(),
        )
        .await?,
    ))
}
