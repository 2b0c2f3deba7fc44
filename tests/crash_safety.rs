//! Crash safety: an indexer killed (SIGKILL) or interrupted (SIGINT) in the
//! middle of a run leaves the last commit searchable and intact, and the next
//! run completes the job without losing or duplicating anything.

mod common;

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::TestEnv;

const FILES: usize = 6;
const PER_FILE: usize = 300;

/// A generated corpus: paragraphs of the bundled articles as JSONL records
/// with distinct ids, spread over several files.
fn generated_corpus(env: &TestEnv) {
    let mut paragraphs = Vec::new();
    for entry in std::fs::read_dir(common::bundled_corpus()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        paragraphs.extend(
            text.lines()
                .filter(|l| l.chars().count() > 40)
                .map(str::to_string),
        );
    }
    let mut rng = common::Rng(42);
    for f in 0..FILES {
        let mut out = String::new();
        for i in 0..PER_FILE {
            let body: Vec<&str> = (0..4)
                .map(|_| paragraphs[rng.below(paragraphs.len())].as_str())
                .collect();
            let record = serde_json::json!({
                "id": format!("doc-{f}-{i}"),
                "title": format!("第{f}组第{i}篇"),
                "body": format!("编号{f}x{i}号。{}", body.join("\n")),
            });
            out.push_str(&record.to_string());
            out.push('\n');
        }
        env.write(&format!("corpus/part{f}.jsonl"), out);
    }
}

fn start_indexer(env: &TestEnv) -> Child {
    env.command(&[
        "index",
        "corpus",
        "--index",
        "index",
        "--commit-every",
        "150",
        "--json",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// Waits until the index has its first commit with documents in it.
fn wait_for_a_commit(env: &TestEnv, child: &mut Child) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(Some(_)) = child.try_wait() {
            return false; // finished before we could interrupt it
        }
        let meta = std::fs::read_to_string(env.path("index/meta.json")).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&meta).unwrap_or_default();
        if json["segments"].as_array().is_some_and(|s| !s.is_empty()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no commit within two minutes");
}

/// Every document in the index, as `search --json` prints it.
fn all_hits(env: &TestEnv) -> Vec<serde_json::Value> {
    let run = env.run(&[
        "search",
        "*",
        "--index",
        "index",
        "--json",
        "--limit",
        "10000",
        "--snippet-chars",
        "10",
    ]);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    run.json_lines()
}

/// Every document id in the index, and how many documents it has.
fn indexed_ids(env: &TestEnv) -> (usize, HashSet<String>) {
    let ids: Vec<String> = all_hits(env)
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate documents in the index");
    (ids.len(), unique)
}

/// Runs the indexer again, which completes the job: every document, once.
fn run_to_completion(env: &TestEnv) {
    let run = env
        .run(&["index", "corpus", "--index", "index"])
        .expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("{} documents in the index", FILES * PER_FILE)),
        "{}",
        run.stdout
    );
}

fn expected_ids() -> HashSet<String> {
    (0..FILES)
        .flat_map(|f| (0..PER_FILE).map(move |i| format!("doc-{f}-{i}")))
        .collect()
}

#[test]
fn a_killed_indexer_loses_nothing_committed_and_the_next_run_completes() {
    let env = TestEnv::new();
    generated_corpus(&env);
    let mut child = start_indexer(&env);
    let interrupted = wait_for_a_commit(&env, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The last commit is searchable and holds whole documents only.
    let (count, ids) = indexed_ids(&env);
    if interrupted {
        assert!(count > 0, "a commit was made before the kill");
    }
    assert!(ids.is_subset(&expected_ids()));
    // A committed document is found by its text.
    if let Some(id) = ids.iter().next() {
        let (f, i) = id.trim_start_matches("doc-").split_once('-').unwrap();
        let found = env.search_ids(&format!("\"编号{f}x{i}号\""));
        assert_eq!(found, std::slice::from_ref(id));
    }

    // Re-running completes the job: everything, once.
    run_to_completion(&env);
    let (count, ids) = indexed_ids(&env);
    assert_eq!(count, FILES * PER_FILE);
    assert_eq!(ids, expected_ids());
    // And a third run has nothing left to do.
    let run = env
        .run(&["index", "corpus", "--index", "index"])
        .expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("0 added, 0 updated, 0 removed, {FILES} unchanged")),
        "{}",
        run.stdout
    );
}

