//! DNS (SRV, MX and address records) through hickory's resolver: the system's configuration,
//! or one name server given with `--resolver`. Every lookup has a deadline. Also the rules of
//! an email domain's name, which stored settings and discovery share.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::lookup::Lookup;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use tokio::time::Instant;

/// A resolver. Cheap to clone.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
    /// The server given with `--resolver`, for `Debug`.
    server: Option<SocketAddr>,
}

/// Why a lookup found nothing usable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The name does not exist (NXDOMAIN).
    #[error("no such name")]
    NoSuchName,
    /// The name exists without records of this type.
    #[error("no records")]
    NoRecords,
    /// A CNAME chain that comes back to itself.
    #[error("CNAME loop: {0}")]
    Loop(String),
    #[error("no answer in time")]
    TimedOut,
    #[error("{0}")]
    Failed(String),
}

/// One SRV target, in the order RFC 2782 says to try them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrvTarget {
    pub priority: u16,
    pub weight: u16,
    pub host: String,
    pub port: u16,
}

/// What an SRV name says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Srv {
    Targets(Vec<SrvTarget>),
    /// A single record with the target "." (RFC 2782): the service is decidedly not offered.
    NotOffered,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.server {
            Some(s) => write!(f, "Dns({s})"),
            None => f.write_str("Dns(system)"),
        }
    }
}

impl Dns {
    /// The system's resolver configuration (`/etc/resolv.conf`).
    pub fn system() -> Result<Dns, String> {
        let builder = TokioResolver::builder_tokio()
            .map_err(|e| format!("reading the system's DNS configuration: {e}"))?;
        Dns::finish(builder, None)
    }

    /// One name server, over UDP with TCP for long answers.
    pub fn at(server: SocketAddr) -> Result<Dns, String> {
        let mut ns = NameServerConfig::udp_and_tcp(server.ip());
        for c in &mut ns.connections {
            c.port = server.port();
        }
        let config = ResolverConfig::from_name_servers(vec![ns]);
        let builder = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        Dns::finish(builder, Some(server))
    }

    fn finish(
        mut builder: hickory_resolver::ResolverBuilder<TokioRuntimeProvider>,
        server: Option<SocketAddr>,
    ) -> Result<Dns, String> {
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = Duration::from_secs(2);
        opts.attempts = 2;
        // Names are always absolute here: no search-list guesses.
        opts.ndots = 0;
        Ok(Dns {
            resolver: builder
                .build()
                .map_err(|e| format!("setting up the resolver: {e}"))?,
            server,
        })
    }

    /// The SRV records of `name` (`_imaps._tcp.example.com`), ordered by priority, then weight.
    pub async fn srv(&self, name: &str, deadline: Instant) -> Result<Srv, LookupError> {
        let lookup = self.lookup(name, deadline, Kind::Srv).await?;
        let mut targets: Vec<SrvTarget> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::SRV(s) => Some(SrvTarget {
                    priority: s.priority,
                    weight: s.weight,
                    host: host_of(&s.target.to_ascii()),
                    port: s.port,
                }),
                _ => None,
            })
            .collect();
        if targets.len() == 1 && targets[0].host.is_empty() {
            return Ok(Srv::NotOffered);
        }
        targets.retain(|t| !t.host.is_empty());
        // Higher weight first within a priority: the share RFC 2782's random pick gives it.
        targets.sort_by_key(|t| (t.priority, std::cmp::Reverse(t.weight)));
        Ok(Srv::Targets(targets))
    }

    /// The MX hosts of `domain`, most preferred first.
    pub async fn mx(&self, domain: &str, deadline: Instant) -> Result<Vec<String>, LookupError> {
        let lookup = self.lookup(domain, deadline, Kind::Mx).await?;
        let mut hosts: Vec<(u16, String)> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::MX(m) => Some((m.preference, host_of(&m.exchange.to_ascii()))),
                _ => None,
            })
            .filter(|(_, h)| !h.is_empty())
            .collect();
        hosts.sort();
        hosts.dedup_by(|a, b| a.1 == b.1);
        Ok(hosts.into_iter().map(|(_, h)| h).collect())
    }

    /// The addresses of `host` (a name or an IP literal), with `port`.
    pub async fn addresses(
        &self,
        host: &str,
        port: u16,
        deadline: Instant,
    ) -> Result<Vec<SocketAddr>, LookupError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let lookup = self.lookup(host, deadline, Kind::Ip).await?;
        let addrs: Vec<SocketAddr> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            })
            .map(|ip| SocketAddr::new(ip, port))
            .collect();
        if addrs.is_empty() {
            Err(LookupError::NoRecords)
        } else {
            Ok(addrs)
        }
    }

    async fn lookup(
        &self,
        name: &str,
        deadline: Instant,
        kind: Kind,
    ) -> Result<Lookup, LookupError> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let work = async {
            match kind {
                Kind::Srv => self.resolver.srv_lookup(fqdn.as_str()).await,
                Kind::Mx => self.resolver.mx_lookup(fqdn.as_str()).await,
                Kind::Ip => self
                    .resolver
                    .lookup_ip(fqdn.as_str())
                    .await
                    .map(|l| l.as_lookup().clone()),
            }
        };
        let lookup = match tokio::time::timeout_at(deadline, work).await {
            Err(_) => return Err(LookupError::TimedOut),
            Ok(Err(e)) => {
                let error = lookup_error(&e);
                // The resolver gives up on a CNAME loop without saying so: look for one.
                if error == LookupError::NoRecords {
                    if let Some(chain) = self.cname_loop(&fqdn, deadline).await {
                        return Err(LookupError::Loop(chain));
                    }
                }
                return Err(error);
            }
            Ok(Ok(l)) => l,
        };
        let wanted = lookup.answers().iter().any(|r| {
            matches!(
                (&r.data, kind),
                (RData::SRV(_), Kind::Srv)
                    | (RData::MX(_), Kind::Mx)
                    | (RData::A(_) | RData::AAAA(_), Kind::Ip)
            )
        });
        if wanted {
            Ok(lookup)
        } else {
            Err(LookupError::NoRecords)
        }
    }
}

