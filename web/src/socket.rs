//! The one module that owns the WebSocket to the relay. Components see only the signals of a
//! [`Run`]: the events as they arrive, the report, the phase. A lost connection is reported,
//! never silently re-opened (that would log in to the user's mailbox again).

use inbox_doctor_errors::{
    ClientMessage, DiagnosisRequest, ProtocolError, Report, ServerMessage, StepEvent, StepResult,
    Warning, PROTOCOL_VERSION,
};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

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
    socket: StoredValue<Option<Socket>, LocalStorage>,
}

/// The open socket and its handlers, which live exactly as long as it is in use.
struct Socket {
    ws: WebSocket,
    _handlers: [Closure<dyn FnMut(web_sys::Event)>; 3],
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
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
            socket: StoredValue::new_local(None),
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

    /// Opens a socket to `ws_url` and runs one diagnosis on it. Each message is applied as it
    /// arrives, in the socket's own event handler, so the DOM follows in the same task.
    pub fn start(&self, ws_url: &str, request: DiagnosisRequest) {
        self.reset();
        self.socket.set_value(None);
        self.phase.set(Phase::Running);
        let start = crate::json::encode(&ClientMessage::Start {
            version: PROTOCOL_VERSION,
            request,
        });
        let (Ok(ws), Some(start)) = (WebSocket::new(ws_url), start) else {
            self.lost();
            return;
        };
        let run = *self;
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let sent = e
                .target()
                .and_then(|t| t.dyn_into::<WebSocket>().ok())
                .is_some_and(|ws| ws.send_with_str(&start).is_ok());
            if !sent {
                run.lost();
            }
        });
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            if let Some(text) = e
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
            {
                run.receive(&text);
            }
        });
        // Closed, or broken (an error is always followed by a close).
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            if run.phase.get_untracked() == Phase::Running {
                run.lost();
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.socket.set_value(Some(Socket {
            ws,
            _handlers: [on_open, on_message, on_close],
        }));
    }

    /// The connection to the relay broke, or never came up.
    fn lost(&self) {
        self.connection_lost.set(true);
        self.phase.set(Phase::Stopped);
    }

    /// Applies one server message to the signals, at once (the DOM follows synchronously).
    pub fn receive(&self, text: &str) {
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
        self.socket.with_value(|s| {
            if let Some(s) = s {
                let _ = s.ws.send_with_str(r#"{"cancel":{}}"#);
            }
        });
    }
}

impl Default for Run {
    fn default() -> Run {
        Run::new()
    }
}
