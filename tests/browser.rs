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
        // The page speaks the browser's language: Chinese, unless a test
        // says otherwise.
        page.languages("zh-CN,zh");
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

    /// Sets the viewport: `width` × `height` CSS pixels, as a phone when `mobile`.
    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        let scale = if mobile { 2 } else { 1 };
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile }),
        );
    }

    /// Makes the browser prefer `languages` (an Accept-Language value).
    fn languages(&mut self, languages: &str) {
        let agent = self.eval("navigator.userAgent");
        self.call(
            "Emulation.setUserAgentOverride",
            json!({ "userAgent": agent, "acceptLanguage": languages }),
        );
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
        self.press("Enter", 13, Some("\r"));
    }

    /// Presses the key `key` (its virtual key code `code`, typing `text`).
    fn press(&mut self, key: &str, code: u32, text: Option<&str>) {
        for kind in ["keyDown", "keyUp"] {
            let mut event = json!({ "type": kind, "key": key, "code": key,
                                    "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code });
            if let (Some(text), "keyDown") = (text, kind) {
                event["text"] = json!(text);
            }
            self.call("Input.dispatchKeyEvent", event);
        }
    }

    /// Opens every collapsed node of the facet tree `tree` (an element id).
    fn expand_all(&mut self, tree: &str) {
        self.eval(&format!(
            "(() => {{ let b; while ((b = document.querySelector('#{tree} .toggle[aria-expanded=\"false\"]'))) b.click(); }})()"
        ));
    }

    /// The `data-key` or id of the focused element.
    fn focused(&mut self) -> Value {
        self.eval("(() => { const e = document.activeElement; return e ? (e.id || e.dataset.key || e.dataset.id || e.className || e.tagName) : null; })()")
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

    /// Panics on any console error, exception or CSP violation seen so
    /// far, but for the 400 of a bad query (a failed resource load).
    #[track_caller]
    fn assert_no_problems(&self) {
        let problems = self.problems();
        let unexpected: Vec<&String> = problems
            .iter()
            .filter(|p| !p.contains("status of 400"))
            .collect();
        assert!(
            unexpected.is_empty(),
            "console errors, exceptions or CSP violations: {unexpected:#?}"
        );
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

/// Chromium's path, or `None` when `ZHSEARCH_SKIP_BROWSER=1` says to skip.
fn chromium_or_skip() -> Option<PathBuf> {
    let Some(binary) = chromium() else {
        if std::env::var("ZHSEARCH_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("SKIPPED (ZHSEARCH_SKIP_BROWSER=1): the browser test did not run");
            return None;
        }
        panic!(
            "Chromium is not installed, so the browser test cannot run: install it \
             (`apt-get install -y chromium`, or set CHROMIUM=/path/to/chrome), or set \
             ZHSEARCH_SKIP_BROWSER=1 to skip this test explicitly"
        );
    };
    Some(binary)
}

#[test]
fn browse_search_filter_and_read_in_chromium() {
    let Some(binary) = chromium_or_skip() else {
        return;
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
    page.viewport(1280, 900, false);

    // The start page lists every article, with the facet tree collapsed to
    // its top level; its nodes open on demand.
    page.goto(&format!("{base}/"));
    page.settled("the start page");
    assert_eq!(
        page.eval("document.querySelectorAll('#hits > li').length"),
        6
    );
    assert_eq!(
        page.strings(
            "[...document.querySelectorAll('#region-tree .facet-name')].map(e => e.textContent)"
        ),
        ["广东省"]
    );
    page.expand_all("region-tree");
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
    page.expand_all("region-tree");
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

    page.assert_no_problems();
}

/// A corpus of `n` short articles on 乡村振兴, written for the test: most
/// about 贵州省, some about 云南省, a few about no place, dated month by
/// month from January 2023.
fn rural_corpus(env: &TestEnv, n: usize) -> (usize, usize) {
    let (mut guizhou, mut yunnan) = (0, 0);
    for i in 0..n {
        let place = match i % 5 {
            0 => {
                yunnan += 1;
                "云南省昆明市"
            }
            4 if i % 10 == 9 => "",
            _ => {
                guizhou += 1;
                "贵州省贵阳市"
            }
        };
        let (year, month) = (2023 + i / 12, i % 12 + 1);
        env.write(
            &format!("corpus/rural/{i:02}.txt"),
            format!(
                "---\ntitle: 乡村振兴第{i}期：产业与人才\ndate: {year}-{month:02}-15\n---\n\
                 {place}推进乡村振兴，第{i}次现场会召开。会议强调，要坚持产业兴旺、生态宜居，\
                 让农民腰包鼓起来。Ｗｉ-Ｆｉ覆盖率达到９８％，5G基站新建{i}座。\n"
            ),
        );
    }
    (guizhou, yunnan)
}

#[test]
fn page_keyboard_paging_and_disjunctive_facets_in_chromium() {
    let Some(binary) = chromium_or_skip() else {
        return;
    };
    let env = TestEnv::new();
    let (guizhou, yunnan) = rural_corpus(&env, 24);
    env.index();
    let server = Server::start(&env, &[]);
    let base = server.url("");
    let browser = Browser::start(&binary);
    let mut page = browser.page();
    page.viewport(1280, 800, false);
    let query = enc("乡村振兴");
    let status = |page: &mut Page| -> String {
        page.eval("document.getElementById('status').textContent")
            .as_str()
            .unwrap()
            .to_string()
    };

    // The keyboard reaches the first result through the skip link.
    page.goto(&format!("{base}/?q={query}"));
    page.settled("the results");
    assert!(
        status(&mut page).contains("找到 24 篇"),
        "{}",
        status(&mut page)
    );
    // The chart of results over time counts every hit (all are dated), a
    // bar a month, and says so to screen readers.
    let bars: Vec<u64> = serde_json::from_value(page.eval(
        "[...document.querySelectorAll('#chart rect.bar')].map(r => Number(r.dataset.count))",
    ))
    .unwrap();
    assert_eq!(bars.len(), 24, "{bars:?}");
    assert_eq!(bars.iter().sum::<u64>(), 24);
    let label = page.eval("document.querySelector('#chart svg').getAttribute('aria-label')");
    assert!(label.as_str().unwrap().contains("共 24 篇"), "{label}");
    let first = page.eval("document.querySelector('#hits .hit-title a').dataset.id");
    let mut tabs = 0;
    while page.eval("document.activeElement.classList.contains('skip')") != json!(true) {
        page.press("Tab", 9, None);
        tabs += 1;
        assert!(tabs <= 3, "the skip link is not among the first Tabs");
    }
    page.enter();
    tabs += 1;
    assert_eq!(
        page.eval("document.activeElement.dataset.id"),
        first,
        "the first result has the focus"
    );
    assert!(tabs <= 5, "{tabs} key presses to the first result");

    // Paging from the bottom of the page shows the first result of the next one.
    page.eval("window.scrollTo(0, document.body.scrollHeight)");
    page.click("document.querySelector('#pager a[rel=next]')");
    page.settled("page 2");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('page')"),
        "2"
    );
    let top = page.eval("document.querySelector('#hits > li').getBoundingClientRect().top");
    let top = top.as_f64().unwrap();
    assert!(
        (0.0..400.0).contains(&top),
        "the first result is at {top} px"
    );
    assert_eq!(
        page.focused(),
        "hits",
        "the keyboard goes on from the results"
    );

    // Opening an article: the focus moves to its title, the pager hides,
    // Escape goes back, to the article's own hit.
    let opened = page.eval("document.querySelectorAll('#hits .hit-title a')[2].dataset.id");
    page.click("document.querySelectorAll('#hits .hit-title a')[2]");
    page.settled("the article");
    assert_eq!(page.focused(), "doc-title");
    let marks = page
        .strings("[...document.querySelectorAll('#doc .doc-body mark')].map(e => e.textContent)");
    assert!(
        !marks.is_empty() && marks.iter().all(|m| m == "乡村振兴"),
        "highlights in the article: {marks:?}"
    );
    assert_eq!(
        page.eval("getComputedStyle(document.getElementById('pager')).display"),
        "none"
    );
    assert_eq!(
        page.eval("document.getElementById('pager').getBoundingClientRect().height"),
        0
    );
    page.eval("document.body.dataset.state = 'escaping'");
    page.press("Escape", 27, None);
    page.settled("back from the article");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('doc')"),
        Value::Null
    );
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('page')"),
        "2"
    );
    assert_eq!(page.eval("document.activeElement.dataset.id"), opened);

    // Facet counts say what a click gives: 云南省 alone, then 贵州省 added
    // to it (the counts of a facet leave its own selection out).
    let count_of = |page: &mut Page, name: &str| -> u64 {
        let text = page.eval(&format!(
            "[...document.querySelectorAll('#region-tree .facet-link')].find(a => a.querySelector('.facet-name').textContent === {})?.querySelector('.count').textContent",
            json!(name)
        ));
        text.as_str()
            .unwrap_or_else(|| panic!("{name} is not in the tree"))
            .parse()
            .unwrap()
    };
    let total = |page: &mut Page| -> u64 {
        page.eval("document.querySelector('#status b').textContent")
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(count_of(&mut page, "云南省"), yunnan as u64);
    page.click("[...document.querySelectorAll('#region-tree .facet-link')].find(a => a.querySelector('.facet-name').textContent === '云南省')");
    page.settled("云南省");
    assert_eq!(total(&mut page), yunnan as u64);
    assert_eq!(
        page.focused(),
        "region:/云南省",
        "the focus stays on the facet"
    );
    let shown = count_of(&mut page, "贵州省");
    assert_eq!(
        shown, guizhou as u64,
        "贵州省 counted without the 云南省 filter"
    );
    page.click("[...document.querySelectorAll('#region-tree .facet-link')].find(a => a.querySelector('.facet-name').textContent === '贵州省')");
    page.settled("贵州省 or 云南省");
    assert_eq!(total(&mut page), (guizhou + yunnan) as u64);
    let unknown = page.eval("document.querySelector('#region-tree .rest .count').textContent");
    assert_eq!(unknown, json!((24 - guizhou - yunnan).to_string()));

    // Leaving 贵州省 out: a struck-through chip, the others' articles.
    page.goto(&format!("{base}/?q={query}"));
    page.settled("the results before leaving out");
    page.click("document.querySelector('#region-tree .exclude[data-key=\"not:region:/贵州省\"]')");
    page.settled("without 贵州省");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).getAll('not')"),
        json!(["region:/贵州省"])
    );
    assert_eq!(total(&mut page), (24 - guizhou) as u64);
    assert_eq!(
        page.eval(
            "getComputedStyle(document.querySelector('#chips .chip-not s')).textDecorationLine"
        ),
        "line-through"
    );
    assert_eq!(
        page.eval("document.querySelector('#chips .chip-not s').textContent"),
        "贵州省"
    );

    // A year's count is what clicking it gives.
    page.goto(&format!("{base}/?q={query}"));
    page.settled("the results again");
    let year: u64 = page
        .eval("document.querySelector('#year-tree .facet-link .count').textContent")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    page.click("document.querySelector('#year-tree .facet-link')");
    page.settled("a year");
    assert_eq!(total(&mut page), year);

    // Dragging over the chart's first six months makes them the dates.
    page.goto(&format!("{base}/?q={query}"));
    page.settled("the results for the chart");
    let rect = page.eval(
        "(() => { const r = document.querySelector('#chart svg').getBoundingClientRect(); return [r.left, r.width, r.top + r.height / 2]; })()",
    );
    let (left, width, y) = (
        rect[0].as_f64().unwrap(),
        rect[1].as_f64().unwrap(),
        rect[2].as_f64().unwrap(),
    );
    let at = |bin: f64| left + (bin + 0.5) * width / 24.0;
    page.eval("document.body.dataset.state = 'dragging'");
    for (kind, x) in [
        ("mouseMoved", at(0.0)),
        ("mousePressed", at(0.0)),
        ("mouseMoved", at(3.0)),
        ("mouseMoved", at(5.0)),
        ("mouseReleased", at(5.0)),
    ] {
        page.call(
            "Input.dispatchMouseEvent",
            json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
        );
    }
    page.settled("the dragged range");
    assert_eq!(
        page.eval("[new URLSearchParams(location.search).get('since'), new URLSearchParams(location.search).get('until')]"),
        json!(["2023-01", "2023-06"])
    );
    assert_eq!(total(&mut page), 6);

    // On a phone: the header scrolls away, facet rows are 44 px, a tap on
    // a facet closes the panel over the results.
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": true }),
    );
    page.goto(&format!("{base}/?q={query}"));
    page.settled("the phone page");
    assert_eq!(
        page.eval("getComputedStyle(document.querySelector('.top')).position"),
        "static"
    );
    assert_eq!(
        page.eval("document.getElementById('facets-box').open"),
        false
    );
    page.eval("document.querySelector('#facets-box > summary').click()");
    let heights: Vec<f64> = serde_json::from_value(page.eval(
        "[...document.querySelectorAll('#facets .facet-link, #facets .toggle')].map(e => e.getBoundingClientRect().height)",
    ))
    .unwrap();
    assert!(
        !heights.is_empty() && heights.iter().all(|h| *h >= 44.0),
        "{heights:?}"
    );
    page.click("[...document.querySelectorAll('#region-tree .facet-link')].find(a => a.querySelector('.facet-name').textContent === '贵州省')");
    page.settled("贵州省 on a phone");
    assert_eq!(
        page.eval("document.getElementById('facets-box').open"),
        false
    );
    assert_eq!(total(&mut page), guizhou as u64);

    // Few results: a suggestion from the index's words.
    page.goto(&format!("{base}/?q={}", enc("乡村振新")));
    page.settled("a misspelt query");
    assert!(
        status(&mut page).contains("您是不是要找：乡村振兴"),
        "{}",
        status(&mut page)
    );
    page.click("document.querySelector('#status .suggest a')");
    page.settled("the suggestion");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('q')"),
        "乡村振兴"
    );

    // English when the browser asks for it; errors in the reader's words.
    page.languages("en-GB,en");
    page.goto(&format!("{base}/?q={query}"));
    page.settled("the English page");
    assert!(
        status(&mut page).starts_with("Found 24 articles"),
        "{}",
        status(&mut page)
    );
    page.goto(&format!("{base}/?q={}", enc("乡村 (振兴")));
    page.wait(
        "!!document.body && document.body.dataset.state === 'error'",
        "the error",
    );
    let error = page.eval("document.querySelector('#error strong').textContent");
    assert_eq!(error, "The query has an error: ");

    page.assert_no_problems();
}

