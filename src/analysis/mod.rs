//! Text analysis: normalisation and jieba segmentation, as tantivy tokenizers.
//!
//! This is the only module that knows jieba (behind the [`Segmenter`]
//! trait, in [`segmenter`]). It owns two analyzers, used identically at index
//! and at query time:
//!
//! * **words** ([`WordTokenizer`]): the text is folded ([`normalize`]: width,
//!   case, Traditional to Simplified), segmented by jieba in precise mode with
//!   HMM, and each word gets the next position, so phrases work. A word longer
//!   than two characters also emits the dictionary words inside it (高明区
//!   emits 高明, like jieba's search mode) *at the same position*, so 高明 finds
//!   高明区 without breaking phrase positions. A word joined by connectors
//!   (`0757-88661108`, `5.4.5`) also emits its parts. Punctuation and
//!   whitespace are not indexed and take no position.
//! * **grams** ([`GramTokenizer`]): the text's runs of indexable characters
//!   (letters or digits of any script; punctuation ends a run, whitespace
//!   does not), each pair of consecutive characters in a run as a bigram at
//!   the position *i* of its first character, the last character of each
//!   run alone, then one empty position. A phrase of bigrams finds any
//!   string of two or more characters that occurs in the text, whatever
//!   jieba made of it, and never across punctuation; the terms starting
//!   with a character find that character: this is the recall guarantee
//!   (see [`search_key`]). (Indexing every character alone as well would
//!   cost a third more postings, the most expensive part of indexing.)
//!   A variant whose runs go on across punctuation, but not between two
//!   ASCII letters or digits ([`GramTokenizer::across_punctuation`]), indexes
//!   titles a second time, for headlines typed without their punctuation;
//!   it ranks, and is never the recall guarantee.
//!
//! Offsets in tokens are byte offsets into the original text.
//!
//! ```
//! use zhsearch::analysis::Analyzer;
//! let analyzer = Analyzer::builtin();
//! let words: Vec<String> = analyzer.words("高明区党建").into_iter().map(|w| w.text).collect();
//! assert_eq!(words, ["高明区", "高明", "党建"]);
//! ```

pub mod dictionary;
pub mod normalize;
pub mod segmenter;
mod tokenizer;
pub mod variants;

use std::fs;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use normalize::{BREAK, KeyChar, KeyMap, Normalized, fold_char, is_indexable, search_key};
pub use segmenter::{JiebaSegmenter, Segmenter};
pub use tokenizer::{GramTokenizer, PresegmentedTokenizer, WordTokenizer, presegmented_words};

/// Name under which the word analyzer is registered with tantivy.
pub const WORDS: &str = "zh_words";
/// Name under which the index's word fields read pre-segmented text
/// ([`PresegmentedTokenizer`]).
pub const PRESEGMENTED: &str = "zh_presegmented";
/// Name under which the character n-gram analyzer is registered with tantivy.
pub const GRAMS: &str = "zh_grams";
/// Name under which the n-gram analyzer whose runs go on across
/// punctuation ([`GramTokenizer::across_punctuation`]) is registered.
pub const GRAMS_UNBROKEN: &str = "zh_grams_unbroken";

/// Version of the analysis rules; bump whenever indexed terms would change.
/// 3: OpenCC's Traditional table in full, phrases deciding the words.
const ANALYSIS_VERSION: u32 = 3;
/// The jieba-rs version this build segments with (kept in step with Cargo.toml).
const JIEBA_VERSION: &str = "0.11";

/// Everything that decides which terms a text produces. An index records
/// the fingerprint it was built with; searching it with another is refused,
/// because the same query would no longer produce the same terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Version of zhsearch's analysis rules.
    pub analysis: u32,
    /// jieba-rs version.
    pub jieba: String,
    /// Segmentation mode.
    pub mode: String,
    /// Whether jieba's HMM finds words missing from the dictionary.
    pub hmm: bool,
    /// `"default"`, or the BLAKE3 hash of the user dictionary added to it.
    pub dictionary: String,
}

