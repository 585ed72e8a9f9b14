//! The relay in-process on 127.0.0.1:0, configured to reach the harness's servers, and a real
//! WebSocket client (tokio-tungstenite) to drive it.

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use inbox_doctor::config::Config;
use inbox_doctor::server::{self, AppState};
use inbox_doctor_errors::{
    ClientMessage, DiagnosisRequest, ErrorCode, ServerMessage, StepEvent, PROTOCOL_VERSION,
};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::mail::Harness;

pub const ADMIN_TOKEN: &str = "admin-token-for-tests-0123";

pub struct Relay {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A configuration that lets the relay reach the harness on loopback, with a fresh database.
pub fn config_for(h: &Harness) -> Config {
    let mut c = Config::default();
    c.egress.allow_cidrs = vec!["127.0.0.0/8".parse().unwrap()];
    let d = h.dovecot;
    let p = h.postfix;
    c.egress.ports.extend([
        d.imap,
        d.imaps,
        d.submission,
        d.submissions,
        p.no_starttls,
        p.refuse_recipient,
    ]);
    c.engine.ca_files = vec![h.ca().to_owned()];
    c.domains.database = format!("sqlite://{}", h.dir.path().join("domains.db").display());
    c.domains.admin_token = Some(ADMIN_TOKEN.into());
    c
}

impl Relay {
    pub async fn start(config: Config) -> Relay {
        Relay::start_with_public_autoconfig(config, &[]).await
    }

    /// [`Relay::start`] with the configuration `make` gives for the address the relay will
    /// listen on (for settings that name the relay's own address, like a sign-in's way back).
    pub async fn start_at(make: impl FnOnce(std::net::SocketAddr) -> Config) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        Relay::serve(listener, make(addr), &[]).await
    }

    /// [`Relay::start`], fetching autoconfig documents from `public` (the harness's nginx,
    /// which can only listen on loopback) as if those addresses were public. Every other
    /// address keeps to the public-only rule.
    pub async fn start_with_public_autoconfig(
        config: Config,
        public: &[std::net::IpAddr],
    ) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Relay::serve(listener, config, public).await
    }

    async fn serve(
        listener: tokio::net::TcpListener,
        config: Config,
        public: &[std::net::IpAddr],
    ) -> Relay {
        let addr = listener.local_addr().expect("addr");
        let mut state = AppState::new(config).await.expect("relay state");
        Arc::get_mut(&mut state)
            .expect("the state is not shared yet")
            .discovery
            .danger_autoconfig_public = public.to_vec();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Relay {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Shuts down gracefully and waits for the server to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Opens `/ws` with extra headers.
    pub async fn socket(&self, headers: &[(&str, &str)]) -> Socket {
        let mut request = format!("ws://{}/ws", self.addr)
            .into_client_request()
            .expect("request");
        for (k, v) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connect");
        Socket { ws }
    }

    /// Starts a diagnosis and collects every message until the relay closes the socket.
    /// A socket connected from `source` (a loopback address of 127.0.0.0/8), as if from
    /// another client.
    pub async fn socket_from(&self, source: std::net::IpAddr, headers: &[(&str, &str)]) -> Socket {
        let mut request = format!("ws://{}/ws", self.addr)
            .into_client_request()
            .expect("request");
        for (k, v) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let tcp = tokio::net::TcpSocket::new_v4().expect("socket");
        tcp.bind(SocketAddr::new(source, 0))
            .expect("bind the source");
        let stream = tcp.connect(self.addr).await.expect("connect");
        let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
        let (ws, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .expect("websocket handshake");
        Socket { ws }
    }

    pub async fn diagnose(&self, request: &DiagnosisRequest) -> Vec<ServerMessage> {
        let mut s = self.socket(&[]).await;
        s.start(request).await;
        s.all().await
    }

    pub async fn metrics(&self) -> String {
        http_get(&self.url("/metrics")).await.1
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

pub struct Socket {
    pub ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    pub async fn start(&mut self, request: &DiagnosisRequest) {
        let m = ClientMessage::Start {
            version: PROTOCOL_VERSION,
            request: request.clone(),
        };
        self.send_text(&serde_json::to_string(&m).unwrap()).await;
    }

    /// The next server message, or `None` once the relay closed.
    pub async fn next(&mut self) -> Option<ServerMessage> {
        loop {
            match tokio::time::timeout(std::time::Duration::from_secs(60), self.ws.next())
                .await
                .expect("the relay answers within 60 s")?
            {
                Ok(Message::Text(t)) => {
                    return Some(
                        serde_json::from_str(&t)
                            .unwrap_or_else(|e| panic!("not a server message: {e}: {t}")),
                    )
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Runs `request` to its end: the code it was refused with, or `None` for a report.
    pub async fn outcome(mut self, request: &DiagnosisRequest) -> Option<ErrorCode> {
        self.start(request).await;
        match self.all().await.last() {
            Some(ServerMessage::Error(e)) => Some(e.code),
            Some(ServerMessage::Event(StepEvent::Report(_))) => None,
            other => panic!("neither a report nor an error: {other:?}"),
        }
    }

    pub async fn all(&mut self) -> Vec<ServerMessage> {
        let mut out = Vec::new();
        while let Some(m) = self.next().await {
            out.push(m);
        }
        out
    }
}

/// A plain HTTP GET: status and body.
pub async fn http_get(url: &str) -> (u16, String) {
    http(ureq::get(url), None).await
}

/// Any HTTP request (with an optional body): status and body.
pub async fn http(request: ureq::Request, body: Option<String>) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let result = match body {
            Some(b) => request.send_string(&b),
            None => request.call(),
        };
        match result {
            Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
            Err(e) => panic!("http: {e}"),
        }
    })
    .await
    .expect("join")
}

/// A response with its headers.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Any HTTP request without a body, keeping the response's headers.
pub async fn http_reply(request: ureq::Request) -> Reply {
    tokio::task::spawn_blocking(move || {
        let response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("http: {e}"),
        };
        let headers = response
            .headers_names()
            .into_iter()
            .filter_map(|n| {
                let v = response.header(&n)?.to_owned();
                Some((n.to_ascii_lowercase(), v))
            })
            .collect();
        Reply {
            status: response.status(),
            headers,
            body: response.into_string().unwrap_or_default(),
        }
    })
    .await
    .expect("join")
}
