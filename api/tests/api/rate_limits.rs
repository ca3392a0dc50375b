//! Abuse-prone endpoints answer 429 with Retry-After and RateLimit headers.

use serde_json::json;

use crate::helpers::{PASSWORD, assert_problem, spawn_app_with};

/// A sign-in from client IP `ip` (one trusted proxy in front), with an optional device cookie.
async fn login_from(
    app: &crate::helpers::TestApp,
    ip: &str,
    device: Option<&str>,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"email": email, "password": password}));
    if let Some(device) = device {
        request = request.header("cookie", format!("zimage_device={device}"));
    }
    request.send().await.unwrap()
}

/// The `zimage_device` cookie a successful sign-in sets.
fn device_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("zimage_device="))
        .and_then(|v| v.split(';').next())
        .expect("a device cookie")
        .to_string()
}

#[tokio::test]
async fn strangers_wrong_guesses_do_not_lock_the_owner_out_and_successes_never_count() {
    // The per-account budget used to be spent by any attempt, before the password was checked:
    // ten wrong guesses by anyone locked the owner out for 15 minutes, right password included.
    let app = spawn_app_with(&[
        ("ZIMAGE_TRUST_PROXY", "1"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/60"),
    ])
    .await;
    app.signup("ada@example.org").await;
    // The owner signs in from their browser more often than the budget: successes do not count.
    let mut device = None;
    for _ in 0..5 {
        let ok = login_from(&app, "198.51.100.7", None, "ada@example.org", PASSWORD).await;
        assert_eq!(ok.status(), 200);
        device = Some(device_cookie(&ok));
    }
    let device = device.unwrap();
    // A stranger guesses from one address, then from another.
    for _ in 0..3 {
        let guess = login_from(
            &app,
            "203.0.113.5",
            None,
            "ada@example.org",
            "wrong guess 1",
        )
        .await;
        assert_eq!(guess.status(), 401);
    }
    let limited = login_from(&app, "203.0.113.5", None, "ada@example.org", PASSWORD).await;
    let headers = limited.headers().clone();
    let problem = assert_problem(limited, 429, "rate_limited").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("failed sign-ins"),
        "{problem}"
    );
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(headers["ratelimit-policy"], "3;w=60");
    // The account is closed to unknown devices, wherever they are…
    let elsewhere = login_from(&app, "192.0.2.77", None, "ada@example.org", PASSWORD).await;
    assert_problem(elsewhere, 429, "rate_limited").await;
    // …but the owner's own browser still gets in, and a device cookie of another account or a
    // forged one does not count as known.
    let owner = login_from(
        &app,
        "198.51.100.7",
        Some(&device),
        "ada@example.org",
        PASSWORD,
    )
    .await;
    assert_eq!(owner.status(), 200);
    let forged = "0".repeat(64);
    let stranger = login_from(
        &app,
        "192.0.2.78",
        Some(&forged),
        "ada@example.org",
        PASSWORD,
    )
    .await;
    assert_eq!(stranger.status(), 429);
    app.signup("bob@example.org").await;
    let bob = login_from(&app, "192.0.2.79", None, "bob@example.org", PASSWORD).await;
    let bobs_device = device_cookie(&bob);
    let borrowed = login_from(
        &app,
        "192.0.2.79",
        Some(&bobs_device),
        "ada@example.org",
        PASSWORD,
    )
    .await;
    assert_eq!(borrowed.status(), 429);
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
async fn a_stranger_cannot_use_up_the_owners_reset_mails() {
    // Per-address mail budgets used to answer 429 to everyone once spent, so a stranger asking
    // three times an hour kept the owner's reset mails from being sent. Now requests are limited
    // per client IP, and an address gets at most one mail per window, whoever asked.
    let app = spawn_app_with(&[
        ("ZIMAGE_TRUST_PROXY", "1"),
        ("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", "1/60"),
        ("ZIMAGE_RATE_LIMIT_EMAIL_PER_IP", "3/60"),
    ])
    .await;
    assert_eq!(app.signup("ada@example.org").await.status(), 201);
    assert_problem(app.signup("bob@example.org").await, 429, "rate_limited").await;
    let forgot = |ip: &'static str, email: &'static str| {
        app.client
            .post(app.url("/v1/auth/password/forgot"))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": email}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            forgot("203.0.113.5", "ada@example.org")
                .await
                .unwrap()
                .status(),
            202
        );
    }
    assert_problem(
        forgot("203.0.113.5", "ada@example.org").await.unwrap(),
        429,
        "rate_limited",
    )
    .await;
    // The owner asks from home: accepted, and the one mail sent works.
    assert_eq!(
        forgot("198.51.100.7", "ada@example.org")
            .await
            .unwrap()
            .status(),
        202
    );
    let token = app
        .token_from_mail("ada@example.org", "reset-password")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let resets = app
        .mails_to("ada@example.org")
        .iter()
        .filter(|m| m.contains("/reset-password?token="))
        .count();
    assert_eq!(resets, 1, "one mail per address per window");
    let reset = app.reset_password(&token, "a brand new passphrase").await;
    assert_eq!(reset.status(), 204);
    // Verification resends share the per-IP budget.
    let resend = json!({"email": "ada@example.org"});
    for _ in 0..3 {
        assert_eq!(
            app.post("/v1/auth/resend-verification", &resend)
                .await
                .status(),
            202
        );
    }
    assert_problem(
        app.post("/v1/auth/resend-verification", &resend).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn behind_a_proxy_a_client_cannot_pick_its_own_ip() {
    // One appending proxy in front (the test client, at 127.0.0.1): it adds the address it saw
    // (here 198.51.100.20) after whatever the client wrote, so only the rightmost entry counts,
    // whether the proxy is trusted by count or by address.
    client_ip_is_what_the_proxy_saw(("ZIMAGE_TRUST_PROXY", "1")).await;
    client_ip_is_what_the_proxy_saw(("ZIMAGE_TRUSTED_PROXIES", "127.0.0.0/8")).await;
    // Behind a proxy elsewhere, the header is the client's own words: the peer counts.
    let app = spawn_app_with(&[
        ("ZIMAGE_TRUSTED_PROXIES", "10.0.0.0/8"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "1/60"),
    ])
    .await;
    let attempt = |forwarded: &'static str| {
        app.client
            .post(app.url("/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": "x@example.org", "password": "whatever123"}))
            .send()
    };
    assert_eq!(attempt("203.0.113.1").await.unwrap().status(), 401);
    assert_eq!(attempt("203.0.113.2").await.unwrap().status(), 429);
}

