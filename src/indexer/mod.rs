//! Opening and creating indexes, and indexing a corpus into one.
//!
//! An index directory holds tantivy's files and `zhsearch.json`, which
//! records the schema version and the analyzer [`Fingerprint`] the index was
//! built with. Opening an index checks both: a query analysed differently
//! from the documents would silently miss.
//!
//! [`index_corpus`] is incremental: each file's content hash is stored with
//! its documents, so re-indexing adds new files, re-indexes changed ones,
//! removes deleted ones and skips the rest without reading them again. It
//! runs in parallel and commits periodically; each commit names the files
//! it holds only part of, so that an interrupted or killed run loses
//! nothing committed and the next run completes it (see [`pipeline`]).
//! It keeps one document per id, the last record in the corpus (see [`ids`]).
//!
//! The pipeline writes to a [`Sink`]; the index is one ([`writer`]).

pub mod dups;
mod ids;
mod lifecycle;
pub mod pages;
mod pipeline;
mod sink;
mod writer;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::indexer::LogMergePolicy;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError};

use crate::analysis::{
    Analyzer, Fingerprint, GRAMS, GRAMS_UNBROKEN, GramTokenizer, PRESEGMENTED,
    PresegmentedTokenizer, WORDS,
};
use crate::corpus;
use crate::error::{Error, Result};
use crate::extract::Extractor;
use crate::extract::topic::Taxonomy;
use crate::schema::{Fields, SCHEMA_VERSION};
pub use lifecycle::{BuildBeside, DefaultIndex};
pub use pipeline::{IndexOptions, Progress, Summary, index_listing};
pub use sink::{Admit, Builder, Known, Prepared, Sink};
use writer::IndexSink;

/// Segments with more documents than this are not merged (see `writer`).
const MAX_DOCS_TO_MERGE: usize = 10_000;

/// Name of the settings file in an index directory.
const SETTINGS_FILE: &str = "zhsearch.json";

/// What an index records about how it was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Schema version.
    pub schema: u32,
    /// The analyzer's fingerprint.
    pub analyzer: Fingerprint,
    /// Hash of the topic taxonomy articles were classified with.
    pub taxonomy: String,
    /// The topics of that taxonomy.
    pub topics: Vec<String>,
    /// The zhsearch version that created the index.
    pub created_by: String,
}