/// One word of a segmented text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word, normalised.
    pub text: String,
    /// Byte range in the original text.
    pub start: usize,
    /// End of the byte range in the original text.
    pub end: usize,
    /// Position: consecutive for the words of the segmentation.
    pub position: usize,
    /// Whether this is a part of a longer word, at that word's position.
    pub part: bool,
}

/// The shared, expensive state of analysis: the segmenter's dictionary.
///
/// Build it once ([`Analyzer::builtin`] or [`Analyzer::with_user_dict`]) and
/// share it; tokenizers hold an `Arc` to it.
#[derive(Debug)]
pub struct Analyzer {
    segmenter: Box<dyn Segmenter>,
    /// Whether the segmenter finds words missing from its dictionary.
    hmm: bool,
    dictionary: String,
}

static BUILTIN: LazyLock<Arc<Analyzer>> =
    LazyLock::new(|| Arc::new(Analyzer::new(JiebaSegmenter::new())));

impl Analyzer {
    fn new(segmenter: JiebaSegmenter) -> Self {
        Analyzer {
            hmm: segmenter.hmm(),
            segmenter: Box::new(segmenter),
            dictionary: "default".to_string(),
        }
    }

    /// The analyzer with jieba's default dictionary, built on first use.
    pub fn builtin() -> Arc<Analyzer> {
        Arc::clone(&BUILTIN)
    }

    /// An analyzer with jieba's default dictionary plus a user dictionary in
    /// jieba's `word [freq [tag]]` format, one entry per line. Words are
    /// normalised like text, so `ＡＩ大模型` in the file matches `AI大模型`.
    pub fn with_user_dict(path: &Path) -> Result<Analyzer> {
        let (user, hash) = read_user_dict(path)?;
        let segmenter =
            JiebaSegmenter::with_user_dict(&user).map_err(|message| Error::Dictionary {
                path: path.to_path_buf(),
                line: 0,
                message,
            })?;
        let mut analyzer = Analyzer::new(segmenter);
        analyzer.dictionary = hash;
        Ok(analyzer)
    }

    /// An analyzer for `text` only (a query, with its filters): it segments
    /// `text`, and any part of it, exactly as the full analyzer does (with
    /// the user dictionary at `user_dict`, if any), but holds only the
    /// dictionary words that occur in it, so it is built in milliseconds
    /// rather than the full dictionary's 100 ms (see [`dictionary`]).
    pub fn for_text(text: &str, user_dict: Option<&Path>) -> Result<Analyzer> {
        let user = user_dict.map(read_user_dict).transpose()?;
        let normalized = Normalized::of(text);
        let segmenter = JiebaSegmenter::for_text(normalized.text(), user.as_ref().map(|u| &u.0));
        let mut analyzer = Analyzer::new(segmenter);
        if let Some((_, hash)) = user {
            analyzer.dictionary = hash;
        }
        Ok(analyzer)
    }

    /// The fingerprint of the default analyzer (jieba's own dictionary),
    /// without building it.
    pub fn builtin_fingerprint() -> Fingerprint {
        Fingerprint {
            analysis: ANALYSIS_VERSION,
            jieba: JIEBA_VERSION.to_string(),
            mode: "precise+subwords".to_string(),
            hmm: true,
            dictionary: "default".to_string(),
        }
    }

