//! Near-synonyms: when no article has all the words of a query, a word's
//! near-synonym found as a word in a title counts as the word found
//! (李强会晤南非总统 finds the story titled 李强会见南非总统 first), weighing
//! less than the word itself ([`crate::search::plan`] says how much), when
//! they share a group small enough to have one sense
//! ([`Thesaurus::related_within`]); and a text of a few words also matches
//! the titles that have it with one word swapped for a near-synonym of any
//! group, even where articles have every word.
//!
//! Unlike a user's synonym file ([`crate::search::synonyms`]), whose groups
//! are interchangeable, a word may be in several groups here, and a word
//! stands for its own only: a near-synonym of a near-synonym is not one.
//!
//! ```
//! use zhsearch::search::thesaurus::Thesaurus;
//! let t = Thesaurus::parse("会见 会晤 会面\n举行 召开\n会晤 会谈\n");
//! assert_eq!(t.related("会晤"), ["会见", "会面", "会谈"]);
//! assert_eq!(t.related("會晤"), ["会见", "会面", "会谈"]);
//! assert!(t.related("会").is_empty());
//! assert!(t.related("发展").is_empty());
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{LazyLock, Mutex};

use crate::analysis::search_key;

/// Groups of near-synonyms, one per line of a text, looked up in the text
/// itself: a lookup scans it (about a quarter of a megabyte for the
/// built-in one: a fraction of a millisecond), so nothing is parsed before
/// the first; what a word was found to have is remembered.
#[derive(Debug, Default)]
pub struct Thesaurus {
    text: Cow<'static, str>,
    /// Words looked up, with their near-synonyms (byte ranges of `text`),
    /// each with the size of the smallest group it shares with the word.
    known: Mutex<HashMap<String, Vec<Related>>>,
}

/// A near-synonym: its byte range in the text, and the size of the
/// smallest group it shares with the word.
type Related = (Range<usize>, usize);

/// Words remembered at most; then the memory starts again.
const KNOWN_WORDS: usize = 4096;

impl Clone for Thesaurus {
    fn clone(&self) -> Thesaurus {
        Thesaurus::new(self.text.clone())
    }
}

impl Thesaurus {
    fn new(text: Cow<'static, str>) -> Thesaurus {
        Thesaurus {
            text,
            known: Mutex::default(),
        }
    }

    /// Groups, one per line, their words separated by spaces; a line
    /// starting with `#` is a comment. A word may be in several groups.
    /// Words are taken as written: in their searchable form (Simplified,
    /// no punctuation).
    pub fn parse(text: &str) -> Thesaurus {
        Thesaurus::new(Cow::Owned(text.to_string()))
    }

