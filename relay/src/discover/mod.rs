//! Settings discovery: from an email address to IMAP and SMTP settings, each with where it came
//! from, confirmed by probing.
//!
//! Every source is consulted at once, and each candidate is probed as soon as a source names it
//! (a few at a time, the best first), so the time taken is that of the slowest source plus one
//! probe, not the sum. Sources, in order of precedence: stored domain settings, the bundled
//! provider table, DNS SRV (RFC 6186, RFC 8314), autoconfig XML, guesses from MX hosts and from
//! the domain. Ranking is in [`rank`]; what one discovery may probe in [`caps`]; the relay's
//! memory of recent discoveries in [`cache`]. Nothing here sends a password.

pub mod autoconfig;
pub mod cache;
pub mod caps;
mod confirm;
mod https;
pub mod ispdb;
#[cfg(test)]
mod properties;
pub mod providers;
mod rank;

use std::collections::VecDeque;
use std::future::Future;
use std::net::IpAddr;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use inbox_doctor_errors::{
    Candidate, Discovery, DomainSettings, ProbeOutcome, Security, ServerSettings, Side, Source,
    SourceResult, SourceStatus,
};
use tokio::time::Instant;

use crate::net::dns::{Dns, LookupError, Srv};
use crate::net::{mode_for, Network};
pub use cache::DiscoveryCache;
use caps::Caps;
pub use confirm::Probed;
use confirm::Prober;

/// How discovery runs.
#[derive(Clone, Debug)]
pub struct DiscoverConfig {
    /// How it reaches servers, as a diagnosis does; the system's resolver when `net.dns` is
    /// `None`.
    pub net: Network,
    /// Stored settings and the bundled table only: no network at all.
    pub offline: bool,
    /// How long the sources may take.
    pub lookup_timeout: Duration,
    /// How long one candidate's probe may take.
    pub probe_timeout: Duration,
    /// One lookup or probe at a time, as a mail client does (for the benchmark).
    pub sequential: bool,
    /// How many candidates one discovery may probe, and how many at once ([`caps`]).
    pub caps: Caps,
    /// Recent discoveries to reuse (the relay's, shared by every request); `None` discovers
    /// afresh every time (the command).
    pub cache: Option<DiscoveryCache>,
    /// Addresses that autoconfig fetches treat as public although they are not. Only for tests,
    /// whose HTTPS server can listen on loopback alone: exact addresses, not ranges; not a
    /// setting of the configuration file, and nothing in the relay sets it.
    pub danger_autoconfig_public: Vec<IpAddr>,
}

impl Default for DiscoverConfig {
    fn default() -> DiscoverConfig {
        DiscoverConfig {
            net: Network::default(),
            offline: false,
            lookup_timeout: Duration::from_secs(6),
            probe_timeout: Duration::from_secs(6),
            sequential: false,
            caps: Caps::default(),
            cache: None,
            danger_autoconfig_public: Vec::new(),
        }
    }
}

/// Why discovery could not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    /// Not `local@domain` with a plausible domain.
    #[error("{0:?} is not an email address (local@domain)")]
    InvalidAddress(String),
}

/// The domain of `email`, lowercase (internationalised names in their ASCII form), when the
/// address is plausible: the same rules as a stored domain's name.
pub fn domain_of(email: &str) -> Result<String, DiscoverError> {
    let invalid = || DiscoverError::InvalidAddress(email.to_owned());
    let (local, domain) = email.trim().rsplit_once('@').ok_or_else(invalid)?;
    if local.is_empty() {
        return Err(invalid());
    }
    crate::net::dns::domain_name(domain).map_err(|_| invalid())
}

/// Probes one server as discovery confirms a candidate (connect, greeting, TLS in its mode
/// with the certificate judged, capabilities; never a login), within `config`'s probe time
/// and egress policy: what checks domain settings before they are stored.
pub async fn probe_server(config: &DiscoverConfig, side: Side, server: &ServerSettings) -> Probed {
    let dns = match config.net.resolver() {
        Ok(dns) => dns,
        Err(e) => {
            return Probed {
                outcome: ProbeOutcome::NotFound,
                detail: Some(e),
                failure: Some(inbox_doctor_errors::Observation::DnsFailed),
            }
        }
    };
    let prober = Prober {
        dns,
        net: config.net.clone(),
        timeout: config.probe_timeout,
        deadline: None,
    };
    prober
        .probe(side, &server.host, server.port, server.security)
        .await
}

