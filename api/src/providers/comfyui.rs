//! ComfyUI on the operator's own GPUs: a workflow graph (API format) filled from a template is
//! queued with `POST /prompt`, followed with `GET /history/{id}` (and `GET /queue` to tell a
//! queued or running prompt from one the server does not know), its images fetched with
//! `GET /view`; a reference image goes up first with `POST /upload/image`. Cancelling deletes
//! the prompt from the queue, then interrupts it where it already runs.
//!
//! - Several servers may form one pool: each submission goes to the server with the shortest
//!   queue among those that answer (`GET /prompt`'s `queue_remaining`, which counts every
//!   client's work, so replicas of ours balance without talking to each other).
//! - A graph the server refuses (`node_errors`: a model file missing, a node not installed) is
//!   the operator's to fix: an alert in the log, and the task fails as `provider_unavailable`
//!   with its credits back, never retried. A run that fails (`execution_error`, e.g. out of
//!   memory) fails the task as `generation_failed`, also refunded.
//! - No `Origin` header is sent: ComfyUI refuses cross-origin requests to a loopback host.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use zimage_shared::generation::Quality;

use super::http::{self, Timeouts};
use super::{
    FailureReason, Finished, Gathered, GenerationInput, GenerationProvider, Outcome, ProviderError,
    ProviderStatus,
};

/// The built-in Z-Image Turbo graph (Comfy-Org's official template, in API format).
pub const Z_IMAGE_TURBO: &str = include_str!("workflows/z-image-turbo.json");
/// The same graph starting from a reference image: LoadImage → ImageScale → VAEEncode →
/// RepeatLatentBatch into the sampler, with `denoise` below 1.
pub const Z_IMAGE_TURBO_IMAGE_TO_IMAGE: &str =
    include_str!("workflows/z-image-turbo-image-to-image.json");

/// Largest answer read from `/prompt`, `/history` or `/queue` (a queue lists whole graphs).
const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// How long a pool member may take to say how busy it is before it is passed over.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// How long a member that failed a submission (refused the graph, 5xx, unreachable) is passed
/// over, so one broken machine cannot draw the whole pool's work by looking idle.
const SICK_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// Settings for ComfyUI (`ZIMAGE_COMFYUI_URLS`).
#[derive(Debug, Clone)]
pub struct ComfyConfig {
    /// The servers of the pool, e.g. `http://gpu1:8188`.
    pub servers: Vec<String>,
    /// Follow the sampler's progress over each server's WebSocket (`ZIMAGE_COMFYUI_WEBSOCKET`).
    pub websocket: bool,
}

/// The placeholders a workflow template may use: a string value that is exactly `{{name}}`
/// becomes the task's value, typed (numbers stay numbers).
pub const PLACEHOLDERS: [&str; 10] = [
    "prompt",
    "negative_prompt",
    "seed",
    "width",
    "height",
    "batch_size",
    "steps",
    "image",
    "denoise",
    "filename_prefix",
];

/// A workflow template: a graph in API format with placeholders.
#[derive(Debug, Clone)]
pub struct Workflow {
    graph: Value,
    /// The placeholders it uses.
    pub uses: Vec<&'static str>,
}

