//! Reference uploads and image-to-image.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::providers::render;
use zimage_api::testing::providers::MockProvider;
use zimage_shared::generation::OutputFormat;

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app, spawn_app_with, user_id};

/// A multipart body with one `file` field.
fn multipart(bytes: &[u8], filename: &str) -> (String, Vec<u8>) {
    let boundary = "zimage-test-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(
    app: &TestApp,
    who: &Signed,
    bytes: &[u8],
    filename: &str,
) -> reqwest::Response {
    let (content_type, body) = multipart(bytes, filename);
    app.client
        .post(app.url("/v1/uploads"))
        .bearer_auth(&who.access)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A JPEG whose EXIF says "rotate 90° clockwise" and carries a camera string we must not keep.
fn phone_photo() -> Vec<u8> {
    use img_parts::ImageEXIF;
    let jpeg = render::render("holiday", 3, 120, 80, OutputFormat::Jpeg).unwrap();
    // TIFF (little endian): IFD0 with Orientation = 6 and Make = "GPS-SECRET-CAMERA".
    let make = b"GPS-SECRET-CAMERA\0";
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    let make_at = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&[0x0F, 0x01, 2, 0]);
    tiff.extend_from_slice(&(make.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&(make_at as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(make);
    let mut parsed = img_parts::jpeg::Jpeg::from_bytes(jpeg.into()).unwrap();
    parsed.set_exif(Some(tiff.into()));
    parsed.encoder().bytes().to_vec()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn uploads_are_checked_by_content_cleaned_and_kept_private() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let photo = phone_photo();
    assert!(contains(&photo, b"GPS-SECRET-CAMERA"));
    // The name says PNG; the content is a JPEG, and that is what counts.
    let response = upload(&app, &ada, &photo, "holiday.png").await;
    assert_eq!(response.status(), 201);
    let info: Value = response.json().await.unwrap();
    assert_eq!(info["format"], "jpeg");
    assert_eq!(
        (info["width"].as_u64(), info["height"].as_u64()),
        (Some(80), Some(120)),
        "turned upright"
    );
    let stored = app
        .get_auth(
            &format!("/v1/uploads/{}/file", info["id"].as_str().unwrap()),
            &ada.access,
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!contains(&stored, b"GPS-SECRET-CAMERA"), "no metadata kept");
    assert!(!contains(&stored, b"Exif"));
    // The signed URL works without a token; a bare path does not.
    let signed = app
        .client
        .get(app.url(info["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    assert_eq!(signed.headers()["content-type"], "image/jpeg");

    let bob = app.signed_in_user("bob@example.org").await;
    let path = format!("/v1/uploads/{}", info["id"].as_str().unwrap());
    assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_problem(
        app.get_auth(&format!("{path}/file"), &bob.access).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_eq!(
        app.get_json("/v1/uploads", &bob.access).await["items"],
        json!([])
    );
    let listed = app.get_json("/v1/uploads", &ada.access).await;
    assert_eq!(listed["items"][0]["id"], info["id"]);
    assert_eq!(app.delete_auth(&path, &ada.access).await.status(), 204);
    assert_problem(app.get_auth(&path, &ada.access).await, 404, "not_found").await;
}

#[tokio::test]
async fn bad_uploads_are_refused_with_clear_errors() {
    let app = spawn_app_with(&[("ZIMAGE_MAX_UPLOAD_BYTES", "200000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let body = assert_problem(
        upload(&app, &ada, b"<?php echo 'hi'; ?>", "innocent.png").await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["file"].is_array());
    let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
    assert_problem(
        upload(&app, &ada, gif, "x.gif").await,
        422,
        "validation_failed",
    )
    .await;
    let tiny = render::render("t", 1, 32, 32, OutputFormat::Png).unwrap();
    assert_problem(
        upload(&app, &ada, &tiny, "t.png").await,
        422,
        "validation_failed",
    )
    .await;
    let huge = vec![0u8; 300_000];
    assert_problem(
        upload(&app, &ada, &huge, "big.png").await,
        413,
        "payload_too_large",
    )
    .await;
    let not_multipart = app
        .client
        .post(app.url("/v1/uploads"))
        .bearer_auth(&ada.access)
        .header("content-type", "image/png")
        .body(tiny.clone())
        .send()
        .await
        .unwrap();
    assert_problem(not_multipart, 415, "unsupported_media_type").await;
    assert_eq!(
        app.get_json("/v1/uploads", &ada.access).await["items"],
        json!([])
    );
}

#[tokio::test]
async fn image_to_image_starts_from_your_own_upload() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let source = render::render("a red square", 1, 300, 300, OutputFormat::Png).unwrap();
    let info: Value = upload(&app, &ada, &source, "s.png")
        .await
        .json()
        .await
        .unwrap();
    let upload_id = info["id"].as_str().unwrap();
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "make it blue", "width": 256, "height": 256,
                    "seed": 9, "reference_upload_id": upload_id, "strength": 0.3}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(task["reference_upload_id"], upload_id);
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let stored = app
        .get_auth(&format!("/v1/uploads/{upload_id}/file"), &ada.access)
        .await
        .bytes()
        .await
        .unwrap();
    let expected =
        render::render_from(&stored, 0.3, "make it blue", 9, 256, 256, OutputFormat::Png).unwrap();
    let got = app
        .get_auth(done["images"][0]["url"].as_str().unwrap(), &ada.access)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), expected.as_slice());

    // Someone else's upload, or a strength without a reference: refused, nothing held.
    let bob = app.signed_in_user("bob@example.org").await;
    let body = assert_problem(
        app.post_auth(
            "/v1/generations",
            &bob.access,
            &json!({"model": "z-image-local", "prompt": "theirs", "reference_upload_id": upload_id}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["reference_upload_id"].is_array());
    for strength in [json!(0.0), json!(1.5)] {
        assert_problem(
            app.post_auth(
                "/v1/generations",
                &ada.access,
                &json!({"model": "z-image-local", "prompt": "p", "reference_upload_id": upload_id, "strength": strength}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
    }
    assert_problem(
        app.post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "p", "strength": 0.5}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(app.get_json("/v1/credits", &bob.access).await["held"], 0);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_reference_deleted_before_the_task_runs_fails_it_with_a_refund() {
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let source = render::render("gone", 1, 256, 256, OutputFormat::Png).unwrap();
    let info: Value = upload(&app, &ada, &source, "g.png")
        .await
        .json()
        .await
        .unwrap();
    let upload_id = info["id"].as_str().unwrap();
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "p", "reference_upload_id": upload_id}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.delete_auth(&format!("/v1/uploads/{upload_id}"), &ada.access)
            .await
            .status(),
        204
    );
    let workers = zimage_api::jobs::WorkerPool::start(app.state.clone(), 1);
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    workers.shutdown(Duration::from_secs(5)).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["failure_reason"], "reference_missing");
    assert_eq!(
        app.get_json("/v1/credits", &ada.access).await["available"],
        20
    );
}

#[tokio::test]
async fn hosted_image_to_image_sends_a_signed_url_of_our_copy() {
    let mock = MockProvider::fal();
    let app = spawn_app_with(&[
        ("ZIMAGE_FAL_KEY", mock.key.as_str()),
        ("ZIMAGE_FAL_QUEUE_URL", mock.base_url.as_str()),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let source = render::render("sketch", 1, 256, 256, OutputFormat::Png).unwrap();
    let info: Value = upload(&app, &ada, &source, "s.png")
        .await
        .json()
        .await
        .unwrap();
    let upload_id = info["id"].as_str().unwrap();
    // The text-to-image model cannot take a reference.
    assert_problem(
        app.post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-turbo-fal", "prompt": "p", "reference_upload_id": upload_id}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-turbo-fal-edit", "prompt": "ink it", "reference_upload_id": upload_id}),
        )
        .await
        .json()
        .await
        .unwrap();
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let input = mock.first_input().unwrap();
    assert_eq!(input["strength"].as_f64(), Some(0.6_f32 as f64));
    let image_url = input["image_url"].as_str().unwrap();
    let path = image_url
        .strip_prefix("http://zimage.test")
        .expect("our public URL");
    assert!(path.starts_with(&format!("/v1/uploads/{upload_id}/file?")));
    // What fal would fetch: our copy, without any token.
    let fetched = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
}
