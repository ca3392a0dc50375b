//! Live status over Server-Sent Events.

use serde_json::{Value, json};
use std::time::Duration;

use zimage_shared::sse::split_frames;

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app, spawn_app_with};

/// One parsed SSE event.
#[derive(Debug, Clone)]
struct Event {
    id: String,
    event: String,
    data: Value,
}

/// Reads an SSE response frame by frame.
struct Sse {
    response: reqwest::Response,
    buffer: Vec<u8>,
    pending: std::collections::VecDeque<Event>,
    comments: usize,
    retry: Option<u64>,
}

impl Sse {
    async fn open(app: &TestApp, path: &str, token: &str, last_event_id: Option<&str>) -> Sse {
        let mut request = app.client.get(app.url(path)).bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Sse {
            response,
            buffer: Vec::new(),
            pending: std::collections::VecDeque::new(),
            comments: 0,
            retry: None,
        }
    }

    /// The next event; `None` when the server ended the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            // Count keep-alives and read `retry:` before the shared parser drops them.
            let complete = self
                .buffer
                .windows(2)
                .rposition(|w| w == b"\n\n")
                .map_or(0, |end| end + 2);
            for frame in String::from_utf8_lossy(&self.buffer[..complete]).split("\n\n") {
                if frame.starts_with(':') {
                    self.comments += 1;
                } else if let Some(v) = frame.strip_prefix("retry: ") {
                    self.retry = v.parse().ok();
                }
            }
            for event in split_frames(&mut self.buffer) {
                self.pending.push_back(Event {
                    id: event.id.unwrap_or_default(),
                    event: event.event,
                    data: serde_json::from_str(&event.data).unwrap(),
                });
            }
            if !self.pending.is_empty() {
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(15), self.response.chunk())
                .await
                .expect("the stream went quiet")
                .unwrap()?;
            self.buffer.extend_from_slice(&chunk);
        }
    }

    /// Events until the stream ends.
    async fn all(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        while let Some(event) = self.next().await {
            events.push(event);
        }
        events
    }
}

async fn submit(app: &TestApp, who: &Signed, prompt: &str) -> String {
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &who.access,
            &json!({"model": "z-image-local", "prompt": prompt, "width": 256, "height": 256}),
        )
        .await
        .json()
        .await
        .unwrap();
    task["id"].as_str().unwrap().to_string()
}

fn statuses(events: &[Event]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let status = e.data["status"].as_str().unwrap().to_string();
        if out.last() != Some(&status) {
            out.push(status);
        }
    }
    out
}

