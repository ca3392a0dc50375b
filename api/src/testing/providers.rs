//! Local HTTP servers speaking the documented wire formats of fal.ai's queue API, KIE's jobs API
//! and an OpenAI-compatible images API, with switchable failure modes. Result images are real
//! PNGs rendered locally and served from the same server.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::providers::render;
use zimage_shared::generation::OutputFormat;

/// How a mock provider behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Queue, run, succeed.
    #[default]
    Succeed,
    /// The first submission answers 503 (transient), later ones work.
    FlakySubmit,
    /// Submissions are refused as invalid (fal 422, OpenAI 400).
    RejectSubmit,
    /// The run ends and its result is a validation error (fal: COMPLETED then 422 on the result;
    /// KIE: state `fail`).
    FailRun,
    /// The safety checker flags the image (fal `has_nsfw_concepts`, OpenAI content policy).
    Nsfw,
    /// The status answer is not JSON.
    MalformedStatus,
    /// The result "image" is an HTML page.
    NotAnImage,
    /// KIE: our account is out of credits, reported as code 402 inside HTTP 200.
    OutOfCredits,
    /// Answers only after longer than a client's request timeout.
    Slow,
    /// The first submission answers 429 with `Retry-After: 2`, later ones work.
    Throttle,
    /// Submissions are accepted (the job exists and runs) but the 2xx answer's body is not JSON;
    /// fal still names the request in its `x-fal-request-id` header.
    MalformedSubmit,
    /// As `MalformedSubmit`, without the header.
    MalformedSubmitNoHeader,
    /// Jobs are accepted and never finish (status stays in progress) until the mode changes.
    Hold,
    /// A result lists one image fewer than asked (fal), or none (KIE, which makes one).
    FewerImages,
    /// The last image of a result is cut short: its header reads, its pixels do not decode.
    OneBroken,
    /// Every submission answers 503 (fal) or code 455 (KIE): the provider is down.
    Down,
    /// KIE: the first check of a task answers HTTP 429 with `Retry-After: 3`.
    ThrottleChecks,
    /// Result images are named at a cloud metadata address, not on the provider's hosts.
    ImagesElsewhere,
    /// Result image URLs redirect once to the real file on the provider's host.
    ImagesRedirected,
    /// Result image URLs redirect to a cloud metadata address.
    ImagesRedirectedAway,
}

#[derive(Default)]
struct Inner {
    mode: Mode,
    counter: u64,
    submits: u64,
    /// Request id → (input body, polls so far).
    requests: HashMap<String, (Value, u32)>,
    /// Authorization headers seen.
    auth: Vec<String>,
    canceled: Vec<String>,
    /// When each submission arrived, refused or not.
    submitted_at: Vec<std::time::Instant>,
    /// Result fetches per request id (fal).
    result_fetches: HashMap<String, u32>,
    /// Downloads per result file name.
    downloads: HashMap<String, u32>,
    /// When each status check arrived (KIE).
    checked_at: Vec<std::time::Instant>,
    /// How often the webhook keys were fetched (fal).
    jwks_fetches: u32,
}

/// A running mock provider.
#[derive(Clone)]
pub struct MockProvider {
    pub base_url: String,
    pub key: String,
    inner: Arc<Mutex<Inner>>,
}

