//! Abuse-prone endpoints answer 429 with Retry-After and RateLimit headers.

use serde_json::json;

use crate::helpers::{PASSWORD, assert_problem, spawn_app_with};

#[tokio::test]
async fn login_is_limited_per_account() {
    let app = spawn_app_with(&[("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/60")]).await;
    app.signup("ada@example.org").await;
    for _ in 0..3 {
        assert_eq!(
            app.login("ada@example.org", "wrong password!")
                .await
                .status(),
            401
        );
    }
    let limited = app.login("ada@example.org", PASSWORD).await;
    let headers = limited.headers().clone();
    assert_problem(limited, 429, "rate_limited").await;
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(headers["ratelimit-limit"], "3");
    assert_eq!(headers["ratelimit-remaining"], "0");
    assert_eq!(headers["ratelimit-policy"], "3;w=60");
    // Another account from the same IP is unaffected by this budget.
    app.signup("bob@example.org").await;
    assert_eq!(app.login("bob@example.org", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn login_is_limited_per_ip() {
    let app = spawn_app_with(&[("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "2/60")]).await;
    assert_eq!(
        app.login("a@example.org", "whatever123").await.status(),
        401
    );
    assert_eq!(
        app.login("b@example.org", "whatever123").await.status(),
        401
    );
    assert_problem(
        app.login("c@example.org", "whatever123").await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn signup_resend_and_forgot_are_limited() {
    let app = spawn_app_with(&[
        ("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", "1/60"),
        ("ZIMAGE_RATE_LIMIT_EMAIL_PER_ACCOUNT", "2/60"),
    ])
    .await;
    assert_eq!(app.signup("ada@example.org").await.status(), 201);
    assert_problem(app.signup("bob@example.org").await, 429, "rate_limited").await;
    let forgot = json!({"email": "ada@example.org"});
    assert_eq!(
        app.post("/v1/auth/password/forgot", &forgot).await.status(),
        202
    );
    assert_eq!(
        app.post("/v1/auth/password/forgot", &forgot).await.status(),
        202
    );
    assert_problem(
        app.post("/v1/auth/password/forgot", &forgot).await,
        429,
        "rate_limited",
    )
    .await;
    let resend = json!({"email": "ada@example.org"});
    assert_eq!(
        app.post("/v1/auth/resend-verification", &resend)
            .await
            .status(),
        202
    );
    assert_eq!(
        app.post("/v1/auth/resend-verification", &resend)
            .await
            .status(),
        202
    );
    assert_problem(
        app.post("/v1/auth/resend-verification", &resend).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn behind_a_proxy_a_client_cannot_pick_its_own_ip() {
    // One appending proxy in front: it adds the address it saw (here 198.51.100.20) after
    // whatever the client wrote, so only the rightmost entry counts.
    let app = spawn_app_with(&[
        ("ZIMAGE_TRUST_PROXY", "1"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "3/60"),
    ])
    .await;
    let login = |n: u32, forwarded: String| {
        let body = json!({"email": format!("u{n}@example.org"), "password": "whatever123"});
        app.client
            .post(app.url("/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&body)
            .send()
    };
    for n in 0..3 {
        let forged = format!("203.0.113.{n}, 198.51.100.20");
        assert_eq!(login(n, forged).await.unwrap().status(), 401);
    }
    let forged = "203.0.113.99, 198.51.100.20".to_string();
    assert_problem(login(9, forged).await.unwrap(), 429, "rate_limited").await;
    // Another client behind the same proxy has its own budget.
    let other = "198.51.100.21".to_string();
    assert_eq!(login(10, other).await.unwrap().status(), 401);
}
