//! Outgoing webhooks: endpoint rules, signed deliveries, retries, 410, the delivery log.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::domain::webhooks::sign;
use zimage_api::testing::receiver::{Received, Receiver};

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app, spawn_app_with};

const DEV: [(&str, &str); 2] = [
    ("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ("ZIMAGE_WEBHOOK_RETRY_SCALE", "0.01"),
];

async fn register(app: &TestApp, who: &Signed, url: &str, events: Value) -> Value {
    let response = app
        .post_auth(
            "/v1/me/webhooks",
            &who.access,
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Checks the Standard Webhooks headers against the secret; returns the parsed body.
fn verified(received: &Received, secret: &str) -> Value {
    let id = &received.headers["webhook-id"];
    let timestamp: i64 = received.headers["webhook-timestamp"].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    assert_eq!(
        received.headers["webhook-signature"],
        sign(secret, id, timestamp, received.body.as_bytes())
    );
    serde_json::from_str(&received.body).unwrap()
}

async fn generate(app: &TestApp, who: &Signed) -> String {
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &who.access,
            &json!({"model": "z-image-local", "prompt": "hooked", "width": 256, "height": 256}),
        )
        .await
        .json()
        .await
        .unwrap();
    task["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn endpoints_must_be_public_https_and_are_managed_from_a_session() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    for url in [
        "http://hooks.example.com/x",
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "not a url",
    ] {
        let body = assert_problem(
            app.post_auth(
                "/v1/me/webhooks",
                &ada.access,
                &json!({"url": url, "events": ["generation.succeeded"]}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert!(body["errors"]["url"].is_array(), "{url}: {body}");
    }
    assert_problem(
        app.post_auth(
            "/v1/me/webhooks",
            &ada.access,
            &json!({"url": "https://1.1.1.1/x", "events": []}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    // An API key manages endpoints only with the `webhooks:write` scope.
    let key = app
        .api_key(&ada, &["generations:write", "generations:read"])
        .await;
    assert_problem(
        app.get_auth("/v1/me/webhooks", &key).await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_problem(
        app.get_auth("/v1/me/webhook-secret", &key).await,
        403,
        "insufficient_scope",
    )
    .await;
    let hooks_key = app.api_key(&ada, &["webhooks:write"]).await;
    assert_eq!(
        app.get_json("/v1/me/webhooks", &hooks_key).await["items"],
        json!([])
    );
    let by_key = app
        .post_auth(
            "/v1/me/webhooks",
            &hooks_key,
            &json!({"url": "https://1.1.1.1/hook", "events": ["credits.low"]}),
        )
        .await;
    assert_eq!(by_key.status(), 201);
}

#[tokio::test]
async fn a_webhook_url_per_request_gets_its_task_events_signed_with_the_request_secret() {
    let app = spawn_app_with(&DEV).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let receiver = Receiver::start();
    let request = |extra: Value| {
        let mut body =
            json!({"model": "z-image-local", "prompt": "hooked", "width": 256, "height": 256});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &request(json!({"webhook_url": receiver.url, "metadata": {"order": "A-17"}})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(task["metadata"], json!({"order": "A-17"}));
    let got = receiver.wait_for(1).await;
    let secret = app.get_json("/v1/me/webhook-secret", &ada.access).await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(secret.starts_with("whsec_"));
    let body = verified(&got[0], &secret);
    assert_eq!(body["type"], "generation.succeeded");
    assert_eq!(body["data"]["task_id"], task["id"]);
    assert_eq!(body["data"]["metadata"], json!({"order": "A-17"}));
    // The image's URL is absolute and signed: it works without a token.
    let url = body["data"]["images"][0]["url"].as_str().unwrap();
    assert!(url.starts_with("http://zimage.test/v1/images/"), "{url}");
    let image = app
        .client
        .get(url.replace("http://zimage.test", &app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);

    // It is not one of the registered endpoints, and tasks that did not name it send nothing.
    assert_eq!(
        app.get_json("/v1/me/webhooks", &ada.access).await["items"],
        json!([])
    );
    let other = generate(&app, &ada).await;
    app.wait_for_task(&ada, &other).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1);

    // The URL follows the registered endpoints' rules; metadata is small strings.
    let bad = assert_problem(
        app.post_auth(
            "/v1/generations",
            &ada.access,
            &request(json!({"webhook_url": "ftp://hooks.example.com/x"})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(bad["errors"]["webhook_url"].is_array(), "{bad}");
    let many: serde_json::Map<String, Value> =
        (0..21).map(|n| (format!("k{n}"), json!("v"))).collect();
    let bad = assert_problem(
        app.post_auth(
            "/v1/generations",
            &ada.access,
            &request(json!({"metadata": many})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(bad["errors"]["metadata"].is_array(), "{bad}");

    // A leaked request secret is replaced; the next event is signed with the new one only.
    let rotated: Value = app
        .post_auth("/v1/me/webhook-secret/rotate", &ada.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let fresh = rotated["secret"].as_str().unwrap();
    assert_ne!(fresh, secret);
    assert_eq!(
        app.get_json("/v1/me/webhook-secret", &ada.access).await["secret"],
        fresh
    );
    app.post_auth(
        "/v1/generations",
        &ada.access,
        &request(json!({"webhook_url": receiver.url})),
    )
    .await;
    let got = receiver.wait_for(2).await;
    let body = verified(&got[1], fresh);
    assert_eq!(body["type"], "generation.succeeded");
    assert_ne!(
        got[1].headers["webhook-signature"],
        sign(
            &secret,
            &got[1].headers["webhook-id"],
            got[1].headers["webhook-timestamp"].parse().unwrap(),
            got[1].body.as_bytes()
        )
    );
}

#[tokio::test]
async fn finished_generations_are_delivered_signed_and_logged() {
    let app = spawn_app_with(&DEV).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let receiver = Receiver::start();
    let created = register(
        &app,
        &ada,
        &receiver.url,
        json!(["generation.succeeded", "generation.failed"]),
    )
    .await;
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    let endpoint = created["endpoint"]["id"].as_str().unwrap();
    let listed = app.get_json("/v1/me/webhooks", &ada.access).await;
    assert_eq!(listed["items"][0]["id"], endpoint);
    assert_eq!(
        listed["items"][0].get("secret"),
        None,
        "the secret is shown once"
    );

    let task = generate(&app, &ada).await;
    let got = receiver.wait_for(1).await;
    let body = verified(&got[0], secret);
    assert_eq!(body["type"], "generation.succeeded");
    assert_eq!(body["data"]["task_id"], task.as_str());
    assert_eq!(body["data"]["images"].as_array().unwrap().len(), 1);

    let log = app
        .get_json(
            &format!("/v1/me/webhooks/{endpoint}/deliveries"),
            &ada.access,
        )
        .await;
    let first = &log["items"][0];
    assert_eq!(
        (
            first["status"].as_str(),
            first["attempts"].as_i64(),
            first["last_status"].as_i64()
        ),
        (Some("succeeded"), Some(1), Some(200))
    );
    assert_eq!(
        first["message_id"].as_str(),
        Some(got[0].headers["webhook-id"].as_str())
    );

    let bob = app.signed_in_user("bob@example.org").await;
    let path = format!("/v1/me/webhooks/{endpoint}");
    assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_problem(
        app.get_auth(&format!("{path}/deliveries"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete_auth(&path, &bob.access).await, 404, "not_found").await;
    generate(&app, &bob).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.received().len(), 1, "bob's events are not ada's");
}

#[tokio::test]
async fn failed_attempts_are_retried_with_the_same_id_and_gone_disables_the_endpoint() {
    let app = spawn_app_with(&DEV).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let receiver = Receiver::start();
    receiver.respond_with(&[500, 503]);
    let created = register(&app, &ada, &receiver.url, json!(["generation.succeeded"])).await;
    let endpoint = created["endpoint"]["id"].as_str().unwrap().to_string();
    generate(&app, &ada).await;
    let got = receiver.wait_for(3).await;
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.headers["webhook-id"].as_str())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one id across retries: {ids:?}"
    );
    for r in &got {
        verified(r, created["secret"].as_str().unwrap());
    }
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app
            .get_json(
                &format!("/v1/me/webhooks/{endpoint}/deliveries"),
                &ada.access,
            )
            .await;
        if log["items"][0]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(log["items"][0]["status"], "succeeded");
    assert_eq!(log["items"][0]["attempts"], 3);

    // "Test" sends at once; 410 Gone turns the endpoint off for good.
    receiver.respond_with(&[410]);
    let test = app
        .post_auth(
            &format!("/v1/me/webhooks/{endpoint}/test"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(test.status(), 202);
    let got = receiver.wait_for(4).await;
    assert_eq!(
        verified(&got[3], created["secret"].as_str().unwrap())["type"],
        "webhook.test"
    );
    let mut state = Value::Null;
    for _ in 0..100 {
        state = app
            .get_json(&format!("/v1/me/webhooks/{endpoint}"), &ada.access)
            .await;
        if state["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state["enabled"], false);
    assert_eq!(state["disabled_reason"], "the receiver answered 410 Gone");
    generate(&app, &ada).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        receiver.received().len(),
        4,
        "nothing more to a disabled endpoint"
    );
    // Turned on again by its owner.
    let on: Value = app
        .patch_auth(
            &format!("/v1/me/webhooks/{endpoint}"),
            &ada.access,
            &json!({"enabled": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (on["enabled"].as_bool(), on["disabled_reason"].is_null()),
        (Some(true), true)
    );
}

#[tokio::test]
async fn failures_and_a_low_balance_are_announced_once() {
    let mut env = DEV.to_vec();
    env.extend([
        ("ZIMAGE_CREDITS_LOW_THRESHOLD", "19"),
        ("ZIMAGE_TASK_TIMEOUT_SECS", "1"),
        ("ZIMAGE_LOCAL_LATENCY_MS", "60000"),
    ]);
    let app = spawn_app_with(&env).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let receiver = Receiver::start();
    register(
        &app,
        &ada,
        &receiver.url,
        json!(["generation.failed", "credits.low"]),
    )
    .await;
    // 20 → 19 is not below 19; the second task crosses the line.
    generate(&app, &ada).await;
    generate(&app, &ada).await;
    let got = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut types: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["credits.low", "generation.failed", "generation.failed"],
        "{got:#?}"
    );
    let low = receiver
        .received()
        .into_iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
        .find(|b| b["type"] == "credits.low")
        .unwrap();
    assert_eq!(low["data"], json!({"available": 18, "threshold": 19}));
}

#[tokio::test]
async fn an_endless_error_answer_is_not_read_past_what_the_log_keeps() {
    let app = spawn_app_with(&DEV).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let receiver = Receiver::start();
    // 256 MiB behind a 500: the sender keeps 200 characters and reads no further.
    receiver.respond_with(&[500, 500, 500]);
    receiver.error_bodies_of(256 * 1024 * 1024);
    let created = register(&app, &ada, &receiver.url, json!(["generation.succeeded"])).await;
    let endpoint = created["endpoint"]["id"].as_str().unwrap().to_string();
    generate(&app, &ada).await;
    receiver.wait_for(1).await;
    let mut log = Value::Null;
    for _ in 0..200 {
        log = app
            .get_json(
                &format!("/v1/me/webhooks/{endpoint}/deliveries"),
                &ada.access,
            )
            .await;
        if log["items"][0]["last_status"] == 500 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(log["items"][0]["last_status"], 500, "{log}");
    let error = log["items"][0]["last_error"].as_str().unwrap();
    assert!(
        error.starts_with("the receiver answered 500: xxxx"),
        "{error}"
    );
    assert!(error.len() < 300, "{error}");
    let streamed = receiver.streamed();
    assert!(
        streamed < 32 * 1024 * 1024,
        "the sender read {streamed} bytes of the answer; it needs 800"
    );
}

#[tokio::test]
async fn a_slow_receiver_delays_only_its_own_deliveries_and_tests_are_rate_limited() {
    // One sender delivered strictly in order: three tests to a 14 s endpoint delayed another
    // user's delivery by 42 s. Now several senders share the work, one in flight per endpoint.
    let app = spawn_app_with(&DEV).await;
    let (ada, bob) = (
        app.signed_in_user("ada@example.org").await,
        app.signed_in_user("bob@example.org").await,
    );
    let (slow, fast) = (Receiver::start(), Receiver::start());
    slow.answer_after(Duration::from_secs(2));
    let ada_endpoint = register(&app, &ada, &slow.url, json!(["generation.succeeded"])).await;
    let bob_endpoint = register(&app, &bob, &fast.url, json!(["generation.succeeded"])).await;
    let test = |who: &Signed, created: &Value| {
        let path = format!(
            "/v1/me/webhooks/{}/test",
            created["endpoint"]["id"].as_str().unwrap()
        );
        let (app, token) = (&app, who.access.clone());
        async move { app.post_auth(&path, &token, &json!({})).await.status() }
    };
    for _ in 0..3 {
        assert_eq!(test(&ada, &ada_endpoint).await, 202);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    assert_eq!(test(&bob, &bob_endpoint).await, 202);
    fast.wait_for(1).await;
    let waited = started.elapsed();
    println!("another user's delivery behind three slow ones arrived in {waited:?}");
    assert!(waited < Duration::from_millis(1500), "{waited:?}");
    // The slow endpoint got its three, one at a time.
    slow.wait_for(3).await;
    assert_eq!(slow.most_at_once(), 1);

    // Tests are limited to 10 a minute per user.
    for _ in 3..10 {
        assert_eq!(test(&ada, &ada_endpoint).await, 202);
    }
    let path = format!(
        "/v1/me/webhooks/{}/test",
        ada_endpoint["endpoint"]["id"].as_str().unwrap()
    );
    let limited = app.post_auth(&path, &ada.access, &json!({})).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_problem(limited, 429, "rate_limited").await;
}

#[tokio::test]
async fn signing_secrets_are_stored_sealed_and_old_plain_ones_are_sealed_at_start() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app_with(&DEV).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let receiver = Receiver::start();
    let created = register(&app, &ada, &receiver.url, json!(["generation.succeeded"])).await;
    let secret = created["secret"].as_str().unwrap().to_string();
    let id = created["endpoint"]["id"].as_str().unwrap().to_string();
    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Text)]
        secret: String,
    }
    let stored = |app: &TestApp, id: String| {
        let state = app.state.clone();
        async move {
            let mut conn = state.db.get().await.unwrap();
            diesel::sql_query(format!(
                "SELECT secret FROM webhook_endpoints WHERE id = '{id}'"
            ))
            .get_result::<Stored>(&mut conn)
            .await
            .unwrap()
            .secret
        }
    };
    let at_rest = stored(&app, id.clone()).await;
    assert!(at_rest.starts_with("sealed:v1:"), "{at_rest}");
    assert!(!at_rest.contains(&secret[6..]));
    // Deliveries are still signed with the secret the owner was shown.
    generate(&app, &ada).await;
    let got = receiver.wait_for(1).await;
    verified(&got[0], &secret);

    // A secret stored in plain text by an earlier version is sealed when the server starts.
    {
        let mut conn = app.state.db.get().await.unwrap();
        diesel::sql_query(format!(
            "UPDATE webhook_endpoints SET secret = '{secret}' WHERE id = '{id}'"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let sealed = zimage_api::domain::webhooks::seal_stored_secrets(&app.state)
        .await
        .unwrap();
    assert_eq!(sealed, 1);
    assert!(stored(&app, id).await.starts_with("sealed:v1:"));
}
