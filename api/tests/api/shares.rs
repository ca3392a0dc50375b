//! Public links to images.

use serde_json::{Value, json};

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app};

async fn image_of(app: &TestApp, who: &Signed) -> String {
    app.generated_image(who, "a secret recipe").await
}

#[tokio::test]
async fn a_share_link_works_logged_out_hides_the_prompt_by_default_and_can_be_revoked() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let image = image_of(&app, &ada).await;
    let response = app
        .post_auth(
            &format!("/v1/images/{image}/share"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let share: Value = response.json().await.unwrap();
    let token = share["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(share["url"], format!("http://zimage.test/s/{token}"));

    let anonymous = |path: String| {
        let app = &app;
        async move { app.client.get(app.url(&path)).send().await.unwrap() }
    };
    let card: Value = anonymous(format!("/v1/shared/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        card["prompt"],
        Value::Null,
        "no prompt unless the owner opts in"
    );
    assert_eq!(card["model"], "z-image-local");
    let file = anonymous(format!("/v1/shared/{token}/image")).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");

    // Opting in shows the prompt; the link stays the same.
    let again: Value = app
        .post_auth(
            &format!("/v1/images/{image}/share"),
            &ada.access,
            &json!({"include_prompt": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["token"], share["token"]);
    let card: Value = anonymous(format!("/v1/shared/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(card["prompt"], "a secret recipe");
    let listed = app.get_json("/v1/shares", &ada.access).await;
    assert_eq!(listed["items"][0]["views"], 2);

    // Forged tokens and other users' images.
    let forged = format!("{}{}", &token[..32], "0".repeat(32));
    assert_problem(
        anonymous(format!("/v1/shared/{forged}")).await,
        404,
        "not_found",
    )
    .await;
    let bob = app.signed_in_user("bob@example.org").await;
    assert_problem(
        app.post_auth(
            &format!("/v1/images/{image}/share"),
            &bob.access,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.delete_auth(&format!("/v1/images/{image}/share"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_auth(
            &format!("/v1/images/{image}/share"),
            &ada.access,
            &json!({"include_prompt": "yes"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;

    // The owner (only) can look the link up, e.g. to show it again.
    let path = format!("/v1/images/{image}/share");
    assert_eq!(app.get_json(&path, &ada.access).await["token"], token);
    assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_eq!(
        app.delete_auth(&format!("/v1/images/{image}/share"), &ada.access)
            .await
            .status(),
        204
    );
    assert_problem(app.get_auth(&path, &ada.access).await, 404, "not_found").await;
    assert_problem(
        anonymous(format!("/v1/shared/{token}")).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        anonymous(format!("/v1/shared/{token}/image")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.get_json("/v1/shares", &ada.access).await["items"],
        json!([])
    );
}

#[tokio::test]
async fn deleting_the_image_ends_its_link() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let image = image_of(&app, &ada).await;
    let share: Value = app
        .post_auth(
            &format!("/v1/images/{image}/share"),
            &ada.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.delete_auth(&format!("/v1/images/{image}"), &ada.access)
            .await
            .status(),
        204
    );
    let gone = app
        .client
        .get(app.url(&format!("/v1/shared/{}", share["token"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_problem(gone, 404, "not_found").await;
}
