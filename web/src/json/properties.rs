//! Property tests of the page's decoder ([`super::decode`]), on the host: it never panics on
//! any text, reads back every wire value the relay writes (serde_json is the relay's encoder,
//! so its text is exactly what the page gets), agrees with serde_json on damaged real messages,
//! and keeps its depth bound.
//!
//! [`super::encode`] goes through the browser's `JSON.stringify` and cannot run here; the
//! page's one encoded message, `start`, is decoded by the relay with serde_json, not by this
//! decoder.

use std::net::{IpAddr, SocketAddr};

use inbox_doctor_errors::{
    AdminNote, AppPassword, Candidate, CertVerdict, Certificate, ClientMessage, Delivery,
    DiagnosisRequest, Direction, Discovery, DomainRecord, Endpoint, ErrorCode, Fact, Failure,
    Finding, Lang, Outcome, ProbeOutcome, ProtocolError, Provider, RelayInfo, Report, Secret,
    Security, ServerMessage, ServerSettings, SessionCheck, Side, SkipReason, Source, SourceAddress,
    StepEvent, StepId, StepResult, StepStatus, TextBundle, TlsReport, TlsSides, TranscriptLine,
    Validation, Warning,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

use super::{decode, MAX_DEPTH};

/// `default` cases per property, so the suite stays within seconds in a debug build;
/// `PROPTEST_CASES` replaces it for a longer run.
fn config(default: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config
}

/// Real messages: the report every panel reads, and the small ones of the decoder's tests.
const SEEDS: [&str; 6] = [
    super::tests::REPORT,
    r#"{"event":{"started":{"step":"imap.connect","started_ms":3}}}"#,
    r#"{"event":{"finished":{"step":"imap.connect","status":"passed","started_ms":3,"elapsed_ms":41,"evidence":[{"name":"address","value":"192.0.2.7:993"}]}}}"#,
    r#"{"event":{"warning":{"cause":"weak_tls_accepted","side":"imap","step":"imap.tls","detail":"TLSv1.0","explanation":"x","remediation":["y"]}}}"#,
    r#" { "cancelled" : { } } "#,
    r#"{"error":{"code":"busy","message":"Try again."}}"#,
];

// ---------------------------------------------------------------------- damaged text

#[derive(Clone, Debug)]
enum Edit {
    Cut(Index, usize),
    Insert(Index, String),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let insertion = prop_oneof![
        4 => prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud83d", "\\udc00", "null", "-",
            "0", "01", "-0", "1.5", "1e3", "18446744073709551616", " ", "\n", "\t", "\u{1}",
            "\"x\":1,", "{\"x\":[[[]]]},", "ø", "😀", "\\b", "\\f", "\\n", "\\r",
            "\\t", "\\/", "\\\"", "\\\\", "\\u00e6", "\\ud83d\\ude00", "\\U00e6",
        ])
        .prop_map(str::to_owned),
        1 => "[ -~]{1,8}",
        1 => any::<String>(),
    ];
    prop_oneof![
        (any::<Index>(), 1..16usize).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<Index>(), insertion).prop_map(|(at, s)| Edit::Insert(at, s)),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for edit in edits {
        let len = chars.len();
        let at = |i: &Index| i.index(len + 1);
        match edit {
            Edit::Cut(i, n) => {
                let from = at(i);
                chars.drain(from..(from + n).min(len));
            }
            Edit::Insert(i, s) => {
                let from = at(i);
                chars.splice(from..from, s.chars());
            }
            Edit::Truncate(i) => chars.truncate(at(i)),
        }
    }
    chars.into_iter().collect()
}

/// Real messages with up to three edits.
fn damaged() -> impl Strategy<Value = String> {
    (
        prop::sample::select(SEEDS.to_vec()),
        prop::collection::vec(edit(), 0..3),
    )
        .prop_map(|(seed, edits)| apply(seed, &edits))
}

// ------------------------------------------------------------------------ wire values

/// Strings with what JSON escapes (quotes, backslashes, control characters) and what it
/// need not (`/`, DEL, line separators, astral characters).
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '"', '\\', '/', '\u{8}', '\u{c}', '\n', '\r', '\t', '\0', '\u{1f}', '\u{7f}', '\u{2028}',
        '\u{ffff}', 'ø', '😀',
    ]);
    let c = prop_oneof![2 => special, 1 => any::<char>(), 2 => proptest::char::range(' ', '~')];
    prop_oneof![
        3 => "[ -~]{0,12}",
        2 => prop::collection::vec(c, 0..16).prop_map(|c| c.into_iter().collect()),
        1 => any::<String>(),
    ]
}

fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

fn few<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(s, 0..3)
}

fn side() -> impl Strategy<Value = Side> {
    prop::sample::select(vec![Side::Imap, Side::Smtp])
}

