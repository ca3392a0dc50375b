//! Data-rights requests: export, erasure with its purge, restriction and objection, and the
//! retention schedule enforced against a clock moved forward.

use chrono::Duration;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::Read;

use crate::helpers::{
    PASSWORD, Signed, TestApp, assert_problem, signed_in_admin, spawn_app, spawn_app_with, user_id,
};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn names(app: &TestApp, sql: &str) -> Vec<String> {
    let mut conn = app.state.db.get().await.unwrap();
    let rows: Vec<Name> = diesel::sql_query(sql).load(&mut conn).await.unwrap();
    rows.into_iter().map(|r| r.name).collect()
}

async fn count(app: &TestApp, sql: String) -> i64 {
    let mut conn = app.state.db.get().await.unwrap();
    let row: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
    row.n
}

/// Every table with a column that refers to a person: a foreign key to `users`, or `user_id`.
async fn tables_referring_to_people(app: &TestApp) -> BTreeSet<String> {
    names(
        app,
        "SELECT DISTINCT conrelid::regclass::text AS name FROM pg_constraint \
         WHERE contype = 'f' AND confrelid = 'users'::regclass \
         UNION SELECT table_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'user_id'",
    )
    .await
    .into_iter()
    .chain(["users".to_string()])
    .collect()
}

async fn request(app: &TestApp, who: &Signed, kind: &str) -> reqwest::Response {
    app.post_auth(
        "/v1/privacy/requests",
        &who.access,
        &json!({"kind": kind, "note": "please"}),
    )
    .await
}

