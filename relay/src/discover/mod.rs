//! Settings discovery: from an email address to IMAP and SMTP settings, each with where it came
//! from, confirmed by probing.
//!
//! Every source is consulted at once, and each candidate is probed as soon as a source names it,
//! so the time taken is that of the slowest source plus one probe, not the sum. Sources, in
//! order of precedence: stored domain settings, the bundled provider table, DNS SRV (RFC 6186,
//! RFC 8314), autoconfig XML, guesses from MX hosts and from the domain. Ranking is in
//! [`rank`]; nothing here sends a password.

pub mod autoconfig;
mod confirm;
mod https;
pub mod providers;
mod rank;

use std::collections::VecDeque;
use std::future::Future;
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
use confirm::{Probed, Prober};

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
}

impl Default for DiscoverConfig {
    fn default() -> DiscoverConfig {
        DiscoverConfig {
            net: Network::default(),
            offline: false,
            lookup_timeout: Duration::from_secs(6),
            probe_timeout: Duration::from_secs(6),
            sequential: false,
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

/// The provider of `domain`: by the domain itself, else by its MX hosts.
pub async fn provider_of(
    domain: &str,
    dns: Option<&Dns>,
    deadline: Instant,
) -> Option<inbox_doctor_errors::Provider> {
    if let Some(p) = providers::by_domain(domain) {
        return Some(p.to_wire("domain"));
    }
    let dns = match dns {
        Some(d) => d.clone(),
        None => Dns::system().ok()?,
    };
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
    /// The IMAP login name the source asks for.
    username: Option<String>,
    /// The provider, recognised by MX.
    provider: Option<&'static providers::Entry>,
}

enum Event {
    Source(Found),
    Probed(usize, Probed),
}

type Task<'a> = Pin<Box<dyn Future<Output = Event> + Send + 'a>>;

/// Finds the settings for `email`. `stored` is what the relay's administrators saved for its
/// domain, if anything. `extra` are candidates to probe alongside (what a user entered).
pub async fn discover(
    email: &str,
    stored: Option<DomainSettings>,
    extra: &[(Side, ServerSettings)],
    config: &DiscoverConfig,
) -> Result<Discovery, DiscoverError> {
    let started = Instant::now();
    let domain = domain_of(email)?;
    let email = email.trim();
    let mut run = known(email, &domain, stored, extra, started);
    if config.offline {
        run.networkless(SourceStatus::Skipped, "offline", started);
        for c in &mut run.candidates {
            c.outcome = ProbeOutcome::NotProbed;
        }
        return Ok(run.finish(email, domain, true, started));
    }
    let dns = match &config.net.dns {
        Some(dns) => Ok(dns.clone()),
        None => Dns::system(),
    };
    match dns {
        Ok(dns) => search(&mut run, &dns, email, &domain, config, started).await,
        Err(e) => {
            // No resolver: only what needs none can be probed.
            run.networkless(SourceStatus::Failed, &e, started);
            for c in &mut run.candidates {
                c.outcome = ProbeOutcome::NotFound;
                c.detail = Some(e.clone());
            }
        }
    }
    Ok(run.finish(email, domain, false, started))
}

/// What is known without the network: stored settings, the provider table, what was entered.
fn known(
    email: &str,
    domain: &str,
    stored: Option<DomainSettings>,
    extra: &[(Side, ServerSettings)],
    started: Instant,
) -> Collected {
    let mut run = Collected::default();
    let status = if stored.is_some() {
        SourceStatus::Found
    } else {
        SourceStatus::Empty
    };
    run.add(Found {
        result: source_result(Source::Stored, status, started, Vec::new()),
        proposed: stored
            .iter()
            .flat_map(|s| {
                [
                    Proposed::from_settings(Side::Imap, &s.imap),
                    Proposed::from_settings(Side::Smtp, &s.smtp),
                ]
            })
            .collect(),
        username: None,
        provider: None,
    });
    let by_domain = providers::by_domain(domain);
    run.add(provider_found(by_domain, email, started, Source::Provider));
    run.provider = by_domain.map(|p| (p, "domain"));
    if !extra.is_empty() {
        run.add(Found {
            result: source_result(Source::Entered, SourceStatus::Found, started, Vec::new()),
            proposed: extra
                .iter()
                .map(|(side, s)| Proposed::from_settings(*side, s))
                .collect(),
            username: None,
            provider: None,
        });
    }
    run
}

/// Every network source at once; each candidate is probed as soon as a source names it (one
/// task at a time when `config.sequential`, as a mail client does).
async fn search(
    run: &mut Collected,
    dns: &Dns,
    email: &str,
    domain: &str,
    config: &DiscoverConfig,
    started: Instant,
) {
    let lookup_deadline = started + config.lookup_timeout;
    let prober = Prober {
        dns: dns.clone(),
        net: config.net.clone(),
        timeout: config.probe_timeout,
    };
    let client = https::Client {
        dns: dns.clone(),
        tls: Arc::new(config.net.roots.client_config()),
        net: config.net.clone(),
    };
    let mut queue: VecDeque<Task<'_>> = VecDeque::new();
    queue.push_back(Box::pin(async {
        Event::Source(srv(dns, domain, lookup_deadline).await)
    }));
    queue.push_back(Box::pin(async {
        Event::Source(autoconfig(&client, email, domain, lookup_deadline).await)
    }));
    queue.push_back(Box::pin(async {
        Event::Source(mx(dns, email, domain, lookup_deadline).await)
    }));
    queue.push_back(Box::pin(async { Event::Source(guesses(domain)) }));
    // Candidates known before any lookup are probed at once.
    for (i, c) in run.candidates.iter().enumerate() {
        queue.push_back(probe_task(&prober, i, c));
    }
    let limit = if config.sequential { 1 } else { usize::MAX };
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < limit {
            match queue.pop_front() {
                Some(t) => running.push(t),
                None => break,
            }
        }
        let Some(event) = running.next().await else {
            break;
        };
        match event {
            Event::Source(found) => {
                let first_new = run.candidates.len();
                if run.provider.is_none() {
                    run.provider = found.provider.map(|p| (p, "mx"));
                }
                run.add(found);
                for (i, c) in run.candidates.iter().enumerate().skip(first_new) {
                    queue.push_back(probe_task(&prober, i, c));
                }
            }
            Event::Probed(i, probed) => {
                run.candidates[i].outcome = probed.outcome;
                run.candidates[i].detail = probed.detail;
            }
        }
    }
}

fn probe_task<'a>(prober: &'a Prober, i: usize, c: &Candidate) -> Task<'a> {
    let (side, host, port, security) = (c.side, c.host.clone(), c.port, c.security);
    Box::pin(async move { Event::Probed(i, prober.probe(side, &host, port, security).await) })
}

