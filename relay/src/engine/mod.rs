//! The diagnosis: a request in, step events out as they happen, a [`Report`] at the end.
//!
//! [`run`] resolves both names, then runs the IMAP branch ([`imap`]) and the SMTP branch
//! ([`smtp`]) concurrently; they share nothing but the run's bookkeeping ([`record::Run`]).
//! The SMTP send waits for nothing on the IMAP side; the round trip is the only link: the SMTP
//! branch hands the Message-ID to the IMAP branch, whose session is still open. Every step
//! begins and ends through a [`step::Step`] guard, so each branch reads top to bottom like the
//! steps of the help-center article it implements. [`open`] holds the connect and TLS steps
//! both branches share, [`secure`] the TLS step's handshake with its legacy-TLS questions, and
//! [`sessions`] counts the simultaneous sessions a server allows.

mod imap;
mod open;
mod record;
mod secure;
mod sessions;
mod smtp;
mod step;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use inbox_doctor_errors::{Credential, DiagnosisRequest, Report, Side, StepEvent, StepId};
use tokio::sync::{mpsc, oneshot};

use crate::message;
use crate::net::egress::Refusal;
use crate::net::{Failed, Network};
use record::Run;

/// Settings of the engine that do not come from the user's request.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Deadline of each step.
    pub step_timeout: Duration,
    /// How long the round trip waits for the test message.
    pub roundtrip_timeout: Duration,
    /// How the relay reaches servers.
    pub net: Network,
    /// What OAuth providers' mail servers take: the claims of a refused token are compared
    /// with them to say why.
    pub token_issuers: Vec<crate::oauth::claims::Expectation>,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            step_timeout: Duration::from_secs(10),
            roundtrip_timeout: Duration::from_secs(30),
            net: Network::default(),
            token_issuers: crate::oauth::claims::microsoft(),
        }
    }
}

/// A request the engine cannot run. Failures of the mailbox are never this: they are results.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("{field} {address:?} is not a valid email address: {reason}")]
    InvalidAddress {
        field: &'static str,
        address: String,
        reason: String,
    },
    #[error("the {} server name is empty", side.label())]
    EmptyHost { side: Side },
    #[error("the {} port must be 1–65535", side.label())]
    PortZero { side: Side },
    #[error("the password is empty")]
    EmptyPassword,
    #[error("the {} access token is missing", side.label())]
    EmptyToken { side: Side },
    /// Tokens are printable ASCII (base64url, JWTs): anything else is not one, and a line
    /// break in it could smuggle in a command.
    #[error("the {} access token holds characters no token has", side.label())]
    TokenNotPrintable { side: Side },
    /// CR and LF could end a protocol line early and smuggle in a command of the sender's.
    #[error("the {field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("the {field} is longer than {max} bytes")]
    TooLong { field: &'static str, max: usize },
    #[error("the session target must be 1–50, not {value}")]
    SessionTarget { value: u32 },
    /// The relay's egress policy refuses a server (only with a policy).
    #[error("{0}")]
    Egress(Refusal),
}

/// The longest address, login name and host name a request may carry (RFC 5321's path limit,
/// DNS's name limit; a login name rarely needs more).
const MAX_ADDRESS: usize = 254;
const MAX_USERNAME: usize = 256;
const MAX_HOST: usize = 253;
/// The longest access token a request may carry: JWTs of the big providers are 1–3 KB.
const MAX_TOKEN: usize = 16 * 1024;

/// Checks a request before any connection is made.
pub fn validate(req: &DiagnosisRequest) -> Result<(), RequestError> {
    let fields = [
        ("email address", Some(req.email.as_str()), MAX_ADDRESS),
        ("test recipient", req.test_recipient.as_deref(), MAX_ADDRESS),
        ("username", req.username.as_deref(), MAX_USERNAME),
        ("SMTP username", req.smtp_username.as_deref(), MAX_USERNAME),
        ("IMAP server name", Some(req.imap.host.as_str()), MAX_HOST),
        ("SMTP server name", Some(req.smtp.host.as_str()), MAX_HOST),
    ];
    for (field, value, max) in fields {
        let Some(value) = value else { continue };
        if value.chars().any(char::is_control) {
            return Err(RequestError::ControlCharacter { field });
        }
        if value.len() > max {
            return Err(RequestError::TooLong { field, max });
        }
    }
    let address = |field, a: &str| {
        message::parse_address(a)
            .map(|_| ())
            .map_err(|e| RequestError::InvalidAddress {
                field,
                address: e.address,
                reason: e.reason,
            })
    };
    address("email", &req.email)?;
    address("test recipient", req.test_recipient())?;
    for side in [Side::Imap, Side::Smtp] {
        let s = req.server(side);
        if s.host.trim().is_empty() {
            return Err(RequestError::EmptyHost { side });
        }
        if s.port == 0 {
            return Err(RequestError::PortZero { side });
        }
    }
    for side in [Side::Imap, Side::Smtp] {
        match req.credential(side) {
            Credential::Password(p) if p.is_empty() => return Err(RequestError::EmptyPassword),
            Credential::Password(_) => {}
            Credential::Token { token, .. } => {
                let token = token.expose();
                if token.is_empty() {
                    return Err(RequestError::EmptyToken { side });
                }
                if !token.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(RequestError::TokenNotPrintable { side });
                }
                if token.len() > MAX_TOKEN {
                    let field = "access token";
                    return Err(RequestError::TooLong {
                        field,
                        max: MAX_TOKEN,
                    });
                }
            }
        }
    }
    if !(1..=50).contains(&req.session_target) {
        return Err(RequestError::SessionTarget {
            value: req.session_target,
        });
    }
    Ok(())
}

