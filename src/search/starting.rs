//! The n-gram query for a key that ends with a run of one character: every
//! term that starts with it ([`crate::search::grams::Gram::StartingWith`]).
//! tantivy's `RangeQuery` does this, but reads the postings of every term
//! in the range (for 的, thousands) without a pause; this one checks a
//! [`Deadline`] every few terms, so that a search past its deadline stops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError};

use super::cancel;
use crate::deadline::Deadline;

/// How many terms are read between two checks of the deadline.
const TERMS_PER_CHECK: usize = 64;

/// How many bytes of documents [`READ`] keeps (a bit per document of a
/// segment, for each range): at 24,100 articles, about 3 KB a range.
const READ_BUDGET: usize = 32 << 20;

/// The documents of the ranges read lately, per segment: the same for every
/// search of a segment, which never changes, while reading them (the terms
/// that start with 的: thousands) costs more than the rest of a search
/// with a word of one character, and a relaxed search reads them once for
/// each count of words it tries. Emptied when full.
static READ: LazyLock<Mutex<Read>> = LazyLock::new(Mutex::default);

/// A range of a segment's field: the segment, the field, the first term
/// and the term past the last.
type Range = (SegmentId, Field, Vec<u8>, Vec<u8>);

#[derive(Default)]
struct Read {
    docs: HashMap<Range, Arc<BitSet>>,
    bytes: usize,
}

fn read() -> MutexGuard<'static, Read> {
    // A panic while holding it leaves a map that is still whole.
    READ.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Documents with a term of `field` from `lower` (included) to `upper`
/// (excluded), all scored 1, like tantivy's `RangeQuery` on a text field.
#[derive(Debug, Clone)]
pub struct TermRange {
    field: Field,
    lower: Vec<u8>,
    upper: Vec<u8>,
    deadline: Deadline,
    /// How many times this query (and its clones) read the range from a
    /// segment's terms rather than from [`READ`].
    reads: Arc<AtomicUsize>,
}

impl TermRange {
    /// The terms of `field` from `lower` up to `upper` (excluded), read until
    /// `deadline` passes.
    pub fn new(field: Field, lower: &str, upper: &str, deadline: &Deadline) -> TermRange {
        let bytes = |t: &str| {
            Term::from_field_text(field, t)
                .serialized_value_bytes()
                .to_vec()
        };
        TermRange {
            field,
            lower: bytes(lower),
            upper: bytes(upper),
            deadline: deadline.clone(),
            reads: Arc::default(),
        }
    }

    /// The documents of a segment that have a term in the range.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let key = (
            reader.segment_id(),
            self.field,
            self.lower.clone(),
            self.upper.clone(),
        );
        // Copied out of the lock, which other searches wait for.
        let kept = read().docs.get(&key).cloned();
        if let Some(docs) = kept {
            return Ok(BitSet::clone(&docs));
        }
        let docs = self.read(reader)?;
        self.reads.fetch_add(1, Ordering::Relaxed);
        let bytes = (reader.max_doc() as usize).div_ceil(64) * 8;
        if bytes <= READ_BUDGET {
            let mut read = read();
            if read.bytes + bytes > READ_BUDGET {
                read.docs.clear();
                read.bytes = 0;
            }
            if read.docs.insert(key, Arc::new(docs.clone())).is_none() {
                read.bytes += bytes;
            }
        }
        Ok(docs)
    }

    /// [`TermRange::docs`], read from the segment's terms.
    fn read(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let mut docs = BitSet::with_max_value(reader.max_doc());
        let index = reader.inverted_index(self.field)?;
        let mut terms = index
            .terms()
            .range()
            .ge(&self.lower)
            .lt(&self.upper)
            .into_stream()?;
        let mut read = 0;
        while terms.advance() {
            read += 1;
            if read % TERMS_PER_CHECK == 0 {
                self.check()?;
            }
            let mut postings =
                index.read_block_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    docs.insert(doc);
                }
                postings.advance();
            }
        }
        Ok(docs)
    }

    fn check(&self) -> tantivy::Result<()> {
        cancel::check(&self.deadline)
    }
}

