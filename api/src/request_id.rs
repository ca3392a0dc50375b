//! Per-request id, access log line and security headers.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};
use std::time::Instant;
use tracing::Instrument;

/// Header carrying the request id in both directions.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The request id, available to handlers as a request extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts a caller's id only if it is short and plain, so it cannot forge log lines.
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(HEADER)?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| value.to_string())
}

const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// The content security policy. Images may also come from the installation's public address
/// (`image_origin`): signed image URLs are absolute, and a page reached under another name (a
/// LAN address, `localhost`) shows them from there.
fn content_security_policy(image_origin: Option<&str>) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' {}data: blob: https:; connect-src 'self'; font-src 'self' data:; \
         object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        image_origin.map(|o| format!("{o} ")).unwrap_or_default()
    )
}

/// The scheme, host and port of a URL (`http://127.0.0.1:8080`), if it has them and is plain
/// enough to name in a policy.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    };
    (matches!(scheme, "http" | "https") && plain(host)).then(|| format!("{scheme}://{host}"))
}

/// The path as logged: a share token grants access to an image, so it is replaced by `[token]`.
fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/v1/shared/", "/s/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}[token]{tail}").into();
        }
    }
    path.into()
}

/// Assigns the request id, logs the request, and adds security headers to every response.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = incoming_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %logged_path(req.path()),
        otel.name = tracing::field::Empty,
        otel.kind = tracing::field::Empty,
        http.request.method = tracing::field::Empty,
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    if crate::telemetry::exporting() {
        crate::telemetry::server_span(&span, &req);
    }
    let started = Instant::now();
    let hsts = req.connection_info().scheme() == "https";
    let image_origin = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .and_then(|state| origin_of(&state.config.public_url));

    let (outcome, quota) = REQUEST_ID
        .scope(
            id.clone(),
            crate::rate_limit::tracked(async move {
                match next.call(req).await {
                    Ok(response) => Ok(response.map_into_boxed_body()),
                    // Render here, inside the scope, so the problem body carries the request id.
                    Err(err) => Err((err.to_string(), err.error_response())),
                }
            }),
        )
        .instrument(span.clone())
        .await;

    match outcome {
        Ok(mut response) => {
            let csp = content_security_policy(image_origin.as_deref());
            finish(
                &span,
                started,
                &id,
                hsts,
                quota,
                &csp,
                response.response_mut(),
            );
            Ok(response)
        }
        Err((message, mut response)) => {
            let csp = content_security_policy(image_origin.as_deref());
            finish(&span, started, &id, hsts, quota, &csp, &mut response);
            Err(InternalError::from_response(message, response).into())
        }
    }
}

fn finish(
    span: &tracing::Span,
    started: Instant,
    id: &str,
    hsts: bool,
    quota: Option<crate::rate_limit::Quota>,
    csp: &str,
    response: &mut HttpResponse,
) {
    let status = response.status();
    if crate::telemetry::exporting() {
        span.record("http.response.status_code", i64::from(status.as_u16()));
        if status.is_server_error() {
            span.record("otel.status_code", "ERROR");
        }
    }
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "handled"
        );
    });
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(id) {
        headers.insert(HeaderName::from_static(HEADER), value);
    }
    for (name, value) in SECURITY_HEADERS {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(csp)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    // A 429 carries the budget it ran out of; any other answer the tightest one it was counted
    // against.
    if let Some(quota) = quota
        && !headers.contains_key("ratelimit")
    {
        for (name, value) in quota.headers() {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.insert(name, value);
            }
        }
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_may_come_from_the_public_address() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://images.example.com/studio/").as_deref(),
            Some("https://images.example.com")
        );
        assert_eq!(origin_of("http://a b"), None);
        assert_eq!(origin_of("ftp://x"), None);
        assert!(
            content_security_policy(Some("http://127.0.0.1:8080"))
                .contains("img-src 'self' http://127.0.0.1:8080 data:")
        );
    }

    #[test]
    fn share_tokens_stay_out_of_the_access_log() {
        assert_eq!(
            logged_path("/v1/shared/abc123/image"),
            "/v1/shared/[token]/image"
        );
        assert_eq!(logged_path("/v1/shared/abc123"), "/v1/shared/[token]");
        assert_eq!(logged_path("/s/abc123"), "/s/[token]");
        assert_eq!(logged_path("/v1/shares"), "/v1/shares");
    }
}
