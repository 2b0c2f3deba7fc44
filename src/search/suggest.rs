//! "Did you mean": for a query that finds little, the same query with a
//! word replaced by one of the index's words one character away (changed,
//! not added or dropped: 党建 → 党 is no spelling) that many more articles
//! hold: `乡村振新` (乡村 | 振新) → `乡村振兴`, `一代一路` → `一带一路`.
//!
//! The words are the query's words and those of their segmentation;
//! candidates come from the word field's dictionary, among the words that
//! start with the same character (a range of the dictionary, so that a
//! suggestion reads a few thousand terms, not the whole dictionary), the
//! five most held; of the texts they make, the one most articles hold
//! verbatim wins, if at least 3 and five times as many as the query's.

use std::collections::HashMap;

use crate::error::Result;
use crate::search::{Engine, Request};

/// A replacement must be held by this many times more articles than the
/// word it replaces (and by at least [`MIN_ARTICLES`]).
const MORE: u64 = 5;
/// A replacement must be held by at least this many articles.
const MIN_ARTICLES: u64 = 3;
/// At most this many neighbours of a word are tried.
const CANDIDATES: usize = 5;
/// At most this many words of a query are looked up.
const MAX_WORDS: usize = 8;
/// Words of the query longer than this are left alone.
const MAX_CHARS: usize = 12;

/// Whether `word` is a plain Chinese word of the query (not an operator,
/// a field filter, a phrase or a word with other characters).
fn plain(word: &str) -> bool {
    let chars = word.chars().count();
    (2..=MAX_CHARS).contains(&chars)
        && word
            .chars()
            .all(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}'))
}

impl Engine {
    /// `query` with, in each of its plain Chinese words, the word of the
    /// segmentation that has the best-held neighbour in the index replaced
    /// by it (`乡村振新`: 乡村 | 振新 → 振兴), or `None` when no word has one.
    pub fn suggest(&self, query: &str) -> Result<Option<String>> {
        let searcher = self.searcher();
        let field = self.zh.fields.body;
        // Articles holding each word starting with `first` (summed over segments).
        let words_from = |first: char| -> Result<HashMap<String, u64>> {
            let mut prefix = [0u8; 4];
            let prefix = first.encode_utf8(&mut prefix).as_bytes().to_vec();
            let mut end = prefix.clone();
            // The next prefix: the last byte of a UTF-8 character is below 0xBF.
            if let Some(last) = end.last_mut() {
                *last += 1;
            }
            let mut words: HashMap<String, u64> = HashMap::new();
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(field).map_err(|e| self.tantivy(e))?;
                let mut terms = index
                    .terms()
                    .range()
                    .ge(&prefix)
                    .lt(&end)
                    .into_stream()
                    .map_err(|e| self.tantivy(e.into()))?;
                while terms.advance() {
                    if let Ok(word) = std::str::from_utf8(terms.key()) {
                        *words.entry(word.to_string()).or_insert(0) +=
                            u64::from(terms.value().doc_freq);
                    }
                }
            }
            Ok(words)
        };
        // The neighbours of `word` that many more articles hold, best held first.
        let neighbours = |word: &str| -> Result<Vec<String>> {
            let Some(first) = word.chars().next() else {
                return Ok(Vec::new());
            };
            let words = words_from(first)?;
            let own = words.get(word).copied().unwrap_or(0);
            let chars = word.chars().count();
            let mut found: Vec<(&String, u64)> = words
                .iter()
                .filter(|(w, n)| {
                    **n >= MIN_ARTICLES.max(own * MORE)
                        && w.chars().count() == chars
                        && strsim::levenshtein(w, word) == 1
                })
                .map(|(w, &n)| (w, n))
                .collect();
            found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            Ok(found
                .into_iter()
                .take(CANDIDATES)
                .map(|(w, _)| w.clone())
                .collect())
        };
        // Articles holding `text` verbatim.
        let verbatim = |text: &str| -> Result<usize> {
            let mut request = Request::new(&format!("\"{text}\""));
            request.limit = 1;
            Ok(self.search(&request)?.total)
        };
        let mut changed = false;
        let mut looked = 0;
        let mut out: Vec<String> = Vec::new();
        for query_word in query.split_whitespace() {
            if !plain(query_word) || looked >= MAX_WORDS {
                out.push(query_word.to_string());
                continue;
            }
            // Each word of the segmentation, and the whole word (a word of
            // the index, maybe), may be replaced: the replacement held
            // verbatim by the most articles wins (生态文名: 生态文明, not
            // 生态文化, which holds a more frequent word).
            let whole = 0..query_word.len();
            let mut spans = Vec::new();
            spans.push(whole);
            spans.extend(
                self.zh
                    .analyzer
                    .words(query_word)
                    .into_iter()
                    .filter(|w| !w.part && w.text.chars().count() >= 2)
                    .map(|w| w.start..w.end)
                    .filter(|r| *r != (0..query_word.len())),
            );
            let own = verbatim(query_word)?;
            let mut best: Option<(String, usize)> = None;
            for span in spans {
                looked += 1;
                for with in neighbours(&query_word[span.clone()])? {
                    let text = format!(
                        "{}{with}{}",
                        &query_word[..span.start],
                        &query_word[span.end..]
                    );
                    let held = verbatim(&text)?;
                    if held >= MIN_ARTICLES.max(own as u64 * MORE) as usize
                        && best.as_ref().is_none_or(|b| held > b.1)
                    {
                        best = Some((text, held));
                    }
                }
            }
            match best {
                Some((text, _)) => {
                    changed = true;
                    out.push(text);
                }
                None => out.push(query_word.to_string()),
            }
        }
        Ok(changed.then(|| out.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_chinese_words_are_replaced() {
        assert!(plain("乡村振新"));
        assert!(!plain("乡"), "one character");
        assert!(!plain("-乡村"), "an exclusion");
        assert!(!plain("region:佛山"), "a filter");
        assert!(!plain("\"乡村\""), "a phrase");
        assert!(!plain("5G基站"), "mixed");
        assert!(!plain("ＡＢ"), "full-width Latin");
    }
}
