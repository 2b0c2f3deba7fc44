//! What each query gave, the figures per kind, and dumps to compare two runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::queries::{Kind, Query};

/// Hits looked at per query: MRR@10, success@10.
pub const DEPTH: usize = 10;

/// What one query gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub query: Query,
    /// The target's rank among the hits (from 1), if it is in the first [`DEPTH`].
    pub rank: Option<usize>,
    /// How many articles matched.
    pub total: usize,
    /// Whether a story near-identical to the target (same title, near-identical
    /// body) ranks above it. It does not count as a hit.
    pub twin_above: bool,
    /// When the target is not a hit itself but is folded, as a
    /// near-duplicate, under one of the first [`DEPTH`] hits: that hit's
    /// rank. It does not count in `rank`, MRR@10 or success.
    #[serde(default)]
    pub folded: Option<usize>,
    /// Time the search took, in microseconds.
    pub micros: u64,
    /// For a pasted passage ([`Kind::Pasted`]): how much the other hits of
    /// the first [`DEPTH`] (not the target, nor a story near-identical to
    /// it) are about what the target is, as the share of the target's
    /// keywords (the index's `keywords`) each has, on average; and the same
    /// for nine stories drawn at random, for scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<Related>,
}

/// What [`Outcome::related`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Related {
    pub hits: f64,
    pub random: f64,
}

/// The mean of the `related` outcomes' figures, if any has them.
pub fn related<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Option<Related> {
    let all: Vec<Related> = outcomes.into_iter().filter_map(|o| o.related).collect();
    let n = all.len() as f64;
    (!all.is_empty()).then(|| Related {
        hits: all.iter().map(|r| r.hits).sum::<f64>() / n,
        random: all.iter().map(|r| r.random).sum::<f64>() / n,
    })
}

/// The figures of a set of outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub queries: usize,
    pub mrr: f64,
    pub success_at_1: f64,
    pub success_at_10: f64,
    /// Queries whose target is not among the first [`DEPTH`] hits.
    pub not_returned: usize,
    /// Queries with no hit at all.
    pub no_hits: usize,
    /// Queries with a near-identical story above the target.
    pub twin_above: usize,
    /// Queries whose target is folded under a hit (`similar`), not a hit.
    #[serde(default)]
    pub folded: usize,
    /// MRR@10 counting a folded target at the rank of its hit.
    #[serde(default)]
    pub mrr_folded: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Figures {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Figures {
        let outcomes: Vec<&Outcome> = outcomes.into_iter().collect();
        let n = outcomes.len();
        let share = |count: usize| if n == 0 { 0.0 } else { count as f64 / n as f64 };
        let reciprocal: f64 = outcomes
            .iter()
            .filter_map(|o| o.rank.filter(|&r| r <= DEPTH))
            .map(|r| 1.0 / r as f64)
            .fold(0.0, |sum, x| sum + x);
        let reciprocal_folded: f64 = outcomes
            .iter()
            .filter_map(|o| o.rank.or(o.folded).filter(|&r| r <= DEPTH))
            .map(|r| 1.0 / r as f64)
            .fold(0.0, |sum, x| sum + x);
        let mut micros: Vec<u64> = outcomes.iter().map(|o| o.micros).collect();
        micros.sort_unstable();
        Figures {
            queries: n,
            mrr: if n == 0 { 0.0 } else { reciprocal / n as f64 },
            success_at_1: share(outcomes.iter().filter(|o| o.rank == Some(1)).count()),
            success_at_10: share(
                outcomes
                    .iter()
                    .filter(|o| o.rank.is_some_and(|r| r <= DEPTH))
                    .count(),
            ),
            not_returned: outcomes
                .iter()
                .filter(|o| o.rank.is_none_or(|r| r > DEPTH))
                .count(),
            no_hits: outcomes.iter().filter(|o| o.total == 0).count(),
            twin_above: outcomes.iter().filter(|o| o.twin_above).count(),
            folded: outcomes
                .iter()
                .filter(|o| o.rank.is_none() && o.folded.is_some())
                .count(),
            mrr_folded: if n == 0 {
                0.0
            } else {
                reciprocal_folded / n as f64
            },
            p50_ms: percentile(&micros, 0.50),
            p99_ms: percentile(&micros, 0.99),
        }
    }
}

