//! Builds data exports: claims a pending export (or one whose builder died), writes the archive,
//! records it and e-mails the owner. Several processes may run this; claims skip locked rows.

use std::time::Duration;

use chrono::Duration as Span;

use crate::db::{privacy as db, users};
use crate::domain::export;
use crate::domain::privacy::EXPORT_TTL_DAYS;
use crate::error::ApiResult;
use crate::mail::{Template, render};
use crate::state::AppState;

/// How long one build may hold its claim before another process takes over.
const LEASE: Span = Span::minutes(30);
/// Builds tried before the request is marked failed.
const MAX_ATTEMPTS: i32 = 3;

/// Builds exports until `stop`; idle, it waits for a notification or 5 s.
pub async fn run(
    state: actix_web::web::Data<AppState>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        // Registered before looking, so an announcement made while we look still wakes us.
        let announced = wake.notified();
        tokio::pin!(announced);
        announced.as_mut().enable();
        let idle = match next(&state).await {
            Ok(built) => !built,
            Err(err) => {
                tracing::error!(error = ?err, "export step failed");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = &mut announced => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// Builds one export if any is waiting; true when one was taken.
pub async fn next(state: &AppState) -> ApiResult<bool> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let Some(request) = db::claim_export(&mut conn, now, now + LEASE).await? else {
        return Ok(false);
    };
    drop(conn);
    let Some(user_id) = request.user_id else {
        return Ok(true);
    };
    let key = format!("users/{user_id}/exports/{}.zip", request.id);
    let started = std::time::Instant::now();
    match export::build(state, user_id, &key).await {
        Ok(bytes) => {
            let now = state.clock.now();
            let until = now + Span::days(EXPORT_TTL_DAYS);
            let mut conn = state.db.get().await?;
            if !db::complete_export(&mut conn, request.id, &key, bytes, until, now).await? {
                // Withdrawn or taken over meanwhile: this archive is not wanted.
                use crate::storage::ObjectStore;
                let _ = state.storage.delete(&key).await;
                return Ok(true);
            }
            tracing::info!(request_id = %request.id, bytes, elapsed_ms = started.elapsed().as_millis() as u64, "export built");
            if let Some(user) = users::find(&mut conn, user_id).await? {
                let link = format!("{}/privacy", state.config.public_url);
                let until = until.format("%Y-%m-%d %H:%M UTC").to_string();
                state
                    .mailer
                    .send_or_log(&render(
                        &Template::ExportReady {
                            link: &link,
                            until: &until,
                        },
                        user.locale(),
                        &user.email,
                    ))
                    .await;
            }
        }
        Err(err) => {
            let give_up = request.attempts >= MAX_ATTEMPTS;
            tracing::error!(request_id = %request.id, attempt = request.attempts, give_up, error = ?err, "export build failed");
            let mut conn = state.db.get().await?;
            let message = if give_up {
                "the export could not be built; support has been alerted"
            } else {
                "the export failed and will be retried"
            };
            db::export_failed(&mut conn, request.id, message, give_up, state.clock.now()).await?;
        }
    }
    Ok(true)
}
