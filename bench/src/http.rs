//! Request-path scenarios: authenticated read, submit and login, each against its ceiling, and
//! login under a 4× overload.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::tools::{self, Database, Load, Process, median, percentile, psql};
use crate::{Figure, Options, Row};

pub const PASSWORD: &str = "bench passphrase that is long";

/// A signed-in account with credits: its token, session and user ids.
pub struct Subject {
    pub token: String,
    pub sid: String,
    pub uid: String,
}

/// Creates an administrator `email` with a million credits and signs it in.
pub async fn subject(o: &Options, db: &Database, server: &Process, email: &str) -> Result<Subject> {
    tools::run(
        Command::new(&o.zimage)
            .args([
                "admin",
                "create-user",
                "--email",
                email,
                "--password",
                PASSWORD,
                "--admin",
            ])
            .env("DATABASE_URL", &db.url)
            .env("ZIMAGE_DATA_DIR", &db.data_dir),
    )?;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{}/v1/auth/login", server.base))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("no token")?
        .to_string();
    let uid = login["user"]["id"]
        .as_str()
        .context("no user id")?
        .to_string();
    grant(server, &token, &uid, 1_000_000).await?;
    let sid = psql(
        &db.url,
        &format!(
            "SELECT id FROM sessions WHERE user_id = '{uid}' ORDER BY created_at DESC LIMIT 1"
        ),
    )?;
    Ok(Subject { token, sid, uid })
}

/// Grants credits to `uid` as the administrator holding `token`.
pub async fn grant(server: &Process, token: &str, uid: &str, amount: i64) -> Result<()> {
    let granted = reqwest::Client::new()
        .post(format!("{}/v1/admin/users/{uid}/credits", server.base))
        .bearer_auth(token)
        .json(&serde_json::json!({"amount": amount, "reason": "benchmark"}))
        .send()
        .await?;
    if !granted.status().is_success() {
        bail!("granting credits failed: {}", granted.text().await?);
    }
    Ok(())
}

/// The smallest generation the local model takes.
pub const SMALL: &str =
    r#"{"model":"z-image-local","prompt":"a lighthouse at dusk","width":256,"height":256}"#;

/// Submits one small generation; returns its id.
pub async fn submit(client: &reqwest::Client, base: &str, token: &str) -> Result<String> {
    submit_body(client, base, token, SMALL).await
}

