//! One document per id. When two records share an id (a JSONL `id` given
//! twice, in one file or in two), the one that comes later in the corpus
//! wins: files in the order they are listed (by path), records in line
//! order. That is what a rebuild gives, and what every incremental run
//! keeps, whatever it re-reads:
//!
//! - a record met while indexing is compared with the holder of its id,
//!   either a document this run added or one already in the index from a
//!   file this run leaves alone; the earlier of the two is dropped (or
//!   deleted), and a [`Warning`] names both;
//! - a record that is not in the index because a later one holds its id is
//!   remembered, by file, in each commit ([`Shadowed`]); when the file that
//!   held the id changes or goes, the run reads that file again, so that
//!   its record comes back.
//!
//! Decisions are made on the indexing thread, in the order documents reach
//! the writer: a replaced document is deleted by its id before the new one
//! is added, so that a commit (periodic, or after Ctrl-C) always holds one
//! document per id.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::corpus::Warning;
use crate::error::Result;
use crate::schema::Fields;

use super::ZhIndex;
pub use super::sink::Admit;

/// Ids of records that are not in the index because a later record has
/// them, by the file that holds them.
pub type Shadowed = BTreeMap<String, BTreeSet<String>>;

/// A record's place in the corpus: its file's position in the listing, and
/// its line (0 for a file that is one article).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    file: usize,
    line: usize,
}

/// The holder of each id, as the run goes.
pub struct Ids {
    /// The corpus files, in order.
    paths: Vec<String>,
    /// Each file's position in `paths`.
    order: HashMap<String, usize>,
    /// The index as it was before this run.
    before: Searcher,
    fields: Fields,
    /// Files whose documents this run deletes before adding any (re-read or gone).
    dirty: HashSet<String>,
    /// The holder of each id met in this run, by a hash of the id (128
    /// bits: a collision is out of reach, and an entry takes 32 bytes
    /// instead of the id itself).
    held: HashMap<u128, Place>,
    /// Records out of the index because a later one has their id.
    pub shadowed: Shadowed,
}

impl Ids {
    /// Starts a run over the files `paths` (in corpus order), of which
    /// `dirty` have their documents deleted first; `before` sees the index
    /// as the last commit left it, `shadowed` is what that commit recorded.
    pub fn new(
        zh: &ZhIndex,
        before: Searcher,
        paths: &[&str],
        dirty: &HashSet<&str>,
        mut shadowed: Shadowed,
    ) -> Ids {
        let order: HashMap<String, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.to_string(), i))
            .collect();
        // Dirty files are read again (or are gone): their records are met anew.
        shadowed
            .retain(|path, _| order.contains_key(path.as_str()) && !dirty.contains(path.as_str()));
        Ids {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            order,
            before,
            fields: zh.fields.clone(),
            dirty: dirty.iter().map(|p| p.to_string()).collect(),
            held: HashMap::new(),
            shadowed,
        }
    }

    /// Decides what to do with the record `id` at `path`, `line`.
    pub fn admit(
        &mut self,
        zh: &ZhIndex,
        id: &str,
        path: &str,
        line: Option<usize>,
    ) -> Result<Admit> {
        let Some(&file) = self.order.get(path) else {
            return Ok(Admit::Add);
        };
        let new = Place {
            file,
            line: line.unwrap_or(0),
        };
        let key = hash(id);
        let holder = match self.held.get(&key) {
            Some(&place) => Some(place),
            None => self.indexed_holder(zh, id)?,
        };
        let Some(old) = holder else {
            self.held.insert(key, new);
            return Ok(Admit::Add);
        };
        let (kept, dropped) = if old < new { (new, old) } else { (old, new) };
        self.held.insert(key, kept);
        self.shadowed
            .entry(self.paths[dropped.file].clone())
            .or_default()
            .insert(id.to_string());
        let warning = Warning::duplicate_id(
            id,
            &self.paths[dropped.file],
            (dropped.line > 0).then_some(dropped.line),
            &self.at(kept),
        );
        Ok(if kept == new {
            Admit::Replace(warning)
        } else {
            Admit::Drop(warning)
        })
    }

    /// `path:line`, or `path`.
    fn at(&self, place: Place) -> String {
        let path = &self.paths[place.file];
        match place.line {
            0 => path.to_string(),
            line => format!("{path}:{line}"),
        }
    }

    /// Where the document holding `id` in the index before this run is,
    /// unless its file is being read again or is gone.
    fn indexed_holder(&self, zh: &ZhIndex, id: &str) -> Result<Option<Place>> {
        let term = Term::from_field_text(self.fields.id, id);
        if self.before.doc_freq(&term).map_err(|e| zh.tantivy(e))? == 0 {
            return Ok(None);
        }
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let found = self
            .before
            .search(&query, &DocSetCollector)
            .map_err(|e| zh.tantivy(e))?;
        for address in found {
            let doc: TantivyDocument = self.before.doc(address).map_err(|e| zh.tantivy(e))?;
            let Some(path) = doc.get_first(self.fields.path).and_then(|v| v.as_str()) else {
                continue;
            };
            if self.dirty.contains(path) {
                continue;
            }
            let Some(&file) = self.order.get(path) else {
                continue;
            };
            let line = doc
                .get_first(self.fields.meta)
                .and_then(|v| v.as_str())
                .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
                .and_then(|m| m["line"].as_u64())
                .unwrap_or(0) as usize;
            return Ok(Some(Place { file, line }));
        }
        Ok(None)
    }
}

/// Files to read again although they did not change: they hold records
/// whose id was held by a document of a file this run deletes (`dirty`),
/// so that each such record comes back if no later one has its id.
pub fn to_read_again(
    zh: &ZhIndex,
    before: &Searcher,
    shadowed: &Shadowed,
    dirty: &HashSet<&str>,
) -> Result<BTreeSet<String>> {
    let mut again = BTreeSet::new();
    let waiting: HashMap<&str, Vec<&str>> = {
        let mut by_id: HashMap<&str, Vec<&str>> = HashMap::new();
        for (path, ids) in shadowed {
            if dirty.contains(path.as_str()) {
                continue;
            }
            for id in ids {
                by_id.entry(id.as_str()).or_default().push(path.as_str());
            }
        }
        by_id
    };
    for (id, paths) in &waiting {
        let query = TermQuery::new(
            Term::from_field_text(zh.fields.id, id),
            IndexRecordOption::Basic,
        );
        let found = before
            .search(&query, &DocSetCollector)
            .map_err(|e| zh.tantivy(e))?;
        // Nothing holds it (a run stopped after deleting its holder), or
        // its holder goes now.
        let mut freed = found.is_empty();
        for address in found {
            let doc: TantivyDocument = before.doc(address).map_err(|e| zh.tantivy(e))?;
            let path = doc.get_first(zh.fields.path).and_then(|v| v.as_str());
            freed |= path.is_some_and(|p| dirty.contains(p));
        }
        if freed {
            again.extend(paths.iter().map(|p| p.to_string()));
        }
    }
    Ok(again)
}

fn hash(id: &str) -> u128 {
    let digest = blake3::hash(id.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest.as_bytes()[..16]);
    u128::from_le_bytes(first)
}
