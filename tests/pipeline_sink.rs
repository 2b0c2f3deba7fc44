//! The indexing pipeline writes to any `Sink`: a sink that keeps what it is
//! given in memory sees every article once, deletions before additions, and
//! commits naming the files still incomplete.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use common::TestEnv;
use zhsearch::analysis::Analyzer;
use zhsearch::corpus;
use zhsearch::extract::Extractor;
use zhsearch::extract::topic::Taxonomy;
use zhsearch::indexer::{
    Admit, Builder, IndexOptions, Known, Prepared, Sink, Summary, index_listing,
};

/// What the pipeline asked of the sink, in order.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Start(Vec<String>),
    Delete(String),
    Add { id: String, path: String },
    Commit(Vec<String>),
}

/// A document as the memory sink keeps it.
struct Doc {
    id: String,
    title: String,
    hash: u64,
    words: bool,
}

struct MemoryBuilder;

impl Builder for MemoryBuilder {
    type Doc = Doc;

    fn build(&self, record: &Prepared) -> Doc {
        Doc {
            id: record.article.id.clone(),
            title: record.article.title.clone(),
            hash: record.hash,
            words: !record.body_words.is_empty(),
        }
    }
}

/// Keeps documents in memory, by id, and every call made to it.
#[derive(Default)]
struct MemorySink {
    known: Known,
    calls: Vec<Call>,
    docs: HashMap<String, Doc>,
}

impl Sink for MemorySink {
    type Builder = MemoryBuilder;

    fn known(&self) -> zhsearch::Result<Known> {
        Ok(self.known.clone())
    }

    fn start(&mut self, paths: &[&str], _: &HashSet<&str>) -> zhsearch::Result<BTreeSet<String>> {
        let paths = paths.iter().map(|p| p.to_string()).collect();
        self.calls.push(Call::Start(paths));
        Ok(BTreeSet::new())
    }

    fn builder(&self) -> MemoryBuilder {
        MemoryBuilder
    }

    fn delete(&mut self, path: &str) -> zhsearch::Result<()> {
        self.calls.push(Call::Delete(path.to_string()));
        Ok(())
    }

    fn add(&mut self, doc: Doc, id: &str, path: &str, _: Option<usize>) -> zhsearch::Result<Admit> {
        assert_eq!(doc.id, id);
        self.calls.push(Call::Add {
            id: id.to_string(),
            path: path.to_string(),
        });
        let previous = self.docs.insert(id.to_string(), doc);
        assert!(previous.is_none(), "{id} handed twice");
        Ok(Admit::Add)
    }

    fn commit(&mut self, incomplete: Vec<String>) -> zhsearch::Result<()> {
        self.calls.push(Call::Commit(incomplete));
        Ok(())
    }
}

impl MemorySink {
    fn adds(&self) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Add { .. }))
            .count()
    }

    fn commits(&self) -> Vec<Vec<String>> {
        self.calls
            .iter()
            .filter_map(|c| match c {
                Call::Commit(incomplete) => Some(incomplete.clone()),
                _ => None,
            })
            .collect()
    }
}

/// The bundled articles, and a JSONL file of Chinese, full-width and mixed records.
fn corpus(env: &TestEnv) -> std::path::PathBuf {
    for entry in std::fs::read_dir(common::bundled_corpus()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        env.write(
            &format!("corpus/{name}"),
            std::fs::read(entry.path()).unwrap(),
        );
    }
    let records = [
        (
            "j-1",
            "党建引领基层治理",
            "社区党组织把支部建在小区上，推进基层治理现代化。",
        ),
        (
            "j-2",
            "２０２３年ＧＤＰ增长５．５％",
            "佛山市高明区2023年GDP增长5.5%，AI大模型落地。",
        ),
        (
            "j-3",
            "粤府办〔2023〕12号",
            "联系电话:0757-88661108。全区要深入实施三年行动计划。",
        ),
        ("j-4", "乡村振兴", "百千万工程推进乡村振兴示范带建设。"),
        (
            "j-5",
            "营商环境",
            "南沙自贸区政务服务改革，企业办事更便捷。",
        ),
    ];
    let jsonl: String = records
        .iter()
        .map(|(id, title, body)| {
            serde_json::json!({ "id": id, "title": title, "body": body }).to_string() + "\n"
        })
        .collect();
    env.write("corpus/news.jsonl", jsonl);
    env.path("corpus")
}

fn index(root: &Path, sink: &mut MemorySink, options: IndexOptions) -> Summary {
    let extractor = Extractor::new(Analyzer::builtin(), Arc::new(Taxonomy::builtin().clone()));
    let listing = corpus::discover(root).unwrap();
    index_listing(listing, sink, &extractor, &options, &mut |_| {}).unwrap()
}

fn options(commit_every: usize) -> IndexOptions {
    IndexOptions {
        threads: 2,
        commit_every,
        ..IndexOptions::default()
    }
}

