//! `zhsearch serve`: a JSON API and a browsing page over one index, over
//! HTTP. This module owns the routes, the limits, the security headers, the
//! request log and shutdown; searching itself is [`crate::search`]'s, and
//! the JSON shapes are [`crate::output::json`]'s, exactly as the CLI prints
//! them.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /` (+ `/app.js`, `/style.css`) | the browsing page, embedded in the binary |
//! | `GET /api/search?q=…` | hits (as `search --json`), total, facets with `facets=true` |
//! | `GET /api/facets` | facet counts (as `facets --json`) |
//! | `GET /api/doc/{id}` | one article (as `show --json`) |
//! | `GET /api/health` | the index, its documents, its last commit |
//! | `GET /api/openapi.json` | an OpenAPI 3.1 description of all this |
//!
//! Limits: parameters are validated (`limit` ≤ 100, `offset` ≤
//! 10,000, queries ≤ 1,000 characters); a search runs on the blocking pool,
//! at most [`Config::concurrent_searches`] at once, and is answered with 503
//! after [`Config::timeout`]; request bodies are refused; nothing but the
//! embedded page and the API is ever served (no file system access). Every
//! response carries a strict Content-Security-Policy and friends
//! ([`SECURITY_HEADERS`]); errors are JSON
//! (`{"error": {"status": 400, "message": "…"}}`).
//!
//! Each request takes one searcher (a snapshot of the index), and the
//! engine's reader follows new commits, so re-indexing with `zhsearch index`
//! while the server runs is picked up within a second, without disturbing
//! searches in flight.
//!
//! ```no_run
//! use zhsearch::analysis::Analyzer;
//! use zhsearch::search::Engine;
//! use zhsearch::serve::{self, Config};
//!
//! let engine = Engine::open("index".as_ref(), Analyzer::builtin())?;
//! serve::run(engine, &Config::default(), |addr| eprintln!("serving on http://{addr}/"))?;
//! # Ok::<(), zhsearch::Error>(())
//! ```

mod api;
mod assets;
mod params;

pub use params::{MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_LIMIT, MAX_OFFSET};

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};
use crate::search::Engine;
use api::ApiError;

/// The address `zhsearch serve` listens on unless told otherwise.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 7700);
/// How long a search may take unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest query string accepted, in bytes (a 1,000-character Chinese query
/// percent-encoded is about 9 KB).
pub const MAX_QUERY_STRING: usize = 16 * 1024;

/// The Content-Security-Policy of every response: the page may load only
/// its own script, style and data: images, and talk only to this server.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// The headers set on every response.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// The routes of the API, as the OpenAPI description names them.
pub const API_ROUTES: [&str; 5] = [
    "/api/search",
    "/api/facets",
    "/api/doc/{id}",
    "/api/health",
    "/api/openapi.json",
];

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (port 0: any free port, reported to `run`'s `ready`).
    pub addr: SocketAddr,
    /// How long one search may take, waiting for its turn included, before
    /// it is answered with 503.
    pub timeout: Duration,
    /// Most searches running at once; more wait their turn.
    pub concurrent_searches: usize,
    /// Whether to log one line per request (method, path, status, time) to stderr.
    pub log: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: DEFAULT_ADDR,
            timeout: DEFAULT_TIMEOUT,
            concurrent_searches: 4,
            log: true,
        }
    }
}

/// What every handler shares.
struct Shared {
    engine: Arc<Engine>,
    timeout: Duration,
    permits: Arc<Semaphore>,
    /// With a loopback address: the `Host` values accepted (so that a web
    /// page elsewhere cannot reach the server by DNS rebinding).
    hosts: Option<Vec<String>>,
    log: bool,
}

type AppState = Arc<Shared>;

impl Shared {
    /// Runs `work` on the engine on the blocking pool, within the limits.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let engine = Arc::clone(&self.engine);
        limited(self.timeout, &self.permits, move || work(&engine)).await
    }
}

/// Runs blocking `work` on tokio's blocking pool once one of `permits` is
/// free, and gives up after `timeout` (waiting included) with a 503. Work
/// that timed out runs on to its end, still holding its permit, so runaway
/// searches cannot pile up beyond the permits.
async fn limited<T: Send + 'static>(
    timeout: Duration,
    permits: &Arc<Semaphore>,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permits = Arc::clone(permits);
    let job = async move {
        let permit = permits.acquire_owned().await.map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is shutting down".to_string(),
            )
        })?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the search failed: {e}"),
            )
        })?
    };
    match tokio::time::timeout(timeout, job).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the search took longer than the server's limit of {} s (zhsearch serve --timeout) \
                 and was cut off; try a narrower query or filters",
                timeout.as_secs_f64()
            ),
        )),
    }
}

/// The server's routes and middleware over `engine`. `config.addr` should
/// be the address actually bound (it decides which `Host` values are
/// accepted); [`run`] sees to that.
pub fn router(engine: Arc<Engine>, config: &Config) -> Router {
    let hosts = config.addr.ip().is_loopback().then(|| {
        let port = config.addr.port();
        let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        if port == 80 {
            hosts.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
        }
        hosts
    });
    let state = Arc::new(Shared {
        engine,
        timeout: config.timeout,
        permits: Arc::new(Semaphore::new(config.concurrent_searches.max(1))),
        hosts,
        log: config.log,
    });
    Router::new()
        .route("/", get(assets::index))
        .route("/app.js", get(assets::script))
        .route("/style.css", get(assets::style))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/doc/{*id}", get(api::document))
        .route("/api/health", get(api::health))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            log_requests,
        ))
        .with_state(state)
}

