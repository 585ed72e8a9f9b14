//! Inbox Doctor's engine: performs the real IMAP and SMTP sessions of the inbox connection flow
//! and reports, step by step, what happened and why.
//!
//! The layers, each importing only those above it in this list (the wire types and the failure
//! taxonomy live in `inbox_doctor_errors`, below them all):
//! - [`net`] — reaching servers: resolution, the egress policy, TCP, TLS with inspection,
//!   bounded line IO, the redacted transcript. The only code that opens sockets.
//! - [`imap`], [`smtp`] — the protocol dialogues: state without IO, driven by a thin async
//!   layer over a `net` connection; [`sasl`] the token mechanisms both speak, [`oauth`] what
//!   a token says about itself. [`message`] builds the test email.
//! - [`session`] — the one road to an open session (connect, greet, TLS, ready).
//! - [`engine`] (a diagnosis: steps, branches, the report) and [`discover`] (settings from an
//!   address) — the two flows.
//! - [`hints`] — advice that combines a diagnosis with discovery; [`diagnose`] runs both.
//! - [`domains`] (stored domain settings), [`config`] (the relay's configuration).
//! - [`server`] (the relay: WebSocket, HTTP API, limits, metrics) and [`cli`] (the
//!   `inbox-doctor` command) — the front doors.

pub mod cli;
pub mod config;
pub mod discover;
pub mod domains;
pub mod engine;
pub mod hints;
pub mod imap;
pub mod message;
pub mod net;
pub mod oauth;
pub mod sasl;
pub mod server;
pub mod session;
pub mod smtp;

pub use engine::{validate, EngineConfig, RequestError};
pub use hints::{diagnose, diagnose_with};
