//! A local server speaking stable-diffusion.cpp's `sd-server` native async API
//! (`providers.md`, section 7): one job at a time, a bounded queue answering 429 when full,
//! jobs forgotten a while after they finish (410), cancel refused (409) while generating.

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::providers::render;
use zimage_shared::generation::OutputFormat;

/// How the server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SdMode {
    #[default]
    Succeed,
    /// Jobs fail with `generation_failed`.
    Fail,
    /// Jobs are queued but the 202's body is not JSON.
    MalformedSubmit,
    /// Submissions are answered after 3 s (longer than a client's timeout in the tests).
    Slow,
    /// The server restarted: every job is forgotten (404).
    Forget,
    /// A proxy in front of it answers 503 to submissions (the server is down).
    Down,
}

struct Job {
    body: Value,
    status: &'static str,
    created: Instant,
    finished: Option<Instant>,
    images: Vec<String>,
}

#[derive(Default)]
struct Inner {
    mode: SdMode,
    latency: Duration,
    capacity: usize,
    counter: u64,
    order: Vec<String>,
    jobs: HashMap<String, Job>,
    submissions: u64,
    full: u64,
    cancels: Vec<(String, u16)>,
}

/// A running sd-server-protocol server.
#[derive(Clone)]
pub struct MockSdCpp {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

/// How long a finished job stays readable.
const EXPIRES: Duration = Duration::from_secs(60);

impl MockSdCpp {
    /// A server taking `latency` per job and holding at most `capacity` jobs queued or running.
    pub fn start(latency: Duration, capacity: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mock = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            inner: Arc::new(Mutex::new(Inner {
                latency,
                capacity,
                ..Inner::default()
            })),
        };
        let data = web::Data::new(mock.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::JsonConfig::default().limit(64 * 1024 * 1024))
                .route("/sdcpp/v1/img_gen", web::post().to(submit))
                .route("/sdcpp/v1/jobs/{id}", web::get().to(job))
                .route("/sdcpp/v1/jobs/{id}/cancel", web::post().to(cancel))
                .route("/sdcpp/v1/capabilities", web::get().to(capabilities))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        tokio::spawn(run(mock.clone()));
        mock
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set_mode(&self, mode: SdMode) {
        let mut inner = self.lock();
        inner.mode = mode;
        if mode == SdMode::Forget {
            inner.jobs.clear();
            inner.order.clear();
        }
    }

    /// Bodies of the jobs accepted, oldest first.
    pub fn bodies(&self) -> Vec<Value> {
        let inner = self.lock();
        inner
            .order
            .iter()
            .filter_map(|id| inner.jobs.get(id).map(|j| j.body.clone()))
            .collect()
    }

    /// Ids of the jobs accepted, oldest first.
    pub fn ids(&self) -> Vec<String> {
        self.lock().order.clone()
    }

    /// `POST img_gen` calls, refused ones included.
    pub fn submissions(&self) -> u64 {
        self.lock().submissions
    }

    /// Submissions refused with 429 (queue full).
    pub fn refused_full(&self) -> u64 {
        self.lock().full
    }

    /// Cancel calls: the job id and the status answered.
    pub fn cancels(&self) -> Vec<(String, u16)> {
        self.lock().cancels.clone()
    }

    /// Jobs queued or generating now.
    pub fn busy(&self) -> usize {
        self.lock()
            .jobs
            .values()
            .filter(|j| matches!(j.status, "queued" | "generating"))
            .count()
    }
}

/// The one "GPU": the oldest queued job generates for the latency, then completes or fails.
async fn run(mock: MockSdCpp) {
    loop {
        let next = {
            let mut inner = mock.lock();
            let id = inner
                .order
                .iter()
                .find(|id| inner.jobs.get(*id).is_some_and(|j| j.status == "queued"))
                .cloned();
            if let Some(job) = id.as_ref().and_then(|id| inner.jobs.get_mut(id)) {
                job.status = "generating";
            }
            id.map(|id| (id, inner.latency))
        };
        let Some((id, latency)) = next else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        tokio::time::sleep(latency).await;
        let mut inner = mock.lock();
        let mode = inner.mode;
        let Some(job) = inner.jobs.get_mut(&id) else {
            continue;
        };
        job.finished = Some(Instant::now());
        if mode == SdMode::Fail {
            job.status = "failed";
            continue;
        }
        let count = job.body["batch_count"].as_u64().unwrap_or(1).clamp(1, 8);
        let seed = job.body["seed"].as_u64().unwrap_or(3);
        job.images = (0..count)
            .filter_map(|n| render::render(&id, seed + n, 256, 256, OutputFormat::Png).ok())
            .map(|png| base64::engine::general_purpose::STANDARD.encode(png))
            .collect();
        job.status = "completed";
    }
}

fn error(status: actix_web::http::StatusCode, text: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"error": text}))
}

