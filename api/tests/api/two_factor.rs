//! Two-factor authentication with an authenticator app: turning it on, signing in with a code or
//! a recovery code, the limits of a sign-in challenge, and the sensitive actions that ask for a
//! fresh second factor. The codes come from `oathtool` (the OATH Toolkit), not from our own
//! implementation, at the server's clock (which the tests move on by 30-second steps, as codes
//! work once each).

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, Signed, TestApp, assert_problem, signed_in_admin, spawn_app, spawn_app_with,
};

/// The code an authenticator app shows for `secret` at the server's time.
fn app_code(app: &TestApp, secret: &str) -> String {
    let at = app.state.clock.now().timestamp();
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", "--now", &format!("@{at}"), secret])
        .output()
        .expect("oathtool (scripts/deps.sh test installs it)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A 6-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// The authenticator's next step: the code on screen changes.
fn next_step(app: &TestApp) {
    app.state.clock.advance(Duration::seconds(30));
}

/// Turns two-factor authentication on for `who`; returns the secret and the recovery codes.
pub async fn turn_on(app: &TestApp, who: &Signed) -> (String, Vec<String>) {
    let setup = app
        .post_auth("/v1/me/two-factor/totp", &who.access, &json!({}))
        .await;
    assert_eq!(setup.status(), StatusCode::OK);
    let setup: Value = setup.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    let confirmed = app
        .post_auth(
            "/v1/me/two-factor/totp/confirm",
            &who.access,
            &json!({"code": app_code(app, &secret)}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let codes: Value = confirmed.json().await.unwrap();
    let codes = codes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    next_step(app);
    (secret, codes)
}

/// The password step: a challenge.
async fn challenge(app: &TestApp, email: &str) -> String {
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "the password alone sets no cookie"
    );
    let body: Value = response.json().await.unwrap();
    assert!(body.get("access_token").is_none(), "{body}");
    assert_eq!(body["methods"], json!(["totp", "recovery_code"]));
    assert_eq!(body["expires_in"], 300);
    body["challenge"].as_str().unwrap().to_string()
}

async fn second_factor(app: &TestApp, challenge: &str, code: &str) -> reqwest::Response {
    app.post(
        "/v1/auth/login/second-factor",
        &json!({"challenge": challenge, "code": code}),
    )
    .await
}

async fn event_kinds(app: &TestApp, who: &Signed) -> Vec<String> {
    let page = app.get_json("/v1/me/security-events", &who.access).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn with_an_authenticator_app_on_signing_in_needs_its_code() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let status = app.get_json("/v1/me/two-factor", &ada.access).await;
    assert_eq!(status["enabled"], false);

    // The secret, for a QR code or typed by hand; a wrong first code turns nothing on.
    let setup: Value = app
        .post_auth("/v1/me/two-factor/totp", &ada.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    assert_eq!(
        setup["otpauth_uri"],
        format!(
            "otpauth://totp/Z-Image%20Studio:ada%40example.org?secret={secret}&issuer=Z-Image%20Studio&algorithm=SHA1&digits=6&period=30"
        )
    );
    let right = app_code(&app, &secret);
    assert_problem(
        app.post_auth(
            "/v1/me/two-factor/totp/confirm",
            &ada.access,
            &json!({"code": wrong(&right)}),
        )
        .await,
        403,
        "invalid_code",
    )
    .await;
    assert_eq!(
        app.get_json("/v1/me/two-factor", &ada.access).await["enabled"],
        false
    );
    let confirmed: Value = app
        .post_auth(
            "/v1/me/two-factor/totp/confirm",
            &ada.access,
            &json!({"code": right}),
        )
        .await
        .json()
        .await
        .unwrap();
    let codes = confirmed["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let distinct: std::collections::BTreeSet<_> = codes.iter().map(|c| c.as_str()).collect();
    assert_eq!(distinct.len(), 10);
    assert!(
        codes
            .iter()
            .all(|c| c.as_str().unwrap().len() == 14
                && c.as_str().unwrap().matches('-').count() == 2)
    );
    let status = app.get_json("/v1/me/two-factor", &ada.access).await;
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 10);
    assert!(
        app.mail_arrives("ada@example.org", "Two-factor authentication is on")
            .await
    );
    // On already: a new secret would lock the owner out of their app.
    assert_problem(
        app.post_auth("/v1/me/two-factor/totp", &ada.access, &json!({}))
            .await,
        409,
        "conflict",
    )
    .await;

    // The password alone gives a challenge, and the code it was turned on with is spent.
    let first = challenge(&app, "ada@example.org").await;
    assert_problem(
        second_factor(&app, &first, &right).await,
        403,
        "invalid_code",
    )
    .await;
    next_step(&app);
    let code = app_code(&app, &secret);
    let signed = second_factor(&app, &first, &code).await;
    assert_eq!(signed.status(), StatusCode::OK);
    let cookies: Vec<_> = signed.headers().get_all("set-cookie").iter().collect();
    assert!(
        cookies.len() >= 2,
        "refresh, signed-in hint and device cookies"
    );
    let tokens: Value = signed.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);
    // The challenge worked once, and so did the code.
    assert_problem(
        second_factor(&app, &first, &code).await,
        403,
        "challenge_ended",
    )
    .await;
    let again = challenge(&app, "ada@example.org").await;
    assert_problem(
        second_factor(&app, &again, &code).await,
        403,
        "invalid_code",
    )
    .await;
    let kinds = event_kinds(&app, &ada).await;
    assert!(
        kinds.contains(&"two_factor.enabled".to_string()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"two_factor.sign_in".to_string()),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_its_owner_is_told() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (_, codes) = turn_on(&app, &ada).await;
    // However it is typed: upper case, spaces for dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let first = challenge(&app, "ada@example.org").await;
    assert_eq!(
        second_factor(&app, &first, &typed).await.status(),
        StatusCode::OK
    );
    assert!(
        app.mail_arrives("ada@example.org", "A recovery code was used")
            .await
    );
    let again = challenge(&app, "ada@example.org").await;
    assert_problem(
        second_factor(&app, &again, &codes[3]).await,
        403,
        "invalid_code",
    )
    .await;
    assert_eq!(
        second_factor(&app, &again, &codes[4]).await.status(),
        StatusCode::OK
    );
    let status = app.get_json("/v1/me/two-factor", &ada.access).await;
    assert_eq!(status["recovery_codes_left"], 8);
}

#[tokio::test]
async fn a_challenge_takes_five_wrong_codes_and_five_minutes_then_the_password_is_asked_again() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (secret, _) = turn_on(&app, &ada).await;
    let right = app_code(&app, &secret);
    let first = challenge(&app, "ada@example.org").await;
    for _ in 0..4 {
        assert_problem(
            second_factor(&app, &first, &wrong(&right)).await,
            403,
            "invalid_code",
        )
        .await;
    }
    let fifth = assert_problem(
        second_factor(&app, &first, &wrong(&right)).await,
        403,
        "challenge_ended",
    )
    .await;
    assert!(
        fifth["detail"].as_str().unwrap().contains("too many"),
        "{fifth}"
    );
    // Ended: even the right code does nothing now.
    assert_problem(
        second_factor(&app, &first, &right).await,
        403,
        "challenge_ended",
    )
    .await;

    // Unknown and expired challenges.
    assert_problem(
        second_factor(&app, "forged", &right).await,
        403,
        "challenge_ended",
    )
    .await;
    let late = challenge(&app, "ada@example.org").await;
    app.state.clock.advance(Duration::minutes(6));
    assert_problem(
        second_factor(&app, &late, &app_code(&app, &secret)).await,
        403,
        "challenge_ended",
    )
    .await;

    // A wrong password still says nothing about the second factor.
    assert_problem(
        app.login("ada@example.org", "not the password").await,
        401,
        "invalid_credentials",
    )
    .await;
    // Nothing in the challenge answers as a token.
    let third = challenge(&app, "ada@example.org").await;
    assert_problem(app.get_auth("/v1/me", &third).await, 401, "unauthorized").await;
    assert_problem(
        app.post("/v1/auth/refresh", &json!({"refresh_token": third}))
            .await,
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn wrong_codes_are_counted_per_account_across_challenges() {
    let app = spawn_app_with(&[("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/900")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (secret, _) = turn_on(&app, &ada).await;
    let right = app_code(&app, &secret);
    for _ in 0..3 {
        let fresh = challenge(&app, "ada@example.org").await;
        assert_problem(
            second_factor(&app, &fresh, &wrong(&right)).await,
            403,
            "invalid_code",
        )
        .await;
    }
    let fresh = challenge(&app, "ada@example.org").await;
    assert_problem(
        second_factor(&app, &fresh, &right).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn guessed_challenges_and_wrong_codes_spend_the_addresss_budget_of_failed_sign_ins() {
    let app = spawn_app_with(&[("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "3/900")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (secret, _) = turn_on(&app, &ada).await;
    let right = app_code(&app, &secret);
    // One failed sign-in (a wrong code) and one guessed challenge.
    let first = challenge(&app, "ada@example.org").await;
    assert_problem(
        second_factor(&app, &first, &wrong(&right)).await,
        403,
        "invalid_code",
    )
    .await;
    assert_problem(
        second_factor(&app, "guessed", &right).await,
        403,
        "challenge_ended",
    )
    .await;
    // The right code still passes, and costs nothing.
    assert_eq!(
        second_factor(&app, &first, &right).await.status(),
        StatusCode::OK
    );
    let third = assert_problem(
        second_factor(&app, "guessed again", &right).await,
        403,
        "challenge_ended",
    )
    .await;
    assert!(third["detail"].as_str().unwrap().contains("unknown"));
    // Three failures from this address: the next attempt is refused before it is looked at.
    assert_problem(
        second_factor(&app, "guessed once more", &right).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn sensitive_actions_ask_for_a_second_factor_proved_in_the_last_ten_minutes() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (secret, old_codes) = turn_on(&app, &ada).await;
    // Turning it on proved it: an API key can be made at once.
    let key = app
        .post_auth("/v1/me/api-keys", &ada.access, &json!({"name": "ci"}))
        .await;
    assert_eq!(key.status(), StatusCode::CREATED);

    app.state.clock.advance(Duration::minutes(11));
    let stale = [
        app.post_auth("/v1/me/api-keys", &ada.access, &json!({"name": "later"}))
            .await,
        app.post_auth(
            "/v1/me/password",
            &ada.access,
            &json!({"current_password": PASSWORD, "new_password": "another sturdy passphrase"}),
        )
        .await,
        app.post_auth(
            "/v1/privacy/requests",
            &ada.access,
            &json!({"kind": "erasure"}),
        )
        .await,
        app.post_auth(
            "/v1/me/email",
            &ada.access,
            &json!({"new_email": "ada@new.example", "password": PASSWORD}),
        )
        .await,
        app.post_auth("/v1/me/two-factor/recovery-codes", &ada.access, &json!({}))
            .await,
        app.delete_auth("/v1/me/two-factor", &ada.access).await,
    ];
    for response in stale {
        assert_problem(response, 403, "second_factor_required").await;
    }
    // Nothing of those happened.
    let status = app.get_json("/v1/me/two-factor", &ada.access).await;
    assert_eq!(status["enabled"], true);
    assert_eq!(
        app.get_json("/v1/me/api-keys", &ada.access).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let code = app_code(&app, &secret);
    assert_problem(
        app.post_auth(
            "/v1/me/two-factor/verify",
            &ada.access,
            &json!({"code": wrong(&code)}),
        )
        .await,
        403,
        "invalid_code",
    )
    .await;
    let verified = app
        .post_auth(
            "/v1/me/two-factor/verify",
            &ada.access,
            &json!({"code": code}),
        )
        .await;
    assert_eq!(verified.status(), StatusCode::NO_CONTENT);
    let replaced = app
        .post_auth("/v1/me/two-factor/recovery-codes", &ada.access, &json!({}))
        .await;
    assert_eq!(replaced.status(), StatusCode::OK);
    let new_codes: Value = replaced.json().await.unwrap();
    assert!(
        app.mail_arrives("ada@example.org", "You have new recovery codes")
            .await
    );
    let first = challenge(&app, "ada@example.org").await;
    assert_problem(
        second_factor(&app, &first, &old_codes[0]).await,
        403,
        "invalid_code",
    )
    .await;
    assert_eq!(
        second_factor(&app, &first, new_codes["codes"][0].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );

    // Off: the password alone signs in again, and the owner is told.
    assert_eq!(
        app.delete_auth("/v1/me/two-factor", &ada.access)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(
        app.mail_arrives("ada@example.org", "Two-factor authentication is off")
            .await
    );
    assert_eq!(
        app.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::OK
    );
    let kinds = event_kinds(&app, &ada).await;
    for kind in [
        "two_factor.verified",
        "two_factor.recovery_codes_replaced",
        "two_factor.disabled",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {kinds:?}");
    }
}

#[tokio::test]
async fn keys_and_apps_cannot_manage_the_second_factor_and_accounts_without_it_are_not_asked() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let key = app.api_key(&ada, &["generations:read"]).await;
    for response in [
        app.get_auth("/v1/me/two-factor", &key).await,
        app.post_auth("/v1/me/two-factor/totp", &key, &json!({}))
            .await,
        app.post_auth("/v1/me/two-factor/verify", &key, &json!({"code": "123456"}))
            .await,
    ] {
        assert_problem(response, 403, "forbidden").await;
    }
    // Without two-factor authentication, sensitive actions need nothing more than before.
    app.state.clock.advance(Duration::minutes(30));
    assert_eq!(
        app.post_auth("/v1/me/api-keys", &ada.access, &json!({"name": "ci"}))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_problem(
        app.post_auth(
            "/v1/me/two-factor/verify",
            &ada.access,
            &json!({"code": "123456"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    // Confirming before starting.
    assert_problem(
        app.post_auth(
            "/v1/me/two-factor/totp/confirm",
            &ada.access,
            &json!({"code": "123456"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn an_installation_can_require_administrators_to_use_a_second_factor() {
    let app = spawn_app_with(&[("ZIMAGE_ADMIN_REQUIRES_TWO_FACTOR", "true")]).await;
    let root = signed_in_admin(&app).await;
    let older = app.sign_in("root@example.org", PASSWORD).await.access;
    // Without two-factor authentication on: refused, and told what to do.
    let refused = assert_problem(
        app.get_auth("/v1/admin/users", &root.access).await,
        403,
        "forbidden",
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("two-factor"),
        "{refused}"
    );
    // Turned on from this session (which proved the code doing so): allowed.
    let (secret, _) = turn_on(&app, &root).await;
    assert_eq!(
        app.get_auth("/v1/admin/users", &root.access).await.status(),
        StatusCode::OK
    );
    // A session of the same account from before: asked to prove it, then allowed.
    assert_problem(
        app.get_auth("/v1/admin/users", &older).await,
        403,
        "second_factor_required",
    )
    .await;
    let verified = app
        .post_auth(
            "/v1/me/two-factor/verify",
            &older,
            &json!({"code": app_code(&app, &secret)}),
        )
        .await;
    assert_eq!(verified.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_auth("/v1/admin/users", &older).await.status(),
        StatusCode::OK
    );
    // Switched off again, the installation's rule stops administration at once.
    assert_eq!(
        app.delete_auth("/v1/me/two-factor", &older).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get_auth("/v1/admin/users", &root.access).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn keeping_an_account_scheduled_for_deletion_takes_the_second_factor_too() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let (secret, _) = turn_on(&app, &ada).await;
    let id = crate::privacy::schedule_erasure(&app, &ada).await;

    // Without `keep_account` the password's owner hears why, before any code is asked.
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        403,
        "erasure_pending",
    )
    .await;
    // With it, the password alone keeps nothing: a challenge, and a wrong code changes nothing.
    let response = app
        .post(
            "/v1/auth/login",
            &json!({"email": "ada@example.org", "password": PASSWORD, "keep_account": true}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let body: Value = response.json().await.unwrap();
    let challenge = body["challenge"].as_str().unwrap().to_string();
    let code = app_code(&app, &secret);
    assert_problem(
        second_factor(&app, &challenge, &wrong(&code)).await,
        403,
        "invalid_code",
    )
    .await;
    let mut conn = app.state.db.get().await.unwrap();
    let status: String = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use zimage_api::db::schema::privacy_requests;
        privacy_requests::table
            .find(uuid::Uuid::parse_str(&id).unwrap())
            .select(privacy_requests::status)
            .first(&mut conn)
            .await
            .unwrap()
    };
    drop(conn);
    assert_eq!(status, "scheduled", "still scheduled after a wrong code");

    // The right code keeps the account.
    let kept = second_factor(&app, &challenge, &code).await;
    assert_eq!(kept.status(), StatusCode::OK);
    let kept: Value = kept.json().await.unwrap();
    let access = kept["access_token"].as_str().unwrap();
    let request = app
        .get_json(&format!("/v1/privacy/requests/{id}"), access)
        .await;
    assert_eq!(request["status"], "canceled");
}
