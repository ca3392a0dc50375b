//! The credit ledger: exact under concurrency, spent soonest-expiring first, never negative.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;
use zimage_api::domain::credits::{self, HoldId, NewGrant};
use zimage_shared::credits::GrantSource;

use crate::helpers::{
    PASSWORD, TestApp, assert_problem, signed_in_admin, spawn_app, spawn_app_with, user_id,
};

pub(crate) async fn grant(
    app: &TestApp,
    user: Uuid,
    amount: i64,
    expires_in: Option<Duration>,
) -> Uuid {
    let mut conn = app.state.db.get().await.unwrap();
    credits::grant(
        &mut conn,
        user,
        NewGrant {
            source: GrantSource::Admin,
            amount,
            expires_at: expires_in.map(|d| Utc::now() + d),
            reference: None,
            reason: "test grant".into(),
            actor: None,
        },
    )
    .await
    .unwrap()
    .unwrap()
    .id
}

async fn balance(app: &TestApp, token: &str) -> Value {
    let response = app.get_auth("/v1/credits", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn remaining(app: &TestApp, grant_id: Uuid) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::credit_grants;
    let mut conn = app.state.db.get().await.unwrap();
    credit_grants::table
        .find(grant_id)
        .select(credit_grants::remaining)
        .first(&mut conn)
        .await
        .unwrap()
}

async fn ledger_len(app: &TestApp, user: Uuid) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use zimage_api::db::schema::credit_ledger;
    let mut conn = app.state.db.get().await.unwrap();
    credit_ledger::table
        .filter(credit_ledger::user_id.eq(user))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn confirming_the_email_grants_the_signup_bonus_once() {
    let app = spawn_app().await;
    app.signup("ada@example.org").await;
    let unverified = app.sign_in("ada@example.org", PASSWORD).await;
    assert_eq!(balance(&app, &unverified.access).await["balance"], 0);

    let token = app.token_from_mail("ada@example.org", "verify-email").await;
    app.post("/v1/auth/verify-email", &json!({"token": token}))
        .await;
    let body = balance(&app, &unverified.access).await;
    assert_eq!(body["balance"], 20);
    assert_eq!(body["available"], 20);
    assert_eq!(body["held"], 0);
    assert_eq!(body["grants"][0]["source"], "signup_bonus");
    assert_eq!(body["grants"][0]["expires_at"], Value::Null);

    // A password reset also proves the address; it must not pay the bonus again.
    app.post(
        "/v1/auth/password/forgot",
        &json!({"email": "ada@example.org"}),
    )
    .await;
    let reset = app
        .token_from_mail("ada@example.org", "reset-password")
        .await;
    app.post(
        "/v1/auth/password/reset",
        &json!({"token": reset, "new_password": "a brand new passphrase"}),
    )
    .await;
    let ada = app
        .sign_in("ada@example.org", "a brand new passphrase")
        .await;
    assert_eq!(balance(&app, &ada.access).await["balance"], 20);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn the_bonus_is_configurable() {
    let app = spawn_app_with(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    assert_eq!(balance(&app, &ada.access).await["balance"], 0);
    assert_eq!(ledger_len(&app, user_id(&ada)).await, 0);
}

#[tokio::test]
async fn holds_draw_soonest_expiring_first_and_releases_return_to_the_same_grants() {
    let app = spawn_app_with(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let user = user_id(&ada);
    let later = grant(&app, user, 10, Some(Duration::days(2))).await;
    let never = grant(&app, user, 10, None).await;
    let soon = grant(&app, user, 5, Some(Duration::days(1))).await;

    let mut conn = app.state.db.get().await.unwrap();
    let task = Uuid::new_v4();
    let hold = credits::hold(&mut conn, user, 12, task).await.unwrap();
    assert_eq!(
        (
            remaining(&app, soon).await,
            remaining(&app, later).await,
            remaining(&app, never).await
        ),
        (0, 3, 10)
    );
    let body = balance(&app, &ada.access).await;
    assert_eq!(
        (
            body["balance"].as_i64(),
            body["available"].as_i64(),
            body["held"].as_i64()
        ),
        (Some(25), Some(13), Some(12))
    );
    // The same task holding again gets the same hold and is charged once.
    assert_eq!(
        credits::hold(&mut conn, user, 12, task).await.unwrap(),
        hold
    );
    app.assert_ledger_consistent(user).await;

    credits::release(&mut conn, hold, "task failed")
        .await
        .unwrap();
    credits::release(&mut conn, hold, "task failed")
        .await
        .unwrap();
    assert_eq!(
        (
            remaining(&app, soon).await,
            remaining(&app, later).await,
            remaining(&app, never).await
        ),
        (5, 10, 10)
    );
    let settle_after_release = credits::settle(&mut conn, hold).await.unwrap_err();
    assert_eq!(
        settle_after_release.code(),
        zimage_shared::ErrorCode::HoldResolved
    );
    app.assert_ledger_consistent(user).await;

    let spent = credits::hold(&mut conn, user, 7, Uuid::new_v4())
        .await
        .unwrap();
    credits::settle(&mut conn, spent).await.unwrap();
    credits::settle(&mut conn, spent).await.unwrap();
    let body = balance(&app, &ada.access).await;
    assert_eq!(
        (body["balance"].as_i64(), body["held"].as_i64()),
        (Some(18), Some(0))
    );
    app.assert_ledger_consistent(user).await;
}

#[tokio::test]
async fn an_uncovered_hold_is_402_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let user = user_id(&ada);
    let before = ledger_len(&app, user).await;
    let mut conn = app.state.db.get().await.unwrap();
    let err = credits::hold(&mut conn, user, 21, Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.code(), zimage_shared::ErrorCode::InsufficientCredits);
    assert_eq!(ledger_len(&app, user).await, before);
    assert_eq!(balance(&app, &ada.access).await["available"], 20);
    app.assert_ledger_consistent(user).await;
}

#[tokio::test]
async fn a_thousand_parallel_holds_never_overspend() {
    let app = spawn_app_with(&[
        ("ZIMAGE_SIGNUP_BONUS_CREDITS", "0"),
        ("ZIMAGE_DATABASE_POOL_SIZE", "16"),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let user = user_id(&ada);
    // Spread the balance over grants with different expiries so allocation is exercised too.
    for (amount, days) in [(20, Some(1)), (17, None), (13, Some(3))] {
        grant(&app, user, amount, days.map(Duration::days)).await;
    }
    let covered = 50 / 3; // each hold takes 3 credits
    let attempts: Vec<_> = (0..1000)
        .map(|_| {
            let state = app.state.clone();
            tokio::spawn(async move {
                // 1,000 callers share 16 connections; on a slow machine some wait longer than
                // the pool's 5 s and simply ask again (the pool, not the holds, is not under test).
                let mut conn = loop {
                    match state.db.get().await {
                        Ok(conn) => break conn,
                        Err(deadpool::managed::PoolError::Timeout(_)) => continue,
                        Err(err) => panic!("no connection: {err}"),
                    }
                };
                credits::hold(&mut conn, user, 3, Uuid::new_v4()).await
            })
        })
        .collect();
    let mut holds = Vec::new();
    let mut refused = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(hold) => holds.push(hold),
            Err(err) => {
                assert_eq!(
                    err.code(),
                    zimage_shared::ErrorCode::InsufficientCredits,
                    "{err:?}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!(holds.len(), covered);
    assert_eq!(refused, 1000 - covered);
    let body = balance(&app, &ada.access).await;
    assert_eq!(
        (body["available"].as_i64(), body["held"].as_i64()),
        (Some(50 - 3 * covered as i64), Some(3 * covered as i64))
    );
    app.assert_ledger_consistent(user).await;

    // Releasing every hold twice, concurrently, returns each one exactly once.
    let releases: Vec<_> = holds
        .iter()
        .chain(holds.iter())
        .map(|hold| {
            let (state, hold): (_, HoldId) = (app.state.clone(), *hold);
            tokio::spawn(async move {
                let mut conn = state.db.get().await.unwrap();
                credits::release(&mut conn, hold, "canceled").await
            })
        })
        .collect();
    for release in releases {
        release.await.unwrap().unwrap();
    }
    let body = balance(&app, &ada.access).await;
    assert_eq!(
        (body["available"].as_i64(), body["held"].as_i64()),
        (Some(50), Some(0))
    );
    app.assert_ledger_consistent(user).await;
}

#[tokio::test]
async fn expired_credits_are_written_off_and_warned_about_once() {
    let app = spawn_app_with(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let user = user_id(&ada);
    grant(&app, user, 30, Some(Duration::days(3))).await;
    grant(&app, user, 8, None).await;
    let past = grant(&app, user, 12, Some(Duration::milliseconds(300))).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;

    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.credits_expired, 12);
    assert_eq!(report.warnings_sent, 1);
    assert_eq!(remaining(&app, past).await, 0);
    let warning = app.mails_to("ada@example.org").into_iter().last().unwrap();
    assert!(warning.contains("Your credits expire soon"));
    assert!(warning.contains("30 credits expire on"));

    let again = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    let body = balance(&app, &ada.access).await;
    assert_eq!(body["available"], 38);
    let ledger: Value = app.get_json("/v1/credits/ledger", &ada.access).await;
    assert_eq!(ledger["items"][0]["kind"], "expire");
    assert_eq!(ledger["items"][0]["amount"], -12);
    assert_eq!(
        ledger["items"][0]["source"], "admin",
        "the grant that expired"
    );
    app.assert_ledger_consistent(user).await;
}

#[tokio::test]
async fn reading_the_balance_expires_due_credits_without_waiting_for_the_job() {
    let app = spawn_app_with(&[("ZIMAGE_SIGNUP_BONUS_CREDITS", "0")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    grant(&app, user_id(&ada), 9, Some(Duration::milliseconds(200))).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let body = balance(&app, &ada.access).await;
    assert_eq!(body["available"], 0);
    assert_eq!(body["grants"], json!([]));
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn ledger_is_newest_first_and_paginates() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    for amount in [1, 2, 3] {
        grant(&app, user_id(&ada), amount, None).await;
    }
    let first: Value = app
        .get_json("/v1/credits/ledger?limit=2", &ada.access)
        .await;
    assert_eq!(first["items"][0]["amount"], 3);
    assert_eq!(first["items"][1]["amount"], 2);
    // Each grant names where its credits came from, for clients that word the history themselves.
    assert_eq!(first["items"][0]["source"], "admin");
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get_json(
            &format!("/v1/credits/ledger?limit=2&cursor={cursor}"),
            &ada.access,
        )
        .await;
    let amounts: Vec<i64> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![1, 20]);
    assert_eq!(rest["items"][1]["source"], "signup_bonus");
    assert_eq!(rest["next_cursor"], Value::Null);
}

#[tokio::test]
async fn api_keys_need_the_credits_read_scope() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let mint = |scopes: Value| {
        let (app, access) = (&app, ada.access.clone());
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
    let without = mint(json!([])).await;
    let with = mint(json!(["credits:read"])).await;
    assert_problem(
        app.get_auth("/v1/credits", &without).await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_eq!(app.get_auth("/v1/credits", &with).await.status(), 200);
    assert_eq!(
        app.get_auth("/v1/credits/ledger", &with).await.status(),
        200
    );
}

#[tokio::test]
async fn admins_grant_and_remove_credits_with_a_reason() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let root = signed_in_admin(&app).await;
    let path = format!("/v1/admin/users/{}/credits", user_id(&ada));

    let granted = app
        .post_auth(&path, &root.access, &json!({"amount": 100, "reason": "conference voucher",
                                                 "expires_at": (Utc::now() + Duration::days(30)).to_rfc3339()}))
        .await;
    assert_eq!(granted.status(), 200);
    assert_eq!(granted.json::<Value>().await.unwrap()["available"], 120);
    let removed = app
        .post_auth(
            &path,
            &root.access,
            &json!({"amount": -30, "reason": "duplicate voucher"}),
        )
        .await;
    assert_eq!(removed.json::<Value>().await.unwrap()["available"], 90);
    // The voucher (expiring) is drawn before the never-expiring bonus.
    let body = balance(&app, &ada.access).await;
    assert_eq!(body["grants"][0]["remaining"], 70);
    assert_eq!(body["grants"][1]["remaining"], 20);

    let before = ledger_len(&app, user_id(&ada)).await;
    let too_much = app
        .post_auth(
            &path,
            &root.access,
            &json!({"amount": -91, "reason": "oops"}),
        )
        .await;
    assert_problem(too_much, 402, "insufficient_credits").await;
    assert_eq!(ledger_len(&app, user_id(&ada)).await, before);

    let ledger: Value = app.get_json("/v1/credits/ledger", &ada.access).await;
    assert_eq!(ledger["items"][0]["kind"], "admin_adjust");
    assert_eq!(ledger["items"][0]["reason"], "duplicate voucher");
    assert_eq!(ledger["items"][0]["amount"], -30);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn admin_credit_requests_are_validated_and_guarded() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let root = signed_in_admin(&app).await;
    let path = format!("/v1/admin/users/{}/credits", user_id(&ada));
    let bad = app
        .post_auth(&path, &root.access, &json!({"amount": 0, "reason": " "}))
        .await;
    let body = assert_problem(bad, 422, "validation_failed").await;
    assert!(body["errors"]["amount"].is_array() && body["errors"]["reason"].is_array());
    let past = app
        .post_auth(
            &path,
            &root.access,
            &json!({"amount": 5, "reason": "x", "expires_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_problem(past, 422, "validation_failed").await;
    let nobody = format!("/v1/admin/users/{}/credits", Uuid::new_v4());
    assert_problem(
        app.post_auth(&nobody, &root.access, &json!({"amount": 5, "reason": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_auth(&path, &ada.access, &json!({"amount": 5, "reason": "x"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(balance(&app, &ada.access).await["available"], 20);
}
