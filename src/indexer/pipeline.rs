//! The indexing pipeline: one reader thread, `threads` workers, and the
//! calling thread feeding a [`Sink`] (tantivy's writer, which has `threads`
//! indexing threads of its own, for [`super::index_corpus`]).
//!
//! ```text
//!  reader ──RawDoc──▶ workers ──Builder::Doc──▶ main ──▶ Sink
//!  (read, decode,      (extract metadata, segment  (add, commit every
//!   parse JSONL)        once: words for the index   N documents, track
//!                       and for keywords; build     which files are done)
//!                       the sink's document)
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
//! The sink keeps one document per id (the tantivy index: [`super::ids`]):
//! it decides, as each document arrives on the main thread, whether it
//! replaces the holder of its id or is left out, and each commit records
//! the records left out.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, never, select, unbounded};
use serde::Serialize;

use super::sink::{Admit, Builder, Known, Prepared, Sink};
use crate::analysis::{WordTokenizer, presegmented_words};
use crate::corpus::{self, Listing, RawDoc, Skipped, SourceFile, Symlinks, Warning};
use crate::error::Result;
use crate::extract::{Article, Extractor, TitleFrom};

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

/// Progress reports from [`index_listing`].
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
#[derive(Default, Clone)]
struct FileState {
    /// Documents read from it, once the reader is done with it.
    read: Option<usize>,
    /// Documents handled: added to the sink, or left out for their id.
    handled: usize,
    /// Documents added to the sink.
    added: usize,
    /// Whether its documents are all added.
    done: bool,
    /// Whether the reader stopped before its end.
    cut_short: bool,
}

/// A document on its way from a worker to the sink.
struct Built<D> {
    todo: usize,
    doc: D,
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

/// Indexes the files of `listing` into `sink`: those it does not hold, or
/// holds another version of, or only part of; deletes from it the files
/// gone from the corpus. Incremental: see the module doc of
/// [`crate::indexer`]. `Summary::total_docs` is left to the caller, which
/// knows what the sink holds.
pub fn index_listing<S: Sink>(
    listing: Listing,
    sink: &mut S,
    extractor: &Extractor,
    options: &IndexOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let started = Instant::now();
    let mut report = Report {
        summary: Summary {
            ignored: listing.ignored,
            ..Summary::default()
        },
        progress,
    };
    for skipped in listing.skipped {
        report.skipped(skipped);
    }
    (report.progress)(Progress::Start {
        files: listing.files.len(),
        bytes: listing.files.iter().map(|f| f.size).sum(),
    });
    let todo = plan(&listing.files, sink, options.rebuild, &mut report)?;
    let mut run = Run {
        sink,
        extractor,
        options,
        todo: &todo,
        files: vec![FileState::default(); todo.len()],
        since_commit: 0,
        report,
    };
    run.index()?;
    let mut summary = run.report.summary;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The summary of a run, and the progress callback that is told as it grows.
struct Report<'p> {
    summary: Summary,
    progress: &'p mut dyn FnMut(Progress<'_>),
}

impl Report<'_> {
    fn skipped(&mut self, skipped: Skipped) {
        (self.progress)(Progress::Skipped(&skipped));
        self.summary.skipped.push(skipped);
    }

    fn warning(&mut self, warning: Warning) {
        (self.progress)(Progress::Warning(&warning));
        self.summary.warnings.push(warning);
    }
}

/// A file as the sink knows it, before the run decides what to do with it.
struct Planned<'f> {
    file: &'f SourceFile,
    hash: u64,
    /// Whether the sink holds some of its documents.
    held: bool,
    /// Whether it changed since, or was left incomplete.
    changed: bool,
}