#[test]
fn ctrl_c_commits_what_is_done_and_exits_cleanly() {
    let env = TestEnv::new();
    generated_corpus(&env);
    let mut child = start_indexer(&env);
    if !wait_for_a_commit(&env, &mut child) {
        eprintln!("the indexer finished before it could be interrupted; nothing to check");
        return;
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(130) => {
            assert!(stderr.contains("interrupted"), "{stderr}");
            let summary: serde_json::Value =
                serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
            assert_eq!(summary["interrupted"], true);
            let (count, _) = indexed_ids(&env);
            assert_eq!(count as u64, summary["total_docs"].as_u64().unwrap());
        }
        // It may have finished between our check and the signal.
        Some(0) => {}
        other => panic!("unexpected exit {other:?}: {stderr}"),
    }
    env.run(&["index", "corpus", "--index", "index"])
        .expect_code(0);
    let (count, ids) = indexed_ids(&env);
    assert_eq!(count, FILES * PER_FILE);
    assert_eq!(ids, expected_ids());
}

/// Records at the end of each file but the first that give a new version of
/// the first few records of the file before it (same id).
const NEW_VERSIONS: usize = 30;

fn corpus_with_new_versions(env: &TestEnv) {
    use std::io::Write;
    generated_corpus(env);
    for f in 1..FILES {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(env.path(&format!("corpus/part{f}.jsonl")))
            .unwrap();
        for i in 0..NEW_VERSIONS {
            let record = serde_json::json!({
                "id": format!("doc-{}-{i}", f - 1),
                "body": format!("编号{}x{i}号新版。高明区荷城街道召开会议。", f - 1),
            });
            writeln!(file, "{record}").unwrap();
        }
    }
}

/// The file each document of the index comes from, by id (each id once).
fn indexed_paths(env: &TestEnv) -> std::collections::HashMap<String, String> {
    let (_, ids) = indexed_ids(env);
    let paths: std::collections::HashMap<String, String> = all_hits(env)
        .iter()
        .map(|h| {
            let field = |k: &str| h[k].as_str().unwrap().to_string();
            (field("id"), field("path"))
        })
        .collect();
    assert_eq!(paths.len(), ids.len());
    paths
}

/// Where each id should come from: the last file that has it.
fn expected_paths(files: usize) -> std::collections::HashMap<String, String> {
    let mut expected = std::collections::HashMap::new();
    for f in 0..files {
        for i in 0..PER_FILE {
            expected.insert(format!("doc-{f}-{i}"), format!("part{f}.jsonl"));
        }
        if f > 0 {
            for i in 0..NEW_VERSIONS {
                expected.insert(format!("doc-{}-{i}", f - 1), format!("part{f}.jsonl"));
            }
        }
    }
    expected
}

#[test]
fn new_versions_of_records_survive_a_kill_and_the_old_ones_come_back_when_they_go() {
    let env = TestEnv::new();
    corpus_with_new_versions(&env);
    let mut child = start_indexer(&env);
    wait_for_a_commit(&env, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Whatever the last commit holds, it holds each id once.
    let committed = indexed_paths(&env);
    let expected = expected_paths(FILES);
    assert!(committed.keys().all(|id| expected.contains_key(id)));

    run_to_completion(&env);
    assert_eq!(indexed_paths(&env), expected);
    let found = env.search_ids("\"编号0x5号新版\"");
    assert_eq!(found, ["doc-0-5"]);

    // The last file goes: the records it replaced come back from the file before.
    std::fs::remove_file(env.path(&format!("corpus/part{}.jsonl", FILES - 1))).unwrap();
    env.run(&["index", "corpus", "--index", "index"])
        .expect_code(0);
    assert_eq!(indexed_paths(&env), expected_paths(FILES - 1));
}
