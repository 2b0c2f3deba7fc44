//! Traditional to Simplified Chinese, one character for one character.
//!
//! The data is OpenCC's, vendored in `data/opencc/` (see its README):
//!
//! * `TSCharacters.txt`: each Traditional character and its Simplified forms. Most have
//!   one (黨 → 党); about a thousand have several, the first being OpenCC's choice when
//!   nothing else decides (於 → 于 or 於, 乾 → 干 or 乾, 覆 → 覆 or 复).
//! * `TSPhrases.txt`: words in which such a character takes another of its forms
//!   (乾隆 keeps 乾; 沈澱 is 沉淀).
//! * `CJK_Compatibility_Ideographs.txt`: the duplicate code points of compatibility
//!   ideographs (U+F900 …), folded to their unified forms first.
//!
//! Characters OpenCC does not list keep the folding of the `zhconv` crate's table (variant
//! forms such as 妳 → 你), as before.
//!
//! There are two levels, and both keep the number of characters, so offsets survive and
//! words stay whole (converting tokens after segmentation breaks them: charabia #331):
//!
//! * [`to_simplified`] folds a character alone: one-to-one pairs, and OpenCC's first form
//!   of the others. A string folds the same way wherever it is cut from its text, which
//!   is what the character index, search keys and highlights need: any string that occurs
//!   in an article must find it (a query `乾` finds the `乾` of 乾隆).
//! * [`simplified`] (and the word analyzer, through `Normalized`) converts a text: the
//!   same, except where a phrase of `TSPhrases` decides a character with several forms
//!   (the phrase written in Traditional, or with its other characters in Simplified).
//!   Words and place names then read as written Simplified would: 乾隆 and 乾县 keep
//!   their 乾, 哪吒 its 吒, while 反覆 is 反复 and 藉口 借口. A phrase that turns into
//!   another form a character which is also the Simplified form of a different one (坏
//!   is that of 壞, 沈 that of 瀋) applies only where the phrase as matched holds a
//!   character the table changes (打壞 is not touched, 沈澱 is 沉淀): in Simplified text
//!   打坏 means "break", not "make adobe", and 沈 is a surname. Phrases match across
//!   word boundaries, as OpenCC's do, so a rare Simplified text is misread (一批覆盖
//!   holds 批覆, 批复); that costs its words, never its characters.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// `data/opencc/TSCharacters.txt`.
pub const TS_CHARACTERS: &str = include_str!("../../data/opencc/TSCharacters.txt");
/// `data/opencc/TSPhrases.txt`.
pub const TS_PHRASES: &str = include_str!("../../data/opencc/TSPhrases.txt");
/// `data/opencc/CJK_Compatibility_Ideographs.txt`.
pub const CJK_COMPATIBILITY: &str =
    include_str!("../../data/opencc/CJK_Compatibility_Ideographs.txt");

/// First code point of the dense part of the table (CJK Extension A).
const DENSE_START: u32 = 0x3400;
/// Last code point of the dense part (end of the main CJK block).
const DENSE_END: u32 = 0x9FFF;
/// Most links followed from a character to its final form.
const MAX_CHAIN: usize = 4;

/// The entries of an OpenCC dictionary file: `key<TAB>value value…`, with `#` comments.
pub fn opencc_entries(
    file: &'static str,
) -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    file.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(key, values)| (key, values.split(' ').filter(|v| !v.is_empty()).collect()))
}

