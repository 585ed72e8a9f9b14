//! Property tests of what reads a TLS server's bytes: the certificate summary of the report
//! ([`super::describe`]) and the legacy probe's reading of the ServerHello ([`super::legacy`]).
//!
//! Certificates start from real DER: two public roots (`seeds/isrg-root-x*.pem`, RSA and EC)
//! and leaves made here with rcgen (P-256, P-384, Ed25519; self-signed and CA-signed; DNS, IP,
//! e-mail and URI names), damaged bit by bit. ServerHellos start from the records in
//! `seeds/server-hellos.txt`, captured from OpenSSL.

use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use rcgen::{CertificateParams, DnType, KeyPair, SanType};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::describe;
use super::legacy::{legacy_client_hello, legacy_version, server_hello_version};
use crate::net::mutation::{config, mutated_bytes};

const ROOTS: [&str; 2] = [
    include_str!("seeds/isrg-root-x1.pem"),
    include_str!("seeds/isrg-root-x2.pem"),
];
const SERVER_HELLOS: &str = include_str!("seeds/server-hellos.txt");

const UNPARSEABLE: &str = "(unparseable certificate)";

/// A certificate of the seeds and what its summary must say.
struct Seed {
    der: Vec<u8>,
    key: &'static str,
    sans: Vec<&'static str>,
    self_signed: bool,
}

/// Made once: key generation is the slow part.
fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = |pem: &str, key| Seed {
            der: CertificateDer::from_pem_slice(pem.as_bytes())
                .expect("a PEM")
                .to_vec(),
            key,
            sans: vec![],
            self_signed: true,
        };
        let mut seeds = vec![root(ROOTS[0], "RSA 4096"), root(ROOTS[1], "EC P-384")];
        let names = ["mail.example.com", "192.0.2.1", "2001:db8::1"];
        let params = || {
            let mut p = CertificateParams::new(names.map(str::to_owned).to_vec()).expect("params");
            p.distinguished_name
                .push(DnType::CommonName, "mail.example.com");
            p.distinguished_name
                .push(DnType::OrganizationName, "Inbox Doctør Tests");
            p.subject_alt_names.push(SanType::Rfc822Name(
                "postmaster@example.com".try_into().expect("an address"),
            ));
            p.subject_alt_names.push(SanType::URI(
                "https://example.com/".try_into().expect("a URI"),
            ));
            p
        };
        let sans = vec![
            "mail.example.com",
            "192.0.2.1",
            "2001:db8::1",
            // Other names as x509-parser shows them.
            "RFC822Name(postmaster@example.com)",
            "URI(https://example.com/)",
        ];
        for (alg, key) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, "EC P-256"),
            (&rcgen::PKCS_ECDSA_P384_SHA384, "EC P-384"),
            (&rcgen::PKCS_ED25519, "Ed25519"),
        ] {
            let pair = KeyPair::generate_for(alg).expect("a key");
            let cert = params().self_signed(&pair).expect("self-signed");
            seeds.push(Seed {
                der: cert.der().to_vec(),
                key,
                sans: sans.clone(),
                self_signed: true,
            });
        }
        let ca_key = KeyPair::generate().expect("a key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.distinguished_name
            .push(DnType::CommonName, "Inbox Doctor Property CA");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = ca.self_signed(&ca_key).expect("a CA");
        let leaf_key = KeyPair::generate().expect("a key");
        let leaf = params().signed_by(&leaf_key, &ca, &ca_key).expect("signed");
        seeds.push(Seed {
            der: leaf.der().to_vec(),
            key: "EC P-256",
            sans,
            self_signed: false,
        });
        seeds
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The records of the ServerHello seeds.
fn server_hellos() -> Vec<Vec<u8>> {
    SERVER_HELLOS
        .split("\n\n")
        .map(|block| {
            block
                .lines()
                .filter(|l| !l.starts_with('#'))
                .flat_map(str::split_whitespace)
                .map(|h| u8::from_str_radix(h, 16).expect("hex"))
                .collect::<Vec<u8>>()
        })
        .filter(|r| !r.is_empty())
        .collect()
}

/// The version a ServerHello head names, as the record layout says it.
fn expected_version(head: &[u8; 11]) -> Option<&'static str> {
    let server_hello = head[0] == 0x16 && head[5] == 0x02;
    match (server_hello, head[9], head[10]) {
        (true, 3, 0) => Some("SSLv3"),
        (true, 3, 1) => Some("TLSv1.0"),
        (true, 3, 2) => Some("TLSv1.1"),
        _ => None,
    }
}

/// Runs the legacy probe against a peer that reads the hello, answers `answer` and hangs up.
fn probe(answer: &[u8], host: &str) -> Option<&'static str> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (client, mut server) = tokio::io::duplex(1 << 16);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let peer = async move {
            let mut header = [0u8; 5];
            server.read_exact(&mut header).await.ok()?;
            let mut hello = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
            server.read_exact(&mut hello).await.ok()?;
            server.write_all(answer).await.ok()
        };
        tokio::join!(legacy_version(Box::new(client), host, deadline), peer).0
    })
}

