//! The TLS step's handshake and the questions around it: whether a server that refused our
//! versions speaks only legacy TLS (asked at once: it names the failure), whether a server
//! that completed the handshake also accepts legacy versions (asked in the background: a
//! warning), and whether a silent plaintext port expects implicit TLS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use inbox_doctor_errors::{Cause, Direction, Observation, Side, StepId};
use tokio::time::Instant;

use super::record::Run;
use crate::net::conn::BoxIo;
use crate::net::tls::{self, TlsFailure};
use crate::net::Failed;
use crate::session::{self, Dialogue};

fn tls_step(side: Side) -> StepId {
    match side {
        Side::Imap => StepId::ImapTls,
        Side::Smtp => StepId::SmtpTls,
    }
}

/// Performs the handshake and records the TLS report (and the warnings it implies).
pub(super) async fn handshake<D: Dialogue + 'static>(
    run: &Arc<Run>,
    io: BoxIo,
    addrs: &[SocketAddr],
    deadline: Instant,
) -> Result<BoxIo, Failed> {
    let side = D::SIDE;
    let road = run.road(side);
    let hs = tls::handshake(io, road.host, road.mode, &run.trust, deadline).await;
    let mut report = hs.report;
    match hs.outcome {
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
            run.tls_report(side, tls_step(side), report);
            let check = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(also_legacy::<D>(
                run.clone(),
                addrs.to_vec(),
            )));
            run.state().background.push(check);
            Ok(io)
        }
        Err(failure) => {
            let disagreed = matches!(failure, TlsFailure::Disagreed(_));
            let mut failed = failure.into_failed();
            run.transcript.record(
                side,
                Direction::Event,
                &format!(
                    "TLS failed: {}",
                    failed.detail.as_deref().unwrap_or("handshake failed")
                ),
            );
            if disagreed {
                if let Some(v) = legacy_version::<D>(run, addrs).await {
                    report.legacy_version_accepted = Some(v.to_owned());
                    failed = Failed::new(Observation::TlsLegacyOnly).detail(format!(
                        "the server completes a handshake only with {v}; TLS 1.2 and 1.3 were refused ({})",
                        failed.detail.as_deref().unwrap_or("")
                    ));
                }
            }
            run.tls_report(side, tls_step(side), report);
            Err(failed)
        }
    }
}

/// Whether a new connection gets in with a legacy ClientHello, and with which version.
async fn legacy_version<D: Dialogue>(run: &Run, addrs: &[SocketAddr]) -> Option<&'static str> {
    let deadline = Instant::now() + run.config.step_timeout;
    let road = run.road(D::SIDE);
    let io = session::reach_tls::<D>(&run.config.net, &road, addrs, deadline)
        .await
        .ok()?;
    tls::legacy_version(io, road.host, deadline).await
}

/// After a good handshake: a warning when the server also accepts a legacy version.
async fn also_legacy<D: Dialogue>(run: Arc<Run>, addrs: Vec<SocketAddr>) {
    let side = D::SIDE;
    let Some(v) = legacy_version::<D>(&run, &addrs).await else {
        return;
    };
    if let Some(tls) = run.state().tls.side_mut(side) {
        tls.legacy_version_accepted = Some(v.to_owned());
    }
    run.warn_found(
        Cause::WeakTlsAccepted,
        tls_step(side),
        inbox_doctor_errors::Finding::AlsoAccepts {
            version: v.to_owned(),
        },
        None,
    );
}

/// The TLS facts of a step, from the recorded report.
pub(super) fn evidence(run: &Run, side: Side) -> Vec<(&'static str, String)> {
    let state = run.state();
    let Some(r) = state.tls.side(side) else {
        return Vec::new();
    };
    let mut facts = vec![
        ("version", r.version.clone().unwrap_or_default()),
        ("cipher_suite", r.cipher_suite.clone().unwrap_or_default()),
        ("certificate", r.verdict.code().to_owned()),
    ];
    if let Some(leaf) = r.chain.first() {
        facts.push(("subject", leaf.subject.clone()));
    }
    facts
}

/// A plaintext session that got no greeting: if the port answers a TLS hello, it expects
/// implicit TLS, and the failure says so instead of "timed out".
pub(super) async fn explain_silence(
    run: &Run,
    side: Side,
    addrs: &[SocketAddr],
    failed: Failed,
) -> Failed {
    let Observation::ReplyTimedOut {
        awaiting_greeting: true,
        implicit_tls_port: false,
    } = failed.observation
    else {
        return failed;
    };
    let deadline = Instant::now() + run.config.step_timeout.min(Duration::from_secs(5));
    let host = &run.req.server(side).host;
    let Ok(c) = run.config.net.connect(addrs, deadline).await else {
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
