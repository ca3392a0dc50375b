//! Prometheus metrics on a listener of their own (`ZIMAGE_METRICS_BIND`, off by default), so they
//! are not reachable through the public address: HTTP requests by route template, method and
//! status with their latency (live streams excluded from latency), the job queue by state
//! (queued, running: being submitted or finished, waiting: accepted by the provider) and
//! provider, and the build.

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

async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    refresh_queue(&state).await;
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
