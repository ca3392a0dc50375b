//! Invite-only sign-up (`ZIMAGE_SIGNUP=invite`): an invitation link or an address at an allowed
//! domain; invitations made by administrators, bound or not to an address, used up, withdrawn
//! and expired; nothing is created when sign-up is refused.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_problem, signed_in_admin, spawn_app_with};

const INVITE_ONLY: &[(&str, &str)] = &[
    ("ZIMAGE_SIGNUP", "invite"),
    ("ZIMAGE_SIGNUP_DOMAINS", "corp.example"),
    ("ZIMAGE_RATE_LIMIT_SIGNUP_PER_IP", "100/60"),
];

async fn signup_with(app: &TestApp, email: &str, invitation: Option<&str>) -> reqwest::Response {
    let mut body = json!({
        "email": email, "password": PASSWORD, "accept_terms": true, "age_confirmed": true
    });
    if let Some(token) = invitation {
        body["invitation"] = json!(token);
    }
    app.post("/v1/auth/signup", &body).await
}

async fn invite(app: &TestApp, admin: &str, body: &Value) -> Value {
    let made = app.post_auth("/v1/admin/invitations", admin, body).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    made.json().await.unwrap()
}

fn token_of(created: &Value) -> String {
    let link = created["link"].as_str().unwrap();
    link.split_once("/signup?invitation=")
        .map(|(_, token)| token.to_string())
        .unwrap_or_else(|| panic!("not an invitation link: {link}"))
}

async fn users(app: &TestApp) -> i64 {
    let mut conn = app.state.db.get().await.unwrap();
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    zimage_api::db::schema::users::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap()
}

