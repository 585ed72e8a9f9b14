//! Domain settings checked before they are stored, against the harness's real Dovecot: a good
//! change is saved with its diff, a broken one is refused with its failure named as a
//! diagnosis names it and then stored only when forced (which the trail records), a dry run
//! changes nothing, and an earlier version comes back checked and audited — through the API
//! and the command line.

use inbox_doctor_errors::{DomainChange, DomainCheck, DomainSave};
use inbox_doctor_tests::net::free_port;
use inbox_doctor_tests::relay::{config_for, http, http_get, Relay, ADMIN_TOKEN};
use inbox_doctor_tests::served::command;
use inbox_doctor_tests::Harness;
use serde_json::json;

const DOMAIN: &str = "inbox-doctor.test";

/// Settings for the harness: IMAP on `imap_host:imap_port` in `imap_security`, submission with
/// STARTTLS.
fn settings(
    h: &Harness,
    imap_host: &str,
    imap_port: u16,
    imap_security: &str,
) -> serde_json::Value {
    json!({
        "imap": { "host": imap_host, "port": imap_port, "security": imap_security },
        "smtp": { "host": "127.0.0.1", "port": h.dovecot.submission, "security": "starttls" },
    })
}

async fn send(relay: &Relay, method: &str, path: &str, body: &serde_json::Value) -> (u16, String) {
    let request = ureq::request(method, &relay.url(path))
        .set("authorization", &format!("Bearer {ADMIN_TOKEN}"))
        .set("content-type", "application/json");
    http(request, Some(body.to_string())).await
}

