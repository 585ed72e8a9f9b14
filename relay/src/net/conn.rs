//! A connection to a mail server that reads bounded lines before a deadline and writes what it
//! sends into the transcript.

use std::io;
use std::time::Duration;

use inbox_doctor_errors::{Direction, Side};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::transcript::Transcript;

/// The longest line we accept from a server. RFC 5321 allows 512 octets for SMTP replies;
/// IMAP has no limit, but a capability or LIST line longer than this is not a mail server.
pub const MAX_LINE: usize = 64 * 1024;
/// The largest IMAP literal we read (mailbox names and header values are small).
pub const MAX_LITERAL: usize = 64 * 1024;

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A plain TCP stream or a TLS stream over it.
pub type BoxIo = Box<dyn Io>;

/// Bytes to write (credentials among them, perhaps), and how the transcript shows them (its `Debug` shows only that).
#[derive(PartialEq, Eq)]
pub struct Outgoing {
    pub wire: String,
    pub shown: String,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("shown", &self.shown)
            .finish_non_exhaustive()
    }
}

/// How many injected bytes the evidence shows.
const INJECTION_SHOWN: usize = 64;

/// Why reading or writing stopped.
#[derive(Debug, thiserror::Error)]
pub enum IoFailure {
    /// The peer closed the connection (or reset it).
    #[error("the server closed the connection")]
    Closed,
    /// No bytes within the deadline.
    #[error("the server did not answer in time")]
    TimedOut { nothing_received: bool },
    /// More than we accept of one thing.
    #[error("the server sent {0}")]
    TooLong(Bound),
    /// Bytes that arrived after the server agreed to STARTTLS, before the handshake: they
    /// would be read as if they came over TLS (the response-injection attack, CVE-2011-0411).
    /// Carries the first of them, escaped.
    #[error(
        "the server sent plaintext after agreeing to STARTTLS, before the TLS handshake \
         (the STARTTLS response injection of CVE-2011-0411): {0}"
    )]
    Injection(String),
    #[error("{0}")]
    Other(io::Error),
}

/// Which limit an answer went over, and the limit: the evidence of [`IoFailure::TooLong`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Bound {
    #[error("a line longer than {0} bytes")]
    Line(usize),
    #[error("a literal larger than {0} bytes")]
    Literal(usize),
    #[error("more than {0} literals in one response")]
    Literals(usize),
    #[error("more than {0} bytes of untagged data for one command")]
    Untagged(usize),
    #[error("a reply of more than {0} lines")]
    ReplyLines(usize),
}

fn io_failure(e: io::Error) -> IoFailure {
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => IoFailure::Closed,
        _ => IoFailure::Other(e),
    }
}

pub struct Conn {
    io: BoxIo,
    buf: Vec<u8>,
    side: Side,
    transcript: Transcript,
    deadline: Instant,
    received_any: bool,
}

impl Conn {
    pub fn new(io: BoxIo, side: Side, transcript: Transcript, deadline: Instant) -> Conn {
        Conn {
            io,
            buf: Vec::new(),
            side,
            transcript,
            deadline,
            received_any: false,
        }
    }

    /// Later reads and writes must finish before `deadline`.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    pub fn event(&self, text: &str) {
        self.transcript.record(self.side, Direction::Event, text);
    }

    async fn fill(&mut self) -> Result<(), IoFailure> {
        let mut chunk = [0u8; 8192];
        let read = tokio::time::timeout_at(self.deadline, self.io.read(&mut chunk)).await;
        match read {
            Err(_) => Err(IoFailure::TimedOut {
                nothing_received: !self.received_any,
            }),
            Ok(Err(e)) => Err(io_failure(e)),
            Ok(Ok(0)) => Err(IoFailure::Closed),
            Ok(Ok(n)) => {
                self.received_any = true;
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }

    /// Reads one line (without its CRLF) and records it. Invalid UTF-8 is shown replaced.
    pub async fn read_line(&mut self) -> Result<String, IoFailure> {
        let mut scanned = 0;
        loop {
            if let Some(pos) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + pos;
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line[..end]);
                let text = text.strip_suffix('\r').unwrap_or(&text).to_owned();
                self.transcript.record(self.side, Direction::Server, &text);
                return Ok(text);
            }
            scanned = self.buf.len();
            if scanned > MAX_LINE {
                return Err(IoFailure::TooLong(Bound::Line(MAX_LINE)));
            }
            self.fill().await?;
        }
    }

    /// Reads exactly `n` bytes (an IMAP literal), recorded as one line.
    pub async fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, IoFailure> {
        if n > MAX_LITERAL {
            return Err(IoFailure::TooLong(Bound::Literal(MAX_LITERAL)));
        }
        while self.buf.len() < n {
            self.fill().await?;
        }
        let bytes: Vec<u8> = self.buf.drain(..n).collect();
        self.transcript.record(
            self.side,
            Direction::Server,
            &String::from_utf8_lossy(&bytes),
        );
        Ok(bytes)
    }

    /// Sends `data`; the transcript gets `shown` instead (a redacted rendering when `data`
    /// carries credentials). Each line of `shown` becomes a transcript line.
    pub async fn send(&mut self, data: &[u8], shown: &str) -> Result<(), IoFailure> {
        for line in shown.lines() {
            self.transcript.record(self.side, Direction::Client, line);
        }
        let write = async {
            self.io.write_all(data).await?;
            self.io.flush().await
        };
        match tokio::time::timeout_at(self.deadline, write).await {
            Err(_) => Err(IoFailure::TimedOut {
                nothing_received: !self.received_any,
            }),
            Ok(Err(e)) => Err(io_failure(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Sends lines that carry no secrets.
    pub async fn send_lines(&mut self, text: &str) -> Result<(), IoFailure> {
        self.send(text.as_bytes(), text).await
    }

    /// Gives the stream back for a TLS upgrade. Bytes the server sent after its STARTTLS
    /// answer would be read as if they came over TLS (a known injection attack), so their
    /// presence is an error.
    pub fn into_io(self) -> Result<BoxIo, IoFailure> {
        if self.buf.is_empty() {
            Ok(self.io)
        } else {
            let shown = self.buf.len().min(INJECTION_SHOWN);
            Err(IoFailure::Injection(
                self.buf[..shown].escape_ascii().to_string(),
            ))
        }
    }

    /// Sends a last command without waiting for the answer, then closes, within `grace`.
    pub async fn close_with(mut self, command: &str, grace: Duration) {
        self.transcript
            .record(self.side, Direction::Client, command.trim_end());
        let _ = tokio::time::timeout(grace, async {
            self.io.write_all(command.as_bytes()).await?;
            self.io.shutdown().await
        })
        .await;
    }
}
