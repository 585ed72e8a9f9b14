//! The HTTP API: domain settings (public read, authenticated and audited writes), the egress
//! addresses to allowlist, health and metrics.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use inbox_doctor_errors::{DomainSettings, EgressIps, RelayInfo};
use serde::{Deserialize, Serialize};

use super::admin::Refusal;
use super::client::{client_ip, ClientKey};
use super::AppState;
use crate::domains::{normalize_domain, validate_settings, Author};

/// Free text an admin client may send with a change ("ticket 4711"), kept in the audit trail
/// as the caller's own words beside the token's name, which is what says who it was.
pub const NOTE_HEADER: &str = "x-inbox-doctor-note";
/// What [`NOTE_HEADER`] was called when it named the actor; still read, as a note.
pub const LEGACY_ACTOR_HEADER: &str = "x-inbox-doctor-actor";

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route("/api/egress-ips", get(egress_ips))
        .route("/api/info", get(info))
        .route("/api/texts/{lang}", get(texts))
        .route("/api/domains", get(list_domains))
        .route(
            "/api/domains/{domain}",
            get(get_domain).put(put_domain).delete(delete_domain),
        )
        .route("/api/domains/{domain}/changes", get(domain_changes))
        .route(
            "/api/domains/{domain}/check",
            axum::routing::post(check_domain),
        )
        .route(
            "/api/domains/{domain}/revert",
            axum::routing::post(revert_domain),
        )
        .route("/api/discover", get(discover))
}

/// Every API error: a status, a stable code and a sentence.
#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds until a retry may succeed (`Retry-After`).
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut response = (self.status, Json(self)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(secs));
        }
        response
    }
}

impl From<crate::domains::StoreError> for ApiError {
    fn from(e: crate::domains::StoreError) -> ApiError {
        tracing::error!(error = %e, "domain store");
        // The database's words stay in the log.
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "the settings store is unavailable",
        )
    }
}

/// Whether this relay should get new users (a load balancer's readiness check): not while it
/// drains, nor while its database does not answer. Its trust roots loaded at start, or it did
/// not start. `/healthz` only says the process serves HTTP (liveness).
async fn ready(State(state): State<Arc<AppState>>) -> (StatusCode, &'static str) {
    if state.shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining\n");
    }
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n"),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer\n",
        ),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [("content-type", super::metrics::CONTENT_TYPE)],
        state.metrics.render(),
    )
}

/// One language's explanations, for the page (which does not carry them all).
async fn texts(Path(lang): Path<String>) -> Result<Response, ApiError> {
    let lang = inbox_doctor_errors::Lang::from_tag(&lang).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_language",
            "languages: en, de, nb, pl",
        )
    })?;
    Ok((
        [("cache-control", "public, max-age=3600")],
        Json(inbox_doctor_errors::TextBundle::of(lang)),
    )
        .into_response())
}

