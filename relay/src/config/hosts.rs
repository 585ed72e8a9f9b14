//! Names and origins in the configuration (`limits.public_hosts`, `limits.allowed_origins`),
//! parsed into values so that the checks using them compare values, not spellings: `[::1]` and
//! `[0::1]` are one address, `HTTPS://Help.Example.com:443/` and `https://help.example.com` one
//! origin. Both end up in response headers too (the page's `Content-Security-Policy`), so an
//! entry that is not a plain name or origin is refused when the configuration is loaded.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// A host as a `Host` header names it: a name or an address, with a port or without. As a
/// `limits.public_hosts` entry, no port means any port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    /// Lowercase; an IPv6 address in brackets, in its canonical spelling.
    pub name: String,
    pub port: Option<u16>,
}

impl HostPort {
    /// `relay.example.com`, `relay.example.com:8443`, `127.0.0.1:8080`, `[::1]:8080`, in any
    /// case; `None` for anything else: a scheme, a path, user information, an empty name, an
    /// IPv6 address without brackets, port 0.
    pub fn parse(s: &str) -> Option<HostPort> {
        if let Some(rest) = s.strip_prefix('[') {
            let (address, after) = rest.split_once(']')?;
            let address: Ipv6Addr = address.parse().ok()?;
            let port = match after {
                "" => None,
                p => Some(port(p.strip_prefix(':')?)?),
            };
            return Some(HostPort {
                name: format!("[{address}]"),
                port,
            });
        }
        let (name, port) = match s.split_once(':') {
            Some((name, p)) => (name, Some(port(p)?)),
            None => (s, None),
        };
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_');
        if name.is_empty() || name.len() > 253 || !name.bytes().all(plain) {
            return None;
        }
        Some(HostPort {
            name: name.to_ascii_lowercase(),
            port,
        })
    }

    /// The host a socket address is reached at.
    pub fn of(ip: IpAddr, port: u16) -> HostPort {
        let name = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        HostPort {
            name,
            port: Some(port),
        }
    }

    /// Whether a request for `host` is one for this entry: the same name, and the same port
    /// unless the entry names none.
    pub fn admits(&self, host: &HostPort) -> bool {
        self.name == host.name && (self.port.is_none() || self.port == host.port)
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A web origin: `http` or `https` and a host, the port left out when it is the scheme's
/// default (as browsers send it in `Origin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    pub host: HostPort,
}

impl Origin {
    /// `https://help.example.com`, `http://127.0.0.1:8080` (one trailing `/` allowed); `None`
    /// for other schemes, paths, `*`, `null`.
    pub fn parse(s: &str) -> Option<Origin> {
        let s = s.strip_suffix('/').unwrap_or(s);
        let (scheme, rest) = s.split_once("://")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let mut host = HostPort::parse(rest)?;
        if host.port == Some(if https { 443 } else { 80 }) {
            host.port = None;
        }
        Some(Origin { https, host })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        write!(f, "{scheme}://{}", self.host)
    }
}

fn port(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|p| *p != 0)
}

/// Every entry of `public_hosts` and `allowed_origins` parses; the error names the first that
/// does not.
pub fn check(public_hosts: &[String], allowed_origins: &[String]) -> Result<(), String> {
    if let Some(bad) = public_hosts.iter().find(|h| HostPort::parse(h).is_none()) {
        return Err(format!(
            "limits.public_hosts: {bad:?} is not a host or host:port (e.g. \"relay.example.com\" or \"[::1]:8080\")"
        ));
    }
    if let Some(bad) = allowed_origins.iter().find(|o| Origin::parse(o).is_none()) {
        return Err(format!(
            "limits.allowed_origins: {bad:?} is not an origin (e.g. \"https://help.example.com\": a scheme and a host, no path)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> HostPort {
        HostPort::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn hosts_parse_into_one_spelling() {
        assert_eq!(host("Relay.Example.COM").to_string(), "relay.example.com");
        assert_eq!(host("relay.example.com:8443").port, Some(8443));
        assert_eq!(host("[0:0::1]:8080").to_string(), "[::1]:8080");
        assert_eq!(host("[::1]").port, None);
        assert_eq!(HostPort::of("::1".parse().unwrap(), 80), host("[::1]:80"));
        for bad in [
            "",
            ":80",
            "::1",
            "[::1]x",
            "[nope]:1",
            "relay.example.com:0",
            "relay.example.com:99999",
            "relay.example.com:",
            "https://relay.example.com",
            "relay.example.com/ws",
            "user@relay.example.com",
            "relay example",
            "relay;example",
        ] {
            assert_eq!(HostPort::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_entry_without_a_port_admits_any_port() {
        assert!(host("relay.example.com").admits(&host("relay.example.com:8443")));
        assert!(host("relay.example.com:8443").admits(&host("RELAY.example.com:8443")));
        assert!(!host("relay.example.com:8443").admits(&host("relay.example.com:8444")));
        assert!(!host("relay.example.com:8443").admits(&host("relay.example.com")));
        assert!(!host("relay.example.com").admits(&host("evil.example")));
    }

    #[test]
    fn origins_compare_as_browsers_send_them() {
        let o = |s: &str| Origin::parse(s).unwrap_or_else(|| panic!("{s} parses"));
        assert_eq!(
            o("HTTPS://Help.Example.com:443/"),
            o("https://help.example.com")
        );
        assert_eq!(
            o("http://127.0.0.1:8080").to_string(),
            "http://127.0.0.1:8080"
        );
        assert_ne!(o("http://help.example.com"), o("https://help.example.com"));
        for bad in [
            "*",
            "null",
            "help.example.com",
            "ftp://help.example.com",
            "https://help.example.com/path",
            "https://help.example.com; script-src *",
            "https://",
        ] {
            assert_eq!(Origin::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_check_names_the_bad_entry() {
        assert!(check(&["relay.example.com".into()], &["https://a.example".into()]).is_ok());
        let e = check(&["https://relay.example.com".into()], &[]).unwrap_err();
        assert!(
            e.contains("limits.public_hosts") && e.contains("https://relay"),
            "{e}"
        );
        let e = check(&[], &["https://a.example/x".into()]).unwrap_err();
        assert!(e.contains("limits.allowed_origins"), "{e}");
    }
}
