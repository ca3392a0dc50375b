//! Secrets we must be able to read back (webhook signing secrets) are stored sealed:
//! AES-256-GCM under a key from configuration (`ZIMAGE_ENCRYPTION_KEY`, else derived from the
//! server secret), bound to the row they belong to. A copy of the database alone does not give
//! them away.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Marks a sealed value (version 1: AES-256-GCM, 96-bit random nonce, base64).
const PREFIX: &str = "sealed:v1:";

pub struct Sealer {
    key: LessSafeKey,
}

impl Sealer {
    /// From 32 bytes of key material.
    pub fn new(material: &[u8; 32]) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, material).unwrap_or_else(|_| unreachable!());
        Self {
            key: LessSafeKey::new(key),
        }
    }

    /// A key derived from the server secret (never the secret itself).
    pub fn derived(secret: &[u8]) -> Self {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
        mac.update(b"zimage sealed secrets v1");
        Self::new(&mac.finalize().into_bytes().into())
    }

    /// `plain` sealed for the row `bound_to` (it opens for that row only).
    pub fn seal(&self, plain: &str, bound_to: &[u8]) -> String {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(bound_to),
                &mut data,
            )
            .unwrap_or_else(|_| unreachable!());
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&data);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
        )
    }

    /// Whether a stored value is sealed (values stored before sealing existed are not).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// The plain value of a stored one: opened when sealed, as it is otherwise. `None` when it
    /// does not open (another key, another row, or tampered with).
    pub fn open(&self, stored: &str, bound_to: &[u8]) -> Option<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Some(stored.to_string());
        };
        let raw = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(encoded)
            .ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(bound_to), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_and_row_only() {
        let sealer = Sealer::derived(b"server secret");
        let sealed = sealer.seal("whsec_abc", b"row-1");
        assert!(Sealer::is_sealed(&sealed));
        assert!(!sealed.contains("whsec_abc"));
        assert_ne!(
            sealed,
            sealer.seal("whsec_abc", b"row-1"),
            "a fresh nonce each time"
        );
        assert_eq!(sealer.open(&sealed, b"row-1").as_deref(), Some("whsec_abc"));
        assert_eq!(sealer.open(&sealed, b"row-2"), None);
        assert_eq!(
            Sealer::derived(b"other secret").open(&sealed, b"row-1"),
            None
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sealer.open(&tampered, b"row-1"), None);
        // Values stored before sealing read as they are.
        assert_eq!(
            sealer.open("whsec_old", b"row-1").as_deref(),
            Some("whsec_old")
        );
    }
}
