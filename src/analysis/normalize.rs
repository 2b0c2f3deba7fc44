//! Character folding before segmentation, with a map back to the original bytes.
//!
//! Every normalisation zhsearch applies maps one character to one character:
//! full-width ASCII (`２０２３`, `ＧＤＰ`, `，`) to half-width, the ideographic
//! space to a space, letters to lower case, and Traditional to Simplified
//! Chinese. Because the mapping is character for character, a position in the
//! normalised text always corresponds to exactly one position in the original;
//! only byte lengths can differ (a full-width digit is three bytes, its
//! half-width form one). [`Normalized`] records the few places where they do,
//! so that token offsets computed on the normalised text can be turned back
//! into byte offsets into the original, which is what highlighting needs.
//!
//! Characters are folded alone ([`fold_char`]) for the character index and
//! search keys, so that a string folds the same way wherever it is cut from
//! its text; [`Normalized`], which the words are segmented from, also lets
//! OpenCC's phrases choose between the forms of a Traditional character that
//! has several (乾隆 keeps 乾, 乾燥 is 干燥: see [`variants`]).

use super::variants;

/// Folds one character: width, case, and script variant.
///
/// The result is always a single character, so folding never changes the
/// number of characters in a text.
#[inline]
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = match c {
        // Full-width forms of ASCII `!`..`~`.
        '\u{FF01}'..='\u{FF5E}' => {
            // The range maps onto ASCII by a constant shift, so the result is valid.
            let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            return ascii.to_ascii_lowercase();
        }
        '\u{3000}' => return ' ',
        c if c.is_uppercase() => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
        c => c,
    };
    variants::to_simplified(c)
}

/// Whether a character is indexed: letters and digits of any script,
/// including CJK ideographs. Punctuation, symbols and whitespace are not.
#[inline]
pub fn is_indexable(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // The common cases first: the main CJK block is all ideographs;
        // general and CJK punctuation have no letters or digits.
        '\u{4E00}'..='\u{9FFF}' => true,
        '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// A normalised copy of a text, with the map back to the original's bytes.
///
/// The buffers are reused across calls to [`Normalized::normalize`], so a
/// tokenizer can keep one and normalise every document without allocating.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    text: String,
    /// `(normalised byte offset, original byte offset)` at every point after
    /// which the two differ by a new amount. Empty when no character changed
    /// its UTF-8 length, which is the common case for Chinese text without
    /// full-width ASCII.
    breaks: Vec<(u32, u32)>,
    /// Forms that phrases give to characters: `(original byte offset, form)`.
    forms: Vec<(u32, char)>,
}

impl Normalized {
    /// Normalises `original` into a new buffer.
    pub fn of(original: &str) -> Self {
        let mut n = Normalized::default();
        n.normalize(original);
        n
    }

    /// Replaces the content with the normalised form of `original`.
    pub fn normalize(&mut self, original: &str) {
        self.text.clear();
        self.breaks.clear();
        self.text.reserve(original.len());
        variants::phrase_forms(original, &mut self.forms);
        let mut forms = self.forms.iter().peekable();
        let mut orig_pos = 0usize;
        for c in original.chars() {
            let folded = match forms.next_if(|&&(at, _)| at as usize == orig_pos) {
                Some(&(_, form)) => form,
                None => fold_char(c),
            };
            self.text.push(folded);
            orig_pos += c.len_utf8();
            if folded.len_utf8() != c.len_utf8() {
                self.breaks.push((self.text.len() as u32, orig_pos as u32));
            }
        }
    }

    /// The normalised text.
    #[inline]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset in the original text of the character boundary at
    /// byte `offset` of the normalised text.
    #[inline]
    pub fn original_offset(&self, offset: usize) -> usize {
        if self.breaks.is_empty() {
            return offset;
        }
        let idx = self
            .breaks
            .partition_point(|&(norm, _)| norm as usize <= offset);
        match idx.checked_sub(1).map(|i| self.breaks[i]) {
            Some((norm, orig)) => orig as usize + (offset - norm as usize),
            None => offset,
        }
    }
}

/// Marks, in a key, where the text had punctuation (or symbols) between two
/// indexable characters: a run break.
pub const BREAK: char = ' ';

/// Whether an unindexed character breaks a run: punctuation and symbols do,
/// whitespace does not (Chinese text has no spaces between words; spaces in
/// it are layout, and a query's spaces separate its words).
#[inline]
pub fn breaks_run(c: char) -> bool {
    !c.is_whitespace()
}

/// The searchable form of a text: its indexable characters, folded, in runs
/// separated by one [`BREAK`] wherever the text had punctuation between
/// them (none at the ends; whitespace is skipped). The n-gram index keeps
/// the same runs apart, so a text matches a quoted query exactly when its
/// key contains the query's key: 安全 is not found in 国安。全国; 六号，区
/// matches 六号。区 (which punctuation does not matter); 高明区 荷城 matches
/// 高明区荷城.
pub fn search_key(text: &str) -> String {
    KeyMap::of(text).key
}

/// The searchable characters of a text with the byte range each came from in
/// the original, for locating matches found on the key.
#[derive(Debug, Default)]
pub struct KeyMap {
    /// The key, as in [`search_key`].
    pub key: String,
    /// For every character of `key`, in order: its byte offset in `key` and
    /// the byte range of the original character it came from (empty, where
    /// the unindexed characters start, for a [`BREAK`]).
    pub chars: Vec<KeyChar>,
}

