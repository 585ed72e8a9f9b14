//! Egress policy: where the relay may connect on a stranger's behalf.
//!
//! Mail ports only; no loopback, private, link-local, CGNAT, multicast, unspecified,
//! documentation, benchmarking, reserved or cloud-metadata addresses unless the operator allows
//! them. The check is made on resolved addresses (so `2130706433`, `0x7f.1` or a name that
//! resolves to 127.0.0.1 are all loopback), IPv4-mapped, -compatible, NAT64 and 6to4 IPv6
//! addresses are judged by the IPv4 address inside, and the engine connects to exactly the
//! addresses that passed (no second lookup).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// The ports a mail client uses.
pub const MAIL_PORTS: [u16; 6] = [143, 993, 25, 465, 587, 2525];

/// Operator settings of the policy (the `[egress]` table of the config file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EgressConfig {
    /// Ports the relay may connect to.
    pub ports: Vec<u16>,
    /// Address ranges allowed although they are private, loopback… (on-prem installs).
    pub allow_cidrs: Vec<IpNet>,
    /// Host names allowed whatever they resolve to (exact, case-insensitive).
    pub allow_hosts: Vec<String>,
    /// Local addresses to connect from (the seeds' "static IP addresses").
    pub source_ipv4: Option<Ipv4Addr>,
    pub source_ipv6: Option<Ipv6Addr>,
    /// Addresses the test email may go to besides the mailbox itself.
    pub allow_recipients: Vec<String>,
}

impl Default for EgressConfig {
    fn default() -> EgressConfig {
        EgressConfig {
            ports: MAIL_PORTS.to_vec(),
            allow_cidrs: Vec::new(),
            allow_hosts: Vec::new(),
            source_ipv4: None,
            source_ipv6: None,
            allow_recipients: Vec::new(),
        }
    }
}

/// Why an address is not public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Range {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    Cgnat,
    Multicast,
    Broadcast,
    Documentation,
    Benchmarking,
    Reserved,
    /// Cloud instance metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200…).
    Metadata,
    UniqueLocal,
}

/// A refusal, with the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    Port {
        port: u16,
        allowed: Vec<u16>,
    },
    Address {
        host: String,
        address: IpAddr,
        range: Range,
    },
    NotResolved {
        host: String,
        error: String,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Port { port, allowed } => {
                let list: Vec<String> = allowed.iter().map(u16::to_string).collect();
                write!(
                    f,
                    "port {port} is not a mail port this relay connects to (allowed: {})",
                    list.join(", ")
                )
            }
            Refusal::Address {
                host,
                address,
                range,
            } => {
                let range = serde_json::to_value(range)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_default();
                if host.trim_matches(['[', ']']) == address.to_string() {
                    write!(
                        f,
                        "{address} is a {range} address this relay does not connect to"
                    )
                } else {
                    write!(
                        f,
                        "{host} is {address}, a {range} address this relay does not connect to"
                    )
                }
            }
            Refusal::NotResolved { host, error } => write!(f, "{host} did not resolve: {error}"),
        }
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// What a stranger is told: the name they gave and that the policy does not allow it,
    /// never what it resolved to (that would map the operator's network for them). The full
    /// [`Display`](std::fmt::Display) goes to the relay's log and to `egress-check`.
    pub fn public(&self) -> String {
        match self {
            Refusal::Port { port, .. } => {
                format!("port {port} is not allowed by this relay's policy")
            }
            Refusal::Address { host, .. } | Refusal::NotResolved { host, .. } => {
                format!("{host}: this server is not allowed by this relay's policy")
            }
        }
    }
}

/// The policy, ready to judge addresses.
#[derive(Clone, Debug)]
pub struct EgressPolicy {
    config: EgressConfig,
}

impl EgressPolicy {
    pub fn new(config: EgressConfig) -> EgressPolicy {
        EgressPolicy { config }
    }

    pub fn config(&self) -> &EgressConfig {
        &self.config
    }

    pub fn check_port(&self, port: u16) -> Result<(), Refusal> {
        if self.config.ports.contains(&port) {
            Ok(())
        } else {
            Err(Refusal::Port {
                port,
                allowed: self.config.ports.clone(),
            })
        }
    }

    /// Judges one resolved address of `host`.
    pub fn check_address(&self, host: &str, addr: SocketAddr) -> Result<(), Refusal> {
        self.check_port(addr.port())?;
        self.check_ip(host, addr.ip())
    }

