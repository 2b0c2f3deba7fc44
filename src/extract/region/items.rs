//! The items of a digest: where each of its separate stories starts.
//!
//! A morning brief, a news round-up or a year-end list strings together items that
//! have little to do with one another, so the place of one item is not the place of
//! the digest. An item starts at a line that is numbered (`1.`, `2、`, `（3）`, `④`,
//! `五、`, `（六）`), bulleted (`▶`, `●`, `■`), opened by a bracketed label
//! (`【天气】`), or that is a short heading followed by its paragraph. A text with at
//! least [`MIN_ITEMS`] such lines is a digest; what comes before the first item is its
//! introduction, which speaks for the whole. A report in numbered sections is a digest
//! by this definition too; it names its place in its title or introduction, or in more
//! than one section, and keeps it (see `score`).

use crate::extract::title::is_headline;

/// A text with fewer item starts than this is not a digest.
pub(super) const MIN_ITEMS: usize = 3;
/// A heading line is at most this many characters long.
const MAX_HEADING_CHARS: usize = 40;
/// A bracketed label (`【天气】`) is at most this many characters long.
const MAX_LABEL_CHARS: usize = 20;

/// Byte offsets in `body` at which the items of a digest start, in order; empty when
/// `body` has fewer than [`MIN_ITEMS`] items.
pub(super) fn item_starts(body: &str) -> Vec<u32> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for raw in body.split_inclusive('\n') {
        let line = raw.trim();
        if !line.is_empty() {
            lines.push((offset + (raw.len() - raw.trim_start().len()), line));
        }
        offset += raw.len();
    }
    let starts: Vec<u32> = lines
        .iter()
        .enumerate()
        .filter(|&(i, &(_, line))| {
            is_marked(line)
                || lines
                    .get(i + 1)
                    .is_some_and(|&(_, next)| is_heading(line, next))
        })
        .map(|(_, &(start, _))| start as u32)
        .collect();
    if starts.len() >= MIN_ITEMS {
        starts
    } else {
        Vec::new()
    }
}

/// A short headline-like line followed by a longer paragraph of sentences.
fn is_heading(line: &str, next: &str) -> bool {
    let n = line.chars().count();
    n <= MAX_HEADING_CHARS
        && is_headline(line)
        && next.contains('。')
        && next.chars().count() > n
        && !is_marked(next)
}

/// A line opened by a number, a bullet or a bracketed label.
fn is_marked(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest = chars.as_str();
    match first {
        // ① ⑴ ⒈ ❶ ➀ and their kin.
        '\u{2460}'..='\u{249B}' | '\u{2776}'..='\u{2793}' => true,
        '▶' | '►' | '●' | '■' | '◆' | '★' | '☆' | '◇' | '□' | '▲' | '•' | '※' | '◎' | '➤' => {
            true
        }
        '【' => rest
            .find('】')
            .is_some_and(|end| (1..=MAX_LABEL_CHARS).contains(&rest[..end].chars().count())),
        '（' | '(' => {
            let inner = rest.trim_start_matches(is_numeral);
            inner.len() < rest.len() && inner.starts_with(['）', ')'])
        }
        c if is_digit(c) => {
            // 1. 2、 10）, but not 2023年 or 3.5亿.
            let after = rest.trim_start_matches(is_digit);
            rest[..rest.len() - after.len()].chars().count() <= 1
                && after.starts_with(['.', '、', '．', ')', '）'])
                && !after[after.chars().next().map_or(0, char::len_utf8)..].starts_with(is_digit)
        }
        c if is_chinese_numeral(c) => {
            let after = rest.trim_start_matches(is_chinese_numeral);
            rest[..rest.len() - after.len()].chars().count() <= 2 && after.starts_with('、')
        }
        _ => false,
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_chinese_numeral(c: char) -> bool {
    "一二三四五六七八九十".contains(c)
}

fn is_numeral(c: char) -> bool {
    is_digit(c) || is_chinese_numeral(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(body: &str) -> Vec<&str> {
        item_starts(body)
            .into_iter()
            .map(|s| body[s as usize..].lines().next().unwrap())
            .collect()
    }

    #[test]
    fn numbered_lines_start_items() {
        let body = "导语。\n1. 第一条消息。\n2、第二条消息。\n１０．第十条消息。\n";
        assert_eq!(
            items(body),
            ["1. 第一条消息。", "2、第二条消息。", "１０．第十条消息。"]
        );
        let body = "一、总体情况。\n（二）主要做法。\n(3) 下一步打算。\n④ 其他。";
        assert_eq!(items(body).len(), 4);
    }

    #[test]
    fn dates_and_decimals_are_not_numbers_of_items() {
        let body = "2023年，全市经济稳中有进。\n3.5亿元用于民生。\n10月，各项工作有序推进。\n";
        assert!(items(body).is_empty());
    }

    #[test]
    fn headings_followed_by_their_paragraph_start_items() {
        let body = "本台消息：\n\n浙江杭州亚运场馆向公众开放\n杭州日前宣布，场馆全部向市民开放。\n\n\
                    四川启动森林防火专项行动\n四川部署开展专项行动，重点排查隐患。\n\n\
                    黑龙江冰雪旅游季开幕\n黑龙江冰雪旅游季昨天开幕，游客增长三成。\n";
        assert_eq!(
            items(body),
            [
                "浙江杭州亚运场馆向公众开放",
                "四川启动森林防火专项行动",
                "黑龙江冰雪旅游季开幕"
            ]
        );
    }

    #[test]
    fn fewer_than_three_items_make_no_digest() {
        assert!(items("【天气】今天晴。\n【交通】地铁正常运营。\n正文。").is_empty());
        assert!(items("").is_empty());
    }
}
