//! KIE.ai's market jobs API: `createTask`, then `recordInfo` until the task succeeds or fails.
//! Errors can arrive inside HTTP 200, so the body's `code` decides; 402 means our KIE account is
//! out of credits, which is an operator alert, not the user's fault.

use serde_json::{Value, json};
use zimage_shared::generation::AspectRatio;

use super::http::{self, Timeouts};
use super::{
    FailureReason, Finished, Gathered, GenerationInput, GenerationProvider, Outcome, ProviderError,
    ProviderStatus,
};
use crate::config::Secret;

/// Settings for KIE.
#[derive(Debug, Clone)]
pub struct KieConfig {
    pub key: Secret<String>,
    /// `https://api.kie.ai` unless pointed elsewhere.
    pub base_url: String,
    /// Where KIE should report completion (`…/v1/webhooks/providers/kie`); polling works without.
    pub callback_url: Option<String>,
    /// The account's `webhookHmacKey`, which signs callbacks (callbacks are off without it).
    pub webhook_hmac_key: Option<Secret<String>>,
    /// Domains (with their subdomains) result images may be fetched from, besides the API host.
    pub download_hosts: Vec<String>,
}

pub struct KieClient {
    http: reqwest::Client,
    config: KieConfig,
    /// Where result downloads are spooled.
    spool: std::path::PathBuf,
    /// Where result images may come from.
    downloads: http::Downloads,
}

/// The aspect ratios KIE's Z-Image takes; others map to the nearest.
fn kie_aspect(input: &GenerationInput) -> &'static str {
    let ratio = match input.aspect_ratio {
        Some(r) => r,
        None => {
            let wanted = f64::from(input.width) / f64::from(input.height.max(1));
            let distance = |r: &AspectRatio| {
                let (w, h) = r.ratio();
                (f64::from(w) / f64::from(h) - wanted).abs()
            };
            AspectRatio::ALL
                .into_iter()
                .min_by(|a, b| distance(a).total_cmp(&distance(b)))
                .unwrap_or(AspectRatio::Square)
        }
    };
    match ratio {
        AspectRatio::Square => "1:1",
        AspectRatio::Landscape4x3 | AspectRatio::Landscape3x2 => "4:3",
        AspectRatio::Portrait3x4 | AspectRatio::Portrait2x3 => "3:4",
        AspectRatio::Landscape16x9 | AspectRatio::Ultrawide21x9 => "16:9",
        AspectRatio::Portrait9x16 => "9:16",
    }
}

/// Reads KIE's envelope `{code, msg|message, data}`: `Ok(data)` for code 200, else the error.
fn envelope(http_status: u16, body: &[u8], what: &str) -> Result<Value, ProviderError> {
    let Ok(parsed) = serde_json::from_slice::<Value>(body) else {
        return Err(if (200..300).contains(&http_status) {
            ProviderError::Transient(format!("{what}: the provider's answer is not JSON"))
        } else {
            http::status_error(http_status, what)
        });
    };
    let code = parsed["code"]
        .as_u64()
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(http_status);
    let text = parsed["msg"]
        .as_str()
        .or_else(|| parsed["message"].as_str())
        .unwrap_or("")
        .to_string();
    match code {
        200 => Ok(parsed["data"].clone()),
        402 => {
            tracing::error!(
                alert = true,
                provider = "kie",
                "the KIE account is out of credits; top it up"
            );
            Err(ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                message: "the image provider is temporarily unavailable".into(),
            })
        }
        401 | 505 => {
            tracing::error!(
                alert = true,
                provider = "kie",
                code,
                "KIE refused our API key or feature"
            );
            Err(ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                message: "the image provider is temporarily unavailable".into(),
            })
        }
        422 => Err(ProviderError::Permanent {
            reason: FailureReason::ProviderRejectedPrompt,
            message: format!("the provider rejected the request: {text}"),
        }),
        404 => Err(ProviderError::Permanent {
            reason: FailureReason::UnknownTask,
            message: "the provider does not know this task".into(),
        }),
        429 | 455 | 500 | 502 | 503 | 504 => Err(ProviderError::Transient(format!(
            "{what}: the provider answered code {code}"
        ))),
        501 => Err(ProviderError::Permanent {
            reason: FailureReason::GenerationFailed,
            message: format!("the provider could not generate the image: {text}"),
        }),
        other => Err(http::status_error(other, what)),
    }
}

/// What a failed KIE task means for the user.
fn failure(code: &str, message: &str) -> ProviderStatus {
    let lower = format!("{code} {message}").to_lowercase();
    let reason = if ["nsfw", "sensitive", "policy", "safety", "violat"]
        .iter()
        .any(|w| lower.contains(w))
    {
        FailureReason::NsfwBlocked
    } else {
        FailureReason::GenerationFailed
    };
    ProviderStatus::Failed {
        reason,
        message: if message.is_empty() {
            "the provider could not generate the image".into()
        } else {
            format!("the provider could not generate the image: {message}")
        },
    }
}

impl KieClient {
    /// The key that signs callbacks, when callbacks are on.
    pub fn webhook_key(&self) -> Option<&str> {
        self.config
            .webhook_hmac_key
            .as_ref()
            .map(|k| k.expose().as_str())
    }

