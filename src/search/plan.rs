//! Turning a parsed query into a tantivy query.
//!
//! tantivy's own query parser would turn unspaced Chinese into one phrase
//! over all its words (tantivy #718), so zhsearch builds queries itself:
//!
//! * **Text** (`党建引领高质量发展`): segmented into words; *every* word must
//!   occur, anywhere. Each word matches as a word (title or body, the title
//!   weighing more) **or** as a string of characters in the n-gram fields, so
//!   a word that jieba cut differently in the article is still found. The
//!   whole text, found verbatim, adds to the score, so articles that contain
//!   the query as written rank first.
//! * **Phrase** (`"基层党建"`): the characters, in order, in the n-gram fields
//!   (exact, punctuation and spaces ignored); the words as a phrase add to
//!   the score.
//! * **Not**, **Or**, **And**: boolean clauses; filters score nothing.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};

use super::query::{Node, QueryError};
use crate::analysis::{Analyzer, search_key};
use crate::extract::date::{DateBound, parse_bound};
use crate::extract::region::Gazetteer;
use crate::indexer::day;
use crate::schema::Fields;

/// Weight of a word found in the title, relative to the body.
const TITLE_WEIGHT: f32 = 2.0;
/// Weight of a word found only as characters (not as a jieba word).
const GRAM_WEIGHT: f32 = 0.3;
/// Weight of the whole text found verbatim.
const VERBATIM_WEIGHT: f32 = 1.5;

/// A tantivy query with what is needed to highlight and explain it.
pub struct Plan {
    /// The query.
    pub query: Box<dyn Query>,
    /// Whether the query filters by date.
    pub has_date_filter: bool,
    /// Searchable forms of the words and phrases to highlight.
    pub needles: Vec<String>,
    /// How the query was understood, one line per part, for `--explain`.
    pub notes: Vec<String>,
}

/// Builds tantivy queries for one index.
pub struct Planner<'a> {
    fields: &'a Fields,
    analyzer: &'a Analyzer,
    topics: &'a [String],
    ignore_dates: bool,
}

impl<'a> Planner<'a> {
    /// A planner for an index with `fields`, analysing with `analyzer`,
    /// whose articles carry `topics`.
    pub fn new(fields: &'a Fields, analyzer: &'a Analyzer, topics: &'a [String]) -> Self {
        Planner {
            fields,
            analyzer,
            topics,
            ignore_dates: false,
        }
    }

    /// The same planner, leaving date filters out (to count what they exclude).
    pub fn without_dates(mut self) -> Self {
        self.ignore_dates = true;
        self
    }

    /// Plans a parsed query. `query` is the original text, for errors.
    pub fn plan(&self, node: &Node, query: &str) -> Result<Plan, QueryError> {
        let mut plan = Plan {
            query: Box::new(EmptyQuery),
            has_date_filter: false,
            needles: Vec::new(),
            notes: Vec::new(),
        };
        let built = self.node(node, query, &mut plan, false)?;
        plan.query = match built {
            Some(q) => q,
            None => {
                return Err(QueryError {
                    query: query.to_string(),
                    position: 0,
                    message:
                        "nothing searchable in the query: punctuation and spaces are not indexed"
                            .to_string(),
                });
            }
        };
        plan.needles.sort();
        plan.needles.dedup();
        Ok(plan)
    }