/// One character of a [`KeyMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyChar {
    /// Byte offset of the character in the key.
    pub key_byte: u32,
    /// Byte offset of the original character.
    pub start: u32,
    /// Byte offset just past the original character.
    pub end: u32,
}

impl KeyMap {
    /// Builds the key of `text` and the map back to it.
    pub fn of(text: &str) -> Self {
        let mut key = String::with_capacity(text.len());
        let mut chars = Vec::with_capacity(text.len() / 3);
        let mut gap_at: Option<u32> = None;
        for (i, c) in text.char_indices() {
            let folded = fold_char(c);
            if is_indexable(folded) {
                if let Some(at) = gap_at.take()
                    && !key.is_empty()
                {
                    chars.push(KeyChar {
                        key_byte: key.len() as u32,
                        start: at,
                        end: at,
                    });
                    key.push(BREAK);
                }
                chars.push(KeyChar {
                    key_byte: key.len() as u32,
                    start: i as u32,
                    end: (i + c.len_utf8()) as u32,
                });
                key.push(folded);
            } else if breaks_run(folded) {
                gap_at.get_or_insert(i as u32);
            }
        }
        KeyMap { key, chars }
    }

    /// The index in `chars` of the key character starting at byte `key_byte`.
    pub fn char_index(&self, key_byte: usize) -> usize {
        self.chars
            .partition_point(|kc| (kc.key_byte as usize) < key_byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(
            Normalized::of("２０２３年ＧＤＰ增长").text(),
            "2023年gdp增长"
        );
        assert_eq!(Normalized::of("ABC　Ｘ").text(), "abc x");
        assert_eq!(Normalized::of("高明区，荷城").text(), "高明区,荷城");
    }

    #[test]
    fn offsets_map_back_to_original_bytes() {
        let original = "在２０２３年，GDP";
        let n = Normalized::of(original);
        assert_eq!(n.text(), "在2023年,gdp");
        // "2023" in the normalised text starts after 在 (3 bytes).
        let start = n.text().find("2023").unwrap();
        let end = start + 4;
        let (os, oe) = (n.original_offset(start), n.original_offset(end));
        assert_eq!(&original[os..oe], "２０２３");
        let y = n.text().find('年').unwrap();
        assert_eq!(
            &original[n.original_offset(y)..n.original_offset(y + 3)],
            "年"
        );
        let g = n.text().find("gdp").unwrap();
        assert_eq!(
            &original[n.original_offset(g)..n.original_offset(g + 3)],
            "GDP"
        );
        assert_eq!(n.original_offset(n.text().len()), original.len());
    }

    #[test]
    fn key_keeps_runs_apart_where_punctuation_and_space_were() {
        assert_eq!(search_key("高明区， 荷城。"), "高明区 荷城");
        assert_eq!(search_key("高明区　荷城\n街道"), "高明区荷城街道");
        assert_eq!(search_key("５Ｇ基站 (GDP)"), "5g基站 gdp");
        assert_eq!(search_key("“专精特新”"), "专精特新");
        assert_eq!(search_key("，。"), "");
        let m = KeyMap::of("党建，引领");
        assert_eq!(m.key, "党建 引领");
        assert_eq!(m.key, search_key("党建，引领"));
        // The break is an empty range where the punctuation starts.
        assert_eq!((m.chars[2].start, m.chars[2].end), (6, 6));
        let fourth = m.chars[3];
        assert_eq!(
            &"党建，引领"[fourth.start as usize..fourth.end as usize],
            "引"
        );
        assert_eq!(m.char_index(7), 3);
        assert_eq!(KeyMap::of("，党建。").key, "党建");
    }

    #[test]
    fn traditional_characters_with_several_forms_fold_in_words_and_keys() {
        // 於 and 乾 alone take OpenCC's first form; in 乾隆 a phrase keeps 乾 for the words.
        let original = "關於乾隆年間的乾燥氣候";
        let n = Normalized::of(original);
        assert_eq!(n.text(), "关于乾隆年间的干燥气候");
        assert_eq!(search_key(original), "关于干隆年间的干燥气候");
        // The same number of characters, each at the same place.
        let long = n.text().find("乾隆").unwrap();
        assert_eq!(
            &original[n.original_offset(long)..n.original_offset(long + 6)],
            "乾隆"
        );
        // A query cut from the text folds as the text's key does, wherever it is cut.
        for cut in ["乾", "於乾", "隆年", "關於乾隆"] {
            assert!(search_key(original).contains(&search_key(cut)), "{cut}");
        }
    }

    #[test]
    fn full_width_text_with_phrases_keeps_its_offsets() {
        let original = "ＧＤＰ反覆波動，２０２３年藉此回升";
        let n = Normalized::of(original);
        assert_eq!(n.text(), "gdp反复波动,2023年借此回升");
        let at = n.text().find("借此").unwrap();
        assert_eq!(
            &original[n.original_offset(at)..n.original_offset(at + 6)],
            "藉此"
        );
        assert_eq!(n.original_offset(n.text().len()), original.len());
    }

    #[test]
    fn indexable_characters() {
        for c in ['党', 'a', '7', 'é', '〇', '々', '㐀', '鿿', 'Ж', '٣'] {
            assert!(is_indexable(c), "{c}");
        }
        for c in ['，', '。', ' ', '\n', '“', '-', '《', '😀', '—', '【', '、'] {
            assert!(!is_indexable(c), "{c:?}");
        }
    }
}
