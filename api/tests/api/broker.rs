//! The generation broker against providers that misbehave: submissions never repeated blindly,
//! deadlines from the task's start, give-ups cancelled at the provider, one result fetch however
//! webhooks and checks interleave, and hundreds of waiting tasks surviving a `kill -9`.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::testing::providers::{MockProvider, Mode};

use crate::helpers::{Signed, TestApp, spawn_app_with, user_id};
use crate::providers::{available, fal_app, submitted_request};

async fn submit(app: &TestApp, who: &Signed, body: &Value) -> String {
    let response = app.post_auth("/v1/generations", &who.access, body).await;
    assert_eq!(response.status(), 202);
    let task: Value = response.json().await.unwrap();
    task["id"].as_str().unwrap().to_string()
}

/// Runs one task of `model` against a provider in `mode`; returns the finished task.
async fn one_task(app: &TestApp, model: &str) -> (Signed, Value) {
    let ada = app.signed_in_user("ada@example.org").await;
    let id = submit(app, &ada, &json!({"model": model, "prompt": "once only"})).await;
    let done = app.wait_for_task(&ada, &id).await;
    (ada, done)
}

#[tokio::test]
async fn a_submission_whose_answer_cannot_be_read_never_starts_a_second_provider_job() {
    // fal names the request in a header: the task goes on with the job it started.
    let mock = MockProvider::fal();
    mock.set_mode(Mode::MalformedSubmit);
    let app = fal_app(&mock, &[]).await;
    let (ada, done) = one_task(&app, "z-image-turbo-fal").await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!((mock.jobs(), mock.submissions()), (1, 1));
    assert_eq!(available(&app, &ada).await, 18);

    // Unreadable, no header (fal), or KIE's unreadable acceptance: failed and refunded, never
    // sent again.
    for (provider, model) in [("fal", "z-image-turbo-fal"), ("kie", "z-image-kie")] {
        let mock = if provider == "fal" {
            MockProvider::fal()
        } else {
            MockProvider::kie()
        };
        mock.set_mode(Mode::MalformedSubmitNoHeader);
        let app = if provider == "fal" {
            fal_app(&mock, &[("ZIMAGE_JOB_MAX_ATTEMPTS", "3")]).await
        } else {
            spawn_app_with(&[
                ("ZIMAGE_KIE_KEY", mock.key.as_str()),
                ("ZIMAGE_KIE_BASE_URL", mock.base_url.as_str()),
                ("ZIMAGE_JOB_MAX_ATTEMPTS", "3"),
            ])
            .await
        };
        let (ada, done) = one_task(&app, model).await;
        assert_eq!(done["status"], "failed", "{provider}: {done}");
        assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
        assert_eq!(done["refunded"], done["cost"]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(mock.jobs(), 1, "{provider}: one provider job for one task");
        assert_eq!(available(&app, &ada).await, 20);
        app.assert_ledger_consistent(user_id(&ada)).await;
    }

    // An answer slower than the request timeout: the job may exist there, so it is not sent again.
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Slow);
    let app = fal_app(
        &mock,
        &[
            ("ZIMAGE_JOB_MAX_ATTEMPTS", "3"),
            ("ZIMAGE_PROVIDER_REQUEST_TIMEOUT_SECS", "1"),
        ],
    )
    .await;
    let (_, done) = one_task(&app, "z-image-turbo-fal").await;
    assert_eq!(done["status"], "failed", "{done}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(mock.jobs(), 1, "submitted once");
}

#[tokio::test]
async fn the_deadline_counts_from_the_task_start_and_the_job_is_cancelled_at_the_provider() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Hold);
    let app = fal_app(
        &mock,
        &[
            ("ZIMAGE_TASK_TIMEOUT_SECS", "2"),
            ("ZIMAGE_POLL_INTERVAL_MS", "700"),
        ],
    )
    .await;
    let (ada, done) = one_task(&app, "z-image-turbo-fal").await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["failure_reason"], "provider_timeout", "{done}");
    let started =
        chrono::DateTime::parse_from_rfc3339(done["started_at"].as_str().unwrap()).unwrap();
    let finished =
        chrono::DateTime::parse_from_rfc3339(done["finished_at"].as_str().unwrap()).unwrap();
    let ran = (finished - started).num_milliseconds();
    assert!(
        (2000..3000).contains(&ran),
        "ended {ran} ms after it started, for a 2 s limit"
    );
    assert_eq!(mock.canceled(), mock.request_ids(), "stopped at fal too");
    assert_eq!(available(&app, &ada).await, 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_task_given_up_after_errors_is_cancelled_at_the_provider() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::MalformedStatus);
    let app = fal_app(&mock, &[]).await;
    let (ada, done) = one_task(&app, "z-image-turbo-fal").await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["failure_reason"], "provider_unavailable", "{done}");
    assert_eq!(
        mock.submissions(),
        1,
        "checks that fail do not submit again"
    );
    assert_eq!(mock.canceled(), mock.request_ids(), "stopped at fal too");
    assert_eq!(available(&app, &ada).await, 20);
}

