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
//! - Traditional: the stories whose title has the query's text folded to
//!   Simplified characters, punctuation between its words ignored (the
//!   query is made of the title's words without it).
//!
//! Body keywords and near-synonyms have no ties by this measure (a body's
//! words are shared by most stories of its topic; a near-synonym stands for
//! a word that the target does not have). Texts are compared by their
//! searchable keys ([`search_key`]: characters folded one by one, runs
//! apart where punctuation or a space stood); a Traditional query is first
//! folded as a text ([`simplified`]: its phrases decide characters that
//! have several Simplified forms). The tie MRR@10 is the expectation at
//! random among ties, not a bound: a ranker that reads the bodies can
//! break ties, and one that lets other stories in can fall below it.

use std::collections::{BTreeMap, HashMap};

use zhsearch::analysis::variants::simplified;
use zhsearch::analysis::{BREAK, search_key};

use super::metrics::{DEPTH, Outcome};
use super::queries::{Kind, Query, Story};

/// A story's searchable title (also without its breaks) and body.
pub struct Keys {
    title: String,
    title_unbroken: String,
    body: String,
}

impl Keys {
    pub fn of(story: &Story) -> Keys {
        let title = search_key(&story.title);
        Keys {
            title_unbroken: unbroken(&title),
            title,
            body: search_key(&story.body),
        }
    }
}

/// A key without its breaks (where punctuation or a space stood).
fn unbroken(key: &str) -> String {
    key.replace(BREAK, "")
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

/// The stories (indices into `keys`) that tie with the target of `query`,
/// or `None` for a kind without ties.
pub fn ties(query: &Query, keys: &[Keys]) -> Option<Vec<usize>> {
    let tied: Box<dyn Fn(&Keys) -> bool> = match query.kind {
        Kind::TitlePrefix => {
            let prefix = search_key(&query.text);
            Box::new(move |k| k.title.starts_with(&prefix))
        }
        Kind::Traditional => {
            let text = unbroken(&search_key(&simplified(&query.text)));
            Box::new(move |k| k.title_unbroken.contains(&text))
        }
        Kind::TitleName => {
            let mut words: Vec<String> = query.text.split_whitespace().map(search_key).collect();
            let name = words.pop()?;
            Box::new(move |k| {
                words.iter().all(|w| k.title.contains(w.as_str()))
                    && (k.title.contains(&name) || k.body.contains(&name))
            })
        }
        Kind::BodyKeywords | Kind::NearSynonym | Kind::Pasted => return None,
    };
    Some((0..keys.len()).filter(|&i| tied(&keys[i])).collect())
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
    /// The share of those queries whose target ranked first.
    pub unique_first: f64,
    /// The MRR@10 of those queries.
    pub unique_mrr: f64,
    /// Queries whose target is not among its own ties (0 unless the
    /// definitions above miss a way the queries are made).
    pub missing: usize,
}

/// Each kind with ties: its tie MRR@10, and how its queries whose target
/// the query alone singles out (one tie: itself) ranked.
pub fn by_kind(outcomes: &[Outcome], stories: &[Story]) -> BTreeMap<Kind, Tied> {
    let keys: Vec<Keys> = stories.iter().map(Keys::of).collect();
    let index: HashMap<&str, usize> = stories
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut found: BTreeMap<Kind, Vec<(usize, Option<usize>)>> = BTreeMap::new();
    let mut missing: BTreeMap<Kind, usize> = BTreeMap::new();
    for o in outcomes {
        let Some(tied) = ties(&o.query, &keys) else {
            continue;
        };
        let target = index.get(o.query.target.as_str());
        if !target.is_some_and(|t| tied.contains(t)) {
            *missing.entry(o.query.kind).or_default() += 1;
        }
        let rank = o.rank.filter(|&r| r <= DEPTH);
        found
            .entry(o.query.kind)
            .or_default()
            .push((tied.len(), rank));
    }
    found
        .into_iter()
        .map(|(kind, mut ks)| {
            let n = ks.len() as f64;
            let mrr = ks
                .iter()
                .map(|&(k, _)| tied_reciprocal_rank(k))
                .sum::<f64>()
                / n;
            let unique: Vec<Option<usize>> = ks
                .iter()
                .filter(|(k, _)| *k == 1)
                .map(|(_, r)| *r)
                .collect();
            let share = |count: usize| count as f64 / unique.len().max(1) as f64;
            let first = unique.iter().filter(|r| **r == Some(1)).count();
            let reciprocal: f64 = unique.iter().flatten().map(|&r| 1.0 / r as f64).sum();
            ks.sort_unstable_by_key(|(k, _)| *k);
            let tied = Tied {
                mrr,
                median: ks[ks.len() / 2].0,
                unique: unique.len() as f64 / n,
                unique_first: share(first),
                unique_mrr: reciprocal / unique.len().max(1) as f64,
                missing: missing.get(&kind).copied().unwrap_or(0),
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

    fn keys(stories: &[(&str, &str)]) -> Vec<Keys> {
        let story = |(title, body): &(&str, &str)| Story {
            id: String::new(),
            title: title.to_string(),
            body: body.to_string(),
        };
        stories.iter().map(|s| Keys::of(&story(s))).collect()
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
            ("李强：会见日本首相", "……"),
        ]);
        let prefix = query(Kind::TitlePrefix, "李强会见日");
        assert_eq!(ties(&prefix, &stories), Some(vec![0]));
        // The query is the title's words without the punctuation between
        // them: 李强：会见 ties.
        let traditional = query(Kind::Traditional, "李強會見日本");
        assert_eq!(ties(&traditional, &stories), Some(vec![0, 1, 4]));
        let name = query(Kind::TitleName, "会见 日本 石破茂");
        assert_eq!(ties(&name, &stories), Some(vec![0, 1, 2]));
        let south_africa = query(Kind::TitleName, "会见 拉马福萨");
        assert_eq!(ties(&south_africa, &stories), Some(vec![3]));
        assert_eq!(ties(&query(Kind::BodyKeywords, "石破茂"), &stories), None);
    }
}
