//! Request budgets, counted by GCRA (the generic cell rate algorithm): a budget of `count` per
//! `window` lets `count` requests through at once, then one more each `window / count`.
//!
//! Keys look like `login:ip:203.0.113.7`; one limiter serves every budget. Each key keeps one
//! number, its theoretical arrival time: in this process's memory by default, or in Redis
//! (`ZIMAGE_REDIS_URL`), where every replica counts against the same budgets. Redis takes each
//! step in one script, on its own clock, so replicas neither race nor disagree about the time.
//!
//! When Redis cannot be reached, each budget does what its caller chose ([`Outage`]): sign-in,
//! sign-up, e-mail and submits are refused with 503 (a budget nobody can count is no budget),
//! the rest are let through with a warning in the log.

use crate::config::RateLimit;
use crate::error::ApiError;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a request left of a budget it was counted against, for the `RateLimit` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: RateLimit,
    pub remaining: u32,
    /// Seconds until the window starts over.
    pub reset: u64,
}

impl Quota {
    /// The headers telling a client where it stands (the IETF draft's `RateLimit` fields, in
    /// both its combined and its older separate forms, which clients in the wild read).
    pub fn headers(&self) -> [(&'static str, String); 5] {
        let Quota {
            limit,
            remaining,
            reset,
        } = *self;
        [
            (
                "RateLimit-Policy",
                format!("{};w={}", limit.count, limit.window.as_secs()),
            ),
            ("RateLimit-Limit", limit.count.to_string()),
            ("RateLimit-Remaining", remaining.to_string()),
            ("RateLimit-Reset", reset.to_string()),
            (
                "RateLimit",
                format!(
                    "limit={}, remaining={remaining}, reset={reset}",
                    limit.count
                ),
            ),
        ]
    }
}

tokio::task_local! {
    /// The tightest budget the request being handled on this task was counted against.
    static QUOTA: Cell<Option<Quota>>;
}

/// Runs a request's handling and returns, with its outcome, the tightest budget it was counted
/// against (`None` if none), so the response can carry the `RateLimit` headers.
pub async fn tracked<F: std::future::Future>(handling: F) -> (F::Output, Option<Quota>) {
    QUOTA
        .scope(Cell::new(None), async move {
            let output = handling.await;
            (output, QUOTA.with(Cell::get))
        })
        .await
}

/// Keeps `quota` for the response when it leaves less than any noted before.
fn note(quota: Quota) {
    let _ = QUOTA.try_with(|cell| {
        if cell.get().is_none_or(|q| quota.remaining < q.remaining) {
            cell.set(Some(quota));
        }
    });
}

/// What a budget does while the shared store cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// Refuse (503, `service_unavailable`): sign-in, sign-up, e-mail, submits.
    Refuse,
    /// Let the request through and log a warning.
    Allow,
}

/// One step of GCRA on a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Count one if the budget has room.
    Take,
    /// Tell whether the budget has room; count nothing.
    Peek,
    /// Count one, room or not (a failed sign-in).
    Count,
    /// Take back one counted.
    Uncount,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Take => "take",
            Step::Peek => "peek",
            Step::Count => "count",
            Step::Uncount => "uncount",
        }
    }
}

/// What a step found: room, with the milliseconds until the budget is whole again, or none,
/// with the milliseconds until there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Room { whole_in_ms: u64 },
    Spent { wait_ms: u64 },
}

/// A budget in GCRA's terms: one request adds `step` to the key's time, and the time may run at
/// most `burst` (= `count` steps) ahead of now.
#[derive(Debug, Clone, Copy)]
struct Rate {
    step: u64,
    burst: u64,
}

