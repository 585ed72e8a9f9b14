//! Mailboxes that take only OAuth: real Dovecot with its `oauth2` passdb, asking the harness's
//! authorization server about each token, diagnosed through `inbox-doctor check --json` and
//! through the relay's WebSocket. A good token passes every step; each broken one fails with
//! its own cause, explained by the token's claims and the server's words.

use inbox_doctor_errors::{
    AuthMethod, DiagnosisRequest, Secret, Security, ServerMessage, ServerSettings, StepEvent,
};
use inbox_doctor_tests::authz::{Grant, AUDIENCE};
use inbox_doctor_tests::cli::{check_with, CheckRun};
use inbox_doctor_tests::mail::EMAIL;
use inbox_doctor_tests::oauth::OauthMail;
use inbox_doctor_tests::relay::{config_for, http, http_get, http_reply, Relay};
use inbox_doctor_tests::Harness;

/// `check --json` for the harness's mailbox on the OAuth servers (IMAPS, submission with
/// STARTTLS, one session), then `extra`, with `env` and `stdin`.
fn check_oauth_mail(
    h: &Harness,
    m: &OauthMail,
    extra: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> CheckRun {
    let imap = format!("127.0.0.1:{}", m.imaps);
    let smtp = format!("127.0.0.1:{}", m.submission);
    #[rustfmt::skip]
    let mut args = vec![
        "--json", "--email", EMAIL, "--imap", &imap, "--imap-security", "tls",
        "--smtp", &smtp, "--smtp-security", "starttls", "--ca-file", h.ca(),
        "--session-target", "1",
    ];
    args.extend(extra);
    check_with(&args, env, stdin)
}

/// `check --json --auth oauth` against the OAuth servers, the token in `$IDR_TOKEN` and the
/// authorization server described in a relay configuration.
fn check_token(h: &Harness, m: &OauthMail, token: &str, extra: &[&str]) -> CheckRun {
    let config = h.dir.path().join("oauth-relay.toml");
    let database = h.dir.path().join("oauth-domains.db");
    std::fs::write(
        &config,
        format!(
            "[domains]\ndatabase = \"sqlite://{}\"\n{}",
            database.display(),
            m.provider_toml(&[])
        ),
    )
    .unwrap();
    let mut args = vec!["--auth", "oauth", "--config", config.to_str().unwrap()];
    if !extra.contains(&"--oauth-provider") {
        args.extend(["--oauth-token-env", "IDR_TOKEN"]);
    }
    args.extend(extra);
    check_oauth_mail(
        h,
        m,
        &args,
        &[("IDR_TOKEN", token), ("RUST_LOG", "trace")],
        None,
    )
}

/// Every spelling of `token` a login may put on the wire: itself, its base64, and both
/// mechanisms' initial responses.
fn spellings(token: &str) -> Vec<String> {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        token.to_owned(),
        b64(token),
        b64(&format!("user={EMAIL}\x01auth=Bearer {token}\x01\x01")),
        b64(&format!("n,a={EMAIL},\x01auth=Bearer {token}\x01\x01")),
    ]
}

fn failure_detail(run: &CheckRun) -> String {
    run.report()["failure"]["detail"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn a_good_token_passes_every_step_and_never_shows() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let token = m.auth.token(&Grant::good(EMAIL));
    let run = check_token(&h, &m, &token, &[]);
    assert_eq!(
        run.status,
        0,
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        m.logs()
    );
    for step in ["imap.login", "smtp.login", "smtp.send"] {
        assert_eq!(run.step_status(step), "passed", "{step}");
    }
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.len() > 1000,
        "there was output to search (RUST_LOG=trace)"
    );
    for spelling in spellings(&token) {
        assert!(!all.contains(&spelling), "the token leaked:\n{all}");
    }
    let transcript = run.report()["transcript"].to_string();
    assert!(
        transcript.contains("AUTHENTICATE OAUTHBEARER [redacted]"),
        "{transcript}"
    );
    assert!(
        transcript.contains("AUTH OAUTHBEARER [redacted]"),
        "{transcript}"
    );
}

#[test]
fn xoauth2_is_used_when_asked_for_and_the_token_can_come_on_stdin() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let token = m.auth.token(&Grant::good(EMAIL));
    #[rustfmt::skip]
    let flags = [
        "--no-send", "--auth", "oauth", "--oauth-token-stdin", "--oauth-mechanism", "xoauth2",
    ];
    let run = check_oauth_mail(&h, &m, &flags, &[], Some(&format!("{token}\n")));
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, m.logs());
    let transcript = run.report()["transcript"].to_string();
    assert!(
        transcript.contains("AUTHENTICATE XOAUTH2 [redacted]"),
        "{transcript}"
    );
}

