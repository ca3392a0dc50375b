//! Prometheus metrics on their own listener, in the format Prometheus's own checker accepts.

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn metrics_count_requests_by_route_template_on_their_own_listener() {
    let app = spawn_app_with(&[("ZIMAGE_METRICS_BIND", "127.0.0.1:0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    for _ in 0..2 {
        assert_eq!(
            app.client
                .get(app.url("/v1/models"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let id = uuid::Uuid::new_v4();
    let missing = app.get_auth(&format!("/v1/images/{id}"), &ada.access).await;
    assert_eq!(missing.status(), 404);
    // Not on the public address.
    let public = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404);
    let metrics = app.metrics_address.as_deref().expect("a metrics listener");
    let scraped = app
        .client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scraped.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert_eq!(
        value(r#"zimage_http_requests_total{method="GET",route="/v1/models",status="200"}"#),
        2.0
    );
    // Ids never become labels: the route template does.
    assert_eq!(
        value(r#"zimage_http_requests_total{method="GET",route="/v1/images/{id}",status="404"}"#),
        1.0
    );
    assert!(!text.contains(&id.to_string()));
    assert!(
        value(r#"zimage_http_request_duration_seconds_count{method="GET",route="/v1/models"}"#)
            >= 2.0
    );
    assert_eq!(
        value(r#"zimage_queue_jobs{status="queued",provider="local"}"#),
        0.0
    );
    assert!(text.contains("zimage_build_info{version="));
    // Prometheus's own checker accepts the exposition (promtool: `just test` installs it).
    promtool_accepts(&text).await;
}

/// Prometheus's own checker accepts the exposition `text`.
async fn promtool_accepts(text: &str) {
    let mut check = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool is installed (scripts/deps.sh installs Debian's prometheus)");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = check.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).await.unwrap();
    }
    let checked = check.wait_with_output().await.unwrap();
    assert!(
        checked.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// Scrapes `app`'s metrics listener.
async fn scrape(app: &crate::helpers::TestApp) -> String {
    let metrics = app.metrics_address.as_deref().expect("a metrics listener");
    app.client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of one series, 0 when it is absent.
fn series(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// A task that succeeds and one canceled, a webhook attempt and a scheduled pass: each shows in
/// its own series, with the credits the tasks moved.
#[tokio::test]
async fn the_work_of_tasks_webhooks_and_the_scheduler_shows_in_the_metrics() {
    // No background workers: the test drives each step itself.
    let app = spawn_app_with(&[
        ("ZIMAGE_METRICS_BIND", "127.0.0.1:0"),
        ("ZIMAGE_WORKERS", "0"),
        ("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    // Nothing listens there: the attempt fails and is retried later.
    let closed = zimage_api::testing::free_port();
    let submit = |prompt: &'static str, hook: Option<String>| {
        let mut body = serde_json::json!({"model": "z-image-local", "prompt": prompt, "width": 256, "height": 256});
        if let Some(hook) = hook {
            body["webhook_url"] = hook.into();
        }
        let app = &app;
        let ada = &ada;
        async move {
            let answer = app.post_auth("/v1/generations", &ada.access, &body).await;
            assert_eq!(answer.status(), 202);
            answer.json::<serde_json::Value>().await.unwrap()
        }
    };
    let kept = submit("kept", Some(format!("http://127.0.0.1:{closed}/hook"))).await;
    let dropped = submit("dropped", None).await;
    let cost = kept["cost"].as_f64().unwrap();
    let queued = scrape(&app).await;
    assert_eq!(
        series(
            &queued,
            r#"zimage_queue_jobs{status="queued",provider="local"}"#
        ),
        2.0
    );
    assert_eq!(series(&queued, "zimage_credits_held"), 2.0 * cost);
    assert_eq!(
        series(&queued, r#"zimage_credits_total{movement="held"}"#),
        2.0 * cost
    );
    let canceled = app
        .post_auth(
            &format!("/v1/generations/{}/cancel", dropped["id"].as_str().unwrap()),
            &ada.access,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(canceled.status(), 200);
    assert!(
        zimage_api::jobs::worker::next(&app.state, "metrics-test")
            .await
            .unwrap()
    );
    let done = app.wait_for_task(&ada, kept["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(zimage_api::jobs::deliverer::next(&app.state).await.unwrap());
    zimage_api::jobs::scheduler::run_if_due(&app.state, "a", std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .expect("the first pass is due");
    let skipped = zimage_api::jobs::scheduler::run_if_due(
        &app.state,
        "b",
        std::time::Duration::from_secs(60),
    )
    .await
    .unwrap();
    assert!(skipped.is_none());

    let text = scrape(&app).await;
    for (name, want) in [
        (
            r#"zimage_task_outcomes_total{provider="local",outcome="succeeded",code="none"}"#,
            1.0,
        ),
        (
            r#"zimage_task_outcomes_total{provider="local",outcome="canceled",code="none"}"#,
            1.0,
        ),
        (r#"zimage_credits_total{movement="settled"}"#, cost),
        (r#"zimage_credits_total{movement="refunded"}"#, cost),
        ("zimage_credits_held", 0.0),
        (r#"zimage_tasks_in_flight{provider="local"}"#, 0.0),
        (
            r#"zimage_provider_requests_total{provider="local",call="submit",outcome="ok"}"#,
            1.0,
        ),
        (
            r#"zimage_provider_requests_total{provider="local",call="collect",outcome="ok"}"#,
            1.0,
        ),
        (
            r#"zimage_provider_request_duration_seconds_count{provider="local",call="submit"}"#,
            1.0,
        ),
        (
            r#"zimage_webhook_deliveries_total{outcome="retrying"}"#,
            1.0,
        ),
        (r#"zimage_scheduler_runs_total{outcome="ran"}"#, 1.0),
        (r#"zimage_scheduler_runs_total{outcome="skipped"}"#, 1.0),
        (
            r#"zimage_queue_jobs{status="queued",provider="local"}"#,
            0.0,
        ),
        ("zimage_live_streams", 0.0),
        ("zimage_db_waiting", 0.0),
    ] {
        assert_eq!(series(&text, name), want, "{name} in\n{text}");
    }
    assert!(series(&text, "zimage_db_connections_max") >= 4.0, "{text}");
    assert!(
        series(&text, r#"zimage_db_connections{state="idle"}"#) >= 1.0,
        "{text}"
    );
    // Polls happened while the task rendered; each timed.
    assert!(
        series(
            &text,
            r#"zimage_provider_request_duration_seconds_count{provider="local",call="poll"}"#
        ) >= 1.0,
        "{text}"
    );
    promtool_accepts(&text).await;
}

#[tokio::test]
async fn without_a_metrics_bind_there_is_no_metrics_listener() {
    let app = spawn_app().await;
    assert!(app.metrics_address.is_none());
}

/// The shipped rules, checked and unit-tested by Prometheus's own tool.
#[tokio::test]
async fn the_shipped_alerting_rules_pass_promtools_own_tests() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/prometheus");
    for args in [
        ["check", "rules", "rules.yml"],
        ["test", "rules", "rules.test.yml"],
    ] {
        let out = tokio::process::Command::new("promtool")
            .args(args)
            .current_dir(dir)
            .output()
            .await
            .expect("promtool is installed");
        assert!(out.status.success(), "promtool {args:?}: {out:?}");
    }
}

/// A real Prometheus server scrapes a replica and evaluates the shipped recording rule.
#[tokio::test]
async fn a_prometheus_server_scrapes_a_replica_and_records_its_backlog() {
    // No workers: what is submitted stays queued.
    let app = spawn_app_with(&[
        ("ZIMAGE_METRICS_BIND", "127.0.0.1:0"),
        ("ZIMAGE_WORKERS", "0"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    for n in 0..3 {
        let body = serde_json::json!({"model": "z-image-local", "prompt": format!("queued {n}"), "width": 256, "height": 256});
        let submitted = app.post_auth("/v1/generations", &ada.access, &body).await;
        assert_eq!(submitted.status(), 202);
    }
    let target = app
        .metrics_address
        .as_deref()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    let dir = app.data_dir.join("prometheus");
    std::fs::create_dir_all(&dir).unwrap();
    let rules = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/prometheus/rules.yml"
    );
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {rules}\nscrape_configs:\n  - job_name: zimage\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = tokio::process::Command::new("prometheus")
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("Debian's prometheus is installed");
    let query = |expr: &'static str| {
        let client = app.client.clone();
        async move {
            let answer: serde_json::Value = client
                .get(format!(
                    "http://127.0.0.1:{port}/api/v1/query?query={}",
                    url::form_urlencoded::byte_serialize(expr.as_bytes()).collect::<String>()
                ))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            answer["data"]["result"][0]["value"][1]
                .as_str()
                .map(String::from)
        }
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let up = query(r#"up{job="zimage"}"#).await;
        let backlog = query(r#"zimage:queue_backlog:max{provider="local"}"#).await;
        if up.as_deref() == Some("1") && backlog.as_deref() == Some("3") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "up {up:?}, backlog {backlog:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let _ = server.kill().await;
}

/// `zimage worker` serves its own metrics (the tasks it ran are counted there, not on the API
/// replicas), and `zimage healthcheck` can check it through them.
#[tokio::test]
async fn a_worker_process_serves_the_metrics_of_the_tasks_it_ran() {
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let port = zimage_api::testing::free_port();
    let _worker = tokio::process::Command::from(app.zimage_process(&["worker"]))
        .env("ZIMAGE_WORKERS", "1")
        .env("ZIMAGE_LOCAL_LATENCY_MS", "100")
        .env("ZIMAGE_POLL_INTERVAL_MS", "50")
        .env("ZIMAGE_METRICS_BIND", format!("127.0.0.1:{port}"))
        .kill_on_drop(true)
        .spawn()
        .expect("the zimage binary runs");
    let done = app.generated(&ada, "counted by the worker").await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let url = format!("http://127.0.0.1:{port}/metrics");
    let text = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        series(
            &text,
            r#"zimage_task_outcomes_total{provider="local",outcome="succeeded",code="none"}"#
        ),
        1.0,
        "{text}"
    );
    promtool_accepts(&text).await;
    let check = tokio::process::Command::new(env!("CARGO_BIN_EXE_zimage"))
        .args(["healthcheck", "--url", &url])
        .output()
        .await
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}
