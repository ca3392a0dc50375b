//! The web app: transfer size of the built bundle and first render in headless Chromium.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::tools::{self, Database, median};
use crate::{Figure, Options};

fn gzip_size(path: &Path) -> Result<usize> {
    let bytes = std::fs::read(path)?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&bytes)?;
    Ok(encoder.finish()?.len())
}

/// Raw and gzipped bytes of the wasm, js and css in `web/dist`.
pub fn size() -> Result<(usize, usize)> {
    let (mut raw, mut gz) = (0, 0);
    let mut stack = vec![Path::new("web/dist").to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css")
            ) {
                raw += std::fs::metadata(&path)?.len() as usize;
                gz += gzip_size(&path)?;
            }
        }
    }
    Ok((raw, gz))
}

/// Waits for the app's first element in `<body>` and reports when it appeared, when the first
/// paint happened and when the HTML finished arriving (all ms since navigation start).
const FIRST_RENDER: &str = r#"
const done = arguments[arguments.length - 1];
const started = performance.now();
(function look() {
  const rendered = [...document.body.children].some(e => !['NOSCRIPT', 'SCRIPT'].includes(e.tagName));
  if (rendered) {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    done({ rendered: performance.now(), fcp: fcp ? fcp.startTime : null, html: nav ? nav.responseEnd : null });
  } else if (performance.now() - started > 20000) {
    done(null);
  } else {
    requestAnimationFrame(look);
  }
})();
"#;

struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn first_render(driver: &str, url: &str, profile: &Path) -> Result<(f64, f64, f64)> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--disable-sync", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    let browser =
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(driver)
            .await
            .context("WebDriver session")?;
    let measured = async {
        browser.goto(url).await?;
        let times = browser.execute_async(FIRST_RENDER, vec![]).await?;
        anyhow::Ok(times)
    }
    .await;
    let _ = browser.close().await;
    let times = measured?;
    let get = |k: &str| times[k].as_f64().unwrap_or(f64::NAN);
    if times.is_null() {
        anyhow::bail!("the app did not render within 20 s");
    }
    Ok((get("rendered"), get("fcp"), get("html")))
}

fn paint(ms: f64) -> String {
    if ms > 0.0 {
        format!("; first contentful paint {ms:.0} ms")
    } else {
        String::new()
    }
}

pub async fn scenario(o: &Options, db: &Database, figures: &mut Vec<Figure>) -> Result<()> {
    let web_dir = std::fs::canonicalize("web/dist").context("web/dist (run `just web`)")?;
    let server = tools::serve(o, db, &[("ZIMAGE_WEB_DIR", web_dir.display().to_string())]).await?;
    let port = tools::free_port()?;
    let _driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?,
    );
    let driver = format!("http://127.0.0.1:{port}");
    let ready = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < ready {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut rendered, mut fcp, mut html) = (Vec::new(), Vec::new(), Vec::new());
    let runs = o.runs.max(5);
    for run in 0..runs {
        // A new profile each time: nothing cached, as on a first visit.
        let profile = db.data_dir.join(format!("chromium-{run}"));
        let (r, f, h) = first_render(&driver, &format!("{}/", server.base), &profile).await?;
        rendered.push(r);
        fcp.push(f);
        html.push(h);
    }
    drop(server);
    let (raw, gz) = size()?;
    let rendered = median(rendered);
    figures.push(Figure {
        scenario: "Web app: first render in headless Chromium (cold cache)".into(),
        measured: format!(
            "{rendered:.0} ms to the app's first element (median of {runs}{}; HTML received at \
             {:.0} ms); bundle {:.0} KiB, {:.0} KiB gzipped",
            paint(median(fcp.into_iter().filter(|f| f.is_finite()).collect())),
            median(html),
            raw as f64 / 1024.0,
            gz as f64 / 1024.0
        ),
        bound: "≤ 1,000 ms on this machine, ≤ 1 MiB gzipped".into(),
        met: rendered <= 1000.0 && gz <= 1024 * 1024,
    });
    Ok(())
}
