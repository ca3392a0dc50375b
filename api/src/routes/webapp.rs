//! The web app's files, as `scripts/build-web.sh` lays them out in the web directory:
//! - `/assets/<name>-<hash>.<ext>`: scripts and the wasm, named by their contents, so sent as
//!   immutable for a year, each in the best of its precompressed copies (`.br`, `.gz`) that the
//!   client accepts;
//! - a few fixed names at the root (icons, the web manifest, `robots.txt`), cached for a day;
//! - `index.html`, the shell every page address answers with (`no-cache`, with an `ETag`). For a
//!   shared image's page it names the image in its title and carries Open Graph and Twitter
//!   tags, so chat apps and social sites show a preview: their link fetchers get the HTML too.

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const A_DAY: &str = "public, max-age=86400";

/// A file name we serve: letters, digits, `-`, `_` and inner dots, nothing that walks the tree.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The codings the client accepts with a non-zero weight (`identity` is always acceptable).
fn accepts(req: &HttpRequest, coding: &str) -> bool {
    super::weighted(req, header::ACCEPT_ENCODING)
        .any(|(name, weight)| (name.eq_ignore_ascii_case(coding) || name == "*") && weight > 0.0)
}

/// Serves `path` in the smallest precompressed copy the client accepts, with `cache`.
async fn send(req: &HttpRequest, path: &Path, cache: &'static str) -> ApiResult<HttpResponse> {
    let content_type = actix_files::file_extension_to_mime(
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
    );
    let mut candidates = Vec::with_capacity(3);
    for (coding, name, suffix) in [
        (ContentEncoding::Brotli, "br", "br"),
        (ContentEncoding::Gzip, "gzip", "gz"),
    ] {
        if accepts(req, name) {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".{suffix}"));
            candidates.push((Some(coding), PathBuf::from(name)));
        }
    }
    candidates.push((None, path.to_path_buf()));
    for (coding, candidate) in candidates {
        let Ok(file) = NamedFile::open_async(&candidate).await else {
            continue;
        };
        let mut file = file
            .set_content_type(content_type.clone())
            .use_last_modified(false);
        if let Some(coding) = coding {
            file = file.set_content_encoding(coding);
        }
        let mut response = file.into_response(req);
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        return Ok(response);
    }
    Err(not_found(req))
}

fn not_found(req: &HttpRequest) -> ApiError {
    ApiError::new(
        zimage_shared::ErrorCode::NotFound,
        format!("no file at {}", req.path()),
    )
}

/// `GET /assets/{name}` or `/assets/{build}/{name}`: a file whose name (or folder) carries the
/// hash of its contents, so immutable. The wasm module, its glue and its lazily loaded chunks
/// share one folder per build, as they import each other by relative names.
pub async fn asset(req: &HttpRequest, state: &AppState, name: &str) -> ApiResult<HttpResponse> {
    let parts: Vec<&str> = name.split('/').collect();
    let plain = matches!(parts.len(), 1 | 2) && parts.iter().all(|part| plain_name(part));
    if !plain || name.ends_with(".br") || name.ends_with(".gz") {
        return Err(not_found(req));
    }
    let mut path = state.config.web_dir.join("assets");
    path.extend(&parts);
    send(req, &path, IMMUTABLE).await
}

/// A fixed-name file at the web directory's root (`favicon.ico`, `manifest.webmanifest`, …), if
/// `path` names one; `index.html` is never one (it is the page shell).
pub async fn root_file(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    let name = req.path().strip_prefix('/')?;
    if !plain_name(name)
        || !name.contains('.')
        || name == "index.html"
        || name.ends_with(".br")
        || name.ends_with(".gz")
    {
        return None;
    }
    let path = state.config.web_dir.join(name);
    if !path.is_file() {
        return None;
    }
    send(req, &path, A_DAY).await.ok()
}

