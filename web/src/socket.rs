//! The one module that owns the WebSocket to the relay. Components see only the signals of a
//! [`Run`]: the events as they arrive, the report, the phase. A lost connection is reported,
//! never silently re-opened (that would log in to the user's mailbox again).

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::Message;
use inbox_doctor_errors::{
    ClientMessage, DiagnosisRequest, ProtocolError, Report, ServerMessage, StepEvent, StepResult,
    Warning, PROTOCOL_VERSION,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Idle,
    Running,
    Done,
    Cancelled,
    /// The relay refused, or the connection broke.
    Stopped,
}

/// The live state of one diagnosis.
#[derive(Clone, Copy)]
pub struct Run {
    pub phase: RwSignal<Phase>,
    /// Steps that have started (and not finished yet).
    pub started: RwSignal<Vec<inbox_doctor_errors::StepId>>,
    pub finished: RwSignal<Vec<StepResult>>,
    pub warnings: RwSignal<Vec<Warning>>,
    pub report: RwSignal<Option<Report>>,
    /// The report message as the relay sent it, for the JSON download (re-encoding the report
    /// here would put a serializer for every report type into the wasm).
    pub report_json: StoredValue<String, LocalStorage>,
    pub error: RwSignal<Option<ProtocolError>>,
    pub connection_lost: RwSignal<bool>,
    outgoing: StoredValue<Option<mpsc::UnboundedSender<String>>, LocalStorage>,
}

impl Run {
    pub fn new() -> Run {
        Run {
            phase: RwSignal::new(Phase::Idle),
            started: RwSignal::new(Vec::new()),
            finished: RwSignal::new(Vec::new()),
            warnings: RwSignal::new(Vec::new()),
            report: RwSignal::new(None),
            report_json: StoredValue::new_local(String::new()),
            error: RwSignal::new(None),
            connection_lost: RwSignal::new(false),
            outgoing: StoredValue::new_local(None),
        }
    }

    fn reset(&self) {
        self.started.set(Vec::new());
        self.finished.set(Vec::new());
        self.warnings.set(Vec::new());
        self.report.set(None);
        self.error.set(None);
        self.connection_lost.set(false);
    }

    /// Opens a socket to `ws_url` and runs one diagnosis on it.
    pub fn start(&self, ws_url: &str, request: DiagnosisRequest) {
        self.reset();
        self.phase.set(Phase::Running);
        let start = crate::json::encode(&ClientMessage::Start {
            version: PROTOCOL_VERSION,
            request,
        });
        let (ws, start) = match (WebSocket::open(ws_url), start) {
            (Ok(ws), Some(start)) => (ws, start),
            _ => {
                self.connection_lost.set(true);
                self.phase.set(Phase::Stopped);
                return;
            }
        };
        let (mut sink, mut stream) = ws.split();
        let (tx, mut rx) = mpsc::unbounded::<String>();
        self.outgoing.set_value(Some(tx));
        let run = *self;
        spawn_local(async move {
            if sink.send(Message::Text(start)).await.is_err() {
                run.connection_lost.set(true);
                run.phase.set(Phase::Stopped);
                return;
            }
            spawn_local(async move {
                while let Some(text) = rx.next().await {
                    if sink.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
            });
            while let Some(message) = stream.next().await {
                match message {
                    Ok(Message::Text(text)) => run.receive(&text),
                    Ok(Message::Bytes(_)) => {}
                    Err(_) => break,
                }
            }
            run.outgoing.set_value(None);
            if run.phase.get_untracked() == Phase::Running {
                run.connection_lost.set(true);
                run.phase.set(Phase::Stopped);
            }
        });
    }

    /// Applies one server message to the signals, at once (the DOM follows synchronously).
    fn receive(&self, text: &str) {
        let Some(message) = crate::json::decode::<ServerMessage>(text) else {
            return;
        };
        match message {
            ServerMessage::Event(StepEvent::Started { step, .. }) => {
                self.started.update(|s| s.push(step));
            }
            ServerMessage::Event(StepEvent::Finished(result)) => {
                self.finished.update(|f| f.push(result));
            }
            ServerMessage::Event(StepEvent::Warning(w)) => self.warnings.update(|ws| ws.push(w)),
            ServerMessage::Event(StepEvent::Report(report)) => {
                self.report_json.set_value(text.to_owned());
                self.report.set(Some(report));
                self.phase.set(Phase::Done);
            }
            ServerMessage::Cancelled {} => self.phase.set(Phase::Cancelled),
            ServerMessage::Error(e) => {
                self.error.set(Some(e));
                self.phase.set(Phase::Stopped);
            }
        }
    }

    pub fn cancel(&self) {
        if let Some(tx) = self.outgoing.get_value() {
            let _ = tx.unbounded_send(r#"{"cancel":{}}"#.to_owned());
        }
    }
}

impl Default for Run {
    fn default() -> Run {
        Run::new()
    }
}
