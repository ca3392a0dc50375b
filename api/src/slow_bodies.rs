//! Request bodies must keep arriving: a client that sends its body slower than the limits (no
//! bytes for `ZIMAGE_BODY_IDLE_TIMEOUT_SECS`, or not all of it within
//! `ZIMAGE_BODY_TIMEOUT_SECS`) gets 408 and its connection back, instead of holding a worker's
//! attention and a buffer for as long as it likes (slow-body "slowloris" attacks).
//!
//! Request heads are bounded by the server's own client-request timeout; this covers bodies.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpMessage, ResponseError};
use futures_util::StreamExt;
use tokio::time::Instant;
use zimage_shared::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

fn too_slow() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the request body arrived too slowly",
    ))
}

/// `payload`, failing once it stalls for `idle` or runs past `total`; `fired` records that.
fn timed(
    payload: Payload,
    idle: Duration,
    total: Duration,
    fired: Rc<Cell<bool>>,
) -> impl futures_util::Stream<Item = Result<Bytes, PayloadError>> {
    let deadline = Instant::now() + total;
    // Readers may poll again after the end (multipart does): fused by the caller.
    futures_util::stream::unfold(Some(payload), move |state| {
        let fired = fired.clone();
        async move {
            let mut payload = state?;
            let wait = idle.min(deadline.saturating_duration_since(Instant::now()));
            match tokio::time::timeout(wait, payload.next()).await {
                Ok(Some(piece)) => Some((piece, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    fired.set(true);
                    Some((Err(too_slow()), None))
                }
            }
        }
    })
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some((idle, total)) = req
        .app_data::<Data<AppState>>()
        .map(|state| (state.config.body_idle_timeout, state.config.body_timeout))
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let fired = Rc::new(Cell::new(false));
    let payload = req.take_payload();
    let stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(timed(payload, idle, total, fired.clone()).fuse());
    req.set_payload(Payload::from(stream));
    let answer = next.call(req).await;
    if !fired.get() {
        return Ok(answer?.map_into_boxed_body());
    }
    let problem = ApiError::new(
        ErrorCode::RequestTimeout,
        format!(
            "the request body arrived too slowly (allowed: a pause of at most {} s, all of it \
             within {} s)",
            idle.as_secs(),
            total.as_secs()
        ),
    );
    match answer {
        Ok(answered) => {
            let mut response = problem.error_response();
            // The rest of the body is not worth waiting for.
            response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            Ok(answered.into_response(response))
        }
        Err(_) => Err(problem.into()),
    }
}
