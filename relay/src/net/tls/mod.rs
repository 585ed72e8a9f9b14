//! TLS with inspection. The real webpki verifier runs and its verdict and the chain are
//! recorded ([`verify`]); the handshake goes on past a bad certificate only when the user
//! allowed it. Certificates are decoded for the report ([`certificate`]), and a hand-made
//! legacy ClientHello tells "this server only speaks TLS 1.0/1.1" from other failures
//! ([`legacy`]; rustls cannot speak those versions, by design).

mod certificate;
mod legacy;
#[cfg(test)]
mod properties;
mod trust;
mod verify;

use std::io;
use std::sync::{Arc, Mutex};

use inbox_doctor_errors::{CertVerdict, Observation, Security, TlsReport};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::time::Instant;

use super::conn::BoxIo;
use super::Failed;
pub use certificate::describe;
pub use legacy::legacy_version;
pub use trust::{TlsTrust, TrustError, TrustRoots};
use verify::{verdict_of, RecordingVerifier, Seen};

/// The result of a handshake attempt: the report is filled as far as the handshake got.
pub struct Handshake {
    pub report: TlsReport,
    pub outcome: Result<BoxIo, TlsFailure>,
}

/// Why a handshake did not complete.
#[derive(Debug)]
pub enum TlsFailure {
    /// The server objected or hung up before a version was agreed: what a server that speaks
    /// only TLS 1.0/1.1 does to a modern client. Worth asking again with a legacy hello.
    Disagreed(Failed),
    /// Anything else: a refused certificate, plaintext, a timeout, a bad server name.
    Other(Failed),
}

impl TlsFailure {
    pub fn into_failed(self) -> Failed {
        match self {
            TlsFailure::Disagreed(f) | TlsFailure::Other(f) => f,
        }
    }
}

impl From<TlsFailure> for Failed {
    fn from(f: TlsFailure) -> Failed {
        f.into_failed()
    }
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
    let seen = Arc::new(Mutex::new(Seen::default()));
    let prepared = client_config(trust, seen.clone()).and_then(|c| Ok((c, server_name(host)?)));
    let (config, name) = match prepared {
        Ok(p) => p,
        Err(f) => {
            return Handshake {
                report,
                outcome: Err(TlsFailure::Other(f)),
            }
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let (io, first_bytes) = keep_first_bytes(io);
    let result = tokio::time::timeout_at(deadline, connector.connect(name, io)).await;

    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    report.chain = seen.chain.iter().map(|c| describe(c)).collect();
    let refused = seen.verified.then_some(seen.rejection.as_ref()).flatten();
    if seen.verified {
        report.verdict = match refused {
            None => CertVerdict::Trusted,
            Some(e) => verdict_of(e, &report.chain),
        };
        report.verdict_detail = refused.map(|e| e.to_string());
        report.insecure_allowed = refused.is_some() && trust.allow_insecure;
    }
    let outcome = match result {
        Err(_) => Err(TlsFailure::Other(
            Failed::new(Observation::ReplyTimedOut {
                awaiting_greeting: false,
                implicit_tls_port: false,
            })
            .detail("the TLS handshake did not finish in time"),
        )),
        Ok(Ok(stream)) => {
            let (_, session) = stream.get_ref();
            report.version = session.protocol_version().map(version_name);
            report.cipher_suite = session
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()));
            Ok(Box::new(stream) as BoxIo)
        }
        Ok(Err(e)) => {
            let refused_verdict =
                (refused.is_some() && !trust.allow_insecure).then_some(report.verdict);
            let first = first_bytes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            Err(failure_of(&e, refused_verdict, mode, &first))
        }
    };
    Handshake { report, outcome }
}

/// How many of the first bytes a server sends during a handshake are kept: when it does not
/// speak TLS, what it said instead is the evidence.
const FIRST_BYTES: usize = 64;

