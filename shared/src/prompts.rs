//! The prompt library: saved prompts with the settings to generate them again.

use serde::{Deserialize, Serialize};

use crate::generation::{AspectRatio, OutputFormat, Quality};

/// Longest title of a saved prompt.
pub const MAX_TITLE_CHARS: usize = 120;

/// Generation settings saved with a prompt; every field is optional and absent ones are left to
/// the model's defaults when the prompt is used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromptParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    #[serde(
        default,
        deserialize_with = "crate::wire::optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::wire::optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_format: Option<OutputFormat>,
    #[serde(
        default,
        deserialize_with = "crate::wire::optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub seed: Option<i64>,
    #[serde(
        default,
        deserialize_with = "crate::wire::optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_images: Option<u32>,
}

/// A saved prompt (`GET /v1/prompts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedPrompt {
    pub id: uuid::Uuid,
    pub title: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub parameters: PromptParameters,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /v1/prompts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePromptRequest {
    /// 1–120 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line::<MAX_TITLE_CHARS>)
    )]
    pub title: String,
    /// 1–2000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::text_block::<{ crate::generation::MAX_PROMPT_CHARS }>)
    )]
    pub prompt: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_text_block::<{ crate::generation::MAX_PROMPT_CHARS }>)
    )]
    pub negative_prompt: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::object")]
    pub parameters: PromptParameters,
}

/// `PATCH /v1/prompts/{id}`: absent fields stay; `negative_prompt: null` clears it; `parameters`
/// replaces all saved settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePromptRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::line_or_null::<MAX_TITLE_CHARS>)
    )]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::text_block_or_null::<{ crate::generation::MAX_PROMPT_CHARS }>)
    )]
    pub prompt: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::account::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::validate::schema::optional_text_block::<{ crate::generation::MAX_PROMPT_CHARS }>)
    )]
    pub negative_prompt: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::wire::optional_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub parameters: Option<PromptParameters>,
}
