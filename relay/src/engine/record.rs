//! One running diagnosis: the request, and the bookkeeping both branches write to — steps,
//! failures, warnings, TLS reports, what validation and the round trip found — from which the
//! report is assembled at the end.

use std::sync::{Mutex, MutexGuard};

use inbox_doctor_errors::text::{self, Lang};
use inbox_doctor_errors::{
    classify, Cause, Credential, Delivery, DiagnosisRequest, Direction, Endpoint, Failure, Finding,
    Observation, Outcome, Report, Security, Side, SourceAddress, StepEvent, StepId, StepResult,
    TlsReport, TlsSides, TokenFacts, Validation, Warning, REPORT_SCHEMA,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::EngineConfig;
use crate::net::tcp::Connected;
use crate::net::tls::TlsTrust;
use crate::net::transcript::{cut_evidence, Transcript};
use crate::net::{mode_for, Failed};
use crate::oauth::claims::Claims;
use crate::sasl;
use crate::session::Road;

pub(super) struct Run {
    pub start: Instant,
    pub req: DiagnosisRequest,
    pub config: EngineConfig,
    pub trust: TlsTrust,
    pub events: mpsc::UnboundedSender<StepEvent>,
    pub transcript: Transcript,
    state: Mutex<State>,
}

#[derive(Default)]
pub(super) struct State {
    pub steps: Vec<StepResult>,
    pub failures: Vec<Failure>,
    pub warnings: Vec<Warning>,
    pub tls: TlsSides,
    pub validation: Option<Validation>,
    pub delivery: Option<Delivery>,
    pub sources: Vec<SourceAddress>,
    /// The modes the branches used, once they started connecting.
    pub modes: Vec<(Side, Security)>,
    /// Checks that run beside the flow (legacy TLS); awaited before the report, stopped with
    /// the run when it is cancelled.
    pub background: Vec<tokio_util::task::AbortOnDropHandle<()>>,
}

impl Run {
    /// A refused token, with what its claims say beside what the server said: which of them
    /// is wrong decides the cause ([`inbox_doctor_errors::TokenFacts`]), and the claims are
    /// the evidence. Any other failure is returned as it is.
    pub(super) fn explain_token(&self, side: Side, mut failed: Failed) -> Failed {
        let Observation::TokenRefused { facts, .. } = &mut failed.observation else {
            return failed;
        };
        let Credential::Token { token, .. } = self.req.credential(side) else {
            return failed;
        };
        let Some(claims) = Claims::of(token.expose()) else {
            return failed;
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let known = claims.facts(
            &self.config.token_issuers,
            side,
            self.req.username(side),
            now,
        );
        *facts = TokenFacts {
            status: facts.status,
            ..known
        };
        let evidence = claims.evidence(now);
        failed.detail = Some(match failed.detail.take() {
            Some(before) => format!("{before}; {evidence}"),
            None => evidence,
        });
        failed
    }
    pub fn new(
        req: &DiagnosisRequest,
        config: &EngineConfig,
        events: mpsc::UnboundedSender<StepEvent>,
    ) -> Run {
        let start = Instant::now();
        let transcript = Transcript::new(start.into_std(), &req.secrets());
        for side in [Side::Imap, Side::Smtp] {
            for blob in sasl::blobs(req.username(side), req.credential(side)) {
                transcript.forbid(blob);
            }
        }
        Run {
            start,
            req: req.clone(),
            config: config.clone(),
            trust: TlsTrust::new(&config.net.roots, req.allow_insecure_cert),
            events,
            transcript,
            state: Mutex::new(State::default()),
        }
    }

    pub fn lang(&self) -> Lang {
        self.req.lang
    }

    pub fn ms(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.start).as_millis() as u64
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The mode a side uses (`auto` decided by port).
    pub fn mode(&self, side: Side) -> Security {
        let s = self.req.server(side);
        mode_for(s.security, s.port)
    }

    /// A branch starts connecting: from now on the report names the mode it uses.
    pub fn connecting(&self, side: Side) -> Security {
        let mode = self.mode(side);
        self.state().modes.push((side, mode));
        mode
    }

    /// Where a side's sessions go, recorded in this run's transcript.
    pub fn road(&self, side: Side) -> Road<'_> {
        let s = self.req.server(side);
        Road {
            host: &s.host,
            port: s.port,
            mode: self.mode(side),
            transcript: self.transcript.clone(),
        }
    }

    /// Classifies what was observed in `step` into a failure in the user's language.
    /// `classify_as` decides the category (a name lookup fails for one side or the other).
    pub fn failure(&self, step: StepId, classify_as: StepId, failed: &Failed) -> Failure {
        let diagnosis = classify(classify_as, &failed.observation);
        let words = text::cause_text(diagnosis.cause, self.lang());
        Failure {
            category: diagnosis.category,
            cause: diagnosis.cause,
            step,
            server_reply: failed
                .server_reply()
                .filter(|r| !r.is_empty())
                .map(|r| self.evidence(r)),
            detail: failed.detail.as_deref().map(|d| self.evidence(d)),
            title: text::category_title(diagnosis.category, self.lang()).to_owned(),
            explanation: words.explanation.to_owned(),
            remediation: words.remediation.iter().map(|s| (*s).to_owned()).collect(),
            entered: None,
            alternative: None,
            provider: None,
        }
    }

    /// Server text (or text that holds some) for an event or the report: redacted, then cut.
    pub fn evidence(&self, text: &str) -> String {
        cut_evidence(&self.transcript.redact(text))
    }

    /// Records a finished step and sends its event.
    pub fn finished(&self, result: StepResult) {
        tracing::debug!(
            step = result.step.code(),
            status = result.status.code(),
            elapsed_ms = result.elapsed_ms,
            cause = result.failure.as_ref().map(|f| f.cause.code()),
            "step finished"
        );
        let mut state = self.state();
        if let Some(f) = &result.failure {
            state.failures.push(f.clone());
        }
        state.steps.push(result.clone());
        drop(state);
        let _ = self.events.send(StepEvent::Finished(result));
    }

    /// A warning with our side's technical detail (a verifier's error), or none.
    pub fn warn(&self, cause: Cause, step: StepId, detail: Option<String>) {
        self.push_warning(cause, step, detail, None, None);
    }

    /// A warning with what was found, as values (worded in the run's language for the
    /// report's `detail`; a front end words it in its reader's), and the server's own words.
    pub fn warn_found(
        &self,
        cause: Cause,
        step: StepId,
        finding: Finding,
        server_reply: Option<String>,
    ) {
        let lang = self.lang();
        let detail = finding.words(|k| text::finding_template(k, lang).to_owned());
        self.push_warning(cause, step, Some(detail), Some(finding), server_reply);
    }

    fn push_warning(
        &self,
        cause: Cause,
        step: StepId,
        detail: Option<String>,
        finding: Option<Finding>,
        server_reply: Option<String>,
    ) {
        let words = text::cause_text(cause, self.lang());
        let warning = Warning {
            cause,
            side: step.side(),
            step,
            detail: detail.map(|d| self.evidence(&d)),
            finding,
            server_reply: server_reply.map(|r| self.evidence(&r)),
            explanation: words.explanation.to_owned(),
            remediation: words.remediation.iter().map(|s| (*s).to_owned()).collect(),
        };
        self.state().warnings.push(warning.clone());
        let _ = self.events.send(StepEvent::Warning(warning));
    }

    /// Records where a session connected from and to; returns the facts for its step.
    pub fn connected(&self, side: Side, c: &Connected) -> [(&'static str, String); 2] {
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
        [
            ("server_address", c.peer.to_string()),
            ("source_address", c.local.to_string()),
        ]
    }

    /// Records a side's TLS report and the warnings it implies.
    pub fn tls_report(&self, side: Side, step: StepId, report: TlsReport) {
        if let Some(days) = leaf_days_left(&report).filter(|d| (0..30).contains(d)) {
            self.warn_found(
                Cause::CertificateExpiringSoon,
                step,
                Finding::ExpiresIn { days },
                None,
            );
        }
        if report.insecure_allowed {
            if let Some(cause) = report.verdict.cause() {
                self.warn(cause, step, report.verdict_detail.clone());
            }
        }
        *self.state().tls.side_mut(side) = Some(report);
    }

    /// Waits for the checks that ran beside the flow.
    pub async fn finish_background(&self) {
        let background = std::mem::take(&mut self.state().background);
        futures_util::future::join_all(background).await;
    }

    pub fn report(&self) -> Report {
        let state = self.state();
        let order = |s: StepId| StepId::ALL.iter().position(|&x| x == s).unwrap_or(0);
        let mut steps = state.steps.clone();
        steps.sort_by_key(|s| order(s.step));
        let mut failures = state.failures.clone();
        failures.sort_by_key(|f| order(f.step));
        let endpoint = |side: Side| {
            let s = self.req.server(side);
            Endpoint {
                host: s.host.clone(),
                port: s.port,
                security: s.security,
                security_used: state
                    .modes
                    .iter()
                    .find(|(s, _)| *s == side)
                    .map(|(_, m)| *m),
                username: self.req.username(side).to_owned(),
            }
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
            imap: endpoint(Side::Imap),
            smtp: endpoint(Side::Smtp),
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

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_doctor_errors::ImapCommand;

    fn run() -> Run {
        let req: DiagnosisRequest = serde_json::from_value(serde_json::json!({
            "email": "jo@example.com",
            "password": "pw",
            "imap": {"host": "imap.example.com", "port": 993, "security": "tls"},
            "smtp": {"host": "smtp.example.com", "port": 587, "security": "starttls"},
        }))
        .expect("a request");
        let (events, _) = mpsc::unbounded_channel();
        Run::new(&req, &EngineConfig::default(), events)
    }

    #[test]
    fn a_huge_reply_reaches_the_failure_cut_and_redacted() {
        let run = run();
        let reply = format!("a1 NO pw {}", "x".repeat(60_000));
        let failed = Failed::imap(ImapCommand::Login, reply).detail("d".repeat(50_000));
        let f = run.failure(StepId::ImapLogin, StepId::ImapLogin, &failed);
        let said = f.server_reply.expect("the server's words");
        assert!(said.len() < 4200, "{}", said.len());
        assert!(said.starts_with("a1 NO [redacted] xxx"), "{}", &said[..30]);
        assert!(said.ends_with("more bytes]"));
        assert!(f.detail.expect("detail").len() < 4200);
        run.warn(
            Cause::CapabilityMissing,
            StepId::ImapValidate,
            Some("y".repeat(9000)),
        );
        assert!(run.state().warnings[0].detail.as_ref().unwrap().len() < 4200);
    }
}
