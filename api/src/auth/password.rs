//! Password hashing (Argon2id, OWASP parameters) and the password policy.

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use std::collections::HashSet;
use std::sync::LazyLock;
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

/// Hashes on a blocking thread: Argon2 is deliberately slow.
pub async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing password: {e}")))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Verifies on a blocking thread. With `hash = None` it still spends the same effort and fails.
pub async fn verify(password: &str, hash: Option<&str>) -> Result<bool, ApiError> {
    let password = password.to_owned();
    let (hash, real) = match hash {
        Some(h) => (h.to_owned(), true),
        None => (DUMMY_HASH.clone().unwrap_or_default(), false),
    };
    let ok = tokio::task::spawn_blocking(move || {
        argon2()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(ApiError::internal)?;
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
}