#[test]
fn a_hit_lists_and_opens_its_near_duplicates_in_chromium() {
    let Some(binary) = chromium_or_skip() else {
        return;
    };
    // A bundled story and its repost two days later under another lead line.
    let env = TestEnv::new();
    let text =
        std::fs::read_to_string(common::bundled_corpus().join("000_e19cf532170f2a3e.txt")).unwrap();
    let story: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let (title, body) = (story[1], story[2..].join("\n"));
    for (file, date, lead) in [
        ("orig.txt", "2021-07-28", "佛山在线讯"),
        ("repost.txt", "2021-07-30", "南方网讯"),
    ] {
        env.write(
            &format!("corpus/{file}"),
            format!("---\ntitle: {title}\ndate: {date}\n---\n{lead}\n{body}\n"),
        );
    }
    env.index();
    let server = Server::start(&env, &[]);
    let browser = Browser::start(&binary);
    let mut page = browser.page();
    page.goto(&format!("{}/?q={}", server.url(""), enc("猛虎之师")));
    page.settled("the search");
    assert_eq!(
        page.eval("document.querySelectorAll('#hits > li').length"),
        1
    );
    assert_eq!(
        page.eval("document.querySelector('#hits .similar summary').textContent"),
        "+1 篇相似"
    );
    let shown = page.eval("document.querySelector('#hits .hit-title a').dataset.id");
    page.eval("document.querySelector('#hits .similar').open = true");
    page.click("document.querySelector('#hits .similar a')");
    page.settled("the near-duplicate");
    let opened = page.eval("new URLSearchParams(location.search).get('doc')");
    assert_ne!(opened, shown);
    assert!(opened == "orig.txt" || opened == "repost.txt", "{opened}");
    assert_eq!(
        page.eval("document.querySelector('#doc h1').textContent"),
        title
    );
    page.assert_no_problems();
}

