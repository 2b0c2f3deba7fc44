//! Long article bodies, stored in pages.
//!
//! tantivy's document store compresses whole documents into blocks: reading
//! any part of a 60 MB article would decompress all of it, and hold it
//! twice in memory. A body longer than [`PAGED_BYTES`] is therefore not
//! stored whole (`body_text`) but in pages of about [`PAGE_BYTES`], each
//! compressed on its own, as the values of a bytes fast field
//! (`body_pages`), which reads one value without the others: first a table
//! of where each page starts (its byte offset in the text and its position
//! in the n-gram field), then the pages, each value prefixed with its number
//! so that they sort in order. A search that matches such an article finds
//! its matches' positions in the index and reads only the pages around them
//! (see [`crate::search`]), so its cost does not grow with the article.
//!
//! A page starts, when it can, after a line or sentence end, and always on a
//! character boundary.
//!
//! ```
//! use zhsearch::indexer::pages::{self, Pages};
//!
//! let text = "高明区召开党建工作会议。".repeat(20_000);
//! let values = pages::write(&text);
//! let pages = Pages::read(&values[0]).unwrap();
//! assert_eq!(pages.len(), values.len() - 1);
//! let whole: String = (0..pages.len())
//!     .map(|p| pages.decode(p, &values[p + 1]).unwrap())
//!     .collect();
//! assert_eq!(whole, text);
//! ```

use std::ops::Range;

use tantivy::columnar::BytesColumn;
use tantivy::{DocId, SegmentReader};

use crate::analysis::normalize::breaks_run;
use crate::analysis::{fold_char, is_indexable};

/// Text bytes per page, about.
pub const PAGE_BYTES: usize = 32 << 10;
/// Bodies longer than this are stored in pages.
pub const PAGED_BYTES: usize = 4 * PAGE_BYTES;

/// Identifies the table's format: `zhp` and its version.
const MAGIC: [u8; 4] = *b"zhp1";
/// Bytes of one entry of the page table.
const ENTRY_BYTES: usize = 12;
/// zstd level of each page (that of the document store).
const LEVEL: i32 = 9;

/// Where one page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Byte offset of the page in the text.
    text: u64,
    /// Position, in the n-gram field, that the first indexable character at
    /// or after the page start takes, or would take after a run break (see
    /// [`Positions`]).
    position: u32,
}

/// The positions the n-gram tokenizer gives a text's characters
/// ([`crate::analysis::GramTokenizer`]), counted as the text is walked:
/// every indexable character takes one, and a run break one more, before
/// the character that follows it.
#[derive(Debug, Default)]
struct Positions {
    /// Positions taken so far.
    next: u32,
    /// Whether punctuation came after the last indexable character.
    gap: bool,
}

impl Positions {
    fn advance(&mut self, c: char) {
        let c = fold_char(c);
        if is_indexable(c) {
            if std::mem::take(&mut self.gap) {
                self.next += 1;
            }
            self.next += 1;
        } else if self.next > 0 && breaks_run(c) {
            self.gap = true;
        }
    }
}

/// Where the page starting at byte `start` ends: after the last line or
/// sentence end in the last quarter of [`PAGE_BYTES`], else at the last
/// character boundary within it.
fn page_end(text: &str, start: usize) -> usize {
    let mut limit = (start + PAGE_BYTES).min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    if limit == text.len() {
        return limit;
    }
    let mut from = start + PAGE_BYTES * 3 / 4;
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..limit];
    window
        .char_indices()
        .filter(|&(_, c)| matches!(c, '\n' | '。' | '！' | '？' | '!' | '?' | '；'))
        .map(|(i, c)| from + i + c.len_utf8())
        .next_back()
        .unwrap_or(limit)
}

