//! Tiers and boosts: a query that scores what another scores plus a
//! constant ([`Plus::new`]: a tier for a query word an article contains,
//! without running the word's query twice, as a `ConstScoreQuery` beside
//! it would), or the constant alone ([`Plus::tier`]). Both are explained
//! with a label (`tier: word 党建`), from which [`components`] adds up the
//! parts of a score.

use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult,
    SegmentReader, TantivyError, Term,
};

use super::cancel;
use crate::deadline::Deadline;

/// What a constant of a score stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A query word found (verbatim, as a word or as characters), when
    /// words may be missing.
    Found,
    /// The query's text found verbatim.
    Verbatim,
    /// The query's text found in the title with one word swapped for a
    /// near-synonym or a cognate.
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
    part: Part,
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
            part,
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
            part: self.part,
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
/// BM25 (each word's BM25F over title and body, `search::bm25f`;
/// characters found across words less).
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
    /// near-synonym or a cognate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reworded: bool,
    /// The boosts inside the tier: words as whole words, near each other,
    /// in the title; a year; a place.
    pub boost: f32,
    /// The rest: BM25.
    pub bm25: f32,
}

impl Components {
    /// Counts a part of the score worth `value`.
    fn add(&mut self, part: Part, value: f32) {
        match part {
            Part::Found => {
                self.tier += value;
                *self.words_found.get_or_insert(0) += 1;
            }
            Part::Verbatim => {
                self.tier += value;
                self.verbatim = true;
            }
            Part::Reworded => {
                self.tier += value;
                self.reworded = true;
            }
            Part::Word | Part::Near | Part::Boost => {
                self.boost += value;
                match part {
                    Part::Word => self.as_words += 1,
                    Part::Near => self.near += 1,
                    _ => {}
                }
            }
        }
    }
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
            Some(part) => c.add(part, value),
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

/// The [`Components`] of the scores of `hits` (each a score and where the
/// article is) under `query`: what [`components`] reads from each hit's
/// explanation, without explaining. Tantivy explains a boolean query by
/// building the scorers of its whole subtree at each level, for each hit;
/// this builds one scorer per segment for each part of the query that
/// holds no [`Plus`] (a word's postings, a phrase), seeks it through the
/// hits in document order, and adds up the [`Plus`] parts that count: those
/// whose every ancestor matches, as in an explanation.
pub fn components_of(
    query: &dyn Query,
    searcher: &Searcher,
    hits: &[(Score, DocAddress)],
    deadline: &Deadline,
) -> tantivy::Result<Vec<Components>> {
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let mut tree = Tree::default();
    let root = tree.add(query, searcher)?;
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| (hits[i].1.segment_ord, hits[i].1.doc_id));
    let mut scorers: Vec<Option<(u32, Box<dyn Scorer>)>> = Vec::new();
    scorers.resize_with(tree.nodes.len(), || None);
    let mut out = vec![Components::default(); hits.len()];
    for (n, i) in order.into_iter().enumerate() {
        if n % 256 == 0 {
            cancel::check(deadline)?;
        }
        let (score, address) = hits[i];
        let mut at = At {
            tree: &tree,
            scorers: &mut scorers,
            searcher,
            address,
        };
        let c = &mut out[i];
        at.add_parts(root, c)?;
        c.bm25 = (score - c.tier - c.boost).max(0.0);
    }
    Ok(out)
}

/// A query as the parts [`components_of`] needs: booleans and [`Plus`]
/// nodes over leaves (subtrees without a [`Plus`], matched as a whole).
#[derive(Default)]
struct Tree {
    nodes: Vec<TreeNode>,
}

enum TreeNode {
    Boolean {
        clauses: Vec<(Occur, usize)>,
        minimum_should: usize,
    },
    Plus {
        child: usize,
        part: Part,
        add: Score,
        inner_scores: bool,
    },
    Leaf(Box<dyn Weight>),
}

