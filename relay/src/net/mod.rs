//! The lowest layer of the relay: reaching a server and reading from it safely. Name
//! resolution ([`dns`], [`resolve`]), where the relay may go ([`egress`]), TCP ([`tcp`]), TLS
//! with inspection ([`tls`]), bounded line IO under a deadline ([`conn`]) and the redacted
//! record of what was said ([`transcript`]). Nothing here knows IMAP, SMTP or a diagnosis.
//!
//! What went wrong is reported as a [`Failed`]: an [`Observation`] for
//! [`inbox_doctor_errors::classify`], and our own detail.

pub mod conn;
pub mod dns;
pub mod egress;
#[cfg(test)]
pub(crate) mod mutation;
pub mod resolve;
#[cfg(test)]
pub(crate) mod script;
pub mod tcp;
pub mod tls;
pub mod transcript;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use inbox_doctor_errors::{ImapCommand, Observation, Security, SmtpCommand};
use tokio::time::Instant;

use conn::IoFailure;
use dns::Dns;
use egress::{EgressPolicy, Refusal};
use tls::TrustRoots;

/// A step that did not succeed, as observed: the classification input, the server's words and
/// our own detail (an error chain, an address).
#[derive(Clone, Debug)]
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

    /// A read or write that failed on an open connection. `implicit_tls_port`: the session is
    /// plaintext on a port where implicit TLS is usual, so silence there hints at the mode.
    pub fn io(failure: IoFailure, implicit_tls_port: bool) -> Failed {
        let detail = failure.to_string();
        let observation = match failure {
            // Over TLS, bytes that do not decrypt or an alert mid-session surface as
            // InvalidData: the TLS layer broke, not the connection.
            IoFailure::Other(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Observation::TlsFailed
            }
            // A broken connection (unreachable mid-session, a kernel timeout): gone like a close.
            IoFailure::Closed | IoFailure::Other(_) => Observation::Closed,
            IoFailure::TimedOut { nothing_received } => Observation::ReplyTimedOut {
                awaiting_greeting: nothing_received,
                implicit_tls_port,
            },
            IoFailure::TooLong(_) => Observation::ReplyTooLarge,
            IoFailure::Injection(_) => Observation::TlsFailed,
        };
        Failed::new(observation).detail(detail)
    }
}

/// Whether the port is one where implicit TLS is the usual mode.
pub fn implicit_tls_port(port: u16) -> bool {
    matches!(port, 993 | 465)
}

/// The mode a session uses: `auto` becomes implicit TLS on the implicit-TLS ports and STARTTLS
/// elsewhere; any other choice stands.
pub fn mode_for(security: Security, port: u16) -> Security {
    match security {
        Security::Auto if implicit_tls_port(port) => Security::Tls,
        Security::Auto => Security::Starttls,
        other => other,
    }
}

/// How the relay reaches servers, shared by diagnoses and discovery: which resolver, where it
/// may connect, which certificates it trusts, which local addresses it connects from.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// A name server to ask instead of the system's resolver (`--resolver`).
    pub dns: Option<Dns>,
    /// Where connections may go; `None` (the CLI on the user's own machine) allows all.
    pub egress: Option<Arc<EgressPolicy>>,
    /// Trusted roots: Mozilla's plus any internal CAs, loaded once.
    pub roots: TrustRoots,
    /// Local addresses to connect from (the operator's static egress addresses).
    pub source_v4: Option<IpAddr>,
    pub source_v6: Option<IpAddr>,
}

impl Network {
    /// The configured name server, else the system's resolver.
    pub fn resolver(&self) -> Result<Dns, String> {
        match &self.dns {
            Some(dns) => Ok(dns.clone()),
            None => Dns::system(),
        }
    }

    /// The local address to connect from for these addresses (see [`tcp::source_for`]).
    pub fn source_for(&self, addrs: &[SocketAddr]) -> Option<IpAddr> {
        tcp::source_for(addrs, self.source_v4, self.source_v6)
    }

    /// Connects to the first of `addrs` that accepts, from the configured source address.
    pub async fn connect(
        &self,
        addrs: &[SocketAddr],
        deadline: Instant,
    ) -> Result<tcp::Connected, Failed> {
        tcp::connect(addrs, self.source_for(addrs), deadline).await
    }

    /// Resolves `host` with the configured resolver.
    pub async fn resolve(
        &self,
        host: &str,
        port: u16,
        deadline: Instant,
    ) -> Result<Vec<SocketAddr>, Failed> {
        resolve::resolve_with(self.dns.as_ref(), host, port, deadline).await
    }

    /// The addresses of `found` the egress policy allows (all of them without a policy).
    pub fn allowed(&self, host: &str, found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Refusal> {
        match &self.egress {
            Some(policy) => policy.filter(host, &found),
            None => Ok(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_security_follows_the_port() {
        assert_eq!(mode_for(Security::Auto, 993), Security::Tls);
        assert_eq!(mode_for(Security::Auto, 465), Security::Tls);
        assert_eq!(mode_for(Security::Auto, 143), Security::Starttls);
        assert_eq!(mode_for(Security::Auto, 587), Security::Starttls);
        assert_eq!(mode_for(Security::Auto, 25), Security::Starttls);
        assert_eq!(mode_for(Security::Plain, 993), Security::Plain);
        assert_eq!(mode_for(Security::Starttls, 465), Security::Starttls);
    }

    #[test]
    fn io_failures_keep_their_meaning() {
        let o = |f| Failed::io(f, false).observation;
        assert_eq!(o(IoFailure::Closed), Observation::Closed);
        assert_eq!(
            o(IoFailure::Other(std::io::Error::other("x"))),
            Observation::Closed
        );
        assert_eq!(
            o(IoFailure::Injection("* OK".into())),
            Observation::TlsFailed
        );
        assert_eq!(
            o(IoFailure::Other(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "received fatal alert: BadRecordMac"
            ))),
            Observation::TlsFailed
        );
        assert_eq!(
            o(IoFailure::TimedOut {
                nothing_received: true
            }),
            Observation::ReplyTimedOut {
                awaiting_greeting: true,
                implicit_tls_port: false
            }
        );
    }
}
