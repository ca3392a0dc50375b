//! Browsers may call the API cross-origin only from configured origins.

use crate::helpers::{spawn_app, spawn_app_with};

async fn preflight(app: &crate::helpers::TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/v1/auth/login"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn configured_origins_pass_preflight_and_others_do_not() {
    let app = spawn_app_with(&[(
        "ZIMAGE_CORS_ORIGINS",
        "https://app.example.org, https://admin.example.org/",
    )])
    .await;
    let allowed = preflight(&app, "https://app.example.org").await;
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    let trailing_slash_configured = preflight(&app, "https://admin.example.org").await;
    assert!(trailing_slash_configured.status().is_success());
    let denied = preflight(&app, "https://evil.example.net").await;
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let simple = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert!(
        simple
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn without_an_allow_list_no_cross_origin_access_is_granted() {
    let app = spawn_app().await;
    let response = preflight(&app, "https://app.example.org").await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let same_origin_style = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://app.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin_style.status(), 200);
    assert!(
        same_origin_style
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
