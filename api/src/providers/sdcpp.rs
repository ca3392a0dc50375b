//! stable-diffusion.cpp's `sd-server` on the operator's own GPU, through its native async API:
//! `POST /sdcpp/v1/img_gen` queues a job (202), `GET /sdcpp/v1/jobs/{id}` follows it and carries
//! the images (base64) once it is done, `POST /sdcpp/v1/jobs/{id}/cancel` stops it while queued.
//!
//! - A full queue (429: 64 jobs queued or running) is back-pressure, not a failure: the task
//!   waits in our queue and tries again ([`ProviderError::Busy`]).
//! - A job that is already generating cannot be interrupted (409); cancelling it is best effort.
//! - The model is fixed when the server starts; steps and guidance are sent with every job.

use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use zimage_shared::generation::Quality;

use super::http::{self, Timeouts};
use super::{
    FailureReason, Finished, Gathered, GenerationInput, GenerationProvider, Outcome, ProviderError,
    ProviderStatus,
};

/// Largest job answer read: it carries the finished images, base64-encoded.
const MAX_JOB_BYTES: usize = 96 * 1024 * 1024;

/// When a full server did not say when to come back.
const BUSY_WAIT_SECS: u64 = 5;

/// Settings for sd-server (`ZIMAGE_SDCPP_URL`).
#[derive(Debug, Clone)]
pub struct SdCppConfig {
    /// e.g. `http://gpu1:1234`.
    pub base_url: String,
}

pub struct SdCppClient {
    http: reqwest::Client,
    base: String,
}

#[derive(Deserialize)]
struct Queued {
    id: String,
}

#[derive(Deserialize)]
struct Job {
    status: String,
    #[serde(default)]
    result: Option<JobResult>,
    #[serde(default)]
    error: Option<JobError>,
}

#[derive(Deserialize)]
struct JobResult {
    #[serde(default)]
    images: Vec<JobImage>,
}

#[derive(Deserialize)]
struct JobImage {
    #[serde(default)]
    index: u32,
    b64_json: String,
}

#[derive(Deserialize)]
struct JobError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// sd-server's `{"error": "…"}` (sometimes with `message`), as a line.
fn error_text(body: &[u8]) -> String {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = [&parsed["message"], &parsed["error"]]
        .iter()
        .find_map(|v| v.as_str().filter(|s| !s.is_empty()))
        .unwrap_or("")
        .to_string();
    text.chars().take(300).collect()
}

fn malformed(what: &str) -> ProviderError {
    ProviderError::Transient(format!(
        "{what}: the GPU server's answer is not the documented JSON"
    ))
}

/// Decodes an image sent inline: raw base64, or a `data:` URL.
fn decode(image: &str) -> Result<Vec<u8>, ProviderError> {
    let raw = match image.split_once(";base64,") {
        Some((head, rest)) if head.starts_with("data:") => rest,
        _ => image,
    };
    base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .map_err(|_| ProviderError::Permanent {
            reason: FailureReason::InvalidOutput,
            message: "the GPU server returned an image that is not base64".into(),
        })
}

impl SdCppClient {
    pub fn new(config: &SdCppConfig, timeouts: Timeouts) -> anyhow::Result<Self> {
        let parsed = reqwest::Url::parse(&config.base_url).map_err(|e| {
            anyhow::anyhow!("ZIMAGE_SDCPP_URL: {:?} is not a URL: {e}", config.base_url)
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            anyhow::bail!("ZIMAGE_SDCPP_URL must be an http(s) address");
        }
        Ok(Self {
            http: http::client(timeouts)?,
            base: config.base_url.trim_end_matches('/').to_string(),
        })
    }

    fn job_url(&self, id: &str) -> Result<String, ProviderError> {
        // Ids are the server's own (`job_<hex>_<hex>`); anything else is not put in a URL.
        if id.is_empty()
            || id.len() > 200
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ProviderError::Permanent {
                reason: FailureReason::UnknownTask,
                message: "not an sd-server job id".into(),
            });
        }
        Ok(format!("{}/sdcpp/v1/jobs/{id}", self.base))
    }

    /// The job as the server reports it, `None` when it does not know it (404) or let it expire
    /// (410).
    async fn job(&self, id: &str) -> Result<Option<Job>, ProviderError> {
        let response = self
            .http
            .get(self.job_url(id)?)
            .send()
            .await
            .map_err(|e| http::network(&e))?;
        let status = response.status().as_u16();
        if matches!(status, 404 | 410) {
            return Ok(None);
        }
        let body = http::capped_body(response, MAX_JOB_BYTES).await?;
        if !(200..300).contains(&status) {
            return Err(http::status_error(status, "checking the job"));
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|_| malformed("checking the job"))
    }

    fn body(input: &GenerationInput) -> Value {
        let mut body = json!({
            "prompt": input.prompt,
            "negative_prompt": input.negative_prompt.clone().unwrap_or_default(),
            "width": input.width,
            "height": input.height,
            // -1: the server picks one.
            "seed": input.seed.map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX)),
            "batch_count": input.num_images.max(1),
            // Z-Image Turbo: 8 steps at cfg 1 (a few more at high quality).
            "sample_params": {
                "sample_steps": match input.quality { Quality::Standard => 8, Quality::High => 10 },
                "guidance": {"txt_cfg": 1.0},
            },
            "output_format": "png",
        });
        if let Some(reference) = &input.reference {
            body["init_image"] =
                json!(base64::engine::general_purpose::STANDARD.encode(&reference.bytes));
            // sd.cpp's img2img strength is how far to move from the image, as ours is.
            body["strength"] = json!((f64::from(reference.strength) * 1000.0).round() / 1000.0);
        }
        body
    }
}

