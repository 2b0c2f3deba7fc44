//! Connections: accepting them, capping how many are open, ending those
//! that send nothing or too slowly, answering the HTTP stack's own errors as
//! JSON, and closing everything within a deadline on shutdown.
//!
//! Each connection is served by hyper's HTTP/1 connection, watched by a
//! small timer of its own:
//!
//! - **header timeout**: once the first byte of a request has arrived, its
//!   whole head must arrive within [`Limits::header_timeout`];
//! - **idle timeout**: a connection with no request in flight that sends
//!   nothing for [`Limits::idle_timeout`] is closed (a new connection
//!   included);
//! - **cap**: beyond [`Limits::max_connections`] open connections, a new
//!   one is answered 503 (JSON, `Retry-After`) and closed;
//! - **shutdown**: on a signal, no new connection is accepted, idle ones
//!   close, requests in flight may finish within
//!   [`Limits::shutdown_timeout`]; whatever is left then is cut off.
//!
//! hyper answers a request it cannot parse by itself (a target over
//! 64 KB, too many or too large headers, bytes that are not UTF-8 in the
//! target) with an empty body. [`Watched`] puts a JSON error with the
//! security headers in its place, so every error the server sends is JSON.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::SECURITY_HEADERS;
use super::error::ApiError;

/// The connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time for a request's head, from its first byte.
    pub header_timeout: Duration,
    /// Time a connection may stay open without a request in flight and
    /// without sending anything.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Time requests in flight have to finish once shutdown begins.
    pub shutdown_timeout: Duration,
}

/// Refusals sent at once over the cap; beyond them a connection is just closed.
const MAX_REFUSALS_IN_FLIGHT: usize = 64;

/// Serves `app` on `listener` within `limits` until `shutdown` resolves,
/// then closes down within [`Limits::shutdown_timeout`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    log: bool,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSALS_IN_FLIGHT));
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut refused = Refusals::default();
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    match Arc::clone(&open).try_acquire_owned() {
                        Ok(permit) => {
                            let app = app.clone();
                            let stopped = stopped.clone();
                            connections.spawn(async move {
                                connection(stream, peer, app, limits, log, stopped).await;
                                drop(permit);
                            });
                        }
                        Err(_) => {
                            refused.count(log, limits.max_connections);
                            if let Ok(permit) = Arc::clone(&refusing).try_acquire_owned() {
                                tokio::spawn(async move {
                                    refuse(stream, limits.max_connections).await;
                                    drop(permit);
                                });
                            }
                        }
                    }
                }
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: say so (once a second), wait a little.
                    refused.accept_failed(log, &e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let finished = tokio::time::timeout(limits.shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        let left = connections.len();
        connections.abort_all();
        if log {
            eprintln!(
                "zhsearch: {left} of {open} connections still busy after {} s; cut off",
                limits.shutdown_timeout.as_secs_f64()
            );
        }
    }
}

/// File descriptors kept for the index, the listener and the log.
const RESERVED_FILES: u64 = 64;

/// `max` connections, or fewer if the process may not open that many
/// files: the soft open-file limit is first raised towards the hard one.
/// A connection cap above the file limit would let idle connections use up
/// every descriptor, and then every new connection fails to be accepted.
pub fn fit_to_file_limit(max: usize) -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write `limit`.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return max;
            }
            let wanted = (max as u64).saturating_add(RESERVED_FILES);
            if limit.rlim_cur != libc::RLIM_INFINITY && limit.rlim_cur < wanted {
                let raised = libc::rlimit {
                    rlim_cur: wanted.min(limit.rlim_max),
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit.rlim_cur = raised.rlim_cur;
                }
            }
        }
        if limit.rlim_cur == libc::RLIM_INFINITY {
            return max;
        }
        let fits = limit.rlim_cur.saturating_sub(RESERVED_FILES).max(1);
        max.min(usize::try_from(fits).unwrap_or(usize::MAX))
    }
    #[cfg(not(unix))]
    max
}

/// Counts connections refused over the cap and failed accepts, logging at
/// most one line a second.
#[derive(Default)]
struct Refusals {
    refused: u64,
    logged: Option<Instant>,
}

impl Refusals {
    fn due(&mut self) -> bool {
        let due = self
            .logged
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if due {
            self.logged = Some(Instant::now());
        }
        due
    }

    fn count(&mut self, log: bool, max: usize) {
        self.refused += 1;
        if log && self.due() {
            eprintln!(
                "zhsearch: {max} connections open (--max-connections); refusing new ones with 503 \
                 ({} refused so far)",
                self.refused
            );
        }
    }