/// `io`, keeping a copy of the first [`FIRST_BYTES`] read through it (and touching the copy no
/// more once it is full: the stream carries the whole session).
fn keep_first_bytes(io: BoxIo) -> (BoxIo, Arc<Mutex<Vec<u8>>>) {
    let first = Arc::new(Mutex::new(Vec::new()));
    let (copy, mut kept) = (first.clone(), 0);
    let reader = tokio_util::io::InspectReader::new(io, move |bytes: &[u8]| {
        if kept < FIRST_BYTES {
            let new = &bytes[..bytes.len().min(FIRST_BYTES - kept)];
            kept += new.len();
            copy.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(new);
        }
    });
    (Box::new(reader), first)
}

/// A client configuration whose verifier records into `seen`. Built per handshake, because the
/// record is this handshake's.
fn client_config(trust: &TlsTrust, seen: Arc<Mutex<Seen>>) -> Result<ClientConfig, Failed> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let failed =
        |e: &dyn std::fmt::Display| Failed::new(Observation::TlsFailed).detail(e.to_string());
    let inner = WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), provider.clone())
        .build()
        .map_err(|e| failed(&e))?;
    let verifier = RecordingVerifier {
        inner,
        allow_insecure: trust.allow_insecure,
        seen,
    };
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(&e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

fn server_name(host: &str) -> Result<ServerName<'static>, Failed> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_owned()).map_err(|e| {
        Failed::new(Observation::TlsFailed)
            .detail(format!("{host} is not a valid TLS server name: {e}"))
    })
}

/// What a failed handshake means. `refused`: the verdict, when our verifier refused the
/// certificate (the user did not allow going on); `first`: the first bytes the server sent.
fn failure_of(
    e: &io::Error,
    refused: Option<CertVerdict>,
    mode: Security,
    first: &[u8],
) -> TlsFailure {
    let failed = |o| Failed::new(o).detail(e.to_string());
    if let Some(verdict) = refused {
        return TlsFailure::Other(failed(Observation::Certificate(verdict)));
    }
    let tls_error = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls_error {
        // The server agreed to STARTTLS and then did not speak TLS: another mode cannot help.
        Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType))
            if mode == Security::Starttls =>
        {
            TlsFailure::Other(Failed::new(Observation::TlsFailed).detail(format!(
                "the server agreed to STARTTLS, then sent no TLS but: {}",
                first.escape_ascii()
            )))
        }
        // Plaintext where TLS was due: a mail greeting means the port wants another mode;
        // anything else (a web server's error page, say) is another protocol.
        Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) => {
            if looks_like_mail(first) {
                TlsFailure::Other(failed(Observation::TlsGotPlaintext))
            } else {
                TlsFailure::Other(Failed::new(Observation::ForeignGreeting {
                    text: String::from_utf8_lossy(first).into_owned(),
                }))
            }
        }
        Some(rustls::Error::AlertReceived(_) | rustls::Error::PeerIncompatible(_)) => {
            TlsFailure::Disagreed(failed(Observation::TlsFailed))
        }
        None if matches!(
            e.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
        ) =>
        {
            TlsFailure::Disagreed(failed(Observation::TlsFailed))
        }
        _ => TlsFailure::Other(failed(Observation::TlsFailed)),
    }
}

/// Whether plaintext bytes start like an IMAP untagged response or an SMTP reply.
fn looks_like_mail(first: &[u8]) -> bool {
    let smtp = first.len() >= 4
        && first[..3].iter().all(u8::is_ascii_digit)
        && matches!(first[3], b' ' | b'-');
    first.starts_with(b"* ") || smtp
}

fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// Whether the server answers a TLS handshake with a certificate: used when a plaintext
/// session got no greeting, to tell "this port expects implicit TLS".
pub async fn speaks_tls(io: BoxIo, host: &str, trust: &TlsTrust, deadline: Instant) -> bool {
    let hs = handshake(io, host, Security::Tls, trust, deadline).await;
    hs.outcome.is_ok() || hs.report.verdict != CertVerdict::NotChecked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls_error(e: rustls::Error) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }

    /// A failure of an implicit-TLS handshake.
    fn fail(e: &io::Error, refused: Option<CertVerdict>) -> TlsFailure {
        failure_of(e, refused, Security::Tls, b"* OK ready\r\n")
    }

    #[tokio::test]
    async fn the_first_bytes_are_kept_and_no_more() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (client, mut server) = tokio::io::duplex(1024);
        let (mut io, first) = keep_first_bytes(Box::new(client));
        server.write_all(b"* OK not TLS\r\n").await.unwrap();
        server.write_all(&[0u8; 200]).await.unwrap();
        let mut all = vec![0u8; 214];
        io.read_exact(&mut all).await.unwrap();
        let kept = first.lock().unwrap().clone();
        assert_eq!(kept.len(), FIRST_BYTES);
        assert!(kept.starts_with(b"* OK not TLS\r\n\0"));
    }

    #[test]
    fn plaintext_after_an_agreed_starttls_is_a_tls_failure_with_the_bytes() {
        let e = tls_error(rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType,
        ));
        let f = failure_of(&e, None, Security::Starttls, b"a2 BAD bogus\r\n").into_failed();
        assert_eq!(f.observation, Observation::TlsFailed);
        assert_eq!(
            f.detail.as_deref(),
            Some("the server agreed to STARTTLS, then sent no TLS but: a2 BAD bogus\\r\\n")
        );
    }

    #[test]
    fn plaintext_where_tls_was_due_is_a_mode_mismatch_only_when_it_is_mail() {
        let e = tls_error(rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType,
        ));
        for greeting in [
            &b"* OK IMAP4rev1 ready\r\n"[..],
            b"220 mx ESMTP\r\n",
            b"220-mx\r\n",
        ] {
            let f = failure_of(&e, None, Security::Tls, greeting).into_failed();
            assert_eq!(f.observation, Observation::TlsGotPlaintext);
        }
        let http = b"HTTP/1.1 400 Bad Request\r\n";
        let f = failure_of(&e, None, Security::Tls, http).into_failed();
        assert_eq!(
            f.observation,
            Observation::ForeignGreeting {
                text: "HTTP/1.1 400 Bad Request\r\n".into()
            }
        );
    }

    #[test]
    fn failures_are_named_from_what_rustls_saw() {
        let disagreed = |f: &TlsFailure| matches!(f, TlsFailure::Disagreed(_));
        let observation = |f: TlsFailure| f.into_failed().observation;

        let plaintext = fail(
            &tls_error(rustls::Error::InvalidMessage(
                rustls::InvalidMessage::InvalidContentType,
            )),
            None,
        );
        assert!(!disagreed(&plaintext));
        assert_eq!(observation(plaintext), Observation::TlsGotPlaintext);

        for e in [
            tls_error(rustls::Error::AlertReceived(
                rustls::AlertDescription::ProtocolVersion,
            )),
            tls_error(rustls::Error::PeerIncompatible(
                rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13,
            )),
            io::Error::from(io::ErrorKind::UnexpectedEof),
            io::Error::from(io::ErrorKind::ConnectionReset),
        ] {
            let f = fail(&e, None);
            assert!(disagreed(&f), "{e}");
            assert_eq!(observation(f), Observation::TlsFailed);
        }

        let refused = fail(
            &tls_error(rustls::Error::AlertReceived(
                rustls::AlertDescription::BadCertificate,
            )),
            Some(CertVerdict::Expired),
        );
        assert!(!disagreed(&refused));
        assert_eq!(
            observation(refused),
            Observation::Certificate(CertVerdict::Expired)
        );
        let other = fail(&tls_error(rustls::Error::DecryptError), None);
        assert!(!disagreed(&other));
    }
}
