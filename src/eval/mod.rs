//! `zhsearch eval`: a known-item evaluation of ranking (issue 12). Queries
//! that each look for one story, made from the corpus with a fixed seed, run
//! as a user types them (unquoted, default options, the first ten hits).
//!
//! ```text
//! zhsearch eval [--corpus PATH] [--index DIR] [--seed N] [--per-kind N] [--json]
//!     [--dump FILE] [--thesaurus FILE] [--near-synonyms FILE] [--spaced] [--ties]
//!     [--pasted N]
//! zhsearch eval --compare A.json B.json [--list N]
//! ```
//!
//! The corpus defaults to the bundled one (`corpus/`); the CCTV corpus
//! (`../shared/corpora/cctv-news.jsonl.gz`) is research use only: never
//! commit it, a dump, or anything else quoting it. The index is built in a
//! temporary directory, removed afterwards, or with `--index DIR` reused
//! when one that opens is there (built there otherwise).
//!
//! Five kinds of query ([`queries::Kind`]), `--per-kind` of each (300): a
//! title prefix; two or three body keywords by TF-IDF (document frequencies of
//! the corpus itself) that the title does not contain; one or two title words
//! and a name from the body (jieba's tags); a few title words in Traditional
//! characters (OpenCC's tables backwards); a few title words with one swapped
//! for a near-synonym from `data/eval/near-synonyms.txt`, a table written by
//! hand. A story whose title more than three stories share (a column's
//! heading, 国内联播快讯) is never a target; a name is the body's person (else
//! place or organisation) highest by TF-IDF, never one that more than one
//! story in twenty names; a few title words start and end with a word of two
//! characters or more. For each kind and overall it prints MRR@10, success@1 and @10, how
//! many targets were not among the ten hits, how many queries had no hit,
//! how many had a near-identical story (same title, near-identical body)
//! above the target (counted as misses, reported apart: `twin^`), how many
//! targets were not hits themselves but folded as near-duplicates under one
//! of the ten (`folded`: also misses; `MRR+f` is MRR@10 counting them at
//! their hit's rank), and the latency (p50, p99) of the searches, run twice, timed the second time.
//!
//! `--thesaurus FILE` replaces the built-in near-synonyms of relaxed
//! matching with the groups of FILE (`/dev/null`: none), to measure them.
//! `--near-synonyms FILE` makes the near-synonym queries with the pairs of
//! FILE instead of `data/eval/near-synonyms.txt` (the same format), such as
//! `data/eval/near-synonyms-heldout.txt`, written apart from the engine's
//! near-synonyms to measure them.
//! `--spaced` sets the words of the near-synonym queries apart with spaces
//! (`李强 会晤 南非 总统`), as many type them, instead of typed together.
//!
//! `--pasted N` makes, instead of the five kinds, `N` passages of stories'
//! bodies (20 to 1,000 characters, line breaks and all), each looking for
//! its story, as a reader pastes a passage to find where it came from: the
//! story should come first (a near-identical story above it is `twin^`),
//! and the search, which relaxes when fewer articles than the page have
//! every word, should stay fast. It also prints how much the other hits
//! are about the passage's story: the share of its keywords each has, on
//! average, beside the same for stories drawn at random.
//! `--per-kind`, `--spaced` and
//! `--near-synonyms` do not apply to them; fewer than `N` are made when the
//! stories run out.
//!
//! `--ties` also prints, for the kinds made from a title, the MRR@10 of
//! each target among the stories that match the query as it does, in a
//! random order, and how the queries that single out their target ranked
//! ([`ties`]); a table, so not with `--json`.
//!
//! `--json` prints the figures as JSON; `--dump FILE` writes every query and
//! its outcome, which `--compare A.json B.json` reads to set two runs side
//! by side and list the queries that moved most.
//!
//! Never tune a constant to a query seen here: the lead judges on a held-out
//! set of the same kinds.

