//! jieba-rs behind [`Segmenter`]: its search mode, with the default
//! dictionary, a user's added to it, or only the words one query needs
//! ([`crate::analysis::dictionary`]); and its IDF table and part-of-speech
//! tags, for keywords.

use std::sync::LazyLock;

use jieba_rs::{Jieba, KeywordExtract, TfIdf};

use super::Segmenter;
use crate::analysis::dictionary::{self, UserDict};

/// Parts of speech that make useful facet keywords: nouns, names, places,
/// organisations, verbal nouns, idioms and abbreviations.
const KEYWORD_POS: &[&str] = &["n", "nr", "ns", "nt", "nz", "nw", "vn", "l", "j", "eng"];

/// jieba-rs's IDF table (its own, whatever the dictionary).
static TFIDF: LazyLock<TfIdf> = LazyLock::new(TfIdf::default);

/// jieba-rs in search mode, with HMM for words missing from the dictionary.
#[derive(Debug)]
pub struct JiebaSegmenter {
    jieba: Jieba,
    hmm: bool,
}

impl JiebaSegmenter {
    fn of(jieba: Jieba) -> JiebaSegmenter {
        JiebaSegmenter { jieba, hmm: true }
    }

    /// With jieba's default dictionary (about 100 ms to build).
    pub fn new() -> JiebaSegmenter {
        JiebaSegmenter::of(Jieba::new())
    }

    /// With the default dictionary, boxed (for the registry).
    pub fn boxed() -> Box<dyn Segmenter> {
        Box::new(JiebaSegmenter::new())
    }

    /// With the default dictionary plus `user`'s (normalised) lines.
    pub fn with_user_dict(user: &UserDict) -> Result<JiebaSegmenter, String> {
        let mut jieba = Jieba::new();
        jieba
            .load_dict(&mut user.lines.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(JiebaSegmenter::of(jieba))
    }

    /// For `text` (normalised) only: it segments `text`, and any part of
    /// it, as the full dictionary (plus `user`) does, in milliseconds.
    pub fn for_text(text: &str, user: Option<&UserDict>) -> JiebaSegmenter {
        JiebaSegmenter::of(dictionary::subset_once(text, user))
    }

    /// Whether words missing from the dictionary are found by HMM.
    pub fn hmm(&self) -> bool {
        self.hmm
    }
}

impl Default for JiebaSegmenter {
    fn default() -> Self {
        JiebaSegmenter::new()
    }
}

impl Segmenter for JiebaSegmenter {
    /// One pass of jieba's search mode gives words and parts: it emits, for
    /// each word of the precise segmentation, the dictionary words inside it
    /// (its 2- and 3-character sub-words) and then the word. A word is told
    /// from its sub-words by walking the tokens backwards: a token inside
    /// the word that follows it is a sub-word; any other token is the next
    /// word.
    fn segment(&self, text: &str, emit: &mut dyn FnMut(usize, usize, bool)) {
        let tokens = self.jieba.cut_for_search(text, self.hmm);
        let mut is_word = vec![false; tokens.len()];
        let mut enclosing: Option<(usize, usize)> = None;
        for (i, t) in tokens.iter().enumerate().rev() {
            match enclosing {
                Some((s, e)) if t.byte_start >= s && t.byte_end <= e => {}
                _ => {
                    is_word[i] = true;
                    enclosing = Some((t.byte_start, t.byte_end));
                }
            }
        }
        let mut group_start = 0;
        for (i, token) in tokens.iter().enumerate() {
            if !is_word[i] {
                continue;
            }
            emit(token.byte_start, token.byte_end, false);
            for sub in &tokens[group_start..i] {
                emit(sub.byte_start, sub.byte_end, true);
            }
            group_start = i + 1;
        }
    }

    /// jieba-rs keeps its IDF table private, but its TF-IDF weight of a
    /// one-word text is exactly that word's IDF (term frequency 1 of 1
    /// total), after the same length and part-of-speech filters as for a
    /// whole article.
    fn keyword_idf(&self, word: &str) -> Option<f64> {
        let pos = KEYWORD_POS.iter().map(|p| p.to_string()).collect();
        TFIDF
            .extract_keywords(&self.jieba, word, 1, pos)
            .into_iter()
            .find(|kw| kw.keyword == word)
            .map(|kw| kw.weight)
    }
}
