//! The OpenAPI 3.1 document, collected from every `#[utoipa::path]` the routes register.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Z-Image Studio API",
        description = "Generate images from prompts through pluggable AI providers, manage credits, \
                       galleries and privacy rights. Errors are RFC 9457 `application/problem+json` \
                       bodies with a stable `code`. Authenticate with `Authorization: Bearer <access token | API key>`.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-up, verification, log-in, tokens, password recovery"),
        (name = "account", description = "The signed-in user's profile, sessions and API keys"),
        (name = "credits", description = "Credit balance and ledger"),
        (name = "generation", description = "Models and image generation"),
        (name = "prompts", description = "The prompt library"),
        (name = "billing", description = "Credit packs, plans, checkout, orders and subscriptions"),
        (name = "webhooks", description = "Events from payment and AI providers"),
        (name = "privacy", description = "Data-rights requests: export, erasure, restriction, objection"),
        (name = "support", description = "Support tickets"),
        (name = "legal", description = "Retention schedule and legal pages"),
        (name = "admin", description = "Operator-only endpoints"),
        (name = "health", description = "Liveness and readiness probes"),
    )
)]
struct BaseDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT access token or zimg_ API key".into());
        scheme.description = Some(
            "An access token from `POST /v1/auth/login` or `/v1/auth/refresh`, or an API key (`zimg_…`) \
             from `POST /v1/me/api-keys`."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The full document, as served at `/openapi.json` and committed as `openapi/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(BaseDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    standard_responses(&mut doc);
    described(&mut doc);
    doc
}

/// Every operation and response carries a description, as OpenAPI requires of responses and
/// client generators expect of operations: an operation without one repeats its summary (its
/// doc comment's first line), a response without one gets its status's standard meaning.
fn described(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        for op in operations_mut(item) {
            if op.description.as_deref().is_none_or(str::is_empty) {
                op.description.clone_from(&op.summary);
            }
            for (status, response) in &mut op.responses.responses {
                if let RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|code| actix_web::http::StatusCode::from_u16(code).ok())
                        .and_then(|code| code.canonical_reason())
                        .unwrap_or("Response")
                        .to_string();
                }
            }
        }
    }
}

/// The operations of a path item, to change.
fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// The operations of a path item with their methods.
pub fn operations(
    item: &utoipa::openapi::PathItem,
) -> Vec<(&'static str, &utoipa::openapi::path::Operation)> {
    [
        ("GET", &item.get),
        ("PUT", &item.put),
        ("POST", &item.post),
        ("DELETE", &item.delete),
        ("OPTIONS", &item.options),
        ("HEAD", &item.head),
        ("PATCH", &item.patch),
        ("TRACE", &item.trace),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_ref().map(|op| (method, op)))
    .collect()
}

/// Documents the answers every operation of its kind can give, where a route did not already:
/// unreadable input (400), a missing or bad credential (401), bodies that are too large, not JSON
/// or invalid (413, 415, 422), and a dependency being down or the server shedding load (503 with
/// `Retry-After`). The handlers' own annotations keep their more specific descriptions.
fn standard_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        for op in operations_mut(item) {
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let has_body = op.request_body.is_some();
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description));
            };
            if has_params || has_body {
                add(
                    "400",
                    "`malformed_json`, `invalid_query` or `invalid_path_parameter`: the request could not be read",
                );
            }
            if secured {
                add("401", "`unauthorized`: no valid access token or API key");
            }
            if has_body {
                add(
                    "413",
                    "`payload_too_large`: the body is over the size limit",
                );
                add(
                    "415",
                    "`unsupported_media_type`: the body is not of the documented type",
                );
                add("422", "`validation_failed`: see `errors` for each field");
            }
            add(
                "503",
                "`service_unavailable`: a dependency is down or the server is shedding load; retry after `Retry-After` seconds",
            );
        }
    }
}

/// The document as pretty JSON with a trailing newline.
pub fn json() -> String {
    let mut out = document().to_pretty_json().unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated clients name their methods after operationIds: each is set on its route as
    /// `resource_action`, and a route added without one (utoipa would use the bare function
    /// name, such as `list`) or reusing one fails here before any client generator sees it.
    #[test]
    fn every_operation_has_its_own_resource_action_id() {
        let doc = document();
        let mut seen = std::collections::HashSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in operations(item) {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(
                    id.split('_')
                        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                    "{method} {path}: operationId {id:?} is not snake_case words"
                );
                assert!(
                    id.contains('_') || id == "unsubscribe",
                    "{method} {path}: operationId {id:?} names no resource"
                );
                assert!(
                    seen.insert(id.clone()),
                    "{method} {path}: operationId {id:?} is used twice"
                );
                assert!(
                    op.description.as_deref().is_some_and(|d| !d.is_empty()),
                    "{method} {path}: no description"
                );
            }
        }
    }
}
