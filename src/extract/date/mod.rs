//! Publication dates found in an article's own text: this module owns turning a title and
//! a body into a [`DocDate`] that says how precise it is and where it came from. The date
//! values themselves, and the parsing of metadata dates and `--since`/`--until`
//! arguments, are [`crate::date`]'s.
//!
//! The guiding rule is that a wrong date is worse than none. [`extract_date`] only takes a
//! day-precise date from places where articles state *when they were written*: a dated
//! signature at the end (the issuing body's name with the date below it) and a date line,
//! byline or timestamp in the header. Dates inside running text are events, deadlines
//! (`公开期限:2024年9月26日至10月25日`) are periods, and neither is ever taken for the
//! publication date; nor are the entries of a chronology (大事记). Relative years (今年,
//! 去年, 明年, 本年) and days (`今天(11月16日)`) are only resolved against a year the
//! article itself states (今年是建党100周年), never against today's date.
//! When no date is stated, a year may be inferred from honest evidence (an anniversary
//! that the article says falls this year, `挂牌5年以来` with a known opening year, the plan
//! year in the title of the programme the article announces); the inference is recorded
//! in [`DocDate::evidence`] and any disagreement between pieces of evidence yields no date.
//!
//! ```
//! use zhsearch::date::{parse_bound, DateSource, Precision};
//! use zhsearch::extract::date::extract_date;
//!
//! let body = "欢迎广大干部群众对巡视整改落实情况进行监督。\n中共佛山市高明区委\n2024年9月26日";
//! let date = extract_date("高明区委关于巡视整改进展情况的通报", body).unwrap();
//! assert_eq!(date.display(), "2024-09-26");
//! assert_eq!((date.precision, date.source), (Precision::Day, DateSource::Text));
//!
//! let since = parse_bound("2024-09").unwrap();
//! assert!(since.first_day() <= date.first_day() && date.first_day() <= since.last_day());
//! ```

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use crate::date::{DateSource, DocDate, Precision, checked, clamped_date, fold_width};

/// Finds the publication date of an article from its title and body, or `None`.
///
/// In order of preference:
/// 1. a date line, byline, timestamp or dateline in the header (the short lines before
///    the first sentence of the body, which may follow a site name and an exclaiming
///    headline): a date alone (`2024年9月26日 星期四`, `(2024年4月18日)`), after a label
///    (`发布时间:2023-05-12T10:30:00+08:00`), beside byline fields (`2023-05-12 10:30
///    来源:南方+`) or a publication's name (`2018-12-20 14:35 山西青年报`), ending a
///    headline after `_` or `|`, or the lead's dateline (`中国青年网2017年11月16日讯`);
///    ranges and lines labelled 更新时间, 截止, 期限 and the like are skipped, and so are
///    the entries of a chronology (a date earlier than a later line opening with a year,
///    when at least three lines do) ([`DateSource::Text`]);
/// 2. the same rule for the title (metadata or headline) ending `_2018年5月30日`;
/// 3. a dated signature at the end: a date line directly below a short line naming the
///    issuer (or on the same line), possibly followed by editor/source lines
///    ([`DateSource::Text`]);
/// 4. today's date as the article states it, `今天(11月16日)` (every such statement
///    agreeing) or a dateline without a year (`新华社北京7月1日电`), in the year it states
///    (`今天(2025年5月20日)`), the year of a month-precise header date (`2021年7月`), or
///    else the year inferred as in 5 ([`Precision::Day`], [`DateSource::Inferred`]); with no
///    year, the date stays unknown;
/// 5. an inferred year ([`DateSource::Inferred`], [`Precision::Year`]) when every piece
///    of evidence agrees: 今年是/去年是/明年是/今天是 … N周年 or 在 … N周年之际 for a known
///    event, 今天是第N个<commemoration day> (国家公祭日 since 2014), 今年是“十四五”开局之年
///    or …二十大精神开局之年, `<自贸片区>挂牌N年以来`, and the plan year in the title of a
///    programme the article announces (`印发《新会区2023年…实施意见》`). A year
///    contradicting an era marker (新冠肺炎 is not before 2020) cancels it.
///
/// Other dates in running text are never used. Full-width digits are folded first.
pub fn extract_date(title: &str, body: &str) -> Option<DocDate> {
    let body = fold_width(body);
    let title = fold_width(title);
    let lines: Vec<&str> = body
        .lines()
        .map(clean_line)
        .filter(|l| !l.is_empty())
        .collect();
    let list = DatedList::of(&lines);
    let text = format!("{title}\n{body}");
    let today = today(&lines, &text);
    let stated = header_date(&lines, &list)
        .or_else(|| headline_date(&title))
        .or_else(|| signature_date(&lines, &body, &list));
    match (stated, today) {
        (Some(date), Some(today)) => Some(today.completing(&date).unwrap_or(date)),
        (Some(date), None) => Some(date),
        (None, Some(today)) => {
            let year = inferred_year(&text);
            today.dated(year.as_ref()).or(year)
        }
        (None, None) => inferred_year(&text),
    }
}

// ---------------------------------------------------------------------------------------
// Shared helpers

/// Trims a line, including Markdown hard-break backslashes at either end.
fn clean_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\\')
}

// ---------------------------------------------------------------------------------------
// Dates written in a line

/// A date written somewhere in a line, with its byte span.
#[derive(Debug, Clone)]
struct Found {
    start: usize,
    end: usize,
    year: u32,
    month: u32,
    day: Option<u32>,
}

impl Found {
    fn to_date(&self, evidence: String) -> Option<DocDate> {
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
fn find_dates(line: &str) -> Vec<Found> {
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

fn hanzi_digit(c: char) -> Option<u32> {
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
fn hanzi_number(s: &str) -> Option<u32> {
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
fn is_range_or_deadline(line: &str, f: &Found) -> bool {
    const AFTER: &[&str] = &[
        "至", "到", "-", "—", "–", "~", "起", "前", "以前", "之前", "后", "以后", "以来", "止",
    ];
    const BEFORE: &[&str] = &["至", "到", "-", "—", "–", "~", "截至", "截止", "自", "从"];
    let after = line[f.end..].trim_start();
    let before = line[..f.start].trim_end();
    AFTER.iter().any(|a| after.starts_with(a)) || BEFORE.iter().any(|b| before.ends_with(b))
}

/// Labels that say a date in a header line is something other than the publication.
const NOT_PUBLICATION: &[&str] = &[
    "更新",
    "修改",
    "修订",
    "截止",
    "截至",
    "期限",
    "有效期",
    "开始",
    "结束",
    "活动",
    "会议",
    "报名",
    "举办",
    "举行",
    "施行",
    "实施",
    "生效",
    "到期",
    "拍摄",
    "出生",
];

/// Labels that introduce a publication date: `发布时间:2023-05-12`, `日期:2024年9月26日`.
static DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布|发表|发稿|刊发|成文|印发|发文|出版)(?:时间|日期|于)?\s*:?\s*$|(?:日期|时间)\s*:\s*$").unwrap()
});

/// Fields of a byline that may sit beside its date: `来源:南方日报`, `作者:…`.
static BYLINE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来源|作者|编辑|责编|记者|稿源|浏览|阅读|点击|字号|通讯员|供稿)\s*:").unwrap()
});

static DECORATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:星期|周|礼拜)[一二三四五六日天]|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?|[\s()\[\]【】<>|/,:T]")
        .unwrap()
});

/// Whether `rest` holds nothing but a weekday, a time, brackets or separators.
fn only_decoration(rest: &str) -> bool {
    DECORATION.replace_all(rest, "").is_empty()
}

// ---------------------------------------------------------------------------------------
// Rule 1: header date line / byline

/// How many non-empty lines at the top count as the header.
const HEADER_LINES: usize = 8;
/// A line longer than this (in characters) is running text; the header ends before it,
/// as it does before the first line holding a full stop.
const HEADER_LINE_MAX: usize = 80;

/// A line holding `!` or `?` is a sentence only when longer than this: web headlines
/// exclaim (`气愤!河北一幼儿园老师竟然打孩子!监控视频曝光!`) and the header goes on below them.
const HEADLINE_MAX: usize = 50;

