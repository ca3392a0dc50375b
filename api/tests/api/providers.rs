//! Hosted providers end to end: the real clients against local servers speaking fal.ai's, KIE's
//! and the OpenAI images API's wire formats, through the queue, storage and credits.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::testing::providers::{MockProvider, Mode};

use crate::helpers::{Signed, TestApp, spawn_app_with, user_id};

pub async fn fal_app(mock: &MockProvider, extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![
        ("ZIMAGE_FAL_KEY", mock.key.as_str()),
        ("ZIMAGE_FAL_QUEUE_URL", mock.base_url.as_str()),
    ];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

pub async fn kie_app(mock: &MockProvider, extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![
        ("ZIMAGE_KIE_KEY", mock.key.as_str()),
        ("ZIMAGE_KIE_BASE_URL", mock.base_url.as_str()),
    ];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

pub async fn generate(app: &TestApp, who: &Signed, body: Value) -> Value {
    let response = app.post_auth("/v1/generations", &who.access, &body).await;
    assert_eq!(response.status(), 202);
    let task: Value = response.json().await.unwrap();
    app.wait_for_task(who, task["id"].as_str().unwrap()).await
}

/// Starts a generation without waiting for it; its id.
pub async fn start(app: &TestApp, who: &Signed, body: Value) -> String {
    let response = app.post_auth("/v1/generations", &who.access, &body).await;
    assert_eq!(response.status(), 202);
    let task: Value = response.json().await.unwrap();
    task["id"].as_str().unwrap().to_string()
}

/// Waits (up to 6 s) until `done` holds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("waited too long for {what}");
}

pub async fn available(app: &TestApp, who: &Signed) -> i64 {
    app.get_json("/v1/credits", &who.access).await["available"]
        .as_i64()
        .unwrap()
}

/// Runs one fal generation in `mode` and checks it failed with `reason`, credits returned.
async fn fal_fails(mode: Mode, extra: &[(&str, &str)], reason: &str) {
    let mock = MockProvider::fal();
    mock.set_mode(mode);
    let app = fal_app(&mock, extra).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a storm", "num_images": 1}),
    )
    .await;
    assert_eq!(done["status"], "failed", "{mode:?}: {done}");
    assert_eq!(done["failure_reason"], reason, "{mode:?}: {done}");
    assert_eq!(done["refunded"], done["cost"]);
    assert_eq!(done["charged"], 0);
    assert!(
        !done["failure_message"]
            .as_str()
            .unwrap()
            .contains(&mock.key),
        "no keys in messages"
    );
    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn fal_generations_follow_the_queue_and_store_the_results() {
    let mock = MockProvider::fal();
    let app = fal_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let models: Value = app.get_json("/v1/models", &ada.access).await;
    let ids: Vec<&str> = models["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "z-image-local",
            "z-image-turbo-fal",
            "z-image-turbo-fal-edit"
        ],
        "KIE has no key here"
    );

    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a glass lighthouse", "aspect_ratio": "16:9",
               "quality": "high", "seed": 42, "num_images": 2}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        (done["cost"].as_i64(), done["charged"].as_i64()),
        (Some(6), Some(6))
    );
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    assert_eq!(done["images"][0]["format"], "png", "recognised by content");
    assert_eq!(available(&app, &ada).await, 14);
    let file = app
        .get_auth(done["images"][0]["url"].as_str().unwrap(), &ada.access)
        .await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");

    let input = mock.first_input().unwrap();
    assert_eq!(input["prompt"], "a glass lighthouse");
    assert_eq!(input["image_size"], json!({"width": 1024, "height": 576}));
    assert_eq!(
        (input["seed"].as_i64(), input["num_images"].as_i64()),
        (Some(42), Some(2))
    );
    assert_eq!(
        input["acceleration"], "none",
        "high quality: no step-skipping"
    );
    assert_eq!(input["num_inference_steps"], 8);
    assert_eq!(input["enable_safety_checker"], true);
    assert_eq!(input["output_format"], "png");
    assert!(
        mock.authorizations()
            .iter()
            .all(|a| a == "Key fal-test-key"),
        "{:?}",
        mock.authorizations()
    );
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn fal_transient_trouble_is_retried_and_charged_once() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::FlakySubmit);
    let app = fal_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "second time lucky"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(mock.submissions(), 2, "one refused, one run");
    assert_eq!(done["charged"], 2);
    assert_eq!(available(&app, &ada).await, 18);
}

