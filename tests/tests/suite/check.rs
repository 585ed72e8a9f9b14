//! `inbox-doctor check --json` end to end against real Dovecot and Postfix (and, for replies
//! only big providers send, a scripted server). Each test starts its own servers.

use base64::Engine as _;
use inbox_doctor_tests::mail::{BOB, BOB_PASSWORD, DAVE, DAVE_PASSWORD};
use inbox_doctor_tests::net::{free_port, BlackHole};
use inbox_doctor_tests::scripted::Scripted;
use inbox_doctor_tests::{check, check_with, CheckRun, Harness, EMAIL, PASSWORD};

fn at(ip: &str, port: u16) -> String {
    format!("{ip}:{port}")
}

/// Arguments for the good mailbox: IMAPS on `imap_ip`, submission with STARTTLS.
fn good_args(h: &Harness, imap_ip: &str) -> Vec<String> {
    [
        "--email",
        EMAIL,
        "--imap",
        &at(imap_ip, h.dovecot.imaps),
        "--imap-security",
        "tls",
        "--smtp",
        &at("127.0.0.1", h.dovecot.submission),
        "--smtp-security",
        "starttls",
        "--ca-file",
        h.ca(),
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run(args: &[String], password: &str) -> CheckRun {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&args, password, None)
}

fn with(mut args: Vec<String>, extra: &[&str]) -> Vec<String> {
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Replaces the value of `flag`.
fn set(mut args: Vec<String>, flag: &str, value: &str) -> Vec<String> {
    let i = args.iter().position(|a| a == flag).expect("flag present");
    args[i + 1] = value.to_owned();
    args
}

/// Points one side (`imap` or `smtp`) at `addr` with `security`.
fn server(args: Vec<String>, side: &str, addr: &str, security: &str) -> Vec<String> {
    let args = set(args, &format!("--{side}"), addr);
    set(args, &format!("--{side}-security"), security)
}

/// Alice's mailbox, with Bob's login for SMTP.
fn two_logins(args: &[&str]) -> CheckRun {
    let mut args = args.to_vec();
    args.extend(["--password-env", "IDR_ALICE"]);
    check_with(
        &args,
        &[("IDR_ALICE", PASSWORD), ("IDR_BOB", BOB_PASSWORD)],
        None,
    )
}

fn expect_failure(run: &CheckRun, category: &str, cause: &str) {
    assert_eq!(
        run.diagnosis(),
        (category.to_owned(), cause.to_owned()),
        "report:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.status, 1, "a diagnosed failure exits 1");
    assert_eq!(run.report()["outcome"], "failed");
}

#[test]
fn a_good_mailbox_passes_every_step_and_the_test_email_arrives() {
    let h = Harness::start();
    let r = run(
        &with(good_args(&h, "127.0.0.1"), &["--roundtrip"]),
        PASSWORD,
    );
    assert_eq!(r.status, 0, "{}\n{}\n{}", r.stdout, r.stderr, h.logs());
    let report = r.report();
    assert_eq!(report["outcome"], "passed");
    assert!(report["failure"].is_null());
    for step in [
        "resolve",
        "imap.connect",
        "imap.tls",
        "imap.login",
        "imap.validate",
        "smtp.connect",
        "smtp.tls",
        "smtp.login",
        "smtp.send",
        "roundtrip",
    ] {
        assert_eq!(r.step_status(step), "passed", "{step}: {}", r.stdout);
    }
    let imap_tls = &report["tls"]["imap"];
    assert_eq!(imap_tls["verdict"], "trusted");
    assert_eq!(imap_tls["version"], "TLSv1.3");
    assert!(imap_tls["cipher_suite"]
        .as_str()
        .unwrap()
        .starts_with("TLS13_"));
    let leaf = &imap_tls["chain"][0];
    assert!(leaf["subject"].as_str().unwrap().contains("localhost"));
    assert!(leaf["issuer"]
        .as_str()
        .unwrap()
        .contains("Inbox Doctor Test CA"));
    assert!(leaf["sans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "127.0.0.1"));
    assert_eq!(leaf["key"], "EC P-256");
    assert_eq!(report["tls"]["smtp"]["mode"], "starttls");
    let v = &report["validation"];
    assert_eq!(v["sent_folder"], "Sent");
    assert_eq!(v["sent_found_by"], "special_use");
    assert_eq!(v["inbox_selectable"], true);
    assert!(v["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "IDLE"));
    assert_eq!(v["sessions"]["allowed"], 5);
    assert_eq!(v["sessions"]["target"], 5);
    let delivery = &report["delivery"];
    assert!(delivery["message_id"]
        .as_str()
        .unwrap()
        .starts_with("<inbox-doctor."));
    assert!(delivery["delivered_after_ms"].as_u64().is_some());
    let sources = report["source_addresses"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    assert!(sources
        .iter()
        .all(|s| s["local"].as_str().unwrap().starts_with("127.0.0.1:")));
    let transcript = report["transcript"].as_array().unwrap();
    assert!(transcript.iter().any(|l| l["text"]
        .as_str()
        .unwrap()
        .contains("LOGIN \"alice@inbox-doctor.test\" [redacted]")));
    assert!(transcript
        .iter()
        .any(|l| l["text"] == "AUTH PLAIN [redacted]"));
    assert!(transcript
        .iter()
        .any(|l| l["side"] == "smtp" && l["dir"] == "server"));
}

#[test]
fn starttls_for_imap_and_implicit_tls_for_smtp() {
    let h = Harness::start();
    let args = good_args(&h, "127.0.0.1");
    let args = set(args, "--imap", &at("127.0.0.1", h.dovecot.imap));
    let args = set(args, "--imap-security", "starttls");
    let args = set(args, "--smtp", &at("127.0.0.1", h.dovecot.submissions));
    let args = set(args, "--smtp-security", "tls");
    let r = run(&args, PASSWORD);
    assert_eq!(r.status, 0, "{}", r.stdout);
    assert_eq!(r.report()["tls"]["imap"]["mode"], "starttls");
    assert_eq!(r.report()["tls"]["smtp"]["mode"], "tls");
    assert_eq!(r.report()["tls"]["smtp"]["verdict"], "trusted");
    // Dovecot on loopback offers AUTH=PLAIN before STARTTLS: worth a warning, not a failure.
    assert!(
        r.warning_causes()
            .contains(&"auth_offered_before_tls".to_owned()),
        "{:?}",
        r.warning_causes()
    );
}

#[test]
fn a_wrong_password_is_unauthorized_with_the_servers_words() {
    let h = Harness::start();
    let r = run(&good_args(&h, "127.0.0.1"), "not-the-password");
    expect_failure(&r, "unauthorized", "invalid_credentials");
    let failure = &r.report()["failure"];
    assert_eq!(failure["step"], "imap.login");
    assert!(failure["server_reply"]
        .as_str()
        .unwrap()
        .contains("[AUTHENTICATIONFAILED]"));
    assert!(!failure["remediation"].as_array().unwrap().is_empty());
    // The SMTP branch ran too, and failed the same way.
    let smtp = r.report()["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["step"] == "smtp.login")
        .expect("an SMTP failure")
        .clone();
    assert_eq!(smtp["category"], "unauthorized");
    assert!(smtp["server_reply"]
        .as_str()
        .unwrap()
        .starts_with("535 5.7.8"));
    assert_eq!(r.step_status("imap.validate"), "skipped");
    assert_eq!(r.step_status("smtp.send"), "skipped");
}

fn cert_case(ip: &str, with_ca: bool, cause: &str, verdict: &str) {
    let h = Harness::start();
    let mut args = with(good_args(&h, ip), &["--no-send"]);
    if !with_ca {
        let i = args.iter().position(|a| a == "--ca-file").unwrap();
        args.drain(i..i + 2);
    }
    let r = run(&args, PASSWORD);
    expect_failure(&r, "unauthorized_untrusted_certificate", cause);
    assert_eq!(r.report()["failure"]["step"], "imap.tls");
    let tls = &r.report()["tls"]["imap"];
    assert_eq!(tls["verdict"], verdict);
    assert!(
        !tls["chain"].as_array().unwrap().is_empty(),
        "the chain is reported"
    );
    assert!(tls["verdict_detail"].as_str().is_some());
}

#[test]
fn a_self_signed_certificate_is_named() {
    cert_case("127.0.0.2", true, "certificate_self_signed", "self_signed");
}

#[test]
fn an_expired_certificate_is_named() {
    cert_case("127.0.0.3", true, "certificate_expired", "expired");
}

#[test]
fn a_certificate_for_another_name_is_named() {
    cert_case(
        "127.0.0.4",
        true,
        "certificate_name_mismatch",
        "name_mismatch",
    );
}

#[test]
fn a_certificate_from_an_unknown_authority_is_named() {
    cert_case(
        "127.0.0.1",
        false,
        "certificate_unknown_issuer",
        "unknown_issuer",
    );
}

#[test]
fn allow_insecure_cert_goes_on_and_still_reports_the_certificate() {
    let h = Harness::start();
    let r = run(
        &with(good_args(&h, "127.0.0.2"), &["--allow-insecure-cert"]),
        PASSWORD,
    );
    assert_eq!(r.status, 0, "{}", r.stdout);
    assert_eq!(r.report()["tls"]["imap"]["verdict"], "self_signed");
    assert_eq!(r.report()["tls"]["imap"]["insecure_allowed"], true);
    assert!(r
        .warning_causes()
        .contains(&"certificate_self_signed".to_owned()));
}

#[test]
fn a_certificate_expiring_soon_is_a_warning() {
    let h = Harness::start();
    let r = run(&good_args(&h, "127.0.0.6"), PASSWORD);
    assert_eq!(r.status, 0, "{}", r.stdout);
    assert!(
        r.warning_causes()
            .contains(&"certificate_expiring_soon".to_owned()),
        "{:?}",
        r.warning_causes()
    );
}

#[test]
fn a_closed_port_is_refused_on_both_sides() {
    let h = Harness::start();
    let closed = at("127.0.0.1", free_port());
    let args = set(good_args(&h, "127.0.0.1"), "--imap", &closed);
    let args = set(args, "--smtp", &closed);
    let r = run(&args, PASSWORD);
    expect_failure(&r, "imap_settings_incorrect", "connection_refused");
    let smtp = &r.report()["failures"][1];
    assert_eq!(smtp["category"], "smtp_settings_incorrect");
    assert_eq!(smtp["cause"], "connection_refused");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_that_never_answers_is_named_apart_from_a_closed_one() {
    let h = Harness::start();
    let hole = BlackHole::new().await;
    let args = set(good_args(&h, "127.0.0.1"), "--imap", &hole.addr.to_string());
    let args = with(args, &["--timeout", "2", "--no-send"]);
    let r = tokio::task::spawn_blocking(move || run(&args, PASSWORD))
        .await
        .unwrap();
    expect_failure(&r, "imap_settings_incorrect", "no_answer");
}

#[test]
fn a_name_that_does_not_exist_is_named() {
    let h = Harness::start();
    let args = set(
        good_args(&h, "127.0.0.1"),
        "--imap",
        "no-such-host.invalid:993",
    );
    let r = run(&args, PASSWORD);
    expect_failure(&r, "imap_settings_incorrect", "dns_name_not_found");
    assert_eq!(r.report()["failure"]["step"], "resolve");
    // SMTP has its own name and goes on.
    assert_eq!(r.step_status("smtp.send"), "passed", "{}", r.stdout);
}

#[test]
fn implicit_tls_on_a_starttls_port_is_a_mode_mismatch() {
    let h = Harness::start();
    let args = set(
        good_args(&h, "127.0.0.1"),
        "--imap",
        &at("127.0.0.1", h.dovecot.imap),
    );
    let r = run(&with(args, &["--no-send"]), PASSWORD);
    expect_failure(&r, "imap_settings_incorrect", "tls_mode_mismatch");
    assert!(r.report()["failure"]["detail"]
        .as_str()
        .unwrap()
        .contains("STARTTLS"));
}

#[test]
fn starttls_on_an_implicit_tls_port_is_a_mode_mismatch() {
    let h = Harness::start();
    let args = set(
        good_args(&h, "127.0.0.1"),
        "--smtp",
        &at("127.0.0.1", h.dovecot.submissions),
    );
    let r = run(&with(args, &["--timeout", "2"]), PASSWORD);
    expect_failure(&r, "smtp_settings_incorrect", "tls_mode_mismatch");
    assert_eq!(r.report()["failure"]["step"], "smtp.connect");
}

#[test]
fn the_wrong_protocol_on_a_port_is_named() {
    let h = Harness::start();
    let args = server(
        good_args(&h, "127.0.0.1"),
        "imap",
        &at("127.0.0.1", h.dovecot.submission),
        "starttls",
    );
    let args = set(args, "--smtp", &at("127.0.0.1", h.dovecot.imap));
    let r = run(&args, PASSWORD);
    expect_failure(&r, "imap_settings_incorrect", "not_imap_server");
    assert_eq!(r.report()["failures"][1]["cause"], "not_smtp_server");
}

#[test]
fn a_server_that_only_speaks_tls_1_0_is_named() {
    let h = Harness::start();
    let args = set(
        good_args(&h, "127.0.0.1"),
        "--imap",
        &at("127.0.0.1", h.legacy.imaps),
    );
    let args = set(args, "--smtp", &at("127.0.0.1", h.legacy.submissions));
    let args = set(args, "--smtp-security", "tls");
    let r = run(&args, PASSWORD);
    expect_failure(&r, "imap_settings_incorrect", "outdated_tls_only");
    assert_eq!(
        r.report()["tls"]["imap"]["legacy_version_accepted"],
        "TLSv1.0"
    );
    assert_eq!(
        r.report()["failures"][1]["category"],
        "smtp_settings_incorrect"
    );
    assert_eq!(r.report()["failures"][1]["cause"], "outdated_tls_only");
}

#[test]
fn a_server_that_still_accepts_tls_1_0_gets_a_warning() {
    let h = Harness::start();
    let args = set(
        good_args(&h, "127.0.0.1"),
        "--imap",
        &at("127.0.0.1", h.weak.imaps),
    );
    let r = run(&with(args, &["--no-send"]), PASSWORD);
    assert_eq!(r.status, 0, "{}", r.stdout);
    assert_eq!(r.report()["tls"]["imap"]["version"], "TLSv1.3");
    assert_eq!(
        r.report()["tls"]["imap"]["legacy_version_accepted"],
        "TLSv1.1"
    );
    assert!(
        r.warning_causes().contains(&"weak_tls_accepted".to_owned()),
        "{:?}",
        r.warning_causes()
    );
}

#[test]
fn a_sender_the_login_does_not_own_is_refused() {
    let h = Harness::start();
    let args = server(
        good_args(&h, "127.0.0.1"),
        "smtp",
        &at("127.0.0.1", h.postfix.sender_check),
        "plain",
    );
    let args = with(
        args,
        &["--smtp-username", BOB, "--smtp-password-env", "IDR_BOB"],
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = two_logins(&argv);
    let report = r.report();
    assert_eq!(
        report["failure"]["category"], "test_email_failed",
        "{report}"
    );
    assert_eq!(report["failure"]["cause"], "sender_rejected", "{report}");
    assert!(report["failure"]["server_reply"]
        .as_str()
        .unwrap()
        .contains("not owned by user"));
    assert_eq!(r.status, 1);
}

#[test]
fn a_message_refused_after_its_body_is_named() {
    let h = Harness::start();
    let args = server(
        good_args(&h, "127.0.0.1"),
        "smtp",
        &at("127.0.0.1", h.postfix.refuse_message),
        "plain",
    );
    let r = run(&args, PASSWORD);
    expect_failure(&r, "test_email_failed", "message_rejected");
    assert!(r.report()["failure"]["server_reply"]
        .as_str()
        .unwrap()
        .starts_with("554 5.6.0"));
}

#[test]
fn a_server_without_starttls_is_named() {
    let h = Harness::start();
    let args = set(
        good_args(&h, "127.0.0.1"),
        "--smtp",
        &at("127.0.0.1", h.postfix.no_starttls),
    );
    let r = run(&args, PASSWORD);
    expect_failure(&r, "smtp_settings_incorrect", "starttls_not_offered");
    assert_eq!(r.report()["failure"]["step"], "smtp.tls");
}

#[test]
fn a_refused_recipient_fails_the_test_email() {
    let h = Harness::start();
    let args = server(
        good_args(&h, "127.0.0.1"),
        "smtp",
        &at("127.0.0.1", h.postfix.refuse_recipient),
        "plain",
    );
    let r = run(&args, PASSWORD);
    expect_failure(&r, "test_email_failed", "recipient_rejected");
    let reply = r.report()["failure"]["server_reply"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        reply.starts_with("554 5.7.1") && reply.contains("Relay access denied"),
        "{reply}"
    );
    assert_eq!(r.step_status("smtp.login"), "passed");
}

#[test]
fn a_test_email_that_never_arrives_is_named() {
    let h = Harness::start();
    let args = server(
        good_args(&h, "127.0.0.1"),
        "smtp",
        &at("127.0.0.1", h.postfix.hold),
        "plain",
    );
    let r = run(&with(args, &["--roundtrip", "--timeout", "1"]), PASSWORD);
    expect_failure(&r, "test_email_failed", "test_message_not_arriving");
    assert_eq!(r.step_status("smtp.send"), "passed");
    assert_eq!(r.report()["failure"]["step"], "roundtrip");
}

/// Opens `n` plaintext IMAP sessions as alice and keeps them until dropped.
fn hold_sessions(ip: &str, port: u16, n: usize) -> Vec<std::net::TcpStream> {
    use std::io::{BufRead, BufReader, Write};
    (0..n)
        .map(|i| {
            let mut s = std::net::TcpStream::connect(at(ip, port)).unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            write!(s, "h{i} LOGIN \"{EMAIL}\" \"{PASSWORD}\"\r\n").unwrap();
            loop {
                line.clear();
                r.read_line(&mut line).unwrap();
                if line.starts_with(&format!("h{i} ")) {
                    assert!(line.contains("OK"), "holding session {i}: {line}");
                    break;
                }
            }
            s
        })
        .collect()
}

#[test]
fn too_many_connections_at_login_is_an_imap_authentication_error() {
    let h = Harness::start();
    // 127.0.0.5 allows three sessions per user and address (and trusts loopback, so the
    // holders may log in without TLS); take them all.
    let _held = hold_sessions("127.0.0.5", h.dovecot.imap, 3);
    let r = run(&with(good_args(&h, "127.0.0.5"), &["--no-send"]), PASSWORD);
    expect_failure(&r, "imap_authentication_error", "too_many_connections");
    assert!(r.report()["failure"]["server_reply"]
        .as_str()
        .unwrap()
        .contains("[LIMIT]"));
}

#[test]
fn fewer_simultaneous_sessions_than_the_target_is_a_warning() {
    let h = Harness::start();
    let r = run(&with(good_args(&h, "127.0.0.5"), &["--no-send"]), PASSWORD);
    assert_eq!(r.status, 0, "{}", r.stdout);
    let sessions = &r.report()["validation"]["sessions"];
    assert_eq!(sessions["allowed"], 3, "{sessions}");
    assert_eq!(sessions["target"], 5);
    assert!(sessions["refusal"]
        .as_str()
        .unwrap()
        .contains("Maximum number of connections"));
    assert!(r
        .warning_causes()
        .contains(&"fewer_sessions_than_target".to_owned()));
    // What was found as values (a page words them in its reader's language), the server's
    // own words apart.
    let warnings = r.report()["warnings"].as_array().unwrap().clone();
    let w = warnings
        .iter()
        .find(|w| w["cause"] == "fewer_sessions_than_target")
        .unwrap();
    assert_eq!(
        w["finding"],
        serde_json::json!({"sessions": {"allowed": 3, "wanted": 5}})
    );
    assert!(w["server_reply"]
        .as_str()
        .unwrap()
        .contains("Maximum number of connections"));
    assert_eq!(w["detail"], "Simultaneous sessions allowed: 3 of 5.");
}

#[test]
fn plaintext_login_on_an_insecure_connection_is_refused() {
    let h = Harness::start();
    let args = server(
        good_args(&h, "127.0.0.1"),
        "imap",
        &at("127.0.0.2", h.dovecot.imap),
        "plain",
    );
    let args = set(args, "--smtp", &at("127.0.0.2", h.dovecot.submission));
    let args = set(args, "--smtp-security", "plain");
    let r = run(&args, PASSWORD);
    expect_failure(&r, "imap_settings_incorrect", "plaintext_login_refused");
    assert!(r.report()["failure"]["server_reply"]
        .as_str()
        .unwrap()
        .contains("LOGINDISABLED"));
    // Dovecot's submission offers no AUTH at all on such a connection.
    assert_eq!(
        r.report()["failures"][1]["cause"],
        "no_supported_auth_mechanism"
    );
    assert!(r.warning_causes().contains(&"plaintext_session".to_owned()));
}

#[test]
fn an_inbox_that_cannot_be_opened_is_a_validation_error() {
    let h = Harness::start();
    let args = set(good_args(&h, "127.0.0.1"), "--email", DAVE);
    let r = run(&with(args, &["--no-send"]), DAVE_PASSWORD);
    expect_failure(&r, "imap_validation_error", "inbox_not_selectable");
    assert_eq!(r.step_status("imap.login"), "passed");
}

#[test]
fn smtp_can_use_its_own_username_and_password() {
    let h = Harness::start();
    let args = with(
        good_args(&h, "127.0.0.1"),
        &[
            "--smtp-username",
            BOB,
            "--smtp-password-env",
            "IDR_BOB",
            "--test-recipient",
            BOB,
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = two_logins(&args);
    let report = r.report();
    assert_eq!(report["outcome"], "passed", "{report}");
    assert_eq!(report["smtp"]["username"], BOB);
    assert_eq!(report["imap"]["username"], EMAIL);
}

#[test]
fn the_password_can_come_from_standard_input() {
    let h = Harness::start();
    let args = with(
        good_args(&h, "127.0.0.1"),
        &["--password-stdin", "--no-send"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = check(&args, "", Some(&format!("{PASSWORD}\n")));
    assert_eq!(r.status, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn passwords_appear_in_no_output_report_or_log() {
    let h = Harness::start();
    let forbidden = [
        PASSWORD.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(PASSWORD),
        base64::engine::general_purpose::STANDARD.encode(format!("\0{EMAIL}\0{PASSWORD}")),
    ];
    for (args, lang) in [
        (good_args(&h, "127.0.0.1"), "en"),
        (
            set(
                good_args(&h, "127.0.0.1"),
                "--smtp",
                &at("127.0.0.1", h.postfix.no_starttls),
            ),
            "de",
        ),
    ] {
        for json in [true, false] {
            let mut args = with(args.clone(), &["--lang", lang, "--roundtrip"]);
            if !json {
                args.retain(|a| a != "--json");
            }
            let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
            argv.extend(["--password-env", "IDR_PASSWORD"]);
            let r = check_with(
                &argv,
                &[("IDR_PASSWORD", PASSWORD), ("RUST_LOG", "trace")],
                None,
            );
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(all.len() > 100, "there was output to search");
            for secret in &forbidden {
                assert!(
                    !all.contains(secret.as_str()),
                    "the password leaked:\n{all}"
                );
            }
        }
    }
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--email", EMAIL, "--imap", "h:0", "--smtp", "h:587"],
            "port",
        ),
        (
            &["--email", EMAIL, "--imap", "h:99999", "--smtp", "h:587"],
            "port",
        ),
        (
            &[
                "--email",
                "not-an-address",
                "--imap",
                "h:993",
                "--smtp",
                "h:587",
            ],
            "email",
        ),
        (
            &[
                "--email", EMAIL, "--imap", "h:993", "--smtp", "h:587", "--lang", "fr",
            ],
            "--lang",
        ),
        (
            &[
                "--email",
                EMAIL,
                "--imap",
                "h:993",
                "--smtp",
                "h:587",
                "--ca-file",
                "/nonexistent.pem",
            ],
            "CA file",
        ),
        (
            &[
                "--email",
                EMAIL,
                "--imap",
                "h:993",
                "--smtp",
                "h:587",
                "--imap-security",
                "ssl3",
            ],
            "ssl3",
        ),
        (
            &[
                "--email",
                EMAIL,
                "--imap",
                "h:993",
                "--smtp",
                "h:587",
                "--password-env",
                "IDR_UNSET_VAR",
            ],
            "IDR_UNSET_VAR",
        ),
        (
            &[
                "--email",
                EMAIL,
                "--imap",
                "h:993",
                "--smtp",
                "h:587",
                "--test-recipient",
                "x@",
            ],
            "recipient",
        ),
    ];
    for (args, needle) in cases {
        let r = check(args, PASSWORD, None);
        assert_eq!(r.status, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

#[test]
fn the_human_output_shows_each_step_in_the_chosen_language() {
    let h = Harness::start();
    let mut args = good_args(&h, "127.0.0.1");
    args.retain(|a| a != "--json");
    let args = with(args, &["--lang", "de"]);
    let r = run(&args, "falsches-passwort");
    println!("{}", r.stdout);
    assert_eq!(r.status, 1);
    assert!(r.stdout.contains("imap.login"), "{}", r.stdout);
    assert!(r.stdout.contains("Nicht autorisiert"), "{}", r.stdout);
    assert!(r.stdout.contains("[AUTHENTICATIONFAILED]"), "{}", r.stdout);
}

/// Replies only big providers send, replayed by a scripted server.
#[tokio::test(flavor = "multi_thread")]
async fn provider_replies_that_no_local_server_produces() {
    // Gmail's IMAP answer to a normal password on an account with 2-step verification.
    let gmail_imap = Scripted::start(
        "* OK [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584] Gimap ready for requests\r\n",
        &[("LOGIN", "{tag} NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)\r\n")],
    )
    .await;
    // Microsoft 365 with SMTP AUTH turned off for the tenant.
    let m365_smtp = Scripted::start(
        "220 AM0PR02CA0001.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n",
        &[
            ("EHLO", "250-AM0PR02CA0001.outlook.office365.com Hello\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-AUTH LOGIN XOAUTH2\r\n250 SMTPUTF8\r\n"),
            ("AUTH LOGIN", "334 VXNlcm5hbWU6\r\n"),
            ("QUIT", "221 2.0.0 Service closing transmission channel\r\n"),
            ("=", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n"),
            ("", "334 UGFzc3dvcmQ6\r\n"),
        ],
    )
    .await;
    let args = vec![
        "--email".to_string(),
        EMAIL.into(),
        "--imap".into(),
        gmail_imap.addr.to_string(),
        "--imap-security".into(),
        "plain".into(),
        "--smtp".into(),
        m365_smtp.addr.to_string(),
        "--smtp-security".into(),
        "plain".into(),
        "--json".into(),
    ];
    let r = tokio::task::spawn_blocking(move || run(&args, PASSWORD))
        .await
        .unwrap();
    expect_failure(
        &r,
        "unauthorized_app_password_required",
        "app_password_required",
    );
    let smtp = &r.report()["failures"][1];
    assert_eq!(smtp["category"], "unauthorized", "{}", r.stdout);
    assert_eq!(smtp["cause"], "basic_auth_disabled");
    assert!(smtp["server_reply"].as_str().unwrap().contains("5.7.139"));
}

#[test]
fn the_version_names_the_protocol_a_page_must_speak() {
    let out = std::process::Command::new(inbox_doctor_tests::cli::binary())
        .arg("--version")
        .output()
        .expect("run inbox-doctor --version");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "inbox-doctor {} (protocol {})\n",
            env!("CARGO_PKG_VERSION"),
            inbox_doctor_errors::PROTOCOL_VERSION
        )
    );
}
