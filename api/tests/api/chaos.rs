//! Faults under load: PostgreSQL and the S3-compatible store going away and coming back, seen
//! through a proxy that cuts every connection and refuses new ones (as a stopped server does).
//! Each test asserts what users must be able to rely on, and prints the figures recorded in
//! `bench/RELIABILITY.md` (`cargo nextest run chaos --no-capture`).

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zimage_api::testing::proxy::Proxy;

use crate::credits::grant;
use crate::helpers::{Signed, TestApp, create_database, spawn_app_on, spawn_app_with, user_id};
use crate::storage_s3::start_s3;

fn socket_of(url: &str) -> SocketAddr {
    let url = reqwest::Url::parse(url).unwrap();
    (
        url.host_str().unwrap(),
        url.port_or_known_default().unwrap_or(5432),
    )
        .to_socket_addrs()
        .unwrap()
        .next()
        .unwrap()
}

/// One answer seen by the load: when it was asked (since the start), status, latency, whether
/// the body was problem+json.
#[derive(Clone, Copy)]
struct Seen {
    at: Duration,
    status: u16,
    took: Duration,
    problem: bool,
}

const SMALL: &str =
    r#"{"model":"z-image-local","prompt":"a lighthouse in a storm","width":256,"height":256}"#;

/// Submits and reads in a loop until `until`, recording every answer and every accepted task.
async fn load(
    app: Arc<TestApp>,
    token: String,
    start: Instant,
    until: Instant,
    seen: Arc<Mutex<Vec<Seen>>>,
    accepted: Arc<Mutex<Vec<String>>>,
) {
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        let asked = Instant::now();
        let request = if n.is_multiple_of(2) {
            app.client
                .post(app.url("/v1/generations"))
                .header("content-type", "application/json")
                .body(SMALL)
        } else {
            app.client.get(app.url("/v1/generations?limit=5"))
        };
        let response = request
            .bearer_auth(&token)
            .timeout(Duration::from_secs(20))
            .send()
            .await;
        let Ok(response) = response else {
            seen.lock().unwrap().push(Seen {
                at: asked - start,
                status: 0,
                took: asked.elapsed(),
                problem: false,
            });
            continue;
        };
        let status = response.status().as_u16();
        let problem = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("") == "application/problem+json");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status == 202 {
            accepted
                .lock()
                .unwrap()
                .push(body["id"].as_str().unwrap().to_string());
        }
        seen.lock().unwrap().push(Seen {
            at: asked - start,
            status,
            took: asked.elapsed(),
            problem,
        });
        if status == 503 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Waits for the task to end and asserts its credits moved exactly once: charged in full if it
/// succeeded, returned in full otherwise.
async fn settled_once(app: &TestApp, who: &Signed, id: &str) -> Value {
    let task = app
        .wait_for_task_within(who, id, Duration::from_secs(60))
        .await;
    let (cost, charged, refunded) = (
        task["cost"].as_i64().unwrap(),
        task["charged"].as_i64().unwrap(),
        task["refunded"].as_i64().unwrap(),
    );
    match task["status"].as_str().unwrap() {
        "succeeded" => assert_eq!((charged, refunded), (cost, 0), "{task}"),
        _ => assert_eq!((charged, refunded), (0, cost), "{task}"),
    }
    task
}

