//! `zhsearch serve` over a real loopback socket: every endpoint answers as
//! the CLI's `--json` does, every error is JSON with the right status, the
//! limits hold, every response carries the security headers, article markup
//! is never emitted, a slow search is cut off with 503, re-indexing is
//! picked up without a restart, and the server stops cleanly on SIGTERM and
//! SIGINT.

mod common;
#[path = "common/server.rs"]
mod server;

use std::time::{Duration, Instant};

use common::TestEnv;
use serde_json::{Value, json};
use server::{Reply, SECURITY_HEADERS, Server, enc, enc_path};

const GAOMING_000: &str = "000_e19cf532170f2a3e.txt";
const XSS_ID: &str = "sub/xss.txt";
const XSS_TITLE: &str = "<script>alert(1)</script>基层党建扎实推进";
const XSS_IMG: &str = "<img src=x onerror=alert(1)>";

/// The bundled corpus, an article full of markup in a subfolder, and a
/// JSONL file whose records get `feed.jsonl#N` ids; indexed.
fn indexed() -> TestEnv {
    let env = TestEnv::with_bundled_corpus();
    env.write(
        "corpus/sub/xss.txt",
        format!(
            "---\ntitle: {XSS_TITLE}\ndate: 2024-03-05\nsource: 测试网\n---\n\
             2024年3月5日，佛山市高明区召开基层党建工作会议，要求基层党建扎实推进。\n\
             会上展示了{XSS_IMG}这样的字符，还有<script>alert(1)</script>，以及 & 和 \"引号\"。\n"
        ),
    );
    env.write(
        "corpus/feed.jsonl",
        "{\"title\":\"江门新会陈皮产业\",\"body\":\"新会陈皮产业带动乡村振兴，果农增收。\",\"date\":\"2023-11-02\"}\n",
    );
    env.index();
    env
}