impl MockProvider {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = mode;
    }

    /// How many submissions arrived.
    pub fn submissions(&self) -> u64 {
        self.lock().submits
    }

    /// When each submission arrived, refused ones included.
    pub fn submission_times(&self) -> Vec<std::time::Instant> {
        self.lock().submitted_at.clone()
    }

    /// Every Authorization header received.
    pub fn authorizations(&self) -> Vec<String> {
        self.lock().auth.clone()
    }

    /// Request ids that were canceled.
    pub fn canceled(&self) -> Vec<String> {
        self.lock().canceled.clone()
    }

    /// How many provider jobs exist (accepted submissions, readable answer or not).
    pub fn jobs(&self) -> usize {
        self.lock().requests.len()
    }

    /// How often each request's result was fetched (fal).
    pub fn result_fetches(&self) -> HashMap<String, u32> {
        self.lock().result_fetches.clone()
    }

    /// When each status check arrived (KIE).
    pub fn check_times(&self) -> Vec<std::time::Instant> {
        self.lock().checked_at.clone()
    }

    /// How often the webhook keys were fetched (fal).
    pub fn jwks_fetches(&self) -> u32 {
        self.lock().jwks_fetches
    }

    /// How often each result file was downloaded.
    pub fn downloads(&self) -> HashMap<String, u32> {
        self.lock().downloads.clone()
    }

    /// The input body of the first submission.
    pub fn first_input(&self) -> Option<Value> {
        let inner = self.lock();
        let mut all: Vec<(&String, &(Value, u32))> = inner.requests.iter().collect();
        all.sort_by_key(|(id, _)| (*id).clone());
        all.first().map(|(_, (body, _))| body.clone())
    }

    fn start(key: &str, routes: fn(&mut web::ServiceConfig)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mock = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            key: key.to_string(),
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let data = web::Data::new(mock.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/files/{name}", web::get().to(file))
                .configure(routes)
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        mock
    }

    /// A fal.ai queue API (`Authorization: Key <key>`).
    pub fn fal() -> Self {
        Self::start("fal-test-key", |cfg| {
            cfg.route("/.well-known/jwks.json", web::get().to(fal_jwks))
                .route(
                    "/{owner}/{app}/requests/{id}/status",
                    web::get().to(fal_status),
                )
                .route(
                    "/{owner}/{app}/requests/{id}/cancel",
                    web::put().to(fal_cancel),
                )
                .route("/{owner}/{app}/requests/{id}", web::get().to(fal_result))
                .route("/{model:.*}", web::post().to(fal_submit));
        })
    }

    /// KIE's jobs API (`Authorization: Bearer <key>`).
    pub fn kie() -> Self {
        Self::start("kie-test-key", |cfg| {
            cfg.route("/api/v1/jobs/createTask", web::post().to(kie_create))
                .route("/api/v1/jobs/recordInfo", web::get().to(kie_record));
        })
    }

    /// An OpenAI-compatible images server (`Authorization: Bearer <key>`).
    pub fn openai() -> Self {
        Self::start("openai-test-key", |cfg| {
            cfg.route("/v1/images/generations", web::post().to(openai_generate));
        })
    }

    /// The ids of requests submitted so far, oldest first.
    pub fn request_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.lock().requests.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Makes a request finished: its next status answer is COMPLETED / success.
    pub fn complete(&self, id: &str) {
        if let Some(entry) = self.lock().requests.get_mut(id) {
            entry.1 = entry.1.max(2);
        }
    }

    /// The headers fal sends with a webhook for `request_id` carrying `body`, signed with this
    /// server's key at `timestamp`.
    pub fn fal_webhook_headers(
        &self,
        request_id: &str,
        body: &str,
        timestamp: i64,
    ) -> Vec<(String, String)> {
        use ed25519_dalek::Signer;
        use sha2::Digest;
        let message = format!(
            "{request_id}\nuser-1\n{timestamp}\n{}",
            hex::encode(sha2::Sha256::digest(body.as_bytes()))
        );
        let signature = fal_signing_key().sign(message.as_bytes());
        vec![
            ("x-fal-webhook-request-id".into(), request_id.into()),
            ("x-fal-webhook-user-id".into(), "user-1".into()),
            ("x-fal-webhook-timestamp".into(), timestamp.to_string()),
            (
                "x-fal-webhook-signature".into(),
                hex::encode(signature.to_bytes()),
            ),
        ]
    }

    /// The headers KIE sends with a callback for `task_id`, signed with `key` at `timestamp`.
    pub fn kie_callback_headers(key: &str, task_id: &str, timestamp: i64) -> Vec<(String, String)> {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes())
            .expect("any key length");
        mac.update(format!("{task_id}.{timestamp}").as_bytes());
        vec![
            ("x-webhook-timestamp".into(), timestamp.to_string()),
            (
                "x-webhook-signature".into(),
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()),
            ),
        ]
    }

    fn authorized(&self, req: &HttpRequest, scheme: &str) -> bool {
        let sent = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let ok = sent == format!("{scheme} {}", self.key);
        self.lock().auth.push(sent);
        ok
    }

    fn new_request(&self, prefix: &str, body: Value) -> String {
        let mut inner = self.lock();
        inner.counter += 1;
        inner.submits += 1;
        let id = format!("{prefix}{:06}", inner.counter);
        inner.requests.insert(id.clone(), (body, 0));
        id
    }

    /// Counts a poll; returns the input and how many polls came before.
    fn poll(&self, id: &str) -> Option<(Value, u32)> {
        let mut inner = self.lock();
        let entry = inner.requests.get_mut(id)?;
        entry.1 += 1;
        Some((entry.0.clone(), entry.1 - 1))
    }

    fn mode(&self) -> Mode {
        self.lock().mode
    }

    fn image_url(&self, id: &str, n: usize) -> String {
        match self.mode() {
            Mode::NotAnImage => format!("{}/files/not-an-image.png", self.base_url),
            Mode::OneBroken => format!("{}/files/broken-{id}-{n}.png", self.base_url),
            Mode::ImagesElsewhere => format!("http://169.254.169.254/latest/{id}-{n}.png"),
            Mode::ImagesRedirected => format!("{}/files/moved-{id}-{n}.png", self.base_url),
            Mode::ImagesRedirectedAway => format!("{}/files/away-{id}-{n}.png", self.base_url),
            _ => format!("{}/files/{id}-{n}.png", self.base_url),
        }
    }

    /// How many images a result lists when `asked` were.
    fn delivered(&self, asked: usize) -> usize {
        if self.mode() == Mode::FewerImages {
            asked.saturating_sub(1)
        } else {
            asked
        }
    }
}

