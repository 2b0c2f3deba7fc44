//! The tantivy index as a [`Sink`]: tantivy's writer, the content hashes
//! stored with the documents, one document per id ([`Ids`]), each
//! document's cluster of near-duplicates ([`Clusters`]), and the commit
//! payload naming the files still incomplete.

use std::collections::{BTreeSet, HashMap, HashSet};

use tantivy::columnar::Column;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, IndexWriter, Searcher, TERMINATED, TantivyDocument, Term};

use super::dups::{self, Clusters, Member, Sketch};
use super::ids::{self, Admit, Ids};
use super::pages::StoredPages;
use super::pipeline::IndexOptions;
use super::sink::{Builder, Known, Prepared, Sink};
use super::{Payload, ZhIndex};
use crate::error::{Error, Result};

/// An open index being written to by one run.
pub(super) struct IndexSink<'a> {
    zh: &'a ZhIndex,
    writer: IndexWriter,
    /// The index as the last commit left it.
    before: Searcher,
    /// What the last commit recorded (nothing, on a rebuild).
    payload: Payload,
    rebuild: bool,
    /// The holder of each id, once the run has started.
    ids: Option<Ids>,
    /// The articles added since the last commit, by title, with their
    /// clusters (so that memory stays bounded: `--commit-every` of them).
    clusters: Clusters,
    /// The articles committed, as candidates.
    earlier: Earlier,
}

/// The articles committed (by earlier runs, or by this run's last commit)
/// as near-duplicate candidates: found by their title hash in the index as
/// the last commit left it, each read once.
struct Earlier {
    /// The index as the last commit left it; `None` on a rebuild until its
    /// first commit (the index is being emptied).
    searcher: Option<Searcher>,
    /// Per segment: the `date`, `date_end` and `cluster` columns.
    columns: HashMap<u32, Columns>,
    /// The articles read so far, with their clusters and sketches.
    read: HashMap<DocAddress, Member>,
}

/// Most articles of earlier commits kept read at once (about 600 bytes
/// each): memory stays bounded on a corpus of many near-duplicates.
const MAX_READ: usize = 50_000;

/// Most committed articles whose text one new article reads: after one
/// member of a cluster, the others are not read (a new article is compared
/// with one member of each cluster), so that a story copied many times is
/// read once, not once per copy, and a title repeated daily costs a bounded
/// number of reads.
const MAX_READ_PER_ARTICLE: usize = 16;

type Columns = (
    Option<Column<i64>>,
    Option<Column<i64>>,
    Option<Column<u64>>,
);

impl Earlier {
    fn new(searcher: Option<Searcher>) -> Earlier {
        Earlier {
            searcher: searcher.filter(|s| s.num_docs() > 0),
            columns: HashMap::new(),
            read: HashMap::new(),
        }
    }

    /// The committed articles with `sketch`'s title, dated close to it, with
    /// their clusters.
    fn near(&mut self, zh: &ZhIndex, sketch: &Sketch) -> Result<Vec<Member>> {
        let Some(before) = &self.searcher else {
            return Ok(Vec::new());
        };
        let f = &zh.fields;
        // Each term read from each segment's postings: no query, no
        // collector, for every article of an incremental run.
        let mut found = Vec::new();
        for (ord, segment) in before.segment_readers().iter().enumerate() {
            let index = segment
                .inverted_index(f.dup_title)
                .map_err(|e| zh.tantivy(e))?;
            let alive = segment.alive_bitset();
            for key in sketch.lookup_keys() {
                let term = Term::from_field_u64(f.dup_title, key);
                let postings = index
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(|e| zh.tantivy(e.into()))?;
                let Some(mut postings) = postings else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        found.push(DocAddress::new(ord as u32, doc));
                    }
                    doc = postings.advance();
                }
            }
        }
        let mut members: Vec<Member> = Vec::new();
        let mut reads = 0;
        for address in found {
            if let Some(member) = self.read.get(&address) {
                if member.sketch.close_in_time(sketch) {
                    members.push(member.clone());
                }
                continue;
            }
            let segment = before.segment_reader(address.segment_ord);
            let (date, date_end, cluster) =
                self.columns.entry(address.segment_ord).or_insert_with(|| {
                    let fast = segment.fast_fields();
                    let name = |field| f.schema.get_field_name(field);
                    (
                        fast.i64(name(f.date)).ok(),
                        fast.i64(name(f.date_end)).ok(),
                        fast.u64(name(f.cluster)).ok(),
                    )
                });
            let first = |c: &Option<Column<i64>>| c.as_ref().and_then(|c| c.first(address.doc_id));
            let days = first(date).zip(first(date_end));
            let Some(cluster) = cluster.as_ref().and_then(|c| c.first(address.doc_id)) else {
                continue;
            };
            if !dups::days_close(days, sketch.days)
                || reads >= MAX_READ_PER_ARTICLE
                || members.iter().any(|m| m.cluster == cluster)
            {
                continue;
            }
            reads += 1;
            let doc: TantivyDocument = before.doc(address).map_err(|e| zh.tantivy(e))?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            let corrupt = |message| Error::IndexCorrupt {
                path: zh.dir.clone(),
                message,
            };
            let pages = f.schema.get_field_name(f.body_pages);
            let body = match StoredPages::open(segment, pages, address.doc_id).map_err(corrupt)? {
                Some(stored) => stored.whole().map_err(corrupt)?,
                None => text(f.body_text).to_string(),
            };
            let member = Member {
                cluster,
                sketch: Sketch::new(text(f.title_text), &body, days),
            };
            if self.read.len() >= MAX_READ {
                self.read.clear();
            }
            self.read.insert(address, member.clone());
            members.push(member);
        }
        Ok(members)
    }
}