    fn accept_failed(&mut self, log: bool, error: &io::Error) {
        if log && self.due() {
            eprintln!("zhsearch: cannot accept a connection: {error}");
        }
    }
}

/// Answers a connection over the cap with 503 and closes it.
async fn refuse(stream: TcpStream, max: usize) {
    let error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("the server has {max} connections open, its limit; try again shortly"),
    );
    let bytes = raw_response(&error, Some(1));
    let _ = tokio::time::timeout(Duration::from_secs(1), write_and_close(stream, &bytes)).await;
}

/// Writes `bytes`, ends the sending side, and reads what the client sent
/// until it closes too, so that its request left unread does not turn the
/// close into a reset that would lose the answer.
async fn write_and_close(stream: TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    let stream = stream.into_std()?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let stream = TcpStream::from_std(stream)?;
    let mut sink = [0u8; 4096];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut sink) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

/// A whole HTTP/1.1 response for `error`, with the security headers, for
/// a connection about to close.
fn raw_response(error: &ApiError, retry_after: Option<u32>) -> Vec<u8> {
    let body = super::json::to_json(&error.body());
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncache-control: no-store\r\n\
         content-length: {}\r\nconnection: close\r\n",
        error.status.as_u16(),
        error.status.canonical_reason().unwrap_or(""),
        body.len()
    );
    if let Some(seconds) = retry_after {
        head.push_str(&format!("retry-after: {seconds}\r\n"));
    }
    for (name, value) in SECURITY_HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// Milliseconds since the first call, as a clock for [`Activity`].
fn now_ms() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// No request head under way.
const NONE: u64 = u64::MAX;

/// What a connection is doing, for its timer.
#[derive(Debug)]
struct Activity {
    /// When it last read or wrote anything (ms, [`now_ms`]).
    last: AtomicU64,
    /// When the first byte of the request head now arriving came, or [`NONE`].
    head: AtomicU64,
    /// Requests being answered.
    in_flight: AtomicUsize,
    /// Wakes the connection's timer when a request head starts arriving.
    head_started: Notify,
}

/// Why a connection is closed by its timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expired {
    Header,
    Idle,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            last: AtomicU64::new(now_ms()),
            head: AtomicU64::new(NONE),
            in_flight: AtomicUsize::new(0),
            head_started: Notify::new(),
        }
    }

    fn read(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let now = now_ms();
        self.last.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0
            && self
                .head
                .compare_exchange(NONE, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.head_started.notify_one();
        }
    }

    fn wrote(&self) {
        self.last.store(now_ms(), Ordering::Relaxed);
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head.store(NONE, Ordering::Relaxed);
    }

    fn request_ended(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.last.store(now_ms(), Ordering::Relaxed);
    }

    /// Whether the connection should be closed now, and otherwise how long
    /// until it should be checked again.
    fn check(&self, limits: &Limits) -> Result<Duration, Expired> {
        self.check_at(limits, now_ms())
    }

    /// [`Activity::check`] at `now` ([`now_ms`]).
    fn check_at(&self, limits: &Limits, now: u64) -> Result<Duration, Expired> {
        let ms = |d: Duration| d.as_millis() as u64;
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            // A request's own time limit applies.
            return Ok(limits.idle_timeout.min(limits.header_timeout));
        }
        let head = self.head.load(Ordering::Relaxed);
        let (since, limit, why) = if head == NONE {
            (
                self.last.load(Ordering::Relaxed),
                limits.idle_timeout,
                Expired::Idle,
            )
        } else {
            (head, limits.header_timeout, Expired::Header)
        };
        let deadline = since.saturating_add(ms(limit));
        if now >= deadline {
            Err(why)
        } else {
            Ok(Duration::from_millis(deadline - now))
        }
    }
}