/// A PNG per (request, index), or an HTML page for `not-an-image`.
async fn file(mock: web::Data<MockProvider>, path: web::Path<String>) -> HttpResponse {
    let name = path.into_inner();
    *mock.lock().downloads.entry(name.clone()).or_default() += 1;
    if let Some(real) = name.strip_prefix("moved-") {
        return HttpResponse::Found()
            .insert_header(("location", format!("/files/{real}")))
            .finish();
    }
    if let Some(real) = name.strip_prefix("away-") {
        return HttpResponse::Found()
            .insert_header(("location", format!("http://169.254.169.254/latest/{real}")))
            .finish();
    }
    if name.starts_with("not-an-image") {
        return HttpResponse::Ok()
            .content_type("image/png")
            .body("<html>surprise</html>");
    }
    let seed = name.bytes().map(u64::from).sum::<u64>();
    match render::render(&name, seed, 256, 256, OutputFormat::Png) {
        // In `OneBroken` mode, the last image of a result keeps its header and loses the rest.
        Ok(png) if name.starts_with("broken-") && last_of_its_result(&mock, &name) => {
            HttpResponse::Ok()
                .content_type("image/png")
                .body(png[..64.min(png.len())].to_vec())
        }
        Ok(png) => HttpResponse::Ok().content_type("image/png").body(png),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

/// Whether `broken-{id}-{n}.png` is the last image its request asked for.
fn last_of_its_result(mock: &MockProvider, name: &str) -> bool {
    let Some((id, n)) = name
        .trim_start_matches("broken-")
        .trim_end_matches(".png")
        .rsplit_once('-')
    else {
        return false;
    };
    let asked = mock.lock().requests.get(id).map_or(1, |(input, _)| {
        input["num_images"]
            .as_u64()
            .or(input["n"].as_u64())
            .unwrap_or(1)
    });
    n.parse::<u64>().is_ok_and(|n| n + 1 == asked)
}

async fn slow_if_asked(mock: &MockProvider) {
    if mock.mode() == Mode::Slow {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// The mock's webhook signing key (the documented test vector's seed).
fn fal_signing_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[1u8; 32])
}

/// fal's webhook keys; answered after a moment, as a real fetch across the internet takes.
async fn fal_jwks(mock: web::Data<MockProvider>) -> HttpResponse {
    mock.lock().jwks_fetches += 1;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(fal_signing_key().verifying_key().to_bytes());
    HttpResponse::Ok()
        .json(json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "test"}]}))
}

