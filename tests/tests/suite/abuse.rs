//! The relay against strangers: each test plays an attack on a real relay over real sockets
//! and shows it refused or bounded.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use inbox_doctor::config::Config;
use inbox_doctor_errors::{DiagnosisRequest, ErrorCode, Secret, Security, ServerMessage};
use inbox_doctor_tests::hostile::{At, Do, Hostile, Proto, Script, Wrap};
use inbox_doctor_tests::net::free_port;
use inbox_doctor_tests::relay::{Relay, Socket};

/// A relay for loopback targets, with its database in `dir`.
fn config(dir: &tempfile::TempDir, ports: &[u16]) -> Config {
    let mut c = Config::default();
    c.egress.allow_cidrs = vec!["127.0.0.0/8".parse().unwrap()];
    c.egress.ports.extend(ports);
    c.domains.database = format!("sqlite://{}", dir.path().join("d.db").display());
    c
}

/// A request that fails at once: nothing listens on `port`.
fn quick(port: u16) -> DiagnosisRequest {
    let mut r = inbox_doctor_tests::mail::request(port, port, "secret");
    r.send = false;
    r.session_target = 1;
    r
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_x_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut c = config(&dir, &[port]);
    c.limits.runs_per_minute = 2;
    let relay = Relay::start(c).await;
    let mut refused = Vec::new();
    for forged in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        let headers = [("x-forwarded-for", forged), ("forwarded", "for=192.0.2.9")];
        let socket = relay.socket(&headers).await;
        refused.push(socket.outcome(&quick(port)).await);
    }
    assert_eq!(refused, [None, None, Some(ErrorCode::RateLimited)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut c = config(&dir, &[port]);
    c.limits.runs_per_minute = 2;
    c.limits.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let relay = Relay::start(c).await;
    // The proxy appends the address it received from; a client's own entry on the left is
    // not believed.
    let run = |xff: &'static str| {
        let relay = &relay;
        async move {
            let socket = relay.socket(&[("x-forwarded-for", xff)]).await;
            socket.outcome(&quick(port)).await
        }
    };
    assert_eq!(run("10.0.0.1, 198.51.100.7").await, None);
    assert_eq!(run("10.0.0.2, 198.51.100.7").await, None);
    assert_eq!(
        run("10.0.0.3, 198.51.100.7").await,
        Some(ErrorCode::RateLimited)
    );
    // Another user behind the same proxy is not affected.
    assert_eq!(run("198.51.100.8").await, None);
    // A peer that is no trusted proxy cannot speak for anyone.
    let mut refused = Vec::new();
    for forged in ["198.51.100.9", "198.51.100.10", "198.51.100.11"] {
        let other = relay
            .socket_from(ip("127.0.0.2"), &[("x-forwarded-for", forged)])
            .await;
        refused.push(other.outcome(&quick(port)).await);
    }
    assert_eq!(refused, [None, None, Some(ErrorCode::RateLimited)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_ipv6_addresses_within_a_prefix_is_one_client() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut c = config(&dir, &[port]);
    c.limits.runs_per_minute = 2;
    c.limits.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let relay = Relay::start(c).await;
    let mut refused = Vec::new();
    for rotated in [
        "2001:db8:7:1::1",
        "2001:db8:7:1:ffff::2",
        "2001:db8:7:1:1234::3",
    ] {
        let socket = relay.socket(&[("x-forwarded-for", rotated)]).await;
        refused.push(socket.outcome(&quick(port)).await);
    }
    assert_eq!(refused, [None, None, Some(ErrorCode::RateLimited)]);
    let socket = relay
        .socket(&[("x-forwarded-for", "2001:db8:7:2::1")])
        .await;
    assert_eq!(socket.outcome(&quick(port)).await, None, "another /64");
}

#[tokio::test(flavor = "multi_thread")]
async fn sockets_are_capped_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut c = config(&dir, &[port]);
    c.limits.max_sockets_per_client = 2;
    let relay = Relay::start(c).await;
    let _held = [relay.socket(&[]).await, relay.socket(&[]).await];
    let mut third = relay.socket(&[]).await;
    let Some(ServerMessage::Error(e)) = third.next().await else {
        panic!("the third socket was not refused");
    };
    assert_eq!(e.code, ErrorCode::TooManySockets);
    // Another client still gets in.
    let other = relay.socket_from(ip("127.0.0.3"), &[]).await;
    assert_eq!(other.outcome(&quick(port)).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn pings_do_not_extend_the_wait_for_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir, &[]);
    c.limits.start_timeout_secs = 1;
    let relay = Relay::start(c).await;
    let mut socket = relay.socket(&[]).await;
    let started = Instant::now();
    let pinging = async {
        loop {
            use futures_util::SinkExt;
            let ping = tokio_tungstenite::tungstenite::Message::Ping(vec![1].into());
            if socket.ws.send(ping).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), pinging).await;
    let messages = socket.all().await;
    assert!(
        matches!(messages.first(), Some(ServerMessage::Error(e)) if e.code == ErrorCode::Timeout),
        "{messages:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_gives_its_place_back_when_the_run_ends() {
    use inbox_doctor_tests::hostile::{PASSWORD as HOSTILE_PASSWORD, USER};
    let dir = tempfile::tempdir().unwrap();
    // A server whose LIST answer fills the transcript, so the report is megabytes (quotes
    // double in JSON) — more than the sockets between relay and client can hold.
    let mut line = b"* 1 EXISTS ".to_vec();
    line.extend([b'"'; 1980]);
    line.extend(b"\r\n");
    let flood = Hostile::start(
        Script::good(Proto::Imap, Wrap::Plain).fault(At::Command("LIST"), vec![Do::Forever(line)]),
    )
    .await;
    // Everything else behaves, so no run waits on discovery's lookups.
    let imap = Hostile::start(Script::good(Proto::Imap, Wrap::Plain)).await;
    let smtp = Hostile::start(Script::good(Proto::Smtp, Wrap::Plain)).await;
    let ports = [flood.addr.port(), imap.addr.port(), smtp.addr.port()];
    let mut c = config(&dir, &ports);
    c.limits.max_runs_per_client = 1;
    let relay = Relay::start(c).await;
    let to = |imap_port: u16| {
        let mut r = quick(imap_port);
        r.email = USER.into();
        r.password = Secret::new(HOSTILE_PASSWORD);
        r.imap.security = Security::Plain;
        r.smtp.port = smtp.addr.port();
        r.smtp.security = Security::Plain;
        r
    };
    let request = to(flood.addr.port());

    // Starts that run with a tiny receive window and never reads.
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tcp.connect(relay.addr).await.unwrap();
    let url = format!("ws://{}/ws", relay.addr);
    let (ws, _) =
        tokio_tungstenite::client_async(url, tokio_tungstenite::MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
    let mut silent = Socket { ws };
    silent.start(&request).await;
    let started = Instant::now();

    // Once the engine is done, the place is free again, while the relay still sits on the
    // silent socket's report (before the send's own bound would end it).
    loop {
        let socket = relay.socket(&[]).await;
        match socket.outcome(&to(imap.addr.port())).await {
            None => break,
            Some(ErrorCode::TooManyRuns) if started.elapsed() < Duration::from_secs(8) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("the place never came back: {other:?}"),
        }
    }
    let mut held = false;
    while !held && started.elapsed() < Duration::from_secs(9) {
        held = relay
            .metrics()
            .await
            .contains("inbox_doctor_open_sockets 1\n");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        held,
        "the silent socket's report was not stuck: the test proves nothing"
    );
    drop(silent);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_is_stopped_at_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    // A server that never greets, and steps that would wait 30 s for it.
    let stall =
        Hostile::start(Script::good(Proto::Imap, Wrap::Plain).fault(At::Greeting, vec![Do::Stall]))
            .await;
    let mut c = config(&dir, &[stall.addr.port()]);
    c.engine.step_timeout_secs = 30;
    c.limits.run_timeout_secs = Some(1);
    let relay = Relay::start(c).await;
    let mut request = quick(stall.addr.port());
    request.imap.security = Security::Plain;
    let started = Instant::now();
    let code = relay.socket(&[]).await.outcome(&request).await;
    assert_eq!(code, Some(ErrorCode::Timeout));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(relay.state.limiter.running(), 0, "the place is free");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guessing_loop_from_many_addresses_meets_the_account_limit() {
    use inbox_doctor_tests::mail::{guess, BOB, BOB_PASSWORD};
    use inbox_doctor_tests::relay::config_for;
    use inbox_doctor_tests::{Harness, PASSWORD};

    let h = Harness::start();
    let mut c = config_for(&h);
    c.limits.failed_logins_per_account = 3;
    c.limits.failed_logins_per_host = 5;
    let relay = Relay::start(c).await;
    // Each guess from another address: the client limits never see a repeat.
    let mut seen = Vec::new();
    for (i, password) in ["guess-1", "guess-2", "guess-3", "guess-4"]
        .iter()
        .enumerate()
    {
        let source = ip(&format!("127.0.0.{}", 20 + i));
        let socket = relay.socket_from(source, &[]).await;
        seen.push(socket.outcome(&guess(&h, password)).await);
    }
    assert_eq!(
        seen,
        [None, None, None, Some(ErrorCode::AccountRateLimited)],
        "three refused logins, then the account is closed to guesses"
    );
    // The right password is refused too for now: the relay cannot tell a guess that is right.
    let socket = relay.socket_from(ip("127.0.0.30"), &[]).await;
    assert_eq!(
        socket.outcome(&guess(&h, PASSWORD)).await,
        Some(ErrorCode::AccountRateLimited)
    );
    // Another account on the server is still checked, until the server's own limit.
    let mut bob = guess(&h, "bob-guess");
    bob.email = BOB.into();
    let socket = relay.socket_from(ip("127.0.0.31"), &[]).await;
    assert_eq!(socket.outcome(&bob).await, None);
    let socket = relay.socket_from(ip("127.0.0.32"), &[]).await;
    assert_eq!(socket.outcome(&bob).await, None);
    bob.password = Secret::new(BOB_PASSWORD);
    let socket = relay.socket_from(ip("127.0.0.33"), &[]).await;
    assert_eq!(
        socket.outcome(&bob).await,
        Some(ErrorCode::TargetRateLimited),
        "five refused logins on the server"
    );
    let metrics = relay.metrics().await;
    assert!(
        metrics.contains("inbox_doctor_refused_logins_total 5"),
        "{metrics}"
    );
    assert!(metrics.contains("account_rate_limited"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_run_closes_every_connection_it_opened() {
    let dir = tempfile::tempdir().unwrap();
    // The main session waits for LIST's answer forever while the session check's extra
    // sessions are open.
    let imap = Hostile::start(
        Script::good(Proto::Imap, Wrap::Plain).fault(At::Command("LIST"), vec![Do::Stall]),
    )
    .await;
    let mut c = config(&dir, &[imap.addr.port()]);
    c.engine.step_timeout_secs = 30;
    let relay = Relay::start(c).await;
    let mut request = quick(imap.addr.port());
    request.imap.security = Security::Plain;
    request.password = Secret::new(inbox_doctor_tests::hostile::PASSWORD);
    request.email = inbox_doctor_tests::hostile::USER.into();
    request.session_target = 5;
    let mut socket = relay.socket(&[]).await;
    socket.start(&request).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while imap.sessions() < 5 {
        assert!(
            Instant::now() < deadline,
            "the session check never opened its sessions"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    socket.send_text("{\"cancel\":{}}").await;
    let cancelled = Instant::now();
    while imap.open() > 0 {
        assert!(
            cancelled.elapsed() < Duration::from_secs(2),
            "{} connections still open after the cancel",
            imap.open()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_defaults_let_a_person_check_their_own_mailbox_a_few_times_in_a_row() {
    use inbox_doctor_tests::mail::request;
    use inbox_doctor_tests::relay::config_for;
    use inbox_doctor_tests::{Harness, PASSWORD};

    let h = Harness::start();
    let relay = Relay::start(config_for(&h)).await;
    // Mistyped twice, then right, then checked again a few times: nothing is refused.
    for password in [
        "typo-1", "typo-2", PASSWORD, PASSWORD, PASSWORD, "typo-3", PASSWORD,
    ] {
        let mut r = request(h.dovecot.imaps, h.dovecot.submission, password);
        r.roundtrip = false;
        let code = relay.socket(&[]).await.outcome(&r).await;
        assert_eq!(code, None, "refused with the default limits");
    }
}