impl Tree {
    /// Adds `query`, returning its node.
    fn add(&mut self, query: &dyn Query, searcher: &Searcher) -> tantivy::Result<usize> {
        let node = if let Some(plus) = query.downcast_ref::<Plus>() {
            TreeNode::Plus {
                child: self.add(plus.query.as_ref(), searcher)?,
                part: plus.part,
                add: plus.add,
                inner_scores: plus.inner_scores,
            }
        } else if let Some(boolean) = query.downcast_ref::<BooleanQuery>()
            && has_plus(query)
        {
            let mut clauses = Vec::new();
            for (occur, q) in boolean.clauses() {
                clauses.push((*occur, self.add(q.as_ref(), searcher)?));
            }
            TreeNode::Boolean {
                clauses,
                minimum_should: boolean.get_minimum_number_should_match(),
            }
        } else {
            TreeNode::Leaf(query.weight(EnableScoring::disabled_from_searcher(searcher))?)
        };
        self.nodes.push(node);
        Ok(self.nodes.len() - 1)
    }
}

/// Whether `query` is or holds a [`Plus`] (through booleans).
fn has_plus(query: &dyn Query) -> bool {
    query.downcast_ref::<Plus>().is_some()
        || query
            .downcast_ref::<BooleanQuery>()
            .is_some_and(|b| b.clauses().iter().any(|(_, q)| has_plus(q.as_ref())))
}

/// One hit, and the leaves' scorers, sought through the hits in order.
struct At<'a> {
    tree: &'a Tree,
    scorers: &'a mut [Option<(u32, Box<dyn Scorer>)>],
    searcher: &'a Searcher,
    address: DocAddress,
}

impl At<'_> {
    /// Whether node `n` matches the hit, as tantivy's scorers decide.
    fn matches(&mut self, n: usize) -> tantivy::Result<bool> {
        match &self.tree.nodes[n] {
            TreeNode::Plus { child, .. } => self.matches(*child),
            TreeNode::Boolean {
                clauses,
                minimum_should,
            } => {
                let mut must = 0;
                let mut should = 0;
                for &(occur, child) in clauses {
                    match occur {
                        Occur::Must => {
                            must += 1;
                            if !self.matches(child)? {
                                return Ok(false);
                            }
                        }
                        Occur::MustNot => {
                            if self.matches(child)? {
                                return Ok(false);
                            }
                        }
                        Occur::Should => should += usize::from(self.matches(child)?),
                    }
                }
                // Without a required clause, some optional one must match.
                let needed = match must {
                    0 => (*minimum_should).max(1),
                    _ => *minimum_should,
                };
                Ok(should >= needed)
            }
            TreeNode::Leaf(weight) => {
                let DocAddress {
                    segment_ord,
                    doc_id,
                } = self.address;
                let scorer = match &mut self.scorers[n] {
                    Some((segment, s)) if *segment == segment_ord => s,
                    slot => {
                        let reader = self.searcher.segment_reader(segment_ord);
                        let s = weight.scorer(reader, 1.0)?;
                        &mut slot.insert((segment_ord, s)).1
                    }
                };
                let doc = scorer.doc();
                Ok(doc == doc_id || (doc < doc_id && scorer.seek(doc_id) == doc_id))
            }
        }
    }

    /// Adds the parts of node `n`, which matches, to `c`: those of its
    /// matching clauses (not excluded ones), and its own if a [`Plus`]
    /// (and those inside it, when its query's score counts).
    fn add_parts(&mut self, n: usize, c: &mut Components) -> tantivy::Result<()> {
        match &self.tree.nodes[n] {
            TreeNode::Plus {
                child,
                part,
                add,
                inner_scores,
            } => {
                c.add(*part, *add);
                if *inner_scores {
                    self.add_parts(*child, c)?;
                }
            }
            TreeNode::Boolean { clauses, .. } => {
                for &(occur, child) in clauses {
                    if occur != Occur::MustNot && self.matches(child)? {
                        self.add_parts(child, c)?;
                    }
                }
            }
            TreeNode::Leaf(_) => {}
        }
        Ok(())
    }
}
