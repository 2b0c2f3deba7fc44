//! One Aho-Corasick automaton over every place name, short form, town name and blocker
//! word, and the scan that turns a text into weighted hits.
//!
//! Matching is leftmost-longest: at each position the longest name wins, so 高明区 beats
//! 高明, 南沙群岛 beats 南沙 and the blocker 新会员 hides 新会. Patterns are valid UTF-8,
//! so every match starts and ends on a character boundary.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::data::{self, DataError, Divisions, NodeId};

/// How a pattern names a candidate place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CandKind {
    /// The full name of a province, city or county.
    Full,
    /// Its short form.
    Short,
    /// A town or sub-district inside the county `node`.
    Town,
}

/// One place a pattern may stand for.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cand {
    pub node: NodeId,
    pub kind: CandKind,
}

/// What one pattern of the automaton stands for.
#[derive(Debug)]
pub(super) struct Pattern {
    pub text: &'static str,
    cands: Range<u32>,
    /// A word that merely contains a place name (孙中山): matched to be ignored.
    pub blocker: bool,
    /// Listed in `common-words.txt`: the name needs backing from the text.
    pub common: bool,
}

/// A name found in a text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hit {
    pub pat: u32,
    pub start: u32,
    pub end: u32,
    /// 0 for the title, 1 for the body: adjacency only holds within one text.
    pub text: u8,
    pub weight: f32,
    pub in_title: bool,
    /// A different kind of place follows (南京路, 高明镇): short-form candidates are void.
    pub short_blocked: bool,
}

/// Weight of a name in the title.
pub(super) const TITLE_WEIGHT: f32 = 3.0;
/// Weight of a name in the first lines of the body.
pub(super) const LEAD_WEIGHT: f32 = 2.0;
/// Weight of a name elsewhere in the body.
pub(super) const BODY_WEIGHT: f32 = 1.0;
/// The lead is the first two non-empty lines of the body, at most this many bytes.
const LEAD_MAX_BYTES: usize = 600;

/// Characters that, right after a short form, make it the name of something else: a road
/// (南京路), a lane, a town (高明镇), a ship (中山舰, 长沙号).
const FOLLOW_BLOCK: [char; 5] = ['路', '巷', '镇', '舰', '号'];
/// Except when they start one of these words (广东路网, 北京路演).
const FOLLOW_BLOCK_EXCEPT: [&str; 8] = [
    "路线", "路径", "路网", "路况", "路演", "路上", "路费", "号召",
];

/// The automaton and what its patterns stand for.
pub(super) struct Matcher {
    ac: AhoCorasick,
    patterns: Vec<Pattern>,
    cands: Vec<Cand>,
}

impl Matcher {
    /// Builds the automaton from the places of `divisions` and the bundled town, common
    /// word and blocker lists.
    pub fn build(divisions: &Divisions) -> Result<Matcher, DataError> {
        let towns = data::parse_towns(data::TOWNS, divisions)?;
        let mut builder = Builder::default();
        for (id, node) in divisions.nodes.iter().enumerate() {
            builder.add(
                node.name,
                Cand {
                    node: id as NodeId,
                    kind: CandKind::Full,
                },
            );
            if let Some(short) = node.short {
                builder.add(
                    short,
                    Cand {
                        node: id as NodeId,
                        kind: CandKind::Short,
                    },
                );
            }
        }
        for (town, county) in towns {
            let cand = Cand {
                node: county,
                kind: CandKind::Town,
            };
            builder.add(town, cand);
            // 荷城街道 is often written 荷城街.
            if let Some(stem) = town.strip_suffix("街道").filter(|s| s.chars().count() >= 2) {
                builder.add(&town[..stem.len() + '街'.len_utf8()], cand);
            }
        }
        for (line, word) in words(data::BLOCKERS) {
            if builder.index.contains_key(word) {
                return Err(DataError::new(
                    line,
                    format!("blocker {word} is a place name"),
                ));
            }
            builder.index.insert(word, builder.lists.len());
            builder.lists.push((word, Vec::new(), true, false));
        }
        for (line, word) in words(data::COMMON_WORDS) {
            match builder.index.get(word) {
                Some(&i) if !builder.lists[i].2 => builder.lists[i].3 = true,
                _ => {
                    return Err(DataError::new(
                        line,
                        format!("common word {word} is no place name"),
                    ));
                }
            }
        }
        let mut patterns = Vec::with_capacity(builder.lists.len());
        let mut cands = Vec::new();
        for (text, list, blocker, common) in builder.lists {
            let start = cands.len() as u32;
            cands.extend(list);
            patterns.push(Pattern {
                text,
                cands: start..cands.len() as u32,
                blocker,
                common,
            });
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(patterns.iter().map(|p| p.text))
            .map_err(|e| DataError::new(0, format!("cannot build the name automaton: {e}")))?;
        Ok(Matcher {
            ac,
            patterns,
            cands,
        })
    }

    /// The pattern with id `pat`.
    pub fn pattern(&self, pat: u32) -> &Pattern {
        &self.patterns[pat as usize]
    }

    /// The places pattern `pat` may stand for.
    pub fn cands(&self, pat: u32) -> &[Cand] {
        let range = &self.patterns[pat as usize].cands;
        &self.cands[range.start as usize..range.end as usize]
    }

    /// Appends the names found in `text` to `hits`. The title (`text_id` 0) weighs
    /// [`TITLE_WEIGHT`]; the body's lead [`LEAD_WEIGHT`], the rest [`BODY_WEIGHT`].
    pub fn scan(&self, text: &str, text_id: u8, hits: &mut Vec<Hit>) {
        let lead_end = if text_id == 0 {
            text.len()
        } else {
            lead_end(text)
        };
        for m in self.ac.find_iter(text) {
            let pat = m.pattern().as_u32();
            let pattern = &self.patterns[pat as usize];
            let mut short_blocked = false;
            if !pattern.blocker {
                let after = &text[m.end()..];
                short_blocked = after.starts_with(FOLLOW_BLOCK)
                    && !FOLLOW_BLOCK_EXCEPT.iter().any(|w| after.starts_with(w));
                if short_blocked && self.cands(pat).iter().all(|c| c.kind == CandKind::Short) {
                    continue;
                }
            }
            let weight = match (text_id, m.start() < lead_end) {
                (0, _) => TITLE_WEIGHT,
                (_, true) => LEAD_WEIGHT,
                _ => BODY_WEIGHT,
            };
            hits.push(Hit {
                pat,
                start: m.start() as u32,
                end: m.end() as u32,
                text: text_id,
                weight,
                in_title: text_id == 0,
                short_blocked,
            });
        }
    }

    /// Number of patterns (names, short forms, towns and blockers).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.patterns.len()
    }
}

