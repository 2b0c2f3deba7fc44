//! Near-duplicate articles, found while indexing: a repost of a story, or
//! the same broadcast story repeated on another day. Each article gets a
//! cluster id (the `cluster` field), shared by its near-duplicates; a
//! search shows one article per cluster ([`crate::search`]'s folding).
//!
//! Two articles are near-duplicates when all of these hold:
//!
//! - the same title, folded (width, case, Traditional/Simplified) and
//!   without punctuation or spaces;
//! - dates at most [`MAX_DAYS_APART`] days apart, when both are dated;
//! - bodies sharing at least [`MIN_SIMILARITY`] of their shingles (runs of
//!   [`SHINGLE_CHARS`] folded letters and digits), by Jaccard similarity,
//!   estimated from a bottom-k sketch ([`Sketch`]: the [`SKETCH_SIZE`]
//!   smallest shingle hashes, exact for a body of fewer shingles).
//!
//! On the CCTV corpus (BENCHMARKS.md) text alone is not enough: stories
//! made from a template (a state visitor's welcome ceremony, the annual
//! sessions' broadcast notices) share 80–96% of their shingles with the
//! same story of another year, and daily reports under one title (the
//! epidemic figures) up to 60% with the next day's; a story repeated the
//! next day shares all of them. The title, the week and 0.7 keep these
//! apart. Two one-sentence introductions of a daily series, the same but
//! for the day they name, share 79% and are folded (BENCHMARKS.md).
//!
//! Candidates are found by the title's hash and the week of the date, an
//! indexed term (`dup_title`, [`Sketch::key`]; an article dated less
//! precisely than a week, or undated, has its title's alone), so that a
//! title repeated every day for years (a daily round-up) costs a lookup of
//! a few weeks, not of years:
//! those committed (by earlier runs, or by this one's last commit) by
//! looking the term up in the index (their sketches made again from their
//! stored text), those added since in memory ([`Clusters`], about 600 bytes
//! an article, given back at each commit: at most `--commit-every`
//! articles' worth, 60 MB at the default 100,000). A new article joins
//! the cluster of its most similar near-duplicate; clusters are never
//! merged (the documents of earlier runs are not rewritten).

use std::collections::HashMap;

use crate::analysis::{fold_char, is_indexable};
use crate::record::Record;
use crate::schema::day_number;

/// Characters in a shingle.
pub const SHINGLE_CHARS: usize = 4;
/// Shingle hashes kept in a sketch.
pub const SKETCH_SIZE: usize = 128;
/// Least estimated Jaccard similarity of two near-duplicate bodies.
pub const MIN_SIMILARITY: f64 = 0.7;
/// Most days between the dates of two near-duplicates (when both are dated).
pub const MAX_DAYS_APART: i64 = 7;

/// What near-duplicates are judged by: the title's hash, the days the
/// article may be from, and a bottom-k sketch of its body's shingles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// A hash of the folded title (the `dup_title` term).
    pub title: u64,
    /// The first and last day the article may be from, as day numbers
    /// ([`day_number`]), if it is dated.
    pub days: Option<(i64, i64)>,
    /// The smallest distinct shingle hashes of the body, ascending, at most
    /// [`SKETCH_SIZE`] (boxed: exactly as long, for the thousands a run
    /// keeps).
    mins: Box<[u32]>,
}

impl Sketch {
    /// The sketch of an article.
    pub fn of(record: &Record) -> Sketch {
        let days = record
            .meta
            .date
            .as_ref()
            .map(|date| (day_number(date.first_day()), day_number(date.last_day())));
        Sketch::new(&record.title, &record.body, days)
    }

    /// The sketch of an article with this title, body and days.
    pub fn new(title: &str, body: &str, days: Option<(i64, i64)>) -> Sketch {
        let title = folded(title).fold(FNV_OFFSET, fnv);
        let mut mins = Mins::default();
        let mut window = [' '; SHINGLE_CHARS];
        let mut chars = 0usize;
        for c in folded(body) {
            window.rotate_left(1);
            window[SHINGLE_CHARS - 1] = c;
            chars += 1;
            if chars >= SHINGLE_CHARS {
                mins.push(shingle(&window));
            }
        }
        if (1..SHINGLE_CHARS).contains(&chars) {
            mins.push(shingle(&window[SHINGLE_CHARS - chars..]));
        }
        let hashes = mins.finish();
        Sketch {
            title,
            days,
            mins: hashes,
        }
    }