/// Whether running text begins at `line`: a sentence, or a long line with clauses (a
/// long line without any, such as a site's menu `首页 | 新闻 | 国内 | …`, is page furniture).
fn ends_header(line: &str) -> bool {
    let n = line.chars().count();
    (n > HEADER_LINE_MAX && line.contains([',', '、', '。', ';', '!', '?']))
        || line.contains(['。', ';'])
        || (n > HEADLINE_MAX && line.contains(['!', '?']))
}

fn header_date(lines: &[&str], list: &DatedList) -> Option<DocDate> {
    for line in lines.iter().take(HEADER_LINES) {
        if ends_header(line) {
            // The lead's own dateline (`新华网北京2017年11月16日电 …`) opens running text.
            return dateline_date(line);
        }
        if let Some(date) = dateline_date(line) {
            return Some(date);
        }
        for f in find_dates(line) {
            let (before, after) = (&line[..f.start], &line[f.end..]);
            if is_range_or_deadline(line, &f) || NOT_PUBLICATION.iter().any(|w| before.contains(w))
            {
                continue;
            }
            let labelled = DATE_LABEL.is_match(before)
                || BYLINE_FIELD.is_match(line)
                || (only_decoration(before) && is_publication_name(after));
            let alone = only_decoration(before) && only_decoration(after);
            let suffix = is_headline_suffix(before, after);
            if alone && list.holds_later_than(&f) {
                // An entry of a chronology, not the date it was written.
                continue;
            }
            let kind = if labelled {
                "byline"
            } else if alone {
                "header date line"
            } else if suffix {
                "headline date"
            } else {
                continue;
            };
            return f.to_date(format!("{kind}: {line}"));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Rule 1, continued: the headline's date, the byline's publication name, the dateline

/// A date that ends a headline after `_` or `|`, as web page titles carry it
/// (`山西出台新规鼓励青年返乡创业_2018年5月30日`, `… | 2018-05-30`).
fn is_headline_suffix(before: &str, after: &str) -> bool {
    let before = before.trim_end();
    before.ends_with(['_', '|']) && before.chars().count() > 2 && only_decoration(after)
}

/// The date at the end of a title (from metadata or the headline line), after `_` or `|`.
fn headline_date(title: &str) -> Option<DocDate> {
    let title = clean_line(title);
    let f = find_dates(title).pop()?;
    let suffix = is_headline_suffix(&title[..f.start], &title[f.end..]);
    (suffix && !is_range_or_deadline(title, &f))
        .then(|| f.to_date(format!("headline date: {title}")))
        .flatten()
}

/// A publication's name, alone after a byline's date and time (`2018-12-20 14:35 山西青年报`).
static PUBLICATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{Han}A-Za-z0-9·]{2,16}?(?:报|网|电视台|台|通讯社|社|在线|新闻|客户端|频道|杂志|周刊|融媒体中心)$")
        .unwrap()
});

/// Whether `after` (what follows a date) is a time and a publication's name, nothing else.
fn is_publication_name(after: &str) -> bool {
    let rest = DECORATION.replace_all(after, "");
    !rest.is_empty() && PUBLICATION.is_match(&rest)
}

/// What may follow a dateline's 电 or 讯: the end, a bracket, punctuation, a space,
/// or the reporter (`电 记者…`, `讯 据…`); never more of a word (电视台, 讯息).
static DATELINE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[电讯](?:$|[\s(\[【:,]|记者|据|通讯员)").unwrap());
/// A dateline without a year: `新华社北京7月1日电`.
static DATELINE_MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^,。:;!?]{0,24}?)([0-9]{1,2})月([0-9]{1,2})日").unwrap());
/// How long the agency and place before a dateline's date may be, in characters.
const DATELINE_PREFIX_MAX: usize = 24;

/// Whether `prefix` can be a dateline's agency and place (`中国青年网`, `人民网北京`).
fn is_dateline_prefix(prefix: &str) -> bool {
    prefix.chars().count() <= DATELINE_PREFIX_MAX
        && !prefix.contains([',', '。', ':', ';', '!', '?'])
}

/// A dateline with its year opening `line`: `中国青年网2017年11月16日讯(记者 李华)…`.
fn dateline_date(line: &str) -> Option<DocDate> {
    let f = find_dates(line).into_iter().next()?;
    let dated = f.day.is_some()
        && is_dateline_prefix(&line[..f.start])
        && DATELINE_END.is_match(&line[f.end..]);
    dated
        .then(|| f.to_date(format!("dateline: {}", snippet(line, 40))))
        .flatten()
}

// ---------------------------------------------------------------------------------------
// Today's month and day (`今天(11月16日)`), with a year the article establishes

/// `今天(11月16日)`, `今日(2025年5月20日)` (brackets folded to ASCII).
static TODAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:今天|今日)\(\s*(?:([0-9]{4})\s*年\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日[^()]{0,10}\)")
        .unwrap()
});

/// The day an article says is today: from `今天(M月D日)` anywhere in it (every one
/// must agree), or from its lead's dateline without a year (`新华社北京7月1日电`).
#[derive(Debug)]
struct Today {
    year: Option<u32>,
    month: u32,
    day: u32,
    /// The words that say so, for the provenance.
    written: String,
}

fn today(lines: &[&str], text: &str) -> Option<Today> {
    let mut found: Vec<Today> = TODAY
        .captures_iter(text)
        .map(|c| {
            let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
            Today {
                year: n(1),
                month: n(2).unwrap_or(0),
                day: n(3).unwrap_or(0),
                written: c[0].to_string(),
            }
        })
        .collect();
    // The header's lines and the lead's, where a dateline can stand.
    let opening = lines
        .iter()
        .take(HEADER_LINES)
        .position(|l| ends_header(l))
        .map_or(lines.len().min(HEADER_LINES), |i| i + 1);
    for lead in &lines[..opening] {
        let Some(c) = DATELINE_MONTH_DAY.captures(lead) else {
            continue;
        };
        let (prefix, end) = (&c[1], c.get(0).map_or(0, |m| m.end()));
        if is_dateline_prefix(prefix)
            && !prefix.ends_with(|ch: char| ch == '年' || ch.is_ascii_digit())
            && DATELINE_END.is_match(&lead[end..])
        {
            found.push(Today {
                year: None,
                month: c[2].parse().unwrap_or(0),
                day: c[3].parse().unwrap_or(0),
                written: format!("{}{}", &c[0], lead[end..].chars().next().unwrap_or('电')),
            });
            break;
        }
    }
    let (month, day) = (found.first()?.month, found.first()?.day);
    let years: Vec<u32> = found.iter().filter_map(|t| t.year).collect();
    let agree = found.iter().all(|t| (t.month, t.day) == (month, day))
        && years.windows(2).all(|w| w[0] == w[1]);
    // 2000 is a leap year: this only refuses days that no year has (2月30日).
    if !agree || checked(2000, Some(month), Some(day)).is_err() {
        return None;
    }
    let stated = found.iter().position(|t| t.year.is_some()).unwrap_or(0);
    Some(found.swap_remove(stated))
}

impl Today {
    /// A day-precise date from a date stated in the header that says only the month:
    /// `2021年7月` above `今天(7月1日)`.
    fn completing(&self, stated: &DocDate) -> Option<DocDate> {
        let same_month = stated.month.map(u32::from) == Some(self.month);
        let same_year = self.year.is_none_or(|y| y == stated.year as u32);
        if stated.precision != Precision::Month || !same_month || !same_year {
            return None;
        }
        let mut date = checked(stated.year as u32, Some(self.month), Some(self.day)).ok()?;
        date.evidence = format!("{}; today: {}", stated.evidence, self.written);
        Some(date)
    }

