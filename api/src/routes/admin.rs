//! `/v1/admin`: operator-only endpoints. Everyone else gets 403.

use crate::json_body::Json;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::account::User;
use zimage_shared::admin::{
    AdminReason, AdminTask, AdminUserDetail, Announcement, AnnouncementSent, AuditEntry,
    BackendHealth, CreateInvitation, Dashboard, Invitation, InvitationCreated, ModerationHit,
    PrivacyQueueItem, SetBackendMode,
};
use zimage_shared::credits::{AdminCreditRequest, CreditBalance};
use zimage_shared::generation::{CreateModerationRule, ModerationRule};
use zimage_shared::support::{Ticket, TicketReply, TicketStatus};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::audit::Actor;
use crate::domain::{admin, audit, invitations, moderation, support};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/admin")
            .wrap(actix_web::middleware::from_fn(administrators_only))
            .service(list_users)
            .service(adjust_credits)
            .service(list_rules)
            .service(create_rule)
            .service(delete_rule)
            .service(audit_log)
            .service(user_detail)
            .service(disable_user)
            .service(enable_user)
            .service(revoke_sessions)
            .service(search_tasks)
            .service(refund_task)
            .service(moderation_hits)
            .service(privacy_queue)
            .service(support_queue)
            .service(support_ticket)
            .service(support_reply)
            .service(support_close)
            .service(dashboard)
            .service(announce)
            .service(list_invitations)
            .service(create_invitation)
            .service(revoke_invitation)
            .service(list_backends)
            .service(set_backend_mode),
    );
}

/// Everything under `/admin` is for signed-in administrators: checked before a body or query
/// is read, so nobody else learns anything from how their input would be judged.
async fn administrators_only(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let auth = req.extract::<Auth>().await?;
    auth.session()?;
    auth.require_admin()?;
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        crate::domain::two_factor::require_for_admin(state, &auth).await?;
    }
    next.call(req).await
}

/// The administrator behind a request, for the audit log; refuses everyone else.
fn actor(state: &AppState, auth: &Auth, req: &HttpRequest) -> ApiResult<Actor> {
    auth.session()?;
    auth.require_admin()?;
    Ok(Actor {
        id: auth.user_id(),
        ip: Some(crate::auth::client_ip(req, &state.config.trusted_proxies)),
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
    operation_id = "admin_users_list",
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
    operation_id = "admin_users_credits_adjust",
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
    body: Json<AdminCreditRequest>,
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
    operation_id = "admin_moderation_rules_list",
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<ModerationRule>),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/moderation/rules")]
async fn list_rules(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    Ok(HttpResponse::Ok().json(moderation::list(&state, query.parse()?).await?))
}

/// Add a rule: matching prompts are refused (422 `prompt_rejected`) before anything is charged.
#[utoipa::path(
    operation_id = "admin_moderation_rules_create",
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
    body: Json<CreateModerationRule>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    let rule = moderation::create(&state, &actor(&state, &auth, &req)?, body.into_inner()).await?;
    Ok(super::created(
        &state,
        &format!("/v1/admin/moderation/rules/{}", rule.id),
        &rule,
    ))
}

/// Remove a rule.
#[utoipa::path(
    operation_id = "admin_moderation_rules_delete",
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

/// Page and filters of the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditFilter {
    /// `next_cursor` from the previous page (here the last entry's number).
    #[param(pattern = "^[0-9]{1,18}$")]
    cursor: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Only entries about this target (a user, task, ticket… id).
    target_id: Option<String>,
    /// Only entries of this action, e.g. `credits.adjusted`.
    action: Option<String>,
}

/// Every administrator action, newest first. Nobody can change or remove entries.
#[utoipa::path(
    operation_id = "admin_audit_log_list",
    tag = "admin",
    security(("bearer" = [])),
    params(AuditFilter),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/audit-log")]
async fn audit_log(
    state: web::Data<AppState>,
    auth: Auth,
    filter: web::Query<AuditFilter>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    // The cursor here is an entry id, not the usual (time, id) cursor.
    let limit = PageQuery {
        cursor: None,
        limit: filter.limit,
    }
    .parse()?
    .limit;
    Ok(HttpResponse::Ok().json(
        audit::list(
            &state,
            filter.cursor.as_deref(),
            limit,
            filter.target_id.as_deref(),
            filter.action.as_deref(),
        )
        .await?,
    ))
}

