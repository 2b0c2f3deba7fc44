//! Highlights and snippets, computed on the original text.
//!
//! tantivy's `SnippetGenerator` counts its length in bytes, returns one
//! fragment, highlights terms rather than phrases, and has panicked on
//! overlapping tokens. zhsearch finds matches itself instead: a needle (a
//! query word or phrase, in its searchable form) matches wherever the
//! searchable form of the text contains it, exactly like the n-gram index
//! does, so highlights cover exactly the characters that matched, phrases
//! included, and never punctuation between them. Snippets are cut on
//! character boundaries and measured in characters.

use std::ops::Range;

use serde::Serialize;

use crate::analysis::KeyMap;

/// A match of one needle, as a range of key characters.
#[derive(Debug, Clone, Copy)]
struct Match {
    /// Index of the first key character.
    start: usize,
    /// Index after the last key character.
    end: usize,
    /// Which needle matched.
    needle: usize,
}

/// A part of a text to find matches in: all of it, or an excerpt (some
/// pages of a long article, [`crate::indexer::pages`]).
#[derive(Debug, Clone, Copy)]
pub struct Excerpt<'t> {
    /// The excerpt's text.
    pub text: &'t str,
    /// Whether it starts the whole text.
    pub starts_text: bool,
    /// Whether it ends the whole text.
    pub ends_text: bool,
}

/// One excerpt with its key and the matches in it.
struct Part<'t> {
    excerpt: Excerpt<'t>,
    map: KeyMap,
    matches: Vec<Match>,
}

impl Part<'_> {
    /// Byte ranges of the excerpt to highlight within `window`, in order and
    /// disjoint: every matched character, with runs split where unmatched
    /// characters (punctuation, spaces) lie between matched ones.
    fn ranges_within(&self, window: Range<usize>) -> Vec<Range<usize>> {
        let mut marked = vec![false; self.map.chars.len()];
        for m in &self.matches {
            for flag in &mut marked[m.start..m.end] {
                *flag = true;
            }
        }
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for (kc, &on) in self.map.chars.iter().zip(&marked) {
            let (start, end) = (kc.start as usize, kc.end as usize);
            // A break (empty) is never highlighted: the punctuation it
            // stands for was not matched.
            if !on || start == end || start < window.start || end > window.end {
                continue;
            }
            match ranges.last_mut() {
                Some(last) if last.end == start => last.end = end,
                _ => ranges.push(start..end),
            }
        }
        ranges
    }
}

/// Where the needles occur in a text, or in excerpts of it.
pub struct Matches<'t> {
    parts: Vec<Part<'t>>,
    needles: usize,
}

/// A match in characters of its excerpt: part, first character, the
/// character after the last, needle.
#[derive(Debug, Clone, Copy)]
struct Span {
    part: usize,
    start: usize,
    end: usize,
    needle: usize,
}

/// A window of a snippet: part, first character, the character after the last.
type Window = (usize, usize, usize);

impl<'t> Matches<'t> {
    /// Finds every occurrence (overlapping ones too) of each needle in `text`.
    /// Needles must be in searchable form ([`crate::analysis::search_key`]).
    pub fn find(text: &'t str, needles: &[String]) -> Self {
        let whole = Excerpt {
            text,
            starts_text: true,
            ends_text: true,
        };
        Self::find_in(&[whole], needles)
    }

