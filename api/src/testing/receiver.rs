//! A local HTTP server that receives webhooks: it records every request and answers with a
//! scripted sequence of statuses (then 200).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One received request.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<u16>,
    /// Error answers carry a body of this many bytes (0: a short one).
    error_body: u64,
    /// Every answer waits this long first.
    delay: std::time::Duration,
    /// Requests being answered now, and the most there ever were at once.
    answering: usize,
    most_at_once: usize,
}

#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    /// Bytes of error bodies handed to the connection so far.
    streamed: Arc<std::sync::atomic::AtomicU64>,
}

impl Receiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let receiver = Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            inner: Arc::new(Mutex::new(Inner::default())),
            streamed: Arc::default(),
        };
        let data = web::Data::new(receiver.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/hook", web::post().to(receive))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        receiver
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answer the next requests with these statuses, in order.
    pub fn respond_with(&self, statuses: &[u16]) {
        self.lock().script.extend(statuses);
    }

    /// Error answers (scripted statuses of 400 and up) carry a body of `bytes`, streamed.
    pub fn error_bodies_of(&self, bytes: u64) {
        self.lock().error_body = bytes;
    }

    /// Every answer waits `delay` first (a slow receiver).
    pub fn answer_after(&self, delay: std::time::Duration) {
        self.lock().delay = delay;
    }

    /// The most requests this receiver was answering at the same time.
    pub fn most_at_once(&self) -> usize {
        self.lock().most_at_once
    }

    /// Bytes of error bodies the sender let this server write so far.
    pub fn streamed(&self) -> u64 {
        self.streamed.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Waits up to 10 s until `n` requests arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {n} webhook requests, got {:#?}", self.received());
    }
}

async fn receive(
    receiver: web::Data<Receiver>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let (status, error_body, delay) = {
        let mut inner = receiver.lock();
        inner.received.push(Received {
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        inner.answering += 1;
        inner.most_at_once = inner.most_at_once.max(inner.answering);
        (
            inner.script.pop_front().unwrap_or(200),
            inner.error_body,
            inner.delay,
        )
    };
    tokio::time::sleep(delay).await;
    receiver.lock().answering -= 1;
    let mut answer =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default());
    answer.insert_header(("retry-after", "0"));
    if status < 400 || error_body == 0 {
        return answer.body("ok");
    }
    // A body of `error_body` bytes in 64 KiB pieces, counted as the connection takes them.
    const PIECE: u64 = 64 * 1024;
    let streamed = receiver.streamed.clone();
    let pieces = futures_util::stream::iter((0..error_body.div_ceil(PIECE)).map(move |_| {
        streamed.fetch_add(PIECE, std::sync::atomic::Ordering::Relaxed);
        Ok::<_, std::convert::Infallible>(web::Bytes::from(vec![b'x'; PIECE as usize]))
    }));
    answer.streaming(pieces)
}
