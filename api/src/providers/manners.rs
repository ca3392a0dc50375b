//! How politely we treat each provider: when to look at a submitted task again, and how many
//! requests may be under way to it at once. Defaults follow each provider's guidance (KIE asks
//! for checks every 2–3 s with back-off; fal answers status checks cheaply, about once a second
//! is usual); operators can change them per provider.

use anyhow::{Context, bail};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// When to check a submitted task: first after `first`, then every `interval`, each interval
/// `backoff` times the one before, never longer than `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub first: Duration,
    pub interval: Duration,
    pub backoff: f64,
    pub max: Duration,
}

impl Schedule {
    pub const fn fixed(every: Duration) -> Self {
        Self {
            first: every,
            interval: every,
            backoff: 1.0,
            max: every,
        }
    }

    /// The wait before check number `done + 1`, `done` checks having been made.
    pub fn after(&self, done: u32) -> Duration {
        if done == 0 {
            return self.first;
        }
        let grown = self.interval.as_secs_f64() * self.backoff.powi((done - 1).min(64) as i32);
        Duration::from_secs_f64(grown.min(self.max.as_secs_f64()).max(0.001))
    }

    /// Parses `FIRST_MS,INTERVAL_MS,BACKOFF,MAX_MS`, e.g. `2000,2000,1.25,3000`.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let [first, interval, backoff, max] = parts[..] else {
            bail!("expected FIRST_MS,INTERVAL_MS,BACKOFF,MAX_MS, e.g. 2000,2000,1.25,3000");
        };
        let ms = |v: &str| -> anyhow::Result<Duration> {
            let n: u64 = v
                .parse()
                .with_context(|| format!("{v:?} is not milliseconds"))?;
            if n == 0 {
                bail!("intervals must be positive");
            }
            Ok(Duration::from_millis(n))
        };
        let backoff: f64 = backoff
            .parse()
            .ok()
            .filter(|b: &f64| b.is_finite() && (1.0..=10.0).contains(b))
            .context("BACKOFF must be a number from 1 to 10")?;
        let schedule = Self {
            first: ms(first)?,
            interval: ms(interval)?,
            backoff,
            max: ms(max)?,
        };
        if schedule.max < schedule.interval {
            bail!("MAX_MS must be at least INTERVAL_MS");
        }
        Ok(schedule)
    }
}

/// One provider's manners as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Manners {
    pub schedule: Schedule,
    /// Requests (submissions, checks, result fetches, downloads, cancels) under way at once.
    pub max_requests: usize,
}

impl Manners {
    /// The built-in defaults for `provider`.
    pub fn default_for(provider: &str) -> Self {
        let secs = Duration::from_secs;
        let ms = Duration::from_millis;
        match provider {
            "fal" => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 32,
            },
            "kie" => Self {
                schedule: Schedule {
                    first: secs(2),
                    interval: secs(2),
                    backoff: 1.25,
                    max: secs(3),
                },
                max_requests: 16,
            },
            "openai_compatible" => Self {
                schedule: Schedule::fixed(ms(500)),
                max_requests: 8,
            },
            // The built-in renderer says when it will be done, so the interval only paces
            // progress reports.
            _ => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 1024,
            },
        }
    }

    /// Manners for `provider` from `ZIMAGE_<PROVIDER>_POLL_SCHEDULE` and
    /// `ZIMAGE_<PROVIDER>_MAX_REQUESTS`; `every` (`ZIMAGE_POLL_INTERVAL_MS`) replaces every
    /// provider's schedule with a fixed interval.
    pub fn from_env(
        provider: &str,
        get: &dyn Fn(&str) -> Option<String>,
        every: Option<Duration>,
    ) -> anyhow::Result<Self> {
        let prefix = format!("ZIMAGE_{}", provider.to_uppercase());
        let mut manners = Self::default_for(provider);
        let name = format!("{prefix}_POLL_SCHEDULE");
        if let Some(text) = get(&name) {
            manners.schedule =
                Schedule::parse(&text).with_context(|| format!("{name}={text:?}"))?;
        }
        if let Some(every) = every {
            manners.schedule = Schedule::fixed(every);
        }
        let name = format!("{prefix}_MAX_REQUESTS");
        if let Some(text) = get(&name) {
            manners.max_requests = text
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{name} must be a positive whole number, got {text:?}"))?;
        }
        Ok(manners)
    }
}

/// The manners of every provider, with the semaphores that enforce their request caps.
#[derive(Debug, Clone, Default)]
pub struct Etiquette {
    by_provider: HashMap<String, (Manners, Arc<Semaphore>)>,
}

/// The provider names manners are configured for.
pub const PROVIDERS: [&str; 4] = ["local", "fal", "kie", "openai_compatible"];

impl Etiquette {
    pub fn from_env(
        get: &dyn Fn(&str) -> Option<String>,
        every: Option<Duration>,
    ) -> anyhow::Result<Self> {
        let mut by_provider = HashMap::new();
        for name in PROVIDERS {
            let manners = Manners::from_env(name, get, every)?;
            let permits = Arc::new(Semaphore::new(manners.max_requests));
            by_provider.insert(name.to_string(), (manners, permits));
        }
        Ok(Self { by_provider })
    }

    /// The schedule of `provider` (the built-in one's for names not configured).
    pub fn schedule(&self, provider: &str) -> Schedule {
        self.by_provider
            .get(provider)
            .map_or_else(|| Manners::default_for(provider).schedule, |m| m.0.schedule)
    }

    /// Waits for room for one more request to `provider`; the permit frees it when dropped.
    pub async fn request(&self, provider: &str) -> Option<OwnedSemaphorePermit> {
        let permits = self.by_provider.get(provider)?.1.clone();
        permits.acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_back_off_up_to_their_ceiling() {
        let kie = Manners::default_for("kie").schedule;
        let waits: Vec<u128> = (0..5).map(|n| kie.after(n).as_millis()).collect();
        assert_eq!(waits, [2000, 2000, 2500, 3000, 3000]);
        assert_eq!(
            Schedule::parse("500, 1000, 2, 4000").unwrap().after(3),
            Duration::from_secs(4)
        );
        for nonsense in [
            "1,2,3",
            "0,1000,1,1000",
            "100,1000,0.5,1000",
            "100,1000,1,10",
        ] {
            assert!(Schedule::parse(nonsense).is_err(), "{nonsense}");
        }
    }

    #[test]
    fn the_environment_overrides_defaults_per_provider() {
        let env = HashMap::from([
            ("ZIMAGE_FAL_POLL_SCHEDULE", "300,600,1.5,2400"),
            ("ZIMAGE_KIE_MAX_REQUESTS", "3"),
        ]);
        let get = |name: &str| env.get(name).map(|v| (*v).to_string());
        let fal = Manners::from_env("fal", &get, None).unwrap();
        assert_eq!(fal.schedule.after(0), Duration::from_millis(300));
        assert_eq!(fal.max_requests, 32);
        let kie = Manners::from_env("kie", &get, None).unwrap();
        assert_eq!(kie.max_requests, 3);
        let every = Manners::from_env("kie", &get, Some(Duration::from_millis(50))).unwrap();
        assert_eq!(every.schedule, Schedule::fixed(Duration::from_millis(50)));
        let bad = |name: &str| (name == "ZIMAGE_KIE_MAX_REQUESTS").then(|| "0".to_string());
        assert!(Manners::from_env("kie", &bad, None).is_err());
    }
}
