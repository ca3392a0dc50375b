//! Prometheus metrics on a listener of their own (`ZIMAGE_METRICS_BIND`, off by default), so they
//! are not reachable through the public address: HTTP requests by route template, method and
//! status with their latency (live streams excluded from latency); the job queue by state
//! (queued, running: being submitted or finished, waiting: accepted by the provider) and
//! provider; tasks in flight, their outcomes and the credits they moved; provider calls and their
//! latency; webhook deliveries; the database pools; open live streams; scheduler passes; and the
//! build.
//!
//! Counters count what this process did (sum them across replicas); the `zimage_queue_jobs` and
//! `zimage_credits_held` gauges are read from the database at each scrape, so every replica
//! reports the same figure (take `max`, not `sum`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

use crate::state::AppState;

/// The process's recorder (one per process: the `metrics` facade is global).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        const BUCKETS: [f64; 11] = [
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        // Only an empty list of buckets is refused; without them histograms become summaries.
        let recorder = match PrometheusBuilder::new().set_buckets(&BUCKETS) {
            Ok(builder) => builder.build_recorder(),
            Err(_) => PrometheusBuilder::new().build_recorder(),
        };
        let handle = recorder.handle();
        // Another recorder may already be installed (tests, embedding); ours then records nothing
        // and the endpoint shows only what is refreshed at each scrape.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        metrics::gauge!(
            "zimage_build_info",
            "version" => env!("CARGO_PKG_VERSION"),
        )
        .set(1.0);
        handle
    })
}

/// The help text of every metric (Prometheus's checker asks for one each).
fn describe() {
    use metrics::Unit;
    metrics::describe_gauge!(
        "zimage_build_info",
        "The running build: always 1, labelled with its version."
    );
    metrics::describe_counter!(
        "zimage_http_requests_total",
        "HTTP requests answered, by method, route template and status."
    );
    metrics::describe_histogram!(
        "zimage_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request (live event streams left out), by method and route template."
    );
    metrics::describe_gauge!(
        "zimage_queue_jobs",
        "Generation jobs not finished, by state (queued, running, waiting) and provider, as the database has them at the scrape; the same on every replica."
    );
    metrics::describe_counter!(
        "zimage_metrics_refresh_failures_total",
        "Scrapes whose database figures could not be read."
    );
    metrics::describe_gauge!(
        "zimage_tasks_in_flight",
        "Generation tasks this process has taken on (claimed, at the provider or being stored), by provider."
    );
    metrics::describe_counter!(
        "zimage_task_outcomes_total",
        "Generation tasks ended by this process, by provider, outcome (succeeded, failed, canceled) and failure code (none when there is none)."
    );
    metrics::describe_counter!(
        "zimage_credits_total",
        "Credits moved by generation tasks in this process: held when queued, settled when charged, refunded when given back."
    );
    metrics::describe_gauge!(
        "zimage_credits_held",
        "Credits held for tasks not yet ended, as the database has them at the scrape; the same on every replica."
    );
    metrics::describe_counter!(
        "zimage_provider_requests_total",
        "Calls to a provider, by provider, call (submit, poll, collect, cancel) and outcome (ok, transient, throttled, unconfirmed, permanent, abandoned: given up before an answer)."
    );
    metrics::describe_histogram!(
        "zimage_provider_request_duration_seconds",
        Unit::Seconds,
        "Time a provider call took, by provider and call."
    );
    metrics::describe_counter!(
        "zimage_webhook_deliveries_total",
        "Webhook delivery attempts, by outcome (delivered, retrying, failed: given up)."
    );
    metrics::describe_gauge!(
        "zimage_db_connections",
        "Database connections open in this process, by state (in_use, idle)."
    );
    metrics::describe_gauge!(
        "zimage_db_connections_max",
        "Database connections this process may open at most."
    );
    metrics::describe_gauge!(
        "zimage_db_waiting",
        "Callers in this process waiting for a database connection."
    );
    metrics::describe_gauge!(
        "zimage_live_streams",
        "Live status streams (server-sent events) open in this process."
    );
    metrics::describe_counter!(
        "zimage_scheduler_runs_total",
        "Scheduled passes this process was due to make, by outcome (ran, failed, skipped: another replica had it)."
    );
}

