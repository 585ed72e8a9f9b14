//! Everything that opens a socket. Each submodule performs one part of a real session and
//! reports what it saw: a value, or a [`Failed`] observation for [`inbox_doctor_errors::classify`].

pub mod conn;
pub mod imap;
pub mod smtp;
pub mod tcp;
pub mod tls;

use inbox_doctor_errors::{ImapCommand, Observation, SmtpCommand};

use conn::IoFailure;

/// A step that did not succeed, as observed: the classification input, the server's words and
/// our own detail (an error chain, an address).
#[derive(Debug)]
pub struct Failed {
    pub observation: Observation<String>,
    pub detail: Option<String>,
}

impl Failed {
    pub fn new(observation: Observation<String>) -> Failed {
        Failed {
            observation,
            detail: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Failed {
        self.detail = Some(detail.into());
        self
    }

    pub fn imap(command: ImapCommand, reply: impl Into<String>) -> Failed {
        Failed::new(Observation::ImapReply {
            command,
            text: reply.into(),
        })
    }

    pub fn smtp(command: SmtpCommand, reply: impl Into<String>) -> Failed {
        Failed::new(Observation::SmtpReply {
            command,
            text: reply.into(),
        })
    }

    /// The server's own words, when the observation carries them.
    pub fn server_reply(&self) -> Option<&str> {
        match &self.observation {
            Observation::ImapReply { text, .. }
            | Observation::SmtpReply { text, .. }
            | Observation::ForeignGreeting { text } => Some(text),
            _ => None,
        }
    }

    /// A read or write that failed on an open connection.
    pub fn io(failure: IoFailure, implicit_tls_port: bool) -> Failed {
        let detail = failure.to_string();
        let observation = match failure {
            IoFailure::Closed => Observation::Closed,
            IoFailure::TimedOut { nothing_received } => Observation::ReplyTimedOut {
                awaiting_greeting: nothing_received,
                implicit_tls_port,
            },
            IoFailure::TooLong { .. } => Observation::ForeignGreeting {
                text: String::new(),
            },
            IoFailure::Other(_) => Observation::Closed,
        };
        Failed::new(observation).detail(detail)
    }
}

/// Whether the port is one where implicit TLS is the usual mode.
pub fn implicit_tls_port(port: u16) -> bool {
    matches!(port, 993 | 465)
}
