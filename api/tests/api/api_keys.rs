//! API keys: shown once, hashed at rest, scoped, never able to manage credentials.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn api_key_secret_is_shown_once_and_authenticates() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let created = app
        .post_auth(
            "/v1/me/api-keys",
            &ada.access,
            &json!({"name": "CI bot", "scopes": ["profile:write"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("zimg_"));
    assert!(secret.starts_with(created["key"]["prefix"].as_str().unwrap()));

    let listed: Value = app.get_json("/v1/me/api-keys", &ada.access).await;
    let listed_text = listed.to_string();
    assert!(!listed_text.contains(&secret), "secret leaked in list");
    assert_eq!(listed["items"][0]["name"], "CI bot");
    assert_eq!(listed["items"][0]["last_used_at"], Value::Null);

    let me: Value = app.get_json("/v1/me", &secret).await;
    assert_eq!(me["email"], "ada@example.org");
    let listed: Value = app.get_json("/v1/me/api-keys", &ada.access).await;
    assert!(listed["items"][0]["last_used_at"].is_string());
}

#[tokio::test]
async fn a_keys_last_use_is_written_at_most_once_a_minute() {
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let key = app.api_key(&ada, &[]).await;
    let last_used = || async {
        let listed: Value = app.get_json("/v1/me/api-keys", &ada.access).await;
        listed["items"][0]["last_used_at"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut conn = app.state.db.get().await.unwrap();
    // Counts the key row's versions: an update that wrote nothing leaves `xmin` as it was.
    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        xmin: String,
    }
    let version = async |conn: &mut diesel_async::AsyncPgConnection| {
        diesel::sql_query("SELECT xmin::text AS xmin FROM api_keys")
            .get_result::<Version>(conn)
            .await
            .unwrap()
            .xmin
    };

    assert_eq!(app.get_auth("/v1/me", &key).await.status(), 200);
    let first = last_used().await;
    let row = version(&mut conn).await;
    for _ in 0..3 {
        assert_eq!(app.get_auth("/v1/me", &key).await.status(), 200);
    }
    assert_eq!(last_used().await, first, "used again within the minute");
    assert_eq!(version(&mut conn).await, row, "no write within the minute");

    conn.batch_execute("UPDATE api_keys SET last_used_at = now() - interval '61 seconds'")
        .await
        .unwrap();
    let stale = last_used().await;
    assert_eq!(app.get_auth("/v1/me", &key).await.status(), 200);
    let later = last_used().await;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    assert!(at(&later) > at(&stale), "{later} after {stale}");
}

#[tokio::test]
async fn scopes_are_enforced() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mint = |scopes: Value| {
        let app = &app;
        let access = ada.access.clone();
        async move {
            let body: Value = app
                .post_auth(
                    "/v1/me/api-keys",
                    &access,
                    &json!({"name": "k", "scopes": scopes}),
                )
                .await
                .json()
                .await
                .unwrap();
            body["secret"].as_str().unwrap().to_string()
        }
    };
    let read_only = mint(json!([])).await;
    let writer = mint(json!(["profile:write"])).await;
    assert_eq!(app.get_auth("/v1/me", &read_only).await.status(), 200);
    let denied = app
        .patch_auth("/v1/me", &read_only, &json!({"theme": "dark"}))
        .await;
    assert_problem(denied, 403, "insufficient_scope").await;
    let allowed = app
        .patch_auth("/v1/me", &writer, &json!({"theme": "dark"}))
        .await;
    assert_eq!(allowed.status(), 200);
    let unknown_scope = app
        .post_auth(
            "/v1/me/api-keys",
            &ada.access,
            &json!({"name": "k", "scopes": ["root"]}),
        )
        .await;
    assert_problem(unknown_scope, 422, "validation_failed").await;
}

#[tokio::test]
async fn api_keys_cannot_manage_keys_passwords_or_sessions() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let body: Value = app
        .post_auth(
            "/v1/me/api-keys",
            &ada.access,
            &json!({"name": "k", "scopes": ["profile:write"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = body["secret"].as_str().unwrap();
    let key_id = body["key"]["id"].as_str().unwrap();
    assert_problem(app.get_auth("/v1/me/api-keys", key).await, 403, "forbidden").await;
    assert_problem(
        app.post_auth("/v1/me/api-keys", key, &json!({"name": "child"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.delete_auth(&format!("/v1/me/api-keys/{key_id}"), key)
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(app.get_auth("/v1/me/sessions", key).await, 403, "forbidden").await;
    assert_problem(
        app.post_auth(
            "/v1/me/password",
            key,
            &json!({"current_password": crate::helpers::PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn revoked_keys_stop_working_and_others_keys_are_404() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let body: Value = app
        .post_auth("/v1/me/api-keys", &bob.access, &json!({"name": "bob's"}))
        .await
        .json()
        .await
        .unwrap();
    let (secret, id) = (
        body["secret"].as_str().unwrap(),
        body["key"]["id"].as_str().unwrap(),
    );
    assert_problem(
        app.delete_auth(&format!("/v1/me/api-keys/{id}"), &ada.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.get_auth("/v1/me", secret).await.status(), 200);
    let ada_keys: Value = app.get_json("/v1/me/api-keys", &ada.access).await;
    assert_eq!(ada_keys["items"].as_array().unwrap().len(), 0);

    assert_eq!(
        app.delete_auth(&format!("/v1/me/api-keys/{id}"), &bob.access)
            .await
            .status(),
        204
    );
    assert_problem(app.get_auth("/v1/me", secret).await, 401, "unauthorized").await;
    assert_problem(
        app.delete_auth(&format!("/v1/me/api-keys/{id}"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn key_names_are_validated_and_keys_are_capped() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let blank = app
        .post_auth("/v1/me/api-keys", &ada.access, &json!({"name": "  "}))
        .await;
    let body = assert_problem(blank, 422, "validation_failed").await;
    assert!(body["errors"]["name"].is_array());
    for i in 0..25 {
        let ok = app
            .post_auth(
                "/v1/me/api-keys",
                &ada.access,
                &json!({"name": format!("k{i}")}),
            )
            .await;
        assert_eq!(ok.status(), 201);
    }
    let over = app
        .post_auth(
            "/v1/me/api-keys",
            &ada.access,
            &json!({"name": "one too many"}),
        )
        .await;
    assert_problem(over, 409, "limit_reached").await;
}

/// A new API key of `who` with every read scope; returns its secret.
async fn new_key(app: &crate::helpers::TestApp, access: &str) -> String {
    let created: Value = app
        .post_auth(
            "/v1/me/api-keys",
            access,
            &json!({"name": "bot", "scopes": ["generations:read", "generations:write"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    created["secret"].as_str().unwrap().to_string()
}

async fn works(app: &crate::helpers::TestApp, key: &str) -> bool {
    app.get_auth("/v1/generations", key).await.status() == 200
}

#[tokio::test]
async fn a_password_reset_stops_api_keys_and_webhooks_and_a_change_can_too() {
    // After a reset, keys made by whoever knew the old password kept working (spending credits)
    // and their webhooks kept receiving.
    let app = crate::helpers::spawn_app_with(&[("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let key = new_key(&app, &ada.access).await;
    let hook = app
        .post_auth(
            "/v1/me/webhooks",
            &ada.access,
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["generation.succeeded"]}),
        )
        .await;
    assert_eq!(hook.status(), 201);
    assert!(works(&app, &key).await);

    app.post(
        "/v1/auth/password/forgot",
        &json!({"email": "ada@example.org"}),
    )
    .await;
    let token = app
        .token_from_mail("ada@example.org", "reset-password")
        .await;
    let reset = app.reset_password(&token, "a brand new passphrase").await;
    assert_eq!(reset.status(), 204);
    assert!(!works(&app, &key).await, "the key outlived the reset");
    let ada = app
        .sign_in("ada@example.org", "a brand new passphrase")
        .await;
    let endpoints = app.get_json("/v1/me/webhooks", &ada.access).await;
    assert_eq!(endpoints["items"][0]["enabled"], false, "{endpoints}");
    assert!(
        endpoints["items"][0]["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("password was reset")
    );
    let mail = app.mails_to("ada@example.org").pop().unwrap();
    assert!(
        mail.contains("API key") && mail.contains("passkey") && mail.contains("removed"),
        "{mail}"
    );

    // A change keeps keys unless asked to lock down.
    let kept = new_key(&app, &ada.access).await;
    let change = |from: &'static str, to: &'static str, lock_down: bool| {
        let (app, access) = (&app, ada.access.clone());
        async move {
            app.post_auth(
                "/v1/me/password",
                &access,
                &json!({"current_password": from, "new_password": to, "lock_down": lock_down}),
            )
            .await
            .status()
        }
    };
    assert_eq!(
        change("a brand new passphrase", "another long passphrase", false).await,
        204
    );
    assert!(works(&app, &kept).await);
    assert_eq!(
        change("another long passphrase", "a third long passphrase", true).await,
        204
    );
    assert!(!works(&app, &kept).await);
}

#[tokio::test]
async fn keys_expire_use_only_their_models_spend_within_their_caps_and_show_usage() {
    // Two models served by the built-in provider: one a key may use, one it may not.
    let dir = std::env::temp_dir().join(format!("zimage-models-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("models.json");
    let model = |id: &str| {
        json!({"id": id, "name": id, "provider": "local", "provider_model": "z-image-local",
               "capabilities": ["text_to_image"], "aspect_ratios": ["1:1"], "min_side": 256,
               "max_side": 512, "default_long_side": 256, "max_images": 4,
               "cost": {"standard": 1, "high": 2}})
    };
    std::fs::write(&file, json!([model("draft"), model("final")]).to_string()).unwrap();
    let app =
        crate::helpers::spawn_app_with(&[("ZIMAGE_MODELS_FILE", file.to_str().unwrap())]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let create = |body: Value| {
        let (app, token) = (&app, ada.access.clone());
        async move { app.post_auth("/v1/me/api-keys", &token, &body).await }
    };
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    for (body, field) in [
        (
            json!({"name": "k", "expires_at": "2020-01-01T00:00:00Z"}),
            "expires_at",
        ),
        (
            json!({"name": "k", "daily_credit_limit": 0}),
            "daily_credit_limit",
        ),
        (
            json!({"name": "k", "allowed_models": ["nope"]}),
            "allowed_models",
        ),
        (json!({"name": "k", "allowed_models": []}), "allowed_models"),
    ] {
        let refused = assert_problem(create(body).await, 422, "validation_failed").await;
        assert!(refused["errors"][field].is_array(), "{refused}");
    }

    let made: Value = create(json!({
        "name": "shop", "scopes": ["generations:read", "generations:write"],
        "daily_credit_limit": 3, "monthly_credit_limit": 100, "allowed_models": ["draft"],
    }))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(made["key"]["allowed_models"], json!(["draft"]));
    assert_eq!(made["key"]["daily_credit_limit"], 3);
    let key = made["secret"].as_str().unwrap().to_string();
    let generate = |model: &str, images: u32| {
        let (app, key) = (&app, key.clone());
        let body = json!({"model": model, "prompt": "capped", "num_images": images});
        async move { app.post_auth("/v1/generations", &key, &body).await }
    };
    assert_problem(generate("final", 1).await, 403, "forbidden").await;
    let first: Value = generate("draft", 2).await.json().await.unwrap();
    assert_eq!(first["cost"], 2);
    // 2 spent (held), 2 more would pass the cap of 3: refused, with when to come back.
    let capped = generate("draft", 2).await;
    let wait: u64 = capped.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&wait), "{wait}");
    let body = assert_problem(capped, 429, "spend_limit_reached").await;
    assert!(body["detail"].as_str().unwrap().contains("3 credits a day"));
    assert_eq!(generate("draft", 1).await.status(), 202, "1 more fits");
    // The caps are the key's: the account itself is not limited.
    let own = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &json!({"model": "final", "prompt": "mine", "num_images": 4}),
        )
        .await;
    assert_eq!(own.status(), 202);

    let listed: Value = app.get_json("/v1/me/api-keys", &ada.access).await;
    let shop = &listed["items"][0];
    assert_eq!(shop["usage"]["credits_today"], 3);
    assert_eq!(shop["usage"]["credits_this_month"], 3);
    assert_eq!(shop["usage"]["credits_total"], 3);
    assert!(shop["usage"]["requests"].as_i64().unwrap() >= 1, "{shop}");

    // An expired key stops working.
    let short: Value = create(json!({"name": "short", "scopes": [], "expires_at": soon}))
        .await
        .json()
        .await
        .unwrap();
    let short = short["secret"].as_str().unwrap();
    assert_eq!(app.get_auth("/v1/me", short).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let expired = assert_problem(app.get_auth("/v1/me", short).await, 401, "unauthorized").await;
    assert!(expired["detail"].as_str().unwrap().contains("expired"));
}
