//! What answers when no route matches: the web app for page URLs, problem+json otherwise.

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use std::sync::LazyLock;
use zimage_shared::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// Paths that belong to the API, never to the web app.
fn is_api_path(path: &str) -> bool {
    ["/v1", "/openapi.json", "/docs", "/healthz", "/readyz"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// Whether a read of a page address takes HTML: browser navigations, and link fetchers (chat
/// apps and social sites send `*/*` or no `Accept` at all).
fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.contains("text/html") || v.contains("*/*") || v.trim().is_empty())
}

fn is_read(req: &HttpRequest) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
}

/// Every documented path (split into segments, `{…}` matching any one segment) with its methods.
static ROUTES: LazyLock<Vec<(Vec<String>, Vec<&'static str>)>> = LazyLock::new(|| {
    crate::openapi::document()
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let segments = path.split('/').map(String::from).collect();
            let methods = crate::openapi::operations(item)
                .into_iter()
                .map(|(method, _)| method)
                .collect();
            (segments, methods)
        })
        .collect()
});

/// The methods a documented path takes, if `path` is one.
fn allowed_methods(path: &str) -> Option<Vec<&'static str>> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES
        .iter()
        .find(|(template, _)| {
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| {
                    t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty())
                })
        })
        .map(|(_, methods)| methods.clone())
}

fn no_route(req: &HttpRequest) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("no route for {} {}", req.method(), req.path()),
    )
}

/// 405 with `Allow` for a documented path asked with another method.
fn wrong_method(req: &HttpRequest, methods: &[&str]) -> HttpResponse {
    let mut response = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} {} is not supported; use {}",
            req.method(),
            req.path(),
            methods.join(" or ")
        ),
    )
    .error_response();
    if let Ok(allow) = header::HeaderValue::from_str(&methods.join(", ")) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// Default service: the web app's files and page shell (client-side routing), else 404 — or
/// 405 for a documented path asked with another method.
pub async fn not_found(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if is_read(&req) && !is_api_path(req.path()) {
        if let Some(name) = req.path().strip_prefix("/assets/") {
            return super::webapp::asset(&req, &state, name).await;
        }
        if let Some(response) = super::webapp::root_file(&req, &state).await {
            return Ok(response);
        }
        if accepts_html(&req)
            && let Some(response) = super::webapp::page(&req, &state).await
        {
            return Ok(response);
        }
    }
    if let Some(methods) = allowed_methods(req.path()) {
        return Ok(wrong_method(&req, &methods));
    }
    Err(no_route(&req))
}

#[cfg(test)]
mod tests {
    use super::is_api_path;

    #[test]
    fn api_paths_never_fall_back_to_the_web_app() {
        assert!(is_api_path("/v1/nope"));
        assert!(is_api_path("/docs/"));
        assert!(!is_api_path("/v1nope"));
        assert!(!is_api_path("/account"));
    }
}
