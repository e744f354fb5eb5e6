//! Listener protocols: HTTP/2 with prior knowledge (h2c), and TLS termination with ALPN `h2`
//! and `http/1.1`, with the same authorizer decisions as HTTP/1.1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use support::{Backend, Gateway, Solar, TestIssuer, solar_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge_gets_the_same_answers() {
    let s = Solar::start().await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<Bytes>>();
    let request = |path: &str, token: Option<String>| {
        let mut b = http::Request::get(s.url(path));
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b.body(Full::new(Bytes::new())).unwrap()
    };
    let r = client.request(request("/planets", None)).await.unwrap();
    assert_eq!(r.version(), http::Version::HTTP_2);
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = client
        .request(request("/planets", Some(s.issuer.token("http://myapp.com/scp/silver"))))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("Earth"));
    assert_eq!(
        s.backend.last().uri,
        "/planets",
        "the backend is spoken to over HTTP/1.1 with an origin-form target"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_termination_negotiates_h2_and_http11() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let dir = support::TempDir::new();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.0.join("cert.pem"), dir.0.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let config = solar_config(&issuer.url, &backend.url).replacen(
        "  listen: 127.0.0.1:8000\n",
        &format!(
            "  listen: 127.0.0.1:8000\n  tls:\n    certificate: {}\n    key: {}\n",
            cert_path.display(),
            key_path.display()
        ),
        1,
    );
    let gateway = Gateway::start_tls(&config);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    for version in [http::Version::HTTP_2, http::Version::HTTP_11] {
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots.clone())
            .with_no_client_auth();
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only();
        let https = if version == http::Version::HTTP_2 {
            builder.enable_http2().build()
        } else {
            builder.enable_http1().build()
        };
        let client = Client::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(https);
        let url = format!("https://localhost:{}/moons", gateway.addr.port());
        let r = client
            .request(http::Request::get(&url).body(Full::new(Bytes::new())).unwrap())
            .await
            .unwrap();
        assert_eq!(r.version(), version);
        assert_eq!(r.status(), 401);
        let token = issuer.token("http://myapp.com/scp/gold");
        let req = http::Request::get(&url)
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        assert_eq!(client.request(req).await.unwrap().status(), 200);
    }
    let seen = backend.last();
    assert!(
        seen.header("forwarded").unwrap().ends_with(";proto=https"),
        "{:?}",
        seen.header("forwarded")
    );
}

/// An HTTPS backend with a certificate for `localhost` from a throwaway CA.
async fn tls_backend(dir: &std::path::Path) -> (String, std::path::PathBuf) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let ca_path = dir.join("backend-ca.pem");
    std::fs::write(&ca_path, cert.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else { return };
                let service = hyper::service::service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                    let body = format!("{{\"tls\":true,\"path\":\"{}\"}}", req.uri().path());
                    Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::from(body))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (format!("https://localhost:{port}"), ca_path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_backends_are_verified_against_the_trusted_roots() {
    let issuer = TestIssuer::start().await;
    let dir = support::TempDir::new();
    let (backend, ca) = tls_backend(&dir.0).await;
    let config = solar_config(&issuer.url, &backend);
    let trusting = Gateway::start_with_env(&config, &[("SSL_CERT_FILE", ca.to_str().unwrap())]);
    let r = support::get(&format!("{}/moons/x", trusting.url), None).await;
    assert_eq!(r.status, 200, "{}", trusting.stderr());
    assert_eq!(r.json()["tls"], true);
    let other = dir.0.join("other-ca.pem");
    std::fs::write(
        &other,
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .unwrap()
            .cert
            .pem(),
    )
    .unwrap();
    let distrusting = Gateway::start_with_env(&config, &[("SSL_CERT_FILE", other.to_str().unwrap())]);
    let r = support::get(&format!("{}/moons/x", distrusting.url), None).await;
    assert_eq!(
        r.status, 502,
        "a backend certificate from an untrusted CA is a connection failure"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_authority_that_disagrees_with_host_is_refused() {
    let s = Solar::start().await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<Bytes>>();
    let req = http::Request::get(s.url("/x"))
        .header("host", "other.example")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let r = client.request(req).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(s.backend.count(), 0);
}