async fn client_ip_is_what_the_proxy_saw(trust: (&str, &str)) {
    let app = spawn_app_with(&[trust, ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "3/60")]).await;
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

/// The Redis the machine runs (`ZIMAGE_TEST_REDIS_URL` to use another).
fn test_redis() -> String {
    std::env::var("ZIMAGE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A sign-up from client IP `ip` (one trusted proxy in front).
async fn signup_from(app: &crate::helpers::TestApp, ip: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/auth/signup"))
        .header("x-forwarded-for", ip)
        .json(&json!({"email": email, "password": PASSWORD, "accept_terms": true, "age_confirmed": true}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn replicas_sharing_redis_count_against_one_budget() {
    // Three replicas each keeping their own counts would let three times the budget through.
    let prefix = format!("zimage-test:{}:", uuid::Uuid::new_v4().simple());
    let shared = [
        ("ZIMAGE_TRUST_PROXY", "1"),
        ("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", "3/60"),
        ("ZIMAGE_REDIS_URL", &test_redis()),
        ("ZIMAGE_REDIS_PREFIX", &prefix),
    ];
    let first = spawn_app_with(&shared).await;
    let replicas = [first.replica(&shared).await, first.replica(&shared).await];
    let apps = [&first, &replicas[0], &replicas[1]];
    for (n, app) in apps.iter().enumerate() {
        let created = signup_from(app, "203.0.113.9", &format!("user{n}@example.org")).await;
        assert_eq!(created.status(), 201, "sign-up {n}");
        // What is left is the shared count, whichever replica answers.
        let remaining = created.headers()["ratelimit-remaining"].to_str().unwrap();
        assert_eq!(remaining, (2 - n).to_string());
    }
    // The fourth is refused by every replica, and another address still has its own budget.
    for app in apps {
        let refused = signup_from(app, "203.0.113.9", "late@example.org").await;
        assert_problem(refused, 429, "rate_limited").await;
    }
    let other = signup_from(&replicas[1], "203.0.113.10", "other@example.org").await;
    assert_eq!(other.status(), 201);
}

#[tokio::test]
async fn with_redis_unreachable_sign_in_is_refused_and_reads_go_through() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(&[("ZIMAGE_REDIS_URL", &format!("redis://127.0.0.1:{port}"))]).await;
    // A budget nobody can count is no budget: sign-in and sign-up wait for Redis.
    let login = app
        .post(
            "/v1/auth/login",
            &json!({"email": "ada@example.org", "password": PASSWORD}),
        )
        .await;
    // The limiter's own hint, not the generic 1 s of other 503s.
    assert_eq!(login.headers()["retry-after"], "5");
    assert_problem(login, 503, "service_unavailable").await;
    let signup = signup_from(&app, "203.0.113.9", "ada@example.org").await;
    assert_problem(signup, 503, "service_unavailable").await;
    // A public read is let through (unknown link: 404, not 503).
    let read = app
        .client
        .get(app.url("/v1/shared/unknown-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 404);
}

/// Every authenticated request counts against its principal's general budget: a user's sessions
/// share one, each API key has its own, and someone else's spending never touches it.
#[tokio::test]
async fn each_principal_has_a_general_budget_for_authenticated_requests() {
    let app = spawn_app_with(&[("ZIMAGE_RATE_LIMIT_API_PER_PRINCIPAL", "3/60")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    // Signing up and in took none of it (they are not authenticated requests).
    let key = app.api_key(&ada, &["generations:read"]).await;
    for n in 0..2 {
        let me = app.get_auth("/v1/me", &ada.access).await;
        assert_eq!(me.status(), 200, "request {n}");
        assert_eq!(me.headers()["ratelimit-policy"], "3;w=60");
    }
    // Creating the key above was the first of the session's three.
    let spent = app.get_auth("/v1/me", &ada.access).await;
    let wait: u64 = spent.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0);
    assert_problem(spent, 429, "rate_limited").await;
    // Reads that also take signed URLs say so too, rather than asking for a credential.
    let file = app
        .get_auth(
            &format!("/v1/images/{}/file", uuid::Uuid::new_v4()),
            &ada.access,
        )
        .await;
    assert_eq!(file.status(), 429);
    // Another session of the same person shares the budget.
    let again = app.sign_in("ada@example.org", PASSWORD).await;
    assert_eq!(app.get_auth("/v1/me", &again.access).await.status(), 429);
    // The API key is a principal of its own.
    for _ in 0..3 {
        assert_eq!(app.get_auth("/v1/generations", &key).await.status(), 200);
    }
    assert_eq!(app.get_auth("/v1/generations", &key).await.status(), 429);
    // Someone else is untouched.
    let bob = app.signed_in_user("bob@example.org").await;
    assert_eq!(app.get_auth("/v1/me", &bob.access).await.status(), 200);
}
