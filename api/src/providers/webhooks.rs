//! Verifying completion webhooks from providers. A verified webhook only tells us *which* task
//! to look at: the outcome is always read back from the provider's API before anything is
//! stored or charged.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Webhooks whose timestamp is further than this from now are refused (replays).
pub const TOLERANCE_SECS: i64 = 300;

/// How long a provider's webhook keys are cached.
const KEYS_TTL: Duration = Duration::from_secs(24 * 3600);

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("the timestamp is too old or in the future")]
    Stale,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the provider's public keys are unavailable")]
    KeysUnavailable,
}

/// fal's message: request id, user id, timestamp and the body's SHA-256, one per line.
fn fal_message(request_id: &str, user_id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    format!(
        "{request_id}\n{user_id}\n{timestamp}\n{}",
        hex::encode(Sha256::digest(body))
    )
    .into_bytes()
}

fn fresh(timestamp: &str, now: i64) -> Result<(), Refused> {
    let ts: i64 = timestamp.trim().parse().map_err(|_| Refused::Stale)?;
    if now.abs_diff(ts) > TOLERANCE_SECS.unsigned_abs() {
        return Err(Refused::Stale);
    }
    Ok(())
}

/// The headers of a fal webhook.
pub struct FalHeaders<'a> {
    pub request_id: &'a str,
    pub user_id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// Checks a fal webhook's Ed25519 signature against any of `keys`, and its timestamp.
pub fn verify_fal(
    headers: &FalHeaders<'_>,
    body: &[u8],
    keys: &[VerifyingKey],
    now: i64,
) -> Result<(), Refused> {
    fresh(headers.timestamp, now)?;
    let raw = hex::decode(headers.signature.trim()).map_err(|_| Refused::BadSignature)?;
    let signature = Signature::from_slice(&raw).map_err(|_| Refused::BadSignature)?;
    let message = fal_message(headers.request_id, headers.user_id, headers.timestamp, body);
    if keys.iter().any(|k| k.verify(&message, &signature).is_ok()) {
        Ok(())
    } else {
        Err(Refused::BadSignature)
    }
}

/// Checks a KIE callback: `base64(HMAC-SHA256(key, "{taskId}.{timestamp}"))`, and its timestamp.
pub fn verify_kie(
    key: &str,
    task_id: &str,
    timestamp: &str,
    signature: &str,
    now: i64,
) -> Result<(), Refused> {
    fresh(timestamp, now)?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| Refused::BadSignature)?;
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).map_err(|_| Refused::BadSignature)?;
    mac.update(format!("{task_id}.{timestamp}").as_bytes());
    mac.verify_slice(&raw).map_err(|_| Refused::BadSignature)
}

/// Checks a Standard Webhooks `v1` signature (Replicate's webhooks): any space-separated `v1,<base64>`
/// entry of `signature` must be `HMAC-SHA256(key, "{id}.{timestamp}.{body}")`, where the key is
/// the base64 text after `whsec_` of one of `secrets`; compared in constant time.
pub fn verify_standard(
    secrets: &[String],
    headers: &StandardHeaders<'_>,
    body: &[u8],
    now: i64,
) -> Result<(), Refused> {
    fresh(headers.timestamp, now)?;
    let keys: Vec<Vec<u8>> = secrets
        .iter()
        .filter_map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s.trim().trim_start_matches("whsec_"))
                .ok()
        })
        .collect();
    let matches = |raw: &[u8]| {
        keys.iter().any(|key| {
            <Hmac<Sha256> as Mac>::new_from_slice(key).is_ok_and(|mut mac| {
                mac.update(headers.id.as_bytes());
                mac.update(b".");
                mac.update(headers.timestamp.trim().as_bytes());
                mac.update(b".");
                mac.update(body);
                mac.verify_slice(raw).is_ok()
            })
        })
    };
    let good = headers
        .signature
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .any(|raw| matches(&raw));
    if good {
        Ok(())
    } else {
        Err(Refused::BadSignature)
    }
}

/// The headers of a Standard Webhooks delivery.
pub struct StandardHeaders<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// Refreshes (a signature that failed with the cached keys) no more often than this, so badly
/// signed notices cannot make us fetch a provider's keys over and over.
const KEYS_MIN_REFRESH: Duration = Duration::from_secs(60);

/// A provider's webhook signing keys, fetched from its API and cached for a day: fal's public
/// keys from its JWKS, Replicate's signing secret. One fetch at a time: notices arriving together
/// while the keys are fetched use the one fetch.
pub struct KeyCache<K> {
    url: String,
    http: reqwest::Client,
    /// Sent as `Authorization: Bearer` (Replicate's secret is read with our API token).
    bearer: Option<crate::config::Secret<String>>,
    /// Reads the keys from the answer.
    parse: fn(&serde_json::Value) -> Vec<K>,
    cache: Mutex<Option<(Instant, Vec<K>)>>,
    fetching: tokio::sync::Mutex<()>,
}

/// fal's webhook public keys.
pub type FalKeys = KeyCache<VerifyingKey>;

/// The Ed25519 keys of a JWKS.
fn jwks_keys(jwks: &serde_json::Value) -> Vec<VerifyingKey> {
    jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|k| k["kty"] == "OKP" && k["crv"] == "Ed25519")
        .filter_map(|k| {
            let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(k["x"].as_str()?.trim_end_matches('='))
                .ok()?;
            VerifyingKey::from_bytes(&x.try_into().ok()?).ok()
        })
        .collect()
}