/// The single character of `s`, if it is one character.
fn single(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

struct Table {
    /// Target for every code point in `DENSE_START..=DENSE_END`; 0 = unchanged.
    dense: Vec<u32>,
    /// Sorted `(from, to)` pairs for the rest (compatibility ideographs,
    /// supplementary planes).
    sparse: Vec<(char, char)>,
    /// Characters with several Simplified forms, sorted.
    ambiguous: Vec<char>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut map: std::collections::HashMap<char, char> = std::collections::HashMap::new();
    for (from, to) in zhconv::tables::expand_table(zhconv::tables::ZH_HANS_TABLE) {
        if let (Some(f), Some(t)) = (single(&from), single(&to))
            && f != t
        {
            map.insert(f, t);
        }
    }
    let mut ambiguous = Vec::new();
    for (key, values) in opencc_entries(TS_CHARACTERS) {
        let (Some(k), Some(first)) = (single(key), values.first().and_then(|v| single(v))) else {
            continue;
        };
        if values.len() > 1 {
            ambiguous.push(k);
        }
        if first != k {
            map.insert(k, first);
        }
        // A character whose first form is itself keeps what zhconv does with it.
    }
    for (key, values) in opencc_entries(CJK_COMPATIBILITY) {
        if let (Some(k), Some(v)) = (single(key), values.first().and_then(|v| single(v)))
            && k != v
        {
            map.insert(k, v);
        }
    }
    // Follow chains (薴 → 苧 → 苎, 豈 → 豈 → 岂) so that folding twice changes nothing.
    let finals: Vec<(char, char)> = map
        .iter()
        .map(|(&from, &to)| {
            let mut to = to;
            for _ in 0..MAX_CHAIN {
                match map.get(&to) {
                    Some(&next) if next != from && next != to => to = next,
                    _ => break,
                }
            }
            (from, to)
        })
        .collect();
    let mut dense = vec![0u32; (DENSE_END - DENSE_START + 1) as usize];
    let mut sparse = Vec::new();
    for (from, to) in finals {
        if from == to {
            continue;
        }
        let cp = from as u32;
        if (DENSE_START..=DENSE_END).contains(&cp) {
            dense[(cp - DENSE_START) as usize] = to as u32;
        } else {
            sparse.push((from, to));
        }
    }
    sparse.sort_unstable();
    ambiguous.sort_unstable();
    Table {
        dense,
        sparse,
        ambiguous,
    }
});

/// A phrase of `TSPhrases.txt` that decides some of its characters.
struct Phrase {
    /// The characters it decides: (index in the phrase, character as written, its form here).
    forms: Vec<(usize, char, char)>,
    /// Whether it turns into another form a character that is also the Simplified form
    /// of a different one: then it applies only where the match holds a character that
    /// the table changes.
    guarded: bool,
}

struct Phrases {
    /// Leftmost-longest over the phrases, each as written and with its other characters
    /// folded (乾縣 and 乾县), so that a phrase is found in Traditional and Simplified text.
    ac: AhoCorasick,
    /// For each pattern of `ac`, its phrase.
    pattern_phrase: Vec<u32>,
    phrases: Vec<Phrase>,
}

/// Whether `c` has several Simplified forms in OpenCC's table.
fn is_ambiguous(c: char) -> bool {
    TABLE.ambiguous.binary_search(&c).is_ok()
}

static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
    let mut keys: Vec<String> = Vec::new();
    let mut pattern_phrase = Vec::new();
    let mut phrases = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Characters that are the Simplified form of another (坏 of 壞).
    let mut simplified_forms = std::collections::HashSet::new();
    for (key, values) in opencc_entries(TS_CHARACTERS) {
        simplified_forms.extend(
            values
                .iter()
                .filter(|&&v| v != key)
                .filter_map(|v| single(v)),
        );
    }
    for (key, values) in opencc_entries(TS_PHRASES) {
        let Some(value) = values.first() else {
            continue;
        };
        if key.chars().count() != value.chars().count() {
            continue;
        }
        let forms: Vec<(usize, char, char)> = key
            .chars()
            .zip(value.chars())
            .enumerate()
            .filter(|&(_, (k, v))| is_ambiguous(k) && v != to_simplified(k))
            .map(|(i, (k, v))| (i, k, v))
            .collect();
        if forms.is_empty() {
            continue;
        }
        let folded: String = key
            .chars()
            .map(|c| if is_ambiguous(c) { c } else { to_simplified(c) })
            .collect();
        let id = phrases.len() as u32;
        for pattern in [key.to_string(), folded] {
            if seen.insert(pattern.clone()) {
                keys.push(pattern);
                pattern_phrase.push(id);
            }
        }
        let guarded = forms
            .iter()
            .any(|&(_, k, v)| k != v && simplified_forms.contains(&k));
        phrases.push(Phrase { forms, guarded });
    }
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        // A DFA: matching runs over every text indexed, and Chinese text defeats the
        // byte prefilters that make the default choice fast elsewhere.
        .kind(Some(AhoCorasickKind::DFA))
        .build(&keys)
        .unwrap_or_else(|e| panic!("the phrases of data/opencc/TSPhrases.txt: {e}"));
    Phrases {
        ac,
        pattern_phrase,
        phrases,
    }
});

