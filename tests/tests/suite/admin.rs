//! Changing domain settings, the door that can send a domain's users anywhere: named tokens
//! kept as hashes, an audit trail that says who and from where, a client that keeps guessing
//! shut out, and one complete trail when relays write at once. Each test plays it through the
//! real relay (a process, or in-process over HTTP) and real SQLite and PostgreSQL.

use std::net::IpAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use inbox_doctor::config::admin_tokens::{AdminTokenEntry, TokenHash};
use inbox_doctor::config::Config;
use inbox_doctor::domains::{Author, DomainStore};
use inbox_doctor_errors::{DomainChange, DomainRecord, DomainSettings};
use inbox_doctor_tests::cli::binary;
use inbox_doctor_tests::postgres::Postgres;
use inbox_doctor_tests::relay::{http, http_get, Relay};
use inbox_doctor_tests::served::{admin_token, command, Reply, Served};

const DOMAIN: &str = "example.org";

fn settings(port: u16) -> String {
    format!(
        r#"{{"imap":{{"host":"imap.example.org","port":{port},"security":"tls"}},
            "smtp":{{"host":"smtp.example.org","port":587,"security":"starttls"}}}}"#
    )
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A relay configuration with JSON logs, its database in `dir`, and `tokens` (the lines
/// `inbox-doctor admin-token` printed).
fn config(dir: &tempfile::TempDir, tokens: &str) -> String {
    format!(
        "log_format = \"json\"\n[domains]\ndatabase = \"sqlite://{}\"\n{tokens}\n",
        dir.path().join("domains.db").display()
    )
}

async fn put(served: &Served, from: IpAddr, token: Option<&str>, note: Option<&str>) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    if let Some(note) = note {
        headers.push(("x-inbox-doctor-note", note));
    }
    served
        .request_from(
            from,
            "PUT",
            // Storage and its trail are what these tests are about: the servers are made up,
            // so the check that comes first is overridden.
            &format!("/api/domains/{DOMAIN}?force=true"),
            &headers,
            Some(&settings(993)),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_guessing_tokens_is_shut_out_before_its_token_is_looked_at_and_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let (token, lines) = admin_token("helpdesk");
    let served = Served::start(&config(&dir, &lines), &[]);
    let (guesser, other) = (ip("127.0.0.1"), ip("127.0.0.2"));
    const GUESS: &str = "a-guessed-token-7f3a9c1e5b";

    // Five wrong tokens: each refused as unauthorized, and counted.
    for _ in 0..5 {
        let reply = put(&served, guesser, Some(GUESS), None).await;
        assert_eq!(reply.status, 401, "{}", reply.body);
    }
    // The sixth is refused without being compared: even the right token is, now.
    let sixth = put(&served, guesser, Some(GUESS), None).await;
    assert_eq!(sixth.status, 429, "{}", sixth.body);
    assert!(sixth.body.contains("too_many_failures"), "{}", sixth.body);
    let wait: u64 = sixth
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=120).contains(&wait), "{wait}");
    let right = put(&served, guesser, Some(&token), None).await;
    assert_eq!(right.status, 429, "the right token is not even looked at");

    // Another client is not affected; a missing token counts against it like a wrong one.
    assert_eq!(put(&served, other, None, None).await.status, 401);
    let reply = put(&served, other, Some(&token), None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let (_, metrics) = http_get(&served.url("/metrics")).await;
    assert!(
        metrics.contains("inbox_doctor_admin_refusals_total{reason=\"unauthorized\"} 6"),
        "{metrics}"
    );
    assert!(
        metrics.contains("inbox_doctor_admin_refusals_total{reason=\"locked_out\"} 2"),
        "{metrics}"
    );

    // Every failure is in the log with the client and the domain; no token is anywhere in it.
    let logs = served.logs_when(|l| l.matches("admin request refused").count() >= 6);
    let refused: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("admin request refused"))
        .collect();
    assert_eq!(refused.len(), 6, "{logs}");
    assert_eq!(
        refused
            .iter()
            .filter(|l| l.contains("\"client\":\"127.0.0.1\"") && l.contains("\"token\":\"wrong\""))
            .count(),
        5,
        "{logs}"
    );
    assert!(refused
        .iter()
        .all(|l| l.contains("\"domain\":\"example.org\"")));
    assert!(refused
        .iter()
        .any(|l| l.contains("\"client\":\"127.0.0.2\"") && l.contains("\"token\":\"missing\"")));
    for secret in [GUESS, token.as_str()] {
        assert!(!logs.contains(secret), "a token reached the log:\n{logs}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_change_names_its_token_and_client_through_the_api_and_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (token, lines) = admin_token("helpdesk");
    const LEGACY: &str = "legacy-plain-token-0123456789";
    let served = Served::start(
        &config(&dir, &lines),
        &[("INBOX_DOCTOR_ADMIN_TOKEN", LEGACY)],
    );
    assert!(
        served.logs().contains("deprecated"),
        "the plain token is warned about:\n{}",
        served.logs()
    );

    let reply = put(&served, ip("127.0.0.3"), Some(&token), Some("ticket 42")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let save: inbox_doctor_errors::DomainSave = serde_json::from_str(&reply.body).unwrap();
    assert!(save.saved && save.forced, "{}", reply.body);
    let stored = served
        .request_from(
            ip("127.0.0.3"),
            "GET",
            &format!("/api/domains/{DOMAIN}"),
            &[],
            None,
        )
        .await;
    let record: DomainRecord = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(record.updated_by, "helpdesk");
    // The old actor header names no one now: what it says is kept as the caller's note.
    let legacy = served
        .request_from(
            ip("127.0.0.4"),
            "PUT",
            &format!("/api/domains/{DOMAIN}?force=true"),
            &[
                ("Authorization", &format!("Bearer {LEGACY}")),
                ("x-inbox-doctor-actor", "the-ceo"),
            ],
            Some(&settings(143)),
        )
        .await;
    assert_eq!(legacy.status, 200, "{}", legacy.body);

    // The command line, beside the running relay, on the same database.
    let (code, _, err) = command(
        &served.config,
        &[
            "domains",
            "set",
            DOMAIN,
            "--force",
            "--imap",
            "imap.example.org:995",
            "--imap-security",
            "tls",
            "--smtp",
            "smtp.example.org:587",
            "--smtp-security",
            "starttls",
        ],
        &[("USER", "ops-alice")],
    );
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = command(&served.config, &["domains", "changes", DOMAIN], &[]);
    assert_eq!(code, 0, "{err}");
    let from_cli: Vec<DomainChange> = serde_json::from_str(&out).unwrap();
    let trail: Vec<(&str, &str, Option<&str>)> = from_cli
        .iter()
        .map(|c| (c.actor.as_str(), c.client.as_str(), c.note.as_deref()))
        .collect();
    assert_eq!(
        trail,
        [
            ("helpdesk", "127.0.0.3", Some("ticket 42")),
            ("admin", "127.0.0.4", Some("the-ceo")),
            ("cli:ops-alice", "cli:ops-alice", None),
        ]
    );
    assert_eq!(
        from_cli.iter().map(|c| c.seq).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    for pair in from_cli.windows(2) {
        assert_eq!(pair[1].before, pair[0].after);
    }

    // The API shows the same trail.
    let reply = served
        .request_from(
            ip("127.0.0.3"),
            "GET",
            &format!("/api/domains/{DOMAIN}/changes"),
            &[("Authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let from_api: Vec<DomainChange> = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(from_api, from_cli);

    let logs = served.logs_when(|l| l.contains("domain settings changed"));
    assert!(
        logs.lines().any(|l| l.contains("domain settings changed")
            && l.contains("\"actor\":\"helpdesk\"")
            && l.contains("\"client\":\"127.0.0.3\"")),
        "{logs}"
    );
    for secret in [token.as_str(), LEGACY] {
        assert!(!logs.contains(secret), "a token reached the log:\n{logs}");
    }
}

/// Two relays on one database, `WRITES` changes at once across three domains: one number
/// each, none lost, and each domain's trail a chain (every change's "before" is the previous
/// one's "after").
async fn concurrent_changes_make_one_complete_trail(database: String) {
    const TOKEN: &str = "sync-token-for-the-concurrency-test";
    const WRITES: u16 = 36;
    const DOMAINS: [&str; 3] = ["a.example", "b.example", "c.example"];
    let mut config = Config::default();
    config.domains.database = database;
    config.domains.admin_tokens = vec![AdminTokenEntry {
        name: "sync".into(),
        sha256: TokenHash::of(TOKEN).to_hex(),
    }];
    let relays = [
        Relay::start(config.clone()).await,
        Relay::start(config).await,
    ];
    let writes: Vec<_> = (0..WRITES)
        .map(|i| {
            let url = relays[usize::from(i) % 2].url(&format!(
                "/api/domains/{}?force=true",
                DOMAINS[usize::from(i) % 3]
            ));
            let put = ureq::put(&url).set("Authorization", &format!("Bearer {TOKEN}"));
            tokio::spawn(http(put, Some(settings(1000 + i))))
        })
        .collect();
    for write in writes {
        let (status, text) = write.await.unwrap();
        assert_eq!(status, 200, "{text}");
    }

    let mut seqs = Vec::new();
    let mut ports = Vec::new();
    for domain in DOMAINS {
        let get = ureq::get(&relays[0].url(&format!("/api/domains/{domain}/changes")))
            .set("Authorization", &format!("Bearer {TOKEN}"));
        let (status, text) = http(get, None).await;
        assert_eq!(status, 200, "{text}");
        let trail: Vec<DomainChange> = serde_json::from_str(&text).unwrap();
        assert_eq!(trail.len(), usize::from(WRITES) / 3, "{domain}: {text}");
        assert_eq!(trail[0].before, None, "{domain}");
        for pair in trail.windows(2) {
            assert!(pair[0].seq < pair[1].seq);
            assert_eq!(pair[1].before, pair[0].after, "{domain}: a change was lost");
        }
        seqs.extend(trail.iter().map(|c| c.seq));
        ports.extend(
            trail
                .iter()
                .map(|c| c.after.as_ref().map(|s: &DomainSettings| s.imap.port)),
        );
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        usize::from(WRITES),
        "numbers taken twice: {seqs:?}"
    );
    ports.sort_unstable();
    let expected: Vec<_> = (0..WRITES).map(|i| Some(1000 + i)).collect();
    assert_eq!(ports, expected, "every write is in the trail once");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_changes_through_two_relays_on_postgresql_make_one_complete_trail() {
    let pg = Postgres::start();
    concurrent_changes_make_one_complete_trail(pg.url.clone()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_changes_through_two_relays_on_one_sqlite_file_make_one_complete_trail() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_changes_make_one_complete_trail(format!(
        "sqlite://{}",
        dir.path().join("shared.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_old_postgresql_trail_with_a_number_taken_twice_is_renumbered_in_its_order() {
    let pg = Postgres::start();
    let after = |port: u16| settings(port).replace(['\n', ' '], "");
    // The schema as migration 1 left it, with two changes that both took number 2.
    let sql = format!(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY);\n{}\n\
         INSERT INTO schema_migrations (version) VALUES (1);\n\
         INSERT INTO domain_changes (seq, domain, at, actor, action, after_settings) VALUES \
         (1, 'a.example', '2026-01-01T00:00:00Z', 'ops', 'set', '{}'), \
         (2, 'a.example', '2026-01-01T00:00:01Z', 'ops', 'set', '{}'), \
         (2, 'b.example', '2026-01-01T00:00:01Z', 'ops', 'set', '{}');",
        include_str!("../../../relay/migrations/001_domains.sql"),
        after(1),
        after(2),
        after(3)
    );
    let out = Command::new("psql")
        .args([pg.url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", &sql])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let store = DomainStore::open(&pg.url).await.unwrap();
    let seqs = |trail: Vec<DomainChange>| trail.iter().map(|c| c.seq).collect::<Vec<_>>();
    assert_eq!(seqs(store.changes("a.example").await.unwrap()), [1, 2]);
    assert_eq!(seqs(store.changes("b.example").await.unwrap()), [3]);
    // New changes are numbered by the database, after the old ones.
    let author = Author {
        actor: "helpdesk".into(),
        client: "192.0.2.7".into(),
        note: None,
    };
    let s: DomainSettings = serde_json::from_str(&settings(4)).unwrap();
    store
        .set(
            "b.example",
            &s,
            &author,
            &inbox_doctor::domains::Change::set(),
        )
        .await
        .unwrap();
    let trail = store.changes("b.example").await.unwrap();
    assert_eq!(trail.iter().map(|c| c.seq).collect::<Vec<_>>(), [3, 4]);
    assert_eq!(trail[1].client, "192.0.2.7");
    // A second relay starting on the migrated database migrates nothing again.
    DomainStore::open(&pg.url).await.unwrap();
}

#[test]
fn a_token_where_its_hash_belongs_keeps_the_relay_from_starting_and_is_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let not_hex = "g".repeat(64);
    for (sha256, why) in [
        ("plain-admin-token-5e1f0c2a9d", "is it the token itself?"),
        (not_hex.as_str(), "some are not hex digits"),
    ] {
        let file = dir.path().join("relay.toml");
        std::fs::write(
            &file,
            format!(
                "[domains]\ndatabase = \"sqlite://{}\"\n\
                 [[domains.admin_tokens]]\nname = \"helpdesk\"\nsha256 = \"{sha256}\"\n",
                dir.path().join("d.db").display()
            ),
        )
        .unwrap();
        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("the relay started with a token where its hash belongs");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("domains.admin_tokens \"helpdesk\"")
                && err.contains(why)
                && err.contains("inbox-doctor admin-token helpdesk"),
            "{err}"
        );
        assert!(!err.contains(sha256), "the value is repeated: {err}");
    }
}
