//! Changing the e-mail address: confirmed from the new address, told to the old one with an undo
//! link that also signs every device out; the password and a fresh second factor are asked for,
//! and nobody learns which addresses have accounts.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_new_address_is_confirmed_from_its_inbox_and_the_old_one_can_undo_it() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let other = app.signed_in_user("other@example.org").await;
    let key = app
        .post_auth("/v1/me/api-keys", &ada.access, &json!({"name": "bot"}))
        .await;
    assert_eq!(key.status(), StatusCode::CREATED);
    let key: Value = key.json().await.unwrap();
    let key = key["secret"].as_str().unwrap().to_string();

    let asked = app
        .post_auth(
            "/v1/me/email",
            &ada.access,
            &json!({"new_email": " Ada@New.Example ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["new_email"], "ada@new.example");
    // Nothing changes until the new address answers.
    let me = app.get_json("/v1/me", &ada.access).await;
    assert_eq!(me["email"], "ada@example.org");
    let token = app.token_from_mail("ada@new.example", "email-change").await;

    // Another account's token does not exist; a forged one is refused.
    assert_problem(
        app.post("/v1/auth/email-change/confirm", &json!({"token": "forged"}))
            .await,
        400,
        "invalid_token",
    )
    .await;
    let confirmed = app
        .post("/v1/auth/email-change/confirm", &json!({"token": token}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let user: Value = confirmed.json().await.unwrap();
    assert_eq!(user["email"], "ada@new.example");
    assert_eq!(user["email_verified"], true);
    // The link works once.
    assert_problem(
        app.post("/v1/auth/email-change/confirm", &json!({"token": token}))
            .await,
        400,
        "invalid_token",
    )
    .await;
    // Sign-in uses the new address; the old one is nobody's now.
    assert_eq!(
        app.login("ada@new.example", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert!(app.mail_arrives("ada@example.org", "ada@new.example").await);
    let events = app.get_json("/v1/me/security-events", &ada.access).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"email.changed"), "{kinds:?}");
    assert!(kinds.contains(&"email.change_requested"), "{kinds:?}");

    // While the old address can undo it: nobody can take that address, and the address cannot
    // be changed again (which would send a second undo link to whoever changed it).
    let verify_mails = |app: &crate::helpers::TestApp| {
        app.mails_to("ada@example.org")
            .iter()
            .filter(|m| m.contains("verify-email?token="))
            .count()
    };
    let before = verify_mails(&app);
    assert_eq!(
        app.signup("ada@example.org").await.status(),
        StatusCode::CREATED
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        verify_mails(&app),
        before,
        "no account for the held address"
    );
    assert_problem(
        app.post_auth(
            "/v1/me/email",
            &ada.access,
            &json!({"new_email": "ada@third.example", "password": PASSWORD}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    // Whoever changed it also turns on an authenticator of their own.
    crate::two_factor::turn_on(&app, &ada).await;

    // The old address undoes it: the address comes back, every device and key stops, the
    // password stops working, the authenticator added since goes, and a link to choose a new
    // password arrives there.
    let undo = app
        .token_from_mail("ada@example.org", "email-change/undo")
        .await;
    let undone = app
        .post("/v1/auth/email-change/undo", &json!({"token": undo}))
        .await;
    assert_eq!(undone.status(), StatusCode::OK);
    assert_eq!(
        app.get_auth("/v1/me", &ada.access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_auth("/v1/me", &key).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let reset = app
        .token_from_mail("ada@example.org", "reset-password")
        .await;
    assert_eq!(
        app.reset_password(&reset, "a brand new passphrase")
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let back = app
        .sign_in("ada@example.org", "a brand new passphrase")
        .await;
    assert_eq!(
        app.get_json("/v1/me/two-factor", &back.access).await["enabled"],
        false
    );
    assert_problem(
        app.post("/v1/auth/email-change/undo", &json!({"token": undo}))
            .await,
        400,
        "invalid_token",
    )
    .await;
    // The other account was never touched.
    assert_eq!(
        app.get_json("/v1/me", &other.access).await["email"],
        "other@example.org"
    );
}

#[tokio::test]
async fn asking_needs_the_password_and_reveals_no_account() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    app.signed_in_user("bob@example.org").await;
    let ask = |email: &'static str, password: &'static str| {
        let app = &app;
        let access = ada.access.clone();
        async move {
            app.post_auth(
                "/v1/me/email",
                &access,
                &json!({"new_email": email, "password": password}),
            )
            .await
        }
    };
    let wrong = assert_problem(
        ask("ada@new.example", "not the password").await,
        422,
        "validation_failed",
    )
    .await;
    assert!(wrong["errors"]["password"].is_array(), "{wrong}");
    let same = assert_problem(
        ask("ADA@example.org", PASSWORD).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(same["errors"]["new_email"].is_array(), "{same}");
    assert_problem(
        ask("not an address", PASSWORD).await,
        422,
        "validation_failed",
    )
    .await;

    // Bob's address answers like any other, and Bob gets no link.
    let taken = ask("bob@example.org", PASSWORD).await;
    assert_eq!(taken.status(), StatusCode::ACCEPTED);
    assert!(
        !app.mail_arrives("bob@example.org", "email-change?token=")
            .await
    );
    // API keys cannot change the address.
    let key = app
        .post_auth("/v1/me/api-keys", &ada.access, &json!({"name": "bot"}))
        .await;
    let key: Value = key.json().await.unwrap();
    assert_problem(
        app.post_auth(
            "/v1/me/email",
            key["secret"].as_str().unwrap(),
            &json!({"new_email": "x@new.example", "password": PASSWORD}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_newer_request_replaces_the_waiting_one_and_a_taken_address_cannot_be_confirmed() {
    let app = spawn_app_with(&[]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    for to in ["first@new.example", "second@new.example"] {
        let asked = app
            .post_auth(
                "/v1/me/email",
                &ada.access,
                &json!({"new_email": to, "password": PASSWORD}),
            )
            .await;
        assert_eq!(asked.status(), StatusCode::ACCEPTED);
    }
    let first = app
        .token_from_mail("first@new.example", "email-change")
        .await;
    let second = app
        .token_from_mail("second@new.example", "email-change")
        .await;
    assert_problem(
        app.post("/v1/auth/email-change/confirm", &json!({"token": first}))
            .await,
        400,
        "invalid_token",
    )
    .await;
    // Someone signs up with the address before Ada confirms it.
    app.signed_in_user("second@new.example").await;
    assert_problem(
        app.post("/v1/auth/email-change/confirm", &json!({"token": second}))
            .await,
        409,
        "email_taken",
    )
    .await;
    assert_eq!(
        app.get_json("/v1/me", &ada.access).await["email"],
        "ada@example.org"
    );
}
