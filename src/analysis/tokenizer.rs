//! The tantivy side of analysis: [`WordTokenizer`] and [`GramTokenizer`].
//!
//! Both reuse their buffers from one text to the next: a tokenizer is cloned
//! once per indexing thread and then tokenizes every document that thread
//! sees, so nothing on the hot path allocates per token.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Analyzer;
use super::normalize::{Normalized, breaks_run, fold_char, is_indexable};

/// A word found in the normalised text: byte range and position.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
    position: u32,
}

/// jieba words, with sub-words at their word's position (see the module doc
/// of [`crate::analysis`]).
#[derive(Clone)]
pub struct WordTokenizer {
    analyzer: Arc<Analyzer>,
    normalized: Normalized,
    spans: Vec<Span>,
}

impl WordTokenizer {
    /// A tokenizer segmenting with `analyzer`.
    pub fn new(analyzer: Arc<Analyzer>) -> Self {
        WordTokenizer {
            analyzer,
            normalized: Normalized::default(),
            spans: Vec::new(),
        }
    }
}

/// The token stream of a [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    normalized: &'a Normalized,
    spans: std::slice::Iter<'a, Span>,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.normalized.normalize(text);
        self.spans.clear();
        let spans = &mut self.spans;
        self.analyzer
            .segment(self.normalized.text(), |start, end, position, _| {
                spans.push(Span {
                    start: start as u32,
                    end: end as u32,
                    position: position as u32,
                })
            });
        WordTokenStream {
            normalized: &self.normalized,
            spans: self.spans.iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.next() else {
            return false;
        };
        let (start, end) = (span.start as usize, span.end as usize);
        self.token.text.clear();
        self.token
            .text
            .push_str(&self.normalized.text()[start..end]);
        self.token.offset_from = self.normalized.original_offset(start);
        self.token.offset_to = self.normalized.original_offset(end);
        self.token.position = span.position as usize;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A tokenizer keeps its buffers for the next text up to this size.
const KEPT_BYTES: usize = 4 << 20;

/// Separates the words of a pre-segmented text.
const NEXT_WORD: char = '\u{1F}';
/// Separates a word from a part of it at the same position.
const SAME_POSITION: char = '\u{1E}';

impl WordTokenizer {
    /// Segments `text` and appends its words to `out` in the form that
    /// [`PresegmentedTokenizer`] reads back: words separated by U+001F, the
    /// parts of a word after it, separated by U+001E. Neither separator can
    /// be part of a word (control characters are not indexed).
    ///
    /// The indexer segments each text once, in its own worker threads, and
    /// uses the words both for the index (through this form) and for
    /// keywords. Handing tantivy a `PreTokenizedString` instead would
    /// serialise every token to JSON and back (16 times the text's size).
    ///
    /// The words go straight to `out`, so a long text costs its normalised
    /// copy and `out`, not a token per word.
    pub fn presegment(&mut self, text: &str, out: &mut String) {
        self.normalized.normalize(text);
        let normalized = self.normalized.text();
        let mut last = usize::MAX;
        self.analyzer
            .segment(normalized, |start, end, position, _| {
                if position == last {
                    out.push(SAME_POSITION);
                } else if last != usize::MAX {
                    out.push(NEXT_WORD);
                }
                last = position;
                out.push_str(&normalized[start..end]);
            });
        // Do not keep a long text's copy for the next, short ones.
        if text.len() > KEPT_BYTES {
            self.normalized = Normalized::default();
        }
    }
}

/// The words of a pre-segmented text (not their parts).
pub fn presegmented_words(presegmented: &str) -> impl Iterator<Item = &str> {
    presegmented
        .split(NEXT_WORD)
        .map(|w| w.split(SAME_POSITION).next().unwrap_or(w))
        .filter(|w| !w.is_empty())
}

/// Reads back what [`WordTokenizer::presegment`] wrote, without segmenting
/// again: the tokenizer of the word fields at index time.
#[derive(Clone, Default)]
pub struct PresegmentedTokenizer;

/// The token stream of a [`PresegmentedTokenizer`].
pub struct PresegmentedStream<'a> {
    text: &'a str,
    offset: usize,
    position: usize,
    started: bool,
    token: Token,
}

impl Tokenizer for PresegmentedTokenizer {
    type TokenStream<'a> = PresegmentedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PresegmentedStream<'a> {
        PresegmentedStream {
            text,
            offset: 0,
            position: 0,
            started: false,
            token: Token::default(),
        }
    }
}

