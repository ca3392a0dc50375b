//! The OpenAPI 3.1 document, collected from every `#[utoipa::path]` the routes register.

use serde_json::{Value, json};
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
    // The data of the events in the `webhooks` section, which no route returns.
    components(schemas(
        zimage_shared::webhooks::GenerationSucceededData,
        zimage_shared::webhooks::GenerationFailedData,
        zimage_shared::webhooks::CreditsLowData,
    )),
    tags(
        (name = "auth", description = "Sign-up, verification, log-in, tokens, password recovery"),
        (name = "account", description = "The signed-in user's profile, sessions and API keys"),
        (name = "oauth", description = "OAuth 2.1 for third-party and mobile apps: registering apps, consent, the token, revocation and device endpoints, authorized apps"),
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
        scheme.bearer_format = Some("JWT access token, zimg_ API key or zio_ OAuth token".into());
        scheme.description = Some(
            "An access token from `POST /v1/auth/login` or `/v1/auth/refresh`, an API key (`zimg_…`) \
             from `POST /v1/me/api-keys`, or an app's OAuth access token (`zio_…`) from \
             `POST /v1/oauth/token`. API keys and OAuth tokens act with their scopes only and never \
             manage keys, passwords, sessions or authorizations."
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
                add("408", "`request_timeout`: the body arrived too slowly");
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

/// The server the committed document names: where `just run` listens. An installation serves
/// its own document at `/openapi.json` naming its public address instead.
pub const LOCAL_SERVER: &str = "http://127.0.0.1:8080";

/// The document as JSON, finished for outside tools, naming `server` as where the API is.
pub fn value(server: &str) -> Value {
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    finish(&mut doc, server);
    doc
}

/// The committed document as pretty JSON with a trailing newline.
pub fn json() -> String {
    let mut out = serde_json::to_string_pretty(&value(LOCAL_SERVER)).unwrap_or_default();
    out.push('\n');
    out
}

/// Operations whose every answer carries the `RateLimit` headers of the budget the request
/// was counted against (their handlers call `RateLimiter::check`).
const COUNTED: [&str; 9] = [
    "auth_signup",
    "auth_verification_resend",
    "auth_password_forgot",
    "privacy_requests_confirm",
    "shared_get",
    "shared_image_get",
    "generations_create",
    "uploads_create",
    "webhook_endpoints_test",
];

/// Operations whose `2xx` answers carry `Location`: the address of what they made.
const LOCATED: [&str; 10] = [
    "auth_signup",
    "generations_create",
    "images_share_create",
    "api_keys_create",
    "webhook_endpoints_create",
    "privacy_requests_create",
    "prompts_create",
    "support_tickets_create",
    "uploads_create",
    "admin_moderation_rules_create",
];

/// Resource reads answered with an `ETag` and `304` to a matching `If-None-Match`.
const TAGGED: [&str; 3] = ["generations_get", "images_get", "uploads_get"];

/// File downloads with an `ETag`, `304` to a matching `If-None-Match`, and `Range` (`206`/`416`).
const RANGED: [&str; 4] = [
    "images_file_get",
    "images_thumbnail_get",
    "uploads_file_get",
    "shared_image_get",
];

/// What utoipa cannot say, added to the serialised document:
///
/// - `servers`, the licence's SPDX identifier, and `security: []` on public operations (an
///   operation without `security` would otherwise leave its authentication unsaid);
/// - list items as references to their schema, so each page does not have its own copy;
/// - binary bodies (image and archive downloads) as binary strings, per concrete media type,
///   and Server-Sent Events as a text stream;
/// - the response headers: `x-request-id` on every answer, `WWW-Authenticate` on 401,
///   `Retry-After` on 429 and 503, the `RateLimit` fields where a budget is counted (every
///   authenticated operation, and the budgeted public ones), and
///   `Location` where something is made.
fn finish(doc: &mut Value, server: &str) {
    doc["servers"] = json!([{"url": server, "description": "this installation"}]);
    doc["info"]["license"]["identifier"] = json!("AGPL-3.0-or-later");
    doc["components"]["headers"] = headers();
    page_items_as_references(doc);
    closed_request_bodies(doc);
    doc["webhooks"] = webhooks();
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            if op.get("security").is_none() {
                op["security"] = json!([]);
            }
            // Every authenticated request counts against its principal's general budget.
            let authenticated = op["security"].as_array().is_some_and(|schemes| {
                !schemes.is_empty()
                    && schemes
                        .iter()
                        .all(|s| s.as_object().is_some_and(|s| !s.is_empty()))
            });
            let counted = authenticated || COUNTED.contains(&id.as_str());
            conditional(op, &id);
            if counted && op["responses"].get("429").is_none() {
                op["responses"]["429"] = json!({
                    "description": "`rate_limited`: the budget is spent; retry after `Retry-After` seconds",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                });
            }
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                    typed_bodies(content);
                }
                let mut add = |name: &str, component: &str| {
                    response["headers"][name] =
                        json!({"$ref": format!("#/components/headers/{component}")});
                };
                add("x-request-id", "RequestId");
                match status.as_str() {
                    "401" | "403" => add("WWW-Authenticate", "WwwAuthenticate"),
                    "429" | "503" => add("Retry-After", "RetryAfter"),
                    _ => {}
                }
                // The general budget's fields are documented where clients read them: on successes
                // and on 429 (they come on the other answers after authentication too).
                let budgeted = COUNTED.contains(&id.as_str())
                    || (counted && (status.starts_with('2') || status == "429"));
                if budgeted || status == "429" {
                    for name in [
                        "RateLimit",
                        "RateLimit-Policy",
                        "RateLimit-Limit",
                        "RateLimit-Remaining",
                        "RateLimit-Reset",
                    ] {
                        add(name, &name.replace('-', ""));
                    }
                }
                if status.starts_with('2') && LOCATED.contains(&id.as_str()) {
                    add("Location", "Location");
                }
            }
        }
    }
}

