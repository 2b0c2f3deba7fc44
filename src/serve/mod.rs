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
//! | `GET /api/facet-specs` | the facets counted, their labels and filter parameters |
//! | `GET /api/suggest?q=…` | the query with a word corrected ("did you mean"), or null |
//! | `GET /api/doc/{id}` | one article (as `show --json`) |
//! | `GET /api/health` | the index, its documents, its last commit |
//! | `GET /api/openapi.json` | an OpenAPI 3.1 description of all this |
//!
//! Limits: parameters are validated (`limit` ≤ 100, `offset` ≤
//! 10,000, queries ≤ 1,000 characters); request bodies are refused; nothing
//! but the embedded page and the API is ever served (no file system
//! access). Searches are let in by [`admission`] (a share per client
//! address, a bounded queue, costly queries never waiting: 429 with
//! `Retry-After` beyond), run on the blocking pool and are answered with
//! 503 after [`Config::timeout`]; each carries a [`Deadline`] that is
//! cancelled when the 503 goes out or the client leaves, and the search
//! stops within milliseconds of it ([`crate::search::cancel`]). Connections are
//! timed and capped by [`conn`]. Every response carries a strict
//! Content-Security-Policy and friends ([`SECURITY_HEADERS`]); errors are
//! JSON (`{"error": {"status": 400, "message": "…"}}`), the HTTP library's
//! own included.
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

mod admission;
mod api;
mod assets;
mod conn;
mod error;
mod health;
mod json;
mod params;

pub use params::{MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_LIMIT, MAX_OFFSET};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::deadline::Deadline;
use crate::error::{Error, Result};
use crate::search::Engine;
use admission::{Admission, Cost, Policy};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use conn::Limits;
use error::ApiError;

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
pub const API_ROUTES: [&str; 7] = [
    "/api/search",
    "/api/facets",
    "/api/facet-specs",
    "/api/suggest",
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
    /// Most searches waiting for their turn; more are refused with 429.
    pub queue: usize,
    /// Most searches one client address may have running or waiting.
    pub per_client: usize,
    /// Time a request's head may take to arrive, from its first byte.
    pub header_timeout: Duration,
    /// Time a connection may stay open with nothing to do.
    pub idle_timeout: Duration,
    /// Most connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Time requests in flight have to finish when the server stops.
    pub shutdown_timeout: Duration,
    /// Whether to log one line per request (method, path, status, time) to stderr.
    pub log: bool,
}

/// Most connections open at once unless told otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: DEFAULT_ADDR,
            timeout: DEFAULT_TIMEOUT,
            concurrent_searches: 4,
            queue: 32,
            per_client: 4,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            shutdown_timeout: Duration::from_secs(10),
            log: true,
        }
    }
}

impl Config {
    fn policy(&self) -> Policy {
        Policy::new(self.concurrent_searches, self.queue, self.per_client)
    }

    fn limits(&self) -> Limits {
        Limits {
            header_timeout: self.header_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections.max(1),
            shutdown_timeout: self.shutdown_timeout,
        }
    }
}

/// What every handler shares.
struct Shared {
    engine: Arc<Engine>,
    timeout: Duration,
    admission: Arc<Admission>,
    /// With a loopback address: the `Host` values accepted (so that a web
    /// page elsewhere cannot reach the server by DNS rebinding).
    hosts: Option<Vec<String>>,
    log: bool,
    /// The index's directory name: what clients are told (never its path).
    index_name: String,
    probe: health::Probe,
}

type AppState = Arc<Shared>;

impl Shared {
    /// Runs `work` on the engine for `client` on the blocking pool, if
    /// admission lets it in, within the time limit.
    async fn run<T: Send + 'static>(
        &self,
        client: IpAddr,
        cost: &Cost,
        work: impl FnOnce(&Engine, &Deadline) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let deadline = Deadline::after(self.timeout);
        let ticket = match self.admission.admit(client, cost) {
            Ok(ticket) => ticket,
            Err(refusal) => {
                tokio::time::sleep(refusal.pause()).await;
                return Err(refusal.into_error());
            }
        };
        let engine = Arc::clone(&self.engine);
        limited(
            &deadline,
            self.timeout,
            ticket.run(),
            &self.index_name,
            move |deadline| work(&engine, deadline),
        )
        .await
    }
}