/// Submits one generation request `body`; returns its id.
pub async fn submit_body(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    body: &str,
) -> Result<String> {
    let response = client
        .post(format!("{base}/v1/generations"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("submitting failed: {}", response.text().await?);
    }
    let task: serde_json::Value = response.json().await?;
    Ok(task["id"].as_str().context("no task id")?.to_string())
}

fn lua(
    dir: &Path,
    name: &str,
    method: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<PathBuf> {
    let path = dir.join(format!("{name}.lua"));
    let mut text = format!(
        "wrk.method = \"{method}\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
    if let Some(token) = token {
        text.push_str(&format!(
            "wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
        ));
    }
    if let Some(body) = body {
        text.push_str(&format!("wrk.body = [[{body}]]\n"));
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Alternates application and ceiling runs; returns the medians.
fn compare(
    runs: usize,
    mut app: impl FnMut() -> Result<Load>,
    mut ceiling: impl FnMut() -> Result<f64>,
) -> Result<(Load, f64)> {
    let (mut loads, mut ceilings) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        loads.push(app()?);
        ceilings.push(ceiling()?);
    }
    Ok((Load::median_of(&loads), median(ceilings)))
}

/// Read, submit, login and login overload on one server without workers, so nothing else
/// competes for the database.
pub async fn scenarios(o: &Options, rows: &mut Vec<Row>, figures: &mut Vec<Figure>) -> Result<()> {
    let db = Database::create(&o.admin_url, "http")?;
    let server = tools::serve(o, &db, &[]).await?;
    let s = subject(o, &db, &server, "bench@example.org").await?;
    let client = reqwest::Client::new();
    let tid = submit(&client, &server.base, &s.token).await?;
    let defines = vec![
        ("sid", s.sid.clone()),
        ("uid", s.uid.clone()),
        ("tid", tid.clone()),
    ];
    let ceilings = Path::new("bench/ceilings");
    let (c, secs) = (o.connections, format!("-T{}", o.seconds));

    if o.wants("read") {
        let read = lua(&db.scripts(), "read", "GET", Some(&s.token), None)?;
        let url = format!("{}/v1/generations/{tid}", server.base);
        let (load, ceiling) = compare(
            o.runs,
            || tools::wrk(&url, &read, c, o.seconds),
            || tools::pgbench(&db.url, &ceilings.join("read.sql"), &defines, c, &secs),
        )?;
        rows.push(Row {
            scenario: "Authenticated read `GET /v1/generations/{id}`",
            app: load.describe(),
            ceiling: format!("{ceiling:.0} tx/s (its statements by pgbench)"),
            ratio: load.rps / ceiling,
            target: 0.60,
            note: String::new(),
        });
    }

    if o.wants("submit") {
        let submit = lua(&db.scripts(), "submit", "POST", Some(&s.token), Some(SMALL))?;
        let url = format!("{}/v1/generations", server.base);
        let (load, ceiling) = compare(
            o.runs,
            || tools::wrk(&url, &submit, c, o.seconds),
            || tools::pgbench(&db.url, &ceilings.join("submit.sql"), &defines, c, &secs),
        )?;
        rows.push(Row {
            scenario: "Submit `POST /v1/generations`",
            app: load.describe(),
            ceiling: format!("{ceiling:.0} tx/s (its statements by pgbench)"),
            ratio: load.rps / ceiling,
            target: 0.70,
            note: "both sides serialise on the one account's row lock, as one busy user would"
                .into(),
        });
    }

    if o.wants("login") {
        let email = "bench@example.org";
        let login_body = format!(r#"{{"email":"{email}","password":"{PASSWORD}"}}"#);
        let login = lua(&db.scripts(), "login", "POST", None, Some(&login_body))?;
        let url = format!("{}/v1/auth/login", server.base);
        let hash = psql(
            &db.url,
            &format!("SELECT password_hash FROM users WHERE email = '{email}'"),
        )?;
        let (mut loads, mut raws) = (Vec::new(), Vec::new());
        for _ in 0..o.runs {
            loads.push(tools::wrk(&url, &login, c, o.seconds)?);
            raws.push(argon2_ceiling(&hash, c, o.seconds).await?);
        }
        let load = Load::median_of(&loads);
        let raw = median(raws);
        rows.push(Row {
            scenario: "Login `POST /v1/auth/login`",
            app: format!(
                "{:.1} req/s (p50 {:.0} ms, p99 {:.0} ms)",
                load.rps, load.p50, load.p99
            ),
            ceiling: format!("{raw:.1} Argon2id verifications/s in-process"),
            ratio: load.rps / raw,
            target: 0.80,
            note: "no target in the issue for the ratio; 80 % is ours (hashing dominates a login)"
                .into(),
        });
        figures.push(overload(&server, &login_body, raw * 4.0, o.seconds.max(5) * 2).await?);
    }
    Ok(())
}

async fn argon2_ceiling(hash: &str, concurrency: usize, seconds: u64) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let hash = hash.to_string();
        workers.push(tokio::spawn(async move {
            let mut n = 0_u64;
            while Instant::now() < deadline {
                if zimage_api::auth::password::verify(PASSWORD, Some(&hash))
                    .await
                    .unwrap_or(false)
                {
                    n += 1;
                }
            }
            n
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await?;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Offers sign-ins at `rate` per second (open loop: a new request every 1/rate s whatever the
/// answers) for `seconds`, then checks the server still signs people in.
async fn overload(server: &Process, body: &str, rate: f64, seconds: u64) -> Result<Figure> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(512)
        .build()?;
    let url = format!("{}/v1/auth/login", server.base);
    let outcomes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let mut next = started;
    let mut tasks = Vec::new();
    let (rss_before, _) = server.memory_kib()?;
    while next < end {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let (client, url, body, outcomes) = (
            client.clone(),
            url.clone(),
            body.to_string(),
            outcomes.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let status = match client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
            {
                Ok(r) => {
                    let code = r.status().as_u16();
                    let _ = r.bytes().await;
                    code
                }
                Err(_) => 0,
            };
            if let Ok(mut o) = outcomes.lock() {
                o.push((status, sent.elapsed().as_secs_f64() * 1000.0));
            }
        }));
    }
    let (_, peak) = server.memory_kib()?;
    for t in tasks {
        t.await?;
    }
    let outcomes = outcomes.lock().map(|o| o.clone()).unwrap_or_default();
    let count = |f: &dyn Fn(u16) -> bool| outcomes.iter().filter(|(s, _)| f(*s)).count();
    let ok = count(&|s| s == 200);
    let shed = count(&|s| s == 429 || s == 503);
    let failed = outcomes.len() - ok - shed;
    let p99 = percentile(outcomes.iter().map(|(_, ms)| *ms).collect(), 0.99);
    let p99_ok = percentile(
        outcomes
            .iter()
            .filter(|(s, _)| *s == 200)
            .map(|(_, ms)| *ms)
            .collect(),
        0.99,
    );
    // Afterwards a normal sign-in still works, without restarting anything.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = client
        .post(&url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?
        .status()
        .as_u16();
    let bound_ms = 2000.0;
    Ok(Figure {
        scenario: "Login at 4× its capacity (open loop)".into(),
        measured: format!(
            "{} offered at {rate:.0}/s for {seconds} s: {ok} signed in, {shed} told to retry (429/503), \
             {failed} failed; p99 {p99:.0} ms (signed-in p99 {p99_ok:.0} ms); memory {:.0} → {:.0} MiB; \
             sign-in afterwards: {after}",
            outcomes.len(),
            rss_before as f64 / 1024.0,
            peak as f64 / 1024.0,
        ),
        bound: format!("p99 ≤ {bound_ms:.0} ms, nothing fails, the process stays up"),
        met: p99 <= bound_ms && failed == 0 && after == 200,
    })
}
