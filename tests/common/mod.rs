//! Test environment: a temporary directory with a corpus, an index path,
//! and a way to run the `zhsearch` binary in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The bundled corpus of the repository.
pub fn bundled_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// `../shared/corpora/cctv-news.jsonl.gz`, when it exists.
pub fn cctv_corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/cctv-news.jsonl.gz");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipping: {} is absent", path.display());
        None
    }
}

/// Indexes `corpus` into `index` through the library (the builtin
/// analyzer and taxonomy, default options) and opens it for searching.
pub fn library_engine(corpus: &Path, index: &Path) -> zhsearch::search::Engine {
    use zhsearch::analysis::Analyzer;
    let taxonomy = std::sync::Arc::new(zhsearch::extract::topic::Taxonomy::builtin().clone());
    let extractor = zhsearch::extract::Extractor::new(Analyzer::builtin(), taxonomy);
    let options = zhsearch::indexer::IndexOptions::default();
    zhsearch::indexer::index_corpus(corpus, index, &extractor, &options, &mut |_| {})
        .expect("indexing the test corpus");
    zhsearch::search::Engine::open(index, Analyzer::builtin()).expect("opening the test index")
}

/// An empty directory, at a fixed path under cargo's temporary directory
/// for integration tests, for an index that a test keeps in a `static`.
/// Statics are never dropped, so a `TempDir` there would be left in `/tmp`
/// after every run; this one is emptied by the next run instead.
pub fn static_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            panic!("cannot empty {}: {e}", dir.display())
        }
        _ => {}
    }
    std::fs::create_dir_all(&dir).expect("static test dir");
    dir
}

/// A temporary working directory for one test.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the whole output unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The JSON objects printed on stdout, one per line.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
            .collect()
    }

    /// The `id` of each hit printed with `--json`.
    pub fn ids(&self) -> Vec<String> {
        self.json_lines()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    }
}

fn output(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl TestEnv {
    /// An empty environment.
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// An environment whose `corpus/` is a copy of the bundled corpus.
    pub fn with_bundled_corpus() -> TestEnv {
        let env = TestEnv::new();
        let corpus = env.path("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        for entry in std::fs::read_dir(bundled_corpus()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), corpus.join(entry.file_name())).unwrap();
        }
        env
    }

    /// A path inside the environment.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file, creating directories.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A command running the binary in the environment's directory, with
    /// colour left to the flags.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhsearch"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("ZHSEARCH_INDEX");
        cmd
    }

    /// Runs the binary with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        output(self.command(args).output().expect("run zhsearch"))
    }

    /// Indexes `corpus/` into `index/` and checks it succeeded.
    pub fn index(&self) -> Run {
        self.run(&["index", "corpus", "--index", "index"])
            .expect_code(0)
    }

    /// Runs `search --index index --json` with `args` (the query and any
    /// flags), checks it exited 0 or 1, and returns the lines it printed.
    pub fn search_json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["search", "--index", "index", "--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert!(run.code == 0 || run.code == 1, "{run:?}");
        run.json_lines()
    }

    /// Runs `search --index index --color never` with `args` (the query
    /// and any flags), checks it exited 0, and returns what it printed.
    pub fn search_human(&self, args: &[&str]) -> String {
        let mut all = vec!["search", "--index", "index", "--color", "never"];
        all.extend_from_slice(args);
        self.run(&all).expect_code(0).stdout
    }

    /// Searches `index/` with `--json`, returning the ids of the articles
    /// with every word (`--match all`: never relaxed).
    pub fn search_ids(&self, query: &str) -> Vec<String> {
        let run = self.run(&[
            "search", query, "--index", "index", "--json", "--limit", "100", "--match", "all",
        ]);
        assert!(run.code == 0 || run.code == 1, "{query}: {run:?}");
        run.ids()
    }
}

/// The `id` of each JSON hit line.
pub fn hit_ids(lines: &[serde_json::Value]) -> Vec<&str> {
    lines.iter().map(|l| l["id"].as_str().unwrap()).collect()
}

