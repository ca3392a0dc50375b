//! Log-in, access tokens and refresh-token rotation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_returns_tokens_and_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    app.signed_in_user("ada@example.org").await;
    let response = app.login("ADA@example.org", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    for attribute in [
        "zimage_refresh=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/v1/auth",
    ] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "ada@example.org");
    assert!(cookie.contains(body["refresh_token"].as_str().unwrap()));
}

#[tokio::test]
async fn wrong_email_and_wrong_password_look_the_same() {
    let app = spawn_app().await;
    app.signed_in_user("ada@example.org").await;
    let wrong_password = app.login("ada@example.org", "not the password").await;
    let wrong_email = app.login("nobody@example.org", PASSWORD).await;
    let a = assert_problem(wrong_password, 401, "invalid_credentials").await;
    let b = assert_problem(wrong_email, 401, "invalid_credentials").await;
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["title"], b["title"]);
}

#[tokio::test]
async fn missing_malformed_and_tampered_tokens_are_401() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let no_header = app.client.get(app.url("/v1/me")).send().await.unwrap();
    assert_problem(no_header, 401, "unauthorized").await;
    let basic = app
        .client
        .get(app.url("/v1/me"))
        .header("authorization", "Basic YWRhOnB3")
        .send()
        .await
        .unwrap();
    assert_problem(basic, 401, "unauthorized").await;
    assert_problem(app.get_auth("/v1/me", "garbage").await, 401, "unauthorized").await;

    // Change the subject without re-signing.
    let parts: Vec<&str> = ada.access.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!(uuid::Uuid::new_v4());
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    assert_problem(app.get_auth("/v1/me", &tampered).await, 401, "unauthorized").await;

    // alg=none with the original claims and no signature.
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_problem(app.get_auth("/v1/me", &unsigned).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn tokens_signed_with_another_key_are_401() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let parts: Vec<&str> = ada.access.split('.').collect();
    let keys =
        zimage_api::auth::jwt::JwtKeys::new(&[42u8; 48], std::time::Duration::from_secs(600));
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let forged = keys
        .issue(
            claims["sub"].as_str().unwrap().parse().unwrap(),
            claims["sid"].as_str().unwrap().parse().unwrap(),
        )
        .unwrap();
    assert_problem(app.get_auth("/v1/me", &forged).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn expired_access_tokens_are_401_token_expired() {
    let app = spawn_app_with(&[("ZIMAGE_ACCESS_TOKEN_TTL_SECS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    // The validator tolerates 5 s of clock skew; wait past it.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    assert_problem(
        app.get_auth("/v1/me", &ada.access).await,
        401,
        "token_expired",
    )
    .await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    // No grace: any second use is a replay.
    let app = spawn_app_with(&[("ZIMAGE_REFRESH_REUSE_GRACE_SECS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let first = app
        .post("/v1/auth/refresh", &json!({"refresh_token": ada.refresh}))
        .await;
    assert_eq!(first.status(), 200);
    let rotated: Value = first.json().await.unwrap();
    let next_refresh = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(next_refresh, ada.refresh);
    let next_access = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_auth("/v1/me", &next_access).await.status(), 200);

    // Replaying the old token: reuse detected, the whole family dies.
    let replay = app
        .post("/v1/auth/refresh", &json!({"refresh_token": ada.refresh}))
        .await;
    assert_problem(replay, 401, "refresh_token_reused").await;
    let after = app
        .post("/v1/auth/refresh", &json!({"refresh_token": next_refresh}))
        .await;
    assert_problem(after, 401, "unauthorized").await;
    assert_problem(
        app.get_auth("/v1/me", &next_access).await,
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn a_refresh_retried_within_the_grace_gets_the_same_successor() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post("/v1/auth/refresh", &json!({ "refresh_token": token }))
                .await
        }
    };
    // The first answer is lost on the way; the client sends the same token again.
    let lost: Value = refresh(ada.refresh.clone()).await.json().await.unwrap();
    let retried = refresh(ada.refresh.clone()).await;
    assert_eq!(retried.status(), 200);
    let retried: Value = retried.json().await.unwrap();
    let second = retried["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(second, lost["refresh_token"].as_str().unwrap());
    let access = retried["access_token"].as_str().unwrap();
    assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);

    // Two uses racing (a retry overtaking its original) get one successor between them.
    let (a, b) = tokio::join!(refresh(second.clone()), refresh(second.clone()));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["refresh_token"], b["refresh_token"]);
    let third = a["refresh_token"].as_str().unwrap().to_string();

    // Once the successor has been used in turn, the older token is a replay after all.
    let fourth: Value = refresh(third.clone()).await.json().await.unwrap();
    assert_problem(refresh(second).await, 401, "refresh_token_reused").await;
    assert_problem(
        refresh(fourth["refresh_token"].as_str().unwrap().into()).await,
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn refresh_and_logout_work_from_the_cookie() {
    let app = spawn_app().await;
    app.signed_in_user("ada@example.org").await;
    let login = app.login("ada@example.org", PASSWORD).await;
    let refresh: String = login.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .into();
    let cookie = format!("zimage_refresh={refresh}");
    let by_cookie = app
        .client
        .post(app.url("/v1/auth/refresh"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), 200);
    let body: Value = by_cookie.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_string();
    let new_cookie = format!("zimage_refresh={}", body["refresh_token"].as_str().unwrap());
    let logout = app
        .client
        .post(app.url("/v1/auth/logout"))
        .header("cookie", &new_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert!(
        logout.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_problem(app.get_auth("/v1/me", &access).await, 401, "unauthorized").await;
    let no_token = app
        .client
        .post(app.url("/v1/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_problem(no_token, 401, "unauthorized").await;
}

#[tokio::test]
async fn the_refresh_cookie_works_only_from_our_own_pages() {
    // A page elsewhere could post `text/plain` (no preflight) with the browser's cookie to
    // refresh or end the session; only `SameSite` stood in the way.
    let app = spawn_app().await;
    app.signed_in_user("ada@example.org").await;
    let login = app.login("ada@example.org", PASSWORD).await;
    let refresh: String = login.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .into();
    let post = |path: &str, cookie: String, headers: &[(&str, &str)]| {
        let mut request = app
            .client
            .post(app.url(path))
            .header("cookie", cookie)
            .header("content-type", "text/plain")
            .body("x");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let cookie = format!("zimage_refresh={refresh}");
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")][..],
    ] {
        for path in ["/v1/auth/refresh", "/v1/auth/logout"] {
            let refused = post(path, cookie.clone(), headers).await.unwrap();
            assert_problem(refused, 403, "forbidden").await;
        }
    }
    // The session survived, and our own pages (Origin = this server) still refresh.
    let host = app.address.trim_start_matches("http://").to_string();
    let origin = format!("http://{host}");
    let ours = post(
        "/v1/auth/refresh",
        cookie,
        &[
            ("origin", origin.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(ours.status(), 200);
}
