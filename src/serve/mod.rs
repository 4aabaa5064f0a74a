//! `commsim serve`: a classroom page on 127.0.0.1, backed by the library.
//!
//! One page (HTML, CSS and JavaScript compiled in from `assets/`, nothing
//! fetched from the network) and a small JSON API ([`api`]):
//!
//! - `GET /api/scenarios`: the shipped scenarios, their descriptions and
//!   sliders;
//! - `POST /api/run`: one run watched day by day (and a batch's bands);
//! - `POST /api/explain`: explain's story and its levers.
//!
//! The server simulates a run once and the page reveals its days one by
//! one, so Step shows exactly the library's next day. Simulations run on
//! tokio's blocking pool; the runtime itself is single-threaded. Bad
//! requests get a 4xx status with `{"error": "..."}`; Ctrl-C (or the end of
//! `quit_after`) stops the server after the requests in flight.

pub mod api;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::error::{Error, Result};

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// Options of `commsim serve`.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// Open the page with `xdg-open`.
    pub open: bool,
    /// Stop by itself after this long (tests and demos).
    pub quit_after: Option<Duration>,
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, serde_json::json!({ "error": message }).to_string())
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Runs `work` on the blocking pool and turns its answer into a response.
async fn compute(
    body: Bytes,
    work: fn(&api::RunRequest, usize) -> std::result::Result<serde_json::Value, String>,
) -> Response {
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(StatusCode::BAD_REQUEST, "the request body is not UTF-8");
    };
    let req = match api::parse_request(text) {
        Ok(r) => r,
        Err(m) => return error(StatusCode::BAD_REQUEST, &m),
    };
    let threads = crate::app::default_threads();
    match tokio::task::spawn_blocking(move || work(&req, threads)).await {
        Ok(Ok(v)) => json_response(StatusCode::OK, v.to_string()),
        Ok(Err(m)) => error(StatusCode::BAD_REQUEST, &m),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the simulation failed: {e}"),
        ),
    }
}

/// The page and the API.
pub fn router() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
        .route(
            "/api/scenarios",
            get(|| async { json_response(StatusCode::OK, api::scenarios().to_string()) }),
        )
        .route("/api/run", post(|b: Bytes| compute(b, api::run)))
        .route("/api/explain", post(|b: Bytes| compute(b, api::explain)))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such page") })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed: pages take GET, /api/run and /api/explain take POST",
            )
        })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))
}

async fn bind(port: u16) -> Result<tokio::net::TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Usage(format!("cannot listen on {addr}: {e}")))
}

/// `commsim serve`: serves the page until Ctrl-C (or `quit_after`).
pub fn serve(opts: &ServeOptions, out: &mut impl Write) -> Result<()> {
    let rt = runtime()?;
    rt.block_on(async {
        let listener = bind(opts.port).await?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("listening socket", e))?;
        let url = format!("http://{addr}/");
        writeln!(out, "commsim serve: open {url} in a browser (Ctrl-C stops)")
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("stdout", e))?;
        if opts.open {
            if let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
                writeln!(out, "could not start xdg-open ({e}); open {url} yourself")
                    .map_err(|e| Error::io("stdout", e))?;
            }
        }
        let quit_after = opts.quit_after;
        let stop = async move {
            match quit_after {
                Some(t) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = tokio::time::sleep(t) => {}
                    }
                }
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        };
        axum::serve(listener, router())
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Error::io("server", e))?;
        writeln!(out, "commsim serve: stopped").map_err(|e| Error::io("stdout", e))
    })
}

/// A server on a thread of its own, for tests: it stops when dropped, or by
/// itself after `lifetime`.
pub struct Server {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(lifetime: Duration) -> Result<Server> {
        let rt = runtime()?;
        let listener = rt.block_on(bind(0))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("listening socket", e))?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                let stop = async move {
                    tokio::select! {
                        _ = rx => {}
                        _ = tokio::time::sleep(lifetime) => {}
                    }
                };
                let _ = axum::serve(listener, router())
                    .with_graceful_shutdown(stop)
                    .await;
            });
        });
        Ok(Server {
            url: format!("http://{addr}/"),
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