    /// Judges the address alone, as the operator allows it.
    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), Refusal> {
        if self
            .config
            .allow_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host.trim_end_matches('.')))
        {
            return Ok(());
        }
        let canonical = canonical(ip);
        if self
            .config
            .allow_cidrs
            .iter()
            .any(|net| net.contains(&canonical))
        {
            return Ok(());
        }
        match range_of(canonical) {
            None => Ok(()),
            Some(range) => Err(Refusal::Address {
                host: host.to_owned(),
                address: ip,
                range,
            }),
        }
    }

    /// Keeps the addresses the policy allows; refuses when none is left (naming the first).
    pub fn filter(&self, host: &str, addrs: &[SocketAddr]) -> Result<Vec<SocketAddr>, Refusal> {
        filter_with(addrs, |a| self.check_address(host, a))
    }

    /// Whether the test email may go to `recipient` for the mailbox `email`.
    pub fn recipient_allowed(&self, email: &str, recipient: &str) -> bool {
        recipient.eq_ignore_ascii_case(email)
            || self
                .config
                .allow_recipients
                .iter()
                .any(|r| r.eq_ignore_ascii_case(recipient))
    }

    /// Resolves and filters, as the engine will connect: the same lookup, the same addresses.
    pub async fn resolve(
        &self,
        host: &str,
        port: u16,
        deadline: tokio::time::Instant,
    ) -> Result<Vec<SocketAddr>, Refusal> {
        self.check_port(port)?;
        let addrs = super::resolve::resolve(host, port, deadline)
            .await
            .map_err(|f| Refusal::NotResolved {
                host: host.to_owned(),
                error: f.detail.unwrap_or_else(|| "not found".into()),
            })?;
        self.filter(host, &addrs)
    }
}

/// Keeps the addresses `check` passes; refuses when none is left (naming the first refusal).
fn filter_with(
    addrs: &[SocketAddr],
    check: impl Fn(SocketAddr) -> Result<(), Refusal>,
) -> Result<Vec<SocketAddr>, Refusal> {
    let mut allowed = Vec::new();
    let mut first_refusal = None;
    for &a in addrs {
        match check(a) {
            Ok(()) => allowed.push(a),
            Err(r) => {
                first_refusal.get_or_insert(r);
            }
        }
    }
    match (allowed.is_empty(), first_refusal) {
        (true, Some(r)) => Err(r),
        _ => Ok(allowed),
    }
}

/// The public addresses of `host`, for discovery's HTTPS fetches of autoconfig documents: the
/// public-only rule, whatever `allow_cidrs` and `allow_hosts` say. Those let an on-prem relay
/// reach the mail servers its operator named; a document's URL and every redirect after it are
/// written by whoever controls a stranger's domain, and the relay reports what it fetched. An
/// operator's allowance would let them make the relay GET an intranet page and read the answer.
/// The port is ours (always 443), so only the addresses are judged.
pub fn filter_public(host: &str, addrs: &[SocketAddr]) -> Result<Vec<SocketAddr>, Refusal> {
    filter_with(addrs, |a| match range_of(a.ip()) {
        None => Ok(()),
        Some(range) => Err(Refusal::Address {
            host: host.to_owned(),
            address: a.ip(),
            range,
        }),
    })
}

/// IPv6 forms that carry an IPv4 address are judged by that address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                IpAddr::V4(Ipv4Addr::new(
                    (hi >> 8) as u8,
                    hi as u8,
                    (lo >> 8) as u8,
                    lo as u8,
                ))
            };
            if let Some(v4) = v6.to_ipv4_mapped() {
                IpAddr::V4(v4)
            } else if s[..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1) {
                // IPv4-compatible (deprecated), but not :: or ::1.
                embedded(s[6], s[7])
            } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                // NAT64 well-known prefix.
                embedded(s[6], s[7])
            } else if s[0] == 0x2002 {
                // 6to4.
                embedded(s[1], s[2])
            } else {
                ip
            }
        }
    }
}

