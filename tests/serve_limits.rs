//! `zhsearch serve` under hostile clients, over a real loopback socket:
//! connections that send nothing or too slowly are closed, connections
//! beyond the cap are refused with a JSON 503, shutdown ends within its
//! deadline whatever clients do, the HTTP stack's own errors are JSON with
//! the security headers, the Host check covers its edge cases, the log cuts
//! long targets, a damaged index answers a clear 500 and a `degraded`
//! health, and costly queries beyond the server's share get 429 with
//! `Retry-After`. Timeouts here are short and checked by what happens
//! (the connection is closed, the process exits), with generous bounds.

mod common;
#[path = "common/server.rs"]
mod server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::TestEnv;
use server::{SECURITY_HEADERS, Server, enc};

fn indexed() -> TestEnv {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    env
}

/// Reads from `stream` until the server closes it; panics if it is still
/// open after `within`. Returns what was read.
#[track_caller]
fn closed_within(stream: &mut TcpStream, within: Duration) -> String {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let started = Instant::now();
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "the connection is still open after {:?}: {e}",
                started.elapsed()
            ),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Panics unless `response` (status line, headers, body) is a JSON error
/// with `status` and every security header.
#[track_caller]
fn assert_json_error(response: &str, status: u16, what: &str) -> serde_json::Value {
    assert!(
        response.starts_with(&format!("HTTP/1.1 {status} ")),
        "{what}: {response}"
    );
    let (head, body) = response.split_once("\r\n\r\n").expect("a head");
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("\r\ncontent-type: application/json"),
        "{what}: {head}"
    );
    for (name, value) in SECURITY_HEADERS {
        assert!(
            head.contains(&format!("\r\n{name}: {}", value.to_ascii_lowercase())),
            "{what}: {name} missing in {head}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body}"));
    assert_eq!(json["error"]["status"], status, "{what}: {json}");
    json
}