/// The `p` quantile of sorted microseconds, in milliseconds (nearest rank).
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

/// Figures per kind and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub kinds: BTreeMap<Kind, Figures>,
    pub all: Figures,
}

impl Summary {
    pub fn of(outcomes: &[Outcome]) -> Summary {
        let kinds = Kind::EVERY
            .into_iter()
            .filter(|k| outcomes.iter().any(|o| o.query.kind == *k))
            .map(|k| {
                (
                    k,
                    Figures::of(outcomes.iter().filter(|o| o.query.kind == k)),
                )
            })
            .collect();
        Summary {
            kinds,
            all: Figures::of(outcomes),
        }
    }

    /// A table, one line per kind and one for all.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<22} {:>7} {:>7} {:>6} {:>6} {:>8} {:>6} {:>6} {:>6} {:>7} {:>8} {:>8}",
            "kind",
            "queries",
            "MRR@10",
            "S@1",
            "S@10",
            "not ret",
            "empty",
            "twin^",
            "folded",
            "MRR+f",
            "p50 ms",
            "p99 ms"
        );
        let rows = self.kinds.iter().map(|(k, f)| (k.name(), f));
        for (name, f) in rows.chain(std::iter::once(("all", &self.all))) {
            let _ = writeln!(
                out,
                "{:<22} {:>7} {:>7.3} {:>6.3} {:>6.3} {:>8} {:>6} {:>6} {:>6} {:>7.3} {:>8.2} {:>8.2}",
                name,
                f.queries,
                f.mrr,
                f.success_at_1,
                f.success_at_10,
                f.not_returned,
                f.no_hits,
                f.twin_above,
                f.folded,
                f.mrr_folded,
                f.p50_ms,
                f.p99_ms
            );
        }
        out
    }
}

/// A run written out whole, to compare with another (it holds the queries,
/// which quote the corpus: never commit one made from CCTV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    pub seed: u64,
    pub per_kind: usize,
    pub summary: Summary,
    pub outcomes: Vec<Outcome>,
}

impl Dump {
    pub fn new(seed: u64, per_kind: usize, outcomes: Vec<Outcome>) -> Dump {
        Dump {
            seed,
            per_kind,
            summary: Summary::of(&outcomes),
            outcomes,
        }
    }
}

/// Two runs side by side: the figures per kind, and how many of the queries
/// both ran moved up, down or not at all (the most moved listed).
pub fn compare(a: &Dump, b: &Dump, list: usize) -> String {
    let mut out = String::new();
    if (a.seed, a.per_kind) != (b.seed, b.per_kind) {
        let _ = writeln!(
            out,
            "note: different query sets (seed {} × {} vs seed {} × {})",
            a.seed, a.per_kind, b.seed, b.per_kind
        );
    }
    let _ = writeln!(
        out,
        "{:<22} {:>15} {:>15} {:>15} {:>13}",
        "kind", "MRR@10 A → B", "S@1 A → B", "S@10 A → B", "empty A → B"
    );
    let kinds: Vec<Kind> = Kind::EVERY
        .into_iter()
        .filter(|k| a.summary.kinds.contains_key(k) || b.summary.kinds.contains_key(k))
        .collect();
    let figures = |d: &Dump, k: Option<Kind>| -> Figures {
        match k {
            Some(k) => Figures::of(d.outcomes.iter().filter(|o| o.query.kind == k)),
            None => d.summary.all.clone(),
        }
    };
    for k in kinds.into_iter().map(Some).chain([None]) {
        let (fa, fb) = (figures(a, k), figures(b, k));
        let _ = writeln!(
            out,
            "{:<22} {:>6.3} → {:<6.3} {:>6.3} → {:<6.3} {:>6.3} → {:<6.3} {:>5} → {:<5}",
            k.map_or("all", Kind::name),
            fa.mrr,
            fb.mrr,
            fa.success_at_1,
            fb.success_at_1,
            fa.success_at_10,
            fb.success_at_10,
            fa.no_hits,
            fb.no_hits
        );
    }
    let before: BTreeMap<&Query, Option<usize>> =
        a.outcomes.iter().map(|o| (&o.query, o.rank)).collect();
    let score = |rank: Option<usize>| rank.map_or(0.0, |r| 1.0 / r as f64);
    let mut moved: Vec<(f64, &Outcome, Option<usize>)> = b
        .outcomes
        .iter()
        .filter_map(|o| {
            before
                .get(&o.query)
                .map(|&r| (score(o.rank) - score(r), o, r))
        })
        .collect();
    let both = moved.len();
    let up = moved.iter().filter(|m| m.0 > 0.0).count();
    let down = moved.iter().filter(|m| m.0 < 0.0).count();
    let _ = writeln!(
        out,
        "{both} queries in both: {up} better, {down} worse, {} the same",
        both - up - down
    );
    moved.retain(|m| m.0 != 0.0);
    moved.sort_by(|x, y| y.0.abs().total_cmp(&x.0.abs()));
    for (_, o, r) in moved.iter().take(list) {
        let rank = |r: Option<usize>| r.map_or("-".to_string(), |r| r.to_string());
        let _ = writeln!(
            out,
            "  {:>3} → {:<3} {:<20} {} ({})",
            rank(*r),
            rank(o.rank),
            o.query.kind.name(),
            o.query.text,
            o.query.target
        );
    }
    out
}

