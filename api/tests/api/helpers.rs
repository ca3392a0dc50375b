//! `spawn_app()`: a fresh database cloned from a migrated template, the app on port 0, a client.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use zimage_api::config::Config;
use zimage_api::startup::Application;
pub use zimage_api::testing::{admin_url, create_database, create_empty_database};

pub struct TestApp {
    pub state: actix_web::web::Data<zimage_api::state::AppState>,
    pub address: String,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The metrics listener, with `ZIMAGE_METRICS_BIND`.
    pub metrics_address: Option<String>,
    /// Stops the server as SIGTERM does (see [`TestApp::stop`]).
    stop: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    /// The server's task: ends once it has stopped.
    pub running: tokio::sync::Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment settings, e.g. `("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "3/60")`.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let database_url = create_database().await;
    let data_dir =
        std::env::temp_dir().join(format!("zimage-test-{}", uuid::Uuid::new_v4().simple()));
    start(database_url, data_dir, overrides).await
}

/// Starts the app on a database that already exists (e.g. reached through a fault proxy).
pub async fn spawn_app_on(database_url: String, overrides: &[(&str, &str)]) -> TestApp {
    let data_dir =
        std::env::temp_dir().join(format!("zimage-test-{}", uuid::Uuid::new_v4().simple()));
    start(database_url, data_dir, overrides).await
}

