//! The diagnosis: a request in, step events out as they happen, a [`Report`] at the end.
//!
//! The IMAP and SMTP branches run concurrently and share nothing but the run's bookkeeping
//! ([`Run`]); the SMTP send waits for nothing on the IMAP side. The round trip is the only link:
//! the SMTP branch hands the Message-ID to the IMAP branch, whose session is still open.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inbox_doctor_errors::text::{self, Lang};
use inbox_doctor_errors::{
    classify, Delivery, DiagnosisRequest, Direction, Endpoint, Fact, Failure, Outcome, Report,
    SessionCheck, Side, SourceAddress, StepEvent, StepId, StepResult, StepStatus, TlsReport,
    TlsSides, Validation, Warning, REPORT_SCHEMA,
};
use inbox_doctor_errors::{Cause, Observation, Security};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::discover::dns::Dns;
use crate::egress::{EgressPolicy, Refusal};
use crate::message;
use crate::probe::conn::{BoxIo, Conn};
use crate::probe::imap::{self, ImapSession};
use crate::probe::smtp::SmtpSession;
use crate::probe::tls::{self, TlsTrust, TrustRoots};
use crate::probe::{implicit_tls_port, tcp, Failed};
use crate::transcript::Transcript;

/// Settings of the engine that do not come from the user's request.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Deadline of each step.
    pub step_timeout: Duration,
    /// How long the round trip waits for the test message.
    pub roundtrip_timeout: Duration,
    /// Trusted roots: Mozilla's plus any internal CAs, loaded once.
    pub roots: TrustRoots,
    /// Local addresses to connect from (static egress addresses).
    pub source_v4: Option<IpAddr>,
    pub source_v6: Option<IpAddr>,
    /// Where connections may go; `None` (the CLI on the user's own machine) allows all.
    pub egress: Option<std::sync::Arc<EgressPolicy>>,
    /// A name server to ask instead of the system's resolver (`--resolver`).
    pub dns: Option<Dns>,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            step_timeout: Duration::from_secs(10),
            roundtrip_timeout: Duration::from_secs(30),
            roots: TrustRoots::default(),
            source_v4: None,
            source_v6: None,
            egress: None,
            dns: None,
        }
    }
}