/// A task this process took on, for `provider`: counted in `zimage_tasks_in_flight` until dropped.
pub struct TaskInFlight(metrics::Gauge);

impl TaskInFlight {
    pub fn new(provider: &str) -> Self {
        let gauge = metrics::gauge!("zimage_tasks_in_flight", "provider" => provider.to_owned());
        gauge.increment(1.0);
        TaskInFlight(gauge)
    }
}

impl Drop for TaskInFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// A task was queued: its cost is held.
pub fn task_queued(cost: i64) {
    metrics::counter!("zimage_credits_total", "movement" => "held").increment(cost.unsigned_abs());
}

/// How a task ended.
#[derive(Debug, Clone, Copy)]
pub enum TaskEnd<'a> {
    /// `charged` of its cost settled, the rest refunded.
    Succeeded { charged: i64 },
    /// Failed with this code; its cost refunded.
    Failed(&'a str),
    /// Canceled or deleted by its owner; its cost refunded.
    Canceled,
}

/// A task this process ended (after the change was committed).
pub fn task_ended(provider: &str, cost: i64, end: TaskEnd<'_>) {
    let (outcome, code, settled) = match end {
        TaskEnd::Succeeded { charged } => ("succeeded", "none", charged.clamp(0, cost)),
        TaskEnd::Failed(code) => ("failed", code, 0),
        TaskEnd::Canceled => ("canceled", "none", 0),
    };
    metrics::counter!(
        "zimage_task_outcomes_total",
        "provider" => provider.to_owned(),
        "outcome" => outcome,
        "code" => code.to_owned(),
    )
    .increment(1);
    metrics::counter!("zimage_credits_total", "movement" => "settled")
        .increment(settled.unsigned_abs());
    metrics::counter!("zimage_credits_total", "movement" => "refunded")
        .increment((cost - settled).max(0).unsigned_abs());
}

/// One call to a provider, timed from [`ProviderCall::start`] until it is dropped; one never
/// given its answer (its caller stopped waiting) counts as `abandoned`.
pub struct ProviderCall {
    provider: &'static str,
    call: &'static str,
    started: Instant,
    outcome: &'static str,
}

impl ProviderCall {
    pub fn start(provider: &'static str, call: &'static str) -> Self {
        ProviderCall {
            provider,
            call,
            started: Instant::now(),
            outcome: "abandoned",
        }
    }

    /// Records how the call went and passes its answer on.
    pub fn answered<T>(
        mut self,
        answer: Result<T, crate::providers::ProviderError>,
    ) -> Result<T, crate::providers::ProviderError> {
        use crate::providers::ProviderError;
        self.outcome = match &answer {
            Ok(_) => "ok",
            Err(ProviderError::Transient(_)) => "transient",
            Err(ProviderError::Throttled { .. }) => "throttled",
            Err(ProviderError::Busy { .. }) => "busy",
            Err(ProviderError::Unconfirmed(_)) => "unconfirmed",
            Err(ProviderError::Permanent { .. }) => "permanent",
        };
        answer
    }
}

impl Drop for ProviderCall {
    fn drop(&mut self) {
        metrics::counter!(
            "zimage_provider_requests_total",
            "provider" => self.provider,
            "call" => self.call,
            "outcome" => self.outcome,
        )
        .increment(1);
        metrics::histogram!(
            "zimage_provider_request_duration_seconds",
            "provider" => self.provider,
            "call" => self.call,
        )
        .record(self.started.elapsed().as_secs_f64());
    }
}

/// A webhook delivery attempt ended: `delivered`, `retrying` or `failed`.
pub fn webhook_delivery(outcome: &'static str) {
    metrics::counter!("zimage_webhook_deliveries_total", "outcome" => outcome).increment(1);
}

/// A scheduled pass came due: `ran`, `failed` or `skipped`.
pub fn scheduler_run(outcome: &'static str) {
    metrics::counter!("zimage_scheduler_runs_total", "outcome" => outcome).increment(1);
}