/// Serves `engine` on `config.addr` until SIGINT (Ctrl-C) or SIGTERM, then
/// finishes the requests in flight and returns. `ready` is called with the
/// bound address once the server accepts connections.
pub fn run(engine: Engine, config: &Config, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let io = |addr| move |source| Error::Serve { addr, source };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("zhsearch-serve")
        .enable_all()
        .build()
        .map_err(io(config.addr))?;
    let engine = Arc::new(engine);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(io(config.addr))?;
        let addr = listener.local_addr().map_err(io(config.addr))?;
        let app = router(
            engine,
            &Config {
                addr,
                ..config.clone()
            },
        );
        ready(addr);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal(config.log))
            .await
            .map_err(io(addr))
    });
    // A search cut off by the timeout may still be running on the blocking pool.
    runtime.shutdown_timeout(Duration::from_secs(5));
    result
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal(log: bool) {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let name = tokio::select! {
        () = interrupt => "SIGINT",
        () = terminate => "SIGTERM",
    };
    if log {
        eprintln!("zhsearch: {name} received; finishing requests in flight, then stopping");
    }
}

/// Anything that is neither the page nor the API.
async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "nothing at {}: the page is at / and the API under /api/ (described at /api/openapi.json)",
            uri.path()
        ),
    )
}

/// Refuses requests with a body, with an overlong query string, or (on a
/// loopback address) for another host.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let (Some(hosts), Some(host)) = (&state.hosts, headers.get(header::HOST))
        && !hosts
            .iter()
            .any(|h| h.as_bytes().eq_ignore_ascii_case(host.as_bytes()))
    {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!("this server answers only to {}", hosts.join(", ")),
        )
        .into_response();
    }
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    if has_body {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request bodies are not accepted: every endpoint is GET, with its parameters in the query string"
                .to_string(),
        )
        .into_response();
    }
    if request
        .uri()
        .query()
        .is_some_and(|q| q.len() > MAX_QUERY_STRING)
    {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the query string is longer than {MAX_QUERY_STRING} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Turns the errors axum answers by itself (405, a path that does not
/// decode) into JSON errors like the API's own.
async fn json_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        format!("method {method} is not allowed on {path}: use GET")
    } else if !text.is_empty() {
        text
    } else {
        status.canonical_reason().unwrap_or("error").to_string()
    };
    let mut response = ApiError::new(status, message).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        response.headers_mut().insert(header::ALLOW, allow.clone());
    }
    response
}

/// Sets [`SECURITY_HEADERS`] on every response.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// Logs one line per request to stderr: method, path with query, status, milliseconds.
async fn log_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method: Method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), |p| p.to_string());
    let response = next.run(request).await;
    if state.log {
        eprintln!(
            "zhsearch: {method} {target} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn slow_work_is_cut_off_with_503() {
        let permits = Arc::new(Semaphore::new(1));
        let rt = runtime();
        let (result, elapsed) = rt.block_on(async {
            let started = Instant::now();
            let result = limited(Duration::from_millis(50), &permits, || {
                std::thread::sleep(Duration::from_millis(400));
                Ok(())
            })
            .await;
            (result, started.elapsed())
        });
        let err = result.expect_err("the work outlasts the timeout");
        assert_eq!(err.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            err.message
                .contains("longer than the server's limit of 0.05 s"),
            "{}",
            err.message
        );
        // Answered at the timeout, not when the work ends.
        assert!(elapsed < Duration::from_millis(350), "{elapsed:?}");
        // The work still holds its permit until it ends.
        assert_eq!(permits.available_permits(), 0);
    }

    #[test]
    fn waiting_for_a_permit_counts_against_the_timeout() {
        let permits = Arc::new(Semaphore::new(1));
        let rt = runtime();
        let results = rt.block_on(async {
            let slow = limited(Duration::from_secs(5), &permits, || {
                std::thread::sleep(Duration::from_millis(300));
                Ok("slow")
            });
            let queued = async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                limited(Duration::from_millis(100), &permits, || Ok("queued")).await
            };
            tokio::join!(slow, queued)
        });
        assert_eq!(results.0.unwrap(), "slow");
        assert_eq!(
            results.1.unwrap_err().status,
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn quick_work_and_its_errors_pass_through() {
        let permits = Arc::new(Semaphore::new(2));
        let rt = runtime();
        assert_eq!(
            rt.block_on(limited(Duration::from_secs(5), &permits, || Ok(7)))
                .unwrap(),
            7
        );
        let err = rt
            .block_on(limited(Duration::from_secs(5), &permits, || {
                Err::<(), _>(ApiError::new(StatusCode::NOT_FOUND, "gone".into()))
            }))
            .unwrap_err();
        assert_eq!(
            (err.status, err.message.as_str()),
            (StatusCode::NOT_FOUND, "gone")
        );
    }
}