/// The hits of `zhsearch search ARGS --json`.
fn cli_hits(env: &TestEnv, args: &[&str]) -> (Vec<Value>, Option<Value>) {
    let mut all = vec!["search", "--index", "index", "--json"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    assert!(run.code == 0 || run.code == 1, "{args:?}: {run:?}");
    let lines = run.json_lines();
    let facets = lines.iter().find_map(|l| l.get("facets").cloned());
    let hits = lines
        .into_iter()
        .filter(|l| l.get("id").is_some())
        .collect();
    (hits, facets)
}

#[test]
fn search_facets_and_documents_are_the_cli_json() {
    let env = indexed();
    let server = Server::start(&env, &[]);

    // Search: the same hits, in the same order, with the same fields and scores.
    let cases: [(&[&str], String); 6] = [
        (&["党建"], format!("q={}", enc("党建"))),
        (
            &["党建", "--limit", "2", "--offset", "1"],
            format!("q={}&limit=2&offset=1", enc("党建")),
        ),
        (
            &["高质量发展", "--region", "佛山", "--region", "江门"],
            format!(
                "q={}&region={}&region={}",
                enc("高质量发展"),
                enc("佛山"),
                enc("江门")
            ),
        ),
        (
            &["*", "--sort", "date", "--since", "2023", "--limit", "20"],
            "q=*&sort=date&since=2023&limit=20".to_string(),
        ),
        (
            &["\"基层党建\" -疫情", "--topic", "党建"],
            format!("q={}&topic={}", enc("\"基层党建\" -疫情"), enc("党建")),
        ),
        (&["无此词语组合"], format!("q={}", enc("无此词语组合"))),
    ];
    for (args, query) in cases {
        let (cli, _) = cli_hits(&env, args);
        let api = server.get_json(&format!("/api/search?{query}"));
        assert_eq!(api["hits"].as_array().unwrap(), &cli, "{args:?} vs {query}");
        assert!(
            api["total"].as_u64().unwrap() >= cli.len() as u64,
            "{query}"
        );
    }
    // Paging agrees with the total.
    let page = server.get_json(&format!("/api/search?q={}&limit=2&offset=1", enc("党建")));
    assert_eq!(page["offset"], 1);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["hits"][0]["rank"], 2);
    let (all, _) = cli_hits(&env, &["党建", "--limit", "100"]);
    assert_eq!(page["total"], all.len());

    // Facets with a search: as `search --facets --json` prints them.
    let (_, cli_facets) = cli_hits(&env, &["党建", "--facets"]);
    let api = server.get_json(&format!("/api/search?q={}&facets=true", enc("党建")));
    assert_eq!(Some(api["facets"].clone()), cli_facets);
    let without = server.get_json(&format!("/api/search?q={}", enc("党建")));
    assert!(without.get("facets").is_none(), "facets only when asked");

    // /api/facets: `zhsearch facets --json`, with and without a query and filters.
    for (args, query) in [
        (vec![], String::new()),
        (vec!["党建"], format!("q={}", enc("党建"))),
        (
            vec!["--region", "佛山", "--since", "2023"],
            format!("region={}&since=2023", enc("佛山")),
        ),
    ] {
        let mut all = vec!["facets", "--index", "index", "--json"];
        all.extend(args.iter().copied());
        let run = env.run(&all).expect_code(0);
        let mut cli = run.json_lines().remove(0);
        let api = server.get_json(&format!("/api/facets?{query}"));
        // The CLI reports articles a date filter leaves out on stderr; the API in the body.
        if let Some(n) = api.get("undated_excluded") {
            cli["undated_excluded"] = n.clone();
        }
        assert_eq!(api, cli, "facets {args:?}");
    }
    let all = server.get_json("/api/facets");
    assert_eq!(all["query"], "*");
    assert_eq!(all["total"], 7);
    let districts: Vec<&str> = all["facets"]["region"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        districts.contains(&"佛山市") && districts.contains(&"江门市"),
        "{districts:?}"
    );

    // Documents: `zhsearch show ID --json`, for plain, nested and JSONL ids.
    for id in [GAOMING_000, XSS_ID, "feed.jsonl#1"] {
        let cli = env
            .run(&["show", id, "--index", "index", "--json"])
            .expect_code(0)
            .json_lines()
            .remove(0);
        assert_eq!(
            server.get_json(&format!("/api/doc/{}", enc_path(id))),
            cli,
            "{id}"
        );
    }
    // A `/` in an id may also be percent-encoded.
    assert_eq!(server.get_json("/api/doc/sub%2Fxss.txt")["id"], XSS_ID);

    // Health: the index, its documents, its last commit.
    let health = server.get_json("/api/health");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["index"], "index");
    assert_eq!(health["documents"], 7);
    assert!(
        health["commit"]["opstamp"].as_u64().unwrap() > 0,
        "{health}"
    );
    assert!(
        health["commit"]["time"].as_str().unwrap().ends_with('Z'),
        "{health}"
    );
    assert_eq!(
        health["commit"]["id"].as_str().map(str::len),
        Some(16),
        "{health}"
    );

    // OpenAPI: served as JSON, naming every endpoint.
    let spec = server.get_json("/api/openapi.json");
    assert_eq!(spec["openapi"], "3.1.0");
    for path in ["/api/search", "/api/facets", "/api/doc/{id}", "/api/health"] {
        assert!(spec["paths"].get(path).is_some(), "{path}");
    }

    // The page and its assets, with their types.
    for (path, kind) in [
        ("/", "text/html"),
        ("/?q=%E5%85%9A%E5%BB%BA&page=2", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        reply.assert_secure(path);
    }
}