mod metrics;
mod queries;
mod ties;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use zhsearch::analysis::{Analyzer, search_key};
use zhsearch::corpus;
use zhsearch::extract::Extractor;
use zhsearch::extract::topic::Taxonomy;
use zhsearch::indexer::{IndexOptions, index_corpus};
use zhsearch::search::{Engine, Request};

use metrics::{DEPTH, Dump, Outcome};
use queries::{Kind, Maker, Query, Story};

/// What to evaluate, and how (`zhsearch eval`'s options).
#[derive(Debug, Clone)]
pub struct Options {
    /// The corpus the queries are made from, and the index built of.
    pub corpus: PathBuf,
    /// Where the index is reused, or built; `None`: a temporary directory.
    pub index: Option<PathBuf>,
    pub seed: u64,
    pub per_kind: usize,
    /// The figures as JSON rather than a table.
    pub json: bool,
    /// Where every query and its outcome are written.
    pub dump: Option<PathBuf>,
    /// Near-synonym groups replacing the built-in ones of relaxed matching.
    pub thesaurus: Option<PathBuf>,
    /// Pairs the near-synonym queries are made with.
    pub near_synonyms: Option<PathBuf>,
    pub spaced: bool,
    pub ties: bool,
    pub pasted: Option<usize>,
}

impl Options {
    /// The options of a run on `corpus` with the defaults: seed 12, 300
    /// queries of each kind, a table.
    pub fn new(corpus: PathBuf) -> Options {
        Options {
            corpus,
            index: None,
            seed: 12,
            per_kind: 300,
            json: false,
            dump: None,
            thesaurus: None,
            near_synonyms: None,
            spaced: false,
            ties: false,
            pasted: None,
        }
    }
}

/// Two dumps side by side (`--compare`), and the `list` queries that moved
/// most.
pub fn compare(a: &Path, b: &Path, list: usize) -> anyhow::Result<String> {
    Ok(metrics::compare(&read_dump(a)?, &read_dump(b)?, list))
}

/// Runs the evaluation, telling each step to `progress`; what it prints.
pub fn evaluate(options: &Options, progress: &mut dyn FnMut(&str)) -> anyhow::Result<String> {
    if options.ties && options.json {
        bail!("--ties prints a table: not with --json");
    }
    if options.ties && options.pasted.is_some() {
        bail!("--ties is for the kinds made from a title: not with --pasted");
    }
    if !options.corpus.exists() {
        bail!("no corpus at {}", options.corpus.display());
    }
    // The files given, read (and the dump's created) before the corpus is
    // indexed, which takes minutes on a large one.
    let read = |flag: &str, path: &Option<PathBuf>| -> anyhow::Result<Option<String>> {
        let read = |p: &PathBuf| std::fs::read_to_string(p);
        path.as_ref()
            .map(|p| read(p).with_context(|| format!("{flag} {}", p.display())))
            .transpose()
    };
    let thesaurus = read("--thesaurus", &options.thesaurus)?;
    let near_synonyms = read("--near-synonyms", &options.near_synonyms)?;
    if let Some(path) = &options.dump {
        // Writable, its contents left until the run is done.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path);
        file.with_context(|| format!("--dump {}", path.display()))?;
    }
    let files = Files {
        thesaurus,
        near_synonyms,
    };
    match &options.index {
        Some(dir) => evaluate_in(options, &files, dir, progress),
        None => {
            let tmp = tempfile::Builder::new()
                .prefix("zhsearch-eval-")
                .tempdir()
                .context("creating a temporary directory for the index")?;
            evaluate_in(options, &files, &tmp.path().join("index"), progress)
        }
    }
}

/// The files of an evaluation's options, read.
struct Files {
    thesaurus: Option<String>,
    near_synonyms: Option<String>,
}

