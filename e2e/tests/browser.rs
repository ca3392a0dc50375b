//! The web app in real Chromium against the real API and PostgreSQL:
//! sign up → confirm the e-mail → log in → see the account page → manage an API key →
//! switch language → log out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use zimage_api::config::Config;
use zimage_api::startup::Application;
use zimage_api::testing::{free_port, wait_for_port};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn web_dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

async fn start_app(
    data_dir: &Path,
    extra: &[(&str, &str)],
) -> (String, actix_web::web::Data<zimage_api::state::AppState>) {
    assert!(
        web_dist().join("index.html").is_file(),
        "build the web app first (`just web`)"
    );
    let port = free_port();
    let mut env = HashMap::from([
        (
            "DATABASE_URL".to_string(),
            zimage_api::testing::create_database().await,
        ),
        ("ZIMAGE_BIND".to_string(), format!("127.0.0.1:{port}")),
        (
            "ZIMAGE_PUBLIC_URL".to_string(),
            format!("http://127.0.0.1:{port}"),
        ),
        (
            "ZIMAGE_DATA_DIR".to_string(),
            data_dir.to_string_lossy().into_owned(),
        ),
        (
            "ZIMAGE_WEB_DIR".to_string(),
            web_dist().to_string_lossy().into_owned(),
        ),
    ]);
    // A test may choose the address (one an identity provider must know beforehand).
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let base = env["ZIMAGE_PUBLIC_URL"].clone();
    let app = Application::build(Config::from_map(&env).unwrap())
        .await
        .unwrap();
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    (base, state)
}

fn start_driver() -> (Driver, String) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (`just test` installs chromium-driver)");
    wait_for_port(port, "chromedriver");
    (Driver(child), format!("http://127.0.0.1:{port}"))
}

fn verification_link(outbox: &Path) -> String {
    let mail: String = std::fs::read_dir(outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let mail = mail.replace("=\r\n", "").replace("=3D", "=");
    let start = mail
        .find("/verify-email?token=")
        .expect("verification link mailed");
    let token: String = mail[start + "/verify-email?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("/verify-email?token={token}")
}

/// A running app, chromedriver and browser session for one test.
struct Harness {
    base: String,
    data_dir: PathBuf,
    browser: fantoccini::Client,
    state: actix_web::web::Data<zimage_api::state::AppState>,
    _driver: Driver,
}

impl Harness {
    async fn start(extra_env: &[(&str, &str)]) -> Self {
        let data_dir =
            std::env::temp_dir().join(format!("zimage-e2e-{}", uuid::Uuid::new_v4().simple()));
        let (base, state) = start_app(&data_dir, extra_env).await;
        let (driver, driver_url) = start_driver();
        let browser = open_browser(&driver_url, &data_dir).await;
        Self {
            base,
            data_dir,
            browser,
            state,
            _driver: driver,
        }
    }

    /// Ends the browser session (so Chromium does not linger), then reports the outcome.
    async fn finish(self, result: Result<(), fantoccini::error::CmdError>) {
        if result.is_err() {
            // Where it stopped: the URL always, a screenshot when screenshots are enabled.
            if let Ok(url) = self.browser.current_url().await {
                eprintln!("browser was at {url}");
            }
            let _ = snapshot(&self.browser, "failure").await;
        }
        let _ = self.browser.close().await;
        result.unwrap();
    }
}

#[tokio::test]
async fn sign_up_verify_log_in_see_account_and_log_out() {
    let h = Harness::start(&[]).await;
    let result = journey(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn journey(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    sign_up_and_log_in(b, base, data_dir, "grace@example.org").await?;
    // Signing in lands on Create; the account page is in the header's menu.
    assert_eq!(b.current_url().await?.path(), "/create");
    assert_eq!(b.title().await?, "Create an image · Z-Image Studio");
    menu_link(b, "/account").await?;
    let email = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".account-email"))
        .await?;
    assert_eq!(email.text().await?, "grace@example.org");
    assert_eq!(b.current_url().await?.path(), "/account");
    let heading = b.find(Locator::Css("h1")).await?.text().await?;
    assert_eq!(heading, "Your account");
    // The freshly verified account shows no "confirm your e-mail" banner.
    assert!(b.find(Locator::Css(".banner")).await.is_err());
    // A profile picture: the initial until one is uploaded, then the picture, here and in the
    // menu.
    b.find(Locator::Css(".avatar-picker .avatar-initial"))
        .await?;
    pick_picture(b, data_dir, "avatar-file", "a portrait", 640, 480).await?;
    let shown = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".avatar-picker img.avatar"))
        .await?;
    let mut width = None;
    for _ in 0..100 {
        width = b
            .execute(
                "return arguments[0].complete ? arguments[0].naturalWidth : 0",
                vec![serde_json::to_value(&shown).unwrap()],
            )
            .await?
            .as_u64();
        if width.is_some_and(|w| w > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(width, Some(256), "the square, scaled picture is shown");
    snapshot(b, "account-avatar").await?;
    b.find(Locator::Id("menu-button")).await?.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#site-menu .menu-user img.avatar"))
        .await?;
    b.find(Locator::Id("menu-button")).await?.click().await?;
    // The sign-in is in the security log; a consent, once given, stays given.
    b.find(Locator::Css("a[href='/security']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".security-log li[data-kind='login']"))
        .await?;
    // This browser's own session is marked among the signed-in devices.
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#sessions-heading ~ .list .badge"))
        .await?;
    b.goto(&format!("{base}/privacy")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("consent_marketing"))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css("#privacy-heading ~ .notice-success"),
        "Saved.",
    )
    .await?;
    b.refresh().await?;
    let mut checked = None;
    for _ in 0..50 {
        if let Ok(field) = b.find(Locator::Id("consent_marketing")).await {
            checked = field.prop("checked").await?;
            if checked.as_deref() == Some("true") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(checked.as_deref(), Some("true"), "the consent was saved");
    b.goto(&format!("{base}/security")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            ".security-log li[data-kind='consent.changed']",
        ))
        .await?;

    // The welcome bonus shows in the header and on the credits page.
    wait_for_text(b, Locator::Css(".credit-badge-value"), "20").await?;
    b.find(Locator::Css(".credit-badge")).await?.click().await?;
    wait_for_text(b, Locator::Id("credits-available"), "20").await?;
    snapshot(b, "credits").await?;
    let page = b.find(Locator::Css("main")).await?.text().await?;
    assert!(
        page.contains("Welcome bonus") && page.contains("Never expires"),
        "{page}"
    );
    assert!(page.contains("+20"), "{page}");
    menu_link(b, "/account").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("key_name"))
        .await?;

    // API keys: the secret is shown once, the key is listed, and revoking empties the list.
    b.find(Locator::Id("key_name"))
        .await?
        .send_keys("CI bot")
        .await?;
    b.find(Locator::Css("form.inline-form button[type=submit]"))
        .await?
        .click()
        .await?;
    snapshot(b, "account").await?;
    let secret = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".secret-value"))
        .await?;
    assert!(secret.text().await?.starts_with("zimg_"));
    let revoke = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".button-danger"))
        .await?;
    revoke.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty"))
        .await?;

    // Switching the language (in the menu) translates the page at once.
    b.find(Locator::Id("menu-button")).await?.click().await?;
    b.find(Locator::Id("locale-select"))
        .await?
        .select_by_value("zh-CN")
        .await?;
    let heading = b.find(Locator::Css("h1")).await?;
    let mut text = heading.text().await?;
    for _ in 0..50 {
        if text == "您的账户" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        text = heading.text().await?;
    }
    assert_eq!(text, "您的账户");

    b.find(Locator::Css("#site-menu button.menu-item"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("password"))
        .await?;
    assert_eq!(b.current_url().await?.path(), "/login");
    // The session is gone: opening the account page sends us back to log in.
    b.goto(&format!("{base}/account")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("password"))
        .await?;
    assert_eq!(b.current_url().await?.path(), "/login");
    Ok(())
}

/// Waits up to 10 s for the element's text to become `expected`.
async fn wait_for_text(
    b: &fantoccini::Client,
    locator: Locator<'_>,
    expected: &str,
) -> Result<(), fantoccini::error::CmdError> {
    wait_for_text_where(b, locator, expected, |shown| shown == expected).await
}

/// Waits until the element's text contains `part`.
async fn wait_for_text_containing(
    b: &fantoccini::Client,
    locator: Locator<'_>,
    part: &str,
) -> Result<(), fantoccini::error::CmdError> {
    wait_for_text_where(b, locator, part, |shown| shown.contains(part)).await
}

