//! The web app's files: precompressed assets by content negotiation, cache lifetimes, the page
//! shell, and link previews of shared images for chat apps' link fetchers.

use serde_json::{Value, json};
use std::path::Path;

use crate::helpers::{TestApp, assert_problem, spawn_app};

const MODULE_PRELOAD: &str = "<link rel=\"preload\" href=\"/assets/0123456789abcdef/app_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>";

const SHELL: &str = "<!doctype html><html><head><title>Z-Image Studio</title>\n  <!--zimage:head-->\n  <link rel=\"preload\" href=\"/assets/0123456789abcdef/app_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n</head><body><div id=\"app\"></div></body></html>";

/// Lays out a web directory as `scripts/build-web.sh` does, under the app's configured one.
fn web_dir(app: &TestApp) -> std::path::PathBuf {
    let dir = app.data_dir.join("no-web");
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), SHELL).unwrap();
    let asset = dir.join("assets/app-0123456789abcdef.wasm");
    std::fs::write(&asset, b"\0asm plain").unwrap();
    std::fs::write(with_suffix(&asset, "br"), b"brotli bytes").unwrap();
    std::fs::write(with_suffix(&asset, "gz"), b"gzip bytes").unwrap();
    std::fs::write(dir.join("assets/boot-0123456789abcdef.js"), b"import x;").unwrap();
    // The module, its glue and its chunks share a folder named by the build.
    std::fs::create_dir_all(dir.join("assets/0123456789abcdef")).unwrap();
    std::fs::write(
        dir.join("assets/0123456789abcdef/chunk_1.wasm"),
        b"\0asm chunk",
    )
    .unwrap();
    std::fs::write(dir.join("favicon.ico"), b"icon").unwrap();
    dir
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    name.into()
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn assets_are_immutable_and_sent_in_the_best_encoding_the_client_accepts() {
    let app = spawn_app().await;
    web_dir(&app);
    let path = "/assets/app-0123456789abcdef.wasm";
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (Some("br;q=0, gzip;q=0.8"), Some("gzip"), "gzip bytes"),
        (Some("identity"), None, "\0asm plain"),
        (None, None, "\0asm plain"),
    ] {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let response = get(&app, path, &headers).await;
        assert_eq!(response.status(), 200, "{accept:?}");
        let h = response.headers().clone();
        assert_eq!(h["content-type"], "application/wasm");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(h["vary"], "accept-encoding");
        assert_eq!(
            h.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(response.text().await.unwrap(), body, "{accept:?}");
    }
    // A script with no compressed copies is sent as it is.
    let script = get(
        &app,
        "/assets/boot-0123456789abcdef.js",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(script.status(), 200);
    assert!(script.headers().get("content-encoding").is_none());
    let chunk = get(&app, "/assets/0123456789abcdef/chunk_1.wasm", &[]).await;
    assert_eq!(chunk.status(), 200);
    assert_eq!(
        chunk.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(chunk.text().await.unwrap(), "\0asm chunk");
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );

    // Missing or crafted names are 404 problems, never the page shell.
    for missing in [
        "/assets/app-missing.wasm",
        "/assets/app-0123456789abcdef.wasm.br",
        "/assets/..%2findex.html",
        "/assets/0123456789abcdef/.env",
        "/assets/0123456789abcdef/..%2fapp-0123456789abcdef.wasm",
        "/assets/a/b/c.wasm",
        "/assets/0123456789abcdef/",
        "/assets/",
    ] {
        let response = get(&app, missing, &[("accept", "text/html")]).await;
        assert_problem(response, 404, "not_found").await;
    }
}

#[tokio::test]
async fn a_returning_visitors_gallery_and_create_page_are_drawn_before_the_apps_module_loads() {
    let app = spawn_app().await;
    web_dir(&app);
    let signed_in = [("cookie", "zimage_signed_in=1")];
    let gallery = get(&app, "/gallery", &signed_in).await;
    assert_eq!(gallery.headers()["vary"], "Cookie");
    let etag = gallery.headers()["etag"].to_str().unwrap().to_string();
    let html = gallery.text().await.unwrap();
    assert!(!html.contains(MODULE_PRELOAD), "{html}");
    assert_eq!(
        html.replace("  \n", &format!("  {MODULE_PRELOAD}\n")),
        SHELL
    );
    // The other shell has another validator: a cache never answers one with the other.
    let plain = get(&app, "/gallery", &[("if-none-match", &etag)]).await;
    assert_eq!(plain.status(), 200);
    // Create is previewed too (its heading and prompt field).
    let create = get(&app, "/create?prompt=x", &signed_in)
        .await
        .text()
        .await
        .unwrap();
    assert!(!create.contains(MODULE_PRELOAD), "{create}");
    // Everywhere else, and on a filtered gallery (the pictures come from the app), the module
    // is preloaded.
    for path in ["/gallery?q=fox", "/credits", "/"] {
        let page = get(&app, path, &signed_in).await.text().await.unwrap();
        assert!(page.contains(MODULE_PRELOAD), "{path}");
    }
}

#[tokio::test]
async fn the_page_shell_is_revalidated_and_root_files_are_cached_for_a_day() {
    let app = spawn_app().await;
    web_dir(&app);
    for accept in [Some("text/html,application/xhtml+xml"), Some("*/*"), None] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let page = get(&app, "/gallery", &headers).await;
        assert_eq!(page.status(), 200, "{accept:?}");
        assert_eq!(page.headers()["cache-control"], "no-cache");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let etag = page.headers()["etag"].to_str().unwrap().to_string();
        assert_eq!(page.text().await.unwrap(), SHELL);
        let again = get(&app, "/gallery", &[("if-none-match", &etag)]).await;
        assert_eq!(again.status(), 304);
    }
    let icon = get(&app, "/favicon.ico", &[]).await;
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["cache-control"], "public, max-age=86400");
    assert_eq!(icon.text().await.unwrap(), "icon");
    // API paths stay problems, whatever the client accepts.
    assert_problem(
        get(&app, "/v1/nope", &[("accept", "*/*")]).await,
        404,
        "not_found",
    )
    .await;
    // A JSON client asking for a page address is not sent HTML.
    assert_problem(
        get(&app, "/gallery", &[("accept", "application/json")]).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_shared_image_page_carries_its_preview_for_link_fetchers() {
    let app = spawn_app().await;
    web_dir(&app);
    let ada = app.signed_in_user("ada@example.org").await;
    let image = app
        .generated_image(&ada, "a lighthouse at dusk <b>\"bold\"</b>")
        .await;
    let share = |include_prompt: bool| {
        let (app, ada, image) = (&app, &ada, &image);
        async move {
            let share: Value = app
                .post_auth(
                    &format!("/v1/images/{image}/share"),
                    &ada.access,
                    &json!({"include_prompt": include_prompt}),
                )
                .await
                .json()
                .await
                .unwrap();
            share["token"].as_str().unwrap().to_string()
        }
    };
    let token = share(false).await;
    // A chat app's link fetcher: no text/html in its Accept.
    let fetcher = [
        ("accept", "*/*"),
        ("user-agent", "Slackbot-LinkExpanding 1.0"),
    ];
    let html = get(&app, &format!("/s/{token}"), &fetcher)
        .await
        .text()
        .await
        .unwrap();
    let image_url = format!("http://zimage.test/v1/shared/{token}/image");
    assert!(
        html.contains(&format!(
            "<meta property=\"og:image\" content=\"{image_url}\">"
        )),
        "{html}"
    );
    assert!(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    assert!(html.contains("<meta property=\"og:image:width\" content=\"256\">"));
    assert!(html.contains(&format!(
        "<meta property=\"og:url\" content=\"http://zimage.test/s/{token}\">"
    )));
    assert!(
        !html.contains("lighthouse"),
        "the prompt stays private unless the owner opts in"
    );
    // The image the preview names is served to anyone.
    let file = get(&app, &image_url, &[]).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");

    // Opted in, the prompt is the title, escaped.
    share(true).await;
    let html = get(&app, &format!("/s/{token}"), &fetcher)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<title>a lighthouse at dusk &lt;b&gt;&quot;bold&quot;&lt;/b&gt; · Z-Image Studio</title>"),
        "{html}"
    );
    assert!(html.contains("<meta property=\"og:title\" content=\"a lighthouse at dusk &lt;b&gt;&quot;bold&quot;&lt;/b&gt;\">"));
    assert!(!html.contains("<b>"));
    // Previews are not views.
    let listed = app.get_json("/v1/shares", &ada.access).await;
    assert_eq!(listed["items"][0]["views"], 0);

    // Revoked (or unknown): the plain shell, no preview.
    let revoked = app
        .delete_auth(&format!("/v1/images/{image}/share"), &ada.access)
        .await;
    assert_eq!(revoked.status(), 204);
    let html = get(&app, &format!("/s/{token}"), &fetcher)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html, SHELL);
    let html = get(&app, "/s/not-a-token", &fetcher)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html, SHELL);
}

