//! Finding place names in text: one Aho-Corasick automaton over every province, city and
//! county name, short form and blocker word, plus a lookup of town names at their
//! suffixes; and the scan that turns a text into weighted hits.
//!
//! Matching is leftmost-longest: at each position the longest name wins, so 高明区 beats
//! 高明, 南沙群岛 beats 南沙 and the blocker 新会员 hides 新会. Patterns are valid UTF-8,
//! so every match starts and ends on a character boundary. The text is searched in its
//! Simplified form ([`simplified`]), so names are folded the same way (乾龙镇 is matched
//! as 干龙镇, 濛江镇 as 蒙江镇) and shown as the gazetteer writes them.
//!
//! The ~47,000 town names are not in the automaton: that would make it ten times larger,
//! slower to build and slower to run. Every town name ends in 镇, 乡, 街道, 街 or 苏木, so
//! the scan finds those suffixes (a tiny automaton) and looks the preceding characters
//! up in a hash map, longest first. A town and an overlapping place name compete as in
//! leftmost-longest matching: the one that starts first wins.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::data::{self, DataError, Divisions, NodeId};
use crate::analysis::variants::simplified;

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
    /// The name as the gazetteer writes it.
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
    /// Place names, short forms and blockers: pattern ids `0..towns_from`.
    ac: AhoCorasick,
    /// Town-name suffixes (镇, 乡, 街, 苏木).
    town_suffixes: AhoCorasick,
    /// Town names (and 街 for 街道), folded, to their pattern id (`towns_from..`).
    towns: HashMap<Cow<'static, str>, u32>,
    /// Longest town name, in characters.
    town_max_chars: usize,
    patterns: Vec<Pattern>,
    cands: Vec<Cand>,
}

/// Suffixes every town name ends with (街 also stands for 街道).
const TOWN_SUFFIXES: [&str; 4] = ["镇", "乡", "街", "苏木"];