/// Counts every request by route template (`/v1/images/{id}`, never the ids themselves), method
/// and status, and times those that are not live streams.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16().to_string();
    let streaming = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    metrics::counter!(
        "zimage_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status,
    )
    .increment(1);
    if !streaming {
        metrics::histogram!(
            "zimage_http_request_duration_seconds",
            "method" => method,
            "route" => route,
        )
        .record(started.elapsed().as_secs_f64());
    }
    Ok(response)
}

/// Starts recording (before the first request is counted).
pub fn install() {
    handle();
}

#[derive(diesel::QueryableByName)]
struct Depth {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    provider: String,
    #[diesel(sql_type = BigInt)]
    jobs: i64,
}

/// Providers whose queue gauges this process has set.
static REPORTED: std::sync::Mutex<std::collections::BTreeSet<String>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// The queue as the database has it now, into gauges (every replica reports the same figures;
/// take `max` across replicas, not `sum`).
async fn refresh_queue(state: &AppState) {
    let Ok(mut conn) = state.db.get().await else {
        metrics::counter!("zimage_metrics_refresh_failures_total").increment(1);
        return;
    };
    let depths: Result<Vec<Depth>, _> = diesel::sql_query(
        "SELECT status, provider, count(*) AS jobs FROM jobs \
         WHERE status IN ('queued', 'running', 'waiting') GROUP BY status, provider",
    )
    .load(&mut conn)
    .await;
    match depths {
        Ok(depths) => {
            // Every state of every provider reported so far is set, 0 when it has no jobs: a
            // backlog that empties reads 0, not its last value.
            let mut providers = REPORTED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            providers.extend(state.providers.enabled().into_iter().map(String::from));
            providers.extend(depths.iter().map(|d| d.provider.clone()));
            for provider in providers.iter() {
                for status in ["queued", "running", "waiting"] {
                    let jobs = depths
                        .iter()
                        .find(|d| d.provider == *provider && d.status == status)
                        .map_or(0, |d| d.jobs);
                    metrics::gauge!(
                        "zimage_queue_jobs",
                        "status" => status,
                        "provider" => provider.clone(),
                    )
                    .set(jobs as f64);
                }
            }
        }
        Err(_) => metrics::counter!("zimage_metrics_refresh_failures_total").increment(1),
    }
}

#[derive(diesel::QueryableByName)]
struct Held {
    #[diesel(sql_type = BigInt)]
    held: i64,
}

/// Credits held for unfinished tasks, as the database has them now.
async fn refresh_held(state: &AppState) {
    let held: Result<Held, _> = match state.db.get().await {
        Ok(mut conn) => {
            diesel::sql_query(
                "SELECT COALESCE(SUM(amount), 0)::bigint AS held FROM credit_holds \
                 WHERE status = 'held'",
            )
            .get_result(&mut conn)
            .await
        }
        Err(_) => {
            metrics::counter!("zimage_metrics_refresh_failures_total").increment(1);
            return;
        }
    };
    match held {
        Ok(Held { held }) => metrics::gauge!("zimage_credits_held").set(held as f64),
        Err(_) => metrics::counter!("zimage_metrics_refresh_failures_total").increment(1),
    }
}

/// What this process has open now: database connections and live streams.
fn refresh_process(state: &AppState) {
    let pools = state.db.status();
    metrics::gauge!("zimage_db_connections", "state" => "in_use").set(pools.in_use as f64);
    metrics::gauge!("zimage_db_connections", "state" => "idle").set(pools.idle as f64);
    metrics::gauge!("zimage_db_connections_max").set(pools.max as f64);
    metrics::gauge!("zimage_db_waiting").set(pools.waiting as f64);
    metrics::gauge!("zimage_live_streams").set(state.live.open_streams() as f64);
}

async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    refresh_process(&state);
    refresh_queue(&state).await;
    refresh_held(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle().render())
}

/// The metrics listener: `GET /metrics` only.
pub fn serve(
    listener: std::net::TcpListener,
    state: web::Data<AppState>,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(1)
    .run())
}
