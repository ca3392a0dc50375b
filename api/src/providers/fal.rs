//! fal.ai's queue API: submit to the model, poll the request's status, fetch the result (where a
//! failed run shows its error), cancel. Authorization is `Key <key>`; the key is never logged.

use serde::Deserialize;
use serde_json::{Value, json};
use zimage_shared::generation::Quality;

use super::http::{self, Timeouts};
use super::{
    FailureReason, Finished, Gathered, GenerationInput, GenerationProvider, Outcome, ProviderError,
    ProviderStatus,
};
use crate::config::Secret;

/// Settings for fal.ai.
#[derive(Debug, Clone)]
pub struct FalConfig {
    pub key: Secret<String>,
    /// The queue host, `https://queue.fal.run` unless pointed elsewhere (tests, proxies).
    pub queue_url: String,
    /// Our `…/v1/webhooks/providers/fal`, when fal should report completion (polling goes on
    /// regardless, as the fallback).
    pub webhook_url: Option<String>,
    /// Where fal publishes the keys that sign its webhooks.
    pub jwks_url: String,
    /// Domains (with their subdomains) result images may be fetched from, besides the queue host.
    pub download_hosts: Vec<String>,
}

pub struct FalClient {
    http: reqwest::Client,
    config: FalConfig,
    /// Where result downloads are spooled.
    spool: std::path::PathBuf,
    /// Where result images may come from.
    downloads: http::Downloads,
    /// fal's webhook signing keys.
    pub keys: super::webhooks::FalKeys,
}

/// Splits `owner/app/path…` into the `owner/app` that status, result and cancel URLs use.
fn endpoint_of(model: &str) -> Option<&str> {
    let mut slashes = model.match_indices('/').map(|(i, _)| i);
    let first = slashes.next()?;
    Some(match slashes.next() {
        Some(second) => &model[..second],
        None if first + 1 < model.len() => model,
        None => return None,
    })
}

/// Our id for a fal request: `owner/app#request_id`, enough to build its URLs in any process.
fn task_id(endpoint: &str, request_id: &str) -> String {
    format!("{endpoint}#{request_id}")
}

fn parse_task_id(id: &str) -> Result<(&str, &str), ProviderError> {
    id.split_once('#').ok_or(ProviderError::Permanent {
        reason: FailureReason::UnknownTask,
        message: "not a fal request id".into(),
    })
}

#[derive(Deserialize)]
struct Submitted {
    request_id: String,
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    images: Vec<OutputImage>,
    #[serde(default)]
    has_nsfw_concepts: Vec<bool>,
}

#[derive(Deserialize)]
struct OutputImage {
    url: String,
}

/// Maps a failed fal response (HTTP status and JSON body) to our failure reasons.
fn error_from(status: u16, body: &[u8], what: &str) -> ProviderError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let detail = &parsed["detail"];
    // Validation and content errors: `detail` is a list of {loc, msg, type}.
    let types: Vec<String> = detail
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["type"].as_str().map(str::to_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let text = detail
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            detail.as_array().map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["msg"].as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .filter(|t| !t.is_empty());
    if types
        .iter()
        .any(|t| t.contains("content_policy") || t.contains("nsfw") || t.contains("safety"))
    {
        return ProviderError::Permanent {
            reason: FailureReason::NsfwBlocked,
            message: "the provider's safety checker blocked this prompt or image".into(),
        };
    }
    match (status, text) {
        (422, Some(text)) => ProviderError::Permanent {
            reason: FailureReason::ProviderRejectedPrompt,
            message: format!("the provider rejected the request: {text}"),
        },
        (504, _) if parsed["error_type"].as_str() == Some("request_timeout") => {
            ProviderError::Permanent {
                reason: FailureReason::ProviderTimeout,
                message: "the provider timed out".into(),
            }
        }
        _ => http::status_error(status, what),
    }
}

impl FalClient {
    pub fn new(
        config: FalConfig,
        timeouts: Timeouts,
        spool: std::path::PathBuf,
    ) -> anyhow::Result<Self> {
        let http = http::client(timeouts)?;
        let downloads = http::Downloads::new(&config.queue_url, &config.download_hosts, timeouts);
        Ok(Self {
            downloads,
            keys: super::webhooks::FalKeys::fal(config.jwks_url.clone(), http.clone()),
            http,
            config,
            spool,
        })
    }

