//! Dated lists: when at least three lines open with a year, as a chronology's (大事记)
//! entries do, a date earlier than the latest entry is one of the events listed, not the
//! date the list was written.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::line::{Found, hanzi_digit, hanzi_number};
use crate::date::{checked, clamped_date};

/// A line that opens with a year, as the entries of a chronology (大事记) do:
/// `1988年7月`, `1990年3月 洋浦开发区获批设立`, `- 1993年,…`, `一九八八年七月`, `1998.04`.
static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[-•·*●○◆■□▲△>(\s]*(?:[0-9]{1,3}[.、)]\s*)?([0-9]{4}|[〇零一二三四五六七八九]{4})\s*(?:年|[-./])(?:\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*月?)?",
    )
    .unwrap()
});

/// How many lines must open with a year for the text to be a dated list.
const LIST_ENTRIES: usize = 3;

/// The dated entries of an article, when it is a list of them (a chronology).
#[derive(Debug, Default)]
pub(super) struct DatedList {
    /// The first day of the latest entry, when there are at least [`LIST_ENTRIES`].
    latest: Option<Date>,
}

impl DatedList {
    pub(super) fn of(lines: &[&str]) -> DatedList {
        let entries: Vec<Date> = lines
            .iter()
            .filter_map(|line| {
                let c = ENTRY.captures(line)?;
                let year = c[1].chars().try_fold(0u32, |acc, ch| {
                    Some(acc * 10 + ch.to_digit(10).or_else(|| hanzi_digit(ch))?)
                })?;
                let month = c.get(2).and_then(|m| hanzi_number(m.as_str()));
                checked(year, month.filter(|m| (1..=12).contains(m)), None)
                    .ok()
                    .map(|d| d.first_day())
            })
            .collect();
        DatedList {
            latest: (entries.len() >= LIST_ENTRIES)
                .then(|| entries.into_iter().max())
                .flatten(),
        }
    }

    /// Whether the list has an entry after the date `f` begins: `f` is then one of its
    /// entries (or an event before them), not the date the list was written.
    pub(super) fn holds_later_than(&self, f: &Found) -> bool {
        let first = clamped_date(f.year as i16, f.month as u8, f.day.unwrap_or(1) as u8);
        self.latest.is_some_and(|latest| latest > first)
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::date::extract_date;
    use crate::extract::date::tests::*;

    /// A chronology written for these tests: a 1998 article listing events from 1988.
    const CHRONOLOGY: &str = "1988年7月\n省委召开第一次代表大会,确定经济特区建设的总体思路。\n1990年3月\n洋浦开发区获批设立,外资企业陆续进驻。\n1993年\n全省实施新的土地管理办法。\n1998年4月\n全省隆重庆祝建省办特区十周年。";

    #[test]
    fn a_chronology_is_not_dated_by_its_first_entry() {
        assert_eq!(extract_date("建省办特区十年大事记", CHRONOLOGY), None);
        assert_eq!(extract_date("", CHRONOLOGY), None);
    }

    #[test]
    fn a_chronology_under_its_own_date_line() {
        let body = format!("1998年4月14日 星期二\n{CHRONOLOGY}");
        assert_eq!(
            day(&extract_date("建省办特区十年大事记", &body)),
            text_day("1998-04-14")
        );
    }

    #[test]
    fn a_chronology_with_chinese_numerals_and_full_width_digits() {
        let hanzi = "一九八八年七月\n省委召开第一次代表大会。\n一九九〇年三月\n洋浦开发区获批设立。\n一九九八年四月\n全省庆祝建省办特区十周年。";
        assert_eq!(extract_date("大事记", hanzi), None);
        let wide = "１９８８年７月\n省委召开第一次代表大会。\n１９９０年３月\n洋浦开发区获批设立。\n１９９８年４月\n全省庆祝建省办特区十周年。";
        assert_eq!(extract_date("大事记", wide), None);
    }
}
