//! Own GPUs: tasks through a pool of three ComfyUI-protocol servers, each running one prompt at a
//! time for 2 s (`zimage_api::testing::comfyui`), submitted at once through `zimage serve` and
//! run by one `zimage worker` with the default configuration.
//! Compared with the ideal the pool allows (servers ÷ time per prompt): what balancing, checks
//! and result fetches cost.

use anyhow::Result;
use futures_util::StreamExt;
use std::time::{Duration, Instant};
use zimage_api::testing::comfyui::MockComfy;

use crate::http;
use crate::tools::{self, Database, psql};
use crate::{Options, Row};

/// Time per prompt on each simulated GPU.
const LATENCY_SECS: f64 = 2.0;

const SERVERS: usize = 3;

/// Tasks submitted: 15 per server, 30 s of ideal work.
const TASKS: usize = 45;

pub async fn scenario(o: &Options, rows: &mut Vec<Row>) -> Result<()> {
    let gpus: Vec<MockComfy> = (0..SERVERS)
        .map(|_| MockComfy::start(Duration::from_secs_f64(LATENCY_SECS)))
        .collect();
    let urls = gpus
        .iter()
        .map(|g| g.base_url.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let db = Database::create(&o.admin_url, "gpus")?;
    let server = tools::serve(o, &db, &[("ZIMAGE_COMFYUI_URLS", urls.clone())]).await?;
    let _worker = tools::default_worker(
        o,
        &db,
        &[
            ("ZIMAGE_COMFYUI_URLS", urls),
            // One account submits everything: its own caps are not what is measured.
            ("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", TASKS.to_string()),
            ("ZIMAGE_MAX_ACTIVE_TASKS_PER_USER", TASKS.to_string()),
        ],
    )?;
    let who = http::subject(o, &db, &server, "gpus@example.org").await?;
    let body = r#"{"model":"z-image-turbo-comfyui","prompt":"a lighthouse at dusk","width":512,"height":512}"#;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut submissions = futures_util::stream::iter(0..TASKS)
        .map(|_| http::submit_body(&client, &server.base, &who.token, body))
        .buffer_unordered(16);
    while let Some(done) = submissions.next().await {
        done?;
    }
    crate::inflight::wait_all(&db, TASKS, Duration::from_secs(300)).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let bad = psql(
        &db.url,
        "SELECT count(*) FROM ai_tasks WHERE status <> 'succeeded'",
    )?;
    let rate = TASKS as f64 / elapsed;
    let ideal = SERVERS as f64 / LATENCY_SECS;
    let shares = gpus
        .iter()
        .map(|g| g.graphs().len().to_string())
        .collect::<Vec<_>>()
        .join("/");
    rows.push(Row {
        scenario: "Own GPUs: 3 ComfyUI servers at 2 s per prompt",
        app: format!(
            "{rate:.2} tasks/s ({TASKS} tasks submitted at once, from the first submission to \
             the last stored; {} not succeeded)",
            bad.trim()
        ),
        ceiling: format!("{ideal:.2} tasks/s ideal ({SERVERS} servers ÷ {LATENCY_SECS:.0} s)"),
        ratio: rate / ideal,
        target: 0.85,
        note: format!("prompts per server {shares}"),
    });
    Ok(())
}
