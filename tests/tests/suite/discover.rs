//! Settings discovery against a real DNS server (NSD), a real HTTPS server (nginx) for
//! autoconfig, and the harness's real Dovecot as the servers probed.

use std::time::Instant;

use inbox_doctor_tests::discovery::{DnsServer, Reply, WebServer};
use inbox_doctor_tests::{check, discover, Harness, EMAIL, PASSWORD};
use serde_json::Value;

/// `inbox-doctor discover ADDR --json` through `dns`, trusting the harness CA.
fn discover_json(address: &str, dns: &DnsServer, h: &Harness) -> (i32, Value) {
    let run = discover(&[
        address,
        "--json",
        "--resolver",
        &dns.resolver_arg(),
        "--ca-file",
        h.certs.ca.to_str().unwrap(),
    ]);
    let value = run.report.clone().unwrap_or_else(|| {
        panic!(
            "no JSON (exit {}):\n{}\n{}",
            run.status, run.stdout, run.stderr
        )
    });
    (run.status, value)
}

fn source<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {d:#}"))
}

/// Every candidate besides the best two.
fn candidates(d: &Value) -> impl Iterator<Item = &Value> {
    d["candidates"].as_array().into_iter().flatten()
}

fn notes(s: &Value) -> String {
    s["notes"]
        .as_array()
        .map(|n| {
            n.iter()
                .map(|x| x.as_str().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// SRV records for the harness's Dovecot: implicit TLS for IMAP (plain IMAP "not offered"),
/// both submission ports for SMTP.
fn srv_zone(h: &Harness) -> String {
    format!(
        "imap IN A 127.0.0.1\nsmtp IN A 127.0.0.1\n\
         _imaps._tcp IN SRV 0 1 {} imap\n_imap._tcp IN SRV 0 0 0 .\n\
         _submission._tcp IN SRV 0 1 {} smtp\n_submissions._tcp IN SRV 10 1 {} smtp\n",
        h.dovecot.imaps, h.dovecot.submission, h.dovecot.submissions
    )
}

#[test]
fn srv_records_name_both_servers_and_probing_confirms_them() {
    let h = Harness::start();
    let dns = DnsServer::start(&[("inbox-doctor.test", &srv_zone(&h))]);
    let (status, d) = discover_json(EMAIL, &dns, &h);
    assert_eq!(status, 0, "{d:#}");

    let imap = &d["imap"];
    assert_eq!(imap["host"], "imap.inbox-doctor.test", "{d:#}");
    assert_eq!(imap["port"], h.dovecot.imaps);
    assert_eq!(imap["security"], "tls");
    assert_eq!(imap["outcome"], "confirmed", "{d:#}");
    assert_eq!(imap["sources"], serde_json::json!(["srv"]));
    assert!(imap["detail"].as_str().unwrap().contains("* OK"), "{imap}");

    // Implicit TLS ranks above STARTTLS, though its SRV priority is lower.
    let smtp = &d["smtp"];
    assert_eq!(smtp["port"], h.dovecot.submissions, "{d:#}");
    assert_eq!(smtp["security"], "tls");
    assert_eq!(smtp["outcome"], "confirmed");
    let starttls = candidates(&d)
        .find(|c| c["port"] == h.dovecot.submission)
        .expect("the STARTTLS candidate");
    assert_eq!(starttls["outcome"], "confirmed");
    assert_eq!(starttls["security"], "starttls");

    let srv = source(&d, "srv");
    assert_eq!(srv["status"], "found");
    assert!(
        notes(srv).contains("_imap._tcp.inbox-doctor.test: service not offered"),
        "{srv}"
    );
    // Guessed names that exist but have nothing listening are rejected with the reason.
    let guess = candidates(&d)
        .find(|c| c["host"] == "imap.inbox-doctor.test" && c["port"] == 993)
        .expect("the imap.<domain>:993 guess");
    assert_eq!(guess["outcome"], "refused", "{guess}");
    assert_eq!(source(&d, "autoconfig")["status"], "empty");
    assert_eq!(source(&d, "mx")["status"], "empty");
}

#[test]
fn check_without_servers_uses_the_discovered_ones() {
    let h = Harness::start();
    let dns = DnsServer::start(&[("inbox-doctor.test", &srv_zone(&h))]);
    let run = check(
        &[
            "--email",
            EMAIL,
            "--resolver",
            &dns.resolver_arg(),
            "--ca-file",
            h.certs.ca.to_str().unwrap(),
            "--no-send",
            "--json",
        ],
        PASSWORD,
        None,
    );
    let report = run.report();
    assert_eq!(report["outcome"], "passed", "{report:#}\n{}", run.stderr);
    assert_eq!(report["imap"]["host"], "imap.inbox-doctor.test");
    assert_eq!(report["imap"]["port"], h.dovecot.imaps);
    assert_eq!(report["smtp"]["port"], h.dovecot.submissions);
    // Standard output stays one JSON document; what was discovered goes to standard error.
    assert!(
        run.stderr
            .contains("IMAP discovered: imap.inbox-doctor.test"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_autoconfig_document_is_fetched_over_https_and_confirmed() {
    let h = Harness::start();
    let xml = format!(
        r#"<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="inbox-doctor.test">
  <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>{}</port>
    <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.inbox-doctor.test</hostname><port>{}</port>
    <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"#,
        h.dovecot.imaps, h.dovecot.submission
    );
    // The well-known location redirects to the autoconfig host: the redirect is followed.
    let web = WebServer::start(
        &h.certs,
        &[
            (
                "autoconfig.inbox-doctor.test",
                "/mail/config-v1.1.xml",
                Reply::File(xml.as_bytes()),
            ),
            (
                "inbox-doctor.test",
                "/.well-known/autoconfig/mail/config-v1.1.xml",
                Reply::Redirect("https://autoconfig.inbox-doctor.test/mail/config-v1.1.xml"),
            ),
        ],
    );
    let zone = format!(
        "@ IN A {ip}\nautoconfig IN A {ip}\nimap IN A 127.0.0.1\nsmtp IN A 127.0.0.1\n",
        ip = web.ip
    );
    let dns = DnsServer::start(&[("inbox-doctor.test", &zone)]);
    let (status, d) = discover_json(EMAIL, &dns, &h);
    assert_eq!(status, 0, "{d:#}");
    assert_eq!(d["imap"]["port"], h.dovecot.imaps, "{d:#}");
    assert_eq!(d["imap"]["sources"], serde_json::json!(["autoconfig"]));
    assert_eq!(d["imap"]["outcome"], "confirmed");
    assert_eq!(d["smtp"]["port"], h.dovecot.submission);
    assert_eq!(d["smtp"]["security"], "starttls");
    assert_eq!(d["smtp"]["outcome"], "confirmed");
    let auto = source(&d, "autoconfig");
    assert_eq!(auto["status"], "found");
    // Both locations gave the document (one through its redirect).
    assert_eq!(notes(auto).matches("2 servers").count(), 2, "{auto}");
    // The login name is the address itself, so none is suggested.
    assert!(d.get("username").is_none(), "{d:#}");
}

#[test]
fn hostile_or_broken_sources_give_clear_results() {
    let h = Harness::start();
    let huge = format!("<clientConfig>{}</clientConfig>", " ".repeat(300_000));
    let slow = format!(
        "<clientConfig><emailProvider>{}</emailProvider></clientConfig>",
        "<!-- padding -->".repeat(200)
    );
    let web = WebServer::start(
        &h.certs,
        &[
            (
                "autoconfig.malformed.test",
                "/mail/config-v1.1.xml",
                Reply::File(b"<clientConfig><emailProvider><incomingServer type=\"imap\">"),
            ),
            (
                "autoconfig.huge.test",
                "/mail/config-v1.1.xml",
                Reply::File(huge.as_bytes()),
            ),
            (
                "autoconfig.slow.test",
                "/mail/config-v1.1.xml",
                Reply::Slow(slow.as_bytes(), 100),
            ),
            (
                "autoconfig.loop.test",
                "/mail/config-v1.1.xml",
                Reply::Redirect("https://loop.test/.well-known/autoconfig/mail/config-v1.1.xml"),
            ),
            (
                "loop.test",
                "/.well-known/autoconfig/mail/config-v1.1.xml",
                Reply::Redirect("https://autoconfig.loop.test/mail/config-v1.1.xml"),
            ),
        ],
    );
    let web_zone = format!("autoconfig IN A {}\n", web.ip);
    let loop_zone = format!(
        "@ IN A {ip}\nautoconfig IN A {ip}\n_imaps._tcp IN CNAME _imap._tcp\n_imap._tcp IN CNAME _imaps._tcp\n",
        ip = web.ip
    );
    let nothing = "_imaps._tcp IN SRV 0 0 0 .\n_imap._tcp IN SRV 0 0 0 .\n\
                   _submissions._tcp IN SRV 0 0 0 .\n_submission._tcp IN SRV 0 0 0 .\n";
    let dns = DnsServer::start(&[
        ("malformed.test", &web_zone),
        ("huge.test", &web_zone),
        ("slow.test", &web_zone),
        ("loop.test", &loop_zone),
        ("nothing.test", nothing),
    ]);

    // All five at once, as separate commands.
    let results: Vec<(String, i32, Value, u128)> = std::thread::scope(|s| {
        let handles: Vec<_> = ["malformed", "huge", "slow", "loop", "nothing"]
            .iter()
            .map(|name| {
                let (dns, h) = (&dns, &h);
                s.spawn(move || {
                    let started = Instant::now();
                    let (status, d) = discover_json(&format!("jo@{name}.test"), dns, h);
                    (name.to_string(), status, d, started.elapsed().as_millis())
                })
            })
            .collect();
        handles.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let get = |name: &str| {
        results
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, status, d, ms)| (*status, d, *ms))
            .unwrap()
    };

    for name in ["malformed", "huge", "slow", "loop", "nothing"] {
        let (status, d, _) = get(name);
        // Nothing usable anywhere: the command says so with exit status 1, not a crash.
        assert_eq!(status, 1, "{name}: {d:#}");
        assert!(d["imap"].is_null() && d["smtp"].is_null(), "{name}: {d:#}");
    }

    let (_, d, _) = get("malformed");
    let auto = source(d, "autoconfig");
    assert_eq!(auto["status"], "invalid", "{auto}");
    assert!(notes(auto).contains("not well-formed XML"), "{auto}");

    let (_, d, _) = get("huge");
    let auto = source(d, "autoconfig");
    assert_eq!(auto["status"], "invalid", "{auto}");
    assert!(notes(auto).contains("larger than 65536 bytes"), "{auto}");

    // The slow server is cut off at the lookup deadline; discovery does not wait for it.
    let (_, d, ms) = get("slow");
    let auto = source(d, "autoconfig");
    assert_eq!(auto["status"], "timed_out", "{auto}");
    assert!(ms < 20_000, "the slow source held discovery for {ms} ms");

    let (_, d, _) = get("loop");
    let auto = source(d, "autoconfig");
    assert_eq!(auto["status"], "invalid", "{auto}");
    assert!(
        notes(auto).contains("redirect not followed: a loop"),
        "{auto}"
    );
    let srv = source(d, "srv");
    assert!(notes(srv).contains("CNAME loop"), "{srv}");

    let (_, d, _) = get("nothing");
    let srv = source(d, "srv");
    assert_eq!(srv["status"], "not_offered", "{srv}");
    assert_eq!(
        notes(srv).matches("service not offered").count(),
        4,
        "{srv}"
    );
}

#[test]
fn custom_domains_are_recognised_by_their_mx_hosts() {
    let h = Harness::start();
    let dns = DnsServer::start(&[(
        "inbox-doctor.test",
        "@ IN MX 0 inbox-doctor-test.mail.protection.outlook.com.\n",
    )]);
    let (_, d) = discover_json(EMAIL, &dns, &h);
    let provider = &d["provider"];
    assert_eq!(provider["id"], "microsoft365", "{d:#}");
    assert_eq!(provider["matched_by"], "mx");
    assert_eq!(provider["oauth_only"], true);
    assert_eq!(provider["admin_note"], "m365_smtp_auth");
    assert_eq!(source(&d, "mx")["status"], "found");
    // The provider's servers are candidates from the MX source (they cannot be reached from
    // the test's DNS, which knows only its own zone).
    assert!(
        candidates(&d).any(|c| c["host"] == "outlook.office365.com" && c["sources"][0] == "mx"),
        "{d:#}"
    );
}

#[test]
fn offline_discovery_uses_no_network_at_all() {
    // A resolver address where nothing answers: any lookup would wait for its timeout.
    let started = Instant::now();
    let run = discover(&[
        "someone@gmail.com",
        "--offline",
        "--json",
        "--resolver",
        "127.0.0.1:9",
    ]);
    let d = run.report.clone().expect("json");
    assert!(
        started.elapsed().as_secs() < 3,
        "offline took {:?}",
        started.elapsed()
    );
    assert_eq!(run.status, 0, "{d:#}");
    assert_eq!(d["offline"], true);
    assert_eq!(d["imap"]["host"], "imap.gmail.com");
    assert_eq!(d["imap"]["outcome"], "not_probed");
    assert_eq!(d["provider"]["app_password"], "always");
    assert!(d["provider"]["app_password_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    // Without --config no database is consulted either.
    for s in ["stored", "srv", "autoconfig", "mx", "guess"] {
        assert_eq!(source(&d, s)["status"], "skipped", "{s}");
    }

    // Bad input is a usage error, not a crash.
    let bad = discover(&["not-an-address", "--offline"]);
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("not an email address"),
        "{}",
        bad.stderr
    );
}

#[test]
fn text_output_names_sources_and_rejected_candidates() {
    let h = Harness::start();
    let dns = DnsServer::start(&[("inbox-doctor.test", &srv_zone(&h))]);
    let run = discover(&[
        EMAIL,
        "--resolver",
        &dns.resolver_arg(),
        "--ca-file",
        h.certs.ca.to_str().unwrap(),
    ]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains(&format!(
            "IMAP: imap.inbox-doctor.test:{} tls  confirmed  (srv)",
            h.dovecot.imaps
        )),
        "{out}"
    );
    assert!(
        out.contains("Sources:") && out.contains("service not offered"),
        "{out}"
    );
    assert!(
        out.contains("imap.inbox-doctor.test:993 tls  refused  (guess)"),
        "{out}"
    );
}

#[test]
fn a_settings_failure_names_the_alternative_that_answers() {
    let h = Harness::start();
    let dns = DnsServer::start(&[("inbox-doctor.test", "")]);
    let imap = format!("127.0.0.1:{}", h.dovecot.imaps);
    let smtp = format!("127.0.0.1:{}", h.dovecot.submission);
    let run = |lang: &str| {
        check(
            &[
                "--email",
                EMAIL,
                "--imap",
                &imap,
                "--imap-security",
                "starttls",
                "--smtp",
                &smtp,
                "--no-send",
                "--timeout",
                "2",
                "--lang",
                lang,
                "--resolver",
                &dns.resolver_arg(),
                "--ca-file",
                h.certs.ca.to_str().unwrap(),
                "--json",
            ],
            PASSWORD,
            None,
        )
    };
    let en = run("en");
    let failure = &en.report()["failure"];
    assert_eq!(
        failure["category"], "imap_settings_incorrect",
        "{failure:#}"
    );
    let alt = &failure["alternative"];
    assert_eq!(alt["port"], h.dovecot.imaps, "{failure:#}");
    assert_eq!(alt["security"], "tls");
    assert_eq!(alt["outcome"], "confirmed");
    assert_eq!(alt["sources"], serde_json::json!(["entered"]));
    assert_eq!(failure["entered"]["security"], "starttls");
    let port = h.dovecot.imaps;
    assert_eq!(
        failure["remediation"][0],
        format!(
            "Port {port} on 127.0.0.1 answers with implicit TLS; you entered port {port} with STARTTLS. Use those settings."
        ),
        "{failure:#}"
    );
    let de = run("de");
    let first = de.report()["failure"]["remediation"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first.contains("antwortet mit direktem TLS"), "{first}");
}

#[test]
fn login_failures_carry_what_the_provider_asks_for() {
    let h = Harness::start();
    let imap = format!("127.0.0.1:{}", h.dovecot.imaps);
    let smtp = format!("127.0.0.1:{}", h.dovecot.submission);
    let login = |email: &str, resolver: &str| {
        check(
            &[
                "--email",
                email,
                "--imap",
                &imap,
                "--imap-security",
                "tls",
                "--smtp",
                &smtp,
                "--no-send",
                "--resolver",
                resolver,
                "--ca-file",
                h.certs.ca.to_str().unwrap(),
                "--json",
            ],
            "not-the-password",
            None,
        )
    };

    // Recognised by the address's domain: no lookup needed.
    let gmail = login("someone@gmail.com", "127.0.0.1:9");
    let failure = &gmail.report()["failure"];
    assert_eq!(failure["provider"]["id"], "gmail", "{failure:#}");
    let advice = failure["remediation"][0].as_str().unwrap();
    assert!(
        advice.contains("app password")
            && advice.contains("https://myaccount.google.com/apppasswords"),
        "{advice}"
    );

    // Recognised by MX: the SMTP failure names the Microsoft 365 admin setting.
    let dns = DnsServer::start(&[(
        "inbox-doctor.test",
        "@ IN MX 0 inbox-doctor-test.mail.protection.outlook.com.\n",
    )]);
    let m365 = login(EMAIL, &dns.resolver_arg());
    let failures = m365.report()["failures"].as_array().unwrap().clone();
    let smtp_failure = failures
        .iter()
        .find(|f| f["step"] == "smtp.login")
        .unwrap_or_else(|| panic!("no SMTP login failure: {failures:#?}"));
    assert_eq!(smtp_failure["provider"]["matched_by"], "mx");
    let words = smtp_failure["remediation"].to_string();
    assert!(
        words.contains("authenticated SMTP for this mailbox"),
        "{words}"
    );
    assert!(words.contains("OAuth"), "{words}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_discovers_with_stored_settings_first_and_its_egress_policy() {
    use inbox_doctor_tests::relay::{config_for, http, http_get, Relay, ADMIN_TOKEN};

    let h = Harness::start();
    let dns = DnsServer::start(&[("inbox-doctor.test", &srv_zone(&h))]);
    let mut config = config_for(&h);
    config.engine.resolver = Some(dns.addr);
    let relay = Relay::start(config).await;

    // An administrator stores STARTTLS settings; the domain's SRV records say implicit TLS.
    let stored = format!(
        r#"{{"imap":{{"host":"127.0.0.1","port":{},"security":"starttls"}},
             "smtp":{{"host":"127.0.0.1","port":{},"security":"starttls"}}}}"#,
        h.dovecot.imap, h.dovecot.submission
    );
    let put = ureq::put(&relay.url("/api/domains/inbox-doctor.test"))
        .set("Authorization", &format!("Bearer {ADMIN_TOKEN}"));
    assert_eq!(http(put, Some(stored)).await.0, 200);

    let (status, text) = http_get(&relay.url(&format!("/api/discover?email={EMAIL}"))).await;
    assert_eq!(status, 200, "{text}");
    let d: Value = serde_json::from_str(&text).unwrap();
    // Both confirmed: the stored settings take precedence.
    assert_eq!(d["imap"]["port"], h.dovecot.imap, "{d:#}");
    assert_eq!(d["imap"]["sources"], serde_json::json!(["stored"]));
    assert_eq!(d["imap"]["outcome"], "confirmed");
    assert_eq!(d["smtp"]["port"], h.dovecot.submission);
    assert!(
        candidates(&d).any(|c| c["port"] == h.dovecot.imaps && c["outcome"] == "confirmed"),
        "{d:#}"
    );
    assert_eq!(source(&d, "stored")["status"], "found");

    let (status, text) = http_get(&relay.url("/api/discover?email=nope")).await;
    assert_eq!(status, 400);
    assert!(text.contains("invalid_address"), "{text}");
    relay.stop().await;

    // Without loopback in its egress policy, the relay probes none of these servers.
    let mut strict = config_for(&h);
    strict.egress.allow_cidrs.clear();
    strict.engine.resolver = Some(dns.addr);
    let relay = Relay::start(strict).await;
    let (status, text) = http_get(&relay.url(&format!("/api/discover?email={EMAIL}"))).await;
    assert_eq!(status, 200, "{text}");
    let d: Value = serde_json::from_str(&text).unwrap();
    assert!(d["imap"].is_null() && d["smtp"].is_null(), "{d:#}");
    let srv_candidate = candidates(&d)
        .find(|c| c["port"] == h.dovecot.imaps)
        .expect("the SRV candidate");
    assert_eq!(
        srv_candidate["outcome"], "egress_refused",
        "{srv_candidate}"
    );
    relay.stop().await;
}

#[test]
fn the_command_reads_stored_settings_from_the_relay_database() {
    let h = Harness::start();
    let dns = DnsServer::start(&[("inbox-doctor.test", &srv_zone(&h))]);
    let config = h.dir.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "[domains]\ndatabase = \"sqlite://{}\"\n",
            h.dir.path().join("domains.db").display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let set = std::process::Command::new(inbox_doctor_tests::cli::binary())
        .args([
            "domains",
            "--config",
            config,
            "set",
            "inbox-doctor.test",
            "--force",
        ])
        .args(["--imap", &format!("127.0.0.1:{}", h.dovecot.imap)])
        .args(["--imap-security", "starttls"])
        .args(["--smtp", &format!("127.0.0.1:{}", h.dovecot.submission)])
        .args(["--smtp-security", "starttls"])
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );

    let run = discover(&[
        EMAIL,
        "--json",
        "--config",
        config,
        "--resolver",
        &dns.resolver_arg(),
        "--ca-file",
        h.certs.ca.to_str().unwrap(),
    ]);
    let d = run
        .report
        .clone()
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(source(&d, "stored")["status"], "found");
    // Confirmed like the SRV candidates, and stored: it wins.
    assert_eq!(d["imap"]["port"], h.dovecot.imap, "{d:#}");
    assert_eq!(d["imap"]["sources"], serde_json::json!(["stored"]));
    assert_eq!(d["imap"]["outcome"], "confirmed");
}

/// An autoconfig document for `domain` naming `count` IMAP servers, `s0.{domain}`…, all on
/// `port` with implicit TLS.
fn many_servers(domain: &str, count: usize, port: u16) -> String {
    let servers: String = (0..count)
        .map(|n| {
            format!(
                "<incomingServer type=\"imap\"><hostname>s{n}.{domain}</hostname><port>{port}</port>\
                 <socketType>SSL</socketType></incomingServer>"
            )
        })
        .collect();
    format!("<clientConfig version=\"1.1\"><emailProvider id=\"{domain}\">{servers}</emailProvider></clientConfig>")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_document_naming_500_servers_gets_8_probes_and_a_repeat_gets_none() {
    use inbox_doctor::discover::caps::{MAX_PER_SOURCE, MAX_PROBES_IN_FLIGHT};
    use inbox_doctor_tests::net::Counter;
    use inbox_doctor_tests::relay::{config_for, http_get, Relay};

    let h = Harness::start();
    // Every server the document names is this listener: it counts the probes that reach it,
    // holding each a moment so that probes running at once overlap.
    let counter = Counter::start(std::time::Duration::from_millis(300));
    let xml = many_servers("many.test", 500, counter.addr.port());
    let web = WebServer::start(
        &h.certs,
        &[(
            "autoconfig.many.test",
            "/mail/config-v1.1.xml",
            Reply::File(xml.as_bytes()),
        )],
    );
    let zone = format!("* IN A 127.0.0.1\nautoconfig IN A {}\n", web.ip);
    let dns = DnsServer::start(&[("many.test", &zone)]);
    let mut config = config_for(&h);
    config.engine.resolver = Some(dns.addr);
    config.egress.ports.push(counter.addr.port());
    let relay = Relay::start_with_public_autoconfig(config, &[web.ip]).await;

    let (status, text) = http_get(&relay.url("/api/discover?email=jo@many.test")).await;
    assert_eq!(status, 200, "{text}");
    let d: Value = serde_json::from_str(&text).unwrap();
    let auto = source(&d, "autoconfig");
    assert_eq!(auto["status"], "found", "{auto}");
    assert!(
        notes(auto).contains("named 500 servers; only the first 8 were probed"),
        "{auto}"
    );
    assert_eq!(counter.accepted(), MAX_PER_SOURCE, "{d:#}");
    assert!(
        counter.most_at_once() <= MAX_PROBES_IN_FLIGHT,
        "{} probes at once",
        counter.most_at_once()
    );
    let from_document = candidates(&d)
        .filter(|c| c["port"] == counter.addr.port())
        .count();
    assert_eq!(from_document, MAX_PER_SOURCE, "{d:#}");

    // The same domain again, for another address, within the cache's time: nothing is probed,
    // and the answer is the same.
    let (status, text) = http_get(&relay.url("/api/discover?email=ola@many.test")).await;
    assert_eq!(status, 200, "{text}");
    let again: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(counter.accepted(), MAX_PER_SOURCE, "{again:#}");
    assert_eq!(again["email"], "ola@many.test");
    assert_eq!(again["candidates"], d["candidates"]);
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_autoconfig_redirect_into_the_relays_network_is_not_followed() {
    use inbox_doctor_tests::net::Counter;
    use inbox_doctor_tests::relay::{config_for, http_get, Relay};

    let h = Harness::start();
    let counter = Counter::start(std::time::Duration::from_millis(10));
    // The stranger's document server (treated as public) redirects to an intranet server
    // whose document names a server only the intranet knows.
    let web = WebServer::start(
        &h.certs,
        &[(
            "autoconfig.redirect.test",
            "/mail/config-v1.1.xml",
            Reply::Redirect("https://intranet.redirect.test/mail/config-v1.1.xml"),
        )],
    );
    let secret = many_servers("secret.redirect.test", 1, counter.addr.port());
    let intranet = WebServer::start(
        &h.certs,
        &[(
            "intranet.redirect.test",
            "/mail/config-v1.1.xml",
            Reply::File(secret.as_bytes()),
        )],
    );
    let zone = format!(
        "autoconfig IN A {}\nintranet IN A {}\ns0.secret IN A 127.0.0.1\n",
        web.ip, intranet.ip
    );
    let dns = DnsServer::start(&[("redirect.test", &zone)]);

    // Without a policy (the command on the user's machine) the redirect is followed: the
    // intranet document is there to be read.
    let (_, d) = discover_json("jo@redirect.test", &dns, &h);
    assert!(
        candidates(&d)
            .chain([&d["imap"]])
            .any(|c| c["host"] == "s0.secret.redirect.test"),
        "{d:#}"
    );
    let probes_by_the_command = counter.accepted();

    // The relay allows loopback for mail servers; its autoconfig fetches still go to public
    // addresses only, on every redirect.
    let mut config = config_for(&h);
    config.engine.resolver = Some(dns.addr);
    config.egress.ports.push(counter.addr.port());
    let relay = Relay::start_with_public_autoconfig(config.clone(), &[web.ip]).await;
    let (status, text) = http_get(&relay.url("/api/discover?email=jo@redirect.test")).await;
    assert_eq!(status, 200, "{text}");
    let d: Value = serde_json::from_str(&text).unwrap();
    let auto = source(&d, "autoconfig");
    assert_eq!(auto["status"], "failed", "{auto}");
    assert!(
        notes(auto)
            .contains("intranet.redirect.test: this server is not allowed by this relay's policy"),
        "{auto}"
    );
    assert!(!text.contains(&intranet.ip.to_string()), "{text}");
    assert!(!text.contains("s0.secret"), "{text}");
    assert_eq!(counter.accepted(), probes_by_the_command);
    relay.stop().await;

    // Nor is the first URL fetched from loopback when nothing says it is public.
    let relay = Relay::start(config).await;
    let (_, text) = http_get(&relay.url("/api/discover?email=jo@redirect.test")).await;
    let d: Value = serde_json::from_str(&text).unwrap();
    let auto = source(&d, "autoconfig");
    assert!(
        notes(auto).contains("autoconfig.redirect.test: this server is not allowed"),
        "{auto}"
    );
    assert!(!text.contains(&web.ip.to_string()), "{text}");
    relay.stop().await;
}
