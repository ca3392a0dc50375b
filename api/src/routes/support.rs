//! `/v1/support/tickets`: your conversations with support. Sessions only.

use crate::json_body::Json;
use actix_web::{HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::support::{CreateTicket, Ticket, TicketReply};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::support;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/support/tickets")
            .service(create)
            .service(list)
            .service(get_one)
            .service(reply)
            .service(close),
    );
}

/// Open a ticket, optionally about one of your tasks. Support is told by e-mail; you are told
/// when they answer. At most 20 open tickets.
#[utoipa::path(
    operation_id = "support_tickets_create",
    tag = "support",
    security(("bearer" = [])),
    request_body = CreateTicket,
    responses(
        (status = 201, body = Ticket),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CreateTicket>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let ticket = support::create(&state, &auth.user, body.into_inner()).await?;
    Ok(super::created(
        &state,
        &format!("/v1/support/tickets/{}", ticket.id),
        &ticket,
    ))
}

/// Your tickets, most recently active first (without their messages).
#[utoipa::path(
    operation_id = "support_tickets_list",
    tag = "support",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<Ticket>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(support::list(&state, auth.user_id(), page.parse()?).await?))
}

/// One of your tickets with the whole conversation.
#[utoipa::path(
    operation_id = "support_tickets_get",
    tag = "support",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Ticket),
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
    auth.session()?;
    Ok(HttpResponse::Ok().json(support::get(&state, Some(auth.user_id()), id.into_inner()).await?))
}

/// Reply on your ticket (this reopens a closed one).
#[utoipa::path(
    operation_id = "support_messages_create",
    tag = "support",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = TicketReply,
    responses(
        (status = 200, body = Ticket),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/messages")]
async fn reply(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<TicketReply>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(
        support::reply(
            &state,
            auth.user_id(),
            None,
            id.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Close your ticket.
#[utoipa::path(
    operation_id = "support_tickets_close",
    tag = "support",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Ticket),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/close")]
async fn close(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok()
        .json(support::close(&state, auth.user_id(), None, id.into_inner()).await?))
}
