//! Which pages may read the relay's responses from script (CORS): the relay's own origin and
//! the operator's `limits.allowed_origins`, nobody else. The widget needs it — a help center
//! loads `widget.js`, the UI's module and its wasm cross-origin, and the UI reads `/api/*` —
//! but any other site could then build on the relay from its visitors' browsers: load the
//! widget's files into a page of its own, run discovery under its visitors' addresses.
//! Only GET: changes need the admin token, which a foreign page cannot send without a preflight
//! this does not allow.
//!
//! [`allowed`] is the one decision: the WebSocket admits the same pages (`ws.rs`), and
//! `/api/info` tells a page whether it is one. That answer, and the words it needs to explain a
//! refusal (`/api/texts/*`), any page may read ([`readable_by_all`]): they say nothing about
//! anyone and cost nothing, and without them a widget on a page the operator has not allowed
//! yet would show its form and take a password only to be refused at the button.

use std::sync::Arc;

use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::AppState;
use crate::config::hosts::Origin;

/// Whether a page from `origin` (an `Origin` header's value) may read the relay's responses.
pub fn allowed(state: &AppState, origin: &str) -> bool {
    let Some(origin) = Origin::parse(origin) else {
        return false;
    };
    state.hosts().admits_host(&origin.host)
        || state
            .config
            .limits
            .allowed_origins
            .iter()
            .any(|o| Origin::parse(o).as_ref() == Some(&origin))
}

/// Whether the request comes from a page that may use the relay: no `Origin` (not a
/// cross-origin browser request), or one [`allowed`].
pub fn admits(state: &AppState, headers: &HeaderMap) -> bool {
    match headers.get(ORIGIN) {
        None => true,
        Some(origin) => origin.to_str().is_ok_and(|o| allowed(state, o)),
    }
}

/// What any page may read: the relay's facts for pages, with whether the asking page may use
/// it, and the words of one language.
pub fn readable_by_all(path: &str) -> bool {
    path == "/api/info" || path.starts_with("/api/texts/")
}

/// The CORS layer: the allowed origin is echoed back (with `Vary: Origin`); any other gets no
/// `Access-Control-Allow-Origin`, so its page cannot read the response — except the answers
/// [`readable_by_all`]. GET, and POST with a JSON body (the widget's sign-in, `server::oauth`,
/// which checks the origin itself too); the admin API's PUT and DELETE stay same-origin.
pub fn layer(state: Arc<AppState>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(
            move |origin: &HeaderValue, request: &Parts| {
                readable_by_all(request.uri.path())
                    || origin.to_str().is_ok_and(|o| allowed(&state, o))
            },
        ))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([axum::http::header::CONTENT_TYPE])
}
