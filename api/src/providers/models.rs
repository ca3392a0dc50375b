//! The models on offer, from `ZIMAGE_MODELS_FILE` or the built-in list.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::HashSet;
use zimage_shared::generation::{ModelInfo, ModelSupports};

/// Providers this build can run.
const KNOWN_PROVIDERS: [&str; 4] = ["local", "fal", "kie", "openai_compatible"];

/// The optional settings each provider's client can send at all: a model may not claim more.
/// The built-in renderer paints from both; fal's queue API takes `seed` on every model and
/// `negative_prompt` on those whose input has it; KIE's `z-image` input is a prompt and an aspect
/// ratio; the OpenAI images API has neither.
fn sendable(provider: &str) -> ModelSupports {
    match provider {
        "local" | "fal" => ModelSupports {
            negative_prompt: true,
            seed: true,
        },
        _ => ModelSupports::default(),
    }
}

/// What a model honours when its entry does not say: all its provider can send, except fal's
/// negative prompt, which Z-Image Turbo's input does not have (an entry names models that do).
fn default_supports(provider: &str) -> ModelSupports {
    match provider {
        "fal" => ModelSupports {
            negative_prompt: false,
            seed: true,
        },
        other => sendable(other),
    }
}

/// A model as configured: what clients see plus the provider's own model id.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelConfig {
    #[serde(flatten)]
    pub info: ModelInfo,
    pub provider_model: String,
}

/// Every configured model.
#[derive(Debug, Clone)]
pub struct ModelCatalog {
    pub models: Vec<ModelConfig>,
}

impl ModelCatalog {
    /// Reads the list and keeps the models whose provider is configured (`enabled`): hosted
    /// models appear once their API key is set.
    pub fn load(path: Option<&std::path::Path>, enabled: &[&str]) -> anyhow::Result<Self> {
        let text = match path {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
            None => include_str!("default_models.json").to_string(),
        };
        let shape = "the model list is not valid JSON of the documented shape";
        let entries: Vec<serde_json::Value> = serde_json::from_str(&text).context(shape)?;
        let mut models = Vec::with_capacity(entries.len());
        for mut entry in entries {
            // An entry that does not say gets what its provider's model takes by default.
            if let Some(fields) = entry.as_object_mut()
                && !fields.contains_key("supports")
            {
                let provider = fields
                    .get("provider")
                    .and_then(|p| p.as_str())
                    .unwrap_or_default();
                let supports = serde_json::to_value(default_supports(provider))?;
                fields.insert("supports".into(), supports);
            }
            models.push(serde_json::from_value::<ModelConfig>(entry).context(shape)?);
        }
        let all = Self { models };
        all.check()?;
        let (models, hidden): (Vec<_>, Vec<_>) = all
            .models
            .into_iter()
            .partition(|m| enabled.contains(&m.info.provider.as_str()));
        for model in &hidden {
            tracing::info!(model = %model.info.id, provider = %model.info.provider,
                "model hidden: its provider is not configured");
        }
        if models.is_empty() {
            bail!("models: none of the listed models has a configured provider");
        }
        Ok(Self { models })
    }

    fn check(&self) -> anyhow::Result<()> {
        let mut ids = HashSet::new();
        for model in &self.models {
            let m = &model.info;
            if !ids.insert(m.id.as_str()) {
                bail!("models: id {:?} appears twice", m.id);
            }
            if !KNOWN_PROVIDERS.contains(&m.provider.as_str()) {
                bail!(
                    "models: {:?} uses provider {:?}, which this build does not have",
                    m.id,
                    m.provider
                );
            }
            if m.min_side < 64
                || m.min_side > m.max_side
                || !(m.min_side..=m.max_side).contains(&m.default_long_side)
            {
                bail!(
                    "models: {:?} needs 64 <= min_side <= default_long_side <= max_side",
                    m.id
                );
            }
            let can = sendable(&m.provider);
            if (m.supports.negative_prompt && !can.negative_prompt)
                || (m.supports.seed && !can.seed)
            {
                bail!(
                    "models: {:?} claims a setting its provider {:?} cannot be sent",
                    m.id,
                    m.provider
                );
            }
            if m.max_images == 0
                || m.cost.standard <= 0
                || m.cost.high <= 0
                || m.aspect_ratios.is_empty()
            {
                bail!(
                    "models: {:?} needs max_images, both costs and at least one aspect ratio",
                    m.id
                );
            }
        }
        if self.models.is_empty() {
            bail!("models: at least one model is needed");
        }
        Ok(())
    }

    pub fn find(&self, id: &str) -> Option<&ModelConfig> {
        self.models.iter().find(|m| m.info.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_list_is_valid_and_unknown_providers_are_refused() {
        let catalog = ModelCatalog::load(None, &["local"]).unwrap();
        assert!(catalog.find("z-image-local").is_some());
        assert!(
            catalog.find("z-image-turbo-fal").is_none(),
            "hidden without a fal key"
        );
        let hosted = ModelCatalog::load(None, &["local", "fal", "kie"]).unwrap();
        assert!(hosted.find("z-image-turbo-fal").is_some());
        assert!(hosted.find("z-image-kie").is_some());
        let mut bad = catalog.clone();
        bad.models[0].info.provider = "nowhere".into();
        assert!(bad.check().is_err());
        let (fal, kie) = (
            hosted.find("z-image-turbo-fal").unwrap(),
            hosted.find("z-image-kie").unwrap(),
        );
        assert_eq!(
            (fal.info.supports.negative_prompt, fal.info.supports.seed),
            (false, true)
        );
        assert_eq!(kie.info.supports, ModelSupports::default());
        let mut claims = hosted.clone();
        claims.models.retain(|m| m.info.provider == "kie");
        claims.models[0].info.supports.seed = true;
        assert!(claims.check().is_err(), "KIE cannot be sent a seed");
    }
}
