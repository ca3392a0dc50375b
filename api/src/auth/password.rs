//! Password hashing (Argon2id, OWASP parameters) and the password policy.

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use zimage_shared::validate::{Invalid, check_password_shape};

use crate::error::ApiError;
use crate::gate::Gate;

/// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST, T_COST, 1, None).unwrap_or_default();
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

/// Argon2 memory in 1 KiB blocks (`m`), passes (`t`) and lanes (`p`): OWASP's recommendation.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;

/// Work for a hashing thread, given the thread's own Argon2 memory.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// A fixed set of hashing threads, one per core, each owning one Argon2 memory area that every
/// hash it computes reuses. Memory for hashing is therefore allocated once (19 MiB per core) and
/// never grows with the number of sign-ins, nor stays behind after a burst: allocating 19 MiB per
/// verification on whichever blocking thread was free left each allocator arena holding its own
/// copy (200 concurrent failed sign-ins: +570 MiB that stayed).
struct Hashers {
    jobs: std::sync::mpsc::Sender<Job>,
    /// Admission: one job per thread at once, a bounded queue behind them.
    gate: Gate,
}

static HASHERS: LazyLock<Hashers> = LazyLock::new(|| {
    let threads = Gate::cores();
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let queue = Arc::new(std::sync::Mutex::new(queue));
    for n in 0..threads {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                let mut memory = vec![Block::new(); M_COST as usize];
                loop {
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(&mut memory),
                        Err(_) => return,
                    }
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "could not start a password hashing thread");
        }
    }
    Hashers {
        jobs,
        // 32 waiting per core is well under a second's work; nobody waits longer than 5 s.
        gate: Gate::new(
            threads,
            threads * 32,
            std::time::Duration::from_secs(5),
            "too many sign-ins are being checked right now; try again in a second",
        ),
    }
});

/// Runs `work` on a hashing thread once admitted.
async fn on_hasher<T: Send + 'static>(
    work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let hashers = &*HASHERS;
    let admitted = hashers.gate.admit().await?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    // The slot is held by the job, not the request: a caller that goes away leaves its hash to
    // finish on the slot, so abandoned requests cannot pile up work behind the gate.
    let job: Job = Box::new(move |memory| {
        let _admitted = admitted;
        let _ = reply.send(work(memory));
    });
    hashers
        .jobs
        .send(job)
        .map_err(|_| ApiError::internal(anyhow::anyhow!("the hashing threads have stopped")))?;
    answer.await.map_err(ApiError::internal)
}

/// Argon2id of `password` with a fresh salt, in the PHC string format, computed in `memory`.
fn hash_in(password: &[u8], memory: &mut [Block]) -> Result<String, argon2::Error> {
    use base64::Engine;
    let salt: [u8; 16] = rand::random();
    let mut out = [0u8; 32];
    argon2().hash_password_into_with_memory(password, &salt, &mut out, memory)?;
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    Ok(format!(
        "$argon2id$v=19$m={M_COST},t={T_COST},p=1${}${}",
        b64.encode(salt),
        b64.encode(out)
    ))
}

/// Whether `password` matches the PHC string `hash`, computed in `memory` when it is large
/// enough (hashes made with more memory than ours allocate their own).
fn verify_in(password: &[u8], hash: &str, memory: &mut [Block]) -> bool {
    use subtle::ConstantTimeEq;
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let blocks = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let computed = match memory.get_mut(..blocks) {
        Some(memory) => {
            hasher.hash_password_into_with_memory(password, salt.as_ref(), &mut out, memory)
        }
        None => hasher.hash_password_into(password, salt.as_ref(), &mut out),
    };
    computed.is_ok() && bool::from(out.ct_eq(expected.as_bytes()))
}

/// Hashes on a hashing thread: Argon2 is deliberately slow.
pub async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    on_hasher(move |memory| {
        hash_in(password.as_bytes(), memory)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing password: {e}")))
    })
    .await?
}

/// Verifies on a hashing thread. With `hash = None` it still spends the same effort and fails.
pub async fn verify(password: &str, hash: Option<&str>) -> Result<bool, ApiError> {
    let password = password.to_owned();
    let (hash, real) = match hash {
        Some(h) => (h.to_owned(), true),
        None => (DUMMY_HASH.clone().unwrap_or_default(), false),
    };
    let ok = on_hasher(move |memory| verify_in(password.as_bytes(), &hash, memory)).await?;
    Ok(ok && real)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

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

    #[test]
    fn our_hashes_are_standard_phc_strings_the_argon2_crate_verifies() {
        let mut memory = vec![Block::new(); M_COST as usize];
        let ours = hash_in(b"glass-otter-harbour", &mut memory).unwrap();
        assert!(
            argon2()
                .verify_password(b"glass-otter-harbour", ours.as_str())
                .is_ok()
        );
        assert!(
            argon2()
                .verify_password(b"glass-otter-harbouR", ours.as_str())
                .is_err()
        );
        // And the crate's own hashes (as stored by earlier versions) verify here.
        let theirs = argon2()
            .hash_password(b"glass-otter-harbour")
            .unwrap()
            .to_string();
        assert!(verify_in(b"glass-otter-harbour", &theirs, &mut memory));
        assert!(!verify_in(b"glass-otter-harbouR", &theirs, &mut memory));
        // A hash made with more memory than a thread keeps still verifies (allocating its own).
        let stronger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"glass-otter-harbour")
        .unwrap()
        .to_string();
        assert!(verify_in(b"glass-otter-harbour", &stronger, &mut memory));
        assert!(!verify_in(
            b"glass-otter-harbour",
            "$argon2id$v=19$nonsense",
            &mut memory
        ));
    }
}
