//! Mailbox-specific advice added to a finished report's failures: for "settings incorrect",
//! the settings discovery confirms instead; for login failures, what the mailbox's provider
//! asks of mail programs (an app password, OAuth, an IMAP switch, an admin setting). And
//! [`diagnose`], which every front door calls: the diagnosis, then its advice.

use std::time::Duration;

use inbox_doctor_errors::text::hint_template;
use inbox_doctor_errors::{
    hints, Candidate, Category, DiagnosisRequest, Discovery, Failure, ProbeOutcome, Report,
    Security, ServerSettings, Side, StepEvent,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::discover::{self, DiscoverConfig};
use crate::engine::{self, EngineConfig, RequestError};

/// Runs a diagnosis and adds the advice. Events go to `events` as steps start and finish; the
/// report is returned and also sent as the last event. Discovery for the advice reaches
/// servers as the diagnosis does, and remembers nothing.
pub async fn diagnose(
    req: &DiagnosisRequest,
    config: &EngineConfig,
    events: mpsc::UnboundedSender<StepEvent>,
) -> Result<Report, RequestError> {
    let discovery = DiscoverConfig {
        net: config.net.clone(),
        ..DiscoverConfig::default()
    };
    diagnose_with(req, config, &discovery, events).await
}

/// [`diagnose`] with discovery as the caller runs it (the relay: its resolver, its cache of
/// recent discoveries). Its timeouts are this module's: the advice may add little to a run.
pub async fn diagnose_with(
    req: &DiagnosisRequest,
    config: &EngineConfig,
    discovery: &DiscoverConfig,
    events: mpsc::UnboundedSender<StepEvent>,
) -> Result<Report, RequestError> {
    let mut report = engine::run(req, config, events.clone()).await?;
    add(&mut report, req, config, discovery).await;
    let _ = events.send(StepEvent::Report(report.clone()));
    Ok(report)
}

/// Longest the search for an alternative may add to a failed run.
const SEARCH_TIME: Duration = Duration::from_secs(5);

fn settings_failure(c: Category) -> bool {
    matches!(
        c,
        Category::ImapSettingsIncorrect | Category::SmtpSettingsIncorrect
    )
}

fn login_failure(c: Category) -> bool {
    matches!(
        c,
        Category::ImapAuthenticationError
            | Category::Unauthorized
            | Category::UnauthorizedAppPasswordRequired
    )
}

/// What the report says was used on `side`.
fn entered(report: &Report, side: Side) -> ServerSettings {
    let e = report.endpoint(side);
    ServerSettings {
        host: e.host.clone(),
        port: e.port,
        security: e.security_used.unwrap_or(e.security),
    }
}

/// The same host in the other modes and on the standard ports: the usual mistakes.
fn variations(side: Side, e: &ServerSettings) -> Vec<(Side, ServerSettings)> {
    let (tls, starttls) = match side {
        Side::Imap => (993, 143),
        Side::Smtp => (465, 587),
    };
    let mut out = Vec::new();
    for (port, security) in [
        (e.port, Security::Tls),
        (e.port, Security::Starttls),
        (tls, Security::Tls),
        (starttls, Security::Starttls),
    ] {
        if (port, security) != (e.port, e.security) {
            out.push((
                side,
                ServerSettings {
                    host: e.host.clone(),
                    port,
                    security,
                },
            ));
        }
    }
    out
}

/// The best confirmed candidate of `side` that is not what was entered.
fn alternative(d: &Discovery, side: Side, e: &ServerSettings) -> Option<Candidate> {
    let best = d.best(side);
    best.iter()
        .chain(d.candidates.iter())
        .filter(|c| c.side == side && c.outcome == ProbeOutcome::Confirmed)
        .find(|c| {
            !(c.host.eq_ignore_ascii_case(&e.host) && c.port == e.port && c.security == e.security)
        })
        .cloned()
}

/// Adds the hints to `report`'s failures, in the request's language.
async fn add(
    report: &mut Report,
    req: &DiagnosisRequest,
    config: &EngineConfig,
    discovery: &DiscoverConfig,
) {
    let sides: Vec<Side> = report
        .failures
        .iter()
        .filter(|f| settings_failure(f.category))
        .map(|f| f.step.side())
        .collect();
    let login = report.failures.iter().any(|f| login_failure(f.category));
    if sides.is_empty() && !login {
        return;
    }
    let Ok(domain) = discover::domain_of(&req.email) else {
        return;
    };
    let search = Instant::now() + SEARCH_TIME;
    let mut provider = None;
    let mut found = None;
    if !sides.is_empty() {
        let extra: Vec<(Side, ServerSettings)> = sides
            .iter()
            .flat_map(|&side| variations(side, &entered(report, side)))
            .collect();
        let discover_config = DiscoverConfig {
            lookup_timeout: SEARCH_TIME / 2,
            probe_timeout: SEARCH_TIME / 2,
            offline: false,
            ..discovery.clone()
        };
        if let Ok(d) = discover::discover(&req.email, None, &extra, &discover_config).await {
            provider = d.provider.clone();
            found = Some(d);
        }
    }
    // Discovery has already looked for the provider (by domain and MX) when it ran.
    if found.is_none() && login {
        provider = discover::provider_of(&domain, &config.net, search).await;
    }
    let entered_imap = entered(report, Side::Imap);
    let entered_smtp = entered(report, Side::Smtp);
    let enrich = |f: &mut Failure| {
        let side = f.step.side();
        let e = match side {
            Side::Imap => &entered_imap,
            Side::Smtp => &entered_smtp,
        };
        if settings_failure(f.category) {
            f.alternative = found.as_ref().and_then(|d| alternative(d, side, e));
            if f.alternative.is_some() {
                f.entered = Some(e.clone());
            }
        }
        if login_failure(f.category) {
            f.provider.clone_from(&provider);
        }
        let mut advice = hints(f, |k| hint_template(k, req.lang).to_owned());
        advice.append(&mut f.remediation);
        f.remediation = advice;
    };
    report.failures.iter_mut().for_each(enrich);
    report.failure = report.failures.first().cloned();
}
