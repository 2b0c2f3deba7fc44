//! The publication date: the rules of this folder, tried in order of preference, and how
//! a stated date and the day the article calls today combine.

use super::chronology::DatedList;
use super::header::{header_date, headline_date};
use super::inferred::inferred_year;
use super::line::clean_line;
use super::signature::signature_date;
use super::today::today;
use crate::date::{DocDate, fold_width};

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
