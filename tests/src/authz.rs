//! The authorization server the OAuth tests run on loopback, as a provider runs one: it mints
//! access tokens (JWTs) and answers RFC 7662 token introspection, which the real Dovecot's
//! `oauth2` passdb asks before it lets a token in; and it signs users in, as far as a client
//! sees: the authorization code with PKCE (RFC 7636: the verifier is checked) and the device
//! grant (RFC 8628: one `authorization_pending`, then the token). Consent is given at once,
//! for the grant the test chose. The mail server is real; this side is ours to script:
//! expired, revoked, another user's, for another resource, without a scope.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

/// The audience the harness's mail servers take, and the scopes each side needs.
pub const AUDIENCE: &str = "mail.inbox-doctor.test";
pub const IMAP_SCOPE: &str = "imap";
pub const SMTP_SCOPE: &str = "smtp";
/// The client the relay is registered as.
pub const CLIENT_ID: &str = "inbox-doctor-relay";
pub const CLIENT_SECRET: &str = "relay-client-secret";

/// What a token is minted with.
#[derive(Clone, Debug)]
pub struct Grant {
    pub user: String,
    pub audience: String,
    pub scope: String,
    /// Seconds until it expires (negative: expired that long ago).
    pub lifetime: i64,
    /// Revoked as soon as minted (introspection calls it inactive).
    pub revoked: bool,
}

impl Grant {
    /// A good token for `user`: the mail audience, both scopes, an hour to live.
    pub fn good(user: &str) -> Grant {
        Grant {
            user: user.to_owned(),
            audience: AUDIENCE.to_owned(),
            scope: format!("{IMAP_SCOPE} {SMTP_SCOPE}"),
            lifetime: 3600,
            revoked: false,
        }
    }

    /// The broken ones the tests try, each with the cause it should be diagnosed as and the
    /// step that fails: expired, another user's, for another resource, without the SMTP
    /// scope, revoked.
    pub fn broken(user: &str) -> Vec<(Grant, &'static str, &'static str)> {
        let good = Grant::good(user);
        vec![
            (
                Grant {
                    lifetime: -600,
                    ..good.clone()
                },
                "imap.login",
                "token_expired",
            ),
            (
                Grant::good("bob@inbox-doctor.test"),
                "imap.login",
                "token_wrong_user",
            ),
            (
                Grant {
                    audience: "https://graph.example".into(),
                    ..good.clone()
                },
                "imap.login",
                "token_wrong_audience",
            ),
            (
                Grant {
                    scope: IMAP_SCOPE.into(),
                    ..good.clone()
                },
                "smtp.login",
                "token_scope_missing",
            ),
            (
                Grant {
                    revoked: true,
                    ..good
                },
                "imap.login",
                "token_rejected",
            ),
        ]
    }
}

#[derive(Default)]
struct Issued {
    issuer: String,
    /// Every token minted, by its `jti`, with its claims.
    tokens: std::collections::HashMap<String, Value>,
    revoked: HashSet<String>,
    next: u64,
    /// What sign-in grants (the user's consent, given in advance).
    consent: Option<Grant>,
    /// Codes given out: the PKCE challenge and redirect address each was bound to.
    codes: std::collections::HashMap<String, (String, String)>,
    /// Device codes, and whether they were polled once already.
    devices: std::collections::HashMap<String, bool>,
    /// Redirect addresses registered for the client.
    redirects: Vec<String>,
}

impl Issued {
    fn mint(&mut self, grant: &Grant) -> String {
        self.next += 1;
        let jti = format!("t{}", self.next);
        let claims = json!({
            "iss": self.issuer,
            "sub": grant.user,
            "email": grant.user,
            "aud": grant.audience,
            "scope": grant.scope,
            "exp": now() + grant.lifetime,
            "jti": jti,
        });
        self.tokens.insert(jti.clone(), claims.clone());
        if grant.revoked {
            self.revoked.insert(jti.clone());
        }
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes()),
            b64(jti.as_bytes())
        )
    }

    fn random(&mut self, what: &str) -> String {
        self.next += 1;
        format!("{what}-{}-{}", self.next, now())
    }
}