    /// The day, in the year it states (`今天(2025年5月20日)`) or else in the year
    /// inferred for the article; `None` without a year, or when that year has no such
    /// day (29 February).
    fn dated(&self, inferred: Option<&DocDate>) -> Option<DocDate> {
        let (year, source, evidence) = match (self.year, inferred) {
            (Some(year), _) => (year, DateSource::Text, format!("today: {}", self.written)),
            (None, Some(y)) => (
                u32::try_from(y.year).ok()?,
                DateSource::Inferred,
                format!(
                    "today: {} in the year {}",
                    self.written,
                    y.evidence.trim_start_matches("inferred: ")
                ),
            ),
            (None, None) => return None,
        };
        let mut date = checked(year, Some(self.month), Some(self.day)).ok()?;
        date.source = source;
        date.evidence = evidence;
        Some(date)
    }
}

// ---------------------------------------------------------------------------------------
// Dated lists: a chronology's entries are events

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
struct DatedList {
    /// The first day of the latest entry, when there are at least [`LIST_ENTRIES`].
    latest: Option<Date>,
}

impl DatedList {
    fn of(lines: &[&str]) -> DatedList {
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
    fn holds_later_than(&self, f: &Found) -> bool {
        let first = clamped_date(f.year as i16, f.month as u8, f.day.unwrap_or(1) as u8);
        self.latest.is_some_and(|latest| latest > first)
    }
}

// ---------------------------------------------------------------------------------------
// Rule 2: dated signature

/// How many editor/source lines may follow the signature.
const TRAILER_LINES: usize = 4;
const TRAILER_STARTS: &[&str] = &[
    "编辑",
    "责任编辑",
    "责编",
    "审核",
    "审校",
    "校对",
    "来源",
    "供稿",
    "作者",
    "文/",
    "图/",
    "文|",
    "摄影",
    "记者",
    "(责任编辑",
    "(编辑",
    "(来源",
    "【",
    "原标题",
    "监制",
    "制作",
    "终审",
    "初审",
    "(完)",
];
/// Closing formulas that sit above a signature but are not the issuer.
const NOT_ISSUER: &[&str] = &["此致", "敬礼", "特此公告", "特此通知", "特此函告", "附件"];

fn is_trailer(line: &str) -> bool {
    line.chars().count() <= 40
        && !line.contains('。')
        && TRAILER_STARTS.iter().any(|s| line.starts_with(s))
}

/// A short line that can name the issuing body: no sentence punctuation, no digits.
fn is_issuer(line: &str) -> bool {
    let n = line.chars().count();
    (2..=40).contains(&n)
        && !line.contains(['。', '!', '?', ';', ',', ':', '"', '“', '”'])
        && !line.chars().any(|c| c.is_ascii_digit())
        && line.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        && !NOT_ISSUER.iter().any(|w| line.starts_with(w))
}

fn signature_date(lines: &[&str], body: &str, list: &DatedList) -> Option<DocDate> {
    let mut end = lines.len();
    while end > 0 && lines.len() - end < TRAILER_LINES && is_trailer(lines[end - 1]) {
        end -= 1;
    }
    let last = *lines.get(end.checked_sub(1)?)?;
    let found = find_dates(last);
    let [f] = found.as_slice() else { return None };
    if !only_decoration(&last[f.end..]) || is_range_or_deadline(last, f) || list.holds_later_than(f)
    {
        return None;
    }
    let prefix = last[..f.start].trim();
    let issuer = if only_decoration(prefix) {
        *lines.get(end.checked_sub(2)?)?
    } else {
        prefix
    };
    if !is_issuer(issuer) {
        return None;
    }
    let written = &last[f.start..f.end];
    let mut evidence = format!("signature: {issuer} {written}");
    if let Some(period) = agreeing_period(body, f) {
        evidence.push_str(&format!("; agrees with {period}"));
    }
    f.to_date(evidence)
}

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:公开期限|公示期限|公示期|公示时间|征求意见时间|反馈时间)\s*[::为]?\s*[^。;\n]{0,40}",
    )
    .unwrap()
});

/// A publication period (`公开期限:2024年9月26日至10月25日`) that starts on the signature
/// date: it supports the signature, it is never a date by itself.
fn agreeing_period(body: &str, sig: &Found) -> Option<String> {
    PERIOD.find_iter(body).find_map(|m| {
        let first = find_dates(m.as_str()).into_iter().next()?;
        let same = (first.year, first.month, first.day) == (sig.year, sig.month, sig.day);
        same.then(|| m.as_str().trim_end_matches([',', ' ']).to_string())
    })
}

// ---------------------------------------------------------------------------------------
// Rule 3: inferred year

/// Events whose anniversaries articles mark, with the year they happened. Only widely
/// commemorated national events; the article must say the anniversary falls this year.
const EVENTS: &[(&str, i32)] = &[
    ("中国共产党成立", 1921),
    ("建党", 1921),
    ("中华人民共和国成立", 1949),
    ("新中国成立", 1949),
    ("改革开放", 1978),
    ("中国人民抗日战争暨世界反法西斯战争胜利", 1945),
    ("中国人民抗日战争胜利", 1945),
    ("抗日战争胜利", 1945),
    ("抗战胜利", 1945),
    ("中国人民解放军建军", 1927),
    ("建军", 1927),
    ("香港回归祖国", 1997),
    ("香港回归", 1997),
    ("澳门回归祖国", 1999),
    ("澳门回归", 1999),
    ("五四运动", 1919),
    ("辛亥革命", 1911),
    ("红军长征胜利", 1936),
    ("长征胜利", 1936),
    ("中国人民志愿军抗美援朝出国作战", 1950),
    ("抗美援朝出国作战", 1950),
    ("西藏和平解放", 1951),
    ("深圳经济特区建立", 1980),
    ("浦东开发开放", 1990),
    ("毛泽东同志诞辰", 1893),
    ("周恩来同志诞辰", 1898),
    ("邓小平同志诞辰", 1904),
    ("孙中山先生诞辰", 1866),
];

/// Zones whose opening (挂牌) year is known, for `挂牌N年以来`.
const OPENINGS: &[(&str, i32)] = &[
    ("南沙自贸片区", 2015),
    ("南沙新区片区", 2015),
    ("前海蛇口自贸片区", 2015),
    ("横琴自贸片区", 2015),
    ("广东自贸试验区", 2015),
    ("广东自贸区", 2015),
    ("上海自贸试验区", 2013),
    ("上海自贸区", 2013),
];

/// Yearly days of commemoration, counted from the year first held (第十一个国家公祭日 is
/// 2014 + 10). National days set by law or by the State Council, and UN days with a
/// well-known first year.
const COMMEMORATIONS: &[(&str, i32)] = &[
    ("南京大屠杀死难者国家公祭日", 2014),
    ("国家公祭日", 2014),
    ("烈士纪念日", 2014),
    ("国家宪法日", 2014),
    ("国家扶贫日", 2014),
    ("全民国家安全教育日", 2016),
    ("中国航天日", 2016),
    ("全国科技工作者日", 2017),
    ("中国品牌日", 2017),
    ("中国农民丰收节", 2018),
    ("中国医师节", 2018),
    ("中国人民警察节", 2021),
    ("全国生态日", 2023),
    ("全国防灾减灾日", 2009),
    ("中国旅游日", 2011),
    ("中国航海日", 2005),
    ("全国交通安全日", 2012),
    ("全国低碳日", 2013),
    ("教师节", 1985),
    ("中国记者节", 2000),
    ("全国助残日", 1991),
    ("全国爱眼日", 1996),
    ("全国爱耳日", 2000),
    ("世界计量日", 2000),
    ("世界知识产权日", 2001),
];

/// Five-year plans (first year) and party congresses (year held), for 开局之年/收官之年.
const PLANS: &[(&str, i32)] = &[
    ("十二五", 2011),
    ("十三五", 2016),
    ("十四五", 2021),
    ("十五五", 2026),
];
const CONGRESSES: &[(&str, i32)] = &[("十八大", 2012), ("十九大", 2017), ("二十大", 2022)];

/// Era markers: a text mentioning them was not written before the given year.
static ERAS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"新冠(?:肺炎|病毒|疫情|疫苗)|二十届[一二三四五六七]中全会|十九届[一二三四五六七]中全会",
    )
    .unwrap()
});

