//! Time-based one-time passwords (RFC 6238, over RFC 4226's HOTP) as every authenticator app
//! reads them from an `otpauth://` URI: HMAC-SHA-1, 6 digits, 30-second steps, a 160-bit secret.

use aws_lc_rs::hmac;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of secret (RFC 4226 recommends 160 bits).
pub const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    rand::random()
}

/// The HOTP value of `counter` (RFC 4226 §5.3), `digits` digits long.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let hash = tag.as_ref();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let value = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!(
        "{:0width$}",
        value % 10u32.pow(digits),
        width = digits as usize
    )
}

/// The step that `unix_secs` falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The step whose code `code` is, among the current one and one either side (an authenticator
/// whose clock is a little off, or a code typed as its step ended), and only if it is later than
/// `after`: a code that was accepted once is never accepted again.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: i64, after: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_secs);
    // Every candidate is computed and compared, so the time taken tells nothing.
    let mut found = None;
    for step in now - 1..=now + 1 {
        let Ok(counter) = u64::try_from(step) else {
            continue;
        };
        let expected = hotp(secret, counter, DIGITS);
        let equal: bool =
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
        if equal && step > after && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The code for the step that `unix_secs` falls in (what an authenticator app shows).
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    hotp(
        secret,
        u64::try_from(step_at(unix_secs)).unwrap_or(0),
        DIGITS,
    )
}

/// RFC 4648 base32, upper case, without padding: the form authenticator apps take secrets in.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The bytes of a base32 secret written by [`base32`]; `None` if it is not one.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app scans (Google's Key Uri Format, which every app
/// reads): the label names the site and the account.
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let encode = |text: &str| {
        url::form_urlencoded::byte_serialize(text.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        encode(issuer),
        encode(account),
        encode(issuer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, Appendix B: the SHA-1 test vectors (8 digits, the ASCII secret below).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let counter = u64::try_from(step_at(time)).unwrap();
            assert_eq!(hotp(secret, counter, 8), expected, "at {time}");
        }
    }

    /// RFC 4226, Appendix D: HOTP values for counters 0 to 9.
    #[test]
    fn rfc_4226_test_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), *code);
        }
    }

    /// RFC 4648, section 10 (without the padding).
    #[test]
    fn base32_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
            assert_eq!(from_base32(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(from_base32("mzxw"), None);
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_once() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&secret, now);
        assert_eq!(matching_step(&secret, &code, now, 0), Some(step_at(now)));
        assert_eq!(
            matching_step(&secret, &code, now + STEP_SECS, 0),
            Some(step_at(now))
        );
        assert_eq!(matching_step(&secret, &code, now + 2 * STEP_SECS, 0), None);
        // Once accepted, neither it nor an earlier step's code works again.
        assert_eq!(matching_step(&secret, &code, now, step_at(now)), None);
        assert_eq!(
            matching_step(&secret, &format!("{} {}", &code[..3], &code[3..]), now, 0),
            Some(step_at(now))
        );
        assert_eq!(matching_step(&secret, "12345", now, 0), None);
        assert_eq!(matching_step(&secret, "abcdef", now, 0), None);
    }

    #[test]
    fn the_uri_names_the_site_and_the_account() {
        assert_eq!(
            otpauth_uri("Z-Image Studio", "ada+art@example.org", "MZXW6YTBOI"),
            "otpauth://totp/Z-Image%20Studio:ada%2Bart%40example.org?secret=MZXW6YTBOI&issuer=Z-Image%20Studio&algorithm=SHA1&digits=6&period=30"
        );
    }
}
