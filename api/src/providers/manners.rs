//! How politely we treat each provider: when to look at a submitted task again, how many
//! requests may be under way to it at once, how many of its tasks may be in flight, and when to
//! stop submitting to it for a while (its circuit breaker). Defaults follow each provider's
//! guidance (KIE asks for checks every 2–3 s with back-off; fal answers status checks cheaply,
//! about once a second is usual); operators can change them per provider.

use anyhow::{Context, bail};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::breaker::{Breaker, BreakerSettings};

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
    /// Tasks submitted and not yet ended (across all processes); more wait in the queue.
    pub max_in_flight: Option<u32>,
    pub breaker: BreakerSettings,
}

impl Manners {
    /// The built-in defaults for `provider`.
    pub fn default_for(provider: &str) -> Self {
        let secs = Duration::from_secs;
        let ms = Duration::from_millis;
        let breaker = BreakerSettings {
            failures: 5,
            cooldown: secs(30),
        };
        match provider {
            "fal" => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 32,
                max_in_flight: Some(200),
                breaker,
            },
            "kie" => Self {
                schedule: Schedule {
                    first: secs(2),
                    interval: secs(2),
                    backoff: 1.25,
                    max: secs(3),
                },
                max_requests: 16,
                max_in_flight: Some(200),
                breaker,
            },
            // Usually the operator's own model server, one call per image batch.
            "openai_compatible" => Self {
                schedule: Schedule::fixed(ms(500)),
                max_requests: 8,
                max_in_flight: Some(16),
                breaker,
            },
            // The operator's GPUs: each runs one prompt at a time and keeps the rest in its own
            // queue; a check reads its in-memory history (and queue), so checks are cheap.
            "comfyui" => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 16,
                max_in_flight: Some(64),
                breaker,
            },
            // Replicate allows 600 predictions created and 3000 reads a minute; Z-Image Turbo
            // takes a second or two there.
            "replicate" => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 16,
                max_in_flight: Some(200),
                breaker,
            },
            // sd-server queues up to 64 jobs itself and answers 429 beyond: stay under that.
            "sdcpp" => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 8,
                max_in_flight: Some(32),
                breaker,
            },
            // The built-in renderer says when it will be done, so the interval only paces
            // progress reports; its work is bounded by the image-work slots, and it cannot be
            // down.
            _ => Self {
                schedule: Schedule::fixed(secs(1)),
                max_requests: 1024,
                max_in_flight: None,
                breaker: BreakerSettings {
                    failures: 0,
                    cooldown: secs(30),
                },
            },
        }
    }

    /// Manners for `provider` from `ZIMAGE_<PROVIDER>_POLL_SCHEDULE`, `_MAX_REQUESTS`,
    /// `_MAX_IN_FLIGHT` (0: no cap) and `_BREAKER` (`FAILURES,COOLDOWN_MS`); `every`
    /// (`ZIMAGE_POLL_INTERVAL_MS`) replaces every provider's schedule with a fixed interval.
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
        let name = format!("{prefix}_MAX_IN_FLIGHT");
        if let Some(text) = get(&name) {
            let cap = text.parse::<u32>().with_context(|| {
                format!("{name} must be a whole number (0: no cap), got {text:?}")
            })?;
            manners.max_in_flight = (cap > 0).then_some(cap);
        }
        let name = format!("{prefix}_BREAKER");
        if let Some(text) = get(&name) {
            manners.breaker =
                BreakerSettings::parse(&text).with_context(|| format!("{name}={text:?}"))?;
        }
        Ok(manners)
    }
}

/// The providers this build can run (the names manners are configured for).
pub const PROVIDERS: [&str; 7] = [
    "local",
    "fal",
    "kie",
    "openai_compatible",
    "comfyui",
    "sdcpp",
    "replicate",
];

/// Every provider's manners as configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MannersTable(HashMap<String, Manners>);

