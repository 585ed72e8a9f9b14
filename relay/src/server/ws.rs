//! `GET /ws`: one socket, one diagnosis. The client sends `start`; every step event is sent
//! the moment the engine emits it; the report ends the run; `cancel` stops it. Refusals are
//! typed `error` messages followed by a close frame — never a silent drop.

use std::net::{IpAddr, SocketAddr};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::stream::SplitSink;
use futures_util::{Sink, SinkExt, StreamExt};
use inbox_doctor_errors::{
    ClientMessage, DiagnosisRequest, ErrorCode, ProtocolError, Report, ServerMessage, StepEvent,
    PROTOCOL_VERSION,
};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::api::same_secret;
use super::limits::RunPermit;
use super::AppState;
use crate::{diagnose, validate, RequestError};

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/ws", get(upgrade))
}

#[derive(Deserialize)]
struct WsQuery {
    token: Option<String>,
}

/// Browsers cannot set headers on a WebSocket, so the token may come as `?token=`.
async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<WsQuery>,
) -> Response {
    let refusal = admission(&state, &headers, query.token.as_deref());
    // Frames above the limit get a typed error; the hard cap only bounds memory.
    let hard_cap = state.config.limits.max_frame_bytes.saturating_mul(16);
    ws.max_message_size(hard_cap)
        .max_frame_size(hard_cap)
        .on_upgrade(move |socket| session(socket, state, peer, refusal))
}

/// Origin and token checks, made before anything else.
fn admission(state: &AppState, headers: &HeaderMap, token: Option<&str>) -> Option<ProtocolError> {
    let limits = &state.config.limits;
    if let Some(origin) = headers.get("origin").and_then(|o| o.to_str().ok()) {
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let same_origin = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
        let listed = limits
            .allowed_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin));
        if !same_origin && !listed {
            return Some(ProtocolError {
                code: ErrorCode::OriginNotAllowed,
                message: format!(
                    "pages from {origin} may not use this relay; the operator can allow the origin"
                ),
            });
        }
    }
    if let Some(expected) = &limits.token {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or(token);
        if !given.is_some_and(|g| same_secret(g, expected)) {
            return Some(ProtocolError {
                code: ErrorCode::Unauthorized,
                message: "this relay needs a token (Authorization: Bearer … or ?token=)".into(),
            });
        }
    }
    None
}

fn text(message: &ServerMessage) -> Message {
    Message::Text(
        serde_json::to_string(message)
            .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"encoding"}}"#.into())
            .into(),
    )
}

/// Sends a refusal, counts it, and closes the socket (policy violation).
async fn refuse<S: Sink<Message> + Unpin>(socket: &mut S, state: &AppState, error: ProtocolError) {
    tracing::info!(code = error.code.code(), "refused: {}", error.message);
    state.metrics.refused(error.code);
    let _ = socket.send(text(&ServerMessage::Error(error))).await;
    close(socket, 1008, "refused").await;
}

async fn close<S: Sink<Message> + Unpin>(socket: &mut S, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

fn error(code: ErrorCode, message: impl Into<String>) -> ProtocolError {
    ProtocolError {
        code,
        message: message.into(),
    }
}

/// What one incoming frame means.
enum Frame {
    Client(Box<ClientMessage>),
    /// Ping or pong: nothing to do (the library answers pings).
    Control,
    Close,
}

/// Reads the next client message, enforcing the frame limit.
fn parse(state: &AppState, message: Message) -> Result<Frame, ProtocolError> {
    let bytes = match &message {
        Message::Text(t) => t.as_bytes(),
        Message::Binary(b) => b.as_ref(),
        Message::Close(_) => return Ok(Frame::Close),
        Message::Ping(_) | Message::Pong(_) => return Ok(Frame::Control),
    };
    let max = state.config.limits.max_frame_bytes;
    if bytes.len() > max {
        return Err(error(
            ErrorCode::FrameTooLarge,
            format!(
                "messages are at most {max} bytes; this one had {}",
                bytes.len()
            ),
        ));
    }
    serde_json::from_slice(bytes)
        .map(|m| Frame::Client(Box::new(m)))
        .map_err(|e| match older_version(bytes) {
            Some(v) => unsupported_version(v),
            None => error(ErrorCode::BadMessage, format!("not a client message: {e}")),
        })
}

fn unsupported_version(version: u64) -> ProtocolError {
    error(
        ErrorCode::UnsupportedVersion,
        format!("this relay speaks protocol {PROTOCOL_VERSION}, not {version}"),
    )
}

/// The version of a protocol-1 `start` (`{"type":"start","version":1,…}`), so an old page
/// hears "unsupported version" rather than "bad message".
fn older_version(bytes: &[u8]) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    (value.get("type")?.as_str()? == "start")
        .then(|| value.get("version")?.as_u64())
        .flatten()
}