#[test]
fn errors_are_json_and_limits_hold() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    let mut replies: Vec<(String, Reply)> = Vec::new();
    let mut check = |path: &str, status: u16, needle: &str, parameter: Option<&str>| -> Value {
        let reply = server.get(path);
        let error = reply.assert_error(status, needle, path);
        assert_eq!(error["parameter"].as_str(), parameter, "{path}: {error}");
        replies.push((path.to_string(), reply));
        error
    };

    // Bad queries: 400 with the parser's message and the position in `q`.
    check("/api/search", 400, "missing parameter `q`", Some("q"));
    check("/api/search?q=", 400, "the query is empty", Some("q"));
    let error = check(
        &format!("/api/search?q={}", enc("党建 (高明")),
        400,
        "(",
        Some("q"),
    );
    assert!(error["position"].is_u64(), "{error}");
    let long = "党".repeat(1001);
    let error = check(
        &format!("/api/search?q={}", enc(&long)),
        400,
        "1001 characters long; at most 1000",
        Some("q"),
    );
    assert_eq!(error["position"], 1000);
    // 1000 characters is still a query.
    let reply = server.get(&format!("/api/search?q={}", enc(&"党".repeat(1000))));
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Each parameter is checked and named.
    check(
        "/api/search?q=a&limit=101",
        400,
        "from 1 to 100",
        Some("limit"),
    );
    check(
        "/api/search?q=a&limit=0",
        400,
        "from 1 to 100",
        Some("limit"),
    );
    check(
        "/api/search?q=a&limit=x",
        400,
        "whole number",
        Some("limit"),
    );
    check(
        "/api/search?q=a&offset=10001",
        400,
        "from 0 to 10000",
        Some("offset"),
    );
    check(
        "/api/search?q=a&sort=new",
        400,
        "`relevance`, `date` or `oldest`",
        Some("sort"),
    );
    check(
        "/api/search?q=a&facets=yes",
        400,
        "`true` or `false`",
        Some("facets"),
    );
    check(
        "/api/search?q=a&since=2023-13",
        400,
        "invalid date",
        Some("since"),
    );
    check(
        "/api/search?q=a&until=soon",
        400,
        "invalid date",
        Some("until"),
    );
    check("/api/search?q=a&q=b", 400, "more than once", Some("q"));
    check(
        "/api/search?q=a&page=2",
        400,
        "unknown parameter `page`",
        Some("page"),
    );
    check(
        "/api/facets?limit=5",
        400,
        "unknown parameter `limit`",
        Some("limit"),
    );
    check(
        &format!("/api/search?q=a&region={}", enc("火星基地")),
        400,
        "火星基地",
        Some("region"),
    );
    check(
        &format!("/api/facets?topic={}", enc("不存在的主题")),
        400,
        "unknown topic",
        Some("topic"),
    );
    // offset 10000 is allowed, and simply past the end.
    let deep = server.get_json("/api/search?q=*&offset=10000&limit=100");
    assert_eq!(deep["hits"], json!([]));

    // Unknown documents and routes: 404, and no file is ever served.
    check(
        "/api/doc/nope.txt",
        404,
        "no document with id \"nope.txt\"",
        None,
    );
    check("/api/doc/sub%2Fnope.txt", 404, "\"sub/nope.txt\"", None);
    check("/api/doc/feed.jsonl%2399", 404, "\"feed.jsonl#99\"", None);
    for path in [
        "/api/nothing",
        "/nothing",
        "/corpus/000_e19cf532170f2a3e.txt",
        "/index/meta.json",
        "/Cargo.toml",
        "/src/serve/assets/app.js",
        "/%2e%2e/Cargo.toml",
        "/app.js/..%2f..%2fCargo.toml",
    ] {
        check(path, 404, "nothing at", None);
    }
    check("/api/doc/..%2f..%2fCargo.toml", 404, "no document", None);
    // A path that does not decode to UTF-8: axum's own 400, as JSON.
    check("/api/doc/%ff%fe", 400, "UTF-8", None);
    check("/api/doc/", 404, "nothing at", None);
    // A raw `..` path is never normalised into the file system either.
    for target in [
        "/../Cargo.toml",
        "/../../etc/passwd",
        "/api/doc/../../Cargo.toml",
    ] {
        let (status, response) = server.raw(&format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ));
        assert_eq!(status, 404, "{target}: {response}");
        assert!(
            !response.contains("[package]") && !response.contains("root:"),
            "{response}"
        );
        assert!(response.contains("\"error\""), "{target}: {response}");
    }

    // Methods other than GET: 405, as JSON, with Allow.
    for method in ["POST", "PUT", "DELETE"] {
        let (status, response) = server.raw(&format!(
            "{method} /api/search?q=a HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            server.addr
        ));
        assert_eq!(status, 405, "{response}");
        assert!(response.contains("method"), "{response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("\r\nallow: get,head"),
            "{response}"
        );
    }
    // Bodies are refused, sized or chunked.
    let (status, response) = server.raw(&format!(
        "GET /api/search?q=a HTTP/1.1\r\nHost: {}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        server.addr
    ));
    assert_eq!(status, 413, "{response}");
    assert!(
        response.contains("request bodies are not accepted"),
        "{response}"
    );
    let (status, response) = server.raw(&format!(
        "GET /api/health HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        server.addr
    ));
    assert_eq!(status, 413, "{response}");
    // An overlong query string.
    let huge = format!("/api/search?q=a&region={}", "x".repeat(20_000));
    let reply = server.get(&huge);
    reply.assert_error(414, "longer than 16384 bytes", "huge");
    replies.push(("huge".into(), reply));
    // Another Host (DNS rebinding): refused.
    let (status, response) = server.raw(
        "GET /api/health HTTP/1.1\r\nHost: attacker.example:7700\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 421, "{response}");
    let (status, _) = server.raw(&format!(
        "GET /api/health HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
        server.addr.port()
    ));
    assert_eq!(status, 200);
    // HEAD works and sends no body.
    let (status, response) = server.raw(&format!(
        "HEAD / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    ));
    assert_eq!(status, 200);
    assert!(
        response.ends_with("\r\n\r\n"),
        "HEAD has no body: {response}"
    );

    // Every response, error or not, carries the security headers.
    for (path, reply) in &replies {
        reply.assert_secure(path);
    }
    for raw in ["POST /api/search?q=a", "GET /../Cargo.toml", "HEAD /"] {
        let (method, target) = raw.split_once(' ').unwrap();
        let (_, response) = server.raw(&format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            server.addr
        ));
        let lower = response.to_ascii_lowercase();
        for (name, value) in SECURITY_HEADERS {
            assert!(
                lower.contains(&format!("\r\n{name}: {}", value.to_ascii_lowercase())),
                "{raw}: {name} missing in\n{response}"
            );
        }
    }

    // One log line per request: method, path with query, status, milliseconds.
    let line = server.wait_for_log(Duration::from_secs(5), |l| {
        l.contains("GET /api/search?q=a&limit=101 400 ")
    });
    assert!(line.ends_with("ms"), "{line}");
    server.wait_for_log(Duration::from_secs(5), |l| {
        l.contains("POST /api/search?q=a 405 ")
    });
    server.wait_for_log(Duration::from_secs(5), |l| {
        l.contains("GET /api/doc/nope.txt 404 ")
    });
}

#[test]
fn article_markup_is_never_emitted() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    for path in [
        format!("/api/search?q={}&facets=true", enc("基层党建")),
        format!("/api/search?q={}", enc("alert")),
        format!("/api/doc/{XSS_ID}"),
        "/api/facets".to_string(),
    ] {
        let reply = server.get(&path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        // Not a single `<` or `>` on the wire: they are \u003c and \u003e.
        assert!(
            !reply.body.contains('<') && !reply.body.contains('>'),
            "{path}: {}",
            reply.body
        );
    }
    // ... while the values are the article's text, exactly.
    let results = server.get_json(&format!("/api/search?q={}", enc("基层党建扎实推进")));
    let hit = &results["hits"][0];
    assert_eq!(hit["id"], XSS_ID);
    assert_eq!(hit["title"], XSS_TITLE);
    let doc = server.get_json(&format!("/api/doc/{XSS_ID}"));
    let body = doc["body"].as_str().unwrap();
    assert!(
        body.contains(XSS_IMG) && body.contains("<script>alert(1)</script>"),
        "{body}"
    );
    // Highlights are offsets into the text, not markup in it.
    let title: Vec<char> = XSS_TITLE.chars().collect();
    for h in hit["title_highlights"].as_array().unwrap() {
        let (start, end) = (
            h[0].as_u64().unwrap() as usize,
            h[1].as_u64().unwrap() as usize,
        );
        let marked: String = title[start..end].iter().collect();
        assert!("基层党建扎实推进".contains(&marked), "{marked}");
    }
    // The page is static: no article text in it, whatever was searched.
    let page = server.get(&format!("/?q={}", enc("<script>alert(1)</script>")));
    assert!(!page.body.contains("alert(1)"), "{}", page.body);
    assert_eq!(page.body.matches("<script").count(), 1, "only /app.js");
}

#[test]
fn reindexing_is_picked_up_without_a_restart() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    let server = Server::start(&env, &[]);
    let query = format!("/api/search?q={}", enc("蜂鸟观测站"));
    assert_eq!(server.get_json(&query)["total"], 0);
    let before = server.get_json("/api/health");
    assert_eq!(before["documents"], 5);

    // Another process adds an article to the index while the server runs.
    env.write(
        "corpus/new.txt",
        "佛山市高明区新建蜂鸟观测站\n2024年5月1日，高明区蜂鸟观测站正式启用。\n",
    );
    env.index();
    let started = Instant::now();
    let found = loop {
        let results = server.get_json(&query);
        if results["total"] == 1 {
            break results;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the new commit was not picked up within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!("new commit served after {:?}", started.elapsed());
    assert_eq!(found["hits"][0]["id"], "new.txt");
    let after = server.get_json("/api/health");
    assert_eq!(after["documents"], 6);
    assert!(
        after["commit"]["opstamp"].as_u64() > before["commit"]["opstamp"].as_u64(),
        "{before} -> {after}"
    );

    // And a deletion, likewise.
    std::fs::remove_file(env.path("corpus/new.txt")).unwrap();
    env.index();
    let started = Instant::now();
    while server.get_json(&query)["total"] != 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "deletion not picked up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.get_json("/api/health")["documents"], 5);
}

#[test]
fn stops_cleanly_on_sigterm_and_sigint() {
    // The default index is built from corpus/ on first use, as for `search`.
    let env = TestEnv::with_bundled_corpus();
    let server = Server::spawn(&env, &["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(server.get_json("/api/health")["documents"], 5);
    assert!(env.path("index/meta.json").is_file());
    let (status, log) = server.stop("TERM");
    assert_eq!(status.code(), Some(0), "{log:?}");
    assert!(
        log.iter().any(|l| l.contains("SIGTERM received")),
        "{log:?}"
    );
    assert!(
        log[0].contains("first run") || log.iter().any(|l| l.contains("building it")),
        "{log:?}"
    );

    let server = Server::start(&env, &[]);
    let serving = server.log();
    assert!(
        serving
            .iter()
            .any(|l| l.contains("serving index (5 documents) on http://127.0.0.1:")),
        "{serving:?}"
    );
    server.get_json("/api/health");
    let (status, log) = server.stop("INT");
    assert_eq!(status.code(), Some(0), "{log:?}");
    assert!(log.iter().any(|l| l.contains("SIGINT received")), "{log:?}");
}

#[test]
fn a_slow_search_is_cut_off_with_503() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    // A 1,000-character query takes tens of milliseconds to plan and run
    // (about 40 ms in the debug build); the limit here is 1 ms.
    let server = Server::start(&env, &["--timeout", "0.001"]);
    let text: String = std::fs::read_to_string(env.path("corpus/003_8f3e609361c084a5.txt"))
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(1000)
        .collect();
    let reply = server.get(&format!("/api/search?q={}&facets=true", enc(&text)));
    // On a loaded machine the search may not get its turn within the limit
    // at all: a 503 naming the same limit ("waited the server's whole
    // limit of 0.001 s"), which is as right as the running search cut off.
    let error = reply.assert_error(503, "limit of 0.001 s", "slow search");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("longer than the server's limit")
            || message.contains("waited the server's whole limit"),
        "{message}"
    );
    reply.assert_secure("503");
    server.wait_for_log(Duration::from_secs(5), |l| l.contains(" 503 "));
}

#[test]
fn bad_flags_and_a_busy_port_are_errors() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    let run = env.run(&["serve", "--index", "index", "--timeout", "0"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("out of range"), "{}", run.stderr);
    let run = env.run(&["serve", "--index", "index", "--timeout", "soon"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a number of seconds"),
        "{}",
        run.stderr
    );
    let run = env.run(&["serve", "--index", "index", "--addr", "localhost"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--addr"), "{}", run.stderr);
    let run = env.run(&["serve", "--index", "nowhere", "--addr", "127.0.0.1:0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no index at nowhere"), "{}", run.stderr);

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let run = env.run(&["serve", "--index", "index", "--addr", &addr]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!("HTTP server on {addr}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.to_lowercase().contains("in use"),
        "{}",
        run.stderr
    );
}
