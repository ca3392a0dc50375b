//! What every hosted provider client shares: an HTTP client with timeouts, error classification
//! and capped, content-checked downloads of result images.

use std::time::Duration;

use zimage_shared::generation::OutputFormat;

use super::{FailureReason, GeneratedImage, ImageData, ProviderError, Spooled};

/// Largest result image accepted from a provider.
pub const MAX_RESULT_BYTES: usize = 50 * 1024 * 1024;

/// Timeouts for provider calls.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// For a whole request (submit, status, one image download).
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(60),
        }
    }
}

/// Makes `ring` the process's TLS crypto provider (for every reqwest client); repeat calls are
/// harmless.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client for one provider (no redirects to other hosts' credentials: the key is sent per
/// request, and reqwest drops `Authorization` on cross-host redirects).
pub fn client(timeouts: Timeouts) -> anyhow::Result<reqwest::Client> {
    install_crypto();
    Ok(reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .user_agent(concat!("zimage-studio/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// Network trouble is always worth a retry; a timeout says so.
pub fn network(err: &reqwest::Error) -> ProviderError {
    if err.is_timeout() {
        ProviderError::Transient("the provider did not answer in time".into())
    } else {
        // No URL in the message: it may carry the provider's request ids, never keys.
        ProviderError::Transient(format!(
            "could not reach the provider ({})",
            if err.is_connect() {
                "connect"
            } else {
                "request"
            }
        ))
    }
}

/// Network trouble while submitting. Only a failed connection proves the provider never saw the
/// request; after that (a timeout, a dropped connection) it may have started a paid job.
pub fn submit_network(err: &reqwest::Error) -> ProviderError {
    if err.is_connect() {
        network(err)
    } else {
        ProviderError::Unconfirmed(
            "the connection to the provider failed after the submission was sent".into(),
        )
    }
}

/// Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(u64::try_from(secs).unwrap_or(0))
}

/// Classifies an HTTP status that is not a success.
pub fn status_error(status: u16, what: &str) -> ProviderError {
    match status {
        408 | 409 | 425 | 429 | 500 | 502 | 503 | 504 => {
            ProviderError::Transient(format!("{what}: the provider answered {status}"))
        }
        401 | 403 => {
            tracing::error!(
                alert = true,
                status,
                "a provider refused our credentials; check its API key"
            );
            ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                message: format!("{what}: the provider refused our credentials"),
            }
        }
        _ => ProviderError::Permanent {
            reason: FailureReason::ProviderRejectedPrompt,
            message: format!("{what}: the provider answered {status}"),
        },
    }
}

/// A hosted provider's answer to a submission that failed with `status`: a gateway's 502 or 504
/// may come after the provider took the job (the gateway lost its answer), so such a submission
/// is never sent again, there or at another backend, where it could be billed twice; anything
/// else stays as it was.
pub fn after_submit(status: u16, err: ProviderError) -> ProviderError {
    match (status, err) {
        (
            502 | 504,
            ProviderError::Transient(message) | ProviderError::Throttled { message, .. },
        ) => ProviderError::Unconfirmed(format!(
            "{message} (a gateway's error: the job may have been started)"
        )),
        (_, err) => err,
    }
}

/// Reads at most `limit` bytes of a response body.
pub async fn capped_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ProviderError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| network(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large() -> ProviderError {
    ProviderError::Permanent {
        reason: FailureReason::InvalidOutput,
        message: "the provider's result is larger than allowed".into(),
    }
}

fn invalid(message: &str) -> ProviderError {
    ProviderError::Permanent {
        reason: FailureReason::InvalidOutput,
        message: message.to_string(),
    }
}

/// The image format a file's first bytes show (not what it claims to be): PNG, JPEG or WebP.
fn sniff(head: &[u8]) -> Result<OutputFormat, ProviderError> {
    match image::guess_format(head) {
        Ok(image::ImageFormat::Png) => Ok(OutputFormat::Png),
        Ok(image::ImageFormat::Jpeg) => Ok(OutputFormat::Jpeg),
        Ok(image::ImageFormat::WebP) => Ok(OutputFormat::Webp),
        _ => Err(invalid(
            "the provider returned something that is not an image",
        )),
    }
}

/// Checks bytes are a PNG, JPEG or WebP image by their content (not by what they claim to be).
/// The pixels are decoded and measured once, when the image is kept (`render::keep`).
pub fn inspect_image(bytes: Vec<u8>) -> Result<GeneratedImage, ProviderError> {
    Ok(GeneratedImage {
        pixels: None,
        format: sniff(&bytes)?,
        data: ImageData::Bytes(bytes),
    })
}

/// Where a provider's result images may be fetched from: its own configured host (at whatever
/// address: the operator chose it), or the hosts that serve its files and their subdomains (at
/// public addresses only). Anything else a provider names (a link to a cloud metadata address,
/// an intranet host) is refused, and so is each redirect hop that leads there.
#[derive(Debug, Clone)]
pub struct Downloads {
    own: String,
    hosts: Vec<String>,
    timeouts: Timeouts,
}

/// Redirects followed per download, each checked like the first address.
const MAX_REDIRECTS: usize = 3;

impl Downloads {
    /// `own_url`: the provider's configured base URL; `hosts`: domains serving its files.
    pub fn new(own_url: &str, hosts: &[String], timeouts: Timeouts) -> Self {
        Self {
            own: reqwest::Url::parse(own_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .unwrap_or_default(),
            hosts: hosts
                .iter()
                .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            timeouts,
        }
    }

    /// `None` when `url` may not be fetched; otherwise whether private addresses are fine.
    fn admits(&self, url: &reqwest::Url) -> Option<bool> {
        if !matches!(url.scheme(), "https" | "http") {
            return None;
        }
        let host = url.host_str()?.to_ascii_lowercase();
        if !self.own.is_empty() && host == self.own {
            return Some(true);
        }
        let listed = self
            .hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        (listed && url.scheme() == "https").then_some(false)
    }
}

fn not_ours(message: &str) -> ProviderError {
    ProviderError::Permanent {
        reason: FailureReason::InvalidOutput,
        message: message.into(),
    }
}

/// Downloads one result image into a file in `spool` as it arrives (size-capped, recognised by
/// its content), so a download never sits whole in memory; the file goes when the image does.
/// Only from where `downloads` admits, following at most three redirects, each checked again.
pub async fn download_image(
    downloads: &Downloads,
    url: &str,
    spool: &std::path::Path,
) -> Result<GeneratedImage, ProviderError> {
    let mut url = reqwest::Url::parse(url)
        .map_err(|_| not_ours("the provider returned an invalid image URL"))?;
    for _ in 0..=MAX_REDIRECTS {
        let private_ok = downloads.admits(&url).ok_or_else(|| {
            not_ours("the provider returned an image URL outside its own hosts; not fetched")
        })?;
        let address = crate::outbound::resolve_public(&url, private_ok)
            .await
            .map_err(|_| not_ours("the provider's image URL leads to a private address"))?;
        let client = crate::outbound::pinned_client(
            &url,
            address,
            downloads.timeouts.connect,
            downloads.timeouts.request,
            concat!("zimage-studio/", env!("CARGO_PKG_VERSION")),
        )
        .map_err(|e| network(&e))?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| network(&e))?;
        if response.status().is_redirection() {
            let next = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .ok_or_else(|| not_ours("the provider's image URL redirects nowhere"))?;
            url = next;
            continue;
        }
        if !response.status().is_success() {
            return Err(status_error(
                response.status().as_u16(),
                "downloading the image",
            ));
        }
        return spool_image(response, spool).await;
    }
    Err(not_ours("the provider's image URL redirects too often"))
}

/// Removes spool files older than `age` (left by a process that died while finishing a task;
/// those of live processes are minutes old at most).
pub fn sweep_spool(spool: &std::path::Path, age: Duration) {
    let Ok(entries) = std::fs::read_dir(spool) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|elapsed| elapsed > age);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

async fn spool_image(
    mut response: reqwest::Response,
    spool: &std::path::Path,
) -> Result<GeneratedImage, ProviderError> {
    use tokio::io::AsyncWriteExt;
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESULT_BYTES as u64)
    {
        return Err(too_large());
    }
    let local = |e: std::io::Error| ProviderError::Transient(format!("spooling a result: {e}"));
    crate::storage::local::private_dir(spool)
        .await
        .map_err(local)?;
    let file = Spooled::new(spool.join(format!("result-{}", uuid::Uuid::new_v4().simple())));
    let mut out = crate::storage::local::private_file(file.path())
        .await
        .map_err(local)?;
    let (mut head, mut len) = (Vec::with_capacity(32), 0usize);
    while let Some(chunk) = response.chunk().await.map_err(|e| network(&e))? {
        len += chunk.len();
        if len > MAX_RESULT_BYTES {
            return Err(too_large());
        }
        if head.len() < 32 {
            head.extend_from_slice(&chunk[..chunk.len().min(32 - head.len())]);
        }
        out.write_all(&chunk).await.map_err(local)?;
    }
    out.flush().await.map_err(local)?;
    drop(out);
    // The pixels are decoded and measured once, on an image-work slot, when the image is kept.
    Ok(GeneratedImage {
        pixels: None,
        format: sniff(&head)?,
        data: ImageData::Spooled(file),
    })
}

/// Decodes a `data:image/...;base64,...` URI (fal's `sync_mode`) into an image.
pub fn data_uri_image(uri: &str) -> Option<Result<GeneratedImage, ProviderError>> {
    use base64::Engine;
    let rest = uri.strip_prefix("data:")?;
    let (_, data) = rest.split_once(";base64,")?;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| ProviderError::Permanent {
                reason: FailureReason::InvalidOutput,
                message: "the provider returned undecodable image data".into(),
            })
            .and_then(|bytes| {
                if bytes.len() > MAX_RESULT_BYTES {
                    Err(too_large())
                } else {
                    inspect_image(bytes)
                }
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::render;

    #[test]
    fn retry_after_reads_seconds_and_dates_and_turns_transient_into_throttled() {
        use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(7));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert!(matches!(retry_after(&headers), Some(88..=90)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            retry_after(&headers),
            Some(0),
            "a date in the past means now"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
        assert!(matches!(
            status_error(429, "x").with_retry_after(Some(3)),
            ProviderError::Throttled {
                retry_after_secs: 3,
                ..
            }
        ));
        assert!(matches!(
            status_error(422, "x").with_retry_after(Some(3)),
            ProviderError::Permanent { .. }
        ));
    }

    #[test]
    fn images_are_recognised_by_content_not_by_name() {
        let png = render::render("x", 1, 64, 48, OutputFormat::Png).unwrap();
        let image = inspect_image(png).unwrap();
        let kept = render::keep(image.data, image.format, None, image.format).unwrap();
        assert_eq!(
            (kept.format, kept.width, kept.height),
            (OutputFormat::Png, 64, 48)
        );
        let webp = render::render("x", 1, 64, 48, OutputFormat::Webp).unwrap();
        assert_eq!(inspect_image(webp).unwrap().format, OutputFormat::Webp);
        for junk in [
            b"<html>not an image</html>".to_vec(),
            b"GIF89a......".to_vec(),
            vec![],
        ] {
            assert!(matches!(
                inspect_image(junk),
                Err(ProviderError::Permanent {
                    reason: FailureReason::InvalidOutput,
                    ..
                })
            ));
        }
    }

    #[test]
    fn statuses_split_into_retryable_and_final() {
        for transient in [429, 500, 502, 503, 504] {
            assert!(matches!(
                status_error(transient, "x"),
                ProviderError::Transient(_)
            ));
        }
        assert!(matches!(
            status_error(401, "x"),
            ProviderError::Permanent {
                reason: FailureReason::ProviderUnavailable,
                ..
            }
        ));
        assert!(matches!(
            status_error(422, "x"),
            ProviderError::Permanent {
                reason: FailureReason::ProviderRejectedPrompt,
                ..
            }
        ));
    }
}