async fn fal_submit(
    mock: web::Data<MockProvider>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    if !mock.authorized(&req, "Key") {
        return HttpResponse::Unauthorized().json(json!({"detail": "Invalid key"}));
    }
    slow_if_asked(&mock).await;
    mock.lock().submitted_at.push(std::time::Instant::now());
    let model = req.match_info().query("model").to_string();
    match mock.mode() {
        Mode::Throttle if mock.lock().submits == 0 => {
            mock.lock().submits += 1;
            return HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", "2"))
                .json(json!({"detail": "Rate limit exceeded"}));
        }
        Mode::FlakySubmit if mock.lock().submits == 0 => {
            mock.lock().submits += 1;
            return HttpResponse::ServiceUnavailable()
                .json(json!({"detail": "no runners", "error_type": "runner_scheduling_failure"}));
        }
        Mode::Down => {
            mock.lock().submits += 1;
            return HttpResponse::ServiceUnavailable()
                .json(json!({"detail": "no runners", "error_type": "runner_scheduling_failure"}));
        }
        Mode::RejectSubmit => {
            return HttpResponse::UnprocessableEntity().json(json!({"detail": [
                {"loc": ["body", "prompt"], "msg": "prompt is too long", "type": "string_too_long"}
            ]}));
        }
        _ => {}
    }
    let id = mock.new_request("req-", body.into_inner());
    match mock.mode() {
        Mode::MalformedSubmit => {
            return HttpResponse::Ok()
                .insert_header(("x-fal-request-id", id.as_str()))
                .content_type("application/json")
                .body("<html>upstream hiccup</html>");
        }
        Mode::MalformedSubmitNoHeader => {
            return HttpResponse::Ok()
                .content_type("application/json")
                .body("{\"status\": \"IN_QU");
        }
        _ => {}
    }
    let endpoint: Vec<&str> = model.split('/').take(2).collect();
    let base = format!("{}/{}/requests/{id}", mock.base_url, endpoint.join("/"));
    HttpResponse::Ok().json(json!({
        "status": "IN_QUEUE", "request_id": id, "queue_position": 0,
        "response_url": base, "status_url": format!("{base}/status"), "cancel_url": format!("{base}/cancel"),
    }))
}

async fn fal_status(mock: web::Data<MockProvider>, req: HttpRequest) -> HttpResponse {
    if !mock.authorized(&req, "Key") {
        return HttpResponse::Unauthorized().json(json!({"detail": "Invalid key"}));
    }
    let id = req.match_info().query("id").to_string();
    let Some((_, polls)) = mock.poll(&id) else {
        return HttpResponse::NotFound().json(json!({"detail": "Request not found"}));
    };
    if mock.mode() == Mode::MalformedStatus {
        return HttpResponse::Ok()
            .content_type("application/json")
            .body("{not json");
    }
    if mock.mode() == Mode::Hold {
        return HttpResponse::Accepted()
            .json(json!({"status": "IN_PROGRESS", "logs": [], "request_id": id}));
    }
    match polls {
        0 => HttpResponse::Accepted().json(json!({"status": "IN_QUEUE", "queue_position": 0, "request_id": id})),
        1 => HttpResponse::Accepted().json(json!({"status": "IN_PROGRESS", "logs": [], "request_id": id})),
        _ => HttpResponse::Ok().json(json!({"status": "COMPLETED", "logs": [], "metrics": {"inference_time": 0.4}, "request_id": id})),
    }
}

