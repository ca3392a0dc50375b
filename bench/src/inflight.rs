//! Tasks in flight: many users' tasks waiting on a slow provider (the built-in model at 10 s per
//! task, small images) through one `zimage worker` with the default configuration. Compared with
//! the ideal the per-user running cap allows (users × cap ÷ latency); reports PostgreSQL commits
//! per task, the worker's peak memory and its CPU per task.

use anyhow::{Context, Result};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

use crate::http::{self, PASSWORD};
use crate::tools::{self, Database, psql};
use crate::{Figure, Options, Row};

/// The simulated provider's time per task.
const LATENCY_SECS: f64 = 10.0;

/// Tasks per account.
const PER_USER: usize = 10;

/// The per-user running cap of the default configuration (`ZIMAGE_MAX_RUNNING_TASKS_PER_USER`).
const DEFAULT_CAP: usize = 2;

/// Commits of the whole database so far. A busy backend reports its counts when it goes idle,
/// but at most once a second and otherwise after ten idle seconds, so this waits those out.
fn commits(db: &Database) -> Result<i64> {
    std::thread::sleep(Duration::from_secs(11));
    psql(
        &db.url,
        "SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database \
         WHERE datname = current_database()",
    )?
    .lines()
    .filter_map(|l| l.trim().parse::<i64>().ok())
    .next_back()
    .context("xact_commit")
}

/// `users` signed-in accounts with credits; their access tokens.
async fn accounts(
    o: &Options,
    db: &Database,
    server: &tools::Process,
    users: usize,
) -> Result<Vec<String>> {
    let admin = http::subject(o, db, server, "inflight-admin@example.org").await?;
    // Accounts made in one statement (the password hash copied from the administrator's): the
    // scenario measures the broker, not sign-up.
    psql(
        &db.url,
        &format!(
            "INSERT INTO users (id, email, password_hash, email_verified_at, referral_code, \
                                terms_accepted_at, created_at, updated_at) \
             SELECT gen_random_uuid(), 'inflight' || n || '@example.org', u.password_hash, now(), \
                    'inflight' || n, now(), now(), now() \
             FROM generate_series(1, {users}) n, users u WHERE u.id = '{}'",
            admin.uid
        ),
    )?;
    let client = reqwest::Client::new();
    let mut logins = futures_util::stream::iter(1..=users)
        .map(|n| {
            let client = client.clone();
            let base = server.base.clone();
            async move {
                let login: serde_json::Value = client
                    .post(format!("{base}/v1/auth/login"))
                    .json(&serde_json::json!({"email": format!("inflight{n}@example.org"), "password": PASSWORD}))
                    .send()
                    .await?
                    .json()
                    .await?;
                let token = login["access_token"].as_str().context("no token")?.to_string();
                let uid = login["user"]["id"].as_str().context("no user id")?.to_string();
                anyhow::Ok((token, uid))
            }
        })
        .buffer_unordered(4);
    let mut people = Vec::with_capacity(users);
    while let Some(person) = logins.next().await {
        people.push(person?);
    }
    for (_, uid) in &people {
        http::grant(server, &admin.token, uid, 1000).await?;
    }
    Ok(people.into_iter().map(|(token, _)| token).collect())
}

/// `PER_USER` small tasks for each of `tokens`, all queued before the worker starts.
async fn submit_all(server: &tools::Process, tokens: &[String]) -> Result<()> {
    let client = reqwest::Client::new();
    let mut submissions = futures_util::stream::iter(
        tokens
            .iter()
            .flat_map(|token| std::iter::repeat_n(token.clone(), PER_USER)),
    )
    .map(|token| {
        let client = client.clone();
        let base = server.base.clone();
        async move { http::submit_body(&client, &base, &token, http::SMALL).await }
    })
    .buffer_unordered(16);
    while let Some(done) = submissions.next().await {
        done?;
    }
    Ok(())
}