/// Decides what to do with each file, tells the sink, and deletes from it
/// what goes (every deletion precedes every addition, so that none can hit
/// a new document); returns the files to (re-)index.
fn plan<'f, S: Sink>(
    files: &'f [SourceFile],
    sink: &mut S,
    rebuild: bool,
    report: &mut Report,
) -> Result<Vec<Todo<'f>>> {
    let Known {
        hashes: mut known,
        incomplete,
    } = sink.known()?;
    let incomplete: HashSet<&str> = incomplete.iter().map(String::as_str).collect();
    let mut planned = Vec::new();
    for file in files {
        let hash = match hash_file(&file.path) {
            Ok(hash) => hash,
            Err(e) => {
                report.skipped(Skipped {
                    path: file.rel.clone(),
                    line: None,
                    reason: e.to_string(),
                });
                // Keep what was indexed from it before: it is unreadable, not gone.
                known.remove(&file.rel);
                continue;
            }
        };
        let previous = known.remove(&file.rel);
        let partial = incomplete.contains(file.rel.as_str());
        planned.push(Planned {
            file,
            hash,
            held: previous.is_some() || partial,
            changed: previous != Some(hash) || partial,
        });
    }
    // Files whose documents go before any is added: changed, or gone (all
    // of them, on a rebuild).
    let mut dirty: HashSet<&str> = planned
        .iter()
        .filter(|p| rebuild || (p.held && p.changed))
        .map(|p| p.file.rel.as_str())
        .collect();
    dirty.extend(known.keys().map(String::as_str));
    let paths: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let again = sink.start(&paths, &dirty)?;
    let mut todo = Vec::new();
    for p in planned {
        if !p.changed && !again.contains(&p.file.rel) {
            report.summary.unchanged += 1;
            (report.progress)(Progress::File {
                file: p.file,
                docs: 0,
            });
            continue;
        }
        if p.held {
            sink.delete(&p.file.rel)?;
        }
        todo.push(Todo {
            file: p.file,
            hash: p.hash,
            update: p.held,
        });
    }
    for path in known.keys() {
        sink.delete(path)?;
        report.summary.removed += 1;
    }
    Ok(todo)
}

fn cancelled(options: &IndexOptions) -> bool {
    options
        .cancel
        .as_ref()
        .is_some_and(|c| c.load(Ordering::Relaxed))
}

/// One run over the files to index: what the main thread holds while the
/// reader and the workers feed it.
struct Run<'r, S: Sink> {
    sink: &'r mut S,
    extractor: &'r Extractor,
    options: &'r IndexOptions,
    todo: &'r [Todo<'r>],
    /// Where each file of `todo` stands.
    files: Vec<FileState>,
    /// Documents handled since the last commit.
    since_commit: usize,
    report: Report<'r>,
}

