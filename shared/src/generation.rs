//! Models and generation parameters.

use serde::{Deserialize, Serialize};

/// Image file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    #[default]
    Png,
    Jpeg,
    Webp,
}

impl OutputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Webp => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    /// File name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }
}

/// Rendering quality; `high` costs more credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    #[default]
    Standard,
    High,
}

/// Supported aspect ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AspectRatio {
    #[default]
    #[serde(rename = "1:1")]
    Square,
    #[serde(rename = "4:3")]
    Landscape4x3,
    #[serde(rename = "3:4")]
    Portrait3x4,
    #[serde(rename = "16:9")]
    Landscape16x9,
    #[serde(rename = "9:16")]
    Portrait9x16,
    #[serde(rename = "3:2")]
    Landscape3x2,
    #[serde(rename = "2:3")]
    Portrait2x3,
    #[serde(rename = "21:9")]
    Ultrawide21x9,
}

impl AspectRatio {
    pub const ALL: [AspectRatio; 8] = [
        Self::Square,
        Self::Landscape4x3,
        Self::Portrait3x4,
        Self::Landscape16x9,
        Self::Portrait9x16,
        Self::Landscape3x2,
        Self::Portrait2x3,
        Self::Ultrawide21x9,
    ];

    /// (width units, height units).
    pub fn ratio(self) -> (u32, u32) {
        match self {
            Self::Square => (1, 1),
            Self::Landscape4x3 => (4, 3),
            Self::Portrait3x4 => (3, 4),
            Self::Landscape16x9 => (16, 9),
            Self::Portrait9x16 => (9, 16),
            Self::Landscape3x2 => (3, 2),
            Self::Portrait2x3 => (2, 3),
            Self::Ultrawide21x9 => (21, 9),
        }
    }

    /// Width and height whose longer side is `long_side`, both rounded to multiples of 16.
    pub fn dimensions(self, long_side: u32) -> (u32, u32) {
        let (w, h) = self.ratio();
        let round = |v: u32| ((v + 8) / 16 * 16).max(16);
        if w >= h {
            (round(long_side), round(long_side * h / w))
        } else {
            (round(long_side * w / h), round(long_side))
        }
    }
}

/// What a model can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    TextToImage,
    ImageToImage,
}

/// Credits per image by quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditCost {
    pub standard: i64,
    pub high: i64,
}

impl CreditCost {
    pub fn per_image(&self, quality: Quality) -> i64 {
        match quality {
            Quality::Standard => self.standard,
            Quality::High => self.high,
        }
    }
}

/// A model people can generate with (`GET /v1/models`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelInfo {
    pub id: String,
    pub name: String,
    /// Which provider runs it (`local`, `fal`, `kie`, `openai_compatible`, `comfyui`, `sdcpp`).
    pub provider: String,
    pub capabilities: Vec<Capability>,
    pub aspect_ratios: Vec<AspectRatio>,
    /// Smallest and largest side, in pixels, for explicit width/height.
    pub min_side: u32,
    pub max_side: u32,
    /// Long side used when only an aspect ratio is given.
    pub default_long_side: u32,
    pub max_images: u32,
    pub cost: CreditCost,
    /// Which optional settings the model honours. A request using one it does not is refused
    /// with 422 `unsupported_parameter` before anything is charged.
    pub supports: ModelSupports,
}

/// Optional request settings a model honours (`output_format` always is: images delivered in
/// another format are converted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelSupports {
    /// `negative_prompt` is sent to the model.
    pub negative_prompt: bool,
    /// `seed` is sent to the model, so the same seed and settings give the same image. Tasks of
    /// models without it record no seed and cannot be reproduced.
    pub seed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_follow_the_ratio_and_are_multiples_of_16() {
        assert_eq!(AspectRatio::Square.dimensions(1024), (1024, 1024));
        assert_eq!(AspectRatio::Landscape16x9.dimensions(1024), (1024, 576));
        assert_eq!(AspectRatio::Portrait9x16.dimensions(1024), (576, 1024));
        for ratio in AspectRatio::ALL {
            let (w, h) = ratio.dimensions(1000);
            assert_eq!((w % 16, h % 16), (0, 0), "{ratio:?}");
        }
    }

    #[test]
    fn wire_names() {
        assert_eq!(
            serde_json::to_string(&AspectRatio::Ultrawide21x9).unwrap_or_default(),
            "\"21:9\""
        );
        assert_eq!(
            serde_json::to_string(&OutputFormat::Jpeg).unwrap_or_default(),
            "\"jpeg\""
        );
    }
}