/// The non-public range an address is in, or `None` for a public address.
pub fn range_of(ip: IpAddr) -> Option<Range> {
    match canonical(ip) {
        IpAddr::V4(v4) => range_v4(v4),
        IpAddr::V6(v6) => range_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn range_v4(ip: Ipv4Addr) -> Option<Range> {
    let table: [([u8; 4], u32, Range); 18] = [
        ([169, 254, 169, 254], 32, Range::Metadata),
        ([100, 100, 100, 200], 32, Range::Metadata),
        ([192, 0, 0, 192], 32, Range::Metadata),
        ([0, 0, 0, 0], 8, Range::Unspecified),
        ([127, 0, 0, 0], 8, Range::Loopback),
        ([10, 0, 0, 0], 8, Range::Private),
        ([172, 16, 0, 0], 12, Range::Private),
        ([192, 168, 0, 0], 16, Range::Private),
        ([169, 254, 0, 0], 16, Range::LinkLocal),
        ([100, 64, 0, 0], 10, Range::Cgnat),
        ([224, 0, 0, 0], 4, Range::Multicast),
        ([255, 255, 255, 255], 32, Range::Broadcast),
        ([240, 0, 0, 0], 4, Range::Reserved),
        ([192, 0, 2, 0], 24, Range::Documentation),
        ([198, 51, 100, 0], 24, Range::Documentation),
        ([203, 0, 113, 0], 24, Range::Documentation),
        ([198, 18, 0, 0], 15, Range::Benchmarking),
        ([192, 0, 0, 0], 24, Range::Reserved),
    ];
    table
        .iter()
        .find(|(net, bits, _)| in_v4(ip, *net, *bits))
        .map(|(_, _, r)| *r)
}

fn range_v6(ip: Ipv6Addr) -> Option<Range> {
    let s = ip.segments();
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        return Some(Range::Metadata);
    }
    if ip.is_unspecified() {
        return Some(Range::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Range::Loopback);
    }
    Some(match s[0] {
        x if x & 0xffc0 == 0xfe80 => Range::LinkLocal,
        x if x & 0xffc0 == 0xfec0 => Range::Private, // deprecated site-local
        x if x & 0xfe00 == 0xfc00 => Range::UniqueLocal,
        x if x & 0xff00 == 0xff00 => Range::Multicast,
        0x2001 if s[1] == 0x0db8 => Range::Documentation,
        0x3fff if s[1] & 0xf000 == 0 => Range::Documentation, // 3fff::/20
        0x2001 if s[1] == 0x0002 && s[2] == 0 => Range::Benchmarking,
        0x0100 if s[1..4] == [0, 0, 0] => Range::Reserved, // discard-only 100::/64
        0x2001 if s[1] < 0x0200 => Range::Reserved,        // IETF protocol assignments
        _ if s[0] & 0xe000 != 0x2000 => Range::Reserved,   // outside global unicast 2000::/3
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_fetches_get_public_addresses_only_whatever_the_operator_allows() {
        let a = |s: &str| SocketAddr::new(s.parse().unwrap(), 443);
        let mixed = [a("10.1.2.3"), a("93.184.215.14")];
        assert_eq!(filter_public("x.example", &mixed), Ok(vec![mixed[1]]));
        for internal in ["127.0.0.1", "10.0.0.1", "::ffff:169.254.169.254", "fd00::1"] {
            let refused = filter_public("intranet.example", &[a(internal)]).unwrap_err();
            assert!(matches!(refused, Refusal::Address { .. }), "{internal}");
        }
        // The operator's allowance for mail servers does not reach the fetches.
        let policy = EgressPolicy::new(EgressConfig {
            allow_cidrs: vec!["10.0.0.0/8".parse().unwrap()],
            allow_hosts: vec!["intranet.example".into()],
            ..EgressConfig::default()
        });
        let mail = SocketAddr::new("10.0.0.1".parse().unwrap(), 993);
        assert!(policy.filter("intranet.example", &[mail]).is_ok());
        assert!(filter_public("intranet.example", &[a("10.0.0.1")]).is_err());
    }

    #[test]
    fn strangers_hear_the_name_they_gave_never_the_address() {
        let refusal = Refusal::Address {
            host: "intranet.example".into(),
            address: "10.1.2.3".parse().unwrap(),
            range: Range::Private,
        };
        assert!(refusal.to_string().contains("10.1.2.3"));
        let told = refusal.public();
        assert_eq!(
            told,
            "intranet.example: this server is not allowed by this relay's policy"
        );
        let port = Refusal::Port {
            port: 22,
            allowed: vec![993, 10_143],
        };
        assert!(!port.public().contains("10143"), "{}", port.public());
    }

    #[test]
    fn ranges() {
        let cases: &[(&str, Option<Range>)] = &[
            ("8.8.8.8", None),
            ("127.0.0.1", Some(Range::Loopback)),
            ("169.254.169.254", Some(Range::Metadata)),
            ("::ffff:127.0.0.1", Some(Range::Loopback)),
            ("::127.0.0.1", Some(Range::Loopback)),
            ("64:ff9b::a00:1", Some(Range::Private)),
            ("2002:a00:1::", Some(Range::Private)),
            ("2606:4700:4700::1111", None),
            ("fd00:ec2::254", Some(Range::Metadata)),
        ];
        for (ip, want) in cases {
            assert_eq!(range_of(ip.parse().unwrap()), *want, "{ip}");
        }
    }
}