impl Settings {
    fn current(analyzer: &Analyzer, taxonomy: &Taxonomy) -> Settings {
        Settings {
            schema: SCHEMA_VERSION,
            analyzer: analyzer.fingerprint(),
            taxonomy: taxonomy.hash(),
            topics: taxonomy
                .topics()
                .map(|(name, _)| name.to_string())
                .collect(),
            created_by: format!("zhsearch {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Reads the settings of the index in `dir`.
    fn read(dir: &Path) -> std::result::Result<Settings, String> {
        let text = fs::read_to_string(dir.join(SETTINGS_FILE))
            .map_err(|e| format!("{SETTINGS_FILE}: {e}; not a zhsearch index?"))?;
        serde_json::from_str(&text).map_err(|e| format!("{SETTINGS_FILE}: {e}"))
    }

    /// Whether an index built with `self` can be searched with `other`.
    fn compatible(&self, other: &Settings) -> bool {
        self.schema == other.schema && self.analyzer == other.analyzer
    }

    fn describe(&self) -> String {
        format!(
            "schema {}, jieba-rs {} {} (hmm {}), dictionary {}, analysis v{}",
            self.schema,
            self.analyzer.jieba,
            self.analyzer.mode,
            self.analyzer.hmm,
            self.analyzer.dictionary,
            self.analyzer.analysis
        )
    }
}

/// Whether `dir` holds an index (a tantivy `meta.json`; it may still be
/// one zhsearch cannot search).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// Whether the index in `dir` was built by another version of zhsearch
/// (another schema, analysis rules or jieba-rs) with jieba's own dictionary
/// only: rebuilding it from its corpus gives what this version would have
/// built. `false` when it cannot be read, or differs in anything else.
pub fn built_by_other_version(dir: &Path) -> bool {
    let Ok(built) = Settings::read(dir) else {
        return false;
    };
    let ours = Analyzer::builtin_fingerprint();
    built.analyzer.dictionary == ours.dictionary
        && built.analyzer.hmm == ours.hmm
        && (built.schema != SCHEMA_VERSION || built.analyzer != ours)
}

/// An open zhsearch index.
pub struct ZhIndex {
    /// Its directory.
    pub dir: PathBuf,
    /// The tantivy index, with zhsearch's tokenizers registered.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// The analyzer it was built with.
    pub analyzer: Arc<Analyzer>,
    /// What it records about how it was built.
    pub settings: Settings,
}

impl ZhIndex {
    /// Opens an existing index, checking that it was built with `analyzer`'s
    /// settings.
    pub fn open(dir: &Path, analyzer: Arc<Analyzer>) -> Result<ZhIndex> {
        if !exists(dir) {
            return Err(Error::IndexMissing {
                path: dir.to_path_buf(),
            });
        }
        let corrupt = |message: String| Error::IndexCorrupt {
            path: dir.to_path_buf(),
            message,
        };
        let built = Settings::read(dir).map_err(corrupt)?;
        let current = Settings {
            schema: SCHEMA_VERSION,
            analyzer: analyzer.fingerprint(),
            ..built.clone()
        };
        if !built.compatible(&current) {
            return Err(Error::IndexSettingsMismatch {
                path: dir.to_path_buf(),
                built: built.describe(),
                current: current.describe(),
            });
        }
        let index = Index::open_in_dir(dir).map_err(|e| corrupt(e.to_string()))?;
        let fields = Fields::from_schema(&index.schema()).map_err(corrupt)?;
        let zh = ZhIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
            analyzer,
            settings: built,
        };
        zh.register_tokenizers();
        Ok(zh)
    }

    /// Creates a new, empty index in `dir`, which must be empty or absent.
    fn create(dir: &Path, analyzer: Arc<Analyzer>, taxonomy: &Taxonomy) -> Result<ZhIndex> {
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(dir).map_err(io)?;
        let fields = Fields::new();
        // Chinese text compresses about 2:1. Larger blocks and a higher
        // zstd level than tantivy's defaults (16 KB, level 3) make a smaller
        // store, but each hit shown decompresses its whole block: 32 KB
        // rather than 64 costs 8% more store and 0.15 ms less a search of
        // ten hits (of 1.9); 16 KB, 9% more again for 0.05 ms less (the
        // CCTV corpus, BENCHMARKS.md).
        let settings = tantivy::IndexSettings {
            docstore_compression: tantivy::store::Compressor::Zstd(
                tantivy::store::ZstdCompressor {
                    compression_level: Some(9),
                },
            ),
            docstore_blocksize: 32 << 10,
            ..Default::default()
        };
        let index = Index::builder()
            .schema(fields.schema.clone())
            .settings(settings)
            .create_in_dir(dir)
            .map_err(|source| Error::Tantivy {
                path: dir.to_path_buf(),
                source,
            })?;
        let settings = Settings::current(&analyzer, taxonomy);
        let json = serde_json::to_string_pretty(&settings).expect("settings serialise");
        let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        fs::write(&tmp, json).map_err(io)?;
        fs::rename(&tmp, dir.join(SETTINGS_FILE)).map_err(io)?;
        let zh = ZhIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
            analyzer,
            settings,
        };
        zh.register_tokenizers();
        Ok(zh)
    }

    fn register_tokenizers(&self) {
        let tokenizers = self.index.tokenizers();
        tokenizers.register(WORDS, self.analyzer.word_tokenizer());
        tokenizers.register(PRESEGMENTED, PresegmentedTokenizer);
        tokenizers.register(GRAMS, GramTokenizer::default());
        tokenizers.register(GRAMS_UNBROKEN, GramTokenizer::across_punctuation());
    }

    /// A reader that picks up new commits as they happen.
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| match source {
                // Opening the segments reads every file's footer.
                TantivyError::IoError(e) => Error::IndexCorrupt {
                    path: self.dir.clone(),
                    message: e.to_string(),
                },
                source => self.tantivy(source),
            })
    }

    /// A tantivy error on this index; damaged files (a segment cut short, a
    /// bad footer) say that the index is damaged and how to rebuild it.
    pub(crate) fn tantivy(&self, source: TantivyError) -> Error {
        match source {
            TantivyError::DataCorruption(_)
            | TantivyError::OpenReadError(_)
            | TantivyError::IncompatibleIndex(_) => Error::IndexCorrupt {
                path: self.dir.clone(),
                message: source.to_string(),
            },
            source => Error::Tantivy {
                path: self.dir.clone(),
                source,
            },
        }
    }

    fn writer(&self, options: &IndexOptions) -> Result<IndexWriter> {
        let threads = options.threads.max(1);
        // tantivy wants at least 15 MB per thread.
        let memory = (options.memory_mb.max(15 * threads)) << 20;
        let writer = self
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexLocked {
                    path: self.dir.clone(),
                },
                other => self.tantivy(other),
            })?;
        // Merging reads whole segments through memory maps, which count as
        // resident memory: merging the 50,000-document segments a large run
        // writes took the indexer past 1 GB. Only small segments (from
        // incremental runs) are merged; a large corpus keeps a few dozen.
        let mut policy = LogMergePolicy::default();
        policy.set_max_docs_before_merge(MAX_DOCS_TO_MERGE);
        writer.set_merge_policy(Box::new(policy));
        Ok(writer)
    }

    /// What the last commit records: the files it holds only part of (an
    /// interrupted run commits what it has and names them), and the records
    /// left out for their id.
    fn payload(&self) -> Result<Payload> {
        let metas = self.index.load_metas().map_err(|e| self.tantivy(e))?;
        Ok(Payload::read(metas.payload).unwrap_or_default())
    }

    /// The content hash of every source file indexed in `searcher`.
    fn file_hashes(&self, searcher: &tantivy::Searcher) -> Result<HashMap<String, u64>> {
        let mut hashes = HashMap::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let name = |field| self.fields.schema.get_field_name(field);
            let paths = fast
                .str(name(self.fields.path))
                .map_err(|e| self.tantivy(e))?
                .ok_or_else(|| {
                    self.tantivy(TantivyError::SchemaError(name(self.fields.path).into()))
                })?;
            let hash_col = fast
                .u64(name(self.fields.hash))
                .map_err(|e| self.tantivy(e))?;
            let mut path = String::new();
            for doc in segment.doc_ids_alive() {
                let (Some(ord), Some(hash)) = (paths.term_ords(doc).next(), hash_col.first(doc))
                else {
                    continue;
                };
                path.clear();
                if paths.ord_to_str(ord, &mut path).unwrap_or(false) {
                    hashes.entry(path.clone()).or_insert(hash);
                }
            }
        }
        Ok(hashes)
    }
}