/// Largest seed accepted (the largest integer every JSON client represents exactly).
pub const MAX_SEED: i64 = 9_007_199_254_740_991;
/// Longest prompt accepted.
pub const MAX_PROMPT_CHARS: usize = 2000;

/// Where a generation task stands. New statuses may be added within `v1`: treat one you do not
/// know as not final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Running,
            Self::Succeeded,
            Self::Failed,
            Self::Canceled,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// True once the task can no longer change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

fn one() -> u32 {
    1
}

/// `POST /v1/generations`. Give an aspect ratio, or an explicit width and height.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "model": "z-image-local", "prompt": "a glass lighthouse at dusk, volumetric light",
    "aspect_ratio": "16:9", "num_images": 2, "output_format": "webp",
    "webhook_url": "https://hooks.example.com/zimage", "metadata": {"order": "A-17"}
})))]
#[serde(deny_unknown_fields)]
pub struct CreateGenerationRequest {
    /// A model id from `GET /v1/models`.
    pub model: String,
    /// 1–2000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::text_block::<MAX_PROMPT_CHARS>)
    )]
    pub prompt: String,
    /// What the image should not show. Only for models whose `supports.negative_prompt` is true.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_text_block::<MAX_PROMPT_CHARS>)
    )]
    pub negative_prompt: Option<String>,
    #[serde(default)]
    pub aspect_ratio: Option<AspectRatio>,
    /// A multiple of 8 within the model's `min_side`–`max_side`.
    #[serde(default, deserialize_with = "crate::wire::optional_integer")]
    #[cfg_attr(feature = "openapi", schema(multiple_of = 8))]
    pub width: Option<u32>,
    /// A multiple of 8 within the model's `min_side`–`max_side`.
    #[serde(default, deserialize_with = "crate::wire::optional_integer")]
    #[cfg_attr(feature = "openapi", schema(multiple_of = 8))]
    pub height: Option<u32>,
    #[serde(default)]
    pub quality: Quality,
    #[serde(default)]
    pub output_format: OutputFormat,
    /// Chosen at random (and recorded) when absent; 0 to 2^53 − 1. Only for models whose
    /// `supports.seed` is true.
    #[serde(default, deserialize_with = "crate::wire::optional_integer")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 9_007_199_254_740_991_i64)
    )]
    pub seed: Option<i64>,
    /// 1 up to the model's `max_images`.
    #[serde(default = "one", deserialize_with = "crate::wire::integer")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub num_images: u32,
    /// One of your uploads (`POST /v1/uploads`) as the starting image, for models that can do
    /// image-to-image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_upload_id: Option<uuid::Uuid>,
    /// How far to move away from the reference image, above 0 up to 1 (default 0.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(exclusive_minimum = 0, maximum = 1))]
    pub strength: Option<f32>,
    /// Where to send this task's `generation.succeeded` or `generation.failed` event, besides
    /// your registered endpoints: `https://` on a public address. Signed (Standard Webhooks)
    /// with your account's request secret, `GET /v1/me/webhook-secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "^https://"))]
    pub webhook_url: Option<String>,
    /// Your own labels for this task (an order number, a user of yours), echoed in the task and
    /// its webhook events: up to 20 keys of 1–40 characters, string values of up to 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::validate::schema::metadata))]
    pub metadata: Option<Metadata>,
}

/// A task's `metadata`: your own labels, echoed back.
pub type Metadata = std::collections::BTreeMap<String, String>;
/// Most keys in `metadata`.
pub const MAX_METADATA_KEYS: usize = 20;
/// Longest `metadata` key, in characters.
pub const MAX_METADATA_KEY_CHARS: usize = 40;
/// Longest `metadata` value, in characters.
pub const MAX_METADATA_VALUE_CHARS: usize = 500;

/// An uploaded reference image (`GET /v1/uploads`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadInfo {
    pub id: uuid::Uuid,
    pub width: u32,
    pub height: u32,
    pub format: OutputFormat,
    pub bytes: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The stored copy: a signed URL that works without a token for one to two hours.
    pub url: String,
}