async fn options(app: &TestApp, token: Option<&str>) -> Value {
    let path = match token {
        Some(token) => format!("/v1/auth/signup-options?invitation={token}"),
        None => "/v1/auth/signup-options".into(),
    };
    let response = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn invite_only_sign_up_takes_an_invitation_or_an_allowed_domain_and_counts_uses() {
    let app = spawn_app_with(INVITE_ONLY).await;
    let admin = signed_in_admin(&app).await;
    let before = users(&app).await;

    let open = options(&app, None).await;
    assert_eq!(open["mode"], "invite");
    assert_eq!(open["allowed_domains"], json!(["corp.example"]));
    assert_eq!(open["invitation"], Value::Null);

    // No invitation, another domain: refused, nothing created, the same for an address that
    // has an account (so this tells nobody which do).
    assert_problem(
        signup_with(&app, "stranger@else.example", None).await,
        403,
        "invitation_required",
    )
    .await;
    assert_problem(
        signup_with(&app, "root@example.org", None).await,
        403,
        "invitation_required",
    )
    .await;
    // The other fields are judged first.
    let bad = app
        .post(
            "/v1/auth/signup",
            &json!({"email": "stranger@else.example", "password": "short", "accept_terms": true, "age_confirmed": true}),
        )
        .await;
    let problem = assert_problem(bad, 422, "validation_failed").await;
    assert!(problem["errors"]["password"].is_array(), "{problem}");
    // A look-alike of the allowed domain is not it.
    assert_problem(
        signup_with(&app, "eve@sub.corp.example", None).await,
        403,
        "invitation_required",
    )
    .await;
    assert_eq!(users(&app).await, before);

    // The allowed domain needs none.
    assert_eq!(
        signup_with(&app, "ada@Corp.Example", None).await.status(),
        StatusCode::CREATED
    );

    // Only administrators make invitations.
    let ada = app.sign_in("ada@corp.example", PASSWORD).await;
    assert_problem(
        app.post_auth("/v1/admin/invitations", &ada.access, &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;

    let made = invite(
        &app,
        &admin.access,
        &json!({"note": "design team", "max_uses": 3, "expires_in_days": 3}),
    )
    .await;
    assert_eq!(made["mailed"], false);
    assert_eq!(made["invitation"]["status"], "active");
    assert_eq!(made["invitation"]["created_by_email"], "root@example.org");
    let token = token_of(&made);
    assert!(made["link"].as_str().unwrap().starts_with(&format!(
        "{}/signup?invitation=",
        app.state.config.public_url
    )));
    let preview = options(&app, Some(&token)).await;
    assert_eq!(preview["invitation"]["email"], Value::Null);
    assert_eq!(
        preview["invitation"]["expires_at"],
        made["invitation"]["expires_at"]
    );
    assert_eq!(
        options(&app, Some("forged")).await["invitation"],
        Value::Null
    );

    // An address with an account gets the usual answer and spends a use like any other, so the
    // count tells the holder nothing about who has an account.
    assert_eq!(
        signup_with(&app, "ada@corp.example", Some(&token))
            .await
            .status(),
        StatusCode::CREATED
    );
    for who in ["bob@else.example", "cy@else.example"] {
        assert_eq!(
            signup_with(&app, who, Some(&token)).await.status(),
            StatusCode::CREATED,
            "{who}"
        );
        app.sign_in(who, PASSWORD).await;
    }
    let used_up = assert_problem(
        signup_with(&app, "dee@else.example", Some(&token)).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(used_up["errors"]["invitation"].is_array(), "{used_up}");
    assert_eq!(options(&app, Some(&token)).await["invitation"], Value::Null);
    assert_problem(
        signup_with(&app, "dee@else.example", Some("forged")).await,
        422,
        "validation_failed",
    )
    .await;

    let list = app.get_json("/v1/admin/invitations", &admin.access).await;
    let first = &list["items"][0];
    assert_eq!(first["id"], made["invitation"]["id"]);
    assert_eq!(first["uses"], 3);
    assert_eq!(first["status"], "used_up");
    assert_eq!(first["note"], "design team");
    // In the audit log.
    let audit = app
        .get_json(
            "/v1/admin/audit-log?action=invitation.created",
            &admin.access,
        )
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);

    // A stale link does not stand in the way of an address at the allowed domain.
    assert_eq!(
        signup_with(&app, "eli@corp.example", Some(&token))
            .await
            .status(),
        StatusCode::CREATED
    );
    // Tokens are bounded.
    let long = "x".repeat(201);
    let too_long = app
        .client
        .get(app.url(&format!("/v1/auth/signup-options?invitation={long}")))
        .send()
        .await
        .unwrap();
    assert_problem(too_long, 400, "invalid_query").await;
    let problem = assert_problem(
        signup_with(&app, "eli@corp.example", Some(&long)).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(problem["errors"]["invitation"].is_array(), "{problem}");

    // An address at the allowed domain must be proved before the account may move elsewhere,
    // or anyone could get in through it.
    let eli = app.sign_in("eli@corp.example", PASSWORD).await;
    assert_problem(
        app.post_auth(
            "/v1/me/email",
            &eli.access,
            &json!({"new_email": "eli@gmail.example", "password": PASSWORD}),
        )
        .await,
        403,
        "email_not_verified",
    )
    .await;
}

#[tokio::test]
async fn a_bound_invitation_is_mailed_and_works_only_for_its_address() {
    let app = spawn_app_with(INVITE_ONLY).await;
    let admin = signed_in_admin(&app).await;

    let refused = app
        .post_auth(
            "/v1/admin/invitations",
            &admin.access,
            &json!({"email": "bob@else.example", "max_uses": 3, "expires_in_days": 91, "note": "x".repeat(201)}),
        )
        .await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    for field in ["max_uses", "expires_in_days", "note"] {
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let made = invite(&app, &admin.access, &json!({"email": " Bob@Else.Example "})).await;
    assert_eq!(made["mailed"], true);
    assert_eq!(made["invitation"]["email"], "bob@else.example");
    let token = token_of(&made);
    // The mail carries the same link.
    let mail = app.mails_to("bob@else.example").join("\n");
    assert!(mail.contains(made["link"].as_str().unwrap()), "{mail}");
    assert_eq!(
        options(&app, Some(&token)).await["invitation"]["email"],
        "bob@else.example"
    );

    let other = assert_problem(
        signup_with(&app, "eve@else.example", Some(&token)).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(other["errors"]["invitation"].is_array(), "{other}");
    assert_eq!(
        signup_with(&app, "BOB@else.example", Some(&token))
            .await
            .status(),
        StatusCode::CREATED
    );
    app.sign_in("bob@else.example", PASSWORD).await;
}

#[tokio::test]
async fn withdrawn_and_expired_invitations_stop_and_racing_sign_ups_share_the_last_use() {
    let app = spawn_app_with(INVITE_ONLY).await;
    let admin = signed_in_admin(&app).await;

    // Withdrawn: the link stops; withdrawing again changes nothing; unknown ids are 404.
    let made = invite(&app, &admin.access, &json!({})).await;
    let id = made["invitation"]["id"].as_str().unwrap().to_string();
    let revoked = app
        .post_auth(
            &format!("/v1/admin/invitations/{id}/revoke"),
            &admin.access,
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let revoked: Value = revoked.json().await.unwrap();
    assert_eq!(revoked["status"], "revoked");
    let again: Value = app
        .post_auth(
            &format!("/v1/admin/invitations/{id}/revoke"),
            &admin.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
    assert_eq!(again["created_by_email"], "root@example.org");
    let audit = app
        .get_json(
            "/v1/admin/audit-log?action=invitation.revoked",
            &admin.access,
        )
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "audited once");
    assert_problem(
        app.post_auth(
            &format!("/v1/admin/invitations/{}/revoke", uuid::Uuid::new_v4()),
            &admin.access,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        signup_with(&app, "bob@else.example", Some(&token_of(&made))).await,
        422,
        "validation_failed",
    )
    .await;

    // Expired.
    let made = invite(&app, &admin.access, &json!({"expires_in_days": 1})).await;
    app.state
        .clock
        .advance(Duration::days(1) + Duration::seconds(1));
    assert_problem(
        signup_with(&app, "bob@else.example", Some(&token_of(&made))).await,
        422,
        "validation_failed",
    )
    .await;
    let list = app.get_json("/v1/admin/invitations", &admin.access).await;
    assert_eq!(list["items"][0]["status"], "expired");
    assert_eq!(list["items"][1]["status"], "revoked");

    // Eight sign-ups race for one use: exactly one account is made.
    let made = invite(&app, &admin.access, &json!({})).await;
    let token = token_of(&made);
    let before = users(&app).await;
    let answers = futures_util::future::join_all((0..8).map(|i| {
        let (app, token) = (&app, token.clone());
        async move {
            signup_with(app, &format!("racer{i}@else.example"), Some(&token))
                .await
                .status()
        }
    }))
    .await;
    let created = answers
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{answers:?}"
    );
    assert_eq!(users(&app).await, before + 1);
}

#[tokio::test]
async fn open_sign_up_ignores_invitations() {
    let app = spawn_app_with(&[]).await;
    let open = options(&app, Some("anything")).await;
    assert_eq!(open["mode"], "open");
    assert_eq!(open["allowed_domains"], json!([]));
    assert_eq!(open["invitation"], Value::Null);
    assert_eq!(
        signup_with(&app, "ada@example.org", Some("stale-link"))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert!(
        zimage_api::config::Config::from_map(&std::collections::HashMap::from([(
            "ZIMAGE_SIGNUP".to_string(),
            "closed".to_string()
        )]))
        .is_err(),
        "an unknown mode stops the server from starting"
    );
}
