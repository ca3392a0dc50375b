//! Structured logging with `tracing`, and traces exported over OpenTelemetry's OTLP/HTTP.
//!
//! Traces are off unless the standard variables ask for them: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, or `OTEL_TRACES_EXPORTER=otlp` (then the default
//! `http://localhost:4318`). `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` keep them
//! off. The exporter and the SDK read the rest themselves: `OTEL_SERVICE_NAME` (default `zimage`),
//! `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`, `…_TIMEOUT`, `…_COMPRESSION`,
//! `OTEL_TRACES_SAMPLER(_ARG)` and `OTEL_BSP_*`. Only `http/protobuf` is built in.
//!
//! Spans: every HTTP request (its parent taken from an incoming `traceparent`), every database
//! statement (its SQL text without the values bound to it) and every call to a provider. A
//! generation task keeps the `traceparent` of the request that queued it; the worker's spans for
//! it link to that request.

use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry::{Context, propagation::TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Whether spans are exported (set once by [`init`]).
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// True when traces are being exported: the costlier span details (SQL text) are only made then.
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Keeps the trace exporter running; dropping it sends what is still buffered.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(err) = provider.shutdown()
        {
            eprintln!("sending the last traces failed: {err}");
        }
    }
}

/// Whether the environment asks for traces (see the module's documentation).
fn traces_wanted(env: &impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.trim().is_empty());
    if env("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return false;
    }
    match env("OTEL_TRACES_EXPORTER").map(|v| v.trim().to_ascii_lowercase()) {
        Some(v) if v == "none" => false,
        Some(v) if v == "otlp" => true,
        _ => set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    }
}

/// The tracer provider exporting over OTLP/HTTP, configured by the `OTEL_*` variables.
fn tracer_provider() -> anyhow::Result<SdkTracerProvider> {
    // The exporter's HTTP client needs rustls's provider chosen first.
    crate::providers::http::install_crypto();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()?;
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("zimage");
    }
    let resource = resource
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Installs the global subscriber: human-readable by default, JSON lines when asked, and the
/// trace exporter when the environment asks for it. `RUST_LOG` overrides the log's default level
/// (`info`); it does not change which spans are exported.
pub fn init(json: bool) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (provider, problem) = if traces_wanted(&|name| std::env::var(name).ok()) {
        match tracer_provider() {
            Ok(provider) => (Some(provider), None),
            Err(err) => (None, Some(err)),
        }
    } else {
        (None, None)
    };
    // Spans at `info` and above are exported whatever `RUST_LOG` keeps in the log.
    let otel = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("zimage"))
            .with_threads(false)
            .with_location(false)
            .with_tracked_inactivity(false)
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
    });
    let fmt = tracing_subscriber::fmt::layer().with_target(false);
    let registry = tracing_subscriber::registry().with(otel);
    let installed = if json {
        registry.with(fmt.json().with_filter(filter)).try_init()
    } else {
        registry.with(fmt.with_filter(filter)).try_init()
    };
    if installed.is_ok() && provider.is_some() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        EXPORTING.store(true, Ordering::Relaxed);
        // Every connection opened from now on gives its statements spans.
        if let Err(err) = diesel::connection::set_default_instrumentation(|| {
            Some(Box::new(QuerySpans::default()))
        }) {
            tracing::warn!(error = %err, "database statements will have no spans");
        }
        tracing::info!("exporting traces over OTLP/HTTP");
    }
    if let Some(err) = problem {
        tracing::warn!(error = %err, "traces were asked for but cannot be exported; continuing without");
    }
    Telemetry { provider }
}

/// Makes a request's span a server span for the exporter: named by its route template (ids never
/// name it), with the caller's `traceparent` as its parent. (Recorded only when exporting, so the
/// log lines stay short.)
pub fn server_span(span: &tracing::Span, req: &actix_web::dev::ServiceRequest) {
    let route = req.match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    span.record("otel.name", format!("{} {route}", req.method()));
    span.record("otel.kind", "server");
    span.record("http.request.method", req.method().as_str());
    span.record("http.route", route);
    if let Some(parent) = incoming(req.headers()) {
        let _ = span.set_parent(parent);
    }
}