#[test]
fn an_idle_connection_is_closed() {
    let env = indexed();
    let server = Server::start(&env, &["--idle-timeout", "0.3"]);
    // Connected, never a byte sent.
    let mut silent = TcpStream::connect(server.addr).unwrap();
    assert_eq!(closed_within(&mut silent, Duration::from_secs(10)), "");
    // After a request, kept alive, then idle.
    let mut kept = TcpStream::connect(server.addr).unwrap();
    write!(
        kept,
        "GET /api/health HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();
    let response = closed_within(&mut kept, Duration::from_secs(10));
    assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
}

#[test]
fn a_request_head_sent_too_slowly_is_cut_off() {
    let env = indexed();
    // The idle timeout is far off: only the header timeout can close it.
    let server = Server::start(&env, &["--header-timeout", "0.3", "--idle-timeout", "600"]);
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0")
        .unwrap();
    closed_within(&mut slow, Duration::from_secs(10));
    // A whole request is still answered.
    server.get_json("/api/health");
}

#[test]
fn connections_beyond_the_cap_get_a_json_503() {
    let env = indexed();
    let server = Server::start(&env, &["--max-connections", "2"]);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    // Give the server time to accept both before the third arrives.
    std::thread::sleep(Duration::from_millis(200));
    let mut third = TcpStream::connect(server.addr).unwrap();
    let response = closed_within(&mut third, Duration::from_secs(10));
    let error = assert_json_error(&response, 503, "over the cap");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 connections open"),
        "{error}"
    );
    assert!(
        response.to_ascii_lowercase().contains("\r\nretry-after: 1"),
        "{response}"
    );
    server.wait_for_log(Duration::from_secs(5), |l| {
        l.contains("refusing new ones with 503")
    });
    // Once they close, new connections are served again.
    drop(held);
    let started = Instant::now();
    loop {
        let (status, _) = server.raw(&format!(
            "GET /api/health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ));
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still {status}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn shutdown_ends_within_its_deadline_despite_a_half_sent_request() {
    let env = indexed();
    let server = Server::start(
        &env,
        &[
            "--shutdown-timeout",
            "1",
            "--header-timeout",
            "600",
            "--idle-timeout",
            "600",
        ],
    );
    let mut half = TcpStream::connect(server.addr).unwrap();
    half.write_all(b"GET /api/search?q=%E5%85%9A HTTP/1.1\r\nHost: ")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let (status, log) = server.stop("TERM");
    assert_eq!(status.code(), Some(0), "{log:?}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        log.iter()
            .any(|l| l.contains("1 of 1 connections still busy after 1 s; cut off")),
        "{log:?}"
    );
}

#[test]
fn errors_of_the_http_stack_are_json_with_the_security_headers() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    let host = server.addr;
    // A target over hyper's 64 KB limit.
    let (status, response) = server.raw(&format!(
        "GET /api/search?q={} HTTP/1.1\r\nHost: {host}\r\n\r\n",
        "a".repeat(70_000)
    ));
    assert_eq!(status, 414, "{response}");
    let error = assert_json_error(&response, 414, "long target");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("64 KB"),
        "{error}"
    );
    // Too many headers.
    let many: String = (0..120).map(|i| format!("X-Filler-{i}: 1\r\n")).collect();
    let (status, response) = server.raw(&format!(
        "GET /api/health HTTP/1.1\r\nHost: {host}\r\n{many}\r\n"
    ));
    assert_eq!(status, 431, "{response}");
    assert_json_error(&response, 431, "many headers");
    // A byte that is not UTF-8 in the target (UTF-8 itself is read).
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .write_all(b"GET /api/doc/\xff\xfe.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let response = closed_within(&mut stream, Duration::from_secs(10));
    let error = assert_json_error(&response, 400, "a byte that is not UTF-8");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("percent-encode"),
        "{error}"
    );
    server.wait_for_log(Duration::from_secs(5), |l| {
        l.contains("(request not read) 431")
    });
    // The server goes on serving.
    server.get_json("/api/health");
}

#[test]
fn the_host_check_covers_missing_duplicate_and_absolute_form() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    let host = server.addr;
    let (status, response) = server.raw("GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 400, "{response}");
    assert!(response.contains("no Host header"), "{response}");
    let (status, response) = server.raw(&format!(
        "GET /api/health HTTP/1.1\r\nHost: {host}\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(status, 400, "{response}");
    assert!(response.contains("more than one Host"), "{response}");
    let (status, response) = server.raw(&format!(
        "GET http://attacker.example/api/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(status, 421, "{response}");
    assert_json_error(&response, 421, "absolute-form");
    let (status, response) = server.raw(&format!(
        "GET http://{host}/api/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(status, 200, "{response}");
}

#[test]
fn the_log_cuts_long_targets_and_counts_what_was_cut() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    let query = "党".repeat(900);
    let path = format!("/api/search?q={}", enc(&query));
    assert_eq!(server.get(&path).status, 200);
    let cut = path.len() - 200;
    let line = server.wait_for_log(Duration::from_secs(5), |l| {
        l.starts_with("zhsearch: GET /api/search?q=")
    });
    assert!(line.contains(&format!("…(+{cut} bytes) 200 ")), "{line}");
    assert!(line.len() < 300, "{} bytes: {line}", line.len());
}

/// A server on `index/`, given by its absolute path.
fn serve_by_absolute_path(env: &TestEnv) -> Server {
    let absolute = env.path("index");
    Server::spawn(
        env,
        &[
            "serve",
            "--index",
            absolute.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ],
    )
}

#[test]
fn health_names_the_index_but_never_its_path() {
    let env = indexed();
    let server = serve_by_absolute_path(&env);
    let reply = server.get("/api/health");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let health = reply.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["index"], "index");
    let root = env.dir.path().to_str().unwrap();
    assert!(!reply.body.contains(root), "{}", reply.body);
}

#[test]
fn a_damaged_index_answers_a_clear_500_and_a_degraded_health() {
    let env = indexed();
    // Positions gone: the index opens, phrase searches fail.
    let mut removed = 0;
    for entry in std::fs::read_dir(env.path("index")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pos") {
            std::fs::remove_file(path).unwrap();
            removed += 1;
        }
    }
    assert!(removed > 0);
    let server = serve_by_absolute_path(&env);
    let root = env.dir.path().to_str().unwrap();
    let reply = server.get(&format!("/api/search?q={}", enc("\"高明区\"")));
    let error = reply.assert_error(500, "`index`", "damaged search");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("zhsearch index CORPUS --index index --rebuild"),
        "{message}"
    );
    for leak in ["panick", "unwrap", root] {
        assert!(!reply.body.contains(leak), "{leak}: {}", reply.body);
    }
    reply.assert_secure("500");
    let reply = server.get("/api/health");
    assert_eq!(reply.status, 503, "{}", reply.body);
    let health = reply.json();
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(
        health["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--rebuild"),
        "{health}"
    );
    assert!(!reply.body.contains(root), "{}", reply.body);
    // What failed is in the server's log, for the operator.
    server.wait_for_log(Duration::from_secs(5), |l| {
        l.contains("zhsearch: health: the index cannot be searched")
    });
}

#[test]
fn costly_queries_beyond_the_share_get_429_with_retry_after() {
    let env = indexed();
    let server = Server::start(&env, &["--per-client", "1", "--searches", "1"]);
    let costly = format!(
        "/api/search?q={}&facets=true",
        enc(&vec!["的"; 200].join(" OR "))
    );
    let barrier = std::sync::Barrier::new(12);
    let replies: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let agent = server.agent();
                let url = server.url(&costly);
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    server::fetch(&agent, &url)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut counts = std::collections::BTreeMap::new();
    for reply in &replies {
        *counts.entry(reply.status).or_insert(0) += 1;
        reply.assert_secure("costly");
        match reply.status {
            200 => {}
            429 => {
                reply.assert_error(429, "", "refused");
                assert!(reply.header("retry-after").is_some(), "{reply:?}");
            }
            other => panic!("{other}: {}", reply.body),
        }
    }
    eprintln!("12 costly queries at once from one address: {counts:?}");
    assert!(counts.get(&200).is_some_and(|&n| n >= 1), "{counts:?}");
}
