//! Which pages may read the relay's responses from script (CORS): the relay's own origin and
//! the operator's `limits.allowed_origins`, nobody else. The widget needs it — a help center
//! loads `widget.js`, the UI's module and its wasm cross-origin, and the UI reads `/api/*` —
//! but any other site could then build on the relay from its visitors' browsers: load the
//! widget's files into a page of its own, run discovery under its visitors' addresses.
//! Only GET: changes need the admin token, which a foreign page cannot send without a preflight
//! this does not allow. The WebSocket checks Origin itself (`ws.rs`).

use std::sync::Arc;

use axum::http::{HeaderValue, Method};
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

/// The CORS layer: the allowed origin is echoed back (with `Vary: Origin`); any other gets no
/// `Access-Control-Allow-Origin`, so its page cannot read the response.
pub fn layer(state: Arc<AppState>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| allowed(&state, o))
        }))
        .allow_methods([Method::GET])
}
