//! Data export of an account with 1,000 images: the worker's peak memory against the archive's
//! size, to show the archive streams rather than sitting in memory.

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

use crate::tools::{self, Database, Process, psql};
use crate::{Figure, Options};

/// Images in the exported account.
const IMAGES: usize = 1000;

/// 512 × 512 images: big enough that an archive held in memory would show.
const BODY: &str =
    r#"{"model":"z-image-local","prompt":"a harbour at night","width":512,"height":512}"#;

pub async fn scenario(
    o: &Options,
    db: &Database,
    server: &Process,
    figures: &mut Vec<Figure>,
) -> Result<()> {
    let s = crate::http::subject(o, db, server, "export@example.org").await?;
    crate::queue::queue(server, &s, IMAGES, BODY).await?;
    let generating = tools::worker(o, db, 4)?;
    crate::queue::wait_until_final(db, &s.uid, IMAGES, Duration::from_secs(900)).await?;
    drop(generating);
    let images: u64 = psql(
        &db.url,
        &format!("SELECT count(*) FROM images WHERE user_id = '{}'", s.uid),
    )?
    .parse()?;
    let image_bytes: u64 = psql(
        &db.url,
        &format!(
            "SELECT coalesce(sum(bytes), 0) FROM images WHERE user_id = '{}'",
            s.uid
        ),
    )?
    .parse()?;
    // A worker process of its own, so its memory is the export's and nothing else's.
    let worker = tools::worker(o, db, 1)?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle, _) = worker.memory_kib()?;
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(format!("{}/v1/privacy/requests", server.base))
        .bearer_auth(&s.token)
        .json(&serde_json::json!({"kind": "export"}))
        .send()
        .await?
        .json()
        .await?;
    let id = created["id"].as_str().context("no request id")?.to_string();
    let started = Instant::now();
    let mut peak = idle;
    let request = loop {
        let (rss, _) = worker.memory_kib()?;
        peak = peak.max(rss);
        let request: serde_json::Value = client
            .get(format!("{}/v1/privacy/requests/{id}", server.base))
            .bearer_auth(&s.token)
            .send()
            .await?
            .json()
            .await?;
        match request["status"].as_str() {
            Some("completed") => break request,
            Some("failed") => bail!("the export failed: {}", request["error"]),
            _ if started.elapsed() > Duration::from_secs(600) => bail!("the export took too long"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let took = started.elapsed().as_secs_f64();
    let (_, hwm) = worker.memory_kib()?;
    peak = peak.max(hwm);
    let archive = request["archive_bytes"].as_i64().unwrap_or(0) as f64;
    let growth = peak.saturating_sub(idle) as f64 * 1024.0;
    let ratio = growth / archive.max(1.0);
    figures.push(Figure {
        scenario: format!("Export of an account with {images} images"),
        measured: format!(
            "archive {:.0} MiB (images {:.0} MiB) built in {took:.1} s; worker memory {:.0} MiB idle, \
             {:.0} MiB at peak (+{:.1} MiB = {:.0} % of the archive)",
            archive / 1048576.0,
            image_bytes as f64 / 1048576.0,
            idle as f64 / 1024.0,
            peak as f64 / 1024.0,
            growth / 1048576.0,
            ratio * 100.0
        ),
        bound: "peak growth ≤ 25 % of the archive (it streams)".into(),
        met: images >= IMAGES as u64 && ratio <= 0.25,
    });
    Ok(())
}
