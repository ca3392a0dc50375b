//! HTTP routes, one module per resource. Handlers parse, authorize, call one domain function.

pub mod admin;
pub mod auth;
pub mod avatars;
pub mod billing;
pub mod collections;
pub mod conditional;
pub mod credits;
pub mod events;
pub mod fallback;
pub mod generations;
pub mod health;
pub mod legal;
pub mod me;
pub mod models;
pub mod oauth;
pub mod passkeys;
pub mod privacy;
pub mod prompts;
pub mod shares;
pub mod sso;
pub mod support;
pub mod uploads;
pub mod webapp;
pub mod webhook_endpoints;
pub mod webhooks;

use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::ClientInfo;
use crate::state::AppState;

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure)
        .configure(oauth::configure_well_known)
        .service(
            scope::scope("/v1")
                .configure(auth::configure)
                .configure(webhook_endpoints::configure)
                .configure(me::configure)
                .configure(oauth::configure)
                .configure(credits::configure)
                .configure(models::configure)
                .configure(generations::configure)
                .configure(collections::configure)
                .configure(prompts::configure)
                .configure(uploads::configure)
                .configure(avatars::configure)
                .configure(shares::configure)
                .configure(events::configure)
                .configure(billing::configure)
                .configure(webhooks::configure)
                .configure(privacy::configure)
                .configure(legal::configure)
                .configure(support::configure)
                .configure(admin::configure),
        );
}

/// Who is calling from where, for sessions and rate limits.
pub fn client_info(req: &actix_web::HttpRequest, state: &web::Data<AppState>) -> ClientInfo {
    ClientInfo {
        ip: crate::auth::client_ip(req, &state.config.trusted_proxies),
        user_agent: crate::auth::user_agent(req),
    }
}

/// The signature of a signed URL (from a resource's `url` or `download_url`).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// From the signed URL.
    pub expires: Option<i64>,
    /// From the signed URL.
    pub signature: Option<String>,
}

/// Who may read a file: a bearer (its own files only), or anyone holding a valid signed URL.
pub enum FileReader {
    User(uuid::Uuid),
    /// The URL's signature vouches for this exact path until it expires.
    Signed,
}

/// Decides a file request: the bearer's identity when one is sent (with the read scope for API
/// keys), else the `expires`/`signature` of a URL made by [`crate::auth::signed_url::UrlSigner`].
pub fn file_reader(
    state: &AppState,
    auth: Option<crate::auth::Auth>,
    req: &actix_web::HttpRequest,
    expires: Option<i64>,
    signature: Option<&str>,
) -> crate::error::ApiResult<FileReader> {
    use crate::error::ApiError;
    if let Some(auth) = auth {
        auth.require_scope(zimage_shared::account::ApiKeyScope::GenerationsRead)?;
        return Ok(FileReader::User(auth.user_id()));
    }
    let (Some(expires), Some(signature)) = (expires, signature) else {
        return Err(ApiError::unauthorized(
            "send `Authorization: Bearer <token or API key>` or use a signed URL",
        ));
    };
    if state
        .urls
        .verify(req.path(), expires, signature, chrono::Utc::now())
    {
        Ok(FileReader::Signed)
    } else {
        Err(ApiError::unauthorized(
            "this link has expired or is not valid; fetch the item again for a fresh one",
        ))
    }
}

/// A `201 Created` or `202 Accepted` answer with `Location`: the absolute address of the resource
/// made (`path` starts with `/v1/`), where its state can be read or changed.
pub fn made(
    status: actix_web::http::StatusCode,
    state: &AppState,
    path: &str,
    body: &impl serde::Serialize,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("{}{path}", state.config.public_url.trim_end_matches('/')),
        ))
        .json(body)
}

/// [`made`] with `201 Created`.
pub fn created(
    state: &AppState,
    path: &str,
    body: &impl serde::Serialize,
) -> actix_web::HttpResponse {
    made(actix_web::http::StatusCode::CREATED, state, path, body)
}

/// A JSON body that may be left out (or be `null`): the default then. When sent it must be
/// right.
pub(crate) fn optional_body<T: Default + serde::de::DeserializeOwned>(
    body: &[u8],
) -> crate::error::ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
        crate::error::ApiError::new(
            zimage_shared::ErrorCode::MalformedJson,
            "the body is not valid JSON",
        )
    })?;
    if value.is_null() {
        Ok(T::default())
    } else {
        crate::json_body::from_value(value)
    }
}

/// The items of an `Accept-*` header (`br;q=0.8, gzip`) with their weights (1 when not given).
pub(crate) fn weighted<'r>(
    req: &'r actix_web::HttpRequest,
    name: actix_web::http::header::HeaderName,
) -> impl Iterator<Item = (&'r str, f32)> + 'r {
    req.headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';');
            let value = parts.next()?.trim();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((value, weight))
        })
}

/// The supported language the client prefers most (`Accept-Language`, weights honoured), English
/// when it names none of them.
pub(crate) fn accepted_locale(req: &actix_web::HttpRequest) -> zimage_shared::account::Locale {
    use zimage_shared::account::Locale;
    let mut best: Option<(f32, Locale)> = None;
    for (tag, weight) in weighted(req, actix_web::http::header::ACCEPT_LANGUAGE) {
        if let Some(locale) = Locale::from_browser(tag)
            && weight > 0.0
            && best.is_none_or(|(w, _)| weight > w)
        {
            best = Some((weight, locale));
        }
    }
    best.map_or(Locale::En, |(_, locale)| locale)
}

#[cfg(test)]
mod locale_tests {
    use super::accepted_locale;
    use actix_web::test::TestRequest;
    use zimage_shared::account::Locale;

    fn pick(header: &str) -> Locale {
        accepted_locale(
            &TestRequest::default()
                .insert_header(("Accept-Language", header))
                .to_http_request(),
        )
    }

    #[test]
    fn the_heaviest_supported_language_wins() {
        assert_eq!(pick("zh-CN"), Locale::ZhCn);
        assert_eq!(pick("fr-FR, zh;q=0.8, en;q=0.5"), Locale::ZhCn);
        assert_eq!(pick("en;q=0.9, zh-Hans-CN;q=0.95"), Locale::ZhCn);
        assert_eq!(pick("zh;q=0, en-GB"), Locale::En);
        assert_eq!(pick("de, fr"), Locale::En);
        assert_eq!(
            accepted_locale(&TestRequest::default().to_http_request()),
            Locale::En
        );
    }
}