/// The values that store `text` in pages: the page table (value number 0),
/// then each page compressed. Every value starts with its number (big
/// endian), so that the values sort in this order.
pub fn write(text: &str) -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    let mut values = vec![Vec::new()];
    let mut positions = Positions::default();
    let mut start = 0;
    while start < text.len() {
        let end = page_end(text, start);
        entries.push(Entry {
            text: start as u64,
            position: positions.next,
        });
        let page = &text[start..end];
        let mut value = (values.len() as u32).to_be_bytes().to_vec();
        value.extend(zstd::bulk::compress(page.as_bytes(), LEVEL).expect("zstd compresses"));
        values.push(value);
        page.chars().for_each(|c| positions.advance(c));
        start = end;
    }
    let table = &mut values[0];
    table.extend(0u32.to_be_bytes());
    table.extend(MAGIC);
    table.extend((text.len() as u64).to_le_bytes());
    for e in &entries {
        table.extend(e.text.to_le_bytes());
        table.extend(e.position.to_le_bytes());
    }
    values
}

/// The page table of a body stored in pages.
#[derive(Debug)]
pub struct Pages {
    entries: Vec<Entry>,
    text_len: u64,
}

impl Pages {
    /// Reads the page table (the first value [`write`] wrote).
    pub fn read(table: &[u8]) -> Result<Pages, String> {
        let bad = || "the page table of a stored body is damaged".to_string();
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(table.get(at..at + 4)?.try_into().ok()?))
        };
        let u64_at = |at: usize| -> Option<u64> {
            Some(u64::from_le_bytes(table.get(at..at + 8)?.try_into().ok()?))
        };
        if table.get(..8) != Some(&[0, 0, 0, 0, MAGIC[0], MAGIC[1], MAGIC[2], MAGIC[3]][..]) {
            return Err(bad());
        }
        let text_len = u64_at(8).ok_or_else(bad)?;
        let rest = table.len() - 16;
        if !rest.is_multiple_of(ENTRY_BYTES) {
            return Err(bad());
        }
        let entries = (0..rest / ENTRY_BYTES)
            .map(|i| {
                let at = 16 + i * ENTRY_BYTES;
                Some(Entry {
                    text: u64_at(at)?,
                    position: u32_at(at + 8)?,
                })
            })
            .collect::<Option<Vec<Entry>>>()
            .ok_or_else(bad)?;
        let ordered = entries
            .windows(2)
            .all(|w| w[0].text < w[1].text && w[0].position <= w[1].position);
        let within = entries.last().is_none_or(|e| e.text < text_len);
        if !ordered || !within || entries.first().is_some_and(|e| e.text != 0) {
            return Err(bad());
        }
        Ok(Pages { entries, text_len })
    }

    /// The number of pages.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no pages (an empty text).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The page holding the character at `position` in the n-gram field.
    pub fn page_of(&self, position: u32) -> usize {
        self.entries
            .partition_point(|e| e.position <= position)
            .saturating_sub(1)
    }

    /// The byte range of page `page` in the text.
    pub fn bytes_of(&self, page: usize) -> Range<usize> {
        let end = self.entries.get(page + 1).map_or(self.text_len, |e| e.text);
        self.entries[page].text as usize..end as usize
    }

    /// The text of page `page`, from its stored value.
    pub fn decode(&self, page: usize, value: &[u8]) -> Result<String, String> {
        let bad = || format!("page {page} of a stored body is damaged");
        let expected = self.bytes_of(page).len();
        let number = (page as u32 + 1).to_be_bytes();
        let compressed = value.strip_prefix(&number[..]).ok_or_else(bad)?;
        let bytes = zstd::bulk::decompress(compressed, expected).map_err(|_| bad())?;
        if bytes.len() != expected {
            return Err(bad());
        }
        String::from_utf8(bytes).map_err(|_| bad())
    }
}

/// A body stored in pages in a segment's fast field: its table, and access
/// to each page without the others.
pub struct StoredPages {
    column: BytesColumn,
    /// The term ordinals of the document's values, in order: the table,
    /// then the pages.
    ords: Vec<u64>,
    /// The page table.
    pub pages: Pages,
}

