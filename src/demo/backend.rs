//! The solar-system backend: the API a user would replace with their own. It knows nothing of
//! tokens (the gateway protects it): `/` names the API, `/asteroids`, `/planets` and `/moons`
//! return JSON, `/whoami` echoes the request headers it received, so a reader can see what the
//! gateway forwards.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::Full;
use serde_json::{Map, Value, json};

use super::data;

fn json_response(status: StatusCode, value: &Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(value.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    r
}

const HOME: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Solar system API</title></head>\
<body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5\">\
<h1>Solar system API</h1><p>The backend of the Portcullis demo. It checks nothing: the gateway in front of it does.</p>\
<ul><li><code>GET /asteroids</code> &mdash; bronze</li><li><code>GET /planets</code> &mdash; silver</li>\
<li><code>GET /moons</code> &mdash; gold</li><li><code>GET /whoami</code> &mdash; the headers this backend received</li></ul></body></html>";

/// Answers one request.
pub async fn handle<B>(req: Request<B>) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match req.uri().path() {
        "/" => {
            let mut r = Response::new(Full::new(Bytes::from_static(HOME.as_bytes())));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        "/asteroids" => json_response(StatusCode::OK, &data::asteroids()),
        "/planets" => json_response(StatusCode::OK, &data::planets()),
        "/moons" => json_response(StatusCode::OK, &data::moons()),
        "/whoami" => json_response(StatusCode::OK, &whoami(&req)),
        _ => json_response(
            StatusCode::NOT_FOUND,
            &json!({"message": "no such resource in the solar system"}),
        ),
    };
    Ok(response)
}

fn whoami<B>(req: &Request<B>) -> Value {
    let headers: Map<String, Value> = req
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.to_string(),
                Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    json!({"method": req.method().as_str(), "path": req.uri().path(), "query": req.uri().query(), "headers": headers})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn get(path: &str) -> (StatusCode, Value) {
        let req = Request::get(path).header("x-user-sub", "carl").body(()).unwrap();
        let r = handle(req).await.unwrap();
        let status = r.status();
        let body = r.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn serves_the_eight_planets_and_real_moons_and_asteroids() {
        let (status, planets) = get("/planets").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(planets["planets"].as_array().unwrap().len(), 8);
        assert_eq!(get("/moons").await.1["moons"][0]["planet"], "Earth");
        assert_eq!(get("/asteroids").await.1["asteroids"][0]["name"], "Ceres");
    }

    #[tokio::test]
    async fn whoami_echoes_the_headers_it_received() {
        assert_eq!(get("/whoami").await.1["headers"]["x-user-sub"], "carl");
        assert_eq!(get("/nope").await.0, StatusCode::NOT_FOUND);
    }
}
