//! The step guard. [`Run::begin`] starts a step and returns a [`Step`]; the step collects its
//! evidence and ends exactly once: [`Step::pass`], or a failure through [`Step::check`] /
//! [`Step::fail`], which records it, skips the rest of its branch at once and returns
//! [`Stopped`]. A branch is then a sequence of `?`; when it ends, the steps it did not reach
//! are skipped in the same one place ([`Run::skip_rest_of`]) with the reason it stopped for.

use inbox_doctor_errors::{
    Fact, Observation, Security, Side, SkipReason, StepEvent, StepId, StepResult, StepStatus,
};
use tokio::time::Instant;

use super::record::Run;
use crate::net::Failed;

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

/// A branch ended early; its remaining steps are skipped for this reason.
#[derive(Debug)]
pub(super) struct Stopped(pub SkipReason);

/// The reason a failed step gives the rest of its branch.
fn reason_after(step: StepId) -> SkipReason {
    if step.is_smtp() {
        SkipReason::SmtpFailed
    } else {
        SkipReason::ImapFailed
    }
}

/// A started step.
pub(super) struct Step<'r> {
    run: &'r Run,
    id: StepId,
    started: Instant,
    deadline: Instant,
    evidence: Vec<Fact>,
}

impl Run {
    pub fn begin(&self, id: StepId) -> Step<'_> {
        let started = Instant::now();
        tracing::debug!(step = id.code(), "step started");
        let _ = self.events.send(StepEvent::Started {
            step: id,
            started_ms: self.ms(started),
        });
        Step {
            run: self,
            id,
            started,
            deadline: started + self.config.step_timeout,
            evidence: Vec::new(),
        }
    }

    /// Records a step that did not run.
    pub fn skip(&self, step: StepId, because: SkipReason) {
        self.finished(StepResult {
            step,
            status: StepStatus::Skipped,
            started_ms: self.ms(Instant::now()),
            elapsed_ms: 0,
            evidence: Vec::new(),
            failure: None,
            skipped_because: Some(because),
        });
    }

    /// Skips every step of a side's branch that has no result yet; the round trip, on the
    /// IMAP side, as not requested when the user did not ask for it.
    pub fn skip_rest_of(&self, side: Side, because: SkipReason) {
        match side {
            Side::Imap => {
                self.skip_unfinished(&IMAP_STEPS, because);
                let roundtrip = if self.req.roundtrip {
                    because
                } else {
                    SkipReason::NotRequested
                };
                self.skip_unfinished(&[StepId::Roundtrip], roundtrip);
            }
            Side::Smtp => self.skip_unfinished(&SMTP_STEPS, because),
        }
    }

    /// Skips every step of `steps` that has no result yet.
    fn skip_unfinished(&self, steps: &[StepId], because: SkipReason) {
        let unfinished: Vec<StepId> = {
            let state = self.state();
            steps
                .iter()
                .copied()
                .filter(|s| !state.steps.iter().any(|r| r.step == *s))
                .collect()
        };
        for step in unfinished {
            self.skip(step, because);
        }
    }
}

impl Step<'_> {
    /// The step's deadline: its start plus the step timeout.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Adds a fact; its value may be server text, so it is redacted and cut like a failure's.
    pub fn fact(&mut self, name: &str, value: impl Into<String>) {
        let value = self.run.evidence(&value.into());
        self.evidence.push(Fact::new(name, value));
    }

    pub fn facts(&mut self, facts: impl IntoIterator<Item = (&'static str, String)>) {
        for (name, value) in facts {
            self.fact(name, value);
        }
    }

    fn end(&mut self, status: StepStatus, failure: Option<inbox_doctor_errors::Failure>) {
        self.run.finished(StepResult {
            step: self.id,
            status,
            started_ms: self.run.ms(self.started),
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            evidence: std::mem::take(&mut self.evidence),
            failure,
            skipped_because: None,
        });
    }

    pub fn pass(mut self) {
        self.end(StepStatus::Passed, None);
    }

    /// Classifies what was observed, records the failure and ends the step with it.
    pub fn fail(mut self, failed: Failed) -> Stopped {
        self.fail_in_place(failed)
    }

    fn fail_in_place(&mut self, failed: Failed) -> Stopped {
        let side = self.id.side();
        let server = self.run.req.server(side);
        let failed = mode_hint(failed, server.security, self.run.mode(side), server.port);
        let failure = self.run.failure(self.id, self.id, &failed);
        self.end(StepStatus::Failed, Some(failure));
        // At once, not after the session has said goodbye.
        let reason = reason_after(self.id);
        self.run.skip_rest_of(side, reason);
        Stopped(reason)
    }

    /// The value, or the failure recorded (the step ends with it) and the branch stopped.
    pub fn check<T>(&mut self, result: Result<T, Failed>) -> Result<T, Stopped> {
        result.map_err(|f| self.fail_in_place(f))
    }

    /// Ends the resolve step: the addresses of each name, or why each was not found. A name
    /// that fails is classified for its side (its category follows the side).
    pub fn resolved(
        mut self,
        imap: &Result<Vec<std::net::SocketAddr>, Failed>,
        smtp: &Result<Vec<std::net::SocketAddr>, Failed>,
    ) {
        let mut failures = Vec::new();
        for (side_step, result) in [(StepId::ImapConnect, imap), (StepId::SmtpConnect, smtp)] {
            let host = &self.run.req.server(side_step.side()).host;
            match result {
                Ok(addrs) => {
                    let ips: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                    self.fact(host, ips.join(", "));
                }
                Err(failed) => {
                    let mut failure = self.run.failure(StepId::Resolve, side_step, failed);
                    failure.detail = Some(format!(
                        "{host}: {}",
                        failed.detail.as_deref().unwrap_or("not found")
                    ));
                    failures.push(failure);
                }
            }
        }
        let mut failures = failures.into_iter();
        match failures.next() {
            None => self.end(StepStatus::Passed, None),
            Some(first) => {
                self.end(StepStatus::Failed, Some(first));
                self.run.state().failures.extend(failures);
            }
        }
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
        } => Some(format!(
            "no greeting on port {port}: it is an implicit-TLS port and waits for a TLS handshake"
        )),
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