/// The provider of `domain`: by the domain itself, else by its MX hosts.
pub async fn provider_of(
    domain: &str,
    net: &Network,
    deadline: Instant,
) -> Option<inbox_doctor_errors::Provider> {
    if let Some(p) = providers::by_domain(domain) {
        return Some(p.to_wire("domain"));
    }
    let dns = net.resolver().ok()?;
    let hosts = dns.mx(domain, deadline).await.ok()?;
    providers::by_mx(hosts.iter().map(String::as_str)).map(|p| p.to_wire("mx"))
}

/// A candidate some source names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Proposed {
    side: Side,
    host: String,
    port: u16,
    security: Security,
}

impl Proposed {
    fn new(side: Side, host: &str, port: u16, security: Security) -> Proposed {
        let security = mode_for(security, port);
        Proposed {
            side,
            host: host.trim_end_matches('.').to_ascii_lowercase(),
            port,
            security,
        }
    }

    fn from_settings(side: Side, s: &ServerSettings) -> Proposed {
        Proposed::new(side, &s.host, s.port, s.security)
    }
}

/// What one source found.
struct Found {
    result: SourceResult,
    proposed: Vec<Proposed>,
    /// The IMAP login name the source asks for, placeholders unfilled (autoconfig's
    /// `%EMAILLOCALPART%`), so the findings serve every address of the domain.
    username_template: Option<String>,
    /// Host names were built from the address's local part.
    hosts_use_local_part: bool,
    /// The provider, recognised by MX.
    provider: Option<&'static providers::Entry>,
}

impl Found {
    fn new(result: SourceResult, proposed: Vec<Proposed>) -> Found {
        Found {
            result,
            proposed,
            username_template: None,
            hosts_use_local_part: false,
            provider: None,
        }
    }
}

enum Event {
    Source(Found),
    Probed(usize, Probed),
}

type Task<'a> = Pin<Box<dyn Future<Output = Event> + Send + 'a>>;

/// Finds the settings for `email`. `stored` is what the relay's administrators saved for its
/// domain, if anything. `extra` are candidates to probe alongside (what a user entered).
///
/// With a cache in `config`, the domain's findings are taken from it when a discovery of the
/// same domain ran recently, and only `extra` is probed; see [`cache`] for what is kept.
pub async fn discover(
    email: &str,
    stored: Option<DomainSettings>,
    extra: &[(Side, ServerSettings)],
    config: &DiscoverConfig,
) -> Result<Discovery, DiscoverError> {
    let started = Instant::now();
    let domain = domain_of(email)?;
    let email = email.trim();
    let key = cache::Key::new(&domain, config.offline, stored.as_ref());
    let cached = match &config.cache {
        Some(cache) => cache.get(&key, email).await,
        None => None,
    };
    // What is found afresh is kept for the next discovery of the domain.
    let keep = match cached {
        None => config.cache.as_ref(),
        Some(_) => None,
    };
    let fresh = cached.is_none();
    let mut run = match cached {
        Some(findings) => findings,
        None => known(&domain, stored, &config.caps, started),
    };
    if !extra.is_empty() {
        let proposed = extra
            .iter()
            .map(|(side, s)| Proposed::from_settings(*side, s))
            .collect();
        let result = source_result(Source::Entered, SourceStatus::Found, started, Vec::new());
        run.add(Found::new(result, proposed), &config.caps, 0);
    }
    if config.offline {
        if fresh {
            run.networkless(SourceStatus::Skipped, "offline", started);
        }
        if let Some(cache) = keep {
            cache.insert(&key, run.domain_level(), email).await;
        }
        return Ok(run.finish(email, domain, true, started));
    }
    match config.net.resolver() {
        Ok(dns) => {
            search(&mut run, &dns, email, &domain, config, started, fresh).await;
            if let Some(cache) = keep {
                cache.insert(&key, run.domain_level(), email).await;
            }
        }
        Err(e) => {
            // No resolver: only what needs none can be probed (and nothing is remembered).
            if fresh {
                run.networkless(SourceStatus::Failed, &e, started);
            }
            for c in run.unprobed() {
                c.outcome = ProbeOutcome::NotFound;
                c.detail = Some(e.clone());
            }
        }
    }
    Ok(run.finish(email, domain, false, started))
}