/// Escapes text for an HTML attribute value or element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, cut at a word with an ellipsis when longer.
fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// What a page's preview shows.
struct Preview {
    title: String,
    description: String,
    image: Option<(String, u32, u32, &'static str)>,
}

/// The preview of a shared image's page (`/s/{token}`), when the link is live.
async fn share_preview(state: &AppState, token: &str) -> Option<Preview> {
    let card = crate::domain::shares::card(state, token, false)
        .await
        .ok()?;
    let title = match &card.prompt {
        Some(prompt) => clip(prompt, 70),
        None => "A shared image".to_string(),
    };
    let description = match &card.prompt {
        Some(prompt) => clip(prompt, 200),
        None => format!(
            "A {} × {} image made with Z-Image Studio.",
            card.width, card.height
        ),
    };
    Some(Preview {
        title,
        description,
        image: Some((
            format!(
                "{}{}",
                state.config.public_url.trim_end_matches('/'),
                card.image_url
            ),
            card.width,
            card.height,
            card.format.content_type(),
        )),
    })
}

/// The preview of a shared collection's page (`/c/{token}`), when the link is live: its name,
/// description or image count, and its newest image.
async fn collection_preview(state: &AppState, token: &str) -> Option<Preview> {
    let first = crate::pagination::PageRequest {
        after: None,
        limit: 1,
    };
    let shared = crate::domain::shares::shared_collection(state, token, first, false)
        .await
        .ok()?;
    let description = match &shared.description {
        Some(text) if !text.trim().is_empty() => clip(text, 200),
        _ => format!(
            "A collection of {} image{} made with Z-Image Studio.",
            shared.image_count,
            if shared.image_count == 1 { "" } else { "s" }
        ),
    };
    Some(Preview {
        title: clip(&shared.name, 70),
        description,
        image: shared.items.first().map(|image| {
            (
                image.url.clone(),
                image.width,
                image.height,
                image.format.content_type(),
            )
        }),
    })
}

/// The `<head>` tags of a preview.
fn head_tags(preview: &Preview, page_url: &str) -> String {
    let title = escape(&preview.title);
    let description = escape(&preview.description);
    let mut tags = format!(
        "<meta property=\"og:type\" content=\"website\">\n  \
         <meta property=\"og:site_name\" content=\"Z-Image Studio\">\n  \
         <meta property=\"og:title\" content=\"{title}\">\n  \
         <meta property=\"og:description\" content=\"{description}\">\n  \
         <meta property=\"og:url\" content=\"{}\">\n  \
         <meta name=\"twitter:title\" content=\"{title}\">\n  \
         <meta name=\"twitter:description\" content=\"{description}\">",
        escape(page_url)
    );
    match &preview.image {
        Some((url, width, height, content_type)) => {
            let url = escape(url);
            tags.push_str(&format!(
                "\n  <meta property=\"og:image\" content=\"{url}\">\n  \
                 <meta property=\"og:image:type\" content=\"{content_type}\">\n  \
                 <meta property=\"og:image:width\" content=\"{width}\">\n  \
                 <meta property=\"og:image:height\" content=\"{height}\">\n  \
                 <meta property=\"og:image:alt\" content=\"{title}\">\n  \
                 <meta name=\"twitter:card\" content=\"summary_large_image\">\n  \
                 <meta name=\"twitter:image\" content=\"{url}\">\n  \
                 <meta name=\"twitter:image:alt\" content=\"{title}\">"
            ));
        }
        None => tags.push_str("\n  <meta name=\"twitter:card\" content=\"summary\">"),
    }
    tags
}

/// The page shell for `req`'s address, with the preview of a shared link when it is one.
pub async fn page(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    let shell = tokio::fs::read_to_string(state.config.web_dir.join("index.html"))
        .await
        .ok()?;
    let path = req.path();
    // Counted with the share API's reads, so pages cannot be used to guess links faster.
    let token_in = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|token| !token.is_empty() && !token.contains('/'))
    };
    let preview = match (token_in("/s/"), token_in("/c/")) {
        (Some(token), _) if super::shares::limit(state, req).await.is_ok() => {
            share_preview(state, token).await
        }
        (_, Some(token)) if super::shares::limit(state, req).await.is_ok() => {
            collection_preview(state, token).await
        }
        _ => None,
    };
    let html = match &preview {
        Some(preview) => {
            let page_url = format!(
                "{}{}",
                state.config.public_url.trim_end_matches('/'),
                req.path()
            );
            let title = format!("{} · Z-Image Studio", escape(&preview.title));
            shell
                .replacen(
                    "<title>Z-Image Studio</title>",
                    &format!("<title>{title}</title>"),
                    1,
                )
                .replacen("<!--zimage:head-->", &head_tags(preview, &page_url), 1)
        }
        None => shell,
    };
    let html = if preview_first(req) {
        without_module_preload(&html)
    } else {
        html
    };
    let digest = Sha256::digest(html.as_bytes());
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    if super::conditional::unchanged(req, &etag) {
        return Some(super::conditional::not_modified(&etag));
    }
    Some(
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::VARY, "Cookie"))
            .body(html),
    )
}

