//! Several replicas on one database: scheduled work runs once between them, and each can be run
//! in one role only.

use std::time::Duration;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn three_schedulers_make_one_pass_per_interval_between_them() {
    let first = spawn_app().await;
    let replicas = [first.replica(&[]).await, first.replica(&[]).await];
    let states = [&first.state, &replicas[0].state, &replicas[1].state];
    let interval = Duration::from_secs(60);
    // All three tick at once, twice: one pass in all.
    for round in 0..2 {
        let passes = futures_util::future::join_all(states.iter().enumerate().map(
            |(n, state)| async move {
                zimage_api::jobs::scheduler::run_if_due(state, &format!("replica-{n}"), interval)
                    .await
                    .unwrap()
            },
        ))
        .await;
        let made = passes.iter().filter(|pass| pass.is_some()).count();
        assert_eq!(made, usize::from(round == 0), "round {round}: {passes:?}");
    }
    // An interval later (on the database's clock), the next pass is due: again only one runs it.
    backdate(&first, "started_at = started_at - interval '61 seconds'").await;
    let passes =
        futures_util::future::join_all(states.iter().enumerate().map(|(n, state)| async move {
            zimage_api::jobs::scheduler::run_if_due(state, &format!("replica-{n}"), interval)
                .await
                .unwrap()
        }))
        .await;
    assert_eq!(passes.iter().filter(|pass| pass.is_some()).count(), 1);
    // A pass under way is not run twice, however late it is; one whose replica died (started
    // half an hour ago and never finished) is taken over.
    backdate(
        &first,
        "started_at = started_at - interval '5 minutes', finished_at = NULL",
    )
    .await;
    let late = zimage_api::jobs::scheduler::run_if_due(states[1], "replica-1", interval).await;
    assert!(late.unwrap().is_none());
    backdate(&first, "started_at = started_at - interval '31 minutes'").await;
    let taken = zimage_api::jobs::scheduler::run_if_due(states[2], "replica-2", interval).await;
    assert!(taken.unwrap().is_some());
}

async fn backdate(app: &crate::helpers::TestApp, set: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.state.db.get().await.unwrap();
    diesel::sql_query(format!("UPDATE scheduled_runs SET {set}"))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_healthcheck_command_tells_a_ready_server_from_a_stopping_or_absent_one() {
    let app = spawn_app_with(&[("ZIMAGE_DRAIN_DELAY_SECS", "5")]).await;
    let check = |url: String| async move {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_zimage"))
            .args(["healthcheck", "--url", &url])
            .output()
            .await
            .unwrap()
    };
    let ready = check(app.url("/readyz")).await;
    assert!(ready.status.success(), "{ready:?}");
    // Draining: unready, so a container orchestrator stops sending traffic.
    app.stop();
    let draining = check(app.url("/readyz")).await;
    assert_eq!(draining.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&draining.stderr).contains("503"));
    let nobody = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let absent = check(format!("http://{nobody}/readyz")).await;
    assert_eq!(absent.status.code(), Some(1));
}