#[test]
fn a_passage_pasted_whole_says_how_many_words_not_which_in_chromium() {
    let Some(binary) = chromium_or_skip() else {
        return;
    };
    // The passage pasted is in a.txt but for its last word; b.txt has a few
    // of its words.
    let env = TestEnv::new();
    let passage =
        "国务院总理在人民大会堂会见来华进行正式访问的外国领导人，双方就深化经贸合作交换了意见";
    env.write(
        "corpus/a.txt",
        format!("---\ntitle: 总理会见外国领导人\ndate: 2024-05-06\n---\n{passage}。\n"),
    );
    env.write(
        "corpus/b.txt",
        "---\ntitle: 经贸合作论坛举行\ndate: 2024-05-07\n---\n各方代表就深化经贸合作交换意见。\n",
    );
    env.index();
    let query = format!("{passage} 冰岛渔业");
    let server = Server::start(&env, &[]);
    let api = server.get_json(&format!("/api/search?q={}", enc(&query)));
    let n = api["relaxed"]["words"].as_array().unwrap().len();
    assert!(n > 8, "{api}");
    let browser = Browser::start(&binary);
    let mut page = browser.page();
    page.goto(&format!("{}/?q={}", server.url(""), enc(&query)));
    page.settled("the search");
    let status = page.eval("document.getElementById('status').textContent");
    let status = status.as_str().unwrap();
    assert!(status.contains(&format!("（{n} 个词）")), "{status}");
    assert!(!status.contains("人民大会堂"), "{status}");
    let missing =
        page.strings("[...document.querySelectorAll('#hits .missing')].map(e => e.textContent)");
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert_eq!(missing[0], "缺少：冰岛 渔业", "{missing:?}");
    assert!(missing[1].ends_with(" 个词"), "{missing:?}");
    page.assert_no_problems();
}
