//! A small HTTPS GET for autoconfig documents. It resolves through discovery's resolver, goes
//! only to public addresses when the relay has an egress policy (the first URL and every
//! redirect, judged on the resolved addresses: see [`egress::filter_public`]), verifies the
//! certificate with the relay's trust roots, and limits everything: the size of the answer,
//! the time, and redirects (three, HTTPS only, no loops). HTTP/1.0 keeps the answer simple: no
//! chunked bodies, the server closes when done.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::autoconfig::valid_host;
use crate::net::dns::{Dns, LookupError};
use crate::net::egress::{self, Refusal};
use crate::net::Network;

/// The most header bytes we read before the body.
const MAX_HEADER_BYTES: usize = 16 * 1024;
const MAX_REDIRECTS: usize = 3;

pub struct Client {
    pub dns: Dns,
    /// The source addresses, and whether there is an egress policy: with one, only public
    /// addresses are fetched from; without one (the command on the user's own machine), any.
    pub net: Network,
    pub tls: Arc<ClientConfig>,
    /// Addresses fetched from as if they were public (see
    /// [`DiscoverConfig::danger_autoconfig_public`](super::DiscoverConfig)).
    pub danger_public: Vec<IpAddr>,
}

/// Why a fetch gave no document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("DNS: {0}")]
    Dns(LookupError),
    /// What a stranger may read of the refusal ([`Refusal::public`]); the rest is logged.
    #[error("{0}")]
    Egress(String),
    #[error("connect: {0}")]
    Connect(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("no complete answer in time")]
    TimedOut,
    /// More than the limit (bytes).
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("HTTP status {0}")]
    Status(u16),
    /// A redirect we do not follow: a loop, too many, or away from HTTPS.
    #[error("redirect not followed: {0}")]
    Redirect(String),
    /// Not an HTTP answer we understand.
    #[error("not a usable HTTP answer: {0}")]
    Malformed(String),
}

impl FetchError {
    /// The server answered, and what it answered is unusable (as opposed to unreachable).
    pub fn is_invalid_answer(&self) -> bool {
        matches!(
            self,
            FetchError::TooLarge(_) | FetchError::Redirect(_) | FetchError::Malformed(_)
        )
    }
}

/// An `https://host/path` URL, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Url {
    host: String,
    path: String,
}

impl Url {
    pub(super) fn parse(url: &str) -> Result<Url, String> {
        let rest = url
            .strip_prefix("https://")
            .ok_or_else(|| format!("{url} is not an https:// URL"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let host = authority.strip_suffix(":443").unwrap_or(authority);
        if !valid_host(host) || host.contains(':') {
            return Err(format!("{url}: only host names on port 443 are followed"));
        }
        if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(format!("{url}: the path has control characters"));
        }
        Ok(Url {
            host: host.to_ascii_lowercase(),
            path: path.to_owned(),
        })
    }

    pub(super) fn text(&self) -> String {
        format!("https://{}{}", self.host, self.path)
    }
}

impl Client {
    /// GETs `url` (https only), following redirects; the body of the 200 answer.
    pub async fn get(
        &self,
        url: &str,
        max: usize,
        deadline: Instant,
    ) -> Result<Vec<u8>, FetchError> {
        let mut url = Url::parse(url).map_err(FetchError::Malformed)?;
        let mut seen = vec![url.text()];
        loop {
            match self.get_once(&url, max, deadline).await? {
                Answer::Body(body) => return Ok(body),
                Answer::Redirect(location) => {
                    let next = if location.starts_with('/') {
                        Url {
                            host: url.host.clone(),
                            path: location,
                        }
                    } else {
                        Url::parse(&location).map_err(FetchError::Redirect)?
                    };
                    if seen.contains(&next.text()) {
                        seen.push(next.text());
                        return Err(FetchError::Redirect(format!(
                            "a loop: {}",
                            seen.join(" → ")
                        )));
                    }
                    seen.push(next.text());
                    if seen.len() > MAX_REDIRECTS + 1 {
                        return Err(FetchError::Redirect(format!(
                            "more than {MAX_REDIRECTS} redirects: {}",
                            seen.join(" → ")
                        )));
                    }
                    url = next;
                }
            }
        }
    }

