//! The model catalog is public and describes sizes, limits and costs.

use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn models_are_listed_publicly_with_costs_and_limits() {
    let app = spawn_app().await;
    let body: Value = app
        .client
        .get(app.url("/v1/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let local = &body["items"][0];
    assert_eq!(local["id"], "z-image-local");
    assert_eq!(local["provider"], "local");
    assert_eq!(local["cost"]["standard"], 1);
    assert_eq!(local["max_images"], 4);
    assert_eq!(local["aspect_ratios"].as_array().unwrap().len(), 8);
    assert!(
        local.get("provider_model").is_none(),
        "internal ids stay internal"
    );
    assert_eq!(body["next_cursor"], Value::Null);
}

#[tokio::test]
async fn a_models_file_replaces_the_built_in_list() {
    let dir = std::env::temp_dir().join(format!("zimage-models-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("models.json");
    std::fs::write(
        &file,
        r#"[{"id": "draft", "name": "Draft", "provider": "local", "provider_model": "z-image-local",
             "capabilities": ["text_to_image"], "aspect_ratios": ["1:1"], "min_side": 256, "max_side": 512,
             "default_long_side": 512, "max_images": 1, "cost": {"standard": 1, "high": 1}}]"#,
    )
    .unwrap();
    let app = spawn_app_with(&[("ZIMAGE_MODELS_FILE", file.to_str().unwrap())]).await;
    let body: Value = app
        .client
        .get(app.url("/v1/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["id"], "draft");
}