async fn wait_for_text_where(
    b: &fantoccini::Client,
    locator: Locator<'_>,
    expected: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<(), fantoccini::error::CmdError> {
    let mut last = String::new();
    for _ in 0..100 {
        // The element may be replaced between finding and reading it: look again.
        if let Ok(element) = b.find(locator).await
            && let Ok(text) = element.text().await
        {
            last = text;
            if matches(&last) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let html = match b.find(locator).await {
        Ok(element) => element.html(false).await.unwrap_or_default(),
        Err(err) => format!("(not found: {err})"),
    };
    panic!("expected {expected:?}, page shows {last:?}: {html}");
}

/// Chromium's console messages since the last call (chromedriver's log endpoint).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

/// The console errors (and uncaught exceptions) the page logged since the last call.
async fn console_errors(b: &fantoccini::Client) -> Vec<String> {
    let entries = b.issue_cmd(BrowserLog).await.expect("browser log");
    entries
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        // A refused request is logged by Chromium itself; a 401 from a probe is expected.
        .filter(|m| !m.contains("Failed to load resource"))
        .collect()
}

/// Saves a screenshot into `$ZIMAGE_E2E_SCREENSHOTS/<name>.png` when that variable is set.
async fn snapshot(b: &fantoccini::Client, name: &str) -> Result<(), fantoccini::error::CmdError> {
    if let Ok(dir) = std::env::var("ZIMAGE_E2E_SCREENSHOTS") {
        let png = b.screenshot().await?;
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).ok();
    }
    Ok(())
}

async fn open_browser(driver_url: &str, data_dir: &Path) -> fantoccini::Client {
    let profile = data_dir.join("chromium-profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--disable-sync", "--lang=en-US", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    caps.insert(
        "goog:loggingPrefs".into(),
        serde_json::json!({"browser": "ALL"}),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(driver_url)
        .await
        .expect("WebDriver session")
}

/// Signs up and confirms through the e-mailed link, then logs in; ends on /create.
async fn sign_up_and_log_in(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
    email: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    b.goto(&format!("{base}/signup")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("email"))
        .await?
        .send_keys(email)
        .await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Id("accept_terms")).await?.click().await?;
    b.find(Locator::Id("age_confirmed")).await?.click().await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    b.goto(&format!(
        "{base}{}",
        verification_link(&data_dir.join("outbox"))
    ))
    .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    log_in(b, base, email).await
}

/// Renders a PNG of `prompt` into the test's folder and picks it in the file input `input`.
async fn pick_picture(
    b: &fantoccini::Client,
    data_dir: &Path,
    input: &str,
    prompt: &str,
    width: u32,
    height: u32,
) -> Result<(), fantoccini::error::CmdError> {
    let path = data_dir.join(format!("{input}.png"));
    let png = zimage_api::providers::render::render(
        prompt,
        4,
        width,
        height,
        zimage_shared::generation::OutputFormat::Png,
    )
    .unwrap();
    std::fs::write(&path, png).unwrap();
    b.find(Locator::Id(input))
        .await?
        .send_keys(&path.to_string_lossy())
        .await
}

/// Opens the create page once its model list has loaded.
async fn open_create(
    b: &fantoccini::Client,
    base: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&format!("{base}/create")).await?;
    b.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#model option[value='z-image-local']"))
        .await?;
    Ok(())
}

/// When this page's largest contentful paint happened, and when its boot script started the app
/// (the `zimage-app-start` mark), in milliseconds since the navigation.
async fn largest_paint_and_app_start(
    b: &fantoccini::Client,
) -> Result<(f64, f64), fantoccini::error::CmdError> {
    let times = b
        .execute(
            "return new Promise((resolve) => new PerformanceObserver((list) => {
                const entries = list.getEntries();
                const start = performance.getEntriesByName('zimage-app-start')[0];
                resolve([entries[entries.length - 1].startTime, start ? start.startTime : -1]);
            }).observe({ type: 'largest-contentful-paint', buffered: true }))",
            vec![],
        )
        .await?;
    let time = |i: usize| times[i].as_f64().expect("a time");
    Ok((time(0), time(1)))
}

/// Logs in through the form; ends on /create.
async fn log_in(
    b: &fantoccini::Client,
    base: &str,
    email: &str,
) -> Result<(), fantoccini::error::CmdError> {
    submit_login_form(b, base, email).await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".create-layout"))
        .await?;
    Ok(())
}

/// Opens the header's menu and follows its link to `href`.
async fn menu_link(b: &fantoccini::Client, href: &str) -> Result<(), fantoccini::error::CmdError> {
    b.find(Locator::Id("menu-button")).await?.click().await?;
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("#site-menu a[href='{href}']")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Fills in and submits the log-in form (whatever the outcome).
async fn submit_login_form(
    b: &fantoccini::Client,
    base: &str,
    email: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&format!("{base}/login")).await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("email"))
        .await?
        .send_keys(email)
        .await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test]
async fn buying_a_pack_through_checkout_updates_the_balance_on_screen() {
    let stripe = zimage_api::testing::stripe::StripeServer::start();
    // Prices in a two-, a zero- and a three-decimal currency.
    let catalog = std::env::temp_dir().join(format!(
        "zimage-e2e-catalog-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &catalog,
        r#"{"packs": [
            {"id": "pack_100", "kind": "pack", "name": "100 credits", "description": "", "credits": 100, "price_cents": 500, "currency": "usd"},
            {"id": "pack_jpy", "kind": "pack", "name": "100 credits (JPY)", "description": "", "credits": 100, "price_cents": 800, "currency": "jpy"},
            {"id": "pack_kwd", "kind": "pack", "name": "100 credits (KWD)", "description": "", "credits": 100, "price_cents": 1530, "currency": "kwd"}
        ], "plans": []}"#,
    )
    .expect("catalog written");
    let catalog_path = catalog.to_string_lossy().into_owned();
    let h = Harness::start(&[
        ("ZIMAGE_STRIPE_SECRET_KEY", stripe.secret_key.as_str()),
        (
            "ZIMAGE_STRIPE_WEBHOOK_SECRET",
            stripe.webhook_secret.as_str(),
        ),
        ("ZIMAGE_STRIPE_API_BASE", stripe.base_url.as_str()),
        ("ZIMAGE_CATALOG_FILE", catalog_path.as_str()),
    ])
    .await;
    stripe.set_webhook_url(&format!("{}/v1/webhooks/stripe", h.base));
    let result = purchase(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn purchase(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    sign_up_and_log_in(b, base, data_dir, "buyer@example.org").await?;
    b.goto(&format!("{base}/credits")).await?;
    wait_for_text(b, Locator::Id("credits-available"), "20").await?;
    for (pack, shown) in [
        ("pack_100", "$5.00"),
        ("pack_jpy", "¥800"),
        ("pack_kwd", "1.530 KWD"),
    ] {
        let tile = b
            .wait()
            .at_most(wait)
            .for_element(Locator::Css(&format!("li[data-product='{pack}']")))
            .await?;
        let text = tile.text().await?;
        assert!(text.contains(shown), "{pack} shows {text:?}, not {shown}");
    }
    let buy = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("li[data-product='pack_100'] button"))
        .await?;
    buy.click().await?;
    // Stripe's hosted page (here: the local test server's).
    let pay = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("pay"))
        .await?;
    assert_eq!(
        b.find(Locator::Id("product")).await?.text().await?,
        "100 credits"
    );
    pay.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    assert_eq!(b.current_url().await?.path(), "/credits");
    wait_for_text(b, Locator::Id("credits-available"), "120").await?;
    wait_for_text(b, Locator::Css(".credit-badge-value"), "120").await?;
    snapshot(b, "credits-after-purchase").await?;
    let status = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("span.badge[data-status='paid']"))
        .await?;
    assert_eq!(status.text().await?, "Paid");
    let receipt = b.find(Locator::Css("a[href*='/receipts/']")).await?;
    assert_eq!(receipt.text().await?, "Receipt");
    Ok(())
}