impl Dns {
    /// Follows the CNAME chain from `name` (at most eight links); the chain when it loops.
    async fn cname_loop(&self, name: &str, deadline: Instant) -> Option<String> {
        let mut chain = vec![host_of(name)];
        for _ in 0..8 {
            let at = format!("{}.", chain.last()?);
            let lookup = tokio::time::timeout_at(
                deadline,
                self.resolver.lookup(at.as_str(), RecordType::CNAME),
            )
            .await
            .ok()?
            .ok()?;
            let next = lookup.answers().iter().find_map(|r| match &r.data {
                RData::CNAME(c) => Some(host_of(&c.0.to_ascii())),
                _ => None,
            })?;
            let looped = chain.contains(&next);
            chain.push(next);
            if looped {
                return Some(chain.join(" → "));
            }
        }
        None
    }
}

/// `domain` in lowercase ASCII, without a trailing dot: internationalised names (`blåbær.no`)
/// become their punycode form (`xn--blbr-roah.no`), which is what DNS and stored settings use.
fn ascii_domain(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.');
    if domain.is_ascii() {
        return Some(domain.to_ascii_lowercase());
    }
    let name = hickory_resolver::proto::rr::Name::from_utf8(domain).ok()?;
    Some(name.to_ascii().trim_end_matches('.').to_ascii_lowercase())
}

/// `domain` as an email domain: lowercase ASCII without a trailing dot, at least two labels of
/// letters, digits and inner hyphens; or why it is not one.
pub fn domain_name(domain: &str) -> Result<String, &'static str> {
    let d = ascii_domain(domain).ok_or("not a valid internationalised domain name")?;
    if d.is_empty() || d.len() > 253 {
        return Err("it must have 1 to 253 characters");
    }
    if !d.contains('.') {
        return Err("it needs at least two labels, like example.com");
    }
    for label in d.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("each label must have 1 to 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("only letters, digits, '-' and '.'");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label cannot start or end with '-'");
        }
    }
    Ok(d)
}

#[derive(Clone, Copy)]
enum Kind {
    Srv,
    Mx,
    Ip,
}

/// A DNS name as a host: no trailing dot, lowercase; "" for the root (".").
fn host_of(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn lookup_error(e: &NetError) -> LookupError {
    if e.is_nx_domain() {
        LookupError::NoSuchName
    } else if e.is_no_records_found() {
        LookupError::NoRecords
    } else if matches!(e, NetError::Timeout) {
        LookupError::TimedOut
    } else {
        LookupError::Failed(e.to_string())
    }
}