/// Forces the tables to be built now rather than on first use.
pub fn preload() {
    LazyLock::force(&TABLE);
    LazyLock::force(&PHRASES);
}

/// The forms phrases give to characters of `text`, as `(byte offset, form)` in text
/// order, written to `forms` (cleared first).
pub(crate) fn phrase_forms(text: &str, forms: &mut Vec<(u32, char)>) {
    forms.clear();
    let phrases = &*PHRASES;
    let mut matched: Vec<(usize, char)> = Vec::new();
    for m in phrases.ac.find_iter(text) {
        let phrase = &phrases.phrases[phrases.pattern_phrase[m.pattern().as_usize()] as usize];
        matched.clear();
        matched.extend(
            text[m.start()..m.end()]
                .char_indices()
                .map(|(i, c)| (m.start() + i, c)),
        );
        // The characters it decides must be written as in the phrase.
        let written = phrase
            .forms
            .iter()
            .all(|&(i, written, _)| matched.get(i).is_some_and(|m| m.1 == written));
        let traditional = || matched.iter().any(|&(_, c)| to_simplified(c) != c);
        if written && (!phrase.guarded || traditional()) {
            forms.extend(
                phrase
                    .forms
                    .iter()
                    .map(|&(i, _, form)| (matched[i].0 as u32, form)),
            );
        }
    }
}

/// A text with every Traditional character in its Simplified form, phrases deciding
/// the characters that have several (the same number of characters); borrowed when
/// nothing changes.
pub fn simplified(text: &str) -> Cow<'_, str> {
    let mut forms = Vec::new();
    phrase_forms(text, &mut forms);
    if forms.is_empty() && text.chars().all(|c| to_simplified(c) == c) {
        return Cow::Borrowed(text);
    }
    let mut forms = forms.into_iter().peekable();
    Cow::Owned(
        text.char_indices()
            .map(|(i, c)| match forms.next_if(|&(at, _)| at as usize == i) {
                Some((_, form)) => form,
                None => to_simplified(c),
            })
            .collect(),
    )
}