#[tokio::test]
async fn a_provider_429_is_retried_no_sooner_than_its_retry_after() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Throttle);
    let app = fal_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "after a pause"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let times = mock.submission_times();
    assert_eq!(times.len(), 2, "one throttled, one run");
    let waited = times[1] - times[0];
    assert!(
        waited >= std::time::Duration::from_secs(2),
        "retried after {waited:?}, before the 2 s Retry-After"
    );
    assert_eq!(done["charged"], 2);
    assert_eq!(available(&app, &ada).await, 18);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn fal_failures_end_the_task_with_a_reason_and_return_the_credits() {
    fal_fails(Mode::RejectSubmit, &[], "provider_rejected_prompt").await;
    fal_fails(Mode::FailRun, &[], "provider_rejected_prompt").await;
    fal_fails(Mode::Nsfw, &[], "nsfw_blocked").await;
    fal_fails(Mode::NotAnImage, &[], "invalid_output").await;
    // Image URLs off the provider's hosts (a cloud metadata address, directly or by redirect)
    // are not fetched: the task fails, refunded.
    fal_fails(Mode::ImagesElsewhere, &[], "invalid_output").await;
    fal_fails(Mode::ImagesRedirectedAway, &[], "invalid_output").await;
    // Transient trouble that never clears: given up after the last attempt.
    fal_fails(
        Mode::MalformedStatus,
        &[("ZIMAGE_JOB_MAX_ATTEMPTS", "1")],
        "provider_unavailable",
    )
    .await;
    fal_fails(
        Mode::Slow,
        &[
            ("ZIMAGE_JOB_MAX_ATTEMPTS", "1"),
            ("ZIMAGE_PROVIDER_REQUEST_TIMEOUT_SECS", "1"),
        ],
        "provider_unavailable",
    )
    .await;
}

