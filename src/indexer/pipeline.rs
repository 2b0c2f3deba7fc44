//! The indexing pipeline: one reader thread, `threads` workers, and the
//! calling thread feeding tantivy's writer (which has `threads` indexing
//! threads of its own).
//!
//! ```text
//!  reader ──RawDoc──▶ workers ──TantivyDocument──▶ main ──▶ IndexWriter
//!  (read, decode,      (extract metadata, segment     (add, commit every
//!   parse JSONL)        once: words for the index      N documents, track
//!                       and for keywords)              which files are done)
//! ```
//!
//! Channels between the stages are bounded, so memory stays bounded
//! whatever the corpus size: at most a few hundred documents are in flight,
//! plus tantivy's writer budget. A JSONL file is streamed line by line.
//!
//! Every commit records, in its payload, the files it holds only part of.
//! If a run is killed, the last commit stays searchable; the next run
//! re-indexes those files (and everything not yet committed), so nothing is
//! lost and nothing is duplicated. A run that is cancelled (Ctrl-C) stops
//! reading, indexes what is in flight, and commits.
//!
//! The main thread also keeps one document per id ([`Ids`]): it decides, as
//! each document arrives, whether it replaces the holder of its id or is
//! left out, and each commit records the records left out.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, bounded, never, select, unbounded};
use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::ids::{self, Admit, Ids};
use super::{Payload, Target, ZhIndex, open_for_writing, swap_in};
use crate::analysis::{WordTokenizer, presegmented_words};
use crate::corpus::{self, RawDoc, Skipped, SourceFile, Symlinks, Warning};
use crate::error::{Error, Result};
use crate::extract::{Extractor, TitleFrom};

/// How to index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Worker threads, and tantivy indexing threads (default: all cores).
    pub threads: usize,
    /// Memory budget of the index writer, in MB, shared by its threads.
    pub memory_mb: usize,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Commit after this many documents (and at the end), so that a long
    /// run that is interrupted keeps what it has done.
    pub commit_every: usize,
    /// Set to stop the run early: it commits what it has and returns.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Whether to follow symbolic links in the corpus.
    pub symlinks: Symlinks,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_mb: 256,
            rebuild: false,
            commit_every: 100_000,
            cancel: None,
            symlinks: Symlinks::Skip,
        }
    }
}

/// Progress reports from [`index_corpus`].
#[derive(Debug)]
pub enum Progress<'a> {
    /// The corpus has been listed.
    Start {
        /// Files to look at.
        files: usize,
        /// Their total size in bytes.
        bytes: u64,
    },
    /// A file has been handled.
    File {
        /// The file.
        file: &'a SourceFile,
        /// Documents indexed from it (0 if unchanged).
        docs: usize,
    },
    /// A file or record was skipped.
    Skipped(&'a Skipped),
    /// A file or record was indexed, but not quite as written.
    Warning(&'a Warning),
    /// Documents are being indexed (reported every few hundred).
    Indexed {
        /// Documents indexed so far in this run.
        docs: usize,
        /// Bytes of their text.
        text_bytes: u64,
    },
    /// A commit is being made.
    Committing {
        /// Documents indexed so far in this run.
        docs: usize,
    },
}

/// What an indexing run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Documents indexed in this run.
    pub docs: usize,
    /// Documents in the index afterwards.
    pub total_docs: u64,
    /// Bytes of article text indexed in this run.
    pub text_bytes: u64,
    /// Files new to the index.
    pub added: usize,
    /// Files re-indexed because their content changed (or a previous run
    /// was interrupted in the middle of them).
    pub updated: usize,
    /// Files removed from the index because they are gone from the corpus.
    pub removed: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files ignored for their extension.
    pub ignored: usize,
    /// Commits made.
    pub commits: usize,
    /// Whether the run was cancelled before the end.
    pub interrupted: bool,
    /// Files and records that could not be read.
    #[serde(skip)]
    pub skipped: Vec<Skipped>,
    /// Files and records indexed, but not quite as written.
    #[serde(skip)]
    pub warnings: Vec<Warning>,
    /// Records left out, or replaced, because a later record has their id
    /// (each also among the warnings).
    pub duplicates: usize,
    /// Wall time.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// The content hash stored with a file's documents.
fn hash_file(path: &Path) -> std::io::Result<u64> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    let bytes = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    Ok(u64::from_le_bytes(first))
}

/// A file to (re-)index.
struct Todo<'a> {
    file: &'a SourceFile,
    hash: u64,
    update: bool,
}

