//! Sign-up, verification, profile and password flows.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, spawn_app};

#[tokio::test]
async fn signup_creates_an_unverified_account_and_mails_a_link() {
    let app = spawn_app().await;
    let response = app.signup("  Ada@Example.org ").await;
    assert_eq!(response.status(), 201);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["email"], "ada@example.org");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["locale"], "en");
    assert_eq!(user["theme"], "system");
    assert_eq!(user["referral_code"].as_str().unwrap().len(), 8);
    assert!(user.get("password_hash").is_none());
    let mails = app.mails_eventually("ada@example.org", 1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("http://zimage.test/verify-email?token="));
}

#[tokio::test]
async fn signing_up_with_a_taken_address_reveals_nothing_and_tells_the_owner() {
    // Sign-up used to answer 409 `email_taken`: anyone could learn who has an account.
    let app = spawn_app().await;
    let first = app.signup("ada@example.org").await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    app.mails_eventually("ada@example.org", 1).await;
    let again = app.signup("ADA@example.org").await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    // The same shape, nothing of the real account in it, and nothing created.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&first), keys(&again));
    assert_ne!(first["id"], again["id"]);
    assert_eq!(again["email"], "ada@example.org");
    assert_eq!(again["email_verified"], false);
    let mails = app.mails_eventually("ada@example.org", 2).await;
    assert_eq!(mails.len(), 2);
    assert!(
        mails[1].contains("already have a Z-Image Studio account"),
        "{}",
        mails[1]
    );
    assert!(!mails[1].contains("verify-email"));
    // The owner's account is as it was.
    assert_eq!(app.login("ada@example.org", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn signup_reports_every_invalid_field_and_creates_nothing() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/auth/signup",
            &json!({"email": "not-an-email", "password": "short", "locale": "fr",
                    "accept_terms": false, "age_confirmed": false, "referral_code": "NOPE1234"}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    let errors = body["errors"].as_object().unwrap();
    for field in [
        "email",
        "locale",
        "accept_terms",
        "age_confirmed",
        "referral_code",
    ] {
        assert!(errors.contains_key(field), "missing {field} in {body}");
    }
    assert!(app.mails_to("not-an-email").is_empty());
}

#[tokio::test]
async fn weak_passwords_are_refused_with_reasons() {
    let app = spawn_app().await;
    for (password, fragment) in [
        ("short", "at least 10"),
        ("password123", "too common"),
        ("ada@example.org", "e-mail"),
        ("aaaaaaaaaaaa", "too common"),
    ] {
        let response = app
            .post(
                "/v1/auth/signup",
                &json!({"email": "ada@example.org", "password": password, "accept_terms": true, "age_confirmed": true}),
            )
            .await;
        let body = assert_problem(response, 422, "validation_failed").await;
        let message = body["errors"]["password"][0].as_str().unwrap();
        assert!(message.contains(fragment), "{password}: {message}");
    }
}

#[tokio::test]
async fn people_under_13_cannot_sign_up() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/auth/signup",
            &json!({"email": "kid@example.org", "password": PASSWORD, "accept_terms": true, "age_confirmed": false}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    assert!(
        body["errors"]["age_confirmed"][0]
            .as_str()
            .unwrap()
            .contains("13")
    );
    // Nothing was created: the address is still free.
    assert_eq!(app.signup("kid@example.org").await.status(), 201);
}

#[tokio::test]
async fn referral_codes_link_the_new_account_to_the_referrer() {
    let app = spawn_app().await;
    let referrer = app.signed_in_user("ref@example.org").await;
    let code = referrer.user["referral_code"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let response = app
        .post(
            "/v1/auth/signup",
            &json!({"email": "new@example.org", "password": PASSWORD, "accept_terms": true,
                    "age_confirmed": true, "referral_code": code}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let new_id: uuid::Uuid = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    use diesel::prelude::*;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    use zimage_api::db::schema::users;
    let mut conn = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    let referred_by: Option<uuid::Uuid> = users::table
        .find(new_id)
        .select(users::referred_by)
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        referred_by.unwrap().to_string(),
        referrer.user["id"].as_str().unwrap()
    );
}

#[tokio::test]
async fn verification_token_works_once() {
    let app = spawn_app().await;
    app.signup("ada@example.org").await;
    let token = app.token_from_mail("ada@example.org", "verify-email").await;
    let first = app
        .post("/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.json::<Value>().await.unwrap()["email_verified"], true);
    let again = app
        .post("/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_problem(again, 400, "invalid_token").await;
    assert_problem(
        app.post("/v1/auth/verify-email", &json!({"token": "made-up"}))
            .await,
        400,
        "invalid_token",
    )
    .await;
}

#[tokio::test]
async fn resend_verification_mails_unverified_accounts_and_reveals_nothing() {
    let app = spawn_app().await;
    app.signup("ada@example.org").await;
    let resend = app
        .post(
            "/v1/auth/resend-verification",
            &json!({"email": "ada@example.org"}),
        )
        .await;
    assert_eq!(resend.status(), 202);
    assert_eq!(app.mails_eventually("ada@example.org", 2).await.len(), 2);
    let unknown = app
        .post(
            "/v1/auth/resend-verification",
            &json!({"email": "ghost@example.org"}),
        )
        .await;
    assert_eq!(unknown.status(), 202);
    assert!(app.mails_to("ghost@example.org").is_empty());
}

#[tokio::test]
async fn unverified_users_can_sign_in_and_read_their_account() {
    let app = spawn_app().await;
    app.signup("ada@example.org").await;
    let signed = app.sign_in("ada@example.org", PASSWORD).await;
    let me: Value = app.get_json("/v1/me", &signed.access).await;
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(me["email_verified"], false);
}

#[tokio::test]
async fn profile_updates_apply_and_validate() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let updated: Value = app
        .patch_auth(
            "/v1/me",
            &ada.access,
            &json!({"display_name": " Ada ", "locale": "zh-CN", "theme": "dark",
                    "organization": "Analytical Engines", "avatar_url": "https://img.example.org/ada.png"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["display_name"], "Ada");
    assert_eq!(updated["locale"], "zh-CN");
    assert_eq!(updated["theme"], "dark");
    // null clears; absent keeps.
    let cleared: Value = app
        .patch_auth("/v1/me", &ada.access, &json!({"organization": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["organization"], Value::Null);
    assert_eq!(cleared["display_name"], "Ada");
    let bad = app
        .patch_auth(
            "/v1/me",
            &ada.access,
            &json!({"avatar_url": "javascript:alert(1)", "display_name": "x".repeat(81)}),
        )
        .await;
    let body = assert_problem(bad, 422, "validation_failed").await;
    assert!(body["errors"]["avatar_url"].is_array() && body["errors"]["display_name"].is_array());
    let unknown_theme = app
        .patch_auth("/v1/me", &ada.access, &json!({"theme": "neon"}))
        .await;
    assert_problem(unknown_theme, 422, "validation_failed").await;
    let me: Value = app.get_json("/v1/me", &ada.access).await;
    assert_eq!(me["theme"], "dark");
}

#[tokio::test]
async fn password_reset_is_single_use_and_signs_everyone_out() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let forgot = app
        .post(
            "/v1/auth/password/forgot",
            &json!({"email": "ada@example.org"}),
        )
        .await;
    assert_eq!(forgot.status(), 202);
    let token = app
        .token_from_mail("ada@example.org", "reset-password")
        .await;

    // A weak password does not burn the token.
    let weak = app.reset_password(&token, "1234567890").await;
    assert_problem(weak, 422, "validation_failed").await;

    let reset = app.reset_password(&token, "a brand new passphrase").await;
    assert_eq!(reset.status(), 204);
    let reused = app
        .post(
            "/v1/auth/password/reset",
            &json!({"token": token, "new_password": "another new passphrase"}),
        )
        .await;
    assert_problem(reused, 400, "invalid_token").await;

    assert_problem(
        app.get_auth("/v1/me", &ada.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        app.login("ada@example.org", "a brand new passphrase")
            .await
            .status(),
        200
    );
    assert!(
        app.mails_to("ada@example.org")
            .last()
            .unwrap()
            .contains("password was changed")
    );
}

#[tokio::test]
async fn forgot_password_for_unknown_address_is_indistinguishable() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/auth/password/forgot",
            &json!({"email": "ghost@example.org"}),
        )
        .await;
    assert_eq!(response.status(), 202);
    assert!(app.mails_to("ghost@example.org").is_empty());
}

#[tokio::test]
async fn changing_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let laptop = app.signed_in_user("ada@example.org").await;
    let phone = app.sign_in("ada@example.org", PASSWORD).await;
    let wrong = app
        .post_auth(
            "/v1/me/password",
            &laptop.access,
            &json!({"current_password": "not my password", "new_password": "a brand new passphrase"}),
        )
        .await;
    let body = assert_problem(wrong, 422, "validation_failed").await;
    assert!(body["errors"]["current_password"].is_array());
    let ok = app
        .post_auth(
            "/v1/me/password",
            &laptop.access,
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(ok.status(), 204);
    assert_eq!(app.get_auth("/v1/me", &laptop.access).await.status(), 200);
    assert_problem(
        app.get_auth("/v1/me", &phone.access).await,
        401,
        "unauthorized",
    )
    .await;
}