    /// Builds one node. `None` means the node has nothing searchable in it
    /// (only punctuation) and is left out.
    fn node(
        &self,
        node: &Node,
        query: &str,
        plan: &mut Plan,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        Ok(match node {
            Node::All => {
                plan.notes.push("*: every article".to_string());
                Some(Box::new(AllQuery))
            }
            Node::Text(text) => {
                self.text(text, plan, negated, [self.fields.title, self.fields.body])
            }
            Node::Phrase(text) => self.phrase(text, plan, negated, true),
            Node::Not(inner) => {
                let Some(q) = self.node(inner, query, plan, !negated)? else {
                    return Ok(None);
                };
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                    (Occur::MustNot, q),
                ])))
            }
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    match child {
                        Node::Not(inner) => {
                            if let Some(q) = self.node(inner, query, plan, !negated)? {
                                clauses.push((Occur::MustNot, q));
                            }
                        }
                        other => {
                            if let Some(q) = self.node(other, query, plan, negated)? {
                                clauses.push((Occur::Must, q));
                            }
                        }
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Or(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    if let Some(q) = self.node(child, query, plan, negated)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Field {
                name,
                value,
                quoted,
            } => match name.as_str() {
                "title" if *quoted => self.title_phrase(value, plan, negated),
                "title" => self.text(value, plan, negated, [self.fields.title, self.fields.title]),
                "source" => self.grams_filter(self.fields.source, value, plan, "source"),
                "region" => Some(self.region_filter(value, query, plan)?),
                "topic" => Some(self.topic_filter(value, query, plan)?),
                "date" => self.date_filter(value, query, plan)?,
                other => {
                    return Err(field_error(
                        query,
                        other,
                        format!("unknown field `{other}`"),
                    ));
                }
            },
        })
    }

    /// Unquoted text: every word, as a word or as characters; the whole text
    /// verbatim scores more. `word_fields` are the (title, body) word fields
    /// to search; for `title:` both are the title.
    fn text(
        &self,
        text: &str,
        plan: &mut Plan,
        negated: bool,
        word_fields: [Field; 2],
    ) -> Option<Box<dyn Query>> {
        let title_only = word_fields[0] == word_fields[1];
        let mut words: Vec<String> = self
            .analyzer
            .words(text)
            .into_iter()
            .filter(|w| !w.part)
            .map(|w| w.text)
            .collect();
        let mut seen = std::collections::HashSet::new();
        words.retain(|w| seen.insert(w.clone()));
        if words.is_empty() {
            plan.notes
                .push(format!("{text:?}: nothing searchable, ignored"));
            return None;
        }
        let gram_fields: &[Field] = if title_only {
            &[self.fields.title_grams]
        } else {
            &[self.fields.title_grams, self.fields.body_grams]
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            let key = search_key(word);
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            alternatives.push((
                Occur::Should,
                boost(
                    term(word_fields[0], word),
                    if title_only { 1.0 } else { TITLE_WEIGHT },
                ),
            ));
            if !title_only {
                alternatives.push((Occur::Should, term(word_fields[1], word)));
            }
            for &field in gram_fields {
                if let Some(q) = grams(field, &key) {
                    alternatives.push((Occur::Should, boost(q, GRAM_WEIGHT)));
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
            if !negated {
                plan.needles.push(key);
            }
        }
        let whole = search_key(text);
        if words.len() > 1 {
            for &field in gram_fields {
                if let Some(q) = grams(field, &whole) {
                    clauses.push((Occur::Should, boost(q, VERBATIM_WEIGHT)));
                }
            }
            if !negated {
                plan.needles.push(whole.clone());
            }
        }
        plan.notes.push(format!(
            "{}{text:?}: all of the words [{}], each as a word{} or as characters; {}",
            if negated { "NOT " } else { "" },
            words.join(" | "),
            if title_only {
                " in the title"
            } else {
                " (title ×2, body)"
            },
            if words.len() > 1 {
                format!("{whole:?} verbatim ranks higher")
            } else {
                "as characters it also matches inside other words".to_string()
            }
        ));
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Quoted text: the exact characters in title or body.
    fn phrase(
        &self,
        text: &str,
        plan: &mut Plan,
        negated: bool,
        body_too: bool,
    ) -> Option<Box<dyn Query>> {
        let key = search_key(text);
        let gram_fields: &[Field] = if body_too {
            &[self.fields.title_grams, self.fields.body_grams]
        } else {
            &[self.fields.title_grams]
        };
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, &field) in gram_fields.iter().enumerate() {
            let weight = if i == 0 && body_too {
                TITLE_WEIGHT
            } else {
                1.0
            };
            alternatives.push((Occur::Should, boost(grams(field, &key)?, weight)));
        }
        // The words as a phrase: better scores for real word matches.
        let words: Vec<String> = self
            .analyzer
            .words(text)
            .into_iter()
            .filter(|w| !w.part)
            .map(|w| w.text)
            .collect();
        let word_fields: &[Field] = if body_too {
            &[self.fields.title, self.fields.body]
        } else {
            &[self.fields.title]
        };
        let mut bonus: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &field in word_fields {
            let q: Box<dyn Query> = if words.len() == 1 {
                term(field, &words[0])
            } else {
                let terms = words
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect();
                Box::new(PhraseQuery::new(terms))
            };
            bonus.push((Occur::Should, q));
        }
        plan.notes.push(format!(
            "{}\"{text}\": exactly {key:?} in the {}{}",
            if negated { "NOT " } else { "" },
            if body_too { "title or body" } else { "title" },
            if words.is_empty() {
                String::new()
            } else {
                format!(" (as words: [{}])", words.join(" | "))
            }
        ));
        if !negated {
            plan.needles.push(key);
        }
        let required: Box<dyn Query> = Box::new(BooleanQuery::new(alternatives));
        if bonus.is_empty() {
            return Some(required);
        }
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, required),
            (
                Occur::Should,
                Box::new(BooleanQuery::new(bonus)) as Box<dyn Query>,
            ),
        ])))
    }

    /// `region:X`: articles whose primary region is X or lies within it.
    fn region_filter(
        &self,
        value: &str,
        query: &str,
        plan: &mut Plan,
    ) -> Result<Box<dyn Query>, QueryError> {
        let places = Gazetteer::builtin()
            .resolve(value)
            .map_err(|e| field_error(query, "region", e.to_string()))?;
        let paths: Vec<String> = places.iter().map(|p| p.facet()).collect();
        plan.notes.push(format!(
            "filter: region in {} (and everything below)",
            paths.join(" or ")
        ));
        let clauses = paths
            .iter()
            .map(|path| {
                let facet = Facet::from_path(path.split('/').filter(|p| !p.is_empty()));
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_facet(self.fields.region, &facet),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        Ok(Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(clauses)),
            0.0,
        )))
    }

    /// `topic:X`: articles classified under topic X.
    fn topic_filter(
        &self,
        value: &str,
        query: &str,
        plan: &mut Plan,
    ) -> Result<Box<dyn Query>, QueryError> {
        if !self.topics.iter().any(|t| t == value) {
            let mut message = format!(
                "unknown topic `{value}`; topics in this index: {}",
                self.topics.join(", ")
            );
            if let Some(close) = self
                .topics
                .iter()
                .find(|t| t.contains(value) || value.contains(t.as_str()))
            {
                message = format!(
                    "unknown topic `{value}`; did you mean `{close}`? Topics in this index: {}",
                    self.topics.join(", ")
                );
            }
            return Err(field_error(query, "topic", message));
        }
        plan.notes.push(format!("filter: topic {value}"));
        let q = TermQuery::new(
            Term::from_facet(self.fields.topic, &Facet::from_path([value])),
            IndexRecordOption::Basic,
        );
        Ok(Box::new(ConstScoreQuery::new(Box::new(q), 0.0)))
    }

    /// `date:A..B`, `date:A..`, `date:..B` or `date:A`: articles whose date
    /// (as precise as it is known) overlaps the range. Articles without a
    /// date never match.
    fn date_filter(
        &self,
        value: &str,
        query: &str,
        plan: &mut Plan,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        let (since, until) = match value.split_once("..") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (value, value),
        };
        let parse = |s: &str| -> Result<Option<DateBound>, QueryError> {
            if s.is_empty() {
                return Ok(None);
            }
            parse_bound(s)
                .map(Some)
                .map_err(|e| field_error(query, "date", e.to_string()))
        };
        let (since, until) = (parse(since)?, parse(until)?);
        if since.is_none() && until.is_none() {
            return Err(field_error(
                query,
                "date",
                "a date range needs at least one end: `date:2023..2024-06`".to_string(),
            ));
        }
        if let (Some(a), Some(b)) = (&since, &until)
            && a.first_day() > b.last_day()
        {
            return Err(field_error(
                query,
                "date",
                format!("the date range {value} is empty: it ends before it starts"),
            ));
        }
        plan.has_date_filter = true;
        if self.ignore_dates {
            return Ok(Some(Box::new(AllQuery)));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(a) = &since {
            let term = Term::from_field_date(self.fields.date_end, day(a.first_day()));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Included(term), Bound::Unbounded)),
            ));
        }
        if let Some(b) = &until {
            let term = Term::from_field_date(self.fields.date, day(b.last_day()));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(term))),
            ));
        }
        plan.notes.push(format!(
            "filter: date from {} to {} (articles without a date are excluded)",
            since.map_or("the beginning".to_string(), |a| a.first_day().to_string()),
            until.map_or("now".to_string(), |b| b.last_day().to_string()),
        ));
        Ok(Some(Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(clauses)),
            0.0,
        ))))
    }

    fn title_phrase(&self, text: &str, plan: &mut Plan, negated: bool) -> Option<Box<dyn Query>> {
        self.phrase(text, plan, negated, false)
    }

    /// A substring filter on a field indexed with the n-gram analyzer.
    fn grams_filter(
        &self,
        field: Field,
        value: &str,
        plan: &mut Plan,
        name: &str,
    ) -> Option<Box<dyn Query>> {
        let key = search_key(value);
        let q = grams(field, &key)?;
        plan.notes.push(format!("filter: {name} contains {key:?}"));
        Some(Box::new(ConstScoreQuery::new(q, 0.0)))
    }
}

/// An error about `name:` in the query, pointing at it.
fn field_error(query: &str, name: &str, message: String) -> QueryError {
    let position = query
        .find(&format!("{name}:"))
        .map_or(0, |b| query[..b].chars().count());
    QueryError {
        query: query.to_string(),
        position,
        message,
    }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

fn boost(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, weight))
    }
}

/// The n-gram query for a searchable key: a unigram, a bigram, or a phrase
/// of bigrams that covers every character. `None` for an empty key.
pub fn grams(field: Field, key: &str) -> Option<Box<dyn Query>> {
    let chars: Vec<char> = key.chars().collect();
    match chars.len() {
        0 => None,
        1 | 2 => Some(term(field, key)),
        n => {
            // Bigrams at 0, 2, 4, … and one ending at the last character:
            // with positions, they cover every character exactly in order.
            let mut offsets: Vec<usize> = (0..n - 1).step_by(2).collect();
            if *offsets.last().expect("n >= 3") != n - 2 {
                offsets.push(n - 2);
            }
            let terms = offsets
                .into_iter()
                .map(|i| {
                    let gram: String = chars[i..i + 2].iter().collect();
                    (i, Term::from_field_text(field, &gram))
                })
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}