fn security() -> impl Strategy<Value = Security> {
    prop::sample::select(Security::ALL)
}

fn step() -> impl Strategy<Value = StepId> {
    prop::sample::select(StepId::ALL)
}

fn settings() -> BoxedStrategy<ServerSettings> {
    (text(), any::<u16>(), security())
        .prop_map(|(host, port, security)| ServerSettings {
            host,
            port,
            security,
        })
        .boxed()
}

fn candidate() -> BoxedStrategy<Candidate> {
    (
        side(),
        text(),
        any::<u16>(),
        security(),
        few(prop::sample::select(Source::ALL)),
        prop::sample::select(ProbeOutcome::ALL),
        opt(text()),
    )
        .prop_map(
            |(side, host, port, security, sources, outcome, detail)| Candidate {
                side,
                host,
                port,
                security,
                sources,
                outcome,
                detail,
            },
        )
        .boxed()
}

fn provider() -> BoxedStrategy<Provider> {
    (
        (text(), text(), text()),
        prop::sample::select(AppPassword::ALL),
        opt(text()),
        any::<bool>(),
        opt(text()),
        opt(prop::sample::select(AdminNote::ALL)),
        opt(text()),
    )
        .prop_map(
            |(
                (id, name, matched_by),
                app_password,
                app_password_url,
                oauth_only,
                imap_switch_url,
                admin_note,
                help_url,
            )| {
                Provider {
                    id,
                    name,
                    matched_by,
                    app_password,
                    app_password_url,
                    oauth_only,
                    imap_switch_url,
                    admin_note,
                    help_url,
                }
            },
        )
        .boxed()
}

fn failure() -> BoxedStrategy<Failure> {
    (
        (
            prop::sample::select(inbox_doctor_errors::Category::ALL),
            prop::sample::select(inbox_doctor_errors::Cause::ALL),
            step(),
        ),
        (opt(text()), opt(text())),
        (text(), text(), few(text())),
        (opt(settings()), opt(candidate()), opt(provider())),
    )
        .prop_map(
            |(
                (category, cause, step),
                (server_reply, detail),
                (title, explanation, remediation),
                (entered, alternative, provider),
            )| {
                Failure {
                    category,
                    cause,
                    step,
                    server_reply,
                    detail,
                    title,
                    explanation,
                    remediation,
                    entered,
                    alternative,
                    provider,
                }
            },
        )
        .boxed()
}

fn warning() -> BoxedStrategy<Warning> {
    (
        prop::sample::select(inbox_doctor_errors::Cause::ALL),
        side(),
        step(),
        opt(text()),
        (opt(finding()), opt(text())),
        text(),
        few(text()),
    )
        .prop_map(
            |(cause, side, step, detail, (finding, server_reply), explanation, remediation)| {
                Warning {
                    cause,
                    side,
                    step,
                    detail,
                    finding,
                    server_reply,
                    explanation,
                    remediation,
                }
            },
        )
        .boxed()
}

fn finding() -> BoxedStrategy<Finding> {
    prop_oneof![
        few(text()).prop_map(|capabilities| Finding::CapabilitiesMissing { capabilities }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(allowed, wanted)| Finding::Sessions { allowed, wanted }),
        any::<i64>().prop_map(|days| Finding::ExpiresIn { days }),
        text().prop_map(|version| Finding::AlsoAccepts { version }),
        text().prop_map(|mechanisms| Finding::OfferedInClear { mechanisms }),
    ]
    .boxed()
}

fn step_result() -> BoxedStrategy<StepResult> {
    (
        step(),
        prop::sample::select(StepStatus::ALL),
        any::<u64>(),
        any::<u64>(),
        few((text(), text()).prop_map(|(n, v)| Fact::new(n, v))),
        opt(failure()),
        opt(prop::sample::select(SkipReason::ALL)),
    )
        .prop_map(
            |(step, status, started_ms, elapsed_ms, evidence, failure, skipped_because)| {
                StepResult {
                    step,
                    status,
                    started_ms,
                    elapsed_ms,
                    evidence,
                    failure,
                    skipped_because,
                }
            },
        )
        .boxed()
}

fn endpoint() -> BoxedStrategy<Endpoint> {
    (text(), any::<u16>(), security(), opt(security()), text())
        .prop_map(|(host, port, security, security_used, username)| Endpoint {
            host,
            port,
            security,
            security_used,
            username,
        })
        .boxed()
}

fn certificate() -> BoxedStrategy<Certificate> {
    (
        (text(), text(), few(text())),
        (text(), text(), text()),
        any::<bool>(),
        text(),
    )
        .prop_map(
            |((subject, issuer, sans), (not_before, not_after, key), self_signed, sha256)| {
                Certificate {
                    subject,
                    issuer,
                    sans,
                    not_before,
                    not_after,
                    key,
                    self_signed,
                    sha256,
                }
            },
        )
        .boxed()
}