const NUM: &str = r"([0-9]{1,3}|[一二两三四五六七八九十百零〇]{1,5})";
const RELATIVE: &str = r"(今年|本年|去年|明年|前年)";
/// A relative year, or today (`今天(12月26日)是…`), which is said of this year.
const NOW: &str = r"(今年|本年|去年|明年|前年|今天|今日)(?:\([^()]{0,16}\))?";

static ANNIVERSARY: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = EVENTS.iter().map(|e| e.0).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Regex::new(&format!("({})的?{NUM}周年", names.join("|"))).unwrap()
});
static COMMEMORATION: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = COMMEMORATIONS.iter().map(|e| e.0).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Regex::new(&format!("第{NUM}个[\"“]?({})[\"”]?", names.join("|"))).unwrap()
});
/// A yearly session of the National People's Congress or the CPPCC National Committee:
/// `十四届全国人大二次会议`, `第十四届全国人民代表大会第二次会议`, `全国政协十四届二次会议`.
static SESSION: LazyLock<Regex> = LazyLock::new(|| {
    const K: &str = "(十?[一二三四五六七八九]|十)";
    Regex::new(&format!(
        "第?{K}届全国(?:人大|人民代表大会|政协|政治协商会议)第?{K}次(?:全体)?会议|全国政协第?{K}届第?{K}次会议"
    ))
    .unwrap()
});
/// What a session held today does.
static HELD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"开幕|闭幕|举行|召开").unwrap());
static OPENING: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<&str> = OPENINGS.iter().map(|e| e.0).collect();
    Regex::new(&format!(
        "({})(?:正式)?挂牌(?:成立)?{NUM}周?年(以来|来|之际)",
        names.join("|")
    ))
    .unwrap()
});
static MILESTONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{RELATIVE}(?:是|为|也是|将是|正值|恰逢)([^。!?;,\n]{{0,30}}?)(开局之年|收官之年)"
    ))
    .unwrap()
});
/// A relative year stated of the present clause: `今年是`, `去年正值`, `明年将迎来`,
/// `今天(12月26日)是`.
static STATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{NOW}(?:是|正值|恰逢|适逢|迎来|也是|将迎来|为|将是)"
    ))
    .unwrap()
});
static OCCASION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"在|值此|正值|恰逢|适逢|喜迎|迎来|时值").unwrap());
/// Words that put a clause in the past or future, so its anniversary is not this year's.
static NOT_NOW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"去年|前年|明年|过去|曾|年前|[0-9]{4}年").unwrap());
static PROGRAMME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》\n]{2,80})》").unwrap());
static PLAN_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:实施意见|工作要点|工作方案|行动方案|实施方案|工作计划|行动计划|方案|计划|要点|意见)$",
    )
    .unwrap()
});
static ISSUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"印发|出台|发布|公布|出炉|制定|以下简称").unwrap());

/// The article year implied by a relative word, given the year it is said of:
/// `今年是2021年的…` → 2021, `去年是…` → one year later.
fn resolve_relative(word: &str, said_of: i32) -> i32 {
    match word {
        "去年" => said_of + 1,
        "前年" => said_of + 2,
        "明年" => said_of - 1,
        _ => said_of,
    }
}

/// The clause containing `start`, up to `start`: from the last clause boundary before it.
fn clause_before(text: &str, start: usize) -> &str {
    segment_before(text, start, &['。', '!', '?', ';', ',', '\n'])
}

/// The sentence containing `start`, up to `start`: from the last sentence boundary before it.
fn sentence_before(text: &str, start: usize) -> &str {
    segment_before(text, start, &['。', '!', '?', ';', '\n'])
}

fn segment_before<'t>(text: &'t str, start: usize, boundaries: &[char]) -> &'t str {
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| boundaries.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[from..start]
}

fn inside_book_title(text: &str, start: usize) -> bool {
    let before = &text[..start];
    before
        .rfind('《')
        .is_some_and(|open| before.rfind('》').is_none_or(|close| close < open))
}

fn snippet(s: &str, max_chars: usize) -> String {
    let mut out: String = s.chars().take(max_chars).collect();
    if s.chars().count() > max_chars {
        out.push('…');
    }
    out
}

/// One piece of evidence for the article's year.
struct Clue {
    year: i32,
    evidence: String,
}

/// The whole match, the event's year from `table` (looked up by group 1) and the count
/// in group 2 (`100`, `一百`).
fn counted_event<'t>(
    c: &regex::Captures<'t>,
    table: &[(&str, i32)],
) -> Option<(regex::Match<'t>, i32, u32)> {
    let n = hanzi_number(&c[2])?;
    let &(_, base) = table.iter().find(|e| e.0 == &c[1])?;
    Some((c.get(0)?, base, n))
}

fn anniversary_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in ANNIVERSARY.captures_iter(text) {
        let Some((m, base, n)) = counted_event(&c, EVENTS) else {
            continue;
        };
        if inside_book_title(text, m.start()) {
            continue;
        }
        let prefix = clause_before(text, m.start());
        let event_year = base + n as i32;
        if let Some(s) = STATED.captures_iter(prefix).last() {
            let word = s.get(1).unwrap();
            let year = resolve_relative(word.as_str(), event_year);
            let said = &prefix[word.start()..];
            clues.push(Clue {
                year,
                evidence: format!(
                    "\"{}{}\" → {year} ({base}+{n}, said of {})",
                    snippet(said, 12),
                    m.as_str(),
                    word.as_str()
                ),
            });
        } else if text[m.end()..].starts_with("之际")
            && OCCASION.is_match(prefix)
            && !NOT_NOW.is_match(sentence_before(text, m.start()))
        {
            clues.push(Clue {
                year: event_year,
                evidence: format!("\"{}之际\" → {event_year} ({base}+{n})", m.as_str()),
            });
        }
    }
}

fn opening_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in OPENING.captures_iter(text) {
        let Some((m, base, n)) = counted_event(&c, OPENINGS) else {
            continue;
        };
        if NOT_NOW.is_match(sentence_before(text, m.start())) {
            continue;
        }
        let year = base + n as i32;
        clues.push(Clue {
            year,
            evidence: format!("\"{}\" → {year} (挂牌 {base}+{n})", m.as_str()),
        });
    }
}

/// `今天(12月13日)是第十一个南京大屠杀死难者国家公祭日`, `在第9个全民国家安全教育日到来之际`:
/// a counted yearly day said to be now.
fn commemoration_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in COMMEMORATION.captures_iter(text) {
        let (Some(m), Some(n)) = (c.get(0), hanzi_number(&c[1])) else {
            continue;
        };
        let Some(&(name, first)) = COMMEMORATIONS.iter().find(|e| e.0 == &c[2]) else {
            continue;
        };
        let prefix = clause_before(text, m.start());
        let following = &text[m.end()..];
        let now = STATED
            .captures_iter(prefix)
            .last()
            .map(|s| s[1].to_string());
        let arriving = ["到来之际", "来临之际"]
            .iter()
            .any(|w| following.starts_with(w))
            && !NOT_NOW.is_match(sentence_before(text, m.start()));
        let year = first + n as i32 - 1;
        let year = match now.as_deref() {
            Some(word) => resolve_relative(word, year),
            None if arriving => year,
            None => continue,
        };
        clues.push(Clue {
            year,
            evidence: format!("\"{}\" → {year} ({name} since {first})", m.as_str()),
        });
    }
}

/// A session of the National People's Congress or the CPPCC held today (`今天(3月5日),
/// 十四届全国人大二次会议在人民大会堂开幕`): their terms have begun every five years since
/// the fifth in 1978, with one session a year (十四届 from 2023, 二次会议 in 2024).
fn session_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in SESSION.captures_iter(text) {
        let m = c.get(0).unwrap();
        let numbers: Vec<u32> = c
            .iter()
            .skip(1)
            .flatten()
            .filter_map(|g| hanzi_number(g.as_str()))
            .collect();
        let [term, session] = numbers[..] else {
            continue;
        };
        if !(5..=40).contains(&term) || !(1..=5).contains(&session) {
            continue;
        }
        // Said of today, in the same sentence, and not looked back on.
        let sentence_start = m.start() - sentence_before(text, m.start()).len();
        let sentence_end = text[m.end()..]
            .find(['。', '!', '?', ';', '\n'])
            .map_or(text.len(), |i| m.end() + i);
        let sentence = &text[sentence_start..sentence_end];
        let after: String = text[m.end()..sentence_end].chars().take(30).collect();
        let before: String = {
            let b: Vec<char> = text[sentence_start..m.start()].chars().collect();
            b[b.len().saturating_sub(20)..].iter().collect()
        };
        let held = HELD.is_match(&after) || HELD.is_match(&before);
        if !sentence.contains("今天") && !sentence.contains("今日")
            || !held
            || NOT_NOW.is_match(sentence)
            || inside_book_title(text, m.start())
        {
            continue;
        }
        let year = 1978 + 5 * (term as i32 - 5) + session as i32 - 1;
        clues.push(Clue {
            year,
            evidence: format!("\"{}\" today → {year}", m.as_str()),
        });
    }
}