#[tokio::test]
async fn a_shared_collection_page_carries_its_preview_for_link_fetchers() {
    let app = spawn_app().await;
    web_dir(&app);
    let ada = app.signed_in_user("ada@example.org").await;
    let image = app.generated_image(&ada, "a fox").await;
    let made: Value = app
        .post_auth(
            "/v1/collections",
            &ada.access,
            &json!({"name": "Foxes & <friends>"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = made["id"].as_str().unwrap();
    app.post_auth(
        &format!("/v1/collections/{id}/images"),
        &ada.access,
        &json!({"image_ids": [image]}),
    )
    .await;
    let shared: Value = app
        .post_auth(
            &format!("/v1/collections/{id}/share"),
            &ada.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = shared["token"].as_str().unwrap();
    let fetcher = [("accept", "*/*"), ("user-agent", "Discordbot/2.0")];
    let html = get(&app, &format!("/c/{token}"), &fetcher)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<title>Foxes &amp; &lt;friends&gt; · Z-Image Studio</title>"),
        "{html}"
    );
    assert!(html.contains(
        "<meta property=\"og:description\" content=\"A collection of 1 image made with Z-Image Studio.\">"
    ));
    assert!(html.contains("<meta property=\"og:image:type\" content=\"image/png\">"));
    assert!(
        html.contains(&format!("/v1/images/{image}/file?")),
        "{html}"
    );
    // A preview is not a view.
    let listed = app
        .get_json(&format!("/v1/collections/{id}/share"), &ada.access)
        .await;
    assert_eq!(listed["views"], 0);
    // Revoked: the plain shell.
    app.delete_auth(&format!("/v1/collections/{id}/share"), &ada.access)
        .await;
    let html = get(&app, &format!("/c/{token}"), &fetcher)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html, SHELL);
}