    /// What decides this analyzer's terms, to record in an index.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            hmm: self.hmm,
            dictionary: self.dictionary.clone(),
            ..Analyzer::builtin_fingerprint()
        }
    }

    /// The segmenter, on its own: for measuring it.
    pub fn segmenter(&self) -> &dyn Segmenter {
        self.segmenter.as_ref()
    }

    /// The IDF of `word` (normalised) in the segmenter's table, if it is
    /// one word of a part of speech that makes a keyword (see
    /// [`Segmenter::keyword_idf`]).
    pub fn keyword_idf(&self, word: &str) -> Option<f64> {
        self.segmenter.keyword_idf(word)
    }

    /// Segments an already normalised text, calling `emit(start, end,
    /// position, part)` with byte ranges into `normalized`: each word of the
    /// precise segmentation at the next position, followed by its parts at
    /// the same position.
    ///
    /// A long text is segmented in pieces of about [`PIECE_BYTES`] (jieba's
    /// tokens take many times the size of their text), each ending after a
    /// punctuation mark or a space. jieba segments the runs of characters
    /// between such marks on their own, so the words are the same as in one
    /// pass; only a run longer than [`MAX_PIECE_BYTES`] is cut anywhere.
    pub(crate) fn segment(
        &self,
        normalized: &str,
        mut emit: impl FnMut(usize, usize, usize, bool),
    ) {
        let mut position = 0;
        let mut start = 0;
        while start < normalized.len() {
            let end = piece_end(normalized, start);
            position = self.segment_piece(normalized, start, end, position, &mut emit);
            start = end;
        }
    }

    /// Segments `normalized[from..to]`, numbering words from `position`;
    /// returns the next position. Each word of the segmenter, trimmed of
    /// what is not indexable, is followed by its parts: the segmenter's, or,
    /// for a compound of alphanumerics and connectors, the pieces between
    /// the connectors.
    fn segment_piece(
        &self,
        normalized: &str,
        from: usize,
        to: usize,
        mut position: usize,
        emit: &mut impl FnMut(usize, usize, usize, bool),
    ) -> usize {
        // Whether the parts of the current word are the segmenter's
        // (`false` for a compound, or a word with nothing indexable).
        let mut keep_parts = false;
        let piece = &normalized[from..to];
        self.segmenter.segment(piece, &mut |start, end, part| {
            if part {
                if keep_parts {
                    emit(from + start, from + end, position - 1, true);
                }
                return;
            }
            keep_parts = false;
            let word = &piece[start..end];
            // Trim what is not indexable from both ends: `2023.` or `-5G`.
            let Some(first) = word.find(is_indexable) else {
                return;
            };
            let last = word
                .char_indices()
                .rev()
                .find(|&(_, c)| is_indexable(c))
                .map_or(word.len(), |(i, c)| i + c.len_utf8());
            let (start, end) = (from + start + first, from + start + last);
            let word = &normalized[start..end];
            emit(start, end, position, false);
            // jieba keeps runs of CJK, ASCII letters and digits, and the ASCII
            // connectors `+#&._%-` together: only those can be inside a word.
            if word
                .bytes()
                .any(|b| b.is_ascii() && !b.is_ascii_alphanumeric())
            {
                // A compound of alphanumerics and connectors (`0757-88661108`,
                // `5.4.5`): all its parts, numbers included.
                let mut offset = start;
                for part in word.split(|c: char| !is_indexable(c)) {
                    if !part.is_empty() {
                        emit(offset, offset + part.len(), position, true);
                    }
                    offset += part.len() + 1;
                }
            } else {
                keep_parts = true;
            }
            position += 1;
        });
        position
    }

    /// The words of a text, with positions and byte offsets into it.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let normalized = Normalized::of(text);
        let mut words = Vec::new();
        self.segment(normalized.text(), |start, end, position, part| {
            words.push(Word {
                text: normalized.text()[start..end].to_string(),
                start: normalized.original_offset(start),
                end: normalized.original_offset(end),
                position,
                part,
            })
        });
        words
    }

    /// A tokenizer for the word fields, sharing this analyzer.
    pub fn word_tokenizer(self: &Arc<Self>) -> WordTokenizer {
        WordTokenizer::new(Arc::clone(self))
    }
}

/// Bytes of text segmented at a time, about.
const PIECE_BYTES: usize = 64 << 10;
/// A piece is cut at the first mark after [`PIECE_BYTES`], or here.
const MAX_PIECE_BYTES: usize = 4 * PIECE_BYTES;

