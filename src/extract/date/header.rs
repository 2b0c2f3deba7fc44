//! The date an article's header states: the short lines before its first sentence, which
//! may follow a site's name and an exclaiming headline. A date alone on a line, after a
//! label (`发布时间:`), beside byline fields (`来源:`) or before a publication's name, a
//! date ending the headline after `_` or `|`, and the lead's dateline
//! (`中国青年网2017年11月16日讯`). Ranges, deadlines, lines labelled 更新时间 or 截止, and
//! the entries of a chronology are skipped.

use std::sync::LazyLock;

use regex::Regex;

use super::chronology::DatedList;
use super::line::{
    DECORATION, clean_line, find_dates, is_range_or_deadline, only_decoration, snippet,
};
use crate::date::DocDate;

/// How many non-empty lines at the top count as the header.
pub(super) const HEADER_LINES: usize = 8;
/// A line longer than this (in characters) is running text; the header ends before it,
/// as it does before the first line holding a full stop.
const HEADER_LINE_MAX: usize = 80;

/// A line holding `!` or `?` is a sentence only when longer than this: web headlines
/// exclaim (`气愤!河北一幼儿园老师竟然打孩子!监控视频曝光!`) and the header goes on below them.
const HEADLINE_MAX: usize = 50;

/// Whether running text begins at `line`: a sentence, or a long line with clauses (a
/// long line without any, such as a site's menu `首页 | 新闻 | 国内 | …`, is page furniture).
pub(super) fn ends_header(line: &str) -> bool {
    let n = line.chars().count();
    (n > HEADER_LINE_MAX && line.contains([',', '、', '。', ';', '!', '?']))
        || line.contains(['。', ';'])
        || (n > HEADLINE_MAX && line.contains(['!', '?']))
}

pub(super) fn header_date(lines: &[&str], list: &DatedList) -> Option<DocDate> {
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

// ---------------------------------------------------------------------------------------
// The headline's date, the byline's publication name, the dateline

/// A date that ends a headline after `_` or `|`, as web page titles carry it
/// (`山西出台新规鼓励青年返乡创业_2018年5月30日`, `… | 2018-05-30`).
fn is_headline_suffix(before: &str, after: &str) -> bool {
    let before = before.trim_end();
    before.ends_with(['_', '|']) && before.chars().count() > 2 && only_decoration(after)
}

/// The date at the end of a title (from metadata or the headline line), after `_` or `|`.
pub(super) fn headline_date(title: &str) -> Option<DocDate> {
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
pub(super) static DATELINE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[电讯](?:$|[\s(\[【:,]|记者|据|通讯员)").unwrap());
/// A dateline without a year: `新华社北京7月1日电`.
pub(super) static DATELINE_MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^,。:;!?]{0,24}?)([0-9]{1,2})月([0-9]{1,2})日").unwrap());
/// How long the agency and place before a dateline's date may be, in characters.
const DATELINE_PREFIX_MAX: usize = 24;

/// Whether `prefix` can be a dateline's agency and place (`中国青年网`, `人民网北京`).
pub(super) fn is_dateline_prefix(prefix: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use crate::date::{DateSource, Precision};
    use crate::extract::date::extract_date;
    use crate::extract::date::tests::*;

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
}