/// What is known without the network: stored settings and the provider table.
fn known(domain: &str, stored: Option<DomainSettings>, caps: &Caps, started: Instant) -> Collected {
    let mut run = Collected::default();
    let status = if stored.is_some() {
        SourceStatus::Found
    } else {
        SourceStatus::Empty
    };
    let proposed = stored
        .iter()
        .flat_map(|s| {
            [
                Proposed::from_settings(Side::Imap, &s.imap),
                Proposed::from_settings(Side::Smtp, &s.smtp),
            ]
        })
        .collect();
    run.add(
        Found::new(
            source_result(Source::Stored, status, started, Vec::new()),
            proposed,
        ),
        caps,
        0,
    );
    let by_domain = providers::by_domain(domain);
    run.add(
        provider_found(by_domain, started, Source::Provider),
        caps,
        0,
    );
    run.provider = by_domain.map(|p| (p, "domain"));
    // Thunderbird's ISPDB, where our table knows nothing of the domain.
    let from_ispdb = by_domain
        .is_none()
        .then(|| ispdb::by_domain(domain))
        .flatten();
    run.add(ispdb_found(from_ispdb, domain, started), caps, 0);
    run
}

/// What the ISPDB says of `domain`: its servers (the ISPDB's order) and its login template;
/// the note names the entry and the ISPDB commit, for provenance.
fn ispdb_found(entry: Option<&'static ispdb::Entry>, domain: &str, started: Instant) -> Found {
    let proposed = entry
        .iter()
        .flat_map(|p| {
            [(Side::Imap, &p.imap), (Side::Smtp, &p.smtp)]
                .into_iter()
                .flat_map(move |(side, servers)| {
                    servers.iter().filter_map(move |s| {
                        let host = ispdb::host_for(&s.host, domain)?;
                        Some(Proposed::new(side, &host, s.port, s.security))
                    })
                })
        })
        .collect();
    let (status, notes) = match entry {
        Some(p) => (
            SourceStatus::Found,
            vec![format!(
                "{} (Thunderbird's ISPDB, commit {})",
                p.name,
                ispdb::source_commit()
                    .get(..12)
                    .unwrap_or(ispdb::source_commit())
            )],
        ),
        None => (SourceStatus::Empty, Vec::new()),
    };
    Found {
        result: source_result(Source::Ispdb, status, started, notes),
        proposed,
        username_template: entry.map(|p| p.username.clone()),
        hosts_use_local_part: false,
        provider: None,
    }
}

/// The network sources discovery consults, each once.
const NETWORK_SOURCES: [Source; 4] = [Source::Srv, Source::Autoconfig, Source::Mx, Source::Guess];

