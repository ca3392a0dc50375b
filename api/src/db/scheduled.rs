//! Claims on periodic work, so that any number of replicas run each kind once per interval.

use diesel::QueryResult;
use diesel::sql_types::{Interval, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::prepared::prepared;

/// Claims the run of `name` for `runner` when none started within `every` and none is under
/// way (one that started more than `stale` ago is taken to have died with its replica). `true`:
/// this runner does the work now, then calls [`finish`].
pub async fn claim(
    conn: &mut AsyncPgConnection,
    name: &str,
    runner: &str,
    every: std::time::Duration,
    stale: std::time::Duration,
) -> QueryResult<bool> {
    // One row written (inserted, or updated past the conditions) is the claim; none, another's.
    let claimed = prepared(
        "INSERT INTO scheduled_runs AS r (name, started_at, runner) VALUES ($1, now(), $2) \
         ON CONFLICT (name) DO UPDATE SET started_at = now(), finished_at = NULL, runner = $2 \
         WHERE r.started_at <= now() - $3 \
           AND (r.finished_at IS NOT NULL OR r.started_at <= now() - $4)",
    )
    .bind::<Text, _>(name)
    .bind::<Text, _>(runner)
    .bind::<Interval, _>(interval(every))
    .bind::<Interval, _>(interval(stale))
    .execute(conn)
    .await?;
    Ok(claimed == 1)
}

/// Marks `runner`'s run of `name` done, so the next may start when it is due.
pub async fn finish(conn: &mut AsyncPgConnection, name: &str, runner: &str) -> QueryResult<()> {
    prepared("UPDATE scheduled_runs SET finished_at = now() WHERE name = $1 AND runner = $2")
        .bind::<Text, _>(name)
        .bind::<Text, _>(runner)
        .execute(conn)
        .await
        .map(drop)
}

fn interval(duration: std::time::Duration) -> diesel::pg::data_types::PgInterval {
    diesel::pg::data_types::PgInterval::from_microseconds(
        i64::try_from(duration.as_micros()).unwrap_or(i64::MAX),
    )
}