/// End of the body's lead: its first two non-empty lines, capped at [`LEAD_MAX_BYTES`].
fn lead_end(body: &str) -> usize {
    let mut lines = 0;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        offset += line.len();
        if !line.trim().is_empty() {
            lines += 1;
            if lines == 2 {
                break;
            }
        }
        if offset >= LEAD_MAX_BYTES {
            break;
        }
    }
    offset.min(LEAD_MAX_BYTES)
}

/// The whitespace-separated entries of a bundled list, with their line numbers.
fn words(text: &'static str) -> impl Iterator<Item = (usize, &'static str)> {
    data::data_lines(text).flat_map(|(line, row)| row.split_whitespace().map(move |w| (line, w)))
}

/// Collects patterns and their candidates, one entry per distinct text.
#[derive(Default)]
struct Builder {
    index: HashMap<&'static str, usize>,
    /// (text, candidates, blocker, common)
    lists: Vec<(&'static str, Vec<Cand>, bool, bool)>,
}

impl Builder {
    fn add(&mut self, text: &'static str, cand: Cand) {
        let i = *self.index.entry(text).or_insert_with(|| {
            self.lists.push((text, Vec::new(), false, false));
            self.lists.len() - 1
        });
        let list = &mut self.lists[i].1;
        if !list
            .iter()
            .any(|c| c.node == cand.node && c.kind == cand.kind)
        {
            list.push(cand);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> (&'static Divisions, &'static Matcher) {
        let g = super::super::Gazetteer::builtin();
        (&g.divisions, g.matcher())
    }

    fn names(text: &str) -> Vec<&'static str> {
        let (_, m) = matcher();
        let mut hits = Vec::new();
        m.scan(text, 1, &mut hits);
        hits.iter().map(|h| m.pattern(h.pat).text).collect()
    }

    #[test]
    fn longest_name_wins() {
        assert_eq!(
            names("佛山市高明区明城镇明阳村"),
            ["佛山市", "高明区", "明城镇"]
        );
        assert_eq!(names("守护南沙群岛的岛礁"), ["南沙群岛"]);
        assert_eq!(names("广州南沙"), ["广州", "南沙"]);
    }

    #[test]
    fn blockers_hide_the_names_inside_them() {
        assert_eq!(names("欢迎新会员加入"), ["新会员"]);
        assert_eq!(names("孙中山先生"), ["孙中山"]);
        let (_, m) = matcher();
        let mut hits = Vec::new();
        m.scan("这一招确实高明的地方在于", 1, &mut hits);
        assert!(hits.iter().all(|h| m.pattern(h.pat).blocker));
    }

    #[test]
    fn a_road_is_not_its_city() {
        // Short forms followed by 路 name a road, but 路网 does not.
        assert!(names("漫步南京路步行街").is_empty());
        assert_eq!(names("广东路网建设"), ["广东"]);
    }

    #[test]
    fn lead_and_title_weigh_more() {
        let (_, m) = matcher();
        let mut hits = Vec::new();
        m.scan("高明", 0, &mut hits);
        m.scan("佛山\n\n江门\n更多\n广州", 1, &mut hits);
        let weights: Vec<f32> = hits.iter().map(|h| h.weight).collect();
        assert_eq!(
            weights,
            [TITLE_WEIGHT, LEAD_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT]
        );
    }

    #[test]
    fn every_pattern_has_a_meaning() {
        let (_, m) = matcher();
        assert!(m.len() > 40_000, "{}", m.len());
        for (i, p) in m.patterns.iter().enumerate() {
            assert!(p.blocker != !m.cands(i as u32).is_empty(), "{}", p.text);
        }
    }
}
