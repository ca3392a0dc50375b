//! Every JSON request body of the API is an object. serde would also read a struct from an array
//! of its fields in order (`[null, null]` as `{}`), which the document does not allow; this
//! middleware refuses any JSON body that does not start with `{` before a handler sees it.
//!
//! Only the first bytes are looked at; the body then streams on to the extractor unchanged.
//! Provider and payment webhooks (`/v1/webhooks/…`) verify signatures over their raw bytes and
//! are left alone.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;
use zimage_shared::ErrorCode;

use crate::error::ApiError;

/// Most bytes read while looking for the first non-blank one (the extractor enforces sizes).
const MAX_LEADING_BLANKS: usize = 64 * 1024;

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .is_some_and(|essence| essence == "application/json" || essence.ends_with("+json"))
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !is_json(&req) || req.path().starts_with("/v1/webhooks/") {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let mut payload = req.take_payload();
    let mut head = BytesMut::new();
    let first = loop {
        if let Some(&b) = head.iter().find(|b| !b.is_ascii_whitespace()) {
            break Some(b);
        }
        if head.len() > MAX_LEADING_BLANKS {
            break None;
        }
        match payload.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(err)) => return Err(err.into()),
            None => break None,
        }
    };
    if first.is_some_and(|b| b != b'{') {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "the body must be a JSON object",
        )
        .into());
    }
    let head: Result<Bytes, PayloadError> = Ok(head.freeze());
    let rest = futures_util::stream::once(async move { head }).chain(payload);
    req.set_payload(Payload::Stream {
        payload: Box::pin(rest),
    });
    Ok(next.call(req).await?.map_into_boxed_body())
}