    /// Our ids for a fal request id under each of `models` (the webhook names only the request).
    pub fn candidate_ids(models: &[&str], request_id: &str) -> Vec<String> {
        let mut ids: Vec<String> = models
            .iter()
            .filter_map(|m| endpoint_of(m))
            .map(|endpoint| task_id(endpoint, request_id))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.config.queue_url.trim_end_matches('/'))
    }

    fn request(&self, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header("authorization", format!("Key {}", self.config.key.expose()))
            .header("accept", "application/json")
    }

    /// The model input for Z-Image Turbo (and its relatives, which share these fields).
    fn body(input: &GenerationInput) -> Value {
        let mut body = json!({
            "prompt": input.prompt,
            "image_size": {"width": input.width, "height": input.height},
            "num_images": input.num_images,
            "output_format": input.format.as_str(),
            "enable_safety_checker": true,
            // Z-Image Turbo's documented default; the distilled model is made for it.
            "num_inference_steps": 8,
            // High quality trades speed for fidelity: no step-skipping acceleration.
            "acceleration": match input.quality { Quality::Standard => "regular", Quality::High => "none" },
        });
        // Sent only for models that take them (the catalogue refuses the others' requests).
        if let Some(seed) = input.seed {
            body["seed"] = json!(seed);
        }
        if let Some(negative) = &input.negative_prompt {
            body["negative_prompt"] = json!(negative);
        }
        // Image-to-image: fal fetches our stored copy through its short-lived signed URL.
        if let Some(reference) = &input.reference {
            body["image_url"] = json!(reference.url);
            body["strength"] = json!(reference.strength);
        }
        body
    }

    async fn result(&self, endpoint: &str, request: &str) -> Result<Outcome, ProviderError> {
        let response = self
            .request(
                reqwest::Method::GET,
                self.url(&format!("{endpoint}/requests/{request}")),
            )
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        let body = http::capped_body(response, 1024 * 1024).await?;
        if !(200..300).contains(&status) {
            // A failed run ends COMPLETED; its error arrives here.
            return match error_from(status, &body, "fetching the result") {
                ProviderError::Permanent { reason, message } => {
                    Ok(Outcome::Failed { reason, message })
                }
                transient => Err(transient),
            };
        }
        let output: Output =
            serde_json::from_slice(&body).map_err(|_| ProviderError::Permanent {
                reason: FailureReason::InvalidOutput,
                message: "the provider's result is not the documented JSON".into(),
            })?;
        let mut gathered = Gathered::default();
        for (n, image) in output.images.iter().enumerate() {
            // A flagged image is not fetched: the others are delivered (and paid for) alone.
            if output.has_nsfw_concepts.get(n).copied().unwrap_or(false) {
                gathered.refuse(
                    FailureReason::NsfwBlocked,
                    "the provider's safety checker blocked the image",
                );
                continue;
            }
            gathered.add(match http::data_uri_image(&image.url) {
                Some(decoded) => decoded,
                None => http::download_image(&self.downloads, &image.url, &self.spool).await,
            })?;
        }
        Ok(gathered.outcome())
    }
}