    /// Finds every occurrence of each needle in each excerpt (none across
    /// two). The snippet's passages are taken from the excerpts, in order.
    pub fn find_in(excerpts: &[Excerpt<'t>], needles: &[String]) -> Self {
        let parts = excerpts
            .iter()
            .map(|&excerpt| {
                let map = KeyMap::of(excerpt.text);
                let matches = find_matches(&map, needles);
                Part {
                    excerpt,
                    map,
                    matches,
                }
            })
            .collect();
        Matches {
            parts,
            needles: needles.len(),
        }
    }

    /// Whether anything matched.
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| p.matches.is_empty())
    }

    /// Byte ranges of the text ([`Matches::find`]; of the first excerpt with
    /// [`Matches::find_in`]) to highlight, in order and disjoint: every
    /// matched character, with runs split where unmatched characters
    /// (punctuation, spaces) lie between matched ones.
    pub fn ranges(&self) -> Vec<Range<usize>> {
        self.parts
            .first()
            .map_or_else(Vec::new, |p| p.ranges_within(0..p.excerpt.text.len()))
    }

    /// The best passages of about `max_chars` characters in all, at most
    /// `max_fragments` of them, with highlights. Without matches, the start
    /// of the (first excerpt of the) text.
    pub fn snippet(&self, max_chars: usize, max_fragments: usize) -> Snippet {
        let max_chars = max_chars.max(10);
        let starts: Vec<Vec<usize>> = self
            .parts
            .iter()
            .map(|p| p.excerpt.text.char_indices().map(|(i, _)| i).collect())
            .collect();
        let total = |part: usize| starts[part].len();
        if self.is_empty() || self.parts.iter().all(|p| p.excerpt.text.is_empty()) {
            let windows = if self.parts.is_empty() {
                Vec::new()
            } else {
                vec![(0, 0, total(0).min(max_chars))]
            };
            return build(&self.parts, &windows, &[], &starts);
        }
        let spans = self.spans(&starts);
        let mut windows = self.windows(&spans, &starts, max_chars, max_fragments);
        // A single window gets the whole budget, if its excerpt has it.
        if let [(part, start, end)] = windows[..]
            && end - start < max_chars
        {
            let end = (start + max_chars).min(total(part));
            let start = end.saturating_sub(max_chars).min(start);
            windows[0] = (part, start, end);
        }
        windows.sort_unstable();
        let ranges: Vec<Vec<Range<usize>>> = self
            .parts
            .iter()
            .map(|p| p.ranges_within(0..p.excerpt.text.len()))
            .collect();
        build(&self.parts, &windows, &ranges, &starts)
    }

    /// Each match as characters of its excerpt (its first and last key
    /// character); `starts` holds each excerpt's character starts.
    fn spans(&self, starts: &[Vec<usize>]) -> Vec<Span> {
        self.parts
            .iter()
            .enumerate()
            .flat_map(|(part, p)| {
                let starts = &starts[part];
                let char_of = move |byte: u32| starts.partition_point(|&b| b < byte as usize);
                p.matches.iter().map(move |m| Span {
                    part,
                    start: char_of(p.map.chars[m.start].start),
                    end: char_of(p.map.chars[m.end - 1].start) + 1,
                    needle: m.needle,
                })
            })
            .collect()
    }

    /// Up to `max_fragments` windows of at most `max_chars` characters in
    /// all, chosen greedily: each the best-scoring one around a match of a
    /// needle not yet covered, overlapping none chosen before.
    fn windows(
        &self,
        spans: &[Span],
        starts: &[Vec<usize>],
        max_chars: usize,
        max_fragments: usize,
    ) -> Vec<Window> {
        let total = |part: usize| starts[part].len();
        let per_fragment = if max_fragments > 1 && self.needles > 1 {
            max_chars / 2
        } else {
            max_chars
        };
        let mut windows: Vec<Window> = Vec::new();
        let mut covered = vec![false; self.needles];
        for _ in 0..max_fragments.max(1) {
            let used: usize = windows.iter().map(|w| w.2 - w.1).sum();
            let budget = if windows.is_empty() {
                per_fragment
            } else {
                max_chars - used
            };
            if budget < 10 {
                break;
            }
            let best = spans
                .iter()
                .filter(|s| windows.is_empty() || !covered[s.needle])
                .map(|s| {
                    let text = self.parts[s.part].excerpt.text;
                    let start = place(s.start, budget, total(s.part), text, &starts[s.part]);
                    let end = (start + budget).min(total(s.part));
                    let window = (s.part, start, end);
                    (score(spans, window, &covered), window)
                })
                .filter(|&(_, (part, start, end))| {
                    windows
                        .iter()
                        .all(|w| w.0 != part || end <= w.1 || start >= w.2)
                })
                .max_by_key(|&(score, (part, start, _))| (score, std::cmp::Reverse((part, start))));
            let Some((_, window)) = best else { break };
            for s in spans {
                if s.part == window.0 && s.start >= window.1 && s.end <= window.2 {
                    covered[s.needle] = true;
                }
            }
            windows.push(window);
            if covered.iter().all(|&c| c) {
                break;
            }
        }
        windows
    }
}

