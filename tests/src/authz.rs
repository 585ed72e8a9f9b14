//! The authorization server the OAuth tests run on loopback, as a provider runs one: it mints
//! access tokens (JWTs) and answers RFC 7662 token introspection, which the real Dovecot's
//! `oauth2` passdb asks before it lets a token in. The mail server is real; this side is ours
//! to script: expired, revoked, another user's, for another resource, without a scope.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, State};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

/// The audience the harness's mail servers take, and the scopes each side needs.
pub const AUDIENCE: &str = "mail.inbox-doctor.test";
pub const IMAP_SCOPE: &str = "imap";
pub const SMTP_SCOPE: &str = "smtp";

/// What a token is minted with.
#[derive(Clone, Debug)]
pub struct Grant {
    pub user: String,
    pub audience: String,
    pub scope: String,
    /// Seconds until it expires (negative: expired that long ago).
    pub lifetime: i64,
}

impl Grant {
    /// A good token for `user`: the mail audience, both scopes, an hour to live.
    pub fn good(user: &str) -> Grant {
        Grant {
            user: user.to_owned(),
            audience: AUDIENCE.to_owned(),
            scope: format!("{IMAP_SCOPE} {SMTP_SCOPE}"),
            lifetime: 3600,
        }
    }
}

#[derive(Default)]
struct Issued {
    /// Every token minted, by its `jti`, with its claims.
    tokens: std::collections::HashMap<String, Value>,
    revoked: HashSet<String>,
    next: u64,
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
        let issued = Arc::new(Mutex::new(Issued::default()));
        let app = Router::new()
            .route("/introspect", post(introspect))
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
        let mut issued = self.issued.lock().unwrap();
        issued.next += 1;
        let jti = format!("t{}", issued.next);
        let claims = json!({
            "iss": self.issuer,
            "sub": grant.user,
            "email": grant.user,
            "aud": grant.audience,
            "scope": grant.scope,
            "exp": now() + grant.lifetime,
            "jti": jti,
        });
        issued.tokens.insert(jti.clone(), claims.clone());
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes()),
            b64(jti.as_bytes())
        )
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