/// What a summary promises for any bytes.
fn summary_of(der: &[u8]) -> Result<inbox_doctor_errors::Certificate, TestCaseError> {
    let c = describe(&CertificateDer::from(der.to_vec()));
    prop_assert_eq!(
        &c.sha256,
        &hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref())
    );
    if c.subject == UNPARSEABLE {
        prop_assert!(
            c.issuer.is_empty() && c.sans.is_empty() && c.key.is_empty() && !c.self_signed
        );
        prop_assert!(c.not_before.is_empty() && c.not_after.is_empty());
    } else {
        prop_assert!(!c.not_before.is_empty() && !c.not_after.is_empty() && !c.key.is_empty());
    }
    // Nothing in the summary grows faster than the certificate: text and hex of its parts.
    let shown = c.subject.len()
        + c.issuer.len()
        + c.key.len()
        + c.sans.iter().map(String::len).sum::<usize>();
    prop_assert!(
        shown <= 8 * der.len() + 64,
        "{shown} bytes shown for {} of DER",
        der.len()
    );
    Ok(c)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_bytes_get_a_summary(
        der in prop_oneof![
            3 => mutated_bytes(seeds().iter().map(|s| s.der.clone()).collect()),
            1 => prop::collection::vec(any::<u8>(), 0..600),
        ]
    ) {
        summary_of(&der)?;
    }

    /// A damaged signature leaves the certificate readable, and no longer self-signed: the
    /// summary says "self-signed" only when the signature verifies with the certificate's key.
    #[test]
    fn a_damaged_signature_is_not_self_signed(
        seed in prop::sample::select((0..seeds().len()).collect::<Vec<_>>()),
        from_end in 1..16usize,
        bit in 0..8u8,
    ) {
        let seed = &seeds()[seed];
        let mut der = seed.der.clone();
        let at = der.len() - from_end;
        der[at] ^= 1 << bit;
        let intact = describe(&CertificateDer::from(seed.der.clone()));
        let damaged = summary_of(&der)?;
        prop_assert_eq!(&damaged.subject, &intact.subject);
        prop_assert_eq!(&damaged.sans, &intact.sans);
        prop_assert_eq!(&damaged.key, &intact.key);
        prop_assert!(!damaged.self_signed);
    }

    #[test]
    fn the_server_hello_version_is_read_from_its_bytes(
        head in prop_oneof![
            2 => mutated_bytes(server_hellos()),
            1 => prop::collection::vec(any::<u8>(), 11..12),
        ]
    ) {
        if let Some(head) = head.get(..11).and_then(|h| <[u8; 11]>::try_from(h).ok()) {
            prop_assert_eq!(server_hello_version(&head), expected_version(&head));
        }
    }

    #[test]
    fn any_hello_is_well_formed(host in prop_oneof![
        "[a-z0-9.-]{0,64}",
        "\\[[0-9a-f:]{2,39}\\]",
        any::<String>(),
        "[a-z]{250,260}",
    ]) {
        let hello = legacy_client_hello(&host);
        prop_assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        prop_assert_eq!(usize::from(u16::from_be_bytes([hello[3], hello[4]])), hello.len() - 5);
        prop_assert_eq!(hello[5], 0x01);
        let body_len = u32::from_be_bytes([0, hello[6], hello[7], hello[8]]) as usize;
        prop_assert_eq!(body_len, hello.len() - 9);
        let body = &hello[9..];
        let suites = usize::from(u16::from_be_bytes([body[35], body[36]]));
        let rest = &body[37 + suites..];
        prop_assert_eq!(usize::from(u16::from_be_bytes([rest[2], rest[3]])), rest.len() - 4);
        let name = host.trim_start_matches('[').trim_end_matches(']');
        let named = !name.is_empty() && name.len() < 250 && name.parse::<std::net::IpAddr>().is_err();
        let sni = rest[4..6] == [0, 0];
        prop_assert_eq!(sni, named);
        if sni {
            let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
            prop_assert_eq!(&rest[13..13 + len], name.as_bytes());
        }
    }
}

proptest! {
    // A runtime per case.
    #![proptest_config(config(512))]

    /// Over a stream, the probe answers from the first eleven bytes, or `None` when fewer come.
    #[test]
    fn the_probe_reads_any_answer(
        answer in prop_oneof![
            3 => mutated_bytes(server_hellos()),
            1 => prop::collection::vec(any::<u8>(), 0..32),
        ],
        host in "[a-z0-9.-]{0,40}",
    ) {
        let expected = answer.get(..11).and_then(|h| expected_version(h.try_into().ok()?));
        prop_assert_eq!(probe(&answer, &host), expected);
    }
}

/// The seeds, summarised as what they are.
#[test]
fn every_seed_certificate_is_summarised() {
    for seed in seeds() {
        let c = summary_of(&seed.der).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(c.subject, UNPARSEABLE);
        assert_eq!(c.key, seed.key, "{}", c.subject);
        assert_eq!(c.sans, seed.sans, "{}", c.subject);
        assert_eq!(c.self_signed, seed.self_signed, "{}", c.subject);
        for t in [&c.not_before, &c.not_after] {
            assert!(
                t.len() == 20 && t.as_bytes()[10] == b'T' && t.ends_with('Z'),
                "{t}"
            );
        }
    }
    let x1 = describe(&CertificateDer::from(seeds()[0].der.clone()));
    assert_eq!(
        x1.subject,
        "C=US, O=Internet Security Research Group, CN=ISRG Root X1"
    );
    assert_eq!(x1.not_after, "2035-06-04T11:04:38Z");
}

#[test]
fn every_seed_server_hello_is_read() {
    let versions: Vec<Option<&str>> = server_hellos()
        .iter()
        .map(|r| probe(r, "mail.example.com"))
        .collect();
    assert_eq!(
        versions,
        [
            Some("TLSv1.0"),
            Some("TLSv1.1"),
            None,
            None,
            None,
            None,
            None,
            None
        ]
    );
}