/// Every occurrence (overlapping ones too) of each needle in a key, in order.
fn find_matches(map: &KeyMap, needles: &[String]) -> Vec<Match> {
    let mut matches = Vec::new();
    for (i, needle) in needles.iter().enumerate() {
        if needle.is_empty() {
            continue;
        }
        let len = needle.chars().count();
        let mut from = 0;
        while let Some(found) = map.key[from..].find(needle.as_str()) {
            let byte = from + found;
            let start = map.char_index(byte);
            matches.push(Match {
                start,
                end: start + len,
                needle: i,
            });
            // Step one character, so that overlapping matches count.
            from = byte + map.key[byte..].chars().next().map_or(1, char::len_utf8);
        }
    }
    matches.sort_by_key(|m| (m.start, m.end));
    matches
}

/// Scores a window: distinct needles first, then matched characters.
fn score(spans: &[Span], (part, start, end): Window, covered: &[bool]) -> usize {
    let mut seen = vec![false; covered.len()];
    let mut chars = 0;
    for s in spans {
        if s.part == part && s.start >= start && s.end <= end {
            seen[s.needle] = true;
            chars += s.end - s.start;
        }
    }
    let fresh = seen
        .iter()
        .zip(covered)
        .filter(|(s, c)| **s && !**c)
        .count();
    let distinct = seen.iter().filter(|&&s| s).count();
    fresh * 10_000 + distinct * 1_000 + chars
}

/// Where a window of `len` characters around a match at character `at`
/// starts: a little context before the match, at a sentence start if one is
/// close.
fn place(at: usize, len: usize, total: usize, text: &str, starts: &[usize]) -> usize {
    let context = len / 5;
    let earliest = at.saturating_sub(context);
    // A sentence boundary between `earliest` and `at` makes a cleaner start.
    let mut start = earliest;
    for ci in (earliest..at).rev() {
        let c = text[starts[ci]..].chars().next().unwrap_or(' ');
        if matches!(c, '。' | '！' | '？' | '；' | '\n' | '!' | '?') {
            start = ci + 1;
            break;
        }
    }
    // Skip leading whitespace.
    while start < at && text[starts[start]..].starts_with(char::is_whitespace) {
        start += 1;
    }
    start.min(total.saturating_sub(1))
}

