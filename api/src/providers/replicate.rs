//! Replicate's predictions API: `POST /models/{owner}/{name}/predictions` (or `POST /predictions`
//! with a version), `GET /predictions/{id}` until it succeeds, fails or is cancelled, outputs as
//! URLs (one or a list) downloaded at once (Replicate removes them after about an hour), and
//! `POST /predictions/{id}/cancel`. Webhooks are Standard Webhooks signed with the account's
//! secret; a verified one only makes the task's check due.

use serde::Deserialize;
use serde_json::{Value, json};
use zimage_shared::generation::{OutputFormat, Quality};

use super::http::{self, Timeouts};
use super::webhooks::KeyCache;
use super::{
    FailureReason, Finished, Gathered, GenerationInput, GenerationProvider, Outcome, ProviderError,
    ProviderStatus,
};
use crate::config::Secret;

/// Settings for Replicate (`ZIMAGE_REPLICATE_TOKEN`).
#[derive(Debug, Clone)]
pub struct ReplicateConfig {
    pub token: Secret<String>,
    /// `https://api.replicate.com/v1` unless pointed elsewhere (`ZIMAGE_REPLICATE_BASE_URL`).
    pub base_url: String,
    /// Our `…/v1/webhooks/providers/replicate`, when Replicate should report completion
    /// (polling goes on regardless).
    pub webhook_url: Option<String>,
    /// The webhook signing secret (`whsec_…`); read from Replicate's API when not configured.
    pub webhook_secret: Option<Secret<String>>,
    /// Domains (with their subdomains) outputs may be fetched from, besides the API host.
    pub download_hosts: Vec<String>,
    /// Sent as `Cancel-After`: Replicate stops (and stops billing) a prediction still running
    /// this long after it was created, even if our own cancel never arrives.
    pub cancel_after: std::time::Duration,
}

pub struct ReplicateClient {
    http: reqwest::Client,
    config: ReplicateConfig,
    /// Where result downloads are spooled.
    spool: std::path::PathBuf,
    downloads: http::Downloads,
    /// The webhook signing secret, when read from the API.
    secrets: KeyCache<String>,
    /// Webhook ids seen lately, with when: a replayed delivery is acknowledged and not acted on.
    seen: std::sync::Mutex<std::collections::VecDeque<(String, i64)>>,
}

/// Webhook ids remembered (each for the signature tolerance, at most this many).
const SEEN_CAP: usize = 4096;

#[derive(Deserialize)]
struct Prediction {
    id: String,
    status: String,
    #[serde(default)]
    output: Value,
    #[serde(default)]
    error: Value,
    #[serde(default)]
    data_removed: bool,
}

/// Prediction ids are lower-case base32; anything else is never put in a URL.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `owner/name` (an official model), `owner/name:version`, or a bare version.
pub(crate) fn valid_model(model: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.len() <= 100
            && !w.starts_with('.')
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    // Versions are 64 hexadecimal digits (a SHA-256).
    let version = |v: &str| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit());
    let (name, id) = match model.split_once(':') {
        Some((name, id)) => (name, Some(id)),
        None => (model, None),
    };
    match (name.split_once('/'), id) {
        (Some((owner, name)), id) => word(owner) && word(name) && id.is_none_or(version),
        (None, None) => version(name),
        (None, Some(_)) => false,
    }
}

