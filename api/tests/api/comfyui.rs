//! The operator's own GPUs through ComfyUI: the real client against local servers speaking
//! ComfyUI's HTTP API (`zimage_api::testing::comfyui`), through the queue, storage and credits.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::providers::render;
use zimage_api::testing::comfyui::{ComfyMode, MockComfy};
use zimage_shared::generation::OutputFormat;

use crate::helpers::{TestApp, spawn_app_with, user_id};
use crate::providers::{available, generate, start, until};

const MODEL: &str = "z-image-turbo-comfyui";

async fn comfy_app(servers: &[&MockComfy], extra: &[(&str, &str)]) -> TestApp {
    let urls = servers
        .iter()
        .map(|s| s.base_url.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let mut env = vec![("ZIMAGE_COMFYUI_URLS", urls.as_str())];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

#[tokio::test]
async fn the_official_graph_makes_every_image_asked_and_image_to_image_starts_from_the_upload() {
    let gpu = MockComfy::start(Duration::from_millis(200));
    let app = comfy_app(&[&gpu], &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let models: Value = app.get_json("/v1/models", &ada.access).await;
    let offered = models["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == MODEL)
        .expect("offered once ZIMAGE_COMFYUI_URLS is set")
        .clone();
    assert_eq!(offered["provider"], "comfyui");
    assert_eq!(
        offered["supports"],
        json!({"negative_prompt": false, "seed": true})
    );

    let done = generate(
        &app,
        &ada,
        json!({"model": MODEL, "prompt": "a glass lighthouse", "aspect_ratio": "16:9",
               "seed": 7, "num_images": 3}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 3);
    assert_eq!(
        (done["cost"].as_i64(), done["charged"].as_i64()),
        (Some(3), Some(3))
    );
    let file = app
        .get_auth(done["images"][2]["url"].as_str().unwrap(), &ada.access)
        .await;
    assert_eq!(file.status(), 200);
    let graph = &gpu.graphs()[0];
    assert_eq!(graph["27"]["inputs"]["text"], "a glass lighthouse");
    assert_eq!(
        (
            &graph["13"]["inputs"]["width"],
            &graph["13"]["inputs"]["height"]
        ),
        (&json!(1024), &json!(576))
    );
    assert_eq!(graph["13"]["inputs"]["batch_size"], 3);
    assert_eq!(graph["3"]["inputs"]["seed"], 7);
    assert_eq!(graph["3"]["inputs"]["steps"], 8);
    assert_eq!(graph["3"]["inputs"]["cfg"], 1);
    assert_eq!(graph["3"]["inputs"]["denoise"], 1);
    // Three outputs fetched, not the preview the history also lists.
    assert_eq!(gpu.views(), 3);
    assert_eq!(gpu.origin_refused(), 0, "no Origin header is ever sent");

    // A negative prompt is refused up front: the graph has no place for it.
    let refused = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": MODEL, "prompt": "x", "negative_prompt": "blur"}),
        )
        .await;
    assert_eq!(refused.status(), 422);

    // Image-to-image: the reference goes up first, and the sampler denoises by the strength.
    let png = render::render("reference", 1, 320, 240, OutputFormat::Png).unwrap();
    let uploaded: Value = crate::uploads::upload(&app, &ada, &png, "ref.png")
        .await
        .json()
        .await
        .unwrap();
    let done = generate(
        &app,
        &ada,
        json!({"model": MODEL, "prompt": "the same, at dusk", "num_images": 2,
               "reference_upload_id": uploaded["id"], "strength": 0.4}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    let graph = &gpu.graphs()[1];
    let name = graph["40"]["inputs"]["image"].as_str().unwrap();
    assert_eq!(gpu.uploads(), [name.to_string()]);
    assert_eq!(graph["3"]["inputs"]["denoise"], 0.4);
    assert_eq!(graph["43"]["inputs"]["amount"], 2);
    assert_eq!(graph["3"]["inputs"]["latent_image"], json!(["43", 0]));
    assert_eq!(available(&app, &ada).await, 20 - 3 - 2);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

/// Runs one task against a server in `mode` and returns it once ended.
async fn ends_with(mode: ComfyMode) -> (Value, MockComfy) {
    let gpu = MockComfy::start(Duration::from_millis(100));
    gpu.set_mode(mode);
    let app = comfy_app(&[&gpu], &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(&app, &ada, json!({"model": MODEL, "prompt": "a storm"})).await;
    assert_eq!(done["refunded"], done["cost"], "{mode:?}: {done}");
    assert_eq!(done["charged"], 0);
    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
    (done, gpu)
}

#[tokio::test]
async fn refused_graphs_failed_runs_and_unreadable_answers_end_once_with_the_credits_back() {
    // A model file missing on the GPU box: the operator's to fix, never retried.
    let (done, gpu) = ends_with(ComfyMode::MissingModel).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["failure_reason"], "provider_unavailable");
    assert_eq!(gpu.submissions(), 1, "no retry storm");
    // Out of memory on the GPU: the run failed.
    let (done, _) = ends_with(ComfyMode::OutOfMemory).await;
    assert_eq!(done["failure_reason"], "generation_failed");
    assert!(
        done["failure_message"]
            .as_str()
            .unwrap()
            .contains("out of memory"),
        "{done}"
    );
    // An answer that cannot be read may hide a queued prompt: not sent again.
    let (done, gpu) = ends_with(ComfyMode::MalformedSubmit).await;
    assert_eq!(done["failure_reason"], "provider_unavailable");
    assert_eq!(gpu.submissions(), 1);
}

#[tokio::test]
async fn a_prompt_the_server_forgot_fails_as_unknown_and_cancelling_interrupts_only_ours() {
    let gpu = MockComfy::start(Duration::from_secs(30));
    let app = comfy_app(&[&gpu], &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let first = start(&app, &ada, json!({"model": MODEL, "prompt": "first"})).await;
    let second = start(&app, &ada, json!({"model": MODEL, "prompt": "second"})).await;
    until("both prompts queued", || gpu.busy() == 2).await;
    // One runs, one waits: cancelling the waiting one deletes it and interrupts nothing.
    let canceled = app
        .post_auth(
            &format!("/v1/generations/{second}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(canceled.status(), 200);
    until("the queued prompt deleted", || gpu.deleted().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(gpu.interrupts().is_empty(), "{:?}", gpu.interrupts());
    // Cancelling the running one interrupts it, by its id.
    let canceled = app
        .post_auth(
            &format!("/v1/generations/{first}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(canceled.status(), 200);
    until("the running prompt interrupted", || {
        !gpu.interrupts().is_empty()
    })
    .await;
    let running_id = gpu.deleted()[1].clone();
    assert_eq!(gpu.interrupts(), [Some(running_id)]);
    assert_eq!(available(&app, &ada).await, 20);

    // A restarted server knows nothing of what it had: the task fails as unknown.
    let lost = start(&app, &ada, json!({"model": MODEL, "prompt": "lost"})).await;
    until("the prompt queued", || gpu.graphs().len() == 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    gpu.set_mode(ComfyMode::Forget);
    let done = app.wait_for_task(&ada, &lost).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["failure_reason"], "unknown_task");
    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_pool_sends_each_task_to_the_least_busy_server_that_answers() {
    let gpus: Vec<MockComfy> = (0..3)
        .map(|_| MockComfy::start(Duration::from_secs(1)))
        .collect();
    let unwell = MockComfy::start(Duration::from_millis(10));
    unwell.set_mode(ComfyMode::Unwell);
    // A member that refuses connections (its port closed).
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port())
    };
    let urls = [
        gpus[0].base_url.as_str(),
        gone.as_str(),
        gpus[1].base_url.as_str(),
        unwell.base_url.as_str(),
        gpus[2].base_url.as_str(),
    ]
    .join(",");
    let app = spawn_app_with(&[
        ("ZIMAGE_COMFYUI_URLS", urls.as_str()),
        ("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "6"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            start(
                &app,
                &ada,
                json!({"model": MODEL, "prompt": format!("task {n}")}),
            )
            .await,
        );
    }
    for id in &ids {
        let done = app.wait_for_task(&ada, id).await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    let shares: Vec<usize> = gpus.iter().map(|g| g.graphs().len()).collect();
    assert_eq!(shares.iter().sum::<usize>(), 6);
    // However the six arrive (together or apart), the least busy takes the next: nobody is
    // left idle while another holds three.
    assert!(
        shares.iter().all(|n| (1..=3).contains(n)),
        "the work is spread: {shares:?}"
    );
    assert_eq!(
        unwell.submissions(),
        0,
        "a server that cannot say how busy it is gets nothing"
    );
}

#[tokio::test]
async fn with_the_websocket_on_running_tasks_report_the_samplers_progress() {
    let gpu = MockComfy::start(Duration::from_millis(2400));
    let app = comfy_app(
        &[&gpu],
        &[
            ("ZIMAGE_COMFYUI_WEBSOCKET", "true"),
            ("ZIMAGE_POLL_INTERVAL_MS", "100"),
        ],
    )
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = start(
        &app,
        &ada,
        json!({"model": "z-image-turbo-comfyui", "prompt": "a slow lighthouse"}),
    )
    .await;
    let mut seen = Vec::new();
    for _ in 0..100 {
        let task = app
            .get_json(&format!("/v1/generations/{id}"), &ada.access)
            .await;
        if let Some(p) = task["progress"].as_f64() {
            seen.push(p);
        }
        if task["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen.iter().any(|p| *p > 0.0 && *p < 1.0),
        "progress between 0 and 1 was reported: {seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "never back: {seen:?}"
    );
    assert_eq!(gpu.socket_connections(), 1, "one socket per server");
    let done = app.wait_for_task(&ada, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
}
