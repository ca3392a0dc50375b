//! Password hashing (Argon2id, OWASP parameters) and the password policy.

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;
use zimage_shared::ErrorCode;
use zimage_shared::validate::{Invalid, check_password_shape};

use crate::error::ApiError;

/// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// A hash of a random password, verified against when no account matches so that
/// "no such e-mail" costs the same time as "wrong password".
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    argon2()
        .hash_password(b"zimage-timing-equaliser")
        .ok()
        .map(|h| h.to_string())
});

/// Applies the whole policy: length, not the e-mail, not a common password, no trivial repeats.
pub fn check_policy(password: &str, email: &str) -> Result<(), Invalid> {
    check_password_shape(password, email)?;
    let lowered = password.to_lowercase();
    let distinct: HashSet<char> = lowered.chars().collect();
    if COMMON.contains(&lowered) || distinct.len() <= 2 {
        return Err(Invalid::PasswordCommon);
    }
    Ok(())
}

/// Runs Argon2 work with at most one hash per core at once and a bounded queue behind it.
///
/// A hash takes tens of milliseconds of CPU and 19 MiB of memory, so a flood of sign-ins must not
/// start them all at once (memory) nor queue them without end (every caller would time out).
/// Callers beyond the queue get 503 with `Retry-After` at once; one that gives up while queued
/// leaves the queue, and a hash already started finishes on its own permit.
pub struct Gate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Leaves the queue when dropped, also when the waiting request is abandoned.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    pub fn new(concurrent: usize, max_waiting: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Runs `work` on a blocking thread once a permit is free, or refuses when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return Err(ApiError::new(
                        ErrorCode::ServiceUnavailable,
                        "too many sign-ins are being checked right now; try again in a second",
                    ));
                }
                let _queued = Queued(&self.waiting);
                self.permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(ApiError::internal)?
            }
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(ApiError::internal)
    }
}

/// The process-wide gate: one hash per core, 32 waiting per core (well under a second's work).
static GATE: LazyLock<Gate> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Gate::new(cores, cores * 32)
});

/// Hashes on a blocking thread behind the gate: Argon2 is deliberately slow.
pub async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    GATE.run(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing password: {e}")))
    })
    .await?
}

/// Verifies on a blocking thread behind the gate. With `hash = None` it still spends the same
/// effort and fails.
pub async fn verify(password: &str, hash: Option<&str>) -> Result<bool, ApiError> {
    let password = password.to_owned();
    let (hash, real) = match hash {
        Some(h) => (h.to_owned(), true),
        None => (DUMMY_HASH.clone().unwrap_or_default(), false),
    };
    let ok = GATE
        .run(move || {
            argon2()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await?;
    Ok(ok && real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_repetitive_passwords_are_refused() {
        assert_eq!(
            check_policy("Password123", "a@b.co"),
            Err(Invalid::PasswordCommon)
        );
        assert_eq!(
            check_policy("abababababab", "a@b.co"),
            Err(Invalid::PasswordCommon)
        );
        assert_eq!(check_policy("glass-otter-harbour", "a@b.co"), Ok(()));
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hashed = hash("glass-otter-harbour").await.unwrap();
        assert!(hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("glass-otter-harbour", Some(&hashed)).await.unwrap());
        assert!(!verify("glass-otter-harbouR", Some(&hashed)).await.unwrap());
        assert!(!verify("glass-otter-harbour", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_gate_refuses_at_once_and_frees_its_queue() {
        let gate = Arc::new(Gate::new(1, 2));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        let busy = {
            let hold = hold.clone();
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.run(move || hold.lock().map(|h| h.recv().is_ok()).unwrap_or(false))
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        // Two fit in the queue behind the running one; the third is refused without waiting.
        let queued: Vec<_> = (0..2)
            .map(|n| {
                let gate = gate.clone();
                tokio::spawn(async move { gate.run(move || n).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let refused = gate.run(|| 9).await.err().map(|e| e.code());
        assert_eq!(refused, Some(ErrorCode::ServiceUnavailable));
        release.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        for (n, q) in queued.into_iter().enumerate() {
            assert_eq!(q.await.unwrap().unwrap(), n);
        }
        // The queue emptied, so the gate admits again.
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
    }
}