/// What zhsearch records in each commit.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    /// Files of which only some documents are in this commit.
    incomplete: Vec<String>,
    /// Records out of the index because a later record has their id, by file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    shadowed: ids::Shadowed,
    /// The clusters of near-duplicates that more than one article joined
    /// (their ids), for searches to count hits once folded; `None` in an
    /// index begun before they were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shared: Option<BTreeSet<u64>>,
}

impl Payload {
    /// The payload a commit recorded, when it is one of zhsearch's.
    fn read(payload: Option<String>) -> Option<Payload> {
        serde_json::from_str(&payload?).ok()
    }
}

/// The clusters of near-duplicates of more than one article in `index`, as
/// its last commit records them; `None` when it does not (an index begun
/// before they were recorded).
pub(crate) fn shared_clusters(index: &tantivy::Index) -> Option<BTreeSet<u64>> {
    Payload::read(index.load_metas().ok()?.payload)?.shared
}

/// Indexes the corpus at `root` (a directory or a single file) into the
/// index at `dir`, creating it if needed. Incremental: see the module doc.
pub fn index_corpus(
    root: &Path,
    dir: &Path,
    extractor: &Extractor,
    options: &IndexOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let started = Instant::now();
    let listing = corpus::discover_with(root, options.symlinks).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let target = open_for_writing(dir, extractor, options.rebuild)?;
    let mut sink = IndexSink::new(target.index(), options)?;
    let mut summary = index_listing(listing, &mut sink, extractor, options, progress)?;
    sink.finish()?;
    let zh = target.finish(summary.interrupted)?;
    let reader = zh.reader()?;
    reader.reload().map_err(|e| zh.tantivy(e))?;
    summary.total_docs = reader.searcher().num_docs();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Where a run writes, and what it must do when done.
enum Target {
    /// Update the index in place.
    InPlace(ZhIndex),
    /// Build a new index beside the old one, then swap.
    Replace { new: ZhIndex, final_dir: PathBuf },
}

impl Target {
    /// The index the run writes to.
    fn index(&self) -> &ZhIndex {
        match self {
            Target::InPlace(zh) | Target::Replace { new: zh, .. } => zh,
        }
    }

    /// The index to search after the run: a new one swapped in, unless the
    /// run was `interrupted` (the old one is kept, the new one left beside).
    fn finish(self, interrupted: bool) -> Result<ZhIndex> {
        match self {
            Target::InPlace(zh) => Ok(zh),
            Target::Replace { new, final_dir } => {
                if !interrupted {
                    swap_in(&new.dir, &final_dir)?;
                }
                ZhIndex::open(&final_dir, new.analyzer)
            }
        }
    }
}

/// Opens the index at `dir` for writing, creating it if absent. A directory
/// that holds anything but a zhsearch index is never touched. `rebuild`
/// always builds the new index beside the old one and swaps the two at the
/// end, so that searches (a running `zhsearch serve`) see the whole old
/// index until the whole new one replaces it, and an interrupted rebuild
/// leaves the old index as it was. An index built with other settings is
/// only replaced with `rebuild`.
fn open_for_writing(dir: &Path, extractor: &Extractor, rebuild: bool) -> Result<Target> {
    let analyzer = extractor.analyzer();
    let taxonomy = extractor.taxonomy();
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    if exists(dir) {
        let opened = ZhIndex::open(dir, Arc::clone(&analyzer)).and_then(|zh| {
            // Topics of unchanged articles would be stale under another taxonomy.
            if zh.settings.taxonomy == taxonomy.hash() {
                Ok(zh)
            } else {
                Err(Error::IndexSettingsMismatch {
                    path: dir.to_path_buf(),
                    built: format!("topic taxonomy {}", zh.settings.taxonomy),
                    current: format!("topic taxonomy {}", taxonomy.hash()),
                })
            }
        });
        return match opened {
            Ok(zh) if !rebuild => Ok(Target::InPlace(zh)),
            Ok(zh) => {
                // Refuse, as an update would, while another process writes to it.
                let lock = tantivy::Directory::acquire_lock(
                    zh.index.directory(),
                    &tantivy::directory::INDEX_WRITER_LOCK,
                )
                .map_err(|_| Error::IndexLocked {
                    path: dir.to_path_buf(),
                })?;
                drop(lock);
                replace(dir, analyzer, taxonomy)
            }
            Err(Error::IndexSettingsMismatch { .. } | Error::IndexCorrupt { .. }) if rebuild => {
                replace(dir, analyzer, taxonomy)
            }
            Err(e) => Err(e),
        };
    }
    if dir.exists() && fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a zhsearch index; refusing to overwrite it",
            ),
        });
    }
    Ok(Target::InPlace(ZhIndex::create(dir, analyzer, taxonomy)?))
}

