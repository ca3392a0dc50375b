//! Short-lived signed URLs for image files, so `<img src>` and plain links work without an
//! `Authorization` header (browsers, mail clients, third-party apps).
//!
//! The signature is an HMAC-SHA256 over the path and the expiry, keyed by a key derived from the
//! server secret. Expiries are rounded up to the hour so a URL stays the same (and cacheable) for
//! a while; each is valid for one to two hours.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Seconds a URL stays valid at least; the expiry is rounded up to a whole multiple of this.
const LIFETIME_SECS: i64 = 3600;

/// Signs and checks image URLs.
pub struct UrlSigner {
    key: Vec<u8>,
    /// The installation's public address (`ZIMAGE_PUBLIC_URL`): signed URLs are absolute, so
    /// they work as they are wherever they are passed (apps, webhook receivers, mail).
    base: String,
}

impl UrlSigner {
    /// Derives the URL key from the server secret (never the secret itself); URLs start with
    /// `base`.
    pub fn new(secret: &[u8], base: &str) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
        mac.update(b"zimage signed image urls v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    fn mac(&self, path: &str, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// `{base}{path}?expires=…&signature=…`, valid for one to two hours from `now`.
    pub fn sign(&self, path: &str, now: DateTime<Utc>) -> String {
        let expires = (now.timestamp() / LIFETIME_SECS + 2) * LIFETIME_SECS;
        self.signed(path, expires)
    }

    /// `{base}{path}?expires=…&signature=…`, valid for `lifetime_secs` from `now` exactly (not
    /// rounded: for links that must not live long, or must live long).
    pub fn sign_for(&self, path: &str, now: DateTime<Utc>, lifetime_secs: i64) -> String {
        self.signed(path, now.timestamp() + lifetime_secs)
    }

    fn signed(&self, path: &str, expires: i64) -> String {
        let signature = hex::encode(self.mac(path, expires).finalize().into_bytes());
        format!(
            "{}{path}?expires={expires}&signature={signature}",
            self.base
        )
    }

    /// Whether `signature` was made by [`UrlSigner::sign`] for `path` and has not expired.
    pub fn verify(&self, path: &str, expires: i64, signature: &str, now: DateTime<Utc>) -> bool {
        if expires < now.timestamp() {
            return false;
        }
        let Ok(raw) = hex::decode(signature) else {
            return false;
        };
        // Constant-time comparison.
        self.mac(path, expires).verify_slice(&raw).is_ok()
    }
}

impl UrlSigner {
    fn share_mac(&self, id: uuid::Uuid) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(b"share\n");
        mac.update(id.as_bytes());
        mac
    }

    /// The public token of a share: its id and a MAC of it (never stored anywhere).
    pub fn share_token(&self, id: uuid::Uuid) -> String {
        let mac = hex::encode(self.share_mac(id).finalize().into_bytes());
        format!("{}{}", id.simple(), &mac[..32])
    }

