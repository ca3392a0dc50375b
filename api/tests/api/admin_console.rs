//! The admin console's API: accounts, tasks and refunds, moderation hits, the data-rights
//! queue, the dashboard and announcements (with one-click unsubscribe).

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, signed_in_admin, spawn_app, user_id};

#[tokio::test]
async fn an_administrator_switches_an_account_off_and_on_again() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let ada_id = user_id(&ada);
    let detail = app
        .get_json(&format!("/v1/admin/users/{ada_id}"), &admin.access)
        .await;
    assert_eq!(detail["user"]["email"], "ada@example.org");
    assert_eq!(detail["balance"]["available"], 20);
    assert_eq!(detail["sessions"].as_array().unwrap().len(), 1);
    assert!(detail["disabled_at"].is_null());

    let missing_reason = app
        .post_auth(
            &format!("/v1/admin/users/{ada_id}/disable"),
            &admin.access,
            &json!({"reason": ""}),
        )
        .await;
    assert_problem(missing_reason, 422, "validation_failed").await;
    let off = app
        .post_auth(
            &format!("/v1/admin/users/{ada_id}/disable"),
            &admin.access,
            &json!({"reason": "chargeback fraud"}),
        )
        .await;
    assert_eq!(off.status(), 200);
    let off: Value = off.json().await.unwrap();
    assert_eq!(off["disabled_reason"], "admin");
    assert!(off["sessions"].as_array().unwrap().is_empty());
    assert_problem(
        app.get_auth("/v1/me", &ada.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.login("ada@example.org", PASSWORD).await,
        403,
        "account_disabled",
    )
    .await;
    // Not twice, and never oneself.
    let again = app
        .post_auth(
            &format!("/v1/admin/users/{ada_id}/disable"),
            &admin.access,
            &json!({"reason": "again"}),
        )
        .await;
    assert_problem(again, 409, "conflict").await;
    let own = app
        .post_auth(
            &format!("/v1/admin/users/{}/disable", user_id(&admin)),
            &admin.access,
            &json!({"reason": "oops"}),
        )
        .await;
    assert_problem(own, 409, "conflict").await;

    let on = app
        .post_auth(
            &format!("/v1/admin/users/{ada_id}/enable"),
            &admin.access,
            &json!({}),
        )
        .await;
    assert_eq!(on.status(), 200);
    let ada = app.sign_in("ada@example.org", PASSWORD).await;
    let revoked = app
        .delete_auth(&format!("/v1/admin/users/{ada_id}/sessions"), &admin.access)
        .await;
    assert_eq!(revoked.status(), 200);
    assert_problem(
        app.get_auth("/v1/me", &ada.access).await,
        401,
        "unauthorized",
    )
    .await;

    let log = app
        .get_json(
            &format!("/v1/admin/audit-log?target_id={ada_id}"),
            &admin.access,
        )
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.sessions_revoked", "user.enabled", "user.disabled"]
    );
    assert_eq!(log["items"][2]["detail"]["reason"], "chargeback fraud");

    // Users get 403 everywhere here; unknown ids 404.
    let ada = app.sign_in("ada@example.org", PASSWORD).await;
    assert_problem(
        app.get_auth(&format!("/v1/admin/users/{ada_id}"), &ada.access)
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.get_auth(
            &format!("/v1/admin/users/{}", uuid::Uuid::new_v4()),
            &admin.access,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn tasks_are_searchable_and_refunded_exactly_once() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let done = app.generated(&ada, "a copper teapot").await;
    let id = done["id"].as_str().unwrap();
    assert_eq!(done["status"], "succeeded");
    let charged = done["charged"].as_i64().unwrap();
    assert!(charged > 0);

    let found = app
        .get_json("/v1/admin/tasks?q=copper&status=succeeded", &admin.access)
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["user_email"], "ada@example.org");
    assert_eq!(found["items"][0]["provider"], "local");
    let by_id = app
        .get_json(&format!("/v1/admin/tasks?q={id}"), &admin.access)
        .await;
    assert_eq!(by_id["items"][0]["id"], id);
    let none = app
        .get_json("/v1/admin/tasks?status=failed", &admin.access)
        .await;
    assert!(none["items"].as_array().unwrap().is_empty());
    assert_problem(
        app.get_auth("/v1/admin/tasks?status=weird", &admin.access)
            .await,
        400,
        "invalid_query",
    )
    .await;

    let before = app.get_json("/v1/credits", &ada.access).await["available"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/admin/tasks/{id}/refund");
    let refunded = app
        .post_auth(&path, &admin.access, &json!({"reason": "blurry result"}))
        .await;
    assert_eq!(refunded.status(), 200);
    let refunded: Value = refunded.json().await.unwrap();
    assert_eq!(refunded["refunded"], charged);
    let again = app
        .post_auth(&path, &admin.access, &json!({"reason": "again"}))
        .await;
    assert_problem(again, 409, "conflict").await;
    let after = app.get_json("/v1/credits", &ada.access).await["available"]
        .as_i64()
        .unwrap();
    assert_eq!(after, before + charged);
    app.assert_ledger_consistent(user_id(&ada)).await;
}

#[tokio::test]
async fn moderation_hits_and_the_data_rights_queue_with_overdue_requests() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let rule = app
        .post_auth(
            "/v1/admin/moderation/rules",
            &admin.access,
            &json!({"kind": "term", "pattern": "forbidden"}),
        )
        .await;
    assert_eq!(rule.status(), 201);
    let rejected = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &crate::generations::request("something forbidden"),
        )
        .await;
    assert_problem(rejected, 422, "prompt_rejected").await;
    let hits = app
        .get_json("/v1/admin/moderation/events", &admin.access)
        .await;
    assert_eq!(hits["items"][0]["user_email"], "ada@example.org");
    assert_eq!(hits["items"][0]["prompt"], "something forbidden");

    let erasure = app
        .post_auth(
            "/v1/privacy/requests",
            &ada.access,
            &json!({"kind": "erasure"}),
        )
        .await;
    assert_eq!(erasure.status(), 201);
    let queue = app
        .get_json("/v1/admin/privacy/requests", &admin.access)
        .await;
    assert_eq!(queue["items"][0]["user_email"], "ada@example.org");
    assert_eq!(queue["items"][0]["request"]["kind"], "erasure");
    assert_eq!(queue["items"][0]["overdue"], false);
    app.state.clock.advance(Duration::days(31));
    let queue = app
        .get_json("/v1/admin/privacy/requests", &admin.access)
        .await;
    assert_eq!(queue["items"][0]["overdue"], true);
}

