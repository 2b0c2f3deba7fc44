//! Where the indexing pipeline puts what it indexes: a [`Sink`].
//!
//! The pipeline ([`super::index_listing`]) reads the corpus, extracts and
//! segments each article in its worker threads, and hands the results to a
//! sink; it does not know what the sink writes to. The tantivy index is one
//! ([`super::index_corpus`] drives it); an export (an OpenSearch bulk file,
//! say) is another: one new file implementing these two traits, and the
//! command that calls [`super::index_listing`] with it.
//!
//! The order of calls on a sink, in one run:
//!
//! 1. [`Sink::known`]: what it holds from earlier runs (files with their
//!    content hashes, and the files its last commit held only part of);
//! 2. [`Sink::start`], with the files whose records go before any is added;
//! 3. [`Sink::delete`] for each file changed or gone, before any addition;
//! 4. [`Sink::add`] for each record (built by [`Sink::builder`]'s
//!    [`Builder::build`] in the worker threads), with [`Sink::commit`]
//!    every so often and once at the end, naming the files of which only
//!    some records are in.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::corpus::Warning;
use crate::error::Result;
use crate::record::Record;

/// What a sink holds from earlier runs.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// The content hash of each corpus file (relative path) it holds.
    pub hashes: HashMap<String, u64>,
    /// Files of which its last commit holds only some records.
    pub incomplete: Vec<String>,
}

/// An article as the pipeline hands it to a [`Builder`].
#[derive(Debug, Clone, Copy)]
pub struct Prepared<'a> {
    /// The article, with its metadata and keywords.
    pub article: &'a Record,
    /// The content hash of its file.
    pub hash: u64,
    /// Its title's words, pre-segmented
    /// ([`crate::analysis::WordTokenizer::presegment`]).
    pub title_words: &'a str,
    /// Its body's words, pre-segmented.
    pub body_words: &'a str,
}

/// Makes records into what a sink stores, in the pipeline's worker threads
/// (the expensive part, kept off the thread that feeds the sink).
pub trait Builder: Sync {
    /// A record ready to store.
    type Doc: Send;
    /// Makes `record` ready to store.
    fn build(&self, record: &Prepared) -> Self::Doc;
}

/// What a sink did with a record, keeping one record per id.
#[derive(Debug)]
pub enum Admit {
    /// Added it: no other record has its id.
    Add,
    /// Added it, deleting the earlier record that held its id.
    Replace(Warning),
    /// Left it out: a later record holds its id.
    Drop(Warning),
}

/// Where the pipeline stores records.
pub trait Sink {
    /// How its records are built.
    type Builder: Builder;

    /// What it holds from earlier runs.
    fn known(&self) -> Result<Known>;

    /// Starts a run over the corpus files `paths` (in corpus order), of
    /// which the records of `dirty` are deleted before any is added.
    /// Returns the unchanged files to read again: those holding records
    /// kept out for their id by a record that goes now.
    fn start(&mut self, paths: &[&str], dirty: &HashSet<&str>) -> Result<BTreeSet<String>>;

    /// Its builder, for the worker threads.
    fn builder(&self) -> Self::Builder;

    /// Deletes every record of the corpus file `path`.
    fn delete(&mut self, path: &str) -> Result<()>;

    /// Adds a record, read from `path` (at `line` in a JSONL file),
    /// keeping one record per id: the one that comes later in the corpus.
    fn add(
        &mut self,
        doc: <Self::Builder as Builder>::Doc,
        id: &str,
        path: &str,
        line: Option<usize>,
    ) -> Result<Admit>;

    /// Makes what was added and deleted so far durable, recording the
    /// files of which only some records are in (`incomplete`): the next
    /// run reads them again.
    fn commit(&mut self, incomplete: Vec<String>) -> Result<()>;
}