/// What the page needs to know before it shows its form, including whether it may use the
/// relay at all (any page may read this: `origins::readable_by_all`).
async fn info(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Json<RelayInfo> {
    Json(RelayInfo {
        protocol_version: inbox_doctor_errors::PROTOCOL_VERSION,
        test_recipients_allowed: !state.config.egress.allow_recipients.is_empty(),
        token_required: state.config.limits.token.is_some(),
        origin_allowed: super::origins::admits(&state, &headers),
        oauth_providers: super::oauth::offered(&state),
    })
}

async fn egress_ips(State(state): State<Arc<AppState>>) -> Json<EgressIps> {
    let e = &state.config.egress;
    Json(EgressIps {
        ipv4: e.source_ipv4.iter().map(ToString::to_string).collect(),
        ipv6: e.source_ipv6.iter().map(ToString::to_string).collect(),
        pinned: e.source_ipv4.is_some() || e.source_ipv6.is_some(),
    })
}

/// Constant-time comparison, so a token cannot be guessed byte by byte from timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The author of an admin request on `domain` (`None`: all of them): its token's name, its
/// address, its note. A refusal is logged (who, on what, why; never what was sent) and
/// counted.
fn admin(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    domain: Option<&str>,
) -> Result<Author, ApiError> {
    let limits = &state.config.limits;
    let key = ClientKey::of(peer.ip(), headers, limits);
    let address = client_ip(
        peer.ip(),
        headers,
        &limits.trusted_proxies,
        limits.forwarded_header,
    );
    let refusal = match state.admin.admit(key, bearer(headers)) {
        Ok(name) => {
            return Ok(Author {
                actor: name.to_owned(),
                client: address.to_string(),
                note: note(headers),
            })
        }
        Err(refusal) => refusal,
    };
    let domain = domain.unwrap_or("(all)");
    Err(match refusal {
        Refusal::ReadOnly => ApiError::new(
            StatusCode::FORBIDDEN,
            "read_only",
            "this relay has no admin token configured; domain settings are read-only here",
        ),
        Refusal::Unauthorized { missing } => {
            state.metrics.admin_refused("unauthorized");
            tracing::warn!(
                client = %address,
                domain,
                token = if missing { "missing" } else { "wrong" },
                "admin request refused"
            );
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "changing domain settings needs an admin token (Authorization: Bearer …)",
            )
        }
        Refusal::LockedOut { retry_after } => {
            state.metrics.admin_refused("locked_out");
            tracing::debug!(
                client = %address,
                domain,
                "admin request from a locked-out client"
            );
            ApiError {
                retry_after: Some(retry_after.as_secs().max(1)),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_failures",
                    "too many wrong admin tokens from this address; try again later",
                )
            }
        }
        Refusal::Busy => {
            state.metrics.admin_refused("busy");
            tracing::warn!(
                client = %address,
                domain,
                "admin request refused: failure tables full"
            );
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many clients are failing to authenticate; try again later",
            )
        }
    })
}

/// The caller's note for the audit trail: printable, at most 200 characters.
fn note(headers: &HeaderMap) -> Option<String> {
    let raw = headers
        .get(NOTE_HEADER)
        .or_else(|| headers.get(LEGACY_ACTOR_HEADER))?
        .to_str()
        .ok()?;
    let text: String = raw.chars().filter(|c| !c.is_control()).take(200).collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn domain_of(raw: &str) -> Result<String, ApiError> {
    normalize_domain(raw)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_domain", e.to_string()))
}

/// `GET /api/domains/{domain}`: the stored settings (200), or 204 No Content when none are
/// stored. Nothing stored is the usual answer to the page's lookup as an address is typed,
/// not an error: a 404 put a red line in every visitor's console. (`DELETE` of a domain
/// with nothing stored is still a 404: there the administrator named something absent.)
async fn get_domain(
    State(state): State<Arc<AppState>>,
    Path(domain): Path<String>,
) -> Result<Response, ApiError> {
    let domain = domain_of(&domain)?;
    Ok(match state.store.get(&domain).await? {
        Some(record) => Json(record).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

async fn list_domains(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    admin(&state, peer, &headers, None)?;
    Ok(Json(state.store.list().await?).into_response())
}

async fn domain_changes(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(domain): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let domain = domain_of(&domain)?;
    admin(&state, peer, &headers, Some(&domain))?;
    Ok(Json(state.store.changes(&domain).await?).into_response())
}

/// `?force=true` stores settings the check refused (the trail says so); `?dry_run=true`
/// checks and diffs only.
#[derive(Debug, Default, Deserialize)]
struct SaveQuery {
    #[serde(default)]
    force: bool,
    #[serde(default)]
    dry_run: bool,
}

impl SaveQuery {
    fn how(&self) -> crate::domains::check::How {
        crate::domains::check::How {
            force: self.force,
            dry_run: self.dry_run,
        }
    }
}

/// Settings from a request body: at most 16 KiB, JSON, and valid.
fn settings_of(body: &[u8]) -> Result<DomainSettings, ApiError> {
    if body.len() > 16 * 1024 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "domain settings are at most 16 KiB",
        ));
    }
    let settings: DomainSettings = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_settings", e.to_string()))?;
    validate_settings(&settings)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_settings", e.to_string()))?;
    Ok(settings)
}

/// `PUT /api/domains/{domain}`: checked, diffed, and stored when the check passed (or forced).
async fn put_domain(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(domain): Path<String>,
    Query(q): Query<SaveQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let domain = domain_of(&domain)?;
    let author = admin(&state, peer, &headers, Some(&domain))?;
    let settings = settings_of(&body)?;
    change(&state, &domain, &settings, &author, "set", q.how()).await
}

/// Makes a change through the one road for changes (checked, diffed, stored when it passed
/// or was forced) and answers with what it did: 200 when stored (or a dry run), 422 when the
/// check refused it.
async fn change(
    state: &AppState,
    domain: &str,
    settings: &DomainSettings,
    author: &Author,
    action: &'static str,
    how: crate::domains::check::How,
) -> Result<Response, ApiError> {
    let save = crate::domains::check::save(
        &state.store,
        domain,
        settings,
        author,
        &state.discovery,
        action,
        how,
    )
    .await?;
    if save.saved {
        tracing::info!(
            domain = %save.domain,
            actor = %author.actor,
            client = %author.client,
            forced = save.forced,
            "domain settings changed"
        );
    }
    let status = if save.saved || save.dry_run {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(save)).into_response())
}