/// Serves one connection until it closes, times out, or shutdown cuts it.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    log: bool,
    mut stopped: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity), log));
    let requests = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        let activity = Arc::clone(&requests);
        activity.request_started();
        async move {
            let response = app.oneshot(request).await;
            activity.request_ended();
            response
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    // The timer below takes care of slow and idle clients.
    http.timer(TokioTimer::new()).header_read_timeout(None);
    let mut conn = pin!(http.serve_connection(io, service));
    let mut stopping = *stopped.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        let wait = match activity.check(&limits) {
            Ok(wait) => wait,
            Err(_) => return, // dropping the connection closes it
        };
        tokio::select! {
            _ = conn.as_mut() => return,
            () = tokio::time::sleep(wait) => {}
            () = activity.head_started.notified() => {}
            changed = stopped.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// A connection's socket, recording its [`Activity`] and putting a JSON
/// error in place of hyper's own bare error responses.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    log: bool,
    /// A replacement being written: its bytes, how many are written, and
    /// the length of hyper's buffer it stands for.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl Watched {
    fn new(inner: TcpStream, activity: Arc<Activity>, log: bool) -> Watched {
        Watched {
            inner,
            activity,
            log,
            replacing: None,
        }
    }
}

/// If `buf` is a response head that hyper wrote by itself (no security
/// headers, so it never went through the router): its status.
fn bare_error_status(buf: &[u8]) -> Option<StatusCode> {
    let rest = buf.strip_prefix(b"HTTP/1.")?;
    let code = rest.get(2..5)?;
    let status = StatusCode::from_bytes(code).ok()?;
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let ours = head.contains(SECURITY_HEADERS[1].0);
    (!ours && (status.is_client_error() || status.is_server_error())).then_some(status)
}

/// The message for an error hyper answers by itself.
fn stack_error(status: StatusCode) -> ApiError {
    let message = match status {
        StatusCode::URI_TOO_LONG => {
            "the request target is too long (the server reads at most 64 KB of it)".to_string()
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the request's headers are too many (at most 100) or too large".to_string()
        }
        StatusCode::BAD_REQUEST => "the request could not be read as HTTP/1.1 (the request \
             target must be UTF-8 without control characters: percent-encode anything else)"
            .to_string(),
        other => format!(
            "the request could not be read as HTTP/1.1 ({})",
            other.canonical_reason().unwrap_or("error")
        ),
    };
    ApiError::new(status, message)
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = ready!(Pin::new(&mut self.inner).poll_read(cx, buf));
        self.activity.read(buf.filled().len() - before);
        Poll::Ready(result)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replacing.is_none()
            && let Some(status) = bare_error_status(buf)
        {
            let error = stack_error(status);
            if self.log {
                eprintln!("zhsearch: - (request not read) {}", status.as_u16());
            }
            self.replacing = Some((raw_response(&error, None), 0, buf.len()));
        }
        let this = &mut *self;
        if let Some((bytes, written, claimed)) = &mut this.replacing {
            while *written < bytes.len() {
                let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                *written += n;
                this.activity.wrote();
            }
            let claimed = *claimed;
            this.replacing = None;
            return Poll::Ready(Ok(claimed));
        }
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        this.activity.wrote();
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes each response head at the start of
    // one buffer, where `bare_error_status` looks for it.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 10,
            shutdown_timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn hyper_own_errors_are_recognised_and_ours_are_not() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(bare_error_status(bare), Some(StatusCode::URI_TOO_LONG));
        let ours = raw_response(&stack_error(StatusCode::URI_TOO_LONG), None);
        assert_eq!(bare_error_status(&ours), None);
        assert_eq!(
            bare_error_status(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"),
            None
        );
        assert_eq!(bare_error_status(b"{\"hits\": []}"), None);
        assert_eq!(bare_error_status(b"HTTP/1."), None);
    }

    #[test]
    fn a_replacement_is_json_with_the_security_headers() {
        let bytes = raw_response(&stack_error(StatusCode::BAD_REQUEST), None);
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        let head = format!("{head}\r\n");
        for (name, value) in SECURITY_HEADERS {
            assert!(head.contains(&format!("\r\n{name}: {value}\r\n")), "{head}");
        }
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, body.len());
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["status"], 400);
        assert!(json["error"]["message"].as_str().unwrap().contains("UTF-8"));
    }

    #[test]
    fn a_started_head_must_finish_within_the_header_timeout() {
        let a = Activity::new();
        let l = limits();
        assert!(a.check(&l).unwrap() > Duration::from_secs(29));
        a.read(5);
        let wait = a.check(&l).unwrap();
        assert!(wait <= Duration::from_secs(10), "{wait:?}");
        // 10 s after the head's first byte, it is late.
        let later = now_ms() + 10_001;
        assert_eq!(a.check_at(&l, later), Err(Expired::Header));
        // Once the request is read, its own time limit applies.
        a.request_started();
        assert!(a.check(&l).is_ok());
        a.request_ended();
        // Then the idle timeout, from the end of the request.
        assert!(a.check(&l).unwrap() > Duration::from_secs(29));
        assert!(a.check_at(&l, later).is_ok());
        assert_eq!(a.check_at(&l, now_ms() + 30_001), Err(Expired::Idle));
    }
}
