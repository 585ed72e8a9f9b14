//! Sign-in for the page (`/api/oauth/{name}/start`, `/api/oauth/{name}/token`): the relay
//! builds the provider's address with PKCE and `state`, and exchanges the code the browser
//! comes back with, so that a client secret stays in the relay. Only configured providers,
//! only their registered redirect addresses, only from pages allowed to use the relay; the
//! exchange (a request to the provider on a stranger's behalf) is limited per client at the
//! rate of diagnoses (`Limiter::admit_signin`). The token goes back to the page and is not
//! kept.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use inbox_doctor_errors::{OauthExchange, OauthProviderInfo, OauthStart, OauthStarted, OauthToken};

use super::api::ApiError;
use super::client::ClientKey;
use super::AppState;
use crate::oauth::signin::{Signin, SigninError};

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/oauth/{name}/start", post(start))
        .route("/api/oauth/{name}/token", post(token))
}

/// The providers the page may offer: those with a client and somewhere to come back to.
pub fn offered(state: &AppState) -> Vec<OauthProviderInfo> {
    state
        .oauth_providers
        .iter()
        .filter(|(_, p)| p.client_id.is_some() && !p.redirect_uris.is_empty())
        .map(|(name, p)| OauthProviderInfo {
            label: p.label.clone().unwrap_or_else(|| name.clone()),
            name: name.clone(),
        })
        .collect()
}

/// The longest redirect address, code and verifier a page may send (RFC 7636 verifiers are at
/// most 128 characters; providers' codes and the relay's addresses far shorter than the rest).
const MAX_FIELD: usize = 2048;

/// A field of a sign-in request that is longer than any real one.
fn too_long(fields: &[&str]) -> Result<(), ApiError> {
    if fields.iter().any(|f| f.len() > MAX_FIELD) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("sign-in fields are at most {MAX_FIELD} bytes"),
        ));
    }
    Ok(())
}

fn refused(e: SigninError) -> ApiError {
    let (status, code) = match &e {
        SigninError::NotConfigured(_) => (StatusCode::NOT_FOUND, "unknown_provider"),
        SigninError::RedirectNotAllowed(_) => (StatusCode::BAD_REQUEST, "redirect_not_allowed"),
        SigninError::BadEndpoint(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "provider_misconfigured")
        }
        SigninError::Provider(_) => (StatusCode::BAD_GATEWAY, "provider_refused"),
    };
    ApiError::new(status, code, e.to_string())
}

/// The page asking must be one allowed to use the relay.
fn allowed_page(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if super::origins::admits(state, headers) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this page may not use the relay",
        ))
    }
}

/// Answers that carry a secret are not kept by caches along the way.
fn no_store(json: impl serde::Serialize) -> Response {
    ([("cache-control", "no-store")], Json(json)).into_response()
}

async fn start(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Json(asked): Json<OauthStart>,
) -> Result<Response, ApiError> {
    allowed_page(&state, &headers)?;
    too_long(&[&asked.redirect_uri])?;
    let provider = state
        .oauth_providers
        .get(&name)
        .ok_or_else(|| refused(SigninError::NotConfigured(name.clone())))?;
    let signin = Signin::new(&name, provider, &state.engine.net.roots).map_err(refused)?;
    let hint = asked.login_hint.as_deref().filter(|h| h.len() <= 254);
    let started = signin.start(&asked.redirect_uri, hint).map_err(refused)?;
    Ok(no_store(OauthStarted {
        url: started.url,
        state: started.state,
        verifier: started.verifier,
    }))
}

async fn token(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(exchange): Json<OauthExchange>,
) -> Result<Response, ApiError> {
    allowed_page(&state, &headers)?;
    too_long(&[
        exchange.code.expose(),
        exchange.verifier.expose(),
        &exchange.redirect_uri,
    ])?;
    let client = ClientKey::of(peer.ip(), &headers, &state.config.limits);
    state.limiter.admit_signin(client).map_err(|code| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            code.code(),
            "too many requests; try again in a minute",
        )
    })?;
    let provider = state
        .oauth_providers
        .get(&name)
        .ok_or_else(|| refused(SigninError::NotConfigured(name.clone())))?;
    let signin = Signin::new(&name, provider, &state.engine.net.roots).map_err(refused)?;
    let granted = signin
        .exchange(
            exchange.code.expose(),
            &exchange.verifier,
            &exchange.redirect_uri,
        )
        .await
        .map_err(refused)?;
    Ok(no_store(OauthToken {
        access_token: granted.access_token,
        expires_in: granted.expires_in,
    }))
}