impl Query for TermRange {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, _: &mut dyn FnMut(&'a Term, bool)) {}
}

impl Weight for TermRange {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = BitSetDocSet::from(self.docs(reader)?);
        Ok(Box::new(ConstScorer::new(docs, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        // As tantivy's `RangeQuery` explains itself.
        Ok(Explanation::new("RangeQuery", 1.0))
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Bound;

    use tantivy::collector::DocSetCollector;
    use tantivy::query::RangeQuery;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    /// An index whose `gram` field holds 的0 … 的999 and 地0 … 地999, one a document.
    fn index() -> (Index, Field) {
        let mut schema = Schema::builder();
        let gram = schema.add_text_field("gram", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for c in ['的', '地'] {
            for i in 0..1000 {
                let mut doc = TantivyDocument::new();
                doc.add_text(gram, format!("{c}{i}"));
                writer.add_document(doc).unwrap();
            }
        }
        writer.commit().unwrap();
        (index, gram)
    }

    #[test]
    fn finds_what_tantivys_range_query_finds() {
        let (index, gram) = index();
        let searcher = index.reader().unwrap().searcher();
        let ours = TermRange::new(gram, "的", "的\u{1}", &Deadline::never());
        let upper = crate::search::grams::next_char('的').unwrap().to_string();
        let ours_whole = TermRange::new(gram, "的", &upper, &Deadline::never());
        let theirs = RangeQuery::new(
            Bound::Included(Term::from_field_text(gram, "的")),
            Bound::Excluded(Term::from_field_text(gram, &upper)),
        );
        let found = |q: &dyn Query| searcher.search(q, &DocSetCollector).unwrap();
        assert_eq!(found(&ours_whole), found(&theirs));
        assert_eq!(found(&ours_whole).len(), 1000);
        assert!(found(&ours).is_empty());
    }

    #[test]
    fn a_range_read_is_kept_for_its_segment_and_range_only() {
        let (index, gram) = index();
        let range = |c: char, deadline: &Deadline| {
            let upper = crate::search::grams::next_char(c).unwrap().to_string();
            TermRange::new(gram, &c.to_string(), &upper, deadline)
        };
        let (de, di) = (
            range('的', &Deadline::never()),
            range('地', &Deadline::never()),
        );
        let found = |searcher: &tantivy::Searcher, q: &dyn Query| {
            searcher.search(q, &DocSetCollector).unwrap()
        };
        let searcher = index.reader().unwrap().searcher();
        let first = found(&searcher, &de);
        // Searched again, the range is not read again: the same documents,
        // from what was kept, also for another query of the same range.
        assert_eq!(found(&searcher, &de), first);
        assert_eq!(de.reads.load(Ordering::Relaxed), 1);
        let again = range('的', &Deadline::never());
        assert_eq!(found(&searcher, &again), first);
        assert_eq!(again.reads.load(Ordering::Relaxed), 0);
        assert_eq!(first.len(), 1000);
        // Another range of the same segment has its own.
        let other = found(&searcher, &di);
        assert_eq!(other.len(), 1000);
        assert!(other.is_disjoint(&first));
        // A range whose reading was cancelled is read whole the next time.
        let cancelled = Deadline::never();
        cancelled.cancel();
        let more = range('的', &cancelled);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 1000..1100 {
            let mut doc = TantivyDocument::new();
            doc.add_text(gram, format!("的{i}"));
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.search(&more, &DocSetCollector).is_err());
        // A new segment has its own documents, read from it (the old one's
        // are kept).
        assert_eq!(found(&searcher, &de).len(), 1100);
        assert_eq!(de.reads.load(Ordering::Relaxed), 2);
        assert_eq!(found(&searcher, &di).len(), 1000);
    }

    #[test]
    fn stops_reading_terms_once_cancelled() {
        let (index, gram) = index();
        let searcher = index.reader().unwrap().searcher();
        let deadline = Deadline::never();
        deadline.cancel();
        let upper = crate::search::grams::next_char('的').unwrap().to_string();
        let query = TermRange::new(gram, "的", &upper, &deadline);
        let err = searcher
            .search(&query, &DocSetCollector)
            .expect_err("cancelled");
        assert!(cancel::is_cancelled(&err), "{err}");
    }
}
