//! Generation requests: any JSON body either fails to parse, is refused with field errors, or
//! becomes a task whose prompt, size, count and cost are within the model's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use zimage_api::domain::generation::plan;
use zimage_api::providers::models::ModelCatalog;
use zimage_shared::generation::{CreateGenerationRequest, MAX_PROMPT_CHARS};

static MODELS: LazyLock<ModelCatalog> = LazyLock::new(|| {
    ModelCatalog::load(None, &["local", "fal", "kie"]).expect("the built-in models load")
});

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<CreateGenerationRequest>(data) else {
        return;
    };
    let Ok(task) = plan(&MODELS, uuid::Uuid::nil(), &request) else {
        return;
    };
    let model = MODELS.find(&task.model).expect("a planned task has a model");
    let prompt = task.prompt.as_str();
    assert!(!prompt.is_empty() && prompt == prompt.trim());
    assert!(prompt.chars().count() <= MAX_PROMPT_CHARS);
    if let Some(negative) = &task.negative_prompt {
        assert!(!negative.is_empty() && negative.chars().count() <= MAX_PROMPT_CHARS);
    }
    for side in [task.width, task.height] {
        let side = u32::try_from(side).expect("positive side");
        assert!((model.info.min_side..=model.info.max_side).contains(&side));
    }
    assert!(task.num_images >= 1 && task.num_images as u32 <= model.info.max_images);
    assert!(task.cost > 0);
    assert!(task.strength.is_none_or(|s| s > 0.0 && s <= 1.0));
});
