//! Image generation providers behind one interface. The built-in `local` provider renders
//! real images offline; hosted providers (fal.ai, KIE, Replicate, OpenAI-compatible) and the operator's
//! own GPUs (ComfyUI, stable-diffusion.cpp) plug in beside it.

pub mod breaker;
pub mod comfyui;
pub mod comfyui_progress;
pub mod fal;
pub mod http;
pub mod kie;
pub mod local;
pub mod manners;
pub mod metadata;
pub mod models;
pub mod openai;
pub mod render;
pub mod replicate;
pub mod sdcpp;
pub mod webhooks;

use std::future::Future;
use zimage_shared::generation::{OutputFormat, Quality};

/// What to generate, in the provider's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationInput {
    /// The provider's own model id.
    pub model: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    /// The requested aspect ratio, when the size came from one (for providers that take ratios).
    pub aspect_ratio: Option<zimage_shared::generation::AspectRatio>,
    pub width: u32,
    pub height: u32,
    /// None for models that take no seed (see the catalogue's `supports`).
    pub seed: Option<u64>,
    pub num_images: u32,
    pub format: OutputFormat,
    pub quality: Quality,
    /// Image-to-image: where to start from.
    pub reference: Option<Reference>,
}

/// The starting image of an image-to-image generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// A short-lived signed URL of our stored copy, for hosted providers to fetch.
    pub url: String,
    /// The same image's bytes, for providers that run here.
    pub bytes: Vec<u8>,
    /// How far to move away from it, above 0 up to 1.
    pub strength: f32,
}

/// A delivered image's file: in memory (rendered here, or sent inline in an answer), or spooled
/// to a local file as it was downloaded, so a download is never held whole in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageData {
    Bytes(Vec<u8>),
    Spooled(Spooled),
}

/// A downloaded file in the spool directory, removed when the last handle to it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spooled(std::sync::Arc<SpoolFile>);

#[derive(Debug, PartialEq, Eq)]
pub struct SpoolFile(std::path::PathBuf);

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Spooled {
    /// Takes charge of `path` (removed when dropped).
    pub fn new(path: std::path::PathBuf) -> Self {
        Self(std::sync::Arc::new(SpoolFile(path)))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0.0
    }
}

/// One finished image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedImage {
    pub data: ImageData,
    pub format: OutputFormat,
    /// The decoded picture, when the provider has it at hand (the local renderer): the
    /// thumbnail is made from it instead of decoding `bytes` again.
    pub pixels: Option<std::sync::Arc<image::RgbImage>>,
}

/// Why a generation failed, as shown on the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureReason {
    ProviderRejectedPrompt,
    ProviderUnavailable,
    ProviderTimeout,
    NsfwBlocked,
    InvalidOutput,
    UnknownTask,
    /// The provider tried and could not produce the image.
    GenerationFailed,
    /// The reference image of an image-to-image task was deleted before it ran.
    ReferenceMissing,
}

impl FailureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProviderRejectedPrompt => "provider_rejected_prompt",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ProviderTimeout => "provider_timeout",
            Self::NsfwBlocked => "nsfw_blocked",
            Self::InvalidOutput => "invalid_output",
            Self::UnknownTask => "unknown_task",
            Self::GenerationFailed => "generation_failed",
            Self::ReferenceMissing => "reference_missing",
        }
    }
}

/// Where a submitted generation stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderStatus {
    Queued,
    Running {
        /// Progress from 0.0 to 1.0 when the provider reports it.
        progress: Option<f32>,
        /// When the provider expects to be done, if it knows (the built-in renderer does): the
        /// next check need not come later than that.
        ready_in: Option<std::time::Duration>,
    },
    /// Finished; [`GenerationProvider::collect`] fetches the outcome. Telling and fetching are
    /// apart so that only the one caller that claimed the finish downloads anything.
    Ready(Finished),
    Failed {
        reason: FailureReason,
        message: String,
    },
}

/// What a status answer already said about a finished generation, for `collect`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Finished {
    /// Result URLs, for providers whose status answer lists them (KIE).
    pub urls: Vec<String>,
}

/// The outcome of a finished generation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Images(Vec<GeneratedImage>),
    Failed {
        reason: FailureReason,
        message: String,
    },
}

/// A result's images, fetched one by one. An image that cannot be used is left out (the task is
/// charged only for the images delivered); a failure for now (network, 5xx) ends the gathering,
/// so the whole fetch is tried again; with no usable image the task fails with the first reason.
#[derive(Default)]
pub struct Gathered {
    images: Vec<GeneratedImage>,
    refused: Option<(FailureReason, String)>,
}