/// One account: profile, flags (disabled, restricted, objected), balance, counts, sessions.
#[utoipa::path(
    operation_id = "admin_users_get",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AdminUserDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
async fn user_detail(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(admin::user_detail(&state, id.into_inner()).await?))
}

/// Switch an account off (sessions, API keys and webhooks stop; running tasks are canceled
/// with their credits released). Audited with the reason.
#[utoipa::path(
    operation_id = "admin_users_disable",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = AdminReason,
    responses(
        (status = 200, body = AdminUserDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already off, or your own account"),
    )
)]
#[post("/users/{id}/disable")]
async fn disable_user(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<AdminReason>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok()
        .json(admin::disable_user(&state, &actor, id.into_inner(), body.into_inner()).await?))
}

/// Switch back on an account an administrator switched off.
#[utoipa::path(
    operation_id = "admin_users_enable",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AdminUserDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "not switched off by an administrator"),
    )
)]
#[post("/users/{id}/enable")]
async fn enable_user(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(admin::enable_user(&state, &actor, id.into_inner()).await?))
}

/// Sign the user out on every device.
#[utoipa::path(
    operation_id = "admin_users_sessions_revoke",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AdminUserDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}/sessions")]
async fn revoke_sessions(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(admin::revoke_sessions(&state, &actor, id.into_inner()).await?))
}

/// Filters of the task search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TaskQuery {
    /// `queued`, `running`, `succeeded`, `failed` or `canceled`.
    status: Option<String>,
    /// e.g. `local`, `fal`, `kie`.
    provider: Option<String>,
    user_id: Option<Uuid>,
    /// A task id, a provider's task id, or words from the prompt.
    q: Option<String>,
}

/// Every user's tasks, newest first, with provider ids and failure reasons.
#[utoipa::path(
    operation_id = "admin_tasks_list",
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery, TaskQuery),
    responses(
        (status = 200, body = Page<AdminTask>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tasks")]
async fn search_tasks(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    page: web::Query<PageQuery>,
    query: web::Query<TaskQuery>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    if let Some(status) = &query.status
        && zimage_shared::generation::TaskStatus::parse(status).is_none()
    {
        return Err(crate::error::ApiError::new(
            zimage_shared::ErrorCode::InvalidQuery,
            "status must be queued, running, succeeded, failed or canceled",
        ));
    }
    let filter = crate::db::admin::TaskFilter {
        status: query.status.clone(),
        provider: query.provider.clone(),
        user_id: query.user_id,
        q: query.q.clone(),
    };
    Ok(HttpResponse::Ok().json(admin::search_tasks(&state, &filter, page.parse()?).await?))
}

/// Give back what a task was charged (once per task), with a reason for the audit log.
#[utoipa::path(
    operation_id = "admin_tasks_refund",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = AdminReason,
    responses(
        (status = 200, body = AdminTask),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "nothing to refund, or refunded already"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tasks/{id}/refund")]
async fn refund_task(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<AdminReason>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok()
        .json(admin::refund_task(&state, &actor, id.into_inner(), body.into_inner()).await?))
}

/// Prompts moderation stopped, newest first.
#[utoipa::path(
    operation_id = "admin_moderation_events_list",
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<ModerationHit>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/moderation/events")]
async fn moderation_hits(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(admin::moderation_hits(&state, page.parse()?).await?))
}

/// Open data-rights requests, soonest due first; `overdue` marks those past their 30 days.
#[utoipa::path(
    operation_id = "admin_privacy_requests_list",
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<PrivacyQueueItem>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/privacy/requests")]
async fn privacy_queue(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(admin::privacy_queue(&state, query.parse()?).await?))
}

/// Which tickets to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct QueueQuery {
    /// `open` (default: waiting for support), `answered` or `closed`.
    status: Option<TicketStatus>,
}

/// The support queue, longest waiting first.
#[utoipa::path(
    operation_id = "admin_support_tickets_list",
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery, QueueQuery),
    responses(
        (status = 200, body = Page<Ticket>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/support/tickets")]
async fn support_queue(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    page: web::Query<PageQuery>,
    query: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    let status = query.status.unwrap_or(TicketStatus::Open);
    Ok(HttpResponse::Ok().json(support::queue(&state, status, page.parse()?).await?))
}

/// Any ticket with its conversation and the customer's address.
#[utoipa::path(
    operation_id = "admin_support_tickets_get",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Ticket),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/support/tickets/{id}")]
async fn support_ticket(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(support::get(&state, None, id.into_inner()).await?))
}

