//! `zhsearch index --rebuild` beside a running `zhsearch serve`: the rebuild
//! is built beside the served index and swapped in when complete, so the
//! server never serves part of it (not even when the rebuild is killed
//! half-way), and the server follows the swapped-in directory.

mod common;
#[path = "common/server.rs"]
mod server;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::TestEnv;
use server::{Server, enc};

const FILES: usize = 3;
const PER_FILE: usize = 200;

/// A corpus of FILES × PER_FILE short articles made of the bundled
/// articles' lines, each with a unique marker `标记{f}号{i}`.
fn numbered_corpus(env: &TestEnv) {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(common::bundled_corpus()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        lines.extend(
            text.lines()
                .filter(|l| l.chars().count() > 20)
                .map(str::to_string),
        );
    }
    for f in 0..FILES {
        let records: String = (0..PER_FILE)
            .map(|i| {
                let body = format!("标记{f}号{i}篇。{}", lines[(f * PER_FILE + i) % lines.len()]);
                let record = serde_json::json!({ "id": format!("a{f}-{i}"), "title": format!("第{i}篇"), "body": body });
                format!("{record}\n")
            })
            .collect();
        env.write(&format!("corpus/part{f}.jsonl"), records);
    }
}

fn documents(server: &Server) -> u64 {
    server.get_json("/api/health")["documents"]
        .as_u64()
        .unwrap()
}

/// The opstamp of the commit in `dir/meta.json` and whether it has segments.
fn commit(env: &TestEnv, dir: &str) -> Option<(u64, bool)> {
    let meta = std::fs::read_to_string(env.path(&format!("{dir}/meta.json"))).ok()?;
    let json: serde_json::Value = serde_json::from_str(&meta).ok()?;
    Some((
        json["opstamp"].as_u64()?,
        json["segments"].as_array().is_some_and(|s| !s.is_empty()),
    ))
}

fn start_rebuild(env: &TestEnv) -> Child {
    env.command(&[
        "index",
        "corpus",
        "--index",
        "index",
        "--rebuild",
        "--commit-every",
        "100",
        "-j",
        "1",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap()
}

#[test]
fn a_rebuild_killed_half_way_leaves_the_whole_index_served() {
    let env = TestEnv::new();
    numbered_corpus(&env);
    env.index();
    let all = (FILES * PER_FILE) as u64;
    let server = Server::start(&env, &[]);
    assert_eq!(documents(&server), all);
    let (before, _) = commit(&env, "index").unwrap();

    let mut rebuild = start_rebuild(&env);
    // Wait for the rebuild's first commit, wherever it makes it.
    let started = Instant::now();
    let committed = loop {
        if rebuild.try_wait().unwrap().is_some() {
            break false;
        }
        let in_place = commit(&env, "index").is_some_and(|(op, _)| op != before);
        let beside = commit(&env, "index.zhsearch-new").is_some_and(|(_, segments)| segments);
        if in_place || beside {
            break true;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no commit");
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = rebuild.kill();
    rebuild.wait().unwrap();
    if !committed {
        eprintln!("the rebuild finished before its first commit was seen");
    }
    // Past the reader's reload delay, the server still serves everything.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(documents(&server), all);
    let last = format!(
        "/api/search?q={}",
        enc(&format!("\"标记{}号{}篇\"", FILES - 1, PER_FILE - 1))
    );
    assert_eq!(server.get_json(&last)["total"], 1);
}

#[test]
fn the_server_follows_a_rebuilt_index() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    let server = Server::start(&env, &[]);
    assert_eq!(documents(&server), 5);
    let gone = "/api/doc/000_e19cf532170f2a3e.txt";
    assert_eq!(server.get(gone).status, 200);
    let before = server.get_json("/api/health");

    // The corpus changes: one article removed, one added; rebuilt.
    std::fs::remove_file(env.path("corpus/000_e19cf532170f2a3e.txt")).unwrap();
    env.write(
        "corpus/new.txt",
        "佛山市高明区新建蜂鸟观测站\n2024年5月1日，高明区蜂鸟观测站正式启用。\n",
    );
    env.run(&["index", "corpus", "--index", "index", "--rebuild"])
        .expect_code(0);
    assert!(!env.path("index.zhsearch-new").exists());
    assert!(!env.path("index.zhsearch-old").exists());

    let query = format!("/api/search?q={}", enc("蜂鸟观测站"));
    let started = Instant::now();
    while server.get_json(&query)["total"] != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the rebuilt index is not served: {}",
            server.get_json("/api/health")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.get(gone).status, 404);
    let after = server.get_json("/api/health");
    assert_eq!(after["documents"], 5);
    assert_eq!(after["status"], "ok", "{after}");
    // Built twice within a second, both commits can share opstamp and time;
    // the id still tells them apart.
    assert_ne!(after["commit"]["id"], before["commit"]["id"]);
}
