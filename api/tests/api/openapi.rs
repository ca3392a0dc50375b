//! The committed OpenAPI document matches the code, and the served one matches both.

use serde_json::Value;

use crate::helpers::spawn_app;

fn committed() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/openapi.json"
    ))
    .unwrap_or_default()
}

#[test]
fn committed_openapi_document_is_up_to_date() {
    let generated = zimage_api::openapi::json();
    assert!(
        committed() == generated,
        "openapi/openapi.json is stale: run `just openapi` and commit the result"
    );
}

#[tokio::test]
async fn served_document_covers_every_route_with_security_and_errors() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/v1/auth/signup",
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/auth/password/reset",
        "/v1/me",
        "/v1/me/sessions/{id}",
        "/v1/me/api-keys",
        "/v1/admin/users",
        "/v1/models",
        "/v1/credits",
        "/v1/billing/checkout",
        "/v1/webhooks/stripe",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(path), "{path} undocumented");
    }
    assert_eq!(
        doc["paths"]["/v1/me"]["get"]["security"][0]["bearer"],
        serde_json::json!([])
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let bare = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.headers()["location"], "/docs/");
    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}
