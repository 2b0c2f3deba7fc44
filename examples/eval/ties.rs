//! How far the query itself tells its target from other stories (`--ties`).
//!
//! For the kinds made from a title, a target has *ties*: the stories that
//! match the query the way the target does, in their titles (and, for a
//! name, anywhere), which nothing in the query tells apart from it. If a
//! ranker put them first in a random order, the target's expected
//! reciprocal rank (at most ten hits) would be `H(min(k, 10)) / k` for `k`
//! ties, the target among them; its mean over the queries of a kind is that
//! kind's *tie MRR@10*. A kind's MRR@10 near its tie MRR@10 is near what
//! its queries allow a ranker that sees only titles and names; above it,
//! the bodies broke ties. A recurring headline (`李强会见日本首相`, several
//! a year) has many ties.
//!
//! - title prefix: the stories whose title starts with the query;
//! - title words + a name: the stories whose title has every word of the
//!   query but the last, and whose title or body has the last (the name);
//! - Traditional: the stories whose title has the query's text, folded to
//!   Simplified characters.
//!
//! Body keywords and near-synonyms have no ties by this measure (a body's
//! words are shared by most stories of its topic; a near-synonym stands for
//! a word that the target does not have). Texts are compared as zhsearch
//! compares them ([`search_key`], Traditional folded), spaces ignored.

use std::collections::BTreeMap;

use zhsearch::analysis::search_key;
use zhsearch::analysis::variants::simplified;

use crate::metrics::{DEPTH, Outcome};
use crate::queries::{Kind, Query, Story};

/// A text's form for comparing: folded to Simplified, its searchable
/// characters only.
fn key(text: &str) -> String {
    search_key(&simplified(text))
}

/// The target's expected reciprocal rank at most ten hits deep, among `k`
/// ties put first in a random order (0 without ties).
pub fn tied_reciprocal_rank(k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let harmonic: f64 = (1..=k.min(10)).map(|i| 1.0 / i as f64).sum();
    harmonic / k as f64
}

/// How many stories tie with the target of `query`, or `None` for a kind
/// without ties. `keys` are each story's (title, body) keys.
pub fn ties(query: &Query, keys: &[(String, String)]) -> Option<usize> {
    let count = |tied: &dyn Fn(&str, &str) -> bool| -> usize {
        keys.iter().filter(|(t, b)| tied(t, b)).count()
    };
    match query.kind {
        Kind::TitlePrefix => {
            let prefix = key(&query.text);
            Some(count(&|title, _| title.starts_with(&prefix)))
        }
        Kind::Traditional => {
            let text = key(&query.text);
            Some(count(&|title, _| title.contains(&text)))
        }
        Kind::TitleName => {
            let mut words: Vec<String> = query.text.split_whitespace().map(key).collect();
            let name = words.pop()?;
            Some(count(&|title, body| {
                words.iter().all(|w| title.contains(w.as_str()))
                    && (title.contains(&name) || body.contains(&name))
            }))
        }
        Kind::BodyKeywords | Kind::NearSynonym => None,
    }
}

/// One kind's ties ([`by_kind`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tied {
    /// Its queries' tie MRR@10.
    pub mrr: f64,
    /// The median count of ties.
    pub median: usize,
    /// The share of its queries whose target has no tie but itself.
    pub unique: f64,
    /// The MRR@10 of those queries.
    pub unique_mrr: f64,
}

/// Each kind with ties: its tie MRR@10, and how its queries whose target
/// the query alone singles out (one tie: itself) ranked.
pub fn by_kind(outcomes: &[Outcome], stories: &[Story]) -> BTreeMap<Kind, Tied> {
    let keys: Vec<(String, String)> = stories
        .iter()
        .map(|s| (key(&s.title), key(&s.body)))
        .collect();
    let mut counts: BTreeMap<Kind, Vec<(usize, f64)>> = BTreeMap::new();
    for o in outcomes {
        if let Some(k) = ties(&o.query, &keys) {
            let reciprocal = o
                .rank
                .filter(|&r| r <= DEPTH)
                .map_or(0.0, |r| 1.0 / r as f64);
            counts
                .entry(o.query.kind)
                .or_default()
                .push((k, reciprocal));
        }
    }
    counts
        .into_iter()
        .map(|(kind, mut ks)| {
            let n = ks.len() as f64;
            let mrr = ks
                .iter()
                .map(|&(k, _)| tied_reciprocal_rank(k))
                .sum::<f64>()
                / n;
            let unique: Vec<f64> = ks
                .iter()
                .filter(|(k, _)| *k == 1)
                .map(|(_, r)| *r)
                .collect();
            ks.sort_unstable_by_key(|(k, _)| *k);
            let tied = Tied {
                mrr,
                median: ks[ks.len() / 2].0,
                unique: unique.len() as f64 / n,
                unique_mrr: unique.iter().sum::<f64>() / unique.len().max(1) as f64,
            };
            (kind, tied)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(kind: Kind, text: &str) -> Query {
        Query {
            kind,
            text: text.to_string(),
            target: String::new(),
        }
    }

    fn keys(stories: &[(&str, &str)]) -> Vec<(String, String)> {
        stories.iter().map(|(t, b)| (key(t), key(b))).collect()
    }

    #[test]
    fn one_tie_is_rank_one_and_more_share_the_first_ten() {
        assert_eq!(tied_reciprocal_rank(0), 0.0);
        assert_eq!(tied_reciprocal_rank(1), 1.0);
        assert_eq!(tied_reciprocal_rank(2), 0.75);
        // Past ten ties, the target may be beyond the hits.
        let twenty = tied_reciprocal_rank(20);
        assert!((twenty - tied_reciprocal_rank(10) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn ties_are_the_stories_that_match_as_the_target_does() {
        let stories = keys(&[
            ("李强会见日本首相", "李强在人民大会堂会见日本首相石破茂。"),
            ("【快评】李强会见日本首相", "石破茂说……"),
            ("日本首相会见李强", "石破茂"),
            ("李強會見南非總統", "拉马福萨"),
        ]);
        let prefix = query(Kind::TitlePrefix, "李强会见日");
        assert_eq!(ties(&prefix, &stories), Some(1));
        let traditional = query(Kind::Traditional, "會見日本首相");
        assert_eq!(ties(&traditional, &stories), Some(2));
        let name = query(Kind::TitleName, "会见 日本 石破茂");
        assert_eq!(ties(&name, &stories), Some(3));
        let south_africa = query(Kind::TitleName, "会见 拉马福萨");
        assert_eq!(ties(&south_africa, &stories), Some(1));
        assert_eq!(ties(&query(Kind::BodyKeywords, "石破茂"), &stories), None);
    }
}