/// Asks for `who`'s erasure and confirms it from the mailbox, so the account is scheduled for
/// deletion; the request's id.
pub(crate) async fn schedule_erasure(app: &TestApp, who: &Signed) -> String {
    let created = request(app, who, "erasure").await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let email = who.user["email"].as_str().unwrap();
    let token = app.token_from_mail(email, "privacy/confirm").await;
    let confirmed = app
        .post(
            &format!("/v1/privacy/requests/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    id
}

async fn wait_for_request(app: &TestApp, who: &Signed, id: &str, status: &str) -> Value {
    for _ in 0..400 {
        let body = app
            .get_json(&format!("/v1/privacy/requests/{id}"), &who.access)
            .await;
        if body["status"] == status {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("request {id} never became {status}");
}

/// Gives the user something in nearly every table: a generation with images, a download, an
/// upload, a saved prompt, a share, an API key, a webhook and an order.
pub(crate) async fn fill_account(app: &TestApp, who: &Signed) -> (String, Vec<String>, String) {
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &who.access,
            &crate::generations::request("a lighthouse at dusk"),
        )
        .await
        .json()
        .await
        .unwrap();
    let task_id = task["id"].as_str().unwrap().to_string();
    let task = app.wait_for_task(who, &task_id).await;
    assert_eq!(task["status"], "succeeded", "{task}");
    let image_ids: Vec<String> = task["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let download = app
        .get_auth(&format!("/v1/images/{}/file", image_ids[0]), &who.access)
        .await;
    assert_eq!(download.status(), 200);
    let png = zimage_api::providers::render::render(
        "ref",
        2,
        200,
        200,
        zimage_shared::generation::OutputFormat::Png,
    )
    .unwrap();
    let upload: Value = crate::uploads::upload(app, who, &png, "ref.png")
        .await
        .json()
        .await
        .unwrap();
    let upload_id = upload["id"].as_str().unwrap().to_string();
    assert_eq!(
        crate::avatars::set_avatar(app, who, &png).await.status(),
        200
    );
    let saved = app
        .post_auth(
            "/v1/prompts",
            &who.access,
            &json!({"title": "Lighthouse", "prompt": "a lighthouse", "parameters": {"model": "z-image-local"}}),
        )
        .await;
    assert_eq!(saved.status(), 201);
    let share = app
        .post_auth(
            &format!("/v1/images/{}/share", image_ids[0]),
            &who.access,
            &json!({}),
        )
        .await;
    assert!(share.status().is_success());
    app.api_key(who, &["generations:read"]).await;
    let hook = app
        .post_auth(
            "/v1/me/webhooks",
            &who.access,
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["generation.succeeded"]}),
        )
        .await;
    assert_eq!(hook.status(), 201, "{}", hook.text().await.unwrap());
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO orders (id, number, user_id, product_id, kind, credits, amount_cents, currency, \
             status, created_at, updated_at) \
         VALUES (gen_random_uuid(), 'ZI-TEST-' || substr(md5(random()::text), 1, 6), $1, 'pack_s', \
             'pack', 100, 500, 'eur', 'paid', now(), now())",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id(who))
    .execute(&mut conn)
    .await
    .unwrap();
    (task_id, image_ids, upload_id)
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        files.insert(file.name().unwrap().to_string(), content);
    }
    files
}

#[tokio::test]
async fn an_export_holds_every_table_about_the_person_and_their_files() {
    let app = spawn_app_with(&[("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let (_, image_ids, upload_id) = fill_account(&app, &ada).await;

    let created = request(&app, &ada, "export").await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["kind"], "export");
    let received: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["received_at"].clone()).unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["due_at"].clone()).unwrap();
    assert_eq!(due - received, Duration::days(30));
    let id = created["id"].as_str().unwrap();
    // A second one while the first is open is refused.
    assert_problem(
        request(&app, &ada, "export").await,
        409,
        "request_in_progress",
    )
    .await;

    let done = wait_for_request(&app, &ada, id, "completed").await;
    assert!(done["archive_bytes"].as_i64().unwrap() > 0);
    assert!(done["completed_at"].is_string());
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(done["download_expires_at"].clone()).unwrap();
    assert!(expires - chrono::Utc::now() > Duration::days(6));
    assert!(
        app.mail_arrives("ada@example.org", "Your data export is ready")
            .await
    );

    // Download with the session, and through the signed URL without one.
    let response = app
        .get_auth(&format!("/v1/privacy/requests/{id}/download"), &ada.access)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap();
    let signed_url = done["download_url"]
        .as_str()
        .unwrap()
        .replace("http://zimage.test", &app.address);
    let unsigned = app.client.get(&signed_url).send().await.unwrap();
    assert_eq!(unsigned.status(), 200);
    assert_eq!(unsigned.bytes().await.unwrap(), bytes);
    let files = unzip(&bytes);

    // Every table that refers to a person is in some file, with all of the person's rows.
    let mut exported = std::collections::BTreeMap::new();
    for category in zimage_api::domain::export::CATEGORIES {
        let json: Value = serde_json::from_slice(&files[category.file]).unwrap();
        for (table, rows) in json.as_object().unwrap() {
            exported.insert(table.clone(), rows.as_array().unwrap().len() as i64);
        }
    }
    let ada_id = user_id(&ada);
    for table in tables_referring_to_people(&app).await {
        let Some(rows) = exported.get(&table) else {
            panic!("table {table} refers to people but is not in the export");
        };
        let column = if table == "users" { "id" } else { "user_id" };
        let has_user_id = count(
            &app,
            format!(
                "SELECT count(*) AS n FROM information_schema.columns \
                 WHERE table_name = '{table}' AND column_name = '{column}'"
            ),
        )
        .await
            == 1;
        if has_user_id {
            let in_db = count(
                &app,
                format!("SELECT count(*) AS n FROM {table} WHERE {column} = '{ada_id}'"),
            )
            .await;
            assert_eq!(
                *rows, in_db,
                "{table}: exported rows differ from the database"
            );
        }
    }
    for table in [
        "ai_tasks",
        "images",
        "uploads",
        "prompts",
        "downloads",
        "credit_ledger",
        "orders",
        "api_keys",
        "webhook_endpoints",
        "shares",
        "security_events",
        "sessions",
    ] {
        assert!(exported[table] > 0, "{table} exported empty");
    }

    // The files themselves, byte for byte, and a README describing every file.
    for image_id in &image_ids {
        let stored = app
            .get_auth(&format!("/v1/images/{image_id}/file"), &ada.access)
            .await
            .bytes()
            .await
            .unwrap();
        let (_, original) = files
            .iter()
            .find(|(name, _)| name.starts_with(&format!("images/{image_id}.")))
            .expect("image file in the export");
        let decoded = image::load_from_memory(original).unwrap();
        assert_eq!(
            decoded.to_rgba8(),
            image::load_from_memory(&stored).unwrap().to_rgba8()
        );
    }
    assert!(files.contains_key(&format!("uploads/{upload_id}.png")));
    let avatar = crate::avatars::avatar_id(
        app.get_json("/v1/me", &ada.access).await["avatar_url"]
            .as_str()
            .unwrap(),
    );
    let picture = &files[&format!("avatar/{avatar}.webp")];
    assert_eq!(image::load_from_memory(picture).unwrap().width(), 200);
    let readme = String::from_utf8(files["README.md"].clone()).unwrap();
    for category in zimage_api::domain::export::CATEGORIES {
        assert!(
            readme.contains(category.file),
            "README lacks {}",
            category.file
        );
    }

    // No secret of any kind.
    let everything = String::from_utf8_lossy(&bytes).to_string()
        + &files
            .iter()
            .filter(|(n, _)| n.ends_with(".json"))
            .map(|(_, b)| String::from_utf8_lossy(b).to_string())
            .collect::<String>();
    for secret in [
        "$argon2",
        "secret_hash",
        "token_hash",
        "password_hash",
        "whsec_",
        "confirm_token_hash",
    ] {
        assert!(!everything.contains(secret), "export contains {secret}");
    }
    // Nothing of Bob's.
    assert!(!everything.contains(&user_id(&bob).to_string()));

    // Bob cannot see or download Ada's request.
    let theirs = app
        .get_auth(&format!("/v1/privacy/requests/{id}"), &bob.access)
        .await;
    assert_problem(theirs, 404, "not_found").await;
    let theirs = app
        .get_auth(&format!("/v1/privacy/requests/{id}/download"), &bob.access)
        .await;
    assert_problem(theirs, 404, "not_found").await;

    // API keys cannot file requests.
    let key = app.api_key(&ada, &["generations:read"]).await;
    let by_key = app
        .post_auth("/v1/privacy/requests", &key, &json!({"kind": "export"}))
        .await;
    assert_problem(by_key, 403, "forbidden").await;

    // After 7 days the archive is gone and the request says so.
    app.state
        .clock
        .advance(Duration::days(7) + Duration::hours(1));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.archives, 1);
    let expired = app
        .get_json(&format!("/v1/privacy/requests/{id}"), &ada.access)
        .await;
    assert_eq!(expired["status"], "expired");
    assert!(expired["download_url"].is_null());
    let gone = app
        .get_auth(&format!("/v1/privacy/requests/{id}/download"), &ada.access)
        .await;
    assert_problem(gone, 404, "not_found").await;
    assert!(object_paths(&app).iter().all(|p| !p.contains("/exports/")));
}

