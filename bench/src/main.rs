//! `just bench`: starts the release `zimage` on fresh databases, measures each scenario with a
//! real load generator (wrk, or a Rust harness where wrk cannot express it) and, in the same run,
//! the ceiling it is compared with (the same SQL run raw by pgbench, the same Argon2 verification
//! without HTTP, a raw `LISTEN`/`NOTIFY`), then writes `bench/RESULTS.md`: machine, versions,
//! medians of several runs, ratios against targets, and the figures that have bounds instead.
//!
//! Usage: zimage-bench --zimage PATH --database-url ADMIN_URL [--runs N] [--seconds S]
//!        [--connections C] [--pool-size P] [--only read,submit,login,pipeline,latency,inflight,gpus,export,sse,web,gallery,lighthouse] [--out FILE]

mod export;
mod gallery;
mod gpus;
mod http;
mod inflight;
mod lighthouse;
mod queue;
mod streams;
mod tools;
mod web;

use anyhow::{Context, Result, bail};
use std::path::PathBuf;

use tools::{Database, psql, version};

pub struct Options {
    zimage: PathBuf,
    admin_url: String,
    runs: usize,
    seconds: u64,
    connections: usize,
    /// `ZIMAGE_DATABASE_POOL_SIZE` of the servers under test (workers keep `connections`).
    pool_size: usize,
    only: Vec<String>,
    out: PathBuf,
}

impl Options {
    /// Whether the scenario `name` is to be measured (all are, unless `--only` names some).
    pub fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|n| n == name)
    }
}

fn options() -> Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        zimage: PathBuf::new(),
        admin_url: String::new(),
        runs: 3,
        seconds: 5,
        connections: 16,
        // Two connections per core of this machine's PostgreSQL: see `--pool-size` in the notes.
        pool_size: 2 * std::thread::available_parallelism().map_or(2, usize::from),
        only: Vec::new(),
        out: PathBuf::from("bench/RESULTS.md"),
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--zimage" => o.zimage = value.into(),
            "--database-url" => o.admin_url = value,
            "--runs" => o.runs = value.parse()?,
            "--seconds" => o.seconds = value.parse()?,
            "--connections" => o.connections = value.parse()?,
            "--pool-size" => o.pool_size = value.parse()?,
            "--only" => {
                o.only = value
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(String::from)
                    .collect()
            }
            "--out" => o.out = value.into(),
            other => bail!("unknown option {other}"),
        }
    }
    if o.zimage.as_os_str().is_empty() || o.admin_url.is_empty() {
        bail!("--zimage and --database-url are required");
    }
    Ok(o)
}

/// A figure compared with a ceiling measured in the same run.
pub struct Row {
    scenario: &'static str,
    app: String,
    ceiling: String,
    ratio: f64,
    target: f64,
    note: String,
}

/// A figure with a bound instead of a ceiling.
pub struct Figure {
    scenario: String,
    measured: String,
    bound: String,
    met: bool,
}

fn machine(admin_url: &str) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .unwrap_or(0.0);
    format!(
        "- CPU: {cpu}, {cores} cores available, {:.1} GiB memory\n- Kernel: {}\n- PostgreSQL: {}\n- {}\n- {}\n- {}\n- {}\n",
        memory / 1048576.0,
        version("uname", "-r"),
        psql(admin_url, "SHOW server_version").unwrap_or_default(),
        version("rustc", "--version"),
        version("wrk", "--version"),
        version("pgbench", "--version"),
        version("chromium", "--version"),
    )
}

#[tokio::main]
async fn main() -> Result<()> {
    let o = options()?;
    zimage_api::providers::http::install_crypto();
    let started = chrono::Utc::now();
    let (mut rows, mut figures) = (Vec::new(), Vec::new());
    measure(&o, &mut rows, &mut figures).await?;

    let mut md = format!(
        "# Benchmark results\n\nWritten by `just bench` on {} (release build, fresh databases). \
         Request figures are medians of {} runs of {} s at {} connections; each ceiling is measured \
         in the same run on the same machine, alternating with the application. Servers keep \
         {} database connections (`ZIMAGE_DATABASE_POOL_SIZE`, two per core: with many more busy \
         backends than cores the read's p99 went from 3 ms to hundreds; see the history \
         below).\n\n## Machine\n\n{}\n\
         ## Against ceilings\n\n\
         | scenario | application | ceiling | ratio | target | |\n|---|---|---|---|---|---|\n",
        started.format("%Y-%m-%d %H:%M UTC"),
        o.runs,
        o.seconds,
        o.connections,
        o.pool_size,
        machine(&o.admin_url),
    );
    for r in &rows {
        md.push_str(&format!(
            "| {} | {} | {} | {:.0} % | ≥ {:.0} % | {} |\n",
            r.scenario,
            r.app,
            r.ceiling,
            r.ratio * 100.0,
            r.target * 100.0,
            if r.ratio >= r.target {
                "met"
            } else {
                "**missed**"
            }
        ));
    }
    md.push_str("\n## Against bounds\n\n| scenario | measured | bound | |\n|---|---|---|---|\n");
    for f in &figures {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            f.scenario,
            f.measured,
            f.bound,
            if f.met { "met" } else { "**missed**" }
        ));
    }
    md.push_str("\n## Notes\n\n");
    for r in &rows {
        if !r.note.is_empty() {
            md.push_str(&format!("- **{}**: {}\n", r.scenario, r.note));
        }
    }
    if let Ok(history) = std::fs::read_to_string("bench/history.md") {
        md.push('\n');
        md.push_str(&history);
    }
    // `just cluster` keeps its figures between markers in the same file: carried over.
    if let Ok(old) = std::fs::read_to_string(&o.out)
        && let (Some(start), Some(end)) = (
            old.find("<!-- cluster:begin -->"),
            old.find("<!-- cluster:end -->"),
        )
        && start < end
    {
        md.push('\n');
        md.push_str(&old[start..end + "<!-- cluster:end -->".len()]);
        md.push('\n');
    }
    std::fs::write(&o.out, &md)?;
    println!("{md}");
    Ok(())
}

async fn measure(o: &Options, rows: &mut Vec<Row>, figures: &mut Vec<Figure>) -> Result<()> {
    if ["read", "submit", "login"].iter().any(|n| o.wants(n)) {
        http::scenarios(o, rows, figures).await?;
    }
    if ["pipeline", "latency", "export", "sse"]
        .iter()
        .any(|n| o.wants(n))
    {
        let db = Database::create(&o.admin_url, "queue")?;
        let server = tools::serve(o, &db, &[]).await?;
        let admin = http::subject(o, &db, &server, "admin@example.org").await?;
        let queue = queue::scenarios(o, &db, &server, rows, figures).await?;
        if o.wants("export") {
            export::scenario(o, &db, &server, figures).await?;
        }
        if o.wants("sse") {
            streams::scenario(o, &db, &server, &admin.token, queue.raw_wake, figures).await?;
        }
    }
    if o.wants("inflight") {
        inflight::scenario(o, rows, figures).await?;
    }
    if o.wants("gpus") {
        gpus::scenario(o, rows).await?;
    }
    if o.wants("web") {
        let db = Database::create(&o.admin_url, "web")?;
        web::scenario(o, &db, figures).await?;
    }
    if o.wants("gallery") {
        let db = Database::create(&o.admin_url, "gallery")?;
        gallery::scenario(o, &db, figures).await?;
    }
    if o.wants("lighthouse") {
        let db = Database::create(&o.admin_url, "lighthouse")?;
        lighthouse::scenario(o, &db, figures).await?;
    }
    Ok(())
}