/// Request bodies refuse fields they do not have (`json_body::Json`), at any depth: their
/// object schemas say so with `additionalProperties: false`, so generators and fuzzers do not
/// send what will be refused.
fn closed_request_bodies(doc: &mut Value) {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_string());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    fn close(schema: &mut Value) {
        if let Some(map) = schema.as_object_mut() {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, value) in map.iter_mut() {
                match key.as_str() {
                    "properties" => value
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|p| p.values_mut())
                        .for_each(close),
                    "items" | "additionalProperties" => close(value),
                    "oneOf" | "anyOf" => value.as_array_mut().into_iter().flatten().for_each(close),
                    _ => {}
                }
            }
        }
    }
    let mut pending = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|i| i.values()) {
            for (media, body) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if media.contains("json") {
                    refs(body, &mut pending);
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = &mut doc["components"]["schemas"][&name];
        refs(schema, &mut pending);
        close(schema);
    }
}

/// The `If-None-Match` and `Range` parameters and the `304`, `206` and `416` answers of the
/// operations that take them (`routes::conditional`).
fn conditional(op: &mut Value, id: &str) {
    let ranged = RANGED.contains(&id);
    if !ranged && !TAGGED.contains(&id) {
        return;
    }
    let header_ref = |name: &str| json!({"$ref": format!("#/components/headers/{name}")});
    let mut params = vec![json!({
        "name": "If-None-Match",
        "in": "header",
        "required": false,
        "description": "The `ETag` of your copy: answered `304 Not Modified` without a body while it is current.",
        "schema": {"type": "string"}
    })];
    op["responses"]["200"]["headers"]["ETag"] = header_ref("ETag");
    op["responses"]["304"] = json!({
        "description": "Not Modified: your copy (`If-None-Match`) is current",
        "headers": {"ETag": header_ref("ETag")}
    });
    if ranged {
        params.push(json!({
            "name": "Range",
            "in": "header",
            "required": false,
            "description": "One byte range (`bytes=0-1023`, `bytes=1024-`, `bytes=-512`) to resume a download; several ranges are answered with the whole file.",
            "schema": {"type": "string"}
        }));
        op["responses"]["200"]["headers"]["Accept-Ranges"] = header_ref("AcceptRanges");
        let mut partial = op["responses"]["200"].clone();
        partial["description"] = json!("Partial Content: the requested range of the file");
        partial["headers"]["Content-Range"] = header_ref("ContentRange");
        op["responses"]["206"] = partial;
        op["responses"]["416"] = json!({
            "description": "Range Not Satisfiable: the range lies outside the file (`Content-Range: bytes */SIZE`)",
            "headers": {"Content-Range": header_ref("ContentRange")}
        });
    }
    let list = op["parameters"].as_array_mut();
    match list {
        Some(list) => list.extend(params),
        None => op["parameters"] = Value::Array(params),
    }
}

