//! `/v1/privacy`: data-rights requests (export, erasure, restriction, objection) and the flags
//! they set. Sessions only: API keys cannot exercise these rights.

use crate::json_body::Json;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use zimage_shared::privacy::{
    ConfirmPrivacyRequest, CreatePrivacyRequest, PrivacyFlags, PrivacyRequest, PrivacyRequestKind,
};
use zimage_shared::{ErrorCode, Page, Problem};

use crate::auth::{Auth, OptionalAuth};
use crate::domain::privacy;
use crate::error::{ApiError, ApiResult};
use crate::pagination::PageQuery;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope::scope("/privacy")
            .service(create)
            .service(list)
            .service(get_one)
            .service(cancel)
            .service(confirm)
            .service(download)
            .service(flags)
            .service(lift_flag),
    )
    .service(unsubscribe);
}

/// The unsubscribe token from a marketing e-mail.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UnsubscribeQuery {
    token: String,
}

/// One-click unsubscribe from marketing e-mail (RFC 8058): the link in every such e-mail, no
/// sign-in needed. Any body (mail clients send `List-Unsubscribe=One-Click`) is ignored.
#[utoipa::path(
    operation_id = "unsubscribe",
    tag = "privacy",
    params(UnsubscribeQuery),
    responses(
        (status = 204, description = "marketing e-mail is off"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
    )
)]
#[post("/unsubscribe")]
async fn unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> ApiResult<HttpResponse> {
    crate::domain::security::unsubscribe(&state, &query.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// File a data-rights request. `export` is built in the background and e-mailed when ready;
/// `erasure` sends a confirmation link to your e-mail address (nothing happens until it is
/// used); `restriction` and `objection` take effect at once. Each is answered within 30 days
/// (`due_at`). One open request per kind; at most 5 exports in 30 days. An export needs a verified
/// e-mail address.
#[utoipa::path(
    operation_id = "privacy_requests_create",
    tag = "privacy",
    security(("bearer" = [])),
    request_body = CreatePrivacyRequest,
    responses(
        (status = 201, body = PrivacyRequest),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "API keys cannot file requests; `email_not_verified` for an export"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`second_factor_required` (erasure, with two-factor authentication on)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`request_in_progress` or `limit_reached`"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: Json<CreatePrivacyRequest>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    if body.kind == zimage_shared::privacy::PrivacyRequestKind::Erasure {
        crate::domain::two_factor::require_fresh(&state, &auth).await?;
    }
    if body.kind == zimage_shared::privacy::PrivacyRequestKind::Export {
        // An archive of everything goes to the address on file: it must be proven to be theirs.
        auth.require_verified()?;
    }
    let client = super::client_info(&req, &state);
    let created = privacy::create(&state, &auth.user, body.into_inner(), &client).await?;
    Ok(super::created(
        &state,
        &format!("/v1/privacy/requests/{}", created.id),
        &created,
    ))
}

/// Your requests, newest first, with their deadlines and outcome.
#[utoipa::path(
    operation_id = "privacy_requests_list",
    tag = "privacy",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = Page<PrivacyRequest>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(privacy::list(&state, auth.user_id(), page.parse()?).await?))
}

/// One of your requests.
#[utoipa::path(
    operation_id = "privacy_requests_get",
    tag = "privacy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = PrivacyRequest),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(privacy::get(&state, auth.user_id(), id.into_inner()).await?))
}

/// Withdraw an erasure you have not confirmed, or an export not yet started.
#[utoipa::path(
    operation_id = "privacy_requests_cancel",
    tag = "privacy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = PrivacyRequest),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "too late to withdraw"),
    )
)]
#[post("/requests/{id}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let client = super::client_info(&req, &state);
    Ok(HttpResponse::Ok()
        .json(privacy::cancel(&state, auth.user_id(), id.into_inner(), &client).await?))
}

/// Confirm an erasure with the token from the e-mail (no sign-in needed: the token proves the
/// mailbox). The account is switched off at once: every session, API key and webhook stops,
/// queued and running tasks are canceled and their credits released; the data is purged after
/// the grace period (`purge_after`).
#[utoipa::path(
    operation_id = "privacy_requests_confirm",
    tag = "privacy",
    params(("id" = Uuid, Path)),
    request_body = ConfirmPrivacyRequest,
    responses(
        (status = 200, body = PrivacyRequest),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_token`"),
    )
)]
#[post("/requests/{id}/confirm")]
async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ConfirmPrivacyRequest>,
) -> ApiResult<HttpResponse> {
    super::auth::limit(&state, &req, "email", None).await?;
    let client = super::client_info(&req, &state);
    Ok(HttpResponse::Ok()
        .json(privacy::confirm(&state, id.into_inner(), &body.token, &client).await?))
}

/// Download a finished export (ZIP), signed in or through its signed `download_url` (which works
/// for 10 minutes after it was listed; list the request again for a fresh one). The archive is
/// kept for 7 days, then deleted.
#[utoipa::path(
    operation_id = "privacy_requests_download",
    tag = "privacy",
    security(("bearer" = []), ()),
    params(("id" = Uuid, Path), super::SignedQuery),
    responses(
        (status = 200, description = "the archive", content_type = "application/zip"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such export, not ready, or expired"),
    )
)]
#[get("/requests/{id}/download")]
async fn download(
    state: web::Data<AppState>,
    OptionalAuth(auth): OptionalAuth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    signed: web::Query<super::SignedQuery>,
) -> ApiResult<HttpResponse> {
    if let Some(auth) = &auth {
        auth.session()?;
    }
    let reader = super::file_reader(
        &state,
        auth,
        &req,
        signed.expires,
        signed.signature.as_deref(),
    )?;
    let archive = privacy::archive(&state, &reader, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", archive.name),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // Compression would buffer, and a ZIP does not shrink.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .body(actix_web::body::SizedStream::new(
            archive.bytes,
            archive.body,
        )))
}

/// Restriction and objection in force on your account.
#[utoipa::path(
    operation_id = "privacy_flags_list",
    tag = "privacy",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PrivacyFlags),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/flags")]
async fn flags(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.session()?;
    Ok(HttpResponse::Ok().json(privacy::flags(&state, auth.user_id()).await?))
}

/// Lift your restriction (`restriction`) or withdraw your objection (`objection`).
#[utoipa::path(
    operation_id = "privacy_flags_lift",
    tag = "privacy",
    security(("bearer" = [])),
    params(("kind" = String, Path, description = "`restriction` or `objection`")),
    responses(
        (status = 200, body = PrivacyFlags),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/flags/{kind}")]
async fn lift_flag(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    kind: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.session()?;
    let kind = PrivacyRequestKind::parse(&kind).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "no such flag; use `restriction` or `objection`",
        )
    })?;
    let client = super::client_info(&req, &state);
    Ok(HttpResponse::Ok().json(privacy::lift_flag(&state, auth.user_id(), kind, &client).await?))
}