/// A small deterministic generator (SplitMix64), so that sampled tests are
/// reproducible from their seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One article for the recall check: id, title, body.
pub struct Article {
    pub id: String,
    pub title: String,
    pub body: String,
}

/// What the recall check looked at.
#[derive(Debug, Default)]
pub struct RecallReport {
    pub quoted: usize,
    pub unquoted: usize,
    /// The quote marks and brackets ([`MARKS`]) inside quoted samples.
    pub marks: std::collections::BTreeSet<char>,
}

/// The quote marks and brackets of Chinese and English text. The recall
/// check draws samples around them on purpose.
pub const MARKS: &str = "“”‘’「」『』《》（）【】〔〕〈〉\"'＂＇()[]";

/// A title's key with its runs joined across punctuation, but between two
/// ASCII letters or digits (as `zhsearch::analysis::GramTokenizer::across_punctuation`).
fn unbroken(title: &str) -> String {
    use zhsearch::analysis::{BREAK, search_key};
    let chars: Vec<char> = search_key(title).chars().collect();
    let ascii = |i: usize| chars[i].is_ascii_alphanumeric();
    (0..chars.len())
        .filter(|&i| chars[i] != BREAK || (ascii(i - 1) && ascii(i + 1)))
        .map(|i| chars[i])
        .collect()
}

/// The marks that open a quoted query, used in turn by the recall check.
pub const OPENING_MARKS: [char; 5] = ['"', '“', '「', '『', '＂'];

