//! One word scored across weighted fields as one text: BM25F (Robertson,
//! Zaragoza and Taylor, "Simple BM25 extension to multiple weighted fields",
//! CIKM 2004), where tantivy's BM25 scores each field apart and sums.
//!
//! Summing per field lets a short field decide: a word once in a ten-word
//! title scores like a word said ten times in a body, and counted in both,
//! it scores near twice as much as either. BM25F adds the fields' term
//! frequencies first, each weighted and normalised by its field's length,
//! and saturates the sum once: a title mention weighs like a few body
//! mentions, and a body that keeps returning to a word can match it.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// BM25's saturation: how fast more occurrences stop adding.
const K1: Score = 1.2;
/// BM25's length normalisation: how much a long field weakens its
/// occurrences.
const B: Score = 0.75;

/// A word in several fields, each with its weight, scored as one text.
#[derive(Debug, Clone)]
pub struct Bm25f {
    word: String,
    terms: Vec<(Term, Score)>,
}

impl Bm25f {
    /// `word` in each of `fields`, with its weight there.
    pub fn new(word: &str, fields: &[(Field, Score)]) -> Bm25f {
        let terms = fields
            .iter()
            .map(|&(field, weight)| (Term::from_field_text(field, word), weight))
            .collect();
        Bm25f {
            word: word.to_string(),
            terms,
        }
    }
}

