//! What a browser may do with the page and the files beside it, sent with every response of
//! the UI (`ui.rs`, or `static_dir`).
//!
//! The page asks for a password, so its Content-Security-Policy allows what it needs and no
//! more: its own scripts and the wasm they compile (`'wasm-unsafe-eval'`), no inline script
//! (the page starts from `widget.js`; its styles are a constructed sheet, which is not inline
//! markup), connections to the relay itself (the API, and the WebSocket on the name the page was
//! loaded from), no forms posting anywhere (the form is sent over the socket, never
//! submitted), no `<base>` to re-point relative URLs, and frames only on the relay's own
//! pages and the embedding origins the operator listed (`limits.allowed_origins`): anyone else
//! framing it could dress it up as their own form. `nosniff` keeps a file from being read as
//! another type than it is served as; `no-referrer` keeps the relay's URLs out of other sites'
//! logs.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use crate::config::hosts::{HostPort, Origin};

/// The policy for a page served as `host` (`None`: a name the relay does not serve, so only
/// `'self'` for the socket, which modern browsers match against `ws:` and `wss:` too).
pub fn content_security_policy(allowed_origins: &[String], host: Option<&HostPort>) -> String {
    let sockets = host
        .map(|h| format!(" ws://{h} wss://{h}"))
        .unwrap_or_default();
    let ancestors: String = allowed_origins
        .iter()
        .filter_map(|o| Origin::parse(o))
        .map(|o| format!(" {o}"))
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'{sockets}; \
         img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'{ancestors}"
    )
}

/// Middleware: adds the headers to every response of the page's routes.
pub async fn add(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let host = state.hosts().served(request.headers(), request.uri());
    let policy = content_security_policy(&state.config.limits.allowed_origins, host.as_ref());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Every part was checked when the configuration was loaded; were one not a header's
    // characters, the policy without them is still sent.
    if let Ok(policy) = HeaderValue::from_str(&policy)
        .or_else(|_| HeaderValue::from_str(&content_security_policy(&[], None)))
    {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_follow_the_allowed_origins_and_sockets_the_served_name() {
        let host = HostPort::parse("relay.example.com").unwrap();
        let csp = content_security_policy(
            &[
                "https://help.example.com/".into(),
                "HTTP://10.0.0.5:8080".into(),
            ],
            Some(&host),
        );
        assert!(
            csp.ends_with("frame-ancestors 'self' https://help.example.com http://10.0.0.5:8080"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' ws://relay.example.com wss://relay.example.com;"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        let csp = content_security_policy(&[], None);
        assert!(csp.contains("connect-src 'self';"), "{csp}");
        assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    }
}