/// Probes every candidate not probed yet, each as soon as it is known, at most
/// `config.caps.in_flight` at once and the best first; and, when `consult` (not for findings
/// taken from the cache), every network source at once (one task at a time when
/// `config.sequential`, as a mail client does).
async fn search(
    run: &mut Collected,
    dns: &Dns,
    email: &str,
    domain: &str,
    config: &DiscoverConfig,
    started: Instant,
    consult: bool,
) {
    let lookup_deadline = started + config.lookup_timeout;
    // The slowest source plus one probe: a queue of probes cannot hold a request longer.
    let deadline = (!config.sequential).then(|| lookup_deadline + config.probe_timeout);
    let prober = Prober {
        dns: dns.clone(),
        net: config.net.clone(),
        timeout: config.probe_timeout,
        deadline,
    };
    let client = https::Client {
        dns: dns.clone(),
        tls: Arc::new(config.net.roots.client_config()),
        net: config.net.clone(),
        danger_public: config.danger_autoconfig_public.clone(),
    };
    let mut sources: VecDeque<Task<'_>> = VecDeque::new();
    let mut pending: Vec<Source> = Vec::new();
    if consult {
        sources.push_back(Box::pin(async {
            Event::Source(srv(dns, domain, lookup_deadline).await)
        }));
        sources.push_back(Box::pin(async {
            Event::Source(autoconfig(&client, email, domain, lookup_deadline).await)
        }));
        sources.push_back(Box::pin(async {
            Event::Source(mx(dns, domain, lookup_deadline).await)
        }));
        sources.push_back(Box::pin(async { Event::Source(guesses(domain)) }));
        pending = NETWORK_SOURCES.to_vec();
    }
    // Candidates known before any lookup are probed at once.
    let mut waiting: Vec<usize> = run.unprobed_indices().collect();
    let in_flight = if config.sequential {
        1
    } else {
        config.caps.in_flight.max(1)
    };
    let mut running = FuturesUnordered::new();
    let mut probing = 0;
    loop {
        if !config.sequential {
            running.extend(sources.drain(..));
        } else if running.is_empty() {
            running.extend(sources.pop_front());
        }
        while probing < in_flight && (running.is_empty() || !config.sequential) {
            let Some(i) = next_probe(&mut waiting, &run.candidates) else {
                break;
            };
            if deadline.is_some_and(|d| Instant::now() >= d) {
                let c = &mut run.candidates[i];
                c.outcome = ProbeOutcome::TimedOut;
                c.detail = Some("not probed: discovery's time was up".into());
                continue;
            }
            running.push(probe_task(&prober, i, &run.candidates[i]));
            probing += 1;
        }
        let Some(event) = running.next().await else {
            break;
        };
        match event {
            Event::Source(found) => {
                let source = found.result.source;
                pending.retain(|s| *s != source);
                let outranking = pending
                    .iter()
                    .filter(|s| rank::precedence(**s) < rank::precedence(source))
                    .count();
                if run.provider.is_none() {
                    run.provider = found.provider.map(|p| (p, "mx"));
                }
                waiting.extend(run.add(found, &config.caps, outranking));
            }
            Event::Probed(i, probed) => {
                probing -= 1;
                run.candidates[i].outcome = probed.outcome;
                run.candidates[i].detail = probed.detail;
            }
        }
    }
}

/// The waiting candidate to probe next: what is known without the network (stored settings,
/// the table, what was entered) first, then by the precedence of its best source, then in the
/// order sources named them.
fn next_probe(waiting: &mut Vec<usize>, candidates: &[Candidate]) -> Option<usize> {
    let key = |i: usize| {
        let sources = &candidates[i].sources;
        let known = sources.iter().any(|s| {
            matches!(
                s,
                Source::Stored | Source::Provider | Source::Ispdb | Source::Entered
            )
        });
        let best = sources.iter().map(|s| rank::precedence(*s)).min();
        (!known, best, i)
    };
    let at = (0..waiting.len()).min_by_key(|&n| key(waiting[n]))?;
    Some(waiting.remove(at))
}

fn probe_task<'a>(prober: &'a Prober, i: usize, c: &Candidate) -> Task<'a> {
    let (side, host, port, security) = (c.side, c.host.clone(), c.port, c.security);
    Box::pin(async move { Event::Probed(i, prober.probe(side, &host, port, security).await) })
}

/// What the sources found so far. Serialized for the cache that relays share.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Collected {
    candidates: Vec<Candidate>,
    sources: Vec<SourceResult>,
    /// The first login-name template a source gave.
    username_template: Option<String>,
    /// Some host name was built from the address's local part.
    hosts_use_local_part: bool,
    /// The table's provider and how it was recognised (`domain` or `mx`).
    #[serde(with = "providers::reference")]
    provider: Option<(&'static providers::Entry, &'static str)>,
}

impl Collected {
    /// The network sources, none of which ran (`status`, and why).
    fn networkless(&mut self, status: SourceStatus, why: &str, started: Instant) {
        for source in NETWORK_SOURCES {
            self.sources
                .push(source_result(source, status, started, vec![why.to_owned()]));
        }
    }