/// Runs a diagnosis. Events go to `events` as steps start and finish; the report is returned
/// (the caller sends it as the last event, once advice has been added).
pub async fn run(
    req: &DiagnosisRequest,
    config: &EngineConfig,
    events: mpsc::UnboundedSender<StepEvent>,
) -> Result<Report, RequestError> {
    validate(req)?;
    if let Some(policy) = &config.net.egress {
        for side in [Side::Imap, Side::Smtp] {
            policy
                .check_port(req.server(side).port)
                .map_err(RequestError::Egress)?;
        }
    }
    let run = Arc::new(Run::new(req, config, events));
    // Tasks beside the flow hold the run; a cancelled run (this future dropped) stops them.
    let _stop_background = StopBackground(run.clone());
    let (imap_addrs, smtp_addrs) = resolve(&run).await?;

    let (sent_tx, sent_rx) = oneshot::channel();
    tokio::join!(
        imap::branch(run.clone(), imap_addrs.ok(), sent_rx),
        smtp::branch(run.clone(), smtp_addrs.ok(), sent_tx),
    );
    run.finish_background().await;
    Ok(run.report())
}

/// Aborts the run's background tasks when dropped.
struct StopBackground(Arc<Run>);

impl Drop for StopBackground {
    fn drop(&mut self) {
        std::mem::take(&mut self.0.state().background);
    }
}

type Resolved = Result<Vec<SocketAddr>, Failed>;

/// The first step: both names at once (once when they are the same), then the egress policy.
/// The engine connects to exactly the addresses the policy passed: no second lookup.
async fn resolve(run: &Run) -> Result<(Resolved, Resolved), RequestError> {
    let step = run.begin(StepId::Resolve);
    let (req, net) = (&run.req, &run.config.net);
    let deadline = step.deadline();
    let imap_lookup = net.resolve(&req.imap.host, req.imap.port, deadline);
    let (imap, smtp) = if req.imap.host.eq_ignore_ascii_case(&req.smtp.host) {
        let found = imap_lookup.await;
        let smtp = found.clone().map(|addrs| {
            addrs
                .iter()
                .map(|a| SocketAddr::new(a.ip(), req.smtp.port))
                .collect()
        });
        (found, smtp)
    } else {
        tokio::join!(
            imap_lookup,
            net.resolve(&req.smtp.host, req.smtp.port, deadline)
        )
    };
    let judge = |side: Side, found: Resolved| match found {
        Ok(addrs) => net
            .allowed(&req.server(side).host, addrs)
            .map(Ok)
            .map_err(RequestError::Egress),
        Err(f) => Ok(Err(f)),
    };
    let (imap, smtp) = (judge(Side::Imap, imap)?, judge(Side::Smtp, smtp)?);
    step.resolved(&imap, &smtp);
    Ok((imap, smtp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_doctor_errors::{Secret, Security, ServerSettings};

    fn request() -> DiagnosisRequest {
        let server = |port| ServerSettings {
            host: "mail.example.com".into(),
            port,
            security: Security::Auto,
        };
        DiagnosisRequest::new(
            "jo@example.com",
            Secret::new("pw"),
            server(993),
            server(587),
        )
    }

    #[test]
    fn line_breaks_and_other_controls_are_refused_in_every_field() {
        assert!(validate(&request()).is_ok());
        let smuggled = "jo\r\nRCPT TO:<victim@example.org>";
        type Set = fn(&mut DiagnosisRequest, String);
        let cases: [(&str, Set); 5] = [
            ("username", |r, v| r.username = Some(v)),
            ("SMTP username", |r, v| r.smtp_username = Some(v)),
            ("IMAP server name", |r, v| r.imap.host = v),
            ("SMTP server name", |r, v| r.smtp.host = v),
            ("test recipient", |r, v| r.test_recipient = Some(v)),
        ];
        for (field, set) in cases {
            let mut r = request();
            set(&mut r, smuggled.to_owned());
            let e = validate(&r).unwrap_err();
            assert!(
                matches!(e, RequestError::ControlCharacter { field: f } if f == field),
                "{field}: {e}"
            );
        }
        let mut r = request();
        r.email = "jo@example.com\0".into();
        assert!(matches!(
            validate(&r),
            Err(RequestError::ControlCharacter { .. })
        ));
        let mut r = request();
        r.imap.host = "a".repeat(300);
        assert!(matches!(validate(&r), Err(RequestError::TooLong { .. })));
    }

    #[test]
    fn only_a_bare_address_is_an_address() {
        let mut r = request();
        r.email = "Jo <jo@example.com>".into();
        assert!(matches!(
            validate(&r),
            Err(RequestError::InvalidAddress { .. })
        ));
    }
}