impl Gathered {
    /// Takes one fetched image; `Err` when fetching should stop and be tried again later.
    pub fn add(
        &mut self,
        fetched: Result<GeneratedImage, ProviderError>,
    ) -> Result<(), ProviderError> {
        match fetched {
            Ok(image) => self.images.push(image),
            Err(ProviderError::Permanent { reason, message }) => self.refuse(reason, message),
            Err(again) => return Err(again),
        }
        Ok(())
    }

    /// Leaves an image out, for `reason`.
    pub fn refuse(&mut self, reason: FailureReason, message: impl Into<String>) {
        self.refused.get_or_insert((reason, message.into()));
    }

    pub fn outcome(self) -> Outcome {
        match (self.images.is_empty(), self.refused) {
            (false, _) => Outcome::Images(self.images),
            (true, Some((reason, message))) => Outcome::Failed { reason, message },
            (true, None) => Outcome::Failed {
                reason: FailureReason::InvalidOutput,
                message: "the provider returned no images".into(),
            },
        }
    }
}

/// A call that did not get an answer about the generation itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Worth retrying (network trouble, 5xx, rate limiting); for a submission, the provider
    /// certainly did not take it.
    #[error("transient provider error: {0}")]
    Transient(String),
    /// Worth retrying, but not before `retry_after_secs`: the provider said so (`Retry-After`).
    #[error("provider asked for {retry_after_secs} s: {message}")]
    Throttled {
        message: String,
        retry_after_secs: u64,
    },
    /// A submission refused because the provider is at capacity (its queue is full): it took
    /// nothing and is up. The task waits in our queue and tries again after
    /// `retry_after_secs`, without spending an attempt, until its deadline.
    #[error("the provider is at capacity; back in {retry_after_secs} s: {message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    /// A submission the provider may have accepted, but whose answer could not be read (a
    /// malformed 2xx, a connection lost after sending). Sending it again could start a second
    /// paid job, so it never is.
    #[error("the provider may have started the job: {0}")]
    Unconfirmed(String),
    /// Will fail the same way again.
    #[error("provider error ({}): {message}", reason.as_str())]
    Permanent {
        reason: FailureReason,
        message: String,
    },
}

impl ProviderError {
    /// A transient error becomes [`ProviderError::Throttled`] when the answer said when to return.
    pub fn with_retry_after(self, retry_after_secs: Option<u64>) -> Self {
        match (self, retry_after_secs) {
            (Self::Transient(message), Some(retry_after_secs)) => Self::Throttled {
                message,
                retry_after_secs,
            },
            (other, _) => other,
        }
    }
}

/// A service that turns prompts into images.
pub trait GenerationProvider: Send + Sync {
    /// Stable name, stored on tasks (`local`, `fal`, …).
    fn name(&self) -> &'static str;

    /// Whether an id from `submit` stays valid for other processes and after restarts. When it
    /// does not (the local renderer keeps its work in memory), a job taken over from a dead worker
    /// is submitted again.
    fn durable_task_ids(&self) -> bool {
        true
    }

    /// How long a generation takes, when the provider knows (the built-in renderer does): the
    /// first check need not come later than that.
    fn expected_time(&self) -> Option<std::time::Duration> {
        None
    }

    /// Whether `collect` is work for this machine's processors (the built-in renderer) rather
    /// than waiting on the network; such calls take one of the process's worker slots.
    fn collect_uses_cpu(&self) -> bool {
        false
    }

    /// Whether `submit` only starts the call and the provider's answer (or failure) is known when
    /// the result is collected (a synchronous API called in the background): its circuit breaker
    /// hears how the call went from `collect`, not from `submit`.
    fn answers_at_collect(&self) -> bool {
        false
    }

    /// Whether the provider is a pool of servers that each refuse or take work on their own,
    /// the client passing over one that refused (ComfyUI with several servers): a refusal then
    /// says nothing of the others.
    fn pooled(&self) -> bool {
        false
    }

    /// Starts a generation; returns the provider's id for it.
    fn submit(
        &self,
        input: &GenerationInput,
    ) -> impl Future<Output = Result<String, ProviderError>> + Send;

    /// Reports progress, readiness or the failure, without fetching any result.
    fn poll(
        &self,
        provider_task_id: &str,
    ) -> impl Future<Output = Result<ProviderStatus, ProviderError>> + Send;

    /// Fetches the outcome of a generation `poll` found ready: the images, or the failure a
    /// provider reports only with the result (fal).
    fn collect(
        &self,
        provider_task_id: &str,
        finished: &Finished,
    ) -> impl Future<Output = Result<Outcome, ProviderError>> + Send;

