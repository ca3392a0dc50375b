//! Any OpenAI-compatible images API (`POST /v1/images/generations`), so self-hosters can plug in
//! their own model servers. The call is synchronous on the wire, so it runs in the background
//! and `poll` reports on it; its ids live in this process only (a job taken over from a dead
//! worker is submitted again, without charging the user twice).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Value, json};

use super::http::{self, Timeouts};
use super::{
    FailureReason, Finished, Gathered, GenerationInput, GenerationProvider, Outcome, ProviderError,
    ProviderStatus,
};
use crate::config::Secret;

/// Settings for an OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// The server's base URL; requests go to `{base}/v1/images/generations`.
    pub base_url: String,
    pub key: Option<Secret<String>>,
    /// Domains (with their subdomains) result images may be fetched from, besides the server's
    /// own host (most servers answer with the image data itself).
    pub download_hosts: Vec<String>,
}

enum State {
    Running(tokio::task::JoinHandle<()>),
    Done(Result<Outcome, ProviderError>),
}

pub struct OpenAiCompatible {
    http: reqwest::Client,
    config: OpenAiConfig,
    /// Where result downloads are spooled.
    spool: std::path::PathBuf,
    /// Where result images may come from.
    downloads: http::Downloads,
    jobs: Arc<Mutex<HashMap<String, State>>>,
}

fn lock(jobs: &Mutex<HashMap<String, State>>) -> std::sync::MutexGuard<'_, HashMap<String, State>> {
    jobs.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Maps an error answer (OpenAI's `{"error": {"message", "type", "code"}}` or anything else).
fn error_from(status: u16, body: &[u8]) -> ProviderError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = parsed["error"]["code"].as_str().unwrap_or("");
    let message = parsed["error"]["message"].as_str().unwrap_or("");
    if code.contains("content_policy") || code.contains("moderation") || code.contains("safety") {
        return ProviderError::Permanent {
            reason: FailureReason::NsfwBlocked,
            message: "the model server's safety system refused this prompt".into(),
        };
    }
    match status {
        400 | 422 if !message.is_empty() => ProviderError::Permanent {
            reason: FailureReason::ProviderRejectedPrompt,
            message: format!("the model server rejected the request: {message}"),
        },
        _ => http::status_error(status, "generating"),
    }
}

async fn generate(
    http: reqwest::Client,
    config: OpenAiConfig,
    input: GenerationInput,
    spool: std::path::PathBuf,
    downloads: http::Downloads,
) -> Result<Outcome, ProviderError> {
    let mut request = http
        .post(format!(
            "{}/v1/images/generations",
            config.base_url.trim_end_matches('/')
        ))
        .json(&json!({
            "model": input.model,
            "prompt": input.prompt,
            "n": input.num_images,
            "size": format!("{}x{}", input.width, input.height),
            "response_format": "b64_json",
        }));
    if let Some(key) = &config.key {
        request = request.bearer_auth(key.expose());
    }
    let response = request.send().await.map_err(|e| http::submit_network(&e))?;
    let status = response.status().as_u16();
    let wait = http::retry_after(response.headers());
    let body = http::capped_body(response, http::MAX_RESULT_BYTES * 4).await?;
    if !(200..300).contains(&status) {
        return Err(error_from(status, &body).with_retry_after(wait));
    }
    let parsed: Value = serde_json::from_slice(&body).map_err(|_| ProviderError::Permanent {
        reason: FailureReason::InvalidOutput,
        message: "the model server's answer is not JSON".into(),
    })?;
    let items = parsed["data"].as_array().cloned().unwrap_or_default();
    let mut gathered = Gathered::default();
    for item in items {
        let image = if let Some(b64) = item["b64_json"].as_str() {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| ProviderError::Permanent {
                    reason: FailureReason::InvalidOutput,
                    message: "the model server returned undecodable image data".into(),
                })
                .and_then(http::inspect_image)
        } else if let Some(url) = item["url"].as_str() {
            http::download_image(&downloads, url, &spool).await
        } else {
            Err(ProviderError::Permanent {
                reason: FailureReason::InvalidOutput,
                message: "the model server returned an image without data or URL".into(),
            })
        };
        gathered.add(image)?;
    }
    Ok(gathered.outcome())
}

impl OpenAiCompatible {
    pub fn new(
        config: OpenAiConfig,
        timeouts: Timeouts,
        spool: std::path::PathBuf,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            http: http::client(timeouts)?,
            downloads: http::Downloads::new(&config.base_url, &config.download_hosts, timeouts),
            config,
            spool,
            jobs: Arc::new(Mutex::new(HashMap::new())),
        })
    }
}

impl GenerationProvider for OpenAiCompatible {
    fn name(&self) -> &'static str {
        "openai_compatible"
    }

    fn durable_task_ids(&self) -> bool {
        false
    }

    fn answers_at_collect(&self) -> bool {
        true
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        if input.reference.is_some() {
            return Err(ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                message: "this provider cannot start from a reference image".into(),
            });
        }
        let id = format!("openai-{}", uuid::Uuid::new_v4().simple());
        let jobs = self.jobs.clone();
        let (http, config, input) = (self.http.clone(), self.config.clone(), input.clone());
        let spool = self.spool.clone();
        let downloads = self.downloads.clone();
        let key = id.clone();
        // Registered before the work starts so a fast finish always finds its entry.
        let mut map = lock(&self.jobs);
        let handle = tokio::spawn(async move {
            let outcome = generate(http, config, input, spool, downloads).await;
            lock(&jobs).insert(key, State::Done(outcome));
        });
        map.entry(id.clone()).or_insert(State::Running(handle));
        Ok(id)
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        match lock(&self.jobs).get(provider_task_id) {
            None => Ok(ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                message: "the model server call is not known here (was the process restarted?)"
                    .into(),
            }),
            Some(State::Running(_)) => Ok(ProviderStatus::Running {
                progress: None,
                ready_in: None,
            }),
            Some(State::Done(_)) => Ok(ProviderStatus::Ready(Finished::default())),
        }
    }

    async fn collect(
        &self,
        provider_task_id: &str,
        _: &Finished,
    ) -> Result<Outcome, ProviderError> {
        let mut jobs = lock(&self.jobs);
        match jobs.remove(provider_task_id) {
            Some(State::Done(Err(ProviderError::Unconfirmed(message)))) => Ok(Outcome::Failed {
                reason: FailureReason::ProviderUnavailable,
                message,
            }),
            Some(State::Done(Err(ProviderError::Permanent { reason, message }))) => {
                Ok(Outcome::Failed { reason, message })
            }
            // Refused for now (429, 5xx): nothing was made; the call may be made again.
            Some(State::Done(outcome)) => outcome,
            still => {
                if let Some(running) = still {
                    jobs.insert(provider_task_id.to_string(), running);
                }
                Err(ProviderError::Transient(
                    "the model server call has not finished".into(),
                ))
            }
        }
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        if let Some(State::Running(handle)) = lock(&self.jobs).remove(provider_task_id) {
            handle.abort();
        }
        Ok(())
    }
}