impl<'a> IndexSink<'a> {
    /// Opens `zh`'s writer; on a rebuild, deletes everything in it first.
    pub(super) fn new(zh: &'a ZhIndex, options: &IndexOptions) -> Result<IndexSink<'a>> {
        let writer = zh.writer(options)?;
        let before = zh.reader()?.searcher();
        let mut payload = if options.rebuild {
            writer.delete_all_documents().map_err(|e| zh.tantivy(e))?;
            Payload::default()
        } else {
            zh.payload()?
        };
        // An empty index has no cluster yet; one begun before the clusters
        // were recorded keeps not knowing them (searches then read them).
        if options.rebuild || before.num_docs() == 0 {
            payload.shared.get_or_insert_with(BTreeSet::new);
        }
        // Nothing to look up on a rebuild (the index is being emptied).
        let earlier = Earlier::new((!options.rebuild).then(|| before.clone()));
        Ok(IndexSink {
            zh,
            writer,
            before,
            payload,
            rebuild: options.rebuild,
            ids: None,
            earlier,
            clusters: Clusters::default(),
        })
    }

    /// Waits for the merges the run started.
    pub(super) fn finish(self) -> Result<()> {
        self.writer
            .wait_merging_threads()
            .map_err(|e| self.zh.tantivy(e))
    }
}

/// Builds tantivy documents ([`crate::record::Record::to_document`]), with
/// their title hash and the sketch that finds their near-duplicates.
pub(super) struct DocBuilder<'a>(&'a ZhIndex);

impl Builder for DocBuilder<'_> {
    type Doc = (TantivyDocument, Sketch);

    fn build(&self, record: &Prepared) -> (TantivyDocument, Sketch) {
        let f = &self.0.fields;
        let mut doc =
            record
                .article
                .to_document(f, record.hash, record.title_words, record.body_words);
        let sketch = Sketch::of(record.article);
        doc.add_u64(f.dup_title, sketch.key());
        (doc, sketch)
    }
}

impl<'a> Sink for IndexSink<'a> {
    type Builder = DocBuilder<'a>;

    fn known(&self) -> Result<Known> {
        if self.rebuild {
            return Ok(Known::default());
        }
        Ok(Known {
            hashes: self.zh.file_hashes(&self.before)?,
            incomplete: self.payload.incomplete.clone(),
        })
    }

    fn start(&mut self, paths: &[&str], dirty: &HashSet<&str>) -> Result<BTreeSet<String>> {
        let zh = self.zh;
        // Unchanged files with records that a document going now kept out.
        let again = ids::to_read_again(zh, &self.before, &self.payload.shadowed, dirty)?;
        let mut dirty = dirty.clone();
        dirty.extend(again.iter().map(String::as_str));
        let shadowed = std::mem::take(&mut self.payload.shadowed);
        self.ids = Some(Ids::new(zh, self.before.clone(), paths, &dirty, shadowed));
        Ok(again)
    }

    fn builder(&self) -> DocBuilder<'a> {
        DocBuilder(self.zh)
    }

    fn delete(&mut self, path: &str) -> Result<()> {
        self.writer
            .delete_term(Term::from_field_text(self.zh.fields.path, path));
        Ok(())
    }

    fn add(
        &mut self,
        (mut doc, sketch): (TantivyDocument, Sketch),
        id: &str,
        path: &str,
        line: Option<usize>,
    ) -> Result<Admit> {
        let zh = self.zh;
        let ids = self.ids.as_mut().expect("a run starts before it adds");
        let admit = ids.admit(zh, id, path, line)?;
        if matches!(admit, Admit::Replace(_)) {
            self.writer
                .delete_term(Term::from_field_text(zh.fields.id, id));
        }
        if !matches!(admit, Admit::Drop(_)) {
            let earlier = self.earlier.near(zh, &sketch)?;
            let own = dups::own_cluster(id);
            let cluster = self.clusters.assign(sketch, own, &earlier);
            if cluster != own
                && let Some(shared) = self.payload.shared.as_mut()
            {
                shared.insert(cluster);
            }
            doc.add_u64(zh.fields.cluster, cluster);
            self.writer.add_document(doc).map_err(|e| zh.tantivy(e))?;
        }
        Ok(admit)
    }

    fn commit(&mut self, incomplete: Vec<String>) -> Result<()> {
        let zh = self.zh;
        let payload = Payload {
            incomplete,
            shadowed: self
                .ids
                .as_ref()
                .map(|ids| ids.shadowed.clone())
                .unwrap_or_default(),
            shared: self.payload.shared.clone(),
        };
        let mut prepared = self.writer.prepare_commit().map_err(|e| zh.tantivy(e))?;
        prepared.set_payload(&serde_json::to_string(&payload).expect("payload serialises"));
        prepared.commit().map_err(|e| zh.tantivy(e))?;
        // What was added is now found in the index: forget it here.
        self.earlier = Earlier::new(Some(zh.reader()?.searcher()));
        self.clusters = Clusters::default();
        Ok(())
    }
}