pub async fn scenario(o: &Options, rows: &mut Vec<Row>, figures: &mut Vec<Figure>) -> Result<()> {
    for users in [100usize, 500] {
        let tasks = users * PER_USER;
        let db = Database::create(&o.admin_url, &format!("inflight{users}"))?;
        let server = tools::serve(o, &db, &[]).await?;
        let tokens = accounts(o, &db, &server, users).await?;
        let before_submit = commits(&db)?;
        submit_all(&server, &tokens).await?;
        let before = commits(&db)?;
        let worker = tools::default_worker(
            o,
            &db,
            &[(
                "ZIMAGE_LOCAL_LATENCY_MS",
                format!("{}", LATENCY_SECS as u64 * 1000),
            )],
        )?;
        let started = Instant::now();
        let waits = wait_all(&db, tasks, Duration::from_secs(900)).await?;
        let elapsed = started.elapsed().as_secs_f64();
        let rss = worker.memory_kib()?.1 as f64 / 1024.0;
        let cpu_ms = worker.cpu_seconds()? * 1000.0 / tasks as f64;
        drop(worker);
        let after = commits(&db)?;
        // Not the broker's: the bench's own look-ups while waiting, and each earlier statistics
        // read (its commit is counted by the next).
        let broker = (after - before - waits - 1) as f64 / tasks as f64;
        let with_submit = (after - before_submit - waits - 2) as f64 / tasks as f64;
        let stats = psql(
            &db.url,
            "SELECT count(*) FILTER (WHERE status <> 'succeeded'), \
                    count(*) / extract(epoch FROM max(finished_at) - min(started_at)) \
             FROM ai_tasks",
        )?;
        let (bad, rate) = stats.split_once('|').context("in-flight stats")?;
        let rate: f64 = rate.trim().parse()?;
        let ideal = (users * DEFAULT_CAP) as f64 / LATENCY_SECS;
        let label: &'static str = if users == 100 {
            "In flight: 100 accounts × 10 tasks at 10 s"
        } else {
            "In flight: 500 accounts × 10 tasks at 10 s"
        };
        rows.push(Row {
            scenario: label,
            app: format!(
                "{rate:.1} tasks/s ({tasks} tasks, one `zimage worker` with the default \
                 configuration; {} not succeeded; all done in {elapsed:.0} s)",
                bad.trim()
            ),
            ceiling: format!(
                "{ideal:.1} tasks/s ideal ({users} users × running cap {DEFAULT_CAP} ÷ {LATENCY_SECS:.0} s)"
            ),
            ratio: rate / ideal,
            target: 0.9,
            note: format!(
                "{broker:.2} PostgreSQL commits per task in the broker ({with_submit:.2} with the \
                 HTTP submission), peak worker RSS {rss:.0} MiB, {cpu_ms:.2} ms worker CPU per task"
            ),
        });
        figures.push(Figure {
            scenario: format!("{label}: commits per task"),
            measured: format!("{with_submit:.2} (broker alone {broker:.2})"),
            bound: "≤ 6".into(),
            met: with_submit <= 6.0,
        });
        figures.push(Figure {
            scenario: format!("{label}: peak worker RSS"),
            measured: format!("{rss:.0} MiB"),
            bound: "≤ 300 MB".into(),
            met: rss * 1.048_576 <= 300.0,
        });
    }
    Ok(())
}

/// Waits until every task is final, looking once a second; returns how many looks it took (each
/// is a commit to subtract).
pub async fn wait_all(db: &Database, count: usize, limit: Duration) -> Result<i64> {
    let deadline = Instant::now() + limit;
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let query = client
        .prepare(
            "SELECT count(*) FROM ai_tasks WHERE status IN ('succeeded', 'failed', 'canceled')",
        )
        .await?;
    let mut looks = 0;
    loop {
        looks += 1;
        let done: i64 = client.query_one(&query, &[]).await?.get(0);
        if usize::try_from(done)? >= count {
            return Ok(looks);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {done} of {count} tasks finished in {limit:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
