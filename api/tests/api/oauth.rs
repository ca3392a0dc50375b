//! OAuth 2.1 for third-party apps: the code flow with PKCE, refresh rotation, revocation, the
//! device grant, scopes and credit caps, and every broken exchange refused.

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app};

pub const REDIRECT: &str = "https://app.example/callback";

/// A PKCE pair: the verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = format!("verifier-{}-{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Registers an app of `who`'s; returns its body (`app`, `client_secret`).
pub async fn register(app: &TestApp, who: &Signed, client_type: &str, uris: &[&str]) -> Value {
    let made = app
        .post_auth(
            "/v1/me/oauth-apps",
            &who.access,
            &json!({"name": "Photo Frame", "redirect_uris": uris, "client_type": client_type}),
        )
        .await;
    assert_eq!(made.status(), 201);
    made.json().await.unwrap()
}

fn query(params: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(params).unwrap()
}

/// The query parameters of a redirect.
fn params_of(url: &str) -> std::collections::HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap()
}

/// `who` approves `client_id` for `scope`; returns the redirect's parameters.
pub async fn approve(
    app: &TestApp,
    who: &Signed,
    client_id: &str,
    scope: &str,
    challenge: &str,
    cap: Option<i64>,
) -> std::collections::HashMap<String, String> {
    let answer = app
        .post_auth(
            "/v1/oauth/authorize",
            &who.access,
            &json!({
                "request": {"response_type": "code", "client_id": client_id,
                            "redirect_uri": REDIRECT, "scope": scope, "state": "xyz",
                            "code_challenge": challenge, "code_challenge_method": "S256"},
                "approve": true, "monthly_credit_limit": cap,
            }),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    let to = body["redirect_to"].as_str().unwrap();
    assert!(to.starts_with(REDIRECT), "{to}");
    params_of(to)
}

/// POSTs a form to an OAuth endpoint.
pub async fn form(app: &TestApp, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(query(params))
        .send()
        .await
        .unwrap()
}

async fn oauth_error(response: reqwest::Response, status: u16, error: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    body
}

/// A public app of `dev`'s authorized by `who` for `scope`; returns (client id, tokens).
pub async fn authorized(app: &TestApp, dev: &Signed, who: &Signed, scope: &str) -> (String, Value) {
    let registered = register(app, dev, "public", &[REDIRECT]).await;
    let client_id = registered["app"]["client_id"].as_str().unwrap().to_string();
    let (verifier, challenge) = pkce();
    let code = approve(app, who, &client_id, scope, &challenge, None).await["code"].clone();
    let tokens = form(
        app,
        "/v1/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(tokens.status(), 200);
    (client_id, tokens.json().await.unwrap())
}

#[tokio::test]
async fn an_app_completes_the_code_flow_and_acts_with_exactly_its_scopes() {
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let registered = register(&app, &dev, "public", &[REDIRECT]).await;
    assert!(registered.get("client_secret").is_none(), "{registered}");
    let client_id = registered["app"]["client_id"].as_str().unwrap().to_string();
    assert!(client_id.starts_with("zic_"));

    // The consent page's view of the request; the PKCE pair is RFC 7636's worked example.
    let (verifier, challenge) = (
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_string(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_string(),
    );
    let ask = query(&[
        ("response_type", "code"),
        ("client_id", &client_id),
        ("redirect_uri", REDIRECT),
        ("scope", "generations:read credits:read"),
        ("state", "xyz"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let consent: Value = app
        .get_json(&format!("/v1/oauth/authorize?{ask}"), &ada.access)
        .await;
    assert_eq!(consent["app"]["name"], "Photo Frame", "{consent}");
    assert_eq!(
        consent["scopes"],
        json!(["credits:read", "generations:read"])
    );
    assert!(consent.get("current").is_none(), "{consent}");
    assert!(consent.get("redirect_to").is_none());

    let redirect = approve(
        &app,
        &ada,
        &client_id,
        "generations:read credits:read",
        &challenge,
        None,
    )
    .await;
    assert_eq!(redirect["state"], "xyz");
    assert_eq!(redirect["iss"], crate::helpers::PUBLIC_URL);
    let tokens = form(
        &app,
        "/v1/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &redirect["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(tokens.status(), 200);
    assert_eq!(tokens.headers()["cache-control"], "no-store");
    let tokens: Value = tokens.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "credits:read generations:read");
    assert!(tokens["expires_in"].as_i64().unwrap() > 0);
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert!(access.starts_with("zio_"));

    // Exactly the granted scopes, for ada, and never her credentials.
    let me: Value = app.get_json("/v1/me", &access).await;
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(app.get_auth("/v1/credits", &access).await.status(), 200);
    assert_eq!(app.get_auth("/v1/generations", &access).await.status(), 200);
    let write = app
        .post_auth(
            "/v1/generations",
            &access,
            &crate::generations::request("not allowed"),
        )
        .await;
    assert_problem(write, 403, "insufficient_scope").await;
    assert_problem(
        app.get_auth("/v1/me/api-keys", &access).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get_auth("/v1/me/authorized-apps", &access).await,
        403,
        "forbidden",
    )
    .await;

    // Ada sees it among her authorized apps; the developer sees one user.
    let listed: Value = app.get_json("/v1/me/authorized-apps", &ada.access).await;
    assert_eq!(listed["items"][0]["app"]["client_id"], client_id.as_str());
    assert!(listed["items"][0]["last_used_at"].is_string(), "{listed}");
    let apps: Value = app.get_json("/v1/me/oauth-apps", &dev.access).await;
    assert_eq!(apps["items"][0]["authorized_users"], 1);
    let events: Value = app.get_json("/v1/me/security-events", &ada.access).await;
    assert!(events.to_string().contains("oauth.authorized"), "{events}");

    // Refresh rotates; a retry within the grace gets the same successor; revocation ends it.
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let rotate = |token: String| {
        let (app, client_id) = (&app, client_id.clone());
        async move {
            form(
                app,
                "/v1/oauth/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    let first: Value = rotate(refresh.clone()).await.json().await.unwrap();
    let next = first["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(next, refresh);
    let retried: Value = rotate(refresh.clone()).await.json().await.unwrap();
    assert_eq!(retried["refresh_token"], next.as_str(), "{retried}");
    let new_access = first["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_auth("/v1/me", &new_access).await.status(), 200);

    let revoked = form(
        &app,
        "/v1/oauth/revoke",
        &[("token", &next), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(revoked.status(), 200);
    oauth_error(rotate(next).await, 400, "invalid_grant").await;
    assert_problem(
        app.get_auth("/v1/me", &new_access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(app.get_auth("/v1/me", &access).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn broken_exchanges_are_refused_and_a_reused_code_ends_its_tokens() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let registered = register(
        &app,
        &dev,
        "public",
        &[REDIRECT, "https://app.example/other"],
    )
    .await;
    let client_id = registered["app"]["client_id"].as_str().unwrap().to_string();
    let exchange = |code: String, verifier: String, redirect: &'static str| {
        let (app, client_id) = (&app, client_id.clone());
        async move {
            form(
                app,
                "/v1/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", &verifier),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };

    // Wrong verifier: refused, and the code is spent.
    let (verifier, challenge) = pkce();
    let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
    let (other_verifier, _) = pkce();
    let body = oauth_error(
        exchange(code.clone(), other_verifier, REDIRECT).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("code_verifier")
    );
    oauth_error(
        exchange(code, verifier, REDIRECT).await,
        400,
        "invalid_grant",
    )
    .await;

    // Another registered redirect URI than the code's: refused.
    let (verifier, challenge) = pkce();
    let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
    oauth_error(
        exchange(code, verifier, "https://app.example/other").await,
        400,
        "invalid_grant",
    )
    .await;

    // A code used twice: the second use fails and ends what the first obtained.
    let (verifier, challenge) = pkce();
    let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
    let tokens: Value = exchange(code.clone(), verifier.clone(), REDIRECT)
        .await
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_auth("/v1/me", &access).await.status(), 200);
    oauth_error(
        exchange(code, verifier, REDIRECT).await,
        400,
        "invalid_grant",
    )
    .await;
    assert_eq!(app.get_auth("/v1/me", &access).await.status(), 401);

    // An expired code.
    let (verifier, challenge) = pkce();
    let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
    let mut conn = app.state.db.get().await.unwrap();
    conn.batch_execute("UPDATE oauth_codes SET expires_at = now() - interval '1 second'")
        .await
        .unwrap();
    let body = oauth_error(
        exchange(code, verifier, REDIRECT).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    // A revoked authorization: its tokens stop and its refresh token is refused.
    let (verifier, challenge) = pkce();
    let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
    let tokens: Value = exchange(code, verifier, REDIRECT)
        .await
        .json()
        .await
        .unwrap();
    let listed: Value = app.get_json("/v1/me/authorized-apps", &ada.access).await;
    let grant = listed["items"][0]["id"].as_str().unwrap().to_string();
    let revoked = app
        .delete_auth(&format!("/v1/me/authorized-apps/{grant}"), &ada.access)
        .await;
    assert_eq!(revoked.status(), 204);
    let access = tokens["access_token"].as_str().unwrap();
    assert_problem(app.get_auth("/v1/me", access).await, 401, "unauthorized").await;
    let refresh = form(
        &app,
        "/v1/oauth/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_id", &client_id),
        ],
    )
    .await;
    oauth_error(refresh, 400, "invalid_grant").await;

    // Requests that cannot be granted go back to the app with an error; unknown apps and
    // unregistered redirect URIs never leave the consent page.
    let ask = |params: &[(&str, &str)]| format!("/v1/oauth/authorize?{}", query(params));
    let no_pkce: Value = app
        .get_json(
            &ask(&[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", REDIRECT),
                ("state", "s1"),
            ]),
            &ada.access,
        )
        .await;
    let back = params_of(no_pkce["redirect_to"].as_str().unwrap());
    assert_eq!(back["error"], "invalid_request");
    assert_eq!(back["state"], "s1");
    let (_, challenge) = pkce();
    let bad_scope: Value = app
        .get_json(
            &ask(&[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "admin"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]),
            &ada.access,
        )
        .await;
    assert_eq!(
        params_of(bad_scope["redirect_to"].as_str().unwrap())["error"],
        "invalid_scope"
    );
    let elsewhere = app
        .get_auth(
            &ask(&[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", "https://evil.example/callback"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]),
            &ada.access,
        )
        .await;
    let problem = assert_problem(elsewhere, 422, "validation_failed").await;
    assert!(problem["errors"]["redirect_uri"].is_array(), "{problem}");
    let unknown = app
        .get_auth(&ask(&[("client_id", "zic_nope")]), &ada.access)
        .await;
    assert_problem(unknown, 422, "validation_failed").await;
    // Denial.
    let denied: Value = app
        .post_auth(
            "/v1/oauth/authorize",
            &ada.access,
            &json!({"request": {"response_type": "code", "client_id": client_id,
                                "redirect_uri": REDIRECT, "code_challenge": challenge,
                                "code_challenge_method": "S256"}, "approve": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        params_of(denied["redirect_to"].as_str().unwrap())["error"],
        "access_denied"
    );

    // The token endpoint's own refusals.
    oauth_error(
        form(
            &app,
            "/v1/oauth/token",
            &[("grant_type", "password"), ("client_id", &client_id)],
        )
        .await,
        400,
        "unsupported_grant_type",
    )
    .await;
    let json_body = app
        .post("/v1/oauth/token", &json!({"grant_type": "refresh_token"}))
        .await;
    oauth_error(json_body, 400, "invalid_request").await;
    oauth_error(
        form(
            &app,
            "/v1/oauth/token",
            &[("grant_type", "refresh_token"), ("client_id", "zic_nope")],
        )
        .await,
        401,
        "invalid_client",
    )
    .await;
    oauth_error(
        form(
            &app,
            "/v1/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client_id),
                ("client_secret", "x"),
            ],
        )
        .await,
        401,
        "invalid_client",
    )
    .await;
}

#[tokio::test]
async fn confidential_apps_authenticate_with_their_secret() {
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let registered = register(&app, &dev, "confidential", &[REDIRECT]).await;
    let client_id = registered["app"]["client_id"].as_str().unwrap().to_string();
    let secret = registered["client_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("zics_"));
    let listed: Value = app.get_json("/v1/me/oauth-apps", &dev.access).await;
    assert!(!listed.to_string().contains(&secret), "secret listed");

    let (verifier, challenge) = pkce();
    let code =
        approve(&app, &ada, &client_id, "credits:read", &challenge, None).await["code"].clone();
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    // Without the secret the code is not even looked at (so it is not spent).
    let with_id: Vec<_> = params
        .iter()
        .copied()
        .chain([("client_id", client_id.as_str())])
        .collect();
    oauth_error(
        form(&app, "/v1/oauth/token", &with_id).await,
        401,
        "invalid_client",
    )
    .await;
    let wrong = app
        .client
        .post(app.url("/v1/oauth/token"))
        .basic_auth(&client_id, Some("zics_wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(params).unwrap())
        .send()
        .await
        .unwrap();
    assert!(wrong.headers().contains_key("www-authenticate"));
    oauth_error(wrong, 401, "invalid_client").await;
    let right = app
        .client
        .post(app.url("/v1/oauth/token"))
        .basic_auth(&client_id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(params).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    let tokens: Value = right.json().await.unwrap();
    assert_eq!(
        app.get_auth("/v1/credits", tokens["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_device_polls_until_its_user_approves_it() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let registered = register(&app, &dev, "public", &[REDIRECT]).await;
    let client_id = registered["app"]["client_id"].as_str().unwrap().to_string();
    let start = |scope: &'static str| {
        let (app, client_id) = (&app, client_id.clone());
        async move {
            let started = form(
                app,
                "/v1/oauth/device_authorization",
                &[("client_id", &client_id), ("scope", scope)],
            )
            .await;
            assert_eq!(started.status(), 200);
            started.json::<Value>().await.unwrap()
        }
    };
    let poll = |device_code: String| {
        let (app, client_id) = (&app, client_id.clone());
        async move {
            form(
                app,
                "/v1/oauth/token",
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", &device_code),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    let mut conn = app.state.db.get().await.unwrap();
    let rewind = "UPDATE oauth_device_codes SET last_polled_at = now() - interval '1 hour'";

    let started = start("generations:read").await;
    let user_code = started["user_code"].as_str().unwrap().to_string();
    assert_eq!(user_code.len(), 9, "{started}");
    assert_eq!(
        started["verification_uri"],
        format!("{}/device", crate::helpers::PUBLIC_URL)
    );
    assert_eq!(started["interval"], 5);
    let device_code = started["device_code"].as_str().unwrap().to_string();
    oauth_error(
        poll(device_code.clone()).await,
        400,
        "authorization_pending",
    )
    .await;
    oauth_error(poll(device_code.clone()).await, 400, "slow_down").await;

    // Typed loosely on the device page.
    let typed = user_code.to_lowercase().replace('-', " ");
    let info: Value = app
        .get_json(
            &format!("/v1/oauth/device?{}", query(&[("user_code", &typed)])),
            &ada.access,
        )
        .await;
    assert_eq!(info["app"]["name"], "Photo Frame", "{info}");
    assert_eq!(info["scopes"], json!(["generations:read"]));
    let answered = app
        .post_auth(
            "/v1/oauth/device",
            &ada.access,
            &json!({"user_code": typed, "approve": true}),
        )
        .await;
    assert_eq!(answered.status(), 204);
    conn.batch_execute(rewind).await.unwrap();
    let tokens = poll(device_code.clone()).await;
    assert_eq!(tokens.status(), 200);
    let tokens: Value = tokens.json().await.unwrap();
    assert_eq!(
        app.get_auth("/v1/generations", tokens["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    conn.batch_execute(rewind).await.unwrap();
    oauth_error(poll(device_code).await, 400, "invalid_grant").await;
    // Answered codes are gone from the device page.
    assert_problem(
        app.get_auth(
            &format!("/v1/oauth/device?{}", query(&[("user_code", &user_code)])),
            &ada.access,
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // Denied, and expired.
    let denied = start("").await;
    let answered = app
        .post_auth(
            "/v1/oauth/device",
            &ada.access,
            &json!({"user_code": denied["user_code"], "approve": false}),
        )
        .await;
    assert_eq!(answered.status(), 204);
    oauth_error(
        poll(denied["device_code"].as_str().unwrap().to_string()).await,
        400,
        "access_denied",
    )
    .await;
    let late = start("").await;
    conn.batch_execute("UPDATE oauth_device_codes SET expires_at = now() - interval '1 second'")
        .await
        .unwrap();
    oauth_error(
        poll(late["device_code"].as_str().unwrap().to_string()).await,
        400,
        "expired_token",
    )
    .await;
    oauth_error(
        form(
            &app,
            "/v1/oauth/device_authorization",
            &[("client_id", &client_id), ("scope", "admin")],
        )
        .await,
        400,
        "invalid_scope",
    )
    .await;
}

#[tokio::test]
async fn an_apps_generations_count_against_the_cap_its_user_set() {
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let registered = register(&app, &dev, "public", &[REDIRECT]).await;
    let client_id = registered["app"]["client_id"].as_str().unwrap().to_string();
    let (verifier, challenge) = pkce();
    let code = approve(
        &app,
        &ada,
        &client_id,
        "generations:write generations:read",
        &challenge,
        Some(3),
    )
    .await["code"]
        .clone();
    let tokens: Value = form(
        &app,
        "/v1/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let first = app
        .post_auth(
            "/v1/generations",
            &access,
            &crate::generations::request("one"),
        )
        .await;
    assert_eq!(first.status(), 202);
    let second = app
        .post_auth(
            "/v1/generations",
            &access,
            &crate::generations::request("two"),
        )
        .await;
    assert!(second.headers().contains_key("retry-after"));
    let body = assert_problem(second, 429, "spend_limit_reached").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("3 credits a month"),
        "{body}"
    );
    let listed: Value = app.get_json("/v1/me/authorized-apps", &ada.access).await;
    assert_eq!(listed["items"][0]["spent_this_month"], 2, "{listed}");
    assert_eq!(listed["items"][0]["monthly_credit_limit"], 3);
}

#[tokio::test]
async fn app_registration_checks_redirect_uris_and_deleting_an_app_ends_its_tokens() {
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    for (uris, client_type) in [
        (json!([]), "public"),
        (json!(["http://app.example/cb"]), "confidential"),
        (json!(["https://app.example/cb#frag"]), "public"),
        (json!(["com.example.app:/cb"]), "confidential"),
    ] {
        let refused = app
            .post_auth(
                "/v1/me/oauth-apps",
                &dev.access,
                &json!({"name": "x", "redirect_uris": uris, "client_type": client_type}),
            )
            .await;
        let body = assert_problem(refused, 422, "validation_failed").await;
        assert!(body["errors"]["redirect_uris"].is_array(), "{body}");
    }
    let native = register(
        &app,
        &dev,
        "public",
        &["com.example.app:/cb", "http://127.0.0.1/cb"],
    )
    .await;
    assert_eq!(native["app"]["redirect_uris"][1], "http://127.0.0.1/cb");

    let (client_id, tokens) = authorized(&app, &dev, &ada, "credits:read").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.get_auth("/v1/credits", access).await.status(), 200);
    let apps: Value = app.get_json("/v1/me/oauth-apps", &dev.access).await;
    let id = apps["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == client_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let one: Value = app
        .get_json(&format!("/v1/me/oauth-apps/{id}"), &dev.access)
        .await;
    assert_eq!(one["authorized_users"], 1);
    let deleted = app
        .delete_auth(&format!("/v1/me/oauth-apps/{id}"), &dev.access)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get_auth("/v1/credits", access).await.status(), 401);
    let listed: Value = app.get_json("/v1/me/authorized-apps", &ada.access).await;
    assert_eq!(listed["items"], json!([]));

    // The metadata libraries discover the endpoints from.
    let metadata: Value = app
        .client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["issuer"], crate::helpers::PUBLIC_URL);
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(
        metadata["token_endpoint"],
        format!("{}/v1/oauth/token", crate::helpers::PUBLIC_URL)
    );
}

#[tokio::test]
async fn a_code_raced_or_stolen_is_good_once_and_only_for_its_own_app() {
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let client_id = register(&app, &dev, "public", &[REDIRECT]).await["app"]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other_id = register(&app, &dev, "public", &[REDIRECT]).await["app"]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let exchange = |code: String, verifier: String, client: String| {
        let app = &app;
        async move {
            form(
                app,
                "/v1/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("code_verifier", &verifier),
                    ("client_id", &client),
                    // Sent empty, as many libraries do for public apps: the same as not sent.
                    ("client_secret", ""),
                    ("redirect_uri", ""),
                ],
            )
            .await
        }
    };

    // Another app presenting the code neither spends it nor ends anything.
    let (verifier, challenge) = pkce();
    let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
    oauth_error(
        exchange(code.clone(), verifier.clone(), other_id.clone()).await,
        400,
        "invalid_grant",
    )
    .await;
    let first = exchange(code.clone(), verifier.clone(), client_id.clone()).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    oauth_error(
        exchange(code, verifier, other_id.clone()).await,
        400,
        "invalid_grant",
    )
    .await;
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(
        app.get_auth("/v1/me", access).await.status(),
        200,
        "still live"
    );

    // Two exchanges of one code at once: one gets tokens, and the other's failure ends them.
    for _ in 0..3 {
        let (verifier, challenge) = pkce();
        let code = approve(&app, &ada, &client_id, "", &challenge, None).await["code"].clone();
        let (a, b) = tokio::join!(
            exchange(code.clone(), verifier.clone(), client_id.clone()),
            exchange(code, verifier, client_id.clone())
        );
        let statuses = [a.status().as_u16(), b.status().as_u16()];
        assert!(
            statuses.contains(&200) && statuses.contains(&400),
            "{statuses:?}"
        );
        let winner = if a.status() == 200 { a } else { b };
        let tokens: Value = winner.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(app.get_auth("/v1/me", access).await.status(), 401);
    }
}

#[tokio::test]
async fn each_sign_in_keeps_the_scopes_allowed_for_it_and_consent_shows_the_cap() {
    let app = spawn_app().await;
    let dev = app.signed_in_user("dev@example.org").await;
    let ada = app.signed_in_user("ada@example.org").await;
    let client_id =
        register(&app, &dev, "public", &["http://127.0.0.1/cb"]).await["app"]["client_id"]
            .as_str()
            .unwrap()
            .to_string();
    // A native app listening on a port of its choosing (RFC 8252): any loopback port matches.
    let redirect = "http://127.0.0.1:51234/cb";
    let sign_in = |scope: &'static str, cap: Option<i64>| {
        let (app, ada, client_id) = (&app, &ada, client_id.clone());
        async move {
            let (verifier, challenge) = pkce();
            let answer: Value = app
                .post_auth(
                    "/v1/oauth/authorize",
                    &ada.access,
                    &json!({
                        "request": {"response_type": "code", "client_id": client_id,
                                    "redirect_uri": redirect, "scope": scope,
                                    "code_challenge": challenge, "code_challenge_method": "S256"},
                        "approve": true, "monthly_credit_limit": cap,
                    }),
                )
                .await
                .json()
                .await
                .unwrap();
            let to = answer["redirect_to"].as_str().unwrap();
            assert!(to.starts_with(redirect), "{to}");
            let code = params_of(to)["code"].clone();
            let tokens = form(
                app,
                "/v1/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("code_verifier", &verifier),
                    ("redirect_uri", redirect),
                    ("client_id", &client_id),
                ],
            )
            .await;
            assert_eq!(tokens.status(), 200);
            tokens.json::<Value>().await.unwrap()
        }
    };
    let credits = sign_in("credits:read", Some(40)).await;
    let gallery = sign_in("generations:read", Some(40)).await;
    assert_eq!(gallery["scope"], "generations:read");
    let (first, second) = (
        credits["access_token"].as_str().unwrap(),
        gallery["access_token"].as_str().unwrap(),
    );
    assert_eq!(app.get_auth("/v1/credits", first).await.status(), 200);
    assert_eq!(app.get_auth("/v1/generations", first).await.status(), 403);
    assert_eq!(app.get_auth("/v1/generations", second).await.status(), 200);
    assert_eq!(app.get_auth("/v1/credits", second).await.status(), 403);

    // The consent page knows what was allowed before, cap included.
    let (_, challenge) = pkce();
    let ask = query(&[
        ("response_type", "code"),
        ("client_id", &client_id),
        ("redirect_uri", redirect),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let consent: Value = app
        .get_json(&format!("/v1/oauth/authorize?{ask}"), &ada.access)
        .await;
    assert_eq!(
        consent["current"],
        json!({"scopes": ["credits:read", "generations:read"], "monthly_credit_limit": 40})
    );
}
