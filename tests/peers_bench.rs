//! The peers benchmark (`scripts/peers-bench.py`, BENCHMARKS.md) on the
//! bundled corpus, with the two systems it runs without fetching anything:
//! zhsearch (this build) and SQLite FTS5 trigram. Its recall column must
//! match a scan of the articles made here. Skips, saying so, where `python3`
//! is absent.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// 1, 2 and 3+ characters; inside a word, across words, absent.
const CHECKS: [&str; 5] = ["的", "党建", "明区", "建引领高", "区块链"];

/// How many bundled articles contain `needle`, as Ctrl-F finds it.
fn scan(needle: &str) -> u64 {
    let mut n = 0;
    for entry in std::fs::read_dir(common::bundled_corpus()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        n += u64::from(text.contains(needle));
    }
    n
}

fn python3() -> bool {
    let found = Command::new("python3").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipping: python3 is absent");
    }
    found
}

/// Runs the harness on the bundled corpus; its report as JSON.
fn run_bench(dir: &Path) -> Value {
    let checks = dir.join("checks.txt");
    std::fs::write(&checks, CHECKS.join("\n")).unwrap();
    let report = dir.join("report.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/peers-bench.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(common::bundled_corpus())
        .args(["--only", "zhsearch,fts5-trigram", "--rounds", "1"])
        .args(["--query-rounds", "2", "--warmup", "1", "--threads", "2"])
        .arg("--zhsearch")
        .arg(env!("CARGO_BIN_EXE_zhsearch"))
        .arg("--checks")
        .arg(&checks)
        .arg("--json")
        .arg(&report)
        .arg("--work")
        .arg(dir.join("work"))
        .arg("--cache")
        .arg(dir.join("cache"))
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "peers-bench.py failed\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap()
}

#[test]
fn peers_bench_counts_match_a_scan_for_zhsearch_and_fts5_trigram() {
    if !python3() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = run_bench(dir.path());
    for needle in CHECKS {
        let truth = scan(needle);
        assert_eq!(
            report["truth"][needle], truth,
            "the harness's scan of {needle}"
        );
        for system in ["zhsearch", "fts5-trigram"] {
            let phrase = &report["checks"][system]["phrase"][needle];
            assert_eq!(phrase["found"], truth, "{system} \"{needle}\": {phrase}");
            assert_eq!(phrase["missed"], 0, "{system} \"{needle}\": {phrase}");
            assert_eq!(phrase["extra"], 0, "{system} \"{needle}\": {phrase}");
        }
    }
    assert_eq!(scan("区块链"), 0);
    assert!(scan("建引领高") > 0 && scan("明区") > 0);
    for system in ["zhsearch", "fts5-trigram"] {
        let verdict = report["systems"][system]["verdict"].as_str().unwrap();
        assert!(verdict.starts_with("yes"), "{system}: {verdict}");
    }
    let zhsearch = &report["systems"]["zhsearch"]["rounds"][0];
    assert!(zhsearch["index_bytes"].as_u64().unwrap() > 0, "{zhsearch}");
    assert!(zhsearch["p50_ms"].as_f64().unwrap() > 0.0, "{zhsearch}");
}
