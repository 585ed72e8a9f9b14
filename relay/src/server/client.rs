//! Who a request comes from: the key every per-client limit counts by.
//!
//! Behind a TLS-terminating proxy every user shares the proxy's address, so the proxy's word
//! is taken — from the header it writes (`limits.forwarded_header`: `X-Forwarded-For` or
//! `Forwarded`; the other is whatever the client sent) and only from peers the operator listed
//! in `limits.trusted_proxies`. From anyone else the headers are ignored: anyone can send them.
//! IPv6 clients are keyed by their prefix (`limits.ipv6_prefix`), since one host commonly holds
//! a whole /64 and could rotate through it.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use axum::http::HeaderMap;
use forwarded_header_value::ForwardedHeaderValue;
use ipnet::IpNet;

use crate::config::{ForwardedHeader, Limits};

/// A client as the limits see it: an IPv4 address, or an IPv6 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key of the client behind `peer` (the TCP peer) given the request's `headers`.
    pub fn of(peer: IpAddr, headers: &HeaderMap, limits: &Limits) -> ClientKey {
        ClientKey::from_ip(
            client_ip(
                peer,
                headers,
                &limits.trusted_proxies,
                limits.forwarded_header,
            ),
            limits.ipv6_prefix,
        )
    }

    pub fn from_ip(ip: IpAddr, ipv6_prefix: u8) -> ClientKey {
        match canonical(ip) {
            IpAddr::V4(v4) => ClientKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let bits = u32::from(ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                ClientKey(IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)))
            }
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is the IPv4 client it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address: `peer`, or — when `peer` is a trusted proxy — the rightmost address
/// in its forwarding chain that is not itself a trusted proxy. Each proxy appends the address
/// it received from, so everything left of the first untrusted hop was written by someone we
/// cannot believe.
pub fn client_ip(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(chain) = forwarding_chain(headers, header) else {
        return peer;
    };
    for hop in chain.iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => continue,
            Some(ip) => return *ip,
            // An obfuscated or unknown hop: nothing beyond it can be told apart; the last
            // trusted proxy stands for it.
            None => return peer,
        }
    }
    // Every hop is a trusted proxy: the farthest is the client.
    chain.first().copied().flatten().unwrap_or(peer)
}

/// The addresses a trusted proxy says the request passed through, farthest first (`None` for
/// a hop given as `unknown` or an obfuscated name); `None` when there is no usable header.
fn forwarding_chain(headers: &HeaderMap, header: ForwardedHeader) -> Option<Vec<Option<IpAddr>>> {
    let joined = |name: &str| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let parsed = match header {
        ForwardedHeader::Forwarded => ForwardedHeaderValue::from_forwarded(&joined("forwarded")?),
        ForwardedHeader::XForwardedFor => {
            ForwardedHeaderValue::from_x_forwarded_for(&joined("x-forwarded-for")?)
        }
    }
    .ok()?;
    Some(
        parsed
            .iter()
            .map(|stanza| stanza.forwarded_for_ip().map(canonical))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;

    const PROXIES: &[&str] = &["10.0.0.0/8", "2001:db8:ffff::/48"];

    fn trusted() -> Vec<IpNet> {
        PROXIES.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.7"),
            ("forwarded", "for=198.51.100.8"),
        ]);
        assert_eq!(
            client_ip(ip("203.0.113.5"), &h, &trusted(), XFF),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(ip("203.0.113.5"), &h, &[], XFF),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_rightmost_untrusted_hop() {
        // The client forged the first entry; the proxies appended the rest.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.1.1.1")]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &h, &trusted(), XFF),
            ip("198.51.100.7")
        );
        // Several header lines form one list, in order.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "198.51.100.9"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &h, &trusted(), XFF),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn only_the_header_the_proxy_writes_is_read() {
        let h = headers(&[
            (
                "forwarded",
                "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https",
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &h, &trusted(), ForwardedHeader::Forwarded),
            ip("2001:db8:cafe::17")
        );
        // A proxy that appends X-Forwarded-For passes a client's own Forwarded on: the client
        // cannot name itself there.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &h, &trusted(), XFF),
            ip("198.51.100.1")
        );
        let forged = headers(&[("forwarded", "for=203.0.113.66")]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &forged, &trusted(), XFF),
            ip("10.0.0.2"),
            "no X-Forwarded-For: the proxy stands for the client"
        );
    }

    #[test]
    fn unusable_chains_fall_back_to_the_proxy() {
        let proxy = ip("10.0.0.2");
        for h in [
            headers(&[]),
            headers(&[("x-forwarded-for", "not an address")]),
            headers(&[("forwarded", "for=unknown")]),
        ] {
            assert_eq!(client_ip(proxy, &h, &trusted(), XFF), proxy, "{h:?}");
        }
        // A chain of trusted proxies only: the farthest is the client.
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(client_ip(proxy, &h, &trusted(), XFF), ip("10.9.9.9"));
    }

    #[test]
    fn ipv6_clients_share_a_key_per_prefix() {
        let a = ClientKey::from_ip(ip("2001:db8:1:2:aaaa::1"), 64);
        let b = ClientKey::from_ip(ip("2001:db8:1:2:bbbb::9"), 64);
        let c = ClientKey::from_ip(ip("2001:db8:1:3::1"), 64);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "2001:db8:1:2::");
        assert_ne!(
            ClientKey::from_ip(ip("2001:db8:1:2::1"), 128),
            ClientKey::from_ip(ip("2001:db8:1:2::2"), 128)
        );
        // IPv4 by address, also when it arrives mapped into IPv6.
        assert_eq!(
            ClientKey::from_ip(ip("::ffff:192.0.2.1"), 64),
            ClientKey::from_ip(ip("192.0.2.1"), 64)
        );
        assert_ne!(
            ClientKey::from_ip(ip("192.0.2.1"), 64),
            ClientKey::from_ip(ip("192.0.2.2"), 64)
        );
    }
}
