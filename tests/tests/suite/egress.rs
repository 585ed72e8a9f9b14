//! The relay's egress policy against hostile targets: every refused range, IPv4 in its
//! numeric disguises, IPv6 forms that carry IPv4, a name that resolves to loopback — and the
//! legitimate targets it must let through. Judged as the relay judges: after resolution.

use inbox_doctor::net::egress::{EgressConfig, EgressPolicy, Range, Refusal};
use inbox_doctor_tests::cli::binary;

fn policy(config: EgressConfig) -> EgressPolicy {
    EgressPolicy::new(config)
}

async fn verdict(p: &EgressPolicy, host: &str, port: u16) -> Result<(), Refusal> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    p.resolve(host, port, deadline).await.map(|_| ())
}

const HOSTILE: &[(&str, u16, Range)] = &[
    // Loopback, in every spelling getaddrinfo accepts.
    ("127.0.0.1", 993, Range::Loopback),
    ("127.1.2.3", 993, Range::Loopback),
    ("2130706433", 993, Range::Loopback),
    ("0x7f.1", 993, Range::Loopback),
    ("0x7f000001", 993, Range::Loopback),
    ("017700000001", 993, Range::Loopback),
    ("0177.0.0.1", 993, Range::Loopback),
    ("127.1", 993, Range::Loopback),
    ("localhost", 993, Range::Loopback),
    ("::1", 993, Range::Loopback),
    ("::ffff:127.0.0.1", 993, Range::Loopback),
    ("::ffff:7f00:1", 993, Range::Loopback),
    ("::127.0.0.1", 993, Range::Loopback),
    ("64:ff9b::7f00:1", 993, Range::Loopback),
    ("2002:7f00:1::", 993, Range::Loopback),
    // Unspecified.
    ("0.0.0.0", 993, Range::Unspecified),
    ("0", 993, Range::Unspecified),
    ("::", 993, Range::Unspecified),
    // Private (RFC 1918) and IPv6 site/unique local.
    ("10.0.0.1", 993, Range::Private),
    ("10.255.255.255", 465, Range::Private),
    ("172.16.0.1", 587, Range::Private),
    ("172.31.255.254", 25, Range::Private),
    ("192.168.1.1", 143, Range::Private),
    ("0xc0a80101", 143, Range::Private),
    ("::ffff:10.0.0.1", 993, Range::Private),
    ("::ffff:192.168.0.1", 993, Range::Private),
    ("fec0::1", 993, Range::Private),
    ("fd12:3456::1", 993, Range::UniqueLocal),
    ("fc00::1", 993, Range::UniqueLocal),
    // Link-local.
    ("169.254.1.1", 993, Range::LinkLocal),
    ("fe80::1", 993, Range::LinkLocal),
    // Cloud metadata.
    ("169.254.169.254", 993, Range::Metadata),
    ("2852039166", 993, Range::Metadata),
    ("::ffff:169.254.169.254", 993, Range::Metadata),
    ("fd00:ec2::254", 993, Range::Metadata),
    ("100.100.100.200", 993, Range::Metadata),
    ("192.0.0.192", 993, Range::Metadata),
    // Carrier-grade NAT.
    ("100.64.0.1", 993, Range::Cgnat),
    ("100.127.255.254", 993, Range::Cgnat),
    // Multicast, broadcast, reserved.
    ("224.0.0.1", 993, Range::Multicast),
    ("239.255.255.250", 993, Range::Multicast),
    ("ff02::1", 993, Range::Multicast),
    ("255.255.255.255", 993, Range::Broadcast),
    ("240.0.0.1", 993, Range::Reserved),
    ("192.0.0.8", 993, Range::Reserved),
    ("100::1", 993, Range::Reserved),
    // Documentation and benchmarking.
    ("192.0.2.10", 993, Range::Documentation),
    ("198.51.100.10", 993, Range::Documentation),
    ("203.0.113.10", 993, Range::Documentation),
    ("2001:db8::1", 993, Range::Documentation),
    ("198.18.0.1", 993, Range::Benchmarking),
];