fn tls_report() -> BoxedStrategy<TlsReport> {
    (
        security(),
        (opt(text()), opt(text())),
        few(certificate()),
        prop::sample::select(CertVerdict::ALL),
        opt(text()),
        any::<bool>(),
        opt(text()),
    )
        .prop_map(
            |(
                mode,
                (version, cipher_suite),
                chain,
                verdict,
                verdict_detail,
                insecure_allowed,
                legacy_version_accepted,
            )| {
                TlsReport {
                    mode,
                    version,
                    cipher_suite,
                    chain,
                    verdict,
                    verdict_detail,
                    insecure_allowed,
                    legacy_version_accepted,
                }
            },
        )
        .boxed()
}

fn validation() -> BoxedStrategy<Validation> {
    (
        few(text()),
        any::<bool>(),
        opt(any::<u32>()),
        (opt(text()), opt(text())),
        few(text()),
        opt(
            (any::<u32>(), any::<u32>(), opt(text())).prop_map(|(target, allowed, refusal)| {
                SessionCheck {
                    target,
                    allowed,
                    refusal,
                }
            }),
        ),
    )
        .prop_map(
            |(
                mailboxes,
                inbox_selectable,
                inbox_messages,
                (sent_folder, sent_found_by),
                capabilities,
                sessions,
            )| Validation {
                mailboxes,
                inbox_selectable,
                inbox_messages,
                sent_folder,
                sent_found_by,
                capabilities,
                sessions,
            },
        )
        .boxed()
}

fn address() -> impl Strategy<Value = SocketAddr> {
    // Scope and flow of an IPv6 address do not travel in its text form.
    (any::<IpAddr>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::new(ip, port))
}

fn report() -> BoxedStrategy<Report> {
    (
        (
            any::<u32>(),
            prop::sample::select(vec![Outcome::Passed, Outcome::Failed]),
            text(),
            text(),
        ),
        (endpoint(), endpoint(), any::<u64>()),
        (
            few(step_result()),
            opt(failure()),
            few(failure()),
            few(warning()),
        ),
        (opt(tls_report()), opt(tls_report()), opt(validation())),
        opt((text(), text(), opt(any::<u64>())).prop_map(
            |(message_id, recipient, delivered_after_ms)| Delivery {
                message_id,
                recipient,
                delivered_after_ms,
            },
        )),
        few(
            (side(), address(), address()).prop_map(|(side, local, remote)| SourceAddress {
                side,
                local,
                remote,
            }),
        ),
        few((
            side(),
            any::<u64>(),
            prop::sample::select(vec![Direction::Client, Direction::Server, Direction::Event]),
            text(),
        )
            .prop_map(|(side, at_ms, dir, text)| TranscriptLine {
                side,
                at_ms,
                dir,
                text,
            })),
    )
        .prop_map(
            |(
                (schema, outcome, email, lang),
                (imap, smtp, elapsed_ms),
                (steps, failure, failures, warnings),
                (tls_imap, tls_smtp, validation),
                delivery,
                source_addresses,
                transcript,
            )| Report {
                schema,
                outcome,
                email,
                lang,
                imap,
                smtp,
                elapsed_ms,
                steps,
                failure,
                failures,
                warnings,
                tls: TlsSides {
                    imap: tls_imap,
                    smtp: tls_smtp,
                },
                validation,
                delivery,
                source_addresses,
                transcript,
            },
        )
        .boxed()
}

fn server_message() -> BoxedStrategy<ServerMessage> {
    prop_oneof![
        (step(), any::<u64>()).prop_map(|(step, started_ms)| ServerMessage::Event(
            StepEvent::Started { step, started_ms }
        )),
        step_result().prop_map(|r| ServerMessage::Event(StepEvent::Finished(r))),
        warning().prop_map(|w| ServerMessage::Event(StepEvent::Warning(w))),
        report().prop_map(|r| ServerMessage::Event(StepEvent::Report(r))),
        Just(ServerMessage::Cancelled {}),
        (prop::sample::select(ErrorCode::ALL), text())
            .prop_map(|(code, message)| ServerMessage::Error(ProtocolError { code, message })),
    ]
    .boxed()
}

