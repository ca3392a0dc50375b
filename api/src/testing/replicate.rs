//! A local server speaking Replicate's predictions API (`providers.md`, section 8): bearer
//! tokens, `starting` → `processing` → `succeeded|failed|canceled` over a set latency, outputs as
//! URLs on its own host, `Prefer: wait`, problem-shaped errors, a create rate limit answering 429
//! with `Retry-After`, and completion webhooks signed per Standard Webhooks, sent as the
//! prediction finishes (so they race the client's own polls).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::providers::render;
use zimage_shared::generation::OutputFormat;

/// The account's webhook signing secret (the documented test vector's).
pub const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// The token the server accepts.
pub const TOKEN: &str = "r8_test_token";

/// The one model it serves.
pub const MODEL: &str = "prunaai/z-image-turbo";

/// How predictions end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplicateMode {
    #[default]
    Succeed,
    /// Output is a single URL, not a list.
    SingleUrl,
    /// The run fails with an out-of-memory error.
    Fail,
    /// The safety checker refuses the output.
    Nsfw,
    /// Predictions are created but the 201's body is not JSON.
    MalformedCreate,
    /// Every prediction is forgotten (404), as after a data purge.
    Forget,
    /// Finished predictions have had their data removed.
    DataRemoved,
}

struct Prediction {
    input: Value,
    mode: ReplicateMode,
    created: Instant,
    canceled: bool,
}

#[derive(Default)]
struct Inner {
    mode: ReplicateMode,
    latency: Duration,
    /// Creates allowed per second; more answer 429.
    rate: u32,
    window: Option<(Instant, u32)>,
    counter: u64,
    order: Vec<String>,
    predictions: HashMap<String, Prediction>,
    creates: u64,
    throttled: u64,
    cancels: Vec<String>,
    secret_fetches: u32,
    webhooks_sent: Vec<(String, u16)>,
    unauthorized: u64,
    /// `Cancel-After` headers received.
    cancel_afters: Vec<Option<String>>,
    /// Where webhooks really go: the scheme, host and port replacing the given URL's (the public
    /// address a test installation names is not resolvable here).
    webhook_origin: Option<String>,
}