async fn fal_result(mock: web::Data<MockProvider>, req: HttpRequest) -> HttpResponse {
    if !mock.authorized(&req, "Key") {
        return HttpResponse::Unauthorized().json(json!({"detail": "Invalid key"}));
    }
    let id = req.match_info().query("id").to_string();
    *mock.lock().result_fetches.entry(id.clone()).or_default() += 1;
    let Some(input) = mock.lock().requests.get(&id).map(|(body, _)| body.clone()) else {
        return HttpResponse::NotFound().json(json!({"detail": "Request not found"}));
    };
    if mock.mode() == Mode::FailRun {
        return HttpResponse::UnprocessableEntity().json(json!({"detail": [
            {"loc": ["body", "image_size"], "msg": "image too large", "type": "image_too_large"}
        ]}));
    }
    let count = mock.delivered(input["num_images"].as_u64().unwrap_or(1) as usize);
    let nsfw = mock.mode() == Mode::Nsfw;
    HttpResponse::Ok().json(json!({
        "images": (0..count).map(|n| json!({"url": mock.image_url(&id, n), "content_type": "image/png", "width": 256, "height": 256})).collect::<Vec<_>>(),
        "seed": input["seed"], "has_nsfw_concepts": vec![nsfw; count], "prompt": input["prompt"], "timings": {"inference": 0.4},
    }))
}

async fn fal_cancel(mock: web::Data<MockProvider>, req: HttpRequest) -> HttpResponse {
    let id = req.match_info().query("id").to_string();
    mock.lock().canceled.push(id);
    HttpResponse::Accepted().json(json!({"status": "CANCELLATION_REQUESTED"}))
}

async fn kie_create(
    mock: web::Data<MockProvider>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    if !mock.authorized(&req, "Bearer") {
        // KIE reports auth failures inside HTTP 200.
        return HttpResponse::Ok()
            .json(json!({"code": 401, "msg": "You do not have access permissions", "data": null}));
    }
    slow_if_asked(&mock).await;
    match mock.mode() {
        Mode::OutOfCredits => {
            return HttpResponse::Ok()
                .json(json!({"code": 402, "msg": "Credits insufficient", "data": null}));
        }
        Mode::FlakySubmit if mock.lock().submits == 0 => {
            mock.lock().submits += 1;
            return HttpResponse::Ok()
                .json(json!({"code": 455, "msg": "Service unavailable", "data": null}));
        }
        Mode::Down => {
            mock.lock().submits += 1;
            return HttpResponse::Ok()
                .json(json!({"code": 455, "msg": "Service unavailable", "data": null}));
        }
        Mode::RejectSubmit => {
            return HttpResponse::Ok()
                .json(json!({"code": 422, "msg": "input.prompt is required", "data": null}));
        }
        _ => {}
    }
    let id = mock.new_request("task_z_", body.into_inner());
    if matches!(
        mock.mode(),
        Mode::MalformedSubmit | Mode::MalformedSubmitNoHeader
    ) {
        return HttpResponse::Ok()
            .content_type("application/json")
            .body("<html>502 Bad Gateway</html>");
    }
    HttpResponse::Ok().json(json!({"code": 200, "msg": "success", "data": {"taskId": id}}))
}