fn request() -> BoxedStrategy<DiagnosisRequest> {
    (
        (text(), text().prop_map(Secret::new), opt(text())),
        (settings(), settings()),
        (opt(text()), opt(text().prop_map(Secret::new))),
        (any::<bool>(), opt(text()), any::<bool>(), any::<bool>()),
        (prop::sample::select(Lang::ALL.to_vec()), any::<u32>()),
    )
        .prop_map(
            |(
                (email, password, username),
                (imap, smtp),
                (smtp_username, smtp_password),
                (allow_insecure_cert, test_recipient, send, roundtrip),
                (lang, session_target),
            )| DiagnosisRequest {
                email,
                password,
                username,
                imap,
                smtp,
                smtp_username,
                smtp_password,
                allow_insecure_cert,
                test_recipient,
                send,
                roundtrip,
                lang,
                session_target,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------- checks

/// Whether a JSON value holds a number that is not an integer (`-0` counts: serde_json reads
/// it as a float).
fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(items) => items.iter().any(has_float),
        serde_json::Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The decoder and serde_json agree on a message: the same value when serde_json reads one
/// (within our depth bound), and when only we read one, the text is not plain integer JSON
/// (we are lenient with numbers serde_json refuses: `01`, `-0`, and in skipped fields).
fn agrees(text: &str) -> Result<(), TestCaseError> {
    let ours = decode::<ServerMessage>(text);
    let value = serde_json::from_str::<serde_json::Value>(text);
    match serde_json::from_str::<ServerMessage>(text) {
        Ok(theirs) => {
            if value.as_ref().is_ok_and(|v| depth(v) <= MAX_DEPTH) {
                prop_assert_eq!(ours, Some(theirs), "{}", text);
            }
        }
        Err(e) => {
            if let Some(ours) = ours {
                let lenient = value.as_ref().map_or(true, has_float);
                prop_assert!(lenient, "only we read {text}: {ours:?} (serde_json: {e})");
            }
        }
    }
    Ok(())
}

/// Every character as a `\u` escape, astral ones as surrogate pairs.
fn escaped(s: &str) -> String {
    let mut out = String::from("\"");
    for unit in s.encode_utf16() {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn any_text_is_decoded_or_refused_without_a_panic(text in prop_oneof![damaged(), any::<String>()]) {
        let _ = decode::<ServerMessage>(&text);
        let _ = decode::<Report>(&text);
        let _ = decode::<DiagnosisRequest>(&text);
        let _ = decode::<ClientMessage>(&text);
        let _ = decode::<RelayInfo>(&text);
        let _ = decode::<Discovery>(&text);
        let _ = decode::<DomainRecord>(&text);
        let _ = decode::<TextBundle>(&text);
        if let Some(v) = decode::<serde_json::Value>(&text) {
            // What we read as JSON, we read the same again from serde_json's writing of it.
            prop_assert_eq!(decode::<serde_json::Value>(&v.to_string()), Some(v));
        }
    }

    #[test]
    fn damaged_messages_are_read_as_serde_json_reads_them(text in damaged()) {
        agrees(&text)?;
    }

    #[test]
    fn every_message_the_relay_writes_reads_back(message in server_message(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&message)
        } else {
            serde_json::to_string(&message)
        }
        .expect("a message serializes");
        prop_assert_eq!(decode::<ServerMessage>(&text), Some(message));
        agrees(&text)?;
    }

    #[test]
    fn a_start_message_reads_back(request in request(), version in any::<u32>()) {
        let message = ClientMessage::Start { version, request };
        let text = serde_json::to_string(&message).expect("a message serializes");
        prop_assert_eq!(decode::<ClientMessage>(&text), Some(message));
    }

    #[test]
    fn any_string_reads_back_from_escapes(s in text(), raw in any::<bool>()) {
        let text = if raw { serde_json::to_string(&s).expect("a string") } else { escaped(&s) };
        prop_assert_eq!(decode::<String>(&text), Some(s));
    }

    /// Nesting is read up to the bound and refused past it, in a value and in a skipped field.
    #[test]
    fn nesting_is_bounded(levels in 1..(3 * MAX_DEPTH)) {
        let nested = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        prop_assert_eq!(decode::<serde_json::Value>(&nested).is_some(), levels <= MAX_DEPTH);
        // The message and its `cancelled` object take two levels.
        let skipped = format!(r#"{{"cancelled":{{"x":{nested}}}}}"#);
        prop_assert_eq!(decode::<ServerMessage>(&skipped).is_some(), levels + 2 <= MAX_DEPTH);
    }
}

/// The seeds, read as serde_json reads them; a nesting far past the bound is refused without
/// exhausting the stack.
#[test]
fn every_seed_is_read_and_deep_text_is_refused() {
    for seed in SEEDS {
        assert!(decode::<ServerMessage>(seed).is_some(), "{seed}");
        agrees(seed).unwrap_or_else(|e| panic!("{e}"));
    }
    let deep = "[".repeat(1_000_000);
    assert_eq!(decode::<serde_json::Value>(&deep), None);
    assert_eq!(
        decode::<ServerMessage>(&format!(r#"{{"cancelled":{{"x":{deep}"#)),
        None
    );
}