/// A request the engine cannot run. Failures of the mailbox are never this: they are results.
#[derive(Debug)]
pub enum RequestError {
    InvalidAddress {
        field: &'static str,
        address: String,
        reason: String,
    },
    EmptyHost {
        side: Side,
    },
    PortZero {
        side: Side,
    },
    EmptyPassword,
    SessionTarget {
        value: u32,
    },
    /// The relay's egress policy refuses a server (only with a policy).
    Egress(Refusal),
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |s: &Side| match s {
            Side::Imap => "IMAP",
            Side::Smtp => "SMTP",
        };
        match self {
            RequestError::InvalidAddress {
                field,
                address,
                reason,
            } => write!(
                f,
                "{field} {address:?} is not a valid email address: {reason}"
            ),
            RequestError::EmptyHost { side: s } => {
                write!(f, "the {} server name is empty", side(s))
            }
            RequestError::PortZero { side: s } => write!(f, "the {} port must be 1–65535", side(s)),
            RequestError::EmptyPassword => f.write_str("the password is empty"),
            RequestError::SessionTarget { value } => {
                write!(f, "the session target must be 1–50, not {value}")
            }
            RequestError::Egress(r) => write!(f, "{r}"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Checks a request before any connection is made.
pub fn validate(req: &DiagnosisRequest) -> Result<(), RequestError> {
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
    for (side, s) in [(Side::Imap, &req.imap), (Side::Smtp, &req.smtp)] {
        if s.host.trim().is_empty() {
            return Err(RequestError::EmptyHost { side });
        }
        if s.port == 0 {
            return Err(RequestError::PortZero { side });
        }
    }
    if req.password.is_empty() {
        return Err(RequestError::EmptyPassword);
    }
    if !(1..=50).contains(&req.session_target) {
        return Err(RequestError::SessionTarget {
            value: req.session_target,
        });
    }
    Ok(())
}

/// Runs a diagnosis. Events go to `events` as steps start and finish; the report is returned
/// (and also sent as the last event).
pub async fn diagnose(
    req: &DiagnosisRequest,
    config: &EngineConfig,
    events: mpsc::UnboundedSender<StepEvent>,
) -> Result<Report, RequestError> {
    validate(req)?;
    if let Some(policy) = &config.egress {
        policy
            .check_port(req.imap.port)
            .map_err(RequestError::Egress)?;
        policy
            .check_port(req.smtp.port)
            .map_err(RequestError::Egress)?;
    }
    let trust = TlsTrust::new(&config.roots, req.allow_insecure_cert);
    let start = Instant::now();
    let mut secrets = vec![&req.password];
    if let Some(p) = &req.smtp_password {
        secrets.push(p);
    }
    let run = Arc::new(Run {
        start,
        req: req.clone(),
        config: config.clone(),
        trust,
        events,
        transcript: Transcript::new(start.into_std(), &secrets),
        state: Mutex::new(State::default()),
    });
    run.transcript
        .forbid_login(req.imap_username(), &req.password);
    run.transcript
        .forbid_login(req.smtp_username(), req.smtp_password());

    // Resolve both names at once (once when they are the same).
    let t = run.begin(StepId::Resolve);
    let deadline = run.deadline();
    let dns = config.dns.as_ref();
    let imap_lookup = tcp::resolve_with(dns, &req.imap.host, req.imap.port, deadline);
    let (imap_addrs, smtp_addrs) = if req.imap.host.eq_ignore_ascii_case(&req.smtp.host) {
        let found = imap_lookup.await;
        let smtp = match &found {
            Ok(addrs) => Ok(addrs
                .iter()
                .map(|a| SocketAddr::new(a.ip(), req.smtp.port))
                .collect()),
            Err(f) => Err(Failed {
                observation: f.observation.clone(),
                detail: f.detail.clone(),
            }),
        };
        (found, smtp)
    } else {
        tokio::join!(
            imap_lookup,
            tcp::resolve_with(dns, &req.smtp.host, req.smtp.port, deadline)
        )
    };
    // The engine connects to exactly the addresses the policy passed: no second lookup.
    let (imap_addrs, smtp_addrs) = match &config.egress {
        None => (imap_addrs, smtp_addrs),
        Some(policy) => {
            let judge = |host: &str, found: Result<Vec<SocketAddr>, Failed>| match found {
                Ok(addrs) => policy.filter(host, &addrs).map(Ok),
                Err(f) => Ok(Err(f)),
            };
            (
                judge(&req.imap.host, imap_addrs).map_err(RequestError::Egress)?,
                judge(&req.smtp.host, smtp_addrs).map_err(RequestError::Egress)?,
            )
        }
    };
    run.resolved(t, &imap_addrs, &smtp_addrs);

    let (sent_tx, sent_rx) = oneshot::channel();
    tokio::join!(
        imap_branch(run.clone(), imap_addrs.ok(), sent_rx),
        smtp_branch(run.clone(), smtp_addrs.ok(), sent_tx),
    );
    let background = std::mem::take(&mut run.state().background);
    futures_util::future::join_all(background).await;
    let mut report = run.report();
    crate::hints::add(&mut report, req, config).await;
    let _ = run.events.send(StepEvent::Report(report.clone()));
    Ok(report)
}

/// What the SMTP branch tells the IMAP branch for the round trip.
struct Sent {
    message_id: String,
    accepted_at: Instant,
}

/// One running diagnosis: the request, and the bookkeeping both branches write to.
struct Run {
    start: Instant,
    req: DiagnosisRequest,
    config: EngineConfig,
    trust: TlsTrust,
    events: mpsc::UnboundedSender<StepEvent>,
    transcript: Transcript,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    steps: Vec<StepResult>,
    failures: Vec<Failure>,
    warnings: Vec<Warning>,
    tls: TlsSides,
    validation: Option<Validation>,
    delivery: Option<Delivery>,
    sources: Vec<SourceAddress>,
    imap_security: Option<Security>,
    smtp_security: Option<Security>,
    /// Checks that run beside the flow (legacy TLS); awaited before the report.
    background: Vec<tokio::task::JoinHandle<()>>,
}

/// A started step.
struct Timer {
    step: StepId,
    started: Instant,
}

impl Run {
    fn lang(&self) -> Lang {
        self.req.lang
    }

    fn ms(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.start).as_millis() as u64
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.config.step_timeout
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn begin(&self, step: StepId) -> Timer {
        let started = Instant::now();
        tracing::debug!(step = step.code(), "step started");
        let _ = self.events.send(StepEvent::Started {
            step,
            started_ms: self.ms(started),
        });
        Timer { step, started }
    }

    fn finish(&self, t: Timer, status: StepStatus, evidence: Vec<Fact>, failure: Option<Failure>) {
        let result = StepResult {
            step: t.step,
            status,
            started_ms: self.ms(t.started),
            elapsed_ms: t.started.elapsed().as_millis() as u64,
            evidence,
            failure,
            skipped_because: None,
        };
        tracing::debug!(
            step = t.step.code(),
            status = status.code(),
            elapsed_ms = result.elapsed_ms,
            cause = result.failure.as_ref().map(|f| f.cause.code()),
            "step finished"
        );
        self.state().steps.push(result.clone());
        let _ = self.events.send(StepEvent::Finished(result));
    }

    fn pass(&self, t: Timer, evidence: Vec<Fact>) {
        self.finish(t, StepStatus::Passed, evidence, None);
    }

    /// Classifies what was observed, records the failure and finishes the step with it.
    fn fail(&self, t: Timer, failed: Failed, evidence: Vec<Fact>) {
        let failure = self.failure(t.step, t.step, &failed);
        self.state().failures.push(failure.clone());
        self.finish(t, StepStatus::Failed, evidence, Some(failure));
    }

    /// `classify_as` decides the category (a name lookup fails for one side or the other).
    fn failure(&self, step: StepId, classify_as: StepId, failed: &Failed) -> Failure {
        let diagnosis = classify(classify_as, &failed.observation);
        let words = text::cause_text(diagnosis.cause, self.lang());
        Failure {
            category: diagnosis.category,
            cause: diagnosis.cause,
            step,
            server_reply: failed
                .server_reply()
                .filter(|r| !r.is_empty())
                .map(|r| self.transcript.redact(r)),
            detail: failed.detail.as_deref().map(|d| self.transcript.redact(d)),
            title: text::category_title(diagnosis.category, self.lang()).to_owned(),
            explanation: words.explanation.to_owned(),
            remediation: words.remediation.iter().map(|s| (*s).to_owned()).collect(),
            entered: None,
            alternative: None,
            provider: None,
        }
    }

    fn skip(&self, step: StepId, because: &str) {
        let now = Instant::now();
        let result = StepResult {
            step,
            status: StepStatus::Skipped,
            started_ms: self.ms(now),
            elapsed_ms: 0,
            evidence: Vec::new(),
            failure: None,
            skipped_because: Some(because.to_owned()),
        };
        self.state().steps.push(result.clone());
        let _ = self.events.send(StepEvent::Finished(result));
    }

    /// Records the failure of a step of one branch (with a hint when the security mode and the
    /// port disagree) and skips the branch's remaining steps.
    fn fail_branch(&self, t: Timer, failed: Failed, evidence: Vec<Fact>) {
        let step = t.step;
        let (server, branch) = if step.is_smtp() {
            (&self.req.smtp, &SMTP_STEPS)
        } else {
            (&self.req.imap, &IMAP_STEPS)
        };
        let used = mode_for(server.security, server.port);
        self.fail(
            t,
            mode_hint(failed, server.security, used, server.port),
            evidence,
        );
        let rest: Vec<StepId> = branch
            .iter()
            .copied()
            .skip_while(|&s| s != step)
            .skip(1)
            .collect();
        self.skip_rest(&rest, &format!("{step} failed"));
    }

    fn skip_rest(&self, steps: &[StepId], because: &str) {
        for &s in steps {
            self.skip(s, because);
        }
    }

    fn warn(&self, cause: Cause, step: StepId, detail: Option<String>) {
        let words = text::cause_text(cause, self.lang());
        let warning = Warning {
            cause,
            side: step.side(),
            step,
            detail: detail.map(|d| self.transcript.redact(&d)),
            explanation: words.explanation.to_owned(),
            remediation: words.remediation.iter().map(|s| (*s).to_owned()).collect(),
        };
        self.state().warnings.push(warning.clone());
        let _ = self.events.send(StepEvent::Warning(warning));
    }

    fn resolved(
        &self,
        t: Timer,
        imap: &Result<Vec<SocketAddr>, Failed>,
        smtp: &Result<Vec<SocketAddr>, Failed>,
    ) {
        let mut evidence = Vec::new();
        let mut failures = Vec::new();
        for (side_step, host, result) in [
            (StepId::ImapConnect, &self.req.imap.host, imap),
            (StepId::SmtpConnect, &self.req.smtp.host, smtp),
        ] {
            match result {
                Ok(addrs) => {
                    let ips: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                    evidence.push(Fact::new(host.clone(), ips.join(", ")));
                }
                Err(failed) => {
                    let mut failure = self.failure(StepId::Resolve, side_step, failed);
                    failure.detail = Some(format!(
                        "{host}: {}",
                        failed.detail.as_deref().unwrap_or("not found")
                    ));
                    failures.push(failure);
                }
            }
        }
        if failures.is_empty() {
            self.pass(t, evidence);
        } else {
            let first = failures[0].clone();
            self.state().failures.extend(failures);
            self.finish(t, StepStatus::Failed, evidence, Some(first));
        }
    }

    fn connected(&self, side: Side, c: &tcp::Connected) -> Vec<Fact> {
        self.transcript.record(
            side,
            Direction::Event,
            &format!("connected to {} from {}", c.peer, c.local),
        );
        self.state().sources.push(SourceAddress {
            side,
            local: c.local,
            remote: c.peer,
        });
        vec![
            Fact::new("server_address", c.peer.to_string()),
            Fact::new("source_address", c.local.to_string()),
        ]
    }

    fn source_for(&self, addrs: &[SocketAddr]) -> Option<IpAddr> {
        tcp::source_for(addrs, self.config.source_v4, self.config.source_v6)
    }

    /// Records a TLS report and the warnings it implies.
    fn tls_report(
        &self,
        side: Side,
        step: StepId,
        report: &TlsReport,
        leaf_days_left: Option<i64>,
    ) {
        if let Some(days) = leaf_days_left.filter(|d| (0..30).contains(d)) {
            self.warn(
                Cause::CertificateExpiringSoon,
                step,
                Some(format!("the certificate expires in {days} days")),
            );
        }
        if report.insecure_allowed {
            if let Some(cause) = report.verdict.cause() {
                self.warn(cause, step, report.verdict_detail.clone());
            }
        }
        let mut state = self.state();
        *state.tls.side_mut(side) = Some(report.clone());
    }

    fn report(&self) -> Report {
        let state = self.state();
        let order = |s: StepId| StepId::ALL.iter().position(|&x| x == s).unwrap_or(0);
        let mut steps = state.steps.clone();
        steps.sort_by_key(|s| order(s.step));
        let mut failures = state.failures.clone();
        failures.sort_by_key(|f| order(f.step));
        let endpoint = |s: &inbox_doctor_errors::ServerSettings, used, username: &str| Endpoint {
            host: s.host.clone(),
            port: s.port,
            security: s.security,
            security_used: used,
            username: username.to_owned(),
        };
        Report {
            schema: REPORT_SCHEMA,
            outcome: if failures.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed
            },
            email: self.req.email.clone(),
            lang: self.lang().code().to_owned(),
            imap: endpoint(
                &self.req.imap,
                state.imap_security,
                self.req.imap_username(),
            ),
            smtp: endpoint(
                &self.req.smtp,
                state.smtp_security,
                self.req.smtp_username(),
            ),
            elapsed_ms: self.start.elapsed().as_millis() as u64,
            steps,
            failure: failures.first().cloned(),
            failures,
            warnings: state.warnings.clone(),
            tls: state.tls.clone(),
            validation: state.validation.clone(),
            delivery: state.delivery.clone(),
            source_addresses: state.sources.clone(),
            transcript: self.transcript.lines(),
        }
    }
}

/// `auto` becomes implicit TLS on the implicit-TLS ports and STARTTLS elsewhere.
fn mode_for(security: Security, port: u16) -> Security {
    match security {
        Security::Auto if implicit_tls_port(port) => Security::Tls,
        Security::Auto => Security::Starttls,
        other => other,
    }
}

/// Adds what the user needs to hear when the security mode and the port disagree.
fn mode_hint(failed: Failed, asked: Security, used: Security, port: u16) -> Failed {
    let hint = match &failed.observation {
        Observation::TlsGotPlaintext => Some(format!(
            "port {port} answered in plaintext to a TLS handshake: it expects STARTTLS (or plain), not implicit TLS"
        )),
        Observation::ReplyTimedOut {
            awaiting_greeting: true,
            implicit_tls_port: true,
        } => {
            Some(format!(
                "no greeting on port {port}: it is an implicit-TLS port and waits for a TLS handshake"
            ))
        }
        _ => None,
    };
    match hint {
        Some(h) => {
            let auto = if asked == Security::Auto {
                " (chosen automatically by port)"
            } else {
                ""
            };
            let h = format!("{h}; security used: {}{auto}", used.code());
            failed.detail(h)
        }
        None => failed,
    }
}

/// Days left on the leaf, from the decoded chain's RFC 3339 date.
fn leaf_days_left(report: &TlsReport) -> Option<i64> {
    let leaf = report.chain.first()?;
    let t = time::OffsetDateTime::parse(
        &leaf.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()?;
    Some((t - time::OffsetDateTime::now_utc()).whole_days())
}

const IMAP_STEPS: [StepId; 4] = [
    StepId::ImapConnect,
    StepId::ImapTls,
    StepId::ImapLogin,
    StepId::ImapValidate,
];

const SMTP_STEPS: [StepId; 4] = [
    StepId::SmtpConnect,
    StepId::SmtpTls,
    StepId::SmtpLogin,
    StepId::SmtpSend,
];

async fn imap_branch(
    run: Arc<Run>,
    addrs: Option<Vec<SocketAddr>>,
    sent: oneshot::Receiver<Option<Sent>>,
) {
    let roundtrip_wanted = run.req.roundtrip && run.req.send;
    let skip_roundtrip = |run: &Run, why: &str| {
        if run.req.roundtrip {
            run.skip(StepId::Roundtrip, why);
        } else {
            run.skip(StepId::Roundtrip, "not requested");
        }
    };
    let Some(addrs) = addrs else {
        run.skip_rest(&IMAP_STEPS, "the IMAP server name did not resolve");
        skip_roundtrip(&run, "the IMAP server name did not resolve");
        return;
    };
    // The extra sessions of the session check connect while the main one logs in, so the
    // check stays off the critical path; they log in only once the password is known good.
    let extra = run.req.session_target.saturating_sub(1);
    let prepared = {
        let (run, addrs) = (run.clone(), addrs.clone());
        tokio::spawn(async move {
            let deadline = run.deadline();
            let attempts = (0..extra).map(|_| extra_session(&run, &addrs, deadline));
            futures_util::future::join_all(attempts).await
        })
    };
    let Some(mut session) = imap_open_main(&run, &addrs).await else {
        prepared.abort();
        skip_roundtrip(&run, "IMAP failed");
        return;
    };

    let t = run.begin(StepId::ImapValidate);
    let deadline = run.deadline();
    session.conn_mut().set_deadline(deadline);
    let (validated, sessions) =
        tokio::join!(session.validate(), session_check(&run, prepared, deadline));
    match validated {
        Err(failed) => {
            run.fail(t, failed, Vec::new());
            skip_roundtrip(&run, "IMAP validation failed");
            session.logout().await;
            return;
        }
        Ok(found) => {
            let capabilities = session.capabilities.clone().unwrap_or_default();
            let sent_folder = imap::sent_folder(&found.list);
            let check = SessionCheck {
                target: run.req.session_target,
                allowed: 1 + sessions.0,
                refusal: sessions.1,
            };
            let mut evidence = vec![
                Fact::new("mailboxes", found.list.len().to_string()),
                Fact::new(
                    "inbox_messages",
                    found
                        .inbox_messages
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ),
                Fact::new("sessions", format!("{} of {}", check.allowed, check.target)),
            ];
            if let Some((name, _)) = &sent_folder {
                evidence.push(Fact::new("sent_folder", name.clone()));
            } else {
                run.warn(Cause::SentFolderNotFound, StepId::ImapValidate, None);
            }
            let missing: Vec<&str> = ["IDLE", "UIDPLUS"]
                .into_iter()
                .filter(|c| !capabilities.iter().any(|x| x.eq_ignore_ascii_case(c)))
                .collect();
            if !missing.is_empty() {
                run.warn(
                    Cause::CapabilityMissing,
                    StepId::ImapValidate,
                    Some(format!("missing: {}", missing.join(", "))),
                );
            }
            if check.allowed < check.target {
                run.warn(
                    Cause::FewerSessionsThanTarget,
                    StepId::ImapValidate,
                    Some(format!(
                        "{} simultaneous sessions allowed, {} wanted{}",
                        check.allowed,
                        check.target,
                        check
                            .refusal
                            .as_deref()
                            .map(|r| format!("; the server said: {r}"))
                            .unwrap_or_default()
                    )),
                );
            }
            run.state().validation = Some(Validation {
                mailboxes: found.list.iter().map(|(n, _)| n.clone()).collect(),
                inbox_selectable: true,
                inbox_messages: found.inbox_messages,
                sent_folder: sent_folder.as_ref().map(|(n, _)| n.clone()),
                sent_found_by: sent_folder.map(|(_, how)| how.to_owned()),
                capabilities,
                sessions: Some(check),
            });
            run.pass(t, evidence);
        }
    }

    if !roundtrip_wanted
        || !run
            .req
            .test_recipient()
            .eq_ignore_ascii_case(&run.req.email)
    {
        let why = if run.req.send {
            "the test email goes to another mailbox"
        } else {
            "the test email is not sent"
        };
        skip_roundtrip(&run, why);
        session.logout().await;
        return;
    }
    let Ok(Some(sent)) = sent.await else {
        run.skip(StepId::Roundtrip, "the test email was not sent");
        session.logout().await;
        return;
    };
    let t = run.begin(StepId::Roundtrip);
    let give_up_at = Instant::now() + run.config.roundtrip_timeout;
    let mut delivery = Delivery {
        message_id: sent.message_id.clone(),
        recipient: run.req.test_recipient().to_owned(),
        delivered_after_ms: None,
    };
    let outcome = loop {
        // Each search has a step's deadline; the waiting has the round trip's.
        session.conn_mut().set_deadline(run.deadline());
        match session.has_message(&sent.message_id).await {
            Err(f) => break Err(f),
            Ok(true) => break Ok(sent.accepted_at.elapsed()),
            Ok(false) if Instant::now() >= give_up_at => {
                break Err(Failed::new(Observation::NotDelivered).detail(format!(
                    "not in the INBOX after {} s",
                    run.config.roundtrip_timeout.as_secs()
                )))
            }
            Ok(false) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    match outcome {
        Ok(after) => {
            delivery.delivered_after_ms = Some(after.as_millis() as u64);
            run.pass(
                t,
                vec![
                    Fact::new("message_id", sent.message_id),
                    Fact::new("delivered_after_ms", after.as_millis().to_string()),
                ],
            );
        }
        Err(f) => run.fail(t, f, vec![Fact::new("message_id", sent.message_id)]),
    }
    run.state().delivery = Some(delivery);
    session.logout().await;
}

/// A fresh connection, before or after the greeting.
enum Link<S> {
    /// Implicit TLS: nothing has been read yet.
    Raw(Conn),
    /// Plaintext greeting read (STARTTLS or plain sessions).
    Greeted(S),
}

/// Connect, secure and log in the main IMAP session, step by step. `None` when a step
/// failed (it has been recorded, and the remaining steps skipped).
async fn imap_open_main(run: &Arc<Run>, addrs: &[SocketAddr]) -> Option<ImapSession> {
    let req = &run.req;
    let (asked, port) = (req.imap.security, req.imap.port);
    let mode = mode_for(asked, port);
    run.state().imap_security = Some(mode);
    let implicit = implicit_tls_port(port);

    let t = run.begin(StepId::ImapConnect);
    let deadline = run.deadline();
    let connected = match tcp::connect(addrs, run.source_for(addrs), deadline).await {
        Ok(c) => c,
        Err(f) => {
            run.fail_branch(t, f, Vec::new());
            return None;
        }
    };
    let mut evidence = run.connected(Side::Imap, &connected);
    let conn = Conn::new(
        Box::new(connected.stream),
        Side::Imap,
        run.transcript.clone(),
        deadline,
    );
    let link = if mode == Security::Tls {
        Link::Raw(conn)
    } else {
        let mut session = ImapSession::new(conn, implicit);
        match session.greeting().await {
            Ok(g) => evidence.push(Fact::new("greeting", g.line)),
            Err(f) => {
                let f = explain_silence(run, Side::Imap, addrs, f).await;
                run.fail_branch(t, f, evidence);
                return None;
            }
        }
        Link::Greeted(session)
    };
    run.pass(t, evidence);

    let mut session = match link {
        Link::Greeted(s) if mode == Security::Plain => {
            run.skip(StepId::ImapTls, "plain connection requested");
            run.warn(Cause::PlaintextSession, StepId::ImapTls, None);
            if imap_auth_in_clear(&s) {
                run.warn(Cause::AuthOfferedBeforeTls, StepId::ImapTls, None);
            }
            s
        }
        link => {
            let t = run.begin(StepId::ImapTls);
            let deadline = run.deadline();
            let io = match link {
                Link::Raw(conn) => conn.into_io().map_err(|e| Failed::io(e, implicit)),
                Link::Greeted(mut s) => {
                    if imap_auth_in_clear(&s) {
                        run.warn(
                            Cause::AuthOfferedBeforeTls,
                            StepId::ImapTls,
                            Some("before STARTTLS".into()),
                        );
                    }
                    s.conn_mut().set_deadline(deadline);
                    s.starttls().await
                }
            };
            let io = match io {
                Ok(io) => io,
                Err(f) => {
                    run.fail_branch(t, f, Vec::new());
                    return None;
                }
            };
            let io = match secure(run, Side::Imap, io, mode, addrs, deadline).await {
                Ok(io) => io,
                Err(f) => {
                    run.fail_branch(t, f, Vec::new());
                    return None;
                }
            };
            let conn = Conn::new(io, Side::Imap, run.transcript.clone(), deadline);
            // Over TLS, silence is no longer a hint about the TLS mode.
            let mut session = ImapSession::new(conn, false);
            let mut evidence = tls_evidence(run, Side::Imap);
            if mode == Security::Tls {
                match session.greeting().await {
                    Ok(g) => evidence.push(Fact::new("greeting", g.line)),
                    Err(f) => {
                        run.fail_branch(t, f, evidence);
                        return None;
                    }
                }
            }
            run.pass(t, evidence);
            session
        }
    };

    let t = run.begin(StepId::ImapLogin);
    session.conn_mut().set_deadline(run.deadline());
    let username = req.imap_username();
    match session
        .login(username, &req.password, mode != Security::Plain)
        .await
    {
        Ok(()) => {
            run.pass(t, vec![Fact::new("username", username)]);
            Some(session)
        }
        Err(f) => {
            run.fail_branch(t, f, vec![Fact::new("username", username)]);
            session.logout().await;
            None
        }
    }
}

/// Whether a plaintext IMAP session would take a password.
fn imap_auth_in_clear(s: &ImapSession) -> bool {
    // LOGIN works unless LOGINDISABLED says otherwise.
    s.capabilities.is_some() && !s.login_disabled()
}

/// Performs the handshake, records the TLS report, and names a server that only speaks legacy
/// TLS. On success, checks in the background whether legacy TLS is *also* accepted.
async fn secure(
    run: &Arc<Run>,
    side: Side,
    io: BoxIo,
    mode: Security,
    addrs: &[SocketAddr],
    deadline: Instant,
) -> Result<BoxIo, Failed> {
    let host = match side {
        Side::Imap => run.req.imap.host.clone(),
        Side::Smtp => run.req.smtp.host.clone(),
    };
    let step = match side {
        Side::Imap => StepId::ImapTls,
        Side::Smtp => StepId::SmtpTls,
    };
    let hs = tls::handshake(io, &host, mode, &run.trust, deadline).await;
    let mut report = hs.report;
    let outcome = match hs.outcome {
        Ok(io) => {
            run.transcript.record(
                side,
                Direction::Event,
                &format!(
                    "TLS established: {} {}",
                    report.version.as_deref().unwrap_or("?"),
                    report.cipher_suite.as_deref().unwrap_or("?")
                ),
            );
            let bg = run.clone();
            let addrs = addrs.to_vec();
            let check = tokio::spawn(async move {
                let run = bg;
                let deadline = run.deadline();
                if let Ok(io) = reopen_for_tls(&run, side, &addrs, mode, deadline).await {
                    if let Some(v) = tls::legacy_version(io, &host, deadline).await {
                        let mut state = run.state();
                        if let Some(tls) = state.tls.side_mut(side) {
                            tls.legacy_version_accepted = Some(v.to_owned());
                        }
                        drop(state);
                        run.warn(
                            Cause::WeakTlsAccepted,
                            step,
                            Some(format!("the server also accepts {v}")),
                        );
                    }
                }
            });
            run.state().background.push(check);
            Ok(io)
        }
        Err(mut failed) => {
            run.transcript.record(
                side,
                Direction::Event,
                &format!(
                    "TLS failed: {}",
                    failed.detail.as_deref().unwrap_or("handshake failed")
                ),
            );
            if hs.maybe_legacy {
                let deadline = run.deadline();
                if let Ok(io) = reopen_for_tls(run, side, addrs, mode, deadline).await {
                    if let Some(v) = tls::legacy_version(io, &host, deadline).await {
                        report.legacy_version_accepted = Some(v.to_owned());
                        failed = Failed::new(Observation::TlsLegacyOnly).detail(format!(
                            "the server completes a handshake only with {v}; TLS 1.2 and 1.3 were refused ({})",
                            failed.detail.as_deref().unwrap_or("")
                        ));
                    }
                }
            }
            Err(failed)
        }
    };
    let days = leaf_days_left(&report);
    run.tls_report(side, step, &report, days);
    outcome
}

/// The TLS facts of a step, from the recorded report.
fn tls_evidence(run: &Run, side: Side) -> Vec<Fact> {
    let state = run.state();
    let Some(r) = state.tls.side(side) else {
        return Vec::new();
    };
    let mut facts = vec![
        Fact::new("version", r.version.clone().unwrap_or_default()),
        Fact::new("cipher_suite", r.cipher_suite.clone().unwrap_or_default()),
        Fact::new("certificate", format!("{:?}", r.verdict).to_lowercase()),
    ];
    if let Some(leaf) = r.chain.first() {
        facts.push(Fact::new("subject", leaf.subject.clone()));
    }
    facts
}

/// A plaintext session that got no greeting: if the port answers a TLS hello, it expects
/// implicit TLS, and the failure says so instead of "timed out".
async fn explain_silence(run: &Run, side: Side, addrs: &[SocketAddr], failed: Failed) -> Failed {
    let Observation::ReplyTimedOut {
        awaiting_greeting: true,
        implicit_tls_port: false,
    } = failed.observation
    else {
        return failed;
    };
    let deadline = Instant::now() + run.config.step_timeout.min(Duration::from_secs(5));
    let host = match side {
        Side::Imap => &run.req.imap.host,
        Side::Smtp => &run.req.smtp.host,
    };
    let Ok(c) = tcp::connect(addrs, run.source_for(addrs), deadline).await else {
        return failed;
    };
    if tls::speaks_tls(Box::new(c.stream), host, &run.trust, deadline).await {
        Failed {
            observation: Observation::ReplyTimedOut {
                awaiting_greeting: true,
                implicit_tls_port: true,
            },
            detail: failed.detail,
        }
    } else {
        failed
    }
}

/// A second connection, brought to the point where a TLS ClientHello is due. Its transcript
/// is thrown away: it exists only to ask one question of the server.
async fn reopen_for_tls(
    run: &Run,
    side: Side,
    addrs: &[SocketAddr],
    mode: Security,
    deadline: Instant,
) -> Result<BoxIo, Failed> {
    let c = tcp::connect(addrs, run.source_for(addrs), deadline).await?;
    let scratch = Transcript::new(std::time::Instant::now(), &[]);
    let local = c.local;
    let conn = Conn::new(Box::new(c.stream), side, scratch, deadline);
    match (side, mode) {
        (_, Security::Tls) => conn.into_io().map_err(|e| Failed::io(e, false)),
        (Side::Imap, _) => {
            let mut s = ImapSession::new(conn, false);
            s.greeting().await?;
            s.starttls().await
        }
        (Side::Smtp, _) => {
            let mut s = SmtpSession::new(conn, false);
            s.greeting().await?;
            s.ehlo(&ehlo_name(local)).await?;
            s.starttls().await
        }
    }
}

/// How many more IMAP sessions, beside the main one, the server lets this user have at once.
/// The prepared connections log in one after another: servers check their limit at login,
/// and logins racing each other can slip past it. Stops at the first refusal, so the check
/// never opens more sessions than the server allows (nor more than the target). Returns the
/// count and the refusal.
async fn session_check(
    run: &Arc<Run>,
    prepared: tokio::task::JoinHandle<Vec<Result<ImapSession, Failed>>>,
    deadline: Instant,
) -> (u32, Option<String>) {
    let reason = |f: Failed| {
        f.server_reply()
            .map(str::to_owned)
            .or(f.detail)
            .unwrap_or_else(|| "refused".into())
    };
    let prepared = prepared.await.unwrap_or_default();
    let tried = prepared.len() + 1;
    let over_tls = mode_for(run.req.imap.security, run.req.imap.port) != Security::Plain;
    let mut open = Vec::new();
    let mut refusal = None;
    for attempt in prepared {
        let result = match attempt {
            Ok(mut s) => {
                s.conn_mut().set_deadline(deadline);
                s.login(run.req.imap_username(), &run.req.password, over_tls)
                    .await
                    .map(|()| s)
            }
            Err(f) => Err(f),
        };
        match result {
            Ok(s) => open.push(s),
            Err(f) => {
                refusal = Some(reason(f));
                break;
            }
        }
    }
    let allowed = open.len() as u32;
    futures_util::future::join_all(open.into_iter().map(ImapSession::logout)).await;
    run.transcript.record(
        Side::Imap,
        Direction::Event,
        &format!(
            "session check: {} of {tried} simultaneous sessions opened",
            allowed + 1
        ),
    );
    (allowed, refusal)
}

/// A connection for the session check, up to the point where it would log in.
async fn extra_session(
    run: &Run,
    addrs: &[SocketAddr],
    deadline: Instant,
) -> Result<ImapSession, Failed> {
    let mode = mode_for(run.req.imap.security, run.req.imap.port);
    let io = if mode == Security::Plain {
        let c = tcp::connect(addrs, run.source_for(addrs), deadline).await?;
        Box::new(c.stream) as BoxIo
    } else {
        let io = reopen_for_tls(run, Side::Imap, addrs, mode, deadline).await?;
        tls::handshake(io, &run.req.imap.host, mode, &run.trust, deadline)
            .await
            .outcome?
    };
    let scratch = Transcript::new(std::time::Instant::now(), &[]);
    let mut session = ImapSession::new(Conn::new(io, Side::Imap, scratch, deadline), false);
    if mode != Security::Starttls {
        session.greeting().await?;
    }
    Ok(session)
}

/// EHLO names us by our address literal, which needs no DNS (RFC 5321 4.1.3).
pub(crate) fn ehlo_name(local: SocketAddr) -> String {
    match local.ip() {
        IpAddr::V4(ip) => format!("[{ip}]"),
        IpAddr::V6(ip) => format!("[IPv6:{ip}]"),
    }
}

async fn smtp_branch(
    run: Arc<Run>,
    addrs: Option<Vec<SocketAddr>>,
    sent: oneshot::Sender<Option<Sent>>,
) {
    let Some(addrs) = addrs else {
        run.skip_rest(&SMTP_STEPS, "the SMTP server name did not resolve");
        let _ = sent.send(None);
        return;
    };
    let result = smtp_session(&run, &addrs).await;
    let _ = sent.send(result);
}

async fn smtp_session(run: &Arc<Run>, addrs: &[SocketAddr]) -> Option<Sent> {
    let req = &run.req;
    let (asked, port) = (req.smtp.security, req.smtp.port);
    let mode = mode_for(asked, port);
    run.state().smtp_security = Some(mode);
    let implicit = implicit_tls_port(port);

    let t = run.begin(StepId::SmtpConnect);
    let deadline = run.deadline();
    let connected = match tcp::connect(addrs, run.source_for(addrs), deadline).await {
        Ok(c) => c,
        Err(f) => {
            run.fail_branch(t, f, Vec::new());
            return None;
        }
    };
    let name = ehlo_name(connected.local);
    let mut evidence = run.connected(Side::Smtp, &connected);
    let conn = Conn::new(
        Box::new(connected.stream),
        Side::Smtp,
        run.transcript.clone(),
        deadline,
    );
    let link = if mode == Security::Tls {
        Link::Raw(conn)
    } else {
        let mut session = SmtpSession::new(conn, implicit);
        match session.greeting().await {
            Ok(g) => evidence.push(Fact::new("greeting", g.text())),
            Err(f) => {
                let f = explain_silence(run, Side::Smtp, addrs, f).await;
                run.fail_branch(t, f, evidence);
                return None;
            }
        }
        Link::Greeted(session)
    };
    run.pass(t, evidence);

    let mut session = match link {
        Link::Greeted(mut s) if mode == Security::Plain => {
            run.skip(StepId::SmtpTls, "plain connection requested");
            run.warn(Cause::PlaintextSession, StepId::SmtpTls, None);
            s.conn_mut().set_deadline(run.deadline());
            if let Err(f) = s.ehlo(&name).await {
                let t = run.begin(StepId::SmtpLogin);
                run.fail_branch(t, f, Vec::new());
                return None;
            }
            if !s.auth_mechanisms().is_empty() {
                run.warn(Cause::AuthOfferedBeforeTls, StepId::SmtpTls, None);
            }
            s
        }
        link => {
            let t = run.begin(StepId::SmtpTls);
            let deadline = run.deadline();
            let io = match link {
                Link::Raw(conn) => conn.into_io().map_err(|e| Failed::io(e, implicit)),
                Link::Greeted(mut s) => {
                    s.conn_mut().set_deadline(deadline);
                    match s.ehlo(&name).await {
                        Ok(()) => {
                            if !s.auth_mechanisms().is_empty() {
                                run.warn(
                                    Cause::AuthOfferedBeforeTls,
                                    StepId::SmtpTls,
                                    Some(format!(
                                        "before STARTTLS: AUTH {}",
                                        s.auth_mechanisms().join(" ")
                                    )),
                                );
                            }
                            s.starttls().await
                        }
                        Err(f) => Err(f),
                    }
                }
            };
            let io = match io {
                Ok(io) => io,
                Err(f) => {
                    run.fail_branch(t, f, Vec::new());
                    return None;
                }
            };
            let io = match secure(run, Side::Smtp, io, mode, addrs, deadline).await {
                Ok(io) => io,
                Err(f) => {
                    run.fail_branch(t, f, Vec::new());
                    return None;
                }
            };
            let conn = Conn::new(io, Side::Smtp, run.transcript.clone(), deadline);
            // Over TLS, silence is no longer a hint about the TLS mode.
            let mut session = SmtpSession::new(conn, false);
            let mut evidence = tls_evidence(run, Side::Smtp);
            if mode == Security::Tls {
                match session.greeting().await {
                    Ok(g) => evidence.push(Fact::new("greeting", g.text())),
                    Err(f) => {
                        run.fail_branch(t, f, evidence);
                        return None;
                    }
                }
            }
            if let Err(f) = session.ehlo(&name).await {
                run.fail_branch(t, f, evidence);
                return None;
            }
            run.pass(t, evidence);
            session
        }
    };

    let t = run.begin(StepId::SmtpLogin);
    session.conn_mut().set_deadline(run.deadline());
    let username = req.smtp_username();
    let mut evidence = vec![
        Fact::new("username", username),
        Fact::new("mechanisms", session.auth_mechanisms().join(" ")),
    ];
    if let Err(f) = session.auth(username, req.smtp_password()).await {
        run.fail_branch(t, f, evidence);
        session.quit().await;
        return None;
    }
    run.pass(t, std::mem::take(&mut evidence));

    if !req.send {
        run.skip(StepId::SmtpSend, "not requested");
        session.quit().await;
        return None;
    }
    let t = run.begin(StepId::SmtpSend);
    session.conn_mut().set_deadline(run.deadline());
    let recipient = req.test_recipient();
    let email = match message::build(&req.email, recipient) {
        Ok(m) => m,
        Err(e) => {
            // validate() accepted both addresses, so this is our own fault: say so plainly.
            let failed = Failed::new(Observation::NotDelivered)
                .detail(format!("could not build the test email: {}", e.reason));
            run.fail_branch(t, failed, Vec::new());
            session.quit().await;
            return None;
        }
    };
    let mut evidence = vec![
        Fact::new("message_id", email.message_id.clone()),
        Fact::new("recipient", recipient),
    ];
    let result = session.send(&req.email, recipient, &email.bytes).await;
    let accepted_at = Instant::now();
    session.quit().await;
    match result {
        Ok(reply) => {
            evidence.push(Fact::new("server_reply", reply));
            run.pass(t, evidence);
            Some(Sent {
                message_id: email.message_id,
                accepted_at,
            })
        }
        Err(f) => {
            run.fail_branch(t, f, evidence);
            None
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
    fn ehlo_names_are_address_literals() {
        assert_eq!(ehlo_name("127.0.0.1:5".parse().unwrap()), "[127.0.0.1]");
        assert_eq!(ehlo_name("[::1]:5".parse().unwrap()), "[IPv6:::1]");
    }
}
