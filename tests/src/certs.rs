//! A local CA and server certificates for every verdict the engine names.

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use time::{Duration, OffsetDateTime};

/// The domains the discovery tests serve from their DNS server (the mailbox's domain first).
pub const DISCOVERY_DOMAINS: [&str; 9] = [
    "inbox-doctor.test",
    "malformed.test",
    "huge.test",
    "slow.test",
    "loop.test",
    "nothing.test",
    "many.test",
    "redirect.test",
    "shared.test",
];

/// PEM files written into the harness directory.
pub struct Certs {
    pub ca: PathBuf,
    /// Signed by the CA for `localhost`, 127.0.0.1, .5 and .7, and for the discovery test
    /// domains and every name directly under them.
    pub good: (PathBuf, PathBuf),
    /// Issued and signed by itself, for 127.0.0.2.
    pub self_signed: (PathBuf, PathBuf),
    /// Signed by the CA, valid 2020–2021, for 127.0.0.3.
    pub expired: (PathBuf, PathBuf),
    /// Signed by the CA for `wrong.example` only (served on 127.0.0.4).
    pub wrong_name: (PathBuf, PathBuf),
    /// Signed by the CA, expiring in 10 days, for 127.0.0.6.
    pub expiring: (PathBuf, PathBuf),
    /// RSA, signed by the CA, for the TLS 1.0-only server (127.0.0.1).
    pub rsa: (PathBuf, PathBuf),
}

fn write(dir: &Path, name: &str, cert: &str, key: &str) -> (PathBuf, PathBuf) {
    let c = dir.join(format!("{name}.crt"));
    let k = dir.join(format!("{name}.key"));
    std::fs::write(&c, cert).expect("write cert");
    std::fs::write(&k, key).expect("write key");
    (c, k)
}

fn leaf(names: &[&str], cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::ExplicitNoCa;
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(365);
    p
}

pub fn make(dir: &Path) -> Certs {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    // A unique CA name, so a chain from another run never looks like ours.
    let unique = format!("Inbox Doctor Test CA {}", std::process::id());
    ca.distinguished_name.push(DnType::CommonName, unique);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, ca_cert.pem()).expect("write ca");

    let signed = |p: CertificateParams, key: KeyPair, name: &str| {
        let c = p.signed_by(&key, &ca_cert, &ca_key).expect("sign");
        write(dir, name, &c.pem(), &key.serialize_pem())
    };

    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".into(),
        "127.0.0.5".into(),
        "127.0.0.7".into(),
    ];
    for domain in DISCOVERY_DOMAINS {
        names.push(domain.to_string());
        names.push(format!("*.{domain}"));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let good = signed(
        leaf(&names, "localhost"),
        KeyPair::generate().unwrap(),
        "good",
    );
    let mut expired = leaf(&["127.0.0.3"], "expired.test");
    expired.not_before = rcgen::date_time_ymd(2020, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let expired = signed(expired, KeyPair::generate().unwrap(), "expired");
    let wrong_name = signed(
        leaf(&["wrong.example"], "wrong.example"),
        KeyPair::generate().unwrap(),
        "wrong-name",
    );
    let mut expiring = leaf(&["127.0.0.6"], "expiring.test");
    expiring.not_after = OffsetDateTime::now_utc() + Duration::days(10);
    let expiring = signed(expiring, KeyPair::generate().unwrap(), "expiring");

    let self_key = KeyPair::generate().unwrap();
    let self_cert = leaf(&["127.0.0.2"], "self-signed.test")
        .self_signed(&self_key)
        .expect("self-signed");
    let self_signed = write(
        dir,
        "self-signed",
        &self_cert.pem(),
        &self_key.serialize_pem(),
    );

    // ring cannot generate RSA keys; openssl (installed with the mail servers) can.
    let rsa_pem = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .expect("openssl is missing: apt-get install -y openssl");
    assert!(rsa_pem.status.success(), "openssl genpkey failed");
    let rsa_key = KeyPair::from_pem(&String::from_utf8_lossy(&rsa_pem.stdout)).expect("rsa key");
    let rsa = signed(
        leaf(&["127.0.0.1", "localhost"], "legacy.test"),
        rsa_key,
        "rsa",
    );

    Certs {
        ca: ca_path,
        good,
        self_signed,
        expired,
        wrong_name,
        expiring,
        rsa,
    }
}