    async fn get_once(
        &self,
        url: &Url,
        max: usize,
        deadline: Instant,
    ) -> Result<Answer, FetchError> {
        let addrs = self
            .dns
            .addresses(&url.host, 443, deadline)
            .await
            .map_err(FetchError::Dns)?;
        let addrs = self.public(&url.host, addrs)?;
        let connected = self
            .net
            .connect(&addrs, deadline)
            .await
            .map_err(|f| FetchError::Connect(f.detail.unwrap_or_default()))?;
        let name =
            ServerName::try_from(url.host.clone()).map_err(|e| FetchError::Tls(e.to_string()))?;
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let mut stream = match tokio::time::timeout_at(
            deadline,
            connector.connect(name, connected.stream),
        )
        .await
        {
            Err(_) => return Err(FetchError::TimedOut),
            Ok(Err(e)) => return Err(FetchError::Tls(e.to_string())),
            Ok(Ok(s)) => s,
        };
        let request = format!(
            "GET {} HTTP/1.0\r\nHost: {}\r\nAccept: application/xml, text/xml\r\nUser-Agent: inbox-doctor\r\nConnection: close\r\n\r\n",
            url.path, url.host
        );
        let io = async {
            stream.write_all(request.as_bytes()).await?;
            let mut data = Vec::new();
            let limit = (MAX_HEADER_BYTES + max + 1) as u64;
            match (&mut stream).take(limit).read_to_end(&mut data).await {
                Ok(_) => Ok(data),
                // Many servers close without TLS close_notify; what arrived is the answer.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(data),
                Err(e) => Err(e),
            }
        };
        let data = match tokio::time::timeout_at(deadline, io).await {
            Err(_) => return Err(FetchError::TimedOut),
            Ok(Err(e)) => return Err(FetchError::Connect(e.to_string())),
            Ok(Ok(d)) => d,
        };
        answer(&data, max)
    }
}

impl Client {
    /// The addresses of `host` this fetch may use: with an egress policy, the public ones
    /// only (and the `danger_public` ones); without one, all.
    fn public(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, FetchError> {
        if self.net.egress.is_none() {
            return Ok(addrs);
        }
        let (danger, judged): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
            .into_iter()
            .partition(|a| self.danger_public.contains(&a.ip()));
        if !danger.is_empty() {
            return Ok(danger);
        }
        egress::filter_public(host, &judged).map_err(|r: Refusal| {
            tracing::info!(refusal = %r, "autoconfig fetch refused by the public-only rule");
            FetchError::Egress(r.public())
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Answer {
    Body(Vec<u8>),
    Redirect(String),
}

/// Reads an HTTP/1.x answer: the body of a 200, the target of a redirect, or why neither.
pub(super) fn answer(data: &[u8], max: usize) -> Result<Answer, FetchError> {
    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(if data.len() > MAX_HEADER_BYTES {
            FetchError::Malformed(format!("headers longer than {MAX_HEADER_BYTES} bytes"))
        } else {
            FetchError::Malformed("the answer ends inside its headers".into())
        });
    };
    let head = String::from_utf8_lossy(&data[..end]);
    let body = &data[end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|s| s.get(2..5))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| FetchError::Malformed(format!("status line {status_line:?}")))?;
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    match status {
        200 => {
            if header("transfer-encoding").is_some() {
                return Err(FetchError::Malformed(
                    "a transfer-encoded answer to an HTTP/1.0 request".into(),
                ));
            }
            if body.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            if let Some(len) = header("content-length").and_then(|l| l.parse::<usize>().ok()) {
                if body.len() < len {
                    return Err(FetchError::Malformed(format!(
                        "the body ended after {} of {len} bytes",
                        body.len()
                    )));
                }
            }
            Ok(Answer::Body(body.to_vec()))
        }
        301 | 302 | 303 | 307 | 308 => header("location")
            .map(Answer::Redirect)
            .ok_or_else(|| FetchError::Malformed(format!("a {status} without Location"))),
        other => Err(FetchError::Status(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_with_limits() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(answer(ok, 10), Ok(Answer::Body(b"hello".to_vec())));
        assert_eq!(answer(ok, 4), Err(FetchError::TooLarge(4)));
        let short = b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello";
        assert!(matches!(answer(short, 100), Err(FetchError::Malformed(_))));
        let moved = b"HTTP/1.1 301 Moved\r\nlocation: https://b.example/x\r\n\r\n";
        assert_eq!(
            answer(moved, 10),
            Ok(Answer::Redirect("https://b.example/x".into()))
        );
        assert_eq!(
            answer(b"HTTP/1.1 404 Not Found\r\n\r\n", 10),
            Err(FetchError::Status(404))
        );
        assert!(matches!(
            answer(b"SSH-2.0-x\r\n\r\n", 10),
            Err(FetchError::Malformed(_))
        ));
        assert!(matches!(
            answer(b"HTTP/1.1 200", 10),
            Err(FetchError::Malformed(_))
        ));
    }

    #[test]
    fn only_https_urls_on_443_are_followed() {
        assert_eq!(
            Url::parse("https://Autoconfig.Example.com/mail/config-v1.1.xml?emailaddress=a%40b"),
            Ok(Url {
                host: "autoconfig.example.com".into(),
                path: "/mail/config-v1.1.xml?emailaddress=a%40b".into()
            })
        );
        assert!(Url::parse("https://example.com:443/").is_ok());
        assert!(Url::parse("http://example.com/").is_err());
        assert!(Url::parse("https://example.com:8443/").is_err());
        assert!(Url::parse("https://user@example.com/").is_err());
        assert!(Url::parse("https://example.com/a b").is_err());
    }
}
