//! `/v1/billing`: catalog, checkout, orders, subscription and the customer portal.

use crate::json_body::Json;
use actix_web::{HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use zimage_shared::billing::{
    Catalog, CheckoutRequest, CheckoutResponse, Order, PortalResponse, Subscription,
    SubscriptionResponse,
};
use zimage_shared::{Page, Problem};

use crate::auth::Auth;
use crate::domain::billing;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/billing")
            .service(get_catalog)
            .service(checkout)
            .service(list_orders)
            .service(get_subscription)
            .service(cancel_subscription)
            .service(portal),
    );
}

/// Credit packs and subscription plans on sale. Public. `payments_enabled` is false when this
/// installation takes no payments. Names and descriptions come in the language of
/// `Accept-Language` where the catalog has them (`en`, `zh-CN`), named by `Content-Language`.
#[utoipa::path(
    operation_id = "billing_catalog_get",tag = "billing",
    params(("Accept-Language" = Option<String>, Header, description = "Preferred languages, e.g. `zh-CN,zh;q=0.9,en;q=0.8`.")),
    responses((status = 200, body = Catalog,
        headers(("Content-Language" = String, description = "The language of the texts (`en` or `zh-CN`)."))))
)]
#[get("/catalog")]
async fn get_catalog(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let locale = super::accepted_locale(&req);
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_LANGUAGE, locale.as_str()))
        .insert_header((actix_web::http::header::VARY, "Accept-Language"))
        .json(billing::catalog(&state, locale))
}

/// Start buying a pack or plan: returns the Stripe Checkout page to send the buyer to.
/// Credits arrive when Stripe confirms the payment. Needs a confirmed e-mail address.
#[utoipa::path(
    operation_id = "billing_checkout_create",
    tag = "billing",
    security(("bearer" = [])),
    request_body = CheckoutRequest,
    responses(
        (status = 200, body = CheckoutResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`email_not_verified`, or an API key"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_subscribed`, or `payments_not_configured`: this installation takes no payments (lasting; do not retry)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "unknown `product_id`"),
        (status = 502, body = Problem, content_type = "application/problem+json", description = "`payment_provider_error`"),
    )
)]
#[post("/checkout")]
async fn checkout(
    state: web::Data<AppState>,
    auth: Auth,
    body: Json<CheckoutRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(billing::checkout(&state, &auth.user, &body.product_id).await?))
}

/// Purchases, newest first.
#[utoipa::path(
    operation_id = "billing_orders_list",
    tag = "billing",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<Order>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/orders")]
async fn list_orders(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(billing::orders(&state, auth.user_id(), query.parse()?).await?))
}

/// The current subscription, if any.
#[utoipa::path(
    operation_id = "billing_subscription_get",
    tag = "billing",
    security(("bearer" = [])),
    responses(
        (status = 200, body = SubscriptionResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/subscription")]
async fn get_subscription(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(billing::subscription(&state, auth.user_id()).await?))
}

/// Stop renewing: the plan runs until the end of the paid period. Idempotent.
#[utoipa::path(
    operation_id = "billing_subscription_cancel",
    tag = "billing",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Subscription),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no active subscription"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`payments_not_configured`: this installation takes no payments (lasting; do not retry)"),
        (status = 502, body = Problem, content_type = "application/problem+json", description = "`payment_provider_error`"),
    )
)]
#[post("/subscription/cancel")]
async fn cancel_subscription(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(billing::cancel_subscription(&state, auth.user_id()).await?))
}

/// A link to Stripe's customer portal (payment methods, invoices).
#[utoipa::path(
    operation_id = "billing_portal_create",
    tag = "billing",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PortalResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no purchase yet"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`payments_not_configured`: this installation takes no payments (lasting; do not retry)"),
        (status = 502, body = Problem, content_type = "application/problem+json", description = "`payment_provider_error`"),
    )
)]
#[post("/portal")]
async fn portal(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(billing::portal(&state, auth.user_id()).await?))
}
