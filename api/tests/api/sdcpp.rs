//! The operator's own GPU through stable-diffusion.cpp's sd-server: the real client against a
//! local server speaking its native async API (`zimage_api::testing::sdcpp`).

use base64::Engine;
use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::providers::render;
use zimage_api::testing::sdcpp::{MockSdCpp, SdMode};
use zimage_shared::generation::OutputFormat;

use crate::helpers::{TestApp, spawn_app_with, user_id};
use crate::providers::{available, generate, start, until};

const MODEL: &str = "z-image-turbo-sdcpp";

async fn sd_app(server: &MockSdCpp, extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![("ZIMAGE_SDCPP_URL", server.base_url.as_str())];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

#[tokio::test]
async fn jobs_carry_the_settings_and_their_images_come_back_inline() {
    let gpu = MockSdCpp::start(Duration::from_millis(150), 64);
    let app = sd_app(&gpu, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": MODEL, "prompt": "a paper boat", "aspect_ratio": "16:9", "seed": 11,
               "num_images": 2, "quality": "high"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    assert_eq!(done["charged"], done["cost"]);
    let body = &gpu.bodies()[0];
    assert_eq!(body["prompt"], "a paper boat");
    assert_eq!(body["negative_prompt"], "");
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(1024), Some(576))
    );
    assert_eq!(body["seed"], 11);
    assert_eq!(body["batch_count"], 2);
    assert_eq!(body["sample_params"]["sample_steps"], 10);
    assert_eq!(body["sample_params"]["guidance"]["txt_cfg"], 1.0);

    // Image-to-image: the reference rides along as base64, with our strength.
    let png = render::render("reference", 1, 320, 240, OutputFormat::Png).unwrap();
    let uploaded: Value = crate::uploads::upload(&app, &ada, &png, "ref.png")
        .await
        .json()
        .await
        .unwrap();
    let done = generate(
        &app,
        &ada,
        json!({"model": MODEL, "prompt": "at night", "reference_upload_id": uploaded["id"],
               "strength": 0.35}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let body = &gpu.bodies()[1];
    let sent = base64::engine::general_purpose::STANDARD
        .decode(body["init_image"].as_str().unwrap())
        .unwrap();
    assert!(image::load_from_memory(&sent).is_ok(), "a real image");
    assert_eq!(body["strength"], 0.35);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_full_queue_holds_tasks_back_instead_of_failing_them() {
    // Room for one job: the others are answered 429 until it is done.
    let gpu = MockSdCpp::start(Duration::from_millis(400), 1);
    let app = sd_app(&gpu, &[("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "3")]).await;
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
    assert!(gpu.refused_full() >= 1, "the queue was full at some point");
    assert_eq!(gpu.bodies().len(), 3, "each task made one job");
    assert_eq!(available(&app, &ada).await, 20 - 3);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn failures_unknown_jobs_slow_and_unreadable_answers_end_once_with_the_credits_back() {
    let gpu = MockSdCpp::start(Duration::from_millis(50), 64);
    let app = sd_app(&gpu, &[("ZIMAGE_PROVIDER_REQUEST_TIMEOUT_SECS", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;

    gpu.set_mode(SdMode::Fail);
    let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "a"})).await;
    assert_eq!(done["failure_reason"], "generation_failed", "{done}");
    assert!(
        done["failure_message"]
            .as_str()
            .unwrap()
            .contains("generation_failed")
    );

    // Accepted, but the answer cannot be read: the job may exist, so it is not sent again.
    gpu.set_mode(SdMode::MalformedSubmit);
    let before = gpu.submissions();
    let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "b"})).await;
    assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
    assert_eq!(gpu.submissions(), before + 1);

    // No answer within the timeout: same, one job at most.
    gpu.set_mode(SdMode::Slow);
    let before = gpu.submissions();
    let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "c"})).await;
    assert_eq!(done["status"], "failed", "{done}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(gpu.submissions(), before + 1, "not sent again");

    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn cancelling_stops_queued_jobs_and_a_restart_fails_the_task_as_unknown() {
    let gpu = MockSdCpp::start(Duration::from_secs(30), 64);
    let app = sd_app(&gpu, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let first = start(&app, &ada, json!({"model": MODEL, "prompt": "first"})).await;
    let second = start(&app, &ada, json!({"model": MODEL, "prompt": "second"})).await;
    until("both jobs at the server", || gpu.bodies().len() == 2).await;
    for id in [&second, &first] {
        let canceled = app
            .post_auth(
                &format!("/v1/generations/{id}/cancel"),
                &ada.access,
                &json!({}),
            )
            .await;
        assert_eq!(canceled.status(), 200);
    }
    until("both cancels sent", || gpu.cancels().len() == 2).await;
    // The queued one stopped; the generating one cannot be interrupted (409), and its task is
    // canceled here all the same, credits back.
    // Cancels go out as the tasks change, so they may reach the server in either order.
    let answers: std::collections::HashMap<String, u16> = gpu.cancels().into_iter().collect();
    let ids = gpu.ids();
    assert_eq!(
        (answers[&ids[0]], answers[&ids[1]]),
        (409, 200),
        "the first was generating, the second queued"
    );
    assert_eq!(available(&app, &ada).await, 20);

    let lost = start(&app, &ada, json!({"model": MODEL, "prompt": "lost"})).await;
    until("the job at the server", || gpu.bodies().len() == 3).await;
    gpu.set_mode(SdMode::Forget);
    let done = app.wait_for_task(&ada, &lost).await;
    assert_eq!(done["failure_reason"], "unknown_task", "{done}");
    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}