impl Rate {
    fn of(limit: RateLimit) -> Self {
        let window = u64::try_from(limit.window.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let count = u64::from(limit.count.max(1));
        let step = window.div_ceil(count);
        Self {
            step,
            burst: step.saturating_mul(count),
        }
    }

    /// Takes `step` on a key whose time is `tat` (ms; `None`: never counted) at `now`: what it
    /// found, and the key's new time (`None`: forget the key).
    fn apply(self, step: Step, tat: Option<u64>, now: u64) -> (Found, Option<u64>) {
        let tat = tat.unwrap_or(now).max(now);
        let next = tat.saturating_add(self.step);
        match step {
            Step::Uncount => {
                let back = tat.saturating_sub(self.step);
                (
                    Found::Room {
                        whole_in_ms: back.saturating_sub(now),
                    },
                    (back > now).then_some(back),
                )
            }
            Step::Count => (
                Found::Room {
                    whole_in_ms: next - now,
                },
                Some(next),
            ),
            _ if next - now > self.burst => (
                Found::Spent {
                    wait_ms: next - now - self.burst,
                },
                (tat > now).then_some(tat),
            ),
            Step::Take => (
                Found::Room {
                    whole_in_ms: next - now,
                },
                Some(next),
            ),
            Step::Peek => (
                Found::Room {
                    whole_in_ms: tat - now,
                },
                (tat > now).then_some(tat),
            ),
        }
    }

    /// Requests the budget still lets through at once, with `whole_in_ms` left to run.
    fn remaining(self, whole_in_ms: u64) -> u32 {
        u32::try_from(self.burst.saturating_sub(whole_in_ms) / self.step.max(1)).unwrap_or(u32::MAX)
    }
}

fn secs(ms: u64) -> u64 {
    ms.div_ceil(1000).max(1)
}

/// The same steps as [`Rate::apply`], in Redis, on Redis's clock. Returns `{room (0|1), ms}`.
const GCRA_SCRIPT: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local step, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local function keep(t)
  if t > now then redis.call('SET', KEYS[1], t, 'PX', t - now) else redis.call('DEL', KEYS[1]) end
end
local op = ARGV[1]
if op == 'uncount' then
  keep(tat - step)
  return {1, math.max(tat - step - now, 0)}
end
local next = tat + step
if op == 'count' then
  keep(next)
  return {1, next - now}
end
if next - now > burst then
  return {0, next - now - burst}
end
if op == 'take' then
  keep(next)
  return {1, next - now}
end
return {1, tat - now}
";

/// Budgets every replica shares, in Redis.
struct Shared {
    url: String,
    prefix: String,
    /// Connected on first use, so a replica starts while Redis is down; reconnects by itself.
    connection: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
    script: redis::Script,
    /// Until when Redis is taken for down after a failure: calls meanwhile fail at once instead of
    /// each waiting out the timeouts (budgets that let requests through would add them to every
    /// request).
    down_until: std::sync::Mutex<Option<std::time::Instant>>,
}

/// A call not sent because Redis failed moments ago (the failure itself was logged).
#[derive(Debug, thiserror::Error)]
#[error("Redis was unreachable moments ago")]
struct BackingOff;

/// How long a failure to reach Redis keeps it taken for down.
const REDIS_BACKOFF: Duration = Duration::from_secs(1);

impl Shared {
    async fn connection(&self) -> anyhow::Result<redis::aio::ConnectionManager> {
        let connection = self
            .connection
            .get_or_try_init(|| async {
                let client = redis::Client::open(self.url.as_str())?;
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_millis(500)))
                    .set_response_timeout(Some(Duration::from_millis(500)))
                    .set_number_of_retries(1);
                anyhow::Ok(redis::aio::ConnectionManager::new_with_config(client, config).await?)
            })
            .await?;
        Ok(connection.clone())
    }

    async fn apply(&self, key: &str, rate: Rate, step: Step) -> anyhow::Result<Found> {
        let down = |until: &mut Option<std::time::Instant>| {
            *until = Some(std::time::Instant::now() + REDIS_BACKOFF);
        };
        if self
            .down_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|until| std::time::Instant::now() < until)
        {
            return Err(BackingOff.into());
        }
        let answer = self.reach(key, rate, step).await;
        if answer.is_err() {
            down(
                &mut self
                    .down_until
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
        }
        answer
    }

    async fn reach(&self, key: &str, rate: Rate, step: Step) -> anyhow::Result<Found> {
        let mut connection = self.connection().await?;
        let (room, ms): (u8, u64) = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(step.name())
            .arg(rate.step)
            .arg(rate.burst)
            .invoke_async(&mut connection)
            .await?;
        Ok(if room == 1 {
            Found::Room { whole_in_ms: ms }
        } else {
            Found::Spent { wait_ms: ms }
        })
    }

    async fn clear(&self, key: &str) -> anyhow::Result<()> {
        let mut connection = self.connection().await?;
        redis::cmd("DEL")
            .arg(format!("{}{key}", self.prefix))
            .exec_async(&mut connection)
            .await?;
        Ok(())
    }
}