/// Cancels a deadline when dropped: when the answer has gone out, or the
/// client went away and the request was dropped.
struct CancelOnDrop(Deadline);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs blocking `work` on tokio's blocking pool once `turn` (a place in
/// the pool) comes, and gives up at `deadline` (waiting included) with a
/// 503. A search whose turn comes after its deadline never starts. Work
/// that timed out runs on, holding its place, until it next checks its
/// deadline, which is cancelled when the 503 goes out (or the client
/// leaves), so that runaway searches cannot pile up beyond the pool.
async fn limited<T: Send + 'static, P: Send + 'static>(
    deadline: &Deadline,
    limit: Duration,
    turn: impl Future<Output = Result<P, ApiError>>,
    index: &str,
    work: impl FnOnce(&Deadline) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _cancel = CancelOnDrop(deadline.clone());
    let started = AtomicBool::new(false);
    let job = async {
        let place = turn.await?;
        if deadline.is_over() {
            return Err(busy(limit));
        }
        started.store(true, Ordering::Relaxed);
        let theirs = deadline.clone();
        tokio::task::spawn_blocking(move || {
            let _place = place;
            work(&theirs)
        })
        .await
        .map_err(|e| {
            let what = match e.try_into_panic() {
                Ok(panic) => panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic")
                    .to_string(),
                Err(e) => e.to_string(),
            };
            eprintln!("zhsearch: error: a search on the index {index} failed: {what}");
            ApiError::damaged(index)
        })?
    };
    let at = deadline
        .at()
        .map(tokio::time::Instant::from_std)
        .unwrap_or_else(|| tokio::time::Instant::now() + limit);
    match tokio::time::timeout_at(at, job).await {
        Ok(result) => result,
        Err(_) if !started.load(Ordering::Relaxed) => Err(busy(limit)),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the search took longer than the server's limit of {} s (zhsearch serve --timeout) \
                 and was cut off; try a narrower query or filters",
                limit.as_secs_f64()
            ),
        )),
    }
}

/// The 503 of a search that waited its whole time limit for its turn.
fn busy(limit: Duration) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "the server is busy: the search waited the server's whole limit of {} s \
             (zhsearch serve --timeout) for its turn; try again shortly",
            limit.as_secs_f64()
        ),
    )
    .retry_after(1)
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
    let index_name = engine
        .index()
        .dir
        .file_name()
        .map_or_else(|| "index".to_string(), |n| n.to_string_lossy().into_owned());
    let state = Arc::new(Shared {
        engine,
        timeout: config.timeout,
        admission: Admission::new(config.policy()),
        hosts,
        log: config.log,
        index_name,
        probe: health::Probe::default(),
    });
    Router::new()
        .route("/", get(assets::index))
        .route("/app.js", get(assets::script))
        .route("/style.css", get(assets::style))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/facet-specs", get(api::facet_specs))
        .route("/api/suggest", get(api::suggest))
        .route("/api/doc/{*id}", get(api::document))
        .route("/api/health", get(health::health))
        .route("/api/openapi.json", get(assets::openapi_json))
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
/// lets the requests in flight finish (within `config.shutdown_timeout`)
/// and returns. `ready` is called with the bound address once the server
/// accepts connections.
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
        let mut limits = config.limits();
        limits.max_connections = conn::fit_to_file_limit(limits.max_connections);
        if limits.max_connections < config.max_connections && config.log {
            eprintln!(
                "zhsearch: at most {} connections at once (--max-connections {} does not fit \
                 the open-file limit; raise it with `ulimit -n`)",
                limits.max_connections, config.max_connections
            );
        }
        ready(addr);
        conn::serve(
            listener,
            app,
            limits,
            config.log,
            shutdown_signal(config.log),
        )
        .await;
        Ok(())
    });
    // A search cut off by the timeout may still be running on the blocking
    // pool until it next checks its deadline (cancelled by now).
    runtime.shutdown_timeout(Duration::from_secs(1));
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
    if let Err(refusal) = check_host(request.headers(), request.uri(), state.hosts.as_deref()) {
        return refusal.into_response();
    }
    let headers = request.headers();
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