/// Every stored object's path under the local store.
fn object_paths(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.data_dir.join("objects"), &mut out);
    out
}

#[tokio::test]
async fn erasure_is_confirmed_by_email_switches_off_at_once_and_purges_everything() {
    let app = spawn_app_with(&[
        ("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE", "1"),
        ("ZIMAGE_ERASURE_GRACE_DAYS", "14"),
        // Slow enough that the last task is still running when the deletion is confirmed.
        ("ZIMAGE_LOCAL_LATENCY_MS", "1500"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    fill_account(&app, &ada).await;
    fill_account(&app, &bob).await;
    let ada_id = user_id(&ada);
    let key = app.api_key(&ada, &["generations:read"]).await;
    // An admin action about Ada, for the audit log.
    let admin = signed_in_admin(&app).await;
    let adjusted = app
        .post_auth(
            &format!("/v1/admin/users/{ada_id}/credits"),
            &admin.access,
            &json!({"amount": 5, "reason": "goodwill"}),
        )
        .await;
    assert!(adjusted.status().is_success());

    let created: Value = request(&app, &ada, "erasure").await.json().await.unwrap();
    assert_eq!(created["status"], "awaiting_confirmation");
    let id = created["id"].as_str().unwrap().to_string();
    // Nothing happens without the e-mailed token.
    let wrong = app
        .post(
            &format!("/v1/privacy/requests/{id}/confirm"),
            &json!({"token": "not-the-token"}),
        )
        .await;
    assert_problem(wrong, 400, "invalid_token").await;
    assert_eq!(app.get_auth("/v1/me", &ada.access).await.status(), 200);

    // A task running when the deletion is confirmed is canceled and its hold released.
    let running: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &crate::generations::request("still going"),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = app
        .token_from_mail("ada@example.org", "privacy/confirm")
        .await;
    let confirmed = app
        .post(
            &format!("/v1/privacy/requests/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(confirmed["status"], "scheduled");
    assert!(confirmed["purge_after"].is_string());
    // The token works once.
    let again = app
        .post(
            &format!("/v1/privacy/requests/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_problem(again, 400, "invalid_token").await;

    // Off at once: the session, the refresh token and the API key stop; signing in is refused.
    assert_problem(
        app.get_auth("/v1/me", &ada.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(app.get_auth("/v1/me", &key).await, 401, "unauthorized").await;
    let refreshed = app
        .post("/v1/auth/refresh", &json!({"refresh_token": ada.refresh}))
        .await;
    assert!(refreshed.status().is_client_error());
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        403,
        "erasure_pending",
    )
    .await;
    let task_status = count(
        &app,
        format!(
            "SELECT count(*) AS n FROM ai_tasks WHERE id = '{}' AND status = 'canceled'",
            running["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(task_status, 1);
    app.assert_ledger_consistent(ada_id).await;
    assert_eq!(
        count(
            &app,
            format!(
                "SELECT count(*) AS n FROM credit_accounts WHERE user_id = '{ada_id}' AND held = 0"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            format!(
                "SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = '{ada_id}' AND enabled"
            )
        )
        .await,
        0
    );

    // Within the grace period nothing is deleted.
    app.state.clock.advance(Duration::days(13));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.accounts_purged, 0);
    let before: Vec<String> = object_paths(&app);
    assert!(before.iter().any(|p| p.contains(&ada_id.to_string())));

    // After it, the purge leaves no row and no object that refers to Ada...
    app.state.clock.advance(Duration::days(2));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.accounts_purged, 1);
    let tables = names(
        &app,
        "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public' \
         AND tablename NOT LIKE '\\_\\_%'",
    )
    .await;
    for table in &tables {
        let hits = count(
            &app,
            format!(
                "SELECT count(*) AS n FROM {table} t WHERE to_jsonb(t)::text ILIKE '%{ada_id}%' \
                 OR to_jsonb(t)::text ILIKE '%ada@example.org%'"
            ),
        )
        .await;
        assert_eq!(hits, 0, "{table} still refers to the erased person");
    }
    assert!(
        object_paths(&app)
            .iter()
            .all(|p| !p.contains(&ada_id.to_string()))
    );
    // ...except the payment record, kept with a pseudonym, and the answered request.
    let pseudonym = app.state.urls.pseudonym(ada_id);
    assert_eq!(
        count(
            &app,
            format!(
                "SELECT count(*) AS n FROM orders WHERE user_id IS NULL AND customer_ref = '{pseudonym}'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            format!(
                "SELECT count(*) AS n FROM privacy_requests WHERE id = '{id}' \
                 AND status = 'completed' AND subject_ref = '{pseudonym}'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            format!("SELECT count(*) AS n FROM audit_log WHERE target_id = '{pseudonym}'")
        )
        .await,
        1,
        "the audit entry about Ada names her pseudonym"
    );
    // Bob is untouched.
    assert_eq!(app.get_auth("/v1/me", &bob.access).await.status(), 200);
    let bob_images = app.get_json("/v1/images", &bob.access).await;
    assert_eq!(bob_images["items"].as_array().unwrap().len(), 2);
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn signing_in_with_keep_account_cancels_a_confirmed_erasure() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = schedule_erasure(&app, &ada).await;
    let kept = app
        .post(
            "/v1/auth/login",
            &json!({"email": "ada@example.org", "password": PASSWORD, "keep_account": true}),
        )
        .await;
    assert_eq!(kept.status(), 200);
    let body: Value = kept.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    let request = app
        .get_json(&format!("/v1/privacy/requests/{id}"), access)
        .await;
    assert_eq!(request["status"], "canceled");
    app.state.clock.advance(Duration::days(40));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.accounts_purged, 0);
    assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);
    let events = app.get_json("/v1/me/security-events", access).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "privacy.erasure_requested",
        "privacy.erasure_confirmed",
        "privacy.erasure_canceled",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn an_unconfirmed_erasure_can_be_withdrawn_and_its_link_then_fails() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let created: Value = request(&app, &ada, "erasure").await.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let withdrawn = app
        .post_auth(
            &format!("/v1/privacy/requests/{id}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    let token = app
        .token_from_mail("ada@example.org", "privacy/confirm")
        .await;
    let late = app
        .post(
            &format!("/v1/privacy/requests/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_problem(late, 400, "invalid_token").await;
    assert_eq!(app.get_auth("/v1/me", &ada.access).await.status(), 200);
    // Withdrawn requests cannot be withdrawn again.
    let again = app
        .post_auth(
            &format!("/v1/privacy/requests/{id}/cancel"),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_problem(again, 409, "conflict").await;
}

#[tokio::test]
async fn restriction_and_objection_flag_the_account_until_lifted() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let flags = app.get_json("/v1/privacy/flags", &ada.access).await;
    assert!(flags["restricted_at"].is_null() && flags["objected_at"].is_null());
    for kind in ["restriction", "objection"] {
        let created: Value = request(&app, &ada, kind).await.json().await.unwrap();
        assert_eq!(created["status"], "completed");
        assert!(created["completed_at"].is_string());
    }
    let flags = app.get_json("/v1/privacy/flags", &ada.access).await;
    assert!(flags["restricted_at"].is_string() && flags["objected_at"].is_string());
    let lifted = app
        .delete_auth("/v1/privacy/flags/restriction", &ada.access)
        .await;
    assert_eq!(lifted.status(), 200);
    let flags: Value = lifted.json().await.unwrap();
    assert!(flags["restricted_at"].is_null() && flags["objected_at"].is_string());
    let bad = app
        .delete_auth("/v1/privacy/flags/erasure", &ada.access)
        .await;
    assert_problem(bad, 404, "not_found").await;
    let list = app.get_json("/v1/privacy/requests", &ada.access).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Validation.
    let long = app
        .post_auth(
            "/v1/privacy/requests",
            &ada.access,
            &json!({"kind": "objection", "note": "x".repeat(2001)}),
        )
        .await;
    assert_problem(long, 422, "validation_failed").await;
    let unknown = app
        .post_auth(
            "/v1/privacy/requests",
            &ada.access,
            &json!({"kind": "forget"}),
        )
        .await;
    assert!(unknown.status().is_client_error());
}

#[tokio::test]
async fn the_retention_schedule_is_published_and_enforced_by_the_clock() {
    let app = spawn_app_with(&[("ZIMAGE_UNVERIFIED_ACCOUNT_DAYS", "30")]).await;
    let schedule: Value = app
        .client
        .get(app.url("/v1/legal/retention"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let days = |id: &str| {
        schedule["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no rule {id}"))["days"]
            .as_i64()
    };
    assert_eq!(days("security_logs"), Some(90));
    assert_eq!(days("support"), Some(730));
    assert_eq!(days("closed_accounts"), Some(30));
    assert_eq!(days("export_archives"), Some(7));
    assert_eq!(days("payment_records"), Some(7 * 365 + 2));
    assert_eq!(days("idempotency_keys"), Some(1));
    assert_eq!(days("unverified_accounts"), Some(30));

    let ada = app.signed_in_user("ada@example.org").await;
    let ada_id = user_id(&ada);
    // Never verified: Carl.
    assert_eq!(app.signup("carl@example.org").await.status(), 201);
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO orders (id, number, user_id, product_id, kind, credits, amount_cents, currency, \
             status, created_at, updated_at) \
         VALUES (gen_random_uuid(), 'ZI-RET-1', $1, 'pack_s', 'pack', 100, 500, 'eur', 'paid', now(), now())",
    )
    .bind::<diesel::sql_types::Uuid, _>(ada_id)
    .execute(&mut conn)
    .await
    .unwrap();
    // An invitation and an e-mail change that end within the day.
    diesel::sql_query(
        "INSERT INTO invitations (id, token_hash, email, max_uses, expires_at) \
         VALUES (gen_random_uuid(), '\\x01', 'guest@example.org', 1, now() + interval '12 hours')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(
        "INSERT INTO email_changes (id, user_id, old_email, new_email, confirm_expires_at, \
             confirmed_at, revert_hash, revert_expires_at) \
         VALUES (gen_random_uuid(), $1, 'ada-old@example.org', 'ada@example.org', now(), now(), \
             '\\x02', now() + interval '12 hours')",
    )
    .bind::<diesel::sql_types::Uuid, _>(ada_id)
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let ended = || {
        count(
            &app,
            "SELECT (SELECT count(*) FROM invitations) + (SELECT count(*) FROM email_changes) AS n"
                .into(),
        )
    };
    let events_sql =
        format!("SELECT count(*) AS n FROM security_events WHERE user_id = '{ada_id}'");
    let events = || count(&app, events_sql.clone());
    assert!(events().await > 0);

    // Day 29: nothing due yet.
    app.state.clock.advance(Duration::days(29));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.accounts_purged, 0);
    assert!(events().await > 0);

    // Day 31: the unverified account is gone, the verified one stays.
    app.state.clock.advance(Duration::days(2));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.accounts_purged, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM users WHERE email = 'carl@example.org'".into()
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM users WHERE email = 'ada@example.org'".into()
        )
        .await,
        1
    );

    assert_eq!(
        count(
            &app,
            format!("SELECT count(*) AS n FROM sessions WHERE user_id = '{ada_id}'")
        )
        .await,
        1
    );
    // Day 89 the security log is still there; day 91 it is gone.
    app.state.clock.advance(Duration::days(58));
    zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert!(events().await > 0);
    assert_eq!(ended().await, 2);
    app.state.clock.advance(Duration::days(2));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert!(report.retention.log_rows > 0);
    assert_eq!(events().await, 0);
    assert_eq!(ended().await, 0);

    // Payment records stay for 7 years, then go.
    let orders = || count(&app, "SELECT count(*) AS n FROM orders".into());
    assert_eq!(orders().await, 1);
    app.state.clock.advance(Duration::days(7 * 365 - 91));
    zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(orders().await, 1);
    app.state.clock.advance(Duration::days(3));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.payment_records, 1);
    assert_eq!(orders().await, 0);
    // Sessions that ended more than 90 days ago went with the logs.
    assert_eq!(
        count(
            &app,
            format!("SELECT count(*) AS n FROM sessions WHERE user_id = '{ada_id}'")
        )
        .await,
        0
    );
}

#[tokio::test]
async fn legal_pages_are_served_and_the_operator_can_replace_them() {
    let dir = std::env::temp_dir().join(format!("zimage-legal-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("terms.md"), "# House rules\n\nBe <b>kind</b>.\n").unwrap();
    let app = spawn_app_with(&[("ZIMAGE_LEGAL_DIR", dir.to_str().unwrap())]).await;
    let get = |name: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&format!("/v1/legal/documents/{name}")))
                .send()
                .await
                .unwrap()
        }
    };
    let privacy: Value = get("privacy").await.json().await.unwrap();
    assert_eq!(privacy["title"], "Privacy policy");
    assert!(
        privacy["html"]
            .as_str()
            .unwrap()
            .contains("<h2>Your rights</h2>")
    );
    let terms: Value = get("terms").await.json().await.unwrap();
    assert_eq!(terms["title"], "House rules");
    assert!(terms["html"].as_str().unwrap().contains("&lt;b&gt;kind"));
    assert_problem(get("cookies").await, 404, "not_found").await;
}

#[tokio::test]
async fn the_audit_log_records_admin_actions_and_cannot_be_edited() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let ada_id = user_id(&ada);
    let adjusted = app
        .post_auth(
            &format!("/v1/admin/users/{ada_id}/credits"),
            &admin.access,
            &json!({"amount": 7, "reason": "support case"}),
        )
        .await;
    assert!(adjusted.status().is_success());
    let rule = app
        .post_auth(
            "/v1/admin/moderation/rules",
            &admin.access,
            &json!({"kind": "term", "pattern": "forbidden"}),
        )
        .await;
    assert_eq!(rule.status(), 201);
    let log = app
        .get_json("/v1/admin/audit-log?limit=1", &admin.access)
        .await;
    assert_eq!(log["items"][0]["action"], "moderation_rule.created");
    assert_eq!(log["items"][0]["actor_email"], "root@example.org");
    let next = log["next_cursor"].as_str().unwrap();
    let older = app
        .get_json(
            &format!("/v1/admin/audit-log?limit=1&cursor={next}"),
            &admin.access,
        )
        .await;
    assert_eq!(older["items"][0]["action"], "credits.adjusted");
    assert_eq!(older["items"][0]["target_id"], ada_id.to_string());
    assert_eq!(older["items"][0]["detail"]["amount"], 7);
    let about_ada = app
        .get_json(
            &format!("/v1/admin/audit-log?target_id={ada_id}"),
            &admin.access,
        )
        .await;
    assert_eq!(about_ada["items"].as_array().unwrap().len(), 1);
    // Users cannot read it.
    assert_problem(
        app.get_auth("/v1/admin/audit-log", &ada.access).await,
        403,
        "forbidden",
    )
    .await;
    // The database refuses edits, deletions and truncation, even to the application.
    let mut conn = app.state.db.get().await.unwrap();
    for sql in [
        "UPDATE audit_log SET detail = '{}'",
        "UPDATE audit_log SET actor_id = 'someone-else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let result = diesel::sql_query(sql).execute(&mut conn).await;
        assert!(result.is_err(), "{sql} was allowed");
    }
    drop(conn);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM audit_log".into()).await,
        2
    );
}

#[tokio::test]
async fn parallel_export_downloads_stream_from_storage_and_links_are_short_lived() {
    // Archives were read whole into memory for each download (four parallel downloads of a
    // 49 MB archive: +280 MB), and the signed link could be replayed for up to two hours.
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let created: Value = request(&app, &ada, "export").await.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let done = wait_for_request(&app, &ada, &id, "completed").await;
    // Stand in a 48 MiB archive for the small one (what a gallery of a few hundred images makes).
    let key = names(
        &app,
        &format!("SELECT archive_key AS name FROM privacy_requests WHERE id = '{id}'"),
    )
    .await
    .remove(0);
    let size = 48 * 1024 * 1024;
    {
        use std::io::Write;
        let mut file = std::fs::File::create(app.data_dir.join("objects").join(&key)).unwrap();
        let piece: Vec<u8> = (0..1024 * 1024)
            .map(|i: usize| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for _ in 0..48 {
            file.write_all(&piece).unwrap();
        }
    }
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(format!(
        "UPDATE privacy_requests SET archive_bytes = {size} WHERE id = '{id}'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);

    let before = crate::uploads::peak_rss_mib();
    let downloads = (0..4).map(|_| {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/v1/privacy/requests/{id}/download")),
            ada.access.clone(),
        );
        async move {
            let mut response = client.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers()["content-length"].to_str().unwrap(),
                size.to_string()
            );
            let mut got = 0usize;
            while let Some(piece) = response.chunk().await.unwrap() {
                got += piece.len();
            }
            got
        }
    });
    for got in futures_util::future::join_all(downloads).await {
        assert_eq!(got, size);
    }
    let grew = crate::uploads::peak_rss_mib() - before;
    println!("four parallel downloads of a 48 MiB archive: peak memory +{grew} MiB");
    assert!(grew < 48, "peak memory grew by {grew} MiB");

    // The listed link works for ten minutes, not hours.
    let url = reqwest::Url::parse(done["download_url"].as_str().unwrap()).unwrap();
    let expires: i64 = url
        .query_pairs()
        .find(|(k, _)| k == "expires")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let left = expires - chrono::Utc::now().timestamp();
    assert!(
        (0..=600).contains(&left),
        "the link works for {left} more seconds"
    );
}