/// One socket: admitted (origin and token, decided before the upgrade), then `start`, then
/// the request checked, then the run streamed. Every refusal is a typed error and a close.
async fn session(
    mut socket: WebSocket,
    state: Arc<AppState>,
    peer: SocketAddr,
    refusal: Option<ProtocolError>,
) {
    let _open = state.metrics.socket();
    if let Some(e) = refusal {
        return refuse(&mut socket, &state, e).await;
    }
    let request = match wait_for_start(&mut socket, &state).await {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(e) => return refuse(&mut socket, &state, e).await,
    };
    let _permit = match check_request(&state, peer.ip(), &request) {
        Ok(permit) => permit,
        Err(e) => return refuse(&mut socket, &state, e).await,
    };
    stream_run(socket, &state, request).await;
}

/// Waits for `start`: the request; `None` when the client leaves, or sends something else
/// first, without one; or the refusal (too slow, a bad frame, another protocol version).
async fn wait_for_start(
    socket: &mut WebSocket,
    state: &AppState,
) -> Result<Option<DiagnosisRequest>, ProtocolError> {
    let start_timeout = Duration::from_secs(state.config.limits.start_timeout_secs);
    loop {
        let next = match tokio::time::timeout(start_timeout, socket.recv()).await {
            Err(_) => {
                return Err(error(
                    ErrorCode::Timeout,
                    "no start message arrived in time",
                ))
            }
            Ok(None) | Ok(Some(Err(_))) => return Ok(None),
            Ok(Some(Ok(m))) => m,
        };
        match parse(state, next)? {
            Frame::Control => continue,
            Frame::Close => return Ok(None),
            Frame::Client(m) => {
                let ClientMessage::Start { version, request } = *m else {
                    return Ok(None);
                };
                if version != PROTOCOL_VERSION {
                    return Err(unsupported_version(version.into()));
                }
                return Ok(Some(request));
            }
        }
    }
}

/// Whether `request` may run now, in this order: the relay is not shutting down, the request
/// is valid, its test email goes where the policy allows, and the limiter has a place for
/// `client`. The place, held while the run lasts, or the refusal.
fn check_request(
    state: &AppState,
    client: IpAddr,
    request: &DiagnosisRequest,
) -> Result<RunPermit, ProtocolError> {
    if state.shutting_down() {
        return Err(error(ErrorCode::ShuttingDown, "the relay is shutting down"));
    }
    if let Err(e) = validate(request) {
        return Err(error(ErrorCode::InvalidRequest, e.to_string()));
    }
    let most = state.config.limits.max_session_target;
    if request.session_target > most {
        return Err(error(
            ErrorCode::InvalidRequest,
            format!("this relay checks at most {most} simultaneous sessions"),
        ));
    }
    if request.send
        && !state
            .policy
            .recipient_allowed(&request.email, request.test_recipient())
    {
        return Err(error(
            ErrorCode::RecipientNotAllowed,
            "the test email may only go to the mailbox itself or to an address the operator allows",
        ));
    }
    state.limiter.admit(client).map_err(|code| {
        let message = match code {
            ErrorCode::TooManyRuns => "this client already runs as many diagnoses as it may",
            ErrorCode::RateLimited => "too many diagnoses from this client; wait a minute",
            _ => "the relay is busy; try again shortly",
        };
        error(code, message)
    })
}