/// Where a file being indexed stands.
#[derive(Default)]
struct FileState {
    /// Documents read from it, once the reader is done with it.
    read: Option<usize>,
    /// Documents handled: added to the writer, or left out for their id.
    handled: usize,
    /// Documents added to the writer.
    added: usize,
    /// Whether its documents are all added.
    done: bool,
    /// Whether the reader stopped before its end.
    cut_short: bool,
}

/// A document on its way from a worker to the writer.
struct Built {
    todo: usize,
    doc: TantivyDocument,
    text_bytes: u64,
    /// Its id, and its line in a JSONL file.
    id: String,
    line: Option<usize>,
    /// What the reader and the extractor noticed.
    warnings: Vec<Warning>,
}

/// What the reader tells the main thread.
enum Event {
    /// The reader is done with a file: it read `docs` documents, and all of
    /// them unless the run was cancelled in the middle of the file.
    FileRead {
        todo: usize,
        docs: usize,
        whole: bool,
    },
    /// A file or record was skipped.
    Skipped(Skipped),
}

/// Indexes the corpus at `root` (a directory or a single file) into the
/// index at `dir`, creating it if needed. Incremental: see the module doc of
/// [`crate::indexer`].
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
    let zh = match &target {
        Target::InPlace(zh) | Target::Replace { new: zh, .. } => zh,
    };
    let mut writer = zh.writer(options)?;
    // The index as the last commit left it.
    let before = zh.reader()?.searcher();
    let (mut known, payload) = if options.rebuild {
        writer.delete_all_documents().map_err(|e| zh.tantivy(e))?;
        (Default::default(), Payload::default())
    } else {
        (zh.file_hashes(&before)?, zh.payload()?)
    };
    let incomplete: HashSet<&str> = payload.incomplete.iter().map(String::as_str).collect();
    let mut summary = Summary {
        ignored: listing.ignored,
        ..Summary::default()
    };
    for skipped in listing.skipped {
        progress(Progress::Skipped(&skipped));
        summary.skipped.push(skipped);
    }
    progress(Progress::Start {
        files: listing.files.len(),
        bytes: listing.files.iter().map(|f| f.size).sum(),
    });

    // Decide what to do with each file: (file, hash, whether the index holds some of it).
    let mut plans = Vec::new();
    for file in &listing.files {
        let hash = match hash_file(&file.path) {
            Ok(hash) => hash,
            Err(e) => {
                let skipped = Skipped {
                    path: file.rel.clone(),
                    line: None,
                    reason: e.to_string(),
                };
                progress(Progress::Skipped(&skipped));
                summary.skipped.push(skipped);
                // Keep what was indexed from it before: it is unreadable, not gone.
                known.remove(&file.rel);
                continue;
            }
        };
        let previous = known.remove(&file.rel);
        let partial = incomplete.contains(file.rel.as_str());
        let changed = previous != Some(hash) || partial;
        plans.push((file, hash, previous.is_some() || partial, changed));
    }
    // Files whose documents go before any is added: changed, or gone (all
    // of them, on a rebuild).
    let mut dirty: HashSet<&str> = plans
        .iter()
        .filter(|(_, _, held, changed)| options.rebuild || (*held && *changed))
        .map(|(file, ..)| file.rel.as_str())
        .collect();
    dirty.extend(known.keys().map(String::as_str));
    // Unchanged files with records that a document going now kept out.
    let again: BTreeSet<String> = ids::to_read_again(zh, &before, &payload.shadowed, &dirty)?;
    dirty.extend(again.iter().map(String::as_str));

    // Every deletion precedes every addition, so none can hit a new document.
    let mut todo = Vec::new();
    for (file, hash, held, changed) in plans {
        if !changed && !again.contains(&file.rel) {
            summary.unchanged += 1;
            progress(Progress::File { file, docs: 0 });
            continue;
        }
        if held {
            writer.delete_term(Term::from_field_text(zh.fields.path, &file.rel));
        }
        todo.push(Todo {
            file,
            hash,
            update: held,
        });
    }
    for path in known.keys() {
        writer.delete_term(Term::from_field_text(zh.fields.path, path));
        summary.removed += 1;
    }
    let paths: Vec<&str> = listing.files.iter().map(|f| f.rel.as_str()).collect();
    let mut sink = Sink {
        writer: &mut writer,
        ids: Ids::new(zh, before, &paths, &dirty, payload.shadowed),
    };

    run(
        zh,
        &mut sink,
        extractor,
        options,
        &todo,
        &mut summary,
        progress,
    )?;

    writer.wait_merging_threads().map_err(|e| zh.tantivy(e))?;
    let zh = match target {
        Target::InPlace(zh) => zh,
        Target::Replace { new, final_dir } => {
            if summary.interrupted {
                // Keep the old index; the new one is left beside it.
                ZhIndex::open(&final_dir, new.analyzer)?
            } else {
                swap_in(&new.dir, &final_dir)?;
                ZhIndex::open(&final_dir, new.analyzer)?
            }
        }
    };
    let reader = zh.reader()?;
    reader.reload().map_err(|e| zh.tantivy(e))?;
    summary.total_docs = reader.searcher().num_docs();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn cancelled(options: &IndexOptions) -> bool {
    options
        .cancel
        .as_ref()
        .is_some_and(|c| c.load(Ordering::Relaxed))
}

