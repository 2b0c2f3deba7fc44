//! The tantivy side of analysis: [`WordTokenizer`] and [`GramTokenizer`].
//!
//! Both reuse their buffers from one text to the next: a tokenizer is cloned
//! once per indexing thread and then tokenizes every document that thread
//! sees, so nothing on the hot path allocates per token.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Analyzer;
use super::normalize::{Normalized, fold_char, is_indexable};

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

/// Character unigrams and bigrams with real positions (see the module doc of
/// [`crate::analysis`]). Stateless: it folds characters as it goes.
#[derive(Clone, Default)]
pub struct GramTokenizer;

/// The token stream of a [`GramTokenizer`].
pub struct GramTokenStream<'a> {
    chars: std::str::CharIndices<'a>,
    /// The previous indexable character: folded, its byte offset, its position.
    previous: Option<(char, usize, usize)>,
    /// The current indexable character, whose unigram is emitted after the
    /// bigram that ends with it: folded, its original byte range, its position.
    pending_unigram: Option<(char, usize, usize, usize)>,
    next_position: usize,
    token: Token,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramTokenStream<'a> {
        GramTokenStream {
            chars: text.char_indices(),
            previous: None,
            pending_unigram: None,
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
        if let Some((c, from, to, position)) = self.pending_unigram.take() {
            self.set(&[c], from, to, position);
            return true;
        }
        for (offset, original) in self.chars.by_ref() {
            let c = fold_char(original);
            if !is_indexable(c) {
                continue;
            }
            let position = self.next_position;
            self.next_position += 1;
            let end = offset + original.len_utf8();
            let previous = self.previous.replace((c, offset, position));
            if let Some((p, p_offset, p_position)) = previous {
                // The bigram first, so that every term's positions ascend.
                self.pending_unigram = Some((c, offset, end, position));
                self.set(&[p, c], p_offset, end, p_position);
            } else {
                self.set(&[c], offset, end, position);
            }
            return true;
        }
        false
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
        collect(&mut GramTokenizer.token_stream(text))
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
    fn grams_are_unigrams_and_bigrams_at_character_positions() {
        let text = "党建，引领A";
        let tokens = gram_tokens(text);
        assert_eq!(
            summary(&tokens),
            [
                ("党".to_string(), 0),
                ("党建".to_string(), 0),
                ("建".to_string(), 1),
                ("建引".to_string(), 1),
                ("引".to_string(), 2),
                ("引领".to_string(), 2),
                ("领".to_string(), 3),
                ("领a".to_string(), 3),
                ("a".to_string(), 4),
            ]
        );
        let bigram = &tokens[3];
        assert_eq!(&text[bigram.offset_from..bigram.offset_to], "建，引");
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_and_offsets_fall_on_char_boundaries(text in "\\PC{0,60}|[\\u{3000}-\\u{303F}\\u{4E00}-\\u{4E50}\\u{FF01}-\\u{FF5E}a-zA-Z0-9 ,.-]{0,60}") {
            for tokens in [word_tokens(&text), gram_tokens(&text)] {
                let mut last_position = 0;
                for t in &tokens {
                    prop_assert!(t.offset_from < t.offset_to, "{t:?}");
                    prop_assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to), "{t:?}");
                    prop_assert!(!t.text.is_empty());
                    prop_assert!(t.position <= last_position + 1, "positions skip: {tokens:?}");
                    last_position = last_position.max(t.position);
                }
            }
        }
    }
}