/// Budgets of this process alone: each key's time in ms since `epoch`.
struct Local {
    epoch: Instant,
    times: Mutex<HashMap<String, u64>>,
}

/// Entries kept before those back at "now" are swept.
const SWEEP_AT: usize = 10_000;

impl Local {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn apply(&self, key: &str, rate: Rate, step: Step) -> Found {
        let now = self.now();
        let mut times = self
            .times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if times.len() >= SWEEP_AT {
            times.retain(|_, tat| *tat > now);
        }
        let (found, tat) = rate.apply(step, times.get(key).copied(), now);
        match tat {
            Some(tat) => times.insert(key.to_string(), tat),
            None => times.remove(key),
        };
        found
    }

    fn clear(&self, key: &str) {
        self.times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
    }
}

enum Store {
    Local(Local),
    Shared(Shared),
}

/// Counts requests per key and refuses those past the budget.
pub struct RateLimiter {
    store: Store,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl RateLimiter {
    /// Budgets kept in this process.
    pub fn new() -> Self {
        Self {
            store: Store::Local(Local {
                epoch: Instant::now(),
                times: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Budgets kept in Redis at `url` under keys starting with `prefix`, shared by every replica
    /// configured alike. Nothing is connected until the first request.
    pub fn shared(url: &str, prefix: &str) -> anyhow::Result<Self> {
        // Checks the address now, so a typo stops the start rather than every sign-in.
        redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("ZIMAGE_REDIS_URL is not a Redis address: {e}"))?;
        Ok(Self {
            store: Store::Shared(Shared {
                url: url.to_string(),
                prefix: prefix.to_string(),
                connection: tokio::sync::OnceCell::new(),
                script: redis::Script::new(GCRA_SCRIPT),
                down_until: std::sync::Mutex::new(None),
            }),
        })
    }

    /// Whether the budgets are shared by every replica.
    pub fn is_shared(&self) -> bool {
        matches!(self.store, Store::Shared(_))
    }

    /// One step on `key`; `None` when the shared store failed (logged here).
    async fn apply(&self, key: &str, limit: RateLimit, step: Step) -> Option<Found> {
        let rate = Rate::of(limit);
        match &self.store {
            Store::Local(local) => Some(local.apply(key, rate, step)),
            Store::Shared(shared) => match shared.apply(key, rate, step).await {
                Ok(found) => Some(found),
                Err(err) => {
                    if !err.is::<BackingOff>() {
                        tracing::warn!(error = %err, "rate limits could not be counted in Redis");
                    }
                    None
                }
            },
        }
    }

    /// Counts one request against `key`; `Err` (429) when the budget is spent. One atomic step,
    /// so concurrent requests cannot both take the last unit, on any replica. What is left is
    /// noted for the response's `RateLimit` headers.
    pub async fn check(&self, key: &str, limit: RateLimit, outage: Outage) -> Result<(), ApiError> {
        match self.apply(key, limit, Step::Take).await {
            Some(Found::Room { whole_in_ms }) => {
                note(Quota {
                    limit,
                    remaining: Rate::of(limit).remaining(whole_in_ms),
                    reset: secs(whole_in_ms),
                });
                Ok(())
            }
            Some(Found::Spent { wait_ms }) => Err(ApiError::rate_limited(limit, secs(wait_ms))),
            None => refuse_or_allow(outage),
        }
    }

    /// [`Self::check`] without telling the client: for budgets that are not the caller's own
    /// (the mails one address may receive, whoever asks). `false` while the store is out.
    pub async fn check_quietly(&self, key: &str, limit: RateLimit) -> bool {
        matches!(
            self.apply(key, limit, Step::Take).await,
            Some(Found::Room { .. })
        )
    }

    /// When `key` has spent its budget: the seconds until it has room again. Counts nothing.
    /// `Err` (503) only when the store is out and the budget refuses then.
    pub async fn blocked(
        &self,
        key: &str,
        limit: RateLimit,
        outage: Outage,
    ) -> Result<Option<u64>, ApiError> {
        match self.apply(key, limit, Step::Peek).await {
            Some(Found::Room { .. }) => Ok(None),
            Some(Found::Spent { wait_ms }) => Ok(Some(secs(wait_ms))),
            None => refuse_or_allow(outage).map(|()| None),
        }
    }

    /// Counts one against `key` (e.g. a failed sign-in), spent or not.
    pub async fn count(&self, key: &str, limit: RateLimit) {
        self.apply(key, limit, Step::Count).await;
    }

    /// Takes back one counted against `key` (a reservation that turned out not to be a failure).
    pub async fn uncount(&self, key: &str, limit: RateLimit) {
        self.apply(key, limit, Step::Uncount).await;
    }

    /// Forgets what `key` counted (e.g. its failures, after a success).
    pub async fn clear(&self, key: &str) {
        match &self.store {
            Store::Local(local) => local.clear(key),
            Store::Shared(shared) => {
                if let Err(err) = shared.clear(key).await {
                    tracing::warn!(error = %err, "a rate limit could not be cleared in Redis");
                }
            }
        }
    }
}

fn refuse_or_allow(outage: Outage) -> Result<(), ApiError> {
    match outage {
        Outage::Allow => Ok(()),
        Outage::Refuse => Err(ApiError::unavailable(anyhow::anyhow!(
            "the shared rate-limit store is unreachable"
        ))
        .with_retry_after(5)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn budget_is_per_key_and_refuses_past_the_count() {
        let limiter = RateLimiter::new();
        let limit = RateLimit::per(2, 60);
        assert!(limiter.check("a", limit, Outage::Refuse).await.is_ok());
        assert!(limiter.check("a", limit, Outage::Refuse).await.is_ok());
        assert!(limiter.check("a", limit, Outage::Refuse).await.is_err());
        assert!(limiter.check("b", limit, Outage::Refuse).await.is_ok());
    }

    #[tokio::test]
    async fn failures_counted_apart_block_until_cleared() {
        let limiter = RateLimiter::new();
        let limit = RateLimit::per(2, 60);
        let outage = Outage::Refuse;
        assert_eq!(limiter.blocked("a", limit, outage).await.unwrap(), None);
        limiter.count("a", limit).await;
        limiter.count("a", limit).await;
        let wait = limiter.blocked("a", limit, outage).await.unwrap();
        assert!(wait.is_some_and(|wait| wait <= 30), "{wait:?}");
        assert_eq!(limiter.blocked("b", limit, outage).await.unwrap(), None);
        limiter.uncount("a", limit).await;
        assert_eq!(limiter.blocked("a", limit, outage).await.unwrap(), None);
        limiter.count("a", limit).await;
        limiter.clear("a").await;
        assert_eq!(limiter.blocked("a", limit, outage).await.unwrap(), None);
    }

    #[test]
    fn gcra_lets_the_whole_budget_through_at_once_then_one_per_step() {
        // 3 per 10 s: 3 at once, then one each 3.334 s.
        let rate = Rate::of(RateLimit::per(3, 10));
        let mut tat = None;
        for expected_remaining in [2, 1, 0] {
            let (found, next) = rate.apply(Step::Take, tat, 0);
            let Found::Room { whole_in_ms } = found else {
                panic!("refused early")
            };
            assert_eq!(rate.remaining(whole_in_ms), expected_remaining);
            tat = next;
        }
        let (found, _) = rate.apply(Step::Take, tat, 0);
        assert_eq!(found, Found::Spent { wait_ms: 3_334 });
        let (found, _) = rate.apply(Step::Take, tat, 3_333);
        assert!(matches!(found, Found::Spent { wait_ms: 1 }));
        let (found, _) = rate.apply(Step::Take, tat, 3_334);
        assert!(matches!(found, Found::Room { .. }));
        // Idle for a whole window: the whole budget again, and the key forgotten.
        let (found, kept) = rate.apply(Step::Peek, tat, 20_000);
        assert_eq!(found, Found::Room { whole_in_ms: 0 });
        assert_eq!(kept, None);
    }

    #[tokio::test]
    async fn an_unreachable_store_refuses_or_allows_as_the_budget_says() {
        // A port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let limiter = RateLimiter::shared(&format!("redis://127.0.0.1:{port}"), "t:").unwrap();
        let limit = RateLimit::per(1, 60);
        let refused = limiter.check("a", limit, Outage::Refuse).await.unwrap_err();
        assert_eq!(refused.code(), zimage_shared::ErrorCode::ServiceUnavailable);
        assert!(limiter.check("a", limit, Outage::Allow).await.is_ok());
        assert!(!limiter.check_quietly("a", limit).await);
    }
}