    fn tagged_mac(&self, tag: &[u8], id: uuid::Uuid) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(tag);
        mac.update(id.as_bytes());
        mac
    }

    /// The unsubscribe token of a person's marketing mail: works logged out, never expires,
    /// does nothing but switch marketing e-mail off.
    pub fn unsubscribe_token(&self, user_id: uuid::Uuid) -> String {
        let mac = hex::encode(
            self.tagged_mac(b"unsubscribe\n", user_id)
                .finalize()
                .into_bytes(),
        );
        format!("{}{}", user_id.simple(), &mac[..32])
    }

    /// The person an unsubscribe token names; `None` for anything else.
    pub fn unsubscribe_user(&self, token: &str) -> Option<uuid::Uuid> {
        if token.len() != 64 || !token.is_ascii() {
            return None;
        }
        let id = uuid::Uuid::parse_str(&token[..32]).ok()?;
        let given = hex::decode(&token[32..]).ok()?;
        self.tagged_mac(b"unsubscribe\n", id)
            .verify_truncated_left(&given)
            .ok()?;
        Some(id)
    }

    /// A stable stand-in for an erased person's id on the records kept after erasure (payment
    /// records, the erasure request, the audit log): the same person always maps to the same
    /// value, and without the server secret it cannot be traced back.
    pub fn pseudonym(&self, user_id: uuid::Uuid) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(b"pseudonym\n");
        mac.update(user_id.as_bytes());
        format!("erased-{}", &hex::encode(mac.finalize().into_bytes())[..32])
    }

    fn device_mac(&self, email: &str, nonce: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(b"device\n");
        mac.update(email.as_bytes());
        mac.update(b"\n");
        mac.update(nonce.as_bytes());
        mac
    }

    /// A token marking this browser or app as one that signed in to `email` (normalised) before:
    /// a random device id and a MAC binding it to the address.
    pub fn device_token(&self, email: &str) -> String {
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let mac = hex::encode(self.device_mac(email, &nonce).finalize().into_bytes());
        format!("{nonce}{}", &mac[..32])
    }

    /// The device id in `token` when it was made for `email`; `None` for anything else.
    pub fn device_of(&self, token: &str, email: &str) -> Option<String> {
        if token.len() != 64 || !token.is_ascii() {
            return None;
        }
        let (nonce, mac) = token.split_at(32);
        let given = hex::decode(mac).ok()?;
        self.device_mac(email, nonce)
            .verify_truncated_left(&given)
            .ok()?;
        Some(nonce.to_string())
    }

    /// The share id inside a token made by [`UrlSigner::share_token`]; `None` for anything else.
    pub fn share_id(&self, token: &str) -> Option<uuid::Uuid> {
        let (id, given) = split_token(token)?;
        // Constant-time comparison of the truncated MAC.
        self.share_mac(id).verify_truncated_left(&given).ok()?;
        Some(id)
    }

    /// The public token of a collection's link (tagged apart from image links, so neither kind
    /// opens the other).
    pub fn collection_share_token(&self, id: uuid::Uuid) -> String {
        let mac = hex::encode(
            self.tagged_mac(b"collection-share\n", id)
                .finalize()
                .into_bytes(),
        );
        format!("{}{}", id.simple(), &mac[..32])
    }

    /// The collection share a token names, if it is genuine.
    pub fn collection_share_id(&self, token: &str) -> Option<uuid::Uuid> {
        let (id, given) = split_token(token)?;
        self.tagged_mac(b"collection-share\n", id)
            .verify_truncated_left(&given)
            .ok()?;
        Some(id)
    }
}

/// A link token: 32 hex digits of id, then 32 of truncated MAC.
fn split_token(token: &str) -> Option<(uuid::Uuid, Vec<u8>)> {
    if token.len() != 64 || !token.is_ascii() {
        return None;
    }
    let id = uuid::Uuid::parse_str(&token[..32]).ok()?;
    let given = hex::decode(&token[32..]).ok()?;
    Some((id, given))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const BASE: &str = "https://images.example.com";

    fn parts(url: &str) -> (String, i64, String) {
        let (path, query) = url.strip_prefix(BASE).unwrap().split_once('?').unwrap();
        let mut expires = 0;
        let mut signature = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("expires", v) => expires = v.parse().unwrap(),
                ("signature", v) => signature = v.into(),
                _ => {}
            }
        }
        (path.into(), expires, signature)
    }

    #[test]
    fn urls_verify_until_they_expire_and_only_for_their_path() {
        let signer = UrlSigner::new(b"server secret", BASE);
        let now = Utc::now();
        let url = signer.sign("/v1/images/1/file", now);
        let (path, expires, signature) = parts(&url);
        assert!(expires - now.timestamp() >= LIFETIME_SECS);
        assert!(signer.verify(&path, expires, &signature, now));
        assert!(!signer.verify("/v1/images/2/file", expires, &signature, now));
        assert!(!signer.verify(&path, expires + 1, &signature, now));
        assert!(!signer.verify(&path, expires, "00", now));
        assert!(!signer.verify(&path, expires, &signature, now + Duration::hours(3)));
        assert!(!UrlSigner::new(b"other", BASE).verify(&path, expires, &signature, now));
        assert_eq!(
            url,
            signer.sign("/v1/images/1/file", now),
            "stable within the hour"
        );
    }

    #[test]
    fn share_tokens_carry_their_id_and_cannot_be_forged() {
        let signer = UrlSigner::new(b"server secret", BASE);
        let id = uuid::Uuid::new_v4();
        let token = signer.share_token(id);
        assert_eq!(token.len(), 64);
        assert_eq!(signer.share_id(&token), Some(id));
        let other = uuid::Uuid::new_v4();
        let forged = format!("{}{}", other.simple(), &token[32..]);
        assert_eq!(signer.share_id(&forged), None);
        assert_eq!(UrlSigner::new(b"other", BASE).share_id(&token), None);
        assert_eq!(signer.share_id("short"), None);
        assert_eq!(signer.share_id(&"é".repeat(32)), None);
    }
}
