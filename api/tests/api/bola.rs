//! A sweep generated from the committed OpenAPI document: every route that takes the id of
//! something a user owns answers 404 when another user asks for it, whatever the method, and
//! changes nothing. Admin routes answer 403 to users. A new route with a path parameter fails
//! this test until it is classified here.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app_with};

/// Path parameters that do not name something a user owns, and why.
const NOT_OWNED: &[(&str, &str)] = &[
    ("/v1/legal/documents/{name}", "public legal pages"),
    ("/v1/privacy/flags/{kind}", "the caller's own account flags"),
    (
        "/v1/privacy/requests/{id}/confirm",
        "proven by the e-mailed token, not a session",
    ),
    (
        "/v1/shared/{token}",
        "public by design: the token is the capability",
    ),
    (
        "/v1/shared/{token}/image",
        "public by design: the token is the capability",
    ),
    (
        "/v1/shared-collections/{token}",
        "public by design: the token is the capability",
    ),
    (
        "/v1/auth/sso/{provider}/start",
        "identity provider ids, the same for everyone",
    ),
    (
        "/v1/auth/sso/{provider}/callback",
        "identity provider ids; the flow is bound to the browser that started it",
    ),
    (
        "/v1/webhooks/providers/{provider}",
        "provider callbacks, verified by signature",
    ),
];

/// The owned resource a path's `{id}` names, by prefix.
const OWNED: &[(&str, &str)] = &[
    ("/v1/avatars/", "avatar"),
    ("/v1/collections/", "collection"),
    ("/v1/generations/", "task"),
    ("/v1/images/", "image"),
    ("/v1/me/api-keys/", "api_key"),
    ("/v1/me/authorized-apps/", "oauth_grant"),
    ("/v1/me/identities/", "identity"),
    ("/v1/me/oauth-apps/", "oauth_app"),
    ("/v1/me/passkeys/", "passkey"),
    ("/v1/me/sessions/", "session"),
    ("/v1/me/webhooks/", "webhook"),
    ("/v1/privacy/requests/", "privacy_request"),
    ("/v1/prompts/", "prompt"),
    ("/v1/support/tickets/", "ticket"),
    ("/v1/uploads/", "upload"),
];

/// An identity at a provider linked to `who` (as a sign-in there would leave it).
async fn linked_identity(app: &crate::helpers::TestApp, who: &crate::helpers::Signed) -> String {
    use diesel_async::RunQueryDsl;
    let id = uuid::Uuid::new_v4();
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO identities (id, user_id, provider, subject) VALUES ($1, $2, 'corp', 'ada')",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Uuid, _>(crate::helpers::user_id(who))
    .execute(&mut conn)
    .await
    .unwrap();
    id.to_string()
}

/// A passkey of `who`'s (its public data as a registration stores it; the sweep never signs in
/// with it).
async fn stored_passkey(app: &crate::helpers::TestApp, who: &crate::helpers::Signed) -> String {
    use diesel_async::RunQueryDsl;
    let id = uuid::Uuid::new_v4();
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO passkeys (id, user_id, name, credential_id, credential) \
         VALUES ($1, $2, 'Laptop', $3, '{}')",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Uuid, _>(crate::helpers::user_id(who))
    .bind::<diesel::sql_types::Bytea, _>(id.as_bytes().to_vec())
    .execute(&mut conn)
    .await
    .unwrap();
    id.to_string()
}

/// A body the route accepts, so the answer is about access and not about the input.
fn body_for(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        (_, p) if p.ends_with("/messages") => Some(json!({"body": "hello"})),
        ("post", p) if p.ends_with("/images") || p.ends_with("/images/remove") => {
            Some(json!({"image_ids": [uuid::Uuid::new_v4()]}))
        }
        (_, p) if p.ends_with("/credits") => Some(json!({"amount": 5, "reason": "test"})),
        (_, p) if p.ends_with("/disable") || p.ends_with("/refund") => {
            Some(json!({"reason": "test"}))
        }
        ("patch", p) if p.contains("/passkeys/") => Some(json!({"name": "Mine now"})),
        ("patch", _) | ("post", _) => Some(json!({})),
        _ => None,
    }
}

