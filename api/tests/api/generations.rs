//! Generation tasks end to end with the local provider: charge, images, refunds, ownership.

use serde_json::{Value, json};
use std::time::Duration;
use zimage_api::providers::render;
use zimage_shared::generation::OutputFormat;

use crate::helpers::{
    PASSWORD, Signed, TestApp, assert_problem, spawn_app, spawn_app_with, user_id,
};

pub(crate) fn request(prompt: &str) -> Value {
    json!({"model": "z-image-local", "prompt": prompt, "width": 256, "height": 256,
           "output_format": "webp", "seed": 5, "num_images": 2})
}

async fn credits(app: &TestApp, who: &Signed) -> (i64, i64) {
    let body: Value = app.get_json("/v1/credits", &who.access).await;
    (
        body["available"].as_i64().unwrap(),
        body["held"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_generation_holds_its_cost_renders_and_settles() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let response = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &request("a glass lighthouse"),
        )
        .await;
    assert_eq!(response.status(), 202);
    let task: Value = response.json().await.unwrap();
    assert_eq!(task["status"], "queued");
    assert_eq!(task["cost"], 2);
    assert_eq!(task["seed"], 5);

    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    assert_eq!(credits(&app, &ada).await, (18, 0));

    let file = app
        .get_auth(done["images"][0]["url"].as_str().unwrap(), &ada.access)
        .await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/webp");
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"zimage-")
    );
    let expected = render::render("a glass lighthouse", 5, 256, 256, OutputFormat::Webp).unwrap();
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        expected.as_slice(),
        "deterministic in prompt, seed, size"
    );
    let second = app
        .get_auth(done["images"][1]["url"].as_str().unwrap(), &ada.access)
        .await
        .bytes()
        .await
        .unwrap();
    assert_ne!(
        second.as_ref(),
        expected.as_slice(),
        "each image has its own seed"
    );

    let list: Value = app
        .get_json("/v1/generations?status=succeeded", &ada.access)
        .await;
    assert_eq!(list["items"][0]["id"], task["id"]);
    let none: Value = app
        .get_json("/v1/generations?status=failed", &ada.access)
        .await;
    assert_eq!(none["items"], json!([]));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn an_uncovered_generation_is_402_and_creates_nothing() {
    let app = spawn_app_with(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let response = app
        .post_auth("/v1/generations", &ada.access, &request("too expensive"))
        .await;
    assert_problem(response, 402, "insufficient_credits").await;
    let list: Value = app.get_json("/v1/generations", &ada.access).await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(credits(&app, &ada).await, (1, 0));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn invalid_requests_get_field_errors() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bad = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "  ", "num_images": 5, "seed": -1, "width": 300}),
        )
        .await;
    let body = assert_problem(bad, 422, "validation_failed").await;
    for field in ["prompt", "num_images", "seed", "width"] {
        assert!(body["errors"][field].is_array(), "{field} missing: {body}");
    }
    let both = app
        .post_auth("/v1/generations", &ada.access, &json!({"model": "z-image-local", "prompt": "x", "aspect_ratio": "1:1", "width": 512, "height": 512}))
        .await;
    assert_problem(both, 422, "validation_failed").await;
    let unknown = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "nope", "prompt": "x"}),
        )
        .await;
    assert!(assert_problem(unknown, 422, "validation_failed").await["errors"]["model"].is_array());
    let ratio: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "wide", "aspect_ratio": "16:9"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (ratio["width"].as_u64(), ratio["height"].as_u64()),
        (Some(1024), Some(576))
    );
    app.signup("bob@example.org").await;
    let bob = app.sign_in("bob@example.org", PASSWORD).await;
    let unverified = app
        .post_auth("/v1/generations", &bob.access, &request("x"))
        .await;
    assert_problem(unverified, 403, "email_not_verified").await;
}

