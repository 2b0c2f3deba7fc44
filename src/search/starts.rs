//! A field that *starts with* a key: every n-gram term of the key at its
//! own offset from the field's first position, as the n-gram fields place a
//! text's first run at position 0 (punctuation before it takes none). A
//! headline typed from its beginning (`在中国式现`) finds titles that hold
//! it anywhere; this tells those that begin with it. tantivy's phrase
//! queries match anywhere in a field, so this reads the terms' positions
//! itself.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

/// Documents whose `field` starts with these terms, each at its offset
/// (position) from the start; all scored 1.
#[derive(Debug, Clone)]
pub struct StartsWith {
    field: Field,
    terms: Vec<(u32, Term)>,
}

impl StartsWith {
    /// The documents whose `field` has each term at its offset. `None`
    /// without terms.
    pub fn new(field: Field, terms: Vec<(usize, Term)>) -> Option<StartsWith> {
        let terms: Vec<(u32, Term)> = terms.into_iter().map(|(at, t)| (at as u32, t)).collect();
        (!terms.is_empty()).then_some(StartsWith { field, terms })
    }

    /// The segment's scorer: `None` when a term is not in it.
    fn starts(&self, reader: &SegmentReader) -> tantivy::Result<Option<Starts>> {
        let index = reader.inverted_index(self.field)?;
        let mut postings: Vec<(u32, SegmentPostings)> = Vec::new();
        for (at, term) in &self.terms {
            match index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(p) => postings.push((*at, p)),
                None => return Ok(None),
            }
        }
        // The rarest term leads; the others are sought to its documents.
        postings.sort_by_key(|(_, p)| p.doc_freq());
        let mut starts = Starts {
            postings,
            positions: Vec::new(),
        };
        starts.settle();
        Ok(Some(starts))
    }
}

/// The documents of one segment that start with the terms, found lazily:
/// positions are read only where every term is in the document.
struct Starts {
    /// Each term's offset and postings, the rarest first.
    postings: Vec<(u32, SegmentPostings)>,
    positions: Vec<u32>,
}

impl Starts {
    /// From the lead's current document on, the first that matches.
    fn settle(&mut self) -> DocId {
        let mut doc = self.postings[0].1.doc();
        while doc != TERMINATED {
            match self.check(doc) {
                Ok(()) => return doc,
                // Another term's next document: no match before it.
                Err(Some(next)) => doc = self.postings[0].1.seek(next),
                Err(None) => doc = self.postings[0].1.advance(),
            }
        }
        TERMINATED
    }

    /// Whether `doc` (the lead's) matches; if not, the first document that
    /// may (`None`: the next one).
    fn check(&mut self, doc: DocId) -> Result<(), Option<DocId>> {
        for (_, p) in self.postings.iter_mut().skip(1) {
            if p.doc() < doc {
                p.seek(doc);
            }
            if p.doc() != doc {
                return Err(Some(p.doc()));
            }
        }
        for (offset, p) in self.postings.iter_mut() {
            p.positions(&mut self.positions);
            if self.positions.binary_search(offset).is_err() {
                return Err(None);
            }
        }
        Ok(())
    }
}

impl DocSet for Starts {
    fn advance(&mut self) -> DocId {
        if self.postings[0].1.advance() == TERMINATED {
            return TERMINATED;
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.postings[0].1.seek(target) == TERMINATED {
            return TERMINATED;
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.postings[0].1.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings[0].1.size_hint()
    }
}

impl Query for StartsWith {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

impl Weight for StartsWith {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.starts(reader)? {
            Some(starts) => Box::new(ConstScorer::new(starts, boost)),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("StartsWith", 1.0))
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    /// An index of one text field, whitespace-separated tokens, one
    /// document per text.
    fn index(texts: &[&str]) -> (Index, Field) {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("t", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in texts {
            let mut doc = TantivyDocument::new();
            doc.add_text(field, text);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        (index, field)
    }

    fn found(index: &Index, query: &StartsWith) -> Vec<DocId> {
        let searcher = index.reader().unwrap().searcher();
        let mut docs: Vec<DocId> = searcher
            .search(query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|a| a.doc_id)
            .collect();
        docs.sort();
        docs
    }

    #[test]
    fn finds_the_terms_only_at_their_offsets_from_the_start() {
        let (index, field) = index(&["ab cd ef", "xx ab cd ef", "ab xx cd", "cd ab"]);
        let t = |s: &str| Term::from_field_text(field, s);
        let q = StartsWith::new(field, vec![(0, t("ab")), (1, t("cd"))]).unwrap();
        assert_eq!(found(&index, &q), vec![0]);
        let q = StartsWith::new(field, vec![(0, t("ab")), (2, t("cd"))]).unwrap();
        assert_eq!(found(&index, &q), vec![2]);
        let q = StartsWith::new(field, vec![(0, t("cd"))]).unwrap();
        assert_eq!(found(&index, &q), vec![3]);
    }

    #[test]
    fn finds_every_match_among_many_documents() {
        // Every third document starts with `ab cd`; the others hold both
        // terms elsewhere, or only one.
        let texts: Vec<String> = (0..600)
            .map(|i| match i % 3 {
                0 => format!("ab cd x{i}"),
                1 => format!("x{i} ab cd"),
                _ => format!("ab x{i}"),
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (index, field) = index(&refs);
        let t = |s: &str| Term::from_field_text(field, s);
        let q = StartsWith::new(field, vec![(0, t("ab")), (1, t("cd"))]).unwrap();
        let expected: Vec<DocId> = (0..600).filter(|i| i % 3 == 0).collect();
        assert_eq!(found(&index, &q), expected);
    }

    #[test]
    fn a_term_absent_from_the_segment_matches_nothing() {
        let (index, field) = index(&["ab cd"]);
        let t = |s: &str| Term::from_field_text(field, s);
        let q = StartsWith::new(field, vec![(0, t("ab")), (1, t("zz"))]).unwrap();
        assert!(found(&index, &q).is_empty());
        assert!(StartsWith::new(field, Vec::new()).is_none());
    }
}