#[tokio::test]
async fn webhooks_racing_the_checks_fetch_the_result_and_each_image_once() {
    let mock = MockProvider::fal();
    let jwks = format!("{}/.well-known/jwks.json", mock.base_url);
    mock.set_mode(Mode::Hold);
    let app = fal_app(
        &mock,
        &[
            ("ZIMAGE_FAL_WEBHOOKS", "true"),
            ("ZIMAGE_FAL_JWKS_URL", jwks.as_str()),
            ("ZIMAGE_POLL_INTERVAL_MS", "10"),
        ],
    )
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = submit(
        &app,
        &ada,
        &json!({"model": "z-image-turbo-fal", "prompt": "raced", "num_images": 2}),
    )
    .await;
    let request_id = submitted_request(&mock).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body = json!({"request_id": request_id, "gateway_request_id": request_id, "status": "OK",
                      "error": null, "payload": {"images": []}})
    .to_string();
    let headers = mock.fal_webhook_headers(&request_id, &body, chrono::Utc::now().timestamp());
    // Done at fal: the checks (every 10 ms) and five deliveries of the notice race for it.
    mock.set_mode(Mode::Succeed);
    mock.complete(&request_id);
    let notices = (0..5).map(|_| {
        let mut request = app
            .client
            .post(app.url("/v1/webhooks/providers/fal"))
            .header("content-type", "application/json")
            .body(body.clone());
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        request.send()
    });
    for answer in futures_util::future::join_all(notices).await {
        assert_eq!(answer.unwrap().status(), 200);
    }
    let done = app.wait_for_task(&ada, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mock.result_fetches().get(&request_id).copied(),
        Some(1),
        "one result fetch"
    );
    let downloads = mock.downloads();
    assert_eq!(downloads.len(), 2, "{downloads:?}");
    assert!(downloads.values().all(|n| *n == 1), "{downloads:?}");
    assert_eq!(
        mock.jwks_fetches(),
        1,
        "five notices at once, one fetch of the keys"
    );
    assert_eq!(
        unowned_keys(&app, &id).await,
        Vec::<String>::new(),
        "the losers of the finish listed no keys; the winner's came off the list"
    );
    assert_eq!(available(&app, &ada).await, 16);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

/// A `zimage worker` process against the test's database, storage and fal server.
fn fal_worker(app: &TestApp, mock: &MockProvider) -> std::process::Child {
    app.zimage_process(&["worker"])
        .env("ZIMAGE_FAL_KEY", &mock.key)
        .env("ZIMAGE_FAL_QUEUE_URL", &mock.base_url)
        .env("ZIMAGE_POLL_INTERVAL_MS", "200")
        .env("ZIMAGE_JOB_LEASE_SECS", "2")
        .env("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "10")
        .spawn()
        .expect("the zimage binary runs")
}

async fn jobs_in(app: &TestApp, status: &str) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::jobs;
    let mut conn = app.state.db.get().await.unwrap();
    jobs::table
        .filter(jobs::status.eq(status.to_string()))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn hundreds_of_tasks_waiting_on_a_slow_provider_survive_a_kill_9_submitted_once() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Hold);
    let app = fal_app(
        &mock,
        &[
            ("ZIMAGE_WORKERS", "0"),
            ("ZIMAGE_JOB_LEASE_SECS", "2"),
            ("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "10"),
            ("ZIMAGE_POLL_INTERVAL_MS", "200"),
            ("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", "1000/60"),
            ("ZIMAGE_RATE_LIMIT_EMAIL_PER_IP", "1000/60"),
            ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "1000/60"),
        ],
    )
    .await;
    // Twenty people with ten 2-credit tasks each: 200 tasks, all their bonus credits.
    let mut tasks = Vec::new();
    let mut people = Vec::new();
    for n in 0..20 {
        let who = app.signed_in_user(&format!("user{n}@example.org")).await;
        for t in 0..10 {
            let body = json!({"model": "z-image-turbo-fal", "prompt": format!("slow {n}-{t}")});
            tasks.push((people.len(), submit(&app, &who, &body).await));
        }
        people.push(who);
    }
    let mut worker = fal_worker(&app, &mock);
    let mut waiting = 0;
    for _ in 0..600 {
        waiting = jobs_in(&app, "waiting").await;
        if waiting == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(waiting, 200, "every task waits at the provider at once");
    assert_eq!(jobs_in(&app, "running").await, 0, "waiting holds no lease");
    // SIGKILL: no handover; only the lapsing heartbeat tells anyone.
    worker.kill().unwrap();
    worker.wait().unwrap();
    mock.set_mode(Mode::Succeed);

    let rescuer = zimage_api::jobs::WorkerPool::start(app.state.clone(), 2);
    for (owner, id) in &tasks {
        let done = app
            .wait_for_task_within(&people[*owner], id, Duration::from_secs(60))
            .await;
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(done["charged"], 2);
    }
    rescuer.shutdown(Duration::from_secs(5)).await;
    assert_eq!(mock.jobs(), 200, "each task submitted to the provider once");
    for who in &people {
        assert_eq!(available(&app, who).await, 0);
        app.assert_ledger_consistent(user_id(who)).await;
    }
}

/// The storage keys listed as unowned for task `id`.
async fn unowned_keys(app: &TestApp, id: &str) -> Vec<String> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::pending_objects;
    let mut conn = app.state.db.get().await.unwrap();
    pending_objects::table
        .filter(pending_objects::task_id.eq(uuid::Uuid::parse_str(id).unwrap()))
        .select(pending_objects::storage_key)
        .order(pending_objects::storage_key)
        .load(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_waiting_task_lists_its_image_keys_with_its_submission_and_none_stay_listed() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::images;

    let app = spawn_app_with(&[
        ("ZIMAGE_LOCAL_LATENCY_MS", "1500"),
        ("ZIMAGE_POLL_INTERVAL_MS", "50"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let body = json!({"model": "z-image-local", "prompt": "listed", "num_images": 2,
                      "width": 512, "height": 512, "output_format": "jpeg"});
    let id = submit(&app, &ada, &body).await;
    let mut listed = Vec::new();
    eventually("the task waits with its keys listed", async || {
        listed = unowned_keys(&app, &id).await;
        !listed.is_empty()
    })
    .await;
    // A file and a thumbnail per image asked for, listed before anything is stored, in the
    // statement that recorded the submission (the job waits from then on).
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert_eq!(listed.iter().filter(|k| k.ends_with(".jpg")).count(), 2);
    assert_eq!(
        listed.iter().filter(|k| k.contains("/thumbnails/")).count(),
        2
    );
    assert_eq!(jobs_in(&app, "waiting").await, 1);

    let done = app.wait_for_task(&ada, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let mut conn = app.state.db.get().await.unwrap();
    let stored: Vec<(String, String)> = images::table
        .filter(images::task_id.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .select((images::storage_key, images::thumbnail_key))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for (file, thumbnail) in &stored {
        assert!(
            listed.contains(file),
            "{file} was listed before it was stored"
        );
        assert!(listed.contains(thumbnail), "{thumbnail} too");
    }
    assert_eq!(
        unowned_keys(&app, &id).await,
        Vec::<String>::new(),
        "recorded images own their keys; none is left for the sweep"
    );
}

#[tokio::test]
async fn progress_is_written_when_it_moves_ten_points_not_on_every_check() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::task_events;

    // The built-in model reports progress on every check: 40 checks over its 2 s.
    let app = spawn_app_with(&[
        ("ZIMAGE_LOCAL_LATENCY_MS", "2000"),
        ("ZIMAGE_POLL_INTERVAL_MS", "50"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = submit(
        &app,
        &ada,
        &json!({"model": "z-image-local", "prompt": "slowly", "width": 256, "height": 256}),
    )
    .await;
    let done = app.wait_for_task(&ada, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let mut conn = app.state.db.get().await.unwrap();
    let reports: Vec<Option<f32>> = task_events::table
        .filter(task_events::task_id.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .filter(task_events::status.eq("running"))
        .order(task_events::id)
        .select(task_events::progress)
        .load(&mut conn)
        .await
        .unwrap();
    let written: Vec<f32> = reports.into_iter().flatten().collect();
    assert!(
        (5..=11).contains(&written.len()),
        "one write per ten points, not per check: {written:?}"
    );
    assert!(
        written.windows(2).all(|w| w[1] - w[0] >= 0.099),
        "{written:?}"
    );
}

/// Polls until `check` holds, for up to 20 s.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test]
async fn a_provider_never_has_more_tasks_in_flight_than_its_cap() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Hold);
    let app = fal_app(&mock, &[("ZIMAGE_FAL_MAX_IN_FLIGHT", "2")]).await;
    let mut tasks = Vec::new();
    for n in 0..4 {
        let who = app.signed_in_user(&format!("user{n}@example.org")).await;
        let body = json!({"model": "z-image-turbo-fal", "prompt": "capped"});
        let id = submit(&app, &who, &body).await;
        tasks.push((who, id));
    }
    eventually("two tasks at the provider", async || mock.jobs() == 2).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(mock.jobs(), 2, "the others wait in the queue");
    assert_eq!(jobs_in(&app, "queued").await, 2);
    mock.set_mode(Mode::Succeed);
    for (who, id) in &tasks {
        let done = app.wait_for_task(who, id).await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    assert_eq!(mock.jobs(), 4, "one provider job per task");
}

#[tokio::test]
async fn a_failing_provider_is_rested_then_probed_and_its_tasks_end_with_refunds() {
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Down);
    // Two failures in a row open the breaker for 3 s.
    let app = fal_app(&mock, &[("ZIMAGE_FAL_BREAKER", "2,3000")]).await;
    let body = json!({"model": "z-image-turbo-fal", "prompt": "down"});
    let ada = app.signed_in_user("ada@example.org").await;
    let first = [
        submit(&app, &ada, &body).await,
        submit(&app, &ada, &body).await,
    ];
    eventually("two failed submissions", async || {
        mock.submission_times().len() >= 2
    })
    .await;
    // Open: a new task is not sent while the provider rests.
    let bob = app.signed_in_user("bob@example.org").await;
    let waiting = submit(&app, &bob, &body).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(mock.submission_times().len(), 2, "nothing sent while open");
    let task = app
        .get_json(&format!("/v1/generations/{waiting}"), &bob.access)
        .await;
    assert_eq!(task["status"], "queued", "{task}");

    // Back up: after the rest one probe goes through, works, and the rest follow.
    mock.set_mode(Mode::Succeed);
    let done = app.wait_for_task(&bob, &waiting).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    for id in &first {
        let done = app.wait_for_task(&ada, id).await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    app.assert_ledger_consistent(user_id(&ada)).await;

    // Down for longer than a task may take: tasks end failed with their credits back instead
    // of waiting, and the breaker spares the provider most of the retries.
    let mock = MockProvider::fal();
    mock.set_mode(Mode::Down);
    let app = fal_app(
        &mock,
        &[
            ("ZIMAGE_FAL_BREAKER", "2,1000"),
            ("ZIMAGE_TASK_TIMEOUT_SECS", "3"),
        ],
    )
    .await;
    let mut tasks = Vec::new();
    for n in 0..6 {
        let who = app.signed_in_user(&format!("u{n}@example.org")).await;
        let id = submit(&app, &who, &body).await;
        tasks.push((who, id));
    }
    for (who, id) in &tasks {
        let done = app.wait_for_task(who, id).await;
        assert_eq!(done["status"], "failed", "{done}");
        // Unavailable, or out of time while retried or resting.
        assert!(
            ["provider_unavailable", "provider_timeout"]
                .contains(&done["failure_reason"].as_str().unwrap()),
            "{done}"
        );
        assert_eq!(
            (done["charged"].as_i64(), done["refunded"].as_i64()),
            (Some(0), Some(2))
        );
        assert_eq!(available(&app, who).await, 20);
    }
    let sent = mock.submission_times().len();
    assert!(
        sent < 6 * 3,
        "{sent} submissions: the breaker held most of the 18 retries back"
    );
}