impl Workflow {
    /// Reads a template; it must be a graph of nodes, use `{{prompt}}` and save images, and name
    /// no unknown placeholder.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let graph: Value = serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!("the workflow is not JSON: {e}"))?;
        let nodes = graph.as_object().filter(|n| !n.is_empty()).ok_or_else(|| {
            anyhow::anyhow!("the workflow is not a graph in API format (an object of nodes)")
        })?;
        let mut saves = false;
        for (id, node) in nodes {
            let class = node["class_type"].as_str().ok_or_else(|| {
                anyhow::anyhow!("node {id:?} has no class_type (export the workflow in API format)")
            })?;
            if !node["inputs"].is_object() {
                anyhow::bail!("node {id:?} has no inputs object");
            }
            saves |= class == "SaveImage";
        }
        if !saves {
            anyhow::bail!("the workflow has no SaveImage node: it would make no images to fetch");
        }
        let mut uses = Vec::new();
        let mut unknown = None;
        visit_placeholders(
            &graph,
            &mut |name| match PLACEHOLDERS.iter().find(|p| **p == name) {
                Some(known) if !uses.contains(known) => uses.push(*known),
                Some(_) => {}
                None => unknown = Some(name.to_string()),
            },
        );
        if let Some(name) = unknown {
            anyhow::bail!(
                "the workflow uses {{{{{name}}}}}, which is not one of {}",
                PLACEHOLDERS.join(", ")
            );
        }
        if !uses.contains(&"prompt") {
            anyhow::bail!("the workflow does not use {{{{prompt}}}}");
        }
        Ok(Self { graph, uses })
    }

    pub fn uses(&self, name: &str) -> bool {
        self.uses.contains(&name)
    }

    /// The graph for one task, every placeholder replaced.
    pub fn fill(&self, values: &serde_json::Map<String, Value>) -> Value {
        let mut graph = self.graph.clone();
        replace_placeholders(&mut graph, values);
        graph
    }
}

fn placeholder(value: &str) -> Option<&str> {
    value.strip_prefix("{{")?.strip_suffix("}}").map(str::trim)
}

fn visit_placeholders(value: &Value, found: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => {
            if let Some(name) = placeholder(s) {
                found(name);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| visit_placeholders(v, found)),
        Value::Object(fields) => fields.values().for_each(|v| visit_placeholders(v, found)),
        _ => {}
    }
}

