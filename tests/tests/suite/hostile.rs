//! Hostile and broken mail servers, met as a new user meets them: `inbox-doctor check --json`
//! pointed at a server that misbehaves on purpose at one step. Every test asserts the failure's
//! category and cause, the step it names, that the run ended within its deadlines, and that no
//! connection received the password more than once (the hostile server counts it).
//!
//! The other side of each run is a hostile server that behaves; the last test runs hostile
//! servers and real Dovecot and Postfix through one relay at once.

use std::time::{Duration, Instant};

use inbox_doctor_errors::{DiagnosisRequest, Security, ServerMessage, StepEvent};
use inbox_doctor_tests::hostile::{
    send, At, Chain, Do, Hostile, Proto, Script, Wrap, PASSWORD, USER,
};
use inbox_doctor_tests::relay::{config_for, Relay};
use inbox_doctor_tests::{check, CheckRun, Harness};

/// Each step's deadline in these runs, in seconds.
const TIMEOUT: u64 = 2;

/// A bound no run may pass: every step of the longer branch at its deadline, the check for a
/// TLS port behind a silent one, and the process's start and end.
const RUN_BOUND: Duration = Duration::from_secs(TIMEOUT * 6 + 3);

struct Outcome {
    run: CheckRun,
    elapsed: Duration,
    imap: Hostile,
    smtp: Hostile,
}

fn security(wrap: Wrap) -> &'static str {
    match wrap {
        Wrap::Plain => "plain",
        Wrap::Tls => "tls",
        Wrap::StartTls => "starttls",
    }
}

/// Runs `inbox-doctor check` against the two scripted servers.
async fn diagnose(imap: Script, smtp: Script) -> Outcome {
    diagnose_with(imap, smtp, PASSWORD).await
}

/// Runs `inbox-doctor check` against the two scripted servers, logging in with `password`.
async fn diagnose_with(imap: Script, smtp: Script, password: &'static str) -> Outcome {
    let (imap_wrap, smtp_wrap) = (imap.wrap, smtp.wrap);
    let imap = Hostile::start(imap).await;
    let smtp = Hostile::start(smtp).await;
    let args: Vec<String> = [
        "--email",
        USER,
        "--imap",
        &imap.addr.to_string(),
        "--imap-security",
        security(imap_wrap),
        "--smtp",
        &smtp.addr.to_string(),
        "--smtp-security",
        security(smtp_wrap),
        "--ca-file",
        imap.ca_file.to_str().unwrap(),
        "--ca-file",
        smtp.ca_file.to_str().unwrap(),
        "--timeout",
        &TIMEOUT.to_string(),
        "--offline",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let started = Instant::now();
    let run = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        check(&args, password, None)
    })
    .await
    .expect("join");
    Outcome {
        run,
        elapsed: started.elapsed(),
        imap,
        smtp,
    }
}

/// A misbehaving IMAP server; the SMTP side behaves.
async fn imap(script: Script) -> Outcome {
    diagnose(script, Script::good(Proto::Smtp, Wrap::StartTls)).await
}

/// A misbehaving SMTP server; the IMAP side behaves.
async fn smtp(script: Script) -> Outcome {
    diagnose(Script::good(Proto::Imap, Wrap::Tls), script).await
}

impl Outcome {
    /// Asserts the failure (category, cause, step), the deadlines and the password count; returns
    /// the failure for further checks.
    fn expect(&self, step: &str, category: &str, cause: &str) -> &serde_json::Value {
        let r = &self.run;
        let context = format!("report:\n{}\nstderr:\n{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{context}");
        assert_eq!(
            r.diagnosis(),
            (category.to_owned(), cause.to_owned()),
            "{context}"
        );
        let failure = &r.report()["failure"];
        assert_eq!(failure["step"], step, "{context}");
        assert_eq!(r.status, 1, "a diagnosed failure exits 1: {context}");
        self.within_deadlines(&context);
        failure
    }

    fn within_deadlines(&self, context: &str) {
        assert!(
            self.elapsed < RUN_BOUND,
            "took {:?}: {context}",
            self.elapsed
        );
        for s in self.run.report()["steps"].as_array().unwrap() {
            let ms = s["elapsed_ms"].as_u64().unwrap_or(0);
            assert!(
                ms <= TIMEOUT * 1000 + 1000,
                "step {} took {ms} ms: {context}",
                s["step"]
            );
        }
        for (side, server) in [("IMAP", &self.imap), ("SMTP", &self.smtp)] {
            assert!(
                server.most_passwords_per_connection() <= 1,
                "the {side} server received the password {} times on one connection: {context}",
                server.most_passwords_per_connection()
            );
        }
    }