impl GenerationProvider for FalClient {
    fn name(&self) -> &'static str {
        "fal"
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        let endpoint = endpoint_of(&input.model).ok_or_else(|| ProviderError::Permanent {
            reason: FailureReason::ProviderUnavailable,
            message: format!("{:?} is not a fal model id (owner/app[/path])", input.model),
        })?;
        let mut url = self.url(&input.model);
        if let Some(webhook) = &self.config.webhook_url {
            url.push_str("?fal_webhook=");
            url.push_str(&serde_urlencoded::to_string([("", webhook)]).unwrap_or_default()[1..]);
        }
        let response = self
            .request(reqwest::Method::POST, url)
            .json(&Self::body(input))
            .send()
            .await
            .map_err(|e| http::submit_network(&e))?;
        let status = response.status().as_u16();
        let wait = http::retry_after(response.headers());
        // fal names the request in a header too: an answer whose body cannot be read still says
        // which job it started.
        let header_id = response
            .headers()
            .get("x-fal-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|id| !id.is_empty() && id.len() <= 200)
            .map(String::from);
        let body = match http::capped_body(response, 1024 * 1024).await {
            Ok(body) => body,
            Err(_) if (200..300).contains(&status) => Vec::new(),
            Err(err) => return Err(err),
        };
        if !(200..300).contains(&status) {
            return Err(http::after_submit(
                status,
                error_from(status, &body, "submitting").with_retry_after(wait),
            ));
        }
        match serde_json::from_slice::<Submitted>(&body) {
            Ok(submitted) => Ok(task_id(endpoint, &submitted.request_id)),
            Err(_) => match header_id {
                Some(request_id) => {
                    tracing::warn!(
                        provider = "fal",
                        "unreadable answer to a submission; the request id came from its header"
                    );
                    Ok(task_id(endpoint, &request_id))
                }
                None => Err(ProviderError::Unconfirmed(
                    "the provider's answer to the submission is not the documented JSON".into(),
                )),
            },
        }
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let (endpoint, request) = parse_task_id(provider_task_id)?;
        let response = self
            .request(
                reqwest::Method::GET,
                self.url(&format!("{endpoint}/requests/{request}/status?logs=0")),
            )
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        let wait = http::retry_after(response.headers());
        let body = http::capped_body(response, 1024 * 1024).await?;
        if status == 404 {
            return Ok(ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                message: "the provider does not know this request".into(),
            });
        }
        if !(200..300).contains(&status) {
            return Err(error_from(status, &body, "checking the status").with_retry_after(wait));
        }
        let parsed: Status = serde_json::from_slice(&body).map_err(|_| {
            ProviderError::Transient("the provider's status is not the documented JSON".into())
        })?;
        match parsed.status.as_str() {
            "IN_QUEUE" => Ok(ProviderStatus::Queued),
            "IN_PROGRESS" => Ok(ProviderStatus::Running {
                progress: None,
                ready_in: None,
            }),
            "COMPLETED" => Ok(ProviderStatus::Ready(Finished::default())),
            other => Err(ProviderError::Transient(format!(
                "the provider reported an unknown status {other:?}"
            ))),
        }
    }

    async fn collect(
        &self,
        provider_task_id: &str,
        _: &Finished,
    ) -> Result<Outcome, ProviderError> {
        let (endpoint, request) = parse_task_id(provider_task_id)?;
        self.result(endpoint, request).await
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        let (endpoint, request) = parse_task_id(provider_task_id)?;
        // Any answer is fine: already finished and unknown requests need nothing more.
        self.request(
            reqwest::Method::PUT,
            self.url(&format!("{endpoint}/requests/{request}/cancel")),
        )
        .send()
        .await
        .map_err(|e| http::network(&e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_urls_use_owner_and_app_only() {
        assert_eq!(endpoint_of("fal-ai/z-image/turbo"), Some("fal-ai/z-image"));
        assert_eq!(
            endpoint_of("fal-ai/z-image/turbo/image-to-image"),
            Some("fal-ai/z-image")
        );
        assert_eq!(endpoint_of("owner/app"), Some("owner/app"));
        assert_eq!(endpoint_of("nope"), None);
        assert_eq!(endpoint_of("owner/"), None);
        let id = task_id("fal-ai/z-image", "req-1");
        assert_eq!(parse_task_id(&id).unwrap(), ("fal-ai/z-image", "req-1"));
    }

    #[test]
    fn errors_map_to_reasons() {
        let rejected = error_from(
            422,
            br#"{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}"#,
            "x",
        );
        assert!(matches!(
            rejected,
            ProviderError::Permanent { reason: FailureReason::ProviderRejectedPrompt, ref message } if message.contains("field required")
        ));
        let nsfw = error_from(
            422,
            br#"{"detail":[{"loc":["body","prompt"],"msg":"no","type":"content_policy_violation"}]}"#,
            "x",
        );
        assert!(matches!(
            nsfw,
            ProviderError::Permanent {
                reason: FailureReason::NsfwBlocked,
                ..
            }
        ));
        assert!(matches!(
            error_from(
                503,
                br#"{"detail":"busy","error_type":"runner_scheduling_failure"}"#,
                "x"
            ),
            ProviderError::Transient(_)
        ));
        assert!(matches!(
            error_from(
                504,
                br#"{"detail":"Request timed out","error_type":"request_timeout"}"#,
                "x"
            ),
            ProviderError::Permanent {
                reason: FailureReason::ProviderTimeout,
                ..
            }
        ));
        assert!(matches!(
            error_from(500, b"not json", "x"),
            ProviderError::Transient(_)
        ));
    }
}