async fn start(database_url: String, data_dir: PathBuf, overrides: &[(&str, &str)]) -> TestApp {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.clone()),
        ("ZIMAGE_BIND".into(), "127.0.0.1:0".into()),
        (
            "ZIMAGE_DATA_DIR".into(),
            data_dir.to_string_lossy().into_owned(),
        ),
        (
            "ZIMAGE_WEB_DIR".into(),
            data_dir.join("no-web").to_string_lossy().into_owned(),
        ),
        ("ZIMAGE_PUBLIC_URL".into(), PUBLIC_URL.into()),
        ("ZIMAGE_DATABASE_POOL_SIZE".into(), "4".into()),
        // Tests run scheduled work explicitly.
        ("ZIMAGE_SCHEDULER_INTERVAL_SECS".into(), "0".into()),
        // One fast worker and a quick local provider keep generation tests short.
        ("ZIMAGE_WORKERS".into(), "1".into()),
        ("ZIMAGE_LOCAL_LATENCY_MS".into(), "100".into()),
        ("ZIMAGE_POLL_INTERVAL_MS".into(), "50".into()),
        // Tests drive many requests with one credential; the general budget has its own test.
        (
            "ZIMAGE_RATE_LIMIT_API_PER_PRINCIPAL".into(),
            "1000000/60".into(),
        ),
    ]);
    for (k, v) in overrides {
        env.insert((*k).into(), (*v).into());
    }
    let config = Config::from_map(&env).unwrap();
    let app = Application::build(config).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        // Dropping the test app leaves its server running, as before.
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    TestApp {
        metrics_address,
        stop: std::sync::Mutex::new(Some(stop)),
        running: tokio::sync::Mutex::new(Some(running)),
        state,
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Below the server's 5 s keep-alive, so a request never goes out on a connection
            // the server is closing as idle (seen as `IncompleteMessage` on a loaded machine).
            .pool_idle_timeout(std::time::Duration::from_secs(3))
            .build()
            .unwrap(),
        data_dir,
        database_url,
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// The public address every test app is configured with.
pub const PUBLIC_URL: &str = "http://zimage.test";

/// A signed-in user.
pub struct Signed {
    pub access: String,
    pub refresh: String,
    pub user: Value,
}

impl TestApp {
    /// Asks the server to stop, as SIGTERM does: it drains, then closes.
    pub fn stop(&self) {
        if let Some(stop) = self.stop.lock().unwrap().take() {
            let _ = stop.send(());
        }
    }

    /// A second instance of the app on the same database and storage (another replica).
    pub async fn replica(&self, overrides: &[(&str, &str)]) -> TestApp {
        start(self.database_url.clone(), self.data_dir.clone(), overrides).await
    }

    /// The address of `path` on this app; an absolute URL on the configured public address
    /// (`http://zimage.test`, as signed URLs are) is reached here too.
    /// `zimage <args>` as a process of its own against this app's database, data directory and
    /// public URL, with nothing else from the environment; warnings only, stdout dropped.
    pub fn zimage_process(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_zimage"));
        command
            .args(args)
            .current_dir(&self.data_dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &self.database_url)
            .env("ZIMAGE_DATA_DIR", &self.data_dir)
            .env("ZIMAGE_PUBLIC_URL", PUBLIC_URL)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null());
        command
    }

    pub fn url(&self, path: &str) -> String {
        let path = path.strip_prefix(PUBLIC_URL).unwrap_or(path);
        format!("{}{path}", self.address)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// GET with a bearer token, decoded as JSON (whatever the status).
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        self.get_auth(path, token).await.json().await.unwrap()
    }

    pub async fn delete_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn signup(&self, email: &str) -> Response {
        self.post(
            "/v1/auth/signup",
            &json!({"email": email, "password": PASSWORD, "accept_terms": true, "age_confirmed": true}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Signs up, verifies through the e-mailed link, and signs in.
    pub async fn signed_in_user(&self, email: &str) -> Signed {
        assert_eq!(self.signup(email).await.status(), StatusCode::CREATED);
        let token = self.token_from_mail(email, "verify-email").await;
        let verified = self
            .post("/v1/auth/verify-email", &json!({"token": token}))
            .await;
        assert_eq!(verified.status(), StatusCode::OK);
        self.sign_in(email, PASSWORD).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Signed {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        Signed {
            access: body["access_token"].as_str().unwrap().to_string(),
            refresh: body["refresh_token"].as_str().unwrap().to_string(),
            user: body["user"].clone(),
        }
    }

    /// Revokes the caller's other session (the one that is not `who`'s own), as the sessions
    /// page's "sign out" does.
    pub async fn revoke_other_session(&self, who: &Signed) {
        let list: Value = self.get_json("/v1/me/sessions", &who.access).await;
        let other = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == false)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let revoked = self
            .delete_auth(&format!("/v1/me/sessions/{other}"), &who.access)
            .await;
        assert_eq!(revoked.status(), 204);
    }

    /// Polls the task until it succeeded, failed or was canceled (panics after `limit`).
    pub async fn wait_for_task_within(
        &self,
        who: &Signed,
        id: &str,
        limit: std::time::Duration,
    ) -> Value {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            let task = self
                .get_json(&format!("/v1/generations/{id}"), &who.access)
                .await;
            if ["succeeded", "failed", "canceled"].contains(&task["status"].as_str().unwrap_or(""))
            {
                return task;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("task {id} did not finish");
    }

    /// [`TestApp::wait_for_task_within`] with a 20 s limit.
    /// Starts the test generation of `prompt` (`generations::request`) and waits until it is final.
    pub async fn generated(&self, who: &Signed, prompt: &str) -> Value {
        let task: Value = self
            .post_auth(
                "/v1/generations",
                &who.access,
                &crate::generations::request(prompt),
            )
            .await
            .json()
            .await
            .unwrap();
        self.wait_for_task(who, task["id"].as_str().unwrap()).await
    }

    pub async fn wait_for_task(&self, who: &Signed, id: &str) -> Value {
        self.wait_for_task_within(who, id, std::time::Duration::from_secs(20))
            .await
    }

    /// Generates one small image of `prompt` for `who` and returns the image's id.
    pub async fn generated_image(&self, who: &Signed, prompt: &str) -> String {
        let task: Value = self
            .post_auth(
                "/v1/generations",
                &who.access,
                &json!({"model": "z-image-local", "prompt": prompt, "width": 256, "height": 256}),
            )
            .await
            .json()
            .await
            .unwrap();
        let done = self.wait_for_task(who, task["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        done["images"][0]["id"].as_str().unwrap().to_string()
    }

    /// A new API key of the signed-in user with these scopes; returns its secret.
    pub async fn api_key(&self, who: &Signed, scopes: &[&str]) -> String {
        let body: Value = self
            .post_auth(
                "/v1/me/api-keys",
                &who.access,
                &json!({"name": "test key", "scopes": scopes}),
            )
            .await
            .json()
            .await
            .unwrap();
        body["secret"].as_str().unwrap().to_string()
    }

    /// Every outbox message sent to `to`, oldest first, as decoded text.
    pub fn mails_to(&self, to: &str) -> Vec<String> {
        let dir = self.data_dir.join("outbox");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|f| decode_mail(&std::fs::read_to_string(f).unwrap()))
            .filter(|m| m.contains(&format!("To: {to}")))
            .collect()
    }

    /// The token from the newest e-mail to `to` linking to `/{page}?token=`.
    /// Chooses a new password with a reset token.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Response {
        self.post(
            "/v1/auth/password/reset",
            &json!({"token": token, "new_password": new_password}),
        )
        .await
    }

    /// The mails to `to` once there are at least `n`, waiting up to 5 s (some mail is sent after
    /// the answer).
    pub async fn mails_eventually(&self, to: &str, n: usize) -> Vec<String> {
        for _ in 0..100 {
            let mails = self.mails_to(to);
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.mails_to(to)
    }

    /// Whether a mail to `to` containing `text` arrives within 5 s (mail sent after the work
    /// that a test waits for is committed).
    pub async fn mail_arrives(&self, to: &str, text: &str) -> bool {
        for _ in 0..100 {
            if self.mails_to(to).iter().any(|m| m.contains(text)) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    }

    /// The token of the newest `page` link mailed to `to`, waiting up to 5 s for one (some
    /// mail is sent after the answer).
    pub async fn token_from_mail(&self, to: &str, page: &str) -> String {
        let needle = format!("/{page}?token=");
        for _ in 0..100 {
            if let Some(token) = self
                .mails_to(to)
                .iter()
                .rev()
                .find_map(|m| token_after(m, &needle))
            {
                return token;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "no {page} link mailed to {to}; mails: {:#?}",
            self.mails_to(to)
        )
    }
}

/// Undoes quoted-printable soft breaks and `=3D` so links read as sent.
/// A message's text with the body's quoted-printable soft breaks and `=XX` escapes undone
/// (UTF-8); the headers stay as sent.
pub fn decode_mail(raw: &str) -> String {
    let split = raw
        .find("\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.find("\n\n").map(|i| i + 2))
        .unwrap_or(0);
    let (headers, body) = raw.split_at(split);
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).filter(|_| !b.is_ascii_lowercase());
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    format!("{headers}{}", String::from_utf8_lossy(&out))
}

pub fn token_after(text: &str, needle: &str) -> Option<String> {
    let start = text.find(needle)? + needle.len();
    Some(
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

/// Asserts a problem+json response with this status and code, returning the body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().ends_with(code));
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

impl TestApp {
    /// Asserts the ledger invariants for a user: cached totals = grants/holds = ledger sums.
    pub async fn assert_ledger_consistent(&self, user_id: uuid::Uuid) {
        use zimage_api::db::credits as db;
        let mut conn = self.state.db.get().await.unwrap();
        let account = db::find_account(&mut conn, user_id).await.unwrap();
        let cached = account.map_or((0, 0), |a| (a.available, a.held));
        let from_rows = db::grant_and_hold_sums(&mut conn, user_id).await.unwrap();
        let from_ledger = db::ledger_sums(&mut conn, user_id).await.unwrap();
        assert_eq!(cached, from_rows, "cached totals differ from grants/holds");
        assert_eq!(cached, from_ledger, "cached totals differ from the ledger");
        assert!(cached.0 >= 0 && cached.1 >= 0);
    }
}

/// The user id inside a signed-in user's profile.
pub fn user_id(signed: &Signed) -> uuid::Uuid {
    signed.user["id"].as_str().unwrap().parse().unwrap()
}

/// Creates an administrator (as `zimage admin create-user --admin` does) and signs in.
pub async fn signed_in_admin(app: &TestApp) -> Signed {
    zimage_api::domain::accounts::create_user_as_operator(
        &app.state,
        "root@example.org",
        PASSWORD,
        true,
    )
    .await
    .unwrap();
    app.sign_in("root@example.org", PASSWORD).await
}