    /// The built-in near-synonyms: `data/thesaurus/thesaurus.txt`, the
    /// synonym groups of HIT's Cilin, extended edition, then
    /// `data/thesaurus/news.txt`, a hand-written supplement of the groups
    /// news and official Chinese uses that Cilin lacks (总理 首相, 措施 举措).
    pub fn builtin() -> &'static Thesaurus {
        static BUILTIN: LazyLock<Thesaurus> = LazyLock::new(|| {
            Thesaurus::new(Cow::Borrowed(concat!(
                include_str!("../../data/thesaurus/thesaurus.txt"),
                "\n",
                include_str!("../../data/thesaurus/news.txt"),
            )))
        });
        &BUILTIN
    }

    /// Whether it has no group (`--no-thesaurus`: [`Thesaurus::default`]).
    pub fn is_empty(&self) -> bool {
        let mut lines = self.text.lines().map(str::trim);
        !lines.any(|l| !l.is_empty() && !l.starts_with('#'))
    }

    /// The near-synonyms of `word` (not `word` itself), in the order of the
    /// text, each once.
    pub fn related(&self, word: &str) -> Vec<&str> {
        self.related_within(word, usize::MAX)
    }

    /// The near-synonyms of `word` that share with it a group of at most
    /// `words` words: the larger a group, the more senses it mixes (重要
    /// with 第一 and 根本).
    pub fn related_within(&self, word: &str, words: usize) -> Vec<&str> {
        let key = search_key(word);
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if !known.contains_key(&key) {
            if known.len() >= KNOWN_WORDS {
                known.clear();
            }
            let found = self.scan(&key);
            known.insert(key.clone(), found);
        }
        let within = known[&key].iter().filter(|(_, group)| *group <= words);
        within.map(|(r, _)| &self.text[r.clone()]).collect()
    }

    /// The byte ranges of the near-synonyms of `key`, read from the text,
    /// each with the size of the smallest group it shares with `key`.
    fn scan(&self, key: &str) -> Vec<Related> {
        let mut related: Vec<Related> = Vec::new();
        if key.is_empty() {
            return related;
        }
        let text: &str = &self.text;
        let bytes = text.as_bytes();
        // A lookup reads the whole text: memchr's SIMD search.
        for at in memchr::memmem::find_iter(bytes, key.as_bytes()) {
            let end = at + key.len();
            let starts = at == 0 || matches!(bytes[at - 1], b' ' | b'\n');
            let ends = end == bytes.len() || matches!(bytes[end], b' ' | b'\n' | b'\r');
            if !starts || !ends {
                continue;
            }
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            if text[line_start..line_end].starts_with('#') {
                continue;
            }
            let line = &text[line_start..line_end];
            let group = line.split(' ').filter(|w| !w.trim_end().is_empty()).count();
            let mut from = line_start;
            for other in line.split(' ') {
                let range = from..from + other.len();
                from = range.end + 1;
                let other = other.trim_end_matches('\r');
                let range = range.start..range.start + other.len();
                if other.is_empty() || other == key {
                    continue;
                }
                match related.iter_mut().find(|(r, _)| &text[r.clone()] == other) {
                    Some((_, size)) => *size = (*size).min(group),
                    None => related.push((range, group)),
                }
            }
        }
        related
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_thesaurus_has_the_issues_example_and_words_whole() {
        let t = Thesaurus::builtin();
        assert!(
            t.related("会晤").contains(&"会见"),
            "{:?}",
            t.related("会晤")
        );
        assert!(t.related("会见").contains(&"会晤"));
        // A word inside another is not that word.
        assert!(!t.related("会").contains(&"会晤"));
        assert!(t.related("").is_empty());
        assert!(t.related("习近平").is_empty());
    }

    #[test]
    fn the_builtin_thesaurus_has_the_news_supplement_after_cilin() {
        let t = Thesaurus::builtin();
        // Pairs Cilin lacks, from data/thesaurus/news.txt, in small groups.
        assert!(t.related_within("总理", 3).contains(&"首相"));
        assert!(t.related_within("举措", 3).contains(&"措施"));
        // Cilin's groups are still read, up to its last line.
        assert!(t.related("会晤").contains(&"会见"));
        let last = include_str!("../../data/thesaurus/thesaurus.txt")
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap();
        let words: Vec<&str> = last.split(' ').collect();
        assert!(t.related(words[0]).contains(&words[1]), "{last}");
    }

    #[test]
    fn a_word_shares_the_size_of_its_smallest_group_with_each_near_synonym() {
        let t = Thesaurus::parse("不断 持续 频频 连连\n持续 延续\n");
        assert_eq!(t.related("持续"), ["不断", "频频", "连连", "延续"]);
        assert_eq!(t.related_within("持续", 3), ["延续"]);
        assert_eq!(
            t.related_within("持续", 4),
            ["不断", "频频", "连连", "延续"]
        );
        assert!(t.related_within("不断", 3).is_empty());
        // Remembered words answer every limit.
        assert_eq!(t.related_within("不断", 4), ["持续", "频频", "连连"]);
    }

    #[test]
    fn a_near_synonym_in_two_groups_with_the_word_counts_the_smaller() {
        let t = Thesaurus::parse("不断 持续 频频 连连\n持续 不断\n");
        assert_eq!(t.related_within("持续", 2), ["不断"]);
        assert_eq!(t.related_within("持续", 4), ["不断", "频频", "连连"]);
    }

    #[test]
    fn comments_and_the_last_line_without_a_newline() {
        let t = Thesaurus::parse("# 会见 会晤\n举行 召开\n推进 推动");
        assert!(t.related("会见").is_empty());
        assert_eq!(t.related("推动"), ["推进"]);
        assert_eq!(t.related("召开"), ["举行"]);
    }
}
