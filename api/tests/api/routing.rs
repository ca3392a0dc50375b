//! Several backends per model: own GPU first (sd-server), a ComfyUI pool as overflow, each a
//! local server speaking its protocol. Fallback before acceptance, none after, switched-off
//! backends, the breaker, and the admin console's view.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::testing::comfyui::{ComfyMode, MockComfy};
use zimage_api::testing::sdcpp::{MockSdCpp, SdMode};

use crate::helpers::{Signed, TestApp, assert_problem, signed_in_admin, spawn_app_with, user_id};
use crate::providers::{available, generate, start};

/// "Own GPU first, the pool as overflow": sd-server at priority 1, ComfyUI at 2.
fn models_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zimage-routing-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("models.json");
    std::fs::write(
        &file,
        json!([{"id": "turbo", "name": "Z-Image Turbo",
            "backends": [
                {"provider": "comfyui", "provider_model": "z-image-turbo", "priority": 2},
                {"provider": "sdcpp", "provider_model": "z-image-turbo"}],
            "capabilities": ["text_to_image"], "aspect_ratios": ["1:1", "16:9"],
            "min_side": 256, "max_side": 2048, "default_long_side": 1024, "max_images": 4,
            "cost": {"standard": 1, "high": 2}}])
        .to_string(),
    )
    .unwrap();
    file
}

async fn routed_app(sd_url: &str, comfy: &MockComfy, extra: &[(&str, &str)]) -> TestApp {
    let file = models_file();
    let mut env = vec![
        ("ZIMAGE_MODELS_FILE", file.to_str().unwrap()),
        ("ZIMAGE_SDCPP_URL", sd_url),
        ("ZIMAGE_COMFYUI_URLS", comfy.base_url.as_str()),
    ];
    env.extend_from_slice(extra);
    spawn_app_with(&env).await
}

/// Switches a backend's mode through the admin API.
async fn set_backend(app: &TestApp, token: &str, provider: &str, mode: &str) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/v1/admin/backends/{provider}")))
        .bearer_auth(token)
        .json(&json!({"mode": mode}))
        .send()
        .await
        .unwrap()
}

/// Asserts that a task is still queued or running after `wait`.
async fn still_waiting_after(app: &TestApp, who: &Signed, id: &str, wait: Duration) {
    tokio::time::sleep(wait).await;
    let task = app
        .get_json(&format!("/v1/generations/{id}"), &who.access)
        .await;
    assert!(
        matches!(task["status"].as_str(), Some("queued" | "running")),
        "{task}"
    );
}

/// One backend's health, as the admin console shows it.
async fn health_of(app: &TestApp, admin: &Signed, provider: &str) -> Value {
    let backends = app.get_json("/v1/admin/backends", &admin.access).await;
    backends
        .as_array()
        .and_then(|all| all.iter().find(|b| b["provider"] == provider))
        .cloned()
        .unwrap_or_else(|| panic!("{provider} not in {backends}"))
}