impl TokenStream for PresegmentedStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.offset..];
        if rest.is_empty() {
            return false;
        }
        let mut start = self.offset;
        if let Some(sep) = rest
            .chars()
            .next()
            .filter(|&c| c == NEXT_WORD || c == SAME_POSITION)
        {
            if sep == NEXT_WORD {
                self.position += 1;
            }
            start += 1;
        } else if self.started {
            self.position += 1;
        }
        self.started = true;
        let len = self.text[start..]
            .find([NEXT_WORD, SAME_POSITION])
            .unwrap_or(self.text.len() - start);
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..start + len]);
        self.token.offset_from = start;
        self.token.offset_to = start + len;
        self.token.position = self.position;
        self.token.position_length = 1;
        self.offset = start + len;
        if len == 0 {
            return self.advance();
        }
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Character bigrams with real positions, and the last character alone (see
/// the module doc of [`crate::analysis`]). Stateless: it folds characters as
/// it goes. Punctuation ends a run, unless made
/// [`GramTokenizer::across_punctuation`].
#[derive(Clone, Default)]
pub struct GramTokenizer {
    across_punctuation: bool,
}

impl GramTokenizer {
    /// Runs that go on across punctuation, as across spaces: `国际人士：中国`
    /// has the pair 士中. For a title's text typed from memory, which
    /// leaves its punctuation out. Not between two ASCII letters or digits,
    /// where punctuation is part of what is written: 12.7 is not 127.
    pub fn across_punctuation() -> GramTokenizer {
        GramTokenizer {
            across_punctuation: true,
        }
    }
}

/// The token stream of a [`GramTokenizer`].
pub struct GramTokenStream<'a> {
    chars: std::str::CharIndices<'a>,
    /// The previous indexable character: folded, its original byte range,
    /// its position.
    previous: Option<(char, usize, usize, usize)>,
    /// Whether punctuation came after the previous indexable character.
    broken: bool,
    /// Whether punctuation is skipped as spaces are.
    across_punctuation: bool,
    next_position: usize,
    token: Token,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramTokenStream<'a> {
        GramTokenStream {
            chars: text.char_indices(),
            previous: None,
            broken: false,
            across_punctuation: self.across_punctuation,
            next_position: 0,
            token: Token::default(),
        }
    }
}

impl GramTokenStream<'_> {
    fn set(&mut self, text: &[char], from: usize, to: usize, position: usize) {
        self.token.text.clear();
        self.token.text.extend(text);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.position_length = 1;
    }
}

