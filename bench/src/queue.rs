//! The job queue: pipeline throughput against a raw `SKIP LOCKED` dequeue-and-complete, and
//! enqueue → worker start latency against a raw `LISTEN`/`NOTIFY` wake-up and claim.

use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

use crate::http::{self, Subject};

use crate::tools::{self, Database, Process, median, percentile, psql};
use crate::{Figure, Options, Row};

/// Tasks per pipeline run.
pub const TASKS: usize = 1000;

/// Job workers in the worker process.
const WORKERS: usize = 8;

const FINAL: &str = "('succeeded','failed','canceled')";

/// Queues `count` generations (`body`) for the subject, 16 at a time.
pub async fn queue(server: &Process, s: &Subject, count: usize, body: &str) -> Result<()> {
    let client = reqwest::Client::new();
    let mut pending = futures_util::stream::iter(0..count)
        .map(|_| http::submit_body(&client, &server.base, &s.token, body))
        .buffer_unordered(16);
    while let Some(done) = pending.next().await {
        done?;
    }
    Ok(())
}

/// Waits until `count` of the subject's tasks are final. Asks over one connection: starting
/// `psql` ten times a second (a Perl wrapper, then psql) took a seventh of the machine's CPU away
/// from the pipeline it was timing.
pub async fn wait_until_final(
    db: &Database,
    uid: &str,
    count: usize,
    limit: Duration,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let query = client
        .prepare(&format!(
            "SELECT count(*) FROM ai_tasks WHERE user_id = $1::text::uuid AND status IN {FINAL}"
        ))
        .await?;
    loop {
        let done: i64 = client.query_one(&query, &[&uid]).await?.get(0);
        let done = usize::try_from(done)?;
        if done >= count {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {done} of {count} tasks finished in {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A copy of the jobs table for the raw ceilings, filled with `rows` ready jobs.
fn raw_queue(db: &Database, rows: usize) -> Result<()> {
    psql(
        &db.url,
        &format!(
            "DROP TABLE IF EXISTS bench_jobs; \
             CREATE TABLE bench_jobs (LIKE jobs INCLUDING DEFAULTS INCLUDING INDEXES); \
             INSERT INTO bench_jobs (id, task_id, user_id, provider) \
             SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'local' \
             FROM generate_series(1, {rows})"
        ),
    )?;
    psql(&db.url, "VACUUM ANALYZE bench_jobs")?;
    Ok(())
}

pub struct Queue {
    /// Raw LISTEN/NOTIFY-and-claim latency, kept for the live-stream comparison (ms, p50/p99).
    pub raw_wake: (f64, f64),
}

pub async fn scenarios(
    o: &Options,
    db: &Database,
    server: &Process,
    rows: &mut Vec<Row>,
    figures: &mut Vec<Figure>,
) -> Result<Queue> {
    if o.wants("pipeline") {
        let (mut rates, mut ceilings, mut failed) = (Vec::new(), Vec::new(), 0);
        let (mut app_cpu, mut db_cpu) = (Vec::new(), Vec::new());
        for run in 0..o.runs {
            let s = http::subject(o, db, server, &format!("pipeline{run}@example.org")).await?;
            queue(server, &s, TASKS, http::SMALL).await?;
            let db_before = tools::postgres_cpu_seconds();
            let worker = tools::worker(o, db, WORKERS)?;
            wait_until_final(db, &s.uid, TASKS, Duration::from_secs(600)).await?;
            // CPU per task, where the pipeline's two cores go: the worker process (rendering,
            // encoding, storing, its side of the queries) and PostgreSQL.
            app_cpu.push(worker.cpu_seconds()? * 1000.0 / TASKS as f64);
            db_cpu.push((tools::postgres_cpu_seconds() - db_before) * 1000.0 / TASKS as f64);
            drop(worker);
            let stats = psql(
                &db.url,
                &format!(
                    "SELECT count(*) FILTER (WHERE status <> 'succeeded'), \
                            count(*) / extract(epoch FROM max(finished_at) - min(started_at)) \
                     FROM ai_tasks WHERE user_id = '{}'",
                    s.uid
                ),
            )?;
            let (bad, rate) = stats.split_once('|').context("pipeline stats")?;
            failed += bad.parse::<usize>()?;
            rates.push(rate.parse::<f64>()?);
            let per_client = 2000;
            raw_queue(db, WORKERS * per_client + 100)?;
            ceilings.push(tools::pgbench(
                &db.url,
                std::path::Path::new("bench/ceilings/pipeline.sql"),
                &[],
                WORKERS,
                &format!("-t{per_client}"),
            )?);
        }
        {
            let (rate, ceiling) = (median(rates), median(ceilings));
            let (app_ms, db_ms) = (median(app_cpu), median(db_cpu));
            let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
            rows.push(Row {
                scenario: "Pipeline: tasks completed per second",
                app: format!(
                    "{rate:.0} tasks/s ({TASKS} queued small generations, {WORKERS} workers in a \
                     `zimage worker` process, local provider without delay; {failed} not succeeded)"
                ),
                ceiling: format!(
                    "{ceiling:.0} jobs/s (raw `SKIP LOCKED` claim + complete by pgbench, {WORKERS} clients)"
                ),
                ratio: rate / ceiling,
                target: 0.25,
                note: format!(
                    "each task also renders a 256 px PNG (its own preview: no thumbnail to \
                     encode), writes it to storage and settles its credits; the issue also asks for ≥ 500 tasks/s (see below). \
                     CPU per task: {app_ms:.2} ms in the worker process + {db_ms:.2} ms in \
                     PostgreSQL, so {cores:.0} cores allow at most {:.0} tasks/s",
                    cores * 1000.0 / (app_ms + db_ms)
                ),
            });
            figures.push(Figure {
                scenario: "Pipeline throughput".into(),
                measured: format!("{rate:.0} tasks/s"),
                bound: "≥ 500 tasks/s on 2 cores".into(),
                met: rate >= 500.0,
            });
        }
    }

    let mut raw_wake = (0.0, 0.0);
    if o.wants("latency") || o.wants("sse") {
        raw_wake = raw_latency(db, 200).await?;
    }
    if o.wants("latency") {
        let s = http::subject(o, db, server, "latency@example.org").await?;
        let worker = tools::worker(o, db, 2)?;
        tokio::time::sleep(Duration::from_secs(2)).await; // listening and idle
        let client = reqwest::Client::new();
        let samples = 200;
        for _ in 0..samples {
            http::submit(&client, &server.base, &s.token).await?;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        wait_until_final(db, &s.uid, samples, Duration::from_secs(120)).await?;
        drop(worker);
        let ms: Vec<f64> = psql(
            &db.url,
            &format!(
                "SELECT extract(epoch FROM t.started_at - j.created_at) * 1000 \
                 FROM ai_tasks t JOIN jobs j ON j.task_id = t.id WHERE t.user_id = '{}'",
                s.uid
            ),
        )?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
        let (p50, p99) = (percentile(ms.clone(), 0.5), percentile(ms, 0.99));
        rows.push(Row {
            scenario: "Queue latency: enqueue → worker start (p50)",
            app: format!("p50 {p50:.2} ms, p99 {p99:.2} ms ({samples} tasks, 2 idle workers)"),
            ceiling: format!(
                "p50 {:.2} ms, p99 {:.2} ms (raw: NOTIFY in the enqueueing transaction, LISTEN, \
                 `SKIP LOCKED` claim)",
                raw_wake.0, raw_wake.1
            ),
            // Lower is better: the ratio is raw/app so that ≥ 1/1.5 means p50 ≤ 1.5× raw.
            ratio: raw_wake.0 / p50,
            target: 1.0 / 1.5,
            note: "both measured from the job row's insert (`clock_timestamp()`) to the worker \
                   taking it; the ratio is raw p50 / application p50, so the 67 % target is the \
                   issue's p50 ≤ 1.5× raw"
                .into(),
        });
    }
    Ok(Queue { raw_wake })
}

/// Enqueues one job at a time (insert + NOTIFY in one transaction) while a listener claims each
/// with `SKIP LOCKED` when woken; returns p50/p99 ms from the enqueue's start to the claim.
pub async fn raw_latency(db: &Database, samples: usize) -> Result<(f64, f64)> {
    raw_queue(db, 0)?;
    let (listener, mut connection) =
        tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await?;
    let (notes_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let tokio_postgres::AsyncMessage::Notification(_) = message {
                let _ = notes_tx.send(());
            }
        }
    });
    listener.batch_execute("LISTEN bench_jobs").await?;
    let claim = listener
        .prepare(
            "UPDATE bench_jobs SET status = 'running', locked_by = 'bench', updated_at = now() \
             WHERE id = (SELECT id FROM bench_jobs WHERE status = 'queued' AND run_at <= now() \
                         ORDER BY run_at FOR UPDATE SKIP LOCKED LIMIT 1) \
             RETURNING (extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8",
        )
        .await?;
    let (sender, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let mut ms = Vec::with_capacity(samples);
    for _ in 0..samples {
        sender
            .batch_execute(
                "BEGIN; INSERT INTO bench_jobs (id, task_id, user_id, provider) \
                 VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'local'); \
                 NOTIFY bench_jobs; COMMIT",
            )
            .await?;
        tokio::time::timeout(Duration::from_secs(5), notes.recv())
            .await
            .context("no notification within 5 s")?;
        let row = listener.query_one(&claim, &[]).await?;
        ms.push(row.get::<_, f64>(0));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok((percentile(ms.clone(), 0.5), percentile(ms, 0.99)))
}