pub struct AuthServer {
    pub addr: SocketAddr,
    /// The `iss` of its tokens.
    pub issuer: String,
    issued: Arc<Mutex<Issued>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl AuthServer {
    /// Starts it on a loopback port, in a thread of its own (so it answers whatever the
    /// test's runtime is doing).
    pub fn start() -> AuthServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let issuer = format!("http://{addr}/");
        let issued = Arc::new(Mutex::new(Issued {
            issuer: issuer.clone(),
            ..Issued::default()
        }));
        let app = Router::new()
            .route("/introspect", post(introspect))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/device", post(device))
            .with_state(issued.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        AuthServer {
            addr,
            issuer,
            issued,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Mints a token (a JWT whose signature no one checks: Dovecot asks this server).
    pub fn token(&self, grant: &Grant) -> String {
        self.issued.lock().unwrap().mint(grant)
    }

    /// What sign-in (either way) grants from now on; `redirects`: the client's registered
    /// addresses.
    pub fn consent(&self, grant: Grant, redirects: &[String]) {
        let mut issued = self.issued.lock().unwrap();
        issued.consent = Some(grant);
        issued.redirects = redirects.to_vec();
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Revokes a token: introspection calls it inactive from now on.
    pub fn revoke(&self, token: &str) {
        if let Some(jti) = jti(token) {
            self.issued.lock().unwrap().revoked.insert(jti);
        }
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The `jti` a token carries as its signature part.
fn jti(token: &str) -> Option<String> {
    let signature = token.rsplit('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[derive(Deserialize)]
struct Introspection {
    token: String,
}

/// RFC 7662: active, and the token's claims, for a token this server minted that is neither
/// expired nor revoked; else inactive, and nothing more.
async fn introspect(
    State(issued): State<Arc<Mutex<Issued>>>,
    Form(form): Form<Introspection>,
) -> Json<Value> {
    let issued = issued.lock().unwrap();
    let claims = jti(&form.token).and_then(|jti| {
        let claims = issued.tokens.get(&jti)?;
        let live = !issued.revoked.contains(&jti) && claims["exp"].as_i64()? > now();
        live.then(|| claims.clone())
    });
    Json(match claims {
        Some(mut claims) => {
            claims["active"] = json!(true);
            claims
        }
        None => json!({ "active": false }),
    })
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

fn oauth_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

/// The sign-in page, consenting at once: back to the client with a code bound to its PKCE
/// challenge and redirect address.
async fn authorize(
    State(issued): State<Arc<Mutex<Issued>>>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let mut issued = issued.lock().unwrap();
    let registered = issued.redirects.contains(&q.redirect_uri);
    if q.response_type != "code" || q.client_id != CLIENT_ID || !registered {
        return oauth_error("invalid_request");
    }
    if q.code_challenge_method != "S256" || q.code_challenge.len() < 43 {
        return oauth_error("invalid_request");
    }
    let code = issued.random("code");
    issued
        .codes
        .insert(code.clone(), (q.code_challenge, q.redirect_uri.clone()));
    let mut back = url::Url::parse(&q.redirect_uri).expect("a registered URL");
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q.state);
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    device_code: Option<String>,
}

/// The token endpoint: a code with the verifier of its challenge, or a device code after its
/// first poll. The client authenticates with its secret (HTTP Basic, as `oauth2` sends it).
async fn token(
    State(issued): State<Arc<Mutex<Issued>>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    use sha2::Digest as _;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {basic}"));
    if !authorized {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    let mut issued = issued.lock().unwrap();
    let Some(grant) = issued.consent.clone() else {
        return oauth_error("access_denied");
    };
    match form.grant_type.as_str() {
        "authorization_code" => {
            let bound = form.code.as_ref().and_then(|c| issued.codes.remove(c));
            let Some((challenge, redirect)) = bound else {
                return oauth_error("invalid_grant");
            };
            let verifier = form.code_verifier.unwrap_or_default();
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            if computed != challenge || form.redirect_uri.as_deref() != Some(redirect.as_str()) {
                return oauth_error("invalid_grant");
            }
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let code = form.device_code.unwrap_or_default();
            match issued.devices.get_mut(&code) {
                None => return oauth_error("invalid_grant"),
                Some(polled @ false) => {
                    *polled = true;
                    return oauth_error("authorization_pending");
                }
                Some(true) => {
                    issued.devices.remove(&code);
                }
            }
        }
        _ => return oauth_error("unsupported_grant_type"),
    }
    let access_token = issued.mint(&grant);
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        // A token that is already expired (a test's) is said to last a second: the field is
        // unsigned.
        "expires_in": grant.lifetime.max(1),
    }))
    .into_response()
}

/// RFC 8628 §3.2: a device code, the code the user types, and where.
async fn device(State(issued): State<Arc<Mutex<Issued>>>) -> Json<Value> {
    let mut issued = issued.lock().unwrap();
    let code = issued.random("device");
    issued.devices.insert(code.clone(), false);
    let verification_uri = format!("{}activate", issued.issuer);
    Json(json!({
        "device_code": code,
        "user_code": "WDJB-MJHT",
        "verification_uri": verification_uri,
        "expires_in": 300,
        "interval": 1,
    }))
}