fn save_of(text: &str) -> DomainSave {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_are_checked_diffed_forced_only_on_purpose_and_revertible() {
    let h = Harness::start();
    let closed = free_port();
    let mut config = config_for(&h);
    config.egress.ports.push(closed);
    let relay = Relay::start(config).await;
    let path = format!("/api/domains/{DOMAIN}");

    // A good change: both sides answer as configured; saved, every field new.
    let good = settings(&h, "127.0.0.1", h.dovecot.imaps, "tls");
    let (status, text) = send(&relay, "PUT", &path, &good).await;
    assert_eq!(status, 200, "{text}");
    let save = save_of(&text);
    assert!(save.saved && !save.forced && save.check.passed(), "{text}");
    assert_eq!(save.changes.len(), 8, "a first setting changes every field");
    assert_eq!(save.check.imap.outcome.code(), "confirmed");

    // A closed port: refused, named as a diagnosis names it; nothing stored.
    let broken = settings(&h, "127.0.0.1", closed, "tls");
    let (status, text) = send(&relay, "PUT", &path, &broken).await;
    assert_eq!(status, 422, "{text}");
    let save = save_of(&text);
    assert!(!save.saved, "{text}");
    let failure = save.check.imap.failure.expect("IMAP failed");
    assert_eq!(
        (failure.category.code(), failure.cause.code()),
        ("imap_settings_incorrect", "connection_refused")
    );
    assert!(save.check.smtp.passed(), "{text}");
    assert_eq!(save.changes.len(), 1, "only the port: {:?}", save.changes);
    assert_eq!(save.changes[0].field, "imap.port");
    let (_, stored) = http_get(&relay.url(&path)).await;
    assert!(
        stored.contains(&format!("\"port\":{}", h.dovecot.imaps)),
        "{stored}"
    );

    // A dry run of the same: the check and the diff, nothing stored, and no refusal.
    let (status, text) = send(
        &relay,
        "PUT",
        &format!("{path}?dry_run=true&force=true"),
        &broken,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let save = save_of(&text);
    assert!(save.dry_run && !save.saved, "{text}");

    // Forced: stored, and the trail says what it was stored past.
    let (status, text) = send(&relay, "PUT", &format!("{path}?force=true"), &broken).await;
    assert_eq!(status, 200, "{text}");
    assert!(save_of(&text).forced, "{text}");

    // Other failures, each in a diagnosis's words.
    for (imap, cause) in [
        // A certificate nobody vouches for (the harness's self-signed one on 127.0.0.2).
        (
            settings(&h, "127.0.0.2", h.dovecot.imaps, "tls"),
            "certificate_self_signed",
        ),
        // Implicit TLS spoken to a STARTTLS port.
        (
            settings(&h, "127.0.0.1", h.dovecot.imap, "tls"),
            "tls_mode_mismatch",
        ),
        // An SMTP server where IMAP was named.
        (
            settings(&h, "127.0.0.1", h.dovecot.submission, "starttls"),
            "not_imap_server",
        ),
    ] {
        let (status, text) = send(&relay, "POST", &format!("{path}/check"), &imap).await;
        assert_eq!(status, 200, "{text}");
        let checked: DomainCheck = serde_json::from_str(&text).unwrap();
        assert_eq!(
            checked.imap.failure.map(|f| f.cause.code()),
            Some(cause),
            "{text}"
        );
    }
    // The self-signed certificate is accepted where the settings say so.
    let mut allowed = settings(&h, "127.0.0.2", h.dovecot.imaps, "tls");
    allowed["allow_insecure_cert"] = json!(true);
    let (_, text) = send(&relay, "POST", &format!("{path}/check"), &allowed).await;
    let checked: DomainCheck = serde_json::from_str(&text).unwrap();
    assert!(checked.passed(), "{text}");

    // Back to the first version: checked (it passes) and audited as a revert.
    let trail = |text: &str| -> Vec<DomainChange> { serde_json::from_str(text).unwrap() };
    let (_, text) = send(&relay, "GET", &format!("{path}/changes"), &json!(null)).await;
    let changes = trail(&text);
    assert_eq!(
        changes
            .iter()
            .map(|c| c.forced_past.as_deref())
            .collect::<Vec<_>>(),
        [None, Some("imap: connection_refused")]
    );
    let first = changes[0].seq;
    let (status, text) = send(
        &relay,
        "POST",
        &format!("{path}/revert"),
        &json!({ "seq": first }),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let save = save_of(&text);
    assert!(save.saved && save.check.passed(), "{text}");
    assert_eq!(save.changes[0].field, "imap.port");
    let (_, text) = send(&relay, "GET", &format!("{path}/changes"), &json!(null)).await;
    let changes = trail(&text);
    let last = changes.last().unwrap();
    assert_eq!(last.action, "revert");
    assert_eq!(last.after, changes[0].after);
    // A version that does not exist is named.
    let (status, text) = send(
        &relay,
        "POST",
        &format!("{path}/revert"),
        &json!({ "seq": 999 }),
    )
    .await;
    assert_eq!(
        (status, text.contains("no_such_version")),
        (404, true),
        "{text}"
    );
}

#[test]
fn the_command_line_refuses_a_broken_change_unless_forced_and_shows_the_diff() {
    let h = Harness::start();
    let config = h.dir.path().join("changes-relay.toml");
    std::fs::write(
        &config,
        format!(
            "[domains]\ndatabase = \"sqlite://{}\"\n[engine]\nca_files = [\"{}\"]\n",
            h.dir.path().join("changes.db").display(),
            h.ca()
        ),
    )
    .unwrap();
    let set = |imap_port: u16, extra: &[&str]| {
        let imap = format!("127.0.0.1:{imap_port}");
        let smtp = format!("127.0.0.1:{}", h.dovecot.submission);
        let mut args = vec![
            "domains",
            "set",
            DOMAIN,
            "--imap",
            &imap,
            "--imap-security",
            "tls",
            "--smtp",
            &smtp,
            "--smtp-security",
            "starttls",
        ];
        args.extend(extra);
        command(&config, &args, &[("USER", "ops")])
    };
    let (code, out, err) = set(h.dovecot.imaps, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("saved. Every mailbox of inbox-doctor.test"),
        "{out}"
    );

    let closed = free_port();
    let (code, out, _) = set(closed, &["--dry-run"]);
    assert_eq!(code, 1, "a dry run of a broken change fails: {out}");
    assert!(out.contains("Dry run: nothing was stored."), "{out}");
    assert!(
        out.contains(&format!("imap.port: {} → {closed}", h.dovecot.imaps)),
        "{out}"
    );
    let (code, out, _) = set(closed, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "Connection refused (port closed) (imap_settings_incorrect / connection_refused)"
        ),
        "{out}"
    );
    assert!(out.contains("NOT saved"), "{out}");
    let (code, out, _) = set(closed, &["--force"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("saved although the check failed (--force)"),
        "{out}"
    );

    // The stored (broken) settings, checked again; then the first version back.
    let (code, out, _) = command(&config, &["domains", "check", DOMAIN], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("connection_refused"), "{out}");
    let (_, out, _) = command(&config, &["domains", "changes", DOMAIN], &[]);
    let changes: Vec<DomainChange> = serde_json::from_str(&out).unwrap();
    let seq = changes[0].seq.to_string();
    let (code, out, err) = command(&config, &["domains", "revert", DOMAIN, &seq, "--json"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let save: DomainSave = serde_json::from_str(&out).unwrap();
    assert!(save.saved && save.check.passed());
    assert_eq!(save.check.imap.server.port, h.dovecot.imaps);
    assert_eq!(save.changes[0].field, "imap.port");
}
