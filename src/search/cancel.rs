//! Searches that stop at their deadline: a collector wrapper that drives
//! the scorer itself and checks a [`Deadline`] every few thousand documents
//! and between segments, so that a search whose answer is no longer wanted
//! (the server answered 503, the client left) stops within milliseconds
//! instead of running to its end.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocSet, SegmentOrdinal, SegmentReader, TERMINATED, TantivyError};

use crate::deadline::Deadline;

/// How many documents are collected between two checks of the deadline: a
/// check costs a clock read; a few thousand documents take well under a
/// millisecond.
pub const CHECK_EVERY: u32 = 4096;

/// The message of the tantivy error a cancelled collection ends with (the
/// engine turns it into [`crate::Error::Cancelled`]).
const CANCELLED: &str = "the search passed its deadline";

/// `inner`, collected until `deadline` passes.
pub struct Cancellable<C> {
    inner: C,
    deadline: Deadline,
}

impl<C> Cancellable<C> {
    /// Collects with `inner`, checking `deadline`.
    pub fn new(inner: C, deadline: &Deadline) -> Cancellable<C> {
        Cancellable {
            inner,
            deadline: deadline.clone(),
        }
    }

    fn check(&self) -> tantivy::Result<()> {
        check(&self.deadline)
    }
}

impl<C: Collector> Collector for Cancellable<C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        self.inner.for_segment(ord, segment)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.check()?;
        self.inner.merge_fruits(fruits)
    }

    /// tantivy's own loop (every live document to the child, scored when the
    /// child wants scores), checking the deadline before the segment and
    /// every [`CHECK_EVERY`] documents.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        self.check()?;
        let mut child = self.inner.for_segment(ord, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        self.check()?;
        let scoring = self.inner.requires_scoring();
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        let mut until_check = CHECK_EVERY;
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let score = if scoring { scorer.score() } else { 0.0 };
                child.collect(doc, score);
            }
            until_check -= 1;
            if until_check == 0 {
                self.check()?;
                until_check = CHECK_EVERY;
            }
            doc = scorer.advance();
        }
        Ok(child.harvest())
    }
}

/// `Err` once `deadline` has passed: the error [`is_cancelled`] recognises,
/// for work inside tantivy (collectors, weights) to stop with.
pub fn check(deadline: &Deadline) -> tantivy::Result<()> {
    deadline
        .check()
        .map_err(|_| TantivyError::InternalError(CANCELLED.to_string()))
}

/// Whether `error` is work stopped by [`check`].
pub fn is_cancelled(error: &TantivyError) -> bool {
    matches!(error, TantivyError::InternalError(m) if m == CANCELLED)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{DocId, Index, IndexWriter, Score, TantivyDocument};

    use super::*;

    /// Documents in the test index, in one segment.
    const DOCS: u32 = 20_000;

    fn index() -> Index {
        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..DOCS {
            let mut doc = TantivyDocument::new();
            doc.add_text(word, if i % 2 == 0 { "党建" } else { "发展" });
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        index
    }

    /// Counts the documents it is given, and cancels `deadline` at the
    /// `cancel_at`-th.
    struct Counting {
        seen: Arc<AtomicU32>,
        deadline: Deadline,
        cancel_at: u32,
    }

    struct CountingSegment {
        seen: Arc<AtomicU32>,
        deadline: Deadline,
        cancel_at: u32,
    }

    impl Collector for Counting {
        type Fruit = ();
        type Child = CountingSegment;

        fn for_segment(
            &self,
            _: SegmentOrdinal,
            _: &SegmentReader,
        ) -> tantivy::Result<CountingSegment> {
            Ok(CountingSegment {
                seen: Arc::clone(&self.seen),
                deadline: self.deadline.clone(),
                cancel_at: self.cancel_at,
            })
        }

        fn requires_scoring(&self) -> bool {
            false
        }

        fn merge_fruits(&self, _: Vec<()>) -> tantivy::Result<()> {
            Ok(())
        }
    }

    impl SegmentCollector for CountingSegment {
        type Fruit = ();

        fn collect(&mut self, _: DocId, _: Score) {
            if self.seen.fetch_add(1, Ordering::Relaxed) + 1 == self.cancel_at {
                self.deadline.cancel();
            }
        }

        fn harvest(self) {}
    }

    #[test]
    fn collection_stops_within_a_few_thousand_documents_of_the_cancellation() {
        let index = index();
        let searcher = index.reader().unwrap().searcher();
        let deadline = Deadline::never();
        let seen = Arc::new(AtomicU32::new(0));
        let counting = Counting {
            seen: Arc::clone(&seen),
            deadline: deadline.clone(),
            cancel_at: 100,
        };
        let err = searcher
            .search(&AllQuery, &Cancellable::new(counting, &deadline))
            .expect_err("cancelled");
        assert!(is_cancelled(&err), "{err}");
        let seen = seen.load(Ordering::Relaxed);
        assert!(
            seen <= 100 + CHECK_EVERY,
            "{seen} of {DOCS} documents collected"
        );
    }

    #[test]
    fn a_search_within_its_deadline_collects_everything() {
        let index = index();
        let searcher = index.reader().unwrap().searcher();
        let deadline = Deadline::after(std::time::Duration::from_secs(3600));
        let count = searcher
            .search(&AllQuery, &Cancellable::new(Count, &deadline))
            .unwrap();
        assert_eq!(count, DOCS as usize);
    }

    #[test]
    fn a_search_cancelled_before_it_starts_collects_nothing() {
        let index = index();
        let searcher = index.reader().unwrap().searcher();
        let deadline = Deadline::never();
        deadline.cancel();
        let err = searcher
            .search(&AllQuery, &Cancellable::new(Count, &deadline))
            .expect_err("cancelled");
        assert!(is_cancelled(&err), "{err}");
    }
}