/// The `Host` check: exactly one `Host` header (400 otherwise), and with
/// `hosts` (a loopback address) it and the authority of an absolute-form
/// target (`GET http://host/…`) must be among them (421 otherwise).
fn check_host(
    headers: &axum::http::HeaderMap,
    uri: &Uri,
    hosts: Option<&[String]>,
) -> Result<(), ApiError> {
    let mut values = headers.get_all(header::HOST).iter();
    let host = match (values.next(), values.next()) {
        (Some(host), None) => host,
        (None, _) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request has no Host header".to_string(),
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request has more than one Host header".to_string(),
            ));
        }
    };
    let Some(hosts) = hosts else {
        return Ok(());
    };
    let allowed = |value: &[u8]| {
        hosts
            .iter()
            .any(|h| h.as_bytes().eq_ignore_ascii_case(value))
    };
    let authority = uri.authority().map(|a| a.as_str().as_bytes());
    if allowed(host.as_bytes()) && authority.is_none_or(allowed) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!("this server answers only to {}", hosts.join(", ")),
        ))
    }
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

/// Longest request target logged, in bytes; the rest is counted, not written.
pub const MAX_LOGGED_TARGET: usize = 200;

/// Logs one line per request to stderr: method, path with query (cut to
/// [`MAX_LOGGED_TARGET`] bytes, saying how many were cut), status,
/// milliseconds.
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
            "zhsearch: {} {} {} {:.1}ms",
            truncated(method.as_str(), 16),
            truncated(&target, MAX_LOGGED_TARGET),
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

