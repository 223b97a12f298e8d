//! The TLS client configuration: the system's roots through the platform
//! verifier (as reqwest does), or exactly the CAs the caller gives.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls_platform_verifier::BuilderVerifierExt;

use super::ImapError;

pub(crate) fn client_config(
    host: &str,
    roots_pem: Option<&[u8]>,
) -> Result<Arc<ClientConfig>, ImapError> {
    let tls_error = |detail: String| ImapError::Tls {
        host: host.to_owned(),
        detail,
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?;
    let config = match roots_pem {
        None => builder
            .with_platform_verifier()
            .map_err(|e| tls_error(e.to_string()))?
            .with_no_client_auth(),
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| tls_error(format!("root certificates: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| tls_error(format!("root certificate: {e}")))?;
            }
            if roots.is_empty() {
                return Err(tls_error(
                    "the root certificates PEM holds no certificate".into(),
                ));
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
    };
    Ok(Arc::new(config))
}