#[tokio::test]
async fn hostile_targets_are_refused_with_the_range_named() {
    let p = policy(EgressConfig::default());
    assert!(HOSTILE.len() >= 40);
    let mut wrong = Vec::new();
    for &(host, port, range) in HOSTILE {
        match verdict(&p, host, port).await {
            Err(Refusal::Address { range: r, .. }) if r == range => {}
            other => wrong.push(format!("{host}:{port}: expected {range:?}, got {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn ports_other_than_mail_ports_are_refused() {
    let p = policy(EgressConfig::default());
    for port in [22, 80, 443, 3306, 6379, 8080, 11211] {
        assert!(
            matches!(
                verdict(&p, "8.8.8.8", port).await,
                Err(Refusal::Port { .. })
            ),
            "{port}"
        );
    }
}

#[tokio::test]
async fn legitimate_targets_pass() {
    let p = policy(EgressConfig::default());
    for (host, port) in [
        ("8.8.8.8", 993),
        ("1.1.1.1", 465),
        ("74.125.140.108", 587),
        ("2606:4700:4700::1111", 143),
        ("2a00:1450:4013:c01::6c", 25),
        ("::ffff:8.8.8.8", 993),
        ("172.32.0.1", 2525),
        ("100.128.0.1", 993),
    ] {
        assert!(verdict(&p, host, port).await.is_ok(), "{host}:{port}");
    }
}

#[tokio::test]
async fn operators_allow_ranges_and_hosts_for_on_prem() {
    let p = policy(EgressConfig {
        allow_cidrs: vec![
            "10.20.0.0/16".parse().unwrap(),
            "127.0.0.0/8".parse().unwrap(),
        ],
        allow_hosts: vec!["localhost".into()],
        ports: vec![993, 10143],
        ..EgressConfig::default()
    });
    assert!(verdict(&p, "10.20.1.2", 993).await.is_ok());
    assert!(verdict(&p, "::ffff:10.20.1.2", 993).await.is_ok());
    assert!(verdict(&p, "10.21.1.2", 993).await.is_err());
    assert!(verdict(&p, "127.0.0.1", 10143).await.is_ok());
    assert!(verdict(&p, "localhost", 993).await.is_ok());
    assert!(
        verdict(&p, "127.0.0.1", 587).await.is_err(),
        "ports still apply"
    );
}

#[test]
fn egress_check_exit_codes_and_json() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(binary())
            .arg("egress-check")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, _) = run(&["8.8.8.8:993"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("allowed"));
    let (code, out, _) = run(&["localhost:993", "--json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["refusal"]["reason"], "address");
    assert_eq!(v["refusal"]["range"], "loopback");
    let (code, out, _) = run(&["0x7f.1:993"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("loopback"), "{out}");
    let (code, _, err) = run(&["no-port-here"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = run(&["8.8.8.8:993", "--config", "/nonexistent.toml"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("/nonexistent.toml"), "{err}");

    // The same policy code as the server, configured from a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relay.toml");
    std::fs::write(&file, "[egress]\nallow_cidrs = [\"127.0.0.0/8\"]\n").unwrap();
    let (code, out, _) = run(&["127.0.0.1:993", "--config", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    std::fs::write(&file, "[egress]\nallow_cidrz = []\n").unwrap();
    let (code, _, err) = run(&["127.0.0.1:993", "--config", file.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("allow_cidrz"), "{err}");
}

/// A relay refusing a server tells the browser the name it was given and that the policy does
/// not allow it: never what the name resolved to, which would map the operator's network for
/// a stranger (that stays in the log and in `egress-check`).
#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_on_the_socket_names_no_resolved_address() {
    use inbox_doctor::config::Config;
    use inbox_doctor_errors::{
        DiagnosisRequest, ErrorCode, Secret, Security, ServerMessage, ServerSettings,
    };
    use inbox_doctor_tests::discovery::DnsServer;
    use inbox_doctor_tests::relay::Relay;

    let dns = DnsServer::start(&[(
        "inbox-doctor.test",
        "intranet IN A 10.1.2.3\nloop IN A 127.0.0.1\nmapped IN AAAA ::ffff:169.254.169.254\n",
    )]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.engine.resolver = Some(dns.addr);
    config.domains.database = format!("sqlite://{}", dir.path().join("d.db").display());
    let relay = Relay::start(config).await;
    for (name, address) in [
        ("intranet.inbox-doctor.test", "10.1.2.3"),
        ("loop.inbox-doctor.test", "127.0.0.1"),
        ("mapped.inbox-doctor.test", "169.254.169.254"),
    ] {
        let server = |port| ServerSettings {
            host: name.into(),
            port,
            security: Security::Auto,
        };
        let mut request = DiagnosisRequest::new(
            "jo@inbox-doctor.test",
            Secret::new("secret"),
            server(993),
            server(587),
        );
        request.send = false;
        request.session_target = 1;
        let messages = relay.diagnose(&request).await;
        let Some(ServerMessage::Error(e)) = messages.last() else {
            panic!("{name}: not refused: {messages:?}");
        };
        assert_eq!(e.code, ErrorCode::EgressRefused, "{name}: {e:?}");
        assert_eq!(
            e.message,
            format!("{name}: this server is not allowed by this relay's policy")
        );
        let everything = format!("{messages:?}");
        for leak in [address, "private", "loopback", "metadata"] {
            assert!(!everything.contains(leak), "{name}: {leak} in {everything}");
        }
    }
    relay.stop().await;
}
