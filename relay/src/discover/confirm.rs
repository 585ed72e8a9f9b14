//! Confirming a candidate: connect, greeting, CAPABILITY or EHLO, TLS in the candidate's mode
//! with the certificate checked. No login: discovery never sends a password.

use std::net::SocketAddr;
use std::time::Duration;

use inbox_doctor_errors::{CertVerdict, Observation, ProbeOutcome, Security, Side};
use tokio::time::Instant;

use super::dns::{Dns, LookupError};
use crate::egress::EgressPolicy;
use crate::probe::conn::{BoxIo, Conn};
use crate::probe::imap::ImapSession;
use crate::probe::smtp::SmtpSession;
use crate::probe::tls::{self, TlsTrust, TrustRoots};
use crate::probe::{implicit_tls_port, tcp, Failed};
use crate::transcript::Transcript;

/// What probing showed, with the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probed {
    pub outcome: ProbeOutcome,
    pub detail: Option<String>,
}

/// Everything a probe needs.
pub struct Prober {
    pub dns: Dns,
    pub egress: Option<std::sync::Arc<EgressPolicy>>,
    pub roots: TrustRoots,
    pub source_v4: Option<std::net::IpAddr>,
    pub source_v6: Option<std::net::IpAddr>,
    /// Each candidate's share of time.
    pub timeout: Duration,
}

impl Prober {
    pub async fn probe(&self, side: Side, host: &str, port: u16, security: Security) -> Probed {
        let deadline = Instant::now() + self.timeout;
        let addrs = match self.dns.addresses(host, port, deadline).await {
            Ok(a) => a,
            Err(LookupError::NoSuchName | LookupError::NoRecords) => {
                return probed(ProbeOutcome::NotFound, format!("{host} does not resolve"))
            }
            Err(LookupError::TimedOut) => {
                return probed(ProbeOutcome::TimedOut, format!("no DNS answer for {host}"))
            }
            Err(e) => return probed(ProbeOutcome::NotFound, format!("{host}: {e}")),
        };
        let addrs: Vec<SocketAddr> = match &self.egress {
            Some(policy) => match policy.filter(host, &addrs) {
                Ok(a) => a,
                Err(r) => return probed(ProbeOutcome::EgressRefused, r.to_string()),
            },
            None => addrs,
        };
        let source = tcp::source_for(&addrs, self.source_v4, self.source_v6);
        let connected = match tcp::connect(&addrs, source, deadline).await {
            Ok(c) => c,
            Err(f) => return from_failed(f),
        };
        let session = Session {
            host,
            trust: TlsTrust::new(&self.roots, true),
            deadline,
            implicit: implicit_tls_port(port),
            security,
        };
        let local = connected.local;
        let conn = session.conn(Box::new(connected.stream), side);
        let result = match side {
            Side::Imap => session.imap(conn).await,
            Side::Smtp => session.smtp(conn, local).await,
        };
        match result {
            Ok(p) => p,
            Err(f) => from_failed(f),
        }
    }
}

struct Session<'a> {
    host: &'a str,
    trust: TlsTrust,
    deadline: Instant,
    implicit: bool,
    security: Security,
}

