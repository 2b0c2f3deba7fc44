//! `zhsearch eval`: the known-item evaluation of ranking, as a user runs it
//! on a corpus of their own (here the bundled one).

mod common;

use common::TestEnv;

/// `zhsearch eval ARGS` with its temporary directories in the test's
/// `tmp/`, which it must leave empty.
fn eval(env: &TestEnv, args: &[&str]) -> common::Run {
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = env.command(&[&["eval"], args].concat());
    let out = cmd.env("TMPDIR", &tmp).output().expect("run zhsearch");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "{args:?} left {left:?}");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The line of stderr that says what went wrong.
fn error(run: &common::Run) -> &str {
    let line = run.stderr.lines().find(|l| l.contains("error"));
    line.unwrap_or_else(|| panic!("no error in {}", run.stderr))
}

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
    let run = eval(&env, &[]).expect_code(0);
    // queries, MRR@10, S@1, S@10, not returned, empty.
    let prefix = row(&run.stdout, "title prefix");
    assert_eq!(&prefix[..6], ["5", "1.000", "1.000", "1.000", "0", "0"]);
    let keywords = row(&run.stdout, "body keywords");
    assert_eq!(&keywords[..6], ["5", "1.000", "1.000", "1.000", "0", "0"]);
    let all = row(&run.stdout, "all");
    assert!(all[0].parse::<usize>().unwrap() >= 15, "{all:?}");
    assert!(run.stderr.contains("indexed 5 articles"), "{}", run.stderr);
    // The index was built in a temporary directory, removed (`eval`), and
    // nothing was written here.
    let mut here: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    here.sort();
    assert_eq!(here, ["corpus", "tmp"]);
}

#[test]
fn json_gives_each_kind_s_figures_on_one_line() {
    let env = TestEnv::with_bundled_corpus();
    let run = eval(&env, &["--json"]).expect_code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1);
    let prefix = &lines[0]["kinds"]["title-prefix"];
    assert_eq!(prefix["queries"], 5);
    assert_eq!(prefix["mrr"], 1.0);
    assert_eq!(prefix["not_returned"], 0);
    assert!(lines[0]["all"]["p50_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn ties_and_pasted_passages_have_their_own_figures() {
    let env = TestEnv::with_bundled_corpus();
    let ties = eval(&env, &["--ties"]).expect_code(0);
    let prefix = ties
        .stdout
        .lines()
        .skip_while(|l| !l.contains("tie MRR@10"))
        .find(|l| l.starts_with("title prefix"))
        .unwrap_or_else(|| panic!("{}", ties.stdout));
    // MRR@10, tie MRR@10 (each prefix is its own title's), median ties.
    let figures: Vec<&str> = prefix["title prefix".len()..].split_whitespace().collect();
    assert_eq!(&figures[..3], ["1.000", "1.000", "1"], "{}", ties.stdout);
    let pasted = eval(&env, &["--pasted", "3"]).expect_code(0);
    assert_eq!(&row(&pasted.stdout, "pasted passage")[..2], ["3", "1.000"]);
    assert!(
        pasted.stdout.contains("the other hits share"),
        "{}",
        pasted.stdout
    );
    let json = eval(&env, &["--pasted", "3", "--json"]).expect_code(0);
    let related = &json.json_lines()[0]["related"];
    assert!(related["random"].as_f64().is_some(), "{}", json.stdout);
}

#[test]
fn an_index_given_is_built_then_reused_and_two_runs_compare() {
    let env = TestEnv::with_bundled_corpus();
    let first = eval(&env, &["--index", "idx", "--dump", "a.json"]).expect_code(0);
    assert!(
        first.stderr.contains("indexed 5 articles"),
        "{}",
        first.stderr
    );
    assert!(env.path("idx").is_dir());
    let second = eval(
        &env,
        &["--index", "idx", "--dump", "b.json", "--seed", "12"],
    );
    let second = second.expect_code(0);
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
    // Another seed draws other queries: fewer in both.
    eval(&env, &["--index", "idx", "--dump", "c.json", "--seed", "3"]).expect_code(0);
    let compared = env
        .run(&["eval", "--compare", "a.json", "c.json"])
        .expect_code(0);
    let line = compared
        .stdout
        .lines()
        .find(|l| l.contains("queries in both"));
    let both: usize = line.unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(both < queries.parse().unwrap(), "{}", compared.stdout);
}

#[test]
fn an_index_of_another_corpus_is_reused_with_a_warning() {
    let env = TestEnv::with_bundled_corpus();
    eval(&env, &["--index", "idx"]).expect_code(0);
    env.write("more/a.txt", "第一篇报道\n\n高明区举行党建工作会议。");
    env.write("more/b.txt", "第二篇报道\n\n禅城区推进乡村振兴。");
    // Their titles are the index's: none, so no story is left.
    let run = eval(&env, &["--index", "idx", "--corpus", "more"]).expect_code(2);
    assert!(
        run.stderr
            .contains("the index in idx has 5 articles, the corpus 2"),
        "{}",
        run.stderr
    );
    assert!(error(&run).contains("no stories in more"), "{}", run.stderr);
}

#[test]
fn bad_arguments_are_refused_naming_them() {
    let env = TestEnv::with_bundled_corpus();
    env.write("other.json", "{\"not\": \"a dump\"}");
    env.write("keep/notes.txt", "not an index");
    let refused = |args: &[&str], says: &str| {
        let run = eval(&env, args).expect_code(2);
        assert!(error(&run).contains(says), "{args:?}: {}", run.stderr);
    };
    refused(
        &["--ties", "--json"],
        "--ties prints a table: not with --json",
    );
    refused(
        &["--compare", "a.json", "b.json", "--json"],
        "--compare prints a table",
    );
    refused(&["--corpus", "nowhere"], "no corpus at nowhere");
    refused(&["--compare", "a.json", "other.json"], "a.json");
    refused(
        &["--compare", "other.json", "other.json"],
        "other.json is not a dump",
    );
    refused(&["--thesaurus", "none.txt"], "--thesaurus none.txt");
    refused(&["--near-synonyms", "none.txt"], "--near-synonyms none.txt");
    refused(&["--per-kind", "0"], "--per-kind");
    refused(&["--compare", "a.json", "b.json", "--seed", "3"], "--seed");
    // A directory that holds something else is never touched.
    refused(&["--index", "keep"], "keep");
    assert!(env.path("keep/notes.txt").is_file());
    std::fs::create_dir(env.path("void")).unwrap();
    let empty = eval(&env, &["--corpus", "void"]).expect_code(2);
    assert!(
        error(&empty).contains("no stories in void"),
        "{}",
        empty.stderr
    );
}
