//! `/v1/credits`: the balance and its history.

use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::account::ApiKeyScope;
use zimage_shared::credits::{CreditBalance, LedgerEntry};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::credits;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/credits")
            .service(get_balance)
            .service(get_ledger),
    );
}

/// Balance (available + held) and the grants it is made of, in spending order.
/// API keys need the `credits:read` scope.
#[utoipa::path(
    operation_id = "credits_balance_get",
    tag = "credits",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CreditBalance),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`"),
    )
)]
#[get("")]
async fn get_balance(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::CreditsRead)?;
    let mut conn = state.db.get().await?;
    Ok(HttpResponse::Ok().json(credits::balance(&mut conn, auth.user_id()).await?))
}

/// Every movement of credits, newest first. API keys need the `credits:read` scope.
#[utoipa::path(
    operation_id = "credits_ledger_list",
    tag = "credits",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<LedgerEntry>),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`insufficient_scope`"),
    )
)]
#[get("/ledger")]
async fn get_ledger(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.require_scope(ApiKeyScope::CreditsRead)?;
    let page = query.parse()?;
    let mut conn = state.db.get().await?;
    Ok(HttpResponse::Ok().json(credits::ledger(&mut conn, auth.user_id(), page).await?))
}