    /// Asks the provider to stop; unknown or finished ids are not an error.
    fn cancel(
        &self,
        provider_task_id: &str,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;
}

/// The providers this installation has configured.
pub struct Providers {
    pub local: local::LocalProvider,
    pub fal: Option<fal::FalClient>,
    pub kie: Option<kie::KieClient>,
    pub openai: Option<openai::OpenAiCompatible>,
    pub comfyui: Option<comfyui::ComfyClient>,
    pub sdcpp: Option<sdcpp::SdCppClient>,
    pub replicate: Option<replicate::ReplicateClient>,
}

/// One configured provider, by name.
#[derive(Clone, Copy)]
pub enum Provider<'a> {
    Local(&'a local::LocalProvider),
    Fal(&'a fal::FalClient),
    Kie(&'a kie::KieClient),
    OpenAi(&'a openai::OpenAiCompatible),
    Comfy(&'a comfyui::ComfyClient),
    SdCpp(&'a sdcpp::SdCppClient),
    Replicate(&'a replicate::ReplicateClient),
}

impl Providers {
    /// The provider called `name`, when it is configured.
    pub fn get(&self, name: &str) -> Option<Provider<'_>> {
        match name {
            "local" => Some(Provider::Local(&self.local)),
            "fal" => self.fal.as_ref().map(Provider::Fal),
            "kie" => self.kie.as_ref().map(Provider::Kie),
            "openai_compatible" => self.openai.as_ref().map(Provider::OpenAi),
            "comfyui" => self.comfyui.as_ref().map(Provider::Comfy),
            "sdcpp" => self.sdcpp.as_ref().map(Provider::SdCpp),
            "replicate" => self.replicate.as_ref().map(Provider::Replicate),
            _ => None,
        }
    }

    /// Names of the configured providers (models of other providers are not offered).
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut names = vec!["local"];
        if self.fal.is_some() {
            names.push("fal");
        }
        if self.kie.is_some() {
            names.push("kie");
        }
        if self.openai.is_some() {
            names.push("openai_compatible");
        }
        if self.comfyui.is_some() {
            names.push("comfyui");
        }
        if self.sdcpp.is_some() {
            names.push("sdcpp");
        }
        if self.replicate.is_some() {
            names.push("replicate");
        }
        names
    }
}

use tracing::Instrument;

macro_rules! each_provider {
    ($self:ident, $p:ident => $body:expr) => {
        match $self {
            Provider::Local($p) => $body,
            Provider::Fal($p) => $body,
            Provider::Kie($p) => $body,
            Provider::OpenAi($p) => $body,
            Provider::Comfy($p) => $body,
            Provider::SdCpp($p) => $body,
            Provider::Replicate($p) => $body,
        }
    };
}

impl GenerationProvider for Provider<'_> {
    fn name(&self) -> &'static str {
        each_provider!(self, p => p.name())
    }

    fn durable_task_ids(&self) -> bool {
        each_provider!(self, p => p.durable_task_ids())
    }

    fn collect_uses_cpu(&self) -> bool {
        each_provider!(self, p => p.collect_uses_cpu())
    }

    fn answers_at_collect(&self) -> bool {
        each_provider!(self, p => p.answers_at_collect())
    }

    fn pooled(&self) -> bool {
        each_provider!(self, p => p.pooled())
    }

    fn expected_time(&self) -> Option<std::time::Duration> {
        each_provider!(self, p => p.expected_time())
    }

    async fn submit(&self, input: &GenerationInput) -> Result<String, ProviderError> {
        let call = crate::metrics::ProviderCall::start(self.name(), "submit");
        let span = crate::telemetry::provider_span(self.name(), "submit");
        call.answered(each_provider!(self, p => p.submit(input).instrument(span).await))
    }

    async fn poll(&self, provider_task_id: &str) -> Result<ProviderStatus, ProviderError> {
        let call = crate::metrics::ProviderCall::start(self.name(), "poll");
        call.answered(each_provider!(self, p => p.poll(provider_task_id).await))
    }

    async fn collect(
        &self,
        provider_task_id: &str,
        finished: &Finished,
    ) -> Result<Outcome, ProviderError> {
        let call = crate::metrics::ProviderCall::start(self.name(), "collect");
        let span = crate::telemetry::provider_span(self.name(), "collect");
        call.answered(
            each_provider!(self, p => p.collect(provider_task_id, finished).instrument(span).await),
        )
    }

    async fn cancel(&self, provider_task_id: &str) -> Result<(), ProviderError> {
        let call = crate::metrics::ProviderCall::start(self.name(), "cancel");
        let span = crate::telemetry::provider_span(self.name(), "cancel");
        call.answered(each_provider!(self, p => p.cancel(provider_task_id).instrument(span).await))
    }
}
