//! Several relays on one PostgreSQL, as a deployment with replicas runs them: what protects
//! third parties (the refused-login limits) and what administrators set (domain settings) is
//! one state for all of them.

use inbox_doctor_errors::ErrorCode;
use inbox_doctor_tests::mail::guess;
use inbox_doctor_tests::postgres::Postgres;
use inbox_doctor_tests::relay::{config_for, http, Relay, ADMIN_TOKEN};
use inbox_doctor_tests::Harness;

/// Two relays on `pg`, each with its own limits table in memory were it not shared.
async fn two_relays(h: &Harness, pg: &Postgres) -> (Relay, Relay) {
    let relay = || {
        let mut c = config_for(h);
        c.domains.database = pg.url.clone();
        c.limits.failed_logins_per_account = 3;
        c.limits.failed_logins_per_host = 100;
        Relay::start(c)
    };
    // Started together: the migrations run once, behind their lock.
    tokio::join!(relay(), relay())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guessing_loop_spread_over_replicas_meets_one_account_limit() {
    let h = Harness::start();
    let pg = Postgres::start();
    let (a, b) = two_relays(&h, &pg).await;
    let mut seen = Vec::new();
    for (relay, password) in [(&a, "guess-1"), (&b, "guess-2"), (&a, "guess-3")] {
        seen.push(relay.socket(&[]).await.outcome(&guess(&h, password)).await);
    }
    assert_eq!(seen, [None, None, None], "three refused logins, counted");
    // Whichever replica the fourth guess reaches, the account is closed to it.
    for relay in [&a, &b] {
        assert_eq!(
            relay.socket(&[]).await.outcome(&guess(&h, "guess-4")).await,
            Some(ErrorCode::AccountRateLimited)
        );
    }
    // The table names no one: its keys are digests.
    let keys = std::process::Command::new("psql")
        .args(["-At", "-d", &pg.url, "-c", "SELECT key FROM login_failures"])
        .output()
        .expect("psql");
    let keys = String::from_utf8_lossy(&keys.stdout);
    assert_eq!(keys.lines().count(), 2, "one account, one server: {keys}");
    assert!(
        !keys.contains("alice") && !keys.contains("127.0.0.1"),
        "{keys}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_domain_set_through_one_replica_is_read_through_the_other() {
    let h = Harness::start();
    let pg = Postgres::start();
    let (a, b) = two_relays(&h, &pg).await;
    let body = format!(
        r#"{{"imap":{{"host":"127.0.0.1","port":{},"security":"tls"}},
            "smtp":{{"host":"127.0.0.1","port":{},"security":"starttls"}}}}"#,
        h.dovecot.imaps, h.dovecot.submission
    );
    let put = ureq::put(&a.url("/api/domains/replicas.test"))
        .set("authorization", &format!("Bearer {ADMIN_TOKEN}"))
        .set("content-type", "application/json");
    assert_eq!(http(put, Some(body)).await.0, 200);
    let (status, read) = http(ureq::get(&b.url("/api/domains/replicas.test")), None).await;
    assert_eq!(status, 200, "{read}");
    assert!(
        read.contains(&format!("\"port\":{}", h.dovecot.imaps)),
        "{read}"
    );
}