/// Where the piece of `text` that starts at `start` ends: after the first
/// mark that ends jieba's runs of characters (punctuation, a space or a line
/// end) past [`PIECE_BYTES`], or at [`MAX_PIECE_BYTES`].
fn piece_end(text: &str, start: usize) -> usize {
    if text.len() - start <= PIECE_BYTES {
        return text.len();
    }
    let boundary = |mut i: usize, up: bool| {
        while !text.is_char_boundary(i) {
            i = if up { i + 1 } else { i - 1 };
        }
        i
    };
    let from = boundary(start + PIECE_BYTES, true);
    let to = boundary((start + MAX_PIECE_BYTES).min(text.len()), false);
    text[from..to]
        .char_indices()
        .find(|&(_, c)| {
            // Never between `\r` and `\n`, which jieba keeps together; `.`
            // and the other connectors it keeps in words (`5.5`).
            matches!(c, '\n' | ' ' | '。' | ',' | ';' | '!' | '?' | '、' | ':')
        })
        .map_or(to, |(i, c)| from + i + c.len_utf8())
}

/// Reads a user dictionary, normalising its words; returns it with its hash.
/// The largest frequency a user dictionary may give a word (jieba's own
/// dictionary totals about 60 million).
const MAX_USER_FREQ: u64 = 1_000_000_000_000;