/// The context a caller sent in its `traceparent` (and `tracestate`) headers, if any.
pub fn incoming(headers: &actix_web::http::header::HeaderMap) -> Option<Context> {
    let carrier: HashMap<String, String> = ["traceparent", "tracestate"]
        .into_iter()
        .filter_map(|name| {
            let value = headers.get(name)?.to_str().ok()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    carrier.contains_key("traceparent").then(|| {
        let cx = TraceContextPropagator::new().extract(&carrier);
        cx.span().span_context().is_valid().then_some(cx)
    })?
}

/// The current span's W3C `traceparent`, to store with work done later; `None` when traces are
/// not exported.
pub fn traceparent() -> Option<String> {
    if !exporting() {
        return None;
    }
    let cx = tracing::Span::current().context();
    if !cx.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&cx, &mut carrier);
    carrier.remove("traceparent")
}

/// A span for work on a generation task, linked to the request that queued it (`traceparent`,
/// as stored with the task).
pub fn task_span(
    step: &'static str,
    task_id: uuid::Uuid,
    traceparent: Option<&str>,
) -> tracing::Span {
    let span = tracing::info_span!(
        "generation task",
        otel.name = step,
        otel.kind = "internal",
        zimage.task_id = %task_id,
    );
    if exporting()
        && let Some(traceparent) = traceparent
    {
        let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
        let cx = TraceContextPropagator::new().extract(&carrier);
        let linked = cx.span().span_context().clone();
        if linked.is_valid() {
            span.add_link(linked);
        }
    }
    span
}

/// A span for one call to a provider (submit, collect, cancel; the frequent status polls have
/// none, their figures are in the metrics); a disabled span when traces are not exported.
pub fn provider_span(provider: &'static str, call: &'static str) -> tracing::Span {
    if !exporting() {
        return tracing::Span::none();
    }
    tracing::info_span!(
        "provider call",
        otel.name = %format!("{provider} {call}"),
        otel.kind = "client",
        zimage.provider = provider,
        zimage.provider_call = call,
    )
}

/// Gives each database statement a span (with its SQL, never its values) while traces are
/// exported; every connection gets one (diesel's default instrumentation).
///
/// Statements may be pipelined (sent before the previous one is answered), so each finish is
/// matched to its start by the SQL text. Statements outside any span (background polling) get
/// none, rather than a trace each.
#[derive(Default)]
pub struct QuerySpans {
    open: std::collections::VecDeque<(String, tracing::Span)>,
}

/// Statements a connection may have started and not finished; older ones (their futures were
/// dropped) end when this is exceeded.
const OPEN_STATEMENTS: usize = 16;

/// The statement's SQL without the values bound to it (diesel shows them after `-- binds:`),
/// at most 2,000 characters.
fn sql_of(query: &dyn std::fmt::Display) -> String {
    let text = query.to_string();
    let sql = text.split(" -- binds: ").next().unwrap_or_default().trim();
    sql.chars().take(2000).collect()
}

impl diesel::connection::Instrumentation for QuerySpans {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent;
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                if tracing::Span::current().is_none() {
                    return;
                }
                let sql = sql_of(&query);
                let operation = sql
                    .split_whitespace()
                    .next()
                    .unwrap_or("query")
                    .to_ascii_uppercase();
                // A child of the span current when the statement starts (the request's, a task's);
                // it ends when the statement finishes.
                let span = tracing::info_span!(
                        "db statement",
                        otel.name = %format!("{operation} postgresql"),
                        otel.kind = "client",
                        db.system.name = "postgresql",
                        db.operation.name = %operation,
                        db.query.text = %sql,
                    otel.status_code = tracing::field::Empty,
                );
                if self.open.len() == OPEN_STATEMENTS {
                    self.open.pop_front();
                }
                self.open.push_back((sql, span));
            }
            InstrumentationEvent::FinishQuery { query, error, .. } => {
                if self.open.is_empty() {
                    return;
                }
                let sql = sql_of(&query);
                if let Some(at) = self.open.iter().position(|(open, _)| *open == sql)
                    && let Some((_, span)) = self.open.remove(at)
                    && error.is_some()
                {
                    span.record("otel.status_code", "ERROR");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_are_off_unless_the_standard_variables_ask() {
        let with = |vars: &[(&str, &str)]| {
            let vars: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            traces_wanted(&|name| vars.get(name).cloned())
        };
        assert!(!with(&[]));
        assert!(with(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://collector:4318"
        )]));
        assert!(with(&[(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://collector:4318/v1/traces"
        )]));
        assert!(with(&[("OTEL_TRACES_EXPORTER", "otlp")]));
        assert!(!with(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_TRACES_EXPORTER", "none"),
        ]));
        assert!(!with(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_SDK_DISABLED", "true"),
        ]));
        assert!(!with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")]));
    }

    #[test]
    fn statements_are_shown_without_their_values() {
        struct Shown(&'static str);
        impl std::fmt::Display for Shown {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        assert_eq!(
            sql_of(&Shown(
                r#"SELECT id FROM users WHERE email = $1 -- binds: ["ada@example.org"]"#
            )),
            "SELECT id FROM users WHERE email = $1"
        );
        assert_eq!(sql_of(&Shown("BEGIN")), "BEGIN");
    }
}