#[tokio::test]
async fn the_dashboard_counts_the_period_and_leaves_out_restricted_accounts() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    for who in [&ada, &bob] {
        let task: Value = app
            .post_auth(
                "/v1/generations",
                &who.access,
                &crate::generations::request("a lamp"),
            )
            .await
            .json()
            .await
            .unwrap();
        app.wait_for_task(who, task["id"].as_str().unwrap()).await;
    }
    let before = app.get_json("/v1/admin/dashboard", &admin.access).await;
    assert_eq!(before["signups"], 3);
    assert_eq!(before["generations"], 2);
    assert_eq!(before["providers"][0]["provider"], "local");
    assert_eq!(before["providers"][0]["failure_rate"], 0.0);
    assert!(before["credits_spent"].as_i64().unwrap() > 0);
    let restricted = app
        .post_auth(
            "/v1/privacy/requests",
            &bob.access,
            &json!({"kind": "restriction"}),
        )
        .await;
    assert_eq!(restricted.status(), 201);
    let after = app.get_json("/v1/admin/dashboard", &admin.access).await;
    assert_eq!(after["signups"], 2);
    assert_eq!(after["generations"], 1);
    assert_eq!(after["excluded_accounts"], 1);
    // A period in the past holds nothing; a backwards one is refused.
    let past = app
        .get_json(
            "/v1/admin/dashboard?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z",
            &admin.access,
        )
        .await;
    assert_eq!(past["signups"], 0);
    assert_problem(
        app.get_auth(
            "/v1/admin/dashboard?from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z",
            &admin.access,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn announcements_reach_only_consenting_people_and_unsubscribe_in_one_click() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let _carl = app.signed_in_user("carl@example.org").await;
    for who in [&ada, &bob] {
        let put = app
            .client
            .put(app.url("/v1/me/consents"))
            .bearer_auth(&who.access)
            .json(&json!({"marketing_email": true, "product_analytics": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 200);
    }
    // Bob objects: no marketing for him despite the consent.
    let objected = app
        .post_auth(
            "/v1/privacy/requests",
            &bob.access,
            &json!({"kind": "objection"}),
        )
        .await;
    assert_eq!(objected.status(), 201);
    let sent = app
        .post_auth(
            "/v1/admin/announcements",
            &admin.access,
            &json!({"subject": "New: 4K upscaling", "body": "It is here.\n\nTry it today."}),
        )
        .await;
    assert_eq!(sent.status(), 202);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["recipients"], 1);
    let mut mail = None;
    for _ in 0..100 {
        mail = app
            .mails_to("ada@example.org")
            .into_iter()
            .find(|m| m.contains("New: 4K upscaling"));
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mail = mail.expect("announcement mailed to ada");
    assert!(mail.contains("List-Unsubscribe: <http://zimage.test/v1/unsubscribe?token="));
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(
        app.mails_to("bob@example.org")
            .iter()
            .all(|m| !m.contains("4K upscaling"))
    );
    assert!(
        app.mails_to("carl@example.org")
            .iter()
            .all(|m| !m.contains("4K upscaling"))
    );
    let token = crate::helpers::token_after(&mail, "/v1/unsubscribe?token=").unwrap();
    assert_eq!(token.len(), 64);

    let forged = app
        .client
        .post(app.url(&format!("/v1/unsubscribe?token={}", "0".repeat(64))))
        .send()
        .await
        .unwrap();
    assert_problem(forged, 400, "invalid_token").await;
    // One click, logged out, with the body mail clients send.
    let unsubscribed = app
        .client
        .post(app.url(&format!("/v1/unsubscribe?token={token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(unsubscribed.status(), 204);
    let consents = app.get_json("/v1/me/consents", &ada.access).await;
    assert_eq!(consents["marketing_email"], false);
    let events = app.get_json("/v1/me/security-events", &ada.access).await;
    assert_eq!(events["items"][0]["kind"], "consent.changed");
    assert_eq!(events["items"][0]["detail"]["via"], "unsubscribe_link");
    let again: Value = app
        .post_auth(
            "/v1/admin/announcements",
            &admin.access,
            &json!({"subject": "Second", "body": "More news."}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["recipients"], 0);
}