impl GenerationProvider for SdCppClient {
    fn name(&self) -> &'static str {
        "sdcpp"
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        let response = self
            .http
            .post(format!("{}/sdcpp/v1/img_gen", self.base))
            .json(&Self::body(input))
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
            200..=299 => serde_json::from_slice::<Queued>(&body)
                .ok()
                .map(|q| q.id)
                .filter(|id| self.job_url(id).is_ok())
                .ok_or_else(|| {
                    ProviderError::Unconfirmed(
                        "the GPU server's answer to the submission is not the documented JSON"
                            .into(),
                    )
                }),
            429 => Err(ProviderError::Busy {
                message: "the GPU server's queue is full".into(),
                retry_after_secs: wait.unwrap_or(BUSY_WAIT_SECS),
            }),
            400 => Err(ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                message: format!("the GPU server refused the request: {}", error_text(&body)),
            }),
            _ => Err(http::status_error(status, "submitting").with_retry_after(wait)),
        }
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let Some(job) = self.job(provider_task_id).await? else {
            return Ok(ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                message: "the GPU server does not know this job (it may have restarted)".into(),
            });
        };
        match job.status.as_str() {
            "queued" => Ok(ProviderStatus::Queued),
            "generating" => Ok(ProviderStatus::Running {
                progress: None,
                ready_in: None,
            }),
            "completed" => Ok(ProviderStatus::Ready(Finished::default())),
            "failed" | "cancelled" => {
                let error = job.error.unwrap_or(JobError {
                    code: job.status.clone(),
                    message: String::new(),
                });
                let message: String = format!(
                    "the GPU server's job ended: {} {}",
                    error.code,
                    error.message.trim()
                )
                .chars()
                .take(300)
                .collect();
                Ok(ProviderStatus::Failed {
                    reason: FailureReason::GenerationFailed,
                    message: message.trim().to_string(),
                })
            }
            other => Err(ProviderError::Transient(format!(
                "the GPU server reported an unknown status {other:?}"
            ))),
        }
    }

    async fn collect(
        &self,
        provider_task_id: &str,
        _: &Finished,
    ) -> Result<Outcome, ProviderError> {
        let Some(job) = self.job(provider_task_id).await? else {
            return Ok(Outcome::Failed {
                reason: FailureReason::UnknownTask,
                message: "the GPU server no longer has this job's result (it expired)".into(),
            });
        };
        let mut images = job.result.map(|r| r.images).unwrap_or_default();
        images.sort_by_key(|i| i.index);
        let mut gathered = Gathered::default();
        for image in images {
            gathered.add(decode(&image.b64_json).and_then(http::inspect_image))?;
        }
        Ok(gathered.outcome())
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        // Queued jobs stop; a generating one cannot be interrupted (409) and runs out; finished
        // and unknown ones need nothing.
        self.http
            .post(format!("{}/cancel", self.job_url(provider_task_id)?))
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
    fn images_arrive_as_base64_or_data_urls_and_errors_read_either_field() {
        let png = crate::providers::render::render(
            "x",
            1,
            64,
            64,
            zimage_shared::generation::OutputFormat::Png,
        )
        .unwrap();
        let raw = base64::engine::general_purpose::STANDARD.encode(&png);
        assert_eq!(decode(&raw).unwrap(), png);
        assert_eq!(
            decode(&format!("data:image/png;base64,{raw}")).unwrap(),
            png
        );
        assert!(decode("not base64!").is_err());
        assert_eq!(error_text(br#"{"error":"invalid width"}"#), "invalid width");
        assert_eq!(
            error_text(br#"{"error":"bad","message":"prompt is required"}"#),
            "prompt is required"
        );
    }
}