/// Where built documents go: tantivy's writer, keeping one document per id.
struct Sink<'a> {
    writer: &'a mut IndexWriter,
    ids: Ids<'a>,
}

impl Sink<'_> {
    /// Adds a document, replacing the holder of its id if it comes earlier
    /// in the corpus, or leaves it out if it comes later (saying so). Returns
    /// whether it was added.
    fn add(
        &mut self,
        zh: &ZhIndex,
        todo: &Todo,
        built: Built,
        summary: &mut Summary,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<bool> {
        for warning in built.warnings {
            progress(Progress::Warning(&warning));
            summary.warnings.push(warning);
        }
        let admit = self.ids.admit(zh, &built.id, &todo.file.rel, built.line)?;
        let (add, duplicate) = match admit {
            Admit::Add => (true, None),
            Admit::Replace(warning) => (true, Some(warning)),
            Admit::Drop(warning) => (false, Some(warning)),
        };
        if let Some(warning) = duplicate {
            progress(Progress::Warning(&warning));
            summary.warnings.push(warning);
            summary.duplicates += 1;
            if add {
                self.writer
                    .delete_term(Term::from_field_text(zh.fields.id, &built.id));
            }
        }
        if add {
            self.writer
                .add_document(built.doc)
                .map_err(|e| zh.tantivy(e))?;
        }
        Ok(add)
    }
}

