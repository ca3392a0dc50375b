//! Signature headers of incoming webhooks (Stripe's `Stripe-Signature`, fal's Ed25519 headers,
//! KIE's HMAC callback) and providers' `Retry-After`: no input panics, and nothing passes that is
//! stale or not signed with the secret.
//!
//! Input: up to four newline-separated header values, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zimage_api::payments::signature;
use zimage_api::providers::webhooks::{FalHeaders, verify_fal, verify_kie};

const SECRET: &str = "whsec_fuzz";
const NOW: i64 = 1_763_700_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(5, '\n');
    let mut next = || parts.next().unwrap_or("");
    let (a, b, c, d) = (next(), next(), next(), next());
    let body = next().as_bytes();

    if signature::verify(Some(a), body, SECRET, NOW).is_ok() {
        // Only a header carrying the real HMAC for its own timestamp passes.
        let t = a
            .split(',')
            .find_map(|p| p.trim().strip_prefix("t="))
            .and_then(|t| t.parse::<i64>().ok())
            .expect("a passing header has a timestamp");
        assert!((NOW - 300..=NOW + 300).contains(&t), "stale header passed");
        let genuine = signature::sign(SECRET, t, body);
        let v1 = genuine.split_once("v1=").map(|(_, v)| v).unwrap_or("");
        assert!(a.contains(v1), "a forged signature passed");
    }

    if verify_kie(SECRET, a, b, c, NOW).is_ok() {
        let t: i64 = b.trim().parse().expect("a passing callback has a timestamp");
        assert!((NOW - 300..=NOW + 300).contains(&t), "stale callback passed");
    }

    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]).verifying_key();
    let headers = FalHeaders {
        request_id: a,
        user_id: b,
        timestamp: c,
        signature: d,
    };
    // Without the private key nothing can be signed, so nothing may pass.
    assert!(verify_fal(&headers, body, &[key], NOW).is_err());

    if let Ok(value) = reqwest::header::HeaderValue::from_str(a) {
        let mut map = reqwest::header::HeaderMap::new();
        map.insert(reqwest::header::RETRY_AFTER, value);
        let _ = zimage_api::providers::http::retry_after(&map);
    }
});