fn milestone_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in MILESTONE.captures_iter(text) {
        let (middle, kind) = (&c[2], &c[3]);
        let said_of = if let Some(&(name, first)) = PLANS.iter().find(|p| middle.contains(p.0)) {
            let year = if kind == "开局之年" {
                first
            } else {
                first + 4
            };
            Some((name, year))
        } else if kind == "开局之年" {
            CONGRESSES
                .iter()
                .find(|p| middle.contains(p.0) && middle.contains("精神"))
                .map(|&(n, y)| (n, y + 1))
        } else {
            None
        };
        if let Some((name, said_of)) = said_of {
            let year = resolve_relative(&c[1], said_of);
            clues.push(Clue {
                year,
                evidence: format!("\"{}\" → {year} ({name} {kind})", snippet(&c[0], 30)),
            });
        }
    }
}

fn programme_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in PROGRAMME.captures_iter(text) {
        let (m, title) = (c.get(0).unwrap(), &c[1]);
        if !PLAN_SUFFIX.is_match(title) {
            continue;
        }
        let years: Vec<(usize, &str)> = title
            .match_indices(|ch: char| ch.is_ascii_digit())
            .filter(|(i, _)| *i == 0 || !title.as_bytes()[i - 1].is_ascii_digit())
            .map(|(i, _)| (i, &title[i..]))
            .collect();
        // Exactly one number, a four-digit year as in `2023年` / `2023年度`, not a range.
        let [(at, rest)] = years.as_slice() else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[digits.len()..];
        let before = title[..*at].trim_end();
        if digits.len() != 4
            || !after.starts_with('年')
            || after["年".len()..].starts_with(['月', '至', '到', '-', '—', '~'])
            || before.ends_with(['至', '到', '-', '—', '~'])
        {
            continue;
        }
        // The article's own programme: the title opens with a place the article is about
        // (`《新会区2023年…》` in an article naming 新会区 throughout), not a national or
        // other body's plan, which may be published the year before the one it names.
        let place = before.trim_start_matches("中共").trim_end_matches('委');
        let is_place = (2..=10).contains(&place.chars().count())
            && (place.ends_with(['省', '市', '区', '县', '镇', '乡']) || place.ends_with("街道"));
        if !is_place || text.matches(place).count() < 3 {
            continue;
        }
        let prefix = clause_before(text, m.start());
        let following: String = text[m.end()..].chars().take(30).collect();
        if !(ISSUED.is_match(prefix) || ISSUED.is_match(&following))
            || NOT_NOW.is_match(sentence_before(text, m.start()))
        {
            continue;
        }
        let year: i32 = digits.parse().unwrap_or(0);
        clues.push(Clue {
            year,
            evidence: format!("programme title 《{}》 → {year}", snippet(title, 24)),
        });
    }
}

