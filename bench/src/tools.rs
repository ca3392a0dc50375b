//! Processes, load generators and measurements the scenarios share.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Options;

pub fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn psql(url: &str, sql: &str) -> Result<String> {
    run(Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-tAqc", sql]))
}

pub fn median(values: Vec<f64>) -> f64 {
    percentile(values, 0.5)
}

/// The value at fraction `p` (0..=1) of the sorted values (nearest rank).
pub fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() as f64 * p).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

/// Requests per second and p50/p99 latency (ms) from wrk's `--latency` report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    pub rps: f64,
    pub p50: f64,
    pub p99: f64,
    pub errors: u64,
}

impl Load {
    pub fn describe(&self) -> String {
        format!(
            "{:.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {} errors)",
            self.rps, self.p50, self.p99, self.errors
        )
    }

    pub fn median_of(loads: &[Load]) -> Load {
        Load {
            rps: median(loads.iter().map(|l| l.rps).collect()),
            p50: median(loads.iter().map(|l| l.p50).collect()),
            p99: median(loads.iter().map(|l| l.p99).collect()),
            errors: loads.iter().map(|l| l.errors).sum(),
        }
    }
}

fn millis(text: &str) -> f64 {
    let (number, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: f64 = number.parse().unwrap_or(0.0);
    match unit {
        "us" => n / 1000.0,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => n,
    }
}

pub fn wrk(url: &str, script: &Path, connections: usize, seconds: u64) -> Result<Load> {
    let out = run(Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url))?;
    let mut load = Load::default();
    for line in out.lines().map(str::trim) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["Requests/sec:", v] => load.rps = v.parse().unwrap_or(0.0),
            ["50%", v] => load.p50 = millis(v),
            ["99%", v] => load.p99 = millis(v),
            ["Non-2xx", "or", "3xx", "responses:", v] => {
                load.errors += v.parse::<u64>().unwrap_or(0)
            }
            ["Socket", "errors:", ..] => load.errors += 1,
            _ => {}
        }
    }
    Ok(load)
}

/// Runs a pgbench script; `limit` is `-T seconds` or `-t transactions` per client.
pub fn pgbench(
    url: &str,
    script: &Path,
    defines: &[(&str, String)],
    connections: usize,
    limit: &str,
) -> Result<f64> {
    let mut cmd = Command::new("pgbench");
    cmd.args([
        "-n",
        "-M",
        "prepared",
        &format!("-c{connections}"),
        &format!("-j{}", connections.min(2)),
        limit,
        "-f",
    ])
    .arg(script);
    for (name, value) in defines {
        cmd.arg("-D").arg(format!("{name}={value}"));
    }
    cmd.arg(url);
    let out = run(&mut cmd)?;
    out.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("pgbench printed no tps")
}

/// A `zimage` process, killed when dropped.
pub struct Process {
    pub child: Child,
    pub base: String,
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident and peak resident memory in KiB, from `/proc`.
    pub fn memory_kib(&self) -> Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }

    /// CPU time (user + system) the process has used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64> {
        cpu_seconds_of(&format!("/proc/{}/stat", self.pid()))
    }
}

/// Clock ticks per second of `/proc`'s CPU times (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    run(Command::new("getconf").arg("CLK_TCK"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU seconds from a `/proc/<pid>/stat` file.
fn cpu_seconds_of(stat: &str) -> Result<f64> {
    let text = std::fs::read_to_string(stat)?;
    // Fields after the command name (which may hold spaces) start with the state, field 3;
    // utime and stime are fields 14 and 15.
    let rest = text.rsplit_once(')').context("a /proc stat line")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / clock_ticks())
}

/// CPU seconds used so far by every PostgreSQL process on this machine (server and backends).
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(|e| cpu_seconds_of(&e.path().join("stat").to_string_lossy()).ok())
        .sum()
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A fresh database, dropped when this goes away.
pub struct Database {
    admin_url: String,
    name: String,
    pub url: String,
    pub data_dir: PathBuf,
}

