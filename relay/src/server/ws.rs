//! `GET /ws`: one socket, one diagnosis. The client sends `start`; every step event is sent
//! the moment the engine emits it; the report ends the run; `cancel` stops it. Refusals are
//! typed `error` messages followed by a close frame — never a silent drop.

use std::net::SocketAddr;
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
use super::client::ClientKey;
use super::limits::{RunPermit, SocketPermit};
use super::AppState;
use crate::{diagnose_with, validate, RequestError};

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
    uri: axum::http::Uri,
    Query(query): Query<WsQuery>,
) -> Response {
    let client = ClientKey::of(peer.ip(), &headers, &state.config.limits);
    // The name first: a rebound page passes the Origin check (its name on both sides).
    let refusal = state
        .hosts()
        .refusal(&headers, &uri)
        .or_else(|| admission(&state, &headers, query.token.as_deref()));
    let admitted = match refusal {
        Some(refusal) => Err(refusal),
        None => state.limiter.open_socket(client).map_err(|code| {
            let message = match code {
                ErrorCode::TooManySockets => "this client has as many sockets open as it may",
                _ => "the relay has as many sockets open as it can; try again shortly",
            };
            error(code, message)
        }),
    };
    // Frames above the limit get a typed error; the hard cap only bounds memory.
    let hard_cap = state.config.limits.max_frame_bytes.saturating_mul(16);
    // A socket waits for a `start` of under a kilobyte: a 4 KiB read buffer instead of the
    // default 128 KiB (zero-filled on the first read) keeps an idle socket small; what is
    // written goes out at once (each message is flushed anyway).
    ws.max_message_size(hard_cap)
        .max_frame_size(hard_cap)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| session(socket, state, client, admitted))
}