/// The URLs of a prediction's output: one URL, or a list of them.
fn output_urls(output: &Value) -> Vec<String> {
    match output {
        Value::String(url) => vec![url.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|u| u.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Replicate's problem text: `detail` (or `title`), cut short.
fn detail(body: &[u8]) -> String {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    [&parsed["detail"], &parsed["title"]]
        .iter()
        .find_map(|v| v.as_str().filter(|s| !s.is_empty()))
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

/// A refusal that is the operator's to fix, not the user's: logged as an alert.
fn operator_problem(status: u16, what: &str, text: &str) -> ProviderError {
    tracing::error!(
        alert = true,
        provider = "replicate",
        status,
        detail = text,
        "Replicate refused {what}; check the account's billing and the model name"
    );
    ProviderError::Permanent {
        reason: FailureReason::ProviderUnavailable,
        message: "the image provider is temporarily unavailable".into(),
    }
}

/// What a failed prediction means for the user.
fn failure(error: &Value) -> ProviderStatus {
    let text: String = error
        .as_str()
        .map(str::to_string)
        .or_else(|| (!error.is_null()).then(|| error.to_string()))
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let lower = text.to_lowercase();
    let reason = if ["nsfw", "safety", "sensitive", "policy"]
        .iter()
        .any(|w| lower.contains(w))
    {
        FailureReason::NsfwBlocked
    } else {
        FailureReason::GenerationFailed
    };
    ProviderStatus::Failed {
        reason,
        message: if text.is_empty() {
            "the provider could not generate the image".into()
        } else {
            format!("the provider could not generate the image: {text}")
        },
    }
}

impl ReplicateClient {
    pub fn new(
        config: ReplicateConfig,
        timeouts: Timeouts,
        spool: std::path::PathBuf,
    ) -> anyhow::Result<Self> {
        let http = http::client(timeouts)?;
        let secrets = KeyCache::new(
            format!(
                "{}/webhooks/default/secret",
                config.base_url.trim_end_matches('/')
            ),
            http.clone(),
            Some(config.token.clone()),
            |answer| {
                answer["key"]
                    .as_str()
                    .filter(|k| k.starts_with("whsec_"))
                    .map(String::from)
                    .into_iter()
                    .collect()
            },
        );
        Ok(Self {
            downloads: http::Downloads::new(&config.base_url, &config.download_hosts, timeouts),
            secrets,
            seen: std::sync::Mutex::new(std::collections::VecDeque::new()),
            http,
            config,
            spool,
        })
    }

    /// Whether webhooks are asked for (and so accepted).
    pub fn webhooks_on(&self) -> bool {
        self.config.webhook_url.is_some()
    }

    /// The secrets a webhook may be signed with; `refresh` reads the account's again (a
    /// signature failed with the cached one: it may have been rotated).
    pub async fn webhook_secrets(
        &self,
        refresh: bool,
    ) -> Result<Vec<String>, super::webhooks::Refused> {
        match &self.config.webhook_secret {
            Some(secret) => Ok(vec![secret.expose().clone()]),
            None => self.secrets.get(refresh).await,
        }
    }

    /// Whether a verified webhook's `webhook-id` was acted on here lately (replays within the
    /// signature's tolerance are; older ones fail the timestamp check). Remembered per process: a
    /// replay reaching another replica only makes one more check of the prediction.
    pub fn seen(&self, webhook_id: &str) -> bool {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|(id, _)| id == webhook_id)
    }

    /// Remembers a webhook acted on; false when it already was.
    pub fn first_delivery(&self, webhook_id: &str, now: i64) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while seen.front().is_some_and(|(_, at)| {
            now - at > super::webhooks::TOLERANCE_SECS * 2 || seen.len() >= SEEN_CAP
        }) {
            seen.pop_front();
        }
        if seen.iter().any(|(id, _)| id == webhook_id) {
            return false;
        }
        seen.push_back((webhook_id.to_string(), now));
        true
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    fn request(&self, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(self.config.token.expose())
            .header("accept", "application/json")
    }

    fn prediction_url(&self, id: &str) -> Result<String, ProviderError> {
        if !valid_id(id) {
            return Err(ProviderError::Permanent {
                reason: FailureReason::UnknownTask,
                message: "not a Replicate prediction id".into(),
            });
        }
        Ok(self.url(&format!("/predictions/{id}")))
    }

    /// Z-Image Turbo's inputs as Replicate's `prunaai/z-image-turbo` takes them.
    fn input(input: &GenerationInput) -> Value {
        let mut body = json!({
            "prompt": input.prompt,
            "width": input.width,
            "height": input.height,
            // The distilled model's 8 steps at guidance 0; a few more and no shortcuts at high
            // quality.
            "num_inference_steps": match input.quality { Quality::Standard => 8, Quality::High => 10 },
            "guidance_scale": 0,
            "go_fast": input.quality == Quality::Standard,
            "output_format": match input.format {
                OutputFormat::Png => "png",
                OutputFormat::Jpeg => "jpg",
                OutputFormat::Webp => "webp",
            },
            "output_quality": 95,
        });
        if let Some(seed) = input.seed {
            body["seed"] = json!(seed);
        }
        if let Some(negative) = &input.negative_prompt {
            body["negative_prompt"] = json!(negative);
        }
        body
    }

    /// Reads a prediction; `None` when Replicate does not know it.
    async fn prediction(&self, id: &str) -> Result<Option<Prediction>, ProviderError> {
        let response = self
            .request(reqwest::Method::GET, self.prediction_url(id)?)
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        let wait = http::retry_after(response.headers());
        if status == 404 {
            return Ok(None);
        }
        let body = http::capped_body(response, 1024 * 1024).await?;
        if !(200..300).contains(&status) {
            return Err(
                http::status_error(status, "checking the prediction").with_retry_after(wait)
            );
        }
        serde_json::from_slice(&body).map(Some).map_err(|_| {
            ProviderError::Transient(
                "checking the prediction: the provider's answer is not the documented JSON".into(),
            )
        })
    }
}

impl GenerationProvider for ReplicateClient {
    fn name(&self) -> &'static str {
        "replicate"
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        if input.reference.is_some() {
            return Err(ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                message: "this provider cannot start from a reference image".into(),
            });
        }
        if !valid_model(&input.model) {
            return Err(operator_problem(0, "the model name", &input.model));
        }
        let mut body = json!({"input": Self::input(input)});
        let url = if input.model.contains(':') || !input.model.contains('/') {
            // A version: `owner/name:id` or the bare id.
            body["version"] = json!(input.model);
            self.url("/predictions")
        } else {
            self.url(&format!("/models/{}/predictions", input.model))
        };
        if let Some(webhook) = &self.config.webhook_url {
            body["webhook"] = json!(webhook);
            body["webhook_events_filter"] = json!(["completed"]);
        }
        let response = self
            .request(reqwest::Method::POST, url)
            .header(
                "cancel-after",
                format!("{}s", self.config.cancel_after.as_secs().max(5)),
            )
            .json(&body)
            .send()
            .await
            .map_err(|e| http::submit_network(&e))?;
        let status = response.status().as_u16();
        let wait = http::retry_after(response.headers());
        let body = match http::capped_body(response, 1024 * 1024).await {
            Ok(body) => body,
            Err(_) if (200..300).contains(&status) => Vec::new(),
            Err(err) => return Err(err),
        };
        match status {
            // Replicate charges for the prediction it created: an answer that does not name it
            // cannot be followed, and the prediction is never created again.
            200..=299 => serde_json::from_slice::<Prediction>(&body)
                .ok()
                .map(|p| p.id)
                .filter(|id| valid_id(id))
                .ok_or_else(|| {
                    ProviderError::Unconfirmed(
                        "the provider's answer to the submission is not the documented JSON".into(),
                    )
                }),
            402 | 404 => Err(operator_problem(status, "the prediction", &detail(&body))),
            422 => Err(ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                message: format!("the provider rejected the request: {}", detail(&body)),
            }),
            _ => Err(http::after_submit(
                status,
                http::status_error(status, "creating the prediction").with_retry_after(wait),
            )),
        }
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let Some(prediction) = self.prediction(provider_task_id).await? else {
            return Ok(ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                message: "the provider does not know this prediction".into(),
            });
        };
        match prediction.status.as_str() {
            "starting" => Ok(ProviderStatus::Queued),
            "processing" => Ok(ProviderStatus::Running {
                progress: None,
                ready_in: None,
            }),
            "succeeded" if prediction.data_removed => Ok(ProviderStatus::Failed {
                reason: FailureReason::InvalidOutput,
                message: "the provider removed the result before it could be fetched".into(),
            }),
            "succeeded" => Ok(ProviderStatus::Ready(Finished {
                urls: output_urls(&prediction.output),
            })),
            "failed" => Ok(failure(&prediction.error)),
            // A deadline passed before it started.
            "aborted" => Ok(ProviderStatus::Failed {
                reason: FailureReason::ProviderTimeout,
                message: "the provider did not start the prediction in time".into(),
            }),
            "canceled" => Ok(ProviderStatus::Failed {
                reason: FailureReason::GenerationFailed,
                message: "the provider cancelled the prediction".into(),
            }),
            other => Err(ProviderError::Transient(format!(
                "the provider reported an unknown status {:?}",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }

    async fn collect(&self, _: &str, finished: &Finished) -> Result<Outcome, ProviderError> {
        let mut gathered = Gathered::default();
        for url in &finished.urls {
            gathered.add(http::download_image(&self.downloads, url, &self.spool).await)?;
        }
        Ok(gathered.outcome())
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        let url = format!("{}/cancel", self.prediction_url(provider_task_id)?);
        let response = self
            .request(reqwest::Method::POST, url)
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        // Finished and unknown predictions need nothing.
        if (200..300).contains(&status) || matches!(status, 404 | 409 | 422) {
            Ok(())
        } else {
            Err(http::status_error(status, "cancelling the prediction"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_one_url_or_a_list_and_failures_say_why() {
        assert_eq!(output_urls(&json!("https://x/a.png")), ["https://x/a.png"]);
        assert_eq!(
            output_urls(&json!(["https://x/a.png", 3, "https://x/b.png"])),
            ["https://x/a.png", "https://x/b.png"]
        );
        assert!(output_urls(&Value::Null).is_empty());
        assert!(matches!(
            failure(&json!("NSFW content detected. Try a different prompt.")),
            ProviderStatus::Failed {
                reason: FailureReason::NsfwBlocked,
                ..
            }
        ));
        assert!(matches!(
            failure(&json!("CUDA out of memory")),
            ProviderStatus::Failed {
                reason: FailureReason::GenerationFailed,
                ..
            }
        ));
        assert_eq!(
            detail(br#"{"title":"Invalid input","detail":"width: must be <= 2048","status":422}"#),
            "width: must be <= 2048"
        );
    }

    #[test]
    fn ids_and_models_that_go_into_urls_are_checked() {
        assert!(valid_id("gm3qorzdhgbfurvjtvhg6dckhu"));
        assert!(!valid_id("../secret"));
        assert!(!valid_id(""));
        assert!(valid_model("prunaai/z-image-turbo"));
        assert!(valid_model(
            "prunaai/z-image-turbo:5f24084160c9089501c1b3545d9be3c27883ae2239b6f412990e82d4a6210f8f"
        ));
        assert!(!valid_model("prunaai/../../account"));
        assert!(!valid_model("prunaai/z image"));
        assert!(
            valid_model("5f24084160c9089501c1b3545d9be3c27883ae2239b6f412990e82d4a6210f8f"),
            "a bare version"
        );
        for bad in [
            "",
            "https://replicate.com/prunaai/z",
            "prunaai/z-image-turbo:",
            "prunaai/",
            "a/b/c",
            "/z",
            "prunaai/.hidden",
            "zimageturbo",
            "prunaai/z-image-turbo:5f24084160c9",
        ] {
            assert!(!valid_model(bad), "{bad:?}");
        }
    }
}