/// A new index beside `dir`, to be swapped in when complete.
fn replace(dir: &Path, analyzer: Arc<Analyzer>, taxonomy: &Taxonomy) -> Result<Target> {
    let new_dir = sibling(dir, "new");
    if new_dir.exists() {
        fs::remove_dir_all(&new_dir).map_err(|source| Error::Io {
            path: new_dir.clone(),
            source,
        })?;
    }
    Ok(Target::Replace {
        new: ZhIndex::create(&new_dir, analyzer, taxonomy)?,
        final_dir: dir.to_path_buf(),
    })
}

/// `index` -> `index.zhsearch-new`, beside it.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".zhsearch-{what}"));
    dir.with_file_name(name)
}

/// Moves the freshly built index at `new` to `dir`, replacing the old one
/// if there is one (an empty directory is replaced too; anything else is
/// refused).
fn swap_in(new: &Path, dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    if !exists(dir) {
        return fs::rename(new, dir).map_err(io);
    }
    let old = sibling(dir, "old");
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io)?;
    }
    fs::rename(dir, &old).map_err(io)?;
    if let Err(e) = fs::rename(new, dir) {
        // Put the old one back: an index is never lost to a failed swap.
        let _ = fs::rename(&old, dir);
        return Err(io(e));
    }
    fs::remove_dir_all(&old).map_err(io)
}