/// The events sent to webhook endpoints and `webhook_url`s (OpenAPI 3.1's `webhooks`): each a
/// `POST` of a Standard Webhooks message whose `data` is the event's schema.
fn webhooks() -> Value {
    let header = |name: &str, description: &str| json!({"name": name, "in": "header", "required": true, "description": description, "schema": {"type": "string"}});
    let mut out = serde_json::Map::new();
    for (event, data, summary) in [
        (
            "generation.succeeded",
            "GenerationSucceededData",
            "A generation finished with its images",
        ),
        (
            "generation.failed",
            "GenerationFailedData",
            "A generation failed; its credits came back",
        ),
        (
            "credits.low",
            "CreditsLowData",
            "Available credits fell below the low-balance line",
        ),
    ] {
        let operation_id = format!("webhook_{}", event.replace('.', "_"));
        out.insert(event.to_string(), json!({"post": {
            "operationId": operation_id,
            "summary": summary,
            "description": format!("Sent to your endpoints subscribed to `{event}`{}. Verify `webhook-signature` over the raw body (Standard Webhooks, scheme `v1`) with the endpoint's secret{}, and drop repeats by `webhook-id`; answer any 2xx within 15 seconds. Other answers are retried for about three days; `410 Gone` switches the endpoint off.",
                if event.starts_with("generation.") { ", and to the `webhook_url` of the generation request" } else { "" },
                if event.starts_with("generation.") { " (for a `webhook_url`: the account's request secret, `GET /v1/me/webhook-secret`)" } else { "" }),
            "security": [],
            "parameters": [
                header("webhook-id", "The message id (`msg_…`): the same on every attempt."),
                header("webhook-timestamp", "Unix seconds when this attempt was signed; refuse it when far from your clock."),
                header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the base64-decoded part of the secret after `whsec_`; several signatures are separated by spaces."),
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["type", "timestamp", "data"],
                "properties": {
                    "type": {"type": "string", "const": event},
                    "timestamp": {"type": "string", "format": "date-time"},
                    "data": {"$ref": format!("#/components/schemas/{data}")},
                },
            }}}},
            "responses": {"200": {"description": "Received (any 2xx will do)"}},
        }}));
    }
    Value::Object(out)
}

/// The headers the responses refer to.
fn headers() -> Value {
    let header =
        |description: &str, schema: Value| json!({"description": description, "schema": schema});
    let seconds = json!({"type": "integer", "minimum": 0});
    json!({
        "RequestId": header(
            "This request's id: yours when you sent a plain one (up to 64 letters, digits, `-` or `_`), else a new UUID. Quote it when reporting a problem; it is also in problem bodies as `request_id`.",
            json!({"type": "string", "maxLength": 64}),
        ),
        "WwwAuthenticate": header(
            "The authentication challenge (RFC 6750): on 401 `Bearer realm=\"zimage\"`, with `error=\"invalid_token\"` when the access token expired or its session was revoked; on a 403 for a missing scope `error=\"insufficient_scope\"`.",
            json!({"type": "string"}),
        ),
        "RetryAfter": header("Seconds to wait before trying again.", seconds.clone()),
        "RateLimit": header(
            "Where this client stands in the budget the request counted against: `limit=N, remaining=N, reset=SECONDS`.",
            json!({"type": "string", "example": "limit=30, remaining=29, reset=60"}),
        ),
        "RateLimitPolicy": header(
            "The budget: `COUNT;w=WINDOW_SECONDS`.",
            json!({"type": "string", "example": "30;w=60"}),
        ),
        "RateLimitLimit": header("Requests allowed per window.", seconds.clone()),
        "RateLimitRemaining": header("Requests left in this window.", seconds.clone()),
        "RateLimitReset": header("Seconds until the window starts over.", seconds),
        "ETag": header(
            "Names this version of the resource; send it back as `If-None-Match`.",
            json!({"type": "string"}),
        ),
        "AcceptRanges": header("`bytes`: parts of the file may be asked for with `Range`.", json!({"type": "string", "enum": ["bytes"]})),
        "ContentRange": header(
            "The part sent and the file's size: `bytes FIRST-LAST/SIZE` (or `bytes */SIZE` on 416).",
            json!({"type": "string"}),
        ),
        "Location": header(
            "The absolute address of what the request made.",
            json!({"type": "string", "format": "uri"}),
        ),
    })
}

