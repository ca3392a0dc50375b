//! A local server speaking ComfyUI's HTTP API as `server.py` and `execution.py` do (see
//! `providers.md`, section 6): one prompt runs at a time, for a set time; the history is `{}`
//! for queued, running and unknown prompts alike; graphs naming a node or model file the
//! server does not have are refused with `node_errors`; a request with an `Origin` header is
//! refused as cross-origin; every route also answers under `/api`.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::providers::render;
use zimage_shared::generation::OutputFormat;

/// Node classes this server has (ComfyUI's core nodes the built-in graphs use).
const NODES: [&str; 14] = [
    "UNETLoader",
    "CLIPLoader",
    "VAELoader",
    "ModelSamplingAuraFlow",
    "CLIPTextEncode",
    "ConditioningZeroOut",
    "EmptySD3LatentImage",
    "KSampler",
    "VAEDecode",
    "SaveImage",
    "LoadImage",
    "ImageScale",
    "VAEEncode",
    "RepeatLatentBatch",
];

/// Diffusion model files installed.
const UNETS: [&str; 1] = ["z_image_turbo_bf16.safetensors"];

/// How the server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ComfyMode {
    #[default]
    Succeed,
    /// Runs fail with an `execution_error` (CUDA out of memory in the sampler).
    OutOfMemory,
    /// Prompts are queued, but the answer to `POST /prompt` is not JSON.
    MalformedSubmit,
    /// The server restarted: the history and queue are forgotten, new prompts work.
    Forget,
    /// `GET /prompt` (the load probe) answers 500: the server is unwell.
    Unwell,
    /// The diffusion model file is not installed: graphs naming it fail validation.
    MissingModel,
}

#[derive(Default)]
struct Inner {
    mode: ComfyMode,
    latency: Duration,
    number: u64,
    pending: VecDeque<(String, Value)>,
    running: Option<(String, Value)>,
    interrupt: bool,
    history: HashMap<String, Value>,
    /// Output files: name → PNG.
    files: HashMap<String, Vec<u8>>,
    /// Uploaded inputs: name → bytes.
    uploads: HashMap<String, Vec<u8>>,
    /// Every graph accepted, in order.
    graphs: Vec<Value>,
    submissions: u64,
    interrupts: Vec<Option<String>>,
    deleted: Vec<String>,
    origin_refused: u64,
    views: u64,
    /// Who submitted each prompt (`client_id`): its events go to that client's socket.
    clients: HashMap<String, String>,
    /// Open WebSockets by `clientId`.
    sockets: HashMap<String, actix_ws::Session>,
    /// WebSocket connections accepted.
    socket_connections: u64,
}

/// A running ComfyUI-protocol server.
#[derive(Clone)]
pub struct MockComfy {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    wake: Arc<tokio::sync::Notify>,
}