/// Whether the run goes on after a frame or an event.
type Flow = ControlFlow<()>;
type Run = JoinHandle<Result<Report, RequestError>>;
type Sender = SplitSink<WebSocket, Message>;

/// Runs the diagnosis and sends each event the moment the engine emits it, until the report,
/// a `cancel`, a bad frame, or the client leaving (which stops the run).
async fn stream_run(socket: WebSocket, state: &AppState, request: DiagnosisRequest) {
    state.metrics.run_started();
    let (tx, mut events) = mpsc::unbounded_channel();
    let engine_config = state.engine.clone();
    let mut run = tokio::spawn(async move { diagnose(&request, &engine_config, tx).await });
    let (mut sink, mut stream) = socket.split();
    loop {
        let next = tokio::select! {
            event = events.recv() => match event {
                Some(event) => forward(&mut sink, state, &run, event).await,
                None => return refuse_unreported(&mut sink, state, &mut run).await,
            },
            incoming = stream.next() => answer(&mut sink, state, &run, incoming).await,
        };
        if next.is_break() {
            return;
        }
    }
}

/// Sends one event; the report is the last (counted, then the socket closes: "done").
async fn forward(sink: &mut Sender, state: &AppState, run: &Run, event: StepEvent) -> Flow {
    if let StepEvent::Report(report) = &event {
        state.metrics.run_finished(report);
    }
    let last = matches!(event, StepEvent::Report(_));
    if sink.send(text(&ServerMessage::Event(event))).await.is_err() {
        run.abort();
        return Flow::Break(());
    }
    if last {
        close(sink, 1000, "done").await;
        return Flow::Break(());
    }
    Flow::Continue(())
}

/// The engine ended without a report: a request it refused (or a crash), said as a refusal.
async fn refuse_unreported(sink: &mut Sender, state: &AppState, run: &mut Run) {
    let e = match run.await {
        Ok(Err(RequestError::Egress(r))) => error(ErrorCode::EgressRefused, r.to_string()),
        Ok(Err(other)) => error(ErrorCode::InvalidRequest, other.to_string()),
        Ok(Ok(_)) => return,
        Err(_) => error(ErrorCode::Internal, "the diagnosis stopped unexpectedly"),
    };
    refuse(sink, state, e).await;
}

/// What the client says while the run goes on: `cancel` stops it, another `start` is refused
/// and the run goes on, a bad frame stops it with a refusal, leaving stops it.
async fn answer(
    sink: &mut Sender,
    state: &AppState,
    run: &Run,
    incoming: Option<Result<Message, axum::Error>>,
) -> Flow {
    let Some(Ok(message)) = incoming else {
        // The client went away: stop the sessions it started.
        run.abort();
        return Flow::Break(());
    };
    match parse(state, message) {
        Ok(Frame::Close) => {
            run.abort();
            Flow::Break(())
        }
        Ok(Frame::Client(m)) if matches!(*m, ClientMessage::Cancel {}) => {
            run.abort();
            let _ = sink.send(text(&ServerMessage::Cancelled {})).await;
            close(sink, 1000, "cancelled").await;
            Flow::Break(())
        }
        Ok(Frame::Client(_)) => {
            // One socket, one run: say so, and go on with the first.
            state.metrics.refused(ErrorCode::AlreadyStarted);
            let e = error(
                ErrorCode::AlreadyStarted,
                "this socket already runs a diagnosis; open another socket for another",
            );
            if sink.send(text(&ServerMessage::Error(e))).await.is_err() {
                run.abort();
                return Flow::Break(());
            }
            Flow::Continue(())
        }
        Ok(Frame::Control) => Flow::Continue(()),
        Err(e) => {
            run.abort();
            refuse(sink, state, e).await;
            Flow::Break(())
        }
    }
}