/// Builds the snippet text from windows of character indices in the parts.
fn build(
    parts: &[Part],
    windows: &[Window],
    ranges: &[Vec<Range<usize>>],
    starts: &[Vec<usize>],
) -> Snippet {
    let mut out = String::new();
    let mut highlights: Vec<Range<usize>> = Vec::new();
    for (i, &(part, start, end)) in windows.iter().enumerate() {
        let Excerpt {
            text,
            starts_text,
            ends_text,
        } = parts[part].excerpt;
        let starts = &starts[part];
        let ranges = ranges.get(part).map_or(&[][..], Vec::as_slice);
        let byte_at = |ci: usize| starts.get(ci).copied().unwrap_or(text.len());
        let (from, to) = (byte_at(start), byte_at(end));
        let sentence_start = if start == 0 {
            starts_text
        } else {
            text[..from]
                .chars()
                .next_back()
                .is_some_and(|c| matches!(c, '。' | '！' | '？' | '\n' | '!' | '?'))
        };
        if i > 0 {
            out.push_str(" … ");
        } else if !sentence_start {
            out.push('…');
        }
        let mut in_space = false;
        for (offset, c) in text[from..to].char_indices() {
            let at = from + offset;
            if c.is_whitespace() {
                if !in_space && !out.is_empty() && !out.ends_with(['…', ' ']) {
                    out.push(' ');
                }
                in_space = true;
                continue;
            }
            in_space = false;
            let lit = ranges.iter().any(|r| r.start <= at && at < r.end);
            let here = out.len();
            out.push(c);
            if lit {
                match highlights.last_mut() {
                    Some(last) if last.end == here => last.end = out.len(),
                    _ => highlights.push(here..out.len()),
                }
            }
        }
        if end < starts.len() || !ends_text {
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('…');
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    Snippet {
        text: out,
        highlights,
    }
}

/// A passage of text with highlighted ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The passage(s), joined by ` … `, whitespace collapsed.
    pub text: String,
    /// Byte ranges of `text` to highlight, in order and disjoint.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The highlights as character offsets into `text`, for JSON output.
    pub fn char_highlights(&self) -> Vec<[usize; 2]> {
        self.highlights
            .iter()
            .map(|r| {
                let start = self.text[..r.start].chars().count();
                [start, start + self.text[r.clone()].chars().count()]
            })
            .collect()
    }

    /// The snippet cut to at most `max_chars` characters and `…`, for
    /// display: at the last clause boundary (a comma, semicolon, colon or
    /// space) in the second half of the limit if there is one, else at the
    /// limit. Highlights past the cut are dropped; one across it is cut
    /// short. A snippet within the limit is returned as it is.
    pub fn shortened(&self, max_chars: usize) -> Snippet {
        let Some((limit, _)) = self.text.char_indices().nth(max_chars) else {
            return self.clone();
        };
        let head = &self.text[..limit];
        let cut = head
            .char_indices()
            .filter(|&(_, c)| {
                matches!(c, '，' | ',' | '；' | ';' | '、' | '：' | ':') || c.is_whitespace()
            })
            .map(|(i, _)| i)
            .rfind(|&i| head[..i].chars().count() >= max_chars / 2)
            .unwrap_or(limit);
        let mut text = head[..cut].trim_end().to_string();
        let end = text.len();
        text.push('…');
        let highlights = self
            .highlights
            .iter()
            .filter(|r| r.start < end)
            .map(|r| r.start..r.end.min(end))
            .collect();
        Snippet { text, highlights }
    }

    /// The text with highlights between `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 8 * self.highlights.len());
        let mut last = 0;
        for r in &self.highlights {
            out.push_str(&self.text[last..r.start]);
            out.push_str(open);
            out.push_str(&self.text[r.clone()]);
            out.push_str(close);
            last = r.end;
        }
        out.push_str(&self.text[last..]);
        out
    }
}

