//! Periodic work: write off expired credits, warn owners 7 days before credits expire, forget
//! idempotency keys after 24 hours, delete uploads that never became images, and enforce the
//! retention schedule.
//!
//! Every replica may run the scheduler: each pass is claimed in the database first
//! ([`run_if_due`]), so any number of them make one pass per interval between them. Every step is
//! idempotent besides (expiry locks the account and only touches due grants; a warning is marked
//! sent before it goes), so a pass that overlaps another (one whose replica was taken for dead)
//! does no harm either.

use chrono::Duration;
use zimage_shared::account::Locale;

use crate::db::credits as db;
use crate::domain::credits;
use crate::error::ApiResult;
use crate::mail::{Template, render};
use crate::state::AppState;

/// How long before expiry the warning e-mail goes out.
pub const WARN_BEFORE: Duration = Duration::days(7);

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    pub credits_expired: i64,
    pub warnings_sent: usize,
    pub idempotency_keys_expired: usize,
    pub task_events_expired: usize,
    /// Uploads that never became images, deleted from storage.
    pub unowned_objects_deleted: usize,
    pub retention: crate::domain::retention::RetentionReport,
}

/// How long an `Idempotency-Key` identifies its task.
pub const IDEMPOTENCY_KEY_TTL: Duration = Duration::hours(24);

/// How long live-status events can be replayed with `Last-Event-ID`.
pub const TASK_EVENT_TTL: Duration = Duration::hours(24);

/// One pass over every account.
pub async fn run_once(state: &AppState) -> ApiResult<RunReport> {
    let now = state.clock.now();
    let mut conn = state.db.get().await?;
    let mut report = RunReport::default();
    for user_id in db::users_with_due_grants(&mut conn, now).await? {
        report.credits_expired += credits::expire_due(&mut conn, user_id, now).await?;
    }
    for (grant, email, locale) in db::grants_to_warn(&mut conn, now, now + WARN_BEFORE).await? {
        // Claim the warning first so a concurrent run does not send it too.
        if !db::mark_warned(&mut conn, grant.id).await? {
            continue;
        }
        let on = grant
            .expires_at
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let link = format!("{}/credits", state.config.public_url);
        let template = Template::CreditsExpiring {
            credits: grant.remaining,
            on: &on,
            link: &link,
        };
        let locale = Locale::parse(&locale).unwrap_or_default();
        state
            .mailer
            .send_or_log(&render(&template, locale, &email))
            .await;
        report.warnings_sent += 1;
    }
    report.idempotency_keys_expired =
        crate::db::generation::expire_idempotency_keys(&mut conn, now - IDEMPOTENCY_KEY_TTL)
            .await?;
    report.task_events_expired =
        crate::db::events::delete_older_than(&mut conn, now - TASK_EVENT_TTL).await?;
    drop(conn);
    report.unowned_objects_deleted = crate::domain::objects::sweep(state, now).await?;
    report.retention = crate::domain::retention::enforce(state, now).await?;
    if report != RunReport::default() {
        tracing::info!(
            credits_expired = report.credits_expired,
            warnings_sent = report.warnings_sent,
            unowned_objects_deleted = report.unowned_objects_deleted,
            retention = ?report.retention,
            "scheduled work done"
        );
    }
    Ok(report)
}

/// The name of the scheduler's pass in `scheduled_runs`.
const PASS: &str = "maintenance";

/// A pass that started this long ago and never finished died with its replica; another may run.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Runs [`run_once`] as `runner` if no replica started a pass within `interval` (90 % of it, so
/// replicas whose ticks drift do not skip a round) and none is under way. `None`: another
/// replica has it.
pub async fn run_if_due(
    state: &AppState,
    runner: &str,
    interval: std::time::Duration,
) -> ApiResult<Option<RunReport>> {
    let mut conn = state.db.get().await?;
    let every = interval.mul_f64(0.9);
    if !crate::db::scheduled::claim(&mut conn, PASS, runner, every, STALE_AFTER).await? {
        crate::metrics::scheduler_run("skipped");
        return Ok(None);
    }
    drop(conn);
    let report = run_once(state).await;
    crate::metrics::scheduler_run(if report.is_ok() { "ran" } else { "failed" });
    // Marked done even when it failed: the next pass is due at the next interval, not at once.
    let mut conn = state.db.get().await?;
    crate::db::scheduled::finish(&mut conn, PASS, runner).await?;
    report.map(Some)
}

/// Makes a pass every `interval`, when no other replica has made it, until the process ends.
pub async fn run_forever(state: actix_web::web::Data<AppState>, interval: std::time::Duration) {
    let runner = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = run_if_due(&state, &runner, interval).await {
            tracing::error!(error = ?err, "scheduled work failed; retrying next tick");
        }
    }
}