async fn kie_record(
    mock: web::Data<MockProvider>,
    req: HttpRequest,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    if !mock.authorized(&req, "Bearer") {
        return HttpResponse::Ok()
            .json(json!({"code": 401, "msg": "You do not have access permissions", "data": null}));
    }
    let id = query.get("taskId").cloned().unwrap_or_default();
    let first_check = {
        let mut inner = mock.lock();
        inner.checked_at.push(std::time::Instant::now());
        inner.checked_at.len() == 1
    };
    if mock.mode() == Mode::ThrottleChecks && first_check {
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", "3"))
            .json(json!({"code": 429, "msg": "Rate limit exceeded", "data": null}));
    }
    let Some((input, polls)) = mock.poll(&id) else {
        return HttpResponse::Ok()
            .json(json!({"code": 404, "msg": "task not found", "data": null}));
    };
    if mock.mode() == Mode::MalformedStatus {
        return HttpResponse::Ok()
            .content_type("application/json")
            .body("<html>gateway</html>");
    }
    let mut data = json!({
        "taskId": id, "model": input["model"], "param": input.to_string(),
        "resultJson": "", "failCode": "", "failMsg": "",
        "createTime": 1_698_765_400_000_i64, "updateTime": 1_698_765_432_000_i64, "completeTime": null,
    });
    match (polls, mock.mode()) {
        (_, Mode::Hold) => data["state"] = json!("generating"),
        (0, _) => data["state"] = json!("waiting"),
        (1, _) => data["state"] = json!("generating"),
        (_, Mode::FailRun) => {
            data["state"] = json!("fail");
            data["failCode"] = json!("500");
            data["failMsg"] = json!("Internal generation error");
        }
        (_, Mode::Nsfw) => {
            data["state"] = json!("fail");
            data["failCode"] = json!("400");
            data["failMsg"] = json!("The content was flagged as sensitive");
        }
        _ => {
            data["state"] = json!("success");
            let urls: Vec<String> = (0..mock.delivered(1))
                .map(|n| mock.image_url(&id, n))
                .collect();
            data["resultJson"] = json!(json!({ "resultUrls": urls }).to_string());
            data["completeTime"] = json!(1_698_765_432_000_i64);
        }
    }
    // recordInfo's documented envelope says `message`, not `msg`.
    HttpResponse::Ok().json(json!({"code": 200, "message": "success", "data": data}))
}

async fn openai_generate(
    mock: web::Data<MockProvider>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    if !mock.authorized(&req, "Bearer") {
        return HttpResponse::Unauthorized().json(json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}));
    }
    slow_if_asked(&mock).await;
    mock.lock().submitted_at.push(std::time::Instant::now());
    if mock.mode() == Mode::Down {
        mock.lock().submits += 1;
        return HttpResponse::ServiceUnavailable().json(
            json!({"error": {"message": "The server is overloaded", "type": "server_error"}}),
        );
    }
    let input = body.into_inner();
    let id = mock.new_request("img_", input.clone());
    match mock.mode() {
        Mode::Throttle if mock.lock().submitted_at.len() == 1 => {
            return HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", "3"))
                .json(json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}));
        }
        Mode::MalformedSubmit => {
            return HttpResponse::Ok()
                .content_type("application/json")
                .body("<html>502 Bad Gateway</html>");
        }
        Mode::Nsfw => {
            return HttpResponse::BadRequest().json(json!({"error": {"message": "Your request was rejected by the safety system.", "type": "image_generation_user_error", "code": "content_policy_violation"}}));
        }
        Mode::RejectSubmit => {
            return HttpResponse::BadRequest().json(json!({"error": {"message": "Invalid size", "type": "invalid_request_error", "code": null}}));
        }
        Mode::FlakySubmit if mock.lock().submits == 1 => {
            return HttpResponse::ServiceUnavailable()
                .json(json!({"error": {"message": "overloaded", "type": "server_error"}}));
        }
        _ => {}
    }
    let count = mock.delivered(input["n"].as_u64().unwrap_or(1) as usize);
    let data: Vec<Value> = (0..count)
        .map(|n| {
            if input["response_format"] == "url" || mock.mode() == Mode::NotAnImage {
                json!({"url": mock.image_url(&id, n)})
            } else {
                let png =
                    render::render(&format!("{id}-{n}"), n as u64, 256, 256, OutputFormat::Png)
                        .unwrap_or_default();
                json!({"b64_json": base64::engine::general_purpose::STANDARD.encode(png)})
            }
        })
        .collect();
    HttpResponse::Ok().json(json!({"created": 1_700_000_000, "data": data}))
}
