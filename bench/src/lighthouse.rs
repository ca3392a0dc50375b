//! Lighthouse (npm, Debian's Chromium, its default mobile settings: a mid-range phone on a slow
//! 4G link, simulated) on the home page, /login, and /create and /gallery signed in, through
//! `bench/lighthouse.mjs`: the signed-in pages need their cookies in the browser's jar, where the
//! app looks for them, not only on the requests (which is all the CLI's `--extra-headers` does;
//! with it, the "signed-in" pages measured until 2026-12-06 were the sign-in page they redirect to).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::http::{self, PASSWORD};
use crate::tools::{self, Database, Process};
use crate::{Figure, Options};

fn tools_dir() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_default();
    Path::new(&home).join(".cache/zimage-tools")
}

fn lighthouse_bin() -> PathBuf {
    tools_dir().join("node_modules/.bin/lighthouse")
}

/// A fresh refresh cookie for `email` (the app trades it for a session on load; each is
/// single-use, so every page gets its own), with the readable signed-in hint beside it.
async fn session_cookie(base: &str, email: &str) -> Result<String> {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(String::from)
        .collect();
    if cookies.is_empty() {
        bail!("login set no cookie");
    }
    Ok(cookies.join("; "))
}

/// One page's report: the four category scores and the figures the issue bounds.
struct Report {
    performance: f64,
    accessibility: f64,
    best_practices: f64,
    seo: f64,
    lcp_ms: f64,
    fcp_ms: f64,
    tbt_ms: f64,
    cls: f64,
    transfer_kib: f64,
    /// What the app itself weighs: everything but the images it shows.
    app_kib: f64,
    failed: Vec<String>,
}

fn run(url: &str, cookie: Option<&str>, out: &Path) -> Result<Report> {
    let mut cmd = Command::new("node");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("lighthouse.mjs"))
        .arg(url)
        .arg(out)
        .args(cookie);
    if cookie.is_some() {
        // A returning visitor's browser: it answered the cookie banner when it signed up.
        cmd.arg(r#"{"zimage.cookie-choice":"essential"}"#);
    }
    cmd.env("ZIMAGE_TOOLS", tools_dir());
    // Lighthouse's trace recording fails now and then (NO_NAVSTART, NO_FCP); a second run does not.
    let mut attempt = 0;
    while let Err(err) = tools::run(&mut cmd) {
        attempt += 1;
        if attempt == 5 {
            return Err(err).with_context(|| format!("lighthouse {url}"));
        }
        eprintln!("lighthouse {url}: {err:#}; trying again");
    }
    // `ZIMAGE_BENCH_REPORTS=<dir>` keeps the full reports (element of the LCP, its phases, …).
    if let Ok(dir) = std::env::var("ZIMAGE_BENCH_REPORTS") {
        std::fs::create_dir_all(&dir)?;
        if let Some(name) = out.file_name() {
            std::fs::copy(out, Path::new(&dir).join(name))?;
        }
    }
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out)?)?;
    // A page that sent the browser elsewhere (to sign in, say) was not the page measured.
    let landed = report["finalDisplayedUrl"].as_str().unwrap_or_default();
    if landed != url {
        bail!("lighthouse {url}: the page went on to {landed}");
    }
    let score = |c: &str| report["categories"][c]["score"].as_f64().unwrap_or(0.0) * 100.0;
    let value = |a: &str| {
        report["audits"][a]["numericValue"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    // Audits that count against a score and did not pass, to say what is left.
    let mut failed = Vec::new();
    if let Some(audits) = report["audits"].as_object() {
        for (id, audit) in audits {
            let weighted = report["categories"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.values())
                .flat_map(|c| c["auditRefs"].as_array().into_iter().flatten())
                .any(|r| r["id"] == id.as_str() && r["weight"].as_f64().unwrap_or(0.0) > 0.0);
            let binary = audit["scoreDisplayMode"] == "binary";
            if weighted && binary && audit["score"].as_f64() == Some(0.0) {
                failed.push(id.clone());
            }
        }
    }
    let images = report["audits"]["resource-summary"]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["resourceType"] == "image")
        .filter_map(|i| i["transferSize"].as_f64())
        .sum::<f64>();
    Ok(Report {
        performance: score("performance"),
        accessibility: score("accessibility"),
        best_practices: score("best-practices"),
        seo: score("seo"),
        lcp_ms: value("largest-contentful-paint"),
        fcp_ms: value("first-contentful-paint"),
        tbt_ms: value("total-blocking-time"),
        cls: value("cumulative-layout-shift"),
        transfer_kib: value("total-byte-weight") / 1024.0,
        app_kib: (value("total-byte-weight") - images) / 1024.0,
        failed,
    })
}