/// A running Replicate-protocol server; its API is at `{base_url}/v1`.
#[derive(Clone)]
pub struct MockReplicate {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

impl MockReplicate {
    /// A server whose predictions take `latency`, creating at most `rate` per second.
    pub fn start(latency: Duration, rate: u32) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mock = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            inner: Arc::new(Mutex::new(Inner {
                latency,
                rate: rate.max(1),
                ..Inner::default()
            })),
        };
        let data = web::Data::new(mock.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/v1/models/{owner}/{name}/predictions",
                    web::post().to(create),
                )
                .route("/v1/predictions", web::post().to(create_versioned))
                .route("/v1/predictions/{id}", web::get().to(get))
                .route("/v1/predictions/{id}/cancel", web::post().to(cancel))
                .route("/v1/webhooks/default/secret", web::get().to(secret))
                .route("/files/{name}", web::get().to(file))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        mock
    }

    /// The API base a client is configured with.
    pub fn api_url(&self) -> String {
        format!("{}/v1", self.base_url)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How predictions created from now on end (`Forget` applies at once).
    pub fn set_mode(&self, mode: ReplicateMode) {
        let mut inner = self.lock();
        inner.mode = mode;
        if mode == ReplicateMode::Forget {
            inner.predictions.clear();
            inner.order.clear();
        }
    }

    /// Delivers webhooks to `origin` (`http://127.0.0.1:port`) with the given URL's path.
    pub fn set_webhook_origin(&self, origin: &str) {
        self.lock().webhook_origin = Some(origin.trim_end_matches('/').to_string());
    }

    /// Inputs of the predictions created, oldest first.
    pub fn inputs(&self) -> Vec<Value> {
        let inner = self.lock();
        inner
            .order
            .iter()
            .filter_map(|id| inner.predictions.get(id).map(|p| p.input.clone()))
            .collect()
    }

    /// Ids of the predictions created, oldest first.
    pub fn ids(&self) -> Vec<String> {
        self.lock().order.clone()
    }

    /// The `Cancel-After` header of each prediction created, oldest first.
    pub fn cancel_afters(&self) -> Vec<Option<String>> {
        self.lock().cancel_afters.clone()
    }

    /// Create calls, refused ones included.
    pub fn creates(&self) -> u64 {
        self.lock().creates
    }

    /// Creates refused with 429.
    pub fn throttled(&self) -> u64 {
        self.lock().throttled
    }

    /// Requests refused for a missing or wrong token.
    pub fn unauthorized(&self) -> u64 {
        self.lock().unauthorized
    }

    /// Predictions a cancel was asked for.
    pub fn cancels(&self) -> Vec<String> {
        self.lock().cancels.clone()
    }

    /// How often the webhook secret was read.
    pub fn secret_fetches(&self) -> u32 {
        self.lock().secret_fetches
    }

    /// Webhooks delivered: the prediction id and the status our side answered.
    pub fn webhooks_sent(&self) -> Vec<(String, u16)> {
        self.lock().webhooks_sent.clone()
    }

    /// The Standard Webhooks headers Replicate sends for `body` as delivery `id` at `timestamp`.
    pub fn signed_headers(id: &str, timestamp: i64, body: &str) -> Vec<(String, String)> {
        vec![
            ("webhook-id".into(), id.into()),
            ("webhook-timestamp".into(), timestamp.to_string()),
            (
                "webhook-signature".into(),
                crate::domain::webhooks::sign(SECRET, id, timestamp, body.as_bytes()),
            ),
        ]
    }

    /// The prediction as `GET` answers it.
    fn view(&self, id: &str) -> Option<Value> {
        let inner = self.lock();
        let p = inner.predictions.get(id)?;
        let elapsed = p.created.elapsed();
        let status = if p.canceled {
            "canceled"
        } else if elapsed < inner.latency / 3 {
            "starting"
        } else if elapsed < inner.latency {
            "processing"
        } else {
            match p.mode {
                ReplicateMode::Fail | ReplicateMode::Nsfw => "failed",
                _ => "succeeded",
            }
        };
        let ext = match p.input["output_format"].as_str() {
            Some("jpg") => "jpg",
            Some("webp") => "webp",
            _ => "png",
        };
        let url = format!("{}/files/{id}-0.{ext}", self.base_url);
        let removed = status == "succeeded" && p.mode == ReplicateMode::DataRemoved;
        let output = match (status, p.mode) {
            ("succeeded", ReplicateMode::DataRemoved) => Value::Null,
            ("succeeded", ReplicateMode::SingleUrl) => json!(url),
            ("succeeded", _) => json!([url]),
            _ => Value::Null,
        };
        let error = match (status, p.mode) {
            ("failed", ReplicateMode::Nsfw) => {
                json!("NSFW content detected. Try running it again, or try a different prompt.")
            }
            ("failed", _) => json!("CUDA out of memory. Tried to allocate 2.00 GiB"),
            _ => Value::Null,
        };
        let api = format!("{}/v1/predictions/{id}", self.base_url);
        Some(json!({
            "id": id, "model": MODEL, "version": "5f24084160c9", "input": p.input,
            "logs": "", "output": output, "error": error, "status": status,
            "data_removed": removed, "created_at": "2026-12-07T00:00:00.000Z",
            "metrics": {"predict_time": inner.latency.as_secs_f64()},
            "urls": {"get": api, "cancel": format!("{api}/cancel"),
                     "web": format!("https://replicate.com/p/{id}")},
        }))
    }

    /// Whether the request carries our token (counted when not).
    fn authorized(&self, req: &HttpRequest) -> bool {
        let ok = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some(&format!("Bearer {TOKEN}"));
        if !ok {
            self.lock().unauthorized += 1;
        }
        ok
    }

    /// Sends the completion webhook once the prediction ends (unless cancelled first).
    async fn deliver(self, id: String, url: String) {
        let latency = self.lock().latency;
        tokio::time::sleep(latency).await;
        let Some(body) = self.view(&id) else { return };
        if body["status"] == "canceled" {
            return;
        }
        let text = body.to_string();
        let url = match (
            self.lock().webhook_origin.clone(),
            reqwest::Url::parse(&url),
        ) {
            (Some(origin), Ok(parsed)) => format!("{origin}{}", parsed.path()),
            _ => url,
        };
        let now = chrono::Utc::now().timestamp();
        let mut request = reqwest::Client::new().post(&url).body(text.clone());
        request = request.header("content-type", "application/json");
        for (name, value) in Self::signed_headers(&format!("msg_{id}"), now, &text) {
            request = request.header(name, value);
        }
        let status = match request.send().await {
            Ok(response) => response.status().as_u16(),
            Err(_) => 0,
        };
        self.lock().webhooks_sent.push((id, status));
    }
}

fn problem(status: u16, title: &str, detail: &str) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    )
    .content_type("application/problem+json")
    .json(json!({"title": title, "detail": detail, "status": status}))
}

