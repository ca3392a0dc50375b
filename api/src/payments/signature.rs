//! `Stripe-Signature` verification: HMAC-SHA256 over `"{t}.{raw body}"` with the endpoint
//! secret, any of several `v1` signatures may match (secret rotation), 300 s tolerance.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far a signature's timestamp may be from now.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    Stale,
    Mismatch,
}

impl SignatureError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "the Stripe-Signature header is missing",
            Self::Malformed => "the Stripe-Signature header is malformed",
            Self::Stale => "the signature timestamp is outside the tolerance",
            Self::Mismatch => "no signature matches the payload",
        }
    }
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Signs like Stripe does (used by tests and the local test server).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// Checks `header` against the raw `body`.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut schemes_v1 = 0;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t),
            // A `v1` that is not hex cannot match; like Stripe's own libraries, skip it and
            // try the others rather than refuse the header.
            Some(("v1", sig)) => {
                schemes_v1 += 1;
                if let Ok(sig) = hex::decode(sig) {
                    candidates.push(sig);
                }
            }
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    let t: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
    if schemes_v1 == 0 {
        return Err(SignatureError::Malformed);
    }
    if now.abs_diff(t) > TOLERANCE_SECS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected: [u8; 32] = mac(secret, timestamp, body).finalize().into_bytes().into();
    if candidates
        .iter()
        .any(|c| bool::from(c.as_slice().ct_eq(&expected[..])))
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_timestamps_are_stale_not_a_panic() {
        let header = format!("t={},v1={}", i64::MIN, "00".repeat(32));
        assert!(matches!(
            verify(Some(&header), b"{}", "whsec_x", 1_700_000_000),
            Err(SignatureError::Stale)
        ));
    }

    #[test]
    fn matches_the_published_test_vector() {
        let header = sign(
            "whsec_test_secret",
            1_700_000_000,
            br#"{"id":"evt_test","object":"event"}"#,
        );
        assert_eq!(
            header,
            "t=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724"
        );
    }

    #[test]
    fn any_v1_may_match_and_tampering_fails() {
        let body = br#"{"id":"evt_1"}"#;
        let good = sign("whsec_a", 1000, body);
        let sig = good.split("v1=").nth(1).unwrap();
        let rotated = format!("t=1000,v1={},v1={sig},v0=abc", "00".repeat(32));
        assert_eq!(verify(Some(&rotated), body, "whsec_a", 1100), Ok(()));
        // A non-hex v1 beside a valid one is skipped, as Stripe's libraries do.
        let noisy = format!("t=1000,v1=not-hex,v1={sig}");
        assert_eq!(verify(Some(&noisy), body, "whsec_a", 1100), Ok(()));
        assert_eq!(
            verify(Some("t=1000,v1=zz"), body, "whsec_a", 1100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), br#"{"id":"evt_2"}"#, "whsec_a", 1100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), body, "whsec_b", 1100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), body, "whsec_a", 1000 + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(None, body, "whsec_a", 1000),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("garbage"), body, "whsec_a", 1000),
            Err(SignatureError::Malformed)
        );
    }
}