impl<S: Sink> Run<'_, S> {
    /// Runs the threads over the files to index, committing as it goes.
    fn index(&mut self) -> Result<()> {
        let threads = self.options.threads.max(1);
        let builder = self.sink.builder();
        let (todo, options, extractor) = (self.todo, self.options, self.extractor);
        std::thread::scope(|scope| -> Result<()> {
            let (work_tx, work_rx) = bounded::<(usize, RawDoc)>(threads * 64);
            let (built_tx, built_rx) = bounded(threads * 64);
            let (event_tx, event_rx) = unbounded::<Event>();
            scope.spawn(move || read(todo, options, &work_tx, &event_tx));
            for _ in 0..threads {
                let (work_rx, built_tx) = (work_rx.clone(), built_tx.clone());
                let mut tokenizer = extractor.analyzer().word_tokenizer();
                let builder = &builder;
                scope.spawn(move || {
                    for (i, raw) in work_rx.iter() {
                        let built = build(builder, extractor, &mut tokenizer, i, todo[i].hash, raw);
                        if built_tx.send(built).is_err() {
                            break;
                        }
                    }
                });
            }
            drop((work_rx, built_tx));
            self.feed(built_rx, event_rx)
        })
    }

    /// Hands the sink what the workers build, and follows the reader's
    /// events, until both are done; then commits.
    fn feed(
        &mut self,
        mut built_rx: Receiver<Built<<S::Builder as Builder>::Doc>>,
        mut event_rx: Receiver<Event>,
    ) -> Result<()> {
        let (mut built_open, mut events_open) = (true, true);
        let mut failure = None;
        while built_open || events_open {
            select! {
                recv(built_rx) -> msg => match msg {
                    // After a failure, drain, so that the threads can finish.
                    Ok(built) if failure.is_none() => failure = self.add(built).err(),
                    Ok(_) => {}
                    Err(_) => {
                        built_open = false;
                        built_rx = never();
                    }
                },
                recv(event_rx) -> msg => match msg {
                    Ok(event) => self.event(event),
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
        self.report.summary.interrupted = cancelled(self.options);
        self.commit()
    }

    /// Adds a document to the sink, which may replace the holder of its id
    /// or leave it out (saying so), and commits every `commit_every`.
    fn add(&mut self, built: Built<<S::Builder as Builder>::Doc>) -> Result<()> {
        let i = built.todo;
        for warning in built.warnings {
            self.report.warning(warning);
        }
        let rel = &self.todo[i].file.rel;
        let added = match self.sink.add(built.doc, &built.id, rel, built.line)? {
            Admit::Add => true,
            Admit::Replace(warning) => self.duplicate(warning, true),
            Admit::Drop(warning) => self.duplicate(warning, false),
        };
        let summary = &mut self.report.summary;
        if added {
            summary.text_bytes += built.text_bytes;
            summary.docs += 1;
            self.files[i].added += 1;
            if summary.docs.is_multiple_of(256) {
                (self.report.progress)(Progress::Indexed {
                    docs: summary.docs,
                    text_bytes: summary.text_bytes,
                });
            }
        }
        self.files[i].handled += 1;
        self.finish_file(i);
        self.since_commit += 1;
        if self.since_commit >= self.options.commit_every.max(1) {
            self.since_commit = 0;
            self.commit()?;
        }
        Ok(())
    }

    /// Reports a record left out or replaced for its id; returns `added`.
    fn duplicate(&mut self, warning: Warning, added: bool) -> bool {
        self.report.warning(warning);
        self.report.summary.duplicates += 1;
        added
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::FileRead {
                todo: i,
                docs,
                whole,
            } => {
                // A file cut short stays incomplete, so that the next run
                // indexes it again.
                self.files[i].read = whole.then_some(docs);
                self.files[i].cut_short = !whole;
                self.finish_file(i);
            }
            Event::Skipped(skipped) => self.report.skipped(skipped),
        }
    }

    /// Marks a file done once all its documents are handled, and reports it.
    fn finish_file(&mut self, i: usize) {
        let state = &mut self.files[i];
        if state.done || state.read != Some(state.handled) {
            return;
        }
        state.done = true;
        let summary = &mut self.report.summary;
        if state.handled > 0 {
            if self.todo[i].update {
                summary.updated += 1;
            } else {
                summary.added += 1;
            }
        }
        (self.report.progress)(Progress::File {
            file: self.todo[i].file,
            docs: state.added,
        });
    }

    /// Commits, naming the files only partly added.
    fn commit(&mut self) -> Result<()> {
        (self.report.progress)(Progress::Committing {
            docs: self.report.summary.docs,
        });
        let incomplete = self
            .files
            .iter()
            .zip(self.todo)
            .filter(|(state, _)| (state.handled > 0 || state.cut_short) && !state.done)
            .map(|(_, t)| t.file.rel.clone())
            .collect();
        self.sink.commit(incomplete)?;
        self.report.summary.commits += 1;
        Ok(())
    }
}

/// The reader's job: reads the files to index in order, sending their
/// documents to the workers and its events to the main thread, until the
/// run is cancelled.
fn read(
    todo: &[Todo],
    options: &IndexOptions,
    work_tx: &Sender<(usize, RawDoc)>,
    event_tx: &Sender<Event>,
) {
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
}

/// A worker's job: extract metadata, segment the title and body once, and
/// build the sink's document (its words handed to it pre-segmented, and
/// used for keywords too).
fn build<B: Builder>(
    builder: &B,
    extractor: &Extractor,
    tokenizer: &mut WordTokenizer,
    todo: usize,
    hash: u64,
    raw: RawDoc,
) -> Built<B::Doc> {
    let Article {
        record: mut article,
        warnings,
    } = extractor.extract_from_text(raw);
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
    let doc = builder.build(&Prepared {
        article: &article,
        hash,
        title_words: &title,
        body_words: &body,
    });
    Built {
        todo,
        doc,
        text_bytes,
        line: article.meta.line,
        id: article.id,
        warnings,
    }
}