/// Answer a ticket as support; the customer is e-mailed.
#[utoipa::path(
    operation_id = "admin_support_messages_create",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = TicketReply,
    responses(
        (status = 200, body = Ticket),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the ticket is closed"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/support/tickets/{id}/messages")]
async fn support_reply(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<TicketReply>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(
        support::reply(
            &state,
            actor.id,
            Some(&actor),
            id.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Close a ticket as support.
#[utoipa::path(
    operation_id = "admin_support_tickets_close",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Ticket),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/support/tickets/{id}/close")]
async fn support_close(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok()
        .json(support::close(&state, actor.id, Some(&actor), id.into_inner()).await?))
}

/// The dashboard's period (default: the last 30 days).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Period {
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Sign-ups, generations, failure rate by provider, credits sold and spent, revenue.
#[utoipa::path(
    operation_id = "admin_dashboard_get",
    tag = "admin",
    security(("bearer" = [])),
    params(Period),
    responses(
        (status = 200, body = Dashboard),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/dashboard")]
async fn dashboard(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    period: web::Query<Period>,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(admin::dashboard(&state, period.from, period.to).await?))
}

/// E-mail news to everyone who opted in to marketing (never to restricted or objecting
/// accounts); every message has a one-click unsubscribe link.
#[utoipa::path(
    operation_id = "admin_announcements_send",
    tag = "admin",
    security(("bearer" = [])),
    request_body = Announcement,
    responses(
        (status = 202, body = AnnouncementSent),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/announcements")]
async fn announce(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<Announcement>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Accepted().json(admin::announce(&state, &actor, body.into_inner()).await?))
}

/// Every invitation, newest first, with its status and uses.
#[utoipa::path(
    operation_id = "admin_invitations_list",
    tag = "admin",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<Invitation>),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/invitations")]
async fn list_invitations(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    auth.require_admin()?;
    Ok(HttpResponse::Ok().json(invitations::list(&state, query.parse()?).await?))
}

/// Make an invitation link for sign-up (needed where `ZIMAGE_SIGNUP=invite`). Bound to an
/// address, it is mailed there and only that address can use it. The link is in this answer only.
#[utoipa::path(
    operation_id = "admin_invitations_create",
    tag = "admin",
    security(("bearer" = [])),
    request_body = CreateInvitation,
    responses(
        (status = 201, body = InvitationCreated),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[post("/invitations")]
async fn create_invitation(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<CreateInvitation>,
) -> ApiResult<HttpResponse> {
    let admin = actor(&state, &auth, &req)?;
    let created = invitations::create(&state, &auth, &admin, body.into_inner()).await?;
    Ok(super::created(&state, "/v1/admin/invitations", &created))
}

/// Withdraw an invitation: its link stops working at once; accounts made with it stay.
#[utoipa::path(
    operation_id = "admin_invitations_revoke",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Invitation),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invitations/{id}/revoke")]
async fn revoke_invitation(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let admin = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(invitations::revoke(&state, &admin, id.into_inner()).await?))
}

/// Every generation backend the models use: its mode, circuit breaker, queue, tasks in flight
/// (and cap), and the last hour's error rate and latency.
#[utoipa::path(
    operation_id = "admin_backends_list",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<BackendHealth>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an administrator"),
    )
)]
#[get("/backends")]
async fn list_backends(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(crate::jobs::routing::health(&state).await?))
}

/// Drain (no new tasks; waiting tasks wait), disable (no new tasks; tasks nothing else can take
/// fail, refunded) or reactivate a backend, without a restart: every process follows within two
/// seconds. Audited.
#[utoipa::path(
    operation_id = "admin_backends_set_mode",
    tag = "admin",
    security(("bearer" = [])),
    params(("provider" = String, Path, description = "the backend's provider, e.g. `comfyui`")),
    request_body = SetBackendMode,
    responses(
        (status = 200, body = BackendHealth),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no model uses this provider"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    )
)]
#[put("/backends/{provider}")]
async fn set_backend_mode(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    provider: web::Path<String>,
    body: Json<SetBackendMode>,
) -> ApiResult<HttpResponse> {
    let actor = actor(&state, &auth, &req)?;
    Ok(HttpResponse::Ok().json(
        crate::jobs::routing::set_mode(&state, &actor, &provider, body.into_inner().mode).await?,
    ))
}