impl Session<'_> {
    /// Upgrades `io` to TLS; the certificate's verdict, or why the handshake failed.
    async fn tls(&self, io: BoxIo) -> Result<(BoxIo, Option<String>), Failed> {
        let hs = tls::handshake(io, self.host, self.security, &self.trust, self.deadline).await;
        let io = hs.outcome?;
        let problem = match hs.report.verdict {
            CertVerdict::Trusted => None,
            v => Some(format!(
                "certificate: {v:?} ({})",
                hs.report.verdict_detail.unwrap_or_default()
            )),
        };
        Ok((io, problem))
    }

    fn conn(&self, io: BoxIo, side: Side) -> Conn {
        Conn::new(
            io,
            side,
            Transcript::new(std::time::Instant::now(), &[]),
            self.deadline,
        )
    }

    /// The greeting (before STARTTLS, when that is the mode) and the capabilities.
    async fn imap(&self, conn: Conn) -> Result<Probed, Failed> {
        let (mut session, greeting, cert) = match self.security {
            Security::Tls => {
                let (io, cert) = self
                    .tls(conn.into_io().map_err(|e| Failed::io(e, true))?)
                    .await?;
                let mut session = ImapSession::new(self.conn(io, Side::Imap), false);
                let greeting = session.greeting().await?.line;
                (session, greeting, cert)
            }
            Security::Starttls => {
                let mut plain = ImapSession::new(conn, self.implicit);
                let greeting = plain.greeting().await?.line;
                let (io, cert) = self.tls(plain.starttls().await?).await?;
                let session = ImapSession::new(self.conn(io, Side::Imap), false);
                (session, greeting, cert)
            }
            _ => {
                let mut session = ImapSession::new(conn, self.implicit);
                let greeting = session.greeting().await?.line;
                (session, greeting, None)
            }
        };
        session.capabilities().await?;
        session.logout().await;
        Ok(done(greeting, cert))
    }

    /// The greeting (before STARTTLS, when that is the mode) and EHLO.
    async fn smtp(&self, conn: Conn, local: SocketAddr) -> Result<Probed, Failed> {
        let name = crate::engine::ehlo_name(local);
        let (mut session, greeting, cert) = match self.security {
            Security::Tls => {
                let (io, cert) = self
                    .tls(conn.into_io().map_err(|e| Failed::io(e, true))?)
                    .await?;
                let mut session = SmtpSession::new(self.conn(io, Side::Smtp), false);
                let greeting = session.greeting().await?.text();
                (session, greeting, cert)
            }
            Security::Starttls => {
                let mut plain = SmtpSession::new(conn, self.implicit);
                let greeting = plain.greeting().await?.text();
                plain.ehlo(&name).await?;
                if plain.extension("STARTTLS").is_none() {
                    plain.quit().await;
                    return Ok(probed(
                        ProbeOutcome::NoStarttls,
                        format!("{greeting} (no STARTTLS after EHLO)"),
                    ));
                }
                let (io, cert) = self.tls(plain.starttls().await?).await?;
                let session = SmtpSession::new(self.conn(io, Side::Smtp), false);
                (session, greeting, cert)
            }
            _ => {
                let mut session = SmtpSession::new(conn, self.implicit);
                let greeting = session.greeting().await?.text();
                (session, greeting, None)
            }
        };
        session.ehlo(&name).await?;
        session.quit().await;
        Ok(done(greeting, cert))
    }
}

fn done(evidence: String, cert: Option<String>) -> Probed {
    match cert {
        None => Probed {
            outcome: ProbeOutcome::Confirmed,
            detail: Some(evidence),
        },
        Some(problem) => Probed {
            outcome: ProbeOutcome::CertificateInvalid,
            detail: Some(format!("{evidence}; {problem}")),
        },
    }
}

fn probed(outcome: ProbeOutcome, detail: String) -> Probed {
    Probed {
        outcome,
        detail: Some(detail),
    }
}

/// The outcome a failed probe step stands for.
fn from_failed(f: Failed) -> Probed {
    let outcome = match &f.observation {
        Observation::DnsNotFound | Observation::DnsFailed => ProbeOutcome::NotFound,
        Observation::ConnectRefused => ProbeOutcome::Refused,
        Observation::ConnectTimedOut | Observation::Unreachable => ProbeOutcome::TimedOut,
        Observation::ReplyTimedOut { .. } => ProbeOutcome::TimedOut,
        Observation::StarttlsNotOffered => ProbeOutcome::NoStarttls,
        Observation::TlsFailed | Observation::TlsLegacyOnly | Observation::Certificate { .. } => {
            ProbeOutcome::TlsFailed
        }
        _ => ProbeOutcome::WrongProtocol,
    };
    let detail = match (f.server_reply(), f.detail.as_deref()) {
        (Some(r), Some(d)) => format!("{r} ({d})"),
        (Some(r), None) => r.to_owned(),
        (None, Some(d)) => d.to_owned(),
        (None, None) => format!("{:?}", f.observation),
    };
    Probed {
        outcome,
        detail: Some(detail),
    }
}
