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
/// ratio; the OpenAI images API has neither; Replicate passes both to models that have them.
fn sendable(provider: &str) -> ModelSupports {
    match provider {
        "local" | "fal" | "comfyui" | "sdcpp" | "replicate" => ModelSupports {
            negative_prompt: true,
            seed: true,
        },
        _ => ModelSupports::default(),
    }
}

/// Whether the provider's client sends a reference image (image-to-image): KIE's `z-image`,
/// Replicate's Z-Image Turbo and the OpenAI images API take none.
fn takes_reference(provider: &str) -> bool {
    !matches!(provider, "kie" | "replicate" | "openai_compatible")
}

/// The most images one task can ask of the provider, when it is limited: KIE's and Replicate's
/// Z-Image make one per call.
fn most_images(provider: &str) -> Option<u32> {
    matches!(provider, "kie" | "replicate").then_some(1)
}

/// What a model honours when its entry does not say: all its provider can send, except the
/// negative prompt on fal, ComfyUI, sd.cpp and Replicate, which Z-Image Turbo does not take (it samples at
/// guidance 1, where a negative prompt does nothing; an entry names models that do).
fn default_supports(provider: &str) -> ModelSupports {
    match provider {
        "fal" | "comfyui" | "sdcpp" | "replicate" => ModelSupports {
            negative_prompt: false,
            seed: true,
        },
        other => sendable(other),
    }
}

/// One way to serve a model: a provider and its id for the model there, with a rank.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    pub provider: String,
    pub provider_model: String,
    /// Lower goes first; a backend is tried only when those before it cannot take the task.
    #[serde(default = "one")]
    pub priority: u32,
    /// Among backends of one priority, each gets tasks in proportion to its weight.
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

/// A model as configured: what clients see plus the provider's own model id.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelConfig {
    #[serde(flatten)]
    pub info: ModelInfo,
    /// The first backend's model id (a model with one backend names it here).
    #[serde(default)]
    pub provider_model: String,
    /// Where the model can run, best first (by priority). An entry either names `provider` and
    /// `provider_model`, or lists `backends`; the first is then what `provider` shows.
    #[serde(default)]
    pub backends: Vec<Backend>,
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

impl ModelConfig {
    /// Its backend on `provider`, if it has one.
    pub fn backend(&self, provider: &str) -> Option<&Backend> {
        self.backends.iter().find(|b| b.provider == provider)
    }

    /// Whether tasks choose among several backends when they are sent.
    pub fn routed(&self) -> bool {
        self.backends.len() > 1
    }