/// Whether `boot.js` draws a signed-in visitor's page before the app's code arrives:
/// - the unfiltered gallery, where it reads the first page of images and draws them;
/// - Create, whose heading and prompt field it draws (its texts come from the app's).
///
/// There the app's module is not preloaded, so on a slow link the preview does not share it
/// with 370 kB of code; `boot.js` fetches the module once the preview is painted. On Lighthouse's
/// slow 4G: the gallery's largest picture at 1.7 s instead of 3.7 s, Create's text at 0.7 s
/// instead of 3.5 s; either page interactive about 0.2 s later.
fn preview_first(req: &HttpRequest) -> bool {
    let previewed = match req.path() {
        "/gallery" => req.query_string().is_empty(),
        "/create" => true,
        _ => false,
    };
    previewed && req.cookie(super::auth::SIGNED_IN_COOKIE).is_some()
}

/// `html` without its `<link rel="preload">` of the app's WebAssembly module.
fn without_module_preload(html: &str) -> String {
    let found = html
        .match_indices("<link rel=\"preload\"")
        .find_map(|(start, _)| {
            let end = start + html[start..].find('>')? + 1;
            html[start..end].contains(".wasm").then_some((start, end))
        });
    match found {
        Some((start, end)) => format!("{}{}", &html[..start], &html[end..]),
        None => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, escape, plain_name, without_module_preload};

    #[test]
    fn only_the_module_preload_is_taken_out() {
        let shell = "<head><link rel=\"modulepreload\" href=\"/a/app.js\">\n  <link rel=\"preload\" href=\"/a/font.woff2\" as=\"font\">\n  <link rel=\"preload\" href=\"/a/app_bg.wasm\" as=\"fetch\" crossorigin>\n</head>";
        assert_eq!(
            without_module_preload(shell),
            "<head><link rel=\"modulepreload\" href=\"/a/app.js\">\n  <link rel=\"preload\" href=\"/a/font.woff2\" as=\"font\">\n  \n</head>"
        );
        assert_eq!(without_module_preload("<head></head>"), "<head></head>");
    }

    #[test]
    fn names_that_walk_the_tree_are_refused() {
        assert!(plain_name("app-0123abcd.wasm"));
        assert!(!plain_name("../secret"));
        assert!(!plain_name(".env"));
        assert!(!plain_name("a/b"));
        assert!(!plain_name("a\\b"));
        assert!(!plain_name(""));
    }

    #[test]
    fn previews_escape_and_clip_what_users_wrote() {
        assert_eq!(
            escape("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
        assert_eq!(clip("a  short\nprompt", 70), "a short prompt");
        assert_eq!(clip("one two three four", 10), "one two…");
    }
}
