//! Profile pictures: uploaded, checked by content, cropped square, scaled and re-encoded without
//! metadata; served by signed URL (and to their owner); replaced, removed, exported and erased.

use serde_json::{Value, json};
use zimage_api::providers::render;
use zimage_shared::generation::OutputFormat;

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app};
use crate::uploads::{contains, multipart, phone_photo, send_file};

pub(crate) async fn set_avatar(app: &TestApp, who: &Signed, bytes: &[u8]) -> reqwest::Response {
    send_file(
        app,
        who,
        reqwest::Method::PUT,
        "/v1/me/avatar",
        bytes,
        "me.jpg",
    )
    .await
}

/// The avatar's id from a signed `avatar_url`.
pub(crate) fn avatar_id(url: &str) -> String {
    url.split("/v1/avatars/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("not one of our avatar URLs: {url}"))
        .to_string()
}

async fn objects(app: &TestApp) -> Vec<String> {
    let root = app.data_dir.join("objects");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found
}

#[tokio::test]
async fn a_picture_is_cleaned_served_signed_replaced_and_removed() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;

    // Not an image, not multipart: refused, nothing kept.
    assert_problem(
        set_avatar(&app, &ada, b"GIF89a nope").await,
        422,
        "validation_failed",
    )
    .await;
    let raw = app
        .client
        .put(app.url("/v1/me/avatar"))
        .bearer_auth(&ada.access)
        .body("plain")
        .send()
        .await
        .unwrap();
    assert_problem(raw, 415, "unsupported_media_type").await;

    // A phone photo (EXIF: camera, rotation) becomes a clean WebP square.
    let photo = phone_photo();
    let response = set_avatar(&app, &ada, &photo).await;
    assert_eq!(response.status(), 200);
    let user: Value = response.json().await.unwrap();
    let url = user["avatar_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/v1/avatars/", app.state.config.public_url)));
    assert!(url.contains("signature="));
    let me = app.get_json("/v1/me", &ada.access).await;
    assert_eq!(me["avatar_url"], user["avatar_url"]);
    // Anyone holding the signed URL can show it; without the signature only its owner.
    let local = url.replace(&app.state.config.public_url, &app.address);
    let fetched = app.client.get(&local).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.headers()["content-type"], "image/webp");
    let bytes = fetched.bytes().await.unwrap();
    assert!(!contains(&bytes, b"GPS-SECRET-CAMERA"), "metadata kept");
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!(decoded.width(), decoded.height(), "square");
    assert!(decoded.width() <= 256);
    let id = avatar_id(&url);
    let bare = format!("/v1/avatars/{id}");
    assert_eq!(
        app.get_auth(&bare, &ada.access).await.status(),
        200,
        "the owner reads it with a token"
    );
    assert_problem(app.get_auth(&bare, &bob.access).await, 404, "not_found").await;
    let anonymous = app.client.get(app.url(&bare)).send().await.unwrap();
    assert_problem(anonymous, 401, "unauthorized").await;
    let forged = app
        .client
        .get(app.url(&format!("{bare}?expires=9999999999&signature=00")))
        .send()
        .await
        .unwrap();
    assert_problem(forged, 401, "unauthorized").await;
    assert_eq!(
        objects(&app)
            .await
            .iter()
            .filter(|k| k.contains("/avatar/"))
            .count(),
        1
    );

    // A new picture gets a new address; the old file goes.
    let big = render::render("portrait", 7, 1024, 640, OutputFormat::Png).unwrap();
    let replaced: Value = set_avatar(&app, &ada, &big).await.json().await.unwrap();
    let new_url = replaced["avatar_url"].as_str().unwrap();
    assert_ne!(avatar_id(new_url), id);
    let fetched = app
        .client
        .get(new_url.replace(&app.state.config.public_url, &app.address))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let decoded = image::load_from_memory(&fetched).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (256, 256));
    assert_eq!(app.get_auth(&bare, &ada.access).await.status(), 404);
    let avatars = objects(&app).await;
    assert_eq!(
        avatars.iter().filter(|k| k.contains("/avatar/")).count(),
        1,
        "{avatars:?}"
    );

    // A linked picture replaces an uploaded one (its file goes too); removing removes either.
    let linked = app
        .patch_auth(
            "/v1/me",
            &ada.access,
            &json!({"avatar_url": "https://pics.example/ada.png"}),
        )
        .await;
    let linked: Value = linked.json().await.unwrap();
    assert_eq!(linked["avatar_url"], "https://pics.example/ada.png");
    assert_eq!(
        objects(&app)
            .await
            .iter()
            .filter(|k| k.contains("/avatar/"))
            .count(),
        0
    );
    set_avatar(&app, &ada, &big).await;
    let removed = app.delete_auth("/v1/me/avatar", &ada.access).await;
    assert_eq!(removed.status(), 200);
    let removed: Value = removed.json().await.unwrap();
    assert_eq!(removed["avatar_url"], Value::Null);
    assert_eq!(
        objects(&app)
            .await
            .iter()
            .filter(|k| k.contains("/avatar/"))
            .count(),
        0
    );
    // Removing again changes nothing.
    assert_eq!(
        app.delete_auth("/v1/me/avatar", &ada.access).await.status(),
        200
    );

    // API keys need `profile:write`.
    let key = app.api_key(&ada, &["credits:read"]).await;
    let (content_type, body) = multipart(&big, "me.png");
    let refused = app
        .client
        .put(app.url("/v1/me/avatar"))
        .bearer_auth(&key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_problem(refused, 403, "insufficient_scope").await;
}
