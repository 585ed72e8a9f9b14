//! The relay (`inbox-doctor serve`) through a real WebSocket client, against the harness's
//! real mail servers.

use inbox_doctor_errors::{
    DiagnosisRequest, ErrorCode, Lang, Outcome, ServerMessage, StepEvent, StepId, StepStatus,
};
use inbox_doctor_tests::net::BlackHole;
use inbox_doctor_tests::relay::{config_for, http, http_get, Relay, ADMIN_TOKEN};
use inbox_doctor_tests::{Harness, PASSWORD};

fn request(h: &Harness, password: &str) -> DiagnosisRequest {
    let mut r = inbox_doctor_tests::mail::request(h.dovecot.imaps, h.dovecot.submission, password);
    r.lang = Lang::De;
    r
}

fn events(messages: &[ServerMessage]) -> Vec<&StepEvent> {
    messages
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The single error a refused socket carries.
fn the_error(messages: &[ServerMessage]) -> ErrorCode {
    match messages {
        [ServerMessage::Error(e)] => e.code,
        other => panic!("expected exactly one error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_streams_every_step_in_order_and_ends_with_the_report() {
    let h = Harness::start();
    let relay = Relay::start(config_for(&h)).await;
    let messages = relay.diagnose(&request(&h, PASSWORD)).await;
    let events = events(&messages);
    assert_eq!(events.len(), messages.len(), "only events: {messages:?}");
    let StepEvent::Report(report) = events.last().expect("events") else {
        panic!("the last event is the report: {:?}", events.last());
    };
    assert_eq!(report.outcome, Outcome::Passed, "{:?}", report.failures);
    assert_eq!(report.lang, "de");
    // Each step starts before it finishes, and finishes exactly once.
    for &step in StepId::ALL {
        let started = events
            .iter()
            .position(|e| matches!(e, StepEvent::Started { step: s, .. } if *s == step));
        let finished: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, StepEvent::Finished(r) if r.step == step))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(finished.len(), 1, "{step} finished once");
        let started = started.unwrap_or_else(|| panic!("{step} started"));
        assert!(started < finished[0], "{step} started before it finished");
    }
    // The IMAP steps come in flow order, and so do the SMTP steps.
    let order = |steps: &[StepId]| -> Vec<usize> {
        steps
            .iter()
            .map(|s| {
                events
                    .iter()
                    .position(|e| matches!(e, StepEvent::Finished(r) if r.step == *s))
                    .unwrap()
            })
            .collect()
    };
    let imap = order(&[
        StepId::Resolve,
        StepId::ImapConnect,
        StepId::ImapTls,
        StepId::ImapLogin,
        StepId::ImapValidate,
        StepId::Roundtrip,
    ]);
    let smtp = order(&[
        StepId::Resolve,
        StepId::SmtpConnect,
        StepId::SmtpTls,
        StepId::SmtpLogin,
        StepId::SmtpSend,
        StepId::Roundtrip,
    ]);
    assert!(imap.windows(2).all(|w| w[0] < w[1]), "{imap:?}");
    assert!(smtp.windows(2).all(|w| w[0] < w[1]), "{smtp:?}");
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Passed));
    let metrics = relay.metrics().await;
    assert!(metrics.contains("inbox_doctor_runs_total 1"), "{metrics}");
    assert!(
        metrics.contains("inbox_doctor_outcomes_total{outcome=\"passed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("inbox_doctor_step_duration_milliseconds_count{step=\"imap.login\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_ends_with_the_right_category() {
    let h = Harness::start();
    let relay = Relay::start(config_for(&h)).await;
    let messages = relay.diagnose(&request(&h, "wrong")).await;
    let Some(ServerMessage::Event(StepEvent::Report(report))) = messages.last() else {
        panic!("{messages:?}");
    };
    let failure = report.failure.as_ref().expect("a failure");
    assert_eq!(failure.category.code(), "unauthorized");
    assert_eq!(failure.cause.code(), "invalid_credentials");
    // In the request's language.
    assert_eq!(failure.title, "Nicht autorisiert");
    let metrics = relay.metrics().await;
    assert!(
        metrics.contains("inbox_doctor_outcomes_total{outcome=\"unauthorized\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_a_running_diagnosis() {
    let h = Harness::start();
    let hole = BlackHole::new().await;
    let mut config = config_for(&h);
    config.egress.ports.push(hole.addr.port());
    let relay = Relay::start(config).await;
    let mut req = request(&h, PASSWORD);
    req.imap.port = hole.addr.port();
    let mut socket = relay.socket(&[]).await;
    socket.start(&req).await;
    // Wait until the IMAP connect is under way (it would take the whole step deadline).
    loop {
        match socket.next().await.expect("events") {
            ServerMessage::Event(StepEvent::Started {
                step: StepId::ImapConnect,
                ..
            }) => break,
            _ => continue,
        }
    }
    let asked = std::time::Instant::now();
    socket.send_text(r#"{"cancel":{}}"#).await;
    let rest = socket.all().await;
    assert!(rest.contains(&ServerMessage::Cancelled {}), "{rest:?}");
    assert!(asked.elapsed() < std::time::Duration::from_secs(5));
    assert!(!rest
        .iter()
        .any(|m| matches!(m, ServerMessage::Event(StepEvent::Report(_)))));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_is_a_typed_error_and_a_metric() {
    let h = Harness::start();
    let mut config = config_for(&h);
    config.limits.allowed_origins = vec!["https://help.example.com".into()];
    config.limits.max_frame_bytes = 4096;
    config.limits.start_timeout_secs = 1;
    config.limits.runs_per_minute = 3;
    let relay = Relay::start(config).await;
    let good = serde_json::to_string(&inbox_doctor_errors::ClientMessage::Start {
        version: inbox_doctor_errors::PROTOCOL_VERSION,
        request: request(&h, "wrong"),
    })
    .unwrap();

    let refused = |headers: &'static [(&'static str, &'static str)], send: Option<String>| {
        let relay = &relay;
        async move {
            let mut s = relay.socket(headers).await;
            if let Some(text) = send {
                s.send_text(&text).await;
            }
            the_error(&s.all().await)
        }
    };
    assert_eq!(
        refused(&[("origin", "https://evil.example")], Some(good.clone())).await,
        ErrorCode::OriginNotAllowed
    );
    assert_eq!(
        refused(&[], Some("{\"start\":".into())).await,
        ErrorCode::BadMessage
    );
    // A page of protocol 1 (internally tagged) hears which version the relay speaks.
    assert_eq!(
        refused(
            &[],
            Some(r#"{"type":"start","version":1,"request":{}}"#.into())
        )
        .await,
        ErrorCode::UnsupportedVersion
    );
    assert_eq!(
        refused(&[], Some(format!("{{\"pad\":\"{}\"}}", "x".repeat(5000)))).await,
        ErrorCode::FrameTooLarge
    );
    assert_eq!(
        refused(
            &[],
            Some(good.replace(
                &format!("\"version\":{}", inbox_doctor_errors::PROTOCOL_VERSION),
                "\"version\":9"
            ))
        )
        .await,
        ErrorCode::UnsupportedVersion
    );
    assert_eq!(refused(&[], None).await, ErrorCode::Timeout);

    let mut bad_port = request(&h, PASSWORD);
    bad_port.imap.port = 0;
    let start = |r: DiagnosisRequest| {
        serde_json::to_string(&inbox_doctor_errors::ClientMessage::Start {
            version: inbox_doctor_errors::PROTOCOL_VERSION,
            request: r,
        })
        .unwrap()
    };
    assert_eq!(
        refused(&[], Some(start(bad_port))).await,
        ErrorCode::InvalidRequest
    );

    // A session check of more sessions than the relay allows would make it open that many
    // connections to someone's server.
    let mut many = request(&h, PASSWORD);
    many.session_target = 11;
    assert_eq!(
        refused(&[], Some(start(many))).await,
        ErrorCode::InvalidRequest
    );

    // A line break in a field could smuggle a command of the sender's into the dialogue.
    let mut smuggler = request(&h, PASSWORD);
    smuggler.username = Some("alice\r\nRCPT TO:<victim@else.example>".into());
    assert_eq!(
        refused(&[], Some(start(smuggler))).await,
        ErrorCode::InvalidRequest
    );

    let mut stranger = request(&h, PASSWORD);
    stranger.test_recipient = Some("someone@else.example".into());
    assert_eq!(
        refused(&[], Some(start(stranger))).await,
        ErrorCode::RecipientNotAllowed
    );

    let mut private = request(&h, PASSWORD);
    private.imap.host = "10.1.2.3".into();
    private.imap.port = 993;
    let mut s = relay.socket(&[]).await;
    s.start(&private).await;
    let messages = s.all().await;
    assert!(
        matches!(messages.last(), Some(ServerMessage::Error(e)) if e.code == ErrorCode::EgressRefused),
        "{messages:?}"
    );

    // The allowed origin works; three runs a minute, then a fourth is refused.
    let allowed: &[(&str, &str)] = &[("origin", "https://help.example.com")];
    for _ in 0..2 {
        let mut s = relay.socket(allowed).await;
        s.start(&request(&h, "wrong")).await;
        let m = s.all().await;
        assert!(
            matches!(m.last(), Some(ServerMessage::Event(StepEvent::Report(_)))),
            "{m:?}"
        );
    }
    assert_eq!(
        refused(allowed, Some(good.clone())).await,
        ErrorCode::RateLimited
    );

    let metrics = relay.metrics().await;
    for (reason, count) in [
        ("origin_not_allowed", 1),
        ("bad_message", 1),
        ("frame_too_large", 1),
        // A version-1 message and a version-9 one.
        ("unsupported_version", 2),
        ("timeout", 1),
        // Port 0, eleven sessions, a line break in the username.
        ("invalid_request", 3),
        ("recipient_not_allowed", 1),
        ("egress_refused", 1),
        ("rate_limited", 1),
    ] {
        assert!(
            metrics.contains(&format!(
                "inbox_doctor_refusals_total{{reason=\"{reason}\"}} {count}"
            )),
            "{reason}:\n{metrics}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_concurrency_and_one_run_per_socket() {
    let h = Harness::start();
    let hole = BlackHole::new().await;
    let mut config = config_for(&h);
    config.egress.ports.push(hole.addr.port());
    config.limits.token = Some("socket-token-0123456789".into());
    config.limits.max_runs = 1;
    let relay = Relay::start(config).await;
    let mut slow = request(&h, PASSWORD);
    slow.imap.port = hole.addr.port();

    let mut s = relay.socket(&[]).await;
    s.start(&slow).await;
    assert_eq!(the_error(&s.all().await), ErrorCode::Unauthorized);

    let auth: &[(&str, &str)] = &[("authorization", "Bearer socket-token-0123456789")];
    let mut first = relay.socket(auth).await;
    first.start(&slow).await;
    assert!(matches!(first.next().await, Some(ServerMessage::Event(_))));
    // A second start on the same socket is refused; the first run goes on.
    first.start(&slow).await;
    loop {
        match first.next().await.expect("more") {
            ServerMessage::Error(e) => {
                assert_eq!(e.code, ErrorCode::AlreadyStarted);
                break;
            }
            ServerMessage::Event(_) => continue,
            other => panic!("{other:?}"),
        }
    }
    // The relay-wide cap is one run: another socket gets `busy`.
    let mut second = relay.socket(auth).await;
    second.start(&slow).await;
    assert_eq!(the_error(&second.all().await), ErrorCode::Busy);
    first.send_text(r#"{"cancel":{}}"#).await;
    assert!(first.all().await.contains(&ServerMessage::Cancelled {}));
}

#[tokio::test(flavor = "multi_thread")]
async fn domain_settings_are_public_to_read_audited_to_change_and_survive_a_restart() {
    let h = Harness::start();
    let relay = Relay::start(config_for(&h)).await;
    let url = relay.url("/api/domains/Inbox-Doctor.test");
    let body = r#"{"imap":{"host":"imap.inbox-doctor.test","port":993,"security":"tls"},
                  "smtp":{"host":"smtp.inbox-doctor.test","port":587,"security":"starttls"},
                  "allow_insecure_cert":true,"use_static_ips":false}"#;
    // Made-up servers: storage is the point, so the check that comes first is overridden.
    let put = |token: Option<&str>, url: &str, body: &str| {
        let forced = format!("{url}?force=true");
        let mut r = ureq::put(&forced).set(inbox_doctor::server::api::NOTE_HEADER, "alice-admin");
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        http(r, Some(body.to_owned()))
    };
    assert_eq!(put(None, &url, body).await.0, 401);
    assert_eq!(
        put(Some("wrong-token-wrong-token"), &url, body).await.0,
        401
    );
    // Nothing stored is an answer, not an error: the page asks on every address typed.
    assert_eq!(http_get(&url).await, (204, String::new()));
    let (status, saved) = put(Some(ADMIN_TOKEN), &url, body).await;
    assert_eq!(status, 200, "{saved}");
    // Bad input, with clear errors.
    let (status, text) = put(
        Some(ADMIN_TOKEN),
        &relay.url("/api/domains/not_a_domain"),
        body,
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains("invalid_domain"), "{text}");
    let (status, text) = put(Some(ADMIN_TOKEN), &url, &body.replace("993", "0")).await;
    assert_eq!(status, 400);
    assert!(text.contains("port"), "{text}");
    let (status, text) = put(
        Some(ADMIN_TOKEN),
        &url,
        &body.replace("\"tls\"", "\"ssl3\""),
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains("ssl3"), "{text}");

    // A restart on the same database keeps them.
    let config = relay.state.config.clone();
    relay.stop().await;
    let relay = Relay::start(config).await;
    let url = relay.url("/api/domains/inbox-doctor.test");
    let (status, text) = http_get(&url).await;
    assert_eq!(status, 200, "{text}");
    let record: inbox_doctor_errors::DomainRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(record.settings.imap.port, 993);
    assert!(record.settings.allow_insecure_cert);
    // The legacy plain token is the one named "admin"; the caller's note is only a note.
    assert_eq!(record.updated_by, "admin");

    let delete = ureq::delete(&url).set("Authorization", &format!("Bearer {ADMIN_TOKEN}"));
    assert_eq!(http(delete, None).await.0, 204);
    let changes = ureq::get(&relay.url("/api/domains/inbox-doctor.test/changes"))
        .set("Authorization", &format!("Bearer {ADMIN_TOKEN}"));
    let (status, text) = http(changes, None).await;
    assert_eq!(status, 200);
    let changes: Vec<inbox_doctor_errors::DomainChange> = serde_json::from_str(&text).unwrap();
    assert_eq!(changes.len(), 2, "{text}");
    assert_eq!(changes[0].action, "set");
    assert_eq!(
        (changes[0].client.as_str(), changes[0].note.as_deref()),
        ("127.0.0.1", Some("alice-admin"))
    );
    assert!(changes[0].before.is_none() && changes[0].after.is_some());
    assert_eq!(changes[1].action, "delete");
    assert!(changes[1].before.is_some() && changes[1].after.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn health_static_files_and_egress_addresses() {
    let h = Harness::start();
    let mut config = config_for(&h);
    config.egress.source_ipv4 = Some("127.0.0.1".parse().unwrap());
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>Inbox Doctor</title>",
    )
    .unwrap();
    config.static_dir = Some(ui.path().to_owned());
    let relay = Relay::start(config).await;
    assert_eq!(http_get(&relay.url("/healthz")).await, (200, "ok\n".into()));
    let (status, words) = http_get(&relay.url("/api/texts/de-AT")).await;
    assert_eq!(status, 200);
    let words: inbox_doctor_errors::TextBundle = serde_json::from_str(&words).unwrap();
    assert_eq!(
        words.category(inbox_doctor_errors::Category::Unauthorized),
        "Nicht autorisiert"
    );
    assert_eq!(http_get(&relay.url("/api/texts/fr")).await.0, 404);
    let (status, page) = http_get(&relay.url("/")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<title>Inbox Doctor</title>"));
    let (status, text) = http_get(&relay.url("/api/egress-ips")).await;
    assert_eq!(status, 200);
    let ips: inbox_doctor_errors::EgressIps = serde_json::from_str(&text).unwrap();
    assert_eq!(ips.ipv4, vec!["127.0.0.1".to_owned()]);
    assert!(ips.pinned);
    // Diagnoses connect from the pinned address.
    let mut req = request(&h, PASSWORD);
    req.send = false;
    req.roundtrip = false;
    let messages = relay.diagnose(&req).await;
    let Some(ServerMessage::Event(StepEvent::Report(report))) = messages.last() else {
        panic!("{messages:?}");
    };
    assert!(report
        .source_addresses
        .iter()
        .all(|s| s.local.ip().to_string() == "127.0.0.1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn relays_side_by_side_share_domain_settings_in_postgresql() {
    let h = Harness::start();
    let pg = inbox_doctor_tests::postgres::Postgres::start();
    let mut config = config_for(&h);
    config.domains.database = pg.url.clone();
    let one = Relay::start(config.clone()).await;
    let two = Relay::start(config.clone()).await;
    let body = r#"{"imap":{"host":"imap.inbox-doctor.test","port":143,"security":"starttls"},
                  "smtp":{"host":"smtp.inbox-doctor.test","port":465,"security":"tls"}}"#;
    let put = ureq::put(&one.url("/api/domains/inbox-doctor.test?force=true"))
        .set("Authorization", &format!("Bearer {ADMIN_TOKEN}"));
    let (status, text) = http(put, Some(body.into())).await;
    assert_eq!(status, 200, "{text}");
    // The other relay sees it at once, and a restarted one too.
    let (status, text) = http_get(&two.url("/api/domains/inbox-doctor.test")).await;
    assert_eq!(status, 200, "{text}");
    two.stop().await;
    one.stop().await;
    let three = Relay::start(config).await;
    let (status, text) = http_get(&three.url("/api/domains/inbox-doctor.test")).await;
    assert_eq!(status, 200, "{text}");
    let record: inbox_doctor_errors::DomainRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(record.settings.smtp.port, 465);
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_only_while_the_database_answers_and_alive_regardless() {
    let h = Harness::start();
    let pg = inbox_doctor_tests::postgres::Postgres::start();
    let mut config = config_for(&h);
    config.domains.database = pg.url.clone();
    let relay = Relay::start(config).await;
    assert_eq!(
        http_get(&relay.url("/readyz")).await,
        (200, "ready\n".to_owned())
    );
    drop(pg);
    assert_eq!(
        http_get(&relay.url("/readyz")).await,
        (503, "the database does not answer\n".to_owned())
    );
    // Alive all the same: restarting the relay would not bring the database back.
    assert_eq!(http_get(&relay.url("/healthz")).await.0, 200);
}