/// `POST /api/domains/{domain}/check`: the check alone, nothing stored.
async fn check_domain(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let domain = domain_of(&domain)?;
    admin(&state, peer, &headers, Some(&domain))?;
    let settings = settings_of(&body)?;
    let checked = crate::domains::check::check(&settings, &state.discovery).await;
    Ok(Json(checked).into_response())
}

/// `POST /api/domains/{domain}/revert`: back to the settings as change `seq` left them.
async fn revert_domain(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(domain): Path<String>,
    Query(q): Query<SaveQuery>,
    headers: HeaderMap,
    Json(revert): Json<inbox_doctor_errors::DomainRevert>,
) -> Result<Response, ApiError> {
    let domain = domain_of(&domain)?;
    let author = admin(&state, peer, &headers, Some(&domain))?;
    let settings = crate::domains::version(&state.store, &domain, revert.seq)
        .await?
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, "no_such_version", e.to_string()))?;
    change(&state, &domain, &settings, &author, "revert", q.how()).await
}

async fn delete_domain(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(domain): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let domain = domain_of(&domain)?;
    let author = admin(&state, peer, &headers, Some(&domain))?;
    if state.store.delete(&domain, &author).await? {
        tracing::info!(
            domain = %domain,
            actor = %author.actor,
            client = %author.client,
            "domain settings deleted"
        );
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no settings stored for {domain}"),
        ))
    }
}

#[derive(Deserialize)]
struct DiscoverQuery {
    email: String,
    #[serde(default)]
    offline: bool,
}

/// `GET /api/discover?email=ADDR[&offline=true]`: the settings for an address, for the page to
/// pre-fill. It connects to strangers' servers like a diagnosis does, so it counts against the
/// same limits and keeps to the same egress policy; a domain discovered in the last minutes is
/// answered from the relay's cache, probing nothing again (`discover::cache`).
async fn discover(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<DiscoverQuery>,
) -> Result<Json<inbox_doctor_errors::Discovery>, ApiError> {
    let client = super::client::ClientKey::of(peer.ip(), &headers, &state.config.limits);
    let domain = crate::discover::domain_of(&q.email)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_address", e.to_string()))?;
    let _permit = if q.offline {
        None
    } else {
        Some(state.limiter.admit(client).map_err(|code| {
            let status = match code {
                inbox_doctor_errors::ErrorCode::Busy => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::TOO_MANY_REQUESTS,
            };
            ApiError::new(
                status,
                code.code(),
                "too many lookups; try again in a minute",
            )
        })?)
    };
    let stored = state.store.get(&domain).await?.map(|r| r.settings);
    let config = crate::discover::DiscoverConfig {
        offline: q.offline,
        ..state.discovery.clone()
    };
    let found = crate::discover::discover(&q.email, stored, &[], &config)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_address", e.to_string()))?;
    Ok(Json(found))
}
