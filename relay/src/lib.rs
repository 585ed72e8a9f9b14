//! Inbox Doctor's engine: performs the real IMAP and SMTP sessions of the inbox connection flow
//! and reports, step by step, what happened and why.
//!
//! Read in this order: [`engine`] (the flow: steps, branches, the report), [`hints`] (advice for this mailbox), [`probe`] (the only
//! code that opens sockets: TCP, TLS inspection, IMAP, SMTP), [`transcript`] (what was said,
//! redacted), [`message`] (the test email), [`egress`] (where the relay may connect),
//! [`server`] (the relay: WebSocket, HTTP API, limits, metrics), [`domains`] (stored domain
//! settings), [`discover`] (settings from an email address), [`config`] (the relay's configuration), [`cli`] (the `inbox-doctor` command).
//! The wire types and the failure taxonomy live in `inbox_doctor_errors`.

pub mod cli;
pub mod config;
pub mod discover;
pub mod domains;
pub mod egress;
pub mod engine;
pub mod hints;
pub mod message;
pub mod probe;
pub mod server;
pub mod transcript;

pub use engine::{diagnose, EngineConfig, RequestError};