    fn unprobed_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.outcome == ProbeOutcome::NotProbed)
            .map(|(i, _)| i)
    }

    fn unprobed(&mut self) -> impl Iterator<Item = &mut Candidate> {
        self.candidates
            .iter_mut()
            .filter(|c| c.outcome == ProbeOutcome::NotProbed)
    }

    /// Adds what a source found, within `caps` (`outranking`: how many sources that outrank
    /// it have not reported yet), saying in its notes what was left out. The indices of the
    /// new candidates.
    fn add(&mut self, found: Found, caps: &Caps, outranking: usize) -> Range<usize> {
        let Found {
            mut result,
            proposed,
            username_template,
            hosts_use_local_part,
            provider: _,
        } = found;
        let source = result.source;
        let mut dropped = caps::Dropped::default();
        let named = proposed.len();
        let mut kept: Vec<Proposed> = Vec::new();
        for (n, p) in proposed.iter().enumerate() {
            if kept.contains(p) {
                continue;
            }
            if kept.len() == caps.per_source {
                if proposed[n..].iter().any(|p| !kept.contains(p)) {
                    dropped.over_source = Some((named, kept.len()));
                }
                break;
            }
            kept.push(p.clone());
        }
        let room = caps.room(self.candidates.len(), outranking);
        let first_new = self.candidates.len();
        for p in kept {
            let added = self.candidates.len() - first_new;
            let known = self.candidates.iter_mut().find(|c| {
                c.side == p.side && c.host == p.host && c.port == p.port && c.security == p.security
            });
            match known {
                Some(c) => {
                    if !c.sources.contains(&source) {
                        c.sources.push(source);
                        c.sources.sort_by_key(|s| rank::precedence(*s));
                    }
                }
                None if added < room => self.candidates.push(Candidate {
                    side: p.side,
                    host: p.host,
                    port: p.port,
                    security: p.security,
                    sources: vec![source],
                    outcome: ProbeOutcome::NotProbed,
                    detail: None,
                }),
                None => dropped.over_total += 1,
            }
        }
        result.notes = caps::bound_notes(std::mem::take(&mut result.notes));
        result.notes.extend(dropped.notes(caps));
        if self.username_template.is_none() {
            self.username_template = username_template;
        }
        self.hosts_use_local_part |= hosts_use_local_part;
        self.sources.push(result);
        first_new..self.candidates.len()
    }

    /// What holds for every address of the domain: all but what was entered.
    fn domain_level(&self) -> Collected {
        let mut findings = self.clone();
        findings.candidates.retain_mut(|c| {
            c.sources.retain(|s| *s != Source::Entered);
            !c.sources.is_empty()
        });
        findings.sources.retain(|s| s.source != Source::Entered);
        findings
    }

    /// The login name for `email`: the table's rule for the address's domain, else the
    /// autoconfig document's, else the rule of the provider its MX hosts belong to.
    fn username_for(&self, email: &str) -> Option<String> {
        let rule = |by: &str| {
            self.provider
                .filter(|(_, b)| *b == by)
                .and_then(|(p, _)| p.username_for(email))
        };
        rule("domain")
            .or_else(|| {
                self.username_template
                    .as_deref()
                    .and_then(|t| autoconfig::username_for(t, email))
            })
            .or_else(|| rule("mx"))
    }

    fn finish(mut self, email: &str, domain: String, offline: bool, started: Instant) -> Discovery {
        let username = self.username_for(email);
        rank::sort(&mut self.candidates);
        let mut best = |side: Side| {
            let i = self
                .candidates
                .iter()
                .position(|c| c.side == side && c.outcome.usable())?;
            Some(self.candidates.remove(i))
        };
        let imap = best(Side::Imap);
        let smtp = best(Side::Smtp);
        self.sources.sort_by_key(|s| rank::precedence(s.source));
        Discovery {
            email: email.to_owned(),
            domain,
            imap,
            smtp,
            username,
            provider: self.provider.map(|(p, by)| p.to_wire(by)),
            candidates: self.candidates,
            sources: self.sources,
            offline,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }
    }
}

fn source_result(
    source: Source,
    status: SourceStatus,
    started: Instant,
    notes: Vec<String>,
) -> SourceResult {
    SourceResult {
        source,
        status,
        elapsed_ms: started.elapsed().as_millis() as u64,
        notes,
    }
}

