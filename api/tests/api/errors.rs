//! Every failure is problem+json: bad JSON, wrong content type, big bodies, unknown routes.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "malformed_json").await;
}

#[tokio::test]
async fn wrong_shape_is_422_and_wrong_content_type_is_415() {
    let app = spawn_app().await;
    let shape = app.post("/v1/auth/login", &json!({"email": 42})).await;
    assert_problem(shape, 422, "validation_failed").await;
    let form = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=a&password=b")
        .send()
        .await
        .unwrap();
    assert_problem(form, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let huge = json!({"email": "a@b.co", "password": "x".repeat(70 * 1024)});
    assert_problem(
        app.post("/v1/auth/login", &huge).await,
        413,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn unknown_routes_are_404_problems_with_request_ids() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/v1/nope")).send().await.unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body = assert_problem(response, 404, "not_found").await;
    assert_eq!(body["request_id"], request_id.as_str());
    let html = app
        .client
        .get(app.url("/v1/nope"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_problem(html, 404, "not_found").await;
}

#[tokio::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert!(uuid::Uuid::parse_str(headers["x-request-id"].to_str().unwrap()).is_ok());
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    // A well-formed incoming id is kept; a hostile one is replaced.
    let kept = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "abc-123");
    let replaced = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "bad id\twith tabs")
        .send()
        .await
        .unwrap();
    assert_ne!(replaced.headers()["x-request-id"], "bad id\twith tabs");
}

#[tokio::test]
async fn readiness_reflects_the_database() {
    let app = spawn_app().await;
    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ok");
    // Drop the database from under the app: readiness turns into a 503 problem.
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let name = app.database_url.rsplit('/').next().unwrap().to_string();
    let mut admin = AsyncPgConnection::establish(&crate::helpers::admin_url())
        .await
        .unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    let body = assert_problem(response, 503, "service_unavailable").await;
    assert!(
        !body["detail"].as_str().unwrap().contains(&name),
        "internals leaked: {body}"
    );
    assert!(body["request_id"].is_string());
}

#[tokio::test]
async fn admin_routes_are_403_for_users() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    assert_problem(
        app.get_auth("/v1/admin/users", &ada.access).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn admins_can_list_and_search_users() {
    let app = spawn_app().await;
    app.signed_in_user("ada@example.org").await;
    app.signed_in_user("bob@example.org").await;
    let root = crate::helpers::signed_in_admin(&app).await;
    assert_eq!(root.user["role"], "admin");
    assert_eq!(root.user["email_verified"], true);
    let all: Value = app.get_json("/v1/admin/users", &root.access).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let bob: Value = app
        .get_json("/v1/admin/users?email=BOB", &root.access)
        .await;
    assert_eq!(bob["items"].as_array().unwrap().len(), 1);
    assert_eq!(bob["items"][0]["email"], "bob@example.org");
}

/// Found by schemathesis: NUL characters reached PostgreSQL, which refuses them, as a 500.
#[tokio::test]
async fn nul_characters_in_text_are_refused_not_a_server_error() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let search = app.get_auth("/v1/prompts?q=a%00b", &ada.access).await;
    assert_problem(search, 400, "invalid_query").await;
    let saved = app
        .post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "nul", "prompt": "a\u{0}b"}),
        )
        .await;
    assert_problem(saved, 422, "validation_failed").await;
    let listed = app.get_json("/v1/prompts", &ada.access).await;
    assert_eq!(listed["items"], json!([]), "nothing was saved");
}

#[tokio::test]
async fn bodies_and_nested_fields_that_are_not_objects_are_refused() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    // serde would read `[…]` as a struct's fields in order; the document says objects only.
    let profile = app
        .patch_auth("/v1/me", &ada.access, &json!([null, null]))
        .await;
    assert_problem(profile, 422, "validation_failed").await;
    let padded = app
        .client
        .patch(app.url("/v1/me"))
        .bearer_auth(&ada.access)
        .header("content-type", "application/json; charset=utf-8")
        .body(" \n [\"Ada\"]")
        .send()
        .await
        .unwrap();
    assert_problem(padded, 422, "validation_failed").await;
    let saved = app
        .post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "t", "prompt": "p", "parameters": [null, null]}),
        )
        .await;
    assert_problem(saved, 422, "validation_failed").await;
    let listed = app.get_json("/v1/prompts", &ada.access).await;
    assert_eq!(listed["items"], json!([]), "nothing was saved");
    // Objects still pass, whole numbers written with a fraction too.
    let saved = app
        .post_auth(
            "/v1/prompts",
            &ada.access,
            &json!({"title": "t", "prompt": "p", "parameters": {"seed": 7.0}}),
        )
        .await;
    assert_eq!(saved.status(), 201);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["parameters"]["seed"], 7);
}

#[tokio::test]
async fn any_cursor_of_the_documented_shape_pages_and_others_are_refused() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    for i in 0..3 {
        let saved = app
            .post_auth(
                "/v1/prompts",
                &ada.access,
                &json!({"title": format!("t{i}"), "prompt": "p"}),
            )
            .await;
        assert_eq!(saved.status(), 201);
    }
    let first = app.get_json("/v1/prompts?limit=2", &ada.access).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(cursor.len(), 48);
    let rest = app
        .get_json(&format!("/v1/prompts?limit=2&cursor={cursor}"), &ada.access)
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    // A position later than everything: the whole list; earlier than everything: nothing.
    let all = app
        .get_json(
            &format!("/v1/prompts?cursor={}", "f".repeat(48)),
            &ada.access,
        )
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let none = app
        .get_json(
            &format!("/v1/prompts?cursor={}", "0".repeat(48)),
            &ada.access,
        )
        .await;
    assert_eq!(none["items"], json!([]));
    for bad in ["abc", &cursor.to_uppercase(), &format!("{cursor}0")] {
        let response = app
            .get_auth(&format!("/v1/prompts?cursor={bad}"), &ada.access)
            .await;
        assert_problem(response, 400, "invalid_query").await;
    }
}

#[tokio::test]
async fn administrator_routes_refuse_others_before_reading_their_input() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let id = uuid::Uuid::new_v4();
    let response = app
        .post_auth(
            &format!("/v1/admin/users/{id}/credits"),
            &ada.access,
            &json!({"amount": "lots"}),
        )
        .await;
    assert_problem(response, 403, "forbidden").await;
    let response = app
        .get_auth("/v1/admin/audit-log?limit=0", &ada.access)
        .await;
    assert_problem(response, 403, "forbidden").await;
    let anonymous = app
        .client
        .get(app.url("/v1/admin/audit-log"))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_off_with_408() {
    // Fifty clients sending their bodies a byte at a time held the server for 30 s and more.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app_with(&[("ZIMAGE_BODY_IDLE_TIMEOUT_SECS", "1")]).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let started = std::time::Instant::now();
    let stalls = (0..20).map(|_| {
        let address = address.clone();
        async move {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
            stream
                .write_all(
                    b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                      Content-Length: 200\r\n\r\n{\"email\": \"a",
                )
                .await
                .unwrap();
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                stream.read_to_end(&mut answer),
            )
            .await;
            String::from_utf8_lossy(&answer).to_string()
        }
    });
    for answer in futures_util::future::join_all(stalls).await {
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request_timeout"), "{answer}");
    }
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    // The server is as responsive as before.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