async fn submit(mock: web::Data<MockSdCpp>, body: web::Json<Value>) -> HttpResponse {
    use actix_web::http::StatusCode;
    let mode = mock.lock().mode;
    mock.lock().submissions += 1;
    if mode == SdMode::Down {
        return HttpResponse::ServiceUnavailable().body("<html>503 Service Unavailable</html>");
    }
    if mode == SdMode::Slow {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let body = body.into_inner();
    if body["prompt"].as_str().is_none_or(str::is_empty) {
        return error(StatusCode::BAD_REQUEST, "prompt is required");
    }
    for side in ["width", "height"] {
        if body[side]
            .as_u64()
            .is_some_and(|v| !(64..=4096).contains(&v))
        {
            return error(StatusCode::BAD_REQUEST, &format!("invalid {side}"));
        }
    }
    if mock.busy() >= mock.lock().capacity {
        mock.lock().full += 1;
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", "1"))
            .json(json!({"error": "queue is full"}));
    }
    let id = {
        let mut inner = mock.lock();
        inner.counter += 1;
        let id = format!(
            "job_{:08x}_{:04x}",
            inner.counter * 2_654_435_761,
            inner.counter
        );
        inner.jobs.insert(
            id.clone(),
            Job {
                body,
                status: "queued",
                created: Instant::now(),
                finished: None,
                images: Vec::new(),
            },
        );
        inner.order.push(id.clone());
        id
    };
    if mode == SdMode::MalformedSubmit {
        return HttpResponse::Accepted().body("<html>gateway</html>");
    }
    HttpResponse::Accepted().json(json!({"id": id, "kind": "img_gen", "status": "queued",
        "created": 1_775_401_200, "poll_url": format!("/sdcpp/v1/jobs/{id}")}))
}

async fn job(mock: web::Data<MockSdCpp>, path: web::Path<String>) -> HttpResponse {
    use actix_web::http::StatusCode;
    let id = path.into_inner();
    let inner = mock.lock();
    let Some(job) = inner.jobs.get(&id) else {
        return error(StatusCode::NOT_FOUND, "job not found");
    };
    if job.finished.is_some_and(|at| at.elapsed() > EXPIRES) {
        return error(StatusCode::GONE, "job expired");
    }
    let position = inner
        .order
        .iter()
        .filter(|i| inner.jobs.get(*i).is_some_and(|j| j.status == "queued"))
        .position(|i| *i == id)
        .map_or(0, |p| p + 1);
    let result = (job.status == "completed").then(|| {
        json!({"output_format": "png", "images": job.images.iter().enumerate()
            .map(|(n, b64)| json!({"index": n, "b64_json": b64})).collect::<Vec<_>>()})
    });
    let failure = match job.status {
        "failed" => {
            json!({"code": "generation_failed", "message": "sampling failed: out of memory"})
        }
        "cancelled" => json!({"code": "cancelled", "message": "job cancelled"}),
        _ => Value::Null,
    };
    HttpResponse::Ok().json(json!({"id": id, "kind": "img_gen", "status": job.status,
        "created": 1_775_401_200 + job.created.elapsed().as_secs(), "queue_position": position,
        "result": result, "error": failure}))
}

async fn cancel(mock: web::Data<MockSdCpp>, path: web::Path<String>) -> HttpResponse {
    use actix_web::http::StatusCode;
    let id = path.into_inner();
    let mut inner = mock.lock();
    let answer = match inner.jobs.get_mut(&id) {
        None => 404,
        Some(job) if job.status == "queued" => {
            job.status = "cancelled";
            job.finished = Some(Instant::now());
            200
        }
        Some(job) if job.status == "generating" => 409,
        Some(_) => 200,
    };
    inner.cancels.push((id, answer));
    match answer {
        200 => HttpResponse::Ok().json(json!({"status": "cancelled"})),
        409 => error(
            StatusCode::CONFLICT,
            "job is generating and cannot be cancelled",
        ),
        _ => error(StatusCode::NOT_FOUND, "job not found"),
    }
}

async fn capabilities() -> HttpResponse {
    HttpResponse::Ok().json(
        json!({"model": "z_image_turbo", "defaults": {"sample_steps": 8},
        "samplers": ["euler"], "schedulers": ["simple"],
        "limits": {"min_side": 64, "max_side": 4096, "max_batch": 8}}),
    )
}