#[tokio::test]
async fn canceling_returns_the_credits_once() {
    let app = spawn_app_with(&[("ZIMAGE_LOCAL_LATENCY_MS", "60000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("slow"))
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    assert_eq!(credits(&app, &ada).await, (18, 2));
    let canceled: Value = app
        .post_auth(
            &format!("/v1/generations/{id}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(
        (canceled["charged"].as_i64(), canceled["refunded"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(credits(&app, &ada).await, (20, 0));
    let again = app
        .post_auth(
            &format!("/v1/generations/{id}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_problem(again, 409, "task_finished").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.wait_for_task(&ada, id).await["status"],
        "canceled",
        "the worker leaves it canceled"
    );
    assert_eq!(credits(&app, &ada).await, (20, 0));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn an_idempotency_key_makes_retries_safe() {
    let app = spawn_app_with(&[("ZIMAGE_LOCAL_LATENCY_MS", "60000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let send = |body: Value| {
        let (app, access) = (&app, ada.access.clone());
        async move {
            app.client
                .post(app.url("/v1/generations"))
                .bearer_auth(access)
                .header("idempotency-key", "retry-1")
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let first = send(request("once")).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    let retry = send(request("once")).await;
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(credits(&app, &ada).await, (18, 2), "charged once");
    assert_problem(
        send(request("something else")).await,
        422,
        "idempotency_key_reused",
    )
    .await;
}

#[tokio::test]
async fn other_users_tasks_and_images_are_404() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("private"))
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    let done = app.wait_for_task(&ada, id).await;
    let image = done["images"][0]["url"].as_str().unwrap();
    assert_problem(
        app.get_auth(&format!("/v1/generations/{id}"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.get_auth(image, &bob.access).await, 404, "not_found").await;
    assert_problem(
        app.post_auth(
            &format!("/v1/generations/{id}/cancel"),
            &bob.access,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.delete_auth(&format!("/v1/generations/{id}"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    let bobs: Value = app.get_json("/v1/generations", &bob.access).await;
    assert_eq!(bobs["items"], json!([]));
    assert_eq!(app.get_auth(image, &ada.access).await.status(), 200);
}

#[tokio::test]
async fn deleting_removes_the_task_and_its_files() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("ephemeral"))
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    let done = app.wait_for_task(&ada, id).await;
    let image_id = done["images"][0]["id"].as_str().unwrap();
    let stored = app.data_dir.join(format!(
        "objects/users/{}/images/{image_id}.webp",
        user_id(&ada)
    ));
    assert!(stored.exists());
    assert_eq!(
        app.delete_auth(&format!("/v1/generations/{id}"), &ada.access)
            .await
            .status(),
        204
    );
    assert!(!stored.exists());
    assert_problem(
        app.get_auth(&format!("/v1/images/{image_id}/file"), &ada.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_auth(&format!("/v1/generations/{id}"), &ada.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        credits(&app, &ada).await,
        (18, 0),
        "spent credits stay spent"
    );
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_over_and_charged_once() {
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("orphaned"))
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    // A worker claims the job with a 1 s lease and then dies without a heartbeat.
    let claimed = claim_and_die(&app).await;
    assert_eq!(claimed.attempts, 1);
    // While the lease holds, nobody else may take the job.
    assert!(
        !zimage_api::jobs::worker::next(&app.state, "rescuer")
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        zimage_api::jobs::worker::next(&app.state, "rescuer")
            .await
            .unwrap()
    );
    let done = app.wait_for_task(&ada, id).await;
    assert_eq!(done["status"], "succeeded");
    assert_eq!(done["charged"], 2);
    assert_eq!(credits(&app, &ada).await, (18, 0));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn shutdown_hands_running_jobs_to_the_next_worker() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::jobs;

    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0"), ("ZIMAGE_LOCAL_LATENCY_MS", "1500")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("handover"))
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();

    let first = zimage_api::jobs::WorkerPool::start(app.state.clone(), 1);
    let mut seen = Value::Null;
    for _ in 0..100 {
        let current: Value = app
            .get_json(&format!("/v1/generations/{id}"), &ada.access)
            .await;
        if current["status"] == "running" {
            seen = current["status"].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, "running");
    first.shutdown(Duration::from_secs(5)).await;

    let mut conn = app.state.db.get().await.unwrap();
    let (status, locked_by): (String, Option<String>) = jobs::table
        .select((jobs::status, jobs::locked_by))
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        (status.as_str(), locked_by),
        ("queued", None),
        "released, not left to a lapsing lease"
    );

    let second = zimage_api::jobs::WorkerPool::start(app.state.clone(), 1);
    let done = app.wait_for_task(&ada, id).await;
    assert_eq!(done["status"], "succeeded");
    assert_eq!(done["charged"], 2);
    assert_eq!(credits(&app, &ada).await, (18, 0));
    second.shutdown(Duration::from_secs(5)).await;
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn moderated_prompts_are_refused_before_anything_is_charged() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::moderation_events;

    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let root = crate::helpers::signed_in_admin(&app).await;
    let rules = "/v1/admin/moderation/rules";
    assert_problem(
        app.post_auth(rules, &ada.access, &json!({"kind": "term", "pattern": "x"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let bad = app
        .post_auth(
            rules,
            &root.access,
            &json!({"kind": "regex", "pattern": "(unclosed"}),
        )
        .await;
    assert_problem(bad, 422, "validation_failed").await;
    let term: Value = app
        .post_auth(
            rules,
            &root.access,
            &json!({"kind": "term", "pattern": "forbidden thing"}),
        )
        .await
        .json()
        .await
        .unwrap();
    app.post_auth(
        rules,
        &root.access,
        &json!({"kind": "regex", "pattern": "bad(word|phrase)s?"}),
    )
    .await;

    for prompt in [
        "a FORBIDDEN   thing".replace("   ", " "),
        "some badwords here".to_string(),
    ] {
        let refused = app
            .post_auth("/v1/generations", &ada.access, &request(&prompt))
            .await;
        assert_problem(refused, 422, "prompt_rejected").await;
    }
    let negative =
        json!({"model": "z-image-local", "prompt": "fine", "negative_prompt": "badphrase"});
    assert_problem(
        app.post_auth("/v1/generations", &ada.access, &negative)
            .await,
        422,
        "prompt_rejected",
    )
    .await;
    assert_eq!(credits(&app, &ada).await, (20, 0), "nothing held");
    let tasks: Value = app.get_json("/v1/generations", &ada.access).await;
    assert_eq!(tasks["items"], json!([]));
    let mut conn = app.state.db.get().await.unwrap();
    let events: i64 = moderation_events::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(events, 3);

    let listed: Value = app.get_json(rules, &root.access).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let delete = app
        .delete_auth(
            &format!("{rules}/{}", term["id"].as_str().unwrap()),
            &root.access,
        )
        .await;
    assert_eq!(delete.status(), 204);
    let allowed = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &request("a forbidden thing"),
        )
        .await;
    assert_eq!(allowed.status(), 202);
    // The rules this server keeps compiled are read again at once after a change here.
    app.post_auth(
        rules,
        &root.access,
        &json!({"kind": "term", "pattern": "thing"}),
    )
    .await;
    assert_problem(
        app.post_auth(
            "/v1/generations",
            &ada.access,
            &request("a forbidden thing"),
        )
        .await,
        422,
        "prompt_rejected",
    )
    .await;
}

#[tokio::test]
async fn the_gallery_lists_favourites_previews_and_deletes_images() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("a quiet harbour"))
        .await
        .json()
        .await
        .unwrap();
    app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;

    let gallery: Value = app.get_json("/v1/images", &ada.access).await;
    let items = gallery["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["prompt"], "a quiet harbour");
    assert_eq!(items[0]["model"], "z-image-local");
    let id = items[0]["id"].as_str().unwrap().to_string();

    let thumb = app
        .get_auth(&format!("/v1/images/{id}/thumbnail"), &ada.access)
        .await;
    assert_eq!(thumb.headers()["content-type"], "image/webp");
    assert!(!thumb.bytes().await.unwrap().is_empty());

    let faved: Value = app
        .client
        .put(app.url(&format!("/v1/images/{id}/favorite")))
        .bearer_auth(&ada.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faved["favorite"], true);
    let favourites: Value = app.get_json("/v1/images?favorite=true", &ada.access).await;
    assert_eq!(favourites["items"].as_array().unwrap().len(), 1);
    let paged: Value = app.get_json("/v1/images?limit=1", &ada.access).await;
    assert!(paged["next_cursor"].is_string());

    for path in [
        format!("/v1/images/{id}"),
        format!("/v1/images/{id}/thumbnail"),
    ] {
        assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;
    }
    assert_problem(
        app.delete_auth(&format!("/v1/images/{id}"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.delete_auth(&format!("/v1/images/{id}/favorite"), &ada.access)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.delete_auth(&format!("/v1/images/{id}"), &ada.access)
            .await
            .status(),
        204
    );
    assert_problem(
        app.get_auth(&format!("/v1/images/{id}/file"), &ada.access)
            .await,
        404,
        "not_found",
    )
    .await;
    let left: Value = app.get_json("/v1/images", &ada.access).await;
    assert_eq!(left["items"].as_array().unwrap().len(), 1);

    // Downloading an original is recorded, for the owner only.
    let other = left["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.get_auth(&format!("/v1/images/{other}/file"), &ada.access)
            .await
            .status(),
        200
    );
    let history: Value = app.get_json("/v1/downloads", &ada.access).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    assert_eq!(history["items"][0]["image_id"], other);
    let bobs: Value = app.get_json("/v1/downloads", &bob.access).await;
    assert_eq!(bobs["items"], json!([]));
}

#[tokio::test]
async fn a_preview_is_a_smaller_webp_unless_the_image_is_no_larger_than_one() {
    use zimage_api::storage::ObjectStore;
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut images = Vec::new();
    for side in [256, 512] {
        let body = json!({"model": "z-image-local", "prompt": "a paper boat", "width": side,
                          "height": side, "output_format": "png", "num_images": 1});
        let task: Value = app
            .post_auth("/v1/generations", &ada.access, &body)
            .await
            .json()
            .await
            .unwrap();
        let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "succeeded");
        images.push(done["images"][0]["id"].as_str().unwrap().to_string());
    }
    let [small, large] = [&images[0], &images[1]];
    for (id, content_type, side) in [(small, "image/png", 256), (large, "image/webp", 384)] {
        let thumb = app
            .get_auth(&format!("/v1/images/{id}/thumbnail"), &ada.access)
            .await;
        assert_eq!(thumb.status(), 200);
        assert_eq!(thumb.headers()["content-type"], content_type);
        let pixels = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
        assert_eq!((pixels.width(), pixels.height()), (side, side));
    }

    // The small image is one stored object, not two; deleting it removes that one.
    let mut conn = app.state.db.get().await.unwrap();
    let rows =
        zimage_api::db::generation::find_image(&mut conn, small.parse().unwrap(), user_id(&ada))
            .await
            .unwrap()
            .unwrap();
    let large_row =
        zimage_api::db::generation::find_image(&mut conn, large.parse().unwrap(), user_id(&ada))
            .await
            .unwrap()
            .unwrap();
    drop(conn);
    assert_eq!(rows.thumbnail_key, rows.storage_key);
    assert_ne!(large_row.thumbnail_key, large_row.storage_key);
    assert!(app.state.storage.get(&rows.storage_key).await.is_ok());
    let deleted = app
        .delete_auth(&format!("/v1/images/{small}"), &ada.access)
        .await;
    assert_eq!(deleted.status(), 204);
    assert!(app.state.storage.get(&rows.storage_key).await.is_err());
    assert!(
        app.state
            .storage
            .get(&large_row.thumbnail_key)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn submissions_and_active_tasks_are_limited_per_user() {
    let app = spawn_app_with(&[
        ("ZIMAGE_LOCAL_LATENCY_MS", "60000"),
        ("ZIMAGE_MAX_ACTIVE_TASKS_PER_USER", "1"),
        ("ZIMAGE_RATE_LIMIT_GENERATIONS_PER_USER", "3/60"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let first: Value = app
        .post_auth("/v1/generations", &ada.access, &request("one"))
        .await
        .json()
        .await
        .unwrap();
    let busy = app
        .post_auth("/v1/generations", &ada.access, &request("two"))
        .await;
    assert!(busy.headers().contains_key("retry-after"));
    let body = assert_problem(busy, 429, "rate_limited").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("queued or running")
    );
    assert_eq!(
        credits(&app, &ada).await,
        (18, 2),
        "the refused task held nothing"
    );
    // Once the first task ends, another may start; the per-minute budget still applies.
    app.post_auth(
        &format!("/v1/generations/{}/cancel", first["id"].as_str().unwrap()),
        &ada.access,
        &json!({}),
    )
    .await;
    assert_eq!(
        app.post_auth("/v1/generations", &ada.access, &request("three"))
            .await
            .status(),
        202
    );
    let over = app
        .post_auth("/v1/generations", &ada.access, &request("four"))
        .await;
    assert_problem(over, 429, "rate_limited").await;
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn idempotency_keys_are_forgotten_after_24_hours() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::ai_tasks;

    let app = spawn_app_with(&[("ZIMAGE_LOCAL_LATENCY_MS", "60000")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let send = || {
        app.client
            .post(app.url("/v1/generations"))
            .bearer_auth(&ada.access)
            .header("idempotency-key", "daily")
            .json(&request("same"))
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let mut conn = app.state.db.get().await.unwrap();
    diesel::update(ai_tasks::table)
        .set(ai_tasks::created_at.eq(chrono::Utc::now() - chrono::Duration::hours(25)))
        .execute(&mut conn)
        .await
        .unwrap();
    app.post_auth(
        &format!("/v1/generations/{}/cancel", first["id"].as_str().unwrap()),
        &ada.access,
        &json!({}),
    )
    .await;
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.idempotency_keys_expired, 1);
    let again = send().await.unwrap();
    assert_eq!(again.status(), 202, "a new task, not a replay");
    assert_ne!(again.json::<Value>().await.unwrap()["id"], first["id"]);
}

#[tokio::test]
async fn claims_share_the_workers_fairly_between_users() {
    let app = spawn_app_with(&[
        ("ZIMAGE_WORKERS", "0"),
        ("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "1"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let mut ada_tasks = Vec::new();
    for n in 0..3 {
        let task: Value = app
            .post_auth(
                "/v1/generations",
                &ada.access,
                &request(&format!("ada {n}")),
            )
            .await
            .json()
            .await
            .unwrap();
        ada_tasks.push(task["id"].as_str().unwrap().to_string());
    }
    let bob_task: Value = app
        .post_auth("/v1/generations", &bob.access, &request("bob"))
        .await
        .json()
        .await
        .unwrap();

    let mut conn = app.state.db.get().await.unwrap();
    let claim = async |conn: &mut diesel_async::AsyncPgConnection| {
        zimage_api::db::generation::claim_jobs(conn, "w", 60, 1, 1, &Default::default())
            .await
            .unwrap()
            .pop()
            .map(|job| job.task_id.to_string())
    };
    assert_eq!(
        claim(&mut conn).await.as_ref(),
        Some(&ada_tasks[0]),
        "oldest first"
    );
    assert_eq!(
        claim(&mut conn).await.as_deref(),
        bob_task["id"].as_str(),
        "bob's one task goes before ada's backlog"
    );
    assert_eq!(
        claim(&mut conn).await,
        None,
        "ada already runs her share of one task"
    );
}

#[tokio::test]
async fn a_batch_claim_keeps_the_fair_share_and_the_per_user_cap() {
    let app = spawn_app_with(&[
        ("ZIMAGE_WORKERS", "0"),
        ("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "2"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let mut ada_tasks = Vec::new();
    for n in 0..3 {
        let task: Value = app
            .post_auth(
                "/v1/generations",
                &ada.access,
                &request(&format!("ada {n}")),
            )
            .await
            .json()
            .await
            .unwrap();
        ada_tasks.push(task["id"].as_str().unwrap().to_string());
    }
    let bob_task: Value = app
        .post_auth("/v1/generations", &bob.access, &request("bob"))
        .await
        .json()
        .await
        .unwrap();

    // Four idle slots: ada's two oldest (her cap) and bob's one; her third waits.
    let mut conn = app.state.db.get().await.unwrap();
    let batch =
        zimage_api::db::generation::claim_jobs(&mut conn, "w", 60, 2, 4, &Default::default())
            .await
            .unwrap();
    let mut claimed: Vec<String> = batch.iter().map(|j| j.task_id.to_string()).collect();
    claimed.sort();
    let mut expected = vec![
        ada_tasks[0].clone(),
        ada_tasks[1].clone(),
        bob_task["id"].as_str().unwrap().to_string(),
    ];
    expected.sort();
    assert_eq!(claimed, expected);
    // Each claimed task is running as of the claim, and the claim says so.
    assert!(
        batch
            .iter()
            .all(|j| j.started && j.task.status == "running")
    );
    assert!(batch.iter().all(|j| j.task.started_at.is_some()));
    let seen: Value = app
        .get_auth(&format!("/v1/generations/{}", ada_tasks[0]), &ada.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["status"], "running");
    // Nothing more until one of ada's finishes.
    assert!(
        zimage_api::db::generation::claim_jobs(&mut conn, "w", 60, 2, 4, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_job_interrupted_too_often_is_dead_and_refunded() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::jobs;

    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0"), ("ZIMAGE_JOB_MAX_ATTEMPTS", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("cursed"))
        .await
        .json()
        .await
        .unwrap();
    claim_and_die(&app).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        zimage_api::jobs::worker::next(&app.state, "rescuer")
            .await
            .unwrap()
    );
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["failure_reason"], "provider_unavailable");
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(credits(&app, &ada).await, (20, 0));
    let mut conn = app.state.db.get().await.unwrap();
    let status: String = jobs::table
        .select(jobs::status)
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(status, "dead");
    app.assert_ledger_consistent(user_id(&ada)).await;
}

/// Runs `zimage worker` as its own process against the test's database and storage.
fn worker_process(
    app: &TestApp,
    lease_secs: &str,
    latency_ms: &str,
    workers: &str,
) -> std::process::Child {
    app.zimage_process(&["worker"])
        .env("ZIMAGE_WORKERS", workers)
        .env("ZIMAGE_LOCAL_LATENCY_MS", latency_ms)
        .env("ZIMAGE_POLL_INTERVAL_MS", "50")
        .env("ZIMAGE_JOB_LEASE_SECS", lease_secs)
        .spawn()
        .expect("the zimage binary runs")
}

#[tokio::test]
async fn killing_a_worker_process_mid_task_loses_nothing_and_charges_once() {
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0"), ("ZIMAGE_JOB_LEASE_SECS", "2")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mut worker = worker_process(&app, "2", "60000", "1");
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("survivor"))
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    let mut running = false;
    for _ in 0..300 {
        let current = app
            .get_json(&format!("/v1/generations/{id}"), &ada.access)
            .await;
        if current["status"] == "running" {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the worker process picked the task up");
    // SIGKILL: no handover, no cleanup; only the lapsing lease tells anyone.
    worker.kill().unwrap();
    worker.wait().unwrap();
    assert_eq!(
        credits(&app, &ada).await,
        (18, 2),
        "still held while orphaned"
    );

    let rescuer = zimage_api::jobs::WorkerPool::start(app.state.clone(), 1);
    let done = app
        .wait_for_task_within(&ada, id, Duration::from_secs(30))
        .await;
    rescuer.shutdown(Duration::from_secs(5)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    assert_eq!(credits(&app, &ada).await, (18, 0));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn killing_one_of_two_worker_processes_with_100_tasks_in_flight_loses_nothing() {
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0"), ("ZIMAGE_JOB_LEASE_SECS", "2")]).await;
    // Ten people with ten 2-credit tasks each: 100 tasks, exactly their 20 bonus credits each.
    let mut people = Vec::new();
    let mut ids = Vec::new();
    for n in 0..10 {
        let who = app.signed_in_user(&format!("user{n}@example.org")).await;
        for t in 0..10 {
            let task: Value = app
                .post_auth(
                    "/v1/generations",
                    &who.access,
                    &request(&format!("task {n}-{t}")),
                )
                .await
                .json()
                .await
                .unwrap();
            ids.push((people.len(), task["id"].as_str().unwrap().to_string()));
        }
        people.push(who);
    }
    // The workers start once all 100 are queued; the victim first, so that it holds tasks (a
    // process takes as many as the per-user caps allow), and it is killed while it does.
    let mut victim = worker_process(&app, "2", "400", "8");
    let victim_holds = format!("{}-%", victim.id());
    let mut survivor = None;
    let mut seen_running = false;
    for _ in 0..400 {
        let (running, held): (i64, i64) = {
            use diesel::dsl::count_star;
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            use zimage_api::db::schema::jobs;
            let mut conn = app.state.db.get().await.unwrap();
            let active = || jobs::table.filter(jobs::status.eq_any(["running", "waiting"]));
            (
                active()
                    .select(count_star())
                    .get_result(&mut conn)
                    .await
                    .unwrap(),
                active()
                    .filter(jobs::locked_by.like(&victim_holds))
                    .select(count_star())
                    .get_result(&mut conn)
                    .await
                    .unwrap(),
            )
        };
        if held > 0 && survivor.is_none() {
            survivor = Some(worker_process(&app, "2", "100", "4"));
        }
        // Both workers busy: most of the 20 places (2 per person) taken, several by the victim.
        if running >= 10 && held > 0 && survivor.is_some() {
            seen_running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut survivor = survivor.expect("the victim took tasks");
    assert!(seen_running, "tasks were running when the worker died");
    victim.kill().unwrap();
    victim.wait().unwrap();

    let mut succeeded = 0;
    let mut charged_per_person = vec![0_i64; people.len()];
    for (owner, id) in &ids {
        let done = app
            .wait_for_task_within(&people[*owner], id, Duration::from_secs(90))
            .await;
        match done["status"].as_str().unwrap() {
            "succeeded" => {
                succeeded += 1;
                charged_per_person[*owner] += 2;
                assert_eq!(
                    (done["charged"].as_i64(), done["refunded"].as_i64()),
                    (Some(2), Some(0)),
                    "{done}"
                );
            }
            "failed" | "canceled" => {
                assert_eq!(done["charged"].as_i64(), Some(0), "{done}");
            }
            other => panic!("task {id} ended {other}"),
        }
    }
    survivor.kill().unwrap();
    survivor.wait().unwrap();
    let taken_over: i64 = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use zimage_api::db::schema::jobs;
        let mut conn = app.state.db.get().await.unwrap();
        jobs::table
            .filter(jobs::attempts.gt(1))
            .count()
            .get_result(&mut conn)
            .await
            .unwrap()
    };
    assert!(
        taken_over > 0,
        "the killed worker held tasks that others finished"
    );
    println!(
        "worker kill -9: 100 tasks, {taken_over} taken over from the dead worker, {succeeded} succeeded, none lost"
    );
    for (who, charged) in people.iter().zip(&charged_per_person) {
        // Every credit is either spent on a succeeded task or back: none held, none lost.
        assert_eq!(credits(&app, who).await, (20 - charged, 0));
        app.assert_ledger_consistent(user_id(who)).await;
    }
}

/// `GET /v1/generations/{id}` sends the session look-up together with its reads: what it read is
/// only answered once the session proved live, and the usual order of refusals holds.
#[tokio::test]
async fn reading_a_generation_answers_only_a_live_session() {
    let app = spawn_app().await;
    let laptop = app.signed_in_user("ada@example.org").await;
    let phone = app.sign_in("ada@example.org", PASSWORD).await;
    let bob = app.signed_in_user("bob@example.org").await;
    let created = app
        .post_auth("/v1/generations", &laptop.access, &request("a lighthouse"))
        .await;
    assert_eq!(created.status(), 202);
    let task: Value = created.json().await.unwrap();
    let id = task["id"].as_str().unwrap();
    let path = format!("/v1/generations/{id}");
    let read: Value = app.get_json(&path, &phone.access).await;
    assert_eq!(read["id"], task["id"]);

    assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_problem(
        app.get_auth("/v1/generations/not-a-uuid", "forged.token.value")
            .await,
        401,
        "unauthorized",
    )
    .await;

    app.revoke_other_session(&laptop).await;
    let refused = app.get_auth(&path, &phone.access).await;
    assert_problem(refused, 401, "unauthorized").await;
    assert_eq!(app.get_auth(&path, &laptop.access).await.status(), 200);
}

#[tokio::test]
async fn api_keys_generate_and_read_only_with_their_scopes() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let reader = app.api_key(&ada, &["generations:read"]).await;
    let writer = app
        .api_key(&ada, &["generations:write", "generations:read"])
        .await;
    assert_problem(
        app.post_auth("/v1/generations", &reader, &request("no scope"))
            .await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_eq!(credits(&app, &ada).await, (20, 0), "nothing held");
    let created = app
        .post_auth("/v1/generations", &writer, &request("with scope"))
        .await;
    assert_eq!(created.status(), 202);
    let task: Value = created.json().await.unwrap();
    let id = task["id"].as_str().unwrap();
    let done = app.wait_for_task(&ada, id).await;
    assert_eq!(
        app.get_auth(&format!("/v1/generations/{id}"), &reader)
            .await
            .status(),
        200
    );
    let image = done["images"][0]["id"].as_str().unwrap();
    assert_problem(
        app.client
            .put(app.url(&format!("/v1/images/{image}/favorite")))
            .bearer_auth(&reader)
            .send()
            .await
            .unwrap(),
        403,
        "insufficient_scope",
    )
    .await;
    let nothing = app.api_key(&ada, &[]).await;
    assert_problem(
        app.get_auth("/v1/images", &nothing).await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_eq!(app.get_auth("/v1/images", &reader).await.status(), 200);
}

#[tokio::test]
async fn downloads_strip_metadata_unless_asked_to_keep_it() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "a paper crane", "width": 256,
                    "height": 256, "output_format": "png", "seed": 11}),
        )
        .await
        .json()
        .await
        .unwrap();
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    let url = done["images"][0]["url"].as_str().unwrap();
    let fetch = |suffix: &'static str| {
        let (app, token) = (&app, ada.access.clone());
        async move {
            let response = app.get_auth(&format!("{url}{suffix}"), &token).await;
            assert_eq!(response.status(), 200, "{suffix}");
            response.bytes().await.unwrap().to_vec()
        }
    };
    let plain = fetch("").await;
    assert_eq!(plain, fetch("&metadata=strip").await);
    assert_eq!(
        plain,
        render::render("a paper crane", 11, 256, 256, OutputFormat::Png).unwrap(),
        "nothing added by default"
    );
    let kept = fetch("&metadata=keep").await;
    let reader = png::Decoder::new(std::io::Cursor::new(kept))
        .read_info()
        .unwrap();
    let texts: Vec<(String, String)> = reader
        .info()
        .utf8_text
        .iter()
        .map(|t| (t.keyword.clone(), t.get_text().unwrap()))
        .collect();
    assert!(texts.contains(&("Description".to_string(), "a paper crane".to_string())));
    let comment: Value =
        serde_json::from_str(&texts.iter().find(|(k, _)| k == "Comment").unwrap().1).unwrap();
    assert_eq!(comment["seed"], 11);
    assert_eq!(comment["model"], "z-image-local");
    assert_problem(
        app.get_auth(&format!("{url}&metadata=everything"), &ada.access)
            .await,
        400,
        "invalid_query",
    )
    .await;
    // The signature covers the path and expiry only: fetched through the signed URL alone,
    // `metadata=keep` gets the plain file (the prompt stays private), and the fetch is not the
    // owner's download.
    let unsigned = app
        .client
        .get(app.url(&format!("{url}&metadata=keep")))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 200);
    assert_eq!(unsigned.bytes().await.unwrap().to_vec(), plain);
    let history: Value = app.get_json("/v1/downloads", &ada.access).await;
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        3,
        "every download with a token is recorded, and only those"
    );
}

#[tokio::test]
async fn signed_image_urls_work_without_a_token_for_a_limited_time() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("signed"))
        .await
        .json()
        .await
        .unwrap();
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    let gallery: Value = app.get_json("/v1/images", &ada.access).await;
    let first = &gallery["items"][0];
    let anonymous = |path: String| {
        let app = &app;
        async move { app.client.get(app.url(&path)).send().await.unwrap() }
    };
    let thumb = anonymous(first["thumbnail_url"].as_str().unwrap().into()).await;
    assert_eq!(thumb.status(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/webp");
    let file = anonymous(done["images"][0]["url"].as_str().unwrap().into()).await;
    assert_eq!(file.status(), 200);
    // Whoever holds a signed link may be fetching it: not recorded as the owner's download.
    let history: Value = app.get_json("/v1/downloads", &ada.access).await;
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        0,
        "a signed fetch is not the owner's download"
    );

    // The signature is bound to its path and expiry.
    let url = first["url"].as_str().unwrap();
    let other_id = done["images"][1]["id"].as_str().unwrap();
    let own_id = first["id"].as_str().unwrap();
    let swapped = if own_id == other_id {
        done["images"][0]["id"].as_str().unwrap()
    } else {
        other_id
    };
    assert_problem(
        anonymous(url.replace(own_id, swapped)).await,
        401,
        "unauthorized",
    )
    .await;
    let (path, query) = url.split_once('?').unwrap();
    let expires: i64 = query
        .split('&')
        .find_map(|p| p.strip_prefix("expires="))
        .unwrap()
        .parse()
        .unwrap();
    assert_problem(
        anonymous(format!(
            "{path}?{}",
            query.replace(&expires.to_string(), &(expires + 3600).to_string())
        ))
        .await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(anonymous(path.to_string()).await, 401, "unauthorized").await;
    // With a bearer token the caller's own identity decides: another user's image is 404.
    let bob = app.signed_in_user("bob@example.org").await;
    assert_problem(app.get_auth(url, &bob.access).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_task_that_outlives_its_timeout_fails_and_is_refunded_once() {
    let app = spawn_app_with(&[
        ("ZIMAGE_LOCAL_LATENCY_MS", "60000"),
        ("ZIMAGE_TASK_TIMEOUT_SECS", "1"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("too slow"))
        .await
        .json()
        .await
        .unwrap();
    let done = app.wait_for_task(&ada, task["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["failure_reason"], "provider_timeout");
    assert_eq!(
        (done["charged"].as_i64(), done["refunded"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(credits(&app, &ada).await, (20, 0));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn a_task_whose_model_was_withdrawn_fails_with_its_credits_returned() {
    // Queued here while no worker runs…
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("orphaned model"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(credits(&app, &ada).await, (18, 2));
    // …then run by a replica whose operator no longer offers that model.
    let models = app.data_dir.join("models.json");
    let mut other =
        serde_json::from_str::<Value>(include_str!("../../src/providers/default_models.json"))
            .unwrap();
    other[0]["id"] = json!("z-image-other");
    std::fs::write(&models, other.to_string()).unwrap();
    let replica = app
        .replica(&[
            ("ZIMAGE_WORKERS", "1"),
            ("ZIMAGE_MODELS_FILE", models.to_str().unwrap()),
        ])
        .await;
    let done = replica
        .wait_for_task(&ada, task["id"].as_str().unwrap())
        .await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["failure_reason"], "provider_unavailable");
    assert_eq!(done["refunded"], 2);
    assert_eq!(credits(&app, &ada).await, (20, 0));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn simultaneous_claims_never_exceed_a_users_running_cap() {
    let app = spawn_app_with(&[
        ("ZIMAGE_WORKERS", "0"),
        ("ZIMAGE_MAX_RUNNING_TASKS_PER_USER", "1"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    for n in 0..4 {
        let response = app
            .post_auth(
                "/v1/generations",
                &ada.access,
                &request(&format!("burst {n}")),
            )
            .await;
        assert_eq!(response.status(), 202);
    }
    let claims = (0..4).map(|n| {
        let state = app.state.clone();
        tokio::spawn(async move {
            let mut conn = state.db.get().await.unwrap();
            zimage_api::db::generation::claim_jobs(
                &mut conn,
                &format!("w{n}"),
                60,
                1,
                4,
                &Default::default(),
            )
            .await
            .unwrap()
        })
    });
    let claimed: usize = futures_util::future::join_all(claims)
        .await
        .into_iter()
        .map(|c| c.unwrap().len())
        .sum();
    assert_eq!(
        claimed, 1,
        "one running job for ada, however the claims interleave"
    );
}

#[tokio::test]
async fn a_job_queued_while_a_claim_waits_for_the_lock_is_claimed_with_its_task() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    // Another process is claiming: it holds the claim lock.
    let mut holder = app.state.db.get().await.unwrap();
    diesel::sql_query("BEGIN")
        .execute(&mut holder)
        .await
        .unwrap();
    diesel::sql_query(format!(
        "SELECT pg_advisory_xact_lock({})",
        zimage_api::db::generation::CLAIM_LOCK
    ))
    .execute(&mut holder)
    .await
    .unwrap();
    // Our claim starts, and waits for the lock.
    let state = app.state.clone();
    let claim = tokio::spawn(async move {
        let mut conn = state.db.get().await.unwrap();
        zimage_api::db::generation::claim_jobs(&mut conn, "w", 60, 2, 4, &Default::default())
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile a task is queued by a request whose transaction began before the claim did (its
    // job runnable as of then); then the other claimer lets go.
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "z-image-local", "prompt": "late"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut other = app.state.db.get().await.unwrap();
    diesel::sql_query("UPDATE jobs SET run_at = run_at - interval '1 minute'")
        .execute(&mut other)
        .await
        .unwrap();
    diesel::sql_query("COMMIT")
        .execute(&mut holder)
        .await
        .unwrap();
    let batch = claim.await.unwrap();
    assert_eq!(batch.len(), 1, "the job claimed is the job returned");
    assert_eq!(batch[0].task_id.to_string(), task["id"].as_str().unwrap());
    assert_eq!(batch[0].task.status, "running");
    assert!(batch[0].started);
}

/// Claims the one runnable job as a worker whose 1 s lease then lapses (it died).
async fn claim_and_die(app: &TestApp) -> zimage_api::db::generation::ClaimedJob {
    let mut conn = app.state.db.get().await.unwrap();
    zimage_api::db::generation::claim_jobs(&mut conn, "doomed-worker", 1, 2, 1, &Default::default())
        .await
        .unwrap()
        .pop()
        .unwrap()
}

#[tokio::test]
async fn writes_to_a_job_and_its_task_lock_the_task_first_as_a_cancel_does() {
    use diesel_async::RunQueryDsl;
    use zimage_api::db::jobs::{Attempt, claim_finishing, postpone, to_waiting};
    let app = spawn_app_with(&[("ZIMAGE_WORKERS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let task: Value = app
        .post_auth("/v1/generations", &ada.access, &request("locks"))
        .await
        .json()
        .await
        .unwrap();
    let task_id = uuid::Uuid::parse_str(task["id"].as_str().unwrap()).unwrap();
    let claimed = {
        let mut conn = app.state.db.get().await.unwrap();
        zimage_api::db::generation::claim_jobs(&mut conn, "w", 60, 2, 1, &Default::default())
            .await
            .unwrap()
            .pop()
            .expect("claimed")
    };
    let attempt = Attempt::from(&claimed);

    // A cancel holds the task; each write below must wait for it without taking the job first,
    // or the cancel, wanting the job next, would deadlock with it.
    async fn holding_the_task<T: Send + 'static>(
        app: &TestApp,
        task_id: uuid::Uuid,
        write: tokio::task::JoinHandle<T>,
    ) -> T {
        let mut cancel = app.state.db.get().await.unwrap();
        diesel::sql_query("BEGIN")
            .execute(&mut cancel)
            .await
            .unwrap();
        diesel::sql_query(format!(
            "SELECT id FROM ai_tasks WHERE id = '{task_id}' FOR UPDATE"
        ))
        .execute(&mut cancel)
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let job = diesel::sql_query(format!(
            "SELECT id FROM jobs WHERE task_id = '{task_id}' FOR UPDATE NOWAIT"
        ))
        .execute(&mut cancel)
        .await;
        diesel::sql_query("ROLLBACK")
            .execute(&mut cancel)
            .await
            .unwrap();
        assert!(job.is_ok(), "the job was locked before its task: {job:?}");
        write.await.unwrap()
    }

    let state = app.state.clone();
    let recorded = holding_the_task(
        &app,
        task_id,
        tokio::spawn(async move {
            let mut conn = state.db.get().await.unwrap();
            to_waiting(
                &mut conn,
                attempt,
                "w",
                "local",
                "p-1",
                &[],
                chrono::Utc::now(),
            )
            .await
            .unwrap()
        }),
    )
    .await;
    assert!(recorded, "recorded once the task was let go");

    let state = app.state.clone();
    let finishing = holding_the_task(
        &app,
        task_id,
        tokio::spawn(async move {
            let mut conn = state.db.get().await.unwrap();
            claim_finishing(&mut conn, task_id, "w", 60, &[], chrono::Utc::now())
                .await
                .unwrap()
        }),
    )
    .await
    .expect("the finish is claimed");

    let state = app.state.clone();
    let again = Attempt {
        attempts: finishing.attempts,
        ..attempt
    };
    holding_the_task(
        &app,
        task_id,
        tokio::spawn(async move {
            let mut conn = state.db.get().await.unwrap();
            postpone(&mut conn, again, "w", 1000, "held").await.unwrap()
        }),
    )
    .await;
}