/// The backend that ran a task, as the admin console shows it.
async fn backend_of(app: &TestApp, admin: &Signed, task: &str) -> String {
    let found = app
        .get_json(&format!("/v1/admin/tasks?q={task}"), &admin.access)
        .await;
    let items = found["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .find(|t| t["id"] == task)
        .map(|t| t["provider"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("task {task} not in the admin list: {found}"))
}

#[tokio::test]
async fn the_first_backend_serves_and_trouble_before_acceptance_moves_the_task_charging_once() {
    let gpu = MockSdCpp::start(Duration::from_millis(100), 64);
    let pool = MockComfy::start(Duration::from_millis(100));
    let app = routed_app(&gpu.base_url, &pool, &[]).await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;

    let done = generate(&app, &ada, json!({"model": "turbo", "prompt": "own gpu"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        backend_of(&app, &admin, done["id"].as_str().unwrap()).await,
        "sdcpp"
    );
    assert_eq!((gpu.bodies().len(), pool.submissions()), (1, 0));

    // The GPU's proxy answers 503: the task goes to the pool, once, charged once.
    gpu.set_mode(SdMode::Down);
    let done = generate(&app, &ada, json!({"model": "turbo", "prompt": "overflow"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["charged"], 1);
    assert_eq!(
        backend_of(&app, &admin, done["id"].as_str().unwrap()).await,
        "comfyui"
    );
    assert_eq!(pool.submissions(), 1);

    // Full (429): the same.
    let full = MockSdCpp::start(Duration::from_millis(100), 0);
    let app2 = routed_app(&full.base_url, &pool, &[]).await;
    let bob = app2.signed_in_user("bob@example.org").await;
    let done = generate(&app2, &bob, json!({"model": "turbo", "prompt": "full"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(full.refused_full() >= 1);
    assert_eq!(pool.submissions(), 2);

    // Nobody listening at all (connection refused): the same.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let app3 = routed_app(&closed, &pool, &[]).await;
    let cyd = app3.signed_in_user("cyd@example.org").await;
    let done = generate(&app3, &cyd, json!({"model": "turbo", "prompt": "refused"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(pool.submissions(), 3);

    assert_eq!(available(&app, &ada).await, 20 - 2);
    assert_eq!(available(&app2, &bob).await, 20 - 1);
    assert_eq!(available(&app3, &cyd).await, 20 - 1);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_backend_that_accepted_keeps_the_task_even_when_it_fails() {
    let gpu = MockSdCpp::start(Duration::from_millis(100), 64);
    gpu.set_mode(SdMode::Fail);
    let pool = MockComfy::start(Duration::from_millis(100));
    let app = routed_app(&gpu.base_url, &pool, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = generate(&app, &ada, json!({"model": "turbo", "prompt": "accepted"})).await;
    assert_eq!(done["failure_reason"], "generation_failed", "{done}");
    assert_eq!(gpu.bodies().len(), 1);
    assert_eq!(pool.submissions(), 0, "never sent a second time elsewhere");
    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn the_breaker_skips_a_failing_backend_until_it_recovers() {
    let gpu = MockSdCpp::start(Duration::from_millis(50), 64);
    gpu.set_mode(SdMode::Down);
    let pool = MockComfy::start(Duration::from_millis(50));
    let app = routed_app(&gpu.base_url, &pool, &[("ZIMAGE_SDCPP_BREAKER", "2,1500")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    for n in 0..4 {
        let done = generate(
            &app,
            &ada,
            json!({"model": "turbo", "prompt": format!("p{n}")}),
        )
        .await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    assert_eq!(
        gpu.submissions(),
        2,
        "open after two failures: not asked again"
    );
    assert_eq!(pool.submissions(), 4);

    // Back up; after the cool-down a probe finds it well and it serves again.
    gpu.set_mode(SdMode::Succeed);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let done = generate(&app, &ada, json!({"model": "turbo", "prompt": "back"})).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(gpu.bodies().len(), 1);
    assert_eq!(pool.submissions(), 4);
    assert_eq!(available(&app, &ada).await, 20 - 5);
}

#[tokio::test]
async fn a_backend_the_operator_must_fix_does_not_fail_tasks_another_backend_will_take() {
    let gpu = MockSdCpp::start(Duration::from_millis(50), 64);
    let pool = MockComfy::start(Duration::from_millis(50));
    // The pool's model file is missing: every graph fails validation.
    pool.set_mode(ComfyMode::MissingModel);
    let app = routed_app(&gpu.base_url, &pool, &[]).await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;

    // The GPU drains for maintenance: tasks wait for it rather than fail at the broken pool,
    // which is asked once and then passed over for a minute (not every recheck).
    let drained = set_backend(&app, &admin.access, "sdcpp", "draining").await;
    assert_eq!(drained.status(), 200);
    let id = &start(
        &app,
        &ada,
        json!({"model": "turbo", "prompt": "wait for the gpu"}),
    )
    .await;
    still_waiting_after(&app, &ada, id, Duration::from_millis(4500)).await;
    assert_eq!(pool.submissions(), 1, "asked once, then passed over");
    let comfy = health_of(&app, &admin, "comfyui").await;
    assert_eq!(
        comfy["resting"], false,
        "its breaker is for outages: {comfy}"
    );

    set_backend(&app, &admin.access, "sdcpp", "active").await;
    let done = app.wait_for_task(&ada, id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["charged"], 1);
    assert_eq!(backend_of(&app, &admin, id).await, "sdcpp");
    assert_eq!(pool.submissions(), 1);

    // With no other backend to wait for, the refusal ends the task, refunded, under its name.
    let other = MockComfy::start(Duration::from_millis(50));
    other.set_mode(ComfyMode::MissingModel);
    let fresh = routed_app(&gpu.base_url, &other, &[]).await;
    let fresh_admin = signed_in_admin(&fresh).await;
    set_backend(&fresh, &fresh_admin.access, "sdcpp", "disabled").await;
    let bob = fresh.signed_in_user("bob@example.org").await;
    let done = generate(&fresh, &bob, json!({"model": "turbo", "prompt": "nowhere"})).await;
    assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
    assert_eq!(
        backend_of(&fresh, &fresh_admin, done["id"].as_str().unwrap()).await,
        "comfyui"
    );
    // The next fails the same at once, without asking the pool again.
    let done = generate(&fresh, &bob, json!({"model": "turbo", "prompt": "again"})).await;
    assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
    assert_eq!(other.submissions(), 1);
    assert_eq!(available(&fresh, &bob).await, 20);
    assert_eq!(available(&app, &ada).await, 20 - 1);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn in_a_pool_one_server_refusing_leaves_the_others_the_work() {
    let gpu = MockSdCpp::start(Duration::from_millis(50), 64);
    let broken = MockComfy::start(Duration::from_millis(50));
    broken.set_mode(ComfyMode::MissingModel);
    let well = MockComfy::start(Duration::from_millis(50));
    let file = models_file();
    let pool = format!("{},{}", broken.base_url, well.base_url);
    let app = spawn_app_with(&[
        ("ZIMAGE_MODELS_FILE", file.to_str().unwrap()),
        ("ZIMAGE_SDCPP_URL", gpu.base_url.as_str()),
        ("ZIMAGE_COMFYUI_URLS", pool.as_str()),
    ])
    .await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    set_backend(&app, &admin.access, "sdcpp", "draining").await;
    for n in 0..3 {
        let done = generate(
            &app,
            &ada,
            json!({"model": "turbo", "prompt": format!("pool {n}")}),
        )
        .await;
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(
            backend_of(&app, &admin, done["id"].as_str().unwrap()).await,
            "comfyui"
        );
    }
    assert!(broken.submissions() <= 1, "passed over after refusing");
    assert_eq!(well.submissions(), 3);
    assert_eq!(available(&app, &ada).await, 20 - 3);
}

#[tokio::test]
async fn administrators_see_each_backend_and_drain_or_disable_it_without_a_restart() {
    let gpu = MockSdCpp::start(Duration::from_millis(100), 64);
    let pool = MockComfy::start(Duration::from_millis(100));
    let app = routed_app(&gpu.base_url, &pool, &[]).await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    generate(&app, &ada, json!({"model": "turbo", "prompt": "one"})).await;

    let sd = health_of(&app, &admin, "sdcpp").await;
    assert_eq!(sd["mode"], "active");
    assert_eq!(sd["models"], json!(["turbo"]));
    assert_eq!(sd["finished_last_hour"], 1);
    assert_eq!(sd["error_rate"], 0.0);
    assert!(sd["latency_p50_secs"].as_f64().unwrap() > 0.0, "{sd}");
    assert_eq!(sd["max_in_flight"], 32);

    // Disabled: it gets nothing, the pool takes everything.
    let set = |mode: &'static str| set_backend(&app, &admin.access, "sdcpp", mode);
    let changed: Value = set("disabled").await.json().await.unwrap();
    assert_eq!(changed["mode"], "disabled");
    for n in 0..2 {
        let done = generate(
            &app,
            &ada,
            json!({"model": "turbo", "prompt": format!("d{n}")}),
        )
        .await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    assert_eq!(gpu.bodies().len(), 1, "a disabled backend gets nothing");
    assert_eq!(pool.submissions(), 2);

    // Both off: a task that can go nowhere fails at once, refunded; draining ones wait.
    let pool_off = set_backend(&app, &admin.access, "comfyui", "draining").await;
    assert_eq!(pool_off.status(), 200);
    let waiting = start(&app, &ada, json!({"model": "turbo", "prompt": "w"})).await;
    still_waiting_after(&app, &ada, &waiting, Duration::from_millis(2500)).await;
    // Back in service: the waiting task goes to the GPU.
    let active: Value = set("active").await.json().await.unwrap();
    assert_eq!(active["mode"], "active");
    let done = app.wait_for_task(&ada, &waiting).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(gpu.bodies().len(), 2);

    // Bad input changes nothing.
    assert_problem(
        app.client
            .put(app.url("/v1/admin/backends/nowhere"))
            .bearer_auth(&admin.access)
            .json(&json!({"mode": "disabled"}))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    let bad = set("paused").await;
    assert_eq!(bad.status(), 422);
    let refused = app
        .client
        .get(app.url("/v1/admin/backends"))
        .bearer_auth(&ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let log = app.get_json("/v1/admin/audit-log", &admin.access).await;
    assert!(log.to_string().contains("backend.mode_changed"), "{log}");
    app.assert_ledger_consistent(user_id(&ada)).await;
}

/// A job's provider and status.
async fn job_of(app: &TestApp, task: uuid::Uuid) -> (String, String) {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Job {
        #[diesel(sql_type = diesel::sql_types::Text)]
        provider: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
    }
    let mut conn = app.state.db.get().await.unwrap();
    let job = diesel::sql_query("SELECT provider, status FROM jobs WHERE task_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(task)
        .get_result::<Job>(&mut conn)
        .await
        .unwrap();
    (job.provider, job.status)
}

#[tokio::test]
async fn a_routed_job_queued_again_after_its_process_stopped_waits_for_any_backend() {
    use diesel_async::RunQueryDsl;
    use zimage_api::db::jobs::{hand_back, take_over};
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut jobs = Vec::new();
    for prompt in ["routed", "single"] {
        let task: Value = app
            .post_auth(
                "/v1/generations",
                &ada.access,
                &json!({"model": "z-image-local", "prompt": prompt}),
            )
            .await
            .json()
            .await
            .unwrap();
        jobs.push(uuid::Uuid::parse_str(task["id"].as_str().unwrap()).unwrap());
    }
    let mut conn = app.state.db.get().await.unwrap();
    // Accepted by the built-in renderer (whose ids die with their process) in a process that is
    // gone now.
    let accepted_in = |worker: &str, task: uuid::Uuid| {
        format!(
            "WITH t AS (UPDATE ai_tasks SET provider = 'local', provider_task_id = 'gone-{task}', \
                        status = 'running', started_at = now() WHERE id = '{task}') \
             UPDATE jobs SET status = 'waiting', provider = 'local', locked_by = '{worker}' \
             WHERE task_id = '{task}'"
        )
    };
    // Taken over: queued again, under `routed` when its model has several backends.
    for (task, routed_models, expected) in [
        (jobs[0], vec!["z-image-local"], "routed"),
        (jobs[1], vec!["another-model"], "local"),
    ] {
        diesel::sql_query(accepted_in("dead-process", task))
            .execute(&mut conn)
            .await
            .unwrap();
        let taken = take_over(&mut conn, "alive", 60, 10, &["local"], &routed_models)
            .await
            .unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(
            job_of(&app, task).await,
            (expected.to_string(), "queued".to_string())
        );
    }

    // Handed back by a stopping process: the same.
    for task in &jobs {
        diesel::sql_query(accepted_in("stopping", *task))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    let ids: Vec<uuid::Uuid> =
        diesel::sql_query("SELECT id FROM jobs WHERE task_id = ANY($1) ORDER BY task_id = $2 DESC")
            .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&jobs)
            .bind::<diesel::sql_types::Uuid, _>(jobs[0])
            .load::<Id>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|job| job.id)
            .collect();
    hand_back(&mut conn, "stopping", &[], &ids, &ids[..1])
        .await
        .unwrap();
    for (task, expected) in [(jobs[0], "routed"), (jobs[1], "local")] {
        assert_eq!(
            job_of(&app, task).await,
            (expected.to_string(), "queued".to_string())
        );
    }
}