fn replace_placeholders(value: &mut Value, values: &serde_json::Map<String, Value>) {
    match value {
        Value::String(s) => {
            if let Some(new) = placeholder(s).and_then(|name| values.get(name)) {
                *value = new.clone();
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_placeholders(v, values)),
        Value::Object(fields) => fields
            .values_mut()
            .for_each(|v| replace_placeholders(v, values)),
        _ => {}
    }
}

/// A model's graphs: from text, and from a reference image where the model does that.
#[derive(Debug, Clone)]
pub struct Workflows {
    pub text_to_image: Option<Workflow>,
    pub image_to_image: Option<Workflow>,
}

impl Workflows {
    /// The built-in Z-Image Turbo graphs.
    pub fn built_in() -> anyhow::Result<Self> {
        Ok(Self {
            text_to_image: Some(Workflow::parse(Z_IMAGE_TURBO)?),
            image_to_image: Some(Workflow::parse(Z_IMAGE_TURBO_IMAGE_TO_IMAGE)?),
        })
    }
}

struct Server {
    base: String,
    downloads: http::Downloads,
    /// Until when this member is passed over after a failed submission.
    sick_until: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Server {
    fn sick(&self) -> bool {
        self.sick_until
            .lock()
            .map(|until| until.is_some_and(|t| std::time::Instant::now() < t))
            .unwrap_or(false)
    }

    fn fell_ill(&self) {
        if let Ok(mut until) = self.sick_until.lock() {
            *until = Some(std::time::Instant::now() + SICK_FOR);
        }
    }
}

pub struct ComfyClient {
    http: reqwest::Client,
    servers: Vec<Server>,
    /// Graphs per provider model id (the catalogue's `provider_model`).
    workflows: std::collections::HashMap<String, Workflows>,
    /// Where result downloads are spooled.
    spool: std::path::PathBuf,
    /// Sent with each prompt (ComfyUI addresses its WebSocket events by it).
    client_id: String,
    /// Where ties between equally busy servers start, so they take turns.
    turn: AtomicUsize,
    /// Progress heard on the servers' WebSockets, when followed.
    progress: Option<std::sync::Arc<super::comfyui_progress::Progress>>,
}

/// Our id for a prompt: the server's address and the prompt id, enough for any process.
fn task_id(base: &str, prompt_id: &str) -> String {
    format!("{base}#{prompt_id}")
}

fn unknown(message: &str) -> ProviderError {
    ProviderError::Permanent {
        reason: FailureReason::UnknownTask,
        message: message.into(),
    }
}

fn malformed(what: &str) -> ProviderError {
    ProviderError::Transient(format!(
        "{what}: the ComfyUI server's answer is not the documented JSON"
    ))
}

/// Why ComfyUI refused a graph (`POST /prompt` answering 400), in a line for the operator: the
/// error's message and each node's first complaint. Both the newer shape (`error` an object,
/// `node_errors` by node) and the older (`error` a string, `node_errors` a list) are read.
fn refusal(body: &Value) -> String {
    let error = &body["error"];
    let mut text = error["message"]
        .as_str()
        .or_else(|| error.as_str())
        .unwrap_or("the graph was refused")
        .to_string();
    if let Some(details) = error["details"].as_str().filter(|d| !d.is_empty()) {
        text.push_str(": ");
        text.push_str(details);
    }
    if let Some(nodes) = body["node_errors"].as_object() {
        for (id, node) in nodes {
            let class = node["class_type"].as_str().unwrap_or("?");
            let first = &node["errors"][0];
            let what = first["details"]
                .as_str()
                .filter(|d| !d.is_empty())
                .or_else(|| first["message"].as_str())
                .unwrap_or("invalid");
            text.push_str(&format!("; node {id} ({class}): {what}"));
        }
    }
    text.chars().take(600).collect()
}

/// Where a finished prompt's history entry says it stands.
fn judge(entry: &Value) -> Option<ProviderStatus> {
    let status = &entry["status"];
    let messages = status["messages"].as_array();
    let last_of = |kind: &str| {
        messages.and_then(|m| {
            m.iter()
                .rev()
                .find(|msg| msg[0].as_str() == Some(kind))
                .map(|msg| msg[1].clone())
        })
    };
    if let Some(error) = last_of("execution_error") {
        let kind = error["exception_type"].as_str().unwrap_or("error");
        let message = error["exception_message"].as_str().unwrap_or("").trim();
        let node = error["node_type"].as_str().unwrap_or("?");
        let text: String = format!("the GPU server failed in {node}: {kind}: {message}")
            .chars()
            .take(300)
            .collect();
        return Some(ProviderStatus::Failed {
            reason: FailureReason::GenerationFailed,
            message: text,
        });
    }
    if last_of("execution_interrupted").is_some() {
        return Some(ProviderStatus::Failed {
            reason: FailureReason::GenerationFailed,
            message: "the job was interrupted on the GPU server".into(),
        });
    }
    match status["status_str"].as_str() {
        Some("success") => Some(ProviderStatus::Ready(Finished::default())),
        Some("error") => Some(ProviderStatus::Failed {
            reason: FailureReason::GenerationFailed,
            message: "the GPU server reported an error".into(),
        }),
        // Older builds write outputs without a status.
        None if entry["outputs"].is_object() => Some(ProviderStatus::Ready(Finished::default())),
        _ => None,
    }
}

/// The saved images a history entry lists (`type: output`), in node then list order.
fn saved_images(entry: &Value) -> Vec<(String, String)> {
    let Some(outputs) = entry["outputs"].as_object() else {
        return Vec::new();
    };
    let mut nodes: Vec<(&String, &Value)> = outputs.iter().collect();
    nodes.sort_by(|a, b| {
        let key = |id: &str| (id.parse::<u64>().unwrap_or(u64::MAX), id.to_string());
        key(a.0).cmp(&key(b.0))
    });
    nodes
        .into_iter()
        .filter_map(|(_, output)| output["images"].as_array())
        .flatten()
        .filter(|image| image["type"].as_str().unwrap_or("output") == "output")
        .filter_map(|image| {
            Some((
                image["filename"].as_str()?.to_string(),
                image["subfolder"].as_str().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// Whether `prompt_id` is in a `GET /queue` list (`[number, id, graph, …]` entries).
fn listed(queue: &Value, list: &str, prompt_id: &str) -> bool {
    queue[list]
        .as_array()
        .is_some_and(|items| items.iter().any(|item| item[1].as_str() == Some(prompt_id)))
}

/// A multipart body with one file part `image` and the fields ComfyUI's upload takes.
fn upload_form(boundary: &str, filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(bytes.len() + 512);
    for (name, value) in [("type", "input"), ("overwrite", "false")] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

impl ComfyClient {
    pub fn new(
        config: &ComfyConfig,
        workflows: std::collections::HashMap<String, Workflows>,
        timeouts: Timeouts,
        spool: std::path::PathBuf,
    ) -> anyhow::Result<Self> {
        if config.servers.is_empty() {
            anyhow::bail!("ZIMAGE_COMFYUI_URLS names no server");
        }
        let mut servers = Vec::new();
        for url in &config.servers {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| anyhow::anyhow!("ZIMAGE_COMFYUI_URLS: {url:?} is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https")
                || url.contains('#')
                || parsed.query().is_some()
            {
                anyhow::bail!("ZIMAGE_COMFYUI_URLS: {url:?} is not an http(s) address");
            }
            // Task ids carry the address: no credentials in it.
            if !parsed.username().is_empty() || parsed.password().is_some() {
                anyhow::bail!(
                    "ZIMAGE_COMFYUI_URLS: {url:?} has credentials; put ComfyUI behind a private network instead"
                );
            }
            let base = url.trim_end_matches('/').to_string();
            servers.push(Server {
                downloads: http::Downloads::new(&base, &[], timeouts),
                base,
                sick_until: std::sync::Mutex::new(None),
            });
        }
        Ok(Self {
            http: http::client(timeouts)?,
            servers,
            workflows,
            spool,
            client_id: uuid::Uuid::new_v4().to_string(),
            turn: AtomicUsize::new(0),
            progress: config.websocket.then(Default::default),
        })
    }

    /// The graphs each model runs (from the catalogue).
    pub fn set_workflows(&mut self, workflows: std::collections::HashMap<String, Workflows>) {
        self.workflows = workflows;
    }

    /// The pool's addresses.
    pub fn servers(&self) -> impl Iterator<Item = &str> {
        self.servers.iter().map(|s| s.base.as_str())
    }

    fn server_of<'a>(&self, id: &'a str) -> Result<(&Server, &'a str), ProviderError> {
        let (base, prompt_id) = id
            .rsplit_once('#')
            .ok_or_else(|| unknown("not a ComfyUI prompt id"))?;
        let server = self
            .servers
            .iter()
            .find(|s| s.base == base)
            .ok_or_else(|| {
                unknown("the GPU server that ran this prompt is no longer configured")
            })?;
        Ok((server, prompt_id))
    }

    async fn get_json(&self, url: String, what: &str) -> Result<Value, ProviderError> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        // A long queue of other clients' graphs is no reason to fail our task: look again.
        let body = http::capped_body(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| match e {
                ProviderError::Permanent { .. } => {
                    ProviderError::Transient(format!("{what}: the answer is larger than allowed"))
                }
                other => other,
            })?;
        if !(200..300).contains(&status) {
            return Err(http::status_error(status, what));
        }
        serde_json::from_slice(&body).map_err(|_| malformed(what))
    }

    /// How many prompts a server has queued and running, or `None` when it does not answer.
    async fn queue_length(&self, server: &Server) -> Option<u64> {
        let answer = self
            .http
            .get(format!("{}/prompt", server.base))
            .timeout(PROBE_TIMEOUT)
            .send()
            .await
            .ok()?;
        if !answer.status().is_success() {
            return None;
        }
        let body = http::capped_body(answer, 64 * 1024).await.ok()?;
        serde_json::from_slice::<Value>(&body).ok()?["exec_info"]["queue_remaining"].as_u64()
    }

    /// The least busy server that answers, passing over those that failed a submission lately
    /// (unless all did); equally busy ones take turns.
    async fn pick(&self) -> Result<&Server, ProviderError> {
        let healthy: Vec<&Server> = self.servers.iter().filter(|s| !s.sick()).collect();
        let candidates = if healthy.is_empty() {
            self.servers.iter().collect()
        } else {
            healthy
        };
        let lengths =
            futures_util::future::join_all(candidates.iter().map(|s| self.queue_length(s))).await;
        let answered: Vec<(u64, &Server)> = lengths
            .into_iter()
            .zip(candidates)
            .filter_map(|(len, server)| len.map(|len| (len, server)))
            .collect();
        let shortest = answered.iter().map(|(len, _)| *len).min().ok_or_else(|| {
            ProviderError::Transient("no GPU server of the ComfyUI pool answered".into())
        })?;
        let least: Vec<&Server> = answered
            .into_iter()
            .filter(|(len, _)| *len == shortest)
            .map(|(_, server)| server)
            .collect();
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        Ok(least[turn % least.len()])
    }

    /// Uploads the reference image; its name as `LoadImage` takes it.
    async fn upload(&self, server: &Server, bytes: &[u8]) -> Result<String, ProviderError> {
        let boundary = format!("zimage{}", uuid::Uuid::new_v4().simple());
        // Named by content: the same reference is stored once however often it is used.
        let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
        let filename = format!("zimage-{}.png", &digest[..32]);
        let response = self
            .http
            .post(format!("{}/upload/image", server.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(upload_form(&boundary, &filename, bytes))
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        let body = http::capped_body(response, 64 * 1024).await?;
        if !(200..300).contains(&status) {
            return Err(http::status_error(status, "uploading the reference image"));
        }
        let saved: Value = serde_json::from_slice(&body)
            .map_err(|_| malformed("uploading the reference image"))?;
        let name = saved["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| malformed("uploading the reference image"))?;
        Ok(
            match saved["subfolder"].as_str().filter(|s| !s.is_empty()) {
                Some(folder) => format!("{folder}/{name}"),
                None => name.to_string(),
            },
        )
    }

    /// The values a graph's placeholders take for `input`.
    fn values(input: &GenerationInput, image: Option<String>) -> serde_json::Map<String, Value> {
        let seed = input
            .seed
            .unwrap_or_else(|| u64::from(rand::random::<u32>()));
        let mut values = serde_json::Map::new();
        values.insert("prompt".into(), json!(input.prompt));
        values.insert(
            "negative_prompt".into(),
            json!(input.negative_prompt.clone().unwrap_or_default()),
        );
        values.insert("seed".into(), json!(seed));
        values.insert("width".into(), json!(input.width));
        values.insert("height".into(), json!(input.height));
        values.insert("batch_size".into(), json!(input.num_images.max(1)));
        // Z-Image Turbo is distilled for 8 steps; high quality spends a few more.
        let steps = match input.quality {
            Quality::Standard => 8,
            Quality::High => 10,
        };
        values.insert("steps".into(), json!(steps));
        values.insert("filename_prefix".into(), json!("zimage"));
        if let Some(reference) = &input.reference {
            // Our strength is how far to move from the reference: the sampler's denoise.
            let denoise = (f64::from(reference.strength) * 1000.0).round() / 1000.0;
            values.insert("denoise".into(), json!(denoise.clamp(0.01, 1.0)));
        }
        if let Some(image) = image {
            values.insert("image".into(), json!(image));
        }
        values
    }

    fn workflow(&self, input: &GenerationInput) -> Result<&Workflow, ProviderError> {
        let graphs = self
            .workflows
            .get(&input.model)
            .ok_or_else(|| ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                message: format!("no ComfyUI workflow is configured for {:?}", input.model),
            })?;
        let graph = if input.reference.is_some() {
            graphs.image_to_image.as_ref()
        } else {
            graphs.text_to_image.as_ref()
        };
        graph.ok_or_else(|| ProviderError::Permanent {
            reason: FailureReason::ProviderUnavailable,
            message: "this model's ComfyUI workflow cannot do what the task asks".into(),
        })
    }
}

impl GenerationProvider for ComfyClient {
    fn name(&self) -> &'static str {
        "comfyui"
    }

    fn pooled(&self) -> bool {
        self.servers.len() > 1
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        let workflow = self.workflow(input)?;
        let server = self.pick().await?;
        if let Some(progress) = &self.progress {
            // Listening before the prompt is sent, so its first events are heard.
            super::comfyui_progress::Progress::listen(progress, &server.base, &self.client_id);
        }
        let image = match &input.reference {
            Some(reference) if workflow.uses("image") => {
                Some(self.upload(server, &reference.bytes).await?)
            }
            _ => None,
        };
        let graph = workflow.fill(&Self::values(input, image));
        // reqwest sends no Origin header; ComfyUI would refuse a mismatching one.
        let response = self
            .http
            .post(format!("{}/prompt", server.base))
            .json(&json!({"prompt": graph, "client_id": self.client_id}))
            .send()
            .await
            .map_err(|e| {
                server.fell_ill();
                http::submit_network(&e)
            })?;
        let status = response.status().as_u16();
        let body = match http::capped_body(response, MAX_ANSWER_BYTES).await {
            Ok(body) => body,
            Err(_) if (200..300).contains(&status) => Vec::new(),
            Err(err) => return Err(err),
        };
        if status == 400 || status >= 500 {
            server.fell_ill();
        }
        if status == 400 {
            let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let why = refusal(&parsed);
            tracing::error!(
                alert = true,
                provider = "comfyui",
                server = %server.base,
                model = %input.model,
                refusal = %why,
                "a ComfyUI server refused the workflow; check its model files, custom nodes and the template"
            );
            return Err(ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                message: "the GPU server refused the workflow (the operator has been alerted)"
                    .into(),
            });
        }
        if !(200..300).contains(&status) {
            return Err(http::status_error(status, "submitting"));
        }
        let prompt_id = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["prompt_id"].as_str().map(str::to_string))
            .filter(|id| {
                !id.is_empty()
                    && id.len() <= 200
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .ok_or_else(|| {
                ProviderError::Unconfirmed(
                    "the GPU server's answer to the submission is not the documented JSON".into(),
                )
            })?;
        Ok(task_id(&server.base, &prompt_id))
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let (server, prompt_id) = self.server_of(provider_task_id)?;
        let history_url = format!("{}/history/{prompt_id}", server.base);
        let history = self
            .get_json(history_url.clone(), "checking the history")
            .await?;
        if let Some(entry) = history.get(prompt_id) {
            if let Some(progress) = &self.progress {
                progress.forget(prompt_id);
            }
            return judge(entry).ok_or_else(|| malformed("checking the history"));
        }
        // Not in the history: queued, running, or unknown (a restart forgets everything).
        let queue = self
            .get_json(format!("{}/queue", server.base), "checking the queue")
            .await?;
        if listed(&queue, "queue_running", prompt_id) {
            return Ok(ProviderStatus::Running {
                progress: self.progress.as_ref().and_then(|p| p.of(prompt_id)),
                ready_in: None,
            });
        }
        if listed(&queue, "queue_pending", prompt_id) {
            return Ok(ProviderStatus::Queued);
        }
        // It may have finished between the two reads.
        let history = self.get_json(history_url, "checking the history").await?;
        match history.get(prompt_id) {
            Some(entry) => judge(entry).ok_or_else(|| malformed("checking the history")),
            None => Ok(ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                message: "the GPU server does not know this job (it may have restarted)".into(),
            }),
        }
    }

    async fn collect(
        &self,
        provider_task_id: &str,
        _: &Finished,
    ) -> Result<Outcome, ProviderError> {
        let (server, prompt_id) = self.server_of(provider_task_id)?;
        let history = self
            .get_json(
                format!("{}/history/{prompt_id}", server.base),
                "fetching the result",
            )
            .await?;
        let Some(entry) = history.get(prompt_id) else {
            return Ok(Outcome::Failed {
                reason: FailureReason::UnknownTask,
                message: "the GPU server no longer has this job's result".into(),
            });
        };
        let mut gathered = Gathered::default();
        for (filename, subfolder) in saved_images(entry) {
            let query = serde_urlencoded::to_string([
                ("filename", filename.as_str()),
                ("subfolder", subfolder.as_str()),
                ("type", "output"),
            ])
            .map_err(|_| malformed("fetching the result"))?;
            let url = format!("{}/view?{query}", server.base);
            gathered.add(http::download_image(&server.downloads, &url, &self.spool).await)?;
        }
        Ok(gathered.outcome())
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        let (server, prompt_id) = self.server_of(provider_task_id)?;
        // Off the queue if it waits there (unknown ids are fine)…
        self.http
            .post(format!("{}/queue", server.base))
            .json(&json!({"delete": [prompt_id]}))
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        // …and interrupted if it already runs. Older builds interrupt whatever runs, whatever
        // the body says: only when the queue shows this prompt running.
        let queue = self
            .get_json(format!("{}/queue", server.base), "checking the queue")
            .await?;
        if listed(&queue, "queue_running", prompt_id) {
            self.http
                .post(format!("{}/interrupt", server.base))
                .json(&json!({"prompt_id": prompt_id}))
                .send()
                .await
                .map_err(|e| http::network(&e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_placeholders_and_fill_them_typed() {
        let built_in = Workflows::built_in().unwrap();
        let text = built_in.text_to_image.unwrap();
        assert!(text.uses("prompt") && text.uses("seed") && !text.uses("image"));
        let image = built_in.image_to_image.unwrap();
        assert!(image.uses("image") && image.uses("denoise"));
        let mut values = serde_json::Map::new();
        values.insert("prompt".into(), json!("a lighthouse"));
        values.insert("width".into(), json!(1024));
        let graph = text.fill(&values);
        assert_eq!(graph["27"]["inputs"]["text"], "a lighthouse");
        assert_eq!(graph["13"]["inputs"]["width"], 1024);
        assert_eq!(
            graph["3"]["inputs"]["model"],
            json!(["11", 0]),
            "links untouched"
        );

        assert!(Workflow::parse("[]").is_err());
        assert!(Workflow::parse(r#"{"1":{"class_type":"SaveImage","inputs":{}}}"#).is_err());
        let unknown = Workflow::parse(
            r#"{"1":{"class_type":"SaveImage","inputs":{"x":"{{prompt}}","y":"{{lora}}"}}}"#,
        );
        assert!(unknown.unwrap_err().to_string().contains("{{lora}}"));
    }

    #[test]
    fn refusals_read_both_shapes_and_failures_say_where() {
        let newer = json!({"error":{"type":"prompt_outputs_failed_validation","message":"Prompt outputs failed validation","details":"","extra_info":{}},
            "node_errors":{"28":{"class_type":"UNETLoader","dependent_outputs":["9"],"errors":[{"type":"value_not_in_list",
            "message":"Value not in list","details":"unet_name: 'x' not in (list of length 31)","extra_info":{}}]}}});
        let text = refusal(&newer);
        assert!(
            text.contains("node 28 (UNETLoader): unet_name: 'x' not in"),
            "{text}"
        );
        assert_eq!(
            refusal(&json!({"error": "no prompt", "node_errors": []})),
            "no prompt"
        );

        let failed = json!({"status": {"status_str": "error", "completed": false, "messages": [
            ["execution_start", {"prompt_id": "p"}],
            ["execution_error", {"prompt_id": "p", "node_type": "KSampler", "exception_type": "torch.OutOfMemoryError",
              "exception_message": "CUDA out of memory"}]]}});
        match judge(&failed) {
            Some(ProviderStatus::Failed { reason, message }) => {
                assert_eq!(reason, FailureReason::GenerationFailed);
                assert!(message.contains("KSampler") && message.contains("out of memory"));
            }
            other => panic!("{other:?}"),
        }
        let done = json!({"outputs": {"9": {"images": [
            {"filename": "a.png", "subfolder": "", "type": "output"},
            {"filename": "p.png", "subfolder": "", "type": "temp"}]}},
            "status": {"status_str": "success", "completed": true, "messages": []}});
        assert!(matches!(judge(&done), Some(ProviderStatus::Ready(_))));
        assert_eq!(saved_images(&done), [("a.png".to_string(), String::new())]);
    }
}
