//! Data export of an account with 1,000 images: the worker's peak memory, and how much of it
//! follows the archive's size (compared with an account of 100), to show the archive streams
//! rather than sitting in memory.

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

use crate::tools::{self, Database, Process, psql};
use crate::{Figure, Options};

/// Images in the exported account.
const IMAGES: usize = 1000;

/// 512 × 512 images: big enough that an archive held in memory would show.
const BODY: &str =
    r#"{"model":"z-image-local","prompt":"a harbour at night","width":512,"height":512}"#;

/// A smaller account exported the same way: the difference between the two peaks is what the
/// archive's size costs in memory, apart from the export's fixed cost.
const SMALL_IMAGES: usize = 100;

/// What one export took.
struct Export {
    images: u64,
    image_bytes: u64,
    archive: f64,
    idle_kib: u64,
    peak_kib: u64,
    took: f64,
}

impl Export {
    /// Peak growth over the idle worker, in bytes.
    fn growth(&self) -> f64 {
        self.peak_kib.saturating_sub(self.idle_kib) as f64 * 1024.0
    }
}

pub async fn scenario(
    o: &Options,
    db: &Database,
    server: &Process,
    figures: &mut Vec<Figure>,
) -> Result<()> {
    let small = export(o, db, server, "export-small@example.org", SMALL_IMAGES).await?;
    let large = export(o, db, server, "export@example.org", IMAGES).await?;
    // Streaming means the peak does not follow the archive: going from the small archive to the
    // large one may cost at most a tenth of the extra archive bytes.
    let extra_archive = (large.archive - small.archive).max(1.0);
    let extra_growth = large.growth() - small.growth();
    let share = extra_growth / extra_archive;
    let mib = |bytes: f64| bytes / 1048576.0;
    figures.push(Figure {
        scenario: format!("Export of an account with {} images", large.images),
        measured: format!(
            "archive {:.0} MiB (images {:.0} MiB) built in {:.1} s; worker memory {:.0} MiB idle, \
             {:.0} MiB at peak (+{:.1} MiB). With {} images: archive {:.0} MiB, +{:.1} MiB. \
             The extra {:.0} MiB of archive cost {:+.1} MiB ({:+.0} %)",
            mib(large.archive),
            mib(large.image_bytes as f64),
            large.took,
            large.idle_kib as f64 / 1024.0,
            large.peak_kib as f64 / 1024.0,
            mib(large.growth()),
            small.images,
            mib(small.archive),
            mib(small.growth()),
            mib(extra_archive),
            mib(extra_growth),
            share * 100.0
        ),
        bound: "it streams: peak growth rises by ≤ 10 % of the archive's growth from 100 to \
                1,000 images"
            .into(),
        met: large.images >= IMAGES as u64 && share <= 0.10,
    });
    Ok(())
}

/// Generates `count` 512-px images for a new account and exports it with a worker of its own.
async fn export(
    o: &Options,
    db: &Database,
    server: &Process,
    email: &str,
    count: usize,
) -> Result<Export> {
    let s = crate::http::subject(o, db, server, email).await?;
    crate::queue::queue(server, &s, count, BODY).await?;
    let generating = tools::worker(o, db, 4)?;
    crate::queue::wait_until_final(db, &s.uid, count, Duration::from_secs(900)).await?;
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
    Ok(Export {
        images,
        image_bytes,
        archive: request["archive_bytes"].as_i64().unwrap_or(0) as f64,
        idle_kib: idle,
        peak_kib: peak.max(hwm),
        took,
    })
}