fn provider_found(
    entry: Option<&'static providers::Entry>,
    started: Instant,
    source: Source,
) -> Found {
    let proposed = entry
        .iter()
        .flat_map(|p| {
            [Side::Imap, Side::Smtp].into_iter().flat_map(move |side| {
                p.servers(side)
                    .iter()
                    .map(move |s| Proposed::new(side, &s.host, s.port, s.security))
            })
        })
        .collect();
    Found {
        result: source_result(
            source,
            if entry.is_some() {
                SourceStatus::Found
            } else {
                SourceStatus::Empty
            },
            started,
            entry.map(|p| vec![p.name.clone()]).unwrap_or_default(),
        ),
        proposed,
        username_template: None,
        hosts_use_local_part: false,
        provider: None,
    }
}

/// A source's status from its lookups: found, or else the most telling thing that went wrong.
fn status_of(found: bool, outcomes: &[SourceStatus]) -> SourceStatus {
    if found {
        return SourceStatus::Found;
    }
    [
        SourceStatus::NotOffered,
        SourceStatus::Invalid,
        SourceStatus::TimedOut,
        SourceStatus::Failed,
    ]
    .into_iter()
    .find(|s| outcomes.contains(s))
    .unwrap_or(SourceStatus::Empty)
}

/// The four service names of RFC 6186 and RFC 8314, looked up together.
async fn srv(dns: &Dns, domain: &str, deadline: Instant) -> Found {
    let started = Instant::now();
    let services = [
        ("_imaps", Side::Imap, Security::Tls),
        ("_imap", Side::Imap, Security::Starttls),
        ("_submissions", Side::Smtp, Security::Tls),
        ("_submission", Side::Smtp, Security::Starttls),
    ];
    let answers = futures_util::future::join_all(services.iter().map(|(service, _, _)| {
        let name = format!("{service}._tcp.{domain}");
        async move { (name.clone(), dns.srv(&name, deadline).await) }
    }))
    .await;
    let mut proposed = Vec::new();
    let mut notes = Vec::new();
    let mut outcomes = Vec::new();
    for ((name, answer), (_, side, security)) in answers.into_iter().zip(services) {
        match answer {
            Ok(Srv::Targets(targets)) => {
                for t in targets {
                    notes.push(format!(
                        "{name}: {}:{} (priority {})",
                        t.host, t.port, t.priority
                    ));
                    proposed.push(Proposed::new(side, &t.host, t.port, security));
                }
            }
            Ok(Srv::NotOffered) => {
                outcomes.push(SourceStatus::NotOffered);
                notes.push(format!("{name}: service not offered (target \".\")"));
            }
            Err(LookupError::NoSuchName | LookupError::NoRecords) => {}
            Err(LookupError::TimedOut) => {
                outcomes.push(SourceStatus::TimedOut);
                notes.push(format!("{name}: no answer in time"));
            }
            Err(e) => {
                outcomes.push(SourceStatus::Failed);
                notes.push(format!("{name}: {e}"));
            }
        }
    }
    let status = status_of(!proposed.is_empty(), &outcomes);
    Found::new(source_result(Source::Srv, status, started, notes), proposed)
}

/// Both autoconfig locations, fetched together; the first usable document wins.
async fn autoconfig(client: &https::Client, email: &str, domain: &str, deadline: Instant) -> Found {
    let started = Instant::now();
    let urls = [
        format!(
            "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={}",
            email.replace('@', "%40").replace('+', "%2B")
        ),
        format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"),
    ];
    let fetched = futures_util::future::join_all(
        urls.iter()
            .map(|url| client.get(url, autoconfig::MAX_BYTES, deadline)),
    )
    .await;
    let mut notes = Vec::new();
    let mut documents = Vec::new();
    let mut outcomes = Vec::new();
    for (url, result) in urls.iter().zip(fetched) {
        let shown = url.split('?').next().unwrap_or(url);
        match result {
            Ok(body) => match std::str::from_utf8(&body)
                .map_err(|e| autoconfig::Invalid::Malformed(e.to_string()))
                .and_then(|xml| autoconfig::parse(xml, email))
            {
                Ok(config) => {
                    notes.push(format!("{shown}: {} servers", config.servers.len()));
                    notes.extend(config.notes.iter().map(|n| format!("{shown}: {n}")));
                    documents.push(config);
                }
                Err(e) => {
                    outcomes.push(SourceStatus::Invalid);
                    notes.push(format!("{shown}: {e}"));
                }
            },
            Err(https::FetchError::Dns(LookupError::NoSuchName | LookupError::NoRecords))
            | Err(https::FetchError::Status(404 | 410)) => {}
            Err(e) => {
                outcomes.push(if e == https::FetchError::TimedOut {
                    SourceStatus::TimedOut
                } else if e.is_invalid_answer() {
                    SourceStatus::Invalid
                } else {
                    SourceStatus::Failed
                });
                notes.push(format!("{shown}: {e}"));
            }
        }
    }
    let status = status_of(!documents.is_empty(), &outcomes);
    let username_template = documents.iter().find_map(|d| d.username_template.clone());
    let hosts_use_local_part = documents.iter().any(|d| d.hosts_use_local_part);
    let proposed = documents
        .into_iter()
        .flat_map(|d| d.servers)
        .map(|s| Proposed::new(s.side, &s.host, s.port, s.security))
        .collect();
    Found {
        result: source_result(Source::Autoconfig, status, started, notes),
        proposed,
        username_template,
        hosts_use_local_part,
        provider: None,
    }
}

