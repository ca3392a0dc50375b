//! The built-in provider: renders on this machine after a configurable simulated latency.
//! No network, no keys; the embedded default so the product works out of the box.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{
    FailureReason, Finished, GeneratedImage, GenerationInput, GenerationProvider, ImageData,
    Outcome, ProviderError, ProviderStatus, render,
};

struct Job {
    input: GenerationInput,
    started: Instant,
}

/// Renders images locally; `latency` simulates a hosted model's queue and inference time.
pub struct LocalProvider {
    latency: Duration,
    jobs: Mutex<HashMap<String, Job>>,
}

impl LocalProvider {
    pub fn new(latency: Duration) -> Self {
        Self {
            latency,
            jobs: Mutex::new(HashMap::new()),
        }
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Renders every image of a job (seed, seed+1, …) off the async threads.
async fn render_all(input: GenerationInput) -> Result<Vec<GeneratedImage>, ProviderError> {
    // The scene follows from everything it is given: a negative prompt changes the picture as
    // the prompt does (without one, the text is the prompt alone, as it always was).
    let text = match &input.negative_prompt {
        Some(negative) => format!("{}\0{negative}", input.prompt),
        None => input.prompt.clone(),
    };
    tokio::task::spawn_blocking(move || {
        (0..u64::from(input.num_images.max(1)))
            .map(|i| {
                let seed = input.seed.unwrap_or(0).wrapping_add(i);
                let pixels = match &input.reference {
                    Some(reference) => render::pixels_from(
                        &reference.bytes,
                        reference.strength,
                        &text,
                        seed,
                        input.width,
                        input.height,
                    ),
                    None => Ok(render::render_pixels(
                        &text,
                        seed,
                        input.width,
                        input.height,
                    )),
                };
                pixels
                    .and_then(|pixels| {
                        Ok(GeneratedImage {
                            data: ImageData::Bytes(render::encode(&pixels, input.format)?),
                            format: input.format,
                            pixels: Some(std::sync::Arc::new(pixels)),
                        })
                    })
                    .map_err(|e| ProviderError::Permanent {
                        reason: FailureReason::InvalidOutput,
                        message: format!("rendering failed: {e}"),
                    })
            })
            .collect()
    })
    .await
    .map_err(|e| ProviderError::Transient(format!("render task failed: {e}")))?
}

impl GenerationProvider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn durable_task_ids(&self) -> bool {
        false
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        let id = format!("local-{}", uuid::Uuid::new_v4().simple());
        self.jobs().insert(
            id.clone(),
            Job {
                input: input.clone(),
                started: Instant::now(),
            },
        );
        Ok(id)
    }

    fn collect_uses_cpu(&self) -> bool {
        true
    }

    fn expected_time(&self) -> Option<Duration> {
        Some(self.latency)
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let jobs = self.jobs();
        let Some(job) = jobs.get(provider_task_id) else {
            return Ok(ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                message: "the local provider has no such task (was the process restarted?)".into(),
            });
        };
        let elapsed = job.started.elapsed();
        if elapsed < self.latency {
            let progress = elapsed.as_secs_f32() / self.latency.as_secs_f32();
            return Ok(ProviderStatus::Running {
                progress: Some(progress.min(0.99)),
                ready_in: Some(self.latency - elapsed),
            });
        }
        Ok(ProviderStatus::Ready(Finished::default()))
    }

    async fn collect(
        &self,
        provider_task_id: &str,
        _: &Finished,
    ) -> Result<Outcome, ProviderError> {
        let Some(input) = self.jobs().get(provider_task_id).map(|j| j.input.clone()) else {
            return Ok(Outcome::Failed {
                reason: FailureReason::UnknownTask,
                message: "the local provider has no such task (was the process restarted?)".into(),
            });
        };
        let images = render_all(input).await?;
        self.jobs().remove(provider_task_id);
        Ok(Outcome::Images(images))
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        self.jobs().remove(provider_task_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zimage_shared::generation::{OutputFormat, Quality};

    fn input(num_images: u32) -> GenerationInput {
        GenerationInput {
            model: "z-image-local".into(),
            prompt: "a red kite over dunes".into(),
            negative_prompt: None,
            aspect_ratio: None,
            reference: None,
            width: 64,
            height: 48,
            seed: Some(42),
            num_images,
            format: OutputFormat::Png,
            quality: Quality::Standard,
        }
    }

    #[tokio::test]
    async fn runs_then_delivers_distinct_images_per_seed() {
        let provider = LocalProvider::new(Duration::from_millis(80));
        let id = provider.submit(&input(2)).await.unwrap();
        assert!(
            matches!(provider.poll(&id).await.unwrap(), ProviderStatus::Running { progress: Some(p), ready_in: Some(left) } if p < 1.0 && left <= Duration::from_millis(80))
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        let ProviderStatus::Ready(finished) = provider.poll(&id).await.unwrap() else {
            panic!("expected it ready");
        };
        let Outcome::Images(images) = provider.collect(&id, &finished).await.unwrap() else {
            panic!("expected images");
        };
        assert_eq!(images.len(), 2);
        assert_ne!(images[0].data, images[1].data);
        assert_eq!(
            images[0].data,
            ImageData::Bytes(
                render::render("a red kite over dunes", 42, 64, 48, OutputFormat::Png).unwrap()
            )
        );
        // Delivered once; the id is then forgotten.
        assert!(matches!(
            provider.poll(&id).await.unwrap(),
            ProviderStatus::Failed {
                reason: FailureReason::UnknownTask,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn cancelled_jobs_are_gone() {
        let provider = LocalProvider::new(Duration::from_secs(60));
        let id = provider.submit(&input(1)).await.unwrap();
        provider.cancel(&id).await.unwrap();
        provider.cancel(&id).await.unwrap();
        assert!(matches!(
            provider.poll(&id).await.unwrap(),
            ProviderStatus::Failed { .. }
        ));
    }
}
