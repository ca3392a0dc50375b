//! Requests the server makes to addresses others chose (webhook endpoints, provider result
//! URLs): one address policy for all of them.
//!
//! Only global unicast addresses are reachable. Every form that wraps an IPv4 address in IPv6 is
//! unwrapped or refused (IPv4-mapped is checked as the IPv4 address; NAT64, 6to4, Teredo and
//! IPv4-compatible are refused, since they reach IPv4 hosts through gateways), and the host is
//! resolved once and the connection pinned to the checked address, with no proxy in between.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // Global unicast is 2000::/3; everything else (loopback, unspecified, IPv4-compatible
    // `::a.b.c.d`, NAT64 `64:ff9b::/96`, unique local, link local, site local `fec0::/10`,
    // multicast) is not.
    (s[0] & 0xe000) == 0x2000
        && !(s[0] == 0x2001 && s[1] < 0x0200) // 2001::/23 IETF assignments (Teredo, benchmarking…)
        && !(s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        && s[0] != 0x2002 // 6to4: an IPv4 address behind a gateway
        && (s[0] & 0xfff0) != 0x3ff0 // 3fff::/20 documentation
}

/// Whether `ip` is a global unicast address anyone may make us connect to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// Resolves `url`'s host; with `allow_private` false, refuses it unless every address it has is
/// public. Returns the address to connect to, so the check cannot be dodged by re-resolving.
pub async fn resolve_public(url: &reqwest::Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("needs a host")?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|_| format!("the host {host:?} does not resolve"))?
        .collect();
    let first = *addrs
        .first()
        .ok_or_else(|| format!("the host {host:?} does not resolve"))?;
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err("must not point to a private, loopback, link-local or reserved address".into());
    }
    Ok(first)
}

/// A client that connects to `url`'s host at `address` only: no proxy (an `HTTP(S)_PROXY` in
/// the environment would reach the host by name, past the check), no redirects (each hop must be
/// checked by the caller).
pub fn pinned_client(
    url: &reqwest::Url,
    address: SocketAddr,
    connect_timeout: std::time::Duration,
    timeout: std::time::Duration,
    user_agent: &str,
) -> reqwest::Result<reqwest::Client> {
    crate::providers::http::install_crypto();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .resolve(url.host_str().unwrap_or_default(), address)
        .user_agent(user_agent)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_global_unicast_is_public_in_every_spelling() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "198.18.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b::8.8.8.8",
            "2002:7f00:1::1",
            "2001::1",
            "2001:db8::1",
            "3fff::1",
        ] {
            assert!(!is_public(refused.parse().unwrap()), "{refused}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "::ffff:8.8.8.8",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn numeric_host_spellings_are_read_as_the_addresses_they_are() {
        // The URL parser normalises decimal, octal and hex IPv4 hosts before we look.
        for (url, ip) in [
            ("http://2130706433/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://[::ffff:7f00:1]/", "::ffff:127.0.0.1"),
        ] {
            let parsed = reqwest::Url::parse(url).unwrap();
            let host: IpAddr = parsed
                .host_str()
                .unwrap()
                .trim_matches(['[', ']'])
                .parse()
                .unwrap();
            assert_eq!(host, ip.parse::<IpAddr>().unwrap(), "{url}");
            assert!(!is_public(host));
        }
    }
}