fn read_user_dict(path: &Path) -> Result<(dictionary::UserDict, String)> {
    let content = fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut normalized = String::with_capacity(content.len());
    for (i, line) in content.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let word = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        if let Some(freq) = rest.first() {
            let message = match freq.parse::<u64>() {
                Err(_) => Some(format!("frequency `{freq}` is not a whole number")),
                // jieba-rs adds up every frequency: keep the sum far from overflow.
                Ok(n) if n > MAX_USER_FREQ => {
                    Some(format!("frequency `{freq}` is over {MAX_USER_FREQ}"))
                }
                Ok(_) => None,
            };
            if let Some(message) = message {
                return Err(Error::Dictionary {
                    path: path.to_path_buf(),
                    line: i + 1,
                    message,
                });
            }
        }
        normalized.push_str(Normalized::of(word).text());
        for r in rest {
            normalized.push(' ');
            normalized.push_str(r);
        }
        normalized.push('\n');
    }
    let hash = format!("blake3:{}", blake3::hash(normalized.as_bytes()).to_hex());
    Ok((dictionary::UserDict { lines: normalized }, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, bool)> {
        Analyzer::builtin()
            .words(text)
            .into_iter()
            .map(|w| (w.text, w.position, w.part))
            .collect()
    }

    fn w(text: &str, position: usize, part: bool) -> (String, usize, bool) {
        (text.to_string(), position, part)
    }

    #[test]
    fn subwords_share_the_position_of_their_word() {
        assert_eq!(
            words("高明区荷城街道"),
            [
                w("高明区", 0, false),
                w("高明", 0, true),
                w("荷城", 1, false),
                w("街道", 2, false)
            ]
        );
        assert_eq!(
            words("佛山市基层党建"),
            [
                w("佛山市", 0, false),
                w("佛山", 0, true),
                w("基层", 1, false),
                w("党建", 2, false)
            ]
        );
    }

    #[test]
    fn user_dictionary_frequencies_must_be_sane_whole_numbers() {
        let dir = tempfile::tempdir().unwrap();
        for (content, message) in [
            ("百千万工程 x n\n", "is not a whole number"),
            ("党建 1\n百千万工程 18446744073709551615\n", "is over"),
        ] {
            let path = dir.path().join("dict.txt");
            fs::write(&path, content).unwrap();
            let err = Analyzer::with_user_dict(&path).unwrap_err().to_string();
            assert!(err.contains(message), "{err}");
        }
        let err = Analyzer::for_text("党建", Some(&dir.path().join("dict.txt")))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn a_long_text_is_segmented_in_pieces_into_the_words_of_one_pass() {
        let analyzer = Analyzer::builtin();
        // Chinese, full-width and mixed text, with long runs between marks.
        let mut text = String::new();
        while text.len() < 5 * PIECE_BYTES {
            text.push_str(include_str!("../../corpus/001_eda8d542acb23e2d.txt"));
            text.push_str("２０２３年ＧＤＰ增长５．５％，AI大模型0757-88661108\r\n");
        }
        let normalized = Normalized::of(&text);
        let collect = |pieces: bool| {
            let mut words = Vec::new();
            let emit = |start, end, position, part| words.push((start, end, position, part));
            let n = normalized.text();
            if pieces {
                analyzer.segment(n, emit);
            } else {
                let mut emit = emit;
                analyzer.segment_piece(n, 0, n.len(), 0, &mut emit);
            }
            words
        };
        let in_pieces = collect(true);
        assert!(in_pieces.len() > 10_000);
        assert_eq!(in_pieces, collect(false));
        // Pieces end after a mark, and within their bounds.
        let n = normalized.text();
        let mut start = 0;
        while start < n.len() {
            let end = piece_end(n, start);
            assert!(
                end > start && end - start <= MAX_PIECE_BYTES,
                "{start}..{end}"
            );
            assert!(end == n.len() || !n[..end].ends_with(is_indexable));
            start = end;
        }
    }

    #[test]
    fn a_long_run_without_marks_is_cut_anywhere_on_a_character_boundary() {
        let text = "党".repeat(MAX_PIECE_BYTES);
        let words = Analyzer::builtin().words(&text);
        assert!(!words.is_empty());
        for w in &words {
            assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
        }
    }

    #[test]
    fn the_builtin_fingerprint_is_the_builtin_analyzers() {
        assert_eq!(
            Analyzer::builtin().fingerprint(),
            Analyzer::builtin_fingerprint()
        );
    }

    #[test]
    fn punctuation_takes_no_position() {
        let ws = words("党建，引领。 发展");
        assert_eq!(
            ws,
            [
                w("党建", 0, false),
                w("引领", 1, false),
                w("发展", 2, false)
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "２０２３年ＧＤＰ增长５．５％";
        for word in Analyzer::builtin().words(text) {
            let original = &text[word.start..word.end];
            assert_eq!(Normalized::of(original).text(), word.text, "{word:?}");
        }
        let ws = words(text);
        assert!(ws.contains(&w("2023", 0, false)), "{ws:?}");
        assert!(ws.iter().any(|x| x.0 == "gdp"), "{ws:?}");
        assert!(ws.iter().any(|x| x.0 == "5.5"), "{ws:?}");
    }

    #[test]
    fn full_width_and_half_width_digits_give_the_same_words() {
        assert_eq!(words("２０２３年"), words("2023年"));
        assert_eq!(words("ＧＤＰ"), words("gdp"));
    }

    #[test]
    fn connected_identifiers_emit_their_parts() {
        let ws = words("联系电话:0757-88661108");
        assert!(
            ws.contains(&w("0757-88661108", 2, false)) || ws.iter().any(|x| x.0 == "0757-88661108"),
            "{ws:?}"
        );
        assert!(ws.iter().any(|x| x.0 == "0757" && x.2), "{ws:?}");
        assert!(ws.iter().any(|x| x.0 == "88661108" && x.2), "{ws:?}");
    }

    #[test]
    fn user_dictionary_keeps_terms_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dict.txt");
        fs::write(&path, "百千万工程 100 n\n党性体检 50\n").unwrap();
        let analyzer = Analyzer::with_user_dict(&path).unwrap();
        let ws: Vec<String> = analyzer
            .words("推进百千万工程和党性体检")
            .into_iter()
            .filter(|w| !w.part)
            .map(|w| w.text)
            .collect();
        assert!(ws.contains(&"百千万工程".to_string()), "{ws:?}");
        assert!(ws.contains(&"党性体检".to_string()), "{ws:?}");
        assert_ne!(analyzer.fingerprint(), Analyzer::builtin().fingerprint());
        fs::write(&path, "党性体检 many\n").unwrap();
        let err = Analyzer::with_user_dict(&path).unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("many"), "{err}");
    }
}