impl FalKeys {
    pub fn fal(url: String, http: reqwest::Client) -> Self {
        Self::new(url, http, None, jwks_keys)
    }
}

impl<K: Clone> KeyCache<K> {
    pub fn new(
        url: String,
        http: reqwest::Client,
        bearer: Option<crate::config::Secret<String>>,
        parse: fn(&serde_json::Value) -> Vec<K>,
    ) -> Self {
        Self {
            url,
            http,
            bearer,
            parse,
            cache: Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached keys and when they were fetched.
    fn cached(&self) -> Option<(Instant, Vec<K>)> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The keys; `refresh` asks for newer ones than cached (a signature failed with them).
    pub async fn get(&self, refresh: bool) -> Result<Vec<K>, Refused> {
        let usable = |at: Instant, asked: Instant| {
            // Fetched while we waited, or fresh enough for what was asked.
            at >= asked
                || if refresh {
                    at.elapsed() < KEYS_MIN_REFRESH
                } else {
                    at.elapsed() < KEYS_TTL
                }
        };
        let asked = Instant::now();
        if let Some((at, keys)) = self.cached()
            && usable(at, asked)
        {
            return Ok(keys);
        }
        let _flight = self.fetching.lock().await;
        if let Some((at, keys)) = self.cached()
            && usable(at, asked)
        {
            return Ok(keys);
        }
        let mut request = self.http.get(&self.url);
        if let Some(bearer) = &self.bearer {
            request = request.bearer_auth(bearer.expose());
        }
        let answer: serde_json::Value = request
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|_| Refused::KeysUnavailable)?
            .json()
            .await
            .map_err(|_| Refused::KeysUnavailable)?;
        let keys = (self.parse)(&answer);
        if keys.is_empty() {
            return Err(Refused::KeysUnavailable);
        }
        *self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((Instant::now(), keys.clone()));
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_timestamps_are_stale_not_a_panic() {
        for ts in [
            "-9223372036854775808",
            "9223372036854775807",
            "99999999999999999999",
        ] {
            assert!(
                matches!(fresh(ts, 1_700_000_000), Err(Refused::Stale)),
                "{ts}"
            );
        }
        assert!(fresh("1700000299", 1_700_000_000).is_ok());
    }

    #[test]
    fn fal_signatures_match_the_documented_test_vector() {
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode("iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w")
            .unwrap();
        let key = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        let body = br#"{"request_id":"req-1","gateway_request_id":"req-1","status":"OK","payload":{"images":[]}}"#;
        let headers = FalHeaders {
            request_id: "req-1",
            user_id: "user-1",
            timestamp: "1700000000",
            signature: "e0e6365143af483cc61132397715a3d27f9289b4788aecbb5b8493cb8723c2ba01966ad629db5525a4102aa98b5f84e8e0d14742df0007f17f1f24380259ef08",
        };
        assert_eq!(verify_fal(&headers, body, &[key], 1_700_000_100), Ok(()));
        assert_eq!(
            verify_fal(&headers, b"{}", &[key], 1_700_000_100),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            verify_fal(&headers, body, &[key], 1_700_000_000 + TOLERANCE_SECS + 1),
            Err(Refused::Stale)
        );
    }

    #[test]
    fn kie_signatures_match_the_documented_test_vector() {
        let good = "ULlLS6D6rQ3fDquuN6DEiyJtJs4uQ2KlD8A8alFlWQ8=";
        assert_eq!(
            verify_kie(
                "kie_test_key",
                "task_abc123",
                "1700000000",
                good,
                1_700_000_000
            ),
            Ok(())
        );
        assert_eq!(
            verify_kie(
                "kie_test_key",
                "task_other",
                "1700000000",
                good,
                1_700_000_000
            ),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            verify_kie(
                "kie_test_key",
                "task_abc123",
                "1700000000",
                good,
                1_700_009_000
            ),
            Err(Refused::Stale)
        );
    }

    #[test]
    fn standard_webhook_signatures_match_both_test_vectors() {
        let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".to_string();
        let replicate = StandardHeaders {
            id: "msg_p1",
            timestamp: "1700000000",
            signature: "v1,cVh2LDoBkWpT6wI1v/QkYYpBiYq9/dIB+xPNEJ9H/LI=",
        };
        let body = br#"{"id":"p1","status":"succeeded"}"#;
        let secrets = [secret.clone()];
        assert_eq!(
            verify_standard(&secrets, &replicate, body, 1_700_000_000),
            Ok(())
        );
        // The specification's own vector, among other entries (key rotation).
        let official = StandardHeaders {
            id: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            timestamp: "1649367553",
            signature: "v1a,aGVsbG8= v1,bm90IGl0 v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        };
        let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string();
        assert_eq!(
            verify_standard(
                &[other.clone(), secret.clone()],
                &official,
                br#"{"email":"test@example.com","username":"test_user"}"#,
                1_649_367_553
            ),
            Ok(())
        );
        assert_eq!(
            verify_standard(&[other], &replicate, body, 1_700_000_000),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            verify_standard(&secrets, &replicate, br#"{"id":"p2"}"#, 1_700_000_000),
            Err(Refused::BadSignature)
        );
        let renamed = StandardHeaders {
            id: "msg_p2",
            ..replicate
        };
        assert_eq!(
            verify_standard(&secrets, &renamed, body, 1_700_000_000),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            verify_standard(
                &secrets,
                &replicate,
                body,
                1_700_000_000 + TOLERANCE_SECS + 1
            ),
            Err(Refused::Stale)
        );
    }
}