    /// The backends in the order a task tries them: by priority; within one priority, a
    /// weighted random order (each backend first in proportion to its weight).
    pub fn route(&self, rng: &mut impl rand::Rng) -> Vec<&Backend> {
        let mut keyed: Vec<(u32, f64, &Backend)> = self
            .backends
            .iter()
            .map(|b| {
                // Efraimidis–Spirakis: the largest u^(1/w) goes first.
                let u: f64 = rng.random_range(f64::EPSILON..1.0);
                (b.priority, u.powf(1.0 / f64::from(b.weight.max(1))), b)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        keyed.into_iter().map(|(_, _, b)| b).collect()
    }
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
            let id = entry["id"].as_str().unwrap_or_default().to_string();
            let backends: Vec<Backend> = match entry.get("backends") {
                Some(list) => serde_json::from_value(list.clone())
                    .with_context(|| format!("models: {id:?}: `backends` is not a list of {{provider, provider_model, priority?, weight?}}"))?,
                None => Vec::new(),
            };
            if let Some(fields) = entry.as_object_mut() {
                if let Some(first) = backends.iter().min_by_key(|b| b.priority) {
                    if fields.contains_key("provider") || fields.contains_key("provider_model") {
                        bail!(
                            "models: {id:?} lists `backends`; it cannot also name `provider` or `provider_model`"
                        );
                    }
                    fields.insert("provider".into(), first.provider.clone().into());
                    fields.insert("provider_model".into(), first.provider_model.clone().into());
                }
                // An entry that does not say gets what all its backends take by default.
                if !fields.contains_key("supports") {
                    let providers: Vec<String> = if backends.is_empty() {
                        vec![
                            fields
                                .get("provider")
                                .and_then(|p| p.as_str())
                                .unwrap_or_default()
                                .to_string(),
                        ]
                    } else {
                        backends.iter().map(|b| b.provider.clone()).collect()
                    };
                    let supports = providers.iter().map(|p| default_supports(p)).fold(
                        ModelSupports {
                            negative_prompt: true,
                            seed: true,
                        },
                        |all, one| ModelSupports {
                            negative_prompt: all.negative_prompt && one.negative_prompt,
                            seed: all.seed && one.seed,
                        },
                    );
                    fields.insert("supports".into(), serde_json::to_value(supports)?);
                }
            }
            let mut model = serde_json::from_value::<ModelConfig>(entry).context(shape)?;
            if model.backends.is_empty() {
                model.backends = vec![Backend {
                    provider: model.info.provider.clone(),
                    provider_model: model.provider_model.clone(),
                    priority: 1,
                    weight: 1,
                }];
            }
            model.backends.sort_by_key(|b| b.priority);
            if let Some(comfy) = model.backend("comfyui").map(|b| b.provider_model.clone()) {
                model.workflows = Some(
                    comfy_workflows(&model, &comfy, base)
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
            .map(|mut m| {
                // Backends whose provider is not configured are left out; the first left is
                // what the model shows.
                m.backends.retain(|b| {
                    let on = enabled.contains(&b.provider.as_str());
                    if !on {
                        tracing::info!(model = %m.info.id, provider = %b.provider,
                            "backend left out: its provider is not configured");
                    }
                    on
                });
                if let Some(first) = m.backends.first() {
                    m.info.provider = first.provider.clone();
                    m.provider_model = first.provider_model.clone();
                }
                m
            })
            .partition(|m| !m.backends.is_empty());
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
            let mut providers = HashSet::new();
            for backend in &model.backends {
                if !KNOWN_PROVIDERS.contains(&backend.provider.as_str()) {
                    bail!(
                        "models: {:?} uses provider {:?}, which this build does not have",
                        m.id,
                        backend.provider
                    );
                }
                if !providers.insert(backend.provider.as_str()) {
                    bail!(
                        "models: {:?} lists provider {:?} twice; one backend per provider",
                        m.id,
                        backend.provider
                    );
                }
                if backend.weight == 0 || backend.provider_model.is_empty() {
                    bail!(
                        "models: {:?}: each backend needs a provider_model and a weight above 0",
                        m.id
                    );
                }
                if backend.provider == "replicate"
                    && !super::replicate::valid_model(&backend.provider_model)
                {
                    bail!(
                        "models: {:?}: {:?} is not a Replicate model (owner/name) or version \
                         (owner/name:version, or the version's 64 hexadecimal digits)",
                        m.id,
                        backend.provider_model
                    );
                }
                if m.capabilities.contains(&Capability::ImageToImage)
                    && !takes_reference(&backend.provider)
                {
                    bail!(
                        "models: {:?} offers image-to-image, which its provider {:?} cannot do",
                        m.id,
                        backend.provider
                    );
                }
                if most_images(&backend.provider).is_some_and(|most| m.max_images > most) {
                    bail!(
                        "models: {:?} offers {} images per task; its provider {:?} makes one",
                        m.id,
                        m.max_images,
                        backend.provider
                    );
                }
                let can = sendable(&backend.provider);
                if (m.supports.negative_prompt && !can.negative_prompt)
                    || (m.supports.seed && !can.seed)
                {
                    bail!(
                        "models: {:?} claims a setting its provider {:?} cannot be sent",
                        m.id,
                        backend.provider
                    );
                }
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

    /// The backends of all models (each provider once), for the admin console.
    pub fn backend_providers(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .models
            .iter()
            .flat_map(|m| m.backends.iter().map(|b| b.provider.clone()))
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The models with several backends: a job of theirs queued again goes to any backend.
    pub fn routed_ids(&self) -> Vec<&str> {
        self.models
            .iter()
            .filter(|m| m.routed())
            .map(|m| m.info.id.as_str())
            .collect()
    }

    pub fn find(&self, id: &str) -> Option<&ModelConfig> {
        self.models.iter().find(|m| m.info.id == id)
    }

    /// The ComfyUI models' graphs, by `provider_model` (what the client is asked to run).
    pub fn comfy_workflows(&self) -> anyhow::Result<HashMap<String, Workflows>> {
        let mut all = HashMap::new();
        for model in &self.models {
            if let (Some(workflows), Some(comfy)) = (&model.workflows, model.backend("comfyui"))
                && all
                    .insert(comfy.provider_model.clone(), workflows.clone())
                    .is_some()
            {
                bail!(
                    "models: two ComfyUI models share the provider_model {:?}; give each its own",
                    comfy.provider_model
                );
            }
        }
        Ok(all)
    }
}

/// A ComfyUI model's graphs, checked against what its entry claims: each capability needs its
/// template, image-to-image one that takes the reference and the denoise, and a negative prompt
/// or seed the entry says it honours must have a place in the graph.
fn comfy_workflows(
    model: &ModelConfig,
    provider_model: &str,
    base: &Path,
) -> anyhow::Result<Workflows> {
    let read = |file: &PathBuf| -> anyhow::Result<Workflow> {
        let path = base.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the workflow {}", path.display()))?;
        Workflow::parse(&text).with_context(|| format!("the workflow {}", path.display()))
    };
    let (text, image) = if model.workflow.is_none() && model.workflow_image_to_image.is_none() {
        if provider_model != BUILT_IN_WORKFLOW {
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
        bad.models[0].backends[0].provider = "nowhere".into();
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
    fn a_model_can_list_backends_and_routes_by_priority_then_weight() {
        let dir = std::env::temp_dir().join(format!("zimage-routes-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("models.json");
        let load = |backends: &str, extra: &str, enabled: &[&str]| {
            std::fs::write(
                &file,
                format!(
                    r#"[{{"id":"turbo","name":"Turbo","backends":{backends},
                    "capabilities":["text_to_image"],{extra}"aspect_ratios":["1:1"],"min_side":512,
                    "max_side":1024,"default_long_side":1024,"max_images":1,"cost":{{"standard":1,"high":2}}}}]"#
                ),
            )
            .unwrap();
            ModelCatalog::load(Some(&file), enabled).map_err(|e| format!("{e:#}"))
        };
        let gpu_first = r#"[{"provider":"fal","provider_model":"fal-ai/z-image/turbo","priority":2},
                            {"provider":"comfyui","provider_model":"z-image-turbo"}]"#;
        let both = load(gpu_first, "", &["comfyui", "fal"]).unwrap();
        let model = both.find("turbo").unwrap();
        assert!(model.routed());
        assert_eq!(
            model.info.provider, "comfyui",
            "the first by priority shows"
        );
        assert_eq!(
            (
                model.info.supports.negative_prompt,
                model.info.supports.seed
            ),
            (false, true)
        );
        assert!(
            both.comfy_workflows()
                .unwrap()
                .contains_key(BUILT_IN_WORKFLOW)
        );
        let mut rng = rand::rng();
        for _ in 0..20 {
            let order: Vec<&str> = model
                .route(&mut rng)
                .iter()
                .map(|b| b.provider.as_str())
                .collect();
            assert_eq!(order, ["comfyui", "fal"]);
        }
        // Only fal configured: the model stays, on fal alone.
        let fal_only = load(gpu_first, "", &["fal"]).unwrap();
        let model = fal_only.find("turbo").unwrap();
        assert!(!model.routed());
        assert_eq!(
            (model.info.provider.as_str(), model.provider_model.as_str()),
            ("fal", "fal-ai/z-image/turbo")
        );
        assert!(load(gpu_first, "", &["kie"]).is_err(), "no backend left");

        // Same priority: shares follow the weights.
        let shared = load(
            r#"[{"provider":"fal","provider_model":"a","weight":3},{"provider":"kie","provider_model":"b"}]"#,
            "",
            &["fal", "kie"],
        )
        .unwrap();
        let model = shared.find("turbo").unwrap();
        let fal_first = (0..4000)
            .filter(|_| model.route(&mut rng)[0].provider == "fal")
            .count();
        assert!(
            (2700..3300).contains(&fal_first),
            "{fal_first} of 4000, expected ~3000"
        );

        for (backends, extra, why) in [
            (
                gpu_first,
                r#""provider":"fal","#,
                "both a provider and backends",
            ),
            (
                r#"[{"provider":"fal","provider_model":"a"},{"provider":"fal","provider_model":"b"}]"#,
                "",
                "a provider twice",
            ),
            (
                r#"[{"provider":"fal","provider_model":"a","weight":0}]"#,
                "",
                "weight 0",
            ),
            (
                r#"[{"provider":"nowhere","provider_model":"a"}]"#,
                "",
                "unknown provider",
            ),
            (r#"[{"provider":"fal","model":"a"}]"#, "", "misspelt field"),
            (
                r#"[{"provider":"fal","provider_model":"a"},{"provider":"kie","provider_model":"b"}]"#,
                r#""capabilities":["image_to_image"],"#,
                "KIE takes no reference",
            ),
            (
                r#"[{"provider":"kie","provider_model":"a"}]"#,
                r#""supports":{"negative_prompt":false,"seed":true},"#,
                "a seed KIE cannot be sent",
            ),
        ] {
            assert!(load(backends, extra, &["fal", "kie"]).is_err(), "{why}");
        }
        let replicate = |name: &str| {
            load(
                &format!(r#"[{{"provider":"replicate","provider_model":"{name}"}}]"#),
                "",
                &["replicate"],
            )
        };
        assert!(replicate("prunaai/z-image-turbo").is_ok());
        assert!(
            replicate(
                "prunaai/z-image-turbo:5f24084160c9089501c1b3545d9be3c27883ae2239b6f412990e82d4a6210f8f"
            )
            .is_ok()
        );
        for bad in [
            "prunaai/../z",
            "prunaai/z image",
            "https://replicate.com/p/z",
            "zimageturbo",
        ] {
            let refused = replicate(bad).unwrap_err();
            assert!(
                refused.contains("not a Replicate model"),
                "{bad}: {refused}"
            );
        }
    }

    #[test]
    fn the_documented_own_gpu_first_sample_loads() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs/examples/models-own-gpu-first.json");
        let all = ModelCatalog::load(Some(&sample), &["comfyui", "sdcpp", "fal"]).unwrap();
        let turbo = all.find("z-image-turbo").unwrap();
        let order: Vec<&str> = turbo.backends.iter().map(|b| b.provider.as_str()).collect();
        assert_eq!(order.last(), Some(&"fal"), "hosted last: {order:?}");
        assert_eq!(turbo.info.provider, "comfyui");
        assert!(all.find("z-image-turbo-edit").unwrap().routed());
        // Without GPUs configured, the same file serves everything from fal.
        let hosted = ModelCatalog::load(Some(&sample), &["fal"]).unwrap();
        assert!(
            hosted
                .models
                .iter()
                .all(|m| m.info.provider == "fal" && !m.routed())
        );
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
