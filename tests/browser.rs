//! The browsing page in headless Chromium, driven over the DevTools
//! protocol: load the page, type a query, click a district in the facet
//! tree, check the results and the highlighted `<mark>` text, follow links,
//! go back, open a document, make sure article markup stays text, and take
//! screenshots (wide and 360 px) into `target/tmp/`.
//!
//! Chromium is Debian's `chromium` (or `$CHROMIUM`). Without it this test
//! fails, saying so, unless `ZHSEARCH_SKIP_BROWSER=1` is set.

mod common;
#[path = "common/server.rs"]
mod server;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::TestEnv;
use serde_json::{Value, json};
use server::{Server, enc};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Where Chromium is, or why the test cannot run.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A headless Chromium, killed when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    devtools: String,
}

impl Browser {
    fn start(binary: &PathBuf) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split_once("DevTools listening on ").map(|(_, u)| u) {
                    let _ = tx.send(Ok(url.trim().to_string()));
                }
                lines.push(line);
            }
            let _ = tx.send(Err(lines.join("\n")));
        });
        let devtools = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(url)) => url,
            Ok(Err(log)) => panic!("Chromium exited without a DevTools address:\n{log}"),
            Err(_) => {
                let _ = child.kill();
                panic!("Chromium did not print a DevTools address within 30 s");
            }
        };
        Browser {
            child,
            _profile: profile,
            devtools,
        }
    }

    /// A DevTools connection to the browser's page.
    fn page(&self) -> Page {
        // ws://127.0.0.1:PORT/devtools/browser/ID → http://127.0.0.1:PORT/json/list
        let host = self
            .devtools
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let started = Instant::now();
        let url = loop {
            let list: Value = serde_json::from_str(
                &agent
                    .get(&format!("http://{host}/json/list"))
                    .call()
                    .expect("DevTools /json/list")
                    .body_mut()
                    .read_to_string()
                    .unwrap(),
            )
            .unwrap();
            let page = list.as_array().and_then(|targets| {
                targets
                    .iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(String::from))
            });
            if let Some(url) = page {
                break url;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no page target: {list}"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let (mut ws, _) = tungstenite::connect(url.as_str()).expect("connect to the page");
        if let MaybeTlsStream::Plain(stream) = ws.get_mut() {
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
        }
        let mut page = Page {
            ws,
            next: 0,
            events: Vec::new(),
        };
        page.call("Runtime.enable", json!({}));
        page.call("Log.enable", json!({}));
        page.call("Page.enable", json!({}));
        page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal DevTools protocol client for one page.
struct Page {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    /// Events received so far (console messages, exceptions, log entries).
    events: Vec<Value>,
}

impl Page {
    /// Calls a DevTools method and returns its result.
    #[track_caller]
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let message = json!({ "id": id, "method": method, "params": params });
        self.ws
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        loop {
            let message = self.ws.read().unwrap_or_else(|e| panic!("{method}: {e}"));
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if value["id"] == id {
                if let Some(error) = value.get("error") {
                    panic!("{method} failed: {error}");
                }
                return value["result"].clone();
            }
            if value.get("method").is_some() {
                self.events.push(value);
            }
        }
    }

    /// Evaluates JavaScript in the page and returns its value.
    #[track_caller]
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true.
    #[track_caller]
    fn wait(&mut self, expression: &str, what: &str) {
        let started = Instant::now();
        loop {
            if self.eval(expression) == json!(true) {
                return;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let state = self.eval("document.body ? document.body.dataset.state : 'no body'");
                let text = self.eval("document.body ? document.body.innerText.slice(0, 2000) : ''");
                panic!("timed out waiting for {what} ({expression}); state {state}; page:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the page has finished rendering the URL's state.
    #[track_caller]
    fn settled(&mut self, what: &str) {
        self.wait(
            "!!document.body && document.body.dataset.state === 'ready'",
            what,
        );
    }

    /// Clicks the middle of the element `selector` (after scrolling it into
    /// view) with real mouse events.
    #[track_caller]
    fn click(&mut self, selector_js: &str) {
        let rect = self.eval(&format!(
            "(() => {{ const e = {selector_js}; if (!e) return null; e.scrollIntoView({{block: 'center'}});
               const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        let (x, y) = match rect.as_array() {
            Some(xy) => (xy[0].as_f64().unwrap(), xy[1].as_f64().unwrap()),
            None => panic!("nothing to click: {selector_js}"),
        };
        // The page marks itself loading at once on a click, so that
        // `settled` after this waits for the new state.
        self.eval("document.body.dataset.state = 'clicked'");
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Loads `url`, first marking the old document so that `settled`
    /// cannot mistake it for the new one.
    fn goto(&mut self, url: &str) {
        self.eval("document.body && (document.body.dataset.state = 'leaving')");
        self.call("Page.navigate", json!({ "url": url }));
    }

    /// Presses Enter in the focused element (which submits a form).
    fn enter(&mut self) {
        for kind in ["keyDown", "keyUp"] {
            let mut event = json!({ "type": kind, "key": "Enter", "code": "Enter",
                                    "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13 });
            if kind == "keyDown" {
                event["text"] = json!("\r");
            }
            self.call("Input.dispatchKeyEvent", event);
        }
    }

    fn screenshot(&mut self, name: &str) -> PathBuf {
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": false }),
        );
        let data = shot["data"].as_str().expect("screenshot data");
        let png = data_encoding::BASE64.decode(data.as_bytes()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }

    fn strings(&mut self, expression: &str) -> Vec<String> {
        serde_json::from_value(self.eval(expression)).unwrap()
    }

    /// Console errors, exceptions and CSP violations seen so far.
    fn problems(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str()? {
                "Runtime.exceptionThrown" => Some(e["params"]["exceptionDetails"].to_string()),
                "Runtime.consoleAPICalled" if e["params"]["type"] == "error" => {
                    Some(e["params"]["args"].to_string())
                }
                "Log.entryAdded" if e["params"]["entry"]["level"] == "error" => {
                    Some(e["params"]["entry"]["text"].to_string())
                }
                _ => None,
            })
            .collect()
    }
}

const XSS_TITLE: &str = "<script>window.__pwned=1</script>高明区党建观察";

#[test]
fn browse_search_filter_and_read_in_chromium() {
    let Some(binary) = chromium() else {
        if std::env::var("ZHSEARCH_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("SKIPPED (ZHSEARCH_SKIP_BROWSER=1): the browser test did not run");
            return;
        }
        panic!(
            "Chromium is not installed, so the browser test cannot run: install it \
             (`apt-get install -y chromium`, or set CHROMIUM=/path/to/chrome), or set \
             ZHSEARCH_SKIP_BROWSER=1 to skip this test explicitly"
        );
    };

    let env = TestEnv::with_bundled_corpus();
    env.write(
        "corpus/sub/xss.txt",
        format!(
            "---\ntitle: {XSS_TITLE}\ndate: 2024-03-05\n---\n\
             佛山市高明区党建工作会议召开。有人写下<img src=x onerror=\"window.__pwned=2\">和\
             <b>粗体</b>，它们只是文字。\n"
        ),
    );
    env.index();
    let server = Server::start(&env, &[]);
    let base = server.url("");
    let browser = Browser::start(&binary);
    let mut page = browser.page();
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );

    // The start page lists every article, with the facet tree.
    page.goto(&format!("{base}/"));
    page.settled("the start page");
    assert_eq!(
        page.eval("document.querySelectorAll('#hits > li').length"),
        6
    );
    let regions = page.strings(
        "[...document.querySelectorAll('#region-tree .facet-name')].map(e => e.textContent)",
    );
    for name in [
        "广东省",
        "佛山市",
        "高明区",
        "禅城区",
        "广州市",
        "南沙区",
        "江门市",
        "新会区",
    ] {
        assert!(
            regions.iter().any(|r| r == name),
            "{name} not in {regions:?}"
        );
    }

    // Type a query and press Enter.
    page.eval("document.getElementById('q').focus()");
    page.call("Input.insertText", json!({ "text": "党建" }));
    page.eval("document.body.dataset.state = 'typed'");
    page.enter();
    page.settled("the search for 党建");
    let api = server.get_json(&format!("/api/search?q={}&limit=100", enc("党建")));
    let total = api["total"].as_u64().unwrap();
    assert!(total >= 3, "{api}");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('q')"),
        "党建",
        "the URL holds the query"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('#hits > li').length"),
        total.min(10)
    );
    assert!(
        page.eval("document.getElementById('status').textContent")
            .as_str()
            .unwrap()
            .contains(&format!("找到 {total} 篇"))
    );
    let marks =
        page.strings("[...document.querySelectorAll('#hits mark')].map(e => e.textContent)");
    assert!(!marks.is_empty(), "no highlights");
    assert!(marks.iter().all(|m| m == "党建"), "{marks:?}");

    // Click 高明区 in the facet tree.
    page.click("[...document.querySelectorAll('#region-tree .facet-link')].find(a => a.querySelector('.facet-name').textContent === '高明区')");
    page.settled("the 高明区 filter");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).getAll('region')"),
        json!(["/广东省/佛山市/高明区"])
    );
    let filtered = server.get_json(&format!(
        "/api/search?q={}&region={}&limit=100",
        enc("党建"),
        enc("/广东省/佛山市/高明区")
    ));
    let ids: Vec<&str> = filtered["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 2 && (ids.len() as u64) < total, "{ids:?}");
    let shown =
        page.strings("[...document.querySelectorAll('#hits .hit-path')].map(e => e.textContent)");
    assert_eq!(shown, ids, "the page shows the API's hits, in order");
    let places = page.strings("[...document.querySelectorAll('#hits > li')].map(li => li.querySelector('.region').textContent)");
    assert!(places.iter().all(|p| p.contains("高明区")), "{places:?}");
    let marks = page
        .strings("[...document.querySelectorAll('#hits .snippet mark')].map(e => e.textContent)");
    assert!(
        !marks.is_empty() && marks.iter().all(|m| m == "党建"),
        "{marks:?}"
    );
    assert_eq!(
        page.eval(
            "document.querySelector('#region-tree .facet-link.active .facet-name').textContent"
        ),
        "高明区"
    );
    assert!(
        page.eval("document.getElementById('chips').textContent")
            .as_str()
            .unwrap()
            .contains("高明区")
    );
    // The XSS article is among them, its markup shown as text.
    let titles =
        page.strings("[...document.querySelectorAll('#hits .hit-title')].map(e => e.textContent)");
    assert!(titles.iter().any(|t| t == XSS_TITLE), "{titles:?}");
    let shot = page.screenshot("zhsearch-browser-results.png");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);

    // Click the district again: the filter is cleared.
    page.click("document.querySelector('#region-tree .facet-link.active')");
    page.settled("clearing the filter");
    assert_eq!(page.eval("location.search.includes('region')"), false);
    assert_eq!(
        page.eval("document.querySelectorAll('#hits > li').length"),
        total.min(10)
    );

    // Back: the filtered results again, from the URL alone.
    page.eval("document.body.dataset.state = 'back'; history.back()");
    page.settled("going back");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).getAll('region')"),
        json!(["/广东省/佛山市/高明区"])
    );
    assert_eq!(
        page.strings("[...document.querySelectorAll('#hits .hit-path')].map(e => e.textContent)"),
        ids
    );

    // Open the article full of markup: its text is text.
    page.click(&format!(
        "[...document.querySelectorAll('#hits .hit-title a')].find(a => a.textContent === {})",
        json!(XSS_TITLE)
    ));
    page.settled("the document view");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('doc')"),
        "sub/xss.txt"
    );
    assert_eq!(
        page.eval("document.querySelector('#doc h1').textContent"),
        XSS_TITLE
    );
    let body = page.eval("document.querySelector('#doc .doc-body').textContent");
    assert!(
        body.as_str()
            .unwrap()
            .contains("<img src=x onerror=\"window.__pwned=2\">"),
        "{body}"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('#content img, #content b, #content script').length"),
        0
    );
    assert_eq!(page.eval("document.scripts.length"), 1, "only /app.js");
    assert_eq!(page.eval("typeof window.__pwned"), "undefined");
    page.screenshot("zhsearch-browser-document.png");

    // A bookmarked URL renders the same view in a fresh load.
    let bookmark = page.eval("location.href").as_str().unwrap().to_string();
    page.goto("about:blank");
    page.goto(&bookmark);
    page.settled("the bookmarked document");
    assert_eq!(
        page.eval("document.querySelector('#doc h1').textContent"),
        XSS_TITLE
    );

    // A bad query shows the server's message, pointing at the problem.
    page.goto(&format!("{base}/?q={}", enc("党建 (高明")));
    page.wait(
        "!!document.body && document.body.dataset.state === 'error'",
        "the error",
    );
    let error = page.eval("document.getElementById('error').textContent");
    assert!(error.as_str().unwrap().contains("查询有误"), "{error}");

    // 360 px wide: one column, nothing wider than the screen.
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 360, "height": 780, "deviceScaleFactor": 2, "mobile": true }),
    );
    page.goto(&format!("{base}/?q={}", enc("高质量发展")));
    page.settled("the narrow page");
    assert_eq!(
        page.eval("document.documentElement.scrollWidth <= 360"),
        true
    );
    assert!(
        page.eval("document.querySelectorAll('#hits > li').length")
            .as_u64()
            .unwrap()
            > 0
    );
    page.screenshot("zhsearch-browser-360.png");

    let problems = page.problems();
    // The bad query above logs its 400 as a failed resource load; nothing else may fail.
    let unexpected: Vec<&String> = problems
        .iter()
        .filter(|p| !p.contains("status of 400"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "console errors, exceptions or CSP violations: {unexpected:#?}"
    );
}