    pub fn new(
        config: KieConfig,
        timeouts: Timeouts,
        spool: std::path::PathBuf,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            http: http::client(timeouts)?,
            downloads: http::Downloads::new(&config.base_url, &config.download_hosts, timeouts),
            config,
            spool,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    fn request(&self, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(self.config.key.expose())
            .header("accept", "application/json")
    }

    /// The task's current record (`data` of `recordInfo`).
    pub async fn record(&self, task_id: &str) -> Result<Value, ProviderError> {
        let response = self
            .request(
                reqwest::Method::GET,
                format!(
                    "{}?{}",
                    self.url("/api/v1/jobs/recordInfo"),
                    serde_urlencoded::to_string([("taskId", task_id)]).unwrap_or_default()
                ),
            )
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        let wait = http::retry_after(response.headers());
        let body = http::capped_body(response, 1024 * 1024).await?;
        envelope(status, &body, "checking the task").map_err(|e| e.with_retry_after(wait))
    }
}

impl GenerationProvider for KieClient {
    fn name(&self) -> &'static str {
        "kie"
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        if input.reference.is_some() {
            return Err(ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                message: "this provider cannot start from a reference image".into(),
            });
        }
        let mut body = json!({
            "model": input.model,
            "input": {"prompt": input.prompt, "aspect_ratio": kie_aspect(input)},
        });
        if let Some(callback) = &self.config.callback_url {
            body["callBackUrl"] = json!(callback);
        }
        let response = self
            .request(reqwest::Method::POST, self.url("/api/v1/jobs/createTask"))
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
        // KIE's answer names no task in any header: an unreadable acceptance cannot be followed,
        // and is never sent again.
        let unconfirmed = || {
            ProviderError::Unconfirmed(
                "the provider's answer to the submission is not the documented JSON".into(),
            )
        };
        if (200..300).contains(&status) && serde_json::from_slice::<Value>(&body).is_err() {
            return Err(unconfirmed());
        }
        let data = envelope(status, &body, "creating the task")
            .map_err(|e| http::after_submit(status, e.with_retry_after(wait)))?;
        data["taskId"]
            .as_str()
            .filter(|id| !id.is_empty())
            .map(String::from)
            .ok_or_else(unconfirmed)
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let data = match self.record(provider_task_id).await {
            Ok(data) => data,
            Err(ProviderError::Permanent { reason, message }) => {
                return Ok(ProviderStatus::Failed { reason, message });
            }
            Err(transient) => return Err(transient),
        };
        match data["state"].as_str().unwrap_or("") {
            "waiting" | "queuing" => Ok(ProviderStatus::Queued),
            "generating" => Ok(ProviderStatus::Running {
                progress: None,
                ready_in: None,
            }),
            "fail" => Ok(failure(
                data["failCode"].as_str().unwrap_or(""),
                data["failMsg"].as_str().unwrap_or(""),
            )),
            "success" => {
                // `resultJson` is JSON inside a string.
                let result: Value = data["resultJson"]
                    .as_str()
                    .and_then(|s| serde_json::from_str(s).ok())
                    .unwrap_or(Value::Null);
                let urls: Vec<String> = result["resultUrls"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|u| u.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(ProviderStatus::Ready(Finished { urls }))
            }
            other => Err(ProviderError::Transient(format!(
                "the provider reported an unknown state {other:?}"
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

    async fn cancel(&self, _provider_task_id: &str) -> Result<(), ProviderError> {
        // KIE's market API has no cancel; the result is simply never fetched.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_inside_http_200_decide() {
        assert!(
            envelope(
                200,
                br#"{"code":200,"msg":"success","data":{"taskId":"t"}}"#,
                "x"
            )
            .is_ok()
        );
        assert!(matches!(
            envelope(
                200,
                br#"{"code":402,"msg":"Insufficient credits","data":null}"#,
                "x"
            ),
            Err(ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                ..
            })
        ));
        assert!(matches!(
            envelope(200, br#"{"code":429,"msg":"slow down"}"#, "x"),
            Err(ProviderError::Transient(_))
        ));
        assert!(matches!(
            envelope(200, br#"{"code":422,"message":"prompt too long"}"#, "x"),
            Err(ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                ..
            })
        ));
        assert!(matches!(
            envelope(502, b"<html>", "x"),
            Err(ProviderError::Transient(_))
        ));
        assert!(matches!(
            envelope(200, b"<html>", "x"),
            Err(ProviderError::Transient(_))
        ));
    }

    #[test]
    fn sizes_map_to_kie_aspect_ratios() {
        let input = |aspect, width, height| GenerationInput {
            model: "z-image".into(),
            prompt: "p".into(),
            negative_prompt: None,
            aspect_ratio: aspect,
            width,
            height,
            seed: None,
            num_images: 1,
            format: Default::default(),
            quality: Default::default(),
            reference: None,
        };
        assert_eq!(
            kie_aspect(&input(Some(AspectRatio::Ultrawide21x9), 0, 0)),
            "16:9"
        );
        assert_eq!(kie_aspect(&input(None, 1024, 768)), "4:3");
        assert_eq!(kie_aspect(&input(None, 700, 1000)), "3:4");
        assert_eq!(kie_aspect(&input(None, 576, 1024)), "9:16");
    }
}