    /// The Jaccard similarity of the two bodies' shingles, estimated from
    /// the sketches: of the [`SKETCH_SIZE`] smallest hashes of both bodies
    /// together, the share found in both (exact when the bodies together
    /// have fewer).
    pub fn similarity(&self, other: &Sketch) -> f64 {
        let (a, b) = (&self.mins, &other.mins);
        if a.is_empty() && b.is_empty() {
            return 1.0;
        }
        let (mut i, mut j, mut taken, mut both) = (0, 0, 0usize, 0usize);
        while taken < SKETCH_SIZE && (i < a.len() || j < b.len()) {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => i += 1,
                (Some(_), None) => i += 1,
                _ => j += 1,
            }
            taken += 1;
        }
        both as f64 / taken as f64
    }

    /// Whether the dates allow the two to be one story: within
    /// [`MAX_DAYS_APART`] days, or either undated.
    pub fn close_in_time(&self, other: &Sketch) -> bool {
        days_close(self.days, other.days)
    }

    /// The `dup_title` term of the article: its title's hash with the week
    /// of its date when dated to a week or better, else with no week.
    pub fn key(&self) -> u64 {
        match self.precise() {
            Some((first, _)) => key(self.title, Some(first.div_euclid(7))),
            None => key(self.title, None),
        }
    }

    /// The `dup_title` terms of the articles that may be near-duplicates of
    /// this one: those of the weeks within [`MAX_DAYS_APART`] days of its
    /// date, and those with no week (an undated article, or one dated less
    /// precisely, looks up only those).
    pub fn lookup_keys(&self) -> Vec<u64> {
        let mut keys = vec![key(self.title, None)];
        if let Some((first, last)) = self.precise() {
            // A precise date spans at most 7 days, keyed by its first.
            let earliest = first - MAX_DAYS_APART - 6;
            let weeks = earliest.div_euclid(7)..=(last + MAX_DAYS_APART).div_euclid(7);
            keys.extend(weeks.map(|week| key(self.title, Some(week))));
        }
        keys
    }

    /// The days, when they are known to a week or better.
    fn precise(&self) -> Option<(i64, i64)> {
        self.days.filter(|(first, last)| last - first < 7)
    }

    /// Whether the two articles are near-duplicates (the module's doc).
    pub fn near(&self, other: &Sketch) -> bool {
        self.title == other.title
            && self.close_in_time(other)
            && self.similarity(other) >= MIN_SIMILARITY
    }
}

/// The smallest distinct hashes of a stream, in bounded memory (a huge
/// article has millions of shingles).
#[derive(Default)]
struct Mins {
    kept: Vec<u32>,
    /// Once [`SKETCH_SIZE`] are kept, the largest of them: larger hashes
    /// can never be among the smallest.
    above: Option<u32>,
}

impl Mins {
    fn push(&mut self, hash: u32) {
        if self.above.is_some_and(|above| hash >= above) {
            return;
        }
        self.kept.push(hash);
        if self.kept.len() >= 4 * SKETCH_SIZE {
            self.compact();
        }
    }

    fn compact(&mut self) {
        self.kept.sort_unstable();
        self.kept.dedup();
        self.kept.truncate(SKETCH_SIZE);
        if self.kept.len() == SKETCH_SIZE {
            self.above = self.kept.last().copied();
        }
    }

    fn finish(mut self) -> Box<[u32]> {
        self.compact();
        self.kept.into_boxed_slice()
    }
}

/// An article already given a cluster: its cluster and its sketch.
#[derive(Debug, Clone)]
pub struct Member {
    /// Its cluster id.
    pub cluster: u64,
    /// Its sketch.
    pub sketch: Sketch,
}

/// The articles of this run by title hash, to find a new article's
/// near-duplicates among them.
#[derive(Debug, Default)]
pub struct Clusters {
    by_title: HashMap<u64, Vec<Member>>,
}

