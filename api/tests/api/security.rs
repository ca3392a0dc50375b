//! The security log, new-device alerts and consents.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, spawn_app};

#[tokio::test]
async fn sign_ins_from_new_devices_are_mailed_and_everything_is_logged() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let alerts = |app: &crate::helpers::TestApp| {
        app.mails_to("ada@example.org")
            .into_iter()
            .filter(|m| m.contains("New sign-in to your account"))
            .count()
    };
    assert_eq!(alerts(&app), 0, "the first sign-in is not news");
    // Again from the same client: nothing. From another browser: an alert.
    app.sign_in("ada@example.org", PASSWORD).await;
    assert_eq!(alerts(&app), 0);
    let other = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("user-agent", "Mozilla/5.0 (X11; Linux) Firefox/999")
        .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    assert_eq!(alerts(&app), 1);
    let mail = app
        .mails_to("ada@example.org")
        .into_iter()
        .find(|m| m.contains("New sign-in"))
        .unwrap();
    assert!(mail.contains("Firefox/999"), "{mail}");

    app.api_key(&ada, &[]).await;
    app.post_auth(
        "/v1/me/password",
        &ada.access,
        &json!({"current_password": PASSWORD, "new_password": "a different long passphrase"}),
    )
    .await;
    let log: Value = app.get_json("/v1/me/security-events", &ada.access).await;
    let kinds: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "password.changed",
            "api_key.created",
            "login",
            "login",
            "login"
        ],
        "newest first"
    );
    assert_eq!(log["items"][2]["detail"]["new_device"], true);
    assert_eq!(
        log["items"][2]["user_agent"],
        "Mozilla/5.0 (X11; Linux) Firefox/999"
    );
    assert_eq!(log["items"][3]["detail"]["new_device"], false);

    let key = app.api_key(&ada, &["generations:read"]).await;
    assert_problem(
        app.get_auth("/v1/me/security-events", &key).await,
        403,
        "forbidden",
    )
    .await;
    let bob = app.signed_in_user("bob@example.org").await;
    let bobs: Value = app.get_json("/v1/me/security-events", &bob.access).await;
    assert_eq!(
        bobs["items"].as_array().unwrap().len(),
        1,
        "only bob's own sign-in"
    );
}

#[tokio::test]
async fn consents_start_off_change_on_request_and_are_logged() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    assert_eq!(
        app.get_json("/v1/me/consents", &ada.access).await,
        json!({"marketing_email": false, "product_analytics": false})
    );
    let set = app
        .client
        .put(app.url("/v1/me/consents"))
        .bearer_auth(&ada.access)
        .json(&json!({"marketing_email": true, "product_analytics": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    assert_eq!(
        app.get_json("/v1/me/consents", &ada.access).await["marketing_email"],
        true
    );
    let answered = app.get_json("/v1/me/consents", &ada.access).await;
    assert!(answered["answered_at"].is_string(), "{answered}");
    // The same answer again (as a second browser's banner sends) renews the time, logs nothing.
    let same = app
        .client
        .put(app.url("/v1/me/consents"))
        .bearer_auth(&ada.access)
        .json(&answered)
        .send()
        .await
        .unwrap();
    assert_eq!(
        same.status(),
        200,
        "the read-only time is accepted and ignored"
    );
    let withdrawn = app
        .client
        .put(app.url("/v1/me/consents"))
        .bearer_auth(&ada.access)
        .json(&json!({"marketing_email": false, "product_analytics": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 200);
    let bad = app
        .client
        .put(app.url("/v1/me/consents"))
        .bearer_auth(&ada.access)
        .json(&json!({"marketing_email": "yes please"}))
        .send()
        .await
        .unwrap();
    assert_problem(bad, 422, "validation_failed").await;
    let log: Value = app.get_json("/v1/me/security-events", &ada.access).await;
    let changes: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "consent.changed")
        .collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(
        changes[0]["detail"]["marketing_email"], false,
        "newest first"
    );
    assert_eq!(changes[1]["detail"]["marketing_email"], true);
}