/// Waits for `count` tasks of the account to finish, so the gallery has pictures.
async fn wait_for_images(server: &Process, token: &str, count: usize) -> Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let page: serde_json::Value = client
            .get(format!("{}/v1/images?limit=50", server.base))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        if page["items"].as_array().map_or(0, Vec::len) >= count {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the gallery's images were not generated in time")
}

pub async fn scenario(o: &Options, db: &Database, figures: &mut Vec<Figure>) -> Result<()> {
    if !lighthouse_bin().exists() {
        bail!("lighthouse is not installed (`scripts/deps.sh bench` installs it)");
    }
    let web_dir = std::fs::canonicalize("web/dist").context("web/dist (run `just web`)")?;
    let server = tools::serve(
        o,
        db,
        &[
            ("ZIMAGE_WEB_DIR", web_dir.display().to_string()),
            ("ZIMAGE_WORKERS", "2".to_string()),
        ],
    )
    .await?;
    // Lighthouse counts http://localhost as a secure origin, as browsers do.
    let base = server.base.replace("127.0.0.1", "localhost");
    let email = "lighthouse@example.org";
    let subject = http::subject(o, db, &server, email).await?;
    // A gallery of varied shapes, as a user's would be.
    let client = reqwest::Client::new();
    let shapes = [(512, 512), (768, 432), (432, 768), (640, 480)];
    for i in 0..12 {
        let (width, height) = shapes[i % shapes.len()];
        let body = serde_json::json!({"model": "z-image-local", "prompt": format!("a lighthouse at dusk, study {i}"), "width": width, "height": height});
        http::submit_body(&client, &server.base, &subject.token, &body.to_string()).await?;
    }
    wait_for_images(&server, &subject.token, 12).await?;
    let pages: [(&str, &str, bool); 4] = [
        ("Home", "/", false),
        ("Log in", "/login", false),
        ("Create (signed in)", "/create", true),
        ("Gallery (signed in)", "/gallery", true),
    ];
    let mut worst_transfer: f64 = 0.0;
    for (index, (name, path, signed_in)) in pages.into_iter().enumerate() {
        let cookie = if signed_in {
            Some(session_cookie(&server.base, email).await?)
        } else {
            None
        };
        let out = db.data_dir.join(format!("lighthouse-{index}.json"));
        let r = run(&format!("{base}{path}"), cookie.as_deref(), &out)?;
        worst_transfer = worst_transfer.max(r.app_kib);
        let met = r.performance >= 90.0
            && r.accessibility >= 100.0
            && r.best_practices >= 100.0
            && r.seo >= 100.0
            && r.cls <= 0.05;
        figures.push(Figure {
            scenario: format!("Lighthouse, mobile: {name} `{path}`"),
            measured: format!(
                "performance {:.0}, accessibility {:.0}, best practices {:.0}, SEO {:.0}; \
                 FCP {:.1} s, LCP {:.1} s, TBT {:.0} ms, CLS {:.3}; {:.0} KiB transferred \
                 ({:.0} KiB without images){}",
                r.performance,
                r.accessibility,
                r.best_practices,
                r.seo,
                r.fcp_ms / 1000.0,
                r.lcp_ms / 1000.0,
                r.tbt_ms,
                r.cls,
                r.transfer_kib,
                r.app_kib,
                if r.failed.is_empty() {
                    String::new()
                } else {
                    format!("; failing: {}", r.failed.join(", "))
                }
            ),
            bound: "performance ≥ 90; accessibility, best practices, SEO 100; CLS ≤ 0.05".into(),
            met,
        });
    }
    figures.push(Figure {
        scenario: "Web app: its largest transfer on those pages (compressed, images aside)".into(),
        measured: format!("{worst_transfer:.0} KiB"),
        bound: "≤ 500 KiB".into(),
        met: worst_transfer <= 500.0,
    });
    drop(server);
    Ok(())
}