/// Runs the threads over the files to index, committing as it goes.
fn run(
    zh: &ZhIndex,
    sink: &mut Sink,
    extractor: &Extractor,
    options: &IndexOptions,
    todo: &[Todo],
    summary: &mut Summary,
    progress: &mut dyn FnMut(Progress),
) -> Result<()> {
    let threads = options.threads.max(1);
    let mut files: Vec<FileState> = todo.iter().map(|_| FileState::default()).collect();
    std::thread::scope(|scope| -> Result<()> {
        let (work_tx, work_rx) = bounded::<(usize, RawDoc)>(threads * 64);
        let (built_tx, built_rx) = bounded::<Built>(threads * 64);
        let (event_tx, event_rx) = unbounded::<Event>();

        scope.spawn(move || {
            for (i, t) in todo.iter().enumerate() {
                if cancelled(options) {
                    break;
                }
                let mut docs = 0;
                let mut whole = true;
                let result = corpus::read_while(t.file, |record| {
                    let more = match record {
                        Ok(raw) => {
                            docs += 1;
                            work_tx.send((i, raw)).is_ok()
                        }
                        Err(skipped) => event_tx.send(Event::Skipped(skipped)).is_ok(),
                    };
                    whole = more && !cancelled(options);
                    whole
                });
                if let Err(skipped) = result {
                    let _ = event_tx.send(Event::Skipped(skipped));
                }
                let _ = event_tx.send(Event::FileRead {
                    todo: i,
                    docs,
                    whole,
                });
            }
        });
        for _ in 0..threads {
            let (work_rx, built_tx) = (work_rx.clone(), built_tx.clone());
            let mut tokenizer = zh.analyzer.word_tokenizer();
            scope.spawn(move || {
                for (i, raw) in work_rx.iter() {
                    let built = build(zh, extractor, &mut tokenizer, todo[i].hash, raw);
                    let built = Built { todo: i, ..built };
                    if built_tx.send(built).is_err() {
                        break;
                    }
                }
            });
        }
        drop((work_rx, built_tx));

        let mut built_rx: Receiver<Built> = built_rx;
        let mut event_rx: Receiver<Event> = event_rx;
        let (mut built_open, mut events_open) = (true, true);
        let mut since_commit = 0;
        let mut failure = None;
        while built_open || events_open {
            select! {
                recv(built_rx) -> msg => match msg {
                    Ok(built) => {
                        if failure.is_some() {
                            continue; // drain, so that the threads can finish
                        }
                        let (i, text_bytes) = (built.todo, built.text_bytes);
                        match sink.add(zh, &todo[i], built, summary, progress) {
                            Ok(true) => {
                                summary.text_bytes += text_bytes;
                                summary.docs += 1;
                                files[i].added += 1;
                                if summary.docs.is_multiple_of(256) {
                                    progress(Progress::Indexed { docs: summary.docs, text_bytes: summary.text_bytes });
                                }
                            }
                            Ok(false) => {}
                            Err(e) => {
                                failure = Some(e);
                                continue;
                            }
                        }
                        files[i].handled += 1;
                        finish_file(&mut files, todo, i, summary, progress);
                        since_commit += 1;
                        if since_commit >= options.commit_every.max(1) {
                            if let Err(e) = commit(zh, sink, &files, todo, summary, progress) {
                                failure = Some(e);
                            }
                            since_commit = 0;
                        }
                    }
                    Err(_) => {
                        built_open = false;
                        built_rx = never();
                    }
                },
                recv(event_rx) -> msg => match msg {
                    Ok(Event::FileRead { todo: i, docs, whole }) => {
                        // A file cut short stays incomplete, so that the next
                        // run indexes it again.
                        files[i].read = whole.then_some(docs);
                        files[i].cut_short = !whole;
                        finish_file(&mut files, todo, i, summary, progress);
                    }
                    Ok(Event::Skipped(skipped)) => {
                        progress(Progress::Skipped(&skipped));
                        summary.skipped.push(skipped);
                    }
                    Err(_) => {
                        events_open = false;
                        event_rx = never();
                    }
                },
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        summary.interrupted = cancelled(options);
        commit(zh, sink, &files, todo, summary, progress)
    })
}

/// Marks a file done once all its documents are added, and reports it.
fn finish_file(
    files: &mut [FileState],
    todo: &[Todo],
    i: usize,
    summary: &mut Summary,
    progress: &mut dyn FnMut(Progress),
) {
    let state = &mut files[i];
    if state.done || state.read != Some(state.handled) {
        return;
    }
    state.done = true;
    if state.handled > 0 {
        if todo[i].update {
            summary.updated += 1;
        } else {
            summary.added += 1;
        }
    }
    progress(Progress::File {
        file: todo[i].file,
        docs: state.added,
    });
}

/// Commits, naming in the payload the files only partly added, and the
/// records left out for their id.
fn commit(
    zh: &ZhIndex,
    sink: &mut Sink,
    files: &[FileState],
    todo: &[Todo],
    summary: &mut Summary,
    progress: &mut dyn FnMut(Progress),
) -> Result<()> {
    progress(Progress::Committing { docs: summary.docs });
    let payload = Payload {
        incomplete: files
            .iter()
            .zip(todo)
            .filter(|(state, _)| (state.handled > 0 || state.cut_short) && !state.done)
            .map(|(_, t)| t.file.rel.clone())
            .collect(),
        shadowed: sink.ids.shadowed.clone(),
    };
    let mut prepared = sink.writer.prepare_commit().map_err(|e| zh.tantivy(e))?;
    prepared.set_payload(&serde_json::to_string(&payload).expect("payload serialises"));
    prepared.commit().map_err(|e| zh.tantivy(e))?;
    summary.commits += 1;
    Ok(())
}

/// A worker's job: extract metadata, segment the title and body once, and
/// build the document (its words handed to tantivy pre-segmented, and used
/// for keywords too).
fn build(
    zh: &ZhIndex,
    extractor: &Extractor,
    tokenizer: &mut WordTokenizer,
    hash: u64,
    raw: RawDoc,
) -> Built {
    let mut article = extractor.extract_from_text(raw);
    let (mut title, mut body) = (String::new(), String::with_capacity(article.body.len()));
    tokenizer.presegment(&article.title, &mut title);
    tokenizer.presegment(&article.body, &mut body);
    // A lead is the body's own first sentence: index it as the title, but
    // do not count its words twice for keywords.
    let title_words = if article.meta.title_from == TitleFrom::Lead {
        ""
    } else {
        title.as_str()
    };
    article.meta.keywords =
        extractor.keywords(presegmented_words(title_words), presegmented_words(&body));
    let text_bytes = (article.title.len() + article.body.len()) as u64;
    let doc = zh.document(&article, hash, &title, &body);
    Built {
        todo: 0,
        doc,
        text_bytes,
        line: article.meta.line,
        id: article.id,
        warnings: article.warnings,
    }
}