#[tokio::test]
async fn a_task_stream_delivers_queued_running_succeeded_and_ends() {
    let app = spawn_app_with(&[("ZIMAGE_LOCAL_LATENCY_MS", "400")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = submit(&app, &ada, "a lantern").await;
    let mut sse = Sse::open(
        &app,
        &format!("/v1/generations/{id}/events"),
        &ada.access,
        None,
    )
    .await;
    let events = sse.all().await;
    assert_eq!(sse.retry, Some(2000));
    assert_eq!(statuses(&events), ["queued", "running", "succeeded"]);
    assert!(
        events
            .iter()
            .all(|e| e.event == "task" && e.data["task_id"] == id.as_str())
    );
    let progress: Vec<f64> = events
        .iter()
        .filter_map(|e| e.data["progress"].as_f64())
        .collect();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "every event has its own id");

    // Resuming after the first event replays exactly the rest.
    let mut resumed = Sse::open(
        &app,
        &format!("/v1/generations/{id}/events"),
        &ada.access,
        Some(&events[0].id),
    )
    .await;
    let rest = resumed.all().await;
    let rest_ids: Vec<&str> = rest.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(rest_ids, ids[1..]);
}

#[tokio::test]
async fn the_user_stream_follows_every_task_from_now_and_resumes_with_last_event_id() {
    let app = spawn_app_with(&[("ZIMAGE_LOCAL_LATENCY_MS", "200")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    // Something from before the stream opened is not replayed.
    let old = submit(&app, &ada, "before").await;
    let mut before = Sse::open(
        &app,
        &format!("/v1/generations/{old}/events"),
        &ada.access,
        None,
    )
    .await;
    before.all().await;

    let mut sse = Sse::open(&app, "/v1/events", &ada.access, None).await;
    let first = submit(&app, &ada, "one").await;
    let second = submit(&app, &ada, "two").await;
    submit(&app, &bob, "not ada's").await;
    let mut events = Vec::new();
    let mut finished = 0;
    while finished < 2 {
        let event = sse.next().await.unwrap();
        assert!(
            [first.as_str(), second.as_str()].contains(&event.data["task_id"].as_str().unwrap()),
            "only ada's new tasks: {event:?}"
        );
        if event.data["status"] == "succeeded" {
            finished += 1;
        }
        events.push(event);
    }
    for task in [&first, &second] {
        let own: Vec<Event> = events
            .iter()
            .filter(|e| e.data["task_id"] == task.as_str())
            .cloned()
            .collect();
        assert_eq!(statuses(&own), ["queued", "running", "succeeded"]);
    }

    let mut resumed = Sse::open(&app, "/v1/events", &ada.access, Some(&events[1].id)).await;
    let mut replay = Vec::new();
    while replay.len() < events.len() - 2 {
        replay.push(resumed.next().await.unwrap().id);
    }
    let expected: Vec<String> = events[2..].iter().map(|e| e.id.clone()).collect();
    assert_eq!(replay, expected);
}

#[tokio::test]
async fn idle_streams_send_keep_alives_and_are_limited_per_user() {
    let app = spawn_app_with(&[("ZIMAGE_SSE_HEARTBEAT_MS", "200")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut sse = Sse::open(&app, "/v1/events", &ada.access, None).await;
    let quiet = tokio::time::timeout(Duration::from_millis(700), sse.next()).await;
    assert!(quiet.is_err(), "no events without tasks");
    assert!(sse.comments >= 2, "keep-alives: {}", sse.comments);

    let mut open = vec![sse];
    for _ in 1..10 {
        open.push(Sse::open(&app, "/v1/events", &ada.access, None).await);
    }
    let refused = app.get_auth("/v1/events", &ada.access).await;
    assert_eq!(refused.headers()["retry-after"], "5");
    assert_problem(refused, 429, "rate_limited").await;
    drop(open.pop());
    // The slot frees once the server notices the closed connection (at its next keep-alive).
    let mut reopened = false;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let response = app.get_auth("/v1/events", &ada.access).await;
        if response.status() == 200 {
            reopened = true;
            break;
        }
    }
    assert!(reopened);
}

#[tokio::test]
async fn streams_are_private_and_need_the_read_scope() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let id = submit(&app, &ada, "private").await;
    assert_problem(
        app.get_auth(&format!("/v1/generations/{id}/events"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    let key = app.api_key(&ada, &["credits:read"]).await;
    assert_problem(
        app.get_auth("/v1/events", &key).await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_problem(
        app.client.get(app.url("/v1/events")).send().await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let reader = app.api_key(&ada, &["generations:read"]).await;
    let mut sse = Sse::open(&app, &format!("/v1/generations/{id}/events"), &reader, None).await;
    assert_eq!(statuses(&sse.all().await).last().unwrap(), "succeeded");
}

#[tokio::test]
async fn another_replica_streams_what_this_one_runs() {
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "1")]).await;
    let replica = app.replica(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut sse = Sse::open(&replica, "/v1/events", &ada.access, None).await;
    let id = submit(&app, &ada, "elsewhere").await;
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("succeeded") {
        let event = sse.next().await.unwrap();
        assert_eq!(event.data["task_id"], id.as_str());
        seen.push(event.data["status"].as_str().unwrap().to_string());
    }
    assert_eq!(seen.first().unwrap(), "queued");
}

#[tokio::test]
async fn events_are_kept_for_24_hours() {
    use diesel_async::RunQueryDsl;

    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = submit(&app, &ada, "short-lived").await;
    let mut sse = Sse::open(
        &app,
        &format!("/v1/generations/{id}/events"),
        &ada.access,
        None,
    )
    .await;
    let events = sse.all().await;
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(
        "UPDATE task_events SET created_at = now() - interval '25 hours' \
         WHERE id = (SELECT min(id) FROM task_events)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.task_events_expired, 1);
    let mut replay = Sse::open(
        &app,
        &format!("/v1/generations/{id}/events"),
        &ada.access,
        None,
    )
    .await;
    assert_eq!(replay.all().await.len(), events.len() - 1);
}

/// A new API key of `who` that may read generations: its id and secret.
async fn read_key(app: &TestApp, who: &Signed) -> (String, String) {
    let key: Value = app
        .post_auth(
            "/v1/me/api-keys",
            &who.access,
            &json!({"name": "watcher", "scopes": ["generations:read"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    (
        key["key"]["id"].as_str().unwrap().to_string(),
        key["secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn streams_end_when_their_credential_stops_working() {
    // A live stream used to keep delivering after logout, for as long as it stayed open.
    let app = spawn_app_with(&[("ZIMAGE_SSE_HEARTBEAT_MS", "200")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut session_stream = Sse::open(&app, "/v1/events", &ada.access, None).await;
    let (key_id, secret) = read_key(&app, &ada).await;
    let mut key_stream = Sse::open(&app, "/v1/events", &secret, None).await;

    // Signing out ends the session's stream at its next heartbeat.
    let out = app
        .post("/v1/auth/logout", &json!({"refresh_token": ada.refresh}))
        .await;
    assert_eq!(out.status(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(3), session_stream.all()).await;
    assert!(ended.is_ok(), "the stream outlived the session");

    // Revoking the key ends its stream (revoked from another session).
    let other = app
        .sign_in("ada@example.org", crate::helpers::PASSWORD)
        .await;
    let revoked = app
        .delete_auth(&format!("/v1/me/api-keys/{key_id}"), &other.access)
        .await;
    assert_eq!(revoked.status(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(3), key_stream.all()).await;
    assert!(ended.is_ok(), "the stream outlived its API key");

    // A live session's stream goes on.
    let mut kept = Sse::open(&app, "/v1/events", &other.access, None).await;
    let quiet = tokio::time::timeout(Duration::from_millis(700), kept.next()).await;
    assert!(quiet.is_err(), "the stream of a working session stays open");
    assert!(kept.comments >= 2);
}

#[tokio::test]
async fn a_stream_ends_when_its_access_token_expires() {
    let app = spawn_app_with(&[
        ("ZIMAGE_SSE_HEARTBEAT_MS", "60000"),
        ("ZIMAGE_ACCESS_TOKEN_TTL_SECS", "2"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut sse = Sse::open(&app, "/v1/events", &ada.access, None).await;
    let started = std::time::Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(5), sse.all()).await;
    assert!(ended.is_ok(), "the stream outlived its token");
    assert!(
        started.elapsed() <= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_busy_stream_ends_too_when_its_key_is_revoked() {
    // Wake-ups used to skip the check: a revoked key's stream lived on while events kept coming.
    let app = spawn_app_with(&[("ZIMAGE_SSE_HEARTBEAT_MS", "300")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (key_id, secret) = read_key(&app, &ada).await;
    let mut stream = Sse::open(&app, "/v1/events", &secret, None).await;
    let revoked = app
        .delete_auth(&format!("/v1/me/api-keys/{key_id}"), &ada.access)
        .await;
    assert_eq!(revoked.status(), 204);
    // Keep the stream busy: a task every 200 ms, more often than its keep-alives.
    let busy = async {
        for n in 0..8 {
            submit(&app, &ada, &format!("busy {n}")).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let ended = async {
        let mut events = 0;
        while stream.next().await.is_some() {
            events += 1;
        }
        events
    };
    tokio::select! {
        _ = busy => panic!("the revoked key's stream outlived 8 tasks"),
        events = ended => println!("the stream ended after {events} events"),
    }
}

#[tokio::test]
async fn a_stopping_replica_turns_unready_ends_streams_with_a_reconnect_hint_then_closes() {
    let app = spawn_app_with(&[("ZIMAGE_DRAIN_DELAY_SECS", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut sse = Sse::open(&app, "/v1/events", &ada.access, None).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    app.stop();
    // The stream ends at once, telling the browser to come back soon (to another replica).
    let ended = tokio::time::timeout(Duration::from_secs(5), sse.all()).await;
    assert!(ended.expect("the stream ends while draining").is_empty());
    assert_eq!(sse.retry, Some(250));
    // Still serving while the load balancer notices it is unready.
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_problem(ready, 503, "service_unavailable").await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // Then it closes.
    let running = app.running.lock().await.take().unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(10), running).await;
    assert!(stopped.expect("the server stops").unwrap().is_ok());
    let refused = reqwest::Client::new().get(app.url("/healthz")).send().await;
    assert!(refused.is_err(), "{refused:?}");
}