/// A whole short text (such as a title) with its highlights.
pub fn highlight_all(text: &str, needles: &[String]) -> Snippet {
    let matches = Matches::find(text, needles);
    Snippet {
        text: text.to_string(),
        highlights: matches.ranges(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::search_key;
    use proptest::prelude::*;

    fn needles(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| search_key(w)).collect()
    }

    #[test]
    fn highlights_cover_exactly_the_matched_characters() {
        let text = "高明区，２０２３年GDP增长；党建，引领发展";
        let m = Matches::find(text, &needles(&["2023", "gdp", "党建。引领"]));
        let lit: Vec<&str> = m.ranges().iter().map(|r| &text[r.clone()]).collect();
        // A phrase with punctuation in it matches across the text's comma,
        // which stays unlit.
        assert_eq!(lit, ["２０２３", "GDP", "党建", "引领"]);
        // Without, it does not: the text has no 党建引领, as the index says.
        assert!(Matches::find(text, &needles(&["党建引领"])).is_empty());
    }

    #[test]
    fn overlapping_matches_are_all_lit() {
        let m = Matches::find("啊啊啊", &needles(&["啊啊"]));
        assert_eq!(m.ranges(), vec![(0..9)]);
    }

    #[test]
    fn snippet_is_measured_in_characters_and_marks_matches() {
        let text = include_str!("../../corpus/002_6bc2cfcd6b5cfc07.txt");
        let m = Matches::find(text, &needles(&["尖刀班"]));
        let s = m.snippet(60, 1);
        assert!(s.text.chars().count() <= 62, "{}", s.text);
        assert!(
            s.marked("[", "]").contains("[尖刀班]"),
            "{}",
            s.marked("[", "]")
        );
        assert_eq!(s.char_highlights().len(), s.highlights.len());
    }

    #[test]
    fn several_needles_get_several_fragments() {
        let text = include_str!("../../corpus/003_8f3e609361c084a5.txt");
        let m = Matches::find(text, &needles(&["首善", "圭峰人才专家村"]));
        let s = m.snippet(120, 2);
        let marked = s.marked("[", "]");
        assert!(
            marked.contains("[首善]") && marked.contains("[圭峰人才专家村]"),
            "{marked}"
        );
        assert!(marked.contains(" … "), "{marked}");
    }

    #[test]
    fn shortened_cuts_at_a_clause_boundary_and_keeps_highlights_before_it() {
        // Chinese, full-width and mixed text, highlighted.
        let title =
            "２０２３年高明区GDP增长５．５％，党建引领高质量发展；乡村振兴全面推进，荷城街道";
        let ns = needles(&["高明", "gdp", "党建", "荷城"]);
        let s = highlight_all(title, &ns).shortened(30);
        assert_eq!(
            s.text,
            "２０２３年高明区GDP增长５．５％，党建引领高质量发展…"
        );
        assert_eq!(
            s.marked("[", "]"),
            "２０２３年[高明]区[GDP]增长５．５％，[党建]引领高质量发展…"
        );
        // Without a boundary in the second half: at the limit.
        let s = highlight_all(title, &ns).shortened(12);
        assert_eq!(s.marked("[", "]"), "２０２３年[高明]区[GDP]增…");
        // A highlight across the cut is cut short.
        let s = highlight_all("高明区党建引领", &needles(&["党建引领"])).shortened(4);
        assert_eq!(s.marked("[", "]"), "高明区[党]…");
        // Within the limit: unchanged.
        let s = highlight_all(title, &ns);
        assert_eq!(s.shortened(title.chars().count()), s);
    }

    #[test]
    fn no_match_gives_the_start_of_the_text() {
        let s = Matches::find("第一句。第二句。", &needles(&["无"])).snippet(100, 2);
        assert_eq!(s.text, "第一句。第二句。");
        assert!(s.highlights.is_empty());
    }

    fn check(
        text: &str,
        needles: &[String],
        len: usize,
        fragments: usize,
    ) -> Result<(), TestCaseError> {
        let m = Matches::find(text, needles);
        for r in m.ranges() {
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            // Every lit character is part of some needle's match.
            prop_assert!(
                search_key(&text[r.clone()]).chars().count() == text[r.clone()].chars().count()
            );
        }
        let s = m.snippet(len, fragments);
        for r in &s.highlights {
            prop_assert!(s.text.is_char_boundary(r.start) && s.text.is_char_boundary(r.end));
            let lit = &s.text[r.clone()];
            prop_assert!(!lit.is_empty());
            prop_assert!(
                needles.iter().any(|n| !n.is_empty()
                    && (n.contains(&search_key(lit)) || search_key(lit).contains(n.as_str()))),
                "{lit:?} is not part of a needle {needles:?}"
            );
        }
        // Content characters, not the ellipses and separators, fit the budget.
        let content = s.text.chars().filter(|c| *c != '…').count();
        prop_assert!(
            content <= len.max(10) + 3 * fragments,
            "{} > {len}: {}",
            content,
            s.text
        );
        Ok(())
    }

    #[test]
    fn bundled_corpus_snippets_at_many_lengths() {
        for text in [
            include_str!("../../corpus/000_e19cf532170f2a3e.txt"),
            include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
            include_str!("../../corpus/004_ec023b9238a4b3cd.txt"),
        ] {
            let ns = needles(&["高明", "党建", "高质量发展", "禅城", "，", "0757", "陈皮"]);
            for len in [0, 1, 5, 10, 17, 30, 64, 100, 150, 400, 10_000] {
                for fragments in [1, 2, 3] {
                    check(text, &ns, len, fragments).unwrap();
                }
            }
        }
    }

    proptest! {
        #[test]
        fn random_text_never_panics(
            text in "[党建高明区，。 a-zA-Z0-9\\n１２Ａ]{0,80}|\\PC{0,80}",
            words in proptest::collection::vec("[党建高明区a-z1２]{1,3}", 0..4),
            len in 0usize..120,
            fragments in 1usize..4,
        ) {
            let ns: Vec<String> = words.iter().map(|w| search_key(w)).collect();
            check(&text, &ns, len, fragments)?;
        }
    }
}
