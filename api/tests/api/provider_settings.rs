//! Every setting is honoured or refused before any charge, and what a provider delivers is
//! checked: each image decodes, is converted to the format asked for, is recorded at the size
//! delivered, and a task is charged only for the images it got.

use serde_json::{Value, json};
use zimage_api::testing::providers::{MockProvider, Mode};

use crate::helpers::{spawn_app_with, user_id};
use crate::providers::{available, fal_app, generate, kie_app};

#[tokio::test]
async fn settings_a_model_cannot_honour_are_refused_before_anything_is_charged() {
    let (fal, kie) = (MockProvider::fal(), MockProvider::kie());
    let app = spawn_app_with(&[
        ("ZIMAGE_FAL_KEY", fal.key.as_str()),
        ("ZIMAGE_FAL_QUEUE_URL", fal.base_url.as_str()),
        ("ZIMAGE_KIE_KEY", kie.key.as_str()),
        ("ZIMAGE_KIE_BASE_URL", kie.base_url.as_str()),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let models = app.get_json("/v1/models", &ada.access).await;
    let supports = |id: &str| {
        models["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| m["supports"].clone())
            .unwrap()
    };
    assert_eq!(
        supports("z-image-local"),
        json!({"negative_prompt": true, "seed": true})
    );
    assert_eq!(
        supports("z-image-turbo-fal"),
        json!({"negative_prompt": false, "seed": true})
    );
    assert_eq!(
        supports("z-image-kie"),
        json!({"negative_prompt": false, "seed": false})
    );

    let before = available(&app, &ada).await;
    for (body, field) in [
        (
            json!({"model": "z-image-turbo-fal", "prompt": "a storm", "negative_prompt": "rain"}),
            "negative_prompt",
        ),
        (
            json!({"model": "z-image-kie", "prompt": "a storm", "seed": 7}),
            "seed",
        ),
        (
            json!({"model": "z-image-kie", "prompt": "a storm", "negative_prompt": "rain"}),
            "negative_prompt",
        ),
    ] {
        let response = app.post_auth("/v1/generations", &ada.access, &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "unsupported_parameter", "{problem}");
        assert!(problem["errors"][field].is_array(), "{problem}");
    }
    assert_eq!(available(&app, &ada).await, before, "nothing was charged");
    assert_eq!((fal.jobs(), kie.jobs()), (0, 0), "nothing was submitted");
    let tasks = app.get_json("/v1/generations", &ada.access).await;
    assert_eq!(tasks["items"], json!([]), "no task was created");

    // KIE takes no seed: none is sent and none recorded, so "reuse settings" asks for none.
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-kie", "prompt": "a storm", "output_format": "jpeg"}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["seed"], Value::Null);
    let sent = kie.first_input().unwrap();
    assert_eq!(
        sent["input"],
        json!({"prompt": "a storm", "aspect_ratio": "1:1"})
    );
    let again = app
        .get_json(
            &format!("/v1/generations/{}/settings", done["id"].as_str().unwrap()),
            &ada.access,
        )
        .await;
    assert_eq!(again["seed"], Value::Null);

    // KIE delivers a PNG; JPEG was asked for, so JPEG is stored and served.
    assert_eq!(done["images"][0]["format"], "jpeg");
    let file = app
        .get_auth(done["images"][0]["url"].as_str().unwrap(), &ada.access)
        .await;
    assert_eq!(file.headers()["content-type"], "image/jpeg");
    let bytes = file.bytes().await.unwrap();
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "a real JPEG");
    assert_eq!(done["images"][0]["bytes"], bytes.len());

    // fal takes a seed, and the built-in model a negative prompt that changes the picture.
    let seeded = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a storm", "seed": 9, "output_format": "webp"}),
    )
    .await;
    assert_eq!(
        (
            seeded["seed"].as_i64(),
            fal.first_input().unwrap()["seed"].as_i64()
        ),
        (Some(9), Some(9))
    );
    assert_eq!(seeded["images"][0]["format"], "webp");
    let file = app
        .get_auth(seeded["images"][0]["url"].as_str().unwrap(), &ada.access)
        .await;
    let bytes = file.bytes().await.unwrap();
    assert_eq!((&bytes[..4], &bytes[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
    let sha = |task: &Value| task["images"][0]["url"].as_str().map(String::from);
    let plain = generate(
        &app,
        &ada,
        json!({"model": "z-image-local", "prompt": "a storm", "seed": 3}),
    )
    .await;
    let steered = generate(
        &app,
        &ada,
        json!({"model": "z-image-local", "prompt": "a storm", "seed": 3, "negative_prompt": "rain"}),
    )
    .await;
    assert_eq!(steered["negative_prompt"], "rain");
    let body = |task: &Value| {
        let (app, ada, url) = (&app, &ada, sha(task).unwrap());
        async move { app.get_auth(&url, &ada.access).await.bytes().await.unwrap() }
    };
    assert_ne!(body(&plain).await, body(&steered).await);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn fewer_images_than_asked_are_charged_alone_and_the_rest_returned() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::FewerImages);
    let app = fal_app(&mock, &[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let before = available(&app, &ada).await;
    // 512 × 512 asked; the provider delivers 256 × 256, which is what is recorded.
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a fleet", "num_images": 3,
               "width": 512, "height": 512}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            done["images"][0]["width"].as_u64(),
            done["images"][0]["height"].as_u64()
        ),
        (Some(256), Some(256))
    );
    assert_eq!(
        (
            done["cost"].as_i64(),
            done["charged"].as_i64(),
            done["refunded"].as_i64()
        ),
        (Some(6), Some(4), Some(2))
    );
    assert_eq!(available(&app, &ada).await, before - 4);
    // Downloads went to storage through spool files, which are gone; the stored file is the
    // provider's, byte for byte, with its size and digest recorded.
    let spool = app.state.config.data_dir.join("tmp").join("results");
    let left: Vec<_> = std::fs::read_dir(&spool)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "spool files left behind: {left:?}");
    let stored = app
        .get_auth(done["images"][0]["url"].as_str().unwrap(), &ada.access)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(done["images"][0]["bytes"], stored.len());
    assert_eq!(&stored[..8], b"\x89PNG\r\n\x1a\n", "kept as delivered");
    let ledger = app.get_json("/v1/credits/ledger", &ada.access).await;
    let returned = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "release")
        .cloned()
        .unwrap_or_else(|| panic!("no return in {ledger}"));
    assert_eq!(returned["delta_available"], 2, "{returned}");
    assert!(
        returned["reason"].as_str().unwrap().contains("2 of 3"),
        "{returned}"
    );
    app.assert_ledger_consistent(user_id(&ada)).await;

    // An image that does not decode is left out the same way; none usable fails with a refund.
    mock.set_mode(Mode::OneBroken);
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a fleet", "num_images": 2}),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 1);
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(2), Some(2))
    );
    let done = generate(
        &app,
        &ada,
        json!({"model": "z-image-turbo-fal", "prompt": "a fleet", "num_images": 1}),
    )
    .await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["failure_reason"], "invalid_output");
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(0), Some(2))
    );
    app.assert_ledger_consistent(user_id(&ada)).await;

    // KIE makes one image; a result with none fails the task with a refund.
    let kie = MockProvider::kie();
    kie.set_mode(Mode::FewerImages);
    let app = kie_app(&kie, &[]).await;
    let bob = app.signed_in_user("bob@example.org").await;
    let before = available(&app, &bob).await;
    let done = generate(&app, &bob, json!({"model": "z-image-kie", "prompt": "p"})).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["failure_reason"], "invalid_output");
    assert_eq!(available(&app, &bob).await, before);
    app.assert_ledger_consistent(user_id(&bob)).await;
}
