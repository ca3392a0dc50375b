//! Support tickets between customers and administrators, with e-mail both ways.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, signed_in_admin, spawn_app};

#[tokio::test]
async fn a_ticket_goes_back_and_forth_with_email_both_ways() {
    let app = spawn_app().await;
    let admin = signed_in_admin(&app).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &ada.access,
            &crate::generations::request("a kite"),
        )
        .await
        .json()
        .await
        .unwrap();
    let task_id = task["id"].as_str().unwrap();
    let bobs: Value = app
        .post_auth(
            "/v1/generations",
            &bob.access,
            &crate::generations::request("a drum"),
        )
        .await
        .json()
        .await
        .unwrap();

    // Validation, and another user's task cannot be referenced.
    let invalid = app
        .post_auth(
            "/v1/support/tickets",
            &ada.access,
            &json!({"subject": " ", "body": "x", "task_id": bobs["id"]}),
        )
        .await;
    let problem = assert_problem(invalid, 422, "validation_failed").await;
    assert!(problem["errors"]["subject"].is_array() && problem["errors"]["task_id"].is_array());

    let created = app
        .post_auth(
            "/v1/support/tickets",
            &ada.access,
            &json!({"subject": "My kite came out blurry", "body": "Can you look?", "task_id": task_id}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let ticket: Value = created.json().await.unwrap();
    let id = ticket["id"].as_str().unwrap();
    assert_eq!(ticket["status"], "open");
    assert!(ticket["number"].as_str().unwrap().starts_with("T-"));
    assert!(
        app.mails_to("root@example.org")
            .iter()
            .any(|m| m.contains("Support ticket waiting") && m.contains("My kite came out blurry"))
    );

    // Support sees it in the queue and answers.
    let queue = app
        .get_json("/v1/admin/support/tickets", &admin.access)
        .await;
    assert_eq!(queue["items"][0]["id"], id);
    assert_eq!(queue["items"][0]["customer_email"], "ada@example.org");
    let answered = app
        .post_auth(
            &format!("/v1/admin/support/tickets/{id}/messages"),
            &admin.access,
            &json!({"body": "Try the high quality setting."}),
        )
        .await;
    assert_eq!(answered.status(), 200);
    let answered: Value = answered.json().await.unwrap();
    assert_eq!(answered["status"], "answered");
    assert!(
        app.mails_to("ada@example.org")
            .iter()
            .any(|m| m.contains("Support answered your ticket"))
    );

    // The customer reads the conversation and replies; it is open again.
    let read = app
        .get_json(&format!("/v1/support/tickets/{id}"), &ada.access)
        .await;
    let messages = read["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["from_staff"], false);
    assert_eq!(messages[1]["from_staff"], true);
    assert!(read["customer_email"].is_null());
    let replied: Value = app
        .post_auth(
            &format!("/v1/support/tickets/{id}/messages"),
            &ada.access,
            &json!({"body": "That worked, thanks!"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replied["status"], "open");

    // Others cannot see or touch it.
    for response in [
        app.get_auth(&format!("/v1/support/tickets/{id}"), &bob.access)
            .await,
        app.post_auth(
            &format!("/v1/support/tickets/{id}/messages"),
            &bob.access,
            &json!({"body": "hi"}),
        )
        .await,
        app.post_auth(
            &format!("/v1/support/tickets/{id}/close"),
            &bob.access,
            &json!({}),
        )
        .await,
    ] {
        assert_problem(response, 404, "not_found").await;
    }
    assert_problem(
        app.get_auth("/v1/admin/support/tickets", &ada.access).await,
        403,
        "forbidden",
    )
    .await;

    // Support closes it; support cannot write on a closed ticket; the customer can reopen it.
    let closed: Value = app
        .post_auth(
            &format!("/v1/admin/support/tickets/{id}/close"),
            &admin.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    let late = app
        .post_auth(
            &format!("/v1/admin/support/tickets/{id}/messages"),
            &admin.access,
            &json!({"body": "one more thing"}),
        )
        .await;
    assert_problem(late, 409, "conflict").await;
    let list = app.get_json("/v1/support/tickets", &ada.access).await;
    assert_eq!(list["items"][0]["status"], "closed");
    let audit = app
        .get_json(
            &format!("/v1/admin/audit-log?target_id={id}"),
            &admin.access,
        )
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["support.closed", "support.replied"]);
}

#[tokio::test]
async fn closed_tickets_are_deleted_two_years_after_closing() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let open: Value = app
        .post_auth(
            "/v1/support/tickets",
            &ada.access,
            &json!({"subject": "Still open", "body": "…"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let closed: Value = app
        .post_auth(
            "/v1/support/tickets",
            &ada.access,
            &json!({"subject": "Done", "body": "…"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let close = app
        .post_auth(
            &format!(
                "/v1/support/tickets/{}/close",
                closed["id"].as_str().unwrap()
            ),
            &ada.access,
            &json!({}),
        )
        .await;
    assert_eq!(close.status(), 200);
    app.state.clock.advance(Duration::days(729));
    zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    async fn remaining(app: &crate::helpers::TestApp) -> Vec<String> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use zimage_api::db::schema::support_tickets;
        let mut conn = app.state.db.get().await.unwrap();
        support_tickets::table
            .select(support_tickets::subject)
            .order(support_tickets::subject)
            .load::<String>(&mut conn)
            .await
            .unwrap()
    }
    assert_eq!(remaining(&app).await, ["Done", "Still open"]);
    app.state.clock.advance(Duration::days(2));
    let report = zimage_api::jobs::scheduler::run_once(&app.state)
        .await
        .unwrap();
    assert_eq!(report.retention.tickets, 1);
    assert_eq!(remaining(&app).await, ["Still open"]);
    assert!(open["id"].is_string());
}
