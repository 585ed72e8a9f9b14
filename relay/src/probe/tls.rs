//! TLS with inspection: the real webpki verifier, wrapped so that its verdict and the chain are
//! recorded; the handshake goes on past a bad certificate only when the user allowed it. Also a
//! hand-made legacy ClientHello to tell "this server only speaks TLS 1.0/1.1" from other failures
//! (rustls cannot speak those versions, by design).

use std::io;
use std::sync::{Arc, Mutex};

use inbox_doctor_errors::{CertVerdict, Certificate, Observation, Security, TlsReport};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::conn::BoxIo;
use super::Failed;

/// Trust settings for one diagnosis.
#[derive(Clone)]
pub struct TlsTrust {
    roots: Arc<RootCertStore>,
    allow_insecure: bool,
}

/// Why a trust configuration could not be built.
#[derive(Debug)]
pub enum TrustError {
    Read { path: String, error: io::Error },
    NoCertificates { path: String },
    BadCertificate { path: String, error: String },
}

impl std::fmt::Display for TrustError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrustError::Read { path, error } => write!(f, "cannot read CA file {path}: {error}"),
            TrustError::NoCertificates { path } => {
                write!(f, "CA file {path} holds no PEM certificate")
            }
            TrustError::BadCertificate { path, error } => {
                write!(
                    f,
                    "CA file {path} holds a certificate we cannot use: {error}"
                )
            }
        }
    }
}

impl std::error::Error for TrustError {}

/// The trusted roots, built once (at start-up for the relay) and shared by every diagnosis.
#[derive(Clone)]
pub struct TrustRoots(Arc<RootCertStore>);

impl std::fmt::Debug for TrustRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrustRoots({} roots)", self.0.len())
    }
}

impl Default for TrustRoots {
    /// The Mozilla root store.
    fn default() -> TrustRoots {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        TrustRoots(Arc::new(roots))
    }
}

impl TrustRoots {
    /// The Mozilla root store plus the PEM certificates in `ca_files`.
    pub fn load(ca_files: &[String]) -> Result<TrustRoots, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for path in ca_files {
            let pem = std::fs::read(path).map_err(|error| TrustError::Read {
                path: path.clone(),
                error,
            })?;
            let mut found = 0;
            for der in pem_certificates(&pem) {
                roots.add(der).map_err(|e| TrustError::BadCertificate {
                    path: path.clone(),
                    error: e.to_string(),
                })?;
                found += 1;
            }
            if found == 0 {
                return Err(TrustError::NoCertificates { path: path.clone() });
            }
        }
        Ok(TrustRoots(Arc::new(roots)))
    }

    /// A client configuration that verifies certificates against these roots, for the HTTPS
    /// fetches of discovery.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(self.0.clone())
            .with_no_client_auth()
    }
}

impl TlsTrust {
    pub fn new(roots: &TrustRoots, allow_insecure: bool) -> TlsTrust {
        TlsTrust {
            roots: roots.0.clone(),
            allow_insecure,
        }
    }
}

fn pem_certificates(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .collect()
}

/// What the verifier saw, kept for the report.
#[derive(Default)]
struct Seen {
    chain: Vec<CertificateDer<'static>>,
    rejection: Option<rustls::Error>,
    verified: bool,
}

