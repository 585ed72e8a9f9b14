//! How close a diagnosis gets to the protocol's floor over a slow link.
//!
//! Real Dovecot and Postfix behind a delaying proxy of our own (RTT 50 ms by default, or
//! `IDR_BENCH_RTT_MS`). The floor is the longer branch's round trips: SMTP submission with
//! STARTTLS — TCP connect 1, greeting ½, EHLO 1, STARTTLS 1, TLS 1.3 handshake 1, EHLO 1,
//! AUTH 1, pipelined MAIL/RCPT/DATA 1, message 1 — 8.5 R, while IMAPS login and validation
//! (connect 1, TLS 1, greeting 1, LOGIN 1, LIST+EXAMINE 1, the session check beside it) runs
//! next to it. The goal is at most 1.15 × the floor; a client that does the five steps one
//! after another needs about 20 R. The median run's steps are printed in round trips, to show
//! what sits on the critical path.
//!
//! Run: `cargo bench -p inbox-doctor-tests --bench round_trips` (`IDR_BENCH_RTT_MS`,
//! `IDR_BENCH_RUNS`, `IDR_BENCH_SESSIONS` for the session target).

use std::time::Duration;

use inbox_doctor::{diagnose, EngineConfig};
use inbox_doctor_errors::Outcome;
use inbox_doctor_tests::delay::DelayProxy;
use inbox_doctor_tests::{Harness, PASSWORD};

const FLOOR_ROUND_TRIPS: f64 = 8.5;
const GOAL: f64 = 1.15;

fn main() {
    let rtt_ms = inbox_doctor_tests::bench_setting("IDR_BENCH_RTT_MS", 50);
    let runs = inbox_doctor_tests::bench_setting("IDR_BENCH_RUNS", 7) as usize;
    let rtt = Duration::from_millis(rtt_ms);
    let h = Harness::start();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let at = |p: u16| std::net::SocketAddr::from(([127, 0, 0, 1], p));
        let imap = DelayProxy::start(at(h.dovecot.imaps), rtt).await;
        let smtp = DelayProxy::start(at(h.dovecot.submission), rtt).await;
        let mut req = inbox_doctor_tests::mail::request(imap.addr.port(), smtp.addr.port(), PASSWORD);
        req.roundtrip = false;
        req.session_target = std::env::var("IDR_BENCH_SESSIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(req.session_target);
        let config = EngineConfig {
            net: inbox_doctor::net::Network {
                roots: inbox_doctor::net::tls::TrustRoots::load(&[h.ca().to_owned()]).expect("CA"),
                ..Default::default()
            },
            ..EngineConfig::default()
        };
        let mut times = Vec::new();
        let mut reports = Vec::new();
        for _ in 0..runs {
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let start = std::time::Instant::now();
            let report = diagnose(&req, &config, tx).await.expect("request");
            let elapsed = start.elapsed();
            assert_eq!(report.outcome, Outcome::Passed, "{:?}", report.failure);
            times.push(elapsed.as_secs_f64() * 1000.0);
            reports.push((elapsed, report));
        }
        // Where the time went, in round trips: every step of the median run.
        reports.sort_by_key(|(elapsed, _)| *elapsed);
        let (_, median_run) = &reports[reports.len() / 2];
        for s in &median_run.steps {
            let r = |ms: u64| ms as f64 / rtt_ms as f64;
            println!(
                "  {:<14} {:>5.2} R → {:>5.2} R ({:>4} ms)",
                s.step.code(),
                r(s.started_ms),
                r(s.started_ms + s.elapsed_ms),
                s.elapsed_ms
            );
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        let floor = FLOOR_ROUND_TRIPS * rtt_ms as f64;
        let ratio = median / floor;
        println!("RTT {rtt_ms} ms, {runs} runs: median {median:.0} ms, min {:.0} ms, max {:.0} ms", times[0], times[times.len() - 1]);
        println!("floor {FLOOR_ROUND_TRIPS} R = {floor:.0} ms; median = {:.2} R = {ratio:.3} × floor (goal ≤ {GOAL})", median / rtt_ms as f64);
        println!("{}", if ratio <= GOAL { "within the goal" } else { "OVER the goal" });
    });
}