#[tokio::test]
async fn generate_watch_progress_then_download_favourite_and_delete_in_the_gallery() {
    let h = Harness::start(&[
        ("ZIMAGE_SIGNUP_BONUS_CREDITS", "3"),
        ("ZIMAGE_LOCAL_LATENCY_MS", "1500"),
        ("ZIMAGE_POLL_INTERVAL_MS", "100"),
        // Listed (its key is set) but never called: its model takes no seed or negative prompt.
        ("ZIMAGE_KIE_KEY", "unused"),
        ("ZIMAGE_KIE_BASE_URL", "http://127.0.0.1:9"),
    ])
    .await;
    let result = generate_and_curate(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn generate_and_curate(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(30);
    sign_up_and_log_in(b, base, data_dir, "artist@example.org").await?;
    // The shell draws the page's heading and prompt field before the app starts, in the
    // visitor's language: for a returning visitor (the cookie banner answered), the largest
    // paint comes before the app, and the app draws nothing larger after it.
    for locale in ["zh-CN", "en"] {
        b.execute(
            "localStorage.setItem('zimage.locale', arguments[0]);
             localStorage.setItem('zimage.cookie-choice', 'essential');",
            vec![locale.into()],
        )
        .await?;
        open_create(b, base).await?;
        let (largest, app_start) = largest_paint_and_app_start(b).await?;
        assert!(
            largest < app_start,
            "{locale}: the largest paint at {largest} ms came after the app started at {app_start} ms"
        );
    }
    wait_for_text(b, Locator::Css("[data-testid=cost]"), "1").await?;
    // A model that takes no seed or negative prompt: the form does not offer them, and says so.
    b.find(Locator::Css("#model option[value='z-image-kie']"))
        .await?
        .click()
        .await?;
    b.find(Locator::Css("details.more summary"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("[data-testid=no-seed]"))
        .await?;
    assert!(b.find(Locator::Id("negative")).await.is_err());
    assert!(b.find(Locator::Id("seed")).await.is_err());
    snapshot(b, "create-no-seed").await?;
    b.find(Locator::Css("#model option[value='z-image-local']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("seed"))
        .await?;
    b.find(Locator::Id("negative")).await?;
    wait_for_text(b, Locator::Css("[data-testid=cost]"), "1").await?;
    b.find(Locator::Id("prompt"))
        .await?
        .send_keys("a lighthouse made of glass at dusk")
        .await?;
    b.find(Locator::Css(".aspect-choice:has(input[value='16:9'])"))
        .await?
        .click()
        .await?;
    // Ctrl+Enter in the prompt generates, without reaching for the button.
    b.find(Locator::Id("prompt"))
        .await?
        .send_keys("\u{E009}\u{E007}\u{E000}")
        .await?;
    // Live progress: the task is seen running before it succeeds.
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".task-status[data-status='running'] progress"))
        .await?;
    snapshot(b, "create-running").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".task-status[data-status='succeeded']"))
        .await?;
    let image = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".result img"))
        .await?;
    assert_eq!(image.attr("width").await?.as_deref(), Some("1024"));
    wait_for_text(b, Locator::Css(".credit-badge-value"), "2").await?;
    snapshot(b, "create-done").await?;

    // Not enough credits: a clear message, nothing charged.
    b.find(Locator::Css("#count option[value='4']"))
        .await?
        .click()
        .await?;
    wait_for_text(b, Locator::Css("[data-testid=cost]"), "4").await?;
    assert!(
        b.find(Locator::Css("button[type=submit]"))
            .await?
            .attr("disabled")
            .await?
            .is_some(),
        "Generate is off while the cost is above the balance"
    );
    wait_for_text(
        b,
        Locator::Css(".notice-error"),
        "You do not have enough credits for this.",
    )
    .await?;
    b.find(Locator::Css("a[href='/credits'].button")).await?;
    wait_for_text(b, Locator::Css(".credit-badge-value"), "2").await?;
    snapshot(b, "create-insufficient").await?;

    // The gallery has it: open, download, favourite, delete.
    b.find(Locator::Css("a[href='/gallery']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open img"))
        .await?
        .click()
        .await?;
    let download = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".viewer a[download]"))
        .await?;
    let href = download.attr("href").await?.unwrap_or_default();
    assert!(
        href.contains("/file?") && href.contains("signature="),
        "{href}"
    );
    let fetched = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]));",
            vec![serde_json::Value::String(href)],
        )
        .await?;
    assert_eq!(fetched, serde_json::json!([200, "image/png"]));
    snapshot(b, "gallery-viewer").await?;
    let favourite = b
        .find(Locator::Css(".viewer .actions button[aria-pressed]"))
        .await?;
    favourite.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".viewer .actions button[aria-pressed='true']"))
        .await?;
    // Esc closes the viewer and gives focus back to the image's tile.
    b.find(Locator::Css(".viewer-close"))
        .await?
        .send_keys("\u{E00C}")
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open:focus"))
        .await?;
    b.find(Locator::Css(".segmented .button:last-child"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-star"))
        .await?;
    snapshot(b, "gallery-favourites").await?;

    // Search the prompts: nothing matches, then everything again.
    b.find(Locator::Id("gallery-search"))
        .await?
        .send_keys("no such words")
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty-state"))
        .await?;
    // The filters are in the address: a reload (or a bookmark) keeps them.
    let address = b.current_url().await?;
    assert!(
        address.as_str().contains("q=no%20such%20words")
            && address.as_str().contains("favorite=true"),
        "{address}"
    );
    b.refresh().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty-state"))
        .await?;
    assert_eq!(
        b.find(Locator::Id("gallery-search"))
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some("no such words")
    );
    b.execute(
        "const e = document.getElementById('gallery-search'); e.value = '';
         e.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![],
    )
    .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open"))
        .await?;
    // A date range: from a day still to come shows nothing; cleared, the image is back.
    let set_from = |day: &'static str| {
        b.execute(
            "const e = document.getElementById('gallery-from'); e.value = arguments[0];
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![serde_json::Value::String(day.to_string())],
        )
    };
    set_from("2999-01-01").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty-state"))
        .await?;
    let address = b.current_url().await?;
    assert!(
        address.as_str().contains("from=2999-01-01T00:00:00Z"),
        "{address}"
    );
    set_from("").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open"))
        .await?;
    // A new collection starts empty and is shown at once; the image goes into it from the viewer.
    b.find(Locator::Id("new-collection"))
        .await?
        .send_keys("Keepers")
        .await?;
    b.find(Locator::Css(".toolbar-form button"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty-state"))
        .await?;
    b.find(Locator::Css("#gallery-collection option[value='']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            ".viewer .add-to-collection option:nth-child(2)",
        ))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css(".add-to-collection .hint"),
        "Added to Keepers",
    )
    .await?;
    b.find(Locator::Css(".viewer-close")).await?.click().await?;
    b.find(Locator::Css("#gallery-collection option:nth-child(2)"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open"))
        .await?;
    snapshot(b, "gallery-collection").await?;
    // Shared by link: the public page shows it to anyone, without an account.
    b.find(Locator::Css(".collection-share .share-box .button"))
        .await?
        .click()
        .await?;
    let album = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("collection-share-url"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    let token = album.rsplit('/').next().unwrap_or_default().to_string();
    assert!(album.starts_with(&format!("{base}/c/")), "{album}");
    let public: serde_json::Value = reqwest::get(format!("{base}/v1/shared-collections/{token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["name"], "Keepers", "{public}");
    assert!(
        public["items"][0].get("prompt").is_none(),
        "prompts stay private"
    );
    b.goto(&album).await?;
    wait_for_text(b, Locator::Css(".album-header h1"), "Keepers").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shared-album .shot img"))
        .await?;
    snapshot(b, "shared-collection").await?;
    b.goto(&format!("{base}/gallery")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open"))
        .await?;
    b.find(Locator::Css("#gallery-collection option[value='']"))
        .await?
        .click()
        .await?;

    // Select it with its box; download the selection as one ZIP (caught on its way to the
    // browser's download), then delete it, undo, and delete it again.
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-select"))
        .await?
        .click()
        .await?;
    wait_for_text(b, Locator::Css(".bulk-count"), "1 selected").await?;
    snapshot(b, "gallery-selected").await?;
    b.execute(
        "window.__saved = null;
         const made = URL.createObjectURL;
         URL.createObjectURL = blob => {
             blob.arrayBuffer().then(buf => {
                 const head = new Uint8Array(buf.slice(0, 2));
                 window.__saved = [blob.type, buf.byteLength, String.fromCharCode(head[0], head[1])];
             });
             return made.call(URL, blob);
         };",
        vec![],
    )
    .await?;
    b.find(Locator::Css(".bulk-bar .button-primary"))
        .await?
        .click()
        .await?;
    let mut saved = serde_json::Value::Null;
    for _ in 0..100 {
        saved = b.execute("return window.__saved;", vec![]).await?;
        if !saved.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(saved[0], "application/zip", "{saved}");
    assert_eq!(
        saved[2], "PK",
        "a ZIP starts with its local header: {saved}"
    );
    assert!(saved[1].as_u64().unwrap_or(0) > 1000, "{saved}");
    b.find(Locator::Css(".bulk-bar .button-danger"))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css(".bulk-bar .button-danger"),
        "Delete them for good?",
    )
    .await?;
    b.find(Locator::Css(".bulk-bar .button-danger"))
        .await?
        .click()
        .await?;
    wait_for_text(b, Locator::Css(".toast span"), "1 deleted").await?;
    snapshot(b, "gallery-undo").await?;
    b.find(Locator::Css(".toast button")).await?.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-select"))
        .await?
        .click()
        .await?;
    for _ in 0..2 {
        b.find(Locator::Css(".bulk-bar .button-danger"))
            .await?
            .click()
            .await?;
    }
    wait_for_text(b, Locator::Css(".toast span"), "1 deleted").await?;
    // Leaving the page within the undo window deletes at once.
    b.find(Locator::Css("a[href='/history']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".task-row"))
        .await?;
    b.find(Locator::Css("a[href='/gallery']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty-state"))
        .await?;

    // History keeps the task (its images are gone) and shows what it cost.
    b.goto(&format!("{base}/history")).await?;
    let row = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".task-row"))
        .await?;
    assert!(
        row.text()
            .await?
            .contains("a lighthouse made of glass at dusk")
    );
    assert_eq!(
        b.find_all(Locator::Css(".task-row")).await?.len(),
        1,
        "the refused attempt left no task"
    );
    snapshot(b, "history").await?;

    // The prompt library: save from the create page, find it, use it again.
    open_create(b, base).await?;
    b.find(Locator::Id("prompt"))
        .await?
        .send_keys("a paper crane on a windowsill")
        .await?;
    b.find(Locator::Css(".create-form .actions button[type=button]"))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css(".notice-success"),
        "Saved to your prompt library.",
    )
    .await?;
    b.find(Locator::Css("a[href='/prompts']"))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css(".prompt-title"),
        "a paper crane on a windowsill",
    )
    .await?;
    snapshot(b, "prompts").await?;
    b.find(Locator::Css(".prompt-row a.button-primary"))
        .await?
        .click()
        .await?;
    let mut filled = String::new();
    for _ in 0..100 {
        filled = b
            .find(Locator::Id("prompt"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        if !filled.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(filled, "a paper crane on a windowsill");
    if std::env::var("ZIMAGE_E2E_SCREENSHOTS").is_ok() {
        b.set_window_size(390, 844).await?;
        snapshot(b, "create-phone").await?;
    }
    Ok(())
}

#[tokio::test]
async fn keyboard_only_on_a_phone_in_dark_mode_generate_then_browse_the_gallery() {
    let h = Harness::start(&[
        ("ZIMAGE_SIGNUP_BONUS_CREDITS", "5"),
        ("ZIMAGE_LOCAL_LATENCY_MS", "300"),
        ("ZIMAGE_POLL_INTERVAL_MS", "100"),
    ])
    .await;
    let result = keyboard_journey(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

/// Presses `keys` together (a chord such as Ctrl+Enter), as a keyboard does.
async fn press(b: &fantoccini::Client, keys: &[char]) -> Result<(), fantoccini::error::CmdError> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut chord = KeyActions::new("keyboard".into());
    for &value in keys {
        chord = chord.then(KeyAction::Down { value });
    }
    for &value in keys.iter().rev() {
        chord = chord.then(KeyAction::Up { value });
    }
    b.perform_actions(chord).await?;
    b.release_actions().await
}

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const ESCAPE: char = '\u{E00C}';
const SPACE: char = '\u{E00D}';
const ARROW_RIGHT: char = '\u{E014}';
const ARROW_LEFT: char = '\u{E012}';

/// Whether the focused element matches `css`.
async fn focused(b: &fantoccini::Client, css: &str) -> Result<bool, fantoccini::error::CmdError> {
    let hit = b
        .execute(
            "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(hit == serde_json::Value::Bool(true))
}

/// The start of the focused element's markup, to say where focus went instead.
async fn focused_element(b: &fantoccini::Client) -> Result<String, fantoccini::error::CmdError> {
    let at = b
        .execute(
            "return document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : '';",
            vec![],
        )
        .await?;
    Ok(at.as_str().unwrap_or_default().to_string())
}

/// Presses Tab until the focused element matches `css`; fails after `max` presses.
async fn tab_to(
    b: &fantoccini::Client,
    css: &str,
    max: usize,
) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..max {
        press(b, &[TAB]).await?;
        if focused(b, css).await? {
            return Ok(());
        }
    }
    let at = focused_element(b).await?;
    panic!("{css} not reached in {max} Tab presses; focus is on {at}");
}

/// Waits until the focused element matches `css`.
async fn wait_for_focus(
    b: &fantoccini::Client,
    css: &str,
) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..200 {
        if focused(b, css).await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let at = focused_element(b).await?;
    panic!("focus never reached {css}; it is on {at}");
}

async fn keyboard_journey(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(30);
    sign_up_and_log_in(b, base, data_dir, "keys@example.org").await?;
    b.set_window_size(390, 844).await?;
    open_create(b, base).await?;
    // Dark mode from the header's menu: Enter opens it, typing "d" picks Dark, Esc closes it.
    tab_to(b, "#menu-button", 20).await?;
    press(b, &[ENTER]).await?;
    tab_to(b, "#theme-select", 20).await?;
    press(b, &['d']).await?;
    for _ in 0..100 {
        let theme = b
            .execute("return document.documentElement.dataset.theme;", vec![])
            .await?;
        if theme == serde_json::json!("dark") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        b.execute("return document.documentElement.dataset.theme;", vec![])
            .await?,
        serde_json::json!("dark")
    );
    press(b, &[ESCAPE]).await?;
    wait_for_focus(b, "#menu-button").await?;
    // From the page's start to the prompt, type, then on to Generate and press Enter.
    tab_to(b, "#prompt", 40).await?;
    b.active_element()
        .await?
        .send_keys("a harbour at dawn, long exposure")
        .await?;
    tab_to(b, ".create-form button[type=submit]", 40).await?;
    press(b, &[ENTER]).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".job[data-status='succeeded']"))
        .await?;
    // The finished job takes the focus, so its results are read next.
    wait_for_focus(b, ".job").await?;
    snapshot(b, "keyboard-phone-dark-create").await?;
    // From the finished card on to its "Variations": a second job with the same settings.
    tab_to(b, ".job-actions button:last-child", 10).await?;
    press(b, &[ENTER]).await?;
    let mut done = 0;
    for _ in 0..300 {
        done = b
            .find_all(Locator::Css(".job[data-status='succeeded']"))
            .await?
            .len();
        if done == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(done, 2, "both jobs finish");
    wait_for_focus(b, ".job").await?;

    // To the gallery through the header's menu: on past the page's end, round to the header
    // (the menu button stays in the Tab order after Esc closed the menu).
    tab_to(b, "#menu-button", 80).await?;
    press(b, &[ENTER]).await?;
    tab_to(b, "#site-menu a[href='/gallery']", 20).await?;
    press(b, &[ENTER]).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open img"))
        .await?;
    assert_eq!(b.find_all(Locator::Css(".shot-open")).await?.len(), 2);
    // Open the newest in the viewer; ←/→ move between images, Esc closes and gives the focus
    // back to the tile.
    tab_to(b, ".shot-open", 60).await?;
    let opened = b
        .execute(
            "return document.activeElement.closest('[data-id]').dataset.id;",
            vec![],
        )
        .await?;
    press(b, &[ENTER]).await?;
    wait_for_focus(b, ".viewer-close").await?;
    let src = |b: &fantoccini::Client| {
        let b = b.clone();
        async move {
            b.execute(
                "return document.querySelector('.viewer-image').getAttribute('src');",
                vec![],
            )
            .await
        }
    };
    let first = src(b).await?;
    press(b, &[ARROW_RIGHT]).await?;
    let mut second = first.clone();
    for _ in 0..100 {
        second = src(b).await?;
        if second != first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ne!(first, second, "→ shows the next image");
    snapshot(b, "keyboard-phone-dark-viewer").await?;
    press(b, &[ARROW_LEFT]).await?;
    for _ in 0..100 {
        if src(b).await? == first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(src(b).await?, first, "← goes back");
    press(b, &[ESCAPE]).await?;
    wait_for_focus(
        b,
        &format!(
            "[data-id='{opened}'] .shot-open",
            opened = opened.as_str().unwrap()
        ),
    )
    .await?;
    assert!(b.find(Locator::Css(".viewer")).await.is_err());
    // Select with Space, clear with Esc.
    tab_to(b, ".shot-select", 10).await?;
    press(b, &[SPACE]).await?;
    wait_for_text(b, Locator::Css(".bulk-count"), "1 selected").await?;
    snapshot(b, "keyboard-phone-dark-selected").await?;
    press(b, &[ESCAPE]).await?;
    for _ in 0..100 {
        if b.find(Locator::Css(".bulk-count")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(b.find(Locator::Css(".bulk-count")).await.is_err());
    // The same account on a desktop, still dark: the grid, then the viewer.
    b.set_window_size(1280, 800).await?;
    snapshot(b, "keyboard-desktop-dark-gallery").await?;
    let errors = console_errors(b).await;
    assert!(errors.is_empty(), "console: {errors:?}");
    Ok(())
}

#[tokio::test]
async fn image_to_image_from_an_upload_then_share_the_result_and_revoke_the_link() {
    let h = Harness::start(&[("ZIMAGE_LOCAL_LATENCY_MS", "300")]).await;
    let result = upload_generate_share(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn upload_generate_share(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(30);
    sign_up_and_log_in(b, base, data_dir, "editor@example.org").await?;
    open_create(b, base).await?;
    // The file input behind the drop zone takes a real file from disk.
    pick_picture(b, data_dir, "reference-file", "a pencil sketch", 320, 320).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("img.reference-preview"))
        .await?;
    b.find(Locator::Id("strength")).await?;
    b.find(Locator::Id("prompt"))
        .await?
        .send_keys("ink the sketch")
        .await?;
    snapshot(b, "create-reference").await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".task-status[data-status='succeeded']"))
        .await?;

    // Variations: the same settings with a new seed, as a second card above the first.
    b.find(Locator::Css(".job-actions button:nth-child(2)"))
        .await?
        .click()
        .await?;
    let mut finished = 0;
    for _ in 0..300 {
        finished = b
            .find_all(Locator::Css(".job[data-status='succeeded']"))
            .await?
            .len();
        if finished == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(finished, 2, "the variation ran as a card of its own");
    // A result becomes the next reference in one click.
    b.find(Locator::Css(".reference-controls .button-ghost"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".dropzone"))
        .await?;
    b.find(Locator::Css(".result figcaption button:last-child"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("img.reference-preview"))
        .await?;
    snapshot(b, "create-variations").await?;

    // In the gallery: open it and share it.
    b.goto(&format!("{base}/gallery")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".shot-open img"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".share-box .button"))
        .await?
        .click()
        .await?;
    let link = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("share-url"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(link.starts_with(&format!("{base}/s/")), "{link}");
    snapshot(b, "gallery-shared").await?;
    // Opened again, the viewer shows the link it already has (not "Share" again).
    b.find(Locator::Css(".viewer-close")).await?.click().await?;
    b.find(Locator::Css(".shot-open img"))
        .await?
        .click()
        .await?;
    let again = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("share-url"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert_eq!(again, link);

    // Logged out, the link shows the image (and no prompt: it was not opted in).
    b.goto(&format!("{base}/account")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".account-email"))
        .await?;
    log_out(b).await?;
    b.goto(&link).await?;
    let image = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".shared-card img"))
        .await?;
    // The image may still be arriving; give it a few seconds to decode.
    let mut loaded = serde_json::json!(false);
    for _ in 0..50 {
        loaded = b
            .execute(
                "return arguments[0].complete && arguments[0].naturalWidth > 0;",
                vec![serde_json::to_value(&image).unwrap()],
            )
            .await?;
        if loaded == serde_json::json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(loaded, serde_json::json!(true));
    assert!(
        b.find(Locator::Css(".shared-card .shared-prompt"))
            .await
            .is_err()
    );
    snapshot(b, "shared-public").await?;

    // The owner stops sharing; the link goes dead.
    log_in(b, base, "editor@example.org").await?;
    b.goto(&format!("{base}/developers")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#shares-heading ~ ul .button-danger"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#shares-heading ~ .empty"))
        .await?;
    snapshot(b, "developers").await?;
    b.goto(&link).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".empty-state .notice-error"))
        .await?;
    Ok(())
}

/// The link of a given kind (`/privacy/confirm?…`) in the newest mail that has one.
fn mailed_link(outbox: &Path, path: &str) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .rev()
        .find_map(|f| {
            let mail = std::fs::read_to_string(f)
                .unwrap()
                .replace("=\r\n", "")
                .replace("=3D", "=");
            let start = mail.find(path)?;
            Some(
                mail[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-_/?=&".contains(*c))
                    .collect(),
            )
        })
        .unwrap_or_else(|| panic!("no {path} link mailed"))
}

#[tokio::test]
async fn export_my_data_then_delete_my_account_and_it_cannot_sign_in() {
    let h = Harness::start(&[("ZIMAGE_LOCAL_LATENCY_MS", "200")]).await;
    let result = export_then_erase(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn export_then_erase(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(30);
    sign_up_and_log_in(b, base, data_dir, "erin@example.org").await?;
    // Essential cookies only: the banner goes and stays gone.
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("cookies-essential"))
        .await?
        .click()
        .await?;
    open_create(b, base).await?;
    b.find(Locator::Id("prompt"))
        .await?
        .send_keys("a paper boat on a pond")
        .await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".task-status[data-status='succeeded']"))
        .await?;
    assert!(b.find(Locator::Css(".cookie-banner")).await.is_err());
    // Another browser of the same account is not asked again: the answer is the account's.
    b.execute("localStorage.clear();", vec![]).await?;
    b.refresh().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("prompt"))
        .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        b.find(Locator::Css(".cookie-banner")).await.is_err(),
        "the account answered already"
    );

    // Export: requested here, built in the background, downloadable from the same list.
    b.goto(&format!("{base}/privacy")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("request-export"))
        .await?
        .click()
        .await?;
    let link = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(
            ".privacy-requests li[data-kind='export'] a.download-export",
        ))
        .await?;
    let due = b
        .find(Locator::Css(".privacy-requests li[data-kind='export']"))
        .await?
        .text()
        .await?;
    assert!(
        due.contains("Done") && due.contains("available until"),
        "{due}"
    );
    snapshot(b, "privacy-center").await?;
    let href = link.attr("href").await?.expect("download link");
    let zip_bytes = reqwest::get(&href).await.unwrap().bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect();
    assert!(names.iter().any(|n| n == "README.md"), "{names:?}");
    let images: Vec<&String> = names.iter().filter(|n| n.starts_with("images/")).collect();
    assert_eq!(images.len(), 1, "{names:?}");
    let mut listed = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("images.json").unwrap(), &mut listed)
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let id = listed["images"][0]["id"].as_str().unwrap();
    assert!(images[0].starts_with(&format!("images/{id}.")));

    // Erasure: two clicks here, then the e-mailed link; then the account cannot sign in.
    let erase = b.find(Locator::Id("request-erasure")).await?;
    erase.click().await?;
    erase.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#erase-heading ~ .notice-success"))
        .await?;
    let confirm = mailed_link(&data_dir.join("outbox"), "/privacy/confirm?");
    b.goto(&format!("{base}{confirm}")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("confirm-erasure"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("erasure-scheduled"))
        .await?;
    snapshot(b, "erasure-confirmed").await?;
    submit_login_form(b, base, "erin@example.org").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("erasure-pending"))
        .await?;
    assert_eq!(b.current_url().await?.path(), "/login");
    Ok(())
}

async fn log_out(b: &fantoccini::Client) -> Result<(), fantoccini::error::CmdError> {
    b.find(Locator::Id("menu-button")).await?.click().await?;
    b.find(Locator::Css("#site-menu button.menu-item"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("a[href='/signup']"))
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_customer_opens_a_ticket_and_an_administrator_answers_it() {
    let h = Harness::start(&[]).await;
    zimage_api::domain::accounts::create_user_as_operator(
        &h.state,
        "root@example.org",
        "a sturdy passphrase",
        true,
    )
    .await
    .unwrap();
    let result = support_round_trip(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn support_round_trip(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    sign_up_and_log_in(b, base, data_dir, "cara@example.org").await?;
    menu_link(b, "/support").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("ticket-subject"))
        .await?
        .send_keys("Where is my invoice?")
        .await?;
    b.find(Locator::Id("ticket-body"))
        .await?
        .send_keys("I bought a pack yesterday.")
        .await?;
    b.find(Locator::Css(
        "#new-ticket-heading ~ form button[type=submit]",
    ))
    .await?
    .click()
    .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".ticket[data-status='open'] .thread .message"))
        .await?;
    log_out(b).await?;

    // The administrator finds it in the queue and answers.
    log_in(b, base, "root@example.org").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#site-menu a[href='/admin']"))
        .await?;
    b.goto(&format!("{base}/admin")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("stat-signups"))
        .await?;
    snapshot(b, "admin-dashboard").await?;
    b.find(Locator::Css(".tabs a[href='/admin/support']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".support-queue li a"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("reply-body"))
        .await?
        .send_keys("It is on the Billing page, under Orders.")
        .await?;
    b.find(Locator::Css(".ticket button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            ".ticket[data-status='answered'] .message-staff",
        ))
        .await?;
    snapshot(b, "admin-ticket").await?;
    b.find(Locator::Css(".tabs a[href='/admin/audit']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".audit-log tr[data-action='support.replied']"))
        .await?;

    // Backends: the built-in one, healthy, drained and put back without a restart (audited).
    b.find(Locator::Css(".tabs a[href='/admin/backends']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            "#backends tr[data-provider='local'] .badge-succeeded",
        ))
        .await?;
    snapshot(b, "admin-backends").await?;
    // The same on a phone, dark: the table scrolls sideways inside its card.
    b.set_window_size(390, 844).await?;
    b.execute("document.documentElement.dataset.theme = 'dark';", vec![])
        .await?;
    snapshot(b, "admin-backends-phone-dark").await?;
    // Nothing but the table's own scroller is wider than the phone.
    let overflow = b
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await?;
    assert_eq!(overflow, serde_json::json!(0), "the page scrolls sideways");
    b.execute("document.documentElement.dataset.theme = 'light';", vec![])
        .await?;
    b.set_window_size(1280, 800).await?;
    for mode in ["draining", "active"] {
        b.find(Locator::Id("mode-local"))
            .await?
            .select_by_value(mode)
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    b.find(Locator::Css(".tabs a[href='/admin/audit']"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            ".audit-log tr[data-action='backend.mode_changed']",
        ))
        .await?;
    log_out(b).await?;

    // The customer is told by e-mail and reads the answer.
    let mails: String = std::fs::read_dir(data_dir.join("outbox"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(mails.contains("Support answered your ticket"));
    log_in(b, base, "cara@example.org").await?;
    b.goto(&format!("{base}/support")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".tickets li[data-status='answered'] a"))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css(".message-staff .message-body"),
        "It is on the Billing page, under Orders.",
    )
    .await?;
    Ok(())
}

/// A third-party app's callback: a local HTTP server answering every request, reporting the
/// request targets under `/callback` (the authorization response) on the channel.
async fn callback_server() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let target = text.split(' ').nth(1).unwrap_or_default().to_string();
                let body = "<!doctype html><title>Photo Frame</title><h1>Signed in</h1>";
                let _ = socket
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
                if target.starts_with("/callback") {
                    let _ = tx.send(target);
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn a_third_party_app_completes_the_oauth_code_flow_with_pkce() {
    let h = Harness::start(&[]).await;
    let result = oauth_code_flow(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn oauth_code_flow(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    use base64::Engine;
    use sha2::Digest;
    let wait = Duration::from_secs(20);
    let (port, mut callbacks) = callback_server().await;
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");

    // The developer registers a public app on the developers page.
    sign_up_and_log_in(b, base, data_dir, "frame@example.org").await?;
    b.goto(&format!("{base}/developers")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("oauth_app_name"))
        .await?
        .send_keys("Photo Frame")
        .await?;
    b.find(Locator::Id("oauth_redirect_uris"))
        .await?
        .send_keys(&redirect_uri)
        .await?;
    b.find(Locator::Css(
        "#oauth-apps-heading ~ form button[type=submit]",
    ))
    .await?
    .click()
    .await?;
    let client_id = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("oauth-client-id"))
        .await?
        .text()
        .await?;
    assert!(client_id.starts_with("zic_"), "{client_id}");
    snapshot(b, "oauth-apps").await?;
    log_out(b).await?;

    // The app sends a signed-out browser to the consent page with a PKCE challenge: the user
    // signs in and comes back to it.
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", "generations:read generations:write"),
        ("state", "af0ifjsldkj"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    b.goto(&format!("{base}/oauth/authorize?{query}")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("email"))
        .await?
        .send_keys("frame@example.org")
        .await?;
    assert!(b.current_url().await?.as_str().contains("next="));
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text(b, Locator::Id("consent-app"), "Photo Frame").await?;
    assert_eq!(b.current_url().await?.path(), "/oauth/authorize");
    let scopes = b.find(Locator::Css(".scope-list")).await?.text().await?;
    assert!(scopes.contains("May generate images"), "{scopes}");
    assert_eq!(
        b.find(Locator::Id("consent-destination"))
            .await?
            .text()
            .await?,
        format!("127.0.0.1:{port}")
    );
    b.find(Locator::Id("consent_cap"))
        .await?
        .send_keys("50")
        .await?;
    snapshot(b, "oauth-consent").await?;
    b.find(Locator::Css(".consent-actions button[type=submit]"))
        .await?
        .click()
        .await?;

    // The browser lands on the app's callback with the code; the app trades it.
    let target = tokio::time::timeout(wait, callbacks.recv())
        .await
        .expect("the browser reached the callback")
        .unwrap();
    let params: HashMap<String, String> =
        serde_urlencoded::from_str(target.split_once('?').unwrap().1).unwrap();
    assert_eq!(params["state"], "af0ifjsldkj");
    assert_eq!(params["iss"], base);
    let http = reqwest::Client::new();
    let form = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("code", params["code"].as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.as_str()),
        ("client_id", client_id.as_str()),
    ])
    .unwrap();
    let tokens: serde_json::Value = http
        .post(format!("{base}/v1/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().expect("an access token");
    let me: serde_json::Value = http
        .get(format!("{base}/v1/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "frame@example.org");

    // The user sees the app among their authorized apps and revokes it.
    b.goto(&format!("{base}/account")).await?;
    let row = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".authorized-app"))
        .await?;
    let text = row.text().await?;
    assert!(
        text.contains("Photo Frame") && text.contains("/ 50"),
        "{text}"
    );
    snapshot(b, "oauth-authorized-apps").await?;
    row.find(Locator::Css("button")).await?.click().await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#authorized-heading ~ .empty"))
        .await?;
    let after = http
        .get(format!("{base}/v1/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);

    // A request that cannot be granted is not forwarded without a click: the app's address is
    // shown, and the way back is a link the user chooses.
    let bad = query.replace("response_type=code", "response_type=token");
    b.goto(&format!("{base}/oauth/authorize?{bad}")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("consent-refused"))
        .await?;
    assert_eq!(b.current_url().await?.path(), "/oauth/authorize");
    let back = b
        .find(Locator::Id("consent-return"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    assert!(
        back.starts_with(&redirect_uri) && back.contains("error=unsupported_response_type"),
        "{back}"
    );
    snapshot(b, "oauth-refused").await?;
    Ok(())
}

#[tokio::test]
async fn members_pages_send_visitors_to_sign_in_and_back_without_console_errors() {
    let h = Harness::start(&[]).await;
    let result = signed_out_and_expired(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

/// Waits for the sign-in form and checks it will return to `next`.
async fn expect_sign_in_for(
    b: &fantoccini::Client,
    next: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("password"))
        .await?;
    let url = b.current_url().await?;
    assert_eq!(url.path(), "/login");
    let back: HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(back.get("next").map(String::as_str), Some(next), "{url}");
    Ok(())
}

async fn signed_out_and_expired(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    // The shell paints before the app: header and skeleton, with the page's title and icons.
    let shell = reqwest::get(format!("{base}/gallery")).await.unwrap();
    let html = shell.text().await.unwrap();
    assert!(html.contains("class=\"site-header\"") && html.contains("skeleton"));
    for page in [
        "/create", "/gallery", "/history", "/account", "/credits", "/prompts", "/support",
    ] {
        b.goto(&format!("{base}{page}")).await?;
        expect_sign_in_for(b, page).await?;
        // Leaving the page mid-load must not touch what it left behind.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let errors = console_errors(b).await;
        assert!(errors.is_empty(), "{page} signed out: {errors:?}");
    }
    assert_eq!(b.title().await?, "Log in · Z-Image Studio");

    // Signing in from the gallery's redirect comes back to the gallery.
    sign_up_and_log_in(b, base, data_dir, "nomad@example.org").await?;
    log_out(b).await?;
    b.goto(&format!("{base}/gallery?sort=oldest")).await?;
    expect_sign_in_for(b, "/gallery?sort=oldest").await?;
    b.find(Locator::Id("email"))
        .await?
        .send_keys("nomad@example.org")
        .await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("gallery-search"))
        .await?;
    let url = b.current_url().await?;
    assert_eq!((url.path(), url.query()), ("/gallery", Some("sort=oldest")));

    // The session ends elsewhere (every sign-in of the account revoked): the next page the app
    // opens finds out, goes to sign-in, and nothing breaks on the way.
    let api = reqwest::Client::new();
    let tokens: serde_json::Value = api
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"email": "nomad@example.org", "password": "a sturdy passphrase"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let sessions: serde_json::Value = api
        .get(format!("{base}/v1/me/sessions"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for session in sessions["items"].as_array().unwrap() {
        if session["current"] == false {
            let revoked = api
                .delete(format!(
                    "{base}/v1/me/sessions/{}",
                    session["id"].as_str().unwrap()
                ))
                .bearer_auth(access)
                .send()
                .await
                .unwrap();
            assert_eq!(revoked.status(), 204);
        }
    }
    b.find(Locator::Css("a.nav-link[href='/create']"))
        .await?
        .click()
        .await?;
    expect_sign_in_for(b, "/create").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let errors = console_errors(b).await;
    assert!(errors.is_empty(), "expired session: {errors:?}");

    // On a phone the header is one row with a menu.
    b.set_window_size(390, 844).await?;
    b.goto(&format!("{base}/login")).await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".site-header .menu-button"))
        .await?;
    let height = b
        .execute(
            "return document.querySelector('.site-header').getBoundingClientRect().height",
            vec![],
        )
        .await?;
    assert!(height.as_f64().unwrap() <= 64.0, "header {height}px");
    // Nothing is wider than the screen: no sideways scrolling.
    let overflow = b
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await?;
    assert!(
        overflow.as_f64().unwrap() <= 0.0,
        "{overflow}px wider than the screen"
    );
    snapshot(b, "phone-login").await?;
    // The menu holds log-in and the preferences.
    b.find(Locator::Id("menu-button")).await?.click().await?;
    b.find(Locator::Css("#site-menu a[href='/login']")).await?;
    b.find(Locator::Id("theme-select")).await?;
    snapshot(b, "phone-menu").await?;
    Ok(())
}

#[tokio::test]
async fn signing_in_with_two_factor_authentication_asks_for_the_apps_code_or_a_recovery_code() {
    // A second factor counts as fresh for 5 seconds here (10 minutes by default), so the journey
    // meets the step-up dialog without waiting.
    let h = Harness::start(&[("ZIMAGE_TWO_FACTOR_FRESH_SECS", "5")]).await;
    let result = two_factor_sign_in(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

#[tokio::test]
async fn a_new_email_address_is_confirmed_from_its_inbox_and_the_old_one_can_undo_it() {
    let h = Harness::start(&[]).await;
    let result = email_change(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

#[tokio::test]
async fn on_an_invite_only_installation_an_administrator_invites_and_the_invitee_signs_up() {
    let h = Harness::start(&[("ZIMAGE_SIGNUP", "invite")]).await;
    zimage_api::domain::accounts::create_user_as_operator(
        &h.state,
        "root@example.org",
        "a sturdy passphrase",
        true,
    )
    .await
    .unwrap();
    let result = invitation_journey(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn invitation_journey(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    // A visitor without an invitation is told how sign-up works here, and gets no form.
    b.goto(&format!("{base}/signup")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("signup-invite-only"))
        .await?;
    assert!(
        b.find(Locator::Id("email")).await.is_err(),
        "no form to fill in"
    );
    snapshot(b, "signup-invite-only").await?;

    // The administrator makes an invitation for one address.
    log_in(b, base, "root@example.org").await?;
    b.goto(&format!("{base}/admin/invitations")).await?;
    wait_for_text_containing(b, Locator::Id("signup-mode"), "ZIMAGE_SIGNUP=invite").await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("invitation_email"))
        .await?
        .send_keys("newcomer@example.org")
        .await?;
    b.find(Locator::Id("invitation_note"))
        .await?
        .send_keys("new designer")
        .await?;
    b.find(Locator::Css("#new-invitation ~ form button[type=submit]"))
        .await?
        .click()
        .await?;
    let link = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("invitation-link"))
        .await?
        .prop("value")
        .await?
        .expect("the link is shown");
    assert!(
        link.starts_with(&format!("{base}/signup?invitation=")),
        "{link}"
    );
    wait_for_text_containing(
        b,
        Locator::Css("#invitations tbody tr"),
        "newcomer@example.org",
    )
    .await?;
    snapshot(b, "admin-invitations").await?;
    log_out(b).await?;

    // It was mailed too.
    let mails: String = std::fs::read_dir(data_dir.join("outbox"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let mails = mails.replace("=\r\n", "").replace("=3D", "=");
    assert!(mails.contains("You are invited to Z-Image Studio"));
    assert!(mails.contains(&link), "the mailed link is the one shown");

    // The invitee opens it: the address is filled in and kept.
    b.goto(&link).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("signup-invited"))
        .await?;
    let email = b.find(Locator::Id("email")).await?;
    assert_eq!(
        email.prop("value").await?.as_deref(),
        Some("newcomer@example.org")
    );
    assert!(email.attr("readonly").await?.is_some());
    snapshot(b, "signup-invited").await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Id("accept_terms")).await?.click().await?;
    b.find(Locator::Id("age_confirmed")).await?.click().await?;
    b.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text_containing(b, Locator::Css(".notice-success"), "Check your inbox").await?;
    b.goto(&format!(
        "{base}{}",
        verification_link(&data_dir.join("outbox"))
    ))
    .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    log_in(b, base, "newcomer@example.org").await?;
    // The link is used up now.
    log_out(b).await?;
    b.goto(&link).await?;
    wait_for_text_containing(
        b,
        Locator::Id("signup-invite-only"),
        "can't be used any more",
    )
    .await?;
    Ok(())
}

async fn email_change(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    let outbox = data_dir.join("outbox");
    sign_up_and_log_in(b, base, data_dir, "mover@example.org").await?;
    b.goto(&format!("{base}/account")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("new_email"))
        .await?
        .send_keys("mover@new.example")
        .await?;
    b.find(Locator::Id("email_password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Css("#email-heading ~ form button[type=submit]"))
        .await?
        .click()
        .await?;
    let sent = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("email-change-sent"))
        .await?
        .text()
        .await?;
    assert!(sent.contains("mover@new.example"), "{sent}");
    snapshot(b, "account-email-change-sent").await?;

    // The link from the new inbox moves the account there.
    b.goto(&format!("{base}{}", mailed_link(&outbox, "/email-change?")))
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    b.goto(&format!("{base}/account")).await?;
    wait_for_text(
        b,
        Locator::Css("#current-email strong"),
        "mover@new.example",
    )
    .await?;

    // The old address undoes it, by pressing the button (opening the link alone changes
    // nothing): this browser is signed out too.
    b.goto(&format!(
        "{base}{}",
        mailed_link(&outbox, "/email-change/undo?")
    ))
    .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("undo-email-change"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    snapshot(b, "email-change-undone").await?;
    b.goto(&format!("{base}/account")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("email"))
        .await?;
    Ok(())
}

/// The code an authenticator app shows for `secret`, `ahead` seconds from now (from oathtool).
fn authenticator_code(secret: &str, ahead: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = i64::try_from(now).unwrap() + ahead;
    let out = Command::new("oathtool")
        .args(["--totp", "-b", "--now", &format!("@{at}"), secret])
        .output()
        .expect("oathtool (scripts/deps.sh test installs it)");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn two_factor_sign_in(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let email = "guarded@example.org";
    sign_up_and_log_in(b, base, data_dir, email).await?;
    // Turned on from the Security page: the QR code and the key, then the app's first code.
    b.goto(&format!("{base}/security")).await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("two-factor-on"))
        .await?
        .click()
        .await?;
    let shown = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("two-factor-secret"))
        .await?
        .text()
        .await?;
    let secret: String = shown.split_whitespace().collect();
    assert_eq!(secret.len(), 32, "{shown}");
    assert!(b.find(Locator::Css(".qr svg")).await.is_ok());
    snapshot(b, "security-two-factor-setup").await?;
    b.find(Locator::Id("two-factor-code"))
        .await?
        .send_keys(&format!("{}\u{E007}", authenticator_code(&secret, 0)))
        .await?;
    let codes = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#recovery-codes li"))
        .await?;
    let recovery = codes.text().await?;
    assert_eq!(recovery.len(), 14, "{recovery}");
    let spare = b
        .find(Locator::Css("#recovery-codes li:nth-child(2)"))
        .await?
        .text()
        .await?;
    snapshot(b, "security-recovery-codes").await?;
    b.find(Locator::Id("recovery-codes-done"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("two-factor-status"))
        .await?;
    let secret = secret.as_str();

    // Later, creating an API key asks to confirm it is the owner (the step-up dialog), then goes
    // on by itself. Cancelled first: nothing is created and the page says why.
    tokio::time::sleep(Duration::from_secs(6)).await;
    b.goto(&format!("{base}/account")).await?;
    let name = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("key_name"))
        .await?;
    name.send_keys("Deploy bot").await?;
    let create = b
        .find(Locator::Css("form.inline-form button[type=submit]"))
        .await?;
    create.click().await?;
    let code_field = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("dialog#step-up[open] #step-up-code"))
        .await?;
    snapshot(b, "step-up-dialog").await?;
    b.find(Locator::Css("dialog#step-up .actions button[type=button]"))
        .await?
        .click()
        .await?;
    wait_for_text(
        b,
        Locator::Css("#keys-heading ~ .notice-error"),
        "Confirm it is you with a code from your authenticator app first.",
    )
    .await?;
    assert!(b.find(Locator::Css(".secret-value")).await.is_err());
    create.click().await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("dialog#step-up[open]"))
        .await?;
    code_field.send_keys(&format!("{spare}\u{E007}")).await?;
    let key = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".secret-value"))
        .await?;
    assert!(key.text().await?.starts_with("zimg_"));
    assert!(b.find(Locator::Css("dialog#step-up[open]")).await.is_err());

    // The password, then the code step.
    log_out(b).await?;
    submit_login_form(b, base, email).await?;
    let field = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("code"))
        .await?;
    assert_eq!(
        field.attr("autocomplete").await?.as_deref(),
        Some("one-time-code")
    );
    // The next step's code: the current one was spent turning it on.
    let code = authenticator_code(secret, 30);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    field.send_keys(&wrong).await?;
    field.send_keys("\u{E007}").await?;
    wait_for_text(
        b,
        Locator::Css("section:not([hidden]) .notice-error"),
        "That code is wrong or was used already. Try the current code from your app.",
    )
    .await?;
    snapshot(b, "sign-in-second-factor").await?;
    field.clear().await?;
    field.send_keys(&code).await?;
    field.send_keys("\u{E007}").await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".create-layout"))
        .await?;

    // A recovery code works in its place, however it is typed.
    log_out(b).await?;
    submit_login_form(b, base, email).await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("code"))
        .await?
        .send_keys(&format!("{}\u{E007}", recovery.to_uppercase()))
        .await?;
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".create-layout"))
        .await?;
    Ok(())
}

/// Polls until the page's path is `path` (a sign-in at a provider leaves the app and comes back).
async fn wait_for_path(
    b: &fantoccini::Client,
    path: &str,
) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..200 {
        if b.current_url().await?.path() == path {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached {path}; at {}", b.current_url().await?);
}

#[tokio::test]
async fn someone_new_signs_up_with_an_identity_provider_and_signs_in_with_it_again() {
    use zimage_api::testing::identity::{CLIENT_ID, CLIENT_SECRET, OpenIdProvider};
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let idp = OpenIdProvider::start(
        &serde_json::json!({
            "alice": {"email": "alice@example.test", "email_verified": true, "name": "Alice Example"}
        }),
        &[format!("{base}/v1/auth/sso/corp/callback")],
    )
    .await;
    idp.set_default_account("alice").await;
    let h = Harness::start(&[
        ("ZIMAGE_BIND", &format!("127.0.0.1:{port}")),
        ("ZIMAGE_PUBLIC_URL", &base),
        ("ZIMAGE_SSO", "corp"),
        ("ZIMAGE_SSO_CORP_ISSUER", &idp.issuer),
        ("ZIMAGE_SSO_CORP_NAME", "Corp SSO"),
        ("ZIMAGE_SSO_CORP_CLIENT_ID", CLIENT_ID),
        ("ZIMAGE_SSO_CORP_CLIENT_SECRET", CLIENT_SECRET),
    ])
    .await;
    let result = provider_journey(&h.browser, &h.base).await;
    h.finish(result).await;
}

async fn provider_journey(
    b: &fantoccini::Client,
    base: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    // Sent to sign in from a page that wants them back.
    b.goto(&format!("{base}/login?next=%2Fgallery")).await?;
    let button = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("sso-corp"))
        .await?;
    assert!(button.text().await?.ends_with("Continue with Corp SSO"));
    snapshot(b, "login-with-provider").await?;
    button.click().await?;

    // Back from the provider, nothing exists until age and terms are confirmed.
    wait_for_path(b, "/signup/finish").await?;
    wait_for_text_containing(b, Locator::Id("sso-finish-lead"), "alice@example.test").await?;
    let here = b.current_url().await?;
    assert_eq!(here.fragment(), None, "the token leaves the address");
    assert_eq!(here.query(), Some("next=%2Fgallery"), "where to land stays");
    snapshot(b, "signup-finish").await?;
    b.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css("#age_confirmed ~ .error-text:not(:empty)"))
        .await?;
    b.find(Locator::Id("accept_terms")).await?.click().await?;
    b.find(Locator::Id("age_confirmed")).await?.click().await?;
    b.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_path(b, "/gallery").await?;

    // Security lists the provider; with no password it is the one way in.
    b.goto(&format!("{base}/security")).await?;
    wait_for_text_containing(
        b,
        Locator::Css("#identities .identity"),
        "alice@example.test",
    )
    .await?;
    snapshot(b, "security-sign-in-methods").await?;

    // Signed out, the button signs in again without any form.
    log_out(b).await?;
    b.goto(&format!("{base}/login")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("sso-corp"))
        .await?
        .click()
        .await?;
    wait_for_path(b, "/create").await?;
    b.goto(&format!("{base}/account")).await?;
    wait_for_text_containing(b, Locator::Css(".account-email"), "alice@example.test").await?;
    Ok(())
}

/// A command of the WebDriver extension for WebAuthn (`/session/{id}/webauthn/…`), which
/// fantoccini has no method for.
#[derive(Debug)]
struct WebAuthnCommand {
    path: String,
    body: Option<serde_json::Value>,
}

impl fantoccini::wd::WebDriverCompatibleCommand for WebAuthnCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match &self.body {
            Some(body) => (http::Method::POST, Some(body.to_string())),
            None => (http::Method::GET, None),
        }
    }
}

#[tokio::test]
async fn a_passkey_added_in_security_signs_in_without_a_password_and_answers_the_step_up() {
    // Browsers offer WebAuthn only in a secure context at a host name: http://localhost is one.
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let h = Harness::start(&[
        ("ZIMAGE_BIND", &format!("127.0.0.1:{port}")),
        ("ZIMAGE_PUBLIC_URL", &base),
        ("ZIMAGE_TWO_FACTOR_FRESH_SECS", "5"),
    ])
    .await;
    let result = passkey_journey(&h.browser, &h.base, &h.data_dir).await;
    h.finish(result).await;
}

async fn passkey_journey(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    // Chromium's virtual platform authenticator: keeps discoverable passkeys and verifies the
    // user (as a fingerprint would) without a prompt.
    let added = b
        .issue_cmd(WebAuthnCommand {
            path: "authenticator".into(),
            body: Some(serde_json::json!({
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
                "isUserConsenting": true,
            })),
        })
        .await?;
    let authenticator = added.as_str().expect("an authenticator id").to_string();

    let email = "keyholder@example.org";
    sign_up_and_log_in(b, base, data_dir, email).await?;
    b.goto(&format!("{base}/security")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("passkeys-empty"))
        .await?;
    b.find(Locator::Id("passkey-add")).await?.click().await?;
    b.find(Locator::Id("passkey-name"))
        .await?
        .send_keys("This laptop")
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("passkey-password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Css("#passkey-form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text_containing(
        b,
        Locator::Css("#passkey-list .passkey-name"),
        "This laptop",
    )
    .await?;
    snapshot(b, "security-passkeys").await?;
    // The authenticator holds one discoverable passkey for this site, made for this account.
    let held = b
        .issue_cmd(WebAuthnCommand {
            path: format!("authenticator/{authenticator}/credentials"),
            body: None,
        })
        .await?;
    let held = held.as_array().expect("credentials");
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["isResidentCredential"], true);
    assert_eq!(held[0]["rpId"], "localhost");

    // Signed out, the passkey alone signs in: no address, no password.
    log_out(b).await?;
    b.goto(&format!("{base}/login")).await?;
    let button = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("passkey-sign-in"))
        .await?;
    snapshot(b, "login-with-passkey").await?;
    button.click().await?;
    wait_for_path(b, "/create").await?;
    b.goto(&format!("{base}/account")).await?;
    wait_for_text_containing(b, Locator::Css(".account-email"), email).await?;
    // Security shows it used.
    b.goto(&format!("{base}/security")).await?;
    wait_for_text_containing(b, Locator::Css("#passkey-list .passkey"), "last used").await?;

    // With two-factor authentication on, the passkey also answers the step-up before a
    // sensitive action, instead of the app's code.
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("two-factor-on"))
        .await?
        .click()
        .await?;
    let shown = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("two-factor-secret"))
        .await?
        .text()
        .await?;
    let secret: String = shown.split_whitespace().collect();
    b.find(Locator::Id("two-factor-code"))
        .await?
        .send_keys(&format!("{}\u{E007}", authenticator_code(&secret, 0)))
        .await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("recovery-codes-done"))
        .await?
        .click()
        .await?;
    tokio::time::sleep(Duration::from_secs(6)).await;
    b.goto(&format!("{base}/account")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("key_name"))
        .await?
        .send_keys("Phone app")
        .await?;
    b.find(Locator::Css("form.inline-form button[type=submit]"))
        .await?
        .click()
        .await?;
    let with_passkey = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("dialog#step-up[open] #step-up-passkey"))
        .await?;
    snapshot(b, "step-up-with-passkey").await?;
    with_passkey.click().await?;
    let key = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".secret-value"))
        .await?;
    assert!(key.text().await?.starts_with("zimg_"));
    assert!(b.find(Locator::Css("dialog#step-up[open]")).await.is_err());
    let errors = console_errors(b).await;
    assert!(errors.is_empty(), "{errors:?}");
    Ok(())
}