impl Clusters {
    /// The cluster of a new article: that of its most similar
    /// near-duplicate among `earlier` (articles of earlier runs with its
    /// title) and this run's articles, else `own` (a new cluster). The
    /// article is remembered for the articles after it.
    pub fn assign(&mut self, sketch: Sketch, own: u64, earlier: &[Member]) -> u64 {
        let run = self
            .by_title
            .get(&sketch.title)
            .map_or(&[][..], Vec::as_slice);
        let cluster = earlier
            .iter()
            .chain(run)
            .filter(|m| m.sketch.title == sketch.title && m.sketch.close_in_time(&sketch))
            .map(|m| (m.sketch.similarity(&sketch), m.cluster))
            .filter(|&(similarity, _)| similarity >= MIN_SIMILARITY)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(own, |(_, cluster)| cluster);
        self.by_title
            .entry(sketch.title)
            .or_default()
            .push(Member { cluster, sketch });
        cluster
    }
}

/// Whether articles of these days (first and last, if dated) may be one
/// story: within [`MAX_DAYS_APART`] days, or either undated.
pub fn days_close(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> bool {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => a0.max(b0) - a1.min(b1) <= MAX_DAYS_APART,
        _ => true,
    }
}

/// A title's hash with a week (a day number divided by 7), or with none.
fn key(title: u64, week: Option<i64>) -> u64 {
    let week = week.map_or(u64::MAX, |w| w as u64);
    let mut h = title ^ week.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^= h >> 31;
    h.wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// The cluster id an article founding a cluster gets: a hash of its id.
pub fn own_cluster(id: &str) -> u64 {
    let bytes = blake3::hash(id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// The folded letters and digits of a text.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().map(fold_char).filter(|&c| is_indexable(c))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One step of FNV-1a over a character.
fn fnv(hash: u64, c: char) -> u64 {
    (hash ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// The hash of a shingle: FNV-1a over its characters, mixed (splitmix64's
/// finaliser) so that its top bits, which are kept, depend on every character.
fn shingle(chars: &[char]) -> u32 {
    let mut h = chars.iter().fold(FNV_OFFSET, |h, &c| fnv(h, c));
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A paragraph of the bundled corpus (corpus/003_…: 新会区's Party
    /// building and high-quality development).
    const STORY: &str = "答好新时代下高质量发展的考题，关键在于高质量的党建引领。近期，《新会区2023年以高质量党建推动高质量发展 凝聚冲刺千亿GDP强区合力的实施意见》（以下简称“《实施意见》”）正式印发，开展以“六提六增”为主要内容的高质量党建专项行动，为新会冲刺千亿GDP强区提供坚强政治保证。";

    fn day(y: i16, m: i8, d: i8) -> i64 {
        day_number(jiff::civil::date(y, m, d))
    }

    fn on(date: i64) -> Option<(i64, i64)> {
        Some((date, date))
    }

    #[test]
    fn a_repost_with_another_header_line_is_a_near_duplicate() {
        let a = Sketch::new("新会区高质量党建专项行动", STORY, on(day(2023, 5, 4)));
        let repost = format!("来源：江门日报 2023年5月6日\n{STORY}");
        let b = Sketch::new("新会区高质量党建专项行动", &repost, on(day(2023, 5, 6)));
        assert!(a.similarity(&b) >= MIN_SIMILARITY, "{}", a.similarity(&b));
        assert!(a.near(&b));
    }

    #[test]
    fn full_width_and_traditional_forms_fold_alike() {
        let a = Sketch::new(
            "新会区高质量党建",
            "新会区２０２３年ＧＤＰ增长，党建引领发展。",
            None,
        );
        let b = Sketch::new(
            "新會區高質量黨建",
            "新會區2023年gdp增長,黨建引領發展.",
            None,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn the_same_template_a_year_apart_is_not() {
        let a = Sketch::new("新会区高质量党建专项行动", STORY, on(day(2023, 5, 4)));
        let b = Sketch::new("新会区高质量党建专项行动", STORY, on(day(2024, 5, 4)));
        assert!(a.similarity(&b) == 1.0 && !a.near(&b));
    }

    #[test]
    fn another_title_is_not() {
        let a = Sketch::new("新会区高质量党建专项行动", STORY, None);
        let b = Sketch::new("新会区召开高质量发展大会", STORY, None);
        assert!(!a.near(&b));
    }

    #[test]
    fn a_different_story_on_the_same_topic_is_not() {
        let other = "近日，新会区召开党建工作会议，总结今年以来基层党组织建设情况，部署下一阶段重点任务，要求各镇街以高质量党建引领基层治理，推动乡村振兴取得新成效。";
        let a = Sketch::new("新会区高质量党建", STORY, None);
        let b = Sketch::new("新会区高质量党建", other, None);
        assert!(a.similarity(&b) < 0.3, "{}", a.similarity(&b));
        assert!(!a.near(&b));
    }

    #[test]
    fn a_year_precise_date_is_close_to_its_days() {
        let a = Sketch::new("t", STORY, Some((day(2023, 1, 1), day(2023, 12, 31))));
        let b = Sketch::new("t", STORY, on(day(2023, 7, 1)));
        let c = Sketch::new("t", STORY, on(day(2024, 3, 1)));
        assert!(a.near(&b) && !a.near(&c) && !b.near(&c));
    }

    #[test]
    fn the_estimate_is_close_to_the_exact_similarity_of_long_bodies() {
        // Two long bodies (hundreds of shingles) sharing half their
        // numbered sentences, cut from the story.
        let chars: Vec<char> = STORY.chars().collect();
        let sentences: Vec<String> = (0..40)
            .map(|i| {
                let cut: String = chars[(i % 7) * 10..(i % 7) * 10 + 40].iter().collect();
                format!("第{i}段：{cut}。")
            })
            .collect();
        let a: String = sentences[..30].concat();
        let b: String = sentences[10..].concat();
        let (sa, sb) = (Sketch::new("", &a, None), Sketch::new("", &b, None));
        let exact = {
            let set = |t: &str| -> std::collections::HashSet<Vec<char>> {
                let c: Vec<char> = folded(t).collect();
                c.windows(SHINGLE_CHARS).map(<[char]>::to_vec).collect()
            };
            let (x, y) = (set(&a), set(&b));
            x.intersection(&y).count() as f64 / x.union(&y).count() as f64
        };
        assert!(sa.mins.len() == SKETCH_SIZE);
        assert!((sa.similarity(&sb) - exact).abs() < 0.15, "{exact}");
    }

    #[test]
    fn an_article_looks_up_the_weeks_around_its_date() {
        let a = Sketch::new("新会区高质量党建", STORY, on(day(2023, 5, 4)));
        for d in [1, 4, 11] {
            let b = Sketch::new("新会区高质量党建", STORY, on(day(2023, 5, d)));
            assert!(a.lookup_keys().contains(&b.key()), "{d}");
        }
        let later = Sketch::new("新会区高质量党建", STORY, on(day(2023, 6, 4)));
        assert!(!a.lookup_keys().contains(&later.key()));
        let undated = Sketch::new("新会区高质量党建", STORY, None);
        let year = Sketch::new(
            "新会区高质量党建",
            STORY,
            Some((day(2023, 1, 1), day(2023, 12, 31))),
        );
        assert!(a.lookup_keys().contains(&undated.key()));
        assert_eq!(undated.key(), year.key());
        assert_eq!(undated.lookup_keys(), [undated.key()]);
    }

    #[test]
    fn a_new_article_joins_the_cluster_of_its_near_duplicate() {
        let mut clusters = Clusters::default();
        let first = Sketch::new("新会区高质量党建", STORY, on(day(2023, 5, 4)));
        let repost = Sketch::new(
            "新会区高质量党建",
            &format!("江门日报讯 {STORY}"),
            on(day(2023, 5, 5)),
        );
        let other = Sketch::new(
            "新会区高质量党建",
            "新会区召开党建工作会议，部署下一阶段重点任务。",
            on(day(2023, 5, 5)),
        );
        assert_eq!(clusters.assign(first, 1, &[]), 1);
        assert_eq!(clusters.assign(repost, 2, &[]), 1);
        assert_eq!(clusters.assign(other, 3, &[]), 3);
    }

    #[test]
    fn a_new_article_joins_a_cluster_of_an_earlier_run() {
        let mut clusters = Clusters::default();
        let earlier = Member {
            cluster: 9,
            sketch: Sketch::new("新会区高质量党建", STORY, None),
        };
        let repost = Sketch::new("新会区高质量党建", &format!("{STORY}（完）"), None);
        assert_eq!(clusters.assign(repost, 2, &[earlier]), 9);
    }
}
