//! What a session trusts: Mozilla's roots plus the operator's internal CAs, loaded once, and
//! whether the user allowed going on past a bad certificate.

use std::io;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// Trust settings for one diagnosis.
#[derive(Clone)]
pub struct TlsTrust {
    pub(super) roots: Arc<RootCertStore>,
    pub(super) allow_insecure: bool,
}

/// Why a trust configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read CA file {path}: {error}")]
    Read { path: String, error: io::Error },
    #[error("CA file {path} holds no PEM certificate")]
    NoCertificates { path: String },
    #[error("CA file {path} holds a certificate we cannot use: {error}")]
    BadCertificate { path: String, error: String },
}

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
