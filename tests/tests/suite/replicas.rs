//! Several relays on one PostgreSQL, as a deployment with replicas runs them: what protects
//! third parties (the refused-login limits, recent discoveries) and what administrators set
//! (domain settings) is one state for all of them.

use inbox_doctor::config::Config;
use inbox_doctor_errors::ErrorCode;
use inbox_doctor_tests::discovery::{DnsServer, Reply, WebServer};
use inbox_doctor_tests::mail::guess;
use inbox_doctor_tests::net::Counter;
use inbox_doctor_tests::postgres::Postgres;
use inbox_doctor_tests::relay::{config_for, http, http_get, Relay, ADMIN_TOKEN};
use inbox_doctor_tests::Harness;

/// Two relays on `pg`, each with its own limits table in memory were it not shared.
async fn two_relays(h: &Harness, pg: &Postgres) -> (Relay, Relay) {
    two_relays_with(h, pg, |_| {}, &[]).await
}

/// [`two_relays`], with `tune` applied to both configurations and autoconfig documents fetched
/// from `public` (see [`Relay::start_with_public_autoconfig`]).
async fn two_relays_with(
    h: &Harness,
    pg: &Postgres,
    tune: impl Fn(&mut Config),
    public: &[std::net::IpAddr],
) -> (Relay, Relay) {
    let relay = || {
        let mut c = config_for(h);
        c.domains.database = pg.url.clone();
        c.limits.failed_logins_per_account = 3;
        c.limits.failed_logins_per_host = 100;
        tune(&mut c);
        Relay::start_with_public_autoconfig(c, public)
    };
    // Started together: the migrations run once, behind their lock.
    tokio::join!(relay(), relay())
}

fn psql(pg: &Postgres, sql: &str) -> String {
    let out = std::process::Command::new("psql")
        .args(["-At", "-d", &pg.url, "-c", sql])
        .output()
        .expect("psql");
    String::from_utf8_lossy(&out.stdout).into_owned()
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
    let keys = psql(&pg, "SELECT key FROM login_failures");
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

#[tokio::test(flavor = "multi_thread")]
async fn a_domain_discovered_through_one_replica_is_not_probed_again_through_the_other() {
    let h = Harness::start();
    let pg = Postgres::start();
    // The servers the domain's autoconfig document names are this listener: it counts the
    // probes that reach it.
    let counter = Counter::start(std::time::Duration::from_millis(10));
    let port = counter.addr.port();
    let xml = format!(
        "<clientConfig version=\"1.1\"><emailProvider id=\"shared.test\">\
         <incomingServer type=\"imap\"><hostname>s0.shared.test</hostname><port>{port}</port>\
         <socketType>SSL</socketType></incomingServer>\
         <incomingServer type=\"imap\"><hostname>s1.shared.test</hostname><port>{port}</port>\
         <socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>"
    );
    let web = WebServer::start(
        &h.certs,
        &[(
            "autoconfig.shared.test",
            "/mail/config-v1.1.xml",
            Reply::File(xml.as_bytes()),
        )],
    );
    let zone = format!(
        "autoconfig IN A {}\ns0 IN A 127.0.0.1\ns1 IN A 127.0.0.1\n",
        web.ip
    );
    let dns = DnsServer::start(&[("shared.test", &zone)]);
    let tune = |c: &mut Config| {
        c.engine.resolver = Some(dns.addr);
        c.egress.ports.push(port);
    };
    let (a, b) = two_relays_with(&h, &pg, tune, &[web.ip]).await;

    let (status, first) = http_get(&a.url("/api/discover?email=jo@shared.test")).await;
    assert_eq!(status, 200, "{first}");
    let probed = counter.accepted();
    assert_eq!(probed, 2, "both servers probed once: {first}");

    // The other replica, another address of the domain: the same servers, nothing probed.
    let (status, second) = http_get(&b.url("/api/discover?email=ola@shared.test")).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(counter.accepted(), probed, "{second}");
    let candidates = |text: &str| {
        let d: serde_json::Value = serde_json::from_str(text).unwrap();
        (d["imap"].clone(), d["candidates"].clone())
    };
    assert_eq!(candidates(&second), candidates(&first));

    // The shared table names neither the domain nor an address.
    let rows = psql(
        &pg,
        "SELECT key, coalesce(address, '') FROM discovery_cache",
    );
    assert_eq!(rows.lines().count(), 1, "{rows}");
    assert!(!rows.contains("shared.test"), "{rows}");
}
