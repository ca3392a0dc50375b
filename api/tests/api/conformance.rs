//! schemathesis (PyPI) generates requests from the committed `openapi/openapi.json`, including
//! invalid ones, sends them to the running app as a signed-in customer and checks every answer
//! against the document (status codes, content types, headers, bodies, no server errors, invalid
//! data refused, another user's ids refused). A bounded number of examples runs in `just test`;
//! `just chaos` sets `ZIMAGE_SCHEMATHESIS_EXAMPLES` higher.

use std::process::Command;
use zimage_api::testing::stripe::StripeServer;

use crate::credits::grant;
use crate::helpers::{spawn_app_with, user_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_committed_openapi_document_says() {
    let stripe = StripeServer::start();
    let app = spawn_app_with(&[
        ("ZIMAGE_STRIPE_SECRET_KEY", stripe.secret_key.as_str()),
        (
            "ZIMAGE_STRIPE_WEBHOOK_SECRET",
            stripe.webhook_secret.as_str(),
        ),
        ("ZIMAGE_STRIPE_API_BASE", stripe.base_url.as_str()),
        ("ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER", "100000/1"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "100000/1"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "100000/1"),
        ("ZIMAGE_MAX_ACTIVE_TASKS_PER_USER", "100000"),
        // `just chaos` runs for longer than an access token lives.
        ("ZIMAGE_ACCESS_TOKEN_TTL_SECS", "7200"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    grant(&app, user_id(&ada), 100_000, None).await;
    let examples =
        std::env::var("ZIMAGE_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "10".to_string());
    // `just chaos` adds the stateful phase: chains of calls through the links schemathesis infers
    // from the response schemas and the `Location` headers of what is made.
    let phases = std::env::var("ZIMAGE_SCHEMATHESIS_PHASES")
        .unwrap_or_else(|_| "examples,coverage,fuzzing".to_string());
    let document = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    // The few operations whose valid inputs depend on state the document cannot list, each with
    // the one refusal it may give and why.
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/schemathesis.toml");
    let address = app.address.clone();
    let token = ada.access.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("schemathesis")
            .args(["--config-file", config])
            .args(["run", document, "--url", &address])
            .args(["--checks", "all", "--max-examples", &examples])
            .args(["--seed", "20261121", "--workers", "1", "--no-color"])
            .args(["--phases", &phases])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            // Operations that end the caller's own session or account would leave the rest of
            // the run unauthenticated; they have their own tests.
            .args(["--exclude-path-regex", EXCLUDED])
            .output()
            .expect("schemathesis is installed (`just test` installs it)")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const EXCLUDED: &str =
    "^/v1/(auth/logout|auth/refresh|me/password|me/sessions.*|privacy/requests.*)$";