impl MockComfy {
    /// A server whose prompts each take `latency` on its one "GPU".
    pub fn start(latency: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mock = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            inner: Arc::new(Mutex::new(Inner {
                latency,
                ..Inner::default()
            })),
            wake: Arc::new(tokio::sync::Notify::new()),
        };
        let data = web::Data::new(mock.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(routes)
                .service(web::scope("/api").configure(routes))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        tokio::spawn(run(mock.clone()));
        mock
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set_mode(&self, mode: ComfyMode) {
        let mut inner = self.lock();
        inner.mode = mode;
        if mode == ComfyMode::Forget {
            inner.history.clear();
            inner.pending.clear();
            inner.running = None;
        }
    }

    /// Graphs accepted so far, oldest first.
    pub fn graphs(&self) -> Vec<Value> {
        self.lock().graphs.clone()
    }

    /// `POST /prompt` calls, accepted or not.
    pub fn submissions(&self) -> u64 {
        self.lock().submissions
    }

    /// `POST /interrupt` calls, with the prompt id each named.
    pub fn interrupts(&self) -> Vec<Option<String>> {
        self.lock().interrupts.clone()
    }

    /// Prompt ids deleted from the queue.
    pub fn deleted(&self) -> Vec<String> {
        self.lock().deleted.clone()
    }

    /// Names of uploaded input images.
    pub fn uploads(&self) -> Vec<String> {
        self.lock().uploads.keys().cloned().collect()
    }

    /// Requests refused for carrying an `Origin` header.
    pub fn origin_refused(&self) -> u64 {
        self.lock().origin_refused
    }

    /// Output images fetched with `/view`.
    pub fn views(&self) -> u64 {
        self.lock().views
    }

    /// WebSocket connections accepted.
    pub fn socket_connections(&self) -> u64 {
        self.lock().socket_connections
    }

    /// Prompts queued or running now.
    pub fn busy(&self) -> usize {
        let inner = self.lock();
        inner.pending.len() + usize::from(inner.running.is_some())
    }
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/prompt", web::post().to(submit))
        .route("/prompt", web::get().to(load))
        .route("/history/{id}", web::get().to(history))
        .route("/queue", web::get().to(queue))
        .route("/queue", web::post().to(queue_edit))
        .route("/interrupt", web::post().to(interrupt))
        .route("/view", web::get().to(view))
        .route("/upload/image", web::post().to(upload))
        .route("/system_stats", web::get().to(stats))
        .route("/ws", web::get().to(socket));
}

/// `/ws?clientId=`: the status on connect, then each of that client's prompts' events.
async fn socket(
    mock: web::Data<MockComfy>,
    req: HttpRequest,
    body: web::Payload,
    query: web::Query<HashMap<String, String>>,
) -> actix_web::Result<HttpResponse> {
    let (response, session, mut stream) = actix_ws::handle(&req, body)?;
    let client = query.get("clientId").cloned().unwrap_or_default();
    {
        let mut inner = mock.lock();
        inner.socket_connections += 1;
        inner.sockets.insert(client.clone(), session.clone());
    }
    let mut session = session;
    actix_web::rt::spawn(async move {
        let status = json!({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": client}});
        let _ = session.text(status.to_string()).await;
        // Previews and other servers' extensions arrive too: clients must skip them.
        let _ = session
            .binary(vec![0, 0, 0, 1, 0, 0, 0, 2, 137, 80, 78, 71])
            .await;
        while let Some(Ok(message)) = futures_util::StreamExt::next(&mut stream).await {
            match message {
                actix_ws::Message::Ping(bytes) if session.pong(&bytes).await.is_err() => break,
                actix_ws::Message::Close(_) => break,
                _ => {}
            }
        }
    });
    Ok(response)
}

/// Sends a prompt's event to the socket of the client that submitted it, if it has one open.
async fn tell(mock: &MockComfy, prompt_id: &str, kind: &str, mut data: Value) {
    let session = {
        let inner = mock.lock();
        inner
            .clients
            .get(prompt_id)
            .and_then(|client| inner.sockets.get(client))
            .cloned()
    };
    if let Some(mut session) = session {
        data["prompt_id"] = json!(prompt_id);
        let _ = session
            .text(json!({"type": kind, "data": data}).to_string())
            .await;
    }
}

/// The one "GPU": runs pending prompts one at a time.
async fn run(mock: MockComfy) {
    loop {
        let next = {
            let mut inner = mock.lock();
            let next = inner.pending.pop_front();
            inner.running.clone_from(&next);
            inner.interrupt = false;
            next.map(|job| (job, inner.latency, inner.mode))
        };
        let Some(((id, graph), latency, mode)) = next else {
            tokio::select! {
                () = mock.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
            continue;
        };
        let started = std::time::Instant::now();
        tell(&mock, &id, "execution_start", json!({"timestamp": 1})).await;
        // Eight sampler steps over the latency, as KSampler reports them.
        let mut step = 0;
        while started.elapsed() < latency && !mock.lock().interrupt {
            tokio::time::sleep(Duration::from_millis(10).min(latency)).await;
            let due = (started.elapsed().as_secs_f64() / latency.as_secs_f64().max(1e-3) * 8.0)
                .floor() as u32;
            if due > step && due <= 8 {
                step = due;
                tell(
                    &mock,
                    &id,
                    "progress",
                    json!({"value": step, "max": 8, "node": "3"}),
                )
                .await;
            }
        }
        let mut inner = mock.lock();
        if inner.running.as_ref().map(|(r, _)| r) != Some(&id) {
            // Forgotten meanwhile (a "restart").
            continue;
        }
        inner.running = None;
        let entry = if inner.interrupt {
            json!({"prompt": [0, id, graph, {}, ["9"]], "outputs": {},
                "status": {"status_str": "error", "completed": false, "messages": [
                    ["execution_start", {"prompt_id": id}],
                    ["execution_interrupted", {"prompt_id": id, "node_id": "3", "node_type": "KSampler", "executed": []}]]},
                "meta": {}})
        } else if mode == ComfyMode::OutOfMemory {
            json!({"prompt": [0, id, graph, {}, ["9"]], "outputs": {},
                "status": {"status_str": "error", "completed": false, "messages": [
                    ["execution_start", {"prompt_id": id}],
                    ["execution_error", {"prompt_id": id, "node_id": "3", "node_type": "KSampler", "executed": [],
                      "exception_message": "CUDA out of memory. Tried to allocate 2.00 GiB",
                      "exception_type": "torch.OutOfMemoryError", "traceback": [], "current_inputs": {}, "current_outputs": {}}]]},
                "meta": {}})
        } else {
            let batch = batch_of(&graph);
            let seed = graph
                .as_object()
                .and_then(|nodes| nodes.values().find_map(|n| n["inputs"]["seed"].as_u64()))
                .unwrap_or(0);
            let mut images = Vec::new();
            for n in 0..batch {
                let name = format!("zimage_{}_{n:05}_.png", &id[..8]);
                if let Ok(png) = render::render(&name, seed + n, 256, 256, OutputFormat::Png) {
                    inner.files.insert(name.clone(), png);
                }
                images.push(json!({"filename": name, "subfolder": "", "type": "output"}));
            }
            // A preview in the temp folder, as ComfyUI lists them too: never ours to fetch.
            images.push(json!({"filename": "preview.png", "subfolder": "", "type": "temp"}));
            json!({"prompt": [0, id, graph, {}, ["9"]],
                "outputs": {"9": {"images": images}},
                "status": {"status_str": "success", "completed": true, "messages": [
                    ["execution_start", {"prompt_id": id}],
                    ["execution_success", {"prompt_id": id}]]},
                "meta": {}})
        };
        inner.history.insert(id, entry);
    }
}

/// Images a graph makes: its latent's batch size, or the repeat count.
fn batch_of(graph: &Value) -> u64 {
    let nodes = graph.as_object();
    let from = |class: &str, input: &str| {
        nodes.and_then(|n| {
            n.values()
                .find(|node| node["class_type"] == class)
                .and_then(|node| node["inputs"][input].as_u64())
        })
    };
    from("RepeatLatentBatch", "amount")
        .or_else(|| from("EmptySD3LatentImage", "batch_size"))
        .unwrap_or(1)
        .clamp(1, 8)
}

fn cross_origin(mock: &MockComfy, req: &HttpRequest) -> Option<HttpResponse> {
    req.headers().contains_key("origin").then(|| {
        mock.lock().origin_refused += 1;
        HttpResponse::Forbidden().finish()
    })
}

/// Checks a graph as ComfyUI's validation does, for the parts these tests use.
fn validate(mock: &MockComfy, graph: &Value) -> Result<(), Value> {
    let Some(nodes) = graph.as_object().filter(|n| !n.is_empty()) else {
        return Err(
            json!({"error": {"type": "no_prompt", "message": "No prompt provided",
            "details": "No prompt provided", "extra_info": {}}, "node_errors": {}}),
        );
    };
    for (id, node) in nodes {
        let class = node["class_type"].as_str().unwrap_or_default();
        if !NODES.contains(&class) {
            return Err(json!({"error": {"type": "missing_node_type",
                "message": format!("Node '{class}' not found. The custom node may not be installed."),
                "details": format!("Node ID '#{id}'"), "extra_info": {"node_id": id, "class_type": class}},
                "node_errors": {}}));
        }
    }
    let mut node_errors = serde_json::Map::new();
    for (id, node) in nodes {
        let inputs = &node["inputs"];
        let complaint = match node["class_type"].as_str() {
            Some("UNETLoader") => {
                let name = inputs["unet_name"].as_str().unwrap_or_default();
                let installed: &[&str] = if mock.lock().mode == ComfyMode::MissingModel {
                    &[]
                } else {
                    &UNETS
                };
                (!installed.contains(&name))
                    .then(|| ("unet_name", name.to_string(), installed.len()))
            }
            Some("LoadImage") => {
                let name = inputs["image"].as_str().unwrap_or_default();
                let uploads = mock.lock().uploads.len();
                (!mock.lock().uploads.contains_key(name))
                    .then(|| ("image", name.to_string(), uploads))
            }
            _ => None,
        };
        if let Some((input, value, known)) = complaint {
            node_errors.insert(
                id.clone(),
                json!({"class_type": node["class_type"], "dependent_outputs": ["9"], "errors": [{
                    "type": "value_not_in_list", "message": "Value not in list",
                    "details": format!("{input}: '{value}' not in (list of length {known})"),
                    "extra_info": {"input_name": input, "input_config": null, "received_value": value}}]}),
            );
        }
    }
    if node_errors.is_empty() {
        return Ok(());
    }
    Err(json!({"error": {"type": "prompt_outputs_failed_validation",
        "message": "Prompt outputs failed validation", "details": "", "extra_info": {}},
        "node_errors": node_errors}))
}

async fn submit(mock: web::Data<MockComfy>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if let Some(refused) = cross_origin(&mock, &req) {
        return refused;
    }
    mock.lock().submissions += 1;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let graph = body["prompt"].clone();
    if let Err(refusal) = validate(&mock, &graph) {
        return HttpResponse::BadRequest().json(refusal);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let (number, mode) = {
        let mut inner = mock.lock();
        inner.number += 1;
        inner.graphs.push(graph.clone());
        if let Some(client) = body["client_id"].as_str() {
            inner.clients.insert(id.clone(), client.to_string());
        }
        inner.pending.push_back((id.clone(), graph));
        (inner.number, inner.mode)
    };
    mock.wake.notify_one();
    if mode == ComfyMode::MalformedSubmit {
        return HttpResponse::Ok()
            .content_type("text/html")
            .body("<html>proxy error</html>");
    }
    HttpResponse::Ok().json(json!({"prompt_id": id, "number": number, "node_errors": {}}))
}

async fn load(mock: web::Data<MockComfy>, req: HttpRequest) -> HttpResponse {
    if let Some(refused) = cross_origin(&mock, &req) {
        return refused;
    }
    if mock.lock().mode == ComfyMode::Unwell {
        return HttpResponse::InternalServerError().finish();
    }
    let busy = mock.busy();
    HttpResponse::Ok().json(json!({"exec_info": {"queue_remaining": busy}}))
}

async fn history(mock: web::Data<MockComfy>, path: web::Path<String>) -> HttpResponse {
    let id = path.into_inner();
    let entry = mock.lock().history.get(&id).cloned();
    HttpResponse::Ok().json(match entry {
        Some(entry) => json!({ id: entry }),
        None => json!({}),
    })
}

fn queue_entry(number: u64, (id, graph): &(String, Value)) -> Value {
    json!([number, id, graph, {"client_id": "x"}, ["9"]])
}

async fn queue(mock: web::Data<MockComfy>) -> HttpResponse {
    let inner = mock.lock();
    let running: Vec<Value> = inner.running.iter().map(|j| queue_entry(0, j)).collect();
    let pending: Vec<Value> = inner
        .pending
        .iter()
        .enumerate()
        .map(|(n, j)| queue_entry(n as u64 + 1, j))
        .collect();
    HttpResponse::Ok().json(json!({"queue_running": running, "queue_pending": pending}))
}

async fn queue_edit(mock: web::Data<MockComfy>, body: web::Json<Value>) -> HttpResponse {
    let mut inner = mock.lock();
    if body["clear"].as_bool() == Some(true) {
        inner.pending.clear();
    }
    if let Some(ids) = body["delete"].as_array() {
        for id in ids.iter().filter_map(Value::as_str) {
            inner.pending.retain(|(p, _)| p != id);
            inner.deleted.push(id.to_string());
        }
    }
    HttpResponse::Ok().finish()
}

async fn interrupt(mock: web::Data<MockComfy>, body: web::Bytes) -> HttpResponse {
    let named = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["prompt_id"].as_str().map(str::to_string));
    let mut inner = mock.lock();
    inner.interrupts.push(named.clone());
    let running = inner.running.as_ref().map(|(id, _)| id.clone());
    if named.is_none() || named == running {
        inner.interrupt = running.is_some();
    }
    HttpResponse::Ok().finish()
}

async fn view(
    mock: web::Data<MockComfy>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let name = query.get("filename").cloned().unwrap_or_default();
    if name.is_empty() || name.starts_with('/') || name.contains("..") {
        return HttpResponse::BadRequest().finish();
    }
    if query.get("type").map(String::as_str) != Some("output") {
        return HttpResponse::NotFound().finish();
    }
    let mut inner = mock.lock();
    inner.views += 1;
    match inner.files.get(&name) {
        Some(png) => HttpResponse::Ok()
            .content_type("image/png")
            .body(png.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}

async fn upload(mock: web::Data<MockComfy>, mut form: actix_multipart::Multipart) -> HttpResponse {
    let mut file = None;
    while let Some(Ok(mut field)) = form.next().await {
        let is_image = field.name() == Some("image");
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename().map(str::to_string));
        let mut bytes = Vec::new();
        while let Some(Ok(chunk)) = field.next().await {
            bytes.extend_from_slice(&chunk);
        }
        if is_image {
            file = filename.map(|name| (name, bytes));
        }
    }
    let Some((name, bytes)) = file else {
        return HttpResponse::BadRequest().finish();
    };
    let mut inner = mock.lock();
    // A different file under a taken name is saved as `name (1).ext`.
    let mut stored = name.clone();
    let mut n = 0;
    while inner.uploads.get(&stored).is_some_and(|b| *b != bytes) {
        n += 1;
        stored = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem} ({n}).{ext}"),
            None => format!("{name} ({n})"),
        };
    }
    inner.uploads.insert(stored.clone(), bytes);
    HttpResponse::Ok().json(json!({"name": stored, "subfolder": "", "type": "input"}))
}

async fn stats() -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({"system": {"os": "posix", "comfyui_version": "0.3.60"}, "devices": []}))
}