impl StoredPages {
    /// The pages of document `doc` in the bytes fast field `field` of
    /// `segment`, or `None` if it has none (its body is stored whole).
    pub fn open(
        segment: &SegmentReader,
        field: &str,
        doc: DocId,
    ) -> Result<Option<StoredPages>, String> {
        let column = match segment.fast_fields().bytes(field) {
            Ok(Some(column)) => column,
            Ok(None) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let mut ords: Vec<u64> = column.term_ords(doc).collect();
        if ords.is_empty() {
            return Ok(None);
        }
        ords.sort_unstable();
        let mut table = Vec::new();
        column
            .ord_to_bytes(ords[0], &mut table)
            .map_err(|e| e.to_string())?;
        let pages = Pages::read(&table)?;
        if pages.len() + 1 != ords.len() {
            return Err("a stored body has pages missing".to_string());
        }
        Ok(Some(StoredPages {
            column,
            ords,
            pages,
        }))
    }

    /// The text of `pages`, read and decompressed.
    pub fn text(&self, pages: Range<usize>) -> Result<String, String> {
        let mut text = String::new();
        let mut value = Vec::new();
        for page in pages {
            value.clear();
            self.column
                .ord_to_bytes(self.ords[page + 1], &mut value)
                .map_err(|e| e.to_string())?;
            text.push_str(&self.pages.decode(page, &value)?);
        }
        Ok(text)
    }

    /// The whole text.
    pub fn whole(&self) -> Result<String, String> {
        self.text(0..self.pages.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::GramTokenizer;
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    /// The bundled corpus, repeated to about `bytes`, with full-width and
    /// mixed text, and punctuation and spaces of every kind.
    fn long_text(bytes: usize) -> String {
        let mut text = String::new();
        let corpus = [
            include_str!("../../corpus/000_e19cf532170f2a3e.txt"),
            include_str!("../../corpus/002_6bc2cfcd6b5cfc07.txt"),
            "２０２３年ＧＤＰ增长５．５％，“专精特新”企业 Ａ股 (5G) 　\n",
        ];
        while text.len() < bytes {
            text.push_str(corpus[text.len() % 3]);
        }
        text
    }

    #[test]
    fn pages_give_back_the_text_on_character_boundaries() {
        let text = long_text(PAGED_BYTES * 3);
        let values = write(&text);
        let pages = Pages::read(&values[0]).unwrap();
        assert!(pages.len() >= 12, "{}", pages.len());
        assert_eq!(values.len(), pages.len() + 1);
        assert!(
            values.windows(2).all(|w| w[0] < w[1]),
            "values sort in order"
        );
        let mut whole = String::new();
        for page in 0..pages.len() {
            let range = pages.bytes_of(page);
            assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            assert!(range.len() <= PAGE_BYTES);
            let decoded = pages.decode(page, &values[page + 1]).unwrap();
            assert_eq!(decoded, text[range]);
            whole.push_str(&decoded);
        }
        assert_eq!(whole, text);
        // Pages end at line or sentence ends where they can.
        let ends = (0..pages.len() - 1)
            .filter(|&p| text[..pages.bytes_of(p).end].ends_with(['\n', '。', '；', '！', '？']))
            .count();
        assert_eq!(ends, pages.len() - 1);
    }

    #[test]
    fn page_positions_are_those_of_the_gram_tokenizer() {
        let text = long_text(PAGED_BYTES * 2);
        let pages = Pages::read(&write(&text)[0]).unwrap();
        let mut tokenizer = GramTokenizer::default();
        let mut stream = tokenizer.token_stream(&text);
        let mut checked = 0;
        while stream.advance() {
            let token = stream.token();
            let page = pages.page_of(token.position as u32);
            assert!(
                pages.bytes_of(page).contains(&token.offset_from),
                "{token:?} is not in page {page}"
            );
            checked += 1;
        }
        assert!(checked > 10_000);
    }

    #[test]
    fn damaged_pages_are_errors_not_panics() {
        let text = long_text(PAGED_BYTES);
        let values = write(&text);
        assert!(Pages::read(&values[0][..3]).is_err());
        assert!(Pages::read(&values[0][..20]).is_err());
        assert!(Pages::read(&values[1]).is_err());
        let pages = Pages::read(&values[0]).unwrap();
        // A page in another's place, or cut short.
        assert!(pages.decode(0, &values[2]).is_err());
        assert!(pages.decode(1, &values[2][..100]).is_err());
        assert!(Pages::read(&write("")[0]).unwrap().is_empty());
    }
}
