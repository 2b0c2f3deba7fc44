//! A `zhsearch serve` child process on a free loopback port, and small HTTP
//! helpers to talk to it. Include with `#[path = "common/server.rs"] mod server;`
//! beside `mod common;`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::TestEnv;

/// The headers every response must carry, with their values.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// A running server. Killed when dropped.
pub struct Server {
    child: Option<Child>,
    /// The address it listens on.
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
}

/// One HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The value of a header (lower-case name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// Panics unless the security headers are all there.
    #[track_caller]
    pub fn assert_secure(&self, what: &str) {
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(self.header(name), Some(value), "{what}: header {name}");
        }
    }

    /// Panics unless this is a JSON error with `status` whose message contains `needle`.
    #[track_caller]
    pub fn assert_error(&self, status: u16, needle: &str, what: &str) -> Value {
        assert_eq!(self.status, status, "{what}: {}", self.body);
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{what}: content-type {:?}",
            self.header("content-type")
        );
        let body = self.json();
        assert_eq!(body["error"]["status"], status, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(needle),
            "{what}: {message:?} lacks {needle:?}"
        );
        body["error"].clone()
    }
}

/// Percent-encodes a query-string value.
pub fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Percent-encodes a path segment (an id: `/` kept, `#`, `?`, `%` and spaces encoded).
pub fn enc_path(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Server {
    /// Starts `zhsearch serve --index index --addr 127.0.0.1:0 ARGS` in the
    /// environment and waits until it says where it listens.
    pub fn start(env: &TestEnv, args: &[&str]) -> Server {
        let mut all = vec!["serve", "--index", "index", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::spawn(env, &all)
    }

    /// Starts the binary with exactly `args` (a `serve` command line).
    pub fn spawn(env: &TestEnv, args: &[&str]) -> Server {
        let mut child = env
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start zhsearch serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        // Keep reading stderr (the request log) so that the server never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let addr = line
                    .split_once(" on http://")
                    .and_then(|(_, rest)| rest.split('/').next())
                    .and_then(|a| a.parse::<SocketAddr>().ok());
                // Log the line before saying the server is up, so that a
                // caller reading the log right after `start` sees it.
                lines.lock().unwrap().push(line);
                if let Some(addr) = addr {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "zhsearch serve did not say where it listens; its stderr:\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Server {
            child: Some(child),
            addr,
            log,
            agent,
        }
    }

    /// `http://ADDR` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A client sharing this server's settings (each thread may clone it).
    pub fn agent(&self) -> ureq::Agent {
        self.agent.clone()
    }

    /// GET `path` (already percent-encoded).
    #[track_caller]
    pub fn get(&self, path: &str) -> Reply {
        fetch(&self.agent, &self.url(path))
    }

    /// GET `path` and check that it answers 200 with JSON and the security headers.
    #[track_caller]
    pub fn get_json(&self, path: &str) -> Value {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
        reply.assert_secure(path);
        reply.json()
    }

    /// Sends `request` as it is over a fresh connection and returns the
    /// status and the whole response (headers and body).
    pub fn raw(&self, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream.write_all(request.as_bytes()).expect("send");
        let mut response = Vec::new();
        // The server may close the connection before reading the whole
        // request (a refused body): what it sent is still there to read.
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    /// The server's stderr so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until a line of stderr satisfies `pred`, or panics after `timeout`.
    pub fn wait_for_log(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.log().into_iter().find(|l| pred(l)) {
                return line;
            }
            assert!(
                started.elapsed() < timeout,
                "no such log line within {timeout:?}:\n{}",
                self.log().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the server to exit.
    pub fn stop(mut self, signal: &str) -> (ExitStatus, Vec<String>) {
        let mut child = self.child.take().expect("running");
        let sent = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} failed");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("the server did not stop within 20 s of SIG{signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        (status, self.log())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// GET `url` with `agent`.
#[track_caller]
pub fn fetch(agent: &ureq::Agent, url: &str) -> Reply {
    let mut response = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|e| panic!("GET {url}: body: {e}"));
    Reply {
        status,
        headers,
        body,
    }
}