    fn detail(&self) -> String {
        let f = &self.run.report()["failure"];
        format!("{} {}", f["detail"], f["server_reply"])
    }
}

fn imap_script(wrap: Wrap, at: At<'static>, acts: Vec<Do>) -> Script {
    Script::good(Proto::Imap, wrap).fault(at, acts)
}

fn smtp_script(wrap: Wrap, at: At<'static>, acts: Vec<Do>) -> Script {
    Script::good(Proto::Smtp, wrap).fault(at, acts)
}

fn big_line(start: &str, size: usize) -> Vec<u8> {
    let mut line = start.as_bytes().to_vec();
    line.resize(size, b'x');
    line.extend_from_slice(b"\r\n");
    line
}

// ---- Both sides behave: the suite's servers pass, so every failure below is the fault's.

#[tokio::test(flavor = "multi_thread")]
async fn the_well_behaved_scripted_servers_pass_every_step() {
    for (imap_wrap, smtp_wrap) in [
        (Wrap::Plain, Wrap::Plain),
        (Wrap::Tls, Wrap::StartTls),
        (Wrap::StartTls, Wrap::Tls),
    ] {
        let o = diagnose(
            Script::good(Proto::Imap, imap_wrap),
            Script::good(Proto::Smtp, smtp_wrap),
        )
        .await;
        let context = format!("{}\n{}", o.run.stdout, o.run.stderr);
        assert_eq!(o.run.report()["outcome"], "passed", "{context}");
        assert_eq!(o.run.status, 0, "{context}");
        o.within_deadlines(&context);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_opens_no_session_beyond_the_main_one() {
    let o = diagnose_with(
        Script::good(Proto::Imap, Wrap::Tls),
        Script::good(Proto::Smtp, Wrap::Tls),
        "a-guess",
    )
    .await;
    o.expect("imap.login", "unauthorized", "invalid_credentials");
    assert_eq!(
        o.imap.sessions(),
        1,
        "the session check waits for a good login"
    );
    // With the right one, the session check opens its extra sessions (five in all).
    let o = diagnose(
        Script::good(Proto::Imap, Wrap::Tls),
        Script::good(Proto::Smtp, Wrap::Tls),
    )
    .await;
    assert_eq!(o.run.report()["outcome"], "passed", "{}", o.run.stdout);
    assert_eq!(o.imap.sessions(), 5);
}

// ---- IMAP: the greeting.

#[tokio::test(flavor = "multi_thread")]
async fn imap_greeting_that_never_ends_a_line() {
    let o = imap(imap_script(
        Wrap::Plain,
        At::Greeting,
        vec![send("* OK "), Do::Forever(vec![b'x'; 65536])],
    ))
    .await;
    o.expect("imap.connect", "imap_settings_incorrect", "not_imap_server");
    assert!(o.detail().contains("line longer than"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_greeting_of_50_megabytes() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Greeting,
        vec![Do::Send(big_line("* OK ", 50 << 20)), Do::Stall],
    ))
    .await;
    // On implicit TLS the greeting is read in the TLS step.
    o.expect("imap.tls", "imap_settings_incorrect", "not_imap_server");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_greeting_one_byte_at_a_time() {
    let o = imap(imap_script(
        Wrap::Plain,
        At::Greeting,
        vec![Do::Trickle(b"* OK ready\r\n".to_vec())],
    ))
    .await;
    o.expect("imap.connect", "imap_settings_incorrect", "server_timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_greeting_with_nul_and_invalid_utf8_is_still_a_greeting() {
    let o = imap(imap_script(
        Wrap::Plain,
        At::Greeting,
        vec![Do::Send(b"* OK \0 ready \xff\xfe\r\n".to_vec())],
    ))
    .await;
    let context = format!("{}\n{}", o.run.stdout, o.run.stderr);
    assert_eq!(o.run.report()["outcome"], "passed", "{context}");
    o.within_deadlines(&context);
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_bye_instead_of_a_greeting() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Greeting,
        vec![send("* BYE Too many connections, try later\r\n"), Do::Stall],
    ))
    .await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "too_many_connections",
    );
    assert!(
        o.detail().contains("Too many connections"),
        "{}",
        o.detail()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ssh_server_on_the_imap_port() {
    let o = imap(imap_script(
        Wrap::Plain,
        At::Greeting,
        vec![
            send("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"),
            Do::Stall,
        ],
    ))
    .await;
    o.expect("imap.connect", "imap_settings_incorrect", "not_imap_server");
    assert!(o.detail().contains("SSH-2.0"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_server_on_the_imap_port() {
    // A web server waits for a request; it answers our TLS hello (it is no TLS server) with
    // an HTTP error: another protocol, not another TLS mode.
    let o = imap(imap_script(
        Wrap::Tls,
        At::Handshake,
        vec![
            Do::ReadSome,
            send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            Do::Close,
        ],
    ))
    .await;
    o.expect("imap.tls", "imap_settings_incorrect", "not_imap_server");
    assert!(o.detail().contains("HTTP/1.1 400"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_accept_then_reset() {
    let o = imap(imap_script(Wrap::Plain, At::Greeting, vec![Do::Reset])).await;
    o.expect(
        "imap.connect",
        "imap_settings_incorrect",
        "connection_closed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_accept_then_close() {
    let o = imap(imap_script(Wrap::Plain, At::Greeting, vec![Do::Close])).await;
    o.expect(
        "imap.connect",
        "imap_settings_incorrect",
        "connection_closed",
    );
}

// ---- IMAP: TLS.

#[tokio::test(flavor = "multi_thread")]
async fn imap_tls_garbage_instead_of_a_server_hello() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Handshake,
        vec![
            Do::ReadSome,
            Do::Send(b"\x16\x03\x03\x00\x04\xde\xad\xbe\xef\x00\xff".to_vec()),
            Do::Stall,
        ],
    ))
    .await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "tls_handshake_failed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_tls_close_in_the_middle_of_the_handshake() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Handshake,
        vec![Do::ReadSome, Do::Close],
    ))
    .await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "tls_handshake_failed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_tls_stall_in_the_middle_of_the_handshake() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Handshake,
        vec![Do::ReadSome, Do::Stall],
    ))
    .await;
    o.expect("imap.tls", "imap_settings_incorrect", "server_timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_chain_of_a_thousand_certificates() {
    let mut script = Script::good(Proto::Imap, Wrap::Tls);
    script.chain = Chain::Thousand;
    let o = imap(script).await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "tls_handshake_failed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_certificate_of_a_megabyte() {
    let mut script = Script::good(Proto::Imap, Wrap::Tls);
    script.chain = Chain::Huge;
    let o = imap(script).await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "tls_handshake_failed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_starttls_agreed_then_plaintext() {
    let o = imap(imap_script(
        Wrap::StartTls,
        At::Handshake,
        vec![send("* OK still plaintext here\r\n"), Do::Stall],
    ))
    .await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "tls_handshake_failed",
    );
    assert!(o.detail().contains("still plaintext"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_starttls_response_injection() {
    let o = imap(imap_script(
        Wrap::StartTls,
        At::Command("STARTTLS"),
        vec![
            send("{tag} OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"),
            Do::Stall,
        ],
    ))
    .await;
    o.expect(
        "imap.tls",
        "imap_settings_incorrect",
        "tls_handshake_failed",
    );
    assert!(o.detail().contains("injected"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_close_after_starttls_is_asked() {
    let o = imap(imap_script(
        Wrap::StartTls,
        At::Command("STARTTLS"),
        vec![Do::Close],
    ))
    .await;
    o.expect("imap.tls", "imap_settings_incorrect", "connection_closed");
}

// ---- IMAP: login.

#[tokio::test(flavor = "multi_thread")]
async fn imap_refusal_with_nul_and_invalid_utf8() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LOGIN"),
        vec![Do::Send(
            b"{tag} NO [AUTHENTICATIONFAILED] bad\0 pass\xff\xfe word\r\n".to_vec(),
        )],
    ))
    .await;
    o.expect("imap.login", "unauthorized", "invalid_credentials");
    assert!(
        o.detail().contains("AUTHENTICATIONFAILED"),
        "{}",
        o.detail()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_answer_under_someone_elses_tag() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LOGIN"),
        vec![send("zz9 OK logged in\r\n"), Do::Stall],
    ))
    .await;
    o.expect("imap.login", "imap_settings_incorrect", "server_timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_bye_in_answer_to_login() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LOGIN"),
        vec![send("* BYE Internal error, closing\r\n"), Do::Stall],
    ))
    .await;
    o.expect(
        "imap.login",
        "imap_authentication_error",
        "auth_failed_unspecified",
    );
    assert!(o.detail().contains("Internal error"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_endless_continuations_after_login() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LOGIN"),
        vec![send("+ go on\r\n"), Do::EveryLine(b"+ go on\r\n".to_vec())],
    ))
    .await;
    o.expect("imap.login", "imap_settings_incorrect", "unexpected_reply");
    assert_eq!(o.imap.most_passwords_per_connection(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_endless_continuations_after_authenticate() {
    let mut script = imap_script(
        Wrap::Tls,
        At::Command("AUTHENTICATE"),
        vec![send("+ \r\n"), Do::EveryLine(b"+ \r\n".to_vec())],
    );
    script.login_disabled = true;
    let o = imap(script).await;
    o.expect("imap.login", "imap_settings_incorrect", "unexpected_reply");
    assert_eq!(o.imap.most_passwords_per_connection(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_close_after_login_is_sent() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LOGIN"),
        vec![Do::Close],
    ))
    .await;
    o.expect("imap.login", "imap_settings_incorrect", "connection_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_reset_after_login_is_sent() {
    let o = imap(imap_script(
        Wrap::Plain,
        At::Command("LOGIN"),
        vec![Do::Reset],
    ))
    .await;
    o.expect("imap.login", "imap_settings_incorrect", "connection_closed");
}

// ---- IMAP: after a good login.

#[tokio::test(flavor = "multi_thread")]
async fn imap_literal_announced_huge_then_a_trickle() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LIST"),
        vec![
            send("* LIST () \"/\" {60000}\r\n"),
            Do::Trickle(b"INBOX".to_vec()),
            Do::Stall,
        ],
    ))
    .await;
    o.expect("imap.validate", "imap_validation_error", "server_timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_literal_beyond_the_bound() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LIST"),
        vec![
            send("* LIST () \"/\" {99999999}\r\n"),
            Do::Forever(vec![b'x'; 65536]),
        ],
    ))
    .await;
    o.expect("imap.validate", "imap_validation_error", "unexpected_reply");
    assert!(o.detail().contains("literal larger than"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_thousands_of_untagged_lines() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("EXAMINE"),
        vec![Do::Forever(b"* 1 EXISTS\r\n".repeat(1000))],
    ))
    .await;
    o.expect("imap.validate", "imap_validation_error", "unexpected_reply");
    assert!(o.detail().contains("bytes"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_list_that_never_ends() {
    let o = imap(imap_script(
        Wrap::Plain,
        At::Command("LIST"),
        vec![Do::Forever(
            b"* LIST (\\HasNoChildren) \"/\" {5}\r\nINBOX\r\n".repeat(500),
        )],
    ))
    .await;
    o.expect("imap.validate", "imap_validation_error", "unexpected_reply");
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_bye_in_answer_to_list() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LIST"),
        vec![send("* BYE Shutting down\r\n"), Do::Stall],
    ))
    .await;
    o.expect(
        "imap.validate",
        "imap_validation_error",
        "mailbox_list_failed",
    );
    assert!(o.detail().contains("Shutting down"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_close_in_the_middle_of_list() {
    let o = imap(imap_script(
        Wrap::Tls,
        At::Command("LIST"),
        vec![send("* LIST () \"/\" INBOX\r\n"), Do::Close],
    ))
    .await;
    o.expect(
        "imap.validate",
        "imap_validation_error",
        "connection_closed",
    );
}

// ---- SMTP.

#[tokio::test(flavor = "multi_thread")]
async fn smtp_greeting_of_50_megabytes() {
    let o = smtp(smtp_script(
        Wrap::Plain,
        At::Greeting,
        vec![Do::Send(big_line("220 ", 50 << 20)), Do::Stall],
    ))
    .await;
    o.expect("smtp.connect", "smtp_settings_incorrect", "not_smtp_server");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_greeting_that_never_ends() {
    let o = smtp(smtp_script(
        Wrap::Tls,
        At::Greeting,
        vec![Do::Forever(b"220-still greeting\r\n".to_vec())],
    ))
    .await;
    o.expect("smtp.tls", "smtp_settings_incorrect", "not_smtp_server");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_greeting_one_byte_at_a_time() {
    let o = smtp(smtp_script(
        Wrap::Plain,
        At::Greeting,
        vec![Do::Trickle(b"220 hostile ESMTP\r\n".to_vec())],
    ))
    .await;
    o.expect("smtp.connect", "smtp_settings_incorrect", "server_timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pop3_server_on_the_smtp_port() {
    let o = smtp(smtp_script(
        Wrap::Plain,
        At::Greeting,
        vec![
            send("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"),
            Do::Stall,
        ],
    ))
    .await;
    o.expect("smtp.connect", "smtp_settings_incorrect", "not_smtp_server");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_ehlo_reply_that_never_ends() {
    let o = smtp(smtp_script(
        Wrap::StartTls,
        At::Command("EHLO"),
        vec![Do::Forever(b"250-SIZE 1000\r\n".to_vec())],
    ))
    .await;
    // Before STARTTLS, EHLO is part of securing the connection.
    o.expect("smtp.tls", "smtp_settings_incorrect", "not_smtp_server");
    assert!(o.detail().contains("more than 200 lines"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_close_after_ehlo() {
    let o = smtp(smtp_script(Wrap::Tls, At::Command("EHLO"), vec![Do::Close])).await;
    o.expect("smtp.tls", "smtp_settings_incorrect", "connection_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_starttls_agreed_then_garbage() {
    let o = smtp(smtp_script(
        Wrap::StartTls,
        At::Handshake,
        vec![send("250 not TLS at all\r\n"), Do::Stall],
    ))
    .await;
    o.expect(
        "smtp.tls",
        "smtp_settings_incorrect",
        "tls_handshake_failed",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_starttls_response_injection() {
    let o = smtp(smtp_script(
        Wrap::StartTls,
        At::Command("STARTTLS"),
        vec![
            send("220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n"),
            Do::Stall,
        ],
    ))
    .await;
    o.expect(
        "smtp.tls",
        "smtp_settings_incorrect",
        "tls_handshake_failed",
    );
    assert!(o.detail().contains("CVE-2011-0411"), "{}", o.detail());
    assert!(o.detail().contains("250-injected"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_tls_stall_in_the_middle_of_the_handshake() {
    let o = smtp(smtp_script(
        Wrap::Tls,
        At::Handshake,
        vec![Do::ReadSome, Do::Stall],
    ))
    .await;
    o.expect("smtp.tls", "smtp_settings_incorrect", "server_timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_endless_334_challenges() {
    let o = smtp(smtp_script(
        Wrap::Tls,
        At::Command("AUTH"),
        vec![send("334 \r\n"), Do::EveryLine(b"334 \r\n".to_vec())],
    ))
    .await;
    o.expect("smtp.login", "smtp_settings_incorrect", "unexpected_reply");
    assert_eq!(o.smtp.most_passwords_per_connection(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_success_right_after_a_refusal() {
    let o = smtp(smtp_script(
        Wrap::Tls,
        At::Command("AUTH"),
        vec![send(
            "535 5.7.8 Error: authentication failed\r\n235 2.7.0 Authentication successful\r\n",
        )],
    ))
    .await;
    o.expect("smtp.login", "unauthorized", "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_refusal_with_nul_and_invalid_utf8() {
    let o = smtp(smtp_script(
        Wrap::Tls,
        At::Command("AUTH"),
        vec![Do::Send(
            b"535 5.7.8 Error: authentication\0 failed \xff\xfe\r\n".to_vec(),
        )],
    ))
    .await;
    o.expect("smtp.login", "unauthorized", "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_close_after_auth() {
    let o = smtp(smtp_script(Wrap::Tls, At::Command("AUTH"), vec![Do::Close])).await;
    o.expect("smtp.login", "smtp_settings_incorrect", "connection_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_close_after_mail_from() {
    let o = smtp(smtp_script(Wrap::Tls, At::Command("MAIL"), vec![Do::Close])).await;
    o.expect("smtp.send", "test_email_failed", "connection_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_close_after_data() {
    let o = smtp(smtp_script(Wrap::Tls, At::Command("DATA"), vec![Do::Close])).await;
    o.expect("smtp.send", "test_email_failed", "connection_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_reply_after_the_message_that_never_ends() {
    let o = smtp(smtp_script(
        Wrap::Tls,
        At::EndOfData,
        vec![Do::Forever(b"250-queued\r\n".to_vec())],
    ))
    .await;
    o.expect("smtp.send", "test_email_failed", "unexpected_reply");
    assert!(!o.detail().contains("line longer"), "{}", o.detail());
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_silence_after_the_message() {
    let o = smtp(smtp_script(Wrap::Plain, At::EndOfData, vec![Do::Stall])).await;
    o.expect("smtp.send", "test_email_failed", "server_timeout");
}

// ---- Several at once, beside a good mailbox.

/// A request for the relay, pointing at two hostile servers.
fn hostile_request(
    imap: &Hostile,
    imap_sec: Security,
    smtp: &Hostile,
    smtp_sec: Security,
) -> DiagnosisRequest {
    let mut r = inbox_doctor_tests::mail::request(imap.addr.port(), smtp.addr.port(), PASSWORD);
    r.email = USER.into();
    r.imap.security = imap_sec;
    r.smtp.security = smtp_sec;
    r.roundtrip = false;
    r
}

fn report_of(messages: &[ServerMessage]) -> &inbox_doctor_errors::Report {
    match messages.last() {
        Some(ServerMessage::Event(StepEvent::Report(r))) => r,
        other => panic!("no report: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_servers_at_once_leave_a_good_mailbox_checked_meanwhile_unaffected() {
    let h = Harness::start();
    let flood = Hostile::start(imap_script(
        Wrap::Tls,
        At::Command("EXAMINE"),
        vec![Do::Forever(b"* 1 EXISTS\r\n".repeat(1000))],
    ))
    .await;
    let endless_data = Hostile::start(smtp_script(
        Wrap::Plain,
        At::EndOfData,
        vec![Do::Forever(b"250-queued\r\n".to_vec())],
    ))
    .await;
    let trickle = Hostile::start(imap_script(
        Wrap::Plain,
        At::Greeting,
        vec![Do::Trickle(b"* OK ready\r\n".to_vec())],
    ))
    .await;
    let sasl = Hostile::start(smtp_script(
        Wrap::StartTls,
        At::Command("AUTH"),
        vec![send("334 \r\n"), Do::EveryLine(b"334 \r\n".to_vec())],
    ))
    .await;
    let mut config = config_for(&h);
    config.limits.max_runs_per_client = 8;
    config.limits.runs_per_minute = 60;
    config.engine.step_timeout_secs = TIMEOUT;
    for s in [&flood, &endless_data, &trickle, &sasl] {
        config.egress.ports.push(s.addr.port());
        config
            .engine
            .ca_files
            .push(s.ca_file.to_str().unwrap().to_owned());
    }
    let relay = Relay::start(config).await;

    let good = inbox_doctor_tests::mail::request(
        h.dovecot.imaps,
        h.dovecot.submission,
        inbox_doctor_tests::PASSWORD,
    );
    let first = hostile_request(&flood, Security::Tls, &endless_data, Security::Plain);
    let second = hostile_request(&trickle, Security::Plain, &sasl, Security::Starttls);
    let started = Instant::now();
    let (good, first, second) = tokio::join!(
        relay.diagnose(&good),
        relay.diagnose(&first),
        relay.diagnose(&second)
    );
    assert!(
        started.elapsed() < RUN_BOUND * 2,
        "took {:?}",
        started.elapsed()
    );

    let good = report_of(&good);
    assert_eq!(
        good.outcome,
        inbox_doctor_errors::Outcome::Passed,
        "{good:#?}\n{}",
        h.logs()
    );
    assert!(good.failures.is_empty(), "{good:#?}");
    let causes = |r: &inbox_doctor_errors::Report| -> Vec<(String, String)> {
        r.failures
            .iter()
            .map(|f| (f.step.code().to_owned(), f.cause.code().to_owned()))
            .collect()
    };
    assert_eq!(
        causes(report_of(&first)),
        [
            ("imap.validate".to_owned(), "unexpected_reply".to_owned()),
            ("smtp.send".to_owned(), "unexpected_reply".to_owned())
        ]
    );
    assert_eq!(
        causes(report_of(&second)),
        [
            ("imap.connect".to_owned(), "server_timeout".to_owned()),
            ("smtp.login".to_owned(), "unexpected_reply".to_owned())
        ]
    );
    for s in [&flood, &endless_data, &trickle, &sasl] {
        assert!(s.most_passwords_per_connection() <= 1);
    }
    relay.stop().await;
}
