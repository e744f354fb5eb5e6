//! TLS termination for listeners: PEM certificate chain and key → rustls (aws-lc-rs provider),
//! ALPN `h2` then `http/1.1`.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

use crate::model::Tls;

/// Builds the acceptor; errors name the file and what is wrong with it.
pub fn acceptor(tls: &Tls) -> Result<TlsAcceptor, String> {
    let read = |path: &std::path::Path| std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let cert_pem = read(&tls.certificate)?;
    let key_pem = read(&tls.key)?;
    let certs = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", tls.certificate.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no PEM certificate", tls.certificate.display()));
    }
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| format!("{}: {e}", tls.key.display()))?
        .ok_or_else(|| format!("{} holds no PEM private key", tls.key.display()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate and key do not fit together: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
