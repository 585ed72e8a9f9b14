//! The real webpki verifier, wrapped so that its verdict and the chain it saw are recorded;
//! it lets the handshake go on past a refused certificate only when the user allowed it. And
//! the verdict's name: rustls says "unknown issuer" for a self-signed certificate too.

use std::sync::{Arc, Mutex};

use inbox_doctor_errors::{CertVerdict, Certificate};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

/// What the verifier saw, kept for the report.
#[derive(Default)]
pub(super) struct Seen {
    pub chain: Vec<CertificateDer<'static>>,
    pub rejection: Option<rustls::Error>,
    pub verified: bool,
}

#[derive(Debug)]
pub(super) struct RecordingVerifier {
    pub inner: Arc<WebPkiServerVerifier>,
    pub allow_insecure: bool,
    pub seen: Arc<Mutex<Seen>>,
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

/// Names the certificate problem. rustls reports a self-signed certificate as an unknown
/// issuer; the chain tells them apart.
pub(super) fn verdict_of(e: &rustls::Error, chain: &[Certificate]) -> CertVerdict {
    let leaf_self_signed = chain.first().is_some_and(|c| c.self_signed)
        || (chain.len() == 1 && chain[0].subject == chain[0].issuer);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(subject: &str, issuer: &str, self_signed: bool) -> Certificate {
        Certificate {
            subject: subject.into(),
            issuer: issuer.into(),
            sans: Vec::new(),
            not_before: String::new(),
            not_after: String::new(),
            key: String::new(),
            self_signed,
            sha256: String::new(),
        }
    }

    fn invalid(e: CertificateError) -> rustls::Error {
        rustls::Error::InvalidCertificate(e)
    }

    #[test]
    fn a_self_signed_leaf_is_named_although_rustls_says_unknown_issuer() {
        let signed_by_itself = [cert("CN=mail", "CN=mail", true)];
        let same_names_alone = [cert("CN=mail", "CN=mail", false)];
        let from_a_ca = [cert("CN=mail", "CN=Corp CA", false)];
        let e = invalid(CertificateError::UnknownIssuer);
        assert_eq!(verdict_of(&e, &signed_by_itself), CertVerdict::SelfSigned);
        assert_eq!(verdict_of(&e, &same_names_alone), CertVerdict::SelfSigned);
        assert_eq!(verdict_of(&e, &from_a_ca), CertVerdict::UnknownIssuer);
        // Issuer = subject but a CA certificate follows: not a lone self-signed leaf.
        let chained = [
            cert("CN=mail", "CN=mail", false),
            cert("CN=Corp CA", "CN=Corp CA", true),
        ];
        assert_eq!(verdict_of(&e, &chained), CertVerdict::UnknownIssuer);
        assert_eq!(
            verdict_of(&invalid(CertificateError::BadSignature), &signed_by_itself),
            CertVerdict::SelfSigned
        );
    }

    #[test]
    fn every_certificate_error_has_a_verdict() {
        let chain = [cert("CN=mail", "CN=Corp CA", false)];
        for (e, verdict) in [
            (CertificateError::Expired, CertVerdict::Expired),
            (CertificateError::NotValidYet, CertVerdict::NotYetValid),
            (CertificateError::NotValidForName, CertVerdict::NameMismatch),
            (CertificateError::Revoked, CertVerdict::Invalid),
            (CertificateError::BadEncoding, CertVerdict::Invalid),
        ] {
            assert_eq!(verdict_of(&invalid(e), &chain), verdict);
        }
        assert_eq!(
            verdict_of(&rustls::Error::DecryptError, &chain),
            CertVerdict::Invalid
        );
    }
}