/// [`evaluate`] with the index in `dir`.
fn evaluate_in(
    options: &Options,
    files: &Files,
    dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<String> {
    let (mut engine, reused) = open_or_build(&options.corpus, dir, progress)?;
    if let Some(text) = &files.thesaurus {
        engine = engine.with_thesaurus(zhsearch::search::thesaurus::Thesaurus::parse(text));
    }
    let (stories, read) = read_stories(&options.corpus, &engine)?;
    if reused && read != engine.num_docs() as usize {
        progress(&format!(
            "warning: the index in {} has {} articles, the corpus {}: the stories it lacks \
             are left out (is it this corpus's index?)",
            dir.display(),
            engine.num_docs(),
            read
        ));
    }
    if stories.is_empty() {
        bail!("no stories in {}", options.corpus.display());
    }
    let started = Instant::now();
    let analyzer = Analyzer::builtin();
    let mut maker = Maker::new(&stories, &analyzer);
    maker.spaced = options.spaced;
    if let Some(text) = &files.near_synonyms {
        maker.synonyms = queries::NearSynonyms::parse(text);
    }
    let queries = match options.pasted {
        Some(n) => {
            let (queries, rejected) = maker.pasted(options.seed, n);
            progress(&format!(
                "{rejected} passages drawn were left out: the query syntax rejects them"
            ));
            queries
        }
        None => maker.make(options.seed, options.per_kind),
    };
    progress(&format!(
        "{} queries (seed {}, {}; {} near-synonym pairs) from {} stories in {:.1?}",
        queries.len(),
        options.seed,
        match options.pasted {
            Some(_) => "pasted passages".to_string(),
            None => format!("{} per kind", options.per_kind),
        },
        maker.synonyms.pairs(),
        stories.len(),
        started.elapsed()
    ));
    let outcomes = run(&engine, &stories, &queries)?;
    let dump = Dump::new(options.seed, options.per_kind, outcomes);
    if let Some(path) = &options.dump {
        let text = serde_json::to_string_pretty(&dump)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let related = metrics::related(&dump.outcomes);
    if options.json {
        let mut summary = serde_json::to_value(&dump.summary)?;
        if let (Some(r), Some(fields)) = (&related, summary.as_object_mut()) {
            fields.insert("related".to_string(), serde_json::to_value(r)?);
        }
        return Ok(summary.to_string() + "\n");
    }
    let mut out = dump.summary.table();
    if let Some(r) = related {
        out += &format!(
            "the other hits share {:.1}% of a passage's story's keywords on average \
             (nine stories drawn at random: {:.1}%)\n",
            100.0 * r.hits,
            100.0 * r.random
        );
    }
    if options.ties {
        out += &ties_table(&dump.outcomes, &stories, &dump.summary);
    }
    Ok(out)
}

/// Each kind with ties: its MRR@10 beside its tie MRR@10, and how its
/// queries that single out their target ranked ([`ties`]).
fn ties_table(outcomes: &[Outcome], stories: &[Story], summary: &metrics::Summary) -> String {
    let mut out = format!(
        "{:<22} {:>7} {:>11} {:>12} {:>7} {:>11} {:>11} {:>8}\n",
        "kind",
        "MRR@10",
        "tie MRR@10",
        "median ties",
        "unique",
        "S@1 unique",
        "MRR unique",
        "missing"
    );
    for (kind, tied) in ties::by_kind(outcomes, stories) {
        let mrr = summary.kinds.get(&kind).map_or(0.0, |f| f.mrr);
        out += &format!(
            "{:<22} {:>7.3} {:>11.3} {:>12} {:>7.3} {:>11.3} {:>11.3} {:>8}\n",
            kind.name(),
            mrr,
            tied.mrr,
            tied.median,
            tied.unique,
            tied.unique_first,
            tied.unique_mrr,
            tied.missing
        );
    }
    out
}

fn read_dump(path: &Path) -> anyhow::Result<Dump> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a dump of `zhsearch eval`", path.display()))
}

/// The index of `corpus` in `dir`: reused when it opens (then `true`),
/// built otherwise.
fn open_or_build(
    corpus: &Path,
    dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<(Engine, bool)> {
    if dir.exists()
        && let Ok(engine) = Engine::open(dir, Analyzer::builtin())
        && engine.num_docs() > 0
    {
        progress(&format!(
            "reusing {} ({} articles)",
            dir.display(),
            engine.num_docs()
        ));
        return Ok((engine, true));
    }
    progress(&format!("indexing {}", corpus.display()));
    let started = Instant::now();
    let extractor = Extractor::new(Analyzer::builtin(), Arc::new(Taxonomy::builtin().clone()));
    let options = IndexOptions {
        rebuild: true,
        ..IndexOptions::default()
    };
    let summary = index_corpus(corpus, dir, &extractor, &options, &mut |_| {})
        .with_context(|| format!("indexing {} into {}", corpus.display(), dir.display()))?;
    progress(&format!(
        "indexed {} articles in {:.1?}",
        summary.docs,
        started.elapsed()
    ));
    Ok((Engine::open(dir, Analyzer::builtin())?, false))
}

/// The corpus's stories, with the titles the index gave them (a text file's
/// title is extracted from its text), and how many records were read: a
/// story whose title the index does not know is left out.
fn read_stories(corpus: &Path, engine: &Engine) -> anyhow::Result<(Vec<Story>, usize)> {
    let listing =
        corpus::discover(corpus).with_context(|| format!("reading {}", corpus.display()))?;
    let mut raw = Vec::new();
    for file in &listing.files {
        corpus::read(file, |d| raw.extend(d.ok()))
            .map_err(|e| anyhow::anyhow!("reading {}: {e:?}", file.path.display()))?;
    }
    let read = raw.len();
    let mut stories = Vec::with_capacity(raw.len());
    for doc in raw {
        let title = match doc.meta.title {
            Some(title) => title,
            None => match engine.document(&doc.id)? {
                Some(stored) => stored.title,
                None => continue,
            },
        };
        stories.push(Story {
            id: doc.id,
            title,
            body: doc.body,
        });
    }
    Ok((stories, read))
}

/// Runs every query twice (the first to warm up) and records the second.
fn run(engine: &Engine, stories: &[Story], queries: &[Query]) -> anyhow::Result<Vec<Outcome>> {
    let by_id: HashMap<&str, &Story> = stories.iter().map(|s| (s.id.as_str(), s)).collect();
    for q in queries {
        engine.search(&Request::new(&q.text))?;
    }
    let mut outcomes = Vec::with_capacity(queries.len());
    for q in queries {
        let mut request = Request::new(&q.text);
        request.limit = DEPTH;
        let started = Instant::now();
        let results = engine.search(&request)?;
        let micros = started.elapsed().as_micros() as u64;
        let ids: Vec<&str> = results.hits.iter().map(|h| h.record.id.as_str()).collect();
        let position = ids.iter().position(|id| *id == q.target);
        let above = &ids[..position.unwrap_or(ids.len())];
        let target = by_id.get(q.target.as_str());
        let twin_above = target.is_some_and(|t| {
            above
                .iter()
                .filter_map(|id| by_id.get(id))
                .any(|other| near_identical(t, other))
        });
        let folded = results
            .hits
            .iter()
            .find(|h| h.similar.contains(&q.target))
            .map(|h| h.rank);
        let related = match (q.kind, target) {
            (Kind::Pasted, Some(t)) => related(engine, stories, t, &results.hits, &by_id)?,
            _ => None,
        };
        outcomes.push(Outcome {
            query: q.clone(),
            rank: position.map(|p| p + 1),
            total: results.total,
            twin_above,
            folded,
            micros,
            related,
        });
    }
    Ok(outcomes)
}

/// How much the `hits` other than `target` and its near-identical twins
/// are about what `target` is: the share of its keywords each has, on
/// average; and the same for nine stories drawn at random (seeded by the
/// target's id). `None` when the target has no keywords or no other hit.
fn related(
    engine: &Engine,
    stories: &[Story],
    target: &Story,
    hits: &[zhsearch::search::Hit],
    by_id: &HashMap<&str, &Story>,
) -> anyhow::Result<Option<metrics::Related>> {
    let keywords = |id: &str| -> anyhow::Result<HashSet<String>> {
        let stored = engine.document(id)?;
        Ok(stored
            .map(|r| r.meta.keywords.into_iter().collect())
            .unwrap_or_default())
    };
    let theirs = keywords(&target.id)?;
    if theirs.is_empty() {
        return Ok(None);
    }
    let share = |ids: &[&str]| -> anyhow::Result<Option<f64>> {
        let mut shares = Vec::new();
        for id in ids {
            let kept = keywords(id)?;
            shares.push(kept.intersection(&theirs).count() as f64 / theirs.len() as f64);
        }
        Ok((!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64))
    };
    let others: Vec<&str> = hits
        .iter()
        .map(|h| h.record.id.as_str())
        .filter(|id| *id != target.id)
        .filter(|id| by_id.get(id).is_none_or(|s| !near_identical(target, s)))
        .collect();
    let Some(hits) = share(&others)? else {
        return Ok(None);
    };
    let seed = target
        .id
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut rng = queries::Rng::new(seed);
    let drawn: Vec<&str> = (0..9)
        .map(|_| stories[rng.range(0, stories.len() - 1)].id.as_str())
        .filter(|id| *id != target.id)
        .collect();
    let random = share(&drawn)?.unwrap_or(0.0);
    Ok(Some(metrics::Related { hits, random }))
}

/// Same title (folded), and bodies sharing at least 90% of their character
/// trigrams (Jaccard).
fn near_identical(a: &Story, b: &Story) -> bool {
    if search_key(&a.title) != search_key(&b.title) {
        return false;
    }
    let trigrams = |text: &str| -> HashSet<[char; 3]> {
        let chars: Vec<char> = search_key(text).chars().collect();
        chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
    };
    let (x, y) = (trigrams(&a.body), trigrams(&b.body));
    let union = x.union(&y).count();
    union == 0 || x.intersection(&y).count() as f64 / union as f64 >= 0.9
}

#[cfg(test)]
mod tests {
    use super::*;
    use metrics::Summary;
    use queries::Kind;

    /// The bundled corpus, indexed once into a temporary directory.
    fn bundled() -> (tempfile::TempDir, Engine, Vec<Story>) {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let dir = tempfile::tempdir().unwrap();
        let (engine, _) = open_or_build(&corpus, &dir.path().join("index"), &mut |_| {}).unwrap();
        let (stories, _) = read_stories(&corpus, &engine).unwrap();
        (dir, engine, stories)
    }

    #[test]
    fn a_title_prefix_finds_its_article_first() {
        let (_dir, engine, stories) = bundled();
        assert_eq!(stories.len(), 5);
        let analyzer = Analyzer::builtin();
        let queries = Maker::new(&stories, &analyzer).make(1, 5);
        let prefixes: Vec<Query> = queries
            .into_iter()
            .filter(|q| q.kind == Kind::TitlePrefix)
            .collect();
        assert_eq!(prefixes.len(), 5, "{prefixes:?}");
        let outcomes = run(&engine, &stories, &prefixes).unwrap();
        for o in &outcomes {
            assert_eq!(o.rank, Some(1), "{o:?}");
        }
        assert_eq!(Summary::of(&outcomes).all.mrr, 1.0);
    }

    #[test]
    fn every_target_is_among_its_own_ties() {
        let (_dir, _engine, stories) = bundled();
        let analyzer = Analyzer::builtin();
        let keys: Vec<ties::Keys> = stories.iter().map(ties::Keys::of).collect();
        let mut checked = 0;
        for seed in 1..=5 {
            for q in Maker::new(&stories, &analyzer).make(seed, 5) {
                let Some(tied) = ties::ties(&q, &keys) else {
                    continue;
                };
                let target = stories.iter().position(|s| s.id == q.target).unwrap();
                assert!(tied.contains(&target), "{q:?}: {tied:?}");
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked}");
    }

    #[test]
    fn a_story_is_its_own_twin_and_not_another_s() {
        let (_dir, _engine, stories) = bundled();
        assert!(near_identical(&stories[0], &stories[0]));
        assert!(!near_identical(&stories[0], &stories[1]));
    }
}
