//! The web app in real Chromium against the real API and PostgreSQL:
//! sign up → confirm the e-mail → log in → see the account page → log out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zimage_api::config::Config;
use zimage_api::startup::Application;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn web_dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

async fn start_app(data_dir: &Path) -> String {
    assert!(
        web_dist().join("index.html").is_file(),
        "build the web app first (`just web`)"
    );
    let port = free_port();
    let env = HashMap::from([
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
    let app = Application::build(Config::from_map(&env).unwrap())
        .await
        .unwrap();
    tokio::spawn(app.run_until_stopped());
    format!("http://127.0.0.1:{port}")
}

fn start_driver() -> (Driver, String) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (`just test` installs chromium-driver)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
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

#[tokio::test]
async fn sign_up_verify_log_in_see_account_and_log_out() {
    let data_dir =
        std::env::temp_dir().join(format!("zimage-e2e-{}", uuid::Uuid::new_v4().simple()));
    let base = start_app(&data_dir).await;
    let (_driver, driver_url) = start_driver();
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
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver_url)
        .await
        .expect("WebDriver session");
    let result = journey(&browser, &base, &data_dir).await;
    let _ = browser.close().await;
    result.unwrap();
}

async fn journey(
    b: &fantoccini::Client,
    base: &str,
    data_dir: &Path,
) -> Result<(), fantoccini::error::CmdError> {
    let wait = Duration::from_secs(20);
    b.goto(&format!("{base}/signup")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("email"))
        .await?
        .send_keys("grace@example.org")
        .await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Id("display_name"))
        .await?
        .send_keys("Grace")
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
    let confirmed = b
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(".notice-success"))
        .await?;
    assert!(confirmed.text().await?.contains("confirmed"));

    b.goto(&format!("{base}/login")).await?;
    b.wait()
        .at_most(wait)
        .for_element(Locator::Id("email"))
        .await?
        .send_keys("grace@example.org")
        .await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys("a sturdy passphrase")
        .await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;

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
    b.wait()
        .at_most(wait)
        .for_element(Locator::Css(".badge"))
        .await?;

    b.find(Locator::XPath("//button[normalize-space()='Log out']"))
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