/// The MX hosts: the provider they belong to, or guesses next to them.
async fn mx(dns: &Dns, domain: &str, deadline: Instant) -> Found {
    let started = Instant::now();
    let hosts = dns.mx(domain, deadline).await;
    let (status, notes, hosts) = match hosts {
        Ok(h) => (
            SourceStatus::Found,
            vec![format!("MX: {}", h.join(", "))],
            h,
        ),
        Err(LookupError::NoSuchName | LookupError::NoRecords) => {
            (SourceStatus::Empty, Vec::new(), Vec::new())
        }
        Err(LookupError::TimedOut) => (
            SourceStatus::TimedOut,
            vec!["MX: no answer in time".into()],
            Vec::new(),
        ),
        Err(e) => (SourceStatus::Failed, vec![format!("MX: {e}")], Vec::new()),
    };
    if let Some(p) = providers::by_mx(hosts.iter().map(String::as_str)) {
        let mut found = provider_found(Some(p), started, Source::Mx);
        found.result.notes = notes;
        found.result.notes.push(format!("hosted at {}", p.name));
        found.provider = Some(p);
        return found;
    }
    let mut proposed = Vec::new();
    for host in hosts.iter().take(2) {
        let parent = parent_domain(host);
        if parent != domain {
            proposed.extend(rank::guesses_for(&parent));
        }
        proposed.push(Proposed::new(Side::Imap, host, 993, Security::Tls));
        proposed.push(Proposed::new(Side::Smtp, host, 465, Security::Tls));
        proposed.push(Proposed::new(Side::Smtp, host, 587, Security::Starttls));
    }
    Found::new(source_result(Source::Mx, status, started, notes), proposed)
}

fn guesses(domain: &str) -> Found {
    let result = source_result(
        Source::Guess,
        SourceStatus::Found,
        Instant::now(),
        Vec::new(),
    );
    Found::new(result, rank::guesses_for(domain))
}