/// The Simplified form of a character alone, or the character itself.
#[inline]
pub fn to_simplified(c: char) -> char {
    let cp = c as u32;
    if cp < DENSE_START {
        return c;
    }
    let table = &*TABLE;
    if cp <= DENSE_END {
        match table.dense[(cp - DENSE_START) as usize] {
            0 => c,
            to => char::from_u32(to).unwrap_or(c),
        }
    } else {
        match table.sparse.binary_search_by_key(&c, |p| p.0) {
            Ok(i) => table.sparse[i].1,
            Err(_) => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(s: &str) -> String {
        s.chars().map(to_simplified).collect()
    }

    #[test]
    fn whole_texts_fold_and_borrow_when_unchanged() {
        assert_eq!(simplified("高明區黨建"), "高明区党建");
        assert!(matches!(simplified("高明区党建"), Cow::Borrowed(_)));
    }

    #[test]
    fn traditional_folds_to_simplified() {
        assert_eq!(convert("黨建引領高質量發展"), "党建引领高质量发展");
        assert_eq!(convert("廣東省佛山市"), "广东省佛山市");
    }

    #[test]
    fn simplified_text_is_unchanged() {
        let s = "高明区各级党组织和广大党员干部在区委的团结带领下,著名的干部";
        assert_eq!(convert(s), s);
        assert_eq!(simplified(s), s);
    }

    /// Every one-to-one pair of OpenCC's table, read from the vendored file.
    #[test]
    fn every_one_to_one_pair_of_opencc_folds() {
        let mut pairs = 0;
        let mut wrong = Vec::new();
        for (key, values) in opencc_entries(TS_CHARACTERS) {
            let [value] = values[..] else { continue };
            let (Some(k), Some(v)) = (single(key), single(value)) else {
                panic!("TSCharacters: {key} -> {value} is not one character to one");
            };
            pairs += 1;
            // The Traditional character folds to its Simplified form (or to where that
            // folds in turn: 薴 -> 苧 -> 苎), so each finds the other.
            if to_simplified(k) != to_simplified(v)
                || ![v, to_simplified(v)].contains(&to_simplified(k))
            {
                wrong.push(format!("{k} -> {} (want {v})", to_simplified(k)));
            }
        }
        assert!(pairs > 3000, "{pairs} pairs");
        assert!(
            wrong.is_empty(),
            "{} of {pairs}: {}",
            wrong.len(),
            wrong.join(", ")
        );
    }

    #[test]
    fn characters_with_several_forms_take_opencc_first_form_alone() {
        let mut wrong = Vec::new();
        for (key, values) in opencc_entries(TS_CHARACTERS) {
            let (Some(k), Some(first)) = (single(key), single(values[0])) else {
                continue;
            };
            if values.len() > 1 && first != k && to_simplified(k) != to_simplified(first) {
                wrong.push(format!("{k} -> {} (want {first})", to_simplified(k)));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join(", "));
        assert_eq!(convert("於乾夥徵昇祕脩釐麽剋"), "于干伙征升秘修厘么克");
    }

    #[test]
    fn folding_twice_changes_nothing() {
        let table = &*TABLE;
        let dense = (DENSE_START..=DENSE_END).filter_map(char::from_u32);
        for c in dense.chain(table.sparse.iter().map(|p| p.0)) {
            let once = to_simplified(c);
            assert_eq!(to_simplified(once), once, "{c} -> {once}");
        }
    }

    #[test]
    fn compatibility_ideographs_fold_to_unified_ones() {
        // U+F900 is a duplicate of 豈 (U+8C48), whose Simplified form is 岂.
        assert_eq!(to_simplified('\u{F900}'), '岂');
        assert_eq!(simplified("\u{F900}不"), "岂不");
    }

    #[test]
    fn phrases_choose_between_the_forms_of_a_character() {
        assert_eq!(simplified("乾隆皇帝"), "乾隆皇帝");
        assert_eq!(simplified("乾燥"), "干燥");
        assert_eq!(simplified("關於"), "关于");
        assert_eq!(simplified("哪吒"), "哪吒");
        assert_eq!(simplified("反覆"), "反复");
        assert_eq!(simplified("項鍊"), "项链");
        assert_eq!(simplified("沈澱物"), "沉淀物");
        // Phrases are matched whatever form their other characters are written in.
        assert_eq!(simplified("乾縣"), "乾县");
        assert_eq!(simplified("乾县"), "乾县");
    }

    #[test]
    fn phrases_do_not_rewrite_simplified_words() {
        // 打坏 is "break" in Simplified text; 打坯 only where the text is Traditional.
        assert_eq!(simplified("杯子被打坏了"), "杯子被打坏了");
        assert_eq!(simplified("破坏土壤结构"), "破坏土壤结构");
        assert_eq!(simplified("沈阳沈默"), "沈阳沈默");
        assert_eq!(simplified("陶壞"), "陶坏");
    }
}
