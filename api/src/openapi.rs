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
    doc
}

/// The document as pretty JSON with a trailing newline.
pub fn json() -> String {
    let mut out = document().to_pretty_json().unwrap_or_default();
    out.push('\n');
    out
}