impl Matcher {
    /// Builds the automaton from the places of `divisions` and the bundled town, common
    /// word and blocker lists.
    pub fn build(divisions: &Divisions) -> Result<Matcher, DataError> {
        let places = Builder::places(divisions)?;
        let towns = Builder::towns(divisions)?;
        let towns_from = places.entries.len();
        let place_keys: Vec<Cow<'static, str>> =
            places.entries.iter().map(|e| e.key.clone()).collect();
        let town_keys: Vec<Cow<'static, str>> =
            towns.entries.iter().map(|e| e.key.clone()).collect();
        let mut patterns = Vec::with_capacity(towns_from + towns.entries.len());
        let mut cands = Vec::new();
        for entry in places.entries.into_iter().chain(towns.entries) {
            let start = cands.len() as u32;
            cands.extend(entry.cands);
            patterns.push(Pattern {
                text: entry.text,
                cands: start..cands.len() as u32,
                blocker: entry.blocker,
                common: entry.common,
            });
        }
        let build_error = |e: aho_corasick::BuildError| {
            DataError::new(0, format!("cannot build the name automaton: {e}"))
        };
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: about 13 MB and 25 ms more to build than the contiguous NFA, but
            // about 1.5 times faster on Chinese text, where the scan is most of the cost.
            .kind(Some(AhoCorasickKind::DFA))
            .build(place_keys.iter().map(|k| k.as_bytes()))
            .map_err(build_error)?;
        let town_suffixes = AhoCorasick::new(TOWN_SUFFIXES).map_err(build_error)?;
        let town_max_chars = patterns[towns_from..]
            .iter()
            .map(|p| p.text.chars().count())
            .max()
            .unwrap_or(0);
        let towns = town_keys
            .into_iter()
            .enumerate()
            .map(|(i, key)| (key, (towns_from + i) as u32))
            .collect();
        Ok(Matcher {
            ac,
            town_suffixes,
            towns,
            town_max_chars,
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

    /// Appends the names found in `text` to `hits`, in text order. The title (`text_id`
    /// 0) weighs [`TITLE_WEIGHT`]; the body's lead [`LEAD_WEIGHT`], the rest [`BODY_WEIGHT`].
    pub fn scan(&self, text: &str, text_id: u8, hits: &mut Vec<Hit>) {
        let lead_end = if text_id == 0 {
            text.len()
        } else {
            lead_end(text)
        };
        let weight = |start: usize| match (text_id, start < lead_end) {
            (0, _) => TITLE_WEIGHT,
            (_, true) => LEAD_WEIGHT,
            _ => BODY_WEIGHT,
        };
        let first = hits.len();
        for m in self.ac.find_iter(text) {
            let pat = m.pattern().as_u32();
            let mut short_blocked = false;
            if !self.patterns[pat as usize].blocker {
                let after = &text[m.end()..];
                short_blocked = after.starts_with(FOLLOW_BLOCK)
                    && !FOLLOW_BLOCK_EXCEPT.iter().any(|w| after.starts_with(w));
                if short_blocked && self.cands(pat).iter().all(|c| c.kind == CandKind::Short) {
                    continue;
                }
            }
            hits.push(Hit {
                pat,
                start: m.start() as u32,
                end: m.end() as u32,
                text: text_id,
                weight: weight(m.start()),
                in_title: text_id == 0,
                short_blocked,
            });
        }
        let places_end = hits.len();
        let mut last_town_end = 0;
        for m in self.town_suffixes.find_iter(text) {
            let Some((pat, start, end)) = self.town_ending_at(text, m.start(), m.end()) else {
                continue;
            };
            // Leftmost-longest against the place names: the one that starts first wins.
            let places = &hits[first..places_end];
            let i = places.partition_point(|h| (h.end as usize) <= start);
            if start < last_town_end || places.get(i).is_some_and(|h| (h.start as usize) < start) {
                continue;
            }
            last_town_end = end;
            hits.push(Hit {
                pat,
                start: start as u32,
                end: end as u32,
                text: text_id,
                weight: weight(start),
                in_title: text_id == 0,
                short_blocked: false,
            });
        }
        if hits.len() > places_end {
            // Drop the place names that a town covers, then restore text order.
            let towns: Vec<(u32, u32)> = hits[places_end..]
                .iter()
                .map(|h| (h.start, h.end))
                .collect();
            let mut j = 0;
            hits.retain(|h| {
                let keep = j < first
                    || j >= places_end
                    || !towns.iter().any(|&(s, e)| h.start < e && s < h.end);
                j += 1;
                keep
            });
            hits[first..].sort_by_key(|h| h.start);
        }
    }

    /// The longest town name that ends with the suffix at `suffix_start..suffix_end`
    /// (街 may be followed by 道): its pattern id and byte range.
    fn town_ending_at(
        &self,
        text: &str,
        suffix_start: usize,
        suffix_end: usize,
    ) -> Option<(u32, usize, usize)> {
        let mut ends = [suffix_end, suffix_end];
        if text[suffix_end..].starts_with('道') && &text[suffix_start..suffix_end] == "街" {
            ends[0] = suffix_end + '道'.len_utf8();
        }
        // Candidate starts, nearest first: up to `town_max_chars - 1` characters back.
        let mut starts = [0usize; 32];
        let mut n = 0;
        for (i, _) in text[..suffix_start]
            .char_indices()
            .rev()
            .take(self.town_max_chars.min(33) - 1)
        {
            starts[n] = i;
            n += 1;
        }
        // Longest first: 街道 before 街, the farthest start before the nearest.
        for end in ends {
            for &start in starts[..n].iter().rev() {
                if let Some(&pat) = self.towns.get(&text[start..end]) {
                    return Some((pat, start, end));
                }
            }
        }
        None
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

/// One pattern being collected: a distinct folded text and the places it may stand for.
struct Entry {
    /// The name as the gazetteer (or a list) writes it.
    text: &'static str,
    /// Its Simplified form, which the automaton matches.
    key: Cow<'static, str>,
    cands: Vec<Cand>,
    /// A word that merely contains a place name.
    blocker: bool,
    /// Listed in `common-words.txt`.
    common: bool,
}

/// Collects patterns and their candidates, one entry per distinct folded text.
#[derive(Default)]
struct Builder {
    index: HashMap<Cow<'static, str>, usize>,
    entries: Vec<Entry>,
}

impl Builder {
    /// Province, city and county names and short forms, then the blockers; the common
    /// words marked. Errors name the line of a blocker that is a place name, or of a
    /// common word that is none.
    fn places(divisions: &Divisions) -> Result<Builder, DataError> {
        let mut places = Builder::default();
        for (id, node) in divisions.nodes.iter().enumerate() {
            let node_id = id as NodeId;
            places.add(
                node.name,
                Cand {
                    node: node_id,
                    kind: CandKind::Full,
                },
            );
            if let Some(short) = node.short {
                places.add(
                    short,
                    Cand {
                        node: node_id,
                        kind: CandKind::Short,
                    },
                );
            }
        }
        for (line, word) in words(data::BLOCKERS) {
            let key = simplified(word);
            if places.index.contains_key(&key) {
                return Err(DataError::new(
                    line,
                    format!("blocker {word} is a place name"),
                ));
            }
            places.push(word, key).blocker = true;
        }
        for (line, word) in words(data::COMMON_WORDS) {
            match places.index.get(&simplified(word)) {
                Some(&i) if !places.entries[i].blocker => places.entries[i].common = true,
                _ => {
                    return Err(DataError::new(
                        line,
                        format!("common word {word} is no place name"),
                    ));
                }
            }
        }
        Ok(places)
    }

    /// Town and sub-district names, each standing for its county; 荷城街道 also as 荷城街.
    fn towns(divisions: &Divisions) -> Result<Builder, DataError> {
        let mut towns = Builder::default();
        for (town, county) in data::parse_towns(data::TOWNS, divisions)? {
            let cand = Cand {
                node: county,
                kind: CandKind::Town,
            };
            towns.add(town, cand);
            // 荷城街道 is often written 荷城街.
            if let Some(stem) = town.strip_suffix("街道").filter(|s| s.chars().count() >= 2) {
                towns.add(&town[..stem.len() + '街'.len_utf8()], cand);
            }
        }
        Ok(towns)
    }

    /// A new entry for `text`, folded as `key`.
    fn push(&mut self, text: &'static str, key: Cow<'static, str>) -> &mut Entry {
        self.index.insert(key.clone(), self.entries.len());
        self.entries.push(Entry {
            text,
            key,
            cands: Vec::new(),
            blocker: false,
            common: false,
        });
        self.entries.last_mut().expect("just pushed")
    }

    /// Adds `cand` to the entry for `text`, made if it is new.
    fn add(&mut self, text: &'static str, cand: Cand) {
        let key = simplified(text);
        let entry = match self.index.get(&key) {
            Some(&i) => &mut self.entries[i],
            None => self.push(text, key),
        };
        if !entry
            .cands
            .iter()
            .any(|c| c.node == cand.node && c.kind == cand.kind)
        {
            entry.cands.push(cand);
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
            assert!(p.blocker == m.cands(i as u32).is_empty(), "{}", p.text);
        }
    }
}
