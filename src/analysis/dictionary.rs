//! jieba's dictionary, whole for indexing, or just the words a query needs.
//!
//! Building jieba-rs's full dictionary takes about 100 ms: most of the wall
//! time of a one-shot `zhsearch search`. Segmenting a text only ever uses the
//! dictionary words that occur in it, their frequencies, and the total of all
//! frequencies. [`subset`] builds a jieba-rs instance with just those words
//! and one filler entry that makes the total come out the same, so every
//! word's probability, and therefore the segmentation, is exactly that of the
//! full dictionary, in a few milliseconds. The dictionary is jieba-rs's own,
//! vendored in `data/jieba/` (see its README).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use jieba_rs::Jieba;

/// jieba-rs's default dictionary as `word freq` lines, zstd-compressed.
static DICT: &[u8] = include_bytes!("../../data/jieba/dict.txt.zst");

/// A word that can never occur in segmented text: control characters are
/// never part of jieba's blocks of CJK, letters and digits.
const FILLER: &str = "\u{1}\u{2}";

/// The default dictionary, decompressed (only when a query needs a subset
/// of it more than once, as in tests).
static DICT_TEXT: OnceLock<String> = OnceLock::new();

fn decompress() -> String {
    let bytes = zstd::decode_all(DICT).expect("the vendored dictionary decompresses");
    String::from_utf8(bytes).expect("the vendored dictionary is UTF-8")
}

/// Decompresses the dictionary now and keeps it, for a process that builds
/// many subsets.
pub fn preload() {
    DICT_TEXT.get_or_init(decompress);
}

/// A user dictionary: normalised `word [freq [tag]]` lines.
#[derive(Debug, Clone)]
pub struct UserDict {
    /// The lines, words normalised as text is.
    pub lines: String,
}

fn parse_line(line: &str) -> Option<(&str, u64)> {
    let mut parts = line.split_whitespace();
    let word = parts.next()?;
    let freq = parts.next().and_then(|f| f.parse().ok()).unwrap_or(0);
    Some((word, freq))
}

/// A jieba-rs instance that segments `text` (already normalised) exactly as
/// the full dictionary (plus `user`) would.
pub fn subset(text: &str, user: Option<&UserDict>) -> Jieba {
    subset_of(DICT_TEXT.get_or_init(decompress), text, user)
}

/// Like [`subset`], decompressing the dictionary for this one call: for a
/// process that segments one query and exits.
pub fn subset_once(text: &str, user: Option<&UserDict>) -> Jieba {
    match DICT_TEXT.get() {
        Some(dict) => subset_of(dict, text, user),
        None => subset_of(&decompress(), text, user),
    }
}

fn subset_of(dict: &str, text: &str, user: Option<&UserDict>) -> Jieba {
    let first_chars: HashSet<char> = text.chars().collect();
    let user_words: HashMap<&str, u64> = user
        .map(|u| u.lines.lines().filter_map(parse_line).collect())
        .unwrap_or_default();
    // The total jieba-rs computes: every default line's frequency (duplicate
    // words too), then each user word replacing its last default frequency.
    let mut total: u64 = 0;
    let mut last_default: HashMap<&str, u64> = HashMap::new();
    // Words of the text, with the frequency they end up with.
    let mut kept: HashMap<&str, u64> = HashMap::new();
    let mut lines = String::new();
    for line in dict.lines() {
        let Some((word, freq)) = parse_line(line) else {
            continue;
        };
        total += freq;
        if user_words.contains_key(word) {
            last_default.insert(word, freq);
        }
        let first = word.chars().next().unwrap_or_default();
        if first_chars.contains(&first) && text.contains(word) {
            kept.insert(word, freq);
            lines.push_str(line);
            lines.push('\n');
        }
    }
    if let Some(user) = user {
        for line in user.lines.lines() {
            let Some((word, freq)) = parse_line(line) else {
                continue;
            };
            total = total + freq - last_default.remove(word).unwrap_or(0);
            if text.contains(word) {
                kept.insert(word, freq);
                lines.push_str(line);
                lines.push('\n');
            }
        }
    }
    let kept_total: u64 = kept.values().sum();
    lines.push_str(&format!("{FILLER} {}\n", total.saturating_sub(kept_total)));
    let mut jieba = Jieba::empty();
    jieba
        .load_dict(&mut lines.as_bytes())
        .expect("subset lines are well formed");
    jieba
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(jieba: &Jieba, text: &str) -> Vec<String> {
        jieba
            .cut_for_search(text, true)
            .into_iter()
            .map(|t| t.word.to_string())
            .collect()
    }

    #[test]
    fn a_subset_segments_like_the_full_dictionary() {
        let full = Jieba::new();
        for text in [
            "党建引领高质量发展",
            "高明区荷城街道文汇路六号",
            "南京市长江大桥",
            "我们中出了一个叛徒",
            "粤府办〔2023〕12号 5g基站",
            "杨永泰表示,全区要深入实施新一轮加强党的基层组织建设三年行动计划",
        ] {
            assert_eq!(cut(&subset(text, None), text), cut(&full, text), "{text}");
        }
    }

    #[test]
    fn user_words_count_in_the_subset_too() {
        let user = UserDict {
            lines: "百千万工程 100 n\n党性体检 50\n高质量 5\n".to_string(),
        };
        let mut full = Jieba::new();
        full.load_dict(&mut user.lines.as_bytes()).unwrap();
        for text in [
            "推进百千万工程和党性体检",
            "高质量发展",
            "党建引领高质量发展",
        ] {
            assert_eq!(
                cut(&subset(text, Some(&user)), text),
                cut(&full, text),
                "{text}"
            );
        }
    }
}