/// The recall guarantee, sampled: `samples` random substrings of 1 to 8
/// characters of the articles' titles and bodies (seeded), one in three
/// drawn around a quote mark or bracket ([`MARKS`]) where the text has one.
/// Quoted, with each of [`OPENING_MARKS`] in turn, each finds exactly the
/// articles whose title or body contains it (after the index's
/// normalisation: width, case, script; spaces ignored, any punctuation
/// matching any), counted by brute force. Unquoted (when the query language
/// reads it as plain text), each finds at least those, and ranks them first,
/// with the titles that have it across their punctuation (the key has none).
pub fn check_recall(
    engine: &zhsearch::search::Engine,
    articles: &[Article],
    samples: usize,
    seed: u64,
) -> RecallReport {
    use std::collections::BTreeSet;
    use zhsearch::analysis::search_key;
    use zhsearch::search::Request;
    use zhsearch::search::query::{Node, closing_mark, parse};

    let mut rng = Rng(seed);
    let mut needles: Vec<(String, String)> = Vec::new(); // (sample, key)
    while needles.len() < samples {
        let a = &articles[rng.below(articles.len())];
        let text = if rng.below(10) == 0 && !a.title.is_empty() {
            &a.title
        } else {
            &a.body
        };
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            continue;
        }
        let len = 1 + rng.below(8);
        let marks: Vec<usize> = (0..chars.len())
            .filter(|&i| MARKS.contains(chars[i]))
            .collect();
        let start = if !marks.is_empty() && rng.below(3) == 0 {
            marks[rng.below(marks.len())].saturating_sub(rng.below(len))
        } else {
            rng.below(chars.len())
        };
        let sample: String = chars[start..(start + len).min(chars.len())]
            .iter()
            .collect();
        let key = search_key(&sample);
        if !key.is_empty() {
            needles.push((sample, key));
        }
    }
    // Brute force: every article whose title or body key contains each key.
    let keys: Vec<&str> = needles.iter().map(|(_, k)| k.as_str()).collect();
    let automaton = aho_corasick::AhoCorasick::new(&keys).unwrap();
    let mut expected: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); needles.len()];
    // Unquoted, a key without punctuation is verbatim in a title across
    // the title's: those rank first too.
    let mut verbatim: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); needles.len()];
    for a in articles {
        for text in [&a.title, &a.body] {
            for m in automaton.find_overlapping_iter(&search_key(text)) {
                expected[m.pattern().as_usize()].insert(a.id.as_str());
                verbatim[m.pattern().as_usize()].insert(a.id.as_str());
            }
        }
        let title = search_key(&a.title);
        for m in automaton.find_overlapping_iter(&unbroken(&a.title)) {
            let key = keys[m.pattern().as_usize()];
            // Only between the key's words: each of two characters or more
            // is in the title with no break inside it.
            let whole = |w: &zhsearch::analysis::Word| {
                w.part || w.text.chars().count() < 2 || title.contains(&search_key(&w.text))
            };
            let words = zhsearch::analysis::Analyzer::builtin().words(key);
            if !key.contains(zhsearch::analysis::BREAK) && words.iter().all(whole) {
                verbatim[m.pattern().as_usize()].insert(a.id.as_str());
            }
        }
    }
    let mut report = RecallReport::default();
    let all = articles.len();
    for (i, (((sample, key), expected), verbatim)) in
        needles.iter().zip(&expected).zip(&verbatim).enumerate()
    {
        assert!(
            !expected.is_empty(),
            "{sample:?} was sampled from the articles"
        );
        // Every other mark inside the phrase is text. The one that would
        // close it is punctuation too: another in its place leaves the key
        // as it is.
        let open = OPENING_MARKS[i % OPENING_MARKS.len()];
        let close = closing_mark(open).unwrap();
        let inside: String = sample
            .chars()
            .map(|c| if c == close { '，' } else { c })
            .collect();
        let quoted = format!("{open}{inside}{close}");
        let ids = engine.ranked_ids(&Request::new(&quoted), all).unwrap();
        let found: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(&found, expected, "quoted {quoted} (key {key:?})");
        report.quoted += 1;
        report
            .marks
            .extend(inside.chars().filter(|&c| MARKS.contains(c)));

        if parse(sample) != Ok(Node::Text(sample.clone())) {
            continue;
        }
        let ranked = engine.ranked_ids(&Request::new(sample), all).unwrap();
        let found: BTreeSet<&str> = ranked.iter().map(String::as_str).collect();
        assert!(
            found.is_superset(expected),
            "unquoted {sample:?} misses some of {expected:?}"
        );
        // Across a title's punctuation, verbatim among the articles found.
        let verbatim: BTreeSet<&str> = verbatim
            .iter()
            .filter(|id| found.contains(*id))
            .copied()
            .collect();
        let first: BTreeSet<&str> = ranked[..verbatim.len()]
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            first, verbatim,
            "unquoted {sample:?}: the verbatim matches are not ranked first"
        );
        report.unquoted += 1;
    }
    report
}

/// Checks that the components each hit of each search (`args`, in
/// `index/`) has in JSON are those its explanation gives (`--explain`);
/// returns how many hits were compared.
pub fn assert_components_as_explained(env: &TestEnv, queries: &[&[&str]]) -> usize {
    let mut compared = 0;
    for args in queries {
        let fast = env.search_json(args);
        let mut explained_args = args.to_vec();
        explained_args.push("--explain");
        let explained = env.search_json(&explained_args);
        assert_eq!(hit_ids(&fast), hit_ids(&explained), "{args:?}");
        for (f, e) in fast.iter().zip(&explained) {
            let (f, e) = (&f["components"], &e["components"]);
            if f.is_null() && e.is_null() {
                continue; // not a hit: the facet counts
            }
            let keys = f
                .as_object()
                .unwrap()
                .keys()
                .chain(e.as_object().unwrap().keys());
            for key in keys {
                match (&f[key], &e[key]) {
                    (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
                        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                        let close = (a - b).abs() <= 1e-3 * b.abs().max(1.0);
                        assert!(close, "{args:?} {key}: {f} vs {e}");
                    }
                    (a, b) => assert_eq!(a, b, "{args:?} {key}: {f} vs {e}"),
                }
            }
            compared += 1;
        }
    }
    compared
}
