//! Confirming a candidate: the session road (connect, greeting, TLS in the candidate's mode
//! with the certificate checked, EHLO), then CAPABILITY for IMAP. No login: discovery never
//! sends a password.

use std::net::SocketAddr;
use std::time::Duration;

use inbox_doctor_errors::{CertVerdict, Observation, ProbeOutcome, Security, Side};
use tokio::time::Instant;

use crate::imap::ImapSession;
use crate::net::dns::{Dns, LookupError};
use crate::net::tls::TlsTrust;
use crate::net::transcript::{cut_evidence, Transcript};
use crate::net::{Failed, Network};
use crate::session::{self, Dialogue, Opened, Road, Smtp};

/// What probing showed, with the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probed {
    pub outcome: ProbeOutcome,
    pub detail: Option<String>,
    /// What went wrong, for a classification (a refused connection, a TLS alert, the
    /// certificate's verdict); `None` when the server answered as asked.
    pub failure: Option<Observation<String>>,
}

/// Everything a probe needs.
pub struct Prober {
    pub dns: Dns,
    /// The egress policy, trust and source addresses.
    pub net: Network,
    /// Each candidate's share of time.
    pub timeout: Duration,
    /// No probe goes on past this, however late it started.
    pub deadline: Option<Instant>,
}

impl Prober {
    pub async fn probe(&self, side: Side, host: &str, port: u16, security: Security) -> Probed {
        let own = Instant::now() + self.timeout;
        let deadline = self.deadline.map_or(own, |d| d.min(own));
        let addrs = match self.dns.addresses(host, port, deadline).await {
            Ok(a) => a,
            Err(LookupError::NoSuchName | LookupError::NoRecords) => {
                let found = probed(ProbeOutcome::NotFound, format!("{host} does not resolve"));
                return failed(found, Observation::DnsNotFound);
            }
            Err(LookupError::TimedOut) => {
                let found = probed(ProbeOutcome::TimedOut, format!("no DNS answer for {host}"));
                return failed(found, Observation::DnsFailed);
            }
            Err(e) => {
                let found = probed(ProbeOutcome::NotFound, format!("{host}: {e}"));
                return failed(found, Observation::DnsFailed);
            }
        };
        let addrs = match self.net.allowed(host, addrs) {
            Ok(a) => a,
            Err(r) => {
                // The browser reads this detail: the address stays in the log.
                tracing::info!(refusal = %r, "discovery probe refused by the egress policy");
                return probed(ProbeOutcome::EgressRefused, r.public());
            }
        };
        let road = Road {
            host,
            port,
            mode: security,
            transcript: Transcript::scratch(),
        };
        // The certificate is judged, not required: a bad one is a finding about the candidate.
        let trust = TlsTrust::new(&self.net.roots, true);
        let result = match side {
            Side::Imap => {
                self.confirm::<ImapSession>(&road, &addrs, &trust, deadline)
                    .await
            }
            Side::Smtp => self.confirm::<Smtp>(&road, &addrs, &trust, deadline).await,
        };
        result.unwrap_or_else(from_failed)
    }

    /// The session road without login, then the capabilities (CAPABILITY or EHLO).
    async fn confirm<D: Dialogue>(
        &self,
        road: &Road<'_>,
        addrs: &[SocketAddr],
        trust: &TlsTrust,
        deadline: Instant,
    ) -> Result<Probed, Failed> {
        let mut opened = session::open::<D>(&self.net, road, addrs, trust, deadline).await?;
        opened.session.capabilities().await?;
        let found = done(&opened);
        opened.session.close().await;
        Ok(found)
    }
}

fn done<D>(opened: &Opened<D>) -> Probed {
    let evidence = opened.greeting.clone().unwrap_or_default();
    let cert = opened.tls.as_ref().and_then(|r| match r.verdict {
        CertVerdict::Trusted => None,
        v => Some(format!(
            "certificate: {} ({})",
            v.code(),
            r.verdict_detail.as_deref().unwrap_or_default()
        )),
    });
    match (cert, &opened.tls) {
        (Some(problem), Some(tls)) => Probed {
            failure: Some(Observation::Certificate(tls.verdict)),
            ..probed(
                ProbeOutcome::CertificateInvalid,
                format!("{evidence}; {problem}"),
            )
        },
        _ => probed(ProbeOutcome::Confirmed, evidence),
    }
}

/// `found` with what went wrong.
fn failed(found: Probed, observed: Observation<String>) -> Probed {
    Probed {
        failure: Some(observed),
        ..found
    }
}

/// An outcome with its evidence, cut to the bound on server text.
fn probed(outcome: ProbeOutcome, detail: String) -> Probed {
    Probed {
        outcome,
        detail: Some(cut_evidence(&detail)),
        failure: None,
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
        failure: Some(f.observation),
        ..probed(outcome, detail)
    }
}
