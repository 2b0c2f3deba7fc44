//! Dates as written in a line, shared by every rule: Arabic (`2024年9月26日`), numeric
//! (`2024-09-26`, `2024/9/26`) and Chinese-numeral (`二〇二四年九月二十六日`) dates with
//! their byte spans, and what surrounds them: a range or a deadline (`至`, `截至`, `…前`),
//! or nothing but a weekday, a time, brackets and separators.

use std::sync::LazyLock;

use regex::Regex;

use crate::date::{DocDate, checked};

/// Trims a line, including Markdown hard-break backslashes at either end.
pub(super) fn clean_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\\')
}

/// A date written somewhere in a line, with its byte span.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) year: u32,
    pub(super) month: u32,
    pub(super) day: Option<u32>,
}

impl Found {
    pub(super) fn to_date(&self, evidence: String) -> Option<DocDate> {
        let mut date = checked(self.year, Some(self.month), self.day).ok()?;
        date.evidence = evidence;
        Some(date)
    }
}

static CJK_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月(?:\s*([0-9]{1,2})\s*[日号])?").unwrap()
});
static NUMERIC_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([0-9]{4})([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})").unwrap());
static HANZI_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?")
        .unwrap()
});

/// Every well-formed date written in `line` (Arabic, numeric or Chinese-numeral), in order.
pub(super) fn find_dates(line: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let digit_at = |i: usize| line[i..].chars().next().is_some_and(|c| c.is_ascii_digit());
    let digit_before = |i: usize| {
        line[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
    };
    for c in CJK_DATE.captures_iter(line) {
        let m = c.get(0).unwrap();
        if digit_before(m.start()) {
            continue;
        }
        let n = |i: usize| c.get(i).and_then(|g| g.as_str().parse::<u32>().ok());
        let day = n(3);
        // `2024年9月2` followed by more digits is not a date we understand.
        if day.is_none() && digit_at(m.end()) {
            continue;
        }
        out.push(Found {
            start: m.start(),
            end: m.end(),
            year: n(1).unwrap_or(0),
            month: n(2).unwrap_or(0),
            day,
        });
    }
    for c in NUMERIC_DATE.captures_iter(line) {
        let m = c.get(0).unwrap();
        if c[2] != c[4] || digit_before(m.start()) || digit_at(m.end()) {
            continue;
        }
        let n = |i: usize| c[i].parse::<u32>().unwrap_or(0);
        out.push(Found {
            start: m.start(),
            end: m.end(),
            year: n(1),
            month: n(3),
            day: Some(n(5)),
        });
    }
    for c in HANZI_DATE.captures_iter(line) {
        let m = c.get(0).unwrap();
        let year = c[1]
            .chars()
            .try_fold(0u32, |acc, ch| Some(acc * 10 + hanzi_digit(ch)?));
        let month = hanzi_number(&c[2]);
        let day = c.get(3).map(|d| hanzi_number(d.as_str()));
        match (year, month, day) {
            (Some(year), Some(month), None) => {
                out.push(Found {
                    start: m.start(),
                    end: m.end(),
                    year,
                    month,
                    day: None,
                });
            }
            (Some(year), Some(month), Some(Some(d))) => {
                out.push(Found {
                    start: m.start(),
                    end: m.end(),
                    year,
                    month,
                    day: Some(d),
                });
            }
            _ => {}
        }
    }
    out.retain(|f| checked(f.year, Some(f.month), f.day).is_ok());
    out.sort_by_key(|f| f.start);
    out
}

pub(super) fn hanzi_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// A Chinese numeral below 1000 (`九`, `十二`, `二十六`, `一百`, `一百一十`) or Arabic digits.
pub(super) fn hanzi_number(s: &str) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let (mut total, mut digit) = (0u32, None::<u32>);
    for c in s.chars() {
        match c {
            '十' => total += digit.take().unwrap_or(1) * 10,
            '百' => total += digit.take().unwrap_or(1) * 100,
            _ => {
                let d = hanzi_digit(c)?;
                if d != 0 {
                    if digit.is_some() {
                        return None;
                    }
                    digit = Some(d);
                }
            }
        }
    }
    let n = total + digit.unwrap_or(0);
    (n > 0).then_some(n)
}

/// Whether the date is one end of a range or a deadline (`9月26日至10月25日`, `截至…`,
/// `…前`), which is a period, not a publication date.
pub(super) fn is_range_or_deadline(line: &str, f: &Found) -> bool {
    const AFTER: &[&str] = &[
        "至", "到", "-", "—", "–", "~", "起", "前", "以前", "之前", "后", "以后", "以来", "止",
    ];
    const BEFORE: &[&str] = &["至", "到", "-", "—", "–", "~", "截至", "截止", "自", "从"];
    let after = line[f.end..].trim_start();
    let before = line[..f.start].trim_end();
    AFTER.iter().any(|a| after.starts_with(a)) || BEFORE.iter().any(|b| before.ends_with(b))
}

pub(super) static DECORATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:星期|周|礼拜)[一二三四五六日天]|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?|[\s()\[\]【】<>|/,:T]")
        .unwrap()
});

/// Whether `rest` holds nothing but a weekday, a time, brackets or separators.
pub(super) fn only_decoration(rest: &str) -> bool {
    DECORATION.replace_all(rest, "").is_empty()
}

pub(super) fn snippet(s: &str, max_chars: usize) -> String {
    let mut out: String = s.chars().take(max_chars).collect();
    if s.chars().count() > max_chars {
        out.push('…');
    }
    out
}