impl Query for Bm25f {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut fields = Vec::with_capacity(self.terms.len());
        let mut idf = 1.0;
        if let EnableScoring::Enabled {
            statistics_provider: stats,
            ..
        } = enable_scoring
        {
            let docs = stats.total_num_docs()?.max(1);
            // The word's document frequency in the text as a whole is at
            // least that in any one field.
            let mut freq = 0;
            for (term, weight) in &self.terms {
                freq = freq.max(stats.doc_freq(term)?);
                let tokens = stats.total_num_tokens(term.field())? as Score;
                fields.push((term.clone(), *weight, (tokens / docs as Score).max(1.0)));
            }
            let freq = freq.min(docs);
            idf = (1.0 + ((docs - freq) as Score + 0.5) / (freq as Score + 0.5)).ln();
        } else {
            let terms = self.terms.iter();
            fields.extend(terms.map(|(term, weight)| (term.clone(), *weight, 1.0)));
        }
        let label = format!("BM25F {}", self.word);
        Ok(Box::new(Bm25fWeight { fields, idf, label }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

struct Bm25fWeight {
    /// Each field's term, weight and average length.
    fields: Vec<(Term, Score, Score)>,
    idf: Score,
    /// `BM25F` and the word, for explanations.
    label: String,
}

impl Bm25fWeight {
    fn bm25f_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Bm25fScorer> {
        let mut fields = Vec::with_capacity(self.fields.len());
        for (term, weight, average) in &self.fields {
            let index = reader.inverted_index(term.field())?;
            if let Some(postings) = index.read_postings(term, IndexRecordOption::WithFreqs)? {
                let norms = reader.get_fieldnorms_reader(term.field())?;
                fields.push(FieldPostings {
                    postings,
                    norms,
                    weight: *weight,
                    average: *average,
                });
            }
        }
        let doc = fields
            .iter()
            .map(|f| f.postings.doc())
            .min()
            .unwrap_or(TERMINATED);
        Ok(Bm25fScorer {
            fields,
            doc,
            scale: boost * self.idf * (K1 + 1.0),
        })
    }
}

impl Weight for Bm25fWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = self.bm25f_scorer(reader, boost)?;
        if scorer.fields.is_empty() {
            // So that a boolean query can leave the segment out.
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.bm25f_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let frequency = scorer.frequency();
        let mut explanation = Explanation::new_with_string(self.label.clone(), scorer.score());
        explanation.add_const("idf", self.idf);
        for f in scorer.fields.iter().filter(|f| f.postings.doc() == doc) {
            let freq = f.postings.term_freq();
            let what = format!("freq {freq}, weight {}", f.weight);
            explanation.add_detail(Explanation::new_with_string(what, f.weight * freq as Score));
        }
        explanation.add_const("weighted, normalised frequency", frequency);
        Ok(explanation)
    }
}

/// One field's postings of the word.
struct FieldPostings {
    postings: SegmentPostings,
    norms: FieldNormReader,
    weight: Score,
    average: Score,
}

struct Bm25fScorer {
    fields: Vec<FieldPostings>,
    doc: DocId,
    /// The boost, the idf and BM25's `k1 + 1`.
    scale: Score,
}

impl Bm25fScorer {
    /// The current document's term frequency: each field's, weighted and
    /// normalised by the field's length, summed.
    fn frequency(&self) -> Score {
        let mut sum = 0.0;
        for f in self.fields.iter().filter(|f| f.postings.doc() == self.doc) {
            let length = f.norms.fieldnorm(self.doc) as Score;
            let norm = 1.0 - B + B * length / f.average;
            sum += f.weight * f.postings.term_freq() as Score / norm;
        }
        sum
    }
}

impl DocSet for Bm25fScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        if current == TERMINATED {
            return TERMINATED;
        }
        let mut next = TERMINATED;
        for f in &mut self.fields {
            if f.postings.doc() == current {
                f.postings.advance();
            }
            next = next.min(f.postings.doc());
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let mut next = TERMINATED;
        for f in &mut self.fields {
            if f.postings.doc() < target {
                f.postings.seek(target);
            }
            next = next.min(f.postings.doc());
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.fields.iter().map(|f| f.postings.size_hint()).sum()
    }
}

impl Scorer for Bm25fScorer {
    fn score(&mut self) -> Score {
        let frequency = self.frequency();
        self.scale * frequency / (K1 + frequency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{STORED, STRING, Schema, TEXT, Value};
    use tantivy::{Index, TantivyDocument, doc};

    /// An index of (id, title, body) in English words, and its searcher.
    fn searcher(docs: &[(&str, &str, &str)]) -> (tantivy::Searcher, Field, Field, Field) {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, t, b) in docs {
            writer
                .add_document(doc!(id => *i, title => *t, body => *b))
                .unwrap();
        }
        writer.commit().unwrap();
        (index.reader().unwrap().searcher(), id, title, body)
    }

    /// The ids found for `word`, best first, with their scores.
    fn ranked(docs: &[(&str, &str, &str)], word: &str, title_weight: f32) -> Vec<(String, f32)> {
        let (searcher, id, title, body) = searcher(docs);
        let query = Bm25f::new(word, &[(title, title_weight), (body, 1.0)]);
        let top = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        top.into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                let name = doc.get_first(id).and_then(|v| v.as_str()).unwrap();
                (name.to_string(), score)
            })
            .collect()
    }

    const FILLER: &str = "the council met on monday and heard reports";

    #[test]
    fn finds_the_word_in_either_field_each_document_once() {
        let docs = [
            ("title", "rice planting begins", FILLER),
            ("neither", "council meets", FILLER),
            ("both", "rice harvest", "the rice harvest is early"),
            ("body", "council meets", "rice seedlings are ready"),
        ];
        let mut ids: Vec<String> = ranked(&docs, "rice", 3.0)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        ids.sort();
        assert_eq!(ids, ["body", "both", "title"]);
    }

    #[test]
    fn a_title_occurrence_weighs_as_several_in_the_body_and_saturates_with_them() {
        let body_once = format!("{FILLER} rice {FILLER}");
        let body_thrice = format!("rice {FILLER} rice {FILLER} rice");
        let docs = [
            ("title", "rice planting", FILLER),
            ("once", "council meets", body_once.as_str()),
            ("thrice", "council meets", body_thrice.as_str()),
        ];
        let scores = ranked(&docs, "rice", 3.0);
        let order: Vec<&str> = scores.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(order[2], "once", "{scores:?}");
        // Weighted as one body occurrence, the title is the weakest: it is
        // in a short field, but its weight, not its field's length, decides.
        let scores = ranked(&docs, "rice", 1.0);
        let order: Vec<&str> = scores.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(order[0], "thrice", "{scores:?}");
        // Saturation: however often, a word scores below idf × (k1 + 1);
        // its document frequency is the larger of its fields' (2 bodies).
        let idf = (1.0f32 + (3.0 - 2.0 + 0.5) / (2.0 + 0.5)).ln();
        assert!(
            scores.iter().all(|(_, s)| *s < idf * (K1 + 1.0)),
            "{scores:?}"
        );
    }

    #[test]
    fn explains_the_score_it_gives() {
        let docs = [
            ("a", "rice planting", "rice seedlings"),
            ("b", "council meets", FILLER),
        ];
        let (searcher, _, title, body) = searcher(&docs);
        let query = Bm25f::new("rice", &[(title, 3.0), (body, 1.0)]);
        let top = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        assert_eq!(top.len(), 1);
        let (score, address) = top[0];
        let explanation = query.explain(&searcher, address).unwrap();
        assert!(
            (explanation.value() - score).abs() < 1e-4,
            "{explanation:?}"
        );
        let other = tantivy::DocAddress::new(0, 1);
        assert!(query.explain(&searcher, other).is_err());
    }
}