fn inferred_year(text: &str) -> Option<DocDate> {
    let mut clues = Vec::new();
    anniversary_clues(text, &mut clues);
    opening_clues(text, &mut clues);
    commemoration_clues(text, &mut clues);
    session_clues(text, &mut clues);
    milestone_clues(text, &mut clues);
    programme_clues(text, &mut clues);
    let year = clues.first()?.year;
    if clues.iter().any(|c| c.year != year) {
        return None;
    }
    let mut evidence: Vec<String> = Vec::new();
    for c in clues {
        if !evidence.contains(&c.evidence) {
            evidence.push(c.evidence);
        }
    }
    evidence.truncate(3);
    for era in ERAS.find_iter(text) {
        let not_before = if era.as_str().starts_with("新冠") {
            2020
        } else if era.as_str().starts_with("二十届") {
            2022
        } else {
            2017
        };
        if year < not_before {
            return None;
        }
        let note = format!("consistent with {} (not before {not_before})", era.as_str());
        if !evidence.iter().any(|e| e.starts_with("consistent with")) {
            evidence.push(note);
        }
    }
    let mut date = checked(u32::try_from(year).ok()?, None, None).ok()?;
    date.source = DateSource::Inferred;
    date.evidence = format!("inferred: {}", evidence.join("; "));
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_bound;

    /// A bundled corpus file split as the corpus reader does: first non-empty line as the
    /// title, the rest as the body.
    fn corpus(text: &'static str) -> (&'static str, &'static str) {
        let text = text.trim_start();
        text.split_once('\n').unwrap_or((text, ""))
    }

    /// [`extract_date`] on a bundled corpus file.
    fn corpus_date(text: &'static str) -> Option<DocDate> {
        let (title, body) = corpus(text);
        extract_date(title, body)
    }

    const C000: &str = include_str!("../../../corpus/000_e19cf532170f2a3e.txt");
    const C001: &str = include_str!("../../../corpus/001_eda8d542acb23e2d.txt");
    const C002: &str = include_str!("../../../corpus/002_6bc2cfcd6b5cfc07.txt");
    const C003: &str = include_str!("../../../corpus/003_8f3e609361c084a5.txt");
    const C004: &str = include_str!("../../../corpus/004_ec023b9238a4b3cd.txt");

    /// A sentence from 001 used as running text around the dates under test.
    const PARAGRAPH: &str =
        "欢迎广大干部群众对巡视整改落实情况进行监督。如有意见建议,请及时向我们反映。";

    fn date(body: &str) -> Option<DocDate> {
        extract_date("", body)
    }

    fn day(d: &Option<DocDate>) -> Option<(String, Precision, DateSource)> {
        d.as_ref().map(|d| (d.display(), d.precision, d.source))
    }

    fn text_day(s: &str) -> Option<(String, Precision, DateSource)> {
        Some((s.to_string(), Precision::Day, DateSource::Text))
    }

    fn inferred(year: &str) -> Option<(String, Precision, DateSource)> {
        Some((year.to_string(), Precision::Year, DateSource::Inferred))
    }

    /// Asserts the date, precision and source, and that the evidence names each fragment.
    fn assert_date(
        d: Option<DocDate>,
        expected: Option<(String, Precision, DateSource)>,
        fragments: &[&str],
    ) {
        assert_eq!(day(&d), expected);
        let evidence = d.map(|d| d.evidence).unwrap_or_default();
        for f in fragments {
            assert!(evidence.contains(f), "{f:?} not in {evidence:?}");
        }
    }

    #[test]
    fn signature_dates_001() {
        // The publication period starts on the signature date and is cited as support.
        assert_date(
            corpus_date(C001),
            text_day("2024-09-26"),
            &[
                "signature: 中共佛山市高明区委 2024年9月26日",
                "agrees with 公开期限:2024年9月26日至10月25日",
            ],
        );
    }

    #[test]
    fn signature_with_issuer_on_the_date_line() {
        let d = date(&format!("{PARAGRAPH}\n中共佛山市高明区委 2024年9月26日"));
        assert_eq!(day(&d), text_day("2024-09-26"));
    }

    #[test]
    fn signature_followed_by_editor_and_source_lines() {
        let body = format!(
            "{PARAGRAPH}\n中共佛山市高明区委\n2024年9月26日\n\n文/佛山日报记者黎翠怡\n编辑|梁楚静"
        );
        assert_eq!(day(&date(&body)), text_day("2024-09-26"));
    }

    #[test]
    fn signature_in_chinese_numerals_and_full_width_digits() {
        let hanzi = format!("{PARAGRAPH}\n中共佛山市高明区委\n二〇二四年九月二十六日");
        assert_eq!(day(&date(&hanzi)), text_day("2024-09-26"));
        let wide = format!("{PARAGRAPH}\n中共佛山市高明区委\n２０２４年９月２６日");
        assert_eq!(day(&date(&wide)), text_day("2024-09-26"));
    }

    #[test]
    fn a_closing_sentence_or_period_is_not_a_signature() {
        // The date of an event in the last sentence.
        let event = "2019年4月12日,高明区委召开全面深化改革委员会第一次会议。";
        assert_eq!(date(&format!("{PARAGRAPH}\n{event}")), None);
        // A deadline under the issuer is a period, not the date of the text.
        let period = format!("{PARAGRAPH}\n中共佛山市高明区委\n公开期限:2024年9月26日至10月25日");
        assert_eq!(date(&period), None);
        // A bare date under running text has no issuer to sign it.
        assert_eq!(date(&format!("{PARAGRAPH}\n2024年9月26日")), None);
        // Nor does a date under a closing formula.
        assert_eq!(date(&format!("{PARAGRAPH}\n特此公告\n2024年9月26日")), None);
    }

    #[test]
    fn header_date_line() {
        let d = date(&format!("2024年9月26日 星期四\n{PARAGRAPH}"));
        assert_eq!(day(&d), text_day("2024-09-26"));
        assert_eq!(
            d.unwrap().evidence,
            "header date line: 2024年9月26日 星期四"
        );
        let month = date(&format!("(2024年9月)\n{PARAGRAPH}"));
        assert_eq!(
            day(&month),
            Some(("2024-09".into(), Precision::Month, DateSource::Text))
        );
    }

    #[test]
    fn header_byline_with_time_and_source() {
        let body = format!("南方+\n2023-05-12 10:30 来源:南方日报\n{}", corpus(C002).1);
        let d = date(&body);
        assert_eq!(day(&d), text_day("2023-05-12"));
        assert_eq!(
            d.unwrap().evidence,
            "byline: 2023-05-12 10:30 来源:南方日报"
        );
        // Full-width digits and punctuation, as pasted from many sites.
        let wide = date(&format!(
            "发布日期：２０２３年５月１２日　来源：南方日报\n{PARAGRAPH}"
        ));
        assert_eq!(day(&wide), text_day("2023-05-12"));
    }

    #[test]
    fn header_iso_timestamp() {
        let d = date(&format!("发布时间:2023-05-12T10:30:00+08:00\n{PARAGRAPH}"));
        assert_eq!(day(&d), text_day("2023-05-12"));
        let bare = date(&format!("2023-05-12T02:30:00Z\n{PARAGRAPH}"));
        assert_eq!(day(&bare), text_day("2023-05-12"));
    }

    // --- Issue 10, item 5: dates stated in a header ---------------------------------

    #[test]
    fn publication_time_after_a_site_line_and_an_exclaiming_headline() {
        // Web headlines end in ! and ?; the header goes on below them.
        let body = format!(
            "中国青年网\n气愤!河北一幼儿园老师竟然打孩子!监控视频曝光!警方已介入调查……\n发布时间:2018-05-23\n{PARAGRAPH}"
        );
        assert_eq!(day(&date(&body)), text_day("2018-05-23"));
        let wide = format!(
            "中国青年网\n这所学校为何走红？\n发布时间：２０１８－０５－２３　１０：３０\n{PARAGRAPH}"
        );
        assert_eq!(day(&date(&wide)), text_day("2018-05-23"));
        // Below a site's menu, a long line of links.
        let menu = "首页 | 新闻中心 | 国内新闻 | 国际新闻 | 社会新闻 | 军事频道 | 体育频道 | 娱乐频道 | 财经频道 | 科技频道 | 教育频道 | 健康频道 | 汽车频道 | 房产频道";
        let body = format!("{menu}\n发布时间:2018-05-23\n{PARAGRAPH}");
        assert_eq!(day(&date(&body)), text_day("2018-05-23"));
    }

    #[test]
    fn dateline_with_the_year() {
        let body = format!(
            "中国青年网2017年11月16日讯(记者 李华)近日,太原市举行青年创业大赛。\n{PARAGRAPH}"
        );
        let d = date(&body);
        assert_eq!(day(&d), text_day("2017-11-16"));
        assert!(d.unwrap().evidence.starts_with("dateline: "));
        let wide = format!(
            "人民网北京２０１７年１１月１６日电　国务院新闻办公室今天举行发布会。\n{PARAGRAPH}"
        );
        assert_eq!(day(&date(&wide)), text_day("2017-11-16"));
        // On a line of its own, above the lead.
        let own = format!("本报太原2017年11月16日讯\n{PARAGRAPH}");
        assert_eq!(day(&date(&own)), text_day("2017-11-16"));
    }

    #[test]
    fn dates_followed_by_other_words_are_not_datelines() {
        // 电视, 电影, 讯息: not a dateline's 电/讯.
        let tv = format!("2017年11月16日电视台播出了专题片,反响热烈。\n{PARAGRAPH}");
        assert_eq!(date(&tv), None);
        // A dateline-like date deep in running text is an event.
        let late =
            format!("{PARAGRAPH}\n{PARAGRAPH}\n据报道,山西2017年11月16日讯,全省开展安全检查。");
        assert_eq!(date(&late), None);
    }

    #[test]
    fn headline_ending_with_its_date() {
        let d = extract_date("山西出台新规鼓励青年返乡创业_2018年5月30日", PARAGRAPH);
        assert_eq!(day(&d), text_day("2018-05-30"));
        assert!(d.unwrap().evidence.starts_with("headline date: "));
        let bar = extract_date("返乡创业新规出台 | 2018-05-30", PARAGRAPH);
        assert_eq!(day(&bar), text_day("2018-05-30"));
        // The headline line of a plain-text file, above the body.
        let body = format!("山西出台新规鼓励青年返乡创业_2018年5月30日\n{PARAGRAPH}");
        assert_eq!(day(&date(&body)), text_day("2018-05-30"));
    }

    #[test]
    fn headline_dates_that_are_not_the_publication() {
        // A date that opens the headline, or one that starts a period, is an event.
        assert_eq!(
            extract_date("2018年5月30日高考时间安排公布", PARAGRAPH),
            None
        );
        assert_eq!(extract_date("新规施行_2018年5月30日起", PARAGRAPH), None);
        assert_eq!(extract_date("活动安排:2018年5月30日", PARAGRAPH), None);
    }

    #[test]
    fn byline_of_date_time_and_a_publication_name() {
        let d = date(&format!("2018-12-20 14:35 山西青年报\n{PARAGRAPH}"));
        assert_eq!(day(&d), text_day("2018-12-20"));
        assert!(d.unwrap().evidence.starts_with("byline: "));
        let wide = date(&format!(
            "２０１８年１２月２０日　１４：３５　中国青年网\n{PARAGRAPH}"
        ));
        assert_eq!(day(&wide), text_day("2018-12-20"));
        // A date and time before anything but a publication name is an event.
        assert_eq!(
            date(&format!("2018-12-20 14:35 高考开考\n{PARAGRAPH}")),
            None
        );
        assert_eq!(
            date(&format!("2018-12-20 14:35 山西举行发布会\n{PARAGRAPH}")),
            None
        );
    }

    /// A broadcast story's opening, written for these tests.
    const BROADCAST: &str = "央视网消息(新闻联播):今天(7月1日),庆祝大会在北京隆重举行。今年是中国共产党成立100周年,各地举办丰富多彩的纪念活动。";

    #[test]
    fn today_with_a_year_the_article_establishes() {
        let d = date(BROADCAST);
        assert_eq!(
            day(&d),
            Some(("2021-07-01".into(), Precision::Day, DateSource::Inferred))
        );
        let evidence = d.unwrap().evidence;
        assert!(evidence.contains("今天(7月1日)"), "{evidence}");
        assert!(evidence.contains("(1921+100"), "{evidence}");
        // Full-width brackets, as broadcast transcripts write them.
        let wide = "央视网消息（新闻联播）：今天（７月１日），庆祝大会在北京隆重举行。今年是中国共产党成立100周年。";
        assert_eq!(day(&date(wide)).unwrap().0, "2021-07-01");
    }

    #[test]
    fn today_without_a_year_stays_unknown() {
        let s = "央视网消息(新闻联播):国家统计局今天(11月16日)公布,10月份国民经济持续恢复。";
        assert_eq!(date(s), None);
        // Nor does a year of the figures reported (2021年) make one.
        let s = "央视网消息:某省水利厅今天(1月6日)通报,2021年全省水利建设投资同比增长一成。";
        assert_eq!(date(s), None);
    }

    #[test]
    fn today_with_its_full_date() {
        let s = "今天(2025年5月20日)是第26个世界计量日,各地计量院所举办开放日活动。";
        let d = date(s);
        assert_eq!(day(&d), text_day("2025-05-20"));
        assert!(d.unwrap().evidence.starts_with("today: "));
    }

    #[test]
    fn today_said_twice_with_different_days_gives_no_day() {
        let s = format!("{BROADCAST}\n今天(7月2日),各地继续开展活动。");
        assert_eq!(day(&date(&s)), inferred("2021"));
    }

    #[test]
    fn today_and_a_year_that_has_no_such_day() {
        // 2021 has no 29 February: the year alone is kept.
        let s = "今天(2月29日),庆祝大会在北京举行。今年是中国共产党成立100周年。";
        assert_eq!(day(&date(s)), inferred("2021"));
    }

    #[test]
    fn dateline_without_a_year_takes_the_year_of_the_article() {
        let s = "新华社北京7月1日电 庆祝大会今天在北京举行。今年是中国共产党成立100周年,各地举办纪念活动。";
        assert_eq!(day(&date(s)).unwrap().0, "2021-07-01");
        let s = "新华社北京7月1日电 庆祝大会今天在北京举行。";
        assert_eq!(date(s), None);
    }

    #[test]
    fn today_with_the_month_of_the_header() {
        let s = format!("2021年7月\n今天(7月1日),庆祝大会在北京隆重举行。\n{PARAGRAPH}");
        let d = date(&s);
        assert_eq!(day(&d), text_day("2021-07-01"));
        // A header month that is not today's says nothing about today.
        let s = format!("2021年6月\n今天(7月1日),庆祝大会在北京隆重举行。\n{PARAGRAPH}");
        assert_eq!(
            day(&date(&s)),
            Some(("2021-06".into(), Precision::Month, DateSource::Text))
        );
    }

    #[test]
    fn anniversary_said_of_today() {
        let s =
            "今天(12月26日)是毛泽东同志诞辰130周年纪念日,各地干部群众以多种形式缅怀毛泽东同志。";
        assert_eq!(
            day(&date(s)),
            Some(("2023-12-26".into(), Precision::Day, DateSource::Inferred))
        );
    }

    #[test]
    fn counted_commemoration_day_said_of_today() {
        let s = "今天(12月13日)是第十一个南京大屠杀死难者国家公祭日,悼念活动在南京举行。";
        assert_eq!(day(&date(s)).unwrap().0, "2024-12-13");
        let s = "今天(4月15日)是第9个全民国家安全教育日,各地开展宣传活动。";
        assert_eq!(day(&date(s)).unwrap().0, "2024-04-15");
        // Counted, but not said to be now.
        let s = "回顾第十个烈士纪念日的活动,各地群众自发前往烈士陵园。";
        assert_eq!(date(s), None);
    }

    #[test]
    fn yearly_session_held_today() {
        let s = "央视网消息:今天(3月5日),十四届全国人大二次会议在人民大会堂开幕。";
        assert_eq!(
            day(&date(s)),
            Some(("2024-03-05".into(), Precision::Day, DateSource::Inferred))
        );
        let s = "全国政协十四届二次会议今天(3月4日)下午在人民大会堂开幕。";
        assert_eq!(day(&date(s)).unwrap().0, "2024-03-04");
        let s = "第十三届全国人民代表大会第一次会议今天(3月20日)上午闭幕。";
        assert_eq!(day(&date(s)).unwrap().0, "2018-03-20");
        // Named, but not held today.
        let s =
            "今天(6月1日),各地学习十三届全国人大一次会议通过的宪法修正案。去年,代表们提出建议。";
        assert_eq!(date(s), None);
        let s = "十四届全国人大二次会议审议通过了政府工作报告,各地认真贯彻落实。";
        assert_eq!(date(s), None);
    }

    // --- Issue 10, item 6: entries of a dated list are events ------------------------

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

    #[test]
    fn header_dates_that_are_not_the_publication() {
        // When the page was last updated says nothing about when the article was written.
        assert_eq!(
            date(&format!(
                "---\n更新时间:2023-09-04T14:27:58.876Z\n{PARAGRAPH}"
            )),
            None
        );
        // Deadlines and ranges in the header.
        assert_eq!(
            date(&format!("公开期限:2024年9月26日至10月25日\n{PARAGRAPH}")),
            None
        );
        assert_eq!(date(&format!("报名截止:2024年9月26日\n{PARAGRAPH}")), None);
        // Headings that start with a date are events, even next to a time or a word
        // like 时间 that is not a label.
        assert_eq!(
            date(&format!("2024年6月7日高考时间安排公布\n{PARAGRAPH}")),
            None
        );
        assert_eq!(
            date(&format!("2024-06-07 09:00 高考开考\n{PARAGRAPH}")),
            None
        );
        assert_eq!(
            date(&format!(
                "2019年4月12日 高明区委召开改革委员会会议\n{PARAGRAPH}"
            )),
            None
        );
    }

    #[test]
    fn dates_in_the_opening_sentence_are_events() {
        // 001 without its signature: the first paragraph is full of dates
        // (2023年4月24日至7月26日, 2023年10月27日), all of them events.
        let (title, body) = corpus(C001);
        let unsigned = body.rsplit_once("中共佛山市高明区委").unwrap().0;
        assert_eq!(extract_date(title, unsigned), None);
    }

    #[test]
    fn many_past_dates_and_no_statement_of_when_000() {
        // 000 mentions 2014年, 2017年, 2018年至2020年底, 2019年4月12日, 今年7月23日,
        // 今年6月30日, 去年11月18日 but nowhere says when it was written.
        assert_eq!(corpus_date(C000), None);
    }

    #[test]
    fn relative_years_need_an_anchor_in_the_article() {
        // 今年 is never resolved against today's date.
        let s = "今年7月23日,在高明区明城镇明阳村委会会议室内,明阳村党委理论学习中心组举行第一次专题学习会议。";
        assert_eq!(date(s), None);
        let s = "从去年11月18日拍地,到当月20日获取施工通知单,该项目仅用时两个工作日。";
        assert_eq!(date(s), None);
    }

    #[test]
    fn anniversary_said_to_fall_this_year() {
        // 004's sentence before it was spun (筑党 → 建党, 本年 → 今年, 中邦 → 中国).
        let s = "就在今年中国共产党建党100周年之际,紫南村获得“全国先进基层党组织”荣誉。";
        let d = date(s);
        assert_eq!(day(&d), inferred("2021"));
        assert!(d.unwrap().evidence.contains("(1921+100)"));
        let s = "今年是新中国成立七十周年,高明区各级党组织开展系列主题活动。";
        assert_eq!(day(&date(s)), inferred("2019"));
    }

    #[test]
    fn anniversary_said_of_last_or_next_year_resolves_against_it() {
        let d = date("去年是中国共产党成立一百周年,高明区委深入实施基层党组织建设三年行动计划。");
        assert_eq!(day(&d), inferred("2022"));
        assert!(d.unwrap().evidence.contains("said of 去年"));
        let d = date("明年是改革开放40周年,高明将进一步深化重点领域和关键环节改革。");
        assert_eq!(day(&d), inferred("2017"));
    }

    #[test]
    fn anniversaries_looked_back_on_are_ignored() {
        assert_eq!(
            date("2021年,在庆祝中国共产党成立100周年之际,紫南村获得荣誉。"),
            None
        );
        assert_eq!(
            date("过去一年,我们隆重庆祝建党100周年,开展党史学习教育。"),
            None
        );
        assert_eq!(
            date("认真学习《在庆祝中国共产党成立100周年大会上的讲话》精神。"),
            None
        );
        // Mentioning an anniversary is not saying it is now.
        assert_eq!(
            date("高明区红色廉政文化教育基地展出了建党100周年的珍贵照片。"),
            None
        );
    }

    #[test]
    fn opening_anniversary_002() {
        // 新冠肺炎 (not before 2020) agrees and is noted.
        assert_date(
            corpus_date(C002),
            inferred("2020"),
            &[
                "南沙自贸片区挂牌5年以来",
                "2015+5",
                "consistent with 新冠肺炎",
            ],
        );
    }

    #[test]
    fn programme_title_and_milestone_003() {
        assert_date(
            corpus_date(C003),
            inferred("2023"),
            &["programme title 《新会区2023年", "二十大 开局之年"],
        );
    }

    #[test]
    fn programme_title_alone_is_enough() {
        let s = "近期,《新会区2023年以高质量党建推动高质量发展的实施意见》正式印发。新会区将开展高质量党建专项行动,新会区各级党组织全面落实。";
        let d = date(s);
        assert_eq!(day(&d), inferred("2023"));
    }

    #[test]
    fn programme_titles_of_others_are_not_evidence() {
        // A national plan named for a year may be published the year before.
        assert_eq!(date("近日,国务院印发《2024年节能降碳行动方案》。"), None);
        // A place the article is not about (named once, in the title only).
        assert_eq!(date("近期,《新会区2023年党建工作要点》正式印发。"), None);
        // A range of years is not a plan year.
        let s = "新会区印发《新会区2023—2025年人才发展行动计划》。新会区将推进,新会区";
        assert_eq!(date(s), None);
        // Looked back on.
        let s = "去年,新会区印发《新会区2022年党建工作要点》。新会区将推进,新会区";
        assert_eq!(date(s), None);
    }

    #[test]
    fn five_year_plan_and_congress_milestones() {
        assert_eq!(
            day(&date("今年是“十四五”规划收官之年,高明区全力冲刺。")),
            inferred("2025")
        );
        assert_eq!(
            day(&date("明年是“十五五”开局之年,要谋划好重大项目。")),
            inferred("2025")
        );
        let s = "今年是全面贯彻落实党的二十大精神开局之年,也是江门踏上现代化建设新征程的开耕之年。";
        assert_eq!(day(&date(s)), inferred("2023"));
    }

    #[test]
    fn disagreeing_or_implausible_evidence_gives_no_year() {
        assert_eq!(date("今年是建党100周年。今年是改革开放40周年。"), None);
        // 2018 from the anniversary, but 新冠肺炎 was not named before 2020.
        assert_eq!(
            date("今年是改革开放40周年。面对新冠肺炎疫情的考验,南沙区牢牢抓稳党建。"),
            None
        );
    }

    #[test]
    fn spun_004_has_no_date() {
        // 004 says 本年10月 and 本年6月15日 (no year anchor), and its only anniversary is
        // spun: 本年中邦共产党筑党100周年之际. 筑党 is not an event name; reading it as
        // 建党 would be guessing at the spinner, so the article stays undated.
        assert_eq!(corpus_date(C004), None);
    }

    /// Exactly what the bundled corpus yields; the reasons are in the tests above.
    #[test]
    fn bundled_corpus_dates() {
        let got: Vec<Option<(String, Precision, DateSource)>> = [C000, C001, C002, C003, C004]
            .into_iter()
            .map(|c| day(&corpus_date(c)))
            .collect();
        let expected = vec![
            None,                   // 000: only event dates and unanchored 今年
            text_day("2024-09-26"), // 001: signature 中共佛山市高明区委 2024年9月26日
            inferred("2020"),       // 002: 南沙自贸片区挂牌5年以来, 2015+5
            inferred("2023"),       // 003: 《新会区2023年…实施意见》 and 二十大精神开局之年
            None,                   // 004: spun, 本年 without anchor
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        const POOL: &[&str] = &[
            "年",
            "月",
            "日",
            "号",
            "2024",
            "9",
            "26",
            "０",
            "〇",
            "二",
            "十",
            "周年",
            "之际",
            "今年是",
            "去年",
            "建党",
            "挂牌",
            "南沙自贸片区",
            "《",
            "》",
            "方案",
            "新会区",
            "印发",
            ",",
            "。",
            "\n",
            " ",
            "-",
            "/",
            ":",
            "T",
            "Z",
            "至",
            "中共佛山市高明区委",
            "开局之年",
            "十四五",
            "é",
            "\\",
            "😀",
            "今天",
            "(",
            ")",
            "（",
            "电",
            "讯",
            "_",
            "|",
            "第十一个",
            "国家公祭日",
            "十四届全国人大二次会议",
            "开幕",
            "山西青年报",
            "一九八八",
        ];
        for s in crate::extract::topic::tests::random_texts(POOL, 3000, 40) {
            if let Some(d) = extract_date(&s, &s) {
                assert!(d.first_day() <= d.last_day(), "{s:?}");
            }
            let _ = DocDate::from_metadata(&s);
            let _ = parse_bound(&s);
        }
    }

    /// Runs [`extract_date`] on every story of the CCTV corpus, ignoring its metadata,
    /// and compares with the metadata date (skipped, saying so, where the
    /// corpus is absent). Research data, never committed:
    /// `cargo test --release --lib extract::date -- --nocapture`.
    #[test]
    fn cctv_dates_agree_with_metadata() {
        use std::io::BufRead;
        let Some(file) = crate::extract::topic::tests::cctv_file() else {
            return;
        };
        let (mut stories, mut dated, mut day_dated, mut wrong, mut wrong_day, mut bytes) =
            (0, 0, 0, 0, 0, 0);
        let mut by_kind = std::collections::BTreeMap::<String, (u32, u32)>::new();
        let mut elapsed = std::time::Duration::ZERO;
        for line in std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let (title, body) = (v["title"].as_str().unwrap(), v["body"].as_str().unwrap());
            let meta = DocDate::from_metadata(v["date"].as_str().unwrap()).unwrap();
            stories += 1;
            bytes += title.len() + body.len();
            let start = std::time::Instant::now();
            let found = extract_date(title, body);
            elapsed += start.elapsed();
            let Some(d) = found else { continue };
            dated += 1;
            let ok = d.first_day() <= meta.first_day() && meta.first_day() <= d.last_day();
            let kind = d.evidence.split(':').next().unwrap_or("").to_string();
            let entry = by_kind
                .entry(format!("{} {kind}", d.precision.as_str()))
                .or_default();
            entry.0 += 1;
            if d.precision == Precision::Day {
                day_dated += 1;
            }
            if !ok {
                wrong += 1;
                entry.1 += 1;
                if d.precision == Precision::Day {
                    wrong_day += 1;
                    // A signed document reported the next day: off by one, never more.
                    let apart = (meta.first_day() - d.first_day()).get_days().abs();
                    assert!(apart <= 1, "{} vs {}", d.display(), meta.display());
                }
                // Dates and provenance only: the corpus text is not reproduced.
                println!(
                    "mismatch: metadata {} extracted {} ({})",
                    meta.display(),
                    d.display(),
                    d.precision.as_str()
                );
            }
        }
        println!(
            "{stories} stories, {:.1} MB: {dated} dated ({day_dated} to the day), {wrong} wrong ({wrong_day} to the day)",
            bytes as f64 / 1e6
        );
        for (kind, (n, bad)) in &by_kind {
            println!("  {kind:<28} {n:>5} dated, {bad} wrong");
        }
        println!(
            "extract_date: {:.1} ms per MB",
            elapsed.as_secs_f64() * 1e3 / (bytes as f64 / 1e6)
        );
        assert!(stories > 20_000, "{stories} stories");
        assert!(dated > 100, "only {dated} dated");
        assert!(wrong * 100 <= dated, "{wrong} of {dated} wrong");
        assert!(
            wrong_day * 10 <= day_dated,
            "{wrong_day} of {day_dated} day-precise dates wrong"
        );
    }
}
