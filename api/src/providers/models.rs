//! The models on offer, from `ZIMAGE_MODELS_FILE` or the built-in list.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use zimage_shared::generation::{Capability, ModelInfo, ModelSupports};

use super::comfyui::{Workflow, Workflows};

/// Providers this build can run.
use super::manners::PROVIDERS as KNOWN_PROVIDERS;

/// The `provider_model` of ComfyUI models that run the built-in Z-Image Turbo graphs.
pub const BUILT_IN_WORKFLOW: &str = "z-image-turbo";

/// The optional settings each provider's client can send at all: a model may not claim more.
/// The built-in renderer paints from both; fal's queue API takes `seed` on every model and
/// `negative_prompt` on those whose input has it; KIE's `z-image` input is a prompt and an aspect
/// ratio; the OpenAI images API has neither.
fn sendable(provider: &str) -> ModelSupports {
    match provider {
        "local" | "fal" | "comfyui" | "sdcpp" => ModelSupports {
            negative_prompt: true,
            seed: true,
        },
        _ => ModelSupports::default(),
    }
}

/// What a model honours when its entry does not say: all its provider can send, except the
/// negative prompt on fal, ComfyUI and sd.cpp, which Z-Image Turbo does not take (it samples at
/// guidance 1, where a negative prompt does nothing; an entry names models that do).
fn default_supports(provider: &str) -> ModelSupports {
    match provider {
        "fal" | "comfyui" | "sdcpp" => ModelSupports {
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
    /// ComfyUI: a workflow template file (API format, with placeholders) for text-to-image,
    /// relative to the models file; the built-in Z-Image Turbo graph when `provider_model` is
    /// `z-image-turbo` and no file is named.
    #[serde(default)]
    pub workflow: Option<PathBuf>,
    /// ComfyUI: the template for image-to-image (it must use `{{image}}` and `{{denoise}}`).
    #[serde(default)]
    pub workflow_image_to_image: Option<PathBuf>,
    /// ComfyUI: the graphs read from those files (or the built-in ones).
    #[serde(skip)]
    pub workflows: Option<Workflows>,
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
        let base = path.and_then(Path::parent).unwrap_or(Path::new("."));
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
            let mut model = serde_json::from_value::<ModelConfig>(entry).context(shape)?;
            if model.info.provider == "comfyui" {
                model.workflows = Some(
                    comfy_workflows(&model, base)
                        .with_context(|| format!("models: {:?}", model.info.id))?,
                );
            }
            models.push(model);
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

    /// The ComfyUI models' graphs, by `provider_model` (what the client is asked to run).
    pub fn comfy_workflows(&self) -> anyhow::Result<HashMap<String, Workflows>> {
        let mut all = HashMap::new();
        for model in &self.models {
            if let Some(workflows) = &model.workflows
                && all
                    .insert(model.provider_model.clone(), workflows.clone())
                    .is_some()
            {
                bail!(
                    "models: two ComfyUI models share the provider_model {:?}; give each its own",
                    model.provider_model
                );
            }
        }
        Ok(all)
    }
}

/// A ComfyUI model's graphs, checked against what its entry claims: each capability needs its
/// template, image-to-image one that takes the reference and the denoise, and a negative prompt
/// or seed the entry says it honours must have a place in the graph.
fn comfy_workflows(model: &ModelConfig, base: &Path) -> anyhow::Result<Workflows> {
    let read = |file: &PathBuf| -> anyhow::Result<Workflow> {
        let path = base.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the workflow {}", path.display()))?;
        Workflow::parse(&text).with_context(|| format!("the workflow {}", path.display()))
    };
    let (text, image) = if model.workflow.is_none() && model.workflow_image_to_image.is_none() {
        if model.provider_model != BUILT_IN_WORKFLOW {
            bail!(
                "a ComfyUI model needs `workflow` (a template file) unless its provider_model is {BUILT_IN_WORKFLOW:?} (the built-in graph)"
            );
        }
        let built_in = Workflows::built_in()?;
        (built_in.text_to_image, built_in.image_to_image)
    } else {
        (
            model.workflow.as_ref().map(read).transpose()?,
            model
                .workflow_image_to_image
                .as_ref()
                .map(read)
                .transpose()?,
        )
    };
    let caps = &model.info.capabilities;
    if caps.contains(&Capability::TextToImage) && text.is_none() {
        bail!("it offers text-to-image but names no `workflow`");
    }
    // Without a reference those have no value, and would reach ComfyUI as text.
    if text
        .as_ref()
        .is_some_and(|graph| graph.uses("image") || graph.uses("denoise"))
    {
        bail!(
            "its text-to-image workflow uses {{{{image}}}} or {{{{denoise}}}}, which only image-to-image tasks have"
        );
    }
    if caps.contains(&Capability::ImageToImage) {
        match &image {
            Some(graph) if graph.uses("image") && graph.uses("denoise") => {}
            Some(_) => {
                bail!("its image-to-image workflow must use {{{{image}}}} and {{{{denoise}}}}")
            }
            None => bail!("it offers image-to-image but names no `workflow_image_to_image`"),
        }
    }
    for graph in text.iter().chain(image.iter()) {
        if model.info.supports.negative_prompt && !graph.uses("negative_prompt") {
            bail!("it claims a negative prompt, but a workflow has no {{{{negative_prompt}}}}");
        }
        if model.info.supports.seed && !graph.uses("seed") {
            bail!("it claims a seed, but a workflow has no {{{{seed}}}}");
        }
        if model.info.max_images > 1 && !graph.uses("batch_size") {
            bail!("it offers several images per task, but a workflow has no {{{{batch_size}}}}");
        }
    }
    Ok(Workflows {
        text_to_image: text,
        image_to_image: image,
    })
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

    #[test]
    fn comfyui_models_are_checked_against_their_templates() {
        let built_in = ModelCatalog::load(None, &["local", "comfyui"]).unwrap();
        let comfy = built_in.find("z-image-turbo-comfyui").unwrap();
        assert_eq!(
            (
                comfy.info.supports.negative_prompt,
                comfy.info.supports.seed
            ),
            (false, true)
        );
        assert!(
            built_in
                .comfy_workflows()
                .unwrap()
                .contains_key(BUILT_IN_WORKFLOW)
        );

        let dir = std::env::temp_dir().join(format!("zimage-models-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("graphs")).unwrap();
        let graph = |inputs: &str| {
            format!(
                r#"{{"1":{{"class_type":"CLIPTextEncode","inputs":{{{inputs}}}}},"2":{{"class_type":"SaveImage","inputs":{{"filename_prefix":"{{{{filename_prefix}}}}"}}}}}}"#
            )
        };
        std::fs::write(
            dir.join("graphs/full.json"),
            graph(r#""text":"{{prompt}}","neg":"{{negative_prompt}}","seed":"{{seed}}","n":"{{batch_size}}""#),
        )
        .unwrap();
        std::fs::write(
            dir.join("graphs/bare.json"),
            graph(r#""text":"{{prompt}}""#),
        )
        .unwrap();
        let entry = |workflow: &str, extra: &str| {
            format!(
                r#"[{{"id":"mine","name":"Mine","provider":"comfyui","provider_model":"mine","workflow":"graphs/{workflow}",
                "capabilities":["text_to_image"{extra}],"supports":{{"negative_prompt":true,"seed":true}},
                "aspect_ratios":["1:1"],"min_side":512,"max_side":1024,"default_long_side":1024,"max_images":2,
                "cost":{{"standard":1,"high":1}}}}]"#
            )
        };
        let load = |text: String| {
            let file = dir.join("models.json");
            std::fs::write(&file, text).unwrap();
            ModelCatalog::load(Some(&file), &["comfyui"]).map_err(|e| format!("{e:#}"))
        };
        let mine = load(entry("full.json", "")).unwrap();
        let graphs = mine.comfy_workflows().unwrap();
        assert!(
            graphs["mine"]
                .text_to_image
                .as_ref()
                .unwrap()
                .uses("negative_prompt")
        );
        let err = load(entry("bare.json", "")).unwrap_err();
        assert!(err.contains("negative prompt"), "{err}");
        let err = load(entry("full.json", r#","image_to_image""#)).unwrap_err();
        assert!(err.contains("workflow_image_to_image"), "{err}");
        let err = load(entry("missing.json", "")).unwrap_err();
        assert!(err.contains("missing.json"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
