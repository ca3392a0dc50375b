//! The relying party for passkeys (WebAuthn): this installation, named by its public URL.

use url::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// The relying party for `public_url`, or `None` where browsers would refuse passkeys: they
/// need a secure context (HTTPS, or `http://localhost`) and a host name, not an IP address, as
/// the relying party's id. Passkeys are bound to that host name: moving the installation to
/// another one leaves them behind.
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let origin = Url::parse(public_url).ok()?;
    let host = origin.domain()?.to_owned();
    let local = host == "localhost" || host.ends_with(".localhost");
    if origin.scheme() != "https" && !(origin.scheme() == "http" && local) {
        return None;
    }
    // The origin browsers report has no path, whatever the public URL has.
    let origin = Url::parse(&origin.origin().ascii_serialization()).ok()?;
    WebauthnBuilder::new(&host, &origin)
        .ok()?
        .rp_name("Z-Image Studio")
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::relying_party;

    #[test]
    fn passkeys_need_a_secure_origin_at_a_host_name() {
        assert!(relying_party("https://images.example.com").is_some());
        assert!(relying_party("https://images.example.com/studio/").is_some());
        assert!(relying_party("http://localhost:8080").is_some());
        assert!(relying_party("http://app.localhost").is_some());
        assert!(relying_party("http://images.example.com").is_none());
        assert!(relying_party("https://192.0.2.7").is_none());
        assert!(relying_party("http://127.0.0.1:9000").is_none());
        assert!(relying_party("not a url").is_none());
    }
}