async fn create(
    mock: web::Data<MockReplicate>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> HttpResponse {
    let (owner, name) = path.into_inner();
    if format!("{owner}/{name}") != MODEL {
        mock.lock().creates += 1;
        return problem(
            404,
            "Not found",
            "The requested resource could not be found.",
        );
    }
    start_prediction(&mock, &req, body.into_inner()).await
}

async fn create_versioned(
    mock: web::Data<MockReplicate>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    let version = body["version"].as_str().unwrap_or("");
    if !(version == MODEL || version.starts_with(&format!("{MODEL}:"))) {
        mock.lock().creates += 1;
        return problem(
            422,
            "Invalid version",
            "The specified version does not exist.",
        );
    }
    start_prediction(&mock, &req, body.into_inner()).await
}

async fn start_prediction(mock: &MockReplicate, req: &HttpRequest, body: Value) -> HttpResponse {
    mock.lock().creates += 1;
    if !mock.authorized(req) {
        return problem(
            401,
            "Unauthenticated",
            "You did not pass a valid authentication token",
        );
    }
    {
        let mut inner = mock.lock();
        let rate = inner.rate;
        let window = inner.window.get_or_insert((Instant::now(), 0));
        if window.0.elapsed() >= Duration::from_secs(1) {
            *window = (Instant::now(), 0);
        }
        if window.1 >= rate {
            inner.throttled += 1;
            return HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", "1"))
                .content_type("application/problem+json")
                .json(json!({"title": "Request was throttled.", "status": 429,
                    "detail": "Request was throttled. Expected available in 1 second."}));
        }
        window.1 += 1;
    }
    let input = body["input"].clone();
    if input["prompt"].as_str().is_none_or(str::is_empty) {
        return problem(422, "Input validation failed", "prompt: prompt is required");
    }
    for side in ["width", "height"] {
        if input[side]
            .as_u64()
            .is_some_and(|v| !(64..=2048).contains(&v))
        {
            return problem(
                422,
                "Input validation failed",
                &format!("{side}: must be less than or equal to 2048"),
            );
        }
    }
    // `Cancel-After`: a duration, bare seconds or with s/m/h units, at least 5 s.
    let cancel_after = req
        .headers()
        .get("cancel-after")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    if let Some(text) = &cancel_after {
        let secs = text.trim_end_matches('s').parse::<u64>().unwrap_or(0);
        if secs < 5 {
            return problem(
                422,
                "Invalid Cancel-After",
                "Cancel-After must be at least 5s",
            );
        }
    }
    let webhook = body["webhook"].as_str().map(String::from);
    let (id, mode) = {
        let mut inner = mock.lock();
        inner.counter += 1;
        // Replicate's ids are 26 lower-case letters and digits.
        let id = format!("rp{:024x}", inner.counter * 2_654_435_761);
        let mode = inner.mode;
        inner.predictions.insert(
            id.clone(),
            Prediction {
                input,
                mode,
                created: Instant::now(),
                canceled: false,
            },
        );
        inner.order.push(id.clone());
        inner.cancel_afters.push(cancel_after);
        (id, mode)
    };
    if let Some(url) = webhook {
        tokio::spawn(mock.clone().deliver(id.clone(), url));
    }
    if mode == ReplicateMode::MalformedCreate {
        return HttpResponse::Created().body("<html>upstream</html>");
    }
    // `Prefer: wait[=N]` holds the answer until the prediction ends or N (at most 60) seconds.
    if let Some(wait) = req
        .headers()
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("wait"))
    {
        let secs = wait
            .trim_start_matches('=')
            .parse::<u64>()
            .unwrap_or(60)
            .clamp(1, 60);
        let until = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < until {
            let status = mock.view(&id).map(|v| v["status"].clone());
            if status
                .as_ref()
                .and_then(Value::as_str)
                .is_some_and(|s| matches!(s, "succeeded" | "failed" | "canceled"))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let view = mock.view(&id).unwrap_or(Value::Null);
    if view["status"] == "succeeded" {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Accepted().json(view)
    }
}

async fn get(
    mock: web::Data<MockReplicate>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    if !mock.authorized(&req) {
        return problem(
            401,
            "Unauthenticated",
            "You did not pass a valid authentication token",
        );
    }
    match mock.view(&path.into_inner()) {
        Some(view) => HttpResponse::Ok().json(view),
        None => problem(
            404,
            "Not found",
            "The requested resource could not be found.",
        ),
    }
}

async fn cancel(
    mock: web::Data<MockReplicate>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    if !mock.authorized(&req) {
        return problem(
            401,
            "Unauthenticated",
            "You did not pass a valid authentication token",
        );
    }
    let id = path.into_inner();
    let running = mock
        .view(&id)
        .is_some_and(|v| matches!(v["status"].as_str(), Some("starting" | "processing")));
    {
        let mut inner = mock.lock();
        inner.cancels.push(id.clone());
        if running && let Some(p) = inner.predictions.get_mut(&id) {
            p.canceled = true;
        }
    }
    match mock.view(&id) {
        Some(view) => HttpResponse::Ok().json(view),
        None => problem(
            404,
            "Not found",
            "The requested resource could not be found.",
        ),
    }
}

async fn secret(mock: web::Data<MockReplicate>, req: HttpRequest) -> HttpResponse {
    if !mock.authorized(&req) {
        return problem(
            401,
            "Unauthenticated",
            "You did not pass a valid authentication token",
        );
    }
    mock.lock().secret_fetches += 1;
    HttpResponse::Ok().json(json!({"key": SECRET}))
}

/// An output file: a real image in the format the prediction asked for.
async fn file(path: web::Path<String>) -> HttpResponse {
    let name = path.into_inner();
    let (format, kind) = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("jpg") => (OutputFormat::Jpeg, "image/jpeg"),
        Some("webp") => (OutputFormat::Webp, "image/webp"),
        _ => (OutputFormat::Png, "image/png"),
    };
    let seed = name.bytes().map(u64::from).sum::<u64>();
    match render::render(&name, seed, 256, 256, format) {
        Ok(bytes) => HttpResponse::Ok().content_type(kind).body(bytes),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
