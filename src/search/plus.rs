//! Tiers and boosts: a query that scores what another scores plus a
//! constant ([`Plus::new`]: a tier for a query word an article contains,
//! without running the word's query twice, as a `ConstScoreQuery` beside
//! it would), or the constant alone ([`Plus::tier`]). Both are explained
//! with a label (`tier: word 党建`), from which [`components`] adds up the
//! parts of a score.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SeekDangerResult, SegmentReader, TantivyError,
    Term,
};

/// What a constant of a score stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A query word found (verbatim, as a word or as characters), when
    /// words may be missing.
    Found,
    /// The query's text found verbatim.
    Verbatim,
    /// The query's text found in the title with one word swapped for a
    /// near-synonym.
    Reworded,
    /// A query word found as a whole word: a bonus inside the tier.
    Word,
    /// Two consecutive query words found near each other: a bonus.
    Near,
    /// Another preference that is not a tier (the title, a year, a place).
    Boost,
}

impl Part {
    fn prefix(self) -> &'static str {
        match self {
            Part::Found => "tier: found ",
            Part::Verbatim => "tier: verbatim ",
            Part::Reworded => "tier: reworded ",
            Part::Word => "boost: word ",
            Part::Near => "boost: near ",
            Part::Boost => "boost: ",
        }
    }
}

/// Matches what `query` matches; scores its score (or nothing, for a tier)
/// plus `add`.
#[derive(Debug)]
pub struct Plus {
    query: Box<dyn Query>,
    add: Score,
    /// Whether the query's own score counts.
    inner_scores: bool,
    /// Named in explanations: the part's prefix and what it is for.
    label: String,
}

impl Plus {
    /// `query`, scoring `add` more, explained as a `part` for `what`.
    pub fn new(query: Box<dyn Query>, add: Score, part: Part, what: &str) -> Plus {
        Plus {
            query,
            add,
            inner_scores: true,
            label: format!("{}{what}", part.prefix()),
        }
    }

    /// Scores `add` for what `query` matches (a constant, like tantivy's
    /// `ConstScoreQuery`), explained as a `part` for `what`.
    pub fn tier(query: Box<dyn Query>, add: Score, part: Part, what: &str) -> Plus {
        Plus {
            inner_scores: false,
            ..Plus::new(query, add, part, what)
        }
    }
}

impl Clone for Plus {
    fn clone(&self) -> Self {
        Plus {
            query: self.query.box_clone(),
            add: self.add,
            inner_scores: self.inner_scores,
            label: self.label.clone(),
        }
    }
}

impl Query for Plus {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !enable_scoring.is_scoring_enabled() {
            return self.query.weight(enable_scoring);
        }
        let inner = if self.inner_scores {
            self.query.weight(enable_scoring)?
        } else {
            let disabled = match enable_scoring.searcher() {
                Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
                None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
            };
            self.query.weight(disabled)?
        };
        Ok(Box::new(PlusWeight {
            inner,
            add: self.add,
            inner_scores: self.inner_scores,
            label: self.label.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct PlusWeight {
    inner: Box<dyn Weight>,
    add: Score,
    inner_scores: bool,
    label: String,
}

impl Weight for PlusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        Ok(Box::new(PlusScorer {
            inner,
            add: self.add * boost,
            inner_scores: self.inner_scores,
        }))
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        let (result, inner) = self.inner.scorer_danger(reader, target, boost)?;
        let scorer: Box<dyn Scorer> = Box::new(PlusScorer {
            inner,
            add: self.add * boost,
            inner_scores: self.inner_scores,
        });
        Ok((result, scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let tier = Explanation::new_with_string(self.label.clone(), self.add);
        if !self.inner_scores {
            let mut scorer = self.inner.scorer(reader, 1.0)?;
            if scorer.doc() > doc || scorer.seek(doc) != doc {
                return Err(TantivyError::InvalidArgument(format!(
                    "Document #({doc}) does not match"
                )));
            }
            return Ok(tier);
        }
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new("sum of", inner.value() + self.add);
        explanation.add_detail(tier);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }
}

struct PlusScorer {
    inner: Box<dyn Scorer>,
    add: Score,
    inner_scores: bool,
}

impl DocSet for PlusScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.inner.seek_danger(target)
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        self.inner.fill_buffer(buffer)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for PlusScorer {
    fn score(&mut self) -> Score {
        if self.inner_scores {
            self.inner.score() + self.add
        } else {
            self.add
        }
    }
}

/// The parts of a score, from its explanation ([`tantivy::query::Explanation`]
/// as JSON): the tiers ([`Part::Found`], [`Part::Verbatim`]), the boosts
/// ([`Part::Word`], [`Part::Near`] and the others), and the rest, which is
/// BM25 (words in the title weighing twice, characters found across words
/// less).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Components {
    /// The sum of the tiers.
    pub tier: f32,
    /// How many of the query's words were found, when words may be missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words_found: Option<usize>,
    /// How many query words were found as whole words.
    pub as_words: usize,
    /// How many pairs of consecutive query words were found near each other.
    pub near: usize,
    /// Whether the query's text was found verbatim.
    pub verbatim: bool,
    /// Whether the title has the query's text with one word swapped for a
    /// near-synonym.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reworded: bool,
    /// The boosts inside the tier: words as whole words, near each other,
    /// in the title; a year; a place.
    pub boost: f32,
    /// The rest: BM25.
    pub bm25: f32,
}

/// The [`Components`] of a score explained as `explanation` (JSON).
pub fn components(explanation: &serde_json::Value) -> Components {
    fn walk(node: &serde_json::Value, c: &mut Components) {
        let value = node["value"].as_f64().unwrap_or(0.0) as f32;
        let description = node["description"].as_str().unwrap_or("");
        let part = [
            Part::Found,
            Part::Verbatim,
            Part::Reworded,
            Part::Word,
            Part::Near,
        ]
        .into_iter()
        .chain([Part::Boost])
        .find(|p| description.starts_with(p.prefix()));
        match part {
            Some(Part::Found) => {
                c.tier += value;
                *c.words_found.get_or_insert(0) += 1;
            }
            Some(Part::Verbatim) => {
                c.tier += value;
                c.verbatim = true;
            }
            Some(Part::Reworded) => {
                c.tier += value;
                c.reworded = true;
            }
            Some(part) => {
                c.boost += value;
                match part {
                    Part::Word => c.as_words += 1,
                    Part::Near => c.near += 1,
                    _ => {}
                }
            }
            None => {
                for d in node["details"].as_array().map_or(&[][..], Vec::as_slice) {
                    walk(d, c);
                }
            }
        }
    }
    let mut c = Components::default();
    walk(explanation, &mut c);
    let total = explanation["value"].as_f64().unwrap_or(0.0) as f32;
    c.bm25 = (total - c.tier - c.boost).max(0.0);
    c
}