impl PartialOrd for Query {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Query {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.kind, &self.text, &self.target).cmp(&(other.kind, &other.text, &other.target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(kind: Kind, text: &str, rank: Option<usize>, total: usize) -> Outcome {
        Outcome {
            query: Query {
                kind,
                text: text.to_string(),
                target: format!("id-{text}"),
            },
            rank,
            total,
            twin_above: false,
            folded: None,
            micros: 1000,
            related: None,
        }
    }

    #[test]
    fn mrr_of_a_hand_made_ranking() {
        // Ranks 1, 2, 10 and one miss: (1 + 1/2 + 1/10 + 0) / 4 = 0.4.
        let outcomes = [
            outcome(Kind::TitlePrefix, "a", Some(1), 5),
            outcome(Kind::TitlePrefix, "b", Some(2), 5),
            outcome(Kind::TitlePrefix, "c", Some(10), 50),
            outcome(Kind::TitlePrefix, "d", None, 0),
        ];
        let f = Figures::of(&outcomes);
        assert!((f.mrr - 0.4).abs() < 1e-12, "{}", f.mrr);
        assert_eq!(f.success_at_1, 0.25);
        assert_eq!(f.success_at_10, 0.75);
        assert_eq!((f.not_returned, f.no_hits), (1, 1));
    }

    #[test]
    fn related_is_the_mean_of_the_passages_that_have_it() {
        let mut a = outcome(Kind::Pasted, "甲", Some(1), 3);
        a.related = Some(Related {
            hits: 0.5,
            random: 0.0,
        });
        let mut b = outcome(Kind::Pasted, "乙", Some(1), 3);
        b.related = Some(Related {
            hits: 0.25,
            random: 0.1,
        });
        let c = outcome(Kind::Pasted, "丙", None, 0);
        assert_eq!(
            related([&a, &b, &c]),
            Some(Related {
                hits: 0.375,
                random: 0.05
            })
        );
        assert_eq!(related([&c]), None);
    }

    #[test]
    fn a_dump_reads_back_and_compares_equal_to_itself() {
        let outcomes = vec![
            outcome(Kind::TitlePrefix, "李强会见南非", Some(1), 3),
            outcome(Kind::NearSynonym, "李强会晤南非总统", None, 0),
        ];
        let dump = Dump::new(12, 1, outcomes);
        let text = serde_json::to_string(&dump).unwrap();
        let back: Dump = serde_json::from_str(&text).unwrap();
        assert_eq!(back, dump);
        let report = compare(&dump, &back, 10);
        assert!(
            report.contains("2 queries in both: 0 better, 0 worse, 2 the same"),
            "{report}"
        );
        let mut better = back.clone();
        better.outcomes[1].rank = Some(2);
        let report = compare(&dump, &Dump::new(12, 1, better.outcomes), 10);
        assert!(report.contains("1 better, 0 worse"), "{report}");
        assert!(report.contains("    - → 2   one near-synonym"), "{report}");
        assert!(!report.contains("-0.000"), "{report}");
    }
}