#[test]
fn each_broken_token_has_its_own_cause() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let evidence = [
        "expired 10 min ago",
        "user bob@inbox-doctor.test",
        "aud https://graph.example",
        "scopes imap",
        AUDIENCE,
    ];
    let cases =
        Grant::broken(EMAIL)
            .into_iter()
            .zip(evidence)
            .map(|((grant, step, cause), evidence)| {
                (cause, m.auth.token(&grant), step, cause, evidence)
            });
    for (what, token, step, cause, evidence) in cases {
        let run = check_token(&h, &m, &token, &["--no-send"]);
        assert_eq!(
            run.status,
            1,
            "{what}: {}\n{}\n{}",
            run.stdout,
            run.stderr,
            m.logs()
        );
        assert_eq!(run.step_status(step), "failed", "{what}: {}", run.stdout);
        assert_eq!(
            run.diagnosis(),
            ("unauthorized".to_owned(), cause.to_owned()),
            "{what}: {}",
            run.stdout
        );
        let detail = failure_detail(&run);
        assert!(detail.contains(evidence), "{what}: {detail}");
        // Dovecot's own words from inside the OAUTHBEARER exchange (RFC 7628's error).
        assert!(
            detail.contains(r#"the server's SASL error: {"status":"invalid_token""#),
            "{what}: {detail}"
        );
        assert!(
            !run.stdout.contains(&token),
            "{what}: the token is in the report"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_diagnoses_a_token_over_its_websocket() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let mut config = config_for(&h);
    config.egress.ports.extend([m.imaps, m.submission]);
    config
        .oauth
        .providers
        .insert("harness".into(), m.provider(&[]));
    let relay = Relay::start(config).await;
    let server = |port, security| ServerSettings {
        host: "127.0.0.1".into(),
        port,
        security,
    };
    let mut req = DiagnosisRequest::new(
        EMAIL,
        Secret::default(),
        server(m.imaps, Security::Tls),
        server(m.submission, Security::Starttls),
    );
    req.auth = AuthMethod::Oauth;
    req.session_target = 1;
    req.send = false;
    let report = |messages: Vec<ServerMessage>| match messages.last() {
        Some(ServerMessage::Event(StepEvent::Report(report))) => report.clone(),
        other => panic!("{other:?}"),
    };

    req.oauth_token = Some(Secret::new(m.auth.token(&Grant::good(EMAIL))));
    let good = report(relay.diagnose(&req).await);
    assert!(good.failure.is_none(), "{:?}\n{}", good.failure, m.logs());

    let expired = m.auth.token(&Grant {
        lifetime: -60,
        ..Grant::good(EMAIL)
    });
    req.oauth_token = Some(Secret::new(expired.clone()));
    let messages = relay.diagnose(&req).await;
    assert!(
        !format!("{messages:?}").contains(&expired),
        "the token is in an event"
    );
    let failure = report(messages).failure.expect("a failure");
    assert_eq!(
        (failure.category.code(), failure.cause.code()),
        ("unauthorized", "token_expired")
    );
}

#[test]
fn a_token_is_asked_for_the_way_a_password_is_and_checked_before_use() {
    let base = [
        "--email",
        EMAIL,
        "--imap",
        "127.0.0.1:1",
        "--smtp",
        "127.0.0.1:2",
    ];
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = base.to_vec();
        args.extend(extra);
        check_with(&args, env, None)
    };
    /// Flags, environment, and what the refusal says.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (
            &["--auth", "oauth"],
            &[],
            "no access token given: use --oauth-token-env VAR or --oauth-token-stdin",
        ),
        (
            &["--auth", "oauth", "--oauth-token-env", "IDR_TOKEN"],
            &[("IDR_TOKEN", "line\r\nA1 LOGOUT")],
            "the IMAP access token holds characters no token has",
        ),
        (
            &["--auth", "oauth", "--oauth-token-stdin", "--password-stdin"],
            &[],
            "cannot be used with",
        ),
        // A token for IMAP alone still leaves SMTP's password to be given.
        (
            &[
                "--auth",
                "oauth",
                "--smtp-auth",
                "password",
                "--oauth-token-env",
                "IDR_TOKEN",
            ],
            &[("IDR_TOKEN", "tok")],
            "no password given",
        ),
    ];
    for (extra, env, says) in cases {
        let r = run(extra, env);
        assert_eq!(r.status, 2, "{extra:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(says), "{extra:?}: {}", r.stderr);
    }
}