impl MannersTable {
    pub fn from_env(
        get: &dyn Fn(&str) -> Option<String>,
        every: Option<Duration>,
    ) -> anyhow::Result<Self> {
        let mut table = HashMap::new();
        for name in PROVIDERS {
            table.insert(name.to_string(), Manners::from_env(name, get, every)?);
        }
        Ok(Self(table))
    }
}

/// One provider's manners at work: its request permits and its circuit breaker.
#[derive(Debug)]
struct Kept {
    manners: Manners,
    permits: Arc<Semaphore>,
    breaker: Breaker,
}

/// This process's manners towards every provider: schedules, request permits, breakers, caps.
#[derive(Debug, Default)]
pub struct Etiquette {
    by_provider: HashMap<String, Kept>,
    /// Providers with a cap on tasks in flight, and their caps (fixed by configuration).
    caps: (Vec<String>, Vec<i64>),
}

impl Etiquette {
    pub fn new(table: &MannersTable) -> Self {
        let by_provider = table
            .0
            .iter()
            .map(|(name, manners)| {
                let kept = Kept {
                    manners: manners.clone(),
                    permits: Arc::new(Semaphore::new(manners.max_requests)),
                    breaker: Breaker::new(manners.breaker),
                };
                (name.clone(), kept)
            })
            .collect::<HashMap<_, _>>();
        let caps = by_provider
            .iter()
            .filter_map(|(name, k)| Some((name.clone(), i64::from(k.manners.max_in_flight?))))
            .unzip();
        Self { by_provider, caps }
    }

    /// The schedule of `provider` (the built-in one's for names not configured).
    pub fn schedule(&self, provider: &str) -> Schedule {
        self.by_provider.get(provider).map_or_else(
            || Manners::default_for(provider).schedule,
            |k| k.manners.schedule,
        )
    }

    /// Waits for room for one more request to `provider`; the permit frees it when dropped.
    pub async fn request(&self, provider: &str) -> Option<OwnedSemaphorePermit> {
        let permits = self.by_provider.get(provider)?.permits.clone();
        permits.acquire_owned().await.ok()
    }

    /// The circuit breaker of `provider`.
    pub fn breaker(&self, provider: &str) -> Option<&Breaker> {
        self.by_provider.get(provider).map(|k| &k.breaker)
    }

    /// Providers whose breaker is open here: their jobs are not claimed for now.
    pub fn resting(&self) -> Vec<String> {
        self.by_provider
            .iter()
            .filter(|(_, k)| k.breaker.is_open())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// How long until the first open breaker lets a probe through, if any is open.
    pub fn next_reopening(&self) -> Option<Duration> {
        self.by_provider
            .values()
            .filter_map(|k| k.breaker.reopens_in())
            .min()
    }

    /// Providers with a cap on tasks in flight, and their caps.
    pub fn caps(&self) -> &(Vec<String>, Vec<i64>) {
        &self.caps
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
        let env = HashMap::from([
            ("ZIMAGE_FAL_MAX_IN_FLIGHT", "0"),
            ("ZIMAGE_KIE_MAX_IN_FLIGHT", "7"),
            ("ZIMAGE_KIE_BREAKER", "2,1500"),
        ]);
        let get = |name: &str| env.get(name).map(|v| (*v).to_string());
        let table = MannersTable::from_env(&get, None).unwrap();
        let etiquette = Etiquette::new(&table);
        let (names, caps) = etiquette.caps();
        let mut names = names.clone();
        names.sort();
        assert_eq!(
            names,
            ["comfyui", "kie", "openai_compatible", "replicate", "sdcpp"],
            "fal uncapped, local never"
        );
        assert!(caps.contains(&7));
        let kie = Manners::from_env("kie", &get, None).unwrap();
        assert_eq!(
            kie.breaker,
            BreakerSettings {
                failures: 2,
                cooldown: Duration::from_millis(1500)
            }
        );
    }
}
