//! Traces exported over OTLP/HTTP to a local receiver that decodes them as a collector does.

use actix_web::{HttpResponse, web};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{Span, span::SpanKind};
use prost::Message;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::helpers::{PASSWORD, spawn_app_with};

/// What the receiver decoded: each span with its resource's `service.name`.
type Received = Arc<Mutex<Vec<(String, Span)>>>;

/// An OTLP/HTTP trace receiver on port 0 (`POST /v1/traces`, protobuf); its address.
fn receiver(received: Received) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = actix_web::HttpServer::new(move || {
        let received = received.clone();
        actix_web::App::new()
            .app_data(web::PayloadConfig::new(16 << 20))
            .route(
                "/v1/traces",
                web::post().to(move |req: actix_web::HttpRequest, body: web::Bytes| {
                    let received = received.clone();
                    async move {
                        let protobuf = req
                            .headers()
                            .get("content-type")
                            .is_some_and(|v| v.as_bytes() == b"application/x-protobuf");
                        if !protobuf {
                            return HttpResponse::UnsupportedMediaType().finish();
                        }
                        let Ok(export) = ExportTraceServiceRequest::decode(body) else {
                            return HttpResponse::BadRequest().finish();
                        };
                        let mut received = received.lock().unwrap();
                        for resource_spans in export.resource_spans {
                            let service = resource_spans
                                .resource
                                .as_ref()
                                .and_then(|r| text(&r.attributes, "service.name"))
                                .unwrap_or_default();
                            for scope in resource_spans.scope_spans {
                                for span in scope.spans {
                                    received.push((service.clone(), span));
                                }
                            }
                        }
                        // An empty ExportTraceServiceResponse: everything accepted.
                        HttpResponse::Ok()
                            .content_type("application/x-protobuf")
                            .finish()
                    }
                }),
            )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .disable_signals()
    .run();
    tokio::spawn(server);
    address
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)?
        .value
        .as_ref()?
        .value
        .as_ref()
}

fn text(attributes: &[KeyValue], key: &str) -> Option<String> {
    match attribute(attributes, key)? {
        any_value::Value::StringValue(s) => Some(s.clone()),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every string anywhere in a span's attributes.
fn strings(span: &Span) -> Vec<String> {
    fn walk(value: &AnyValue, out: &mut Vec<String>) {
        match &value.value {
            Some(any_value::Value::StringValue(s)) => out.push(s.clone()),
            Some(any_value::Value::ArrayValue(a)) => a.values.iter().for_each(|v| walk(v, out)),
            Some(any_value::Value::KvlistValue(l)) => l
                .values
                .iter()
                .filter_map(|kv| kv.value.as_ref())
                .for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = vec![span.name.clone()];
    for kv in &span.attributes {
        if let Some(value) = &kv.value {
            walk(value, &mut out);
        }
    }
    out
}

/// A `zimage serve` process exporting to the receiver: a caller's `traceparent` parents the
/// request's span, its database statements are children without their values, and the worker's
/// spans for the queued task (with the provider call under them) link back to the request.
#[tokio::test]
async fn a_generation_is_traced_from_the_callers_request_to_the_worker_that_ran_it() {
    // The test's own app prepares the database and the account; the traced process serves.
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let received: Received = Arc::default();
    let collector = receiver(received.clone());
    let port = zimage_api::testing::free_port();
    let mut traced = tokio::process::Command::from(app.zimage_process(&["serve"]))
        .env("ZIMAGE_BIND", format!("127.0.0.1:{port}"))
        .env("ZIMAGE_WEB_DIR", app.data_dir.join("no-web"))
        .env("ZIMAGE_WORKERS", "1")
        // Long enough that the task waits in the waiting loop (its finish gets its own span).
        .env("ZIMAGE_LOCAL_LATENCY_MS", "400")
        .env("ZIMAGE_POLL_INTERVAL_MS", "50")
        .env("ZIMAGE_SCHEDULER_INTERVAL_SECS", "0")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector)
        .env("OTEL_SERVICE_NAME", "zimage-traced")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .kill_on_drop(true)
        .spawn()
        .expect("the zimage binary runs");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..200 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the traced process started");
    let signed: Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = signed["access_token"].as_str().unwrap().to_owned();
    assert_ne!(access, ada.access);

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let prompt = "a lighthouse that must not appear in any span";
    let submitted = client
        .post(format!("{base}/v1/generations"))
        .bearer_auth(&access)
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .json(&json!({"model": "z-image-local", "prompt": prompt, "width": 256, "height": 256}))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 202);
    let task: Value = submitted.json().await.unwrap();
    let id = task["id"].as_str().unwrap();
    let done = app.wait_for_task(&ada, id).await;
    assert_eq!(done["status"], "succeeded", "{done}");

    // The spans arrive in batches; wait until the worker's finish has been sent.
    let find = |name: &str| {
        received
            .lock()
            .unwrap()
            .iter()
            .find(|(_, s)| s.name == name)
            .cloned()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while find("generation finish").is_none() || find("POST /v1/generations").is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "spans received: {:?}",
            received
                .lock()
                .unwrap()
                .iter()
                .map(|(_, s)| s.name.clone())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = traced.start_kill();
    let spans = received.lock().unwrap().clone();

    // The request: a server span in the caller's trace, under the caller's span.
    let (service, request) = find("POST /v1/generations").unwrap();
    assert_eq!(service, "zimage-traced");
    assert_eq!(hex(&request.trace_id), trace_id);
    assert_eq!(hex(&request.parent_span_id), caller_span);
    assert_eq!(request.kind, SpanKind::Server as i32);
    assert_eq!(
        text(&request.attributes, "http.route").as_deref(),
        Some("/v1/generations")
    );
    assert!(
        matches!(
            attribute(&request.attributes, "http.response.status_code"),
            Some(any_value::Value::IntValue(202))
        ),
        "{:?}",
        request.attributes
    );

    // Its statements: client spans under it, with their SQL.
    let statements: Vec<&Span> = spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.trace_id == request.trace_id && s.parent_span_id == request.span_id)
        .filter(|s| text(&s.attributes, "db.system.name").as_deref() == Some("postgresql"))
        .collect();
    assert!(
        statements.iter().any(|s| s.kind == SpanKind::Client as i32
            && text(&s.attributes, "db.query.text")
                .is_some_and(|q| q.contains("INSERT INTO jobs"))),
        "{statements:#?}"
    );

    // The worker's spans: in traces of their own, linked to the request.
    for step in ["generation submit", "generation finish"] {
        let (_, span) = find(step).unwrap();
        assert_ne!(
            span.trace_id, request.trace_id,
            "{step} starts its own trace"
        );
        assert!(
            span.links
                .iter()
                .any(|l| l.trace_id == request.trace_id && l.span_id == request.span_id),
            "{step} links to the request: {span:#?}"
        );
        assert_eq!(
            text(&span.attributes, "zimage.task_id").as_deref(),
            Some(id)
        );
    }
    let (_, submit) = find("generation submit").unwrap();
    let (_, provider_call) = find("local submit").unwrap();
    assert_eq!(provider_call.trace_id, submit.trace_id);
    assert_eq!(provider_call.kind, SpanKind::Client as i32);
    let (_, finish) = find("generation finish").unwrap();
    let (_, collect) = find("local collect").unwrap();
    assert_eq!(collect.parent_span_id, finish.span_id);

    // Nothing a user sent or holds is in any span: not the prompt, not the bearer token.
    for (_, span) in &spans {
        for value in strings(span) {
            assert!(
                !value.contains(prompt) && !value.contains(&access),
                "{} carries {value}",
                span.name
            );
        }
    }
}
