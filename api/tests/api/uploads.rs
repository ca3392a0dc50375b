//! Reference uploads and image-to-image.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::providers::render;
use zimage_api::testing::providers::MockProvider;
use zimage_shared::generation::OutputFormat;

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app, spawn_app_with, user_id};

/// A multipart body with one `file` field.
pub(crate) fn multipart(bytes: &[u8], filename: &str) -> (String, Vec<u8>) {
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
    send_file(
        app,
        who,
        reqwest::Method::POST,
        "/v1/uploads",
        bytes,
        filename,
    )
    .await
}

/// Sends `bytes` as the `file` field of a multipart form.
pub(crate) async fn send_file(
    app: &TestApp,
    who: &Signed,
    method: reqwest::Method,
    path: &str,
    bytes: &[u8],
    filename: &str,
) -> reqwest::Response {
    let (content_type, body) = multipart(bytes, filename);
    app.client
        .request(method, app.url(path))
        .bearer_auth(&who.access)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A JPEG whose EXIF says "rotate 90° clockwise" and carries a camera string we must not keep.
pub(crate) fn phone_photo() -> Vec<u8> {
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

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
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

/// A PNG of zeros: a few hundred kilobytes that decode to `side`² pixels of RGBA at 8 or 16 bits.
fn zeros_png(side: u32, sixteen_bits: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    let (depth, bytes) = if sixteen_bits {
        (png::BitDepth::Sixteen, 8)
    } else {
        (png::BitDepth::Eight, 4)
    };
    encoder.set_depth(depth);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_image_data(&vec![0u8; side as usize * side as usize * bytes])
        .unwrap();
    writer.finish().unwrap();
    out
}

/// A PNG of noise, which does not compress: about 3 bytes a pixel.
fn noise_png(side: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let pixels: Vec<u8> = (0..side as usize * side as usize * 3)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 56) as u8
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// This process's peak resident memory so far, in MiB (nextest runs each test in its own process,
/// so the server under test is the only other thing in it).
pub(crate) fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024
}

#[tokio::test]
async fn small_files_that_decode_to_hundreds_of_megabytes_are_refused_before_decoding() {
    // 4096×4096 RGBA at 16 bits: a 0.13 MB file that decodes to 128 MiB (256 MiB with the copy
    // converting it). The side-length check alone let it through: +263 MB per upload, 1.5 GB for
    // six at once.
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bomb = zeros_png(4096, true);
    assert!(bomb.len() < 1_000_000, "{} bytes", bomb.len());
    let before = peak_rss_mib();
    let answers =
        futures_util::future::join_all((0..6).map(|_| upload(&app, &ada, &bomb, "b.png"))).await;
    for answer in answers {
        let problem = assert_problem(answer, 422, "validation_failed").await;
        let message = problem["errors"]["file"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains("8 bits per channel"), "{problem}");
    }
    let grew = peak_rss_mib() - before;
    println!("six 16-bit bombs at once: peak memory +{grew} MiB");
    assert!(grew < 64, "peak memory grew by {grew} MiB");
    assert_eq!(
        app.get_json("/v1/uploads", &ada.access).await["items"],
        json!([])
    );
}

#[tokio::test]
async fn parallel_decompression_bombs_are_decoded_a_few_at_a_time() {
    // Within the pixel budget (4096×4096 RGBA at 8 bits: 64 MiB decoded) each is accepted, but
    // only one per core is decoded at once: memory stays bounded by the cores, not the requests.
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bomb = zeros_png(4096, false);
    let before = peak_rss_mib();
    let answers =
        futures_util::future::join_all((0..8).map(|_| upload(&app, &ada, &bomb, "b.png"))).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert!(
        statuses.iter().all(|s| matches!(s, 201 | 503)),
        "{statuses:?}"
    );
    assert!(statuses.contains(&201), "{statuses:?}");
    for answer in answers.into_iter().filter(|a| a.status() == 503) {
        assert!(answer.headers().contains_key("retry-after"));
    }
    let grew = peak_rss_mib() - before;
    let cores = std::thread::available_parallelism().map_or(2, usize::from) as u64;
    println!("eight 64 MiB bombs at once on {cores} cores: peak memory +{grew} MiB");
    // Per image decoded: 64 MiB of pixels, a second copy while turning it upright at most, and
    // the encoder's buffers. Eight at once took over 1.2 GB before the gate.
    assert!(grew < cores * 100 + 64, "peak memory grew by {grew} MiB");
}

#[tokio::test]
async fn lossy_uploads_stay_lossy_and_uploads_have_a_rate_a_quota_and_need_a_verified_address() {
    let app = spawn_app_with(&[
        ("ZIMAGE_RATE_LIMIT_UPLOADS_PER_USER", "3/3600"),
        ("ZIMAGE_UPLOAD_QUOTA_MB", "1"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    // A lossy WebP photo: stored as lossy WebP of about its size, not lossless (7.6 MB became
    // 44.7 MB before).
    let webp = render::render("harbour at dusk", 5, 768, 768, OutputFormat::Webp).unwrap();
    assert!(contains(&webp, b"VP8 "), "the test image is lossy");
    let response = upload(&app, &ada, &webp, "harbour.webp").await;
    assert_eq!(response.status(), 201);
    let info: Value = response.json().await.unwrap();
    assert_eq!(info["format"], "webp");
    let stored = info["bytes"].as_u64().unwrap();
    println!("lossy WebP: {} bytes sent, {stored} kept", webp.len());
    assert!(
        stored < webp.len() as u64 * 3 / 2,
        "{stored} bytes kept of {}",
        webp.len()
    );
    let file = app
        .get_auth(
            &format!("/v1/uploads/{}/file", info["id"].as_str().unwrap()),
            &ada.access,
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(contains(&file, b"VP8 ") && !contains(&file, b"VP8L"));

    // The quota (1 MB here) counts what is kept: a large PNG past it is refused.
    let png = noise_png(640);
    assert!(
        png.len() > 1_000_000 - stored as usize,
        "{} bytes",
        png.len()
    );
    let refused = assert_problem(
        upload(&app, &ada, &png, "big.png").await,
        409,
        "limit_reached",
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("1 MB"),
        "{refused}"
    );
    // The third upload of the hour is allowed; the fourth waits.
    assert_eq!(upload(&app, &ada, &webp, "again.webp").await.status(), 201);
    let limited = upload(&app, &ada, &webp, "again.webp").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));

    // An address nobody has proven can neither upload nor ask for an export.
    assert_eq!(app.signup("eve@example.org").await.status(), 201);
    let eve = app
        .sign_in("eve@example.org", crate::helpers::PASSWORD)
        .await;
    assert_problem(
        upload(&app, &eve, &webp, "x.webp").await,
        403,
        "email_not_verified",
    )
    .await;
    let export = app
        .client
        .post(app.url("/v1/privacy/requests"))
        .bearer_auth(&eve.access)
        .json(&json!({"kind": "export"}))
        .send()
        .await
        .unwrap();
    assert_problem(export, 403, "email_not_verified").await;
}

#[tokio::test]
async fn stored_files_and_mail_are_readable_by_the_server_alone() {
    // Stored objects and outbox mail (with reset links) were world-readable on the host.
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let png = render::render("private", 1, 128, 128, OutputFormat::Png).unwrap();
    let info: Value = upload(&app, &ada, &png, "p.png")
        .await
        .json()
        .await
        .unwrap();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let key = format!(
        "users/{}/uploads/{}.png",
        user_id(&ada),
        info["id"].as_str().unwrap()
    );
    let file = app.data_dir.join("objects").join(key);
    assert_eq!(mode(&file), 0o600, "{}", file.display());
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let outbox = app.data_dir.join("outbox");
    assert_eq!(mode(&outbox), 0o700);
    for mail in std::fs::read_dir(&outbox).unwrap() {
        assert_eq!(mode(&mail.unwrap().path()), 0o600);
    }
}

#[tokio::test]
async fn parallel_uploads_cannot_share_the_room_left_in_the_quota() {
    // The quota was read before decoding and not again with the insert: uploads in parallel each
    // found room that only one of them had.
    let app = spawn_app_with(&[("ZIMAGE_UPLOAD_QUOTA_MB", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let png = noise_png(300);
    assert!(png.len() > 250_000 && png.len() < 300_000, "{}", png.len());
    let answers =
        futures_util::future::join_all((0..6).map(|_| upload(&app, &ada, &png, "n.png"))).await;
    let created = answers.iter().filter(|a| a.status() == 201).count();
    assert!(
        answers
            .iter()
            .all(|a| matches!(a.status().as_u16(), 201 | 409))
    );
    let kept: u64 = app.get_json("/v1/uploads", &ada.access).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["bytes"].as_u64().unwrap())
        .sum();
    println!("{created} of 6 parallel uploads kept, {kept} bytes of a 1 MB quota");
    assert!(kept <= 1_000_000, "{kept} bytes kept");
    assert_eq!(created, 3);
}