fn p99(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values
        .get((values.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_under_load_fails_fast_recovers_and_loses_no_accepted_task() {
    let database_url = create_database().await;
    let proxy = Proxy::start(socket_of(&database_url)).await;
    let mut proxied = reqwest::Url::parse(&database_url).unwrap();
    proxied.set_host(Some("127.0.0.1")).unwrap();
    proxied.set_port(Some(proxy.port())).unwrap();
    let app = Arc::new(
        spawn_app_on(
            proxied.to_string(),
            &[
                ("ZIMAGE_WORKERS", "2"),
                ("ZIMAGE_LOCAL_LATENCY_MS", "20"),
                ("ZIMAGE_JOB_LEASE_SECS", "2"),
                ("ZIMAGE_DATABASE_POOL_SIZE", "8"),
                ("ZIMAGE_MAX_ACTIVE_TASKS_PER_USER", "100000"),
                ("ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER", "100000/1"),
            ],
        )
        .await,
    );
    let ada = app.signed_in_user("ada@example.org").await;
    grant(&app, user_id(&ada), 100_000, None).await;

    let (seen, accepted) = (Arc::default(), Arc::default());
    let start = Instant::now();
    let until = start + Duration::from_secs(9);
    let clients: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(load(
                app.clone(),
                ada.access.clone(),
                start,
                until,
                Arc::clone(&seen),
                Arc::clone(&accepted),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    proxy.cut();
    let cut = start.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Taken before restoring, so no request counted in the gap can have reached the database.
    let restored = start.elapsed();
    proxy.restore();
    for client in clients {
        client.await.unwrap();
    }

    let seen: Vec<Seen> = seen.lock().unwrap().clone();
    let accepted: Vec<String> = accepted.lock().unwrap().clone();
    // Nothing but 503 problem+json for trouble; never a 500 or a dropped connection.
    for s in &seen {
        assert!(
            (200..300).contains(&s.status) || (s.status == 503 && s.problem),
            "answered {} at {:?}",
            s.status,
            s.at
        );
    }
    let before = seen.iter().filter(|s| s.at < cut && s.status < 300).count();
    let gap: Vec<&Seen> = seen
        .iter()
        // Margins on both sides: requests in flight when the cut or the return happened may go
        // either way.
        .filter(|s| {
            s.at > cut + Duration::from_millis(300) && s.at + Duration::from_millis(100) < restored
        })
        .collect();
    assert!(before > 10, "the load ran before the outage ({before})");
    assert!(gap.len() > 10, "the load went on during the outage");
    assert!(gap.iter().all(|s| s.status == 503), "the database was away");
    let gap_p99 = p99(gap.iter().map(|s| s.took).collect());
    assert!(
        gap_p99 < Duration::from_secs(2),
        "failing took {gap_p99:?} at p99"
    );
    let recovered = seen
        .iter()
        .filter(|s| s.at >= restored && s.status < 300)
        .map(|s| s.at + s.took)
        .min()
        .expect("requests succeed again after the outage")
        - restored;
    assert!(
        recovered <= Duration::from_secs(5),
        "recovered after {recovered:?}"
    );

    // Every accepted task is there and ends, charged or refunded exactly once.
    assert!(
        accepted.len() > 10,
        "tasks were accepted ({})",
        accepted.len()
    );
    let mut finished = std::collections::HashMap::<String, usize>::new();
    for id in &accepted {
        let task = settled_once(&app, &ada, id).await;
        *finished
            .entry(task["status"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    app.assert_ledger_consistent(user_id(&ada)).await;
    eprintln!(
        "database outage: {} requests ({} during the {:.1} s gap, all 503, p99 {:?}); recovered \
         {:?} after restore; {} tasks accepted, all finished: {finished:?}",
        seen.len(),
        gap.len(),
        (restored - cut).as_secs_f64(),
        gap_p99,
        recovered,
        accepted.len()
    );
}

/// Object keys in the bucket, read straight from the S3 server.
async fn bucket_keys(endpoint: &str, bucket: &str) -> BTreeSet<String> {
    let xml = reqwest::get(format!("{endpoint}/{bucket}?list-type=2&max-keys=1000"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|part| part.split_once("</Key>").map(|(key, _)| key.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_storage_down_during_result_upload_retries_then_refunds_and_leaves_no_orphans() {
    let s3 = start_s3("zimage-chaos").await;
    let proxy = Proxy::start(socket_of(&s3.endpoint)).await;
    let endpoint = format!("http://127.0.0.1:{}", proxy.port());
    let app = spawn_app_with(&[
        ("ZIMAGE_STORAGE", "s3"),
        ("ZIMAGE_S3_ENDPOINT", endpoint.as_str()),
        ("ZIMAGE_S3_REGION", "us-east-1"),
        ("ZIMAGE_S3_BUCKET", "zimage-chaos"),
        ("ZIMAGE_S3_ACCESS_KEY", "test-access"),
        ("ZIMAGE_S3_SECRET_KEY", "test-secret"),
        ("ZIMAGE_WORKERS", "2"),
        ("ZIMAGE_LOCAL_LATENCY_MS", "0"),
        ("ZIMAGE_POLL_INTERVAL_MS", "10"),
        ("ZIMAGE_JOB_MAX_ATTEMPTS", "2"),
        ("ZIMAGE_MAX_ACTIVE_TASKS_PER_USER", "1000"),
        ("ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER", "1000/1"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    grant(&app, user_id(&ada), 1000, None).await;
    let body = json!({"model": "z-image-local", "prompt": "tide pools", "width": 512,
                      "height": 512, "num_images": 4});
    let submit = async || -> String {
        let response = app.post_auth("/v1/generations", &ada.access, &body).await;
        assert_eq!(response.status(), 202);
        response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(submit().await);
    }
    // Cut storage as soon as results start arriving, so some uploads are caught halfway.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = app
            .get_json("/v1/generations?status=succeeded&limit=100", &ada.access)
            .await;
        if !done["items"].as_array().unwrap().is_empty() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.cut();
    for _ in 0..4 {
        ids.push(submit().await);
    }
    let mut outcomes = std::collections::HashMap::<String, usize>::new();
    for id in &ids {
        let task = settled_once(&app, &ada, id).await;
        match task["status"].as_str().unwrap() {
            "succeeded" => {}
            "failed" => assert_eq!(task["failure_reason"], "provider_unavailable", "{task}"),
            other => panic!("unexpected {other}: {task}"),
        }
        *outcomes
            .entry(task["status"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert!(
        outcomes.get("failed").copied().unwrap_or(0) >= 4,
        "tasks submitted while storage was down fail: {outcomes:?}"
    );
    app.assert_ledger_consistent(user_id(&ada)).await;

    // Storage returns; the scheduled sweep deletes whatever was stored for tasks that failed.
    proxy.restore();
    app.state.clock.advance(chrono::Duration::hours(2));
    use diesel_async::RunQueryDsl;
    let mut conn = app.state.db.get().await.unwrap();
    // The scheduler runs again and again; a few runs may be needed when a sweep started during
    // the outage still holds some keys (each run skips keys another sweep has locked).
    let mut report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    for _ in 0..10 {
        let left: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM pending_objects)",
        ))
        .get_result(&mut conn)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        report = zimage_api::jobs::scheduler::run_once(&app.state)
            .await
            .unwrap();
    }
    #[derive(diesel::QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Text)]
        key: String,
    }
    let owned: BTreeSet<String> = diesel::sql_query(
        "SELECT storage_key AS key FROM images UNION ALL SELECT thumbnail_key FROM images",
    )
    .load::<Key>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|k| k.key)
    .collect();
    // Each left-over key with its attempts and when it is due, to tell a slow deletion from a
    // lost one if this ever fails.
    let pending: Vec<Key> = diesel::sql_query(
        "SELECT storage_key || ' attempts ' || attempts || ' due ' || delete_after AS key \
         FROM pending_objects",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        pending.is_empty(),
        "every unowned upload was dealt with (sweep report {report:?}, clock {}): {:?}",
        app.state.clock.now(),
        pending.iter().map(|k| &k.key).collect::<Vec<_>>()
    );
    let stored = bucket_keys(&s3.endpoint, "zimage-chaos").await;
    assert_eq!(
        stored, owned,
        "exactly the recorded images are stored: no orphans"
    );
    assert_eq!(
        owned.len(),
        outcomes.get("succeeded").copied().unwrap_or(0) * 8,
        "4 images and 4 thumbnails per succeeded task"
    );
    eprintln!(
        "storage outage: {} tasks → {outcomes:?}; {} objects stored for them; {} unowned keys \
         cleared by the sweep after recovery; 0 orphans",
        ids.len(),
        stored.len(),
        report.unowned_objects_deleted
    );
}