/// A generated image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneratedImageInfo {
    pub id: uuid::Uuid,
    pub width: u32,
    pub height: u32,
    pub format: OutputFormat,
    /// File size in bytes.
    pub bytes: i64,
    /// The original file.
    pub url: String,
}

/// A generation task (`GET /v1/generations/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationTask {
    pub id: uuid::Uuid,
    pub model: String,
    pub provider: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub aspect_ratio: Option<AspectRatio>,
    pub width: u32,
    pub height: u32,
    pub quality: Quality,
    pub output_format: OutputFormat,
    /// The seed the model was given; null when the model takes none (the task cannot be
    /// reproduced exactly).
    pub seed: Option<i64>,
    pub num_images: u32,
    /// The upload this task started from (image-to-image); it may since have been deleted.
    pub reference_upload_id: Option<uuid::Uuid>,
    pub strength: Option<f32>,
    pub status: TaskStatus,
    /// 0.0–1.0 while running, when the provider reports it.
    pub progress: Option<f32>,
    /// Stable reason code when failed (`provider_unavailable`, …).
    pub failure_reason: Option<String>,
    pub failure_message: Option<String>,
    /// Credits this task costs.
    pub cost: i64,
    /// Credits actually spent (equal to `cost` on success).
    pub charged: i64,
    /// Credits returned (equal to `cost` on failure or cancellation).
    pub refunded: i64,
    pub images: Vec<GeneratedImageInfo>,
    /// The `metadata` the task was made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::validate::schema::metadata))]
    pub metadata: Option<Metadata>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How a moderation rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModerationKind {
    /// A word or phrase, matched case-insensitively at word boundaries.
    Term,
    /// A regular expression, matched case-insensitively.
    Regex,
}

/// A rule that refuses matching prompts before anything is charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationRule {
    pub id: uuid::Uuid,
    pub kind: ModerationKind,
    pub pattern: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /v1/admin/moderation/rules`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateModerationRule {
    pub kind: ModerationKind,
    /// 1–500 characters; a regex must compile.
    pub pattern: String,
}

/// Several of your images, for one action on all of them (download as a ZIP, delete).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageSelection {
    /// 1–500 ids of your images; an id named twice counts once.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub image_ids: Vec<uuid::Uuid>,
}

/// What a bulk delete removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImagesDeleted {
    /// Images deleted, with their files.
    pub deleted: i64,
}

/// An image in the gallery (`GET /v1/images`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GalleryImage {
    pub id: uuid::Uuid,
    /// The generation it came from (`null` once that task is gone).
    pub task_id: Option<uuid::Uuid>,
    pub model: Option<String>,
    pub prompt: Option<String>,
    pub width: u32,
    pub height: u32,
    pub format: OutputFormat,
    pub bytes: i64,
    pub favorite: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The original file.
    pub url: String,
    /// A WebP preview, at most 384 px on its longer side.
    pub thumbnail_url: String,
}

/// One download of an original file (`GET /v1/downloads`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DownloadRecord {
    pub id: uuid::Uuid,
    /// `null` once the image has been deleted.
    pub image_id: Option<uuid::Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A change of a task's status or progress, as sent by the live-status streams
/// (`GET /v1/events`, `GET /v1/generations/{id}/events`) in the `data` of a `task` event.
/// Fetch the task for its images or failure reason once `status` is final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskEvent {
    pub task_id: uuid::Uuid,
    pub status: TaskStatus,
    /// 0.0 to 1.0 while running, when the provider reports it.
    pub progress: Option<f32>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// `POST /v1/images/{id}/share`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateShareRequest {
    /// Show the prompt on the public page (off unless you opt in).
    #[serde(default)]
    pub include_prompt: bool,
}

/// A public link to one of your images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareInfo {
    pub id: uuid::Uuid,
    pub image_id: uuid::Uuid,
    /// The unguessable token in the link.
    pub token: String,
    /// The public page, for people without an account.
    pub url: String,
    pub include_prompt: bool,
    /// How often the public card was opened.
    pub views: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// A preview for your own lists (signed, works without a token for one to two hours).
    pub thumbnail_url: String,
}

/// What anyone with the link sees (`GET /v1/shared/{token}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedImage {
    pub width: u32,
    pub height: u32,
    pub format: OutputFormat,
    /// The image file (metadata stripped).
    pub image_url: String,
    /// Only when the owner chose to show it.
    pub prompt: Option<String>,
    pub model: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