/// `text` cut to at most `max` bytes (on a character boundary), followed by
/// `…(+N bytes)` when anything was cut.
fn truncated(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…(+{} bytes)", &text[..end], text.len() - end).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::sync::Semaphore;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap()
    }

    /// `limited` with a place from `permits` and a deadline `limit` from now.
    async fn run<T: Send + 'static>(
        limit: Duration,
        permits: &Arc<Semaphore>,
        work: impl FnOnce(&Deadline) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let deadline = Deadline::after(limit);
        let turn = async {
            Arc::clone(permits)
                .acquire_owned()
                .await
                .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, String::new()))
        };
        limited(&deadline, limit, turn, "新闻索引", work).await
    }

    #[test]
    fn slow_work_is_cut_off_with_503() {
        let permits = Arc::new(Semaphore::new(1));
        let rt = runtime();
        let (result, elapsed) = rt.block_on(async {
            let started = Instant::now();
            let result = run(Duration::from_millis(50), &permits, |_| {
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
    fn work_whose_request_is_dropped_sees_its_deadline_cancelled() {
        // The deadline never passes by itself: the request is dropped (as
        // when its client goes away or its 503 goes out), and only the
        // cancellation this brings can stop the work.
        let permits = Arc::new(Semaphore::new(1));
        let rounds = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let rt = runtime();
        let (counted, after) = (Arc::clone(&rounds), Arc::clone(&stopped));
        let result = rt.block_on(async {
            let deadline = Deadline::never();
            let turn =
                async { Ok::<_, ApiError>(Arc::clone(&permits).acquire_owned().await.unwrap()) };
            let work = move |deadline: &Deadline| {
                while !deadline.is_over() {
                    counted.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(1));
                }
                after.store(true, Ordering::Relaxed);
                Ok(())
            };
            let limited = limited(&deadline, Duration::from_secs(600), turn, "index", work);
            tokio::time::timeout(Duration::from_millis(30), limited).await
        });
        assert!(result.is_err(), "cut off");
        // The work saw the cancellation and stopped: it gave its place back.
        let waited = Instant::now();
        while permits.available_permits() == 0 {
            assert!(waited.elapsed() < Duration::from_secs(5), "still running");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(stopped.load(Ordering::Relaxed));
        let total = rounds.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            rounds.load(Ordering::Relaxed),
            total,
            "no work after it stopped"
        );
    }

    #[test]
    fn a_search_whose_turn_comes_too_late_never_starts() {
        let permits = Arc::new(Semaphore::new(1));
        let started = Arc::new(AtomicBool::new(false));
        let rt = runtime();
        let flag = Arc::clone(&started);
        let results = rt.block_on(async {
            let slow = run(Duration::from_secs(5), &permits, |_| {
                std::thread::sleep(Duration::from_millis(300));
                Ok("slow")
            });
            let queued = async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                run(Duration::from_millis(100), &permits, move |_| {
                    flag.store(true, Ordering::Relaxed);
                    Ok("queued")
                })
                .await
            };
            tokio::join!(slow, queued)
        });
        assert_eq!(results.0.unwrap(), "slow");
        let err = results.1.unwrap_err();
        assert_eq!(err.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.retry_after, Some(1));
        assert!(err.message.contains("busy"), "{}", err.message);
        assert!(!started.load(Ordering::Relaxed));
    }

    #[test]
    fn a_panicking_search_is_a_500_naming_the_index() {
        let permits = Arc::new(Semaphore::new(1));
        let rt = runtime();
        let err = rt
            .block_on(run(
                Duration::from_secs(5),
                &permits,
                |_| -> Result<(), ApiError> {
                    // As tantivy does on some damaged files.
                    panic!("called `Option::unwrap()` on a `None` value")
                },
            ))
            .unwrap_err();
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(err.message.contains("`新闻索引`"), "{}", err.message);
        assert!(err.message.contains("--rebuild"), "{}", err.message);
        assert!(
            !err.message.contains("panic") && !err.message.contains("unwrap"),
            "{}",
            err.message
        );
    }

    #[test]
    fn quick_work_and_its_errors_pass_through() {
        let permits = Arc::new(Semaphore::new(2));
        let rt = runtime();
        assert_eq!(
            rt.block_on(run(Duration::from_secs(5), &permits, |_| Ok(7)))
                .unwrap(),
            7
        );
        let err = rt
            .block_on(run(Duration::from_secs(5), &permits, |_| {
                Err::<(), _>(ApiError::new(StatusCode::NOT_FOUND, "gone".into()))
            }))
            .unwrap_err();
        assert_eq!(
            (err.status, err.message.as_str()),
            (StatusCode::NOT_FOUND, "gone")
        );
    }

    fn headers(host: &[&str]) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        for h in host {
            map.append(header::HOST, HeaderValue::from_str(h).unwrap());
        }
        map
    }

    #[test]
    fn host_check_edge_cases() {
        let hosts = vec!["127.0.0.1:7700".to_string(), "localhost:7700".to_string()];
        let origin: Uri = "/api/health".parse().unwrap();
        let check = |h: &[&str], uri: &Uri| {
            check_host(&headers(h), uri, Some(&hosts)).map_err(|e| (e.status, e.message))
        };
        assert!(check(&["127.0.0.1:7700"], &origin).is_ok());
        assert!(check(&["LOCALHOST:7700"], &origin).is_ok());
        let (status, message) = check(&[], &origin).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message.contains("no Host"), "{message}");
        let (status, message) = check(&["127.0.0.1:7700", "evil.example"], &origin).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message.contains("more than one"), "{message}");
        // Twice the same allowed value is still two headers.
        assert!(check(&["127.0.0.1:7700", "127.0.0.1:7700"], &origin).is_err());
        // An absolute-form target names the host too.
        let absolute: Uri = "http://evil.example/api/health".parse().unwrap();
        let (status, _) = check(&["127.0.0.1:7700"], &absolute).unwrap_err();
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
        let ours: Uri = "http://localhost:7700/api/health".parse().unwrap();
        assert!(check(&["127.0.0.1:7700"], &ours).is_ok());
        // Served to the network: any one Host, but still exactly one.
        assert!(check_host(&headers(&["search.example"]), &origin, None).is_ok());
        assert!(check_host(&headers(&[]), &origin, None).is_err());
    }

    #[test]
    fn long_log_targets_are_cut_and_counted() {
        let target = format!("/api/search?q={}", "%E5%85%9A".repeat(1000));
        let logged = truncated(&target, MAX_LOGGED_TARGET);
        assert!(logged.len() < MAX_LOGGED_TARGET + 20, "{logged}");
        assert!(
            logged.ends_with(&format!("…(+{} bytes)", target.len() - MAX_LOGGED_TARGET)),
            "{logged}"
        );
        // A multi-byte character is never split.
        let chinese = "党".repeat(100);
        let cut = truncated(&chinese, 200);
        assert!(
            cut.starts_with(&"党".repeat(66)) && cut.ends_with("(+102 bytes)"),
            "{cut}"
        );
        assert_eq!(truncated("/api/health", MAX_LOGGED_TARGET), "/api/health");
    }
}
