//! `zhsearch eval`: the known-item evaluation of ranking, as a user runs it
//! on a corpus of their own (here the bundled one).

mod common;

use common::TestEnv;

/// The row of `kind` in the table `zhsearch eval` prints: its figures.
fn row<'a>(table: &'a str, kind: &str) -> Vec<&'a str> {
    let line = table
        .lines()
        .find(|l| l.starts_with(kind))
        .unwrap_or_else(|| panic!("no row {kind:?} in\n{table}"));
    line[kind.len()..].split_whitespace().collect()
}

#[test]
fn the_bundled_corpus_finds_each_story_by_its_title_start_and_its_keywords() {
    let env = TestEnv::with_bundled_corpus();
    let run = env.run(&["eval"]).expect_code(0);
    // queries, MRR@10, S@1, S@10, not returned, empty.
    let prefix = row(&run.stdout, "title prefix");
    assert_eq!(&prefix[..6], ["5", "1.000", "1.000", "1.000", "0", "0"]);
    let keywords = row(&run.stdout, "body keywords");
    assert_eq!(&keywords[..6], ["5", "1.000", "1.000", "1.000", "0", "0"]);
    let all = row(&run.stdout, "all");
    assert!(all[0].parse::<usize>().unwrap() >= 15, "{all:?}");
    assert!(run.stderr.contains("indexed 5 articles"), "{}", run.stderr);
    // The index was built in a temporary directory: nothing is left here.
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["corpus"]);
}

#[test]
fn json_gives_each_kind_s_figures_on_one_line() {
    let env = TestEnv::with_bundled_corpus();
    let run = env.run(&["eval", "--json"]).expect_code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1);
    let prefix = &lines[0]["kinds"]["title-prefix"];
    assert_eq!(prefix["queries"], 5);
    assert_eq!(prefix["mrr"], 1.0);
    assert_eq!(prefix["not_returned"], 0);
    assert!(lines[0]["all"]["p50_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn an_index_given_is_built_then_reused_and_two_runs_compare() {
    let env = TestEnv::with_bundled_corpus();
    let first = env
        .run(&["eval", "--index", "idx", "--dump", "a.json"])
        .expect_code(0);
    assert!(
        first.stderr.contains("indexed 5 articles"),
        "{}",
        first.stderr
    );
    assert!(env.path("idx").is_dir());
    let second = env
        .run(&["eval", "--index", "idx", "--dump", "b.json", "--seed", "12"])
        .expect_code(0);
    assert!(
        second.stderr.contains("reusing idx (5 articles)"),
        "{}",
        second.stderr
    );
    let compared = env
        .run(&["eval", "--compare", "a.json", "b.json"])
        .expect_code(0);
    let queries = row(&first.stdout, "all")[0];
    let same = format!("{queries} queries in both: 0 better, 0 worse, {queries} the same");
    assert!(compared.stdout.contains(&same), "{}", compared.stdout);
}

#[test]
fn bad_arguments_are_refused_naming_them() {
    let env = TestEnv::with_bundled_corpus();
    let run = env.run(&["eval", "--ties", "--json"]).expect_code(2);
    assert!(
        run.stderr.contains("--ties prints a table"),
        "{}",
        run.stderr
    );
    let run = env
        .run(&["eval", "--compare", "a.json", "b.json", "--json"])
        .expect_code(2);
    assert!(
        run.stderr.contains("--compare prints a table"),
        "{}",
        run.stderr
    );
    let run = env.run(&["eval", "--corpus", "nowhere"]).expect_code(2);
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
    let run = env
        .run(&["eval", "--compare", "a.json", "corpus"])
        .expect_code(2);
    assert!(run.stderr.contains("a.json"), "{}", run.stderr);
}