impl Database {
    pub fn create(admin_url: &str, label: &str) -> Result<Self> {
        let name = format!("zimage_bench_{label}_{}", std::process::id());
        let server = admin_url
            .rsplit_once('/')
            .map(|(s, _)| s.to_string())
            .context("database URL")?;
        psql(
            admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?;
        psql(admin_url, &format!("CREATE DATABASE {name}"))?;
        let data_dir = std::env::temp_dir().join(&name);
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(data_dir.join("scripts"))?;
        Ok(Self {
            admin_url: admin_url.to_string(),
            url: format!("{server}/{name}"),
            name,
            data_dir,
        })
    }

    pub fn scripts(&self) -> PathBuf {
        self.data_dir.join("scripts")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = psql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Environment every bench process gets: limits out of the way, local provider without delay.
fn command(o: &Options, db: &Database, subcommand: &str, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(&o.zimage);
    cmd.arg(subcommand)
        .env("DATABASE_URL", &db.url)
        .env("ZIMAGE_DATA_DIR", &db.data_dir)
        .env("ZIMAGE_WEB_DIR", db.data_dir.join("no-web"))
        .env("ZIMAGE_DATABASE_POOL_SIZE", o.connections.to_string())
        .env("ZIMAGE_WORKERS", "0")
        .env("ZIMAGE_LOCAL_LATENCY_MS", "0")
        .env("ZIMAGE_SCHEDULER_INTERVAL_SECS", "0")
        .env("ZIMAGE_MAX_ACTIVE_TASKS_PER_USER", "100000000")
        .env("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "100000000")
        .env("ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER", "100000000/1")
        .env("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "100000000/1")
        .env("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "100000000/1")
        .env("ZIMAGE_RATE_LIMIT_API_PER_PRINCIPAL", "100000000/1")
        .env(
            "ZIMAGE_JWT_SECRET",
            "bench-secret-bench-secret-bench-secret",
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd
}

/// Starts `zimage serve` and waits until it is ready.
pub async fn serve(o: &Options, db: &Database, env: &[(&str, String)]) -> Result<Process> {
    let port = free_port()?;
    let mut env = env.to_vec();
    env.push(("ZIMAGE_BIND", format!("127.0.0.1:{port}")));
    env.push(("ZIMAGE_DATABASE_POOL_SIZE", o.pool_size.to_string()));
    let child = command(o, db, "serve", &env)
        .spawn()
        .context("starting zimage serve")?;
    let server = Process {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("zimage did not become ready")
}

/// Starts a `zimage worker` process with `workers` job workers.
pub fn worker(o: &Options, db: &Database, workers: usize) -> Result<Process> {
    let child = command(o, db, "worker", &[("ZIMAGE_WORKERS", workers.to_string())])
        .spawn()
        .context("starting zimage worker")?;
    Ok(Process {
        child,
        base: String::new(),
    })
}

/// Starts a `zimage worker` process with the product's defaults (no bench overrides of workers,
/// per-user caps or pool size), plus `env`.
pub fn default_worker(o: &Options, db: &Database, env: &[(&str, String)]) -> Result<Process> {
    let mut cmd = command(o, db, "worker", env);
    for key in [
        "ZIMAGE_WORKERS",
        "ZIMAGE_MAX_RUNNING_TASKS_PER_USER",
        "ZIMAGE_MAX_ACTIVE_TASKS_PER_USER",
        "ZIMAGE_DATABASE_POOL_SIZE",
    ] {
        if !env.iter().any(|(k, _)| *k == key) {
            cmd.env_remove(key);
        }
    }
    let child = cmd.spawn().context("starting zimage worker")?;
    Ok(Process {
        child,
        base: String::new(),
    })
}

pub fn version(cmd: &str, arg: &str) -> String {
    Command::new(cmd)
        .arg(arg)
        .output()
        .ok()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).to_string()
                + &String::from_utf8_lossy(&o.stderr);
            text.lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_default()
}