#[test]
fn the_command_signs_in_by_the_device_grant() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    m.auth.consent(Grant::good(EMAIL), &[]);
    // No token given: the configured provider's device grant gets one.
    let run = check_token(&h, &m, "", &["--no-send", "--oauth-provider", "harness"]);
    assert_eq!(
        run.status,
        0,
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        m.logs()
    );
    let activate = m.auth.url("/activate");
    assert!(
        run.stderr.contains(&format!(
            "To sign in with Harness IdP, open {activate} and enter the code WDJB-MJHT"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.step_status("imap.login"), "passed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_signs_a_page_in_with_pkce_and_keeps_no_token() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    // The page's address, as registered with the provider (nothing listens there: the test
    // reads where the provider sends the browser instead of going).
    let back = "http://127.0.0.1:9/inbox-doctor/".to_owned();
    m.auth
        .consent(Grant::good(EMAIL), std::slice::from_ref(&back));
    let mut config = config_for(&h);
    config.egress.ports.extend([m.imaps, m.submission]);
    config
        .oauth
        .providers
        .insert("harness".into(), m.provider(std::slice::from_ref(&back)));
    let relay = Relay::start(config).await;

    let (_, info) = http_get(&relay.url("/api/info")).await;
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(
        info["oauth_providers"],
        serde_json::json!([{ "name": "harness", "label": "Harness IdP" }])
    );

    let post = |path: &str, body: serde_json::Value| {
        let request = ureq::post(&relay.url(path)).set("content-type", "application/json");
        http(request, Some(body.to_string()))
    };
    let start = || {
        post(
            "/api/oauth/harness/start",
            serde_json::json!({ "redirect_uri": back, "login_hint": EMAIL }),
        )
    };
    let follow = |started: &serde_json::Value| {
        let url = started["url"].as_str().unwrap().to_owned();
        async move {
            let agent = ureq::AgentBuilder::new().redirects(0).build();
            let reply = http_reply(agent.get(&url)).await;
            assert_eq!(reply.status, 302, "{}", reply.body);
            let location = url::Url::parse(reply.header("location").unwrap()).unwrap();
            let query: std::collections::HashMap<String, String> =
                location.query_pairs().into_owned().collect();
            (query["code"].clone(), query["state"].clone())
        }
    };

    // The provider's address carries the PKCE challenge, the state and the hint.
    let (status, text) = start().await;
    assert_eq!(status, 200, "{text}");
    let started: serde_json::Value = serde_json::from_str(&text).unwrap();
    let url = started["url"].as_str().unwrap();
    assert!(url.starts_with(&m.auth.url("/authorize?")), "{url}");
    for part in [
        "code_challenge_method=S256",
        "login_hint=alice%40inbox-doctor.test",
        "response_type=code",
    ] {
        assert!(url.contains(part), "{part}: {url}");
    }
    let (code, state) = follow(&started).await;
    assert_eq!(state, started["state"], "the state comes back unchanged");

    // A code with another verifier is refused by the provider, in its words.
    let exchange = |code: &str, verifier: &str| {
        post(
            "/api/oauth/harness/token",
            serde_json::json!({ "code": code, "verifier": verifier, "redirect_uri": back }),
        )
    };
    let (status, text) = exchange(&code, "not-the-verifier-of-this-challenge-0000000000").await;
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("invalid_grant"), "{text}");

    // A fresh sign-in, exchanged with its own verifier, gives a token that logs in.
    let (_, text) = start().await;
    let started: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (code, _) = follow(&started).await;
    let (status, text) = exchange(&code, started["verifier"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{text}");
    let token: serde_json::Value = serde_json::from_str(&text).unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let run = check_token(&h, &m, &token, &["--no-send"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    // Nothing of it stays with the relay: its database holds no copy.
    let stored = std::fs::read(h.dir.path().join("domains.db")).unwrap_or_default();
    let needle = token.as_bytes();
    assert!(!stored.windows(needle.len()).any(|w| w == needle));

    // Fields longer than any real one are refused before anything is asked of the provider.
    let (status, text) = exchange(&"c".repeat(3000), started["verifier"].as_str().unwrap()).await;
    assert_eq!(
        (status, text.contains("at most 2048 bytes")),
        (400, true),
        "{text}"
    );

    // Only registered redirect addresses, only configured providers.
    let (status, text) = post(
        "/api/oauth/harness/start",
        serde_json::json!({ "redirect_uri": "https://evil.example/" }),
    )
    .await;
    assert_eq!(
        (status, text.contains("redirect_not_allowed")),
        (400, true),
        "{text}"
    );
    let (status, text) = post(
        "/api/oauth/nobody/start",
        serde_json::json!({ "redirect_uri": back }),
    )
    .await;
    assert_eq!(
        (status, text.contains("unknown_provider")),
        (404, true),
        "{text}"
    );
    // A page the relay does not serve may not start one.
    let request = ureq::post(&relay.url("/api/oauth/harness/start"))
        .set("content-type", "application/json")
        .set("origin", "https://evil.example");
    let (status, _) = http(
        request,
        Some(serde_json::json!({ "redirect_uri": back }).to_string()),
    )
    .await;
    assert_eq!(status, 403);
}

#[test]
fn a_password_where_only_tokens_are_taken_is_password_login_switched_off() {
    let h = Harness::start();
    let m = OauthMail::start(&h);
    let env = [("IDR_PASSWORD", "a password")];
    let flags = ["--no-send", "--password-env", "IDR_PASSWORD"];
    let run = check_oauth_mail(&h, &m, &flags, &env, None);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert_eq!(
        run.diagnosis(),
        ("unauthorized".to_owned(), "basic_auth_disabled".to_owned())
    );
    let failures = run.report()["failures"].to_string();
    assert!(
        failures.contains("smtp.login"),
        "both sides say so: {failures}"
    );
    assert!(
        failure_detail(&run).contains("AUTH=XOAUTH2 AUTH=OAUTHBEARER"),
        "{}",
        failure_detail(&run)
    );
}

/// Replies to tokens that only big providers send, replayed by a scripted server: Gmail's
/// XOAUTH2 error challenge, Microsoft's refusals on IMAP and on SMTP with SMTP AUTH off.
#[tokio::test(flavor = "multi_thread")]
async fn provider_replies_to_tokens_that_no_local_server_produces() {
    use inbox_doctor_tests::scripted::Scripted;
    // Gmail (developers.google.com/workspace/gmail/imap/xoauth2-protocol): the error as a
    // challenge, then, after the client's empty answer, the refusal.
    let gmail_imap = Scripted::start(
        "* OK [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH] Gimap ready\r\n",
        &[
            ("AUTHENTICATE", "+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K\r\n"),
            ("LOGOUT", "* BYE\r\n"),
            ("", "a1 NO SASL authentication failed\r\n"),
        ],
    )
    .await;
    // Microsoft 365 (jstedfast/MailKit#483; simonrob/email-oauth2-proxy#193).
    let m365_imap = Scripted::start(
        "* OK [CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+] The Microsoft Exchange IMAP4 service is ready.\r\n",
        &[
            ("AUTHENTICATE", "a1 NO AUTHENTICATE failed.\r\n"),
            ("LOGOUT", "* BYE\r\n"),
        ],
    )
    .await;
    let m365_smtp = Scripted::start(
        "220 AM0PR02CA0001.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n",
        &[
            ("EHLO", "250-AM0PR02CA0001.outlook.office365.com Hello\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-AUTH LOGIN XOAUTH2\r\n250 SMTPUTF8\r\n"),
            ("AUTH XOAUTH2", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [MN2PR05CA0004.namprd05.prod.outlook.com]\r\n"),
            ("QUIT", "221 2.0.0 Service closing transmission channel\r\n"),
        ],
    )
    .await;
    let run = |imap: std::net::SocketAddr, token: String| {
        let (imap, smtp) = (imap.to_string(), m365_smtp.addr.to_string());
        tokio::task::spawn_blocking(move || {
            #[rustfmt::skip]
            let args = [
                "--json", "--email", EMAIL, "--imap", &imap, "--imap-security", "plain",
                "--smtp", &smtp, "--smtp-security", "plain", "--no-send",
                "--auth", "oauth", "--oauth-mechanism", "xoauth2", "--oauth-token-env", "IDR_TOKEN",
            ];
            check_with(&args, &[("IDR_TOKEN", &token)], None)
        })
    };
    let causes = |r: &CheckRun| {
        let failures = r.report()["failures"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        failures
            .iter()
            .map(|f| {
                (
                    f["step"].as_str().unwrap_or("").to_owned(),
                    f["cause"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };

    // An opaque Google token: the challenge's status is all there is to go on.
    let r = run(gmail_imap.addr, "ya29.a0AfH6SMBx-opaque".into())
        .await
        .unwrap();
    assert_eq!(
        causes(&r),
        [
            ("imap.login".to_owned(), "token_rejected".to_owned()),
            ("smtp.login".to_owned(), "smtp_auth_disabled".to_owned())
        ],
        "{}",
        r.stdout
    );
    assert!(
        failure_detail(&r).contains(r#""status":"401""#),
        "{}",
        failure_detail(&r)
    );

    // A Microsoft token past its time: its claims say so.
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let claims = format!(
        r#"{{"iss":"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/","aud":"https://outlook.office.com","scp":"IMAP.AccessAsUser.All SMTP.Send","upn":"{EMAIL}","exp":1700000000}}"#
    );
    let jwt = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256"}"#),
        b64(&claims),
        b64("signature")
    );
    let r = run(m365_imap.addr, jwt).await.unwrap();
    assert_eq!(
        causes(&r),
        [
            ("imap.login".to_owned(), "token_expired".to_owned()),
            ("smtp.login".to_owned(), "smtp_auth_disabled".to_owned())
        ],
        "{}",
        r.stdout
    );
    assert!(
        failure_detail(&r).contains("exp 2023-11-14T22:13:20Z"),
        "{}",
        failure_detail(&r)
    );
}
