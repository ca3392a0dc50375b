//! Live status: 10,000 idle SSE subscribers held open, fan-out latency of new events to them, and
//! the server's resident memory.

use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::tools::{Database, Process, percentile, psql};
use crate::{Figure, Options};

const USERS: usize = 1000;
const STREAMS_PER_USER: usize = 10; // the per-user limit
const ROUNDS: usize = 5;
const USERS_PER_ROUND: usize = 100;

/// Creates `USERS` verified accounts with credits and API keys straight in SQL (signing up that
/// many through Argon2 would take minutes and measure nothing about streams).
fn accounts(db: &Database) -> Result<Vec<(String, String)>> {
    psql(
        &db.url,
        &format!(
            "INSERT INTO users (id, email, password_hash, email_verified_at, referral_code, terms_accepted_at) \
             SELECT gen_random_uuid(), 'sse' || n || '@example.org', 'x', now(), 'SSE' || n, now() \
             FROM generate_series(1, {USERS}) n; \
             INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes) \
             SELECT gen_random_uuid(), id, 'bench', 'zimg_sse', \
                    sha256(convert_to('zimg_sse_' || referral_code, 'UTF8')), \
                    ARRAY['generations:read', 'generations:write'] \
             FROM users WHERE email LIKE 'sse%@example.org'"
        ),
    )?;
    Ok(psql(
        &db.url,
        "SELECT id, 'zimg_sse_' || referral_code FROM users WHERE email LIKE 'sse%@example.org' ORDER BY email",
    )?
    .lines()
    .filter_map(|l| l.split_once('|'))
    .map(|(id, key)| (id.to_string(), key.to_string()))
    .collect())
}

/// Delivery times (ms after the event's own timestamp) per task id.
type Arrivals = Arc<Mutex<HashMap<String, Vec<f64>>>>;

fn record(arrivals: &Arrivals, chunk: &str) {
    for data in chunk.lines().filter_map(|l| l.strip_prefix("data: ")) {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(data) else {
            continue;
        };
        let (Some(task), Some(at)) = (event["task_id"].as_str(), event["at"].as_str()) else {
            continue;
        };
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(at) else {
            continue;
        };
        let ms = (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
            .num_microseconds()
            .unwrap_or(0) as f64
            / 1000.0;
        if let Ok(mut a) = arrivals.lock() {
            a.entry(task.to_string()).or_default().push(ms);
        }
    }
}

pub async fn scenario(
    _o: &Options,
    db: &Database,
    server: &Process,
    admin_token: &str,
    raw_wake: (f64, f64),
    figures: &mut Vec<Figure>,
) -> Result<()> {
    let keys = accounts(db)?;
    for (uid, _) in keys.iter().take(USERS_PER_ROUND * ROUNDS) {
        crate::http::grant(server, admin_token, uid, 1000).await?;
    }
    let (rss_before, _) = server.memory_kib()?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let open = Arc::new(AtomicUsize::new(0));
    let ended = Arc::new(AtomicUsize::new(0));
    let arrivals: Arrivals = Arc::default();
    let url = format!("{}/v1/events", server.base);
    let mut opening = futures_util::stream::iter(
        keys.iter()
            .flat_map(|(_, key)| std::iter::repeat_n(key.clone(), STREAMS_PER_USER)),
    )
    .map(|key| {
        let (client, url, open, ended, arrivals) = (
            client.clone(),
            url.clone(),
            open.clone(),
            ended.clone(),
            arrivals.clone(),
        );
        async move {
            let response = client.get(&url).bearer_auth(&key).send().await?;
            if !response.status().is_success() {
                bail!("stream refused: {}", response.status());
            }
            let mut body = response.bytes_stream();
            // The first chunk (`retry:`) proves the stream is being served.
            body.next().await.context("stream ended at once")??;
            open.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                while let Some(Ok(chunk)) = body.next().await {
                    record(&arrivals, &String::from_utf8_lossy(&chunk));
                }
                ended.fetch_add(1, Ordering::Relaxed);
            });
            Ok(())
        }
    })
    .buffer_unordered(200);
    while let Some(opened) = opening.next().await {
        opened?;
    }
    drop(opening);
    let held = open.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss_held, _) = server.memory_kib()?;

    // Fan-out: bursts of one new task for each of 100 users, each watched by 10 streams.
    let mut expected = 0;
    for round in 0..ROUNDS {
        let users = &keys[round * USERS_PER_ROUND..(round + 1) * USERS_PER_ROUND];
        let mut submits = futures_util::stream::iter(users.iter())
            .map(|(_, key)| crate::http::submit(&client, &server.base, key))
            .buffer_unordered(16);
        while let Some(done) = submits.next().await {
            done?;
            expected += STREAMS_PER_USER;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let delivered: Vec<f64> = arrivals
        .lock()
        .map(|a| a.values().flatten().copied().collect())
        .unwrap_or_default();
    let still_open = held - ended.load(Ordering::Relaxed);
    let (p50, p99) = (
        percentile(delivered.clone(), 0.5),
        percentile(delivered.clone(), 0.99),
    );
    let per_stream = (rss_held.saturating_sub(rss_before)) as f64 / held.max(1) as f64;
    figures.push(Figure {
        scenario: "Live status (SSE): idle subscribers held".into(),
        measured: format!(
            "{held} opened by {USERS} accounts, {still_open} still open after the fan-out; server \
             memory {:.0} → {:.0} MiB ({per_stream:.1} KiB per stream)",
            rss_before as f64 / 1024.0,
            rss_held as f64 / 1024.0
        ),
        bound: format!("{} held", USERS * STREAMS_PER_USER),
        met: still_open == USERS * STREAMS_PER_USER,
    });
    figures.push(Figure {
        scenario: "Live status (SSE): fan-out latency".into(),
        measured: format!(
            "{} of {expected} deliveries; p50 {p50:.1} ms, p99 {p99:.1} ms from the event's \
             transaction to the subscriber ({ROUNDS} bursts of {USERS_PER_ROUND} new tasks × \
             {STREAMS_PER_USER} streams, among all the idle ones); raw LISTEN/NOTIFY + claim p50 \
             {:.2} ms, p99 {:.2} ms",
            delivered.len(),
            raw_wake.0,
            raw_wake.1
        ),
        bound: "every event reaches every stream of its account".into(),
        met: delivered.len() == expected,
    });
    Ok(())
}
