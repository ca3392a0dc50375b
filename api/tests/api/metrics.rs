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
        value(r#"zimage_queue_jobs{status="queued",provider="all"}"#),
        0.0
    );
    assert!(text.contains("zimage_build_info{version="));
    // Prometheus's own checker accepts the exposition (promtool: `just test` installs it).
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

#[tokio::test]
async fn without_a_metrics_bind_there_is_no_metrics_listener() {
    let app = spawn_app().await;
    assert!(app.metrics_address.is_none());
}