#[tokio::test]
async fn canceling_a_fal_task_cancels_it_at_fal() {
    let mock = MockProvider::fal();
    let app = fal_app(&mock, &[("ZIMAGE_POLL_INTERVAL_MS", "2000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-turbo-fal", "prompt": "never mind"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    for _ in 0..100 {
        if mock.submissions() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let canceled: Value = app
        .post_auth(
            &format!("/v1/generations/{id}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(mock.canceled().len(), 1);
    assert_eq!(available(&app, &ada).await, 20);
}

#[tokio::test]
async fn kie_generations_poll_record_info_and_store_the_result() {
    let mock = MockProvider::kie();
    let app = kie_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-kie", "prompt": "a red kite", "aspect_ratio": "16:9"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 1);
    assert_eq!(done["charged"], 2);
    let input = mock.first_input().unwrap();
    assert_eq!(input["model"], "z-image");
    assert_eq!(
        input["input"],
        json!({"prompt": "a red kite", "aspect_ratio": "16:9"})
    );
    assert!(
        mock.authorizations()
            .iter()
            .all(|a| a == "Bearer kie-test-key")
    );
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn kie_errors_inside_http_200_and_failed_tasks_refund() {
    for (mode, reason) in [
        (Mode::OutOfCredits, "provider_unavailable"),
        (Mode::RejectSubmit, "provider_rejected_prompt"),
        (Mode::FailRun, "generation_failed"),
        (Mode::Nsfw, "nsfw_blocked"),
        (Mode::NotAnImage, "invalid_output"),
    ] {
        let mock = MockProvider::kie();
        mock.set_mode(mode);
        let app = kie_app(&mock, &[]).await;
        let ada = app.signed_in_user("ada@example.org").await;
        let done = generate(&app, &ada, json!({"model": "z-image-kie", "prompt": "p"})).await;
        assert_eq!(done["status"], "failed", "{mode:?}: {done}");
        assert_eq!(done["failure_reason"], reason, "{mode:?}");
        assert_eq!(done["refunded"], 2);
        assert_eq!(available(&app, &ada).await, 20);
        app.assert_ledger_consistent(user_id(&ada)).await;
    }
    // Our account being out of credits is not the user's fault, and says so.
    let mock = MockProvider::kie();
    mock.set_mode(Mode::OutOfCredits);
    let app = kie_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(&app, &ada, json!({"model": "z-image-kie", "prompt": "p"})).await;
    assert_eq!(
        done["failure_message"],
        "the image provider is temporarily unavailable"
    );
}

/// An app whose one model, `my-sdxl`, runs on the OpenAI-compatible `mock`.
async fn openai_app(mock: &MockProvider, extra: &[(&str, &str)]) -> TestApp {
    let dir = std::env::temp_dir().join(format!("zimage-models-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let models = dir.join("models.json");
    std::fs::write(
        &models,
        json!([{
            "id": "my-sdxl", "name": "My SDXL server", "provider": "openai_compatible",
            "provider_model": "sdxl-turbo", "capabilities": ["text_to_image"],
            "aspect_ratios": ["1:1"], "min_side": 256, "max_side": 1024, "default_long_side": 512,
            "max_images": 2, "cost": {"standard": 1, "high": 1}
        }])
        .to_string(),
    )
    .unwrap();
    let mut env = vec![
        ("ZIMAGE_OPENAI_BASE_URL", mock.base_url.as_str()),
        ("ZIMAGE_OPENAI_API_KEY", mock.key.as_str()),
        ("ZIMAGE_MODELS_FILE", models.to_str().unwrap()),
    ];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

#[tokio::test]
async fn openai_compatible_servers_plug_in_through_the_model_list() {
    let mock = MockProvider::openai();
    let app = openai_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "my-sdxl", "prompt": "a fox", "num_images": 2}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    let input = mock.first_input().unwrap();
    assert_eq!(
        (
            input["model"].as_str(),
            input["size"].as_str(),
            input["n"].as_i64()
        ),
        (Some("sdxl-turbo"), Some("512x512"), Some(2))
    );

    mock.set_mode(Mode::Nsfw);
    let refused = generate(&app, &ada, json!({"model": "my-sdxl", "prompt": "no"})).await;
    assert_eq!(refused["failure_reason"], "nsfw_blocked");
    assert_eq!(available(&app, &ada).await, 18);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

pub async fn post_webhook(
    app: &TestApp,
    provider: &str,
    headers: &[(String, String)],
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/v1/webhooks/providers/{provider}")))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap()
}

async fn wait_for_status(app: &TestApp, who: &Signed, id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        last = app
            .get_json(&format!("/v1/generations/{id}"), &who.access)
            .await;
        if last["status"] == status {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("task {id} never became {status}: {last}");
}

/// The provider's id of the one submitted request. A claimed task shows `running` from the
/// claim on, a moment before its worker has submitted it, so this waits for the submission.
pub async fn submitted_request(mock: &MockProvider) -> String {
    for _ in 0..200 {
        if let Some(id) = mock.request_ids().first() {
            return id.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the provider never received the task");
}

#[tokio::test]
async fn a_signed_fal_webhook_completes_the_task_without_waiting_for_the_next_poll() {
    let mock = MockProvider::fal();
    let jwks = format!("{}/.well-known/jwks.json", mock.base_url);
    // Polling every 10 minutes: only the webhook can finish this task in time.
    let app = fal_app(
        &mock,
        &[
            ("ZIMAGE_FAL_WEBHOOKS", "true"),
            ("ZIMAGE_FAL_JWKS_URL", jwks.as_str()),
            ("ZIMAGE_POLL_INTERVAL_MS", "600000"),
        ],
    )
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-turbo-fal", "prompt": "called back"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    wait_for_status(&app, &ada, id, "running").await;
    let request_id = submitted_request(&mock).await;
    let body = json!({"request_id": request_id, "gateway_request_id": request_id, "status": "OK",
                      "error": null, "payload": {"images": []}})
    .to_string();
    let now = chrono::Utc::now().timestamp();

    // Forged, tampered and replayed notices are refused and change nothing.
    let mut forged = mock.fal_webhook_headers(&request_id, &body, now);
    forged[3].1 = "00".repeat(64);
    crate::helpers::assert_problem(
        post_webhook(&app, "fal", &forged, &body).await,
        400,
        "invalid_signature",
    )
    .await;
    let signed = mock.fal_webhook_headers(&request_id, &body, now);
    crate::helpers::assert_problem(
        post_webhook(&app, "fal", &signed, &body.replace("OK", "KO")).await,
        400,
        "invalid_signature",
    )
    .await;
    let stale = mock.fal_webhook_headers(&request_id, &body, now - 3600);
    crate::helpers::assert_problem(
        post_webhook(&app, "fal", &stale, &body).await,
        400,
        "invalid_signature",
    )
    .await;
    assert_eq!(
        app.get_json(&format!("/v1/generations/{id}"), &ada.access)
            .await["status"],
        "running"
    );

    // Finished at fal only now: the worker's first status check, just after submitting, must
    // not be what completes the task.
    mock.complete(&request_id);
    let accepted = post_webhook(&app, "fal", &signed, &body).await;
    assert_eq!(accepted.status(), 200);
    let done = wait_for_status(&app, &ada, id, "succeeded").await;
    assert_eq!(done["charged"], 2);
    // Delivered again (fal retries): nothing more happens.
    assert_eq!(
        post_webhook(&app, "fal", &signed, &body).await.status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(available(&app, &ada).await, 18);
    assert_eq!(
        mock.jwks_fetches(),
        1,
        "badly signed notices do not make us fetch the keys again and again"
    );
    app.assert_ledger_consistent(user_id(&ada)).await;
}

/// A KIE app whose callbacks are signed with `kie_test_key`, checking every `poll_ms`, and one
/// running task of Ada's: the app, Ada, our task's id and KIE's.
async fn kie_task_called_back(
    mock: &MockProvider,
    poll_ms: &str,
) -> (TestApp, Signed, String, String) {
    let app = kie_app(
        mock,
        &[
            ("ZIMAGE_KIE_WEBHOOK_HMAC_KEY", "kie_test_key"),
            ("ZIMAGE_POLL_INTERVAL_MS", poll_ms),
        ],
    )
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-kie", "prompt": "called back"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap().to_string();
    wait_for_status(&app, &ada, &id, "running").await;
    let task_id = submitted_request(mock).await;
    (app, ada, id, task_id)
}

#[tokio::test]
async fn a_kie_callback_is_verified_and_the_outcome_re_read_before_anything_is_granted() {
    let mock = MockProvider::kie();
    let (app, ada, id, task_id) = kie_task_called_back(&mock, "600000").await;
    let id = id.as_str();
    assert_eq!(
        mock.first_input().unwrap()["callBackUrl"],
        "http://zimage.test/v1/webhooks/providers/kie"
    );
    // A correctly signed callback that claims success while KIE says "generating" grants nothing.
    let body = json!({"code": 200, "msg": "success",
                      "data": {"taskId": task_id, "state": "success",
                               "resultJson": "{\"resultUrls\":[\"https://evil.example/x.png\"]}"}})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    let headers = MockProvider::kie_callback_headers("kie_test_key", &task_id, now);
    assert_eq!(
        post_webhook(&app, "kie", &headers, &body).await.status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.get_json(&format!("/v1/generations/{id}"), &ada.access)
            .await["status"],
        "running"
    );
    let wrong_key = MockProvider::kie_callback_headers("not-the-key", &task_id, now);
    crate::helpers::assert_problem(
        post_webhook(&app, "kie", &wrong_key, &body).await,
        400,
        "invalid_signature",
    )
    .await;

    mock.complete(&task_id);
    assert_eq!(
        post_webhook(&app, "kie", &headers, &body).await.status(),
        200
    );
    let done = wait_for_status(&app, &ada, id, "succeeded").await;
    assert_eq!(done["images"].as_array().unwrap().len(), 1);
    assert_eq!(available(&app, &ada).await, 18);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn openai_compatible_faults_end_once_with_a_reason_and_the_credits_back() {
    // Each fault: the task ends with its reason and a refund, after one call to the server.
    for (mode, extra, reason) in [
        (Mode::MalformedSubmit, &[][..], "invalid_output"),
        (Mode::NotAnImage, &[][..], "invalid_output"),
        (Mode::RejectSubmit, &[][..], "provider_rejected_prompt"),
        (
            Mode::Slow,
            &[
                ("ZIMAGE_TASK_TIMEOUT_SECS", "1"),
                ("ZIMAGE_PROVIDER_REQUEST_TIMEOUT_SECS", "10"),
            ][..],
            "provider_timeout",
        ),
    ] {
        let mock = MockProvider::openai();
        mock.set_mode(mode);
        let app = openai_app(&mock, extra).await;
        let ada = app.signed_in_user("ada@example.org").await;
        let done = generate(&app, &ada, json!({"model": "my-sdxl", "prompt": "faulty"})).await;
        assert_eq!(done["status"], "failed", "{mode:?}: {done}");
        assert_eq!(done["failure_reason"], reason, "{mode:?}: {done}");
        assert_eq!(
            (done["charged"].as_i64(), done["refunded"].as_i64()),
            (Some(0), Some(1))
        );
        // The slow call is abandoned (and aborted) before the server has even taken it in.
        let calls = if mode == Mode::Slow { 0..=1 } else { 1..=1 };
        assert!(
            calls.contains(&mock.jobs()),
            "{mode:?}: one call for one task"
        );
        assert_eq!(available(&app, &ada).await, 20);
        app.assert_ledger_consistent(user_id(&ada)).await;
    }

    // A 429: nothing was made; the call is made again, no sooner than its Retry-After.
    let mock = MockProvider::openai();
    mock.set_mode(Mode::Throttle);
    let app = openai_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(&app, &ada, json!({"model": "my-sdxl", "prompt": "later"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let times = mock.submission_times();
    assert_eq!(times.len(), 2, "one throttled, one run");
    assert!(
        times[1] - times[0] >= std::time::Duration::from_secs(3),
        "retried after {:?}, before the 3 s Retry-After",
        times[1] - times[0]
    );
    assert_eq!(available(&app, &ada).await, 19);
}

#[tokio::test]
async fn kie_checks_answered_429_wait_for_the_retry_after() {
    let mock = MockProvider::kie();
    mock.set_mode(Mode::ThrottleChecks);
    let app = kie_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-kie", "prompt": "patience"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let checks = mock.check_times();
    assert!(checks.len() >= 2, "{checks:?}");
    assert!(
        checks[1] - checks[0] >= std::time::Duration::from_secs(3),
        "checked again after {:?}, before the 3 s Retry-After",
        checks[1] - checks[0]
    );
    assert_eq!(done["charged"], 2);
}

#[tokio::test]
async fn kie_tasks_time_out_from_their_start_and_a_failing_kie_is_rested() {
    // Never finishing: the task ends at its deadline, counted from its start, with a refund.
    let mock = MockProvider::kie();
    mock.set_mode(Mode::Hold);
    let app = kie_app(&mock, &[("ZIMAGE_TASK_TIMEOUT_SECS", "2")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-kie", "prompt": "forever"}),
    )
    .await;
    assert_eq!(done["failure_reason"], "provider_timeout", "{done}");
    let took = chrono::DateTime::parse_from_rfc3339(done["finished_at"].as_str().unwrap()).unwrap()
        - chrono::DateTime::parse_from_rfc3339(done["started_at"].as_str().unwrap()).unwrap();
    assert!(
        took.num_milliseconds() < 4000,
        "ended {took} after its start"
    );
    assert_eq!(available(&app, &ada).await, 20);
    assert_eq!(mock.jobs(), 1);

    // Down: two failed submissions open the breaker, and a new task waits instead of being sent.
    let mock = MockProvider::kie();
    mock.set_mode(Mode::Down);
    let app = kie_app(&mock, &[("ZIMAGE_KIE_BREAKER", "2,3000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let body = json!({"model": "z-image-kie", "prompt": "down"});
    for _ in 0..2 {
        let response = app.post_auth("/v1/generations", &ada.access, &body).await;
        assert_eq!(response.status(), 202);
    }
    for _ in 0..200 {
        if mock.submissions() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let bob = app.signed_in_user("bob@example.org").await;
    let response = app.post_auth("/v1/generations", &bob.access, &body).await;
    let waiting: Value = response.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        mock.submissions(),
        2,
        "nothing sent while the breaker is open"
    );
    mock.set_mode(Mode::Succeed);
    let done = app
        .wait_for_task(&bob, waiting["id"].as_str().unwrap())
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    app.assert_ledger_consistent(user_id(&bob)).await;
}

#[tokio::test]
async fn openai_compatible_models_refuse_what_they_cannot_honour_and_rest_when_failing() {
    let mock = MockProvider::openai();
    mock.set_mode(Mode::Down);
    let app = openai_app(&mock, &[("ZIMAGE_OPENAI_COMPATIBLE_BREAKER", "2,3000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;

    // The images API takes neither a negative prompt nor a seed: refused before any charge.
    for (body, field) in [
        (
            json!({"model": "my-sdxl", "prompt": "a fox", "negative_prompt": "rain"}),
            "negative_prompt",
        ),
        (
            json!({"model": "my-sdxl", "prompt": "a fox", "seed": 7}),
            "seed",
        ),
    ] {
        let response = app.post_auth("/v1/generations", &ada.access, &body).await;
        let problem = crate::helpers::assert_problem(response, 422, "unsupported_parameter").await;
        assert!(problem["errors"][field].is_array(), "{problem}");
    }
    assert_eq!(available(&app, &ada).await, 20);
    assert_eq!(mock.submission_times().len(), 0, "nothing was sent");

    // Down: two failed calls open the breaker; a new task waits instead of being sent.
    let body = json!({"model": "my-sdxl", "prompt": "down"});
    for _ in 0..2 {
        let response = app.post_auth("/v1/generations", &ada.access, &body).await;
        assert_eq!(response.status(), 202);
    }
    for _ in 0..200 {
        if mock.submissions() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let bob = app.signed_in_user("bob@example.org").await;
    let waiting: Value = app
        .post_auth("/v1/generations", &bob.access, &body)
        .await
        .json()
        .await
        .unwrap();
    let waiting = waiting["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        mock.submissions(),
        2,
        "nothing sent while the breaker is open"
    );
    assert_eq!(
        app.get_json(&format!("/v1/generations/{waiting}"), &bob.access)
            .await["status"],
        "queued"
    );
    // Back up: after the rest, one probe goes through and the rest follow, each charged once.
    mock.set_mode(Mode::Succeed);
    let done = app.wait_for_task(&bob, waiting).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(available(&app, &bob).await, 19);
    app.assert_ledger_consistent(user_id(&bob)).await;
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn kie_callbacks_racing_the_checks_download_each_image_once() {
    let mock = MockProvider::kie();
    mock.set_mode(Mode::Hold);
    let (app, ada, id, task_id) = kie_task_called_back(&mock, "10").await;
    let id = id.as_str();
    let body = json!({"code": 200, "msg": "success",
                      "data": {"taskId": task_id, "state": "success"}})
    .to_string();
    let headers = MockProvider::kie_callback_headers(
        "kie_test_key",
        &task_id,
        chrono::Utc::now().timestamp(),
    );
    // Done at KIE: the checks and five deliveries of the callback race for the finish.
    mock.set_mode(Mode::Succeed);
    mock.complete(&task_id);
    let callbacks = (0..5).map(|_| post_webhook(&app, "kie", &headers, &body));
    for answer in futures_util::future::join_all(callbacks).await {
        assert_eq!(answer.status(), 200);
    }
    let done = wait_for_status(&app, &ada, id, "succeeded").await;
    assert_eq!(done["images"].as_array().unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let downloads = mock.downloads();
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    assert!(
        downloads.values().all(|n| *n == 1),
        "one download: {downloads:?}"
    );
    assert_eq!(mock.jobs(), 1);
    assert_eq!(available(&app, &ada).await, 18);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn openai_compatible_results_are_converted_measured_and_charged_as_delivered() {
    // Asked for two 512 px JPEGs; the server answers one 256 px PNG.
    let mock = MockProvider::openai();
    mock.set_mode(Mode::FewerImages);
    let app = openai_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "my-sdxl", "prompt": "a fox", "num_images": 2, "output_format": "jpeg"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let images = done["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{done}");
    assert_eq!(images[0]["format"], "jpeg", "converted as asked");
    assert_eq!(
        (images[0]["width"].as_u64(), images[0]["height"].as_u64()),
        (Some(256), Some(256)),
        "recorded as delivered, not as asked"
    );
    let file = app
        .get_auth(images[0]["url"].as_str().unwrap(), &ada.access)
        .await
        .bytes()
        .await
        .unwrap();
    assert!(file.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG file");
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(1), Some(1)),
        "one image delivered, one charged"
    );
    assert_eq!(available(&app, &ada).await, 19);
    assert_eq!(mock.jobs(), 1);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn result_downloads_follow_redirects_on_the_providers_hosts() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::ImagesRedirected);
    let app = fal_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a moved file", "num_images": 2}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    let downloads = mock.downloads();
    assert_eq!(
        downloads.keys().filter(|k| k.starts_with("moved-")).count(),
        2
    );
    assert_eq!(
        downloads
            .keys()
            .filter(|k| !k.starts_with("moved-"))
            .count(),
        2
    );
}
