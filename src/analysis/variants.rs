//! Traditional to Simplified Chinese, one character at a time.
//!
//! The table is OpenCC's `TSCharacters` (through the `zhconv` crate's
//! `opencc-hans` table), restricted to its one-character-to-one-character
//! entries. Converting character by character, before segmentation, keeps the
//! text's length in characters, so offsets survive, and words stay whole
//! (converting tokens after segmentation breaks them: see charabia #331).
//! Phrase-level conversions are deliberately not applied: on Simplified text
//! the character table changes about one character in 100,000 (measured on
//! the CCTV corpus), while phrase rules would make the index depend on
//! context in ways a query cannot reproduce.

use std::sync::LazyLock;

/// First code point of the dense part of the table (CJK Extension A).
const DENSE_START: u32 = 0x3400;
/// Last code point of the dense part (end of the main CJK block).
const DENSE_END: u32 = 0x9FFF;

struct Table {
    /// Target for every code point in `DENSE_START..=DENSE_END`; 0 = unchanged.
    dense: Vec<u32>,
    /// Sorted `(from, to)` pairs for the rest (compatibility ideographs,
    /// supplementary planes).
    sparse: Vec<(char, char)>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut dense = vec![0u32; (DENSE_END - DENSE_START + 1) as usize];
    let mut sparse = Vec::new();
    for (from, to) in zhconv::tables::expand_table(zhconv::tables::ZH_HANS_TABLE) {
        let (mut f, mut t) = (from.chars(), to.chars());
        let (Some(fc), None, Some(tc), None) = (f.next(), f.next(), t.next(), t.next()) else {
            continue;
        };
        if fc == tc {
            continue;
        }
        let cp = fc as u32;
        if (DENSE_START..=DENSE_END).contains(&cp) {
            dense[(cp - DENSE_START) as usize] = tc as u32;
        } else {
            sparse.push((fc, tc));
        }
    }
    sparse.sort_unstable();
    sparse.dedup_by_key(|p| p.0);
    Table { dense, sparse }
});

/// Forces the table to be built now rather than on first use.
pub fn preload() {
    LazyLock::force(&TABLE);
}

/// A text with every Traditional character in its Simplified form (the same
/// number of characters); borrowed when nothing changes.
pub fn simplified(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| to_simplified(c) == c) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().map(to_simplified).collect())
    }
}

/// The Simplified form of a Traditional character, or the character itself.
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
        assert!(matches!(
            simplified("高明区党建"),
            std::borrow::Cow::Borrowed(_)
        ));
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
    }
}
