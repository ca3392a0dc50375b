//! The prompt library and "reuse settings".

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app, user_id};

#[tokio::test]
async fn prompts_are_saved_listed_searched_edited_and_deleted() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let created = app
        .post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "  Lighthouse  ", "prompt": "a glass lighthouse at dusk",
                    "negative_prompt": "blurry",
                    "parameters": {"model": "z-image-local", "aspect_ratio": "16:9", "seed": 7,
                                   "quality": "high", "num_images": 2}}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let lighthouse: Value = created.json().await.unwrap();
    assert_eq!(lighthouse["title"], "Lighthouse", "trimmed");
    assert_eq!(lighthouse["parameters"]["aspect_ratio"], "16:9");
    assert_eq!(
        lighthouse["parameters"].get("width"),
        None,
        "unset settings are left out"
    );
    for n in 0..3 {
        let response = app
            .post_auth(
                "/v1/prompts",
                &ada.access,
                &json!({"title": format!("Forest {n}"), "prompt": "a quiet forest"}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }

    let first: Value = app.get_json("/v1/prompts?limit=2", &ada.access).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["items"][0]["title"], "Forest 2", "newest first");
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get_json(&format!("/v1/prompts?limit=2&cursor={cursor}"), &ada.access)
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert_eq!(rest["items"][1]["id"], lighthouse["id"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let found: Value = app.get_json("/v1/prompts?q=GLASS", &ada.access).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let none: Value = app.get_json("/v1/prompts?q=100%25", &ada.access).await;
    assert_eq!(none["items"], json!([]), "% is matched literally");

    let path = format!("/v1/prompts/{}", lighthouse["id"].as_str().unwrap());
    let edited = app
        .patch_auth(
            &path,
            &ada.access,
            &json!({"negative_prompt": null, "title": "Beacon"}),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(edited["title"], "Beacon");
    assert_eq!(edited["negative_prompt"], Value::Null);
    assert_eq!(
        edited["prompt"], "a glass lighthouse at dusk",
        "absent fields stay"
    );
    assert_eq!(edited["parameters"]["seed"], 7);
    let replaced: Value = app
        .patch_auth(
            &path,
            &ada.access,
            &json!({"parameters": {"width": 512, "height": 768}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replaced["parameters"], json!({"width": 512, "height": 768}));

    assert_eq!(app.delete_auth(&path, &ada.access).await.status(), 204);
    assert_problem(app.get_auth(&path, &ada.access).await, 404, "not_found").await;
    assert_problem(app.delete_auth(&path, &ada.access).await, 404, "not_found").await;
}

#[tokio::test]
async fn invalid_prompts_get_field_errors_and_save_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let body = assert_problem(
        app.post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": " ", "prompt": "x".repeat(2001),
                    "parameters": {"model": "nope", "seed": -1, "num_images": 0}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    for field in [
        "title",
        "prompt",
        "parameters.model",
        "parameters.seed",
        "parameters.num_images",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let body = assert_problem(
        app.post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "t", "prompt": "p",
                    "parameters": {"model": "z-image-local", "aspect_ratio": "1:1", "width": 512}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["parameters.aspect_ratio"].is_array());
    let body = assert_problem(
        app.post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "t", "prompt": "p", "parameters": {"width": 100, "height": 9000}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["parameters.width"].is_array());
    assert!(body["errors"]["parameters.height"].is_array());
    assert_problem(
        app.post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "t", "prompt": "p", "parameters": {"colour": "red"}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let q = "x".repeat(101);
    assert_problem(
        app.get_auth(&format!("/v1/prompts?q={q}"), &ada.access)
            .await,
        400,
        "invalid_query",
    )
    .await;
    let listed: Value = app.get_json("/v1/prompts", &ada.access).await;
    assert_eq!(listed["items"], json!([]));
}

#[tokio::test]
async fn other_users_prompts_are_404_and_the_library_is_capped() {
    use diesel_async::RunQueryDsl;

    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let saved: Value = app
        .post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "mine", "prompt": "mine"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/v1/prompts/{}", saved["id"].as_str().unwrap());
    assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_problem(
        app.patch_auth(&path, &bob.access, &json!({"title": "theirs"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete_auth(&path, &bob.access).await, 404, "not_found").await;
    let bobs: Value = app.get_json("/v1/prompts", &bob.access).await;
    assert_eq!(bobs["items"], json!([]));
    assert_eq!(app.get_json(&path, &ada.access).await["title"], "mine");

    // Fill Bob's library to the cap.
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO prompts (id, user_id, title, prompt) \
         SELECT gen_random_uuid(), $1, 'p' || n, 'p' FROM generate_series(1, 500) n",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id(&bob))
    .execute(&mut conn)
    .await
    .unwrap();
    assert_problem(
        app.post_auth(
            "/v1/prompts",
            &bob.access,
            &json!({"title": "one more", "prompt": "p"}),
        )
        .await,
        409,
        "limit_reached",
    )
    .await;
}

#[tokio::test]
async fn a_tasks_settings_can_be_reused_and_saved_as_a_prompt() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "a red kite", "negative_prompt": "rain",
                    "aspect_ratio": "3:2", "output_format": "jpeg", "seed": 99}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    let settings: Value = app
        .get_json(&format!("/v1/generations/{id}/settings"), &ada.access)
        .await;
    assert_eq!(
        settings,
        json!({"model": "z-image-local", "prompt": "a red kite", "negative_prompt": "rain",
               "aspect_ratio": "3:2", "width": null, "height": null, "quality": "standard",
               "output_format": "jpeg", "seed": 99, "num_images": 1})
    );
    // Sent back as is, the same settings queue an identical task.
    let again = app
        .post_auth("/v1/generations", &ada.access, &settings)
        .await;
    assert_eq!(again.status(), 202);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["seed"].clone(), again["width"].clone()),
        (json!(99), task["width"].clone())
    );

    let bob = app.signed_in_user("bob@example.org").await;
    assert_problem(
        app.get_auth(&format!("/v1/generations/{id}/settings"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
}
