//! The HTTP contract integrators build on, beyond each operation's own behaviour: field errors for
//! shape mistakes, unknown fields refused, authentication challenges, `Location`, `RateLimit`
//! headers on every budgeted answer, `ETag`/`If-None-Match` and `Range`.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn shape_mistakes_and_unknown_fields_are_422_naming_the_field() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let post = |path: &'static str, body: Value| {
        let (app, token) = (&app, ada.access.clone());
        async move { app.post_auth(path, &token, &body).await }
    };
    let body = assert_problem(
        post("/v1/generations", json!({"model": "z-image-local"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"]["prompt"], json!(["is required"]));
    let body = assert_problem(
        post(
            "/v1/generations",
            json!({"model": "z-image-local", "prompt": 5}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        body["errors"]["prompt"][0]
            .as_str()
            .unwrap()
            .contains("expected a string"),
        "{body}"
    );
    // A field the operation does not have is refused, not dropped: the key would otherwise be
    // made without the expiry its creator believes it has.
    let body = assert_problem(
        post(
            "/v1/me/api-keys",
            json!({"name": "ci", "scopes": [], "expires_in_days": 30}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        body["errors"]["expires_in_days"],
        json!(["is not a field of this request"])
    );
    let keys = app.get_json("/v1/me/api-keys", &ada.access).await;
    assert_eq!(keys["items"], json!([]), "nothing was made");
    let body = assert_problem(
        post(
            "/v1/prompts",
            json!({"title": "t", "prompt": "p", "parameters": {"widht": 512}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["parameters.widht"].is_array(), "{body}");
    let body = assert_problem(
        post("/v1/generations", json!(["z-image-local", "a prompt"])).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("JSON object"));
    assert_problem(
        app.client
            .post(app.url("/v1/generations"))
            .bearer_auth(&ada.access)
            .header("content-type", "application/json")
            .body("{\"model\": ")
            .send()
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
}

#[tokio::test]
async fn authentication_failures_carry_a_bearer_challenge() {
    let app = spawn_app().await;
    let anonymous = app.client.get(app.url("/v1/me")).send().await.unwrap();
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Bearer realm=\"zimage\""
    );
    assert_problem(anonymous, 401, "unauthorized").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let key = app.api_key(&ada, &["generations:read"]).await;
    let refused = app.get_auth("/v1/credits", &key).await;
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer realm=\"zimage\", error=\"insufficient_scope\""
    );
    assert_problem(refused, 403, "insufficient_scope").await;
}

#[tokio::test]
async fn made_resources_answer_with_their_absolute_location() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let prompt = app
        .post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "Lighthouse", "prompt": "a glass lighthouse"}),
        )
        .await;
    assert_eq!(prompt.status(), 201);
    let location = prompt.headers()["location"].to_str().unwrap().to_string();
    let body: Value = prompt.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "http://zimage.test/v1/prompts/{}",
            body["id"].as_str().unwrap()
        )
    );
    let task = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &crate::generations::request("located"),
        )
        .await;
    assert_eq!(task.status(), 202);
    let location = task.headers()["location"].to_str().unwrap().to_string();
    let body: Value = task.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "http://zimage.test/v1/generations/{}",
            body["id"].as_str().unwrap()
        )
    );
}

#[tokio::test]
async fn budgeted_operations_tell_what_is_left_on_every_answer() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut remaining = Vec::new();
    for n in 0..2 {
        let task = app
            .post_auth(
                "/v1/generations",
                &ada.access,
                &crate::generations::request(&format!("budget {n}")),
            )
            .await;
        assert_eq!(task.status(), 202);
        let headers = task.headers();
        assert_eq!(headers["ratelimit-limit"], "30");
        assert_eq!(headers["ratelimit-policy"], "30;w=60");
        remaining.push(
            headers["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    assert_eq!(remaining, [29, 28]);
    // Other authenticated operations show the caller's general budget (set high in the tests).
    let me = app.get_auth("/v1/me", &ada.access).await;
    assert_eq!(me.headers()["ratelimit-policy"], "1000000;w=60");
    // Public operations without a budget say nothing about one.
    let models = app.client.get(app.url("/v1/models")).send().await.unwrap();
    assert_eq!(models.status(), 200);
    assert!(models.headers().get("ratelimit-remaining").is_none());
}

#[tokio::test]
async fn reads_are_conditional_and_downloads_resume() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = app.generated(&ada, "tagged").await;
    let id = done["id"].as_str().unwrap();
    let path = format!("/v1/generations/{id}");
    let first = app.get_auth(&path, &ada.access).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let again = app
        .client
        .get(app.url(&path))
        .bearer_auth(&ada.access)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());
    let other = app
        .client
        .get(app.url(&path))
        .bearer_auth(&ada.access)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);

    let file = done["images"][0]["url"].as_str().unwrap();
    let whole = app.client.get(app.url(file)).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let file_etag = whole.headers()["etag"].to_str().unwrap().to_string();
    let whole = whole.bytes().await.unwrap();
    let ranged = |range: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url(file))
                .header("range", range)
                .send()
                .await
                .unwrap()
        }
    };
    let tail = ranged("bytes=10-".into()).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(
        tail.headers()["content-range"],
        format!("bytes 10-{}/{}", whole.len() - 1, whole.len()).as_str()
    );
    assert_eq!(tail.bytes().await.unwrap(), whole[10..]);
    let last = ranged("bytes=-4".into()).await;
    assert_eq!(last.bytes().await.unwrap(), whole[whole.len() - 4..]);
    let outside = ranged(format!("bytes={}-", whole.len())).await;
    assert_eq!(outside.status(), 416);
    assert_eq!(
        outside.headers()["content-range"],
        format!("bytes */{}", whole.len()).as_str()
    );
    let cached = app
        .client
        .get(app.url(file))
        .header("if-none-match", &file_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
}