#[tokio::test]
async fn every_owned_resource_is_404_to_everyone_else() {
    let app = spawn_app_with(&[("ZIMAGE_WEBHOOKS_ALLOW_PRIVATE", "1")]).await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let (task_id, image_ids, upload_id) = crate::privacy::fill_account(&app, &ada).await;
    let first_id = |list: Value| list["items"][0]["id"].as_str().unwrap().to_string();
    // Ada registers an app and authorizes it (her own app, for brevity).
    crate::oauth::authorized(&app, &ada, &ada, "credits:read").await;
    let ids: std::collections::HashMap<&str, String> = [
        ("task", task_id),
        ("image", image_ids[0].clone()),
        ("upload", upload_id),
        (
            "avatar",
            crate::avatars::avatar_id(
                app.get_json("/v1/me", &ada.access).await["avatar_url"]
                    .as_str()
                    .unwrap(),
            ),
        ),
        (
            "api_key",
            first_id(app.get_json("/v1/me/api-keys", &ada.access).await),
        ),
        (
            "session",
            first_id(app.get_json("/v1/me/sessions", &ada.access).await),
        ),
        (
            "collection",
            app.post_auth("/v1/collections", &ada.access, &json!({"name": "Mine"}))
                .await
                .json::<Value>()
                .await
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        ),
        (
            "oauth_app",
            first_id(app.get_json("/v1/me/oauth-apps", &ada.access).await),
        ),
        (
            "oauth_grant",
            first_id(app.get_json("/v1/me/authorized-apps", &ada.access).await),
        ),
        ("identity", linked_identity(&app, &ada).await),
        ("passkey", stored_passkey(&app, &ada).await),
        (
            "webhook",
            first_id(app.get_json("/v1/me/webhooks", &ada.access).await),
        ),
        (
            "prompt",
            first_id(app.get_json("/v1/prompts", &ada.access).await),
        ),
        (
            "privacy_request",
            app.post_auth(
                "/v1/privacy/requests",
                &ada.access,
                &json!({"kind": "restriction"}),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        ),
        (
            "ticket",
            app.post_auth(
                "/v1/support/tickets",
                &ada.access,
                &json!({"subject": "Mine", "body": "private"}),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        ),
    ]
    .into_iter()
    .collect();

    let document: Value =
        serde_json::from_str(include_str!("../../../openapi/openapi.json")).unwrap();
    let mut swept = 0;
    let mut admin_routes = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        if NOT_OWNED.iter().any(|(p, _)| p == path) {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if operations.get(method).is_none() {
                continue;
            }
            let url_path = if path.starts_with("/v1/admin/") {
                path.replace("{id}", &uuid::Uuid::new_v4().to_string())
            } else {
                let kind = OWNED
                    .iter()
                    .find(|(prefix, _)| path.starts_with(prefix))
                    .map(|(_, kind)| *kind)
                    .unwrap_or_else(|| {
                        panic!("{path} takes a parameter but is not classified in this test")
                    });
                path.replace("{id}", &ids[kind])
            };
            let mut request = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&url_path))
                .bearer_auth(&bob.access);
            if let Some(body) = body_for(method, path) {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            if path.starts_with("/v1/admin/") {
                assert_problem(response, 403, "forbidden").await;
                admin_routes += 1;
            } else {
                let status = response.status().as_u16();
                assert_eq!(
                    status,
                    404,
                    "{} {url_path} answered {status}",
                    method.to_uppercase()
                );
                assert_problem(response, 404, "not_found").await;
                swept += 1;
            }
        }
    }
    println!(
        "BOLA sweep: {swept} owned-resource operations answered 404, {admin_routes} admin operations 403"
    );
    assert!(swept >= 30, "only {swept} owned-resource operations swept");
    assert!(admin_routes >= 10);

    // Bob's attempts changed nothing of Ada's.
    for path in [
        format!("/v1/generations/{}", ids["task"]),
        format!("/v1/images/{}", ids["image"]),
        format!("/v1/uploads/{}", ids["upload"]),
        format!("/v1/prompts/{}", ids["prompt"]),
        format!("/v1/me/webhooks/{}", ids["webhook"]),
        format!("/v1/privacy/requests/{}", ids["privacy_request"]),
        format!("/v1/support/tickets/{}", ids["ticket"]),
    ] {
        let response = app.get_auth(&path, &ada.access).await;
        assert_eq!(response.status(), 200, "{path} is gone for its owner");
    }
    let keys = app.get_json("/v1/me/api-keys", &ada.access).await;
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);
    let methods = app.get_json("/v1/me/identities", &ada.access).await;
    assert_eq!(methods["identities"][0]["id"], json!(ids["identity"]));
    let passkeys = app.get_json("/v1/me/passkeys", &ada.access).await;
    assert_eq!(passkeys["items"][0]["id"], json!(ids["passkey"]));
    assert_eq!(passkeys["items"][0]["name"], "Laptop");
    assert_eq!(app.get_auth("/v1/me", &ada.access).await.status(), 200);
}