/// The image types files are stored and served as.
const IMAGE_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];

/// Binary downloads as binary strings (generated clients then return bytes or a `Blob` instead
/// of failing to parse them), `image/*` as the concrete types it stands for, and event streams
/// as text whose frames are described in the operation.
fn typed_bodies(content: &mut serde_json::Map<String, Value>) {
    let binary = json!({"type": "string", "format": "binary"});
    if let Some(any_image) = content.remove("image/*") {
        for media in IMAGE_TYPES {
            let mut typed = any_image.clone();
            typed["schema"] = binary.clone();
            content.insert(media.to_string(), typed);
        }
    }
    for (media, body) in content.iter_mut() {
        if media == "application/zip" || media == "application/octet-stream" {
            body["schema"] = binary.clone();
        }
        if media == "text/event-stream" {
            // OpenAPI 3.1 leaves open whether this schema describes the body or each event
            // (3.2's `itemSchema` settles it): the body is text, and each event (as event-stream
            // readers such as schemathesis see it) is an object whose `data` is a `TaskEvent`.
            body["schema"] = json!({
                "description": "Server-Sent Events: `event: task` frames whose `data:` is one JSON `TaskEvent` and whose `id:` resumes the stream as `Last-Event-ID`; `: keep-alive` comments while idle. As a whole the body is text; each event is the object.",
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "event": {"type": "string", "enum": ["task"]},
                            "id": {"type": "string"},
                            "retry": {"type": "integer", "minimum": 0},
                            "data": {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "contentSchema": {"$ref": "#/components/schemas/TaskEvent"},
                            },
                        },
                    },
                ],
            });
        }
    }
}

/// utoipa writes each `Page<T>` with `T` inlined; a reference keeps one `T` for every client.
/// Returns the pages whose inlined item differed from the named schema (none, or the swap would
/// change the document's meaning: the unit test below checks).
fn page_items_as_references(doc: &mut Value) -> Vec<String> {
    let mut differing = Vec::new();
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return differing;
    };
    let pages: Vec<String> = schemas
        .keys()
        .filter(|k| k.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item = page.trim_start_matches("Page_").to_string();
        let Some(named) = schemas.get(&item).cloned() else {
            continue;
        };
        // `next_cursor` is always sent (null on the last page).
        if let Some(required) = schemas[&page]["required"].as_array_mut()
            && !required.iter().any(|r| r == "next_cursor")
        {
            required.push(json!("next_cursor"));
        }
        let inlined = &mut schemas[&page]["properties"]["items"]["items"];
        if *inlined != named {
            differing.push(page.clone());
        }
        *inlined = json!({"$ref": format!("#/components/schemas/{item}")});
    }
    differing
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages' items are swapped for references only where they are the named schema.
    #[test]
    fn page_items_inlined_by_utoipa_are_the_named_schemas() {
        let mut doc = serde_json::to_value(document()).unwrap();
        let differing = page_items_as_references(&mut doc);
        assert!(differing.is_empty(), "{differing:?}");
        assert_eq!(
            doc["components"]["schemas"]["Page_User"]["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/User"
        );
    }

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
