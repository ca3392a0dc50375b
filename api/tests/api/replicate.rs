//! Replicate: the real client against a local server speaking its predictions API and sending
//! Standard Webhooks (`zimage_api::testing::replicate`).

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::testing::replicate::{MockReplicate, ReplicateMode, TOKEN};

use crate::helpers::{TestApp, assert_problem, spawn_app_with, user_id};
use crate::providers::{available, generate, post_webhook, start, until};

const MODEL: &str = "z-image-turbo-replicate";

async fn replicate_app(server: &MockReplicate, extra: &[(&str, &str)]) -> TestApp {
    let api = server.api_url();
    let mut env = vec![
        ("ZIMAGE_REPLICATE_TOKEN", TOKEN),
        ("ZIMAGE_REPLICATE_BASE_URL", api.as_str()),
    ];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

#[tokio::test]
async fn predictions_carry_the_settings_and_outputs_arrive_as_a_list_or_one_url() {
    let server = MockReplicate::start(Duration::from_millis(300), 50);
    let app = replicate_app(&server, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": MODEL, "prompt": "a paper boat", "aspect_ratio": "16:9", "seed": 11,
               "quality": "high", "output_format": "jpeg"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 1);
    assert_eq!(done["charged"], 3);
    let input = &server.inputs()[0];
    assert_eq!(input["prompt"], "a paper boat");
    assert_eq!(
        (input["width"].as_u64(), input["height"].as_u64()),
        (Some(1024), Some(576))
    );
    assert_eq!(input["seed"], 11);
    assert_eq!(input["num_inference_steps"], 10);
    assert_eq!(input["guidance_scale"], 0);
    assert_eq!(input["output_format"], "jpg");
    assert!(input.get("negative_prompt").is_none(), "Turbo takes none");
    assert_eq!(
        server.cancel_afters()[0].as_deref(),
        Some("600s"),
        "Replicate stops it by itself after the task timeout"
    );

    server.set_mode(ReplicateMode::SingleUrl);
    let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "one url"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["charged"], 2);

    // What the model cannot do is refused up front, with nothing sent.
    for body in [
        json!({"model": MODEL, "prompt": "x", "num_images": 2}),
        json!({"model": MODEL, "prompt": "x", "negative_prompt": "blur"}),
    ] {
        let refused = app.post_auth("/v1/generations", &ada.access, &body).await;
        assert_eq!(refused.status(), 422, "{body}");
    }
    assert_eq!(server.creates(), 2);
    assert_eq!(available(&app, &ada).await, 20 - 5);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn failed_blocked_removed_unknown_and_unreadable_predictions_end_once_with_the_credits_back()
{
    let server = MockReplicate::start(Duration::from_millis(100), 50);
    let app = replicate_app(&server, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    for (mode, reason) in [
        (ReplicateMode::Fail, "generation_failed"),
        (ReplicateMode::Nsfw, "nsfw_blocked"),
        (ReplicateMode::DataRemoved, "invalid_output"),
    ] {
        server.set_mode(mode);
        let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "a"})).await;
        assert_eq!(done["failure_reason"], reason, "{mode:?}: {done}");
    }

    // Created, but the answer cannot be read: the prediction may be running (and billed), so it
    // is not created again.
    server.set_mode(ReplicateMode::MalformedCreate);
    let before = server.creates();
    let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "b"})).await;
    assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.creates(), before + 1, "created once");

    // Replicate no longer knows a running prediction.
    let slow = MockReplicate::start(Duration::from_secs(30), 50);
    let app2 = replicate_app(&slow, &[]).await;
    let bob = app2.signed_in_user("bob@example.org").await;
    let id = start(&app2, &bob, json!({"model": MODEL, "prompt": "c"})).await;
    until("the prediction exists", || slow.ids().len() == 1).await;
    slow.set_mode(ReplicateMode::Forget);
    let done = app2.wait_for_task(&bob, &id).await;
    assert_eq!(done["failure_reason"], "unknown_task", "{done}");

    assert_eq!(available(&app, &ada).await, 20);
    assert_eq!(available(&app2, &bob).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn throttled_creates_wait_their_turn_and_a_refused_token_fails_without_retries() {
    // One prediction a second: three tasks at once meet 429s and still run once each.
    let server = MockReplicate::start(Duration::from_millis(200), 1);
    let app = replicate_app(&server, &[("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "3")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            start(
                &app,
                &ada,
                json!({"model": MODEL, "prompt": format!("boat {n}")}),
            )
            .await,
        );
    }
    for id in &ids {
        let done = app.wait_for_task(&ada, id).await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    assert!(server.throttled() >= 1, "the rate limit was met");
    assert_eq!(server.ids().len(), 3, "one prediction per task");
    assert_eq!(available(&app, &ada).await, 20 - 6);

    let wrong = MockReplicate::start(Duration::from_millis(100), 50);
    let app2 = spawn_app_with(&[
        ("ZIMAGE_REPLICATE_TOKEN", "r8_revoked"),
        ("ZIMAGE_REPLICATE_BASE_URL", wrong.api_url().as_str()),
    ])
    .await;
    let bob = app2.signed_in_user("bob@example.org").await;
    let done = generate(&app2, &bob, json!({"model": MODEL, "prompt": "x"})).await;
    assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
    assert_eq!(wrong.creates(), 1, "a refused token is not tried again");
    assert_eq!(available(&app2, &bob).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn cancelling_a_task_cancels_its_prediction() {
    let server = MockReplicate::start(Duration::from_secs(30), 50);
    let app = replicate_app(&server, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = start(&app, &ada, json!({"model": MODEL, "prompt": "never mind"})).await;
    until("the prediction exists", || server.ids().len() == 1).await;
    let canceled = app
        .post_auth(
            &format!("/v1/generations/{id}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(canceled.status(), 200);
    let prediction = server.ids()[0].clone();
    until("the prediction is cancelled at Replicate", || {
        server.cancels().contains(&prediction)
    })
    .await;
    assert_eq!(available(&app, &ada).await, 20);
}

#[tokio::test]
async fn signed_webhooks_finish_tasks_and_forged_stale_and_replayed_ones_do_nothing() {
    let server = MockReplicate::start(Duration::from_millis(800), 50);
    // Polling every 10 minutes: only the webhook can finish the task in time.
    let app = replicate_app(
        &server,
        &[
            ("ZIMAGE_REPLICATE_WEBHOOKS", "true"),
            ("ZIMAGE_POLL_INTERVAL_MS", "600000"),
        ],
    )
    .await;
    server.set_webhook_origin(&app.url(""));
    let ada = app.signed_in_user("ada@example.org").await;
    let id = start(&app, &ada, json!({"model": MODEL, "prompt": "called back"})).await;
    let done = app.wait_for_task(&ada, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let prediction = server.ids()[0].clone();
    assert_eq!(server.webhooks_sent(), [(prediction.clone(), 200)]);
    assert_eq!(
        server.secret_fetches(),
        1,
        "the signing secret was read from the API"
    );

    // A second task, held at Replicate: forged, stale and tampered notices change nothing.
    let held = MockReplicate::start(Duration::from_secs(30), 50);
    let app2 = replicate_app(
        &held,
        &[
            ("ZIMAGE_REPLICATE_WEBHOOKS", "true"),
            ("ZIMAGE_POLL_INTERVAL_MS", "600000"),
            (
                "ZIMAGE_REPLICATE_WEBHOOK_SECRET",
                zimage_api::testing::replicate::SECRET,
            ),
        ],
    )
    .await;
    let bob = app2.signed_in_user("bob@example.org").await;
    let task = start(&app2, &bob, json!({"model": MODEL, "prompt": "held"})).await;
    until("the prediction exists", || held.ids().len() == 1).await;
    let body = json!({"id": held.ids()[0], "status": "succeeded"}).to_string();
    let now = chrono::Utc::now().timestamp();
    let mut forged = MockReplicate::signed_headers("msg_1", now, &body);
    forged[2].1 = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    let stale = MockReplicate::signed_headers("msg_2", now - 3600, &body);
    let signed = MockReplicate::signed_headers("msg_3", now, &body);
    for (headers, body) in [
        (&forged, body.clone()),
        (&stale, body.clone()),
        (&signed, body.replace("succeeded", "failed")),
    ] {
        assert_problem(
            post_webhook(&app2, "replicate", headers, &body).await,
            400,
            "invalid_signature",
        )
        .await;
    }
    let first: Value = post_webhook(&app2, "replicate", &signed, &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["duplicate"], false);
    let replayed: Value = post_webhook(&app2, "replicate", &signed, &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replayed["duplicate"], true);
    // The notice is only a hint: Replicate still says "starting", so the task keeps waiting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still = app2
        .get_json(&format!("/v1/generations/{task}"), &bob.access)
        .await;
    assert!(
        matches!(still["status"].as_str(), Some("queued" | "running")),
        "{still}"
    );
    assert_eq!(held.secret_fetches(), 0, "the configured secret is used");
    assert_eq!(
        available(&app2, &bob).await,
        20 - 2,
        "held, not charged twice"
    );
}
