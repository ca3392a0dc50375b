//! `/v1/admin`: operator-only endpoints. Everyone else gets 403.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::account::User;
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::admin;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(utoipa_actix_web::scope::scope("/admin").service(list_users));
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
