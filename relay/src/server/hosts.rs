//! Which names the relay answers to on `/ws` and `/api/*`.
//!
//! A browser's same-origin rule goes by names, not addresses. A page at `evil.example:8080`
//! whose name is then pointed at the relay's address (DNS rebinding) is, in the browser's eyes,
//! talking to its own origin: it could open `/ws` as if it were the relay's page (the Origin
//! check sees the same name on both sides) and read `/api/*` without CORS. Its requests still
//! say `Host: evil.example:8080`, so the two doors admit only the names in
//! `limits.public_hosts` — by default the address the relay listens on, and the loopback names
//! on its port — and refuse the rest with a typed error (`host_not_allowed`): a socket gets an
//! `error` message, the API a 421 with a JSON body.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use inbox_doctor_errors::{ErrorCode, ProtocolError};

use super::api::ApiError;
use super::AppState;
use crate::config::hosts::HostPort;

/// The names the relay admits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicHosts(Vec<HostPort>);

impl PublicHosts {
    /// `configured` (`limits.public_hosts`, checked when the configuration was loaded), or,
    /// when empty, the address the relay is bound to and the loopback names on its port.
    pub fn new(configured: &[String], bound: SocketAddr) -> PublicHosts {
        if !configured.is_empty() {
            return PublicHosts(
                configured
                    .iter()
                    .filter_map(|h| HostPort::parse(h))
                    .collect(),
            );
        }
        let port = bound.port();
        let mut hosts = vec![HostPort::of(bound.ip(), port)];
        for name in ["localhost", "127.0.0.1", "[::1]"] {
            let host = HostPort {
                name: name.into(),
                port: Some(port),
            };
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        PublicHosts(hosts)
    }

    /// Whether a request for `host` (a `Host` header's value) is one for the relay.
    pub fn admits(&self, host: &str) -> bool {
        HostPort::parse(host).is_some_and(|h| self.admits_host(&h))
    }

    pub fn admits_host(&self, host: &HostPort) -> bool {
        self.0.iter().any(|entry| entry.admits(host))
    }

    /// The request's host when it is one the relay serves.
    pub fn served(&self, headers: &HeaderMap, uri: &Uri) -> Option<HostPort> {
        requested(headers, uri)
            .and_then(HostPort::parse)
            .filter(|h| self.admits_host(h))
    }

    /// The refusal of a request for a name the relay does not serve; `None` when it serves it.
    pub fn refusal(&self, headers: &HeaderMap, uri: &Uri) -> Option<ProtocolError> {
        if self.served(headers, uri).is_some() {
            return None;
        }
        let named = requested(headers, uri).unwrap_or("no host");
        Some(ProtocolError {
            code: ErrorCode::HostNotAllowed,
            message: format!(
                "this relay does not serve {named:?}; the operator lists its names in limits.public_hosts"
            ),
        })
    }
}

impl std::fmt::Display for PublicHosts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, host) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{host}")?;
        }
        Ok(())
    }
}

/// The name a request was sent to: its `Host` header, else (HTTP/2) its URI's authority.
pub fn requested<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> Option<&'a str> {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
}

/// Middleware: `/api/*` for a name the relay does not serve is refused before any handler.
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        if let Some(refusal) = state.hosts().refusal(request.headers(), request.uri()) {
            tracing::info!(code = refusal.code.code(), "refused: {}", refusal.message);
            state.metrics.refused(refusal.code);
            return ApiError::new(
                StatusCode::MISDIRECTED_REQUEST,
                refusal.code.code(),
                refusal.message,
            )
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(configured: &[&str], bound: &str) -> PublicHosts {
        let configured: Vec<String> = configured.iter().map(|s| s.to_string()).collect();
        PublicHosts::new(&configured, bound.parse().unwrap())
    }

    #[test]
    fn by_default_the_bound_address_and_loopback_names_on_its_port() {
        let h = hosts(&[], "127.0.0.1:8080");
        assert_eq!(h.to_string(), "127.0.0.1:8080, localhost:8080, [::1]:8080");
        for ok in [
            "127.0.0.1:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
            "[0::1]:8080",
        ] {
            assert!(h.admits(ok), "{ok}");
        }
        for refused in [
            "evil.example:8080",
            "localhost:8081",
            "localhost",
            "127.0.0.1",
            "",
            "127.0.0.1:8080.evil.example",
        ] {
            assert!(!h.admits(refused), "{refused}");
        }
        let h = hosts(&[], "[::]:9000");
        assert!(h.admits("[::]:9000") && h.admits("localhost:9000"));
    }

    #[test]
    fn a_configured_list_replaces_the_defaults() {
        let h = hosts(
            &["relay.example.com", "relay.example.net:8443"],
            "127.0.0.1:8080",
        );
        assert!(h.admits("relay.example.com"));
        assert!(h.admits("relay.example.com:443"));
        assert!(h.admits("relay.example.net:8443"));
        assert!(!h.admits("relay.example.net"));
        assert!(!h.admits("127.0.0.1:8080"));
    }

    #[test]
    fn http2_requests_are_judged_by_their_authority() {
        let h = hosts(&[], "127.0.0.1:8080");
        let uri: Uri = "http://127.0.0.1:8080/api/info".parse().unwrap();
        assert!(h.refusal(&HeaderMap::new(), &uri).is_none());
        let uri: Uri = "http://evil.example:8080/api/info".parse().unwrap();
        let refusal = h.refusal(&HeaderMap::new(), &uri).unwrap();
        assert_eq!(refusal.code, ErrorCode::HostNotAllowed);
        // A Host header wins over the authority, as hyper reads an HTTP/1.1 request.
        let mut headers = HeaderMap::new();
        headers.insert("host", "evil.example:8080".parse().unwrap());
        let uri: Uri = "/api/info".parse().unwrap();
        assert!(h.refusal(&headers, &uri).is_some());
        assert!(
            h.refusal(&HeaderMap::new(), &uri).is_some(),
            "no host at all"
        );
    }
}
