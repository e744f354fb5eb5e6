//! The benchmark backend (`bench/compare`): a minimal hyper 1.x HTTP/1.1 server answering every
//! request with the same 297-byte JSON planets list, the same for every contender. With
//! `--issuer URL --jwks FILE` it also serves OIDC discovery (`{URL}/.well-known/openid-configuration`)
//! and the JWKS (`{URL}/v1/keys`), so a second instance is the local issuer Portcullis fetches
//! its keys from.
//!
//! One thread (a current-thread Tokio runtime), keep-alive, no logging: it must cost as little as
//! possible so that what is measured is the system in front of it.
//!
//! ```text
//! cargo run --release -p bench-backend -- --listen 127.0.0.1:18080
//! cargo run --release -p bench-backend -- --listen 127.0.0.1:18090 \
//!     --issuer http://127.0.0.1:18090/oauth2/default --jwks keys/jwks.json
//! ```
//!
//! A package of its own in the workspace (its Cargo.toml says why).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The fixed answer: 297 bytes, like the reference measurements' backend.
const PLANETS: &str = concat!(
    r#"{"planets":[{"name":"Mercury","moons":0},{"name":"Venus","moons":0},{"name":"Earth","moons":1},"#,
    r#"{"name":"Mars","moons":2},{"name":"Jupiter","moons":95},{"name":"Saturn","moons":146},"#,
    r#"{"name":"Uranus","moons":28},{"name":"Neptune","moons":16}],"#,
    r#""note":"fixed body of the Portcullis benchmark backend"}"#
);

/// What the server answers besides the planets.
struct Issuer {
    /// The issuer's path (`/oauth2/default`).
    path: String,
    /// The discovery document.
    discovery: Bytes,
    /// The JWKS document.
    jwks: Bytes,
}

struct Options {
    listen: SocketAddr,
    issuer: Option<Issuer>,
}

fn usage() -> String {
    "usage: bench_backend --listen HOST:PORT [--issuer URL --jwks FILE]".to_owned()
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut issuer, mut jwks) = (None, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(usage)?;
        match flag.as_str() {
            "--listen" => listen = Some(value.parse::<SocketAddr>().map_err(|e| format!("--listen: {e}"))?),
            "--issuer" => issuer = Some(value),
            "--jwks" => jwks = Some(std::fs::read(&value).map_err(|e| format!("--jwks {value}: {e}"))?),
            _ => return Err(usage()),
        }
    }
    let issuer = match (issuer, jwks) {
        (Some(url), Some(jwks)) => Some(issuer_documents(&url, jwks)?),
        (None, None) => None,
        _ => return Err(usage()),
    };
    Ok(Options {
        listen: listen.ok_or_else(usage)?,
        issuer,
    })
}

fn issuer_documents(url: &str, jwks: Vec<u8>) -> Result<Issuer, String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("--issuer {url}: {e}"))?;
    let discovery = serde_json::json!({"issuer": url, "jwks_uri": format!("{url}/v1/keys")});
    Ok(Issuer {
        path: uri.path().trim_end_matches('/').to_owned(),
        discovery: Bytes::from(discovery.to_string()),
        jwks: Bytes::from(jwks),
    })
}

fn answer(issuer: Option<&Issuer>, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let body = match issuer {
        Some(i) if req.uri().path().strip_prefix(i.path.as_str()) == Some("/.well-known/openid-configuration") => {
            i.discovery.clone()
        }
        Some(i) if req.uri().path().strip_prefix(i.path.as_str()) == Some("/v1/keys") => i.jwks.clone(),
        _ => Bytes::from_static(PLANETS.as_bytes()),
    };
    let mut response = Response::new(Full::new(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

async fn serve(options: Options) -> Result<(), String> {
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let issuer = Arc::new(options.issuer);
    eprintln!("bench_backend: listening on http://{}", options.listen);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let issuer = issuer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let response = answer(issuer.as_ref().as_ref(), &req);
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn main() -> std::process::ExitCode {
    let result = parse_args().and_then(|options| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(serve(options))
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench_backend: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_is_297_bytes_of_json() {
        assert_eq!(super::PLANETS.len(), 297);
        assert!(serde_json::from_str::<serde_json::Value>(super::PLANETS).is_ok());
    }
}