/// What the sources found so far.
#[derive(Default)]
struct Collected {
    candidates: Vec<Candidate>,
    sources: Vec<SourceResult>,
    username: Option<String>,
    provider: Option<(&'static providers::Entry, &'static str)>,
}

impl Collected {
    /// The network sources, none of which ran (`status`, and why).
    fn networkless(&mut self, status: SourceStatus, why: &str, started: Instant) {
        for source in [Source::Srv, Source::Autoconfig, Source::Mx, Source::Guess] {
            self.sources
                .push(source_result(source, status, started, vec![why.to_owned()]));
        }
    }

    fn add(&mut self, found: Found) {
        let source = found.result.source;
        for p in found.proposed {
            match self.candidates.iter_mut().find(|c| {
                c.side == p.side && c.host == p.host && c.port == p.port && c.security == p.security
            }) {
                Some(c) => {
                    if !c.sources.contains(&source) {
                        c.sources.push(source);
                        c.sources.sort_by_key(|s| rank::precedence(*s));
                    }
                }
                None => self.candidates.push(Candidate {
                    side: p.side,
                    host: p.host,
                    port: p.port,
                    security: p.security,
                    sources: vec![source],
                    outcome: ProbeOutcome::NotProbed,
                    detail: None,
                }),
            }
        }
        if self.username.is_none() {
            self.username = found.username;
        }
        self.sources.push(found.result);
    }

    fn finish(mut self, email: &str, domain: String, offline: bool, started: Instant) -> Discovery {
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
            username: self
                .username
                .or_else(|| self.provider.and_then(|(p, _)| p.username_for(email))),
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
    email: &str,
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
        username: entry.and_then(|p| p.username_for(email)),
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
    Found {
        result: source_result(Source::Srv, status, started, notes),
        proposed,
        username: None,
        provider: None,
    }
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
    let username = documents.iter().find_map(|d| d.username.clone());
    let proposed = documents
        .into_iter()
        .flat_map(|d| d.servers)
        .map(|s| Proposed::new(s.side, &s.host, s.port, s.security))
        .collect();
    Found {
        result: source_result(Source::Autoconfig, status, started, notes),
        proposed,
        username,
        provider: None,
    }
}

/// The MX hosts: the provider they belong to, or guesses next to them.
async fn mx(dns: &Dns, email: &str, domain: &str, deadline: Instant) -> Found {
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
        let mut found = provider_found(Some(p), email, started, Source::Mx);
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
    Found {
        result: source_result(Source::Mx, status, started, notes),
        proposed,
        username: None,
        provider: None,
    }
}

fn guesses(domain: &str) -> Found {
    let proposed = rank::guesses_for(domain);
    Found {
        result: source_result(
            Source::Guess,
            SourceStatus::Found,
            Instant::now(),
            Vec::new(),
        ),
        proposed,
        username: None,
        provider: None,
    }
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