/// `mx1.mail.example.net` → `mail.example.net`; a two-label name stays as it is.
fn parent_domain(host: &str) -> String {
    match host.split_once('.') {
        Some((_, rest)) if rest.contains('.') => rest.to_owned(),
        _ => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_any_lookup() {
        assert_eq!(domain_of("Jo@Example.COM").unwrap(), "example.com");
        assert_eq!(domain_of("jo@example.com.").unwrap(), "example.com");
        assert_eq!(domain_of("jørn@blåbær.no").unwrap(), "xn--blbr-roah.no");
        assert_eq!(domain_of("ola@Żółw.pl").unwrap(), "xn--w-uga1v8h.pl");
        for bad in [
            "",
            "jo",
            "@example.com",
            "jo@localhost",
            "jo@exa mple.com",
            "jo@-x.com",
            "jo@x..com",
        ] {
            assert!(domain_of(bad).is_err(), "{bad}");
        }
    }

    fn named(source: Source, hosts: impl IntoIterator<Item = String>) -> Found {
        let proposed = hosts
            .into_iter()
            .map(|h| Proposed::new(Side::Imap, &h, 993, Security::Tls))
            .collect();
        Found::new(
            source_result(source, SourceStatus::Found, Instant::now(), Vec::new()),
            proposed,
        )
    }

    #[test]
    fn sources_are_kept_to_their_caps_and_say_what_they_left_out() {
        let caps = Caps::default();
        let mut run = Collected::default();
        let five_hundred = (0..500).map(|n| format!("s{n}.example"));
        assert_eq!(
            run.add(named(Source::Autoconfig, five_hundred), &caps, 0),
            0..8
        );
        assert_eq!(
            run.sources[0].notes,
            vec!["named 500 servers; only the first 8 were probed (at most 8 from one source)"]
        );
        // Names given twice count once; names another source gave add no candidate.
        let repeated = ["a", "a", "s0.example", "b"].map(String::from);
        assert_eq!(run.add(named(Source::Srv, repeated), &caps, 0), 8..10);
        assert!(
            run.sources[1].notes.is_empty(),
            "{:?}",
            run.sources[1].notes
        );
        assert_eq!(
            run.candidates[0].sources,
            vec![Source::Srv, Source::Autoconfig]
        );
        // The total holds, and what it left out is said.
        let total = Caps {
            total: 12,
            ..Caps::default()
        };
        let more = (0..8).map(|n| format!("m{n}.example"));
        assert_eq!(run.add(named(Source::Mx, more), &total, 0), 10..12);
        assert_eq!(
            run.sources[2].notes,
            vec!["6 more servers were not probed (at most 12 in one discovery)"]
        );
    }

    #[test]
    fn what_is_known_is_probed_first_then_by_precedence() {
        let mut run = Collected::default();
        let caps = Caps::default();
        run.add(named(Source::Guess, ["g".to_owned()]), &caps, 0);
        run.add(named(Source::Srv, ["s".to_owned()]), &caps, 0);
        run.add(named(Source::Entered, ["e".to_owned()]), &caps, 0);
        run.add(named(Source::Autoconfig, ["a".to_owned()]), &caps, 0);
        let mut waiting: Vec<usize> = (0..4).collect();
        let order: Vec<String> = std::iter::from_fn(|| next_probe(&mut waiting, &run.candidates))
            .map(|i| run.candidates[i].host.clone())
            .collect();
        assert_eq!(order, ["e", "s", "a", "g"]);
    }

    #[test]
    fn parents_of_mx_hosts() {
        assert_eq!(parent_domain("mx1.mail.example.net"), "mail.example.net");
        assert_eq!(parent_domain("mx.example.net"), "example.net");
        assert_eq!(parent_domain("example.net"), "example.net");
    }

    #[tokio::test]
    async fn offline_discovery_uses_the_table_and_stored_settings_only() {
        let config = DiscoverConfig {
            offline: true,
            ..DiscoverConfig::default()
        };
        let d = discover("someone@gmail.com", None, &[], &config)
            .await
            .unwrap();
        assert!(d.offline);
        let imap = d.imap.expect("imap");
        assert_eq!(
            (imap.host.as_str(), imap.port, imap.security),
            ("imap.gmail.com", 993, Security::Tls)
        );
        assert_eq!(imap.sources, vec![Source::Provider]);
        assert_eq!(imap.outcome, ProbeOutcome::NotProbed);
        assert_eq!(d.provider.expect("provider").id, "gmail");
        assert!(d
            .sources
            .iter()
            .filter(|s| matches!(
                s.source,
                Source::Srv | Source::Autoconfig | Source::Mx | Source::Guess
            ))
            .all(|s| s.status == SourceStatus::Skipped));

        let stored = DomainSettings {
            imap: ServerSettings {
                host: "mail.corp.example".into(),
                port: 143,
                security: Security::Auto,
            },
            smtp: ServerSettings {
                host: "mail.corp.example".into(),
                port: 587,
                security: Security::Starttls,
            },
            allow_insecure_cert: false,
            use_static_ips: false,
        };
        let d = discover("jo@corp.example", Some(stored), &[], &config)
            .await
            .unwrap();
        let imap = d.imap.expect("imap");
        assert_eq!(
            (imap.port, imap.security, imap.sources.clone()),
            (143, Security::Starttls, vec![Source::Stored])
        );
        assert!(d.provider.is_none());
    }
}