#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    allow_insecure: bool,
    seen: Arc<Mutex<Seen>>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen")
            .field("certs", &self.chain.len())
            .finish()
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        seen.verified = true;
        match verdict {
            Ok(ok) => Ok(ok),
            Err(e) => {
                seen.rejection = Some(e.clone());
                if self.allow_insecure {
                    // The user chose to go on; the rejection stays in the report.
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(e)
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The result of a handshake attempt: the report is filled as far as the handshake got.
pub struct Handshake {
    pub report: TlsReport,
    pub outcome: Result<BoxIo, Failed>,
    /// The failure looked like a version or cipher disagreement: worth a legacy probe.
    pub maybe_legacy: bool,
}

/// Performs the TLS handshake over `io` for `host`, before `deadline`.
pub async fn handshake(
    io: BoxIo,
    host: &str,
    mode: Security,
    trust: &TlsTrust,
    deadline: Instant,
) -> Handshake {
    let mut report = TlsReport {
        mode,
        version: None,
        cipher_suite: None,
        chain: Vec::new(),
        verdict: CertVerdict::NotChecked,
        verdict_detail: None,
        insecure_allowed: false,
        legacy_version_accepted: None,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let config = WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), provider.clone())
        .build()
        .map_err(|e| e.to_string())
        .and_then(|inner| {
            let verifier = RecordingVerifier {
                inner,
                allow_insecure: trust.allow_insecure,
                seen: seen.clone(),
            };
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())
                .map(|b| {
                    b.dangerous()
                        .with_custom_certificate_verifier(Arc::new(verifier))
                        .with_no_client_auth()
                })
        });
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            return Handshake {
                report,
                outcome: Err(Failed::new(Observation::TlsFailed).detail(e)),
                maybe_legacy: false,
            }
        }
    };
    let name = match ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    ) {
        Ok(n) => n,
        Err(e) => {
            return Handshake {
                report,
                outcome: Err(Failed::new(Observation::TlsFailed)
                    .detail(format!("{host} is not a valid TLS server name: {e}"))),
                maybe_legacy: false,
            }
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let result = tokio::time::timeout_at(deadline, connector.connect(name, io)).await;

    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    report.chain = seen.chain.iter().map(|c| describe(c)).collect();
    if seen.verified {
        match &seen.rejection {
            None => report.verdict = CertVerdict::Trusted,
            Some(e) => {
                report.verdict = verdict_of(e, &report.chain, &seen.chain);
                report.verdict_detail = Some(e.to_string());
                report.insecure_allowed = trust.allow_insecure;
            }
        }
    }

    let mut maybe_legacy = false;
    let outcome = match result {
        Err(_) => Err(Failed::new(Observation::ReplyTimedOut {
            awaiting_greeting: false,
            implicit_tls_port: false,
        })
        .detail("the TLS handshake did not finish in time")),
        Ok(Ok(stream)) => {
            let (_, session) = stream.get_ref();
            report.version = session.protocol_version().map(version_name);
            report.cipher_suite = session
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()));
            Ok(Box::new(stream) as BoxIo)
        }
        Ok(Err(e)) => {
            let detail = e.to_string();
            let tls_error = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .cloned();
            let observation = if seen.rejection.is_some() && !trust.allow_insecure {
                Observation::Certificate(report.verdict)
            } else {
                match tls_error {
                    Some(rustls::Error::InvalidMessage(
                        rustls::InvalidMessage::InvalidContentType,
                    )) => Observation::TlsGotPlaintext,
                    Some(rustls::Error::AlertReceived(_) | rustls::Error::PeerIncompatible(_)) => {
                        maybe_legacy = true;
                        Observation::TlsFailed
                    }
                    None if e.kind() == io::ErrorKind::UnexpectedEof => {
                        maybe_legacy = true;
                        Observation::TlsFailed
                    }
                    None if e.kind() == io::ErrorKind::ConnectionReset => {
                        maybe_legacy = true;
                        Observation::TlsFailed
                    }
                    _ => Observation::TlsFailed,
                }
            };
            Err(Failed::new(observation).detail(detail))
        }
    };
    Handshake {
        report,
        outcome,
        maybe_legacy,
    }
}

fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// Names the certificate problem. rustls reports a self-signed certificate as an unknown
/// issuer; the chain tells them apart.
fn verdict_of(
    e: &rustls::Error,
    chain: &[Certificate],
    ders: &[CertificateDer<'static>],
) -> CertVerdict {
    let leaf_self_signed = chain.first().is_some_and(|c| c.self_signed)
        || (ders.len() == 1 && chain.first().is_some_and(|c| c.subject == c.issuer));
    match e {
        rustls::Error::InvalidCertificate(ce) => match ce {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertVerdict::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertVerdict::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertVerdict::NameMismatch
            }
            CertificateError::UnknownIssuer | CertificateError::BadSignature
                if leaf_self_signed =>
            {
                CertVerdict::SelfSigned
            }
            CertificateError::UnknownIssuer => CertVerdict::UnknownIssuer,
            _ => CertVerdict::Invalid,
        },
        _ => CertVerdict::Invalid,
    }
}

