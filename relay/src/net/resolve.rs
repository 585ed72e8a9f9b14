//! From a server name to the addresses to connect to: the system's resolver, or the one given
//! with `--resolver`. A name that does not exist is told apart from a lookup that failed.

use std::io;
use std::net::{IpAddr, SocketAddr};

use inbox_doctor_errors::Observation;
use tokio::time::Instant;

use super::dns::{Dns, LookupError};
use super::Failed;

/// Resolves `host` (a name or an IP literal) to addresses, before `deadline`.
pub async fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Failed> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match tokio::time::timeout_at(deadline, tokio::net::lookup_host((host, port))).await {
        Err(_) => Err(Failed::new(Observation::DnsFailed).detail("the DNS lookup timed out")),
        Ok(Err(e)) => Err(Failed::new(dns_observation(&e)).detail(e.to_string())),
        Ok(Ok(addrs)) => {
            let mut addrs: Vec<SocketAddr> = addrs.collect();
            addrs.dedup();
            if addrs.is_empty() {
                Err(Failed::new(Observation::DnsNotFound).detail("no addresses"))
            } else {
                Ok(addrs)
            }
        }
    }
}

/// Resolves through `dns` when one is given (`--resolver`), else like [`resolve`].
pub async fn resolve_with(
    dns: Option<&Dns>,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<Vec<SocketAddr>, Failed> {
    let Some(dns) = dns else {
        return resolve(host, port, deadline).await;
    };
    dns.addresses(host, port, deadline).await.map_err(|e| {
        let observation = match e {
            LookupError::NoSuchName | LookupError::NoRecords => Observation::DnsNotFound,
            _ => Observation::DnsFailed,
        };
        Failed::new(observation).detail(format!("{host}: {e}"))
    })
}

/// getaddrinfo's errors reach us as text only; these are glibc's and musl's wordings of
/// "this name does not exist" (EAI_NONAME, EAI_NODATA).
fn dns_observation(e: &io::Error) -> Observation<String> {
    let text = e.to_string().to_ascii_lowercase();
    let not_found = [
        "name or service not known",
        "no address associated with hostname",
        "nodename nor servname provided",
        "name does not resolve",
        "no such host",
    ];
    if not_found.iter().any(|n| text.contains(n)) {
        Observation::DnsNotFound
    } else {
        Observation::DnsFailed
    }
}