impl TokenStream for GramTokenStream<'_> {
    fn advance(&mut self) -> bool {
        for (offset, original) in self.chars.by_ref() {
            let c = fold_char(original);
            if !is_indexable(c) {
                self.broken |= breaks_run(c);
                continue;
            }
            let ascii = |c: char| c.is_ascii_alphanumeric();
            let between = self.previous.is_some_and(|(p, ..)| ascii(p) && ascii(c));
            let broken = std::mem::take(&mut self.broken) && (!self.across_punctuation || between);
            let end = offset + original.len_utf8();
            let Some((p, p_from, p_to, p_position)) = self.previous else {
                self.previous = Some((c, offset, end, self.next_position));
                self.next_position += 1;
                continue;
            };
            if !broken {
                // Within a run: the pair.
                self.set(&[p, c], p_from, end, p_position);
            } else {
                // Punctuation between: the run ends with its last
                // character alone, and one position is left empty, so that
                // no phrase matches across the break.
                self.set(&[p], p_from, p_to, p_position);
                self.next_position += 1;
            }
            self.previous = Some((c, offset, end, self.next_position));
            self.next_position += 1;
            return true;
        }
        // The end: the last character alone, so that a character is always
        // the first of some term (see `search::grams::grams`).
        match self.previous.take() {
            Some((c, from, to, position)) => {
                self.set(&[c], from, to, position);
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn collect(stream: &mut impl TokenStream) -> Vec<Token> {
        let mut tokens = Vec::new();
        stream.process(&mut |t| tokens.push(t.clone()));
        tokens
    }

    fn word_tokens(text: &str) -> Vec<Token> {
        let mut tokenizer = Analyzer::builtin().word_tokenizer();
        collect(&mut tokenizer.token_stream(text))
    }

    fn gram_tokens(text: &str) -> Vec<Token> {
        collect(&mut GramTokenizer::default().token_stream(text))
    }

    fn summary(tokens: &[Token]) -> Vec<(String, usize)> {
        tokens
            .iter()
            .map(|t| (t.text.clone(), t.position))
            .collect()
    }

    #[test]
    fn word_tokens_have_original_offsets_and_consecutive_positions() {
        let text = "在高明区，２０２３年GDP增长";
        let tokens = word_tokens(text);
        let s: Vec<(String, usize)> = summary(&tokens);
        assert_eq!(
            s,
            [
                ("在".to_string(), 0),
                ("高明区".to_string(), 1),
                ("高明".to_string(), 1),
                ("2023".to_string(), 2),
                ("年".to_string(), 3),
                ("gdp".to_string(), 4),
                ("增长".to_string(), 5),
            ]
        );
        let originals: Vec<&str> = tokens
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(
            originals,
            ["在", "高明区", "高明", "２０２３", "年", "GDP", "增长"]
        );
    }

    #[test]
    fn tokenizer_reuses_its_buffers_across_texts() {
        let mut tokenizer = Analyzer::builtin().word_tokenizer();
        let first = collect(&mut tokenizer.token_stream("高明区党建"));
        let second = collect(&mut tokenizer.token_stream("陈皮"));
        assert_eq!(first.len(), 3);
        assert_eq!(summary(&second), [("陈皮".to_string(), 0)]);
    }

    #[test]
    fn grams_are_bigrams_within_runs_and_each_run_ends_alone() {
        let text = "党建，引领A。";
        let tokens = gram_tokens(text);
        assert_eq!(
            summary(&tokens),
            [
                ("党建".to_string(), 0),
                // The run ends: 建 alone, then an empty position.
                ("建".to_string(), 1),
                ("引领".to_string(), 3),
                ("领a".to_string(), 4),
                ("a".to_string(), 5),
            ]
        );
        assert_eq!(&text[tokens[1].offset_from..tokens[1].offset_to], "建");
        assert_eq!(&text[tokens[3].offset_from..tokens[3].offset_to], "领A");
        assert_eq!(summary(&gram_tokens("，党。")), [("党".to_string(), 0)]);
        assert!(gram_tokens("，。 ").is_empty());
        // Several characters of punctuation make one break.
        assert_eq!(
            summary(&gram_tokens("安。 “全")),
            [("安".to_string(), 0), ("全".to_string(), 2)]
        );
        // Whitespace is no break.
        assert_eq!(
            summary(&gram_tokens("安 \n全")),
            [("安全".to_string(), 0), ("全".to_string(), 1)]
        );
    }

    #[test]
    fn across_punctuation_runs_go_on_as_across_spaces() {
        let text = "【快评】国际人士：中国";
        let mut tokenizer = GramTokenizer::across_punctuation();
        let tokens = collect(&mut tokenizer.token_stream(text));
        let grams = ["快评", "评国", "国际", "际人", "人士", "士中", "中国", "国"];
        let expected: Vec<(String, usize)> = grams
            .iter()
            .enumerate()
            .map(|(i, g)| (g.to_string(), i))
            .collect();
        assert_eq!(summary(&tokens), expected);
        // The pair across the colon spans it, in the original's bytes.
        assert_eq!(&text[tokens[5].offset_from..tokens[5].offset_to], "士：中");
        // The breaking tokenizer, on the same text, has no pair across.
        let broken = summary(&gram_tokens(text));
        assert!(!broken.iter().any(|(g, _)| g == "士中" || g == "评国"));
        // Between ASCII letters or digits, punctuation still breaks: 12.7
        // is not 127, but 万：12 goes on.
        let tokens = collect(&mut tokenizer.token_stream("超12.7万：12"));
        let grams: Vec<String> = summary(&tokens).into_iter().map(|(g, _)| g).collect();
        assert_eq!(grams, ["超1", "12", "2", "7万", "万1", "12", "2"]);
    }

    #[test]
    fn presegmented_text_replays_the_same_tokens() {
        let text = "在高明区，２０２３年GDP增长0757-88661108";
        let direct: Vec<(String, usize)> = summary(&word_tokens(text));
        let mut encoded = String::new();
        Analyzer::builtin()
            .word_tokenizer()
            .presegment(text, &mut encoded);
        let replayed = summary(&collect(&mut PresegmentedTokenizer.token_stream(&encoded)));
        assert_eq!(replayed, direct);
        let words: Vec<&str> = presegmented_words(&encoded).collect();
        assert_eq!(
            words,
            ["在", "高明区", "2023", "年", "gdp", "增长", "0757-88661108"]
        );
    }

    proptest! {
        #[test]
        fn presegmenting_any_text_round_trips(text in "\\PC{0,60}|[\\u{4E00}-\\u{4E50}a-z0-9 ,.-]{0,60}") {
            let mut encoded = String::new();
            Analyzer::builtin().word_tokenizer().presegment(&text, &mut encoded);
            let replayed = summary(&collect(&mut PresegmentedTokenizer.token_stream(&encoded)));
            prop_assert_eq!(replayed, summary(&word_tokens(&text)));
        }

        #[test]
        fn arbitrary_text_never_panics_and_offsets_fall_on_char_boundaries(text in "\\PC{0,60}|[\\u{3000}-\\u{303F}\\u{4E00}-\\u{4E50}\\u{FF01}-\\u{FF5E}a-zA-Z0-9 ,.-]{0,60}") {
            // Words are at consecutive positions; n-gram runs leave one empty.
            for (tokens, step) in [(word_tokens(&text), 1), (gram_tokens(&text), 2)] {
                let mut last_position = 0;
                for t in &tokens {
                    prop_assert!(t.offset_from < t.offset_to, "{t:?}");
                    prop_assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to), "{t:?}");
                    prop_assert!(!t.text.is_empty());
                    prop_assert!(t.position <= last_position + step, "positions skip: {tokens:?}");
                    last_position = last_position.max(t.position);
                }
            }
        }
    }
}
