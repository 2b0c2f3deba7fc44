//! Today as the article states it: `今天(11月16日)` anywhere in it (every such statement
//! agreeing) or its lead's dateline without a year (`新华社北京7月1日电`). A day without a
//! year needs one from the article: the one it states (`今天(2025年5月20日)`), a
//! month-precise header date (`2021年7月`) or an inferred year; otherwise it stays unknown.

use std::sync::LazyLock;

use regex::Regex;

use super::header::{
    DATELINE_END, DATELINE_MONTH_DAY, HEADER_LINES, ends_header, is_dateline_prefix,
};
use crate::date::{DateSource, DocDate, Precision, checked};

/// `今天(11月16日)`, `今日(2025年5月20日)` (brackets folded to ASCII).
static TODAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:今天|今日)\(\s*(?:([0-9]{4})\s*年\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日[^()]{0,10}\)")
        .unwrap()
});

/// The day an article says is today: from `今天(M月D日)` anywhere in it (every one
/// must agree), or from its lead's dateline without a year (`新华社北京7月1日电`).
#[derive(Debug)]
pub(super) struct Today {
    year: Option<u32>,
    month: u32,
    day: u32,
    /// The words that say so, for the provenance.
    written: String,
}

pub(super) fn today(lines: &[&str], text: &str) -> Option<Today> {
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
    pub(super) fn completing(&self, stated: &DocDate) -> Option<DocDate> {
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
    pub(super) fn dated(&self, inferred: Option<&DocDate>) -> Option<DocDate> {
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

#[cfg(test)]
mod tests {
    use crate::date::{DateSource, Precision};
    use crate::extract::date::tests::*;

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
}