/// The content hash the pipeline gives a file (the first 8 bytes of its BLAKE3).
fn hash_of(path: &Path) -> u64 {
    let digest = blake3::hash(&std::fs::read(path).unwrap());
    u64::from_le_bytes(digest.as_bytes()[..8].try_into().unwrap())
}

#[test]
fn every_article_reaches_the_sink_once_with_its_words_then_one_commit() {
    let env = TestEnv::new();
    let root = corpus(&env);
    let mut sink = MemorySink::default();
    let summary = index(&root, &mut sink, options(1000));
    assert_eq!((summary.docs, summary.added, summary.commits), (10, 6, 1));
    assert_eq!(sink.adds(), 10);
    let ids: BTreeSet<&str> = sink.docs.keys().map(String::as_str).collect();
    assert!(
        ["j-1", "j-2", "j-3", "j-4", "j-5"]
            .iter()
            .all(|id| ids.contains(id)),
        "{ids:?}"
    );
    assert_eq!(sink.docs["j-2"].title, "２０２３年ＧＤＰ增长５．５％");
    assert!(sink.docs.values().all(|d| d.words));
    assert_eq!(sink.docs["j-1"].hash, hash_of(&root.join("news.jsonl")));
    // Started over every file in corpus order, nothing deleted, committed last, complete.
    let Call::Start(paths) = &sink.calls[0] else {
        panic!("{:?}", sink.calls[0]);
    };
    assert_eq!(paths.len(), 6);
    assert!(paths.windows(2).all(|w| w[0] < w[1]), "{paths:?}");
    assert!(!sink.calls.iter().any(|c| matches!(c, Call::Delete(_))));
    assert_eq!(sink.calls.last(), Some(&Call::Commit(Vec::new())));
}

#[test]
fn changed_and_gone_files_are_deleted_before_any_addition_and_unchanged_ones_skipped() {
    let env = TestEnv::new();
    let root = corpus(&env);
    let unchanged = "000_e19cf532170f2a3e.txt";
    let mut sink = MemorySink {
        known: Known {
            hashes: HashMap::from([
                (unchanged.to_string(), hash_of(&root.join(unchanged))),
                ("news.jsonl".to_string(), 1),
                ("gone.txt".to_string(), 2),
            ]),
            incomplete: Vec::new(),
        },
        ..MemorySink::default()
    };
    let summary = index(&root, &mut sink, options(1000));
    assert_eq!(
        (
            summary.unchanged,
            summary.updated,
            summary.added,
            summary.removed
        ),
        (1, 1, 4, 1)
    );
    assert_eq!(sink.adds(), 9);
    let first_add = sink
        .calls
        .iter()
        .position(|c| matches!(c, Call::Add { .. }))
        .unwrap();
    let mut deleted: Vec<&Call> = sink.calls[..first_add]
        .iter()
        .filter(|c| matches!(c, Call::Delete(_)))
        .collect();
    deleted.sort_by_key(|c| format!("{c:?}"));
    assert_eq!(
        deleted,
        [
            &Call::Delete("gone.txt".to_string()),
            &Call::Delete("news.jsonl".to_string())
        ]
    );
    assert!(
        !sink.calls[first_add..]
            .iter()
            .any(|c| matches!(c, Call::Delete(_)))
    );
    assert!(
        !sink
            .calls
            .iter()
            .any(|c| matches!(c, Call::Add { path, .. } if path == unchanged))
    );
}

#[test]
fn a_file_left_incomplete_is_read_again_whole() {
    let env = TestEnv::new();
    let root = corpus(&env);
    let mut known = Known::default();
    for file in corpus::discover(&root).unwrap().files {
        known.hashes.insert(file.rel.clone(), hash_of(&file.path));
    }
    known.incomplete = vec!["news.jsonl".to_string()];
    let mut sink = MemorySink {
        known,
        ..MemorySink::default()
    };
    let summary = index(&root, &mut sink, options(1000));
    assert_eq!(
        (summary.unchanged, summary.updated, summary.docs),
        (5, 1, 5)
    );
    assert_eq!(sink.calls[1], Call::Delete("news.jsonl".to_string()));
}

#[test]
fn periodic_commits_name_the_files_still_incomplete() {
    let env = TestEnv::new();
    let root = corpus(&env);
    std::fs::remove_dir_all(&root).unwrap();
    let root = {
        let records: String = (0..7)
            .map(|i| {
                serde_json::json!({ "id": format!("n-{i}"), "title": format!("第{i}篇"), "body": "党建引领高质量发展。" })
                    .to_string()
                    + "\n"
            })
            .collect();
        env.write("corpus/news.jsonl", records);
        env.path("corpus")
    };
    let mut sink = MemorySink::default();
    let summary = index(&root, &mut sink, options(3));
    // After the 3rd and the 6th document, and at the end.
    assert_eq!(summary.commits, 3);
    assert_eq!(
        sink.commits(),
        [
            vec!["news.jsonl".to_string()],
            vec!["news.jsonl".to_string()],
            vec![]
        ]
    );
}