/// Origin and token checks, made before anything else.
fn admission(state: &AppState, headers: &HeaderMap, token: Option<&str>) -> Option<ProtocolError> {
    let limits = &state.config.limits;
    // The same decision as CORS and `/api/info` make (`origins.rs`): a page that could load
    // the widget and read the API is never refused here, nor one refused here admitted there.
    if !super::origins::admits(state, headers) {
        let origin = headers
            .get("origin")
            .and_then(|o| o.to_str().ok())
            .unwrap_or("?");
        return Some(ProtocolError {
            code: ErrorCode::OriginNotAllowed,
            message: format!(
                "pages from {origin} may not use this relay; the operator can allow the origin"
            ),
        });
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

/// The longest one message may take to go out: a client that stops reading cannot hold a
/// socket (and what it holds) by letting the send wait forever.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one message within [`SEND_TIMEOUT`]; `Err` when it failed or timed out.
async fn send<S: Sink<Message> + Unpin>(socket: &mut S, message: Message) -> Result<(), ()> {
    match tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// Sends a refusal, counts it, and closes the socket (policy violation).
async fn refuse<S: Sink<Message> + Unpin>(socket: &mut S, state: &AppState, error: ProtocolError) {
    tracing::info!(code = error.code.code(), "refused: {}", error.message);
    state.metrics.refused(error.code);
    if send(socket, text(&ServerMessage::Error(error)))
        .await
        .is_ok()
    {
        close(socket, 1008, "refused").await;
    }
}

async fn close<S: Sink<Message> + Unpin>(socket: &mut S, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = send(socket, Message::Close(Some(frame))).await;
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
    client: ClientKey,
    admitted: Result<SocketPermit, ProtocolError>,
) {
    let _open = state.metrics.socket();
    let _socket = match admitted {
        Ok(permit) => permit,
        Err(e) => return refuse(&mut socket, &state, e).await,
    };
    let request = match wait_for_start(&mut socket, &state).await {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(e) => return refuse(&mut socket, &state, e).await,
    };
    let permit = match check_request(&state, client, &request).await {
        Ok(permit) => permit,
        Err(e) => return refuse(&mut socket, &state, e).await,
    };
    stream_run(socket, &state, client, request, permit).await;
}

/// Waits for `start`: the request; `None` when the client leaves, or sends something else
/// first, without one; or the refusal (too slow, a bad frame, another protocol version).
async fn wait_for_start(
    socket: &mut WebSocket,
    state: &AppState,
) -> Result<Option<DiagnosisRequest>, ProtocolError> {
    // One deadline for the whole wait: pings do not extend it.
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs(state.config.limits.start_timeout_secs);
    loop {
        let next = match tokio::time::timeout_at(deadline, socket.recv()).await {
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
async fn check_request(
    state: &AppState,
    client: ClientKey,
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
    if let Err(blocked) = state.targets.admit(request).await {
        let minutes = blocked.wait.as_secs().div_ceil(60).max(1);
        let what = match blocked.code {
            ErrorCode::AccountRateLimited => "this account",
            _ => "this server",
        };
        return Err(error(
            blocked.code,
            format!(
                "too many refused {} logins for {what} lately; try again in {minutes} min",
                blocked.side.label()
            ),
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

/// Whether the run goes on after a frame or an event, and how it ended when not.
type Flow = ControlFlow<Ended>;

/// How a run ended, for the operator's log line (codes only: no server text).
enum Ended {
    Reported {
        outcome: inbox_doctor_errors::Outcome,
        causes: Vec<&'static str>,
    },
    Cancelled,
    ClientLeft,
    TimedOut,
    Refused(ErrorCode),
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ended::Reported { outcome, causes } if causes.is_empty() => write!(f, "{outcome:?}"),
            Ended::Reported { outcome, causes } => write!(f, "{outcome:?}: {}", causes.join(" ")),
            Ended::Cancelled => f.write_str("cancelled"),
            Ended::ClientLeft => f.write_str("client left"),
            Ended::TimedOut => f.write_str("stopped at the run bound"),
            Ended::Refused(code) => write!(f, "refused: {}", code.code()),
        }
    }
}

type Run = JoinHandle<Result<Report, RequestError>>;
type Sender = SplitSink<WebSocket, Message>;

/// Runs the diagnosis and sends each event the moment the engine emits it, until the report,
/// a `cancel`, a bad frame, the client leaving (which stops the run), or the run's bound.
/// The run holds its place (`permit`) until the engine is done, whatever the socket does.
async fn stream_run(
    socket: WebSocket,
    state: &AppState,
    client: ClientKey,
    request: DiagnosisRequest,
    permit: RunPermit,
) {
    let running = state.metrics.run_started();
    let started = std::time::Instant::now();
    // Validated: no control characters, so these cannot forge a log line.
    let targets = (
        format!("{}:{}", request.imap.host, request.imap.port),
        format!("{}:{}", request.smtp.host, request.smtp.port),
    );
    let (tx, mut events) = mpsc::unbounded_channel();
    let engine_config = state.engine.clone();
    let discovery = state.discovery.clone();
    let asked = request.clone();
    let mut run = tokio::spawn(async move {
        let _place = (permit, running);
        diagnose_with(&request, &engine_config, &discovery, tx).await
    });
    let bound = tokio::time::sleep(state.config.run_timeout());
    tokio::pin!(bound);
    let (mut sink, mut stream) = socket.split();
    loop {
        let next = tokio::select! {
            event = events.recv() => match event {
                Some(event) => forward(&mut sink, state, &asked, &run, event).await,
                None => refuse_unreported(&mut sink, state, &mut run).await,
            },
            incoming = stream.next() => answer(&mut sink, state, &run, incoming).await,
            () = &mut bound => {
                run.abort();
                let e = error(ErrorCode::Timeout, "the diagnosis took longer than this relay allows");
                refuse(&mut sink, state, e).await;
                Flow::Break(Ended::TimedOut)
            }
        };
        if let ControlFlow::Break(ended) = next {
            tracing::info!(
                %client,
                imap = targets.0,
                smtp = targets.1,
                ended = %ended,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "run"
            );
            return;
        }
    }
}

/// Sends one event; the report is the last (counted, then the socket closes: "done").
async fn forward(
    sink: &mut Sender,
    state: &AppState,
    request: &DiagnosisRequest,
    run: &Run,
    event: StepEvent,
) -> Flow {
    let ended = match &event {
        StepEvent::Report(report) => {
            state.metrics.run_finished(report);
            let refused = state.targets.record(request, &report.failures).await;
            state.metrics.logins_refused(refused);
            Some(Ended::Reported {
                outcome: report.outcome,
                causes: report.failures.iter().map(|f| f.cause.code()).collect(),
            })
        }
        _ => None,
    };
    if send(sink, text(&ServerMessage::Event(event)))
        .await
        .is_err()
    {
        run.abort();
        return Flow::Break(Ended::ClientLeft);
    }
    match ended {
        Some(ended) => {
            close(sink, 1000, "done").await;
            Flow::Break(ended)
        }
        None => Flow::Continue(()),
    }
}

/// The engine ended without a report: a request it refused (or a crash), said as a refusal.
async fn refuse_unreported(sink: &mut Sender, state: &AppState, run: &mut Run) -> Flow {
    let e = match run.await {
        Ok(Err(RequestError::Egress(r))) => {
            // What the name resolved to is for the operator's log, not for the stranger.
            tracing::info!(refusal = %r, "egress refused");
            error(ErrorCode::EgressRefused, r.public())
        }
        Ok(Err(other)) => error(ErrorCode::InvalidRequest, other.to_string()),
        Ok(Ok(_)) => return Flow::Break(Ended::ClientLeft),
        Err(_) => error(ErrorCode::Internal, "the diagnosis stopped unexpectedly"),
    };
    let code = e.code;
    refuse(sink, state, e).await;
    Flow::Break(Ended::Refused(code))
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
        return Flow::Break(Ended::ClientLeft);
    };
    match parse(state, message) {
        Ok(Frame::Close) => {
            run.abort();
            Flow::Break(Ended::ClientLeft)
        }
        Ok(Frame::Client(m)) if matches!(*m, ClientMessage::Cancel {}) => {
            run.abort();
            if send(sink, text(&ServerMessage::Cancelled {})).await.is_ok() {
                close(sink, 1000, "cancelled").await;
            }
            Flow::Break(Ended::Cancelled)
        }
        Ok(Frame::Client(_)) => {
            // One socket, one run: say so, and go on with the first.
            state.metrics.refused(ErrorCode::AlreadyStarted);
            let e = error(
                ErrorCode::AlreadyStarted,
                "this socket already runs a diagnosis; open another socket for another",
            );
            if send(sink, text(&ServerMessage::Error(e))).await.is_err() {
                run.abort();
                return Flow::Break(Ended::ClientLeft);
            }
            Flow::Continue(())
        }
        Ok(Frame::Control) => Flow::Continue(()),
        Err(e) => {
            run.abort();
            let code = e.code;
            refuse(sink, state, e).await;
            Flow::Break(Ended::Refused(code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer that never takes another byte: its sink is never ready.
    struct Stuck;

    impl Sink<Message> for Stuck {
        type Error = ();
        fn poll_ready(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), ()>> {
            std::task::Poll::Pending
        }
        fn start_send(self: std::pin::Pin<&mut Self>, _: Message) -> Result<(), ()> {
            Ok(())
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), ()>> {
            std::task::Poll::Pending
        }
        fn poll_close(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), ()>> {
            std::task::Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_reader_that_stops_reading_cannot_hold_a_send() {
        let started = tokio::time::Instant::now();
        let sent = send(&mut Stuck, Message::Text("event".into())).await;
        assert_eq!(sent, Err(()));
        assert_eq!(started.elapsed(), SEND_TIMEOUT);
        // Closing such a socket ends too.
        let started = tokio::time::Instant::now();
        close(&mut Stuck, 1000, "done").await;
        assert_eq!(started.elapsed(), SEND_TIMEOUT);
    }
}
