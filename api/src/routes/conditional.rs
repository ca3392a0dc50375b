//! Conditional and partial reads (RFC 9110 §§ 8.8.3, 13.1.2, 14): `ETag` with `If-None-Match` on
//! resource reads, so a client polling a task or re-listing an image is answered `304` without a
//! body when nothing changed; and `Range` on file downloads, so an interrupted download resumes.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// Whether `If-None-Match` names `etag` (or is `*`): the client's copy is current.
pub fn unchanged(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

pub fn not_modified(etag: &str) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, etag))
        .finish()
}

/// A JSON resource with a strong `ETag` (a digest of its bytes), or `304` when the client's
/// `If-None-Match` names it. Signed URLs inside change only hourly, so the tag is stable while
/// the resource is.
pub fn json(req: &HttpRequest, body: &impl serde::Serialize) -> ApiResult<HttpResponse> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let digest = Sha256::digest(&bytes);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    if unchanged(req, &etag) {
        return Ok(not_modified(&etag));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .content_type("application/json")
        .body(bytes))
}

/// A file download: `etag` names this exact content (files never change under their id), a
/// matching `If-None-Match` answers `304`, and one `Range: bytes=…` answers `206` with that part
/// (`416` when it lies outside the file). Several ranges are served as the whole file, which
/// RFC 9110 allows.
pub fn file(
    req: &HttpRequest,
    bytes: Vec<u8>,
    etag: &str,
    headers: &[(header::HeaderName, String)],
) -> HttpResponse {
    if unchanged(req, etag) {
        return not_modified(etag);
    }
    let total = bytes.len();
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, total));
    let mut response = match range {
        Some(Err(())) => {
            let mut response = HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE);
            response.insert_header((header::CONTENT_RANGE, format!("bytes */{total}")));
            return response.finish();
        }
        Some(Ok(_)) | None => HttpResponse::build(match range {
            Some(Ok(_)) => StatusCode::PARTIAL_CONTENT,
            _ => StatusCode::OK,
        }),
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
    for (name, value) in headers {
        response.insert_header((name.clone(), value.as_str()));
    }
    match range {
        Some(Ok((start, end))) => {
            response.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{total}"),
            ));
            response.body(bytes[start..=end].to_vec())
        }
        _ => response.body(bytes),
    }
}

/// One `bytes=` range of a body of `total` bytes as inclusive offsets: `None` to serve it
/// whole (no range, several, or another unit), `Err` when none of it lies in the body.
fn parse_range(value: &str, total: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if total == 0 {
        return Some(Err(()));
    }
    if first.is_empty() {
        // The last N bytes.
        let n: usize = last.parse().ok()?;
        if n == 0 {
            return Some(Err(()));
        }
        return Some(Ok((total.saturating_sub(n), total - 1)));
    }
    let start: usize = first.parse().ok()?;
    if start >= total {
        return Some(Err(()));
    }
    let end = if last.is_empty() {
        total - 1
    } else {
        let end: usize = last.parse().ok()?;
        if end < start {
            return None;
        }
        end.min(total - 1)
    };
    Some(Ok((start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=-500", 100), Some(Ok((0, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Some(Ok((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=-0", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
        assert_eq!(parse_range("bytes=9-2", 100), None);
        assert_eq!(parse_range("bytes=x-2", 100), None);
    }
}