/// Decodes one certificate for the report. A certificate we cannot parse is still listed.
pub fn describe(der: &CertificateDer<'_>) -> Certificate {
    let sha256 = hex(ring::digest::digest(&ring::digest::SHA256, der.as_ref()).as_ref());
    let Ok((_, cert)) = X509Certificate::from_der(der.as_ref()) else {
        return Certificate {
            subject: "(unparseable certificate)".into(),
            issuer: String::new(),
            sans: Vec::new(),
            not_before: String::new(),
            not_after: String::new(),
            key: String::new(),
            self_signed: false,
            sha256,
        };
    };
    let sans = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .map(|n| match n {
                    GeneralName::DNSName(d) => d.to_string(),
                    GeneralName::IPAddress(ip) => ip_text(ip),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let self_signed = cert.subject() == cert.issuer() && cert.verify_signature(None).is_ok();
    Certificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(cert.validity().not_after.timestamp()),
        key: key_text(&cert),
        self_signed,
        sha256,
    }
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap_or_default()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap_or_default()).to_string(),
        _ => hex(bytes),
    }
}

fn key_text(cert: &X509Certificate<'_>) -> String {
    use x509_parser::public_key::PublicKey;
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| match oid.to_id_string().as_str() {
                    "1.2.840.10045.3.1.7" => "P-256".to_owned(),
                    "1.3.132.0.34" => "P-384".to_owned(),
                    "1.3.132.0.35" => "P-521".to_owned(),
                    other => other.to_owned(),
                })
                .unwrap_or_else(|| "unknown curve".into());
            format!("EC {curve}")
        }
        _ => match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.3.101.112" => "Ed25519".into(),
            "1.3.101.113" => "Ed448".into(),
            other => other.to_owned(),
        },
    }
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Offers at most TLS 1.1 with the ciphers old servers speak and returns the version the server
/// chose (`TLSv1.0`, `TLSv1.1`, `SSLv3`), or `None` if it refused. The connection is useless
/// afterwards; it only answers "would a legacy client get in".
pub async fn legacy_version(mut io: BoxIo, host: &str, deadline: Instant) -> Option<&'static str> {
    let hello = legacy_client_hello(host);
    let probe = async {
        io.write_all(&hello).await.ok()?;
        let mut head = [0u8; 11];
        io.read_exact(&mut head).await.ok()?;
        // Record type handshake, then handshake type ServerHello, then its version.
        if head[0] != 0x16 || head[5] != 0x02 {
            return None;
        }
        match (head[9], head[10]) {
            (3, 0) => Some("SSLv3"),
            (3, 1) => Some("TLSv1.0"),
            (3, 2) => Some("TLSv1.1"),
            _ => None,
        }
    };
    tokio::time::timeout_at(deadline, probe)
        .await
        .ok()
        .flatten()
}

/// Whether the server answers a TLS handshake with a certificate: used when a plaintext
/// session got no greeting, to tell "this port expects implicit TLS".
pub async fn speaks_tls(io: BoxIo, host: &str, trust: &TlsTrust, deadline: Instant) -> bool {
    let hs = handshake(io, host, Security::Tls, trust, deadline).await;
    hs.outcome.is_ok() || hs.report.verdict != CertVerdict::NotChecked
}

fn legacy_client_hello(host: &str) -> Vec<u8> {
    let mut body = vec![0x03, 0x02]; // highest version offered: TLS 1.1
    let mut random = [0u8; 32];
    let _ = getrandom::fill(&mut random);
    body.extend_from_slice(&random);
    body.push(0); // no session id
    let suites: [u16; 9] = [
        0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a,
    ];
    body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // null compression
    let mut ext = Vec::new();
    if host.parse::<std::net::IpAddr>().is_err() && !host.is_empty() && host.len() < 250 {
        let name = host.as_bytes();
        let list_len = (name.len() + 3) as u16;
        ext.extend_from_slice(&[0x00, 0x00]);
        ext.extend_from_slice(&(list_len + 2).to_be_bytes());
        ext.extend_from_slice(&list_len.to_be_bytes());
        ext.push(0);
        ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
        ext.extend_from_slice(name);
    }
    // supported_groups: secp256r1, secp384r1, x25519
    ext.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x1d,
    ]);
    // ec_point_formats: uncompressed
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    // renegotiation_info: empty
    ext.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}
