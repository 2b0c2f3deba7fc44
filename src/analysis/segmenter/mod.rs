//! Segmenters: the one part of analysis that knows a segmentation library.
//!
//! A [`Segmenter`] cuts a normalised text into words, each followed by the
//! dictionary words inside it. Everything else (normalisation, trimming
//! punctuation, the parts of `0757-88661108`, positions, offsets into the
//! original text) is [`super::Analyzer`]'s, the same whatever segments.
//! [`JiebaSegmenter`] (jieba-rs) is the only one today.
//!
//! # Adding a segmenter
//!
//! 1. Copy `jieba.rs` to `src/analysis/segmenter/NAME.rs` and implement
//!    [`Segmenter::segment`] (and [`Segmenter::keyword_idf`], if the library
//!    has an IDF table: without it, articles get no keywords).
//! 2. Add `mod NAME;` below, and one line to [`REGISTRY`].
//! 3. Give it its own `Fingerprint::jieba`/`mode` values in `analysis/mod.rs`
//!    (indexes record them, so that an index is never searched with words
//!    cut another way), and run `cargo test --lib analysis`.

mod jieba;

use std::fmt;

pub use jieba::JiebaSegmenter;

/// Cuts text into words.
pub trait Segmenter: fmt::Debug + Send + Sync {
    /// Cuts `text` (normalised, one piece of at most a few hundred KB)
    /// into words, in order: calls `emit(start, end, false)` with the byte
    /// range of each word in `text`, then `emit(start, end, true)` for each
    /// shorter dictionary word inside it (高明区, then 高明).
    fn segment(&self, text: &str, emit: &mut dyn FnMut(usize, usize, bool));

    /// The inverse document frequency of `word` in the segmenter's own
    /// table, if `word` is one word of a part of speech that makes a
    /// keyword (a noun, a name, an idiom...). `None` by default: keywords
    /// are then never picked.
    fn keyword_idf(&self, word: &str) -> Option<f64> {
        let _ = word;
        None
    }
}

/// Builds a segmenter with its default dictionary.
pub type Build = fn() -> Box<dyn Segmenter>;

/// The segmenters by name.
pub const REGISTRY: &[(&str, Build)] = &[("jieba", JiebaSegmenter::boxed)];

/// The segmenter registered as `name`, with its default dictionary.
pub fn by_name(name: &str) -> Option<Box<dyn Segmenter>> {
    REGISTRY
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, build)| build())
}

/// Tests every segmenter must pass: it cuts Chinese, full-width, mixed and
/// arbitrary text into words in order, on character boundaries, inside
/// the text, with parts inside their word.
#[cfg(test)]
mod tests {
    use super::*;

    fn check(segmenter: &dyn Segmenter, text: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut word = (0, 0);
        let mut last_end = 0;
        segmenter.segment(text, &mut |start, end, part| {
            assert!(
                start < end && end <= text.len(),
                "{start}..{end} in {text:?}"
            );
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            if part {
                assert!(
                    start >= word.0 && end <= word.1,
                    "{start}..{end} outside {word:?}"
                );
            } else {
                assert!(start >= last_end, "{start}..{end} before {last_end}");
                word = (start, end);
                last_end = end;
            }
            out.push((text[start..end].to_string(), part));
        });
        out
    }

    #[test]
    fn every_segmenter_cuts_words_in_order_with_their_parts_inside() {
        for (name, build) in REGISTRY {
            let segmenter = build();
            let words = check(segmenter.as_ref(), "高明区荷城街道");
            assert_eq!(
                words,
                [
                    ("高明区".to_string(), false),
                    ("高明".to_string(), true),
                    ("荷城".to_string(), false),
                    ("街道".to_string(), false)
                ],
                "{name}"
            );
            for text in [
                "",
                "。",
                "2023年gdp增长5.5%,ai大模型0757-88661108\r\n",
                "党".repeat(300).as_str(),
            ] {
                check(segmenter.as_ref(), text);
            }
        }
        assert!(by_name("jieba").is_some() && by_name("none").is_none());
    }

    #[test]
    fn no_segmenter_panics_on_arbitrary_text() {
        const POOL: &[&str] = &[
            "党建",
            "高明区",
            "ＧＤＰ",
            "gdp",
            "5.5",
            "-",
            "。",
            "\n",
            "é",
            "😀",
            " ",
            "\u{1}",
        ];
        for (_, build) in REGISTRY {
            let segmenter = build();
            for text in crate::extract::topic::tests::random_texts(POOL, 500, 30) {
                check(segmenter.as_ref(), &text);
            }
        }
    }
}
