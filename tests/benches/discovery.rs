//! Discovery time against sequential lookup.
//!
//! Every source is asked at once and each candidate probed as soon as a source names it, so
//! discovery should take about as long as its slowest useful source plus one probe. A mail
//! client that asks one source after another and probes one candidate at a time pays the sum.
//! The setup: a real DNS server (NSD) with SRV records, an autoconfig document on a real HTTPS
//! server (nginx) that sends it slowly (about one second), and the harness's Dovecot behind a
//! proxy that adds a round-trip time (50 ms, or `IDR_BENCH_RTT_MS`).
//!
//! First, what the offline tables cost: loading them (once per process) and one lookup of
//! each of the ISPDB's domains (the goal: well under a millisecond).
//!
//! Run: `cargo bench -p inbox-doctor-tests --bench discovery`

use std::time::{Duration, Instant};

use inbox_doctor::discover::{discover, ispdb, providers, DiscoverConfig};
use inbox_doctor::net::dns::Dns;
use inbox_doctor::net::tls::TrustRoots;
use inbox_doctor::net::Network;
use inbox_doctor_tests::delay::DelayProxy;
use inbox_doctor_tests::discovery::{DnsServer, Reply, WebServer};
use inbox_doctor_tests::{Harness, EMAIL};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Loads both tables, then looks up every domain the ISPDB knows the way discovery does (ours
/// first, the ISPDB where ours has no entry).
fn offline_tables() {
    let started = Instant::now();
    let domains: Vec<&str> = ispdb::table()
        .iter()
        .flat_map(|p| p.domains.iter().map(String::as_str))
        .collect();
    let known = providers::table().len();
    println!(
        "offline tables: {} ISPDB domains, {known} providers of ours, loaded in {} ms (once)",
        domains.len(),
        started.elapsed().as_millis()
    );
    let mut lookups = Vec::with_capacity(domains.len() * 10);
    for _ in 0..10 {
        for domain in &domains {
            let started = Instant::now();
            let found =
                providers::by_domain(domain).is_some() || ispdb::by_domain(domain).is_some();
            lookups.push(started.elapsed());
            assert!(found, "{domain} not found");
        }
    }
    let slowest = lookups.iter().max().copied().unwrap_or_default();
    println!(
        "  one lookup: median {:.1} µs, slowest {:.1} µs",
        median(lookups).as_secs_f64() * 1e6,
        slowest.as_secs_f64() * 1e6
    );
}

fn main() {
    offline_tables();
    let rtt_ms = inbox_doctor_tests::bench_setting("IDR_BENCH_RTT_MS", 50);
    let runs = inbox_doctor_tests::bench_setting("IDR_BENCH_RUNS", 5) as usize;
    let h = Harness::start();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let rtt = Duration::from_millis(rtt_ms);
        let at = |p: u16| std::net::SocketAddr::from(([127, 0, 0, 1], p));
        let imaps = DelayProxy::start(at(h.dovecot.imaps), rtt).await;
        let submission = DelayProxy::start(at(h.dovecot.submission), rtt).await;
        let xml = format!(
            "<clientConfig version=\"1.1\"><emailProvider id=\"x\">\
             <incomingServer type=\"imap\"><hostname>imap.inbox-doctor.test</hostname><port>{}</port><socketType>SSL</socketType></incomingServer>\
             <outgoingServer type=\"smtp\"><hostname>smtp.inbox-doctor.test</hostname><port>{}</port><socketType>STARTTLS</socketType></outgoingServer>\
             </emailProvider></clientConfig>{}",
            imaps.addr.port(),
            submission.addr.port(),
            " ".repeat(600)
        );
        // About a second for the document: the slowest source.
        let rate = (xml.len() as u32).max(1);
        let web = WebServer::start(
            &h.certs,
            &[(
                "autoconfig.inbox-doctor.test",
                "/mail/config-v1.1.xml",
                Reply::Slow(xml.as_bytes(), rate),
            )],
        );
        let dns = DnsServer::start(&[(
            "inbox-doctor.test",
            &format!(
                "autoconfig IN A {}\nimap IN A 127.0.0.1\nsmtp IN A 127.0.0.1\n\
                 _imaps._tcp IN SRV 0 1 {} imap\n_submission._tcp IN SRV 0 1 {} smtp\n",
                web.ip,
                imaps.addr.port(),
                submission.addr.port()
            ),
        )]);
        let config = |sequential| DiscoverConfig {
            net: Network {
                dns: Some(Dns::at(dns.addr).expect("resolver")),
                roots: TrustRoots::load(&[h.ca().to_owned()]).expect("roots"),
                ..Network::default()
            },
            sequential,
            ..DiscoverConfig::default()
        };
        let mut times = [Vec::new(), Vec::new()];
        let mut slowest_source = Duration::ZERO;
        for _ in 0..runs {
            for (i, sequential) in [false, true].into_iter().enumerate() {
                let started = Instant::now();
                let d = discover(EMAIL, None, &[], &config(sequential))
                    .await
                    .expect("discover");
                times[i].push(started.elapsed());
                let imap = d.imap.expect("IMAP found");
                assert_eq!(imap.port, imaps.addr.port(), "{imap:?}");
                if !sequential {
                    let slowest = d.sources.iter().map(|s| s.elapsed_ms).max().unwrap_or(0);
                    slowest_source = slowest_source.max(Duration::from_millis(slowest));
                }
            }
        }
        let [concurrent, sequential] = times;
        let (c, s) = (median(concurrent), median(sequential));
        println!("discovery, {runs} runs, RTT {rtt_ms} ms to the mail servers");
        println!("  concurrent (inbox-doctor): median {} ms", c.as_millis());
        println!("  sequential (one source, one probe at a time): median {} ms", s.as_millis());
        println!("  slowest source alone: {} ms", slowest_source.as_millis());
        println!("  sequential / concurrent: {:.1}×", s.as_secs_f64() / c.as_secs_f64());
    });
}
