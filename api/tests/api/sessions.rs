//! Listing and revoking sessions; one user never sees another's.

use serde_json::Value;

use crate::helpers::{PASSWORD, assert_problem, spawn_app};

#[tokio::test]
async fn sessions_list_marks_the_current_one_and_paginates() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    for _ in 0..2 {
        app.sign_in("ada@example.org", PASSWORD).await;
    }
    let page: Value = app.get_json("/v1/me/sessions?limit=2", &ada.access).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get_json(
            &format!("/v1/me/sessions?limit=2&cursor={cursor}"),
            &ada.access,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    // The first login is the oldest, so it is the last item, and it is the caller's.
    assert_eq!(rest["items"][0]["current"], true);
    assert_eq!(rest["items"][0]["ip"], "127.0.0.1");
    assert_problem(
        app.get_auth("/v1/me/sessions?limit=0", &ada.access).await,
        400,
        "invalid_query",
    )
    .await;
    assert_problem(
        app.get_auth("/v1/me/sessions?cursor=zzz", &ada.access)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn revoking_a_session_signs_that_device_out() {
    let app = spawn_app().await;
    let laptop = app.signed_in_user("ada@example.org").await;
    let phone = app.sign_in("ada@example.org", PASSWORD).await;
    app.revoke_other_session(&laptop).await;
    assert_problem(
        app.get_auth("/v1/me", &phone.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(app.get_auth("/v1/me", &laptop.access).await.status(), 200);
}

#[tokio::test]
async fn another_users_session_is_404() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let list: Value = app.get_json("/v1/me/sessions", &bob.access).await;
    let bobs_session = list["items"][0]["id"].as_str().unwrap().to_string();
    let response = app
        .delete_auth(&format!("/v1/me/sessions/{bobs_session}"), &ada.access)
        .await;
    assert_problem(response, 404, "not_found").await;
    assert_eq!(app.get_auth("/v1/me", &bob.access).await.status(), 200);
    let ada_list: Value = app.get_json("/v1/me/sessions", &ada.access).await;
    assert!(
        ada_list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != bobs_session.as_str())
    );
    let malformed = app
        .delete_auth("/v1/me/sessions/not-a-uuid", &ada.access)
        .await;
    assert_problem(malformed, 400, "invalid_path_parameter").await;
}

#[tokio::test]
async fn a_burst_of_sign_ins_larger_than_the_pool_all_succeed() {
    // Each sign-in used to hold one pooled connection while taking a second (for the security
    // log): with more simultaneous sign-ins than connections, all waited on each other until the
    // pool timed out with 503s.
    let app = crate::helpers::spawn_app_with(&[
        ("ZIMAGE_DATABASE_POOL_SIZE", "2"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "1000/60"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "1000/60"),
    ])
    .await;
    app.signed_in_user("ada@example.org").await;
    let attempts: Vec<_> = (0..12)
        .map(|_| {
            let (client, url) = (app.client.clone(), app.url("/v1/auth/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&serde_json::json!({"email": "ada@example.org", "password": crate::helpers::PASSWORD}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), 200);
    }
}

#[tokio::test]
async fn a_burst_of_failed_sign_ins_hashes_in_a_fixed_amount_of_memory() {
    // Argon2id takes 19 MiB per hash. Hashed on whichever blocking thread was free, each burst
    // left allocator arenas holding their own copies: 200 concurrent failed sign-ins took the
    // server from 46 to 618 MiB, and it stayed. Now one memory area per hashing thread is reused.
    let app = crate::helpers::spawn_app_with(&[
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_IP", "1000/60"),
        ("ZIMAGE_RATE_LIMIT_LOGIN_PER_ACCOUNT", "1000/60"),
    ])
    .await;
    app.signed_in_user("ada@example.org").await;
    let before = crate::uploads::peak_rss_mib();
    let attempts = (0..200).map(|n| {
        let (client, url) = (app.client.clone(), app.url("/v1/auth/login"));
        async move {
            client
                .post(url)
                .json(&serde_json::json!({"email": format!("user{}@example.org", n % 7), "password": "not the password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 503)),
        "{statuses:?}"
    );
    assert!(statuses.contains(&401));
    let grew = crate::uploads::peak_rss_mib() - before;
    let cores = std::thread::available_parallelism().map_or(2, usize::from) as u64;
    println!("200 concurrent failed sign-ins on {cores} cores: peak memory +{grew} MiB");
    assert!(grew < cores * 19 + 48, "peak memory grew by {grew} MiB");
}
