//! HTTPS by rustls, when a certificate and key are configured.

use anyhow::{Context, Result, anyhow};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

pub fn acceptor(cert_path: &str, key_path: &str) -> Result<TlsAcceptor> {
    let certs = {
        let pem = std::fs::read(cert_path).with_context(|| format!("reading server.tls_cert {cert_path}"))?;
        rustls_pemfile::certs(&mut pem.as_slice())
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("server.tls_cert {cert_path} is not a PEM certificate chain"))?
    };
    if certs.is_empty() {
        return Err(anyhow!("server.tls_cert {cert_path} holds no certificate"));
    }
    let key = {
        let pem = std::fs::read(key_path).with_context(|| format!("reading server.tls_key {key_path}"))?;
        rustls_pemfile::private_key(&mut pem.as_slice())
            .with_context(|| format!("server.tls_key {key_path} is not a PEM private key"))?
            .ok_or_else(|| anyhow!("server.tls_key {key_path} holds no private key"))?
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("server.tls_cert and server.tls_key do not form a usable certificate")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
